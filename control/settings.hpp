// ampguard's settings: the command line (and, later, the config file) parsed and validated.
//
// Option names are an interface: `section.key` on the command line as `--section.key=value`
// and in the config file as `key = value` under `[section]`. Anything after `--` goes to the
// EAL unchanged.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/dataplane_config.hpp"
#include "dataplane/shared_state.hpp"

namespace ampguard {

struct Settings {
  // ports.*
  uint16_t inside_port = 0;
  uint16_t outside_port = 1;
  uint16_t rx_descriptors = 1024;
  uint16_t tx_descriptors = 1024;
  uint32_t mbufs = 0;  // 0: enough for every queue
  // limit.*, block.*, allow, deny, dry-run, any.*, truncate.*
  std::string limit_mode = "packets";
  std::string limit_rate;   // default by mode: 50/min or 50kB/min
  std::string limit_burst;  // default by mode: 10 or 10kB
  uint32_t min_size = 700;
  uint32_t source_port = 53;
  uint32_t prefix_v4 = 32;
  uint32_t prefix_v6 = 64;
  uint32_t limit_hz = 250;
  std::string idle_expire = "60s";
  std::string block_timeout = "600s";
  std::string fragment_timeout = "2s";
  TableSizes tables;
  std::vector<std::string> allow, deny;
  bool dry_run = false;
  std::string any_action = "tc";
  uint32_t edns_udp_size = 1232;
  uint32_t truncate_above = 0;
  // batch runs
  uint32_t exit_when_idle_ms = 0;
  std::string stats_file;
  // everything after "--"
  std::vector<std::string> eal_args;
};

enum class ParseOutcome { run, exit_ok, error };

// Parses argv into s. On error, `message` says which option and why; on --help it holds the
// option list.
ParseOutcome parse_command_line(int argc, char** argv, Settings& s, std::string& message);

// Validates the dataplane part of s and builds its snapshot (needs the EAL: prefix sets live
// in DPDK memory). Returns "" or the reason, naming the option.
std::string build_dataplane_config(const Settings& s, DataplaneConfig& out);

}  // namespace ampguard
