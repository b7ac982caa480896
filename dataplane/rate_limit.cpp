// Profile validation: user parameters -> the units of the hot check (see rate_limit.hpp).
#include "dataplane/rate_limit.hpp"

#include "dataplane/time_units.hpp"

namespace ampguard {

namespace {

constexpr uint64_t kSecondsPerDay = 86400;
constexpr uint64_t kHashlimitScale = 1000000;  // XT_HASHLIMIT_SCALE_v2: avg is in microseconds

// The kernel's CREDITS_PER_JIFFY: the largest power of two that lets a day of refill fit 64 bits.
uint64_t credits_per_jiffy(uint64_t hz) {
  const uint64_t limit = ~uint64_t(0) / (hz * kSecondsPerDay);
  uint64_t cpj = 1;
  while (cpj <= limit / 2) cpj <<= 1;
  return cpj;
}

// user2credits() for revision >= 2; false when the product does not fit 64 bits.
bool user2credits(uint64_t user, uint64_t hz, uint64_t cpj, uint64_t& out) {
  if (kHashlimitScale >= hz * cpj) {
    out = user / (kHashlimitScale / (hz * cpj));
    return true;
  }
  return !__builtin_mul_overflow(user, hz * cpj / kHashlimitScale, &out);
}

uint64_t div_ceil(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

std::string packets_profile(const LimitParams& in, LimitProfile& out) {
  if (in.hz == 0 || in.hz > kSecond) return "hz must be between 1 and 1000000000";
  uint64_t scaled_period = 0;
  if (__builtin_mul_overflow(in.period_s, kHashlimitScale, &scaled_period))
    return "period too long";
  // iptables computes avg once, in user space, with integer division ("Rate too fast").
  const uint64_t avg = scaled_period / in.rate;
  if (avg == 0) return "rate too fast: more than 1000000 packets per second";
  const uint64_t cpj = credits_per_jiffy(in.hz);
  uint64_t avg_burst = 0;
  // The kernel only notices a wrapped cap when it lands below the cost; every overflow is an error
  // here, so ampguard refuses at least what the kernel refuses ("overflow, try lower").
  if (__builtin_mul_overflow(avg, in.burst, &avg_burst) ||
      !user2credits(avg, in.hz, cpj, out.cost) || !user2credits(avg_burst, in.hz, cpj, out.cap))
    return "overflow, try lower: rate period / rate * burst is too large";
  // The state's clock arithmetic needs the cap clear of the skew margin (limit_skew).
  if (out.cap > ~uint64_t(0) - 2 * (cpj << 10))
    return "overflow, try lower: burst * period / rate must stay under a day";
  out.credits_per_jiffy = cpj;
  out.skew = cpj << 10;
  out.ns_per_jiffy = kSecond / in.hz;
  out.refill_ns = div_ceil(out.cap, cpj) * out.ns_per_jiffy;
  return {};
}

std::string bytes_profile(const LimitParams& in, LimitProfile& out) {
  uint64_t units_per_period = 0;  // the period in 1/256 ns
  if (__builtin_mul_overflow(in.period_s, kSecond << 8, &units_per_period))
    return "period too long";
  out.cost_per_byte = units_per_period / in.rate;
  if (out.cost_per_byte == 0) return "rate too fast: more than 256 bytes per nanosecond";
  // A maximal IP packet must be chargeable and the credit must stay far from wrapping.
  uint64_t max_packet_cost = 0;
  if (__builtin_mul_overflow(in.burst, out.cost_per_byte, &out.cap) ||
      __builtin_mul_overflow(uint64_t(UINT16_MAX), out.cost_per_byte, &max_packet_cost) ||
      out.cap > (uint64_t(1) << 62))
    return "overflow, try lower: period / rate * burst is too large";
  out.skew = uint64_t(1) << 40;
  out.refill_ns = div_ceil(out.cap, 256);
  return {};
}

}  // namespace

std::string make_pressure_profile(const LimitParams& params, LimitProfile& out) {
  LimitParams p = params;
  p.mode = LimitMode::bytes;  // packets are units too: no jiffies, no kernel rounding
  return make_limit_profile(p, out);
}

std::string make_limit_profile(const LimitParams& params, LimitProfile& out) {
  if (params.rate == 0) return "rate must be positive";
  if (params.period_s == 0) return "period must be positive";
  if (params.burst == 0) return "burst must be positive";
  LimitProfile p;
  p.mode = params.mode;
  std::string error =
      params.mode == LimitMode::packets ? packets_profile(params, p) : bytes_profile(params, p);
  if (error.empty()) out = p;
  return error;
}

}  // namespace ampguard
