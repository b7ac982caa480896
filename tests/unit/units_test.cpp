// The option values that carry units: durations, sizes, rates, and the remaining-seconds
// rounding that listings and the state file share.
#include "control/units.hpp"

#include <gtest/gtest.h>

namespace ampguard {
namespace {

uint64_t duration(const std::string& text) {
  uint64_t ns = 0;
  EXPECT_EQ(parse_duration_ns(text, ns), "") << text;
  return ns;
}

std::string duration_error(const std::string& text) {
  uint64_t ns = 0;
  return parse_duration_ns(text, ns);
}

TEST(Units, Durations) {
  EXPECT_EQ(duration("600s"), 600 * kSecond);
  EXPECT_EQ(duration("7"), 7 * kSecond);  // a bare number is seconds
  EXPECT_EQ(duration("10m"), 600 * kSecond);
  EXPECT_EQ(duration("10min"), 600 * kSecond);
  EXPECT_EQ(duration("1h"), 3600 * kSecond);
  EXPECT_EQ(duration("2d"), 2 * 86400 * kSecond);
  EXPECT_EQ(duration("250ms"), kSecond / 4);
  EXPECT_EQ(duration("50us"), 50'000u);
  EXPECT_EQ(duration("0"), 0u);
  EXPECT_EQ(duration_error("soon"), "'soon' is not a duration (e.g. 600s, 10m)");
  EXPECT_EQ(duration_error("-5s"), "'-5s' is not a duration (e.g. 600s, 10m)");
  EXPECT_EQ(duration_error("5y"), "'5y': unknown duration unit 'y' (us, ms, s, m, h, d)");
  EXPECT_EQ(duration_error("5 s"), "'5 s': unknown duration unit ' s' (us, ms, s, m, h, d)");
  // overflow: of the number itself, and of the number times its unit
  EXPECT_EQ(duration_error("99999999999999999999"),
            "'99999999999999999999' is not a duration (e.g. 600s, 10m)");
  EXPECT_EQ(duration_error("300000000d"), "'300000000d' is too long");
}

TEST(Units, Sizes) {
  uint64_t b = 0;
  EXPECT_EQ(parse_size_bytes("700", b), "");
  EXPECT_EQ(b, 700u);
  EXPECT_EQ(parse_size_bytes("700B", b), "");
  EXPECT_EQ(b, 700u);
  EXPECT_EQ(parse_size_bytes("10kB", b), "");  // k = 1024, as iptables counts
  EXPECT_EQ(b, 10240u);
  EXPECT_EQ(parse_size_bytes("3KiB", b), "");
  EXPECT_EQ(b, 3072u);
  EXPECT_EQ(parse_size_bytes("1MB", b), "");
  EXPECT_EQ(b, 1048576u);
  EXPECT_EQ(parse_size_bytes("1GB", b), "'1GB': unknown size unit 'GB' (B, kB, MB)");
  EXPECT_EQ(parse_size_bytes("kB", b), "'kB' is not a size (e.g. 700, 10kB)");
  EXPECT_EQ(parse_size_bytes("18446744073709551615MB", b), "'18446744073709551615MB' is too large");
}

TEST(Units, RatesSayTheirMode) {
  LimitMode mode;
  uint64_t amount = 0, period = 0;
  EXPECT_EQ(parse_rate("50/min", mode, amount, period), "");
  EXPECT_EQ(mode, LimitMode::packets);
  EXPECT_EQ(amount, 50u);
  EXPECT_EQ(period, 60u);
  EXPECT_EQ(parse_rate("50kB/min", mode, amount, period), "");
  EXPECT_EQ(mode, LimitMode::bytes);
  EXPECT_EQ(amount, 51200u);
  EXPECT_EQ(period, 60u);
  EXPECT_EQ(parse_rate("1MB/s", mode, amount, period), "");
  EXPECT_EQ(amount, 1048576u);
  EXPECT_EQ(period, 1u);
  EXPECT_EQ(parse_rate("3000/hour", mode, amount, period), "");
  EXPECT_EQ(period, 3600u);
  EXPECT_EQ(parse_rate("1/day", mode, amount, period), "");
  EXPECT_EQ(period, 86400u);
  EXPECT_EQ(parse_rate("50", mode, amount, period),
            "'50' is not a rate (e.g. 50/min for packets, 50kB/min for bytes)");
  EXPECT_EQ(parse_rate("50/week", mode, amount, period),
            "'50/week': unknown period 'week' (s, min, hour, day)");
  EXPECT_EQ(parse_rate("0/min", mode, amount, period),
            "'0/min': the amount must be a positive number");
  EXPECT_EQ(parse_rate("5GB/s", mode, amount, period),
            "'5GB/s': '5GB': unknown size unit 'GB' (B, kB, MB)");
}

// Rounded up: a listed or saved entry never looks as if it expired before it does.
// Counts, ports and command arguments: digits only, within the bounds, or refused.
TEST(Units, BoundedNumbers) {
  uint64_t n = 0;
  EXPECT_TRUE(parse_uint("1", 1, 65535, n));
  EXPECT_EQ(n, 1u);
  EXPECT_TRUE(parse_uint("65535", 1, 65535, n));
  EXPECT_EQ(n, 65535u);
  EXPECT_TRUE(parse_uint("18446744073709551615", 0, UINT64_MAX, n));
  EXPECT_EQ(n, UINT64_MAX);
  for (const char* bad :
       {"", "0", "65536", "+5", "-1", " 5", "5 ", "5x", "0x10", "1e3", "18446744073709551616"})
    EXPECT_FALSE(parse_uint(bad, 1, 65535, n)) << bad;
  EXPECT_FALSE(parse_uint("18446744073709551616", 0, UINT64_MAX, n));
}

// Logs and replies say a duration in whole seconds, rounded to the nearest.
TEST(Units, SecondsTextRoundsToNearest) {
  EXPECT_EQ(seconds_text(600 * kSecond), "600s");
  EXPECT_EQ(seconds_text(kSecond + kSecond / 2), "2s");
  EXPECT_EQ(seconds_text(kSecond + kSecond / 2 - 1), "1s");
  EXPECT_EQ(seconds_text(0), "0s");
}

TEST(Units, RemainingSecondsRoundUp) {
  const uint64_t now = 1000 * kSecond;
  EXPECT_EQ(remaining_seconds(now + kSecond, now), 1u);
  EXPECT_EQ(remaining_seconds(now + kSecond + 1, now), 2u);
  EXPECT_EQ(remaining_seconds(now + 1, now), 1u);
  EXPECT_EQ(remaining_seconds(now, now), 0u);
  EXPECT_EQ(remaining_seconds(now - kSecond, now), 0u);
}

}  // namespace
}  // namespace ampguard
