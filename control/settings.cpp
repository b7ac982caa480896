#include "control/settings.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

#include "control/config_file.hpp"
#include "control/cookie_secrets.hpp"
#include "control/units.hpp"
#include "dataplane/flow_key.hpp"

namespace po = boost::program_options;

namespace ampguard {
namespace {

po::options_description describe(Settings& s) {
  po::options_description ports("Ports");
  ports.add_options()("ports.inside", po::value(&s.inside_port)->default_value(s.inside_port),
                      "DPDK port facing the resolver")(
      "ports.outside", po::value(&s.outside_port)->default_value(s.outside_port),
      "DPDK port facing the internet")(
      "ports.rx-descriptors", po::value(&s.rx_descriptors)->default_value(s.rx_descriptors),
      "RX ring size per queue")(
      "ports.tx-descriptors", po::value(&s.tx_descriptors)->default_value(s.tx_descriptors),
      "TX ring size per queue")("ports.mbufs", po::value(&s.mbufs)->default_value(s.mbufs),
                                "mbufs in the packet pool (0: sized for the queues; net_pcap "
                                "infinite_rx needs every frame of its pcaps)")(
      "ports.mtu", po::value(&s.mtu)->default_value(s.mtu),
      "largest IP packet forwarded (1280-9702; jumbo frames up to it, longer ones dropped and "
      "counted as oversize); mbufs are sized for it")(
      "ports.idle-pause", po::value(&s.idle_pause)->default_value(s.idle_pause),
      "when RX stays empty, workers sleep this long between polls (0: busy-poll; at most 1ms; "
      "e.g. 50us)");
  po::options_description limit("Limiter (large responses leaving the resolver)");
  limit.add_options()("limit.mode", po::value(&s.limit_mode)->default_value(s.limit_mode),
                      "packets (the kernel recipe as it runs) or bytes (what the recipe meant)")(
      "limit.rate", po::value(&s.limit_rate),
      "steady rate per destination: 50/min (packets) or 50kB/min (bytes)")(
      "limit.burst", po::value(&s.limit_burst),
      "burst per destination: 10 (packets) or 10kB (bytes)")(
      "limit.min-size", po::value(&s.min_size)->default_value(s.min_size),
      "responses with a smaller IP total length are never limited")(
      "limit.source-port", po::value(&s.source_port)->default_value(s.source_port),
      "UDP port the resolver answers from")(
      "limit.prefix-v4", po::value(&s.prefix_v4)->default_value(s.prefix_v4),
      "IPv4 destinations are limited per prefix of this length")(
      "limit.prefix-v6", po::value(&s.prefix_v6)->default_value(s.prefix_v6),
      "IPv6 destinations are limited per prefix of this length (16-64)")(
      "limit.max-entries",
      po::value(&s.tables.limiter_entries)->default_value(s.tables.limiter_entries),
      "limiter table capacity (full: least valuable entry evicted)")(
      "limit.idle-expire", po::value(&s.idle_expire)->default_value(s.idle_expire),
      "forget a destination idle this long")(
      "limit.hz", po::value(&s.limit_hz)->default_value(s.limit_hz),
      "kernel HZ the packets mode reproduces (jiffy granularity)")(
      "limit.over-action", po::value(&s.limit_over_action)->default_value(s.limit_over_action),
      "over-limit large responses: drop, or tc (every limit.slip-th sent truncated, TC=1)")(
      "limit.slip", po::value(&s.limit_slip)->default_value(s.limit_slip),
      "with limit.over-action = tc: every Nth over-limit response is sent truncated (1-100)")(
      "limit.pressure-rate", po::value(&s.pressure_rate)->default_value(s.pressure_rate),
      "global budget for large responses to destinations the full limiter table cannot place; "
      "over it they are dropped (auto: limit.rate * limit.max-entries / 10; off: no budget, the "
      "full table evicts its least valuable entry and the debt sketch keeps what it owed)")(
      "limit.pressure-burst", po::value(&s.pressure_burst)->default_value(s.pressure_burst),
      "burst of that budget (auto: limit.burst * limit.max-entries / 10)")(
      "limit.aggregate-v4", po::value(&s.aggregate_v4)->default_value(s.aggregate_v4),
      "IPv4 covering prefixes every large response is also charged to, each PREFIX:MULTIPLE of "
      "the per-destination rate and burst, e.g. 24:64,16:1024 (at most 2; empty: none)")(
      "limit.aggregate-v6", po::value(&s.aggregate_v6)->default_value(s.aggregate_v6),
      "IPv6 covering prefixes (at most /56), e.g. 48:64,32:1024 (at most 2; empty: none)");
  po::options_description block("Blocklist");
  block.add_options()(
      "block.timeout", po::value(&s.block_timeout)->default_value(s.block_timeout),
      "how long an over-limit destination stays blocked (reset while it stays over)")(
      "block.max-entries",
      po::value(&s.tables.block_entries)->default_value(s.tables.block_entries),
      "blocklist capacity (full: expired, then soonest-expiring evicted)")(
      "block.fragment-timeout", po::value(&s.fragment_timeout)->default_value(s.fragment_timeout),
      "later fragments get their first fragment's verdict for this long")(
      "block.service-ports",
      po::value(&s.block_service_ports)->default_value(s.block_service_ports),
      "UDP ports of the resolver's service: from a blocklisted source only UDP to these is "
      "dropped (comma-separated, at most 8)")(
      "block.query-action", po::value(&s.block_query_action)->default_value(s.block_query_action),
      "queries from blocklisted sources: drop, or tc (every block.slip-th answered TC=1)")(
      "block.slip", po::value(&s.block_slip)->default_value(s.block_slip),
      "with block.query-action = tc: every Nth query from a blocklisted source gets TC (1-100)");
  po::options_description actions("Actions");
  actions.add_options()("allow", po::value(&s.allow)->composing(),
                        "destination prefix never limited or blocked (repeatable)")(
      "deny", po::value(&s.deny)->composing(),
      "source prefix always dropped on the outside port (repeatable)")(
      "dry-run", po::bool_switch(&s.dry_run),
      "count and log every decision but drop and rewrite nothing")(
      "any.action", po::value(&s.any_action)->default_value(s.any_action),
      "ANY queries over UDP: tc (answer TC=1), drop or pass")(
      "any.edns-udp-size", po::value(&s.edns_udp_size)->default_value(s.edns_udp_size),
      "UDP payload size advertised in the OPT of a TC reply")(
      "truncate.above", po::value(&s.truncate_above)->default_value(s.truncate_above),
      "UDP answers with more DNS payload bytes become truncated (0: off)");
  po::options_description cookies("DNS cookies (RFC 7873, RFC 9018 server cookies)");
  cookies.add_options()(
      "cookies.secret-file", po::value(&s.cookie_secret_file)->default_value(s.cookie_secret_file),
      "the resolver's server-cookie secrets (siphash24), 32 hex digits a line, the first "
      "current: a query with a valid server cookie passes and its answer is never limited "
      "(\"\": off)")(
      "cookies.nocookie-udp-size",
      po::value(&s.nocookie_udp_size)->default_value(s.nocookie_udp_size),
      "answers with more DNS payload bytes that answer no query with a valid server cookie "
      "are truncated (TC=1; 0: off; needs cookies.secret-file)")(
      "cookies.proven-timeout",
      po::value(&s.cookie_proven_timeout)->default_value(s.cookie_proven_timeout),
      "how long the answer to a query with a valid server cookie is awaited (at most 60s)")(
      "cookies.verified-rate",
      po::value(&s.cookie_verified_rate)->default_value(s.cookie_verified_rate),
      "at most this many answers to queries with a valid server cookie are exempt from the "
      "limits, over all clients (a packet rate, e.g. 100000/s, burst one second of it; over it "
      "they are limited like any other; off: no cap)")(
      "cookies.max-entries",
      po::value(&s.tables.proven_entries)->default_value(s.tables.proven_entries),
      "queries with a valid server cookie awaiting their answer (full: soonest-expiring "
      "evicted)");
  po::options_description ops("Operations");
  ops.add_options()(
      "metrics.listen", po::value(&s.metrics_listen)->default_value(s.metrics_listen),
      "Prometheus endpoint address:port (\"\": off; never all addresses unless given 0.0.0.0)")(
      "control.socket", po::value(&s.control_socket)->default_value(s.control_socket),
      "Unix socket of ampguardctl (mode 0600; \"\": off)")(
      "block.state-file", po::value(&s.block_state_file)->default_value(s.block_state_file),
      "blocklist saved here and restored at start (\"\": not saved)")(
      "block.save-interval",
      po::value(&s.block_save_interval)->default_value(s.block_save_interval),
      "how often the blocklist is saved (also at once after ampguardctl changes and at exit)")(
      "log.syslog", po::value(&s.log_syslog)->default_value(s.log_syslog),
      "also send block and unblock lines to syslog (they always go to stdout)")(
      "log.max-per-second", po::value(&s.log_max_per_second)->default_value(s.log_max_per_second),
      "block and unblock lines per second; more are dropped and counted")(
      "log.address-interval",
      po::value(&s.log_address_interval)->default_value(s.log_address_interval),
      "repeated lines for one address within this time are suppressed and counted");
  po::options_description batch("Start-up and batch runs");
  batch.add_options()("help,h", "print this list and exit")(
      "config", po::value(&s.config_file),
      "read options from this file (the command line wins); SIGHUP and ampguardctl reload re-read "
      "it")("demo", po::bool_switch(&s.demo),
            "run the built-in demo: a generated DNS trace through net_pcap virtual devices "
            "(no EAL arguments; no state file, control socket or metrics)")(
      "exit-when-idle", po::value(&s.exit_when_idle_ms)->default_value(0),
      "exit once every RX queue has been idle this many milliseconds (0: run until signalled)")(
      "stats-file", po::value(&s.stats_file), "write the final counters as JSON to this file");
  po::options_description all(
      "ampguard [--config FILE] [options] -- EAL arguments\n"
      "ampguard --demo [--config FILE] [options]\n\n"
      "The EAL arguments name the lcores and the two ports (-a PCI address or --vdev).\n\n"
      "Options");
  all.add(ports).add(limit).add(block).add(actions).add(cookies);
  all.add(ops).add(describe_fleet(s.fleet)).add(batch);
  return all;
}

}  // namespace

ParseOutcome parse_command_line(int argc, char** argv, Settings& s, std::string& message) {
  std::vector<std::string> ours;
  int i = 1;
  for (; i < argc && std::string(argv[i]) != "--"; ++i) ours.emplace_back(argv[i]);
  std::vector<std::string> eal;
  for (++i; i < argc; ++i) eal.emplace_back(argv[i]);
  for (const std::string& a : ours) {
    if (a == "--help" || a == "-h") {
      Settings defaults;
      std::ostringstream out;
      out << describe(defaults);
      message = out.str();
      return ParseOutcome::exit_ok;
    }
    // Hidden: the options a reload cannot change, one a line (the ampguard.conf(5) generator).
    if (a == "--list-restart-only") {
      for (const auto& option : restart_only_options()) message += option + "\n";
      message.pop_back();
      return ParseOutcome::exit_ok;
    }
  }
  std::string config_file;
  try {
    // Only --config first: the file is read before the rest of the command line lands on it.
    Settings scratch;
    po::variables_map vm;
    po::store(po::command_line_parser(ours).options(describe(scratch)).run(), vm);
    po::notify(vm);
    config_file = scratch.config_file;
  } catch (const po::error& e) {
    message = std::string("command line: ") + e.what();
    return ParseOutcome::error;
  }
  Settings loaded;
  message = load_settings(config_file, ours, loaded);
  if (!message.empty()) return ParseOutcome::error;
  loaded.eal_args = std::move(eal);
  // Never fall into the demo: a production start with its EAL arguments missing (an empty
  // /etc/default/ampguard) must fail loudly, not replay a trace and exit 0.
  if (loaded.demo && !loaded.eal_args.empty()) {
    message = "--demo makes its own EAL arguments: drop the ones after '--'";
    return ParseOutcome::error;
  }
  if (!loaded.demo && loaded.eal_args.empty()) {
    message =
        "no ports: give the EAL arguments after '--' (lcores and the two ports, for example "
        "-- -l 0-2 -a 0000:03:00.0 -a 0000:03:00.1), or run --demo for the built-in demo";
    return ParseOutcome::error;
  }
  s = std::move(loaded);
  return ParseOutcome::run;
}

namespace {

// "24:64,16:1024": at most kMaxAggregateLevels distinct prefix lengths in [min_prefix, below),
// shorter than the per-destination prefix, each with a multiple (1-1000000) of `dest`'s rate and
// burst for its bucket. "" is none.
std::string parse_aggregates(const std::string& text, unsigned min_prefix, unsigned below,
                             const LimitParams& dest, AggregateLevel* levels, uint8_t& n) {
  n = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t colon = item.find(':');
    const std::string prefix = item.substr(0, colon);
    const std::string multiple = colon == item.npos ? "" : item.substr(colon + 1);
    const auto number = [](const std::string& t, uint64_t max, uint64_t& v) {
      if (t.empty() || t.size() > 7 || t.find_first_not_of("0123456789") != t.npos) return false;
      v = std::stoull(t);
      return v >= 1 && v <= max;
    };
    uint64_t len = 0, m = 0;
    if (!number(prefix, 128, len) || !number(multiple, 1'000'000, m))
      return "'" + item + "' is not PREFIX:MULTIPLE (a prefix length and a multiple 1-1000000)";
    if (len < min_prefix || len >= below)
      return "/" + prefix + " must be /" + std::to_string(min_prefix) + " to /" +
             std::to_string(below - 1) + " (shorter than the per-destination prefix)";
    for (unsigned i = 0; i < n; ++i)
      if (levels[i].prefix == len) return "/" + prefix + " is given twice";
    if (n == kMaxAggregateLevels)
      return "at most " + std::to_string(kMaxAggregateLevels) + " prefixes";
    LimitParams p = dest;
    p.rate *= m;
    p.burst *= m;
    AggregateLevel& l = levels[n++];
    l.prefix = uint8_t(len);
    l.multiple = uint32_t(m);
    if (const std::string err = make_pressure_profile(p, l.profile); !err.empty())
      return "/" + prefix + ": " + err;
  }
  return "";
}

// "53,853": 1 to kMaxServicePorts ports of 1-65535, comma-separated.
std::string parse_service_ports(const std::string& text, uint16_t* ports, uint8_t& n) {
  n = 0;
  size_t pos = 0;
  for (;;) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    if (item.empty() || item.size() > 5 || item.find_first_not_of("0123456789") != item.npos ||
        std::stoul(item) == 0 || std::stoul(item) > 65535)
      return "'" + item + "' is not a port 1-65535";
    if (n == kMaxServicePorts) return "more than 8 ports";
    ports[n++] = uint16_t(std::stoul(item));
    if (comma == text.size()) return "";
    pos = comma + 1;
  }
}

