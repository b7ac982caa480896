// The blocklist on disk: one entry per line, "ADDRESS EXPIRES REASON", where EXPIRES is the
// wall-clock expiry in unix seconds so that a restart restores the remaining time.
// Written atomically (temporary file, fsync, rename, fsync of the directory).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ampguard {

struct SavedBlock {
  std::string address;  // as addresses.hpp writes it
  uint64_t expires_unix = 0;
  std::string reason;  // one word
};

// Returns "" or the reason; the old file stays whole on failure.
std::string save_blocklist(const std::string& path, const std::vector<SavedBlock>& entries);

// Returns "" or the reason ("FILE:LINE: ..." for a corrupt line); out is empty on failure.
std::string load_blocklist(const std::string& path, std::vector<SavedBlock>& out);

}  // namespace ampguard
