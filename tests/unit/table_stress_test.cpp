// Concurrency: several threads hammer shared and private keys. No timing thresholds: the
// clock is frozen, so every bound below is exact arithmetic, whatever the interleaving.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dataplane/shared_tables.hpp"

namespace ampguard {
namespace {

constexpr uint64_t kNow = 1000ull * 1000000000;
constexpr unsigned kThreads = 4;
constexpr uint32_t kSharedKeys = 8;
constexpr uint32_t kOwnKeys = 20000;

FlowKey shared_key(uint32_t i) { return flow_key_v4(0xc0000200 + i, 32); }
FlowKey own_key(unsigned thread, uint32_t i) {
  return flow_key_v4(0x0a000000 + thread * 0x100000 + i, 32);
}

template <class F>
void run_threads(F&& body) {
  std::atomic<unsigned> ready{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();  // start together
      body(t);
    });
  for (auto& th : threads) th.join();
}

// How many times each key is stored; args are the table's for_each arguments before f.
template <class Table, class... Args>
std::unordered_map<FlowKey, unsigned> copies(const Table& t, Args... args) {
  std::unordered_map<FlowKey, unsigned> n;
  t.for_each(args..., [&](FlowKey k, uint64_t) { ++n[k]; });
  return n;
}

TEST(TableStress, LimiterSharedAndPrivateKeys) {
  LimitProfile p;
  ASSERT_EQ(make_limit_profile(LimitParams{}, p), "");  // burst 10
  LimiterTable table(1000000);  // low load: no window overflows, so nothing may be evicted
  std::vector<TableCounters> counters(kThreads);
  std::vector<std::vector<unsigned>> passed(kThreads, std::vector<unsigned>(kSharedKeys));
  run_threads([&](unsigned t) {
    for (uint32_t i = 0; i < kOwnKeys; ++i) {
      EXPECT_EQ(table.admit(own_key(t, i), 700, p, kNow, counters[t]), Admit::pass);
      passed[t][i % kSharedKeys] +=
          table.admit(shared_key(i % kSharedKeys), 700, p, kNow, counters[t]) == Admit::pass;
    }
  });
  uint64_t evictions = 0;
  for (const auto& c : counters) evictions += c.limiter_evictions.get();
  EXPECT_EQ(evictions, 0u);
  for (uint32_t k = 0; k < kSharedKeys; ++k) {
    unsigned total = 0;
    for (unsigned t = 0; t < kThreads; ++t) total += passed[t][k];
    EXPECT_GE(total, 10u);
    EXPECT_LE(total, 10u + kThreads - 1) << "at most one extra per racing inserter";
  }
  const auto n = copies(table);
  EXPECT_EQ(n.size(), kThreads * kOwnKeys + kSharedKeys);
  for (const auto& [k, count] : n) EXPECT_EQ(count, 1u) << "key " << k << " duplicated";
  EXPECT_EQ(table.size(), kThreads * kOwnKeys + kSharedKeys);
}

TEST(TableStress, LimiterRacingInsertsOfOneKeyNeverDuplicate) {
  LimitProfile p;
  ASSERT_EQ(make_limit_profile(LimitParams{}, p), "");
  LimiterTable table(1000);
  std::vector<TableCounters> counters(kThreads);
  std::vector<unsigned> passed(kThreads);
  for (uint32_t round = 0; round < 300; ++round) {
    const FlowKey k = shared_key(100000 + round);
    run_threads([&](unsigned t) {
      passed[t] = 0;
      for (int i = 0; i < 5; ++i)
        passed[t] += table.admit(k, 700, p, kNow, counters[t]) == Admit::pass;
    });
    unsigned total = 0;
    for (unsigned t = 0; t < kThreads; ++t) total += passed[t];
    ASSERT_GE(total, 10u);
    ASSERT_LE(total, 10u + kThreads - 1);
    unsigned present = 0;
    table.for_each([&](FlowKey key, uint64_t) { present += key == k; });
    ASSERT_EQ(present, 1u) << "round " << round;
    table.expire_step(p, 0, kNow + 100ull * 1000000000, counters[0]);
  }
}

TEST(TableStress, BlocklistConcurrentBlockAndRemove) {
  Blocklist list(1000000);
  std::vector<TableCounters> counters(kThreads);
  run_threads([&](unsigned t) {
    for (uint32_t i = 0; i < kOwnKeys; ++i) {
      list.block(own_key(t, i), kNow + 600 + i, kNow, counters[t]);
      list.block(shared_key(i % kSharedKeys), kNow + i, kNow, counters[t]);
      EXPECT_TRUE(list.contains(own_key(t, i), kNow));
      if (i % 2 == 1) {
        EXPECT_TRUE(list.remove(own_key(t, i)));
      }
    }
  });
  const auto n = copies(list, kNow);
  EXPECT_EQ(n.size(), kThreads * kOwnKeys / 2 + kSharedKeys);
  for (const auto& [k, count] : n) EXPECT_EQ(count, 1u) << "key " << k << " duplicated";
  uint64_t evictions = 0;
  for (const auto& c : counters) evictions += c.block_evictions.get();
  EXPECT_EQ(evictions, 0u);
}

// Issue 15 (torn snapshot): a slot that changes K -> J -> K between a reader's loads must not
// pair K with J's state. K is always in credit and J always over its limit, so any over-limit
// judgement of K acts on J's state. A writer thread flips the slot all along; to drive
// the exact interleaving, signals interrupt the readers anywhere (also between two loads of one
// snapshot) and the handler flips K -> J -> K on the reader's own thread before it resumes.
constexpr uint64_t kGood = 1, kBad = 2, kFiller = 3;
constexpr FlowKey kK = 0x1111, kJ = 0x2222;
table_core::TableCore* g_torn_core = nullptr;
TableCounters g_handler_counters[2];
std::atomic<uint64_t> g_flips[2];

uint64_t keep_fillers(table_core::Snapshot s) {
  return s.key == kK || s.key == kJ ? uint64_t(0) : ~uint64_t(0);
}

void flip(table_core::TableCore& core, TableCounters& c) {
  core.upsert(
      core.hashed(kJ), [](uint64_t&) { return false; }, [](uint64_t& st) { st = kBad; },
      keep_fillers, c);
  core.upsert(
      core.hashed(kK), [](uint64_t&) { return false; }, [](uint64_t& st) { st = kGood; },
      keep_fillers, c);
}

thread_local unsigned t_reader = 0;
void flip_handler(int) {
  flip(*g_torn_core, g_handler_counters[t_reader]);
  g_flips[t_reader].fetch_add(1);
}

TEST(TableStress, TornSnapshotNeverJudgesWithAnotherKeysState) {
  table_core::TableCore core(4);  // two buckets: every key's window is the whole table
  g_torn_core = &core;
  TableCounters setup;
  for (FlowKey f = 1; f < core.capacity(); ++f)
    core.upsert(
        core.hashed(f), [](uint64_t&) { return false; }, [](uint64_t& st) { st = kFiller; },
        keep_fillers, setup);
  flip(core, setup);
  struct sigaction sa {};
  sa.sa_handler = flip_handler;
  ASSERT_EQ(sigaction(SIGUSR1, &sa, nullptr), 0);
  constexpr unsigned kSignals = 3000;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> false_over{0};
  std::vector<TableCounters> counters(3);
  std::atomic<unsigned> started{0};
  auto reader = [&](unsigned r) {
    t_reader = r;
    started.fetch_add(1);  // a signal before this line would count its flip as reader 0's
    while (!stop.load(std::memory_order_relaxed)) {
      bool over = false;
      core.upsert(
          core.hashed(kK),
          [&](uint64_t& st) {
            over = st != kGood;
            return false;  // no write: the decision rests on the snapshot alone
          },
          [&](uint64_t& st) {
            over = false;
            st = kGood;
          },
          keep_fillers, counters[r]);
      if (over) false_over.fetch_add(1);
    }
  };
  std::thread readers[2] = {std::thread(reader, 0), std::thread(reader, 1)};
  std::thread writer([&] {
    while (!stop.load(std::memory_order_relaxed)) flip(core, counters[2]);
  });
  while (started.load() < 2) std::this_thread::yield();
  for (unsigned i = 0; i < kSignals; ++i) {
    const unsigned r = i % 2;
    const uint64_t before = g_flips[r].load();
    pthread_kill(readers[r].native_handle(), SIGUSR1);
    while (g_flips[r].load() == before) std::this_thread::yield();  // one flip per signal
  }
  stop = true;
  for (auto& th : readers) th.join();
  writer.join();
  signal(SIGUSR1, SIG_DFL);
  EXPECT_EQ(false_over.load(), 0u);
}

}  // namespace
}  // namespace ampguard