const std::vector<std::string> kCliOnly = {"help", "config", "demo"};

// IPv6's minimum link MTU; the largest jumbo MTU common NICs (ice, i40e) take.
constexpr uint64_t kMinMtu = 1280, kMaxMtu = 9702;
// A bounded sleep: longer would let a burst overflow the RX ring before the worker wakes.
constexpr uint64_t kMaxIdlePauseNs = 1'000'000;

// Values Boost takes as text but ampguard reads with units or as a choice.
std::string check_value(const std::string& option, const std::string& value) {
  if (option.rfind("fleet.", 0) == 0) return check_fleet_value(option, value);
  uint64_t n = 0, period = 0;
  LimitMode mode;
  if (option == "limit.idle-expire" || option == "block.timeout" ||
      option == "block.fragment-timeout" || option == "block.save-interval" ||
      option == "log.address-interval" || option == "cookies.proven-timeout")
    return parse_duration_ns(value, n);
  if (option == "limit.aggregate-v4" || option == "limit.aggregate-v6") {
    // the syntax here, with the file's line; the bound by the destination prefix at build
    AggregateLevel levels[kMaxAggregateLevels];
    uint8_t count = 0;
    const bool v4 = option == "limit.aggregate-v4";
    return parse_aggregates(value, v4 ? 8 : 16, v4 ? 32 : 57, LimitParams{}, levels, count);
  }
  if (option == "ports.idle-pause") {
    const std::string err = parse_duration_ns(value, n);
    if (!err.empty()) return err;
    if (n > kMaxIdlePauseNs) return "must be at most 1ms";
    return "";
  }
  if (option == "ports.mtu" &&
      (value.empty() || value.find_first_not_of("0123456789") != value.npos || value.size() > 5 ||
       std::stoul(value) < kMinMtu || std::stoul(value) > kMaxMtu))
    return "must be 1280-9702";
  if (option == "limit.rate" ||
      (option == "limit.pressure-rate" && value != "auto" && value != "off"))
    return parse_rate(value, mode, n, period);
  if (option == "cookies.verified-rate" && value != "off") {
    const std::string err = parse_rate(value, mode, n, period);
    if (!err.empty()) return err;
    if (mode != LimitMode::packets || n == 0)
      return "'" + value + "' is not a packet rate (e.g. 100000/s)";
  }
  if (option == "limit.mode" && value != "packets" && value != "bytes")
    return "'" + value + "' is neither packets nor bytes";
  if (option == "any.action" && value != "tc" && value != "drop" && value != "pass")
    return "'" + value + "' is not tc, drop or pass";
  if ((option == "block.query-action" || option == "limit.over-action") && value != "tc" &&
      value != "drop")
    return "'" + value + "' is neither drop nor tc";
  if (option == "block.slip" || option == "limit.slip") {
    if (value.empty() || value.size() > 3 || value.find_first_not_of("0123456789") != value.npos ||
        std::stoul(value) < 1 || std::stoul(value) > 100)
      return "must be 1-100";
  }
  if (option == "block.service-ports") {
    uint16_t ports[kMaxServicePorts];
    uint8_t n = 0;
    return parse_service_ports(value, ports, n);
  }
  return "";
}

}  // namespace

