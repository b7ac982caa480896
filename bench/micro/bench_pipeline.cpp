// Microbenchmark: the whole pipeline per burst (process_burst on both ports, as one worker loop
// iteration does, plus the worker's bounded expiry steps) on in-memory mbufs built from
// generated traces. Cycles per packet from the TSC around the dataplane calls only.
//
//   normal: the mix (100,000 destinations, 20 % large, 2 % fragmented), dry run as in
//           the full-process benchmark.
//   attack: large responses to 10,000,000 distinct spoofed victims (12 responses each, 1,024
//           victims interleaved at a time, so the 11th and 12th go over the limit and are
//           blocked) against 100,000-entry tables that stay full and evict on every new victim,
//           plus a flood from the victims being blocked on the outside port; enforcing.
//   attack, recommended: the same traffic under conf/recommended.conf (16 M-entry tables,
//           aggregate limits per /24 and /16, TC over the limit): what an operator deploys.
//
//   cookies (issue 19): queries on the outside port with DNS cookies off and on, without a
//           COOKIE option, with a client cookie only and with a valid server cookie; and the
//           check alone.
//
// Before each timed loop the next bursts' victim addresses are written into the frames (the
// attack) and their first lines touched (both mixes): frames are hot, as right after the driver
// copied them. TC replies rewritten in place are restored from the pristine copy afterwards.
// Needs the EAL: --in-memory with hugepages, else --no-huge --no-shconf (slower: noted in the
// output). AMPGUARD_BENCH_EAL overrides the EAL arguments.
#include <benchmark/benchmark.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/micro/trace_frames.hpp"
#include "control/settings.hpp"
#include "dataplane/block_event.hpp"
#include "dataplane/dns_cookie.hpp"
#include "dataplane/packet_parse.hpp"
#include "dataplane/pipeline.hpp"
#include "dataplane/shared_state.hpp"
#include "support/dns_cookies.hpp"

namespace ampguard::bench {
namespace {

constexpr uint32_t kVictims = 10'000'000;
constexpr uint32_t kActiveVictims = 1024;  // interleaved at a time
constexpr uint32_t kPerVictim = 12;        // responses per victim: 10 pass, 2 over the limit
constexpr unsigned kExpireEvery = 16;      // as dataplane/worker.cpp

bool g_no_huge = false;

// One side's frames as mbufs, with what the attack rewrites.
struct SideFrames {
  std::vector<Frame> pristine;
  std::vector<rte_mbuf*> mbufs;
  std::vector<uint16_t> addr_offset;  // 0: not a victim's frame, else where its address lies
  std::vector<uint8_t> is_v6;
  size_t next = 0;
};

struct Mix {
  SideFrames side[kPortSides];
  bool attack = false;
};

bool is_client(L3 l3, const std::array<uint8_t, 16>& a) {
  return l3 == L3::ipv4 ? (a[0] == 198 && (a[1] & 0xfe) == 18) : a[4] == 0xc0;
}

void load_side(SideFrames& s, std::vector<Frame> frames, PortSide side, bool attack,
               rte_mempool* pool) {
  s.pristine = std::move(frames);
  for (const Frame& f : s.pristine) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) throw std::runtime_error("mbuf pool too small");
    std::memcpy(rte_pktmbuf_append(m, uint16_t(f.size())), f.data(), f.size());
    s.mbufs.push_back(m);
    PacketView v;
    parse_frame(f.data(), uint32_t(f.size()), v);
    uint16_t off = 0;
    // inside: responses to a victim (dst); outside: the flood from a victim (src)
    const auto& addr = side == PortSide::inside ? v.dst : v.src;
    if (attack && v.l3 != L3::none && !is_client(v.l3, addr)) {
      if (v.l3 == L3::ipv4)
        off = uint16_t(v.l3_offset + (side == PortSide::inside ? 16 : 12));
      else
        off = uint16_t(v.l3_offset + (side == PortSide::inside ? 24 : 8));
    }
    s.addr_offset.push_back(off);
    s.is_v6.push_back(v.l3 == L3::ipv6);
  }
}

