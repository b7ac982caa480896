// Microbenchmark: parse_frame() + parse_dns() per packet on frame kinds taken from a generated
// trace (IPv4/IPv6 queries and responses, fragments, VLAN-tagged), and on the whole normal mix.
// Frames are hot in cache, as they are right after the driver wrote them.
#include <benchmark/benchmark.h>

#include <functional>
#include <stdexcept>

#include "bench/micro/trace_frames.hpp"
#include "dataplane/packet_parse.hpp"

namespace ampguard::bench {
namespace {

const TraceFrames& plain_trace() {
  static const TraceFrames t = generate_trace(normal_mix(20'000));
  return t;
}

const TraceFrames& vlan_trace() {
  static const TraceFrames t = [] {
    tracegen::TraceOptions o = normal_mix(2'000);
    o.vlan = true;
    return generate_trace(o);
  }();
  return t;
}

using Pick = std::function<bool(const PacketView&)>;

const Frame& find_frame(const std::vector<Frame>& frames, const Pick& pick) {
  for (const Frame& f : frames) {
    PacketView v;
    parse_frame(f.data(), uint32_t(f.size()), v);
    parse_dns(f.data(), v);
    if (pick(v)) return f;
  }
  throw std::runtime_error("no frame of the requested kind in the trace");
}

void parse_one(const Frame& f, benchmark::State& state) {
  PacketView v;
  const CycleMeter meter;
  for (auto _ : state) {
    parse_frame(f.data(), uint32_t(f.size()), v);
    parse_dns(f.data(), v);
    benchmark::DoNotOptimize(v);
  }
  meter.report(state, state.iterations(), "packet");
}

bool small_v4(const PacketView& v) {
  return v.l3 == L3::ipv4 && v.has_dns && !v.is_fragment && v.ip_total_len < 700;
}

void BM_Parse_Ipv4Query(benchmark::State& s) {
  parse_one(find_frame(plain_trace().outside,
                       [](const PacketView& v) { return small_v4(v) && !v.dns.is_response(); }),
            s);
}
void BM_Parse_Ipv6Query(benchmark::State& s) {
  parse_one(find_frame(plain_trace().outside,
                       [](const PacketView& v) { return v.l3 == L3::ipv6 && v.has_dns; }),
            s);
}
void BM_Parse_Ipv4SmallResponse(benchmark::State& s) {
  parse_one(find_frame(plain_trace().inside,
                       [](const PacketView& v) { return small_v4(v) && v.dns.is_response(); }),
            s);
}
void BM_Parse_Ipv4LargeResponse(benchmark::State& s) {
  parse_one(find_frame(plain_trace().inside,
                       [](const PacketView& v) {
                         return v.l3 == L3::ipv4 && v.has_dns && !v.is_fragment &&
                                v.ip_total_len >= 700;
                       }),
            s);
}
void BM_Parse_Ipv6LargeResponse(benchmark::State& s) {
  parse_one(find_frame(plain_trace().inside,
                       [](const PacketView& v) {
                         return v.l3 == L3::ipv6 && v.has_dns && !v.is_fragment &&
                                v.ip_total_len >= 700;
                       }),
            s);
}
void BM_Parse_Ipv4FirstFragment(benchmark::State& s) {
  parse_one(find_frame(plain_trace().inside,
                       [](const PacketView& v) {
                         return v.l3 == L3::ipv4 && v.first_fragment() && v.has_dns;
                       }),
            s);
}
void BM_Parse_Ipv4LaterFragment(benchmark::State& s) {
  parse_one(find_frame(plain_trace().inside,
                       [](const PacketView& v) { return v.l3 == L3::ipv4 && v.later_fragment(); }),
            s);
}
void BM_Parse_Ipv6Fragment(benchmark::State& s) {
  parse_one(find_frame(plain_trace().inside,
                       [](const PacketView& v) { return v.l3 == L3::ipv6 && v.first_fragment(); }),
            s);
}
void BM_Parse_VlanIpv4Query(benchmark::State& s) {
  parse_one(find_frame(vlan_trace().outside,
                       [](const PacketView& v) {
                         return v.vlan_count == 1 && small_v4(v) && !v.dns.is_response();
                       }),
            s);
}

// Every frame of the mix in trace order: branch mispredictions included.
void BM_Parse_NormalMix(benchmark::State& state) {
  std::vector<const Frame*> frames;
  for (const auto* side : {&plain_trace().inside, &plain_trace().outside})
    for (const Frame& f : *side) frames.push_back(&f);
  size_t i = 0;
  PacketView v;
  const CycleMeter meter;
  for (auto _ : state) {
    const Frame& f = *frames[i];
    if (++i == frames.size()) i = 0;
    parse_frame(f.data(), uint32_t(f.size()), v);
    parse_dns(f.data(), v);
    benchmark::DoNotOptimize(v);
  }
  meter.report(state, state.iterations(), "packet");
}

BENCHMARK(BM_Parse_Ipv4Query);
BENCHMARK(BM_Parse_Ipv6Query);
BENCHMARK(BM_Parse_Ipv4SmallResponse);
BENCHMARK(BM_Parse_Ipv4LargeResponse);
BENCHMARK(BM_Parse_Ipv6LargeResponse);
BENCHMARK(BM_Parse_Ipv4FirstFragment);
BENCHMARK(BM_Parse_Ipv4LaterFragment);
BENCHMARK(BM_Parse_Ipv6Fragment);
BENCHMARK(BM_Parse_VlanIpv4Query);
BENCHMARK(BM_Parse_NormalMix);

}  // namespace
}  // namespace ampguard::bench
