// Trace generator implementation: DNS wire-format builders, IPv4/IPv6 framing with
// fragmentation and checksums, and the schedule that interleaves normal and attack traffic.
#include "tracegen/trace_generator.hpp"

#include <pcap/pcap.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace ampguard::tracegen {

namespace {

constexpr uint32_t kStartSec = 1'700'000'000;  // fixed: output must not depend on the clock
constexpr uint32_t kTickUs = 10;
constexpr uint32_t kMtu = 1500;
constexpr uint32_t kLargeMin = 700;
constexpr size_t kBufSize = 8192;                // the largest datagram is 4000 bytes
constexpr size_t kFileBuffer = size_t(1) << 20;  // stdio buffer per pcap
constexpr uint16_t kTypeA = 1, kTypeMx = 15, kTypeTxt = 16, kTypeAaaa = 28, kTypeHinfo = 13;
constexpr uint16_t kTypeOpt = 41, kTypeRrsig = 46, kTypeDnskey = 48, kTypeAny = 255;
constexpr uint16_t kClassIn = 1;
constexpr uint16_t kQnameOffset = 12;  // the question follows the DNS header

// splitmix64: tiny, fast and good enough for traffic mixes; seeded, so traces reproduce.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return uint32_t(((next() >> 32) * n) >> 32); }
  uint32_t between(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1); }
  double unit() { return double(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
};

enum class SizeClass : uint8_t { small, large, fragmented };

struct Query {
  IpAddress client;
  uint16_t client_port = 0;
  uint16_t id = 0;
  uint16_t qtype = 0;
  bool edns = false;
  bool dnssec_ok = false;
  uint16_t edns_size = 0;
  uint8_t first_label_len = 0;  // MX exchanges point at the domain after it
  uint8_t qname_len = 0;
  uint8_t qname[64] = {};
};

// Big-endian writer over a caller-owned buffer; sizes are planned so it never overruns.
struct Writer {
  uint8_t* p;
  void u8(uint32_t v) { *p++ = uint8_t(v); }
  void u16(uint32_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
    p += 2;
  }
  void u32(uint32_t v) {
    u16(v >> 16);
    u16(v);
  }
  void bytes(const void* src, size_t n) {
    std::memcpy(p, src, n);
    p += n;
  }
};

constexpr std::string_view kDomains[] = {"example.com", "example.net", "example.org"};
constexpr std::string_view kHosts[] = {"www", "mail", "api", "cdn", "ns1", "static", "login"};
constexpr char kTxtText[] =
    "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:100::/48 include:_spf.example.com ~all "
    "google-site-verification=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK "
    "MS=ms12345678 docusign=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 keybase-site-verification=Zz "
    "apple-domain-verification=AbCdEfGhIjKlMnOp facebook-domain-verification=qrstuvwxyz0123";
static_assert(sizeof(kTxtText) > 256, "a TXT string takes up to 255 bytes of it");

void store32(uint8_t* b, uint32_t v) {
  b[0] = uint8_t(v >> 24);
  b[1] = uint8_t(v >> 16);
  b[2] = uint8_t(v >> 8);
  b[3] = uint8_t(v);
}

std::string validate(const TraceOptions& o) {
  auto share_ok = [](double s) { return s >= 0.0 && s <= 1.0; };
  if (!share_ok(o.large_share) || !share_ok(o.fragmented_share) || !share_ok(o.ipv6_share) ||
      !share_ok(o.any_share))
    return "shares must lie in [0, 1]";
  if (o.fragmented_share > o.large_share)
    return "fragmented share must not exceed large share (fragmented responses are large)";
  if (o.queries > 0 && (o.clients == 0 || o.clients > kMaxClients))
    return "clients must lie in [1, " + std::to_string(kMaxClients) + "]";
  if (o.attack == Attack::none && (o.attack_responses != 0 || o.blocked_flood != 0))
    return "attack responses and blocked flood need an attack mode";
  if (o.attack == Attack::many_victims && (o.victims == 0 || o.victims > kMaxVictims))
    return "victims must lie in [1, " + std::to_string(kMaxVictims) + "]";
  return "";
}

// Owns a pcap dumper over a stdio stream with a large buffer; closing reports write errors.
class PcapFile {
 public:
  std::string open(pcap_t* dead, const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return "cannot open " + path + ": " + std::strerror(errno);
    buffer_ = std::make_unique<char[]>(kFileBuffer);
    std::setvbuf(f, buffer_.get(), _IOFBF, kFileBuffer);
    dumper_ = pcap_dump_fopen(dead, f);
    if (dumper_ == nullptr) {
      std::fclose(f);
      return "cannot write " + path + ": " + pcap_geterr(dead);
    }
    path_ = path;
    return "";
  }
  void write(const pcap_pkthdr& h, const uint8_t* data) {
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, data);
  }
  std::string close() {
    if (dumper_ == nullptr) return "";
    const bool failed = pcap_dump_flush(dumper_) != 0 || std::ferror(pcap_dump_file(dumper_));
    pcap_dump_close(dumper_);
    dumper_ = nullptr;
    return failed ? "write error on " + path_ : "";
  }
  ~PcapFile() { close(); }

 private:
  pcap_dumper_t* dumper_ = nullptr;
  std::unique_ptr<char[]> buffer_;
  std::string path_;
};

