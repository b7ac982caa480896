// Settings from the config file and the command line: conf/ampguard.conf is complete and equals
// the defaults, the command line wins, bad files are rejected with file, line and reason, and
// the running config renders back to a file that reads the same.
#include "control/settings.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace ampguard {
namespace {

const std::string kConf =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() /
    "conf/ampguard.conf";

class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("ampguard_settings_" + std::to_string(getpid()) + "_" + std::to_string(++n_) +
               ".conf")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int n_ = 0;
  std::string path_;
};

// The error for a file holding `text`, with the file's path replaced by "FILE".
std::string load_error(const std::string& text) {
  TempFile f(text);
  Settings s;
  std::string err = load_settings(f.path(), {}, s);
  if (err.rfind(f.path(), 0) == 0) err = "FILE" + err.substr(f.path().size());
  return err;
}

TEST(Settings, ShippedConfigEqualsTheDefaults) {
  Settings from_file;
  ASSERT_EQ(load_settings(kConf, {}, from_file), "");
  EXPECT_EQ(effective_options(from_file), effective_options(Settings{}));
}

TEST(Settings, ShippedConfigDocumentsEveryOptionWithAComment) {
  std::ifstream in(kConf);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string section;
  std::set<std::string> documented;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.rfind('[', 0) == 0) section = l.substr(1, l.size() - 2);
    // "key = value" or "# Default: none" for repeatable lists, each under a comment line.
    const size_t eq = l.find(" =");
    if (eq == std::string::npos || l[0] == '[') continue;
    std::string key = l[0] == '#' ? "" : l.substr(0, eq);
    if (key.empty()) continue;
    ASSERT_GT(i, 0u);
    EXPECT_EQ(lines[i - 1].rfind("# ", 0), 0u) << "no comment above " << l;
    documented.insert(section.empty() ? key : section + "." + key);
  }
  std::string text((std::istreambuf_iterator<char>(std::ifstream(kConf).rdbuf())), {});
  for (const auto& [option, value] : effective_options(Settings{})) {
    if (option == "allow" || option == "deny") {
      EXPECT_NE(text.find("Example: " + option + " = "), std::string::npos) << option;
    } else {
      EXPECT_TRUE(documented.count(option)) << option << " is not in conf/ampguard.conf";
    }
  }
}

// Issue 14: the kernel-exact profile drops what is limited; the recommended one slips TC.
TEST(Settings, RecommendedProfileSlipsTcReplies) {
  Settings exact, recommended;
  ASSERT_EQ(load_settings(kConf, {}, exact), "");
  EXPECT_EQ(exact.block_query_action, "drop");
  EXPECT_EQ(exact.limit_over_action, "drop");
  const std::string rec = std::filesystem::path(kConf).parent_path() / "recommended.conf";
  ASSERT_EQ(load_settings(rec, {}, recommended), "");
  EXPECT_EQ(recommended.block_query_action, "tc");
  EXPECT_EQ(recommended.block_slip, 2u);
  EXPECT_EQ(recommended.limit_over_action, "tc");
  EXPECT_EQ(recommended.limit_slip, 2u);
}

TEST(Settings, CommandLineWinsOverTheFile) {
  TempFile f("[limit]\nrate = 20/min\nburst = 4\n[block]\ntimeout = 5m\n");
  Settings s;
  ASSERT_EQ(load_settings(f.path(), {"--limit.rate=30/min", "--block.timeout", "7m"}, s), "");
  EXPECT_EQ(s.limit_rate, "30/min");
  EXPECT_EQ(s.limit_burst, "4");
  EXPECT_EQ(s.block_timeout, "7m");
  EXPECT_EQ(s.origin.count("limit.rate"), 0u);
  EXPECT_EQ(s.origin.at("limit.burst"), f.path() + ":3");
}

