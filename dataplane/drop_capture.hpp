// Drop sampling: while the control thread has armed a capture (ampguardctl capture), workers
// copy the frames they drop or rewrite for the chosen verdict reasons into fixed-size slots of
// an rte_ring; the control thread drains the ring and writes the pcap.
//
// Cost when nothing is armed: one relaxed load of armed() per burst and a never-taken branch per
// frame on a register. While armed, a frame is copied only if a slot of the capture's budget
// is left; a full ring counts the frame as missed and never waits.
//
// Rewritten frames (TC replies, truncated responses) are captured as they leave: the rewrite
// happens in place, so the original bytes no longer exist when the verdict is known.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>

#include "dataplane/traffic_types.hpp"
#include "dataplane/verdict_reason.hpp"

namespace ampguard {

// Largest frame kept whole: a jumbo-less Ethernet frame with two VLAN tags fits with room.
inline constexpr uint32_t kCaptureSnap = 2048;

struct CaptureSlot {
  uint64_t now_ns;    // the worker's burst time (SharedState::now_ns)
  uint32_t capture;   // the capture it belongs to: slots of an earlier one are discarded
  uint16_t wire_len;  // the frame's length (pkt_len)
  uint16_t kept_len;  // bytes in data: min(wire_len, kCaptureSnap)
  uint8_t reason;     // VerdictReason
  uint8_t side;       // PortSide it entered on
  uint8_t pad[6];
  uint8_t data[kCaptureSnap];
};
static_assert(sizeof(CaptureSlot) % 4 == 0, "rte_ring element sizes are multiples of 4");

// The armed word: capture id (16 bits) << kCaptureMaskBits | reason mask.
inline constexpr unsigned kCaptureMaskBits = 48;
static_assert(kVerdictReasonCount <= kCaptureMaskBits, "the armed word holds one bit per reason");

class DropCapture {
 public:
  // Needs the EAL (the ring lives in DPDK memory). slots: a power of two.
  explicit DropCapture(unsigned slots);
  ~DropCapture();
  DropCapture(const DropCapture&) = delete;
  DropCapture& operator=(const DropCapture&) = delete;

  // The armed word: capture id << 48 | reason mask (0: nothing armed). Workers load it once per
  // burst; relaxed, because a capture that starts a burst late loses nothing it promised.
  uint64_t armed() const { return armed_.load(std::memory_order_relaxed); }

  // Worker side: called for each judged frame of a burst whose armed word was nonzero.
  void offer(uint64_t armed, const rte_mbuf* m, VerdictReason r, PortSide side, uint64_t now_ns) {
    if ((armed >> unsigned(r) & 1u) != 0) copy(armed, m, r, side, now_ns);
  }

  // Control side. arm() empties the ring, then arms `mask` for `count` frames under a new id.
  uint32_t arm(uint64_t mask, uint32_t count);
  void disarm();
  // Moves the next slot of the current capture into *slot; false when the ring is empty.
  bool take(CaptureSlot* slot);
  uint64_t frames() const { return frames_.load(std::memory_order_relaxed); }
  uint64_t missed() const { return missed_.load(std::memory_order_relaxed); }
  unsigned slots() const { return rte_ring_get_capacity(ring_); }

 private:
  void copy(uint64_t armed, const rte_mbuf* m, VerdictReason r, PortSide side, uint64_t now_ns);

  rte_ring* ring_ = nullptr;  // CaptureSlot elements, multi-producer / single-consumer
  std::atomic<uint64_t> armed_{0};
  std::atomic<uint32_t> budget_{0};  // frames the current capture still wants copied
  uint32_t next_id_ = 0;             // control thread only; 1-65535, wrapping
  // Totals over every capture; written only while armed, so sharing the line costs nothing.
  std::atomic<uint64_t> frames_{0}, missed_{0};
};

}  // namespace ampguard
