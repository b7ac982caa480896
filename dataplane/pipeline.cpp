#include "dataplane/pipeline.hpp"

#include <rte_prefetch.h>

#include <algorithm>

#include "dataplane/block_event.hpp"
#include "dataplane/dns_actions.hpp"
#include "dataplane/dns_cookie.hpp"
#include "dataplane/flow_key.hpp"
#include "dataplane/packet_parse.hpp"

namespace ampguard {
namespace {

struct Decision {
  VerdictReason reason;
  TrafficClass traffic_class;
};

constexpr Decision decided(VerdictReason r, TrafficClass c = TrafficClass::other) { return {r, c}; }

// Size the limiter charges: the whole datagram, also when this frame is its first fragment,
// as the sender sized it before fragmenting (an IPv6 fragment header is not part of it).
uint32_t datagram_size(const PacketView& v) {
  if (!v.is_fragment) return v.ip_total_len;
  return uint32_t(v.ip_header_len) + v.udp_len -
         (v.frag_header_offset != 0 ? kIpv6FragmentHeaderLen : 0);
}

// The packet's peer: its source on the outside port, its destination on the inside port.
// Inlined: GCC kept it (and judge_parsed) out of line, a call per packet with the arguments on
// the stack (perf annotate of BM_Pipeline_Normal).
[[gnu::always_inline]] inline const HashedKey& peer_key(const WorkerContext& w,
                                                        const DataplaneConfig& cfg, PortSide side,
                                                        const PacketView& v, PacketKeys& k) {
  if (!k.has_peer) {
    const std::array<uint8_t, 16>& peer = side == PortSide::outside ? v.src : v.dst;
    k.peer = w.shared->hashed(flow_key(v.l3, peer, cfg.prefix_v4, cfg.prefix_v6));
    k.has_peer = true;
  }
  return k.peer;
}

const AggregateTable::PrefixKeys& prefix_keys(const WorkerContext& w, const DataplaneConfig& cfg,
                                              const PacketView& v, PacketKeys& k) {
  if (!k.has_prefixes) {
    k.prefixes = w.shared->aggregates.prefix_keys(cfg.aggregates, v.l3, v.dst);
    k.has_prefixes = true;
  }
  return k.prefixes;
}

void emit_block_event(WorkerContext& w, FlowKey key, uint16_t ip_total_len) {
  BlockEvent e{};
  e.key = key;
  e.ip_total_len = ip_total_len;
  e.worker = w.id;
  w.counters->block_events.add();
  // A full ring means control is behind: count the loss, never wait for it.
  if (rte_ring_mp_enqueue_elem(w.shared->events, &e, sizeof(e)) != 0)
    w.counters->block_events_dropped.add();
}

// Every slip-th call is true: a per-worker count, no shared state on the hot path.
bool slip(uint32_t& count, uint32_t every) {
  if (++count < every) return false;
  count = 0;
  return true;
}

// A query to a service port whose server cookie verifies: counted by outcome, and its
// (address, port, ID) remembered so that the answer to exactly it passes the inside port.
bool proven_query(WorkerContext& w, const DataplaneConfig& cfg, const uint8_t* frame,
                  PacketView& v) {
  if (cfg.cookies.count == 0) return false;
  if (!(v.has_dns || parse_dns(frame, v)) || v.dns.is_response()) return false;
  CookieOption c;
  const CookieFind f = find_cookie(frame, v, c);
  if (f == CookieFind::none) return false;
  const CookieOutcome o = f == CookieFind::malformed
                              ? CookieOutcome::malformed
                              : check_cookie(cfg.cookies, c, v.l3, v.src.data(), w.unix_s);
  w.counters->cookie_outcomes[unsigned(o)].add();
  if (o != CookieOutcome::valid) return false;
  w.shared->proven.remember(query_key(v.l3, v.src, v.src_port, v.dns.id),
                            w.now_ns + cfg.proven_timeout_ns, w.now_ns, w.counters->tables);
  return true;
}

// A response to a query proven_query() remembered: its destination, port and DNS ID, read
// from the first (or only) fragment's headers.
bool proven_response(const WorkerContext& w, const uint8_t* frame, const PacketView& v) {
  if (v.payload_in_frame() < 2) return false;
  const uint16_t id = load_be16(frame + v.payload_offset);
  return w.shared->proven.contains(query_key(v.l3, v.dst, v.dst_port, id), w.now_ns);
}

// UDP (or a packet whose ports could not be read) from a blocklisted source. Only what is
// addressed to the resolver's service is dropped: its own queries' answers come from anywhere.
Decision judge_blocklisted(WorkerContext& w, const DataplaneConfig& cfg, uint8_t* frame,
                           uint32_t* len, PacketView& v, const HashedKey& source) {
  if (v.later_fragment()) {
    const auto verdict = w.shared->fragments.lookup(datagram_key(v), w.now_ns);
    if (!verdict) return decided(VerdictReason::blocklisted_fragment_unmatched);
    return decided(*verdict == FragmentVerdict::pass ? VerdictReason::blocklisted_source_upstream
                                                     : VerdictReason::blocklisted_source);
  }
  if (!v.has_udp) return decided(VerdictReason::blocklisted_source_unreadable);
  const bool service = cfg.is_service_port(v.dst_port);
  // A valid server cookie proves the source is not spoofed: blocked or not, it is a client.
  const bool proven = service && proven_query(w, cfg, frame, v);
  if (v.first_fragment()) {
    w.shared->fragments.remember(datagram_key(v),
                                 service && !proven ? FragmentVerdict::drop : FragmentVerdict::pass,
                                 w.now_ns + cfg.fragment_timeout_ns, w.now_ns, w.counters->tables);
  }
  if (proven) return decided(VerdictReason::query_verified, TrafficClass::dns_query);
  if (!service) return decided(VerdictReason::blocklisted_source_upstream);
  w.counters->block_drops.add(source.hash);  // the attack still aimed through this block
  if (cfg.query_action == LimitedAction::tc && slip(w.block_slip_count, cfg.block_slip)) {
    constexpr TrafficClass kQuery = TrafficClass::dns_query;
    if (cfg.dry_run) return decided(VerdictReason::blocklisted_tc_reply, kQuery);
    // Built here, not by the resolver, and never larger than the query: no amplification.
    uint32_t new_len = *len;
    const RewriteResult r = parse_dns(frame, v)
                                ? make_tc_reply(frame, *len, v, cfg.edns_udp_size, &new_len)
                                : RewriteResult::not_a_query;
    w.counters->tc_reply_results[unsigned(r)].add();
    if (r == RewriteResult::done) {
      *len = new_len;
      return decided(VerdictReason::blocklisted_tc_reply, kQuery);
    }
  }
  return decided(VerdictReason::blocklisted_source);
}

Decision judge_outside(WorkerContext& w, const DataplaneConfig& cfg, uint8_t* frame, uint32_t* len,
                       PacketView& v, PacketKeys& k) {
  if (!cfg.deny->empty() && cfg.deny->contains(v.l3, v.src))
    return decided(VerdictReason::denylisted_source);
  // A parse that stopped before L4 (a long IPv6 chain) may hide UDP: the blocklist still applies.
  if (v.l4_proto != kIpProtoUdp && v.status == ParseStatus::ok)
    return decided(VerdictReason::not_udp);
  const HashedKey& source = peer_key(w, cfg, PortSide::outside, v, k);
  if (w.shared->blocklist.contains(source, w.now_ns))
    return judge_blocklisted(w, cfg, frame, len, v, source);
  if (v.status != ParseStatus::ok) return decided(VerdictReason::malformed);
  if (!v.has_udp || v.dst_port != cfg.source_port) return decided(VerdictReason::udp_other);
  if (!parse_dns(frame, v)) return decided(VerdictReason::dns_malformed, TrafficClass::dns_query);
  // Proven queries are forwarded as they are: their answers go to the client that asked.
  if (proven_query(w, cfg, frame, v))
    return decided(VerdictReason::query_verified, TrafficClass::dns_query);
  if (v.dns.is_response() || v.dns.qtype != kDnsTypeAny)
    return decided(VerdictReason::query, TrafficClass::dns_query);
  switch (cfg.any_action) {
    case AnyAction::pass:
      return decided(VerdictReason::query, TrafficClass::dns_query);
    case AnyAction::drop:
      return decided(VerdictReason::any_dropped, TrafficClass::dns_query);
    case AnyAction::tc:
      break;
  }
  if (cfg.dry_run) return decided(VerdictReason::any_tc_reply, TrafficClass::dns_query);
  uint32_t new_len = *len;
  const RewriteResult r = make_tc_reply(frame, *len, v, cfg.edns_udp_size, &new_len);
  w.counters->tc_reply_results[unsigned(r)].add();
  if (r != RewriteResult::done)
    return decided(VerdictReason::query, TrafficClass::dns_query);  // not ours to answer
  *len = new_len;
  return decided(VerdictReason::any_tc_reply, TrafficClass::dns_query);
}

// A destination the limiter table could only hold by evicting a live entry is not placed but
// charged to the global pressure budget (limiter_table.cpp): what overflow leaks is bounded by
// limit.pressure-rate, and the clients the table holds are never evicted for it.
Admit admit(WorkerContext& w, const DataplaneConfig& cfg, const HashedKey& dst, uint32_t size) {
  if (cfg.pressure.cost_per_byte == 0)
    return w.shared->limiter.admit_at(dst, size, cfg.limit, w.limit_clock, w.counters->tables);
  const PressureCharge pc{w.shared->pressure, cfg.pressure, pressure_units(cfg.limit.mode, size),
                          w.now_ns};
  return w.shared->limiter.admit_at(dst, size, cfg.limit, w.limit_clock, w.counters->tables, &pc);
}

Decision judge_later_fragment(WorkerContext& w, const DataplaneConfig& cfg, const PacketView& v,
                              PacketKeys& k) {
  const auto verdict = w.shared->fragments.lookup(datagram_key(v), w.now_ns);
  if (verdict) {
    return decided(*verdict == FragmentVerdict::pass ? VerdictReason::fragment_passed
                                                     : VerdictReason::fragment_dropped,
                   TrafficClass::dns_response);
  }
  const HashedKey& dst = peer_key(w, cfg, PortSide::inside, v, k);
  if (w.shared->blocklist.contains(dst, w.now_ns))
    return decided(VerdictReason::fragment_to_blocklisted);
  if (!cfg.allow->empty() && cfg.allow->contains(v.l3, v.dst))
    return decided(VerdictReason::fragment_unmatched);
  // Its first fragment was lost or evicted: charged as one large response, so a flood of
  // tails is limited like whole answers.
  const uint32_t size = std::max<uint32_t>(cfg.min_size, v.ip_total_len);
  const Admit a = admit(w, cfg, dst, size);
  if (a == Admit::over_limit) return decided(VerdictReason::fragment_unmatched_over_limit);
  if (a == Admit::over_pressure)
    return decided(VerdictReason::over_pressure_budget, TrafficClass::dns_response);
  if (a == Admit::pass_unplaced)
    return decided(VerdictReason::response_pressure_budget, TrafficClass::dns_response);
  return decided(VerdictReason::fragment_unmatched);
}

// A response over a limit (its destination's: over_limit; a covering prefix's:
// over_aggregate_limit) is dropped, or with limit.over-action = tc every slip-th one is sent as
// header, question and a bare OPT: a real client learns to retry over TCP, a victim receives no
// more than the query that caused it.
Decision limited(WorkerContext& w, const DataplaneConfig& cfg, uint8_t* frame, uint32_t* len,
                 PacketView& v, VerdictReason dropped) {
  constexpr TrafficClass kResponse = TrafficClass::dns_response;
  const VerdictReason sent = dropped == VerdictReason::over_limit
                                 ? VerdictReason::over_limit_tc
                                 : VerdictReason::over_aggregate_tc;
  if (cfg.over_action != LimitedAction::tc || !slip(w.limit_slip_count, cfg.limit_slip))
    return decided(dropped, kResponse);
  if (cfg.dry_run) return decided(sent, kResponse);
  uint32_t new_len = *len;
  const RewriteResult r = v.has_dns || parse_dns(frame, v)
                              ? truncate_response(frame, *len, v, &new_len, OptForm::bare)
                              : RewriteResult::not_a_query;
  w.counters->truncate_results[unsigned(r)].add();
  if (r != RewriteResult::done) return decided(dropped, kResponse);
  *len = new_len;
  return decided(sent, kResponse);
}

Decision judge_response(WorkerContext& w, const DataplaneConfig& cfg, uint8_t* frame, uint32_t* len,
                        PacketView& v, PacketKeys& k) {
  constexpr TrafficClass kResponse = TrafficClass::dns_response;
  const bool first_fragment = v.first_fragment();
  const uint64_t dgram = first_fragment ? datagram_key(v) : 0;
  auto remember = [&](FragmentVerdict fv) {
    if (first_fragment)
      w.shared->fragments.remember(dgram, fv, w.now_ns + cfg.fragment_timeout_ns, w.now_ns,
                                   w.counters->tables);
  };
  bool truncated = false;
  // Truncation first: what the limiter then charges is the truncated answer.
  if (cfg.truncate_above != 0 && uint32_t(v.udp_len - kUdpHeaderLen) > cfg.truncate_above &&
      !cfg.dry_run && parse_dns(frame, v)) {
    uint32_t new_len = *len;
    const RewriteResult r = truncate_response(frame, *len, v, &new_len);
    w.counters->truncate_results[unsigned(r)].add();
    if (r == RewriteResult::done) {
      *len = new_len;
      truncated = true;
      remember(FragmentVerdict::drop);  // the rest of the original datagram is gone
    }
  }
  uint32_t size = datagram_size(v);
  VerdictReason pass_reason =
      truncated ? VerdictReason::response_truncated : VerdictReason::response_within_limit;
  // cookies.nocookie-udp-size: a large answer must answer a proven query, small or not
  const bool nocookie = cfg.nocookie_udp_size != 0 && !truncated &&
                        uint32_t(v.udp_len - kUdpHeaderLen) > cfg.nocookie_udp_size;
  if (size < cfg.min_size && !nocookie) {
    if (!truncated) remember(FragmentVerdict::pass);
    return decided(truncated ? pass_reason : VerdictReason::response_small, kResponse);
  }
  if (!cfg.allow->empty() && cfg.allow->contains(v.l3, v.dst)) {
    if (!truncated) remember(FragmentVerdict::pass);
    return decided(truncated ? pass_reason : VerdictReason::response_allowlisted, kResponse);
  }
  // The answer to a query with a valid server cookie: its client is proven, never limited
  // (within cookies.verified-rate; over it, limited like any other).
  if (cfg.cookies.count != 0 && proven_response(w, frame, v)) {
    if (cfg.verified_cap.cost_per_byte == 0 ||
        w.shared->verified.charge(cfg.verified_cap, 1, w.now_ns)) {
      if (!truncated) remember(FragmentVerdict::pass);
      return decided(VerdictReason::response_verified, kResponse);
    }
    w.counters->verified_over_cap.add();
  }
  if (nocookie) {
    // Spoofed queries never draw a large UDP answer; a real client retries over TCP (or with
    // the server cookie the truncated answer's OPT carries).
    if (cfg.dry_run) {
      remember(FragmentVerdict::pass);
      return decided(VerdictReason::response_nocookie_tc, kResponse);
    }
    uint32_t new_len = *len;
    const RewriteResult r = v.has_dns || parse_dns(frame, v)
                                ? truncate_response(frame, *len, v, &new_len)
                                : RewriteResult::not_a_query;
    w.counters->truncate_results[unsigned(r)].add();
    if (r == RewriteResult::done) {
      *len = new_len;
      truncated = true;
      remember(FragmentVerdict::drop);
      pass_reason = VerdictReason::response_nocookie_tc;
      size = datagram_size(v);
    }
    if (size < cfg.min_size) {
      if (!truncated) remember(FragmentVerdict::pass);
      return decided(truncated ? pass_reason : VerdictReason::response_small, kResponse);
    }
  }
  const HashedKey& dst = peer_key(w, cfg, PortSide::inside, v, k);
  // Aggregates are asked first and charged last: a response they refuse costs no slot in the
  // limiter (an attack spread over a prefix does not fill it), and one the destination's own
  // limit refuses costs its prefixes nothing.
  const bool aggregates = cfg.aggregates.count(v.l3) != 0;
  const uint32_t units = pressure_units(cfg.limit.mode, size);
  if (aggregates && !w.shared->aggregates.has_credit(cfg.aggregates, v.l3,
                                                     prefix_keys(w, cfg, v, k), units, w.now_ns)) {
    if (!truncated) remember(FragmentVerdict::drop);
    return limited(w, cfg, frame, len, v, VerdictReason::over_aggregate_limit);
  }
  const Admit a = admit(w, cfg, dst, size);
  if (a == Admit::over_pressure) {
    // not proven over its own limit: dropped, never blocklisted
    if (!truncated) remember(FragmentVerdict::drop);
    return decided(VerdictReason::over_pressure_budget, kResponse);
  }
  if (a == Admit::over_limit) {
    w.shared->blocklist.prefetch(dst);  // blocked at the burst's end (block_pending)
    w.pending_blocks[w.n_pending_blocks++] = {dst, uint16_t(datagram_size(v))};
    if (!truncated) remember(FragmentVerdict::drop);
    return limited(w, cfg, frame, len, v, VerdictReason::over_limit);
  }
  if (aggregates && !w.shared->aggregates.charge(cfg.aggregates, v.l3, prefix_keys(w, cfg, v, k),
                                                 units, w.now_ns, w.counters->tables)) {
    if (!truncated) remember(FragmentVerdict::drop);
    return limited(w, cfg, frame, len, v, VerdictReason::over_aggregate_limit);
  }
  if (!truncated) remember(FragmentVerdict::pass);
  return decided(a == Admit::pass_unplaced && !truncated ? VerdictReason::response_pressure_budget
                                                         : pass_reason,
                 kResponse);
}

Decision judge_inside(WorkerContext& w, const DataplaneConfig& cfg, uint8_t* frame, uint32_t* len,
                      PacketView& v, PacketKeys& k) {
  if (v.l4_proto != kIpProtoUdp)
    return decided(v.status == ParseStatus::ok ? VerdictReason::not_udp : VerdictReason::malformed);
  if (v.later_fragment()) return judge_later_fragment(w, cfg, v, k);
  if (v.status != ParseStatus::ok) return decided(VerdictReason::malformed);
  if (v.src_port != cfg.source_port) return decided(VerdictReason::udp_other);
  return judge_response(w, cfg, frame, len, v, k);
}

// Hashes v's keys and starts loading the table lines judge_parsed() will read for them, so
// that a burst's cache misses overlap instead of arriving one packet at a time.
void prefetch_tables(const WorkerContext& w, const DataplaneConfig& cfg, PortSide side,
                     const PacketView& v, PacketKeys& k) {
  k.has_peer = k.has_prefixes = false;
  if (v.l3 == L3::none) return;
  if (side == PortSide::outside) {
    if (v.l4_proto != kIpProtoUdp && v.status == ParseStatus::ok) return;
    w.shared->blocklist.prefetch(peer_key(w, cfg, side, v, k));
  } else if (v.l4_proto == kIpProtoUdp && v.has_udp && v.src_port == cfg.source_port &&
             datagram_size(v) >= cfg.min_size) {
    w.shared->limiter.prefetch(peer_key(w, cfg, side, v, k));
    if (cfg.aggregates.count(v.l3) != 0)
      w.shared->aggregates.prefetch(cfg.aggregates, v.l3, prefix_keys(w, cfg, v, k));
  }
}

// Per-packet counts of one burst, added to the worker's counters once at its end.
struct BurstTally {
  uint32_t reason_packets[kVerdictReasonCount] = {};
  uint64_t reason_bytes[kVerdictReasonCount] = {};
  uint32_t parse_status[unsigned(ParseStatus::count)] = {};
  uint32_t class_packets[kTrafficClasses] = {};
  uint64_t class_bytes[kTrafficClasses] = {};
  uint32_t dry_run_forwarded = 0;

