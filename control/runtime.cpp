#include "control/runtime.hpp"

#include <rte_ring.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "control/addresses.hpp"
#include "control/fleet.hpp"
#include "control/persistence.hpp"
#include "control/telemetry.hpp"
#include "control/units.hpp"
#include "dataplane/block_event.hpp"

namespace ampguard {

std::atomic<bool> g_signal_stop{false};
std::atomic<bool> g_signal_reload{false};

namespace {

constexpr uint64_t kReconcileNs = kSecond;  // unblock lines come at most this late
constexpr uint64_t kSnapshotNs = kSecond;   // scrapes and telemetry lag at most this much

uint64_t unix_now() {
  return uint64_t(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

}  // namespace

Runtime::Runtime(Settings settings) : settings_(std::move(settings)) {}

Runtime::~Runtime() {
  // Before the state goes: the exposer's threads may be answering a scrape right now, the
  // telemetry thread an /ampguard/* request. appliance_ goes last (the first member).
  metrics_.stop();
  if (telemetry_) telemetry_detach();
  stop();
}

std::string Runtime::init_eal(const char* argv0) {
  return appliance_.init_eal(argv0, settings_.eal_args);
}

std::string Runtime::start() {
  const Settings& s = settings_;
  const std::string perr = appliance_.start_ports(s);
  if (!perr.empty()) return perr;

  auto cfg = std::make_unique<DataplaneConfig>();
  const std::string err = build_dataplane_config(s, *cfg);
  if (!err.empty()) return err;
  cfg->generation = 1;
  shared().publish(std::move(cfg));
  generation_.store(1, std::memory_order_relaxed);
  configure_block_log();
  // Before the workers start: not one packet may pass that the saved blocklist would drop.
  if (!s.block_state_file.empty()) restore_state();

  return appliance_.launch_workers();
}

void Runtime::stop() {
  if (!appliance_.stop_workers()) return;
  if (fleet_) fleet_->stop();  // a clean stop withdraws this box's routes
  drain_events();
  if (capture_) {
    capture_->step(shared().now_ns());  // what the workers copied before they stopped
    finish_capture();
  }
  if (services_ && !settings_.block_state_file.empty()) {
    const std::string err = save_state();
    say(err.empty() ? "ampguard: blocklist saved to " + settings_.block_state_file
                    : "ampguard: " + err);
  }
}

void Runtime::finish_capture() {
  socket_.finish(capture_reply_, {true, capture_->finish()});
  capture_.reset();
}

void Runtime::publish_telemetry() {
  TelemetryView v;
  v.generation = generation_.load(std::memory_order_relaxed);
  const DataplaneConfig& cfg = *shared().config();
  v.prefix_v4 = cfg.prefix_v4;
  v.prefix_v6 = cfg.prefix_v6;
  v.options = effective_options(settings_);
  telemetry_generation_ = v.generation;
  telemetry_publish(std::move(v));
}

void Runtime::set_log_sink(std::function<void(const std::string&)> sink) {
  log_ = sink;
  block_log_.set_sink(std::move(sink));
}

void Runtime::say(const std::string& line) {
  if (log_) {
    log_(line);
  } else {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
}

void Runtime::configure_block_log() {
  const DataplaneConfig& cfg = *shared().config();
  BlockLog::Limits l;
  l.max_per_second = settings_.log_max_per_second;
  l.line_prefix = settings_.log_prefix;
  parse_duration_ns(settings_.log_address_interval, l.address_interval_ns);
  l.prefix_v4 = cfg.prefix_v4;
  l.prefix_v6 = cfg.prefix_v6;
  block_log_.configure(l);
  parse_duration_ns(settings_.block_save_interval, save_interval_ns_);
}

std::string Runtime::start_services() {
  if (settings_.log_syslog) block_log_.enable_syslog();
  // Without its socket or metrics ampguard still protects the resolver: warn and go on.
  if (!settings_.control_socket.empty()) {
    const std::string err = socket_.open(settings_.control_socket);
    if (!err.empty()) say("ampguard: warning: no control socket: " + err);
  }
  if (!settings_.metrics_listen.empty()) {
    refresh_snapshot();  // the first scrape sees the state at start, not zeros
    const std::string err =
        metrics_.start(settings_.metrics_listen,
                       [this](StatsTotals& t, ControlTotals& c) { snapshot_.read(t, c); });
    if (!err.empty()) say("ampguard: warning: no metrics: " + err);
  }
  refresh_snapshot();
  const std::string terr = telemetry_attach([this] { return snapshot_.totals(); }, &shared());
  if (!terr.empty()) say("ampguard: warning: " + terr);
  telemetry_ = terr.empty();
  publish_telemetry();
  const std::string ferr = start_fleet();
  if (!ferr.empty()) return ferr;
  services_ = true;
  next_save_ns_ = shared().now_ns() + save_interval_ns_;
  return "";
}

void Runtime::control_step() {
  if (g_signal_reload.exchange(false)) {
    reload();
    refresh_snapshot();
  }
  drain_events();
  const uint64_t now = shared().now_ns();
  if (now >= next_reconcile_ns_) {
    block_log_.reconcile(shared().blocklist, now);
    shared().sync_unix_clock();
    next_reconcile_ns_ = now + kReconcileNs;
  }
  if (!services_) return;
  if (now >= next_snapshot_ns_) refresh_snapshot();
  socket_.poll([this](const std::string& request) { return command(request); });
  if (capture_ && capture_->step(now)) finish_capture();
  if (fleet_)
    fleet_->step(shared(), block_log_, control_tables_, appliance_.worker_counters(), now);
  if (telemetry_generation_ != generation_.load(std::memory_order_relaxed)) publish_telemetry();
  if (!settings_.block_state_file.empty() && (save_due_ || now >= next_save_ns_)) {
    const std::string err = save_state();
    if (!err.empty()) say("ampguard: " + err);
  }
}

void Runtime::drain_events() {
  BlockEvent e;
  const uint64_t timeout = shared().config()->block_timeout_ns;
  while (rte_ring_sc_dequeue_elem(shared().events, &e, sizeof e) == 0)
    block_log_.on_event(e, timeout, shared().now_ns());
}

std::string Runtime::save_state() {
  save_due_ = false;
  const uint64_t now = shared().now_ns();
  next_save_ns_ = now + save_interval_ns_;
  const DataplaneConfig& cfg = *shared().config();
  const uint64_t wall = unix_now();
  std::vector<SavedBlock> entries;
  shared().blocklist.for_each(now, [&](FlowKey key, uint64_t expires_ns) {
    // Rounded up: a restored entry never expires before the original would have.
    entries.push_back({key_to_text(key, cfg.prefix_v4, cfg.prefix_v6),
                       wall + remaining_seconds(expires_ns, now), block_log_.reason(key)});
  });
  std::sort(entries.begin(), entries.end(),
            [](const SavedBlock& a, const SavedBlock& b) { return a.address < b.address; });
  const std::string err = save_blocklist(settings_.block_state_file, entries);
  ++(err.empty() ? control_.saves_ok : control_.saves_failed);
  return err.empty() ? "" : "block.state-file: " + err;
}

void Runtime::restore_state() {
  std::vector<SavedBlock> entries;
  std::vector<std::string> bad;
  const std::string& path = settings_.block_state_file;
  std::string err = load_blocklist(path, entries, bad);
  if (!err.empty()) {
    say("ampguard: blocklist not restored (starting empty): " + err);
    return;
  }
  const DataplaneConfig& cfg = *shared().config();
  const uint64_t now = shared().now_ns(), wall = unix_now();
  unsigned restored = 0, expired = 0;
  TableCounters restore_counters;  // a restored entry is not a new block: not counted as an add
  for (const SavedBlock& e : entries) {
    FlowKey key;
    err = parse_key(e.address, cfg.prefix_v4, cfg.prefix_v6, key);
    if (!err.empty()) {
      bad.push_back(path + ": " + err);
      continue;
    }
    if (e.expires_unix <= wall) {
      ++expired;
      continue;
    }
    const uint64_t ttl = std::min<uint64_t>(e.expires_unix - wall, 400ull * 86400) * kSecond;
    shared().blocklist.block(key, now + ttl, now, restore_counters);
    block_log_.remember(key, e.reason, now);
    ++restored;
  }
  control_.state_restored = restored;
  control_.state_expired = expired;
  control_.state_unreadable = bad.size();
  for (const std::string& b : bad) say("ampguard: not restored: " + b);
  say("ampguard: restored " + std::to_string(restored) + " blocklist entries from " + path + " (" +
      std::to_string(expired) + " expired, " + std::to_string(bad.size()) + " unreadable)");
  if (bad.empty()) return;
  // The next save would replace what could not be read: keep the original first.
  ++control_.state_corrupt;
  const std::string aside = keep_aside(path, wall, err);
  say(aside.empty() ? "ampguard: " + err : "ampguard: the original state file is kept as " + aside);
}

void Runtime::run() {
  using clock = std::chrono::steady_clock;
  uint64_t last_rx = ~uint64_t(0);
  auto last_change = clock::now();
  while (!g_signal_stop.load(std::memory_order_relaxed)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    control_step();
    if (settings_.exit_when_idle_ms == 0) continue;
    const uint64_t rx = appliance_.rx_packets();
    const auto now = clock::now();
    if (rx != last_rx) {
      last_rx = rx;
      last_change = now;
    } else if (now - last_change >= std::chrono::milliseconds(settings_.exit_when_idle_ms)) {
      break;
    }
  }
  stop();
}

StatsTotals Runtime::totals() const {
  StatsTotals t;
  appliance_.add_totals(t);
  const uint64_t now = shared().now_ns();
  const LimiterTable& limiter = shared().limiter;
  const Blocklist& blocklist = shared().blocklist;
  t.tables.limiter_entries = limiter_census_.step(
      limiter.buckets(), [&](uint32_t first, uint32_t n) { return limiter.size_in(first, n); });
  t.tables.limiter_capacity = shared().limiter.capacity();
  t.tables.block_entries = block_census_.step(blocklist.buckets(), [&](uint32_t first, uint32_t n) {
    return blocklist.size_in(first, n, now);
  });
  t.tables.block_capacity = shared().blocklist.capacity();
  t.tables.proven_capacity = shared().proven.capacity();
  t.config_generation = generation_.load(std::memory_order_relaxed);
  t.capture_frames = shared().capture.frames();
  t.capture_missed = shared().capture.missed();
  t.tables.block_adds += control_tables_.block_adds.get();
  t.tables.block_refreshes += control_tables_.block_refreshes.get();
  t.tables.block_evictions += control_tables_.block_evictions.get();
  return t;
}

void Runtime::refresh_snapshot() {
  snapshot_.publish(totals(), control_totals());
  next_snapshot_ns_ = shared().now_ns() + kSnapshotNs;
}

ControlTotals Runtime::control_totals() const {
  ControlTotals c = control_;
  c.log_written = block_log_.lines_written();
  c.log_suppressed = block_log_.lines_suppressed();
  c.log_dropped = block_log_.lines_dropped();
  if (fleet_) c.fleet = fleet_->totals();
  return c;
}

}  // namespace ampguard
