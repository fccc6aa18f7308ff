/* The UDP header (RFC 768): ports, length, checksum over a pseudo-header,
 * the header and the data. */
#ifndef LWSIM_STACK_WIRE_UDP_H
#define LWSIM_STACK_WIRE_UDP_H

#include "stack/wire/checksum.h"
#include "stack/wire/wire.h"

#define UDP_HLEN 8

struct udp_repr {
  uint16_t sport, dport;
  uint16_t len;      /* header + data */
  uint16_t checksum; /* as on the wire; 0 = none sent */
};

/* buf holds the datagram as received (len bytes, maybe padded): WIRE_ETRUNC
 * below 8 bytes, WIRE_ELEN unless 8 <= length field <= len. The checksum
 * is not checked here (it may span a chain): see udp_checksum_ok. */
int udp_parse(struct udp_repr *out, const uint8_t *buf, size_t len);
/* Writes the 8-byte header; the checksum field is written from r (callers
 * compute it with udp_checksum_finish). */
int udp_emit(const struct udp_repr *r, uint8_t *buf, size_t cap);
/* The value for the checksum field given the running sum over the header
 * (checksum field 0) and data: 0 computed is sent as 0xffff. */
uint16_t udp_checksum_finish(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len);
/* Given the running sum over the datagram as received: 1 when it checks
 * (or no checksum was sent). */
int udp_checksum_ok(const struct udp_repr *r, struct csum *c, ip4_addr_t src, ip4_addr_t dst);

#endif
