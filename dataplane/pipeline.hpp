// The per-packet decision and the per-burst pipeline a worker runs.
//
// judge_frame() is the whole decision for one frame (parse, classify, blocklist, limiter, DNS
// actions) on plain bytes, so tests and fuzzers drive it without ports; process_burst() runs
// it over an RX burst and sorts the mbufs into forward / reply / drop lists.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "dataplane/dataplane_config.hpp"
#include "dataplane/packet_parse.hpp"
#include "dataplane/shared_state.hpp"
#include "dataplane/traffic_types.hpp"
#include "dataplane/verdict_reason.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

// One packet's table keys, each hashed once (the tables share a hash key: SharedState::hashed):
// its peer (the source outside, the destination inside) and its destination's covering
// prefixes. Stage 1 fills what it prefetches; the judge hashes the rest on first use.
struct PacketKeys {
  HashedKey peer;
  AggregateTable::PrefixKeys prefixes;
  bool has_peer = false;
  bool has_prefixes = false;
};

// One per worker lcore; only that lcore touches it (counters are read by control).
struct WorkerContext {
  uint16_t id = 0;
  SharedState* shared = nullptr;
  WorkerCounters* counters = nullptr;
  uint64_t now_ns = 0;            // this burst's time, read from the TSC once per burst
  uint64_t limit_clock = 0;       // now_ns in the limiter's units (limit_clock), once per burst
  int64_t unix_s = 0;             // Unix time for server cookies, once per burst (cookies on)
  uint32_t block_slip_count = 0;  // queries from blocklisted sources since the last TC (slip)
  uint32_t limit_slip_count = 0;  // over-limit responses since the last truncated one (slip)
  PacketView views[kBurstSize];   // the burst's parse results: scratch owned by this worker
  PacketKeys keys[kBurstSize];    // the burst's table keys: scratch owned by this worker
  // Over-limit destinations of this burst, blocklisted at its end: their blocklist lines load
  // while the rest of the burst is judged, instead of one miss per over-limit response.
  struct PendingBlock {
    HashedKey key;
    uint16_t ip_total_len;  // the response that went over the limit, for the block event
  };
  PendingBlock pending_blocks[kBurstSize];
  uint16_t n_pending_blocks = 0;
};

struct Judgement {
  Action action;
  VerdictReason reason;
  TrafficClass traffic_class;
};

// Judges the frame that entered on `side`. May rewrite it in place (a TC reply or a truncated
// response, never longer): *len is then its new length. Counts the reason and the parse status.
Judgement judge_frame(WorkerContext& w, const DataplaneConfig& cfg, PortSide side, uint8_t* frame,
                      uint32_t* len, uint64_t now_ns);

struct BurstOut {
  rte_mbuf* to_other[kBurstSize];  // forward out of the other port
  rte_mbuf* to_same[kBurstSize];   // replies: back out of the port they came in on
  rte_mbuf* drop[kBurstSize];
  uint16_t n_other = 0, n_same = 0, n_drop = 0;
  uint64_t rx_bytes = 0;  // the burst's; counted by the caller once it is transmitted
};

void process_burst(WorkerContext& w, const DataplaneConfig& cfg, PortSide side,
                   rte_mbuf* const* pkts, uint16_t n, uint64_t now_ns, BurstOut& out);

}  // namespace ampguard
