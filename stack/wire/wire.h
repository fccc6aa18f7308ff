/* stack/wire/: pure parse and emit of protocol headers.
 *
 * One file per header. X_parse() checks every length before it reads a
 * byte and fills a plain representation (struct X_repr: host byte order,
 * no pointers into the buffer; a payload or option area is located by
 * offset and length, e.g. ipv4_repr.hlen, tcp_repr.hlen). X_emit() writes
 * a header from one and returns the bytes written. No state, no
 * allocation, no writable globals (constant tables at most), nothing from
 * sim/ or harness/: these functions can be tested against bytes from the
 * RFCs and fed random input.
 *
 * Invariants every parse keeps:
 *  - it reads only buf[0, len): a length field larger than the buffer is
 *    an error, never a read;
 *  - on an error it returns a negative WIRE_E* code and *out is not to be
 *    used (it may be partly written);
 *  - on success it returns WIRE_OK (0).
 * Every emit returns the number of bytes written (> 0) or a negative
 * WIRE_E* code (WIRE_ENOSPC: cap too small), in which case nothing was
 * written.
 */
#ifndef LWSIM_STACK_WIRE_H
#define LWSIM_STACK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  WIRE_OK = 0,
  WIRE_ETRUNC = -1,    /* buffer shorter than the fixed header */
  WIRE_EVERSION = -2,  /* wrong version or hardware/protocol type */
  WIRE_EHLEN = -3,     /* header length field out of range */
  WIRE_ELEN = -4,      /* a total length field inconsistent with the buffer */
  WIRE_ECSUM = -5,     /* bad checksum */
  WIRE_EMALFORMED = -6,/* some other field is invalid */
  WIRE_ENOSPC = -7,    /* output buffer too small */
  WIRE_EOPT = -8,      /* bad option */
};
/* A constant string for any int (unknown codes give "unknown error"). */
const char *wire_strerror(int err);

/* Network byte order (RFC 791 appendix B, "Data Transmission Order":
 * the most significant octet first). p needs 2 or 4 valid bytes. */
static inline uint16_t wire_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t wire_get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wire_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static inline void wire_put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* An IPv4 address (RFC 791 sec. 3.1, "Source Address") in host byte
 * order: 10.0.0.1 is 0x0a000001, whatever the machine's endianness. */
typedef uint32_t ip4_addr_t;
#define IP4_ANY ((ip4_addr_t)0)
#define IP4_BROADCAST ((ip4_addr_t)0xffffffffu)
#define IP4_ADDR_STRLEN 16 /* "255.255.255.255" and its NUL */
static inline ip4_addr_t ip4_addr_make(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (ip4_addr_t)a << 24 | (ip4_addr_t)b << 16 | (ip4_addr_t)c << 8 | d;
}
/* Class D, 224.0.0.0/4 (RFC 1112 sec. 4). */
static inline int ip4_is_multicast(ip4_addr_t a) { return (a >> 28) == 0xe; }
/* Formats "10.0.0.1" into buf, which holds at least IP4_ADDR_STRLEN
 * bytes; always NUL-terminated. Returns buf (for use inside a printf). */
char *ip4_addr_format(ip4_addr_t a, char buf[IP4_ADDR_STRLEN]);
/* A dotted quad, exactly four decimal parts of 1 to 3 digits, each <= 255,
 * nothing before or after: WIRE_OK and *out set, or WIRE_EMALFORMED and
 * *out untouched. */
int ip4_addr_parse(const char *s, ip4_addr_t *out);

/* An IEEE 802 MAC address as on the wire. */
struct eth_addr {
  uint8_t b[6];
};
#define ETH_ADDR_BROADCAST_INIT {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
static inline int eth_addr_eq(const struct eth_addr *x, const struct eth_addr *y) {
  for (int i = 0; i < 6; i++)
    if (x->b[i] != y->b[i]) return 0;
  return 1;
}
static inline int eth_addr_is_broadcast(const struct eth_addr *a) {
  return (a->b[0] & a->b[1] & a->b[2] & a->b[3] & a->b[4] & a->b[5]) == 0xff;
}
/* The group bit, the least significant bit of the first octet (IEEE 802
 * sec. 8.2); broadcast is one such address. */
static inline int eth_addr_is_multicast(const struct eth_addr *a) { return a->b[0] & 1; }
static inline struct eth_addr eth_addr_broadcast(void) {
  return (struct eth_addr)ETH_ADDR_BROADCAST_INIT;
}

#endif
