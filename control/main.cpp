// ampguard: a DPDK bump-in-the-wire that keeps an open DNS resolver out of amplification
// attacks. See README.md.
#include <csignal>
#include <cstdio>
#include <fstream>

#include "control/demo.hpp"
#include "control/runtime.hpp"
#include "control/settings.hpp"

namespace {

void on_signal(int) { ampguard::g_signal_stop.store(true); }
void on_hangup(int) { ampguard::g_signal_reload.store(true); }

}  // namespace

int main(int argc, char** argv) {
  using namespace ampguard;
  Settings settings;
  std::string message;
  switch (parse_command_line(argc, argv, settings, message)) {
    case ParseOutcome::exit_ok:
      std::printf("%s\n", message.c_str());
      return 0;
    case ParseOutcome::error:
      std::fprintf(stderr, "ampguard: %s\n", message.c_str());
      return 2;
    case ParseOutcome::run:
      break;
  }
  Demo demo;
  if (settings.demo) {
    const std::string err = prepare_demo(settings, demo);
    if (!err.empty()) {
      std::fprintf(stderr, "ampguard: %s\n", err.c_str());
      return 1;
    }
    std::printf("ampguard: running the built-in demo\n%s\n", demo.summary.c_str());
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_hangup);

  Runtime runtime(settings);
  std::string err = runtime.init_eal(argv[0]);
  if (err.empty()) err = runtime.start();
  if (err.empty()) err = runtime.start_services();
  if (!err.empty()) {
    std::fprintf(stderr, "ampguard: %s\n", locate_error(settings, err).c_str());
    return 1;
  }
  std::printf("ampguard: forwarding between port %u (inside) and port %u (outside)\n",
              settings.inside_port, settings.outside_port);
  std::fflush(stdout);
  runtime.run();
  const StatsTotals totals = runtime.totals();
  std::printf("%s", stats_summary(totals).c_str());
  if (!demo.dir.empty())
    std::printf("demo output: %s/to-internet-side.pcap and %s/to-resolver-side.pcap\n",
                demo.dir.c_str(), demo.dir.c_str());
  if (!settings.stats_file.empty()) {
    std::ofstream out(settings.stats_file);
    out << stats_json(totals);
    if (!out) {
      std::fprintf(stderr, "ampguard: cannot write %s\n", settings.stats_file.c_str());
      return 1;
    }
  }
  return 0;
}
