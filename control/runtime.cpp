#include "control/runtime.hpp"

#include <arpa/inet.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "dataplane/block_event.hpp"
#include "dataplane/ports.hpp"

namespace ampguard {

std::atomic<bool> g_signal_stop{false};

namespace {

constexpr unsigned kMbufCache = 256;
constexpr const char* kLogPrefix = "DNS-amplification protection: ";

std::string format_addr(L3 l3, const std::array<uint8_t, 16>& a) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(l3 == L3::ipv4 ? AF_INET : AF_INET6, a.data(), buf, sizeof buf);
  return buf;
}

}  // namespace

Runtime::Runtime(Settings settings) : settings_(std::move(settings)) {}

Runtime::~Runtime() {
  stop();
  workers_.clear();
  if (ports_started_) {
    stop_port(settings_.inside_port);
    stop_port(settings_.outside_port);
  }
  shared_.reset();
  if (pool_ != nullptr) rte_mempool_free(pool_);
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
  uint16_t queues = std::min(usable_queues(s.inside_port, wanted), usable_queues(s.outside_port, wanted));
  if (queues < wanted)
    std::printf("ampguard: the ports have %u queue pair(s): using %u of %u worker lcores\n", queues,
                queues, wanted);

  // Every RX and TX descriptor of both ports, the bursts in flight and the per-lcore caches.
  uint32_t mbufs = s.mbufs;
  if (mbufs == 0)
    mbufs = 2u * queues * (s.rx_descriptors + s.tx_descriptors) + lcores * (kMbufCache + 2 * kBurstSize) + 1024;
  pool_ = rte_pktmbuf_pool_create("ampguard_mbufs", mbufs, kMbufCache, 0,
                                  RTE_MBUF_DEFAULT_BUF_SIZE, int(rte_socket_id()));
  if (pool_ == nullptr)
    return "cannot allocate " + std::to_string(mbufs) + " mbufs: " + rte_strerror(rte_errno) +
           " (more hugepages, or a smaller ports.mbufs)";

  for (auto [port, side] : {std::pair{s.inside_port, PortSide::inside}, std::pair{s.outside_port, PortSide::outside}}) {
    PortSetup ps;
    ps.port_id = port;
    ps.side = side;
    ps.queues = queues;
    ps.rx_descriptors = s.rx_descriptors;
    ps.tx_descriptors = s.tx_descriptors;
    const std::string err = start_port(ps, pool_);
    if (!err.empty()) return err;
  }
  ports_started_ = true;

  if (s.tables.limiter_entries < 8 || s.tables.block_entries < 8)
    return "limit.max-entries and block.max-entries must be at least 8";
  try {
    shared_ = std::make_unique<SharedState>(s.tables, queues);
  } catch (const std::exception& e) {
    return e.what();
  }
  auto cfg = std::make_unique<DataplaneConfig>();
  const std::string err = build_dataplane_config(s, *cfg);
  if (!err.empty()) return err;
  cfg->generation = 1;
  shared_->publish(std::move(cfg));

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
  drain_events();
}

void Runtime::control_step() { drain_events(); }

void Runtime::drain_events() {
  BlockEvent e;
  char line[256];
  while (rte_ring_sc_dequeue_elem(shared_->events, &e, sizeof e) == 0) {
    std::snprintf(line, sizeof line, "%sblocked %s for %llus: %u-byte response over its limit (worker %u)",
                  kLogPrefix, format_addr(e.l3, e.addr).c_str(),
                  (unsigned long long)(shared_->config()->block_timeout_ns / 1'000'000'000),
                  e.ip_total_len, e.worker);
    if (log_) {
      log_(line);
    } else {
      std::printf("%s\n", line);
      std::fflush(stdout);
    }
  }
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
  const uint16_t ports[kPortSides] = {settings_.inside_port, settings_.outside_port};
  for (unsigned p = 0; p < kPortSides; ++p) {
    rte_eth_stats es{};
    if (rte_eth_stats_get(ports[p], &es) != 0) continue;
    t.port[p].ipackets = es.ipackets;
    t.port[p].opackets = es.opackets;
    t.port[p].imissed = es.imissed;
    t.port[p].rx_nombuf = es.rx_nombuf;
    t.port[p].oerrors = es.oerrors;
  }
  const uint64_t now = shared_->now_ns();
  t.tables.limiter_entries = shared_->limiter.size();
  t.tables.limiter_capacity = shared_->limiter.capacity();
  t.tables.block_entries = shared_->blocklist.size(now);
  t.tables.block_capacity = shared_->blocklist.capacity();
  t.config_generation = shared_->config()->generation;
  return t;
}

}  // namespace ampguard
