// The control plane against the real worker loop: reloads under traffic lose and duplicate
// nothing, bad reloads change nothing, restart-only options are reported, block and unblock
// lines, control requests, the control socket and a Prometheus scrape checked by promtool.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "control/settings.hpp"
#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::PipelineHarness;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;
constexpr auto kVictim = test::kVictimV4;
constexpr auto kOther = test::kOtherClientV4;

std::string temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("ampguard_cp_" + std::to_string(getpid()) + "_" + name);
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A config file for the harness, whose ports run with 256 descriptors: said at the end, so
// that line numbers stay those of text.
void write_conf(const std::string& path, const std::string& text) {
  write_file(path, text + "[ports]\nrx-descriptors = 256\ntx-descriptors = 256\n");
}

// Settings as ampguard --config FILE would have them.
Settings from_file(const std::string& path, const std::string& text) {
  write_conf(path, text);
  Settings s;
  const std::string err = load_settings(path, {}, s);
  EXPECT_EQ(err, "");
  return s;
}

std::vector<Bytes> responses_to(std::array<uint8_t, 4> dst, int n, size_t bytes, uint16_t id = 1) {
  std::vector<Bytes> out;
  for (int i = 0; i < n; ++i) out.push_back(test::response_v4(dst, bytes, uint16_t(id + i)));
  return out;
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

TEST(ControlPlane, HundredsOfReloadsUnderTrafficLoseAndDuplicateNothing) {
  const std::string conf = temp_path("reload.conf");
  PipelineHarness h(from_file(conf, "[limit]\nrate = 50/min\n"));
  constexpr int kChunk = 100, kMinChunks = 150, kMinReloads = 100;
  std::atomic<int> reloads{0};
  std::atomic<bool> done{false};
  std::vector<Bytes> sent, received;
  std::thread sender([&] {
    uint16_t id = 0;
    for (int chunk = 0; chunk < kMinChunks || reloads.load() < kMinReloads; ++chunk) {
      std::vector<Bytes> frames;
      // Small responses and queries: forwarded whatever the limits say.
      for (int i = 0; i < kChunk; ++i) frames.push_back(test::response_v4(kVictim, 300, ++id));
      h.send(kIn, frames);
      sent.insert(sent.end(), frames.begin(), frames.end());
      for (Bytes& f : h.transmitted(kOut)) received.push_back(std::move(f));
    }
    done = true;
  });
  const char* variants[] = {"[limit]\nrate = 50/min\nburst = 10\n[any]\nedns-udp-size = 1232\n",
                            "[limit]\nrate = 20/min\nburst = 4\n[any]\nedns-udp-size = 1400\n"};
  while (!done.load()) {
    write_conf(conf, variants[reloads.load() % 2]);
    const Reply r = h.runtime().reload();
    ASSERT_TRUE(r.ok) << r.text;
    ++reloads;
  }
  sender.join();
  ASSERT_GE(reloads.load(), kMinReloads);
  for (Bytes& f : h.transmitted(kOut)) received.push_back(std::move(f));
  EXPECT_EQ(received.size(), sent.size());
  EXPECT_TRUE(received == sent) << "frames lost, duplicated or reordered";
  const StatsTotals t = h.totals();
  EXPECT_EQ(t.port[0].rx_packets, sent.size());
  EXPECT_EQ(t.port[1].tx_packets, sent.size());
  EXPECT_EQ(t.port[1].tx_dropped, 0u);
  EXPECT_EQ(t.reason_packets[unsigned(VerdictReason::response_small)], sent.size());
  uint64_t all = 0;
  for (uint64_t n : t.reason_packets) all += n;
  EXPECT_EQ(all, sent.size());
  EXPECT_EQ(t.config_generation, 1u + uint64_t(reloads.load()));
  EXPECT_EQ(h.runtime().control_totals().reloads_ok, uint64_t(reloads.load()));
  std::filesystem::remove(conf);
}

TEST(ControlPlane, ReloadAppliesNewLimitsAndKeepsTheTables) {
  const std::string conf = temp_path("limits.conf");
  PipelineHarness h(from_file(conf, "[limit]\nburst = 10\n"));
  h.send(kIn, responses_to(kVictim, 11, 800));  // 10 pass, the 11th blocks the victim
  ASSERT_EQ(h.transmitted(kOut).size(), 10u);
  write_conf(conf, "[limit]\nburst = 3\n");
  const Reply r = h.runtime().reload();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.text, "reloaded " + conf + ": config generation 2\n");
  EXPECT_EQ(h.runtime().shared().config()->generation, 2u);
  // The blocklist and the limiter survived; a new destination gets the new burst.
  EXPECT_EQ(h.totals().tables.block_entries, 1u);
  EXPECT_EQ(h.totals().tables.limiter_entries, 1u);
  h.send(kIn, responses_to(kOther, 5, 800, 100));
  EXPECT_EQ(h.transmitted(kOut).size(), 3u);
  std::filesystem::remove(conf);
}

