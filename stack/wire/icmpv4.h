/* ICMP for IPv4 (RFC 792): the 8-byte header of echo, destination
 * unreachable and time exceeded messages, checksummed over the whole
 * message (RFC 792, "Checksum" of each message format). */
#ifndef LWSIM_STACK_WIRE_ICMPV4_H
#define LWSIM_STACK_WIRE_ICMPV4_H

#include "stack/wire/checksum.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/wire.h"

#define ICMP_HLEN 8
/* types (RFC 792) */
#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12
/* destination unreachable codes (RFC 792; 4 with RFC 1191 sec. 4) */
#define ICMP_UNREACH_NET 0
#define ICMP_UNREACH_HOST 1
#define ICMP_UNREACH_PROTO 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_FRAG_NEEDED 4
/* time exceeded codes */
#define ICMP_EXC_TTL 0
#define ICMP_EXC_REASS 1
/* An error message quotes the offending datagram's IP header and the
 * first 64 bits of its data (RFC 792 "Destination Unreachable Message"). */
#define ICMP_QUOTE_DATA 8

/* The header's second word means: echo (RFC 792 "Echo or Echo Reply
 * Message") identifier and sequence number; destination unreachable with
 * code 4, the next-hop MTU in its low half (RFC 1191 sec. 4); otherwise
 * unused (zero on emit). parse fills id and seq from it for every type. */
struct icmpv4_repr {
  uint8_t type, code;
  uint16_t id, seq;   /* echo: identifier and sequence number */
  uint16_t mtu;       /* unreachable: next-hop MTU (RFC 1191), else 0 */
};

/* Error messages (the ones that quote a datagram; RFC 1122 sec. 3.2.2:
 * never sent about one another). */
static inline int icmpv4_is_error(uint8_t type) {
  return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
         type == ICMP_TIME_EXCEEDED || type == ICMP_PARAM_PROBLEM;
}

/* buf holds the whole ICMP message (len bytes, the IP payload):
 * WIRE_ETRUNC below 8 bytes, WIRE_ECSUM unless the checksum over all len
 * bytes checks. The data (echo payload, or the quoted datagram) is
 * [ICMP_HLEN, len). */
int icmpv4_parse(struct icmpv4_repr *out, const uint8_t *buf, size_t len);
/* For an error message of len bytes at buf: parses the quoted IP header
 * at buf + ICMP_HLEN (IPV4_PARSE_QUOTE, its checksum not checked: a
 * router may have changed the TTL) into *ip and checks that the 8 bytes
 * of its data are there too, so the transport ports at buf + ICMP_HLEN +
 * ip->hlen can be read. Errors: ipv4_parse's (WIRE_ETRUNC below 20
 * quoted bytes, WIRE_EHLEN for a header running past them, ...), then
 * WIRE_ETRUNC when fewer than 8 data bytes follow the quoted header. */
int icmpv4_parse_quote(struct ipv4_repr *ip, const uint8_t *buf, size_t len);
/* How much of the datagram (len bytes at ip, starting with its IP header)
 * an error message about it quotes: its header plus 8 bytes of data,
 * bounded by len (RFC 792); 0 if ip does not hold an IPv4 header. */
size_t icmpv4_quote_len(const uint8_t *ip, size_t len);
/* Writes the header in front of data_len bytes already at buf + ICMP_HLEN
 * and the checksum over both; cap counts from buf. Returns ICMP_HLEN or
 * WIRE_ENOSPC (cap < ICMP_HLEN + data_len). */
int icmpv4_emit(const struct icmpv4_repr *r, uint8_t *buf, size_t data_len, size_t cap);
/* For data that is not contiguous with the header: writes the header's
 * checksum field given the running sum of the data that follows it
 * (summed from the data's own start). hdr holds the emitted header. */
void icmpv4_set_checksum(uint8_t *hdr, const struct csum *data);

#endif
