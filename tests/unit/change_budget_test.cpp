// fleet.max-changes: a second's worth at once, then the rate, never more.
#include "fleet/change_budget.hpp"

#include <gtest/gtest.h>

namespace ampguard::fleet {
namespace {

TEST(ChangeBudget, ASecondsWorthThenTheRate) {
  ChangeBudget b(5, 1000);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.take(1000)) << i;
  EXPECT_FALSE(b.take(1000));
  EXPECT_FALSE(b.take(1199));  // 0.995 of a change earned
  EXPECT_TRUE(b.take(1200));
  EXPECT_FALSE(b.take(1200));
  // Idle for a minute: still only a second's worth.
  int n = 0;
  while (b.take(61'200)) ++n;
  EXPECT_EQ(n, 5);
}

TEST(ChangeBudget, TenThousandChangesTakeTheirTime) {
  ChangeBudget b(50, 0);
  int sent = 0;
  for (uint64_t ms = 0; ms <= 10'000; ms += 10)
    while (b.take(ms)) ++sent;
  EXPECT_EQ(sent, 50 + 50 * 10);  // the bucket, then 50 a second for 10 s
}

}  // namespace
}  // namespace ampguard::fleet
