// Benchmark helper: generates a trace with the tracegen library into temporary pcaps and reads
// its frames back into memory, so every microbenchmark runs on the same wire-format frames the
// full-process benchmark replays. Also a TSC cycle counter for Google Benchmark (the machine
// has no hardware performance counters; the TSC runs at a constant rate).
#pragma once

#include <benchmark/benchmark.h>
#include <pcap/pcap.h>
#include <rte_cycles.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tracegen/trace_generator.hpp"

namespace ampguard::bench {

using Frame = std::vector<uint8_t>;

struct TraceFrames {
  std::vector<Frame> inside;   // frames entering the inside port (responses)
  std::vector<Frame> outside;  // frames entering the outside port (queries, flood)
};

inline std::vector<Frame> read_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (p == nullptr) throw std::runtime_error(std::string("pcap: ") + err);
  std::vector<Frame> frames;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) frames.emplace_back(data, data + h->caplen);
  pcap_close(p);
  return frames;
}

inline TraceFrames generate_trace(const tracegen::TraceOptions& o) {
  char dir[] = "/tmp/ampguard-bench-XXXXXX";
  if (mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
  const std::string in = std::string(dir) + "/inside.pcap",
                    out = std::string(dir) + "/outside.pcap";
  const std::string err = tracegen::write_trace(o, in, out);
  if (!err.empty()) throw std::runtime_error("tracegen: " + err);
  TraceFrames t{read_pcap(in), read_pcap(out)};
  std::remove(in.c_str());
  std::remove(out.c_str());
  rmdir(dir);
  return t;
}

// The benchmarks' normal mix: the realistic trace (100,000 destinations).
inline tracegen::TraceOptions normal_mix(uint32_t queries = 100'000) {
  tracegen::TraceOptions o;
  o.queries = queries;
  o.clients = 100'000;
  o.large_share = 0.2;
  o.fragmented_share = 0.02;
  return o;
}

// TSC ticks per second, measured once (no EAL needed).
inline double tsc_hz() {
  static const double hz = [] {
    const auto t0 = std::chrono::steady_clock::now();
    const uint64_t c0 = rte_rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const uint64_t c1 = rte_rdtsc();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return double(c1 - c0) / s;
  }();
  return hz;
}

inline uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}

// Wall clock (TSC) and this thread's CPU time from construction: the machine is shared, so a
// TSC interval also counts the time another process held the core. cycles_per_op is the TSC
// cycles scaled by the share of the interval this thread was on a CPU; wall_cycles_per_op
// is the raw TSC figure.
class CycleMeter {
 public:
  CycleMeter() : tsc0_(rte_rdtsc()), cpu0_(thread_cpu_ns()) {}

  // `timed` TSC cycles (default: all since construction) spent on `items` operations.
  void report(benchmark::State& state, uint64_t items, const std::string& unit = "op",
              uint64_t timed = 0) const {
    const uint64_t wall = rte_rdtsc() - tsc0_;
    const double cpu_cycles = double(thread_cpu_ns() - cpu0_) * 1e-9 * tsc_hz();
    if (timed == 0) timed = wall;
    const double on_cpu = wall ? std::min(1.0, cpu_cycles / double(wall)) : 1.0;
    const double n = items ? double(items) : 1.0;
    state.counters["cycles_per_" + unit] = double(timed) * on_cpu / n;
    state.counters["wall_cycles_per_" + unit] = double(timed) / n;
    state.counters["on_cpu_share"] = on_cpu;
    state.counters["tsc_ghz"] = tsc_hz() / 1e9;
    state.SetItemsProcessed(int64_t(items));
  }

 private:
  uint64_t tsc0_, cpu0_;
};

}  // namespace ampguard::bench
