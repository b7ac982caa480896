// Aggregate limits (issue 13): large responses are also charged to the destination's covering
// prefixes. The attack they answer: more victims than any table holds, spread over the addresses
// of one prefix, each within its own limit. Without aggregates all of it passes.
#include <gtest/gtest.h>

#include "control/settings.hpp"
#include "dataplane/pipeline.hpp"
#include "support/dns_frames.hpp"

namespace ampguard {
namespace {

using test::Bytes;

constexpr uint64_t kStart = 1'000'000'000'000;

class Aggregates {
 public:
  // options: command-line style settings on top of the defaults
  explicit Aggregates(const std::vector<std::string>& options) : shared_(TableSizes{}, 1) {
    Settings s;
    EXPECT_EQ(load_settings("", options, s), "");
    EXPECT_EQ(build_dataplane_config(s, cfg_), "");
    w_.shared = &shared_;
    w_.counters = &counters_;
  }

  VerdictReason respond(std::array<uint8_t, 4> dst) {
    Bytes frame = test::response_v4(dst, 1200);
    return judge(frame);
  }
  VerdictReason respond6(std::array<uint8_t, 16> dst) {
    Bytes frame = test::response_v6(dst, 1200);
    return judge(frame);
  }
  SharedState& shared() { return shared_; }
  // Whether level `level` of dst's covering prefixes is over its own limit (the fleet's view).
  bool over(std::array<uint8_t, 4> dst, unsigned level) {
    std::array<uint8_t, 16> addr{};
    std::copy(dst.begin(), dst.end(), addr.begin());
    const auto keys = shared_.aggregates.prefix_keys(cfg_.aggregates, L3::ipv4, addr);
    return shared_.aggregates.over_limit(cfg_.aggregates, L3::ipv4, level, keys,
                                         pressure_units(cfg_.limit.mode, cfg_.min_size), kStart);
  }