std::unique_ptr<Mix> build_mix(bool attack) {
  tracegen::TraceOptions o = normal_mix();
  if (attack) {
    o.queries = 20'000;
    o.attack = tracegen::Attack::many_victims;
    o.victims = 65'536;  // frame slots; the addresses written into them cover 10 M victims
    o.attack_responses = 120'000;
    o.blocked_flood = 40'000;
  }
  TraceFrames t = generate_trace(o);
  const size_t n = t.inside.size() + t.outside.size();
  const std::string name = attack ? "bench_attack" : "bench_normal";
  rte_mempool* pool = rte_pktmbuf_pool_create(name.c_str(), uint32_t(n + 64), 0, 0,
                                              RTE_MBUF_DEFAULT_BUF_SIZE, int(rte_socket_id()));
  if (pool == nullptr)
    throw std::runtime_error("cannot create a pool of " + std::to_string(n) +
                             " mbufs: " + rte_strerror(rte_errno));
  auto mix = std::make_unique<Mix>();
  mix->attack = attack;
  load_side(mix->side[0], std::move(t.inside), PortSide::inside, attack, pool);
  load_side(mix->side[1], std::move(t.outside), PortSide::outside, attack, pool);
  return mix;
}

Mix& mix(bool attack) {
  static std::unique_ptr<Mix> normal, under_attack;
  auto& m = attack ? under_attack : normal;
  if (!m) m = build_mix(attack);
  return *m;
}

// Victim of the j-th attack response: kActiveVictims at a time, kPerVictim responses each.
uint32_t victim_of_response(uint64_t j) {
  return uint32_t((j % kActiveVictims + j / (kActiveVictims * kPerVictim) * kActiveVictims) %
                  kVictims);
}

// The settings of a run: the built-in defaults, or conf/recommended.conf (16 M-entry tables,
// aggregate limits, TC over the limit) for the attack as an operator would deploy it.
Settings bench_settings(bool attack, bool recommended) {
  Settings s;
  if (recommended) {
    const std::string err = load_settings(AMPGUARD_SOURCE_DIR "/conf/recommended.conf", {}, s);
    if (!err.empty()) throw std::runtime_error(err);
  }
  s.dry_run = !attack;  // the normal mix at replay speed would exceed every limit
  return s;
}

struct Runner {
  Mix& m;
  Settings settings;
  SharedState shared;
  DataplaneConfig cfg;
  WorkerCounters counters;
  WorkerContext ctx;
  uint64_t responses[2] = {}, floods[2] = {};  // per family: IPv4, IPv6
  rte_mbuf* burst[kPortSides][kBurstSize];
  uint16_t n[kPortSides] = {};
  BurstOut out[kPortSides];

  Runner(Mix& mix, bool recommended)
      : m(mix), settings(bench_settings(mix.attack, recommended)), shared(settings.tables, 1) {
    const std::string err = build_dataplane_config(settings, cfg);
    if (!err.empty()) throw std::runtime_error(err);
    ctx.shared = &shared;
    ctx.counters = &counters;
  }

  // Untimed: the next burst of each side, victim addresses written, first lines touched.
  void prepare() {
    for (unsigned p = 0; p < kPortSides; ++p) {
      SideFrames& s = m.side[p];
      for (uint16_t i = 0; i < kBurstSize; ++i) {
        const size_t k = s.next;
        if (++s.next == s.mbufs.size()) s.next = 0;
        rte_mbuf* mb = s.mbufs[k];
        uint8_t* f = rte_pktmbuf_mtod(mb, uint8_t*);
        if (s.addr_offset[k] != 0) {
          // inside: the next response's victim; outside: a victim of the last window (blocked)
          // per address family, so each victim key gets its kPerVictim responses in a row
          const bool v6 = s.is_v6[k];
          const uint64_t done = kActiveVictims * kPerVictim;  // the previous window: blocked
          const uint64_t sent = responses[v6];
          const uint32_t v = p == 0 ? victim_of_response(responses[v6]++)
                             : sent < done
                                 ? victim_of_response(floods[v6]++ % kActiveVictims)
                                 : victim_of_response(sent - done + floods[v6]++ % kActiveVictims);
          const tracegen::IpAddress a = tracegen::victim_address(v, v6);
          std::memcpy(f + s.addr_offset[k], a.bytes.data(), v6 ? 16 : 4);
        }
        benchmark::DoNotOptimize(*reinterpret_cast<volatile uint8_t*>(f));
        burst[p][i] = mb;
      }
      n[p] = kBurstSize;
    }
  }