std::string load_settings(const std::string& config_file, const std::vector<std::string>& cli_args,
                          Settings& out) {
  out = Settings{};
  po::options_description desc = describe(out);
  try {
    po::variables_map vm;
    // The first value stored wins: the command line goes in before the file.
    po::store(po::command_line_parser(cli_args).options(desc).run(), vm);
    if (!config_file.empty()) {
      const std::string err =
          check_config_file(config_file, desc, kCliOnly, check_value, out.origin);
      if (!err.empty()) return err;
      std::ifstream in(config_file);
      po::store(po::parse_config_file(in, desc), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return std::string("command line: ") + e.what();
  }
  out.config_file = config_file;
  out.cli_args = cli_args;
  for (const std::string& a : cli_args)
    for (const auto& [option, where] : std::map<std::string, std::string>(out.origin))
      if (a.rfind("--" + option + "=", 0) == 0 || a == "--" + option) out.origin.erase(option);
  return locate_error(out, check_settings(out));
}

std::string check_settings(const Settings& s) {
  for (const auto& [option, value] : effective_options(s)) {
    if (value.empty()) continue;
    const std::string err = check_value(option, value);
    if (!err.empty()) return option + ": " + err;
  }
  if (s.log_max_per_second == 0) return "log.max-per-second: must be at least 1";
  return "";
}

std::string locate_error(const Settings& s, const std::string& error) {
  const size_t colon = error.find(": ");
  if (colon == std::string::npos) return error;
  // "limit.rate/limit.burst: ..." names two options: the first locates it.
  const std::string option = error.substr(0, std::min(colon, error.find('/')));
  const auto it = s.origin.find(option);
  return it == s.origin.end() ? error : it->second + ": " + error;
}

std::vector<std::pair<std::string, std::string>> effective_options(const Settings& s) {
  const auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : " ") + x;
    return out;
  };
  const bool bytes = s.limit_mode == "bytes";
  const auto num = [](uint64_t v) { return std::to_string(v); };
  std::vector<std::pair<std::string, std::string>> out = {
      {"ports.inside", num(s.inside_port)},
      {"ports.outside", num(s.outside_port)},
      {"ports.rx-descriptors", num(s.rx_descriptors)},
      {"ports.tx-descriptors", num(s.tx_descriptors)},
      {"ports.mbufs", num(s.mbufs)},
      {"ports.mtu", num(s.mtu)},
      {"ports.idle-pause", s.idle_pause},
      {"limit.mode", s.limit_mode},
      {"limit.rate", !s.limit_rate.empty() ? s.limit_rate
                     : bytes               ? "50kB/min"
                                           : "50/min"},
      {"limit.burst", !s.limit_burst.empty() ? s.limit_burst
                      : bytes                ? "10kB"
                                             : "10"},
      {"limit.min-size", num(s.min_size)},
      {"limit.source-port", num(s.source_port)},
      {"limit.prefix-v4", num(s.prefix_v4)},
      {"limit.prefix-v6", num(s.prefix_v6)},
      {"limit.max-entries", num(s.tables.limiter_entries)},
      {"limit.idle-expire", s.idle_expire},
      {"limit.hz", num(s.limit_hz)},
      {"limit.over-action", s.limit_over_action},
      {"limit.slip", num(s.limit_slip)},
      {"limit.pressure-rate", s.pressure_rate},
      {"limit.pressure-burst", s.pressure_burst},
      {"limit.aggregate-v4", s.aggregate_v4},
      {"limit.aggregate-v6", s.aggregate_v6},
      {"block.timeout", s.block_timeout},
      {"block.max-entries", num(s.tables.block_entries)},
      {"block.fragment-timeout", s.fragment_timeout},
      {"block.service-ports", s.block_service_ports},
      {"block.query-action", s.block_query_action},
      {"block.slip", num(s.block_slip)},
      {"allow", join(s.allow)},
      {"deny", join(s.deny)},
      {"dry-run", s.dry_run ? "true" : "false"},
      {"any.action", s.any_action},
      {"any.edns-udp-size", num(s.edns_udp_size)},
      {"truncate.above", num(s.truncate_above)},
      {"cookies.secret-file", s.cookie_secret_file},
      {"cookies.nocookie-udp-size", num(s.nocookie_udp_size)},
      {"cookies.proven-timeout", s.cookie_proven_timeout},
      {"cookies.verified-rate", s.cookie_verified_rate},
      {"cookies.max-entries", num(s.tables.proven_entries)},
      {"metrics.listen", s.metrics_listen},
      {"control.socket", s.control_socket},
      {"block.state-file", s.block_state_file},
      {"block.save-interval", s.block_save_interval},
      {"log.syslog", s.log_syslog ? "true" : "false"},
      {"log.max-per-second", num(s.log_max_per_second)},
      {"log.address-interval", s.log_address_interval},
  };
  const auto fleet = fleet_options(s.fleet);
  out.insert(out.end(), fleet.begin(), fleet.end());
  out.insert(out.end(),
             {{"exit-when-idle", num(s.exit_when_idle_ms)}, {"stats-file", s.stats_file}});
  return out;
}

