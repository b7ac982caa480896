// Block events: handed by workers to the control thread through an rte_ring of fixed-size
// elements, so a flood of events costs a worker one failed enqueue, never a wait.
#pragma once

#include <array>
#include <cstdint>

#include "dataplane/flow_key.hpp"
#include "dataplane/packet_parse.hpp"

namespace ampguard {

enum class BlockEventKind : uint8_t { blocked, unblocked };

struct BlockEvent {
  uint64_t now_ns;
  FlowKey key;
  std::array<uint8_t, 16> addr;  // the packet's destination (unmasked)
  uint16_t ip_total_len;         // size of the response that went over the limit
  uint16_t worker;
  L3 l3;
  BlockEventKind kind;
  uint8_t pad[2];
};
static_assert(sizeof(BlockEvent) % 4 == 0, "rte_ring element sizes are multiples of 4");

}  // namespace ampguard
