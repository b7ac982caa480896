#include "dataplane/ports.hpp"

#include <rte_ethdev.h>

#include <cstdio>
#include <cstring>
#include <utility>

namespace ampguard {

uint16_t usable_queues(uint16_t port_id, uint16_t wanted) {
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(port_id, &info) != 0) return 1;
  uint16_t q = wanted;
  if (info.max_rx_queues < q) q = info.max_rx_queues;
  if (info.max_tx_queues < q) q = info.max_tx_queues;
  return q == 0 ? 1 : q;
}

uint64_t rss_hash_fields(PortSide side, uint64_t offered) {
  // Keep one destination (inside) or one source (outside) on one worker.
  const uint64_t only =
      side == PortSide::inside ? RTE_ETH_RSS_L3_DST_ONLY : RTE_ETH_RSS_L3_SRC_ONLY;
  uint64_t hf = RTE_ETH_RSS_IP & offered;
  if ((offered & only) == 0) return hf;  // no L3-only: UDP/TCP types would hash on ports too
  // NICs that classify by packet type (i40e, ice) hash only the types named: name UDP and TCP
  // as well, all on one address, so unfragmented answers and their fragments share a queue.
  constexpr uint64_t kL4 = RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV6_UDP |
                           RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV6_TCP;
  return hf | (kL4 & offered) | only;
}

std::string rss_types_text(uint64_t hf) {
  static const std::pair<uint64_t, const char*> kNames[] = {
      {RTE_ETH_RSS_IPV4, "ipv4"},
      {RTE_ETH_RSS_FRAG_IPV4, "ipv4-frag"},
      {RTE_ETH_RSS_NONFRAG_IPV4_UDP, "ipv4-udp"},
      {RTE_ETH_RSS_NONFRAG_IPV4_TCP, "ipv4-tcp"},
      {RTE_ETH_RSS_NONFRAG_IPV4_OTHER, "ipv4-other"},
      {RTE_ETH_RSS_IPV6, "ipv6"},
      {RTE_ETH_RSS_FRAG_IPV6, "ipv6-frag"},
      {RTE_ETH_RSS_NONFRAG_IPV6_UDP, "ipv6-udp"},
      {RTE_ETH_RSS_NONFRAG_IPV6_TCP, "ipv6-tcp"},
      {RTE_ETH_RSS_NONFRAG_IPV6_OTHER, "ipv6-other"},
      {RTE_ETH_RSS_IPV6_EX, "ipv6-ex"},
      {RTE_ETH_RSS_L3_SRC_ONLY, "l3-src-only"},
      {RTE_ETH_RSS_L3_DST_ONLY, "l3-dst-only"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames)
    if ((hf & bit) != 0) out += (out.empty() ? "" : " ") + std::string(name);
  return out.empty() ? "none" : out;
}

std::string start_port(const PortSetup& s, rte_mempool* pool) {
  const std::string name =
      "port " + std::to_string(s.port_id) + " (" + port_side_name(s.side) + ")";
  if (!rte_eth_dev_is_valid_port(s.port_id)) return name + ": no such DPDK port";
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(s.port_id, &info) != 0) return name + ": cannot read device info";

  rte_eth_conf conf{};
  if (s.queues > 1) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = rss_hash_fields(s.side, info.flow_type_rss_offloads);
    std::printf("ampguard: %s: RSS over %u queues on %s\n", name.c_str(), s.queues,
                rss_types_text(conf.rx_adv_conf.rss_conf.rss_hf).c_str());
  }
  int rc = rte_eth_dev_configure(s.port_id, s.queues, s.queues, &conf);
  if (rc != 0) return name + ": configure failed: " + std::strerror(-rc);
  uint16_t rxd = s.rx_descriptors, txd = s.tx_descriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(s.port_id, &rxd, &txd);
  const int socket = rte_eth_dev_socket_id(s.port_id);
  for (uint16_t q = 0; q < s.queues; ++q) {
    rc = rte_eth_rx_queue_setup(s.port_id, q, rxd, socket, nullptr, pool);
    if (rc != 0) return name + ": RX queue setup failed: " + std::strerror(-rc);
    rc = rte_eth_tx_queue_setup(s.port_id, q, txd, socket, nullptr);
    if (rc != 0) return name + ": TX queue setup failed: " + std::strerror(-rc);
  }
  rc = rte_eth_dev_start(s.port_id);
  if (rc != 0) return name + ": start failed: " + std::strerror(-rc);
  // Not every vdev supports promiscuous mode; those already deliver every frame.
  rte_eth_promiscuous_enable(s.port_id);
  return "";
}

void stop_port(uint16_t port_id) {
  rte_eth_dev_stop(port_id);
  rte_eth_dev_close(port_id);
}

}  // namespace ampguard
