#include "stack/wire/udp.h"

#include "stack/wire/ipv4.h"

int udp_parse(struct udp_repr *out, const uint8_t *buf, size_t len) {
  if (len < UDP_HLEN) return WIRE_ETRUNC;
  out->sport = wire_get16(buf);
  out->dport = wire_get16(buf + 2);
  out->len = wire_get16(buf + 4);
  out->checksum = wire_get16(buf + 6);
  if (out->len < UDP_HLEN || out->len > len) return WIRE_ELEN;
  return WIRE_OK;
}

int udp_emit(const struct udp_repr *r, uint8_t *buf, size_t cap) {
  if (cap < UDP_HLEN) return WIRE_ENOSPC;
  wire_put16(buf, r->sport);
  wire_put16(buf + 2, r->dport);
  wire_put16(buf + 4, r->len);
  wire_put16(buf + 6, r->checksum);
  return UDP_HLEN;
}

uint16_t udp_checksum_finish(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len) {
  csum_pseudo(c, src, dst, IPV4_PROTO_UDP, len);
  uint16_t v = csum_finish(c);
  return v ? v : 0xffff;
}

int udp_checksum_ok(const struct udp_repr *r, struct csum *c, ip4_addr_t src, ip4_addr_t dst) {
  if (r->checksum == 0) return 1;
  csum_pseudo(c, src, dst, IPV4_PROTO_UDP, r->len);
  return csum_fold(c) == 0xffff;
}
