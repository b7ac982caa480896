#include "control/units.hpp"

#include <cctype>
#include <charconv>
#include <limits>

namespace ampguard {
namespace {

// Splits "123abc" into 123 and "abc"; false when there is no leading number or it overflows.
bool split_number(const std::string& text, uint64_t& value, std::string& unit) {
  size_t i = 0;
  value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const uint64_t digit = uint64_t(text[i] - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return false;
  unit = text.substr(i);
  return true;
}

bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

}  // namespace

bool parse_uint(std::string_view text, uint64_t lo, uint64_t hi, uint64_t& out) {
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(text.data(), last, out);
  return ec == std::errc() && end == last && !text.empty() && out >= lo && out <= hi;
}

std::string parse_duration_ns(const std::string& text, uint64_t& ns) {
  uint64_t v;
  std::string unit;
  if (!split_number(text, v, unit)) return "'" + text + "' is not a duration (e.g. 600s, 10m)";
  uint64_t scale;
  if (unit == "us")
    scale = kSecond / 1'000'000;
  else if (unit.empty() || unit == "s")
    scale = kSecond;
  else if (unit == "ms")
    scale = kSecond / 1'000;
  else if (unit == "m" || unit == "min")
    scale = 60 * kSecond;
  else if (unit == "h")
    scale = 3'600 * kSecond;
  else if (unit == "d")
    scale = 86'400 * kSecond;
  else
    return "'" + text + "': unknown duration unit '" + unit + "' (us, ms, s, m, h, d)";
  if (!checked_mul(v, scale, ns)) return "'" + text + "' is too long";
  return "";
}

std::string parse_size_bytes(const std::string& text, uint64_t& bytes) {
  uint64_t v;
  std::string unit;
  if (!split_number(text, v, unit)) return "'" + text + "' is not a size (e.g. 700, 10kB)";
  uint64_t scale;
  if (unit.empty() || unit == "B" || unit == "b")
    scale = 1;
  else if (unit == "kB" || unit == "kb" || unit == "KB" || unit == "KiB")
    scale = 1024;
  else if (unit == "MB" || unit == "mb" || unit == "MiB")
    scale = 1024 * 1024;
  else
    return "'" + text + "': unknown size unit '" + unit + "' (B, kB, MB)";
  if (!checked_mul(v, scale, bytes)) return "'" + text + "' is too large";
  return "";
}

std::string parse_rate(const std::string& text, LimitMode& mode, uint64_t& amount,
                       uint64_t& period_s) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos)
    return "'" + text + "' is not a rate (e.g. 50/min for packets, 50kB/min for bytes)";
  const std::string count = text.substr(0, slash), per = text.substr(slash + 1);
  if (per == "s" || per == "sec" || per == "second")
    period_s = 1;
  else if (per == "m" || per == "min" || per == "minute")
    period_s = 60;
  else if (per == "h" || per == "hour")
    period_s = 3600;
  else if (per == "d" || per == "day")
    period_s = 86400;
  else
    return "'" + text + "': unknown period '" + per + "' (s, min, hour, day)";
  uint64_t v;
  std::string unit;
  if (!split_number(count, v, unit) || v == 0)
    return "'" + text + "': the amount must be a positive number";
  if (unit.empty()) {
    mode = LimitMode::packets;
    amount = v;
    return "";
  }
  mode = LimitMode::bytes;
  const std::string err = parse_size_bytes(count, amount);
  return err.empty() ? "" : "'" + text + "': " + err;
}

}  // namespace ampguard
