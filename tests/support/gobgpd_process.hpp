// A real gobgpd for tests: started on a private gRPC port of 127.0.0.1 with no BGP listener,
// stopped (SIGTERM, then reaped) by the destructor; cli() runs Debian's `gobgp` against it.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

extern char** environ;

namespace ampguard::test {

// A TCP port free on 127.0.0.1 right now (the kernel's pick).
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free port");
  close(fd);
  return ntohs(a.sin_port);
}

inline std::string run_output(const std::string& command, int* rc = nullptr) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = pclose(p);
  if (rc) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class Gobgpd {
 public:
  explicit Gobgpd(const std::string& name, unsigned as = 64512,
                  const std::string& router_id = "192.0.2.254")
      : dir_(std::filesystem::temp_directory_path() /
             ("ampguard_" + name + "_" + std::to_string(getpid()))) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "gobgpd.toml") << "[global.config]\n  as = " << as
                                        << "\n  router-id = \"" << router_id
                                        << "\"\n  port = -1\n";
    start();
  }
  ~Gobgpd() {
    stop();
    std::filesystem::remove_all(dir_);
  }
  Gobgpd(const Gobgpd&) = delete;
  Gobgpd& operator=(const Gobgpd&) = delete;

  // A restart keeps the port: clients reconnect to the same address.
  void start() {
    if (port_ == 0) port_ = free_port();
    const std::string conf = (dir_ / "gobgpd.toml").string(), log = (dir_ / "log").string();
    const std::string api = "127.0.0.1:" + std::to_string(port_);
    const char* argv[] = {"gobgpd", "-f", conf.c_str(), "--api-hosts", api.c_str(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawnp(&pid_, "gobgpd", &fa, nullptr, const_cast<char**>(argv), environ) != 0)
      throw std::runtime_error("cannot start gobgpd");
    posix_spawn_file_actions_destroy(&fa);
    // Ready once its API answers (a wait for a start, not a timing claim).
    for (int i = 0; i < 200; ++i) {
      int rc = -1;
      run_output("gobgp -p " + std::to_string(port_) + " global", &rc);
      if (rc == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("gobgpd did not answer on " + api);
  }
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string cli(const std::string& args, int* rc = nullptr) const {
    return run_output("gobgp -p " + std::to_string(port_) + " " + args, rc);
  }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace ampguard::test