std::string render_config(const Settings& s) {
  std::ostringstream out;
  out << "# ampguard running configuration"
      << (s.config_file.empty() ? "" : " (from " + s.config_file + ")") << "\n";
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> sections;
  for (const auto& [option, value] : effective_options(s)) {
    const size_t dot = option.find('.');
    if (dot == std::string::npos) {
      // Repeatable options take one line per value; an empty list takes none.
      if (option == "allow" || option == "deny") {
        for (const auto& v : option == "allow" ? s.allow : s.deny)
          out << option << " = " << v << "\n";
      } else {
        out << option << " = " << value << "\n";
      }
    } else {
      sections[option.substr(0, dot)].emplace_back(option.substr(dot + 1), value);
    }
  }
  for (const auto& [section, keys] : sections) {
    out << "\n[" << section << "]\n";
    for (const auto& [key, value] : keys) out << key << " = " << value << "\n";
  }
  return out.str();
}

std::vector<std::string> restart_only_options() {
  // limit.prefix-*: every table key is masked with them; limit.hz: the limiter's state units.
  std::vector<std::string> out = {
      "ports.inside",   "ports.outside",   "ports.rx-descriptors", "ports.tx-descriptors",
      "ports.mbufs",    "ports.mtu",       "limit.max-entries",    "block.max-entries",
      "limit.mode",     "limit.prefix-v4", "limit.prefix-v6",      "limit.hz",
      "metrics.listen", "control.socket",  "exit-when-idle",       "cookies.max-entries"};
  for (const std::string& o : fleet_restart_only_options()) out.push_back(o);
  return out;
}

