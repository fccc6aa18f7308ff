/* The IPv4 header (RFC 791 sec. 3.1, "Internet Header Format"). */
#ifndef LWSIM_STACK_WIRE_IPV4_H
#define LWSIM_STACK_WIRE_IPV4_H

#include "stack/wire/wire.h"

#define IPV4_HLEN 20     /* without options: IHL 5 */
#define IPV4_HLEN_MAX 60 /* IHL 15 */
#define IPV4_PROTO_ICMP 1
#define IPV4_PROTO_TCP 6
#define IPV4_PROTO_UDP 17
#define IPV4_FLAG_DF 0x4000 /* in the flags/fragment offset word */
#define IPV4_FLAG_MF 0x2000

/* Invariants after a successful parse: IPV4_HLEN <= hlen <= IPV4_HLEN_MAX,
 * hlen % 4 == 0, hlen <= total_len, frag_off % 8 == 0. The options are
 * the bytes [IPV4_HLEN, hlen) of the header; the payload is
 * [hlen, total_len). */
struct ipv4_repr {
  uint8_t hlen;      /* header bytes, options included (IHL * 4) */
  uint8_t tos;       /* type of service / DSCP+ECN, as on the wire */
  uint16_t total_len;
  uint16_t id;
  uint8_t df, mf;    /* 0 or 1 */
  uint16_t frag_off; /* in bytes (the 13-bit field times 8) */
  uint8_t ttl;
  uint8_t proto;
  uint16_t checksum; /* as on the wire; emit ignores it */
  ip4_addr_t src, dst;
};

enum {
  IPV4_PARSE_NO_CSUM = 1, /* skip the header checksum check */
  /* The header quoted in an ICMP error (RFC 792, "Destination Unreachable
   * Message": "Internet Header + 64 bits of Original Data Datagram"):
   * total_len may exceed len, as only the datagram's start is there. */
  IPV4_PARSE_QUOTE = 2,
};

/* RFC 791 sec. 3.1. Checks, in order: room for 20 bytes (WIRE_ETRUNC),
 * version 4 (WIRE_EVERSION), 20 <= header length <= len (WIRE_EHLEN),
 * header length <= total length <= len (WIRE_ELEN; with IPV4_PARSE_QUOTE
 * only the first half), the header checksum (WIRE_ECSUM; RFC 791 "Header
 * Checksum"). A frame may carry link padding beyond total_len, which the
 * caller trims. Options are not interpreted; nothing past hlen is read. */
int ipv4_parse(struct ipv4_repr *out, const uint8_t *buf, size_t len, unsigned flags);
/* The option bytes of a parsed header: they start at IPV4_HLEN. */
static inline size_t ipv4_options_len(const struct ipv4_repr *r) {
  return r->hlen > IPV4_HLEN ? (size_t)r->hlen - IPV4_HLEN : 0;
}
/* Writes a 20-byte header (IHL 5, no options; r->hlen and r->checksum
 * ignored) with its checksum; total_len is taken from r as is. Returns
 * IPV4_HLEN or WIRE_ENOSPC. */
int ipv4_emit(const struct ipv4_repr *r, uint8_t *buf, size_t cap);
/* Recomputes the header checksum in place over the IHL * 4 bytes the
 * header at buf says it has (options included): WIRE_ETRUNC if len < 20,
 * WIRE_EHLEN if that length is < 20 or > len (nothing written then), else
 * WIRE_OK. */
int ipv4_set_checksum(uint8_t *buf, size_t len);
/* Decrements the TTL of the header at buf (20 bytes at least) and patches
 * its checksum incrementally (RFC 1624 sec. 3, eqn. 3) to what a full
 * recomputation gives. The caller checks TTL > 1 first (RFC 1812 sec.
 * 5.3.1); a TTL of 0 would wrap to 255. */
void ipv4_dec_ttl(uint8_t *buf);

#endif