  // Timed: one worker loop iteration's dataplane work.
  void loop(uint64_t iteration) {
    const uint64_t now = shared.now_ns();
    for (unsigned p = 0; p < kPortSides; ++p) {
      out[p].n_other = out[p].n_same = out[p].n_drop = 0;
      process_burst(ctx, cfg, PortSide(p), burst[p], n[p], now, out[p]);
      counters.port[p].rx_packets.add(n[p]);  // as the worker counts them after TX
      counters.port[p].rx_bytes.add(out[p].rx_bytes);
    }
    if (iteration % kExpireEvery == 0) shared.expire_step(cfg, now, counters.tables);
  }

  // Untimed: undo in-place rewrites (TC replies) and drain the event ring as control would.
  void restore() {
    for (unsigned p = 0; p < kPortSides; ++p) {
      for (uint16_t i = 0; i < out[p].n_same; ++i) {
        rte_mbuf* mb = out[p].to_same[i];
        SideFrames& s = m.side[p];
        // find the frame slot: the burst was taken in order from s.next backwards
        for (uint16_t b = 0; b < kBurstSize; ++b) {
          if (burst[p][b] != mb) continue;
          const size_t k = (s.next + s.mbufs.size() - kBurstSize + b) % s.mbufs.size();
          const Frame& f = s.pristine[k];
          rte_pktmbuf_reset(mb);
          std::memcpy(rte_pktmbuf_append(mb, uint16_t(f.size())), f.data(), f.size());
          break;
        }
      }
    }
    BlockEvent e[64];
    while (rte_ring_dequeue_burst_elem(shared.events, e, sizeof(BlockEvent), 64, nullptr) != 0) {
    }
  }
};

void run_pipeline(benchmark::State& state, bool attack, bool recommended = false) {
  Runner r(mix(attack), recommended);
  // Warm-up: fill the tables (one pass over the normal trace; 300,000 attack responses).
  const uint64_t warm = attack ? 300'000 / kBurstSize : r.m.side[0].mbufs.size() / kBurstSize;
  for (uint64_t i = 0; i < warm; ++i) {
    r.prepare();
    r.loop(i);
    r.restore();
  }
  const uint64_t reasons_before_drop = [&] {
    uint64_t d = 0;
    for (unsigned k = 0; k < kVerdictReasonCount; ++k)
      if (reason_action(VerdictReason(k)) != Action::forward)
        d += r.counters.reason_packets[k].get();
    return d;
  }();
  const uint64_t over_before = r.counters.reason_packets[unsigned(VerdictReason::over_limit)].get();
  const uint64_t tc_before = r.counters.reason_packets[unsigned(VerdictReason::any_tc_reply)].get();
  const uint64_t evictions_before = r.counters.tables.limiter_evictions.get();
  const uint64_t blocked_before =
      r.counters.reason_packets[unsigned(VerdictReason::blocklisted_source)].get();
  uint64_t cycles = 0, i = warm;
  const CycleMeter meter;
  for (auto _ : state) {
    r.prepare();
    const uint64_t t0 = rte_rdtsc();
    r.loop(i++);
    cycles += rte_rdtsc() - t0;
    r.restore();
  }
  const uint64_t packets = uint64_t(state.iterations()) * 2 * kBurstSize;
  meter.report(state, packets, "packet", cycles);
  uint64_t acted = 0;
  for (unsigned k = 0; k < kVerdictReasonCount; ++k)
    if (reason_action(VerdictReason(k)) != Action::forward)
      acted += r.counters.reason_packets[k].get();
  state.counters["drop_or_reply_share"] = double(acted - reasons_before_drop) / double(packets);
  state.counters["dry_run_share"] =
      double(r.counters.dry_run_forwarded.get()) /
      double(r.counters.port[0].rx_packets.get() + r.counters.port[1].rx_packets.get());
  state.counters["limiter_evictions_per_packet"] =
      double(r.counters.tables.limiter_evictions.get() - evictions_before) / double(packets);
  state.counters["blocklisted_per_packet"] =
      double(r.counters.reason_packets[unsigned(VerdictReason::blocklisted_source)].get() -
             blocked_before) /
      double(packets);
  state.counters["over_limit_per_packet"] =
      double(r.counters.reason_packets[unsigned(VerdictReason::over_limit)].get() - over_before) /
      double(packets);
  state.counters["tc_reply_per_packet"] =
      double(r.counters.reason_packets[unsigned(VerdictReason::any_tc_reply)].get() - tc_before) /
      double(packets);
  state.counters["limiter_entries"] = r.shared.limiter.size();
  state.counters["distinct_victims"] =
      attack ? double(std::min<uint64_t>((r.responses[0] + r.responses[1]) / kPerVictim, kVictims))
             : 0;
  state.counters["no_huge"] = g_no_huge;
}

