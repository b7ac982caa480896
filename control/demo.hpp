// The embedded default, asked for with --demo: ampguard generates a DNS trace (normal traffic
// plus one amplification victim) and replays it through two net_pcap virtual devices.
#pragma once

#include <string>
#include <vector>

#include "control/settings.hpp"

namespace ampguard {

struct Demo {
  std::string dir;  // holds the generated pcaps and the transmitted ones
  std::string summary;
};

// Writes the trace into a fresh temporary directory and fills s.eal_args (and batch defaults)
// to replay it; clears the state file and metrics and moves the control socket into that
// directory. Returns "" or the reason.
std::string prepare_demo(Settings& s, Demo& demo);

}  // namespace ampguard
