// Block events: handed by workers to the control thread through an rte_ring of fixed-size
// elements, so a flood of events costs a worker one failed enqueue, never a wait.
#pragma once

#include <cstdint>

#include "dataplane/flow_key.hpp"

namespace ampguard {

// A worker blocked `key`. Only blocks travel here: unblocks are found by the control thread.
struct BlockEvent {
  FlowKey key;
  uint16_t ip_total_len;  // size of the response that went over the limit
  uint16_t worker;
  uint8_t pad[4];
};
static_assert(sizeof(BlockEvent) % 4 == 0, "rte_ring element sizes are multiples of 4");

}  // namespace ampguard
