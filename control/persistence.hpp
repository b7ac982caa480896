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

// Reads every line that parses into out and each one that does not into bad ("FILE:LINE:
// reason"; a wrong header makes every line bad). Returns "" or why the file could not be read
// at all (then out and bad are empty).
std::string load_blocklist(const std::string& path, std::vector<SavedBlock>& out,
                           std::vector<std::string>& bad);

// Keeps a file that could not be read whole beside the original as PATH.corrupt-UNIXTIME, so
// the next save cannot destroy what a person may still recover. Returns the new name or "".
std::string keep_aside(const std::string& path, uint64_t unix_now, std::string& err);

}  // namespace ampguard
