#include "control/cookie_secrets.hpp"

#include <fstream>

namespace ampguard {

std::string read_cookie_secrets(const std::string& path, CookieSecrets& out) {
  std::ifstream in(path);
  if (!in) return path + ": cannot be read";
  out = CookieSecrets{};
  std::string line;
  for (unsigned n = 1; std::getline(in, line); ++n) {
    const std::string text = line.substr(0, line.find('#'));
    const size_t b = text.find_first_not_of(" \t\r"), e = text.find_last_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const std::string hex = text.substr(b, e - b + 1);
    const std::string where = path + ":" + std::to_string(n) + ": ";
    if (hex.size() != 2 * kCookieSecretLen ||
        hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      return where + "a secret is 32 hex digits (128 bits), one a line";
    if (out.count == kMaxCookieSecrets)
      return where + "more than " + std::to_string(kMaxCookieSecrets) + " secrets";
    for (unsigned i = 0; i < kCookieSecretLen; ++i)
      out.key[out.count][i] = uint8_t(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
    ++out.count;
  }
  if (out.count == 0) return path + ": no secret";
  return "";
}

}  // namespace ampguard
