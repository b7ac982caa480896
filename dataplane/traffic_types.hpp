// The words the data path sorts traffic by: the port a frame entered on, what the frame is to
// ampguard, and how many frames a worker takes per RX burst.
#pragma once

#include <cstdint>

#include "dataplane/named_enum.hpp"

namespace ampguard {

// The two ports, by what they face.
#define AMPGUARD_PORT_SIDES(X) X(inside) X(outside)
AMPGUARD_NAMED_ENUM(PortSide, AMPGUARD_PORT_SIDES);
inline constexpr unsigned kPortSides = kEnumCount<PortSide>;
inline constexpr const char* port_side_name(PortSide s) { return enum_name(s); }

// What a frame is to ampguard, by the port it entered.
#define AMPGUARD_TRAFFIC_CLASSES(X) X(dns_query) X(dns_response) X(other)
AMPGUARD_NAMED_ENUM(TrafficClass, AMPGUARD_TRAFFIC_CLASSES);
inline constexpr unsigned kTrafficClasses = kEnumCount<TrafficClass>;
inline constexpr const char* traffic_class_name(TrafficClass c) { return enum_name(c); }

inline constexpr uint16_t kBurstSize = 32;

}  // namespace ampguard
