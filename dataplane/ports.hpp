// DPDK port set-up for the two sides of the bump: queue pairs per worker, RSS where the device
// has it (inside hashed on the L3 destination, outside on the L3 source, so one destination's
// traffic stays on one worker), a single queue pair where it does not (virtual devices).
#pragma once

#include <rte_mempool.h>

#include <cstdint>
#include <string>

#include "dataplane/traffic_types.hpp"

namespace ampguard {

struct PortSetup {
  uint16_t port_id = 0;
  PortSide side = PortSide::inside;
  uint16_t queues = 1;
  uint16_t rx_descriptors = 1024;
  uint16_t tx_descriptors = 1024;
  uint16_t mtu = 1500;  // every RX mbuf of the pool holds a frame this long in one segment
};

// The pool's data room for single-segment frames of `mtu` (at least DPDK's default).
uint16_t mbuf_data_room(uint16_t mtu);
// The socket to place the pool on: the ports' (SOCKET_ID_ANY for vdevs: the caller's).
int ports_socket(uint16_t inside, uint16_t outside);

// Queue pairs the port can give `wanted` workers: min(wanted, device maximum).
uint16_t usable_queues(uint16_t port_id, uint16_t wanted);

// The RSS hash fields to request on `side` from a device offering `offered`
// (dev_info.flow_type_rss_offloads); never a bit it does not offer.
uint64_t rss_hash_fields(PortSide side, uint64_t offered);
// The hash fields as words for the start-up log ("ipv4 ipv4-udp ... l3-dst-only"; "none").
std::string rss_types_text(uint64_t hf);

// Configures, sets up queues on `pool` and starts the port in promiscuous mode (a bump in the
// wire forwards frames for every MAC). Returns "" or the reason it failed.
std::string start_port(const PortSetup& setup, rte_mempool* pool);

void stop_port(uint16_t port_id);

}  // namespace ampguard