std::string build_dataplane_config(const Settings& s, DataplaneConfig& out) {
  std::string err;
  const bool bytes = s.limit_mode == "bytes";
  if (!bytes && s.limit_mode != "packets")
    return "limit.mode: '" + s.limit_mode + "' is neither packets nor bytes";
  LimitParams lp;
  lp.mode = bytes ? LimitMode::bytes : LimitMode::packets;
  lp.hz = s.limit_hz;
  const std::string rate = !s.limit_rate.empty() ? s.limit_rate : bytes ? "50kB/min" : "50/min";
  LimitMode rate_mode;
  if (!(err = parse_rate(rate, rate_mode, lp.rate, lp.period_s)).empty())
    return "limit.rate: " + err;
  if (rate_mode != lp.mode)
    return "limit.rate: '" + rate + "' is a " + (bytes ? "packet" : "byte") +
           " rate but limit.mode is " + s.limit_mode;
  // a burst in the mode's unit: bytes (10kB) or a packet count
  const auto parse_burst = [&](const std::string& text, uint64_t& n) -> std::string {
    if (bytes) return parse_size_bytes(text, n);
    try {
      size_t used = 0;
      n = std::stoull(text, &used);
      if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      return "'" + text + "' is not a packet count";
    }
    return "";
  };
  const std::string burst = !s.limit_burst.empty() ? s.limit_burst : bytes ? "10kB" : "10";
  if (!(err = parse_burst(burst, lp.burst)).empty()) return "limit.burst: " + err;
  if (lp.burst == 0) return "limit.burst: must be at least 1";
  if (!(err = make_limit_profile(lp, out.limit)).empty()) return "limit.rate/limit.burst: " + err;
  // beyond capacity: the pressure budget, in the per-destination limit's units
  LimitParams pp = default_pressure(lp, s.tables.limiter_entries);
  if (s.pressure_rate != "auto" && s.pressure_rate != "off") {
    if (!(err = parse_rate(s.pressure_rate, rate_mode, pp.rate, pp.period_s)).empty())
      return "limit.pressure-rate: " + err;
    if (rate_mode != lp.mode)
      return "limit.pressure-rate: '" + s.pressure_rate + "' is a " + (bytes ? "packet" : "byte") +
             " rate but limit.mode is " + s.limit_mode;
  }
  if (s.pressure_burst != "auto") {
    if (!(err = parse_burst(s.pressure_burst, pp.burst)).empty())
      return "limit.pressure-burst: " + err;
    if (pp.burst == 0) return "limit.pressure-burst: must be at least 1";
  }
  if (s.pressure_rate != "off" && !(err = make_pressure_profile(pp, out.pressure)).empty())
    return "limit.pressure-rate/limit.pressure-burst: " + err;
  if (s.min_size > 65535) return "limit.min-size: must be at most 65535";
  out.min_size = uint16_t(s.min_size);
  if (s.source_port == 0 || s.source_port > 65535) return "limit.source-port: must be 1-65535";
  out.source_port = uint16_t(s.source_port);
  if (s.prefix_v4 > 32) return "limit.prefix-v4: must be 0-32";
  if (s.prefix_v6 < kMinPrefixV6 || s.prefix_v6 > kMaxPrefixV6)
    return "limit.prefix-v6: must be 16-64 (a /64 is the smallest block anyone is given)";
  out.prefix_v4 = uint8_t(s.prefix_v4);
  out.prefix_v6 = uint8_t(s.prefix_v6);
  if (!(err = parse_aggregates(s.aggregate_v4, 8, s.prefix_v4, lp, out.aggregates.v4,
                               out.aggregates.n_v4))
           .empty())
    return "limit.aggregate-v4: " + err;
  if (!(err = parse_aggregates(s.aggregate_v6, 16, std::min<uint32_t>(s.prefix_v6, 57), lp,
                               out.aggregates.v6, out.aggregates.n_v6))
           .empty())
    return "limit.aggregate-v6: " + err;
  if (!(err = parse_duration_ns(s.idle_expire, out.idle_expire_ns)).empty())
    return "limit.idle-expire: " + err;
  if (out.idle_expire_ns > 86'400'000'000'000) return "limit.idle-expire: must be at most 1d";
  if (!(err = parse_duration_ns(s.block_timeout, out.block_timeout_ns)).empty())
    return "block.timeout: " + err;
  if (!(err = parse_duration_ns(s.fragment_timeout, out.fragment_timeout_ns)).empty())
    return "block.fragment-timeout: " + err;
  if (!(err = parse_service_ports(s.block_service_ports, out.service_ports, out.service_port_count))
           .empty())
    return "block.service-ports: " + err;
  const auto limited_action = [](const std::string& v, LimitedAction& a) {
    a = v == "tc" ? LimitedAction::tc : LimitedAction::drop;
    return v == "tc" || v == "drop";
  };
  if (!limited_action(s.block_query_action, out.query_action))
    return "block.query-action: '" + s.block_query_action + "' is neither drop nor tc";
  if (!limited_action(s.limit_over_action, out.over_action))
    return "limit.over-action: '" + s.limit_over_action + "' is neither drop nor tc";
  if (s.block_slip < 1 || s.block_slip > 100) return "block.slip: must be 1-100";
  if (s.limit_slip < 1 || s.limit_slip > 100) return "limit.slip: must be 1-100";
  out.block_slip = s.block_slip;
  out.limit_slip = s.limit_slip;
  out.dry_run = s.dry_run;
  if (s.any_action == "tc")
    out.any_action = AnyAction::tc;
  else if (s.any_action == "drop")
    out.any_action = AnyAction::drop;
  else if (s.any_action == "pass")
    out.any_action = AnyAction::pass;
  else
    return "any.action: '" + s.any_action + "' is not tc, drop or pass";
  if (s.edns_udp_size < 512 || s.edns_udp_size > 65535)
    return "any.edns-udp-size: must be 512-65535";
  out.edns_udp_size = uint16_t(s.edns_udp_size);
  if (s.truncate_above > 65535) return "truncate.above: must be at most 65535";
  out.truncate_above = uint16_t(s.truncate_above);
  if (!s.cookie_secret_file.empty() &&
      !(err = read_cookie_secrets(s.cookie_secret_file, out.cookies)).empty())
    return "cookies.secret-file: " + err;
  if (s.nocookie_udp_size != 0 && (s.nocookie_udp_size < 128 || s.nocookie_udp_size > 65535))
    return "cookies.nocookie-udp-size: must be 0 or 128-65535";
  if (s.nocookie_udp_size != 0 && s.cookie_secret_file.empty())
    return "cookies.nocookie-udp-size: needs cookies.secret-file (else no answer is proven)";
  out.nocookie_udp_size = uint16_t(s.nocookie_udp_size);
  if (!(err = parse_duration_ns(s.cookie_proven_timeout, out.proven_timeout_ns)).empty())
    return "cookies.proven-timeout: " + err;
  if (out.proven_timeout_ns == 0 || out.proven_timeout_ns > 60'000'000'000)
    return "cookies.proven-timeout: must be more than 0 and at most 60s";
  if (s.cookie_verified_rate != "off") {
    LimitParams vp;
    if (!(err = parse_rate(s.cookie_verified_rate, rate_mode, vp.rate, vp.period_s)).empty())
      return "cookies.verified-rate: " + err;
    if (rate_mode != LimitMode::packets || vp.rate == 0)
      return "cookies.verified-rate: '" + s.cookie_verified_rate +
             "' is not a packet rate (e.g. 100000/s)";
    vp.burst = std::max<uint64_t>(vp.rate / vp.period_s, 1);  // one second's worth
    if (!(err = make_pressure_profile(vp, out.verified_cap)).empty())
      return "cookies.verified-rate: " + err;
  }
  auto allow = PrefixSet::build(s.allow, err);
  if (!allow) return "allow: " + err;
  auto deny = PrefixSet::build(s.deny, err);
  if (!deny) return "deny: " + err;
  if (s.mtu < kMinMtu || s.mtu > kMaxMtu) return "ports.mtu: must be 1280-9702";
  out.max_frame_len = s.mtu + kL2Overhead;
  if (!(err = parse_duration_ns(s.idle_pause, out.idle_pause_ns)).empty())
    return "ports.idle-pause: " + err;
  if (out.idle_pause_ns > kMaxIdlePauseNs) return "ports.idle-pause: must be at most 1ms";
  out.allow = std::move(allow);
  out.deny = std::move(deny);
  return "";
}

}  // namespace ampguard
