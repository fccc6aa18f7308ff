/* The UDP header (RFC 768 "Format"): ports, length, and a checksum over a
 * pseudo-header, the header and the data (RFC 768 "Fields"). */
#ifndef LWSIM_STACK_WIRE_UDP_H
#define LWSIM_STACK_WIRE_UDP_H

#include "stack/wire/checksum.h"
#include "stack/wire/wire.h"

#define UDP_HLEN 8

/* After a successful parse: UDP_HLEN <= len <= the buffer's length; the
 * data is [UDP_HLEN, len) of the datagram, bytes past len are padding. */
struct udp_repr {
  uint16_t sport, dport;
  uint16_t len;      /* header + data */
  uint16_t checksum; /* as on the wire; 0 = none sent (RFC 768 "Fields") */
};

/* RFC 768 "Format". buf holds the datagram as received (len bytes, maybe
 * padded): WIRE_ETRUNC below 8 bytes, WIRE_ELEN unless 8 <= length field
 * <= len. Only the 8 header bytes are read (so a caller may pass a copy of
 * the header with the datagram's full length as len). The checksum
 * is not checked here (the datagram may span a chain): see udp_checksum_ok,
 * or udp_parse_checked for one buffer. */
int udp_parse(struct udp_repr *out, const uint8_t *buf, size_t len);
/* udp_parse, then the checksum over the pseudo-header (src, dst, 17,
 * length field) and the length field's bytes of buf: WIRE_ECSUM if it
 * fails. A checksum field of 0 means none was computed and is accepted
 * (RFC 768 "Fields"; RFC 1122 sec. 4.1.3.4). */
int udp_parse_checked(struct udp_repr *out, const uint8_t *buf, size_t len, ip4_addr_t src,
                      ip4_addr_t dst);
/* Writes the 8-byte header, the checksum field as r->checksum (callers
 * compute it with udp_checksum_finish or udp_set_checksum). Returns
 * UDP_HLEN or WIRE_ENOSPC. */
int udp_emit(const struct udp_repr *r, uint8_t *buf, size_t cap);
/* Writes the header in front of the r->len - 8 data bytes already at
 * buf + UDP_HLEN and the checksum over pseudo-header, header and data
 * (r->checksum ignored). Returns UDP_HLEN, WIRE_ELEN if r->len < 8, or
 * WIRE_ENOSPC if cap < r->len. */
int udp_emit_checksum(const struct udp_repr *r, uint8_t *buf, size_t cap, ip4_addr_t src,
                      ip4_addr_t dst);
/* For data not contiguous with the header (a chain): writes the checksum
 * field of the emitted header at hdr given the running sum of the data
 * (summed from its own start); the length comes from the header. */
void udp_set_checksum(uint8_t *hdr, const struct csum *data, ip4_addr_t src, ip4_addr_t dst);
/* The value for the checksum field given the running sum over the header
 * (checksum field 0) and data, adding the pseudo-header for len bytes: a
 * computed 0 is sent as 0xffff (RFC 768 "Fields"). */
uint16_t udp_checksum_finish(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len);
/* Given the running sum over the datagram as received (r->len bytes):
 * 1 when it checks (or no checksum was sent), else 0. Adds the
 * pseudo-header to *c. */
int udp_checksum_ok(const struct udp_repr *r, struct csum *c, ip4_addr_t src, ip4_addr_t dst);

#endif
