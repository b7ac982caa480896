#include "dataplane/ports.hpp"

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <algorithm>
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
  for (const auto& [bit, name] : kNames) {
    if ((hf & bit) == 0) continue;
    if (!out.empty())
      out += ' ';  // appended in place: GCC 12 -O3 misreads "" + string (-Wrestrict)
    out += name;
  }
  return out.empty() ? "none" : out;
}

uint16_t mbuf_data_room(uint16_t mtu) {
  // Ethernet, two VLAN tags and the FCS some PMDs DMA before stripping it.
  const uint32_t room =
      RTE_PKTMBUF_HEADROOM + mtu + RTE_ETHER_HDR_LEN + 2 * RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
  return uint16_t(std::max<uint32_t>(room, RTE_MBUF_DEFAULT_BUF_SIZE));
}

int ports_socket(uint16_t inside, uint16_t outside) {
  const int in = rte_eth_dev_socket_id(inside), out = rte_eth_dev_socket_id(outside);
  if (in >= 0 && out >= 0 && in != out)
    std::printf(
        "ampguard: the ports sit on NUMA sockets %d and %d: the packet pool goes on %d, "
        "the outside port crosses the interconnect\n",
        in, out, in);
  if (in >= 0) return in;
  if (out >= 0) return out;
  return int(rte_socket_id());
}

std::string start_port(const PortSetup& s, rte_mempool* pool) {
  const std::string name =
      "port " + std::to_string(s.port_id) + " (" + port_side_name(s.side) + ")";
  if (!rte_eth_dev_is_valid_port(s.port_id)) return name + ": no such DPDK port";
  rte_eth_dev_info info{};
  if (rte_eth_dev_info_get(s.port_id, &info) != 0) return name + ": cannot read device info";

  if (s.mtu > info.max_mtu)
    return name + ": ports.mtu " + std::to_string(s.mtu) + " is above the device's maximum " +
           std::to_string(info.max_mtu);
  rte_eth_conf conf{};
  conf.rxmode.mtu = s.mtu;
  // Every mbuf comes from one pool with a reference count of one: the PMD may free TX bursts
  // straight back to the pool's cache.
  if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE) != 0)
    conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
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
  std::printf(
      "ampguard: %s: %s on socket %d, mtu %u, %u queue pair(s) of %u/%u descriptors, "
      "TX offloads: %s\n",
      name.c_str(), info.driver_name, socket, s.mtu, s.queues, rxd, txd,
      conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE ? "mbuf_fast_free" : "none");
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
