#include "control/runtime.hpp"

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

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
#include "dataplane/ports.hpp"
#include "dataplane/table_memory.hpp"

namespace ampguard {

std::atomic<bool> g_signal_stop{false};
std::atomic<bool> g_signal_reload{false};

namespace {

constexpr unsigned kMbufCache = 256;
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
  // telemetry thread an /ampguard/* request.
  metrics_.stop();
  if (telemetry_) telemetry_detach();
  stop();
  workers_.clear();
  if (ports_started_) {
    stop_port(settings_.inside_port);
    stop_port(settings_.outside_port);
  }
  shared_.reset();
  if (pool_ != nullptr) rte_mempool_free(pool_);
  if (pdump_ready_) rte_pdump_uninit();
  if (eal_ready_) rte_eal_cleanup();
}

std::string Runtime::init_eal(const char* argv0) {
  std::vector<std::string> args = {argv0};
  args.insert(args.end(), settings_.eal_args.begin(), settings_.eal_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  if (rte_eal_init(int(argv.size()), argv.data()) < 0)
    return std::string("EAL initialisation failed: ") + rte_strerror(rte_errno);
  eal_ready_ = true;
  // Lets dpdk-dumpcap and dpdk-pdump, as secondary processes, ask for a port's traffic. It
  // costs nothing until they do: pdump installs its RX/TX callbacks only while a capture
  // runs. Without multi-process (--in-memory, --no-shconf) no secondary can ever attach.
  pdump_ready_ = rte_pdump_init() == 0;
  if (!pdump_ready_)
    std::printf("ampguard: dpdk-dumpcap unavailable: rte_pdump_init: %s\n",
                rte_strerror(rte_errno));
  return "";
}

std::string Runtime::start() {
  const unsigned lcores = rte_lcore_count();
  if (lcores < 2) return "need at least two lcores: the main one for control, one or more workers";
  const Settings& s = settings_;
  if (s.inside_port == s.outside_port) return "ports.inside and ports.outside must differ";
  for (uint16_t p : {s.inside_port, s.outside_port})
    if (!rte_eth_dev_is_valid_port(p))
      return "DPDK port " + std::to_string(p) + " does not exist (" +
             std::to_string(rte_eth_dev_count_avail()) + " ports available)";
  const uint16_t wanted = uint16_t(lcores - 1);
  uint16_t queues =
      std::min(usable_queues(s.inside_port, wanted), usable_queues(s.outside_port, wanted));
  if (queues < wanted)
    std::printf("ampguard: the ports have %u queue pair(s): using %u of %u worker lcores\n", queues,
                queues, wanted);

  // Every RX and TX descriptor of both ports, the bursts in flight and the per-lcore caches.
  uint32_t mbufs = s.mbufs;
  if (mbufs == 0)
    mbufs = 2u * queues * (s.rx_descriptors + s.tx_descriptors) +
            lcores * (kMbufCache + 2 * kBurstSize) + 1024;
  // On the ports' socket: the NIC DMAs into these buffers and the workers read them.
  const int socket = ports_socket(s.inside_port, s.outside_port);
  const uint16_t mtu = uint16_t(s.mtu);
  pool_ =
      rte_pktmbuf_pool_create("ampguard_mbufs", mbufs, kMbufCache, 0, mbuf_data_room(mtu), socket);
  if (pool_ == nullptr)
    return "cannot allocate " + std::to_string(mbufs) + " mbufs: " + rte_strerror(rte_errno) +
           " (more hugepages, or a smaller ports.mbufs)";

  for (auto [port, side] :
       {std::pair{s.inside_port, PortSide::inside}, std::pair{s.outside_port, PortSide::outside}}) {
    PortSetup ps;
    ps.port_id = port;
    ps.side = side;
    ps.queues = queues;
    ps.rx_descriptors = s.rx_descriptors;
    ps.tx_descriptors = s.tx_descriptors;
    ps.mtu = mtu;
    const std::string err = start_port(ps, pool_);
    if (!err.empty()) return err;
  }
  ports_started_ = true;
  ports_[unsigned(PortSide::inside)] = s.inside_port;
  ports_[unsigned(PortSide::outside)] = s.outside_port;

  if (s.tables.limiter_entries < 8 || s.tables.block_entries < 8)
    return "limit.max-entries and block.max-entries must be at least 8";
  try {
    // On the ports' socket, like the packet pool: the workers probe the tables for every frame.
    shared_ = std::make_unique<SharedState>(s.tables, queues, socket);
  } catch (const std::exception& e) {
    return e.what();
  }
  // stdout like the port lines (the log sink carries events), flushed: scripts wait for it
  std::printf("%s\n", describe_table_memory(shared_->table_memory()).c_str());
  std::fflush(stdout);
  auto cfg = std::make_unique<DataplaneConfig>();
  const std::string err = build_dataplane_config(s, *cfg);
  if (!err.empty()) return err;
  cfg->generation = 1;
  shared_->publish(std::move(cfg));
  generation_.store(1, std::memory_order_relaxed);
  configure_block_log();
  // Before the workers start: not one packet may pass that the saved blocklist would drop.
  if (!s.block_state_file.empty()) restore_state();

  counters_ = std::make_unique<WorkerCounters[]>(queues);
  Worker::set_stop_flag(&stop_);
  unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  for (uint16_t q = 0; q < queues; ++q, lcore = rte_get_next_lcore(lcore, 1, 0)) {
    WorkerPorts wp;
    wp.port[unsigned(PortSide::inside)] = s.inside_port;
    wp.port[unsigned(PortSide::outside)] = s.outside_port;
    wp.queue = q;
    workers_.push_back(std::make_unique<Worker>(q, wp, *shared_, counters_[q]));
    if (rte_eal_remote_launch(Worker::lcore_main, workers_.back().get(), lcore) != 0)
      return "cannot launch worker " + std::to_string(q) + " on lcore " + std::to_string(lcore);
    workers_running_ = true;
  }
  return "";
}

void Runtime::stop() {
  if (!workers_running_) return;
  stop_.store(true, std::memory_order_relaxed);
  rte_eal_mp_wait_lcore();
  workers_running_ = false;
  if (fleet_) fleet_->stop();  // a clean stop withdraws this box's routes
  drain_events();
  if (capture_) {
    capture_->step(shared_->now_ns());  // what the workers copied before they stopped
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
  const DataplaneConfig& cfg = *shared_->config();
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
  const DataplaneConfig& cfg = *shared_->config();
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
  const std::string terr = telemetry_attach([this] { return snapshot_.totals(); }, shared_.get());
  if (!terr.empty()) say("ampguard: warning: " + terr);
  telemetry_ = terr.empty();
  publish_telemetry();
  const std::string ferr = start_fleet();
  if (!ferr.empty()) return ferr;
  services_ = true;
  next_save_ns_ = shared_->now_ns() + save_interval_ns_;
  return "";
}

void Runtime::control_step() {
  if (g_signal_reload.exchange(false)) {
    reload();
    refresh_snapshot();
  }
  drain_events();
  const uint64_t now = shared_->now_ns();
  if (now >= next_reconcile_ns_) {
    block_log_.reconcile(shared_->blocklist, now);
    shared_->sync_unix_clock();
    next_reconcile_ns_ = now + kReconcileNs;
  }
  if (!services_) return;
  if (now >= next_snapshot_ns_) refresh_snapshot();
  socket_.poll([this](const std::string& request) { return command(request); });
  if (capture_ && capture_->step(now)) finish_capture();
  if (fleet_) fleet_->step(*shared_, block_log_, control_tables_, now);
  if (telemetry_generation_ != generation_.load(std::memory_order_relaxed)) publish_telemetry();
  if (!settings_.block_state_file.empty() && (save_due_ || now >= next_save_ns_)) {
    const std::string err = save_state();
    if (!err.empty()) say("ampguard: " + err);
  }
}

void Runtime::drain_events() {
  BlockEvent e;
  const uint64_t timeout = shared_->config()->block_timeout_ns;
  while (rte_ring_sc_dequeue_elem(shared_->events, &e, sizeof e) == 0)
    block_log_.on_event(e, timeout, shared_->now_ns());
}

std::string Runtime::save_state() {
  save_due_ = false;
  const uint64_t now = shared_->now_ns();
  next_save_ns_ = now + save_interval_ns_;
  const DataplaneConfig& cfg = *shared_->config();
  const uint64_t wall = unix_now();
  std::vector<SavedBlock> entries;
  shared_->blocklist.for_each(now, [&](FlowKey key, uint64_t expires_ns) {
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
  const DataplaneConfig& cfg = *shared_->config();
  const uint64_t now = shared_->now_ns(), wall = unix_now();
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
    shared_->blocklist.block(key, now + ttl, now, restore_counters);
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
    uint64_t rx = 0;
    for (size_t w = 0; w < workers_.size(); ++w)
      for (unsigned p = 0; p < kPortSides; ++p) rx += counters_[w].port[p].rx_packets.get();
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
  uint64_t first = 0, last = 0;
  for (size_t w = 0; w < workers_.size(); ++w) add_worker_counters(counters_[w], t, first, last);
  if (last > first) t.forwarding_seconds = double(last - first) / double(rte_get_tsc_hz());
  for (unsigned p = 0; p < kPortSides; ++p) {
    rte_eth_stats es{};
    if (rte_eth_stats_get(ports_[p], &es) != 0) continue;
    t.port[p].ipackets = es.ipackets;
    t.port[p].opackets = es.opackets;
    t.port[p].imissed = es.imissed;
    t.port[p].rx_nombuf = es.rx_nombuf;
    t.port[p].oerrors = es.oerrors;
  }
  const uint64_t now = shared_->now_ns();
  const LimiterTable& limiter = shared_->limiter;
  const Blocklist& blocklist = shared_->blocklist;
  t.tables.limiter_entries = limiter_census_.step(
      limiter.buckets(), [&](uint32_t first, uint32_t n) { return limiter.size_in(first, n); });
  t.tables.limiter_capacity = shared_->limiter.capacity();
  t.tables.block_entries = block_census_.step(blocklist.buckets(), [&](uint32_t first, uint32_t n) {
    return blocklist.size_in(first, n, now);
  });
  t.tables.block_capacity = shared_->blocklist.capacity();
  t.tables.proven_capacity = shared_->proven.capacity();
  t.config_generation = generation_.load(std::memory_order_relaxed);
  t.capture_frames = shared_->capture.frames();
  t.capture_missed = shared_->capture.missed();
  t.tables.block_adds += control_tables_.block_adds.get();
  t.tables.block_refreshes += control_tables_.block_refreshes.get();
  t.tables.block_evictions += control_tables_.block_evictions.get();
  return t;
}

void Runtime::refresh_snapshot() {
  snapshot_.publish(totals(), control_totals());
  next_snapshot_ns_ = shared_->now_ns() + kSnapshotNs;
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
