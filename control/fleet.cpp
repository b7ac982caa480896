#include "control/fleet.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "control/addresses.hpp"
#include "control/fleet_exports.hpp"
#include "control/units.hpp"

namespace ampguard {
namespace {

constexpr const char* kImportedReason = "fleet:";  // + the announcing router's id

fleet::Prefix key_prefix(FlowKey key, unsigned prefix_v4, unsigned prefix_v6) {
  fleet::Prefix p;
  p.v6 = !flow_key_is_v4(key);
  if (p.v6) {
    for (int i = 0; i < 8; ++i) p.addr[i] = uint8_t(key >> (56 - 8 * i));
    p.len = prefix_v6;
  } else {
    for (int i = 0; i < 4; ++i) p.addr[i] = uint8_t(key >> (24 - 8 * i));
    p.len = prefix_v4;
  }
  return p;
}

// A peer's source prefix as this box's key: its network address at our prefix length (the
// caller skips prefixes shorter than ours: a key would stand for one address of many).
FlowKey prefix_key(const fleet::Prefix& p, unsigned prefix_v4, unsigned prefix_v6) {
  if (!p.v6) return flow_key_v4(load_be32(p.addr.data()), prefix_v4);
  return flow_key_v6(p.addr.data(), prefix_v6);
}

}  // namespace

FleetControl::FleetControl(const FleetPlan& plan, unsigned prefix_v4, unsigned prefix_v6, Say say)
    : plan_(plan), prefix_v4_(prefix_v4), prefix_v6_(prefix_v6), say_(std::move(say)) {
  client_.start(plan_.client);
}

FleetControl::~FleetControl() { stop(); }

void FleetControl::reconfigure(const FleetPlan& plan) {
  plan_.export_after_ns = plan.export_after_ns;
  plan_.export_manual = plan.export_manual;
  plan_.max_routes = plan.max_routes;
  plan_.export_prefixes = plan.export_prefixes;
  plan_.max_imports = plan.max_imports;
}

void FleetControl::stop() {
  if (!client_.running()) return;
  client_.stop();
  for (const std::string& line : client_.take_lines()) say_(line);
}

void FleetControl::step(SharedState& shared, BlockLog& log, TableCounters& control_tables,
                        const std::vector<const WorkerCounters*>& workers, uint64_t now_ns) {
  if (now_ns < next_step_ns_ || !client_.running()) return;
  next_step_ns_ = now_ns + kStepNs;
  drop_rates_.update(workers);
  import_routes(shared, log, control_tables, now_ns);
  export_blocks(shared, log, now_ns);
  for (const std::string& line : client_.take_lines()) say_(line);
  const fleet::ClientStatus s = client_.status();
  totals_.connected = s.connected;
  totals_.peers_established = s.peers_established;
  totals_.peers_other = s.peers - s.peers_established;
  totals_.exported = s.exported;
  totals_.pending = s.pending;
  totals_.announcements = s.announcements;
  totals_.withdrawals = s.withdrawals;
  totals_.rpc_errors = s.rpc_errors;
  totals_.connects = s.connects;
  totals_.stale_removed = s.stale_removed;
}

void FleetControl::export_blocks(SharedState& shared, BlockLog& log, uint64_t now_ns) {
  struct Ranked {
    double drops;  // queries per step still aimed at the block (decayed)
    uint64_t blocks, since_ns;
    FlowKey key;
  };
  std::vector<Ranked> ranked;
  uint64_t waiting = 0;
  shared.blocklist.for_each(now_ns, [&](FlowKey key, uint64_t) {
    if (imported_.count(key)) return;  // a peer's block is the peer's to announce
    uint64_t since = now_ns, blocks = 1;
    log.block_age(key, since, blocks);
    const std::string reason = log.reason(key);
    if (reason.rfind(kImportedReason, 0) == 0) return;
    if (reason == "manual" && !plan_.export_manual) return;
    if (now_ns - since < plan_.export_after_ns) {
      ++waiting;
      return;
    }
    ranked.push_back({drop_rates_.rate(shared.hashed(key)), blocks, since, key});
  });
  // Heaviest first: the most over-limit traffic the block still drops, then the keys blocked
  // again and again, then the longest-lasting blocks.
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.drops != b.drops) return a.drops > b.drops;
    if (a.blocks != b.blocks) return a.blocks > b.blocks;
    if (a.since_ns != b.since_ns) return a.since_ns < b.since_ns;
    return a.key < b.key;
  });
  std::vector<ExportCandidate> candidates;
  for (const Ranked& r : ranked)
    candidates.push_back({r.key, key_prefix(r.key, prefix_v4_, prefix_v6_)});
  const DataplaneConfig& cfg = *shared.config();
  // Over its limit: the prefix cannot pass one more smallest large response.
  const uint32_t units = pressure_units(cfg.limit.mode, cfg.min_size);
  const CoveringOver covering_over = [&](const ExportCandidate& c) -> std::optional<fleet::Prefix> {
    if (!plan_.export_prefixes) return std::nullopt;
    const L3 l3 = c.source.v6 ? L3::ipv6 : L3::ipv4;
    const AggregateLimits& a = cfg.aggregates;
    std::array<uint8_t, 16> addr{};
    std::copy(c.source.addr.begin(), c.source.addr.end(), addr.begin());
    const AggregateTable::PrefixKeys keys = shared.aggregates.prefix_keys(a, l3, addr);
    std::optional<fleet::Prefix> narrowest;
    for (unsigned i = 0; i < a.count(l3); ++i) {
      const unsigned len = a.levels(l3)[i].prefix;
      if ((narrowest && narrowest->len >= len) ||
          !shared.aggregates.over_limit(a, l3, i, keys, units, now_ns))
        continue;
      fleet::Prefix p = c.source;
      p.len = len;
      for (unsigned bit = len; bit < 8 * p.addr.size(); ++bit)
        p.addr[bit / 8] &= uint8_t(~(0x80u >> (bit % 8)));
      narrowest = p;
    }
    return narrowest;
  };
  ExportSelection chosen =
      select_exports(candidates, plan_.protect, plan_.max_routes, covering_over);
  client_.set_exports(std::move(chosen.rules));
  totals_.suppressed = chosen.suppressed;
  totals_.no_protect = chosen.no_protect;
  totals_.aggregated = chosen.aggregated;
  totals_.waiting = waiting;
}

