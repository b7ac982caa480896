// ampguardctl: sends one command to ampguard's control socket and prints the answer.
//
//   ampguardctl [--socket PATH] COMMAND [ARGS...]      (ampguardctl help lists the commands)
//   ampguardctl capture --reason over_limit --count 100 --file drops.pcap   (waits for them)
//
// Exit status: 0 when ampguard answered "ok", 1 when it answered an error, 2 when it could not
// be reached or the command line is wrong.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "control/ctl_commands.hpp"
#include "dataplane/verdict_reason.hpp"

namespace {

constexpr const char* kDefaultSocket = "/run/ampguard/ctl.sock";

int usage() {
  std::fprintf(stderr,
               "usage: ampguardctl [--socket PATH] COMMAND [ARGS...]\n"
               "  default socket %s; 'ampguardctl --help' lists the commands\n",
               kDefaultSocket);
  return 2;
}

// --help: works without a running ampguard (help2man and the bash completion read it).
int help() {
  std::printf(
      "Usage: ampguardctl [--socket PATH] COMMAND [ARGS...]\n"
      "Sends one command to ampguard's control socket and prints the answer.\n\n"
      "Options:\n"
      "  --socket PATH               the control socket (default %s, ampguard's\n"
      "                              control.socket)\n"
      "  -h, --help                  this text\n"
      "  --version                   the version\n\n",
      kDefaultSocket);
  std::fputs(ampguard::kCtlCommands, stdout);
  std::printf("\ncapture reasons (--reason):\n  all\n");
  for (unsigned r = 0; r < ampguard::kVerdictReasonCount; ++r)
    if (ampguard::capturable_reasons() >> r & 1u)
      std::printf("  %s\n", std::string(ampguard::reason_name(ampguard::VerdictReason(r))).c_str());
  std::printf(
      "\nExit status: 0 when ampguard answered \"ok\", 1 when it answered an error, 2 when it\n"
      "could not be reached or the command line is wrong.\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = kDefaultSocket, request;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--socket" && i + 1 < argc) {
      path = argv[++i];
    } else if (a.rfind("--socket=", 0) == 0) {
      path = a.substr(9);
    } else if (a == "-h" || a == "--help") {
      return help();
    } else if (a == "--version") {
      std::printf("ampguardctl %s\n", AMPGUARD_VERSION);
      return 0;
    } else {
      break;
    }
  }
  const bool capture = i < argc && std::string(argv[i]) == "capture";
  for (; i < argc; ++i) {
    if (std::strchr(argv[i], '\n') != nullptr) return usage();
    std::string word = argv[i];
    // ampguard writes the capture file from its own working directory: send an absolute path.
    if (capture && word[0] != '/' && std::string(argv[i - 1]) == "--file")
      word = std::filesystem::absolute(word).string();
    request += (request.empty() ? "" : " ") + word;
  }
  if (request.empty()) return usage();
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    std::fprintf(stderr, "ampguardctl: socket path too long: %s\n", path.c_str());
    return 2;
  }
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "ampguardctl: cannot connect to %s: %s (is ampguard running?)\n",
                 path.c_str(), std::strerror(errno));
    return 2;
  }
  // A reload waits for the workers; a capture answers by its --timeout (at most 1h).
  timeval tv{capture ? 3700 : 30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  request += "\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != ssize_t(request.size())) {
    std::fprintf(stderr, "ampguardctl: cannot send to %s: %s\n", path.c_str(),
                 std::strerror(errno));
    return 2;
  }
  std::string answer;
  char buf[65536];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) answer.append(buf, size_t(n));
  ::close(fd);
  if (n < 0) {
    std::fprintf(stderr, "ampguardctl: no answer from %s: %s\n", path.c_str(),
                 std::strerror(errno));
    return 2;
  }
  if (answer.rfind("ok\n", 0) == 0) {
    std::fwrite(answer.data() + 3, 1, answer.size() - 3, stdout);
    return 0;
  }
  std::fprintf(stderr, "ampguardctl: %s", answer.empty() ? "connection closed\n" : answer.c_str());
  return 1;
}
