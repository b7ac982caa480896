#include "control/fleet_settings.hpp"

#include "control/fleet.hpp"
#include "control/units.hpp"

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

std::string check_fleet_protect(const std::string& value) {
  std::vector<fleet::Prefix> p;
  return value.empty() ? "" : parse_protect(value, p);
}

std::string check_fleet_community(const std::string& value) {
  uint32_t c = 0;
  return fleet::parse_community(value, c);
}

std::string check_fleet_action(const std::string& value) {
  fleet::Action a;
  return fleet::parse_action(value, a);
}

std::string build_fleet_plan(const Settings& s, const uint16_t* service_ports,
                             unsigned service_port_count, FleetPlan& out) {
  out = FleetPlan{};
  if (s.fleet_api.empty()) return "";
  std::string err;
  if (s.fleet_protect.empty())
    return "fleet.protect: needed with fleet.api (the resolver's prefixes)";
  if (!(err = parse_protect(s.fleet_protect, out.protect)).empty()) return "fleet.protect: " + err;
  if (!(err = fleet::parse_community(s.fleet_community, out.client.shape.community)).empty())
    return "fleet.community: " + err;
  if (!(err = fleet::parse_action(s.fleet_action, out.client.shape.action)).empty())
    return "fleet.action: " + err;
  if (!(err = parse_duration_ns(s.fleet_export_after, out.export_after_ns)).empty())
    return "fleet.export-after: " + err;
  out.client.shape.ports.assign(service_ports, service_ports + service_port_count);
  out.client.api = s.fleet_api;
  out.client.max_changes_per_second = s.fleet_max_changes;
  out.client.import = s.fleet_import;
  out.export_manual = s.fleet_export_manual;
  out.max_routes = s.fleet_max_routes;
  out.export_prefixes = s.fleet_export_prefixes;
  out.max_imports = s.fleet_max_imports;
  return "";
}

}  // namespace ampguard