class Generator {
 public:
  Generator(const TraceOptions& o, PcapFile& inside, PcapFile& outside, TraceStats& stats)
      : o_(o), inside_(inside), outside_(outside), stats_(stats), rng_{o.seed} {
    for (auto& b : noise_) b = uint8_t(rng_.next());
  }

  // One client query on the outside port and its response on the inside port.
  void normal_exchange(uint32_t n) {
    const uint32_t c = n < o_.clients ? n : rng_.below(o_.clients);  // every client shows up
    Query q;
    q.client = client_address(c, index_is_ipv6(c, o_.ipv6_share));
    q.client_port = uint16_t(rng_.between(1024, 65535));
    q.id = uint16_t(rng_.next());
    const double r = rng_.unit();
    const SizeClass size = r < o_.fragmented_share ? SizeClass::fragmented
                           : r < o_.large_share    ? SizeClass::large
                                                   : SizeClass::small;
    if (rng_.chance(o_.any_share)) {
      q.qtype = kTypeAny;
    } else if (size == SizeClass::small) {
      const uint32_t t = rng_.below(10);
      q.qtype = t < 6 ? kTypeA : t < 9 ? kTypeAaaa : kTypeMx;
    } else {
      q.qtype = rng_.chance(0.5) ? kTypeTxt : kTypeDnskey;
    }
    const uint32_t ip_header = q.client.v6 ? 40 : 20;
    uint32_t target = 0;
    if (size == SizeClass::large) target = rng_.between(kLargeMin, 1450);
    if (size == SizeClass::fragmented) target = rng_.between(2000, 4000);
    // Large answers only fit with EDNS; a 1232-byte buffer only when the answer fits it.
    q.edns = size != SizeClass::small || rng_.chance(0.85);
    const bool fits_1232 = target == 0 || target - ip_header - 8 <= 1232;
    q.edns_size = fits_1232 && rng_.chance(0.5) ? 1232 : 4096;
    q.dnssec_ok = q.qtype == kTypeDnskey || rng_.chance(0.3);
    make_name(q);
    send_query(q);
    send_response(q, target, q.client);
  }

  // A large response to a victim that never asked (the query was spoofed).
  void attack_response(uint32_t k) {
    Query q;
    const IpAddress victim = victim_for(k);
    q.client = victim;
    q.client_port = uint16_t(rng_.between(1024, 65535));
    q.id = uint16_t(rng_.next());
    q.qtype = k % 2 == 0 ? kTypeAny : kTypeDnskey;
    q.edns = true;
    q.edns_size = 4096;
    q.dnssec_ok = true;
    make_name(q);
    send_response(q, rng_.between(1100, 1400), victim);
  }

  // A UDP packet from a victim to the resolver: an ANY query, as reflection floods carry.
  void flood_packet(uint32_t k) {
    Query q;
    q.client = victim_for(k);
    q.client_port = uint16_t(rng_.between(1024, 65535));
    q.id = uint16_t(rng_.next());
    q.qtype = kTypeAny;
    q.edns = true;
    q.edns_size = 4096;
    q.dnssec_ok = true;
    make_name(q);
    send_query(q);
  }

 private:
  IpAddress victim_for(uint32_t k) {
    if (o_.attack == Attack::one_victim) return victim_address(0, false);
    const uint32_t v = k % o_.victims;
    return victim_address(v, index_is_ipv6(v, o_.ipv6_share));
  }

