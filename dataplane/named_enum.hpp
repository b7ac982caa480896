// Enums whose values have names (metric labels, JSON keys, option values): one X-macro list
// gives the values and their names, so a value is never named in a switch or a ternary.
#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace ampguard {

// EnumNames<E>::names[i] is the name of E(i); specialised by AMPGUARD_NAMED_ENUM.
template <class E>
struct EnumNames;

// X(name, ...) in LIST: the extra columns are the list's own (help texts, actions).
#define AMPGUARD_ENUM_VALUE(name, ...) name,
#define AMPGUARD_ENUM_NAME(name, ...) #name,
#define AMPGUARD_NAMED_ENUM(Enum, LIST)                                \
  enum class Enum : uint8_t { LIST(AMPGUARD_ENUM_VALUE) };             \
  template <>                                                          \
  struct EnumNames<Enum> {                                             \
    static constexpr const char* names[] = {LIST(AMPGUARD_ENUM_NAME)}; \
  }

template <class E>
inline constexpr unsigned kEnumCount = unsigned(std::size(EnumNames<E>::names));

template <class E>
constexpr const char* enum_name(E e) {
  return unsigned(e) < kEnumCount<E> ? EnumNames<E>::names[unsigned(e)] : "unknown";
}

// The value named `name`; false when none is.
template <class E>
bool enum_from_name(std::string_view name, E& out) {
  for (unsigned i = 0; i < kEnumCount<E>; ++i)
    if (name == EnumNames<E>::names[i]) {
      out = E(i);
      return true;
    }
  return false;
}

// "'x' is neither drop nor tc", "'x' is not tc, drop or pass"; "" when x names a value.
template <class E>
std::string not_one_of(const std::string& value) {
  E e;
  if (enum_from_name(value, e)) return "";
  const unsigned n = kEnumCount<E>;
  std::string out = "'" + value + "' is " + (n == 2 ? "neither " : "not ");
  for (unsigned i = 0; i < n; ++i) {
    if (i > 0) out += i + 1 < n ? ", " : n == 2 ? " nor " : " or ";
    out += EnumNames<E>::names[i];
  }
  return out;
}

}  // namespace ampguard
