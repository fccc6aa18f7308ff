/* RFC 1071 checksum with a 64-bit accumulator: carries are folded at the
 * end (RFC 1071 sec. 2(C), "deferred carries"), so adding 16-bit words
 * never loses one.
 *
 * The bulk of a buffer is summed 8 bytes at a time as two native-order
 * 32-bit words (RFC 1071 sec. 2(B): the sum is independent of byte order
 * up to a final swap, and sec. 2(D): folding 32-bit sums gives the
 * 16-bit one); the folded result is swapped into network order on
 * little-endian machines. */
#include "stack/wire/checksum.h"

#include <string.h>

static uint64_t fold64(uint64_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return s;
}

static uint16_t swap16(uint64_t v) { return (uint16_t)((v >> 8 | v << 8) & 0xffff); }

/* The folded sum, in network order, of n8 * 8 bytes at p (any alignment:
 * memcpy loads). Each step adds < 2^33, so 2^31 steps cannot overflow. */
static uint64_t sum_words_native(const uint8_t *p, size_t n8) {
  uint64_t s = 0;
  for (size_t i = 0; i < n8; i++, p += 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    s += (w & 0xffffffffu) + (w >> 32);
  }
  s = fold64(s);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  s = swap16(s);
#endif
  return s;
}

void csum_add(struct csum *c, const void *data, size_t len) {
  const uint8_t *p = data;
  uint64_t s = c->sum;
  if (len && c->odd) { /* finish the word the previous piece began */
    s += *p++;
    len--;
    c->odd = 0;
  }
  /* from here on p is at an even offset of the message */
  if (len >= 16) {
    size_t n8 = len / 8;
    s += sum_words_native(p, n8);
    p += n8 * 8;
    len -= n8 * 8;
  }
  while (len >= 2) {
    s += (uint64_t)(p[0] << 8 | p[1]);
    p += 2;
    len -= 2;
  }
  if (len) { /* a high byte whose low byte is the next piece's first */
    s += (uint64_t)p[0] << 8;
    c->odd = 1;
  }
  c->sum = s;
}

void csum_add16(struct csum *c, uint16_t v) { c->sum += v; }

void csum_append(struct csum *c, const struct csum *piece) {
  uint64_t s = fold64(piece->sum);
  c->sum += c->odd ? swap16(s) : s;
  c->odd ^= piece->odd;
}

uint16_t csum_fold(const struct csum *c) { return (uint16_t)fold64(c->sum); }

void csum_pseudo(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len) {
  c->sum += (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

uint16_t wire_checksum(const void *data, size_t len) {
  struct csum c;
  csum_init(&c);
  csum_add(&c, data, len);
  return csum_finish(&c);
}

uint16_t csum_update16(uint16_t hc, uint16_t old, uint16_t new_) {
  uint32_t s = (uint32_t)(uint16_t)~hc + (uint16_t)~old + new_;
  s = (uint32_t)fold64(s);
  return (uint16_t)~s;
}
