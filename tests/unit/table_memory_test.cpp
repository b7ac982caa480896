// TableMemory without the EAL: anonymous memory, zero-filled, and the tables built on it.
#include "dataplane/table_memory.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include "dataplane/overflow.hpp"
#include "dataplane/shared_tables.hpp"

namespace ampguard {
namespace {

bool all_zero(const TableMemory& m) {
  const auto* p = static_cast<const uint8_t*>(m.data());
  for (size_t i = 0; i < m.bytes(); ++i)
    if (p[i] != 0) return false;
  return true;
}

TEST(TableMemory, WithoutASocketIsAnonymousZeroedAndAligned) {
  const TableMemory m("test", 3 << 20);
  EXPECT_FALSE(m.in_dpdk());
  EXPECT_FALSE(m.asked_dpdk());
  EXPECT_EQ(m.bytes(), size_t(3) << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(m.data()) % 64, 0u);
  EXPECT_TRUE(all_zero(m));
}

// The default of every table: no EAL needed, so unit tests and tools keep working.
TEST(TableMemory, TablesDefaultToAnonymousZeroedMemory) {
  const LimiterTable limiter(1000);
  const Blocklist blocklist(1000);
  const AggregateTable aggregates(1000);
  const FragmentTable fragments(1000);
  const ProvenQueries proven(1000);
  const DebtSketch sketch(1000);
  for (const TableMemory* m :
       {&limiter.memory(), &limiter.sketch_memory(), &blocklist.memory(), &aggregates.memory(),
        &fragments.memory(), &proven.memory(), &sketch.memory()}) {
    EXPECT_FALSE(m->in_dpdk());
    EXPECT_GT(m->bytes(), 0u);
    EXPECT_TRUE(all_zero(*m));
  }
  EXPECT_EQ(limiter.memory().bytes(), limiter.memory_bytes());
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(TableMemory, TheStartLineSumsAnonymousTables) {
  const TableMemory a("a", 1 << 20), b("b", 1 << 19);
  EXPECT_EQ(describe_table_memory({&a, &b}), "ampguard: tables: 1.5 MiB in anonymous memory");
}

}  // namespace
}  // namespace ampguard
