#include "control/persistence.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "control/units.hpp"

namespace ampguard {
namespace {

constexpr const char* kHeader = "# ampguard blocklist v1: address expires-unix-seconds reason";

std::string sys_error(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

std::string save_blocklist(const std::string& path, const std::vector<SavedBlock>& entries) {
  std::string text = std::string(kHeader) + "\n";
  for (const SavedBlock& e : entries)
    text += e.address + " " + std::to_string(e.expires_unix) + " " + e.reason + "\n";
  const std::string tmp = path + ".tmp";
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("cannot create", tmp);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string err = sys_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    done += size_t(n);
  }
  // The data must be on disk before the rename makes it the file a restart reads.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string err = sys_error("cannot sync", tmp);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = sys_error("cannot rename to", path);
    ::unlink(tmp.c_str());
    return err;
  }
  const std::string dir = std::filesystem::path(path).parent_path().empty()
                              ? "."
                              : std::filesystem::path(path).parent_path().string();
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // makes the rename itself durable
    ::close(dfd);
  }
  return "";
}

std::string load_blocklist(const std::string& path, std::vector<SavedBlock>& out,
                           std::vector<std::string>& bad) {
  out.clear();
  bad.clear();
  std::ifstream in(path);
  if (!in) return sys_error("cannot read", path);
  std::string line;
  if (!std::getline(in, line)) return "";  // an empty file holds no entries
  // A future format or a damaged header: nothing in it can be trusted to mean what v1 means.
  const bool header_ok = line == kHeader;
  if (!header_ok)
    bad.push_back(path + ":1: not an ampguard blocklist (expected '" + kHeader + "')");
  for (unsigned n = 2; std::getline(in, line); ++n) {
    if (!header_ok) continue;
    std::istringstream fields(line);
    SavedBlock e;
    std::string expires, extra;
    if (!(fields >> e.address >> expires >> e.reason) || (fields >> extra) ||
        !parse_uint(expires, 0, UINT64_MAX, e.expires_unix)) {
      bad.push_back(path + ":" + std::to_string(n) +
                    ": expected 'ADDRESS EXPIRES-UNIX-SECONDS REASON'");
      continue;
    }
    out.push_back(std::move(e));
  }
  if (in.bad()) {
    out.clear();
    bad.clear();
    return sys_error("cannot read", path);
  }
  return "";
}

std::string keep_aside(const std::string& path, uint64_t unix_now, std::string& err) {
  const std::string aside = path + ".corrupt-" + std::to_string(unix_now);
  // A hard link keeps the bytes and leaves the original in place until a save replaces it.
  if (::link(path.c_str(), aside.c_str()) == 0) return aside;
  if (::rename(path.c_str(), aside.c_str()) == 0) return aside;
  err = sys_error("cannot keep aside", path);
  return "";
}

}  // namespace ampguard
