// DNS-aware rewrites done in place on a frame: the truncated (TC=1) reply to a query, and the
// truncated form of an oversized response. Both only ever shrink the frame.
#pragma once

#include <cstdint>

#include "dataplane/packet_parse.hpp"

namespace ampguard {

enum class RewriteResult : uint8_t {
  done,
  not_a_query,        // QR set, opcode not QUERY, or the message does not parse
  multi_question,     // QDCOUNT != 1: we do not guess which question to answer
  malformed_body,     // records after the question that do not walk cleanly
};

// Turns the query in frame[0..len) into its TC=1 reply: Ethernet, IP and UDP addresses and
// ports swapped, same id and question, QR=1 TC=1, RD copied, RCODE NOERROR, no records but an
// OPT (same version, payload size edns_udp_size) when the query had one; VLAN tags kept,
// checksums recomputed. On done, *new_len is the reply's frame length and v describes it.
RewriteResult make_tc_reply(uint8_t* frame, uint32_t len, PacketView& v, uint16_t edns_udp_size,
                            uint32_t* new_len);

// Rewrites the response in frame[0..len) into its truncated form: same header with TC=1 and
// zero counts, the question kept, the OPT record kept if present; addresses unchanged,
// checksums recomputed. For a first fragment the IP packet becomes unfragmented.
RewriteResult truncate_response(uint8_t* frame, uint32_t len, PacketView& v, uint32_t* new_len);

}  // namespace ampguard