  void make_name(Query& q) {
    char label[16];
    size_t len;
    const uint32_t h = rng_.below(10);
    if (h < std::size(kHosts)) {
      len = kHosts[h].size();
      std::memcpy(label, kHosts[h].data(), len);
    } else {
      len = size_t(std::snprintf(label, sizeof label, "host%u", rng_.below(1000)));
    }
    const std::string_view domain = kDomains[rng_.below(std::size(kDomains))];
    uint8_t* p = q.qname;
    *p++ = uint8_t(len);
    std::memcpy(p, label, len);
    p += len;
    q.first_label_len = uint8_t(len);
    size_t start = 0;
    while (start < domain.size()) {  // "example.com" -> 7 example 3 com
      size_t dot = domain.find('.', start);
      if (dot == std::string_view::npos) dot = domain.size();
      *p++ = uint8_t(dot - start);
      std::memcpy(p, domain.data() + start, dot - start);
      p += dot - start;
      start = dot + 1;
    }
    *p++ = 0;
    q.qname_len = uint8_t(p - q.qname);
  }

  static void write_opt(Writer& w, uint16_t udp_size, bool dnssec_ok) {
    w.u8(0);  // root owner name
    w.u16(kTypeOpt);
    w.u16(udp_size);
    w.u32(dnssec_ok ? 0x8000 : 0);  // extended RCODE 0, version 0, DO bit
    w.u16(0);
  }

  // Record header with the owner compressed to the question name.
  static void write_rr_header(Writer& w, uint16_t type, uint32_t ttl, uint32_t rdlen) {
    w.u16(0xc000 | kQnameOffset);
    w.u16(type);
    w.u16(kClassIn);
    w.u32(ttl);
    w.u16(rdlen);
  }

  void send_query(const Query& q) {
    uint8_t* dns = payload(q.client.v6);
    Writer w{dns};
    w.u16(q.id);
    w.u16(0x0100);  // RD
    w.u16(1);
    w.u16(0);
    w.u16(0);
    w.u16(q.edns ? 1 : 0);
    w.bytes(q.qname, q.qname_len);
    w.u16(q.qtype);
    w.u16(kClassIn);
    if (q.edns) write_opt(w, q.edns_size, q.dnssec_ok);
    if (q.qtype == kTypeAny) ++stats_.any_queries;
    send_datagram(false, q.client, resolver_address(q.client.v6), q.client_port, 53,
                  uint32_t(w.p - dns));
  }

  // `target` is the IP total length of the whole datagram, or 0 for a natural small answer.
  void send_response(const Query& q, uint32_t target, const IpAddress& to) {
    uint8_t* dns = payload(to.v6);
    Writer w{dns};
    w.u16(q.id);
    w.u16(0x8180);  // QR, RD, RA, NOERROR
    w.u16(1);
    w.u16(0);  // ANCOUNT, patched below
    w.u16(0);
    w.u16(q.edns ? 1 : 0);
    w.bytes(q.qname, q.qname_len);
    w.u16(q.qtype);
    w.u16(kClassIn);
    uint32_t answers = 0;
    if (target == 0) {
      answers = write_small_answers(w, q);
    } else {
      const uint32_t fixed = (to.v6 ? 40 : 20) + 8 + uint32_t(w.p - dns) + (q.edns ? 11 : 0);
      answers =
          q.qtype == kTypeDnskey ? fill_dnskey(w, q, target - fixed) : fill_txt(w, target - fixed);
    }
    dns[6] = uint8_t(answers >> 8);
    dns[7] = uint8_t(answers);
    if (q.edns) write_opt(w, 1232, q.dnssec_ok);
    send_datagram(true, resolver_address(to.v6), to, 53, q.client_port, uint32_t(w.p - dns));
  }

  uint32_t write_small_answers(Writer& w, const Query& q) {
    switch (q.qtype) {
      case kTypeA: {
        const uint32_t n = rng_.between(1, 4);
        for (uint32_t i = 0; i < n; ++i) {
          write_rr_header(w, kTypeA, 300, 4);
          w.u32(0xc6336400u | rng_.between(1, 254));  // 198.51.100.x
        }
        return n;
      }
      case kTypeAaaa: {
        const uint32_t n = rng_.between(1, 3);
        for (uint32_t i = 0; i < n; ++i) {
          write_rr_header(w, kTypeAaaa, 300, 16);
          w.u32(0x20010db8);
          w.u32(0x01000000);  // 2001:db8:100::x
          w.u32(0);
          w.u32(rng_.between(1, 0xffff));
        }
        return n;
      }
      case kTypeMx: {
        const uint32_t n = rng_.between(1, 2);
        for (uint32_t i = 0; i < n; ++i) {
          write_rr_header(w, kTypeMx, 3600, 8);
          w.u16(10 * (i + 1));
          w.u8(3);
          w.bytes(i == 0 ? "mx1" : "mx2", 3);
          w.u16(0xc000 | (kQnameOffset + 1 + q.first_label_len));  // the domain part
        }
        return n;
      }
      default: {  // ANY answered the RFC 8482 way: one synthesized HINFO
        write_rr_header(w, kTypeHinfo, 3789, 9);
        w.u8(7);
        w.bytes("RFC8482", 7);
        w.u8(0);
        return 1;
      }
    }
  }