TEST(ControlPlane, BadReloadKeepsTheRunningConfig) {
  const std::string conf = temp_path("bad.conf");
  PipelineHarness h(from_file(conf, "[block]\ntimeout = 300s\n"));
  write_conf(conf, "[block]\ntimeout = 300s\n[limit]\nrate = often\n");
  Reply r = h.runtime().reload();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(
      r.text,
      conf +
          ":4: limit.rate: 'often' is not a rate (e.g. 50/min for packets, 50kB/min for bytes)\n");
  // Valid line by line, but the rate's units disagree with the mode: located all the same.
  write_conf(conf, "[limit]\nmode = packets\nrate = 50kB/min\n");
  r = h.runtime().reload();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text, conf + ":3: limit.rate: '50kB/min' is a byte rate but limit.mode is packets\n");
  EXPECT_EQ(h.runtime().shared().config()->generation, 1u);
  EXPECT_EQ(h.runtime().shared().config()->block_timeout_ns, 300'000'000'000u);
  const ControlTotals c = h.runtime().control_totals();
  EXPECT_EQ(c.reloads_failed, 2u);
  EXPECT_EQ(c.reloads_ok, 0u);
  std::filesystem::remove(conf);
}

TEST(ControlPlane, RestartOnlyOptionsAreReportedAndKept) {
  const std::string conf = temp_path("restart.conf");
  PipelineHarness h(from_file(conf, "[limit]\nmax-entries = 1000\n"));
  write_conf(conf,
             "[ports]\nmbufs = 9999\n[limit]\nmax-entries = 2000\nmode = bytes\nrate = 1MB/s\n"
             "[block]\ntimeout = 60s\n");
  const Reply r = h.runtime().reload();
  ASSERT_TRUE(r.ok) << r.text;
  EXPECT_EQ(r.text, "reloaded " + conf +
                        ": config generation 2\nneeds a restart to take effect (running values "
                        "kept): ports.mbufs limit.mode limit.max-entries\n");
  const DataplaneConfig& cfg = *h.runtime().shared().config();
  EXPECT_EQ(cfg.limit.mode, LimitMode::packets);
  EXPECT_EQ(cfg.block_timeout_ns, 60'000'000'000u);  // the rest is applied
  EXPECT_EQ(h.runtime().settings().tables.limiter_entries, 1000u);
  EXPECT_EQ(h.runtime().control_totals().restart_pending, 3u);
  EXPECT_NE(h.runtime().command("status").text.find(
                "restart pending ports.mbufs limit.mode limit.max-entries\n"),
            std::string::npos);
  std::filesystem::remove(conf);
}

// Issue 15: reloading the prefix lengths or limit.hz would void every block (keys masked at
// the old prefix, limiter states in the old units). They are restart-only: the victim stays
// blocked through the reload. One harness per process: one test per option.
void reload_during_an_attack_keeps_the_victims_blocked(const std::string& key,
                                                       const std::string& value) {
  const std::string conf = temp_path("prefix.conf");
  PipelineHarness h(from_file(conf, ""));
  h.send(kIn, responses_to(kVictim, 11, 800));
  ASSERT_EQ(h.reason(VerdictReason::over_limit), 1u);
  const auto v6_victim = test::v6_addr(0xdead, 1);
  std::vector<Bytes> v6;
  for (uint16_t i = 0; i < 11; ++i) v6.push_back(test::response_v6(v6_victim, 800, i));
  h.send(kIn, v6);
  ASSERT_EQ(h.reason(VerdictReason::over_limit), 2u);
  h.transmitted(kOut);
  write_conf(conf, "[limit]\n" + key + " = " + value + "\n");
  const Reply r = h.runtime().reload();
  ASSERT_TRUE(r.ok) << r.text;
  EXPECT_NE(r.text.find("needs a restart to take effect (running values kept): limit." + key),
            std::string::npos)
      << r.text;
  // The attack goes on: the victims' queries are still dropped, their answers still limited.
  h.send(kOut, {test::query_v4(kVictim, 1), test::query_v6(v6_victim, 2)});
  EXPECT_TRUE(h.transmitted(kIn).empty());
  h.send(kIn, {test::response_v4(kVictim, 800, 50), test::response_v6(v6_victim, 800, 51)});
  EXPECT_TRUE(h.transmitted(kOut).empty());
  std::filesystem::remove(conf);
}

TEST(ControlPlane, ReloadingPrefixV4DuringAnAttackKeepsTheVictimBlocked) {
  reload_during_an_attack_keeps_the_victims_blocked("prefix-v4", "24");
}

TEST(ControlPlane, ReloadingPrefixV6DuringAnAttackKeepsTheVictimBlocked) {
  reload_during_an_attack_keeps_the_victims_blocked("prefix-v6", "48");
}

TEST(ControlPlane, ReloadingHzDuringAnAttackKeepsTheVictimBlocked) {
  reload_during_an_attack_keeps_the_victims_blocked("hz", "1000");
}

TEST(ControlPlane, BlockAndUnblockLines) {
  Settings s;
  s.block_timeout = "1s";
  PipelineHarness h(s);
  h.send(kIn, responses_to(kVictim, 11, 900));
  auto log = h.log_lines();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0],
            "DNS-amplification protection: blocked 203.0.113.66 for 1s: 900-byte response over its "
            "limit (reason over-limit, worker 0, blocks 1)");
  // Expiry: the control loop notices within a second of it (bounded wait).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (log.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log = h.log_lines();
  }
  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(
      starts_with(log[1], "DNS-amplification protection: unblocked 203.0.113.66: expired after "))
      << log[1];
  EXPECT_TRUE(log[1].ends_with("s (reason over-limit, blocks 1)")) << log[1];
}

