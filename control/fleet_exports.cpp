#include "control/fleet_exports.hpp"

#include <map>

namespace ampguard {

ExportSelection select_exports(const std::vector<ExportCandidate>& candidates,
                               const std::vector<fleet::Prefix>& protect, uint32_t max_routes,
                               const CoveringOver& covering_over) {
  ExportSelection out;
  const auto rules_for = [&](const fleet::Prefix& source) {
    std::vector<fleet::FlowRule> mine;
    for (const fleet::Prefix& d : protect)
      if (d.v6 == source.v6) mine.push_back({source, d});
    return mine;
  };
  size_t wanted = 0;
  for (const ExportCandidate& c : candidates) wanted += rules_for(c.source).size();
  // Over the cap: covering prefixes over their own limit that stand for two keys or more.
  std::vector<std::optional<fleet::Prefix>> cover(candidates.size());
  std::map<fleet::Prefix, uint64_t> members;
  if (wanted > max_routes)
    for (size_t i = 0; i < candidates.size(); ++i)
      if ((cover[i] = covering_over(candidates[i]))) ++members[*cover[i]];
  // In rank order: a key, or the covering prefix that stands for it (at its heaviest key).
  std::map<fleet::Prefix, bool> placed;  // covering prefix -> exported
  for (size_t i = 0; i < candidates.size(); ++i) {
    const bool covered = cover[i] && members[*cover[i]] >= 2;
    if (covered && placed.count(*cover[i])) {
      ++(placed[*cover[i]] ? out.aggregated : out.suppressed);
      continue;
    }
    const std::vector<fleet::FlowRule> mine = rules_for(covered ? *cover[i] : candidates[i].source);
    if (mine.empty()) {
      ++out.no_protect;
      continue;
    }
    const bool fits = out.rules.size() + mine.size() <= max_routes;
    if (fits) out.rules.insert(mine.begin(), mine.end());
    if (!fits)
      ++out.suppressed;
    else if (covered)
      ++out.aggregated;
    if (covered) placed[*cover[i]] = fits;
  }
  return out;
}

}  // namespace ampguard
