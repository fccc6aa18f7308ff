/* ARP for Ethernet and IPv4 (RFC 826, "Packet format"): 28 bytes. */
#ifndef LWSIM_STACK_WIRE_ARP_H
#define LWSIM_STACK_WIRE_ARP_H

#include "stack/wire/wire.h"

#define ARP_LEN 28
#define ARP_HTYPE_ETHERNET 1 /* ar$hrd: Ethernet (10Mb) */
#define ARP_REQUEST 1        /* ar$op: ares_op$REQUEST */
#define ARP_REPLY 2          /* ar$op: ares_op$REPLY */

struct arp_repr {
  uint16_t op;              /* ARP_REQUEST or ARP_REPLY */
  struct eth_addr sha, tha; /* sender and target hardware addresses */
  ip4_addr_t spa, tpa;      /* sender and target protocol addresses */
};

/* RFC 826 "Packet format" and "Packet Reception": WIRE_ETRUNC below 28
 * bytes; WIRE_EVERSION unless ar$hrd 1, ar$pro 0x0800, ar$hln 6, ar$pln 4;
 * WIRE_EMALFORMED for an op other than request or reply. Bytes past 28
 * (Ethernet padding) are ignored. */
int arp_parse(struct arp_repr *out, const uint8_t *buf, size_t len);
/* Writes the 28 bytes; returns ARP_LEN or WIRE_ENOSPC. */
int arp_emit(const struct arp_repr *r, uint8_t *buf, size_t cap);

#endif
