/* stack/wire/: pure parse and emit of protocol headers.
 *
 * One file per header. parse() checks every length before reading and
 * fills a plain representation (host byte order, no pointers into the
 * buffer: payloads are located by offset and length); emit() writes a
 * header from one. No state, no allocation, no globals: these functions
 * are easy to test against bytes from the RFCs and to fuzz.
 */
#ifndef LWSIM_STACK_WIRE_H
#define LWSIM_STACK_WIRE_H

#include <stddef.h>
#include <stdint.h>

enum {
  WIRE_OK = 0,
  WIRE_ETRUNC = -1,    /* buffer shorter than the header says */
  WIRE_EVERSION = -2,  /* wrong version or hardware/protocol type */
  WIRE_EHLEN = -3,     /* header length field out of range */
  WIRE_ELEN = -4,      /* a total length field inconsistent with the buffer */
  WIRE_ECSUM = -5,     /* bad checksum */
  WIRE_EMALFORMED = -6,/* some other field is invalid */
  WIRE_ENOSPC = -7,    /* output buffer too small */
  WIRE_EOPT = -8,      /* bad option */
};
const char *wire_strerror(int err);

/* Big-endian loads and stores. */
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

/* An IPv4 address in host byte order (10.0.0.1 is 0x0a000001). */
typedef uint32_t ip4_addr_t;
#define IP4_ANY ((ip4_addr_t)0)
#define IP4_BROADCAST ((ip4_addr_t)0xffffffffu)
static inline ip4_addr_t ip4_addr_make(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (ip4_addr_t)a << 24 | (ip4_addr_t)b << 16 | (ip4_addr_t)c << 8 | d;
}
static inline int ip4_is_multicast(ip4_addr_t a) { return (a >> 28) == 0xe; }
/* "10.0.0.1" into buf (at least 16 bytes); returns buf. */
char *ip4_addr_format(ip4_addr_t a, char buf[16]);
/* Dotted quad to address: 0, or WIRE_EMALFORMED. */
int ip4_addr_parse(const char *s, ip4_addr_t *out);

struct eth_addr {
  uint8_t b[6];
};
static inline int eth_addr_eq(const struct eth_addr *x, const struct eth_addr *y) {
  for (int i = 0; i < 6; i++)
    if (x->b[i] != y->b[i]) return 0;
  return 1;
}
static inline int eth_addr_is_broadcast(const struct eth_addr *a) {
  return (a->b[0] & a->b[1] & a->b[2] & a->b[3] & a->b[4] & a->b[5]) == 0xff;
}
static inline struct eth_addr eth_addr_broadcast(void) {
  return (struct eth_addr){{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
}

#endif