TEST(Settings, RepeatableOptionsCollectEveryLine) {
  TempFile f("allow = 192.0.2.0/24\nallow = 2001:db8::/32\ndeny = 198.51.100.7/32\n");
  Settings s;
  ASSERT_EQ(load_settings(f.path(), {}, s), "");
  EXPECT_EQ(s.allow, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::/32"}));
  EXPECT_EQ(s.deny, std::vector<std::string>{"198.51.100.7/32"});
}

// Issue 13: beyond capacity, a global budget; auto is a tenth of what a full table lets through.
TEST(Settings, PressureBudgetDefaultsToATenthOfAFullTable) {
  Settings s;
  DataplaneConfig d;
  ASSERT_EQ(build_dataplane_config(s, d), "");
  // 50/min * 100000 / 10 = 500000/min: 60 s / 500000 in 1/256 ns per packet; burst 10 * 10000
  EXPECT_EQ(d.pressure.cost_per_byte, 60'000'000'000ull * 256 / 500'000);
  EXPECT_EQ(d.pressure.cap, 100'000 * d.pressure.cost_per_byte);
  s.pressure_rate = "1000/s";
  s.pressure_burst = "50";
  ASSERT_EQ(build_dataplane_config(s, d), "");
  EXPECT_EQ(d.pressure.cost_per_byte, 1'000'000'000ull * 256 / 1000);
  EXPECT_EQ(d.pressure.cap, 50 * d.pressure.cost_per_byte);
  s.pressure_rate = "1MB/s";
  EXPECT_EQ(build_dataplane_config(s, d),
            "limit.pressure-rate: '1MB/s' is a byte rate but limit.mode is packets");
  s.pressure_rate = "auto";
  s.pressure_burst = "0";
  EXPECT_EQ(build_dataplane_config(s, d), "limit.pressure-burst: must be at least 1");
  const std::string err = load_error("[limit]\npressure-rate = lots\n");
  EXPECT_EQ(err.rfind("FILE:2: limit.pressure-rate: ", 0), 0u) << err;
  s.pressure_burst = "auto";
  s.pressure_rate = "off";  // no budget: the full table evicts and sketches instead
  DataplaneConfig off;
  ASSERT_EQ(build_dataplane_config(s, off), "");
  EXPECT_EQ(off.pressure.cost_per_byte, 0u);
}

TEST(Settings, BadFilesNameFileLineAndReason) {
  EXPECT_EQ(load_error("[limit]\nrate = 5/min\nbogus = 1\n"),
            "FILE:3: unknown option 'bogus' in section [limit]");
  EXPECT_EQ(load_error("# ok\n[limits]\n"), "FILE:2: unknown section 'limits'");
  EXPECT_EQ(load_error("[limit]\nrate 5/min\n"),
            "FILE:2: expected 'key = value', '[section]' or a comment");
  EXPECT_EQ(
      load_error("[block]\ntimeout = 10 parsecs\n"),
      "FILE:2: block.timeout: '10 parsecs': unknown duration unit ' parsecs' (us, ms, s, m, h, d)");
  EXPECT_EQ(load_error("[limit]\nmin-size = abc\n"),
            "FILE:2: limit.min-size: the argument ('abc') for option 'limit.min-size' is invalid");
  EXPECT_EQ(load_error("[limit]\nmode = fast\n"),
            "FILE:2: limit.mode: 'fast' is neither packets nor bytes");
  EXPECT_EQ(load_error("\n\n[limit]\nburst = 3\nburst = 4\n"),
            "FILE:5: limit.burst is already set on line 4");
  EXPECT_EQ(load_error("config = /etc/x\n"), "FILE:1: config is a command-line option");
  EXPECT_EQ(load_error("[limit\n"), "FILE:1: a section header ends with ']'");
  EXPECT_EQ(load_error("rate = 5/min\n"), "FILE:1: unknown option 'rate' above the first section");
  Settings s;
  EXPECT_EQ(load_settings("/nonexistent/ampguard.conf", {}, s),
            "/nonexistent/ampguard.conf: cannot read: No such file or directory");
}

TEST(Settings, BadBlocklistAndSlipOptionsNameFileLineAndReason) {
  EXPECT_EQ(load_error("[block]\nservice-ports = 53,x\n"),
            "FILE:2: block.service-ports: 'x' is not a port 1-65535");
  EXPECT_EQ(load_error("[block]\nservice-ports = 53,,853\n"),
            "FILE:2: block.service-ports: '' is not a port 1-65535");
  EXPECT_EQ(load_error("[block]\nservice-ports = 70000\n"),
            "FILE:2: block.service-ports: '70000' is not a port 1-65535");
  EXPECT_EQ(load_error("[block]\nservice-ports = 1,2,3,4,5,6,7,8,9\n"),
            "FILE:2: block.service-ports: more than 8 ports");
  EXPECT_EQ(load_error("[block]\nquery-action = slip\n"),
            "FILE:2: block.query-action: 'slip' is neither drop nor tc");
  EXPECT_EQ(load_error("[limit]\nover-action = pass\n"),
            "FILE:2: limit.over-action: 'pass' is neither drop nor tc");
  EXPECT_EQ(load_error("\n[block]\nslip = 0\n"), "FILE:3: block.slip: must be 1-100");
  EXPECT_EQ(load_error("[limit]\nslip = 101\n"), "FILE:2: limit.slip: must be 1-100");
  TempFile ok("[block]\nservice-ports = 53,853\nquery-action = tc\nslip = 1\n");
  Settings s;
  ASSERT_EQ(load_settings(ok.path(), {}, s), "");
  EXPECT_EQ(s.block_service_ports, "53,853");
  EXPECT_EQ(s.block_query_action, "tc");
  EXPECT_EQ(s.block_slip, 1u);
}

// Issue 17: jumbo MTU and the idle pause are checked like every option.
TEST(Settings, BadMtuAndIdlePauseNameFileLineAndReason) {
  EXPECT_EQ(load_error("[ports]\nmtu = 100\n"), "FILE:2: ports.mtu: must be 1280-9702");
  EXPECT_EQ(load_error("\n[ports]\nmtu = 9703\n"), "FILE:3: ports.mtu: must be 1280-9702");
  EXPECT_EQ(load_error("[ports]\nidle-pause = 2ms\n"),
            "FILE:2: ports.idle-pause: must be at most 1ms");
  EXPECT_EQ(load_error("[ports]\nidle-pause = soon\n"),
            "FILE:2: ports.idle-pause: 'soon' is not a duration (e.g. 600s, 10m)");
  TempFile ok("[ports]\nmtu = 9000\nidle-pause = 50us\n");
  Settings s;
  ASSERT_EQ(load_settings(ok.path(), {}, s), "");
  EXPECT_EQ(s.mtu, 9000u);
  EXPECT_EQ(s.idle_pause, "50us");
  const auto r = restart_only_options();
  EXPECT_NE(std::find(r.begin(), r.end(), "ports.mtu"), r.end());
}

// Issue 16: every single-value bound sits in the options list, so the file check finds it
// (before, these were found only after the EAL was up, by build_dataplane_config).
TEST(Settings, BoundsAreCheckedInTheFile) {
  EXPECT_EQ(load_error("[limit]\nmin-size = 70000\n"),
            "FILE:2: limit.min-size: must be at most 65535");
  EXPECT_EQ(load_error("[limit]\nsource-port = 0\n"), "FILE:2: limit.source-port: must be 1-65535");
  EXPECT_EQ(load_error("[limit]\nprefix-v4 = 33\n"), "FILE:2: limit.prefix-v4: must be 0-32");
  EXPECT_EQ(load_error("[limit]\nprefix-v6 = 96\n"),
            "FILE:2: limit.prefix-v6: must be 16-64 (a /64 is the smallest block anyone is given)");
  EXPECT_EQ(load_error("[limit]\nidle-expire = 2d\n"),
            "FILE:2: limit.idle-expire: must be at most 1d");
  EXPECT_EQ(load_error("[any]\nedns-udp-size = 100\n"),
            "FILE:2: any.edns-udp-size: must be 512-65535");
  EXPECT_EQ(load_error("[truncate]\nabove = 65536\n"),
            "FILE:2: truncate.above: must be at most 65535");
  EXPECT_EQ(load_error("[log]\nmax-per-second = 0\n"),
            "FILE:2: log.max-per-second: must be at least 1");
  EXPECT_EQ(load_error("[any]\naction = slip\n"),
            "FILE:2: any.action: 'slip' is not tc, drop or pass");
  // The same checks guard a Settings built in code.
  Settings s;
  s.min_size = 70000;
  DataplaneConfig d;
  EXPECT_EQ(build_dataplane_config(s, d), "limit.min-size: must be at most 65535");
}

// A reload keeps exactly the restart-only options; the list says which they are.
TEST(Settings, RestartOnlyOptionsComeFromTheList) {
  const auto r = restart_only_options();
  for (const char* o : {"ports.inside", "ports.mtu", "limit.max-entries", "block.max-entries",
                        "limit.mode", "limit.hz", "metrics.listen", "exit-when-idle"})
    EXPECT_NE(std::find(r.begin(), r.end(), o), r.end()) << o;
  for (const char* o : {"limit.rate", "block.timeout", "any.action", "config", "demo"})
    EXPECT_EQ(std::find(r.begin(), r.end(), o), r.end()) << o;
}

// Issue 18: fleet.* values are checked with the rest, located in the file.
TEST(Settings, BadFleetValuesNameFileLineAndReason) {
  EXPECT_EQ(load_error("[fleet]\naction = drop\n"),
            "FILE:2: fleet.action: 'drop' is neither discard nor rate:<bytes per second, at "
            "least 1>");
  EXPECT_EQ(load_error("[fleet]\n\ncommunity = 70000:1\n"),
            "FILE:3: fleet.community: '70000:1' is not ASN:VALUE (each 0-65535)");
  EXPECT_EQ(load_error("[fleet]\nprotect = 192.0.2.0/24,192.0.2.1/24\n"),
            "FILE:2: fleet.protect: '192.0.2.1/24' has host bits set");
  EXPECT_EQ(load_error("[fleet]\nexport-after = later\n"),
            "FILE:2: fleet.export-after: 'later' is not a duration (e.g. 600s, 10m)");
  const auto r = restart_only_options();
  EXPECT_NE(std::find(r.begin(), r.end(), "fleet.api"), r.end());
  EXPECT_EQ(std::find(r.begin(), r.end(), "fleet.max-routes"), r.end());
}

TEST(Settings, ControlCharactersInAFileAreEscaped) {
  EXPECT_EQ(load_error("[a\x1b[31m]\n"), "FILE:1: unknown section 'a\\x1b[31m'");
}

TEST(Settings, LaterErrorsAreLocatedInTheFile) {
  TempFile f("[limit]\nmode = bytes\nrate = 50/min\n");
  Settings s;
  ASSERT_EQ(load_settings(f.path(), {}, s), "");
  EXPECT_EQ(locate_error(s, "limit.rate: '50/min' is a packet rate but limit.mode is bytes"),
            f.path() + ":3: limit.rate: '50/min' is a packet rate but limit.mode is bytes");
  EXPECT_EQ(locate_error(s, "need at least two lcores"), "need at least two lcores");
}

TEST(Settings, RenderedConfigReadsBackTheSame) {
  TempFile f(
      "allow = 192.0.2.0/24\ndry-run = true\n[limit]\nmode = bytes\nrate = 1MB/s\n[log]\nsyslog = "
      "false\n");
  Settings s;
  ASSERT_EQ(load_settings(f.path(), {"--ports.mbufs=4096"}, s), "");
  TempFile rendered(render_config(s));
  Settings back;
  ASSERT_EQ(load_settings(rendered.path(), {}, back), "") << render_config(s);
  EXPECT_EQ(effective_options(back), effective_options(s));
  EXPECT_EQ(back.mbufs, 4096u);
  EXPECT_TRUE(back.dry_run);
  EXPECT_FALSE(back.log_syslog);
}

TEST(Settings, RestartOnlyOptionsAreRealOptions) {
  std::set<std::string> names;
  for (const auto& [option, value] : effective_options(Settings{})) names.insert(option);
  for (const auto& o : restart_only_options()) EXPECT_TRUE(names.count(o)) << o;
}

// Issue 13: aggregate limits, PREFIX:MULTIPLE of the per-destination rate and burst.
TEST(Settings, AggregateLimitsParseAndRejectWithReasons) {
  Settings s;
  s.aggregate_v4 = "24:64,16:1024";
  s.aggregate_v6 = "48:64";
  DataplaneConfig d;
  ASSERT_EQ(build_dataplane_config(s, d), "");
  ASSERT_EQ(d.aggregates.n_v4, 2u);
  EXPECT_EQ(d.aggregates.v4[0].prefix, 24u);
  EXPECT_EQ(d.aggregates.v4[1].multiple, 1024u);
  // 50/min * 64 per /24: 60 s / 3200 in 1/256 ns per packet, burst 640
  EXPECT_EQ(d.aggregates.v4[0].profile.cost_per_byte, 60'000'000'000ull * 256 / 3200);
  EXPECT_EQ(d.aggregates.v4[0].profile.cap, 640 * d.aggregates.v4[0].profile.cost_per_byte);
  ASSERT_EQ(d.aggregates.n_v6, 1u);
  const std::pair<std::string, std::string> bad[] = {
      {"24", "limit.aggregate-v4: '24' is not PREFIX:MULTIPLE"},
      {"24:0", "limit.aggregate-v4: '24:0' is not PREFIX:MULTIPLE"},
      {"32:2", "limit.aggregate-v4: /32 must be /8 to /31"},
      {"24:2,24:4", "limit.aggregate-v4: /24 is given twice"},
      {"24:2,16:2,8:2", "limit.aggregate-v4: at most 2 prefixes"},
  };
  for (const auto& [value, error] : bad) {
    s.aggregate_v4 = value;
    EXPECT_EQ(build_dataplane_config(s, d).rfind(error, 0), 0u) << value;
  }
  s.aggregate_v4 = "";
  s.aggregate_v6 = "60:2";  // IPv6 keys hold at most /56
  EXPECT_EQ(build_dataplane_config(s, d).rfind("limit.aggregate-v6: /60 must be /16 to /56", 0),
            0u);
  const std::string err = load_error("[limit]\naggregate-v4 = 24:x\n");
  EXPECT_EQ(err.rfind("FILE:2: limit.aggregate-v4: ", 0), 0u) << err;
}

}  // namespace
}  // namespace ampguard
