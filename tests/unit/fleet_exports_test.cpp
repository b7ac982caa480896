// Which blocks go out as FlowSpec routes under fleet.max-routes (issue 18): heaviest first, and
// past the cap a covering prefix over its own aggregate limit stands for its keys.
#include "control/fleet_exports.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace ampguard {
namespace {

fleet::Prefix prefix(const std::string& text) {
  fleet::Prefix p;
  EXPECT_EQ(fleet::parse_prefix(text, p), "") << text;
  return p;
}

// Keys 10.<a>.<b>.0/24 with /16 covering prefixes; `over` names the /16s over their limit.
struct Fixture {
  std::vector<ExportCandidate> candidates;
  std::set<std::string> over;
  void add(const std::string& key) {
    candidates.push_back({FlowKey(candidates.size() + 1), prefix(key)});
  }
  CoveringOver covering() const {
    return [this](const ExportCandidate& c) -> std::optional<fleet::Prefix> {
      fleet::Prefix p = c.source;
      p.len = 16;
      p.addr[2] = p.addr[3] = 0;
      if (!over.count(p.text())) return std::nullopt;
      return p;
    };
  }
};

std::set<std::string> sources(const ExportSelection& s) {
  std::set<std::string> out;
  for (const fleet::FlowRule& r : s.rules) out.insert(r.source.text());
  return out;
}

const std::vector<fleet::Prefix> kProtect = {prefix("192.0.2.53/32")};

TEST(FleetExports, UnderTheCapEveryKeyGoesOutAsItself) {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.add("10.1." + std::to_string(i) + ".0/24");
  f.over = {"10.1.0.0/16"};
  const ExportSelection s = select_exports(f.candidates, kProtect, 10, f.covering());
  EXPECT_EQ(s.rules.size(), 5u);
  EXPECT_EQ(s.aggregated, 0u);
  EXPECT_EQ(s.suppressed, 0u);
}

// The attack the cap invites: thousands of victims in one /16 would push every other block off
// the edge. Past the cap, the /16 over its own limit goes out once for all of its keys.
TEST(FleetExports, PastTheCapACoveringPrefixOverItsLimitStandsForItsKeys) {
  Fixture f;
  f.add("198.51.100.0/24");  // the heaviest, elsewhere
  for (int i = 0; i < 1000; ++i)
    f.add("10.1." + std::to_string(i % 256) + "." + std::to_string(i / 256) + "/32");
  f.add("10.2.0.0/24");  // its /16 is not over: itself, if room is left
  f.over = {"10.1.0.0/16"};
  ExportSelection s = select_exports(f.candidates, kProtect, 3, f.covering());
  EXPECT_EQ(sources(s), (std::set<std::string>{"198.51.100.0/24", "10.1.0.0/16", "10.2.0.0/24"}));
  EXPECT_EQ(s.aggregated, 1000u);
  EXPECT_EQ(s.suppressed, 0u);
  s = select_exports(f.candidates, kProtect, 2, f.covering());
  EXPECT_EQ(sources(s), (std::set<std::string>{"198.51.100.0/24", "10.1.0.0/16"}));
  EXPECT_EQ(s.aggregated, 1000u);
  EXPECT_EQ(s.suppressed, 1u);
  // Without the aggregate over its limit, the cap keeps only the heaviest keys.
  f.over.clear();
  s = select_exports(f.candidates, kProtect, 2, f.covering());
  EXPECT_EQ(s.rules.size(), 2u);
  EXPECT_EQ(s.aggregated, 0u);
  EXPECT_EQ(s.suppressed, 1000u);
}

TEST(FleetExports, ACoveringPrefixForOneKeyIsNotWorthARoute) {
  Fixture f;
  f.add("10.3.0.0/24");
  f.add("10.1.0.0/24");
  f.over = {"10.1.0.0/16"};
  const ExportSelection s = select_exports(f.candidates, kProtect, 1, f.covering());
  EXPECT_EQ(sources(s), std::set<std::string>{"10.3.0.0/24"});
  EXPECT_EQ(s.aggregated, 0u);
  EXPECT_EQ(s.suppressed, 1u);
}

TEST(FleetExports, NeverMoreRulesThanTheCapAndEveryKeyCountedOnce) {
  Fixture f;
  for (int i = 0; i < 50; ++i) f.add("10.1.0." + std::to_string(i) + "/32");
  for (int i = 0; i < 50; ++i) f.add("10.4.0." + std::to_string(i) + "/32");
  f.over = {"10.1.0.0/16", "10.4.0.0/16"};
  const std::vector<fleet::Prefix> two = {prefix("192.0.2.53/32"), prefix("192.0.2.54/32")};
  for (uint32_t cap : {0u, 1u, 2u, 3u, 5u, 101u}) {
    const ExportSelection s = select_exports(f.candidates, two, cap, f.covering());
    EXPECT_LE(s.rules.size(), cap);
    uint64_t own = 0;  // rules of keys exported as themselves
    for (const fleet::FlowRule& r : s.rules) own += r.source.len == 32;
    EXPECT_EQ(own / 2 + s.aggregated + s.suppressed, 100u) << cap;  // each key counted once
  }
}

}  // namespace
}  // namespace ampguard
