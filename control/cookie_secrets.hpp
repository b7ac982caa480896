// cookies.secret-file: the resolver's server-cookie secrets, one a line as 32 hex digits (the
// form BIND's cookie-secret, Knot's and Unbound's take), the first the one the resolver mints
// with, the others still accepted. `#` starts a comment; blank lines are skipped.
#pragma once

#include <string>

#include "dataplane/dns_cookie.hpp"

namespace ampguard {

// Reads path into out. Returns "" or "PATH:LINE: reason" (never a secret's text).
std::string read_cookie_secrets(const std::string& path, CookieSecrets& out);

}  // namespace ampguard
