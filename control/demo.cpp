#include "control/demo.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "tracegen/trace_generator.hpp"

namespace ampguard {
namespace {

// Hugepages make the demo faster; without free ones it runs on 4 KiB pages.
bool free_hugepages_at_least(long pages) {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  long value;
  while (meminfo >> key >> value) {
    if (key == "HugePages_Free:") return value >= pages;
    meminfo.ignore(256, '\n');
  }
  return false;
}

}  // namespace

std::string prepare_demo(Settings& s, Demo& demo) {
  char tmpl[] = "/tmp/ampguard-demo-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return "cannot create a temporary directory for the demo trace";
  demo.dir = tmpl;
  tracegen::TraceOptions opt;
  opt.queries = 20000;
  opt.clients = 2000;
  opt.attack = tracegen::Attack::one_victim;
  opt.attack_responses = 300;
  opt.blocked_flood = 200;
  const std::string inside = demo.dir + "/inside.pcap", outside = demo.dir + "/outside.pcap";
  tracegen::TraceStats st{};
  const std::string err = tracegen::write_trace(opt, inside, outside, &st);
  if (!err.empty()) return "demo trace: " + err;
  demo.summary = "demo trace in " + demo.dir + ": " + std::to_string(st.inside_frames) +
                 " frames from the resolver (inside.pcap), " + std::to_string(st.outside_frames) +
                 " from the internet (outside.pcap), including " +
                 std::to_string(opt.attack_responses) + " large responses to victim 203.0.113.66";
  const bool two_cores = std::thread::hardware_concurrency() >= 2;
  s.eal_args = {
      two_cores ? "-l" : "--lcores",
      two_cores ? "0,1" : "(0,1)@0",
      "--no-pci",
      "--log-level",
      "*:warning",
      "--vdev=net_pcap0,rx_pcap=" + inside + ",tx_pcap=" + demo.dir + "/to-resolver-side.pcap",
      "--vdev=net_pcap1,rx_pcap=" + outside + ",tx_pcap=" + demo.dir + "/to-internet-side.pcap"};
  if (free_hugepages_at_least(256)) {
    s.eal_args.push_back("--in-memory");
  } else {
    s.eal_args.insert(s.eal_args.end(), {"--no-huge", "--no-shconf", "-m", "512"});
  }
  if (s.exit_when_idle_ms == 0) s.exit_when_idle_ms = 300;
  // A batch run of a second beside, perhaps, a real instance: whatever the config says, it
  // never touches that instance's state file, control socket or metrics port.
  s.block_state_file.clear();
  s.control_socket = demo.dir + "/ctl.sock";
  s.metrics_listen.clear();
  return "";
}

}  // namespace ampguard
