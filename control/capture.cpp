#include "control/capture.hpp"

#include <chrono>

#include "control/units.hpp"

namespace ampguard {
namespace {

constexpr uint32_t kMaxCount = 1'000'000;
constexpr uint64_t kDefaultTimeoutNs = 10 * kSecond;
constexpr uint64_t kMaxTimeoutNs = 3'600 * kSecond;

std::string reason_list() {
  std::string names = "all";
  for (unsigned r = 0; r < kVerdictReasonCount; ++r)
    if (capturable_reasons() >> r & 1u) names += ", " + std::string(reason_name(VerdictReason(r)));
  return names;
}

std::string parse_mask(const std::string& name, uint64_t& mask) {
  if (name == "all") {
    mask = capturable_reasons();
    return "";
  }
  for (unsigned r = 0; r < kVerdictReasonCount; ++r)
    if (reason_name(VerdictReason(r)) == name && (capturable_reasons() >> r & 1u)) {
      mask = uint64_t(1) << r;
      return "";
    }
  return "--reason: '" + name + "' is not one of: " + reason_list();
}

}  // namespace

CaptureJob::~CaptureJob() {
  if (capture_ != nullptr) finish();
}

std::string CaptureJob::start(DropCapture& capture, const std::vector<std::string>& args,
                              uint64_t now_ns) {
  const std::string usage =
      "usage: capture --reason REASON|all --count N --file PATH [--timeout DURATION]";
  std::string count_text, timeout_text;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    const std::string& key = args[i];
    std::string* slot = key == "--reason"    ? &reason_
                        : key == "--count"   ? &count_text
                        : key == "--file"    ? &path_
                        : key == "--timeout" ? &timeout_text
                                             : nullptr;
    if (slot == nullptr) return usage;
    *slot = args[i + 1];
  }
  if (args.size() % 2 != 0 || reason_.empty() || count_text.empty() || path_.empty()) return usage;
  uint64_t mask = 0;
  std::string err = parse_mask(reason_, mask);
  if (!err.empty()) return err;
  uint64_t n = 0;
  if (!parse_uint(count_text, 1, kMaxCount, n))
    return "--count: from 1 to " + std::to_string(kMaxCount);
  count_ = uint32_t(n);
  timeout_ns_ = kDefaultTimeoutNs;
  if (!timeout_text.empty()) {
    err = parse_duration_ns(timeout_text, timeout_ns_);
    if (!err.empty()) return "--timeout: " + err;
    if (timeout_ns_ == 0 || timeout_ns_ > kMaxTimeoutNs) return "--timeout: at most 1h";
  }
  if (path_[0] != '/')
    return "--file: an absolute path (ampguard's working directory is not yours)";
  // Nanosecond timestamps; snaplen 65535: every record holds its whole frame.
  pcap_ = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
  if (pcap_ == nullptr) return "cannot create a pcap handle";
  dumper_ = pcap_dump_open(pcap_, path_.c_str());
  if (dumper_ == nullptr) {
    err = "--file: " + std::string(pcap_geterr(pcap_));
    pcap_close(pcap_);
    pcap_ = nullptr;
    return err;
  }
  wall_minus_now_ns_ = int64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count()) -
                       int64_t(now_ns);
  deadline_ns_ = now_ns + timeout_ns_;
  missed_at_start_ = capture.missed();
  capture_ = &capture;
  capture.arm(mask, count_);
  return "";
}

bool CaptureJob::step(uint64_t now_ns) {
  CaptureSlot s;
  while (written_ < count_ && capture_->take(&s)) {
    const int64_t ns = int64_t(s.now_ns) + wall_minus_now_ns_;
    pcap_pkthdr h{};
    h.ts.tv_sec = ns / int64_t(kSecond);
    h.ts.tv_usec = ns % int64_t(kSecond);  // nanoseconds: the file is nanosecond-precision
    h.caplen = s.kept_len;
    h.len = s.wire_len;
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, s.data);
    ++written_;
  }
  if (written_ == count_) return true;
  timed_out_ = now_ns >= deadline_ns_;
  return timed_out_;
}

std::string CaptureJob::finish() {
  capture_->disarm();
  const uint64_t missed = capture_->missed() - missed_at_start_;
  capture_ = nullptr;
  pcap_dump_close(dumper_);
  pcap_close(pcap_);
  dumper_ = nullptr;
  pcap_ = nullptr;
  const std::string partial =
      "wrote " + std::to_string(written_) + " of " + std::to_string(count_) + " frames";
  std::string text = written_ == count_ ? "wrote " + std::to_string(written_) + " frames"
                     : timed_out_ ? "timed out after " + std::to_string(timeout_ns_ / 1'000'000) +
                                        " ms: " + partial
                                  : "ampguard is stopping: " + partial;
  text += " (reason " + reason_ + ") to " + path_;
  if (missed != 0) text += "; " + std::to_string(missed) + " missed: the capture ring was full";
  return text + "\n";
}

}  // namespace ampguard
