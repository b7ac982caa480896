// Which blocks go out as FlowSpec routes (control/fleet.cpp): at most fleet.max-routes rules,
// heaviest blocks first; past the cap, keys whose covering prefix is over its own aggregate limit
// (limit.aggregate-v4/-v6) go out as that one prefix instead of one route each.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include "dataplane/flow_key.hpp"
#include "fleet/flowspec_route.hpp"

namespace ampguard {

struct ExportCandidate {
  FlowKey key;
  fleet::Prefix source;  // the key's prefix
};

struct ExportSelection {
  std::set<fleet::FlowRule> rules;
  uint64_t suppressed = 0;  // over fleet.max-routes, not exported
  uint64_t no_protect = 0;  // no fleet.protect prefix of their family
  uint64_t aggregated = 0;  // exported through a covering prefix
};

// The covering prefix of a key whose aggregate limit is over now, if any (the narrowest).
using CoveringOver = std::function<std::optional<fleet::Prefix>(const ExportCandidate&)>;

// candidates heaviest first. Only when their routes would pass max_routes, a covering prefix
// over its limit that stands for two keys or more goes out in place of all of them, at the rank
// of its heaviest key; under the cap every key goes out as itself (no collateral).
ExportSelection select_exports(const std::vector<ExportCandidate>& candidates,
                               const std::vector<fleet::Prefix>& protect, uint32_t max_routes,
                               const CoveringOver& covering_over);

}  // namespace ampguard
