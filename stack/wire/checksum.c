/* RFC 1071 checksum with a 64-bit accumulator: carries are folded at the
 * end, so adding 16-bit words never loses one (2^48 words fit). */
#include "stack/wire/checksum.h"

void csum_add(struct csum *c, const void *data, size_t len) {
  const uint8_t *p = data;
  uint64_t s = c->sum;
  if (len && c->odd) { /* finish the word the previous piece began */
    s += *p++;
    len--;
    c->odd = 0;
  }
  while (len >= 2) {
    s += (uint64_t)(p[0] << 8 | p[1]);
    p += 2;
    len -= 2;
  }
  if (len) {
    s += (uint64_t)p[0] << 8;
    c->odd = 1;
  }
  c->sum = s;
}

void csum_add16(struct csum *c, uint16_t v) { c->sum += v; }

uint16_t csum_fold(const struct csum *c) {
  uint64_t s = c->sum;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)s;
}

void csum_pseudo(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint8_t proto, uint16_t len) {
  c->sum += (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

uint16_t wire_checksum(const void *data, size_t len) {
  struct csum c;
  csum_init(&c);
  csum_add(&c, data, len);
  return csum_finish(&c);
}
