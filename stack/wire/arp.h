/* ARP for Ethernet and IPv4 (RFC 826): 28 bytes. */
#ifndef LWSIM_STACK_WIRE_ARP_H
#define LWSIM_STACK_WIRE_ARP_H

#include "stack/wire/wire.h"

#define ARP_LEN 28
#define ARP_REQUEST 1
#define ARP_REPLY 2

struct arp_repr {
  uint16_t op;
  struct eth_addr sha, tha; /* sender and target hardware addresses */
  ip4_addr_t spa, tpa;      /* sender and target protocol addresses */
};

/* WIRE_EVERSION unless htype 1, ptype 0x0800, hlen 6, plen 4;
 * WIRE_EMALFORMED for an op other than request or reply. */
int arp_parse(struct arp_repr *out, const uint8_t *buf, size_t len);
int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t cap);

#endif
