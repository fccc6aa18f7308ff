/* The Internet checksum (RFC 1071): the 16-bit ones' complement of the
 * ones' complement sum of the data taken as big-endian 16-bit words.
 *
 * A running sum lets the data come in any number of pieces of any length:
 * the result is the same however it is split (odd-length pieces included).
 */
#ifndef LWSIM_STACK_WIRE_CHECKSUM_H
#define LWSIM_STACK_WIRE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "stack/wire/wire.h"

struct csum {
  uint64_t sum;
  int odd; /* an odd number of bytes so far: the next byte is a low byte */
};

static inline void csum_init(struct csum *c) {
  c->sum = 0;
  c->odd = 0;
}
void csum_add(struct csum *c, const void *data, size_t len);
void csum_add16(struct csum *c, uint16_t v); /* only at an even position */
/* The folded 16-bit sum (not complemented). */
uint16_t csum_fold(const struct csum *c);
/* The checksum field value: ~fold. */
static inline uint16_t csum_finish(const struct csum *c) { return (uint16_t)~csum_fold(c); }

/* RFC 768 / RFC 9293 sec. 3.1 pseudo-header: src, dst, zero, protocol,
 * transport length. */
void csum_pseudo(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len);

/* The checksum of one buffer. */
uint16_t wire_checksum(const void *data, size_t len);

#endif
