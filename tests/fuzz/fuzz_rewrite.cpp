// libFuzzer target: the in-place DNS rewriters, make_tc_reply() and truncate_response(),
// called directly on any frame that parses to a DNS question.
//
// Input: byte 0 picks the rewriter (bit 0) and the EDNS payload size of a TC reply (bits
// 1-7) or, for a truncation, the OPT form (bit 1: bare); the rest is the frame, copied into a
// buffer of exactly its length so that ASan sees any access past it. Checked: a done rewrite never
// grows the frame, verifies its checksums, re-parses as DNS, and leaves the view describing the new
// frame; any other result leaves the frame, the view and the length untouched.
#include <cstdint>
#include <cstring>
#include <vector>

#include "dataplane/dns_actions.hpp"
#include "fuzz/fuzz_checks.hpp"
#include "support/view_difference.hpp"

using namespace ampguard;
using fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 0xffff + 1) return 0;
  const bool tc_reply = (data[0] & 1) == 0;
  const uint16_t edns_size = uint16_t(512 + (data[0] >> 1) * 64);
  const OptForm opt_form = (data[0] & 2) != 0 ? OptForm::bare : OptForm::kept;  // truncation
  std::vector<uint8_t> frame(data + 1, data + size);
  const std::vector<uint8_t> before = frame;
  const uint32_t len = uint32_t(frame.size());
  PacketView v = parse_frame(frame.data(), len);
  if (!parse_dns(frame.data(), v)) return 0;
  const PacketView view_before = v;
  uint32_t new_len = 0xdeadbeef;
  const RewriteResult r = tc_reply ? make_tc_reply(frame.data(), len, v, edns_size, &new_len)
                                   : truncate_response(frame.data(), len, v, &new_len, opt_form);
  if (r != RewriteResult::done) {
    check(frame == before, "a refused rewrite leaves the frame untouched");
    check(new_len == 0xdeadbeef, "a refused rewrite leaves the length untouched");
    check(std::memcmp(&v.dns, &view_before.dns, sizeof v.dns) == 0 &&
              v.l4_offset == view_before.l4_offset && v.udp_len == view_before.udp_len,
          "a refused rewrite leaves the view untouched");
    return 0;
  }
  check(new_len <= len, "a rewrite never grows the frame");
  fuzz::check_rewritten(frame.data(), new_len);
  check(v.has_dns && v.status == ParseStatus::ok && v.l4_offset + v.udp_len == new_len,
        "the view describes the rewritten frame");
  PacketView fresh = parse_frame(frame.data(), new_len);
  check(parse_dns(frame.data(), fresh) && test::view_difference(v, fresh)[0] == '\0',
        "every field of the view is a fresh parse of the rewritten frame");
  const uint8_t* dns = frame.data() + v.payload_offset;
  check((dns[2] & 0x82) == 0x82, "QR and TC set");
  check(load_be16(dns + 4) == 1 && load_be16(dns + 6) == 0 && load_be16(dns + 8) == 0,
        "one question, no answer or authority records");
  check(load_be16(dns + 10) <= 1, "at most the OPT record left");
  check(load_be16(dns) == view_before.dns.id, "same DNS id");
  check(v.dns.qtype == view_before.dns.qtype && v.dns.qname_len == view_before.dns.qname_len,
        "same question");
  if (tc_reply) {
    check(v.src_port == view_before.dst_port && v.dst_port == view_before.src_port,
          "a TC reply swaps the ports");
    check(v.src == view_before.dst && v.dst == view_before.src, "a TC reply swaps the addresses");
    check(std::memcmp(frame.data(), before.data() + 6, 6) == 0 &&
              std::memcmp(frame.data() + 6, before.data(), 6) == 0,
          "a TC reply swaps the MAC addresses");
  } else {
    check(v.src == view_before.src && v.dst == view_before.dst, "truncation keeps the addresses");
    check(std::memcmp(frame.data(), before.data(), 12) == 0, "truncation keeps the MACs");
    if (opt_form == OptForm::bare && load_be16(dns + 10) == 1)
      check(v.dns.opt_offset == v.dns.question_end && new_len == v.dns.question_end + 11u,
            "a bare OPT is the 11 bytes after the question");
  }
  return 0;
}
