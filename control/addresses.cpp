#include "control/addresses.hpp"

#include <arpa/inet.h>

#include <array>

namespace ampguard {

std::string key_to_text(FlowKey key, unsigned prefix_v4, unsigned prefix_v6) {
  char buf[INET6_ADDRSTRLEN];
  if (flow_key_is_v4(key)) {
    const uint32_t be = htonl(uint32_t(key));
    inet_ntop(AF_INET, &be, buf, sizeof buf);
    return prefix_v4 == 32 ? buf : std::string(buf) + "/" + std::to_string(prefix_v4);
  }
  std::array<uint8_t, 16> a{};
  for (int i = 0; i < 8; ++i) a[i] = uint8_t(key >> (56 - 8 * i));
  inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix_v6);
}

std::string parse_key(const std::string& text, unsigned prefix_v4, unsigned prefix_v6,
                      FlowKey& key) {
  const size_t slash = text.find('/');
  const std::string addr = text.substr(0, slash);
  std::array<uint8_t, 16> a{};
  const bool v4 = inet_pton(AF_INET, addr.c_str(), a.data()) == 1;
  if (!v4 && inet_pton(AF_INET6, addr.c_str(), a.data()) != 1)
    return "'" + text + "' is not an IPv4 or IPv6 address";
  const unsigned prefix = v4 ? prefix_v4 : prefix_v6;
  if (slash != std::string::npos && text.substr(slash + 1) != std::to_string(prefix))
    return "'" + text + "': the blocklist holds /" + std::to_string(prefix) + " prefixes for " +
           (v4 ? "IPv4" : "IPv6") + " (limit.prefix-v" + (v4 ? "4" : "6") + ")";
  key = flow_key(v4 ? L3::ipv4 : L3::ipv6, a, prefix_v4, prefix_v6);
  return "";
}

}  // namespace ampguard
