/* The UDP header (RFC 768). */
#include "stack/wire/udp.h"

#include "stack/wire/ipv4.h"

int udp_parse(struct udp_repr *out, const uint8_t *buf, size_t len) {
  if (len < UDP_HLEN) return WIRE_ETRUNC;
  uint16_t n = wire_get16(buf + 4);
  if (n < UDP_HLEN || n > len) return WIRE_ELEN;
  out->sport = wire_get16(buf);
  out->dport = wire_get16(buf + 2);
  out->len = n;
  out->checksum = wire_get16(buf + 6);
  return WIRE_OK;
}

int udp_parse_checked(struct udp_repr *out, const uint8_t *buf, size_t len, ip4_addr_t src,
                      ip4_addr_t dst) {
  int rc = udp_parse(out, buf, len);
  if (rc < 0) return rc;
  struct csum c;
  csum_init(&c);
  csum_add(&c, buf, out->len); /* out->len <= len: checked by udp_parse */
  return udp_checksum_ok(out, &c, src, dst) ? WIRE_OK : WIRE_ECSUM;
}

int udp_emit(const struct udp_repr *r, uint8_t *buf, size_t cap) {
  if (cap < UDP_HLEN) return WIRE_ENOSPC;
  wire_put16(buf, r->sport);
  wire_put16(buf + 2, r->dport);
  wire_put16(buf + 4, r->len);
  wire_put16(buf + 6, r->checksum);
  return UDP_HLEN;
}

int udp_emit_checksum(const struct udp_repr *r, uint8_t *buf, size_t cap, ip4_addr_t src,
                      ip4_addr_t dst) {
  if (r->len < UDP_HLEN) return WIRE_ELEN;
  if (cap < r->len) return WIRE_ENOSPC;
  struct udp_repr h = *r;
  h.checksum = 0;
  udp_emit(&h, buf, cap);
  struct csum c;
  csum_init(&c);
  csum_add(&c, buf, r->len);
  wire_put16(buf + 6, udp_checksum_finish(&c, src, dst, r->len));
  return UDP_HLEN;
}

void udp_set_checksum(uint8_t *hdr, const struct csum *data, ip4_addr_t src, ip4_addr_t dst) {
  struct csum c;
  csum_init(&c);
  wire_put16(hdr + 6, 0);
  csum_add(&c, hdr, UDP_HLEN);
  csum_append(&c, data);
  wire_put16(hdr + 6, udp_checksum_finish(&c, src, dst, wire_get16(hdr + 4)));
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