TEST(ControlPlane, RepeatedLinesForOneAddressAreSuppressedAndCounted) {
  Settings s;
  s.log_address_interval = "1h";
  PipelineHarness h(s);
  Runtime& rt = h.runtime();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(rt.command("blocklist add 192.0.2.9 10m").ok);
    ASSERT_TRUE(rt.command("blocklist del 192.0.2.9").ok);
  }
  const auto log = h.log_lines();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0],
            "DNS-amplification protection: blocked 192.0.2.9 for 600s: reason manual (blocks 1)");
  EXPECT_TRUE(starts_with(log[1],
                          "DNS-amplification protection: unblocked 192.0.2.9: removed by "
                          "ampguardctl after "))
      << log[1];
  const ControlTotals c = rt.control_totals();
  EXPECT_EQ(c.log_written, 2u);
  EXPECT_EQ(c.log_suppressed, 4u);
  EXPECT_EQ(c.log_dropped, 0u);
}

TEST(ControlPlane, LinesOverTheRateAreDroppedAndCounted) {
  Settings s;
  s.log_max_per_second = 2;
  PipelineHarness h(s);
  for (int i = 1; i <= 5; ++i)
    ASSERT_TRUE(h.runtime().command("blocklist add 192.0.2." + std::to_string(i)).ok);
  EXPECT_EQ(h.log_lines().size(), 2u);
  EXPECT_EQ(h.runtime().control_totals().log_dropped, 3u);
}

