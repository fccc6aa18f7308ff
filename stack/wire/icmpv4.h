/* ICMP for IPv4 (RFC 792): the 8-byte header of echo, destination
 * unreachable and time exceeded messages, checksummed over the whole
 * message. */
#ifndef LWSIM_STACK_WIRE_ICMPV4_H
#define LWSIM_STACK_WIRE_ICMPV4_H

#include "stack/wire/wire.h"

#define ICMP_HLEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_UNREACH_PROTO 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_FRAG_NEEDED 4
#define ICMP_EXC_TTL 0
#define ICMP_EXC_REASS 1

struct icmpv4_repr {
  uint8_t type, code;
  uint16_t id, seq;   /* echo: identifier and sequence number */
  uint16_t mtu;       /* unreachable/fragmentation needed: next-hop MTU (RFC 1191) */
};

/* buf holds the whole ICMP message (len bytes): WIRE_ETRUNC below 8 bytes,
 * WIRE_ECSUM for a bad checksum. The data follows at offset ICMP_HLEN. */
int icmpv4_parse(struct icmpv4_repr *out, const uint8_t *buf, size_t len);
/* Writes the header in front of data_len bytes already at buf + ICMP_HLEN
 * and the checksum over both; returns ICMP_HLEN or WIRE_ENOSPC. */
int icmpv4_emit(const struct icmpv4_repr *r, uint8_t *buf, size_t data_len, size_t cap);

#endif
