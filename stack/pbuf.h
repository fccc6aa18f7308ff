/* Packet buffers: chains of fixed-size buffers with reference counts and
 * room for headers in front of the payload.
 *
 * A packet is a chain: the first pbuf's tot_len is the packet's length, each
 * pbuf's len the bytes it holds itself. Invariants, checked by
 * pbuf_check():
 *   - p->tot_len == p->len + (p->next ? p->next->tot_len : 0);
 *   - the payload lies inside the pbuf's own storage;
 *   - a pbuf is live (ref >= 1) until the last pbuf_free() of it.
 *
 * Buffers come from the instance's pool (limit: config pbuf_pool); when it
 * is exhausted pbuf_alloc() returns NULL and the caller counts a drop. In
 * simulator builds (STACK_POOL_CHECKS) a freed buffer is poisoned and its
 * generation bumped, freed buffers are reused oldest first, and handing a
 * freed one to any pbuf function is reported through the port as a
 * "use_after_free" (or "double_free") finding and ignored, not a crash.
 */
#ifndef LWSIM_STACK_PBUF_H
#define LWSIM_STACK_PBUF_H

#include <stddef.h>
#include <stdint.h>

struct stack;

struct pbuf {
  struct pbuf *next;
  uint8_t *payload;
  uint32_t tot_len; /* this pbuf and the rest of the chain */
  uint16_t len;     /* bytes in this pbuf */
  uint16_t ref;     /* holders of this pbuf (the previous pbuf in a chain holds one) */
  uint16_t cap;     /* storage bytes */
  uint16_t flags;
  struct stack *st;
  uint8_t *storage;
};

/* Header room reserved in front of the payload, by the layer that will
 * fill the buffer first. */
enum pbuf_layer {
  PBUF_RAW = 0,        /* no room: a frame as received */
  PBUF_LINK = 16,      /* Ethernet header (14), aligned */
  PBUF_IP = 36,        /* + IPv4 header (20) */
  PBUF_TRANSPORT = 96, /* + the largest TCP header (60) */
};

/* A chain for `len` payload bytes (len 0 gives one empty pbuf) with
 * `layer` bytes of header room in the first pbuf. NULL when the pool is
 * empty (nothing is left allocated). */
struct pbuf *pbuf_alloc(struct stack *st, enum pbuf_layer layer, size_t len);

/* Drop one reference to the chain's head; pbufs that reach 0 are freed and
 * their hold on the next released in turn. Returns how many were freed. */
int pbuf_free(struct pbuf *p);
void pbuf_ref(struct pbuf *p);

/* Move the payload pointer of the first pbuf: grow (> 0, into the header
 * room) or shrink (< 0) the packet at its front. STACK_EINVAL when there is
 * not enough room or data; nothing changes then. */
int pbuf_header(struct pbuf *p, int delta);

/* Shrink the chain to new_len bytes (freeing pbufs beyond it). Growing is
 * STACK_EINVAL. */
int pbuf_trim(struct pbuf *p, size_t new_len);

/* Append t to h; h takes over the caller's reference to t. */
void pbuf_cat(struct pbuf *h, struct pbuf *t);

/* Copy len bytes starting at offset out of the chain; returns the bytes
 * copied (fewer when the chain is shorter). */
size_t pbuf_copy_out(const struct pbuf *p, void *dst, size_t len, size_t offset);
/* Copy len bytes into the chain at offset; STACK_EINVAL if it does not fit. */
int pbuf_copy_in(struct pbuf *p, const void *src, size_t len, size_t offset);

/* A new single-pbuf copy of the whole chain with `layer` header room, or
 * NULL when the pool is empty or the packet exceeds one buffer. */
struct pbuf *pbuf_clone(struct stack *st, enum pbuf_layer layer, const struct pbuf *p);

/* Byte at offset (0 when beyond the end). */
uint8_t pbuf_get_at(const struct pbuf *p, size_t offset);

/* Pointer to `len` contiguous bytes at offset 0 when the first pbuf holds
 * them, else NULL (callers then copy out). */
static inline const uint8_t *pbuf_contig(const struct pbuf *p, size_t len) {
  return p->len >= len ? p->payload : NULL;
}

/* 0 when the chain's invariants hold, else STACK_EINVAL. */
int pbuf_check(const struct pbuf *p);

/* Buffers in use / pool limit / allocation failures so far. */
uint32_t pbuf_in_use(const struct stack *st);
uint64_t pbuf_alloc_failures(const struct stack *st);

#endif
