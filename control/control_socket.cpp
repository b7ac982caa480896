#include "control/control_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ampguard {
namespace {

constexpr auto kClientTimeout = std::chrono::seconds(5);

std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

ControlSocket::~ControlSocket() {
  for (Client& c : clients_) ::close(c.fd);
  for (Parked& p : parked_) ::close(p.fd);
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
}

std::string ControlSocket::open(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path)
    return "control.socket: '" + path + "' is longer than " +
           std::to_string(sizeof addr.sun_path - 1) + " bytes";
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  addr.sun_family = AF_UNIX;
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  struct stat st {};
  // A socket left by a killed ampguard is replaced; a live one or any other file is not ours.
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return "control.socket: '" + path + "' exists and is not a socket";
    const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool live =
        probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (probe >= 0) ::close(probe);
    if (live) return "control.socket: another process is serving '" + path + "'";
    ::unlink(path.c_str());
  }
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return sys_error("control.socket: socket");
  // Created 0600 from the start: no window in which anyone else can connect.
  const mode_t old = ::umask(0177);
  const int rc = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0 || ::listen(fd_, int(kMaxClients)) != 0) {
    const std::string err = sys_error("control.socket: cannot listen on '" + path + "'");
    ::close(fd_);
    fd_ = -1;
    return err;
  }
  path_ = path;
  return "";
}

void ControlSocket::answer(int fd, const Reply& r) {
  const std::string text = r.ok ? "ok\n" + r.text : "error: " + r.text;
  // Blocking with a send timeout: a client that does not read cannot hold the loop long.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += size_t(n);
  }
  ::close(fd);
}

void ControlSocket::respond(int fd, const Reply& r) {
  if (r.deferred == 0) return answer(fd, r);
  parked_.push_back({fd, r.deferred});
}

void ControlSocket::finish(uint64_t id, const Reply& r) {
  for (size_t i = 0; i < parked_.size(); ++i) {
    if (parked_[i].id != id) continue;
    answer(parked_[i].fd, r);
    parked_.erase(parked_.begin() + long(i));
    return;
  }
}

void ControlSocket::poll(const std::function<Reply(const std::string&)>& handle) {
  if (fd_ < 0) return;
  const auto now = std::chrono::steady_clock::now();
  while (clients_.size() < kMaxClients) {
    const int c = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) break;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
        (cred.uid != 0 && cred.uid != ::geteuid())) {
      answer(c,
             {false, "permission denied: only root or uid " + std::to_string(::geteuid()) + "\n"});
      continue;
    }
    clients_.push_back({c, "", now + kClientTimeout});
  }
  for (size_t i = 0; i < clients_.size();) {
    Client& c = clients_[i];
    char buf[1024];
    ssize_t n;
    bool closed = false;
    while ((n = ::recv(c.fd, buf, sizeof buf, 0)) > 0 && c.in.size() <= kMaxRequest)
      c.in.append(buf, size_t(n));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
    const size_t nl = c.in.find('\n');
    if (nl != std::string::npos) {
      respond(c.fd, handle(c.in.substr(0, nl)));
    } else if (c.in.size() > kMaxRequest) {
      answer(c.fd, {false, "request longer than " + std::to_string(kMaxRequest) + " bytes\n"});
    } else if (closed && !c.in.empty()) {
      respond(c.fd, handle(c.in));  // a last line without its newline
    } else if (closed || now > c.deadline) {
      ::close(c.fd);
    } else {
      ++i;
      continue;
    }
    clients_.erase(clients_.begin() + long(i));
  }
}

}  // namespace ampguard
