#include "control/settings.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

#include "control/config_file.hpp"
#include "control/cookie_secrets.hpp"
#include "control/fleet_settings.hpp"
#include "control/units.hpp"
#include "dataplane/flow_key.hpp"

namespace po = boost::program_options;

namespace ampguard {
namespace {

// How Boost reads each kind of option (option_list.hpp).
template <class T>
po::typed_value<T>* semantic_value(T& field) {
  return po::value(&field)->default_value(field);
}
po::typed_value<uint16_t>* semantic_u16(uint16_t& f) { return semantic_value(f); }
po::typed_value<uint32_t>* semantic_u32(uint32_t& f) { return semantic_value(f); }
po::typed_value<uint32_t>* semantic_table(uint32_t& f) { return semantic_value(f); }
po::typed_value<std::string>* semantic_text(std::string& f) { return semantic_value(f); }
po::typed_value<std::string>* semantic_text_bare(std::string& f) { return po::value(&f); }
po::typed_value<bool>* semantic_yesno(bool& f) { return semantic_value(f); }
po::typed_value<bool>* semantic_flag(bool& f) { return po::bool_switch(&f); }
po::typed_value<std::vector<std::string>>* semantic_list(std::vector<std::string>& f) {
  return po::value(&f)->composing();
}

enum class Group : uint8_t {
#define AMPGUARD_X(group, title) group,
  AMPGUARD_OPTION_GROUPS(AMPGUARD_X)
#undef AMPGUARD_X
};

po::options_description describe(Settings& s) {
  std::vector<po::options_description> groups = {
#define AMPGUARD_X(group, title) po::options_description(title),
      AMPGUARD_OPTION_GROUPS(AMPGUARD_X)
#undef AMPGUARD_X
  };
  groups[unsigned(Group::batch)].add_options()("help,h", "print this list and exit");
#define AMPGUARD_X(name, kind, field, def, check, apply, group, help) \
  groups[unsigned(Group::group)].add_options()(name, semantic_##kind(s.field), help);
  AMPGUARD_OPTIONS(AMPGUARD_X)
#undef AMPGUARD_X
  po::options_description all(
      "ampguard [--config FILE] [options] -- EAL arguments\n"
      "ampguard --demo [--config FILE] [options]\n\n"
      "The EAL arguments name the lcores and the two ports (-a PCI address or --vdev).\n\n"
      "Options");
  for (const po::options_description& g : groups) all.add(g);
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
    uint64_t len = 0, m = 0;
    if (!parse_uint(prefix, 1, 128, len) || !parse_uint(multiple, 1, 1'000'000, m))
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
    uint64_t port = 0;
    if (!parse_uint(item, 1, 65535, port)) return "'" + item + "' is not a port 1-65535";
    if (n == kMaxServicePorts) return "more than 8 ports";
    ports[n++] = uint16_t(port);
    if (comma == text.size()) return "";
    pos = comma + 1;
  }
}

// IPv6's minimum link MTU; the largest jumbo MTU common NICs (ice, i40e) take.
constexpr uint64_t kMinMtu = 1280, kMaxMtu = 9702;
// A bounded sleep: longer would let a burst overflow the RX ring before the worker wakes.
constexpr uint64_t kMaxIdlePauseNs = kSecond / 1'000;
constexpr uint64_t kMaxIdleExpireNs = 86'400 * kSecond;  // a day

// The value checks of the list's check column: the value as text -> "" or the reason. Numbers
// have passed Boost's conversion already; these bound them.
using Check = std::string (*)(const std::string&);

bool in_range(const std::string& v, uint64_t lo, uint64_t hi) {
  uint64_t n;
  return parse_uint(v, lo, hi, n);
}

std::string check_any(const std::string&) { return ""; }
std::string check_duration(const std::string& v) {
  uint64_t ns;
  return parse_duration_ns(v, ns);
}
std::string check_idle_pause(const std::string& v) {
  uint64_t ns = 0;
  const std::string err = parse_duration_ns(v, ns);
  return !err.empty() ? err : ns > kMaxIdlePauseNs ? "must be at most 1ms" : "";
}
std::string check_idle_expire(const std::string& v) {
  uint64_t ns = 0;
  const std::string err = parse_duration_ns(v, ns);
  return !err.empty() ? err : ns > kMaxIdleExpireNs ? "must be at most 1d" : "";
}
std::string check_rate(const std::string& v) {
  LimitMode mode;
  uint64_t n, period;
  return parse_rate(v, mode, n, period);
}
std::string check_pressure_rate(const std::string& v) {
  return v == "auto" || v == "off" ? "" : check_rate(v);
}
std::string check_verified_rate(const std::string& v) {
  if (v == "off") return "";
  uint64_t n = 0, period = 0;
  LimitMode mode;
  if (const std::string err = parse_rate(v, mode, n, period); !err.empty()) return err;
  if (mode != LimitMode::packets || n == 0)
    return "'" + v + "' is not a packet rate (e.g. 100000/s)";
  return "";
}
std::string check_limit_mode(const std::string& v) { return not_one_of<LimitMode>(v); }
std::string check_limited_action(const std::string& v) { return not_one_of<LimitedAction>(v); }
std::string check_any_action(const std::string& v) { return not_one_of<AnyAction>(v); }
std::string check_mtu(const std::string& v) {
  return in_range(v, kMinMtu, kMaxMtu) ? "" : "must be 1280-9702";
}
std::string check_slip(const std::string& v) { return in_range(v, 1, 100) ? "" : "must be 1-100"; }
std::string check_port(const std::string& v) {
  return in_range(v, 1, 65535) ? "" : "must be 1-65535";
}
std::string check_at_most_65535(const std::string& v) {
  return in_range(v, 0, 65535) ? "" : "must be at most 65535";
}
std::string check_at_least_1(const std::string& v) {
  return in_range(v, 1, UINT32_MAX) ? "" : "must be at least 1";
}
std::string check_edns_udp_size(const std::string& v) {
  return in_range(v, 512, 65535) ? "" : "must be 512-65535";
}
std::string check_prefix_v4(const std::string& v) {
  return in_range(v, 0, 32) ? "" : "must be 0-32";
}
std::string check_prefix_v6(const std::string& v) {
  return in_range(v, kMinPrefixV6, kMaxPrefixV6)
             ? ""
             : "must be 16-64 (a /64 is the smallest block anyone is given)";
}
// The syntax here, with the file's line; the bound by the destination prefix at build.
std::string check_aggregate_v4(const std::string& v) {
  AggregateLevel levels[kMaxAggregateLevels];
  uint8_t n = 0;
  return parse_aggregates(v, 8, 32, LimitParams{}, levels, n);
}
std::string check_aggregate_v6(const std::string& v) {
  AggregateLevel levels[kMaxAggregateLevels];
  uint8_t n = 0;
  return parse_aggregates(v, 16, 57, LimitParams{}, levels, n);
}
std::string check_service_ports(const std::string& v) {
  uint16_t ports[kMaxServicePorts];
  uint8_t n = 0;
  return parse_service_ports(v, ports, n);
}

struct OptionInfo {
  const char* name;
  OptionApply apply;
  Check check;
};

constexpr OptionInfo kOptions[] = {
#define AMPGUARD_X(name, kind, field, def, check, apply, group, help) \
  {name, OptionApply::apply, check_##check},
    AMPGUARD_OPTIONS(AMPGUARD_X)
#undef AMPGUARD_X
};

const OptionInfo* find_option(const std::string& name) {
  for (const OptionInfo& o : kOptions)
    if (name == o.name) return &o;
  return nullptr;
}

// Refused in a config file.
std::vector<std::string> cli_only_options() {
  std::vector<std::string> out = {"help"};
  for (const OptionInfo& o : kOptions)
    if (o.apply == OptionApply::cli) out.push_back(o.name);
  return out;
}

std::string check_value(const std::string& option, const std::string& value) {
  const OptionInfo* o = find_option(option);
  return o == nullptr ? "" : o->check(value);
}

// An option's value as text, as a config file writes it.
std::string render(uint16_t v) { return std::to_string(v); }
std::string render(uint32_t v) { return std::to_string(v); }
std::string render(const std::string& v) { return v; }
std::string render(bool v) { return v ? "true" : "false"; }
std::string render(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : " ") + x;
  return out;
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
          check_config_file(config_file, desc, cli_only_options(), check_value, out.origin);
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

std::string Settings::effective_limit_rate() const {
  return !limit_rate.empty() ? limit_rate : limit_mode == "bytes" ? "50kB/min" : "50/min";
}

std::string Settings::effective_limit_burst() const {
  return !limit_burst.empty() ? limit_burst : limit_mode == "bytes" ? "10kB" : "10";
}

std::vector<std::pair<std::string, std::string>> effective_options(const Settings& s) {
  std::vector<std::pair<std::string, std::string>> out;
#define AMPGUARD_X(name, kind, field, def, check, apply, group, help) \
  if (OptionApply::apply != OptionApply::cli) out.emplace_back(name, render(s.field));
  AMPGUARD_OPTIONS(AMPGUARD_X)
#undef AMPGUARD_X
  for (auto& [option, value] : out) {
    if (option == "limit.rate") value = s.effective_limit_rate();
    if (option == "limit.burst") value = s.effective_limit_burst();
  }
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
  std::vector<std::string> out;
  for (const OptionInfo& o : kOptions)
    if (o.apply == OptionApply::restart) out.push_back(o.name);
  return out;
}

std::string build_dataplane_config(const Settings& s, DataplaneConfig& out) {
  // Each value on its own (the list's checks), then what follows from several together.
  std::string err = check_settings(s);
  if (!err.empty()) return err;
  LimitParams lp;
  enum_from_name(s.limit_mode, lp.mode);
  const bool bytes = lp.mode == LimitMode::bytes;
  lp.hz = s.limit_hz;
  const std::string rate = s.effective_limit_rate();
  LimitMode rate_mode;
  parse_rate(rate, rate_mode, lp.rate, lp.period_s);
  if (rate_mode != lp.mode)
    return "limit.rate: '" + rate + "' is a " + (bytes ? "packet" : "byte") +
           " rate but limit.mode is " + s.limit_mode;
  // a burst in the mode's unit: bytes (10kB) or a packet count
  const auto parse_burst = [&](const std::string& text, uint64_t& n) -> std::string {
    if (bytes) return parse_size_bytes(text, n);
    return parse_uint(text, 0, UINT64_MAX, n) ? "" : "'" + text + "' is not a packet count";
  };
  if (!(err = parse_burst(s.effective_limit_burst(), lp.burst)).empty())
    return "limit.burst: " + err;
  if (lp.burst == 0) return "limit.burst: must be at least 1";
  if (!(err = make_limit_profile(lp, out.limit)).empty()) return "limit.rate/limit.burst: " + err;
  // beyond capacity: the pressure budget, in the per-destination limit's units
  LimitParams pp = default_pressure(lp, s.tables.limiter_entries);
  if (s.pressure_rate != "auto" && s.pressure_rate != "off") {
    parse_rate(s.pressure_rate, rate_mode, pp.rate, pp.period_s);
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
  out.min_size = uint16_t(s.min_size);
  out.source_port = uint16_t(s.source_port);
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
  parse_duration_ns(s.idle_expire, out.idle_expire_ns);
  parse_duration_ns(s.block_timeout, out.block_timeout_ns);
  parse_duration_ns(s.fragment_timeout, out.fragment_timeout_ns);
  parse_service_ports(s.block_service_ports, out.service_ports, out.service_port_count);
  enum_from_name(s.block_query_action, out.query_action);
  enum_from_name(s.limit_over_action, out.over_action);
  out.block_slip = s.block_slip;
  out.limit_slip = s.limit_slip;
  out.dry_run = s.dry_run;
  enum_from_name(s.any_action, out.any_action);
  out.edns_udp_size = uint16_t(s.edns_udp_size);
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
  if (out.proven_timeout_ns == 0 || out.proven_timeout_ns > 60 * kSecond)
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
  out.max_frame_len = s.mtu + kL2Overhead;
  parse_duration_ns(s.idle_pause, out.idle_pause_ns);
  out.allow = std::move(allow);
  out.deny = std::move(deny);
  return "";
}

}  // namespace ampguard