  // TXT records totalling exactly `fill` bytes (fill >= 13: the smallest record).
  uint32_t fill_txt(Writer& w, uint32_t fill) {
    constexpr uint32_t kMinRr = 13, kMaxRr = 12 + 256;
    uint32_t n = 0;
    while (fill > 0) {
      const uint32_t rr =
          fill <= kMaxRr ? fill : std::min(rng_.between(120, kMaxRr), fill - kMinRr);
      uint32_t rdlen = rr - 12;
      write_rr_header(w, kTypeTxt, 3600, rdlen);
      while (rdlen > 0) {  // character-strings of up to 255 bytes, each with a length byte
        const uint32_t s = std::min<uint32_t>(255, rdlen - 1);
        w.u8(s);
        w.bytes(kTxtText, s);
        rdlen -= s + 1;
      }
      fill -= rr;
      ++n;
    }
    return n;
  }

  // DNSKEY records and one RRSIG over them, totalling exactly `fill` bytes.
  uint32_t fill_dnskey(Writer& w, const Query& q, uint32_t fill) {
    constexpr uint32_t kKeyRr = 12 + 4 + 260;  // an RSA-2048 key
    const uint32_t sig_fixed = 12 + 18 + q.qname_len;
    uint32_t n = 0;
    while (fill >= kKeyRr + sig_fixed + 64) {  // leave a real signature's worth for the RRSIG
      write_rr_header(w, kTypeDnskey, 3600, kKeyRr - 12);
      w.u16(n == 0 ? 257 : 256);  // KSK first, then ZSKs
      w.u8(3);
      w.u8(8);  // RSASHA256
      w.bytes(noise(260), 260);
      fill -= kKeyRr;
      ++n;
    }
    const uint32_t sig = fill - sig_fixed;
    write_rr_header(w, kTypeRrsig, 3600, fill - 12);
    w.u16(kTypeDnskey);
    w.u8(8);
    w.u8(3);  // labels of host.example.tld
    w.u32(3600);
    w.u32(kStartSec + 30 * 86400);
    w.u32(kStartSec - 86400);
    w.u16(20326);
    w.bytes(q.qname, q.qname_len);  // signer name is never compressed (RFC 4034 3.1.7)
    w.bytes(noise(sig), sig);
    return n + 1;
  }

  const uint8_t* noise(uint32_t n) { return noise_.data() + rng_.below(noise_.size() - n); }

  uint32_t l2_len() const { return o_.vlan ? 18 : 14; }

  // Where the DNS message goes in the frame buffer for this family.
  uint8_t* payload(bool v6) { return buf_ + l2_len() + (v6 ? 40 : 20) + 8; }

  void write_l2(uint8_t* f, bool inside, bool v6) const {
    std::memcpy(f, inside ? kRouterMac : kResolverMac, 6);
    std::memcpy(f + 6, inside ? kResolverMac : kRouterMac, 6);
    Writer w{f + 12};
    if (o_.vlan) {
      w.u16(0x8100);
      w.u16(kVlanId);
    }
    w.u16(v6 ? 0x86dd : 0x0800);
  }