TEST(ControlPlane, BlocklistCommands) {
  PipelineHarness h;
  Runtime& rt = h.runtime();
  EXPECT_EQ(rt.command("blocklist add 192.0.2.7 5m").text, "blocked 192.0.2.7 for 300s\n");
  EXPECT_EQ(rt.command("blocklist add 2001:db8:1:2:3::9").text,
            "blocked 2001:db8:1:2::/64 for 600s\n");
  h.send(kIn, responses_to(kVictim, 11, 800));
  h.log_lines();
  EXPECT_EQ(rt.command("blocklist list").text,
            "192.0.2.7 300 manual\n2001:db8:1:2::/64 600 manual\n203.0.113.66 600 over-limit\n");
  // Blocked by ampguardctl means dropped by the workers.
  const Bytes from_blocked = test::query_v4({192, 0, 2, 7}, 5);
  h.send(kOut, from_blocked);
  EXPECT_TRUE(h.transmitted(kIn).empty());
  EXPECT_EQ(rt.command("blocklist del 192.0.2.7").text, "unblocked 192.0.2.7\n");
  h.send(kOut, from_blocked);
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{from_blocked});
  Reply r = rt.command("blocklist del 192.0.2.7");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text, "192.0.2.7 is not blocked\n");
  r = rt.command("blocklist add 192.0.2.300");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text, "'192.0.2.300' is not an IPv4 or IPv6 address\n");
  r = rt.command("blocklist add 192.0.2.0/24");
  EXPECT_EQ(r.text,
            "'192.0.2.0/24': the blocklist holds /32 prefixes for IPv4 (limit.prefix-v4)\n");
  r = rt.command("blocklist add 192.0.2.1 soon");
  EXPECT_EQ(r.text, "TTL: 'soon' is not a duration (e.g. 600s, 10m)\n");
  r = rt.command("blocklist remove 192.0.2.1");
  EXPECT_EQ(r.text,
            "usage: blocklist list | blocklist add ADDR [TTL] [--replace] | blocklist del ADDR | "
            "blocklist flush\n");
  EXPECT_EQ(rt.command("blocklist flush").text, "removed 2 entries\n");
  EXPECT_EQ(rt.command("blocklist list").text, "");
  r = rt.command("frobnicate \x1b[31m");
  EXPECT_EQ(r.text, "unknown command 'frobnicate' (try help)\n");
  EXPECT_EQ(rt.command("stats now").text, "stats takes no arguments\n");
  EXPECT_EQ(rt.control_totals().control_errors, 7u);
}

// Issue 15: adding an entry already blocked for longer says the real expiry; --replace sets it.
TEST(ControlPlane, BlocklistAddSaysTheRealExpiryAndReplaceShortensIt) {
  PipelineHarness h;
  Runtime& rt = h.runtime();
  EXPECT_EQ(rt.command("blocklist add 192.0.2.7 1h").text, "blocked 192.0.2.7 for 3600s\n");
  EXPECT_EQ(rt.command("blocklist add 192.0.2.7 10s").text,
            "192.0.2.7 stays blocked for 3600s (blocked for longer already; --replace sets "
            "10s)\n");
  EXPECT_EQ(rt.command("blocklist list").text, "192.0.2.7 3600 manual\n");
  EXPECT_EQ(rt.command("blocklist add 192.0.2.7 2h").text, "blocked 192.0.2.7 for 7200s\n");
  EXPECT_EQ(rt.command("blocklist add 192.0.2.7 10s --replace").text,
            "blocked 192.0.2.7 for 10s\n");
  EXPECT_EQ(rt.command("blocklist list").text, "192.0.2.7 10 manual\n");
  const Reply r = rt.command("blocklist add 192.0.2.7 10s --force");
  EXPECT_FALSE(r.ok);
}

TEST(ControlPlane, TopListsTheDestinationsClosestToTheirLimit) {
  Settings s;
  s.limit_rate = "1/hour";  // no refill while the test runs
  PipelineHarness h(s);
  h.send(kIn, responses_to(kVictim, 12, 800));
  h.send(kIn, responses_to(kOther, 3, 800, 100));
  h.send(kIn, responses_to({192, 0, 2, 1}, 1, 800, 200));
  EXPECT_EQ(h.runtime().command("top 2").text,
            "# address credit-left capacity (packets) used blocked\n"
            "203.0.113.66 0 10 100% blocked\n"
            "198.18.7.7 7 10 30% -\n");
  EXPECT_EQ(h.runtime().command("top 0").text, "usage: top N (N from 1 to 10000)\n");
}

TEST(ControlPlane, ConfigCommandRendersTheRunningConfig) {
  const std::string conf = temp_path("render.conf");
  PipelineHarness h(from_file(conf, "dry-run = true\n[limit]\nburst = 4\n"));
  const Reply r = h.runtime().command("config");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.text, render_config(h.runtime().settings()));
  EXPECT_NE(r.text.find("\n[limit]\nmode = packets\nrate = 50/min\nburst = 4\n"),
            std::string::npos);
  EXPECT_NE(r.text.find("\ndry-run = true\n"), std::string::npos);
  std::filesystem::remove(conf);
}

