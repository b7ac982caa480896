#include "dataplane/shared_state.hpp"

#include <rte_malloc.h>

#include <ctime>
#include <stdexcept>

#include "dataplane/block_event.hpp"

namespace ampguard {

SharedState::SharedState(const TableSizes& s, unsigned max_workers, int socket)
    : table_hash_key(table_core::random_hash_key()),
      limiter(s.limiter_entries, table_hash_key, socket),
      aggregates(s.limiter_entries, table_hash_key, socket),
      blocklist(s.block_entries, table_hash_key, socket),
      fragments(s.fragment_entries != 0 ? s.fragment_entries : s.limiter_entries, socket),
      proven(s.proven_entries, socket),
      capture(s.capture_slots),
      sizes(s),
      tsc_origin(rte_rdtsc()),
      ns_per_tsc_q32_((kSecond << 32) / rte_get_tsc_hz()) {
  events = rte_ring_create_elem("ampguard_events", sizeof(BlockEvent), s.event_ring, SOCKET_ID_ANY,
                                RING_F_SC_DEQ);
  if (events == nullptr) throw std::runtime_error("cannot create the block event ring");
  const size_t qsbr_size = rte_rcu_qsbr_get_memsize(max_workers);
  qsbr = static_cast<rte_rcu_qsbr*>(rte_zmalloc("ampguard_qsbr", qsbr_size, RTE_CACHE_LINE_SIZE));
  if (qsbr == nullptr || rte_rcu_qsbr_init(qsbr, max_workers) != 0)
    throw std::runtime_error("cannot create the RCU variable");
  sync_unix_clock();
}

void SharedState::sync_unix_clock() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  unix_offset_ns_.store(int64_t(ts.tv_sec) * int64_t(kSecond) + ts.tv_nsec - int64_t(now_ns()),
                        std::memory_order_relaxed);
}

SharedState::~SharedState() {
  delete config_.exchange(nullptr);
  rte_free(qsbr);
  rte_ring_free(events);
}

void SharedState::publish(std::unique_ptr<const DataplaneConfig> next) {
  const DataplaneConfig* old = config_.exchange(next.release(), std::memory_order_acq_rel);
  if (old == nullptr) return;
  // Every registered worker reports a quiescent state once per loop: after this returns, none
  // can still hold `old`.
  rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
  delete old;
}

std::vector<const TableMemory*> SharedState::table_memory() const {
  return {&limiter.memory(),   &limiter.sketch_memory(), &aggregates.memory(),
          &blocklist.memory(), &fragments.memory(),      &proven.memory()};
}

void SharedState::expire_step(const DataplaneConfig& cfg, uint64_t now_ns, TableCounters& c) {
  limiter.expire_step(cfg.limit, cfg.idle_expire_ns, now_ns, c);
  if (cfg.aggregates.n_v4 + cfg.aggregates.n_v6 != 0)
    aggregates.expire_step(cfg.aggregates, now_ns, c);
  blocklist.expire_step(now_ns, c);
}

}  // namespace ampguard
