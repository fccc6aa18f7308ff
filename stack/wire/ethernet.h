/* Ethernet II header (IEEE 802.3 type field >= 0x0600): destination,
 * source, ethertype; 14 bytes. */
#ifndef LWSIM_STACK_WIRE_ETHERNET_H
#define LWSIM_STACK_WIRE_ETHERNET_H

#include "stack/wire/wire.h"

#define ETH_HLEN 14
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806

struct eth_repr {
  struct eth_addr dst, src;
  uint16_t type;
};

int eth_parse(struct eth_repr *out, const uint8_t *buf, size_t len);
/* Writes ETH_HLEN bytes; returns ETH_HLEN or WIRE_ENOSPC. */
int eth_emit(const struct eth_repr *r, uint8_t *buf, size_t cap);

#endif
