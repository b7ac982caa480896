// Blocklist keys as operators read and type them: "203.0.113.66", "198.51.100.0/24",
// "2001:db8:1:2::/64". A key is an address masked to its limit prefix (dataplane/flow_key.hpp).
#pragma once

#include <string>

#include "dataplane/flow_key.hpp"

namespace ampguard {

// The key as text; prefixes shorter than a host (IPv4 /32) get a "/len" suffix.
std::string key_to_text(FlowKey key, unsigned prefix_v4, unsigned prefix_v6);

// Parses "ADDR" or "ADDR/LEN" (IPv4 or IPv6) into the key of the given prefixes. Returns "" or
// the reason. A /LEN, when given, must equal the configured prefix of its family.
std::string parse_key(const std::string& text, unsigned prefix_v4, unsigned prefix_v6,
                      FlowKey& key);

}  // namespace ampguard
