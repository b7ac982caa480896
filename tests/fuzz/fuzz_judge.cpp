// libFuzzer target: the whole per-packet decision, judge_frame(), on shared state with small
// tables, so that inserts, evictions, blocks and fragment verdicts all happen within a run.
//
// Input: byte 0 picks the port side and a config variant (below), byte 1 advances the clock,
// the rest is the frame, copied into a buffer of exactly its length. State persists across
// inputs, as it does across packets. Checked on every frame:
// - the action is the reason's action (forward under dry run), one reason and one parse
//   status counted;
// - a frame never grows; a forwarded frame that was not rewritten is byte-identical;
// - a rewrite happens only as a TC reply or a truncated response (which may then be over its
//   limit and dropped), and the result verifies
//   (checksums, re-parse as DNS); dry run never rewrites;
// - a frame whose headers do not parse is forwarded unless its source is deny- or blocklisted.
#include <rte_eal.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/pipeline.hpp"
#include "fuzz/fuzz_checks.hpp"

using namespace ampguard;
using fuzz::check;

namespace {

// Config variants, one per value of byte 0's bits 1-7:
//   bit 1 dry run, bits 2-3 any.action (tc, drop, pass, tc; the second tc also sets
//   block.query-action and limit.over-action to tc, slips 1 and 2), bit 4 truncate.above 200,
//   bit 5 limit.min-size 0 and cookies.nocookie-udp-size 128, bit 6 bytes mode, bit 7 prefixes
//   /24 and /48 with allow and deny sets. Every variant checks server cookies (RFC 9018 A.1's
//   secret).
constexpr unsigned kVariants = 128;

struct Fixture {
  std::unique_ptr<SharedState> shared;
  WorkerCounters counters;
  WorkerContext worker;
  DataplaneConfig configs[kVariants];
  uint64_t now_ns = 1'000'000'000;
};

Fixture* fixture = nullptr;

std::shared_ptr<const PrefixSet> prefix_set(const std::vector<std::string>& prefixes) {
  std::string err;
  std::shared_ptr<const PrefixSet> set = PrefixSet::build(prefixes, err);
  if (set == nullptr) {
    std::fprintf(stderr, "prefix set: %s\n", err.c_str());
    std::abort();
  }
  return set;
}

DataplaneConfig make_config(unsigned variant, const std::shared_ptr<const PrefixSet>& empty,
                            const std::shared_ptr<const PrefixSet>& allow,
                            const std::shared_ptr<const PrefixSet>& deny) {
  DataplaneConfig c;
  c.generation = variant;
  c.dry_run = (variant & 1) != 0;
  constexpr AnyAction kAny[4] = {AnyAction::tc, AnyAction::drop, AnyAction::pass, AnyAction::tc};
  c.any_action = kAny[(variant >> 1) & 3];
  if (((variant >> 1) & 3) == 3) {
    c.query_action = LimitedAction::tc;
    c.block_slip = 1;
    c.over_action = LimitedAction::tc;
    c.limit_slip = 2;
  }
  c.truncate_above = (variant & 8) != 0 ? 200 : 0;
  if ((variant & 16) != 0) c.min_size = 0, c.nocookie_udp_size = 128;
  constexpr uint8_t kSecret[16] = {0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2, 0xa4, 0x3f,
                                   0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf};
  std::memcpy(c.cookies.key[0], kSecret, sizeof kSecret);
  c.cookies.count = 1;
  LimitParams params;
  if ((variant & 32) != 0) {
    params.mode = LimitMode::bytes;
    params.rate = 50'000;
    params.burst = 10'000;
  }
  if (!make_limit_profile(params, c.limit).empty()) std::abort();
  const bool prefixes = (variant & 64) != 0;
  c.prefix_v4 = prefixes ? 24 : 32;
  c.prefix_v6 = prefixes ? 48 : 64;
  c.allow = prefixes ? allow : empty;
  c.deny = prefixes ? deny : empty;
  return c;
}

bool is_rewrite_reason(VerdictReason r) {
  return r == VerdictReason::any_tc_reply || r == VerdictReason::response_truncated ||
         r == VerdictReason::blocklisted_tc_reply || r == VerdictReason::over_limit_tc ||
         r == VerdictReason::response_nocookie_tc;
}

// Reasons of a frame from a blocklisted source, judged by what could be read of it.
bool is_blocklisted_reason(VerdictReason r) {
  return r == VerdictReason::blocklisted_source ||
         r == VerdictReason::blocklisted_source_upstream ||
         r == VerdictReason::blocklisted_fragment_unmatched ||
         r == VerdictReason::blocklisted_source_unreadable;
}

uint64_t sum(const SingleWriterCounter* c, unsigned n) {
  uint64_t s = 0;
  for (unsigned i = 0; i < n; ++i) s += c[i].get();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // One EAL per process; 4 KiB pages, no PCI, no shared files, no telemetry socket. 512 MiB:
  // the allow and deny sets' rte_lpm and rte_lpm6 tables take 64 MiB each.
  const char* eal[] = {"fuzz_judge", "--no-huge", "--no-shconf", "--no-pci", "--no-telemetry",
                       "-l",         "0",         "-m",          "512",      "--log-level",
                       "*:error"};
  if (rte_eal_init(int(std::size(eal)), const_cast<char**>(eal)) < 0) {
    std::fprintf(stderr, "rte_eal_init failed\n");
    std::abort();
  }
  fixture = new Fixture;
  // Small tables: a few hundred inputs fill them, so eviction paths run constantly.
  TableSizes sizes;
  sizes.limiter_entries = 32;
  sizes.block_entries = 32;
  sizes.fragment_entries = 32;
  sizes.proven_entries = 32;
  sizes.event_ring = 64;
  fixture->shared = std::make_unique<SharedState>(sizes, 1);
  fixture->worker.shared = fixture->shared.get();
  fixture->worker.counters = &fixture->counters;
  const auto empty = prefix_set({});
  const auto allow = prefix_set({"198.18.0.0/15", "2001:db8:1::/48"});
  const auto deny = prefix_set({"198.51.100.0/24", "2001:db8:bad::/48"});
  for (unsigned i = 0; i < kVariants; ++i) fixture->configs[i] = make_config(i, empty, allow, deny);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 0xffff + 2) return 0;
  Fixture& fx = *fixture;
  const PortSide side = (data[0] & 1) != 0 ? PortSide::outside : PortSide::inside;
  const DataplaneConfig& cfg = fx.configs[data[0] >> 1];
  // Up to ~65 s per step: refill, idle expiry, block expiry and fragment timeouts all happen.
  fx.now_ns += 1'000 + uint64_t(data[1]) * data[1] * 1'000'000;
  std::vector<uint8_t> frame(data + 2, data + size);
  const std::vector<uint8_t> before = frame;
  const uint32_t len = uint32_t(frame.size());
  const ParseStatus l4_status = parse_frame(before.data(), len).status;

