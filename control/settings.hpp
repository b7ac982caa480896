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

#include "control/option_list.hpp"
#include "dataplane/dataplane_config.hpp"
#include "dataplane/shared_state.hpp"

namespace ampguard {

// How Settings holds each kind of option (option_list.hpp); table capacities live in tables.
#define AMPGUARD_OPTION_FIELD_u16(field, def) uint16_t field = def;
#define AMPGUARD_OPTION_FIELD_u32(field, def) uint32_t field = def;
#define AMPGUARD_OPTION_FIELD_text(field, def) std::string field = def;
#define AMPGUARD_OPTION_FIELD_text_bare(field, def) std::string field = def;
#define AMPGUARD_OPTION_FIELD_yesno(field, def) bool field = def;
#define AMPGUARD_OPTION_FIELD_flag(field, def) bool field = def;
#define AMPGUARD_OPTION_FIELD_list(field, def) std::vector<std::string> field = def;
#define AMPGUARD_OPTION_FIELD_table(field, def)

struct Settings {
  // every option, with its default (option_list.hpp)
#define AMPGUARD_X(name, kind, field, def, check, apply, group, help) \
  AMPGUARD_OPTION_FIELD_##kind(field, def)
  AMPGUARD_OPTIONS(AMPGUARD_X)
#undef AMPGUARD_X
  TableSizes tables;  // limit.max-entries, block.max-entries; the rest fixed
  // everything after "--"
  std::vector<std::string> eal_args;
  // where the values came from (config_file: --config, "" when none)
  std::vector<std::string> cli_args;          // our command-line options, re-applied on reload
  std::map<std::string, std::string> origin;  // option -> "FILE:LINE" for values from the file

  // limit.rate and limit.burst as given, or their defaults in limit.mode's unit.
  std::string effective_limit_rate() const;
  std::string effective_limit_burst() const;
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
