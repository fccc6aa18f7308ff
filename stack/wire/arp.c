/* ARP for Ethernet/IPv4 (RFC 826 "Packet format"). Layout: hrd(2) pro(2)
 * hln(1) pln(1) op(2) sha(6) spa(4) tha(6) tpa(4). */
#include "stack/wire/arp.h"

#include <string.h>

#include "stack/wire/ethernet.h"

int arp_parse(struct arp_repr *out, const uint8_t *buf, size_t len) {
  if (len < ARP_LEN) return WIRE_ETRUNC;
  if (wire_get16(buf) != ARP_HTYPE_ETHERNET || wire_get16(buf + 2) != ETH_TYPE_IPV4 ||
      buf[4] != 6 || buf[5] != 4)
    return WIRE_EVERSION;
  uint16_t op = wire_get16(buf + 6);
  if (op != ARP_REQUEST && op != ARP_REPLY) return WIRE_EMALFORMED;
  out->op = op;
  memcpy(out->sha.b, buf + 8, 6);
  out->spa = wire_get32(buf + 14);
  memcpy(out->tha.b, buf + 18, 6);
  out->tpa = wire_get32(buf + 24);
  return WIRE_OK;
}

int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t cap) {
  if (cap < ARP_LEN) return WIRE_ENOSPC;
  wire_put16(buf, ARP_HTYPE_ETHERNET);
  wire_put16(buf + 2, ETH_TYPE_IPV4);
  buf[4] = 6;
  buf[5] = 4;
  wire_put16(buf + 6, r->op);
  memcpy(buf + 8, r->sha.b, 6);
  wire_put32(buf + 14, r->spa);
  memcpy(buf + 18, r->tha.b, 6);
  wire_put32(buf + 24, r->tpa);
  return ARP_LEN;
}
