#include "control/appliance.hpp"

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include <algorithm>
#include <cstdio>

#include "dataplane/ports.hpp"
#include "dataplane/table_memory.hpp"

namespace ampguard {
namespace {

constexpr unsigned kMbufCache = 256;

}  // namespace

Appliance::~Appliance() {
  stop_workers();
  workers_.clear();
  if (ports_started_) {
    stop_port(ports_[unsigned(PortSide::inside)]);
    stop_port(ports_[unsigned(PortSide::outside)]);
  }
  shared_.reset();
  if (pool_ != nullptr) rte_mempool_free(pool_);
  if (pdump_ready_) rte_pdump_uninit();
  if (eal_ready_) rte_eal_cleanup();
}

std::string Appliance::init_eal(const char* argv0, const std::vector<std::string>& eal_args) {
  std::vector<std::string> args = {argv0};
  args.insert(args.end(), eal_args.begin(), eal_args.end());
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

std::string Appliance::start_ports(const Settings& s) {
  const unsigned lcores = rte_lcore_count();
  if (lcores < 2) return "need at least two lcores: the main one for control, one or more workers";
  if (s.inside_port == s.outside_port) return "ports.inside and ports.outside must differ";
  for (uint16_t p : {s.inside_port, s.outside_port})
    if (!rte_eth_dev_is_valid_port(p))
      return "DPDK port " + std::to_string(p) + " does not exist (" +
             std::to_string(rte_eth_dev_count_avail()) + " ports available)";
  const uint16_t wanted = uint16_t(lcores - 1);
  queues_ = std::min(usable_queues(s.inside_port, wanted), usable_queues(s.outside_port, wanted));
  if (queues_ < wanted)
    std::printf("ampguard: the ports have %u queue pair(s): using %u of %u worker lcores\n",
                queues_, queues_, wanted);

  // Every RX and TX descriptor of both ports, the bursts in flight and the per-lcore caches.
  uint32_t mbufs = s.mbufs;
  if (mbufs == 0)
    mbufs = 2u * queues_ * (s.rx_descriptors + s.tx_descriptors) +
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
    ps.queues = queues_;
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
    shared_ = std::make_unique<SharedState>(s.tables, queues_, socket);
  } catch (const std::exception& e) {
    return e.what();
  }
  // stdout like the port lines (the log sink carries events), flushed: scripts wait for it
  std::printf("%s\n", describe_table_memory(shared_->table_memory()).c_str());
  std::fflush(stdout);
  return "";
}

std::string Appliance::launch_workers() {
  WorkerPorts wp;
  wp.port[unsigned(PortSide::inside)] = ports_[unsigned(PortSide::inside)];
  wp.port[unsigned(PortSide::outside)] = ports_[unsigned(PortSide::outside)];
  unsigned lcore = rte_get_next_lcore(-1, 1, 0);
  for (uint16_t q = 0; q < queues_; ++q, lcore = rte_get_next_lcore(lcore, 1, 0)) {
    wp.queue = q;
    std::string err;
    WorkerInstancePtr w = WorkerInstance::create(q, lcore, wp, *shared_, stop_, &err);
    if (!w) return err;
    workers_.push_back(std::move(w));
    if (rte_eal_remote_launch(WorkerInstance::lcore_main, workers_.back().get(), lcore) != 0)
      return "cannot launch worker " + std::to_string(q) + " on lcore " + std::to_string(lcore);
    workers_running_ = true;
  }
  return "";
}

bool Appliance::stop_workers() {
  if (!workers_running_) return false;
  stop_.store(true, std::memory_order_relaxed);
  rte_eal_mp_wait_lcore();
  workers_running_ = false;
  return true;
}

void Appliance::add_totals(StatsTotals& t) const {
  uint64_t first = 0, last = 0;
  for (const WorkerInstancePtr& w : workers_) add_worker_counters(w->counters(), t, first, last);
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
}

std::vector<const WorkerCounters*> Appliance::worker_counters() const {
  std::vector<const WorkerCounters*> out;
  for (const WorkerInstancePtr& w : workers_) out.push_back(&w->counters());
  return out;
}

uint64_t Appliance::rx_packets() const {
  uint64_t rx = 0;
  for (const WorkerInstancePtr& w : workers_)
    for (unsigned p = 0; p < kPortSides; ++p) rx += w->counters().port[p].rx_packets.get();
  return rx;
}

}  // namespace ampguard
