// The bound on route changes per second (fleet.max-changes): a token bucket of one second's
// worth, refilled continuously, full at start. Pure: the caller passes the time.
#pragma once

#include <algorithm>
#include <cstdint>

namespace ampguard::fleet {

class ChangeBudget {
 public:
  ChangeBudget(uint32_t per_second, uint64_t now_ms)
      : rate_(per_second), tokens_(per_second), last_ms_(now_ms) {}
  // True, and one change spent, when a change may go out at now_ms.
  bool take(uint64_t now_ms) {
    tokens_ = std::min<double>(rate_, tokens_ + double(now_ms - last_ms_) * rate_ / 1000.0);
    last_ms_ = now_ms;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double rate_, tokens_;
  uint64_t last_ms_;
};

}  // namespace ampguard::fleet
