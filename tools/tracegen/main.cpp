// ampguard-tracegen: writes the inside and outside pcaps of a DNS traffic mix (see
// trace_generator.hpp) and prints the resulting TraceStats as one line of key=value pairs.
#include <boost/program_options.hpp>
#include <iostream>
#include <string>

#include "tracegen/trace_generator.hpp"

namespace po = boost::program_options;
using ampguard::tracegen::TraceOptions;

int main(int argc, char** argv) {
  TraceOptions o;
  std::string inside, outside, attack = "none";
  po::options_description desc(
      "ampguard-tracegen: pcaps of wire-format DNS traffic for ampguard's two ports\nOptions");
  desc.add_options()("help,h", "show this help")(
      "inside", po::value(&inside)->required(),
      "pcap of frames entering the inside port (resolver responses)")(
      "outside", po::value(&outside)->required(),
      "pcap of frames entering the outside port (queries, victims' flood)")(
      "queries", po::value(&o.queries)->default_value(o.queries), "client queries")(
      "clients", po::value(&o.clients)->default_value(o.clients), "distinct clients")(
      "large-share", po::value(&o.large_share)->default_value(o.large_share),
      "share of responses >= 700 bytes")(
      "fragmented-share", po::value(&o.fragmented_share)->default_value(o.fragmented_share),
      "share of responses > 1500 bytes, IP-fragmented")(
      "ipv6-share", po::value(&o.ipv6_share)->default_value(o.ipv6_share),
      "share of clients and victims on IPv6")("any-share",
                                              po::value(&o.any_share)->default_value(o.any_share),
                                              "share of queries with QTYPE ANY")(
      "attack", po::value(&attack)->default_value(attack), "none | one | many")(
      "victims", po::value(&o.victims)->default_value(o.victims), "many: distinct victims")(
      "attack-responses", po::value(&o.attack_responses)->default_value(o.attack_responses),
      "large responses to the victim(s)")(
      "blocked-flood", po::value(&o.blocked_flood)->default_value(o.blocked_flood),
      "UDP packets from the victim(s) on the outside port")("vlan", po::bool_switch(&o.vlan),
                                                            "tag every frame with VLAN 100")(
      "seed", po::value(&o.seed)->default_value(o.seed), "PRNG seed");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "ampguard-tracegen: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  const auto mode = ampguard::tracegen::parse_attack(attack);
  if (!mode) {
    std::cerr << "ampguard-tracegen: --attack must be none, one or many\n";
    return 2;
  }
  o.attack = *mode;
  ampguard::tracegen::TraceStats stats;
  if (std::string err = ampguard::tracegen::write_trace(o, inside, outside, &stats); !err.empty()) {
    std::cerr << "ampguard-tracegen: " << err << "\n";
    return 1;
  }
  std::cout << ampguard::tracegen::format_stats(stats) << "\n";
  return 0;
}