  const uint64_t reasons = sum(fx.counters.reason_packets, kVerdictReasonCount);
  const uint64_t statuses = sum(fx.counters.parse_status, unsigned(ParseStatus::count));
  uint32_t out_len = len;
  const Judgement j = judge_frame(fx.worker, cfg, side, frame.data(), &out_len, fx.now_ns);

  check(sum(fx.counters.reason_packets, kVerdictReasonCount) == reasons + 1, "one reason counted");
  check(sum(fx.counters.parse_status, unsigned(ParseStatus::count)) == statuses + 1,
        "one parse status counted");
  check(j.action == (cfg.dry_run ? Action::forward : reason_action(j.reason)),
        "the action is the reason's");
  check(out_len <= len, "a frame never grows");
  const bool rewritten = out_len != len || frame != before;
  if (rewritten) {
    check(!cfg.dry_run, "dry run never rewrites");
    // A truncated response may still be over its limit: then the shorter frame is dropped.
    check(is_rewrite_reason(j.reason) || j.reason == VerdictReason::over_limit,
          "only a TC reply or a truncation rewrites");
    fuzz::check_rewritten(frame.data(), out_len);
  } else {
    check(j.reason != VerdictReason::response_truncated, "a truncation rewrites");
    check(j.reason != VerdictReason::response_nocookie_tc || cfg.dry_run,
          "a nocookie truncation rewrites");
    check(!is_rewrite_reason(j.reason) || j.reason == VerdictReason::response_truncated ||
              cfg.dry_run,
          "a TC reply rewrites");
  }
  if (j.action == Action::forward && !is_rewrite_reason(j.reason))
    check(!rewritten, "a forwarded frame is byte-identical");
  if (l4_status != ParseStatus::ok) {
    // oversize: longer than ports.mtu allows, dropped before any header is read
    check(
        j.reason == VerdictReason::malformed || is_blocklisted_reason(j.reason) ||
            j.reason == VerdictReason::denylisted_source || j.reason == VerdictReason::oversize,
        "a frame that does not parse is malformed unless its source is blocked or it is too long");
  }
  // The control thread's share of the work: bounded expiry steps and draining block events.
  fx.shared->expire_step(cfg, fx.now_ns, fx.counters.tables);
  check(fx.shared->limiter.size() <= fx.shared->limiter.capacity(), "limiter within capacity");
  if ((data[1] & 7) == 0) rte_ring_reset(fx.shared->events);
  return 0;
}
