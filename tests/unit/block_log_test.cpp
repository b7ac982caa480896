// Block and unblock lines: their text, the per-address suppression, the overall rate limit,
// unblocks found by comparing with the blocklist, and blocks whose event the ring dropped.
#include "control/block_log.hpp"

#include <gtest/gtest.h>

#include "control/units.hpp"

namespace ampguard {
namespace {

constexpr uint64_t kStart = 1000 * kSecond;
const FlowKey kA = flow_key_v4(0xcb007142, 32);  // 203.0.113.66
const FlowKey kB = flow_key_v4(0xc0000207, 32);  // 192.0.2.7

struct Fixture {
  BlockLog log;
  std::vector<std::string> lines;
  explicit Fixture(BlockLog::Limits limits = {}) {
    limits.line_prefix = "DNS-amplification protection:";
    log.configure(limits);
    log.set_sink([this](const std::string& l) { lines.push_back(l); });
  }
};

TEST(BlockLog, LinesSayWhatWhyAndHowLong) {
  Fixture f;
  f.log.on_event({kA, 1400, 3, {}}, 600 * kSecond, kStart);
  f.log.on_control_block(kB, "manual", 300 * kSecond, kStart);
  f.log.on_control_unblock(kB, "removed by ampguardctl", kStart + 42 * kSecond);
  EXPECT_EQ(f.lines, (std::vector<std::string>{
                         "DNS-amplification protection: blocked 203.0.113.66 for 600s: "
                         "1400-byte response over its limit (reason over-limit, worker 3, "
                         "blocks 1)",
                         "DNS-amplification protection: blocked 192.0.2.7 for 300s: reason "
                         "manual (blocks 1)",
                         "DNS-amplification protection: unblocked 192.0.2.7: removed by "
                         "ampguardctl after 42s (reason manual, blocks 1)"}));
  EXPECT_EQ(f.log.reason(kA), "over-limit");
  EXPECT_EQ(f.log.reason(kB), "over-limit");  // unblocked: no longer tracked as manual
  EXPECT_EQ(f.log.lines_written(), 3u);
}

TEST(BlockLog, RepeatsForOneAddressAreSuppressedThenCounted) {
  Fixture f({.max_per_second = 100, .address_interval_ns = 60 * kSecond});
  for (int i = 0; i < 4; ++i) f.log.on_event({kA, 800, 0, {}}, 600 * kSecond, kStart + i * kSecond);
  EXPECT_EQ(f.lines.size(), 1u);
  EXPECT_EQ(f.log.lines_suppressed(), 3u);
  f.log.on_event({kA, 800, 0, {}}, 600 * kSecond, kStart + 61 * kSecond);
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_NE(f.lines[1].find("blocks 5) [3 similar lines suppressed]"), std::string::npos)
      << f.lines[1];
}

TEST(BlockLog, LinesOverTheRateAreDropped) {
  Fixture f({.max_per_second = 2, .address_interval_ns = 60 * kSecond});
  for (uint32_t i = 0; i < 5; ++i)
    f.log.on_control_block(flow_key_v4(0xc0000200 + i, 32), "manual", kSecond, kStart);
  EXPECT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.log.lines_dropped(), 3u);
  // a new second, a new allowance
  f.log.on_control_block(flow_key_v4(0xc0000210, 32), "manual", kSecond, kStart + kSecond);
  EXPECT_EQ(f.lines.size(), 3u);
}

TEST(BlockLog, ReconcileFindsExpiriesAndDroppedEvents) {
  Fixture f;
  Blocklist bl(64);
  TableCounters c;
  bl.block(kA, kStart + 10 * kSecond, kStart, c);
  f.log.on_event({kA, 900, 0, {}}, 10 * kSecond, kStart);
  // a worker blocked kB but the ring was full: the first scan waits (its event may be on the
  // way), the second logs it
  bl.block(kB, kStart + 600 * kSecond, kStart, c);
  f.log.reconcile(bl, kStart + kSecond);
  EXPECT_EQ(f.lines.size(), 1u);
  f.log.reconcile(bl, kStart + 2 * kSecond);
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[1],
            "DNS-amplification protection: blocked 192.0.2.7: reason over-limit (found in the "
            "blocklist: its event was dropped, blocks 1)");
  f.log.reconcile(bl, kStart + 11 * kSecond);  // kA's block ran out
  ASSERT_EQ(f.lines.size(), 3u);
  EXPECT_EQ(f.lines[2],
            "DNS-amplification protection: unblocked 203.0.113.66: expired after 11s (reason "
            "over-limit, blocks 1)");
}

// log.prefix: what the operator's log rules match on; empty leaves the line bare.
TEST(BlockLog, LinesStartWithTheConfiguredPrefix) {
  Fixture f;
  BlockLog::Limits l;
  l.line_prefix = "ampguard[dns]:";
  f.log.configure(l);
  f.log.on_control_block(kB, "manual", kSecond, kStart);
  l.line_prefix = "";
  f.log.configure(l);
  f.log.on_control_unblock(kB, "removed", kStart + kSecond);
  EXPECT_EQ(f.lines, (std::vector<std::string>{
                         "ampguard[dns]: blocked 192.0.2.7 for 1s: reason manual (blocks 1)",
                         "unblocked 192.0.2.7: removed after 1s (reason manual, blocks 1)"}));
}

TEST(BlockLog, RestoredKeysAreTrackedWithoutALine) {
  Fixture f;
  f.log.remember(kB, "manual", kStart);
  EXPECT_TRUE(f.lines.empty());
  EXPECT_EQ(f.log.reason(kB), "manual");
}

}  // namespace
}  // namespace ampguard
