#include "control/fleet_settings.hpp"

#include <boost/program_options.hpp>

#include "control/fleet.hpp"
#include "control/units.hpp"

namespace po = boost::program_options;

namespace ampguard {
namespace {

std::string parse_protect(const std::string& text, std::vector<fleet::Prefix>& out) {
  out.clear();
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    fleet::Prefix p;
    const std::string err = fleet::parse_prefix(text.substr(pos, comma - pos), p);
    if (!err.empty()) return err;
    out.push_back(p);
    pos = comma + 1;
  }
  return "";
}

}  // namespace

po::options_description describe_fleet(FleetSettings& f) {
  po::options_description d("Fleet (BGP FlowSpec through gobgpd, docs/fleet.md)");
  d.add_options()("fleet.api", po::value(&f.api)->default_value(f.api),
                  "gobgpd's gRPC address host:port (\"\": no fleet)")(
      "fleet.protect", po::value(&f.protect)->default_value(f.protect),
      "the resolver prefixes exported routes protect, comma-separated (their destination)")(
      "fleet.community", po::value(&f.community)->default_value(f.community),
      "BGP community ASN:VALUE marking ampguard's FlowSpec routes (exported and imported)")(
      "fleet.action", po::value(&f.action)->default_value(f.action),
      "what routers do with matching traffic: rate:<bytes/s> (traffic-rate) or discard")(
      "fleet.export-after", po::value(&f.export_after)->default_value(f.export_after),
      "a block is exported once it has lasted this long (0: at once)")(
      "fleet.export-manual", po::value(&f.export_manual)->default_value(f.export_manual),
      "also export blocks made with ampguardctl blocklist add")(
      "fleet.max-routes", po::value(&f.max_routes)->default_value(f.max_routes),
      "at most this many routes exported (heaviest blocks first; the rest counted suppressed)")(
      "fleet.max-changes", po::value(&f.max_changes)->default_value(f.max_changes),
      "route announcements and withdrawals per second, at most")(
      "fleet.import", po::value(&f.import)->default_value(f.import),
      "block the sources of peers' routes carrying fleet.community while they are announced");
  return d;
}

std::vector<std::pair<std::string, std::string>> fleet_options(const FleetSettings& f) {
  const auto num = [](uint64_t v) { return std::to_string(v); };
  return {{"fleet.api", f.api},
          {"fleet.protect", f.protect},
          {"fleet.community", f.community},
          {"fleet.action", f.action},
          {"fleet.export-after", f.export_after},
          {"fleet.export-manual", f.export_manual ? "true" : "false"},
          {"fleet.max-routes", num(f.max_routes)},
          {"fleet.max-changes", num(f.max_changes)},
          {"fleet.import", f.import ? "true" : "false"}};
}

std::vector<std::string> fleet_restart_only_options() {
  return {"fleet.api",    "fleet.protect",     "fleet.community",
          "fleet.action", "fleet.max-changes", "fleet.import"};
}

std::string check_fleet_value(const std::string& option, const std::string& value) {
  uint64_t n = 0;
  uint32_t c = 0;
  fleet::Action a;
  std::vector<fleet::Prefix> p;
  if (option == "fleet.export-after") return parse_duration_ns(value, n);
  if (option == "fleet.community") return fleet::parse_community(value, c);
  if (option == "fleet.action") return fleet::parse_action(value, a);
  if (option == "fleet.protect") return value.empty() ? "" : parse_protect(value, p);
  return "";
}

std::string build_fleet_plan(const FleetSettings& f, const uint16_t* service_ports,
                             unsigned service_port_count, FleetPlan& out) {
  out = FleetPlan{};
  if (f.api.empty()) return "";
  std::string err;
  if (f.protect.empty()) return "fleet.protect: needed with fleet.api (the resolver's prefixes)";
  if (!(err = parse_protect(f.protect, out.protect)).empty()) return "fleet.protect: " + err;
  if (!(err = fleet::parse_community(f.community, out.client.shape.community)).empty())
    return "fleet.community: " + err;
  if (!(err = fleet::parse_action(f.action, out.client.shape.action)).empty())
    return "fleet.action: " + err;
  if (!(err = parse_duration_ns(f.export_after, out.export_after_ns)).empty())
    return "fleet.export-after: " + err;
  if (f.max_routes == 0) return "fleet.max-routes: must be at least 1";
  if (f.max_changes == 0) return "fleet.max-changes: must be at least 1";
  out.client.shape.ports.assign(service_ports, service_ports + service_port_count);
  out.client.api = f.api;
  out.client.max_changes_per_second = f.max_changes;
  out.client.import = f.import;
  out.export_manual = f.export_manual;
  out.max_routes = f.max_routes;
  return "";
}

}  // namespace ampguard
