// ampguardctl capture: a pcap of the next N frames the workers drop or rewrite for one verdict
// reason (or all of them), taken through DropCapture's ring.
//
// The control thread arms the capture, drains the ring once per control step into the pcap
// (libpcap, snaplen 65535, nanosecond timestamps, one record per frame as long as the frame) and
// finishes when N frames are written or the timeout passes; the ctl reply waits until then
// without holding up the control loop.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/drop_capture.hpp"

namespace ampguard {

class CaptureJob {
 public:
  ~CaptureJob();
  // Parses "--reason R|all --count N --file PATH [--timeout DURATION]", opens PATH and arms
  // the workers. Returns "" or the reason (nothing is armed then).
  std::string start(DropCapture& capture, const std::vector<std::string>& args, uint64_t now_ns);
  // Writes what the ring holds. True when the capture is finished (count reached or timed out).
  bool step(uint64_t now_ns);
  // Disarms, closes the file and says what was written.
  std::string finish();

 private:
  DropCapture* capture_ = nullptr;
  pcap_t* pcap_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  std::string path_, reason_;
  uint32_t count_ = 0, written_ = 0;
  uint64_t deadline_ns_ = 0, timeout_ns_ = 0;
  uint64_t missed_at_start_ = 0;
  int64_t wall_minus_now_ns_ = 0;  // dataplane clock -> Unix time for the pcap timestamps
  bool timed_out_ = false;
};

}  // namespace ampguard
