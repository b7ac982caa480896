// TableMemory with the EAL (eal_main.cpp: --no-huge -m 512): SharedState's tables in DPDK memory,
// and a table larger than the heap falling back to anonymous memory that still works.
#include "dataplane/table_memory.hpp"

#include <gtest/gtest.h>
#include <rte_memory.h>

#include <cstdio>
#include <string>

#include "dataplane/shared_state.hpp"
#include "dataplane/table_core.hpp"

namespace ampguard {
namespace {

TEST(TableMemoryEal, SharedStateTablesAreInDpdkMemory) {
  const SharedState shared(TableSizes{}, 1, 0);
  const auto tables = shared.table_memory();
  ASSERT_EQ(tables.size(), 6u);
  size_t bytes = 0;
  for (const TableMemory* m : tables) {
    EXPECT_TRUE(m->in_dpdk());
    EXPECT_EQ(m->socket(), 0);
    bytes += m->bytes();
  }
  EXPECT_EQ(bytes, shared.limiter.memory_bytes() + shared.limiter.sketch_memory_bytes() +
                       shared.aggregates.memory_bytes() + shared.blocklist.memory().bytes() +
                       shared.fragments.memory().bytes() + shared.proven.memory().bytes());
  EXPECT_EQ(shared.limiter.size(), 0u);  // zero-filled: every slot empty
  char mib[32];
  std::snprintf(mib, sizeof mib, "%.1f MiB", double(bytes) / (1 << 20));
  EXPECT_EQ(describe_table_memory(tables),
            std::string("ampguard: tables: ") + mib + " in DPDK memory (no hugepages) on socket 0");
}

TEST(TableMemoryEal, SocketIdAnyReportsTheSocketItGot) {
  const TableMemory m("test", 1 << 20, SOCKET_ID_ANY);
  EXPECT_TRUE(m.in_dpdk());
  EXPECT_GE(m.socket(), 0);
}

// 1 GiB asked of a 512 MiB heap: anonymous memory instead, and the table works on it (a few
// keys: each touches a page, possibly a 2 MiB one).
TEST(TableMemoryEal, TooLargeForTheHeapFallsBackToAnonymousMemory) {
  table_core::TableCore core(1u << 25, table_core::random_hash_key(), 0);
  const TableMemory& m = core.memory();
  EXPECT_TRUE(m.asked_dpdk());
  EXPECT_FALSE(m.in_dpdk());
  EXPECT_EQ(m.bytes(), size_t(1) << 30);
  TableCounters c;
  for (FlowKey k = 1; k <= 16; ++k)
    EXPECT_EQ(core.upsert(
                  core.hashed(k), [](uint64_t&) { return false; }, [&](uint64_t& s) { s = k; },
                  [](table_core::Snapshot) { return uint64_t(1); }, c),
              table_core::Upserted::inserted);
  uint64_t state = 0;
  for (FlowKey k = 1; k <= 16; ++k) {
    ASSERT_TRUE(core.find(k, state));
    EXPECT_EQ(state, k);
  }
  EXPECT_FALSE(core.find(17, state));
  const TableMemory small("test", 1 << 20, 0);
  const std::string line = describe_table_memory({&small, &m});
  EXPECT_EQ(line.rfind("ampguard: tables: 1.0 MiB in DPDK memory (no hugepages) on socket 0, "
                       "1024.0 MiB in anonymous memory (DPDK memory short: ",
                       0),
            0u)
      << line;
}

}  // namespace
}  // namespace ampguard
