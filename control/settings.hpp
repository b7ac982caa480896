// ampguard's settings: the config file and the command line parsed and validated.
//
// Option names are an interface: `section.key` on the command line as `--section.key=value`
// and in the config file as `key = value` under `[section]` (options without a dot sit above
// the first section). The command line wins over the file, on start and on every reload.
// Anything after `--` goes to the EAL unchanged.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "control/fleet_settings.hpp"
#include "dataplane/dataplane_config.hpp"
#include "dataplane/shared_state.hpp"

namespace ampguard {

struct Settings {
  // ports.*
  uint16_t inside_port = 0;
  uint16_t outside_port = 1;
  uint16_t rx_descriptors = 1024;
  uint16_t tx_descriptors = 1024;
  uint32_t mbufs = 0;            // 0: enough for every queue
  uint32_t mtu = 1500;           // longest IP packet forwarded; mbufs sized for it
  std::string idle_pause = "0";  // sleep this long when RX is empty ("0": busy-poll)
  // limit.*, block.*, allow, deny, dry-run, any.*, truncate.*
  std::string limit_mode = "packets";
  std::string limit_rate;   // default by mode: 50/min or 50kB/min
  std::string limit_burst;  // default by mode: 10 or 10kB
  // beyond the limiter table's capacity (issue 13); auto: default_pressure() (rate_limit.hpp)
  std::string pressure_rate = "auto";
  std::string pressure_burst = "auto";
  // covering prefixes with their multiple of the per-destination limit, "24:64,16:1024"; "": none
  std::string aggregate_v4;
  std::string aggregate_v6;
  uint32_t min_size = 700;
  uint32_t source_port = 53;
  uint32_t prefix_v4 = 32;
  uint32_t prefix_v6 = 64;
  uint32_t limit_hz = 250;
  std::string idle_expire = "60s";
  std::string block_timeout = "600s";
  std::string fragment_timeout = "2s";
  std::string block_service_ports = "53";
  std::string block_query_action = "drop";
  uint32_t block_slip = 2;
  std::string limit_over_action = "drop";
  uint32_t limit_slip = 2;
  TableSizes tables;
  std::vector<std::string> allow, deny;
  bool dry_run = false;
  std::string any_action = "tc";
  uint32_t edns_udp_size = 1232;
  uint32_t truncate_above = 0;
  // cookies.*
  std::string cookie_secret_file;  // "": server cookies not checked
  uint32_t nocookie_udp_size = 0;
  std::string cookie_proven_timeout = "5s";
  std::string cookie_verified_rate = "off";
  // metrics.*, control.*, persistence, log.*
  std::string metrics_listen = "127.0.0.1:9977";          // "": no exposer
  std::string control_socket = "/run/ampguard/ctl.sock";  // "": no control socket
  std::string block_state_file;  // "": not saved (runs never share state by accident)
  std::string block_save_interval = "10s";
  bool log_syslog = true;
  uint32_t log_max_per_second = 100;  // block/unblock lines over this are dropped and counted
  std::string log_address_interval = "60s";  // repeats for one address within it: suppressed
  FleetSettings fleet;  // fleet.*
  // batch runs
  bool demo =
      false;  // --demo: the built-in trace on virtual devices, never a real instance's state
  uint32_t exit_when_idle_ms = 0;
  std::string stats_file;
  // everything after "--"
  std::vector<std::string> eal_args;
  // where the values came from
  std::string config_file;                    // --config; "" when none
  std::vector<std::string> cli_args;          // our command-line options, re-applied on reload
  std::map<std::string, std::string> origin;  // option -> "FILE:LINE" for values from the file
};

enum class ParseOutcome { run, exit_ok, error };

// Parses argv into s. On error, `message` says which option and why; on --help it holds the
// option list.
ParseOutcome parse_command_line(int argc, char** argv, Settings& s, std::string& message);

// Reads `config_file` (may be "") with `cli_args` on top into out, which starts from the
// defaults. The file is checked line by line first: errors read "FILE:LINE: reason".
// Returns "" or the reason. Used on reload; parse_command_line uses it on start.
std::string load_settings(const std::string& config_file, const std::vector<std::string>& cli_args,
                          Settings& out);

// Checks the values that carry units or name a choice, without the EAL. Returns "" or
// "option: reason"; locate_error() adds the file and line.
std::string check_settings(const Settings& s);

// Prefixes an "option: reason" error with the FILE:LINE that set the option, if any.
std::string locate_error(const Settings& s, const std::string& error);

// Every option (except help and config) with its value as text, in --help order.
std::vector<std::pair<std::string, std::string>> effective_options(const Settings& s);
// The same as a config file that load_settings() reads back to equal settings.
std::string render_config(const Settings& s);
// The options a reload cannot change (ports, pools, table capacities, limiter units, sockets).
std::vector<std::string> restart_only_options();

// Validates the dataplane part of s and builds its snapshot (needs the EAL: prefix sets live
// in DPDK memory). Returns "" or the reason, naming the option.
std::string build_dataplane_config(const Settings& s, DataplaneConfig& out);

}  // namespace ampguard