// One request over the control socket while this thread runs the control loop.
std::string socket_request(Runtime& rt, const std::string& path, const std::string& request) {
  std::string answer;
  std::atomic<bool> done{false};
  std::thread client([&] {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      send(fd, request.data(), request.size(), MSG_NOSIGNAL);
      shutdown(fd, SHUT_WR);
      char buf[4096];
      for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, size_t(n));
    }
    close(fd);
    done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    rt.control_step();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  client.join();
  return answer;
}

std::string http_get(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
    send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[65536];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, size_t(n));
  }
  close(fd);
  const size_t body = out.find("\r\n\r\n");
  return body == std::string::npos ? "" : out.substr(body + 4);
}

TEST(ControlPlane, ControlSocketServesRequestsWithMode0600) {
  Settings s;
  s.control_socket = temp_path("ctl.sock");
  s.metrics_listen = "";
  s.log_syslog = false;
  PipelineHarness h(s);
  ASSERT_EQ(h.runtime().start_services(), "");
  EXPECT_EQ(std::filesystem::status(s.control_socket).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(socket_request(h.runtime(), s.control_socket, "blocklist add 192.0.2.44 1m\n"),
            "ok\nblocked 192.0.2.44 for 60s\n");
  EXPECT_EQ(socket_request(h.runtime(), s.control_socket, "blocklist list\n"),
            "ok\n192.0.2.44 60 manual\n");
  EXPECT_EQ(socket_request(h.runtime(), s.control_socket, "nonsense"),
            "error: unknown command 'nonsense' (try help)\n");
}

TEST(ControlPlane, PrometheusScrapeHasExactValuesAndPassesPromtool) {
  Settings s;
  s.metrics_listen = "127.0.0.1:0";
  s.control_socket = "";
  s.log_syslog = false;
  PipelineHarness h(s);
  ASSERT_EQ(h.runtime().start_services(), "");
  const int port = h.runtime().metrics_port();
  ASSERT_GT(port, 0);
  h.send(kIn, responses_to(kVictim, 30, 1000));
  h.send(kOut, test::query_v4(kOther, 7, 255));  // ANY over UDP: a TC reply
  h.log_lines();
  // What the control thread does once a second: scrapes read its snapshot, never the ports.
  h.runtime().refresh_snapshot();
  const std::string text = http_get(port, "/metrics");
  for (const char* line : {
           "ampguard_verdict_packets_total{reason=\"over_limit\",action=\"drop\"} 20\n",
           "ampguard_verdict_packets_total{reason=\"response_within_limit\",action=\"forward\"} "
           "10\n",
           "ampguard_verdict_bytes_total{reason=\"over_limit\",action=\"drop\"} 20280\n",
           "ampguard_port_packets_total{port=\"inside\",direction=\"rx\"} 30\n",
           "ampguard_port_packets_total{port=\"outside\",direction=\"tx\"} 11\n",
           "ampguard_tc_replies_total 1\n",
           "ampguard_blocklist_entries 1\n",
           "ampguard_blocklist_adds_total 1\n",
           "ampguard_blocklist_refreshes_total 19\n",
           "ampguard_limiter_entries 1\n",
           "ampguard_block_events_total 1\n",
           "ampguard_block_events_dropped_total 0\n",
           "ampguard_log_lines_total{result=\"written\"} 1\n",
           "ampguard_config_generation 1\n",
           "ampguard_reloads_total{result=\"success\"} 0\n",
           "ampguard_dpdk_port_ipackets_total{port=\"inside\"} 30\n",
           "ampguard_build_info{version=\"" AMPGUARD_VERSION "\"} 1\n",
       })
    EXPECT_NE(text.find(line), std::string::npos) << line << "not in the scrape:\n" << text;
  EXPECT_EQ(text.find("203.0.113"), std::string::npos) << "an address in a label";
  const std::string file = temp_path("scrape.prom");
  write_file(file, text);
  EXPECT_EQ(std::system(("promtool check metrics < " + file).c_str()), 0) << text;
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace ampguard