  // Frames the DNS message already in buf_; fragments it when it exceeds the MTU.
  void send_datagram(bool inside, const IpAddress& src, const IpAddress& dst, uint16_t sport,
                     uint16_t dport, uint32_t dns_len) {
    const uint32_t l2 = l2_len();
    const uint32_t iphl = src.v6 ? 40 : 20;
    const uint32_t udp_len = 8 + dns_len;
    write_l2(buf_, inside, src.v6);
    uint8_t* ip = buf_ + l2;
    uint8_t* udp = ip + iphl;
    Writer u{udp};
    u.u16(sport);
    u.u16(dport);
    u.u16(udp_len);
    u.u16(0);
    const uint32_t ip_id = uint32_t(rng_.next());
    Writer w{ip};
    if (src.v6) {
      w.u32(0x60000000);
      w.u16(udp_len);
      w.u8(17);
      w.u8(64);
      w.bytes(src.bytes.data(), 16);
      w.bytes(dst.bytes.data(), 16);
      const uint16_t ck = rte_ipv6_udptcp_cksum(reinterpret_cast<const rte_ipv6_hdr*>(ip), udp);
      std::memcpy(udp + 6, &ck, 2);  // DPDK checksums come in the order they are stored
    } else {
      write_ipv4_header(ip, iphl + udp_len, uint16_t(ip_id), 0, src, dst);
      const uint16_t ck = rte_ipv4_udptcp_cksum(reinterpret_cast<const rte_ipv4_hdr*>(ip), udp);
      std::memcpy(udp + 6, &ck, 2);
    }
    if (udp_len >= kLargeMin - iphl && inside) ++stats_.large_responses;
    if (iphl + udp_len <= kMtu) {
      emit(inside, src.v6, buf_, l2 + iphl + udp_len);
      return;
    }
    // Fragment payloads are multiples of 8 bytes; the first one carries the UDP header.
    const uint32_t per_frag = src.v6 ? (kMtu - 40 - 8) & ~7u : (kMtu - 20) & ~7u;
    for (uint32_t off = 0; off < udp_len; off += per_frag) {
      const uint32_t chunk = std::min(per_frag, udp_len - off);
      const bool more = off + chunk < udp_len;
      std::memcpy(frag_, buf_, l2);
      uint8_t* fip = frag_ + l2;
      uint32_t hl;
      if (src.v6) {
        std::memcpy(fip, ip, 40);
        fip[4] = uint8_t((8 + chunk) >> 8);
        fip[5] = uint8_t(8 + chunk);
        fip[6] = 44;
        Writer f{fip + 40};
        f.u8(17);
        f.u8(0);
        f.u16(off | (more ? 1 : 0));
        f.u32(ip_id);
        hl = 48;
      } else {
        write_ipv4_header(fip, 20 + chunk, uint16_t(ip_id), (more ? 0x2000 : 0) | off / 8, src,
                          dst);
        hl = 20;
      }
      std::memcpy(fip + hl, udp + off, chunk);
      ++stats_.fragments;
      emit(inside, src.v6, frag_, l2 + hl + chunk);
    }
  }

  static void write_ipv4_header(uint8_t* ip, uint32_t total, uint16_t id, uint16_t frag,
                                const IpAddress& src, const IpAddress& dst) {
    Writer w{ip};
    w.u8(0x45);
    w.u8(0);
    w.u16(total);
    w.u16(id);
    w.u16(frag);
    w.u8(64);
    w.u8(17);
    w.u16(0);
    w.bytes(src.bytes.data(), 4);
    w.bytes(dst.bytes.data(), 4);
    const uint16_t ck = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(ip));
    // Summed over memory words, so the result is stored as is (no byte swap).
    std::memcpy(ip + 10, &ck, 2);
  }

  void emit(bool inside, bool v6, const uint8_t* frame, uint32_t len) {
    pcap_pkthdr h{};
    h.ts.tv_sec = kStartSec + time_us_ / 1'000'000;
    h.ts.tv_usec = suseconds_t(time_us_ % 1'000'000);
    h.caplen = h.len = len;
    time_us_ += kTickUs;
    (inside ? inside_ : outside_).write(h, frame);
    ++(inside ? stats_.inside_frames : stats_.outside_frames);
    if (v6) ++stats_.ipv6_frames;
  }

  const TraceOptions& o_;
  PcapFile& inside_;
  PcapFile& outside_;
  TraceStats& stats_;
  Rng rng_;
  uint64_t time_us_ = 0;
  std::array<uint8_t, 4096> noise_;  // key and signature bytes are slices of it
  uint8_t buf_[kBufSize];
  uint8_t frag_[kMtu + 64];
};

}  // namespace

