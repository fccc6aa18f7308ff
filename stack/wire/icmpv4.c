#include "stack/wire/icmpv4.h"

#include "stack/wire/checksum.h"

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

int icmpv4_emit(const struct icmpv4_repr *r, uint8_t *buf, size_t data_len, size_t cap) {
  if (cap < ICMP_HLEN || data_len > cap - ICMP_HLEN) return WIRE_ENOSPC;
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
  wire_put16(buf + 2, wire_checksum(buf, ICMP_HLEN + data_len));
  return ICMP_HLEN;
}
