/* Ethernet II framing (IEEE 802.3 clause 3.2.6 type interpretation, as
 * RFC 894 "Frame Format" carries IPv4): destination, source, ethertype;
 * 14 bytes. No VLAN tag, no preamble or FCS (the medium handles those). */
#ifndef LWSIM_STACK_WIRE_ETHERNET_H
#define LWSIM_STACK_WIRE_ETHERNET_H

#include "stack/wire/wire.h"

#define ETH_HLEN 14
#define ETH_TYPE_IPV4 0x0800 /* RFC 894 */
#define ETH_TYPE_ARP 0x0806  /* RFC 826 */

struct eth_repr {
  struct eth_addr dst, src;
  uint16_t type; /* as on the wire; values < 0x0600 are 802.3 lengths */
};

/* RFC 894 "Frame Format": WIRE_ETRUNC below ETH_HLEN bytes, else fills
 * *out; the payload starts at buf + ETH_HLEN. Reads buf[0, 14) only. */
int eth_parse(struct eth_repr *out, const uint8_t *buf, size_t len);
/* Writes ETH_HLEN bytes; returns ETH_HLEN or WIRE_ENOSPC. */
int eth_emit(const struct eth_repr *r, uint8_t *buf, size_t cap);

#endif
