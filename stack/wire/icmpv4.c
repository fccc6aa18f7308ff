/* ICMP for IPv4 (RFC 792). */
#include "stack/wire/icmpv4.h"

int icmpv4_parse(struct icmpv4_repr *out, const uint8_t *buf, size_t len) {
  if (len < ICMP_HLEN) return WIRE_ETRUNC;
  if (wire_checksum(buf, len) != 0) return WIRE_ECSUM;
  out->type = buf[0];
  out->code = buf[1];
  out->id = wire_get16(buf + 4);
  out->seq = wire_get16(buf + 6);
  out->mtu = out->type == ICMP_DEST_UNREACH ? wire_get16(buf + 6) : 0;
  return WIRE_OK;
}

int icmpv4_parse_quote(struct ipv4_repr *ip, const uint8_t *buf, size_t len) {
  if (len < ICMP_HLEN) return WIRE_ETRUNC;
  const uint8_t *q = buf + ICMP_HLEN;
  size_t n = len - ICMP_HLEN;
  int rc = ipv4_parse(ip, q, n, IPV4_PARSE_NO_CSUM | IPV4_PARSE_QUOTE);
  if (rc < 0) return rc;
  if (n - ip->hlen < ICMP_QUOTE_DATA) return WIRE_ETRUNC;
  return WIRE_OK;
}

size_t icmpv4_quote_len(const uint8_t *ip, size_t len) {
  if (len < IPV4_HLEN || ip[0] >> 4 != 4) return 0;
  size_t hlen = (ip[0] & 15u) * 4u;
  if (hlen < IPV4_HLEN || hlen > len) return 0;
  size_t q = hlen + ICMP_QUOTE_DATA;
  return q < len ? q : len;
}

/* Writes the 8 header bytes with a zero checksum field. */
static void put_header(const struct icmpv4_repr *r, uint8_t *buf) {
  buf[0] = r->type;
  buf[1] = r->code;
  wire_put16(buf + 2, 0);
  if (r->type == ICMP_ECHO_REQUEST || r->type == ICMP_ECHO_REPLY) {
    wire_put16(buf + 4, r->id);
    wire_put16(buf + 6, r->seq);
  } else {
    wire_put16(buf + 4, 0);
    wire_put16(buf + 6, r->type == ICMP_DEST_UNREACH ? r->mtu : 0);
  }
}

int icmpv4_emit(const struct icmpv4_repr *r, uint8_t *buf, size_t data_len, size_t cap) {
  if (cap < ICMP_HLEN || data_len > cap - ICMP_HLEN) return WIRE_ENOSPC;
  put_header(r, buf);
  wire_put16(buf + 2, wire_checksum(buf, ICMP_HLEN + data_len));
  return ICMP_HLEN;
}

void icmpv4_set_checksum(uint8_t *hdr, const struct csum *data) {
  struct csum c;
  csum_init(&c);
  wire_put16(hdr + 2, 0);
  csum_add(&c, hdr, ICMP_HLEN);
  csum_append(&c, data);
  wire_put16(hdr + 2, csum_finish(&c));
}
