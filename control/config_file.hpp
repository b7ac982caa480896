// Line-by-line checking of an ampguard config file before Boost.Program_options reads it.
//
// Boost's config parser reports neither the file nor the line of a problem, so every line is
// checked here first: syntax (`[section]`, `key = value`, `#` comments), known sections and
// keys, repeats of single-valued options and each value on its own. Errors read
// "FILE:LINE: reason".
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <map>
#include <string>

namespace ampguard {

// Checks one value that Boost has already converted; returns "" or the reason.
using ValueCheck = std::function<std::string(const std::string& option, const std::string& value)>;

// Returns "" or "FILE:LINE: reason". Fills origin with option -> "FILE:LINE" (the last line
// of a repeatable option). `cli_only` options (help, config) are refused in the file.
std::string check_config_file(const std::string& path,
                              const boost::program_options::options_description& desc,
                              const std::vector<std::string>& cli_only, const ValueCheck& check,
                              std::map<std::string, std::string>& origin);

}  // namespace ampguard
