// The control thread's export choice (control/fleet.cpp) against the collateral attack on
// covering prefixes (issue 18): an attacker spreads spoofed victims over one /24 until its
// aggregate limit is over and the box is past fleet.max-routes; the box then exports the whole
// /24, and every real client in it is rate-limited at the edge fleet-wide. An operator who
// cannot accept that sets fleet.export-prefixes = false: keys only, the rest suppressed.
#include <gtest/gtest.h>

#include "control/fleet.hpp"
#include "control/settings.hpp"
#include "dataplane/pipeline.hpp"
#include "support/dns_frames.hpp"

namespace ampguard {
namespace {

constexpr uint64_t kStart = 1'000'000'000'000;

class FleetBox {
 public:
  explicit FleetBox(const std::vector<std::string>& options) : shared_(TableSizes{}, 1) {
    Settings s;
    std::vector<std::string> all = {
        "--fleet.api=127.0.0.1:9",  // nothing listens: the client stays "connecting"
        "--fleet.protect=10.53.0.1", "--fleet.export-after=0s", "--fleet.max-routes=2",
        "--limit.aggregate-v4=24:4"};
    all.insert(all.end(), options.begin(), options.end());
    EXPECT_EQ(load_settings("", all, s), "");
    auto cfg = std::make_unique<DataplaneConfig>();
    EXPECT_EQ(build_dataplane_config(s, *cfg), "");
    EXPECT_EQ(build_fleet_plan(s, cfg->service_ports, cfg->service_port_count, plan_), "");
    cfg_ = cfg.get();
    shared_.publish(std::move(cfg));
    w_.shared = &shared_;
    w_.counters = &counters_;
  }

  // One large answer to 10.1.2.<host>, judged by the real pipeline.
  VerdictReason respond(uint8_t host) {
    test::Bytes frame = test::response_v4({10, 1, 2, host}, 1200);
    uint32_t len = uint32_t(frame.size());
    return judge_frame(w_, *cfg_, PortSide::inside, frame.data(), &len, kStart).reason;
  }
  void block(uint8_t host) {
    const FlowKey key = flow_key_v4((10u << 24) | (1u << 16) | (2u << 8) | host, 32);
    shared_.blocklist.block(key, kStart + cfg_->block_timeout_ns, kStart, tables_);
    log_.on_control_block(key, "over-limit", cfg_->block_timeout_ns, kStart);
  }
  FleetTotals export_once() {
    FleetControl fleet(plan_, cfg_->prefix_v4, cfg_->prefix_v6, [](const std::string&) {});
    fleet.step(shared_, log_, tables_, {&counters_}, kStart);
    return fleet.totals();
  }

 private:
  SharedState shared_;
  const DataplaneConfig* cfg_ = nullptr;
  FleetPlan plan_;
  BlockLog log_;
  TableCounters tables_;
  WorkerCounters counters_;
  WorkerContext w_;
};

// Four victims of one /24 blocked, the /24 spent its aggregate burst of 40.
FleetTotals collateral_attack(const std::vector<std::string>& options) {
  FleetBox box(options);
  for (uint8_t i = 0; i < 40; ++i) EXPECT_EQ(box.respond(i), VerdictReason::response_within_limit);
  EXPECT_EQ(box.respond(40), VerdictReason::over_aggregate_limit);
  for (uint8_t i = 1; i <= 4; ++i) box.block(i);
  return box.export_once();
}

TEST(FleetControl, PastMaxRoutesTheOverLimitSlash24GoesOutForItsKeys) {
  const FleetTotals t = collateral_attack({});
  EXPECT_EQ(t.aggregated, 4u) << "one route, 10.1.2.0/24, for the four keys";
  EXPECT_EQ(t.suppressed, 0u);
}

TEST(FleetControl, ExportPrefixesOffKeepsTheSlash24OutAndSuppressesTheRest) {
  const FleetTotals t = collateral_attack({"--fleet.export-prefixes=false"});
  EXPECT_EQ(t.aggregated, 0u) << "no covering prefix: no collateral at the edge";
  EXPECT_EQ(t.suppressed, 2u) << "four keys, max-routes 2";
}

}  // namespace
}  // namespace ampguard
