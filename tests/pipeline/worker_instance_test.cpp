// One WorkerInstance per lcore, in DPDK memory on its lcore's socket, owning its counters
// (issue 16: ownership visible in types; issue 17: NUMA placement).
#include <gtest/gtest.h>
#include <rte_lcore.h>
#include <rte_memory.h>

#include <atomic>
#include <string>

#include "dataplane/worker.hpp"

namespace ampguard {
namespace {

TEST(WorkerInstance, LivesInDpdkMemoryOnItsLcoresSocketAndOwnsItsCounters) {
  SharedState shared(TableSizes{}, 2);
  const std::atomic<bool> stop{true};
  const unsigned lcore = rte_get_main_lcore();
  WorkerPorts ports;
  ports.queue = 1;
  std::string err;
  WorkerInstancePtr a = WorkerInstance::create(0, lcore, ports, shared, stop, &err);
  WorkerInstancePtr b = WorkerInstance::create(1, lcore, ports, shared, stop, &err);
  ASSERT_TRUE(a && b) << err;
  for (const WorkerInstance* w : {a.get(), b.get()}) {
    const rte_memseg* seg = rte_mem_virt2memseg(w, nullptr);
    ASSERT_NE(seg, nullptr) << "not in DPDK memory";
    EXPECT_EQ(seg->socket_id, int(rte_lcore_to_socket_id(lcore)));
    EXPECT_EQ(w->lcore(), lcore);
    // Its own cache lines: no false sharing with the other worker's counters.
    EXPECT_EQ(reinterpret_cast<uintptr_t>(&w->counters()) % 64, 0u);
    EXPECT_EQ(w->counters().port[0].rx_packets.get(), 0u);
  }
  EXPECT_NE(&a->counters(), &b->counters());
}

}  // namespace
}  // namespace ampguard
