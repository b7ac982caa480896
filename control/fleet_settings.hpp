// fleet.* options: FlowSpec export to and import from gobgpd (docs/fleet.md). Kept apart from
// settings.cpp's lists (and from gRPC's headers, which only control/fleet.* include): settings.cpp
// adds describe_fleet() to --help, fleet_options() to the effective options and check_fleet_value()
// to its checks.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ampguard {

struct FleetSettings {
  std::string api;      // gobgpd's gRPC host:port; "": no fleet
  std::string protect;  // resolver prefixes, comma-separated: each route's destination
  std::string community = "64512:53";
  std::string action = "rate:1000";  // a trickle still reaches a box that answers it with TC
  std::string export_after = "30s";
  bool export_manual = false;
  uint32_t max_routes = 100;
  uint32_t max_changes = 50;  // announcements and withdrawals per second
  bool import = true;
};

boost::program_options::options_description describe_fleet(FleetSettings& f);
std::vector<std::pair<std::string, std::string>> fleet_options(const FleetSettings& f);
// "" or the reason, for a fleet.* option's text (other options: "").
std::string check_fleet_value(const std::string& option, const std::string& value);
// fleet.* restart-only: the routes' shape and the session are set up once.
std::vector<std::string> fleet_restart_only_options();

}  // namespace ampguard