void FleetControl::import_routes(SharedState& shared, BlockLog& log, TableCounters& c,
                                 uint64_t now_ns) {
  const DataplaneConfig& cfg = *shared.config();
  // Disconnected: nothing is refreshed, so what peers announced lapses after block.timeout
  // like a local block, unless gobgpd comes back and still has it.
  if (!client_.status().connected) return;
  uint64_t generation = 0;  // every step refreshes the entries: the generation is not needed
  const std::vector<fleet::Imported> routes = client_.imports(generation);
  std::map<FlowKey, std::string> announced;
  uint64_t too_short = 0;
  for (const fleet::Imported& r : routes) {
    if (r.source.len < (r.source.v6 ? prefix_v6_ : prefix_v4_)) {
      ++too_short;
      continue;
    }
    announced.emplace(prefix_key(r.source, prefix_v4_, prefix_v6_), r.origin);
  }
  // fleet.max-imports: what is imported stays first, so a flood of new routes displaces nothing.
  std::map<FlowKey, std::string> now;
  for (const auto& entry : imported_) {
    const auto it = announced.find(entry.first);
    if (it != announced.end() && now.size() < plan_.max_imports) now.insert(*it);
  }
  for (const auto& [key, origin] : announced)
    if (now.size() < plan_.max_imports) now.emplace(key, origin);
  totals_.not_imported = too_short;
  totals_.over_import_cap = announced.size() - now.size();
  for (const auto& [key, origin] : imported_) {
    if (now.count(key)) continue;
    // Withdrawn: the entry goes unless this box blocked the key itself meanwhile.
    if (log.reason(key).rfind(kImportedReason, 0) == 0 && shared.blocklist.remove(key))
      log.on_control_unblock(key, "withdrawn by " + origin, now_ns);
  }
  totals_.imported_by_origin.clear();
  for (const auto& [key, origin] : now) {
    totals_.imported_by_origin[origin]++;
    const bool live = shared.blocklist.contains(key, now_ns);
    shared.blocklist.block(key, now_ns + cfg.block_timeout_ns, now_ns, c);
    if (!live) log.on_control_block(key, kImportedReason + origin, cfg.block_timeout_ns, now_ns);
  }
  imported_ = std::move(now);
  totals_.imported = imported_.size();
}

FleetTotals FleetControl::totals() const { return totals_; }

std::string FleetControl::status_text() const {
  const fleet::ClientStatus s = client_.status();
  std::ostringstream o;
  o << "session " << s.session << "\n"
    << "peers " << s.peers << " (" << s.peers_established << " established)\n"
    << "exported " << s.exported << " routes (" << s.pending << " pending, max " << plan_.max_routes
    << ")\n"
    << "suppressed " << totals_.suppressed << " blocks over fleet.max-routes, "
    << totals_.no_protect << " without a fleet.protect prefix of their family, " << totals_.waiting
    << " younger than fleet.export-after\n"
    << "aggregated " << totals_.aggregated
    << " blocks into covering prefixes over their own aggregate limit\n"
    << "imported " << totals_.imported << " blocks (" << totals_.not_imported
    << " routes with a source prefix shorter than limit.prefix-v4/-v6 not imported, "
    << totals_.over_import_cap << " over fleet.max-imports)";
  for (const auto& [origin, n] : totals_.imported_by_origin) o << " " << origin << "=" << n;
  o << "\n"
    << "changes " << s.announcements << " announced, " << s.withdrawals << " withdrawn, "
    << s.stale_removed << " stale found at connect\n"
    << "connects " << s.connects << ", errors " << s.rpc_errors << "\n";
  return o.str();
}

}  // namespace ampguard

// The Runtime's fleet parts: start and `ampguardctl fleet status`.
#include "control/runtime.hpp"

namespace ampguard {

std::string Runtime::start_fleet() {
  if (settings_.fleet_api.empty()) return "";
  const DataplaneConfig& cfg = *shared().config();
  FleetPlan plan;
  const std::string err = locate_error(
      settings_, build_fleet_plan(settings_, cfg.service_ports, cfg.service_port_count, plan));
  if (!err.empty()) return err;
  fleet_ = std::make_unique<FleetControl>(plan, cfg.prefix_v4, cfg.prefix_v6,
                                          [this](const std::string& line) { say(line); });
  return "";
}

Reply Runtime::fleet_command(const std::vector<std::string>& w) {
  if (w.size() != 2 || w[1] != "status") return {false, "usage: fleet status\n"};
  if (!fleet_) return {true, "session off (fleet.api is not set)\n"};
  return {true, fleet_->status_text()};
}

}  // namespace ampguard
