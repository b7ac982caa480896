// Parsing of the option values that carry units: durations, sizes and rates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dataplane/rate_limit.hpp"
#include "dataplane/time_units.hpp"

namespace ampguard {

// Whole seconds left until expires_ns, rounded up: a listed or saved entry never looks as if it
// expired before it does.
inline uint64_t remaining_seconds(uint64_t expires_ns, uint64_t now_ns) {
  return expires_ns > now_ns ? (expires_ns - now_ns + kSecond - 1) / kSecond : 0;
}

// A duration as logs and replies say it: whole seconds, rounded to the nearest ("600s").
inline std::string seconds_text(uint64_t ns) {
  return std::to_string((ns + kSecond / 2) / kSecond) + "s";
}

// A decimal number from lo to hi: digits only (no sign, space or unit), as every count option
// and command argument takes it.
bool parse_uint(std::string_view text, uint64_t lo, uint64_t hi, uint64_t& out);

// "600s", "10m", "1h", "250ms", "2d"; a bare number is seconds. Returns "" or the reason.
std::string parse_duration_ns(const std::string& text, uint64_t& ns);

// "700", "10kB", "1MB" (k = 1024, as iptables counts). Returns "" or the reason.
std::string parse_size_bytes(const std::string& text, uint64_t& bytes);

// "50/min", "10/s", "3000/hour" (packets) or "50kB/min", "1MB/s" (bytes): the mode follows
// from whether the amount has a byte unit. Returns "" or the reason.
std::string parse_rate(const std::string& text, LimitMode& mode, uint64_t& amount,
                       uint64_t& period_s);

}  // namespace ampguard
