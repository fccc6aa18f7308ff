#include "stack/wire/arp.h"

#include <string.h>

int arp_parse(struct arp_repr *out, const uint8_t *buf, size_t len) {
  if (len < ARP_LEN) return WIRE_ETRUNC;
  if (wire_get16(buf) != 1 || wire_get16(buf + 2) != 0x0800 || buf[4] != 6 || buf[5] != 4)
    return WIRE_EVERSION;
  out->op = wire_get16(buf + 6);
  if (out->op != ARP_REQUEST && out->op != ARP_REPLY) return WIRE_EMALFORMED;
  memcpy(out->sha.b, buf + 8, 6);
  out->spa = wire_get32(buf + 14);
  memcpy(out->tha.b, buf + 18, 6);
  out->tpa = wire_get32(buf + 24);
  return WIRE_OK;
}

int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t cap) {
  if (cap < ARP_LEN) return WIRE_ENOSPC;
  wire_put16(buf, 1);
  wire_put16(buf + 2, 0x0800);
  buf[4] = 6;
  buf[5] = 4;
  wire_put16(buf + 6, r->op);
  memcpy(buf + 8, r->sha.b, 6);
  wire_put32(buf + 14, r->spa);
  memcpy(buf + 18, r->tha.b, 6);
  wire_put32(buf + 24, r->tpa);
  return ARP_LEN;
}
