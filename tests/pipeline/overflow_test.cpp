// Beyond capacity (issue 13 part 1): a limiter table that must forget live destinations neither
// hands out fresh credit (the debt sketch) nor lets overflow through unbounded (the pressure
// budget, over_pressure_budget), and never touches the destinations it holds.
#include <gtest/gtest.h>

#include "dataplane/pipeline.hpp"
#include "support/dns_frames.hpp"

namespace ampguard {
namespace {

using test::Bytes;

constexpr PortSide kIn = PortSide::inside;
constexpr size_t kIpDst = 14 + 16;
constexpr uint64_t kStart = 1'000'000'000'000;

void put_v4(Bytes& frame, uint32_t addr) {
  for (int i = 0; i < 4; ++i) frame[kIpDst + i] = uint8_t(addr >> (24 - 8 * i));
}

// A limiter of 4 entries (8 slots, one window: every key competes for the same slots).
class Tiny {
 public:
  explicit Tiny(uint64_t pressure_burst) : shared_(sizes(), 1) {
    std::string err;
    cfg_.allow = PrefixSet::build({}, err);
    cfg_.deny = PrefixSet::build({}, err);
    EXPECT_EQ(make_limit_profile(LimitParams{}, cfg_.limit), "");
    LimitParams pressure;  // 1/min: no refill within a test
    pressure.rate = 1;
    pressure.burst = pressure_burst;
    EXPECT_EQ(make_pressure_profile(pressure, cfg_.pressure), "");
    w_.shared = &shared_;
    w_.counters = &counters_;
  }

  VerdictReason respond(uint32_t addr) {
    put_v4(response_, addr);
    uint32_t len = uint32_t(response_.size());
    return judge_frame(w_, cfg_, kIn, response_.data(), &len, kStart).reason;
  }
  uint64_t evictions() const { return counters_.tables.limiter_evictions.get(); }
  uint64_t sketch_debts() const { return counters_.tables.limiter_sketch_debts.get(); }
  bool holds(uint32_t addr) const {
    return shared_.limiter.credit(flow_key_v4(addr, 32), cfg_.limit, kStart).has_value();
  }

 private:
  static TableSizes sizes() {
    TableSizes t;
    t.limiter_entries = 4;
    return t;
  }
  SharedState shared_;
  DataplaneConfig cfg_;
  WorkerCounters counters_;
  WorkerContext w_;
  Bytes response_ = test::response_v4(test::kVictimV4, 1200);
};

constexpr uint32_t kBase = 0x0a000001;

TEST(Overflow, AnEvictedDebtorComesBackInDebtNotWithAFullBurst) {
  Tiny t(1000);
  // 8 destinations fill the window, each spends its whole burst
  for (uint32_t i = 0; i < 8; ++i) {
    for (int n = 0; n < 10; ++n)
      ASSERT_EQ(t.respond(kBase + i), VerdictReason::response_within_limit);
    ASSERT_EQ(t.respond(kBase + i), VerdictReason::over_limit);
  }
  ASSERT_EQ(t.evictions(), 0u);
  EXPECT_EQ(t.respond(kBase + 100), VerdictReason::response_within_limit);  // evicts a debtor
  ASSERT_EQ(t.evictions(), 1u);
  uint32_t gone = 0;
  for (uint32_t i = 0; i < 8; ++i)
    if (!t.holds(kBase + i)) gone = kBase + i;
  ASSERT_NE(gone, 0u);
  EXPECT_EQ(t.respond(gone), VerdictReason::over_limit)
      << "forgotten in debt: the sketch keeps the debt, no fresh burst";
  EXPECT_EQ(t.sketch_debts(), 1u);
}

TEST(Overflow, DestinationsTheFullTableCannotPlaceShareThePressureBudget) {
  Tiny t(3);
  // 8 live destinations (one answer each: not idle with full credit) fill the window
  for (uint32_t i = 0; i < 8; ++i)
    ASSERT_EQ(t.respond(kBase + i), VerdictReason::response_within_limit);
  // each new destination now evicts a live entry: 3 fit the budget, the rest are dropped
  for (uint32_t i = 0; i < 3; ++i)
    EXPECT_EQ(t.respond(kBase + 100 + i), VerdictReason::response_within_limit) << i;
  for (uint32_t i = 3; i < 20; ++i)
    EXPECT_EQ(t.respond(kBase + 100 + i), VerdictReason::over_pressure_budget) << i;
  EXPECT_EQ(t.evictions(), 3u) << "over the budget, overflow does not churn the table either";
  // a destination the table holds never touches the budget
  uint32_t held = 0;
  for (uint32_t i = 0; i < 20 && held == 0; ++i)
    if (t.holds(kBase + 100 + i)) held = kBase + 100 + i;
  ASSERT_NE(held, 0u);
  EXPECT_EQ(t.respond(held), VerdictReason::response_within_limit);
}

}  // namespace
}  // namespace ampguard