void BM_Pipeline_Normal(benchmark::State& s) { run_pipeline(s, false); }
void BM_Pipeline_Attack(benchmark::State& s) { run_pipeline(s, true); }
void BM_Pipeline_AttackRecommended(benchmark::State& s) { run_pipeline(s, true, true); }

BENCHMARK(BM_Pipeline_Normal)->MinTime(2.0);
BENCHMARK(BM_Pipeline_Attack)->MinTime(2.0);
BENCHMARK(BM_Pipeline_AttackRecommended)->MinTime(2.0);

// An ANY query over IPv4 to the resolver with `records` additional records: minimal A records
// (root owner, no data) and, last, an OPT. 125 records fill a 1,500-byte frame.
Frame any_query(unsigned records) {
  Frame f = {2, 0, 0, 0, 0, 0x53, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
  const uint8_t question[] = {3,   'w', 'w', 'w', 7,   'e', 'x', 'a', 'm', 'p', 'l',
                              'e', 3,   'c', 'o', 'm', 0,   0,   255, 0,   1};
  const uint16_t dns_len = uint16_t(12 + sizeof(question) + 11 * records);
  const uint16_t ip_len = uint16_t(20 + 8 + dns_len);
  const uint8_t ip[] = {0x45,
                        0,
                        uint8_t(ip_len >> 8),
                        uint8_t(ip_len),
                        0,
                        1,
                        0,
                        0,
                        64,
                        17,
                        0,
                        0,
                        198,
                        18,
                        9,
                        9,
                        192,
                        0,
                        2,
                        53};
  f.insert(f.end(), ip, ip + sizeof(ip));
  const uint16_t udp_len = uint16_t(8 + dns_len);
  const uint8_t udp[] = {0x9c, 0x40, 0, 53, uint8_t(udp_len >> 8), uint8_t(udp_len), 0, 0};
  f.insert(f.end(), udp, udp + sizeof(udp));
  const uint8_t header[] = {
      0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, uint8_t(records >> 8), uint8_t(records)};
  f.insert(f.end(), header, header + sizeof(header));
  f.insert(f.end(), question, question + sizeof(question));
  for (unsigned i = 0; i < records; ++i) {
    const bool opt = i + 1 == records;
    const uint8_t rr[] = {
        0, 0, uint8_t(opt ? 41 : 1), uint8_t(opt ? 0x04 : 0), uint8_t(opt ? 0xd0 : 1), 0, 0, 0, 0,
        0, 0};
    f.insert(f.end(), rr, rr + sizeof(rr));
  }
  return f;
}

// The TC reply's cost: bursts of one ANY query on the outside port, answered in place; each
// burst restored (untimed) from the pristine frame.
void run_tc_reply(benchmark::State& state, unsigned records) {
  static rte_mempool* pool = rte_pktmbuf_pool_create(
      "bench_tc", 2 * kBurstSize, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, int(rte_socket_id()));
  if (pool == nullptr) throw std::runtime_error("cannot create the TC reply pool");
  const Frame query = any_query(records);
  SharedState shared{TableSizes{}, 1};
  DataplaneConfig cfg;
  if (const std::string err = build_dataplane_config(Settings{}, cfg); !err.empty())
    throw std::runtime_error(err);
  WorkerCounters counters;
  WorkerContext ctx;
  ctx.shared = &shared;
  ctx.counters = &counters;
  rte_mbuf* burst[kBurstSize];
  for (auto& m : burst) m = rte_pktmbuf_alloc(pool);
  uint64_t cycles = 0;
  const CycleMeter meter;
  for (auto _ : state) {
    for (rte_mbuf* m : burst) {
      rte_pktmbuf_reset(m);
      std::memcpy(rte_pktmbuf_append(m, uint16_t(query.size())), query.data(), query.size());
    }
    BurstOut out;
    const uint64_t t0 = rte_rdtsc();
    process_burst(ctx, cfg, PortSide::outside, burst, kBurstSize, shared.now_ns(), out);
    cycles += rte_rdtsc() - t0;
    if (out.n_same != kBurstSize) throw std::runtime_error("not every query got a TC reply");
  }
  meter.report(state, uint64_t(state.iterations()) * kBurstSize, "packet", cycles);
  state.counters["query_bytes"] = double(query.size());
  rte_pktmbuf_free_bulk(burst, kBurstSize);
}

void BM_TcReply_Any(benchmark::State& s) { run_tc_reply(s, 1); }
void BM_TcReply_WorstAny(benchmark::State& s) { run_tc_reply(s, 125); }

BENCHMARK(BM_TcReply_Any)->MinTime(1.0);
BENCHMARK(BM_TcReply_WorstAny)->MinTime(1.0);

// Issue 19: DNS cookies on the query path. Bursts of 32 IPv4 queries from 1,024 distinct
// clients on the outside port, forwarded unchanged: cookies off; on, queries without a COOKIE
// option (the same frames); on, a client cookie only (what dig sends first); on, a valid server
// cookie each (a SipHash-2-4 and a proven-query insert per query).
enum class CookieCase { off, on_without, on_client_only, on_valid };

void run_cookie_queries(benchmark::State& state, CookieCase c) {
  constexpr unsigned kClients = 1024;
  static rte_mempool* pool = rte_pktmbuf_pool_create(
      "bench_cookie", 4 * kClients, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, int(rte_socket_id()));
  if (pool == nullptr) throw std::runtime_error("cannot create the cookie query pool");
  std::vector<rte_mbuf*> mbufs;
  for (unsigned i = 0; i < kClients; ++i) {
    const std::array<uint8_t, 4> client{198, 18, uint8_t(i >> 8), uint8_t(i)};
    const Frame f = c == CookieCase::on_valid
                        ? test::cookie_query_v4(client, uint16_t(i), test::valid_cookie_v4(client))
                    : c == CookieCase::on_client_only
                        ? test::cookie_query_v4(client, uint16_t(i), test::kClientCookie)
                        : test::query_v4(client, uint16_t(i), 16);
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (m == nullptr) throw std::runtime_error("cookie query pool too small");
    std::memcpy(rte_pktmbuf_append(m, uint16_t(f.size())), f.data(), f.size());
    mbufs.push_back(m);
  }
  SharedState shared{TableSizes{}, 1};
  DataplaneConfig cfg;
  if (const std::string err = build_dataplane_config(Settings{}, cfg); !err.empty())
    throw std::runtime_error(err);
  if (c != CookieCase::off) {
    std::memcpy(cfg.cookies.key[0], test::kCookieSecret.data(), kCookieSecretLen);
    cfg.cookies.count = 1;
  }
  WorkerCounters counters;
  WorkerContext ctx;
  ctx.shared = &shared;
  ctx.counters = &counters;
  uint64_t cycles = 0, next = 0;
  const CycleMeter meter;
  for (auto _ : state) {
    rte_mbuf* const* burst = &mbufs[next];
    next = (next + kBurstSize) % kClients;
    for (uint16_t i = 0; i < kBurstSize; ++i)
      benchmark::DoNotOptimize(*rte_pktmbuf_mtod(burst[i], volatile uint8_t*));
    BurstOut out;
    const uint64_t t0 = rte_rdtsc();
    process_burst(ctx, cfg, PortSide::outside, burst, kBurstSize, shared.now_ns(), out);
    cycles += rte_rdtsc() - t0;
    if (out.n_other != kBurstSize) throw std::runtime_error("a query was not forwarded");
  }
  const uint64_t packets = uint64_t(state.iterations()) * kBurstSize;
  meter.report(state, packets, "packet", cycles);
  state.counters["verified_share"] =
      double(counters.reason_packets[unsigned(VerdictReason::query_verified)].get()) /
      double(packets);
  rte_pktmbuf_free_bulk(mbufs.data(), unsigned(mbufs.size()));
}

void BM_Cookies_Off(benchmark::State& s) { run_cookie_queries(s, CookieCase::off); }
void BM_Cookies_OnQueryWithout(benchmark::State& s) {
  run_cookie_queries(s, CookieCase::on_without);
}
void BM_Cookies_OnClientCookieOnly(benchmark::State& s) {
  run_cookie_queries(s, CookieCase::on_client_only);
}
void BM_Cookies_OnValidServerCookie(benchmark::State& s) {
  run_cookie_queries(s, CookieCase::on_valid);
}

// The check alone on one hot query: finding the option, and check_cookie() for a valid cookie
// (one SipHash-2-4 under the first secret) and a forged one with two secrets configured (two:
// what a flood of forged cookies costs during a rollover).
void run_cookie_check(benchmark::State& state, bool forged) {
  const std::array<uint8_t, 4> client{198, 18, 0, 1};
  test::Bytes cookie = test::valid_cookie_v4(client);
  if (forged) cookie.back() ^= 1;
  const Frame f = test::cookie_query_v4(client, 1, cookie);
  PacketView v;
  parse_frame(f.data(), uint32_t(f.size()), v);
  if (!parse_dns(f.data(), v)) throw std::runtime_error("cookie query does not parse");
  CookieSecrets secrets;
  std::memcpy(secrets.key[forged ? 1 : 0], test::kCookieSecret.data(), kCookieSecretLen);
  secrets.count = forged ? 2 : 1;
  const int64_t now = test::unix_now();
  const CycleMeter meter;
  for (auto _ : state) {
    CookieOption c;
    benchmark::DoNotOptimize(find_cookie(f.data(), v, c));
    benchmark::DoNotOptimize(check_cookie(secrets, c, v.l3, v.src.data(), now));
  }
  meter.report(state, state.iterations(), "op");
}

void BM_CookieCheck_Valid(benchmark::State& s) { run_cookie_check(s, false); }
void BM_CookieCheck_ForgedTwoSecrets(benchmark::State& s) { run_cookie_check(s, true); }

BENCHMARK(BM_CookieCheck_Valid)->MinTime(1.0);
BENCHMARK(BM_CookieCheck_ForgedTwoSecrets)->MinTime(1.0);
BENCHMARK(BM_Cookies_Off)->MinTime(1.0);
BENCHMARK(BM_Cookies_OnQueryWithout)->MinTime(1.0);
BENCHMARK(BM_Cookies_OnClientCookieOnly)->MinTime(1.0);
BENCHMARK(BM_Cookies_OnValidServerCookie)->MinTime(1.0);

unsigned free_hugepages() {
  std::ifstream in("/proc/meminfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("HugePages_Free:", 0) == 0) return unsigned(std::stoul(line.substr(15)));
  return 0;
}

}  // namespace
}  // namespace ampguard::bench

int main(int argc, char** argv) {
  using namespace ampguard::bench;
  std::vector<std::string> eal = {argv[0], "-l", "0", "--log-level=error"};
  if (const char* env = std::getenv("AMPGUARD_BENCH_EAL")) {
    std::istringstream words(env);
    for (std::string w; words >> w;) eal.push_back(w);
  } else if (free_hugepages() >= 600) {  // the two mixes' mbufs need about 1 GiB
    eal.push_back("--in-memory");
  } else {
    eal.push_back("--no-huge");
    eal.push_back("--no-shconf");
    eal.push_back("-m");
    eal.push_back("3072");
  }
  for (const std::string& w : eal) g_no_huge |= w == "--no-huge";
  if (g_no_huge) std::fprintf(stderr, "bench_pipeline: no hugepages: --no-huge (slower)\n");
  std::vector<char*> eal_argv;
  for (auto& w : eal) eal_argv.push_back(w.data());
  if (rte_eal_init(int(eal_argv.size()), eal_argv.data()) < 0) {
    std::fprintf(stderr, "bench_pipeline: EAL init failed: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  rte_eal_cleanup();
  return 0;
}
