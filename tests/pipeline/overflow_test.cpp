// Beyond capacity (issue 13): with the pressure budget (the default) destinations the full
// limiter table cannot place share the budget (response_pressure_budget, over_pressure_budget)
// and the destinations it holds are never evicted for them; without one (limit.pressure-rate =
// off) it forgets its least valuable entry and the debt sketch keeps what that one owed.
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
  // pressure_burst 0: no pressure budget (limit.pressure-rate = off)
  explicit Tiny(uint64_t pressure_burst) : shared_(sizes(), 1) {
    std::string err;
    cfg_.allow = PrefixSet::build({}, err);
    cfg_.deny = PrefixSet::build({}, err);
    EXPECT_EQ(make_limit_profile(LimitParams{}, cfg_.limit), "");
    LimitParams pressure;  // 1/min: no refill within a test
    pressure.rate = 1;
    pressure.burst = pressure_burst;
    if (pressure_burst != 0) {
      EXPECT_EQ(make_pressure_profile(pressure, cfg_.pressure), "");
    }
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

TEST(Overflow, WithoutABudgetAnEvictedDebtorComesBackInDebtNotWithAFullBurst) {
  Tiny t(0);
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
  // new destinations cannot be placed: 3 fit the budget, the rest are dropped
  for (uint32_t i = 0; i < 3; ++i)
    EXPECT_EQ(t.respond(kBase + 100 + i), VerdictReason::response_pressure_budget) << i;
  for (uint32_t i = 3; i < 20; ++i)
    EXPECT_EQ(t.respond(kBase + 100 + i), VerdictReason::over_pressure_budget) << i;
  EXPECT_EQ(t.evictions(), 0u) << "overflow does not churn the table";
  for (uint32_t i = 0; i < 20; ++i) EXPECT_FALSE(t.holds(kBase + 100 + i)) << i;
  // a destination the table holds never touches the budget
  EXPECT_EQ(t.respond(kBase), VerdictReason::response_within_limit);
}

// The attack: a flood of new destinations against a full table, paid for by the budget's burst,
// used to push out the clients the table holds (each would then have to win the spent budget
// back). None is evicted; each is still judged by its own limit.
TEST(Overflow, AFloodPaidByTheBudgetEvictsNoHeldClient) {
  Tiny t(100);
  for (uint32_t i = 0; i < 8; ++i)
    ASSERT_EQ(t.respond(kBase + i), VerdictReason::response_within_limit);
  uint32_t passed = 0;
  for (uint32_t i = 0; i < 1000; ++i)
    passed += t.respond(kBase + 1000 + i) == VerdictReason::response_pressure_budget;
  EXPECT_EQ(passed, 100u) << "the budget's burst, no more";
  EXPECT_EQ(t.evictions(), 0u);
  for (uint32_t i = 0; i < 8; ++i) {
    EXPECT_TRUE(t.holds(kBase + i)) << i;
    // 9 more within the burst of 10, then over its own limit
    for (int n = 0; n < 9; ++n) EXPECT_EQ(t.respond(kBase + i), VerdictReason::response_within_limit);
    EXPECT_EQ(t.respond(kBase + i), VerdictReason::over_limit);
  }
}

}  // namespace
}  // namespace ampguard