  void flush(WorkerCounters& c, PortCounters& pc) const {
    for (unsigned r = 0; r < kVerdictReasonCount; ++r) {
      if (reason_packets[r] == 0) continue;
      c.reason_packets[r].add(reason_packets[r]);
      c.reason_bytes[r].add(reason_bytes[r]);
    }
    for (unsigned s = 0; s < unsigned(ParseStatus::count); ++s)
      if (parse_status[s] != 0) c.parse_status[s].add(parse_status[s]);
    for (unsigned k = 0; k < kTrafficClasses; ++k) {
      if (class_packets[k] == 0) continue;
      pc.class_packets[k].add(class_packets[k]);
      pc.class_bytes[k].add(class_bytes[k]);
    }
    if (dry_run_forwarded != 0) c.dry_run_forwarded.add(dry_run_forwarded);
  }
};

// wire_len: the whole frame (all segments); UINT32_MAX for a chained mbuf, whose later
// segments the parser never sees.
[[gnu::always_inline]] inline Judgement judge_parsed(WorkerContext& w, const DataplaneConfig& cfg,
                                                     PortSide side, uint8_t* frame, uint32_t* len,
                                                     PacketView& v, PacketKeys& k, BurstTally& t,
                                                     uint32_t wire_len) {
  const uint32_t in_len = *len;
  Decision d;
  if (wire_len > cfg.max_frame_len) [[unlikely]] {
    d = decided(VerdictReason::oversize);
  } else if (v.l3 == L3::none) {
    d = decided(v.status == ParseStatus::ok ? VerdictReason::non_ip : VerdictReason::malformed);
  } else {
    d = side == PortSide::outside ? judge_outside(w, cfg, frame, len, v, k)
                                  : judge_inside(w, cfg, frame, len, v, k);
  }
  t.parse_status[unsigned(v.status)]++;
  t.reason_packets[unsigned(d.reason)]++;
  t.reason_bytes[unsigned(d.reason)] += *len;
  t.class_packets[unsigned(d.traffic_class)]++;
  t.class_bytes[unsigned(d.traffic_class)] += in_len;
  Action a = reason_action(d.reason);
  if (a != Action::forward && cfg.dry_run) {  // dry run: judged and counted, never acted on
    t.dry_run_forwarded++;
    a = Action::forward;
  }
  return {a, d.reason, d.traffic_class};
}

// The first two lines of a frame: L2-L4 headers, and the DNS header and question that the
// judge reads (past the first line behind an IPv6 header or a VLAN tag).
void prefetch_headers(const rte_mbuf* m) {
  const auto* p = rte_pktmbuf_mtod(m, const uint8_t*);
  rte_prefetch0(p);
  rte_prefetch0(p + RTE_CACHE_LINE_SIZE);
}

// Blocklists the burst's over-limit destinations (the recipe's --set: added, or refreshed).
void block_pending(WorkerContext& w, const DataplaneConfig& cfg) {
  for (uint16_t i = 0; i < w.n_pending_blocks; ++i) {
    const WorkerContext::PendingBlock& b = w.pending_blocks[i];
    if (w.shared->blocklist.block(b.key, w.now_ns + cfg.block_timeout_ns, w.now_ns,
                                  w.counters->tables) == Blocklist::Result::added)
      emit_block_event(w, b.key.key, b.ip_total_len);
  }
  w.n_pending_blocks = 0;
}

void start_burst(WorkerContext& w, const DataplaneConfig& cfg, uint64_t now_ns) {
  w.now_ns = now_ns;
  w.limit_clock = limit_clock(cfg.limit, now_ns);  // a division in packets mode: once per burst
  if (cfg.cookies.count != 0) w.unix_s = w.shared->unix_seconds(now_ns);
}

}  // namespace

Judgement judge_frame(WorkerContext& w, const DataplaneConfig& cfg, PortSide side, uint8_t* frame,
                      uint32_t* len, uint64_t now_ns) {
  start_burst(w, cfg, now_ns);
  PacketView v;
  parse_frame(frame, *len, v);
  PacketKeys k;
  BurstTally t;
  const Judgement j = judge_parsed(w, cfg, side, frame, len, v, k, t, *len);
  block_pending(w, cfg);
  t.flush(*w.counters, w.counters->port[unsigned(side)]);
  return j;
}

void process_burst(WorkerContext& w, const DataplaneConfig& cfg, PortSide side,
                   rte_mbuf* const* pkts, uint16_t n, uint64_t now_ns, BurstOut& out) {
  start_burst(w, cfg, now_ns);
  PortCounters& pc = w.counters->port[unsigned(side)];
  PacketView* views = w.views;
  PacketKeys* keys = w.keys;
  // Stage 1: parse every frame (the next ones' headers prefetched) and prefetch table lines.
  for (uint16_t i = 0; i < n && i < 4; ++i) prefetch_headers(pkts[i]);
  for (uint16_t i = 0; i < n; ++i) {
    if (i + 4 < n) prefetch_headers(pkts[i + 4]);
    parse_frame(rte_pktmbuf_mtod(pkts[i], const uint8_t*), rte_pktmbuf_data_len(pkts[i]), views[i]);
    prefetch_tables(w, cfg, side, views[i], keys[i]);
  }
  // Stage 2: judge and sort into forward / reply / drop.
  BurstTally t;
  uint64_t rx_bytes = 0;
  // Drop sampling: one relaxed load per burst; zero (the usual case) skips it per frame.
  const uint64_t capture = w.shared->capture.armed();
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = pkts[i];
    const uint32_t in_len = rte_pktmbuf_data_len(m);
    uint32_t len = in_len;
    rx_bytes += rte_pktmbuf_pkt_len(m);
    const uint32_t wire_len = m->nb_segs == 1 ? in_len : UINT32_MAX;
    const Judgement j = judge_parsed(w, cfg, side, rte_pktmbuf_mtod(m, uint8_t*), &len, views[i],
                                     keys[i], t, wire_len);
    if (len != in_len) rte_pktmbuf_trim(m, uint16_t(in_len - len));
    if (capture != 0) [[unlikely]]
      w.shared->capture.offer(capture, m, j.reason, side, now_ns);
    switch (j.action) {
      case Action::forward:
        out.to_other[out.n_other++] = m;
        break;
      case Action::reply:
        out.to_same[out.n_same++] = m;
        break;
      case Action::drop:
        out.drop[out.n_drop++] = m;
        break;
    }
  }
  block_pending(w, cfg);
  out.rx_bytes = rx_bytes;
  t.flush(*w.counters, pc);
}

}  // namespace ampguard
