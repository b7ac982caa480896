#include "dataplane/drop_capture.hpp"

#include <rte_memcpy.h>

#include <algorithm>
#include <stdexcept>

namespace ampguard {

DropCapture::DropCapture(unsigned slots) {
  ring_ = rte_ring_create_elem("ampguard_capture", sizeof(CaptureSlot), slots, SOCKET_ID_ANY,
                               RING_F_SC_DEQ | RING_F_EXACT_SZ);
  if (ring_ == nullptr) throw std::runtime_error("cannot create the drop capture ring");
}

DropCapture::~DropCapture() { rte_ring_free(ring_); }

void DropCapture::copy(uint64_t armed, const rte_mbuf* m, VerdictReason r, PortSide side,
                       uint64_t now_ns) {
  // Claim one frame of the budget; relaxed: the ring's own ordering publishes the slot.
  uint32_t left = budget_.load(std::memory_order_relaxed);
  do {
    if (left == 0) return;  // the capture has all it asked for
  } while (!budget_.compare_exchange_weak(left, left - 1, std::memory_order_relaxed));
  CaptureSlot s;
  s.now_ns = now_ns;
  s.capture = uint32_t(armed >> kCaptureMaskBits);
  s.wire_len = uint16_t(std::min<uint32_t>(rte_pktmbuf_pkt_len(m), UINT16_MAX));
  s.kept_len = uint16_t(std::min<uint32_t>(s.wire_len, kCaptureSnap));
  s.reason = uint8_t(r);
  s.side = uint8_t(side);
  const void* p = rte_pktmbuf_read(m, 0, s.kept_len, s.data);
  if (p != s.data) rte_memcpy(s.data, p, s.kept_len);
  if (rte_ring_mp_enqueue_elem(ring_, &s, sizeof s) == 0) {
    frames_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // Ring full (control is behind): count it and hand the claim back for a later frame.
  missed_.fetch_add(1, std::memory_order_relaxed);
  budget_.fetch_add(1, std::memory_order_relaxed);
}

uint32_t DropCapture::arm(uint64_t mask, uint32_t count) {
  disarm();
  CaptureSlot s;
  while (rte_ring_sc_dequeue_elem(ring_, &s, sizeof s) == 0) {
  }
  next_id_ = next_id_ % 0xffff + 1;  // never 0: an armed word is never 0
  const uint32_t id = next_id_;
  budget_.store(count, std::memory_order_relaxed);
  // release: a worker that sees the new word also sees the budget it draws from.
  armed_.store(uint64_t(id) << kCaptureMaskBits | mask, std::memory_order_release);
  return id;
}

void DropCapture::disarm() {
  armed_.store(0, std::memory_order_relaxed);
  budget_.store(0, std::memory_order_relaxed);
}

bool DropCapture::take(CaptureSlot* slot) {
  while (rte_ring_sc_dequeue_elem(ring_, slot, sizeof *slot) == 0)
    if (slot->capture == next_id_) return true;  // else a late copy for an earlier capture
  return false;
}

}  // namespace ampguard
