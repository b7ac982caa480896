// The control socket ampguardctl talks to: a Unix stream socket, mode 0600, that answers only
// root or the user ampguard runs as (SO_PEERCRED).
//
// Protocol: the client sends one line (a command and its arguments, at most 4 KiB); the server
// answers "ok" or "error: REASON" on the first line, then the command's output, and closes.
// poll() never blocks: it serves what is ready and returns (the control loop calls it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ampguard {

struct Reply {
  bool ok = true;
  std::string text;  // output (ok) or the reason (error); newline-terminated lines
  // Nonzero: the answer comes later, through ControlSocket::finish(deferred, ...) (a capture).
  uint64_t deferred = 0;
};

class ControlSocket {
 public:
  ControlSocket() = default;
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  // Creates the socket at path (replacing a stale one). Returns "" or the reason.
  std::string open(const std::string& path);
  // Accepts waiting clients and answers every complete request.
  void poll(const std::function<Reply(const std::string& request)>& handle);
  const std::string& path() const { return path_; }
  // Answers the client whose request was deferred under `id` (gone clients are skipped).
  void finish(uint64_t id, const Reply& r);

  static constexpr size_t kMaxRequest = 4096;
  static constexpr size_t kMaxClients = 16;

 private:
  struct Client {
    int fd;
    std::string in;
    std::chrono::steady_clock::time_point deadline;  // a silent client is dropped after it
  };
  void answer(int fd, const Reply& r);
  void respond(int fd, const Reply& r);

  struct Parked {
    int fd;
    uint64_t id;
  };

  int fd_ = -1;
  std::string path_;
  std::vector<Client> clients_;
  std::vector<Parked> parked_;  // clients waiting for a deferred answer
};

}  // namespace ampguard
