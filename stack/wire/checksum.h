/* The Internet checksum (RFC 1071): the 16-bit ones' complement of the
 * ones' complement sum of the data taken as big-endian 16-bit words, an
 * odd final byte padded with a zero low byte (RFC 1071 sec. 1).
 *
 * A running sum (struct csum) lets the data come in any number of pieces
 * of any length: the result is the same however it is split, odd-length
 * pieces in the middle included (a piece that ends on an odd byte leaves
 * the next piece's first byte in the low half of a word). This is what a
 * chain of packet buffers needs.
 *
 * Typical uses:
 *   verify:  csum_init, csum_pseudo, csum_add over every piece of the
 *            message as received, then csum_fold(c) == 0xffff;
 *   compute: write the checksum field as 0, sum as above, then store
 *            csum_finish(c) in the field.
 */
#ifndef LWSIM_STACK_WIRE_CHECKSUM_H
#define LWSIM_STACK_WIRE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "stack/wire/wire.h"

/* Invariant: sum is the unfolded sum of the words seen so far, each as a
 * big-endian 16-bit value; odd is 1 when an odd number of bytes has been
 * added (the last one sits, shifted left 8, in sum). 2^48 words fit
 * before sum could overflow, far more than any packet. */
struct csum {
  uint64_t sum;
  int odd;
};

static inline void csum_init(struct csum *c) {
  c->sum = 0;
  c->odd = 0;
}
/* Adds len bytes that follow, in the message, what was added before. */
void csum_add(struct csum *c, const void *data, size_t len);
/* Adds one 16-bit word that sits at an even offset of the message
 * (whatever has been added so far: the sum is commutative). */
void csum_add16(struct csum *c, uint16_t v);
/* Appends the running sum of a piece that was summed on its own, from
 * its own offset 0 (e.g. a payload summed once and kept): the result is
 * as if its bytes had been added to c with csum_add. RFC 1071 sec. 2(B):
 * a sum over byte-swapped words is the byte-swapped sum, so a piece that
 * lands at an odd offset is added swapped. */
void csum_append(struct csum *c, const struct csum *piece);
/* The folded 16-bit sum (end-around carries added in; not complemented). */
uint16_t csum_fold(const struct csum *c);
/* The checksum field value: the ones' complement of the folded sum. */
static inline uint16_t csum_finish(const struct csum *c) { return (uint16_t)~csum_fold(c); }

/* The IPv4 pseudo-header of RFC 768 ("Fields") and RFC 9293 sec. 3.1
 * ("Checksum"): source, destination, zero, protocol, and the transport
 * length (header plus data), added as the even-aligned words they are. */
void csum_pseudo(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len);

/* The checksum of one buffer: ~fold(sum(data)). A buffer holding a
 * correct checksum field gives 0. */
uint16_t wire_checksum(const void *data, size_t len);

/* RFC 1624 sec. 3, eqn. 3: the new checksum field after a 16-bit word of
 * the covered data changes from old to new: HC' = ~(~HC + ~m + m'). It
 * gives the value a full recomputation would (never 0xffff for data that
 * is not all zero, as eqn. 2 could). */
uint16_t csum_update16(uint16_t hc, uint16_t old, uint16_t new_);

#endif
