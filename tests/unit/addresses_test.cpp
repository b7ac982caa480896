// Blocklist keys as text and back, for both families and for prefixes.
#include "control/addresses.hpp"

#include <gtest/gtest.h>

namespace ampguard {
namespace {

TEST(Addresses, RoundTrip) {
  FlowKey k;
  ASSERT_EQ(parse_key("203.0.113.66", 32, 64, k), "");
  EXPECT_EQ(key_to_text(k, 32, 64), "203.0.113.66");
  ASSERT_EQ(parse_key("203.0.113.66", 24, 64, k), "");
  EXPECT_EQ(key_to_text(k, 24, 64), "203.0.113.0/24");
  ASSERT_EQ(parse_key("203.0.113.0/24", 24, 64, k), "");
  ASSERT_EQ(parse_key("2001:db8:1:2:3:4:5:6", 32, 64, k), "");
  EXPECT_EQ(key_to_text(k, 32, 64), "2001:db8:1:2::/64");
  ASSERT_EQ(parse_key("2001:db8:1:2::/64", 32, 64, k), "");
  EXPECT_EQ(key_to_text(k, 32, 64), "2001:db8:1:2::/64");
}

TEST(Addresses, Errors) {
  FlowKey k;
  EXPECT_EQ(parse_key("example.com", 32, 64, k), "'example.com' is not an IPv4 or IPv6 address");
  EXPECT_EQ(parse_key("2001:db8::/48", 32, 64, k),
            "'2001:db8::/48': the blocklist holds /64 prefixes for IPv6 (limit.prefix-v6)");
}

}  // namespace
}  // namespace ampguard
