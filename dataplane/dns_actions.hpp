// DNS-aware rewrites done in place on a frame: the truncated (TC=1) reply to a query, and the
// truncated form of an oversized response. Both only ever shrink the frame, never allocate,
// never throw and never touch a byte at or past frame[len].
//
// Choices the wire leaves open, made once here:
// - TC reply: RA=0 and AD=0 (ampguard answers, not the resolver), RD and CD copied, AA=0.
//   IPv4 options and IPv6 extension headers of the query are dropped: the reply carries a
//   bare IP header (IPv4: IHL 5, DF clear, id kept, TTL 64; IPv6: next header UDP, hop
//   limit 64, traffic class and flow label kept). The query's additional section may hold
//   any records (OPT, TSIG, ...); only its first kOptSearchRecords are walked (bounded work
//   per query): they must walk cleanly and hold at most one OPT; an OPT further on is not
//   seen and the reply then has none. Bytes after the walked records are ignored.
// - Truncation: the OPT record is kept byte for byte, options included, when every record up
//   to and including it walks within the bytes present; otherwise AR=0. Other records (TSIG
//   too) are dropped. IPv4 options and IPv6 extension headers other than the fragment header
//   are kept; the UDP checksum pseudo-header uses the IPv6 header's destination (a routing
//   header's final destination is not looked up).
// - Neither pads a runt frame to 60 bytes: the NIC pads on transmit.
#pragma once

#include <cstdint>
#include <string_view>

#include "dataplane/named_enum.hpp"
#include "dataplane/packet_parse.hpp"

namespace ampguard {

// X(name, help): what a rewrite did, done or why not.
#define AMPGUARD_REWRITE_RESULTS(X)                                                        \
  X(done, "rewritten")                                                                     \
  X(not_a_query, "QR set, opcode not QUERY, or the header/question does not parse (both)") \
  X(multi_question, "QDCOUNT != 1: we do not guess which question to answer")              \
  X(malformed_body, "records after the question that do not walk cleanly")                 \
  X(not_a_response, "truncate_response() on a message with QR clear")                      \
  X(fragmented, "an IP fragment: a query in fragments cannot be walked to its end")
AMPGUARD_NAMED_ENUM(RewriteResult, AMPGUARD_REWRITE_RESULTS);
inline constexpr unsigned kRewriteResults = kEnumCount<RewriteResult>;

// Additional records make_tc_reply() walks looking for the OPT (OPT, TSIG, SIG(0) in practice).
inline constexpr uint32_t kOptSearchRecords = 4;

inline constexpr std::string_view rewrite_result_name(RewriteResult r) { return enum_name(r); }

// Turns the query in frame[0..len) into its TC=1 reply: Ethernet, IP and UDP addresses and
// ports swapped, same id and question, QR=1 TC=1, RD copied, RCODE NOERROR, no records but an
// OPT (same version, DO copied, payload size edns_udp_size) when the query had one; VLAN tags
// kept, checksums recomputed. `v` must come from parse_frame() and parse_dns() on this frame.
// On done, *new_len is the reply's frame length and v describes the reply; on any other
// result the frame, v and *new_len are untouched.
RewriteResult make_tc_reply(uint8_t* frame, uint32_t len, PacketView& v, uint16_t edns_udp_size,
                            uint32_t* new_len);

// What truncate_response() keeps of the OPT record: all of it, or only its fixed part (payload
// size, extended RCODE, version, flags) with no options.
enum class OptForm : uint8_t { kept, bare };

// Rewrites the response in frame[0..len) into its truncated form: same header with TC=1 and
// zero counts, the question kept, the OPT record kept if present; addresses unchanged,
// checksums recomputed. For a first fragment the IP packet becomes unfragmented (IPv4 MF
// cleared, IPv6 fragment header removed); records past the fragment are simply absent. Only
// a response whose question does not parse (not_a_query), QR clear or QDCOUNT != 1 is left
// untouched. `v` as for make_tc_reply(). With OptForm::bare the OPT loses its options.
RewriteResult truncate_response(uint8_t* frame, uint32_t len, PacketView& v, uint32_t* new_len,
                                OptForm opt_form = OptForm::kept);

}  // namespace ampguard
