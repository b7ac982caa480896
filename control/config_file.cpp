#include "control/config_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace ampguard {
namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Printable, quoted: a config line may hold anything.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out + "'";
}

// The value as Boost converts it, alone: catches "abc" for a number or "maybe" for a switch.
std::string boost_check(const po::options_description& desc, const std::string& name,
                        const std::string& value) {
  std::istringstream one(name + "=" + value);
  try {
    po::variables_map vm;
    po::store(po::parse_config_file(one, desc), vm);
  } catch (const po::error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

std::string check_config_file(const std::string& path, const po::options_description& desc,
                              const std::vector<std::string>& cli_only, const ValueCheck& check,
                              std::map<std::string, std::string>& origin) {
  std::ifstream in(path);
  if (!in) return path + ": cannot read: " + std::strerror(errno);
  std::set<std::string> sections;
  for (const auto& opt : desc.options()) {
    const std::string& n = opt->long_name();
    if (n.find('.') != std::string::npos) sections.insert(n.substr(0, n.find('.')));
  }
  std::map<std::string, unsigned> seen;
  std::string section, raw;
  for (unsigned line = 1; std::getline(in, raw); ++line) {
    const std::string where = path + ":" + std::to_string(line) + ": ";
    const std::string text = trim(raw.substr(0, raw.find('#')));
    if (text.empty() || text[0] == ';') continue;
    if (text.front() == '[') {
      if (text.back() != ']') return where + "a section header ends with ']'";
      section = trim(text.substr(1, text.size() - 2));
      if (!sections.count(section)) return where + "unknown section " + quoted(section);
      continue;
    }
    const size_t eq = text.find('=');
    if (eq == std::string::npos) return where + "expected 'key = value', '[section]' or a comment";
    const std::string key = trim(text.substr(0, eq)), value = trim(text.substr(eq + 1));
    if (key.empty()) return where + "no key before '='";
    const std::string name = section.empty() ? key : section + "." + key;
    const po::option_description* opt = desc.find_nothrow(name, false);
    if (opt == nullptr)
      return where + "unknown option " + quoted(key) +
             (section.empty() ? " above the first section" : " in section [" + section + "]");
    if (std::find(cli_only.begin(), cli_only.end(), name) != cli_only.end())
      return where + name + " is a command-line option";
    const bool repeatable = opt->semantic()->is_composing();
    if (!repeatable && seen.count(name))
      return where + name + " is already set on line " + std::to_string(seen[name]);
    seen[name] = line;
    std::string err = boost_check(desc, name, value);
    if (err.empty()) err = check(name, value);
    if (!err.empty()) return where + name + ": " + err;
    origin[name] = path + ":" + std::to_string(line);
  }
  return "";
}

}  // namespace ampguard