 private:
  VerdictReason judge(Bytes& frame) {
    uint32_t len = uint32_t(frame.size());
    return judge_frame(w_, cfg_, PortSide::inside, frame.data(), &len, kStart).reason;
  }
  SharedState shared_;
  DataplaneConfig cfg_;
  WorkerCounters counters_;
  WorkerContext w_;
};

std::array<uint8_t, 4> host(uint8_t third, uint8_t fourth) { return {10, 1, third, fourth}; }

// A /24 at 4x: a burst of 40 large answers for the whole prefix.
TEST(AggregateLimits, AnAttackSpreadOverAPrefixIsLimitedAsAWhole) {
  {
    Aggregates off({});  // one SharedState at a time (its rings have fixed names)
    for (uint8_t i = 0; i < 100; ++i)
      ASSERT_EQ(off.respond(host(2, i)), VerdictReason::response_within_limit) << "no aggregates";
  }

  Aggregates on({"--limit.aggregate-v4=24:4"});
  for (uint8_t i = 0; i < 40; ++i)
    EXPECT_EQ(on.respond(host(2, i)), VerdictReason::response_within_limit);
  for (uint8_t i = 40; i < 100; ++i)
    EXPECT_EQ(on.respond(host(2, i)), VerdictReason::over_aggregate_limit) << int(i);
  EXPECT_EQ(on.shared().blocklist.size(kStart), 0u) << "a prefix (or its hosts) is never blocked";
  EXPECT_EQ(on.shared().limiter.size(), 40u) << "refused by its prefix: no limiter slot taken";
  EXPECT_EQ(on.respond(host(3, 1)), VerdictReason::response_within_limit) << "another /24";
}

// A destination over its own limit is dropped by the limiter; what it is refused costs its
// prefix nothing, so one heavy victim does not take its neighbours' share.
TEST(AggregateLimits, ResponsesOverTheirOwnLimitCostTheirPrefixNothing) {
  Aggregates on({"--limit.aggregate-v4=24:4"});
  for (int n = 0; n < 10; ++n)
    ASSERT_EQ(on.respond(host(2, 1)), VerdictReason::response_within_limit);
  for (int n = 0; n < 50; ++n) ASSERT_EQ(on.respond(host(2, 1)), VerdictReason::over_limit);
  for (uint8_t i = 2; i < 32; ++i)
    EXPECT_EQ(on.respond(host(2, i)), VerdictReason::response_within_limit);
  EXPECT_EQ(on.respond(host(2, 40)), VerdictReason::over_aggregate_limit);
}

// Two levels: each charged, the tighter one decides.
TEST(AggregateLimits, EveryLevelIsCharged) {
  Aggregates on({"--limit.aggregate-v4=24:4,16:6"});
  // 40 for the first /24, then the /16's 60 less those 40: 20 for a second /24
  for (uint8_t i = 0; i < 40; ++i)
    ASSERT_EQ(on.respond(host(2, i)), VerdictReason::response_within_limit);
  for (uint8_t i = 0; i < 20; ++i)
    EXPECT_EQ(on.respond(host(3, i)), VerdictReason::response_within_limit);
  EXPECT_EQ(on.respond(host(3, 20)), VerdictReason::over_aggregate_limit);
  EXPECT_EQ(on.respond({10, 2, 0, 1}), VerdictReason::response_within_limit) << "another /16";
}

// The fleet exports a covering prefix only while that prefix's own limit is over (issue 18):
// over_limit names the level that refused, not its neighbours.
TEST(AggregateLimits, OverLimitNamesThePrefixThatIsOver) {
  Aggregates on({"--limit.aggregate-v4=24:4,16:6"});
  EXPECT_FALSE(on.over(host(2, 0), 0));
  for (uint8_t i = 0; i < 40; ++i)
    ASSERT_EQ(on.respond(host(2, i)), VerdictReason::response_within_limit);
  EXPECT_TRUE(on.over(host(2, 0), 0)) << "10.1.2.0/24 spent its 40";
  EXPECT_TRUE(on.over(host(2, 200), 0)) << "any address of that /24";
  EXPECT_FALSE(on.over(host(2, 0), 1)) << "10.1.0.0/16 has 20 left";
  EXPECT_FALSE(on.over(host(3, 0), 0)) << "another /24";
  for (uint8_t i = 0; i < 20; ++i)
    ASSERT_EQ(on.respond(host(3, i)), VerdictReason::response_within_limit);
  EXPECT_TRUE(on.over(host(3, 0), 1)) << "now the /16 is over";
  EXPECT_FALSE(on.over(host(3, 0), 0)) << "10.1.3.0/24 itself still has credit";
}

TEST(AggregateLimits, IPv6PrefixesToo) {
  Aggregates on({"--limit.aggregate-v6=48:2"});
  // 20 /64s of 2001:db8:1::/48 (the fourth group)
  const auto in48 = [](uint8_t net) {
    return std::array<uint8_t, 16>{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, net, 0, 0, 0, 0, 0, 0, 0, 1};
  };
  for (uint8_t i = 0; i < 20; ++i)
    EXPECT_EQ(on.respond6(in48(i)), VerdictReason::response_within_limit) << int(i);
  EXPECT_EQ(on.respond6(in48(20)), VerdictReason::over_aggregate_limit);
  EXPECT_EQ(on.respond6(test::v6_addr(2, 1)), VerdictReason::response_within_limit)
      << "another /48";
  EXPECT_EQ(on.respond(host(2, 1)), VerdictReason::response_within_limit) << "IPv4 has none";
}

// With limit.over-action = tc, an over-aggregate answer slips truncated like an over-limit one:
// a real client inside an attacked prefix retries over TCP.
TEST(AggregateLimits, OverActionTcSlipsTruncatedAnswers) {
  Aggregates on({"--limit.aggregate-v4=24:1", "--limit.over-action=tc", "--limit.slip=2"});
  for (uint8_t i = 0; i < 10; ++i)
    ASSERT_EQ(on.respond(host(2, i)), VerdictReason::response_within_limit);
  EXPECT_EQ(on.respond(host(2, 10)), VerdictReason::over_aggregate_limit);
  EXPECT_EQ(on.respond(host(2, 11)), VerdictReason::over_aggregate_tc);
}

}  // namespace
}  // namespace ampguard