std::string write_trace(const TraceOptions& options, const std::string& inside_pcap,
                        const std::string& outside_pcap, TraceStats* stats) {
  if (std::string err = validate(options); !err.empty()) return err;
  std::unique_ptr<pcap_t, decltype(&pcap_close)> dead(pcap_open_dead(DLT_EN10MB, 65535),
                                                      &pcap_close);
  if (!dead) return "pcap_open_dead failed";
  PcapFile inside, outside;
  if (std::string err = inside.open(dead.get(), inside_pcap); !err.empty()) return err;
  if (std::string err = outside.open(dead.get(), outside_pcap); !err.empty()) return err;
  TraceStats local;
  auto gen = std::make_unique<Generator>(options, inside, outside, local);  // ~10 KiB of buffers

  const bool attack = options.attack != Attack::none;
  // Attacks start after a short prefix of normal traffic, then interleave evenly with it.
  const uint32_t prefix =
      attack ? std::min(options.queries, std::max(options.queries / 10, 16u)) : options.queries;
  for (uint32_t n = 0; n < prefix; ++n) gen->normal_exchange(n);
  const uint64_t total[3] = {options.queries - prefix, options.attack_responses,
                             options.blocked_flood};
  uint64_t done[3] = {0, 0, 0};
  for (;;) {
    // Pick the stream furthest behind its proportional share: an even, deterministic merge.
    int pick = -1;
    double best = 2.0;
    for (int k = 0; k < 3; ++k) {
      if (done[k] == total[k]) continue;
      const double progress = (double(done[k]) + 0.5) / double(total[k]);
      if (progress < best) {
        best = progress;
        pick = k;
      }
    }
    if (pick < 0) break;
    const uint32_t i = uint32_t(done[pick]++);
    if (pick == 0) gen->normal_exchange(prefix + i);
    if (pick == 1) gen->attack_response(i);
    if (pick == 2) gen->flood_packet(i);
  }

  std::string err = inside.close();
  if (std::string e2 = outside.close(); err.empty()) err = e2;
  if (err.empty() && stats) *stats = local;
  return err;
}

std::string format_stats(const TraceStats& s) {
  return "inside_frames=" + std::to_string(s.inside_frames) +
         " outside_frames=" + std::to_string(s.outside_frames) +
         " large_responses=" + std::to_string(s.large_responses) +
         " fragments=" + std::to_string(s.fragments) +
         " any_queries=" + std::to_string(s.any_queries) +
         " ipv6_frames=" + std::to_string(s.ipv6_frames);
}

std::optional<Attack> parse_attack(std::string_view name) {
  if (name == "none") return Attack::none;
  if (name == "one" || name == "one_victim") return Attack::one_victim;
  if (name == "many" || name == "many_victims") return Attack::many_victims;
  return std::nullopt;
}

IpAddress resolver_address(bool v6) {
  IpAddress a;
  a.v6 = v6;
  if (v6) {
    const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53};
    std::memcpy(a.bytes.data(), b, 16);
  } else {
    store32(a.bytes.data(), 0xc0000235);  // 192.0.2.53
  }
  return a;
}

bool index_is_ipv6(uint32_t index, double ipv6_share) {
  // Golden-ratio sequence: any prefix of indexes holds close to the requested share.
  const double x = double(index) * 0.6180339887498949;
  return x - double(uint64_t(x)) < ipv6_share;
}

IpAddress client_address(uint32_t index, bool v6) {
  IpAddress a;
  a.v6 = v6;
  if (v6) {
    store32(a.bytes.data(), 0x20010db8);
    store32(a.bytes.data() + 4, 0xc0000000u | (index & 0xffffff));
    a.bytes[15] = 1;
  } else {
    store32(a.bytes.data(), 0xc6120000u + index + 1);  // 198.18.0.0/15
  }
  return a;
}

IpAddress victim_address(uint32_t index, bool v6) {
  IpAddress a;
  a.v6 = v6;
  if (v6) {
    store32(a.bytes.data(), 0x20010db8);
    const uint32_t high = index < 0x10000 ? 0xdead : 0xe000 + (index >> 16);
    store32(a.bytes.data() + 4, high << 16 | (index & 0xffff));
    a.bytes[15] = 1;
    return a;
  }
  constexpr uint32_t kDocCount = 254, kCgnCount = 1u << 22;
  uint32_t v4;
  if (index < 189) {
    v4 = kOneVictimV4 + index;  // 203.0.113.66 .. .254
  } else if (index < kDocCount) {
    v4 = 0xcb007100u + (index - 188);  // 203.0.113.1 .. .65
  } else if (index < kDocCount + kCgnCount) {
    v4 = 0x64400000u + (index - kDocCount);  // 100.64.0.0/10
  } else {
    v4 = 0x0a000000u + (index - kDocCount - kCgnCount);  // 10.0.0.0/8
  }
  store32(a.bytes.data(), v4);
  return a;
}

}  // namespace ampguard::tracegen
