// The data path's clock unit: every time in ampguard is nanoseconds of a monotonic clock.
#pragma once

#include <cstdint>

namespace ampguard {

inline constexpr uint64_t kSecond = 1'000'000'000;  // nanoseconds

}  // namespace ampguard
