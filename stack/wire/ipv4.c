/* The IPv4 header (RFC 791 sec. 3.1). */
#include "stack/wire/ipv4.h"

#include "stack/wire/checksum.h"

int ipv4_parse(struct ipv4_repr *out, const uint8_t *buf, size_t len, unsigned flags) {
  if (len < IPV4_HLEN) return WIRE_ETRUNC;
  if (buf[0] >> 4 != 4) return WIRE_EVERSION;
  unsigned hlen = (buf[0] & 15u) * 4;
  if (hlen < IPV4_HLEN || hlen > len) return WIRE_EHLEN;
  /* from here on buf[0, hlen) is readable */
  uint16_t total = wire_get16(buf + 2);
  if (total < hlen || (!(flags & IPV4_PARSE_QUOTE) && total > len)) return WIRE_ELEN;
  if (!(flags & IPV4_PARSE_NO_CSUM) && wire_checksum(buf, hlen) != 0) return WIRE_ECSUM;
  out->hlen = (uint8_t)hlen;
  out->tos = buf[1];
  out->total_len = total;
  out->id = wire_get16(buf + 4);
  uint16_t ff = wire_get16(buf + 6);
  out->df = !!(ff & IPV4_FLAG_DF);
  out->mf = !!(ff & IPV4_FLAG_MF);
  out->frag_off = (uint16_t)((ff & 0x1fff) * 8u);
  out->ttl = buf[8];
  out->proto = buf[9];
  out->checksum = wire_get16(buf + 10);
  out->src = wire_get32(buf + 12);
  out->dst = wire_get32(buf + 16);
  return WIRE_OK;
}

int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t cap) {
  if (cap < IPV4_HLEN) return WIRE_ENOSPC;
  buf[0] = 0x45; /* version 4, IHL 5 */
  buf[1] = r->tos;
  wire_put16(buf + 2, r->total_len);
  wire_put16(buf + 4, r->id);
  wire_put16(buf + 6, (uint16_t)((r->df ? IPV4_FLAG_DF : 0) | (r->mf ? IPV4_FLAG_MF : 0) |
                                 ((r->frag_off / 8u) & 0x1fff)));
  buf[8] = r->ttl;
  buf[9] = r->proto;
  wire_put16(buf + 10, 0);
  wire_put32(buf + 12, r->src);
  wire_put32(buf + 16, r->dst);
  wire_put16(buf + 10, wire_checksum(buf, IPV4_HLEN));
  return IPV4_HLEN;
}

int ipv4_set_checksum(uint8_t *buf, size_t len) {
  if (len < IPV4_HLEN) return WIRE_ETRUNC;
  size_t hlen = (buf[0] & 15u) * 4u;
  if (hlen < IPV4_HLEN || hlen > len) return WIRE_EHLEN;
  wire_put16(buf + 10, 0);
  wire_put16(buf + 10, wire_checksum(buf, hlen));
  return WIRE_OK;
}

void ipv4_dec_ttl(uint8_t *buf) {
  /* m is the 16-bit word holding TTL (high byte) and protocol */
  uint16_t m = wire_get16(buf + 8);
  buf[8]--;
  wire_put16(buf + 10, csum_update16(wire_get16(buf + 10), m, wire_get16(buf + 8)));
}
