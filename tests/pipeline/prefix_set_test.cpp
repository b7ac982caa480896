// PrefixSet on rte_lpm / rte_lpm6 (needs the EAL: runs in pipeline_tests).
#include "dataplane/prefix_set.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace ampguard {
namespace {

std::array<uint8_t, 16> addr(const char* text) {
  std::array<uint8_t, 16> a{};
  if (inet_pton(AF_INET, text, a.data()) != 1) {
    EXPECT_EQ(inet_pton(AF_INET6, text, a.data()), 1);
  }
  return a;
}

bool has(const PrefixSet& s, const char* text) {
  return s.contains(std::string(text).find(':') == std::string::npos ? L3::ipv4 : L3::ipv6,
                    addr(text));
}

TEST(PrefixSet, MatchesV4AndV6Prefixes) {
  std::string error;
  auto s = PrefixSet::build(
      {"192.0.2.0/24", "198.51.100.7", "10.1.2.128/25", "2001:db8::/32", "2001:db8:1::53/128"},
      error);
  ASSERT_NE(s, nullptr) << error;
  EXPECT_FALSE(s->empty());
  EXPECT_TRUE(has(*s, "192.0.2.0"));
  EXPECT_TRUE(has(*s, "192.0.2.255"));
  EXPECT_FALSE(has(*s, "192.0.3.0"));
  EXPECT_TRUE(has(*s, "198.51.100.7"));
  EXPECT_FALSE(has(*s, "198.51.100.8"));
  EXPECT_TRUE(has(*s, "10.1.2.200"));
  EXPECT_FALSE(has(*s, "10.1.2.127"));
  EXPECT_TRUE(has(*s, "2001:db8:ffff::1"));
  EXPECT_FALSE(has(*s, "2001:db9::1"));
  EXPECT_FALSE(s->contains(L3::none, addr("192.0.2.1")));
}

TEST(PrefixSet, FamiliesAreSeparate) {
  std::string error;
  auto v4 = PrefixSet::build({"0.0.0.0/0"}, error);
  ASSERT_NE(v4, nullptr) << error;
  EXPECT_TRUE(has(*v4, "203.0.113.9"));
  EXPECT_FALSE(has(*v4, "2001:db8::1"));
  auto v6 = PrefixSet::build({"::/0"}, error);
  ASSERT_NE(v6, nullptr) << error;
  EXPECT_TRUE(has(*v6, "2001:db8::1"));
  EXPECT_FALSE(has(*v6, "203.0.113.9"));
}

TEST(PrefixSet, EmptySetMatchesNothing) {
  std::string error;
  auto s = PrefixSet::build({}, error);
  ASSERT_NE(s, nullptr) << error;
  EXPECT_TRUE(s->empty());
  EXPECT_FALSE(has(*s, "192.0.2.1"));
}

TEST(PrefixSet, RebuildsCoexist) {
  std::string error;
  auto a = PrefixSet::build({"192.0.2.0/24", "2001:db8::/32"}, error);
  auto b = PrefixSet::build({"192.0.2.0/24", "2001:db8::/32"}, error);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr) << "names must be unique per build: " << error;
  a.reset();
  EXPECT_TRUE(has(*b, "192.0.2.1"));
}

TEST(PrefixSet, RejectsBadEntriesNamingThem) {
  for (const char* bad : {"192.0.2.0/33", "2001:db8::/129", "192.0.2.1/24", "banana", "10.0.0.0/",
                          "10.0.0.0/8x", "2001:db8::1/32"}) {
    std::string error;
    EXPECT_EQ(PrefixSet::build({"198.51.100.0/24", bad}, error), nullptr) << bad;
    EXPECT_NE(error.find(bad), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace ampguard
