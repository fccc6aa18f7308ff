/* The IPv4 header (RFC 791 sec. 3.1). */
#ifndef LWSIM_STACK_WIRE_IPV4_H
#define LWSIM_STACK_WIRE_IPV4_H

#include "stack/wire/wire.h"

#define IPV4_HLEN 20
#define IPV4_PROTO_ICMP 1
#define IPV4_PROTO_TCP 6
#define IPV4_PROTO_UDP 17
#define IPV4_FLAG_DF 0x4000
#define IPV4_FLAG_MF 0x2000

struct ipv4_repr {
  uint8_t hlen;      /* header bytes, options included (20..60) */
  uint8_t tos;
  uint16_t total_len;
  uint16_t id;
  uint8_t df, mf;
  uint16_t frag_off; /* in bytes (the field times 8) */
  uint8_t ttl;
  uint8_t proto;
  uint16_t checksum;
  ip4_addr_t src, dst;
};

enum { IPV4_PARSE_NO_CSUM = 1 }; /* skip the checksum check */

/* Checks, in order: room for 20 bytes (WIRE_ETRUNC), version 4
 * (WIRE_EVERSION), 20 <= header length <= len (WIRE_EHLEN), header length
 * <= total length <= len (WIRE_ELEN: a frame may carry padding beyond
 * total_len, which the caller trims), the header checksum (WIRE_ECSUM).
 * Options are skipped: nothing past hlen is read. */
int ipv4_parse(struct ipv4_repr *out, const uint8_t *buf, size_t len, unsigned flags);
/* Writes a 20-byte header (r->hlen ignored, no options) with its checksum;
 * returns IPV4_HLEN or WIRE_ENOSPC. */
int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t cap);
/* Decrement the TTL of the header at buf and patch its checksum
 * incrementally (RFC 1624 eqn. 3). */
void ipv4_dec_ttl(uint8_t *buf);

#endif
