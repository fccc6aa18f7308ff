/* Ethernet II header (RFC 894 "Frame Format"). */
#include "stack/wire/ethernet.h"

#include <string.h>

int eth_parse(struct eth_repr *out, const uint8_t *buf, size_t len) {
  if (len < ETH_HLEN) return WIRE_ETRUNC;
  memcpy(out->dst.b, buf, 6);
  memcpy(out->src.b, buf + 6, 6);
  out->type = wire_get16(buf + 12);
  return WIRE_OK;
}

int eth_emit(const struct eth_repr *r, uint8_t *buf, size_t cap) {
  if (cap < ETH_HLEN) return WIRE_ENOSPC;
  memcpy(buf, r->dst.b, 6);
  memcpy(buf + 6, r->src.b, 6);
  wire_put16(buf + 12, r->type);
  return ETH_HLEN;
}
