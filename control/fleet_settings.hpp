// The value checks of the fleet.* options (option_list.hpp's check column). Here, apart from
// settings.cpp, because they use fleet/'s route parsers and gRPC's headers, which only
// control/fleet* include.
#pragma once

#include <string>

namespace ampguard {

// "" or the reason.
std::string check_fleet_protect(const std::string& value);
std::string check_fleet_community(const std::string& value);
std::string check_fleet_action(const std::string& value);

}  // namespace ampguard
