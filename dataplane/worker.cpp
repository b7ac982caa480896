#include "dataplane/worker.hpp"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <new>

namespace ampguard {
namespace {

// Expiry sweeps are bounded steps; one every this many loop iterations keeps them off the
// per-burst cost while still walking a 100k-entry table many times a second.
constexpr uint32_t kExpireEvery = 16;

// ports.idle-pause: sleep only after this many empty loops in a row, so that the gaps inside
// a busy stream never cost a wake-up.
constexpr uint32_t kEmptyLoopsBeforePause = 256;

}  // namespace

WorkerInstance::WorkerInstance(uint16_t id, unsigned lcore, WorkerPorts ports, SharedState& shared,
                               const std::atomic<bool>& stop)
    : ports_(ports), lcore_(lcore), stop_(stop) {
  ctx_.id = id;
  ctx_.shared = &shared;
  ctx_.counters = &counters_;
}

WorkerInstancePtr WorkerInstance::create(uint16_t id, unsigned lcore, WorkerPorts ports,
                                         SharedState& shared, const std::atomic<bool>& stop,
                                         std::string* error) {
  const int socket = int(rte_lcore_to_socket_id(lcore));
  void* at = rte_zmalloc_socket("ampguard_worker", sizeof(WorkerInstance), alignof(WorkerInstance),
                                socket);
  if (at == nullptr)
    at = rte_zmalloc_socket("ampguard_worker", sizeof(WorkerInstance), alignof(WorkerInstance),
                            SOCKET_ID_ANY);
  if (at == nullptr) {
    *error = "cannot allocate worker " + std::to_string(id) + " (" +
             std::to_string(sizeof(WorkerInstance)) + " B) for lcore " + std::to_string(lcore) +
             ": DPDK memory exhausted";
    return nullptr;
  }
  return WorkerInstancePtr(new (at) WorkerInstance(id, lcore, ports, shared, stop));
}

void WorkerInstanceFree::operator()(WorkerInstance* w) const {
  w->~WorkerInstance();
  rte_free(w);
}

int WorkerInstance::lcore_main(void* arg) {
  static_cast<WorkerInstance*>(arg)->run();
  return 0;
}

void WorkerInstance::transmit(uint16_t port, rte_mbuf** pkts, uint16_t n, PortCounters& pc) {
  if (n == 0) return;
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < n; ++i) bytes += rte_pktmbuf_pkt_len(pkts[i]);
  const uint16_t sent = rte_eth_tx_burst(port, ports_.queue, pkts, n);
  for (uint16_t i = sent; i < n; ++i) bytes -= rte_pktmbuf_pkt_len(pkts[i]);
  pc.tx_packets.add(sent);
  pc.tx_bytes.add(bytes);
  if (sent < n) {
    // A full TX ring: drop and count, never wait on the hot path.
    pc.tx_dropped.add(n - sent);
    rte_pktmbuf_free_bulk(pkts + sent, n - sent);
  }
}

uint16_t WorkerInstance::poll(PortSide side, const DataplaneConfig& cfg, uint64_t now_ns) {
  rte_mbuf* pkts[kBurstSize];
  const uint16_t port = ports_.port[unsigned(side)];
  const uint16_t n = rte_eth_rx_burst(port, ports_.queue, pkts, kBurstSize);
  if (n == 0) return 0;
  WorkerCounters& c = counters_;
  if (c.first_rx_tsc.get() == 0) c.first_rx_tsc.set(rte_rdtsc());
  if (n == kBurstSize) c.rx_full_bursts.add();
  BurstOut out;
  process_burst(ctx_, cfg, side, pkts, n, now_ns, out);
  const PortSide other = side == PortSide::inside ? PortSide::outside : PortSide::inside;
  transmit(ports_.port[unsigned(other)], out.to_other, out.n_other, c.port[unsigned(other)]);
  transmit(port, out.to_same, out.n_same, c.port[unsigned(side)]);
  if (out.n_drop != 0) rte_pktmbuf_free_bulk(out.drop, out.n_drop);
  // Counted last: whoever reads a burst as received finds its output already on the TX rings.
  c.port[unsigned(side)].rx_packets.add(n);
  c.port[unsigned(side)].rx_bytes.add(out.rx_bytes);
  c.last_rx_tsc.set(rte_rdtsc());
  return n;
}

void WorkerInstance::run() {
  SharedState& shared = *ctx_.shared;
  rte_rcu_qsbr_thread_register(shared.qsbr, ctx_.id);
  rte_rcu_qsbr_thread_online(shared.qsbr, ctx_.id);
  WorkerCounters& c = counters_;
  uint32_t loops = 0, empty_loops = 0;
  // relaxed: the flag only asks us to stop; nothing is published through it.
  while (!stop_.load(std::memory_order_relaxed)) {
    const uint64_t now_ns = shared.now_ns();  // the TSC, read once per loop
    const DataplaneConfig& cfg = *shared.config();
    const uint32_t got = poll(PortSide::inside, cfg, now_ns) + poll(PortSide::outside, cfg, now_ns);
    const uint64_t pause_ns = cfg.idle_pause_ns;
    if (++loops % kExpireEvery == 0) {
      shared.expire_step(cfg, now_ns, c.tables);
    }
    // Past this point we hold no reference to cfg: a reload may free it.
    rte_rcu_qsbr_quiescent(shared.qsbr, ctx_.id);
    empty_loops = got != 0 ? 0 : empty_loops + 1;
    if (pause_ns != 0 && empty_loops >= kEmptyLoopsBeforePause) [[unlikely]] {
      // A plain nanosleep, not rte_power_ethdev_pmgmt_queue_enable: its pause and monitor modes
      // keep the thread on the CPU (TPAUSE/UMWAIT; monitor needs a PMD monitor address, which
      // vdevs lack) and scale mode needs cpufreq; only a sleep lets other processes have the
      // core. At most ports.idle-pause (<= 1 ms) + timer slack, only after a run of empty polls.
      rte_delay_us_sleep(unsigned((pause_ns + 999) / 1000));
      c.idle_pauses.add();
    }
  }
  rte_rcu_qsbr_thread_offline(shared.qsbr, ctx_.id);
  rte_rcu_qsbr_thread_unregister(shared.qsbr, ctx_.id);
}

}  // namespace ampguard
