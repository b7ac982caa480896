// Limiter arithmetic against the kernel numbers in docs/kernel-semantics.md, with a controlled
// clock.
#include "dataplane/rate_limit.hpp"

#include <gtest/gtest.h>

#include "dataplane/time_units.hpp"

namespace ampguard {
namespace {

constexpr uint64_t kStart = 1000 * kSecond;  // any time: only differences matter

LimitProfile profile(const LimitParams& params) {
  LimitProfile p;
  EXPECT_EQ(make_limit_profile(params, p), "");
  return p;
}

LimitProfile recipe_profile(uint32_t hz = 250) {
  LimitParams params;  // the recipe: 50/min, burst 10 (what "50kb/min" parses to)
  params.hz = hz;
  return profile(params);
}

// Sends n back-to-back packets at now_ns; returns how many pass.
int send(const LimitProfile& p, uint64_t& state, int n, uint32_t bytes, uint64_t now_ns) {
  int passed = 0;
  for (int i = 0; i < n; ++i)
    passed += limit_charge(p, state, limit_cost(p, bytes), limit_clock(p, now_ns));
  return passed;
}

TEST(RateLimit, KernelConstantsAtHz250) {
  const LimitProfile p = recipe_profile();
  EXPECT_EQ(p.mode, LimitMode::packets);
  EXPECT_EQ(p.credits_per_jiffy, uint64_t(1) << 39);
  EXPECT_EQ(p.ns_per_jiffy, 4000000u);
  // user2credits(x) = x * floor(250 * 2^39 / 10^6) = x * 137438953
  EXPECT_EQ(p.cost, 1200000ull * 137438953ull);
  EXPECT_EQ(p.cost, 164926743600000ull);
  EXPECT_EQ(p.cap, 12000000ull * 137438953ull);
  EXPECT_EQ(p.cap, 1649267436000000ull);
  EXPECT_EQ(p.refill_ns, 12000000000ull);  // 3000 jiffies: ceil(cap / CPJ)
}

TEST(RateLimit, KernelConstantsAtHz1000) {
  const LimitProfile p = recipe_profile(1000);
  EXPECT_EQ(p.credits_per_jiffy, uint64_t(1) << 37);
  EXPECT_EQ(p.cost, 1200000ull * 137438953ull);  // floor(1000 * 2^37 / 10^6) is the same
}

void expect_reference_sequence(const LimitProfile& p, uint32_t bytes) {
  uint64_t state = limit_fresh_state(p, limit_clock(p, kStart));
  EXPECT_EQ(send(p, state, 30, bytes, kStart), 10);
  EXPECT_EQ(send(p, state, 30, bytes, kStart + 5 * kSecond), 4);
  EXPECT_EQ(send(p, state, 30, bytes, kStart + 15 * kSecond), 8);
}

TEST(RateLimit, PacketsModeMatchesMeasuredKernel) {
  for (uint32_t bytes : {700u, 1000u, 1400u}) expect_reference_sequence(recipe_profile(), bytes);
  expect_reference_sequence(recipe_profile(1000), 1000);  // HZ cancels out
  expect_reference_sequence(recipe_profile(100), 1000);
}

TEST(RateLimit, PacketsModeCostIgnoresSize) {
  const LimitProfile p = recipe_profile();
  EXPECT_EQ(limit_cost(p, 1400), limit_cost(p, 700));
  EXPECT_EQ(limit_cost(p, 699), p.cost);
}

TEST(RateLimit, OneMorePacketEvery1200ms) {
  const LimitProfile p = recipe_profile();
  uint64_t state = limit_fresh_state(p, limit_clock(p, kStart));
  EXPECT_EQ(send(p, state, 11, 700, kStart), 10);
  EXPECT_EQ(send(p, state, 1, 700, kStart + 1196 * kSecond / 1000), 0);  // 299 jiffies
  EXPECT_EQ(send(p, state, 2, 700, kStart + 1200 * kSecond / 1000), 1);  // 300 jiffies
}

TEST(RateLimit, BytesModeHandComputed) {
  LimitParams params;
  params.mode = LimitMode::bytes;
  params.rate = 51200;  // 50 kB per minute: a byte every 1.171875 ms
  params.period_s = 60;
  params.burst = 10240;
  const LimitProfile p = profile(params);
  EXPECT_EQ(p.cost_per_byte, 300000000u);  // 1171875 ns * 256
  EXPECT_EQ(p.cap, 10240ull * 300000000ull);
  EXPECT_EQ(p.refill_ns, 12 * kSecond);

  uint64_t state = limit_fresh_state(p, limit_clock(p, kStart));
  EXPECT_EQ(send(p, state, 10, 1000, kStart), 10);  // 10000 of 10240 bytes
  EXPECT_EQ(send(p, state, 1, 1000, kStart), 0);
  EXPECT_EQ(limit_credit(p, state, limit_clock(p, kStart)), 240 * p.cost_per_byte);
  EXPECT_EQ(send(p, state, 1, 241, kStart), 0);
  EXPECT_EQ(send(p, state, 1, 240, kStart), 1);  // exactly the credit left
  EXPECT_EQ(send(p, state, 1, 1, kStart), 0);
  // 1.2 s refills 1.2e9 * 256 / 3e8 = 1024 bytes
  EXPECT_EQ(send(p, state, 1, 1025, kStart + 1200 * kSecond / 1000), 0);
  EXPECT_EQ(send(p, state, 1, 1024, kStart + 1200 * kSecond / 1000), 1);
  EXPECT_EQ(send(p, state, 1, 1, kStart + 1200 * kSecond / 1000), 0);
  // a full refill takes 12 s and never exceeds the burst
  EXPECT_EQ(send(p, state, 1, 10241, kStart + 100 * kSecond), 0);
  EXPECT_EQ(send(p, state, 1, 10240, kStart + 100 * kSecond), 1);
}

TEST(RateLimit, BytesModeLargePacketCostsMore) {
  LimitParams params;
  params.mode = LimitMode::bytes;
  params.rate = 51200;
  params.burst = 10240;
  const LimitProfile p = profile(params);
  EXPECT_EQ(limit_cost(p, 1400), 2 * limit_cost(p, 700));
}

TEST(RateLimit, ClockBehindTheWriterReadsAsNoCredit) {
  const LimitProfile p = recipe_profile();
  uint64_t state = limit_fresh_state(p, limit_clock(p, kStart));
  EXPECT_EQ(send(p, state, 10, 700, kStart + kSecond), 10);  // written one second ahead
  EXPECT_EQ(limit_credit(p, state, limit_clock(p, kStart)), 0u);
  EXPECT_EQ(send(p, state, 1, 700, kStart), 0);
}

std::string error_of(LimitParams params) {
  LimitProfile p;
  p.cost = 42;
  std::string error = make_limit_profile(params, p);
  if (!error.empty()) {
    EXPECT_EQ(p.cost, 42u) << "a rejected profile must leave out untouched";
  }
  return error;
}

TEST(RateLimit, RejectsUnusableParameters) {
  LimitParams ok;
  EXPECT_EQ(error_of(ok), "");
  LimitParams bad = ok;
  bad.rate = 0;
  EXPECT_NE(error_of(bad), "");
  bad = ok;
  bad.period_s = 0;
  EXPECT_NE(error_of(bad), "");
  bad = ok;
  bad.burst = 0;
  EXPECT_NE(error_of(bad), "");
  bad = ok;
  bad.hz = 0;
  EXPECT_NE(error_of(bad), "");
  bad = ok;
  bad.rate = 1000001;  // avg = 0 microseconds: iptables' "Rate too fast"
  bad.period_s = 1;
  EXPECT_NE(error_of(bad).find("too fast"), std::string::npos);
  bad = ok;
  bad.burst = uint64_t(1) << 40;  // avg * burst * 137438953 wraps: the kernel's -ERANGE
  EXPECT_NE(error_of(bad).find("overflow"), std::string::npos);
  bad = ok;
  bad.rate = 1;
  bad.period_s = 86400;
  bad.burst = 2;  // two days of credit: wraps the clock arithmetic
  EXPECT_NE(error_of(bad).find("overflow"), std::string::npos);
  bad.burst = 1;  // one day fits, as in the kernel
  EXPECT_EQ(error_of(bad), "");

  LimitParams bytes = ok;
  bytes.mode = LimitMode::bytes;
  bytes.rate = 51200;
  bytes.burst = 10240;
  EXPECT_EQ(error_of(bytes), "");
  bad = bytes;
  bad.burst = uint64_t(1) << 40;
  EXPECT_NE(error_of(bad).find("overflow"), std::string::npos);
  bad = bytes;
  bad.rate = 257000000000;  // more than 256 bytes per ns
  bad.period_s = 1;
  EXPECT_NE(error_of(bad).find("too fast"), std::string::npos);
}

}  // namespace
}  // namespace ampguard
