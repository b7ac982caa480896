// Microbenchmark: the shared tables against a 100,000-entry table, with 1 k, 100 k and 10 M
// distinct keys offered in a cycle (10 M: every key is new when it comes back, so every admit
// inserts and evicts). Cycles per operation from the TSC. Each op is timed alone (its cache
// misses are exposed) and, for the limiter, in bursts of 32 prefetched first as the pipeline
// does (the misses overlap).
#include <benchmark/benchmark.h>

#include <string>

#include "bench/micro/trace_frames.hpp"
#include "dataplane/rate_limit.hpp"
#include "dataplane/shared_tables.hpp"

namespace ampguard::bench {
namespace {

constexpr uint32_t kTableEntries = 100'000;
constexpr uint64_t kNsPerOp = 100;  // the clock advances as at 10 Mpps

// The i-th of the offered keys: distinct IPv4 /32 keys (an odd multiplier is a bijection).
inline FlowKey key_at(uint32_t i) { return flow_key_v4(i * 0x9E3779B1u, 32); }

// Cycles through [0, n) without a division per step.
struct KeyCycle {
  uint32_t n, i = 0;
  FlowKey next() {
    const FlowKey k = key_at(i);
    if (++i == n) i = 0;
    return k;
  }
};

LimitProfile recipe_profile() {
  LimitParams p;  // the recipe: 50/min, burst 10, packets mode
  LimitProfile prof;
  const std::string err = make_limit_profile(p, prof);
  if (!err.empty()) throw std::runtime_error(err);
  return prof;
}

void set_labels(benchmark::State& state, const TableCounters& c, uint64_t ops) {
  state.counters["inserts_per_op"] = double(c.limiter_inserts.get() + c.block_adds.get()) / ops;
  state.counters["evictions_per_op"] =
      double(c.limiter_evictions.get() + c.block_evictions.get()) / ops;
}

void BM_LimiterAdmit(benchmark::State& state) {
  LimiterTable t(kTableEntries);
  const LimitProfile prof = recipe_profile();
  WorkerCounters wc;
  KeyCycle keys{uint32_t(state.range(0))};
  uint64_t now = 1'000'000'000, passed = 0;
  const CycleMeter meter;
  for (auto _ : state) {
    passed += t.admit(keys.next(), 1200, prof, now, wc.tables) == Admit::pass;
    now += kNsPerOp;
  }
  meter.report(state, state.iterations());
  state.counters["pass_share"] = double(passed) / double(state.iterations());
  set_labels(state, wc.tables, state.iterations());
}

// 32 keys prefetched, then 32 admits: the pipeline's staged pattern.
void BM_LimiterAdmitBurst32(benchmark::State& state) {
  LimiterTable t(kTableEntries);
  const LimitProfile prof = recipe_profile();
  WorkerCounters wc;
  KeyCycle keys{uint32_t(state.range(0))};
  HashedKey burst[32];
  uint64_t now = 1'000'000'000;
  const CycleMeter meter;
  for (auto _ : state) {
    for (HashedKey& k : burst) {
      k = t.hashed(keys.next());  // hashed once, as the pipeline does
      t.prefetch(k);
    }
    const uint64_t clock = limit_clock(prof, now);
    for (const HashedKey& k : burst)
      benchmark::DoNotOptimize(t.admit_at(k, 1200, prof, clock, wc.tables));
    now += 32 * kNsPerOp;
  }
  const uint64_t ops = uint64_t(state.iterations()) * 32;
  meter.report(state, ops);
  set_labels(state, wc.tables, ops);
}

// The blocklist as a flood meets it: holding the most recent keys of the cycle (all of them
// when they fit), looked up in cycle order.
void BM_BlocklistContains(benchmark::State& state) {
  Blocklist t(kTableEntries);
  WorkerCounters wc;
  const uint32_t n = uint32_t(state.range(0));
  const uint64_t expires = 1'000'000'000'000;
  for (uint32_t i = n > 2 * kTableEntries ? n - 2 * kTableEntries : 0; i < n; ++i)
    t.block(key_at(i), expires, 0, wc.tables);
  KeyCycle keys{n};
  uint64_t now = 1'000'000'000, hits = 0;
  const CycleMeter meter;
  for (auto _ : state) {
    hits += t.contains(keys.next(), now);
    now += kNsPerOp;
  }
  meter.report(state, state.iterations());
  state.counters["hit_share"] = double(hits) / double(state.iterations());
}

// block(): refreshes (without writes) when the keys fit, add + evict on every call at 10 M.
void BM_BlocklistBlock(benchmark::State& state) {
  Blocklist t(kTableEntries);
  WorkerCounters wc;
  KeyCycle keys{uint32_t(state.range(0))};
  uint64_t now = 1'000'000'000;
  const CycleMeter meter;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.block(keys.next(), now + 600'000'000'000, now, wc.tables));
    now += kNsPerOp;
  }
  meter.report(state, state.iterations());
  set_labels(state, wc.tables, state.iterations());
}

void key_counts(benchmark::internal::Benchmark* b) {
  b->ArgName("keys")->Arg(1'000)->Arg(100'000)->Arg(10'000'000);
}

BENCHMARK(BM_LimiterAdmit)->Apply(key_counts);
BENCHMARK(BM_LimiterAdmitBurst32)->Apply(key_counts);
BENCHMARK(BM_BlocklistContains)->Apply(key_counts);
BENCHMARK(BM_BlocklistBlock)->Apply(key_counts);

}  // namespace
}  // namespace ampguard::bench
