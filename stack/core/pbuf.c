/* Packet buffer chains (see pbuf.h).
 *
 * Each pbuf is one pool object: the struct, then cfg.pbuf_size bytes of
 * storage. A chain's pbufs are linked by ->next, and a pbuf holds one
 * reference to its successor, so freeing a head whose count drops to 0
 * releases the rest of the chain down to the first pbuf someone else
 * still holds. */
#include <string.h>

#include "stack/core/priv.h"

/* A freed pbuf handed back to us: report it, touch nothing. */
static int stale(const struct pbuf *p, const char *where) {
  if (pool_obj_live(p)) return 0;
  st_finding(pool_obj_owner(p), "use_after_free", where, "pbuf was already freed");
  return 1;
}

static struct pbuf *pbuf_one(struct stack *st, uint16_t room) {
  struct pbuf *p = pool_get(st, &st->pbufs);
  if (!p) return NULL;
  p->st = st;
  p->storage = (uint8_t *)(p + 1);
  p->cap = (uint16_t)st->cfg.pbuf_size;
  p->payload = p->storage + room;
  p->ref = 1;
  return p;
}

struct pbuf *pbuf_alloc(struct stack *st, enum pbuf_layer layer, size_t len) {
  uint32_t size = st->cfg.pbuf_size;
  if ((uint32_t)layer >= size || len > UINT32_MAX - size) return NULL;
  struct pbuf *head = NULL, *tail = NULL;
  size_t left = len;
  uint16_t room = (uint16_t)layer;
  do {
    struct pbuf *p = pbuf_one(st, room);
    if (!p) {
      if (head) pbuf_free(head);
      return NULL;
    }
    size_t n = size - room;
    if (n > left) n = left;
    p->len = (uint16_t)n;
    left -= n;
    if (tail) tail->next = p;
    else head = p;
    tail = p;
    room = 0;
  } while (left > 0);
  /* tot_len from the tail back */
  size_t rest = len;
  for (struct pbuf *p = head; p; p = p->next) {
    p->tot_len = (uint32_t)rest;
    rest -= p->len;
  }
  return head;
}

void pbuf_ref(struct pbuf *p) {
  if (!p || stale(p, "pbuf_ref")) return;
  p->ref++;
}

int pbuf_free(struct pbuf *p) {
  int n = 0;
  if (p && stale(p, "pbuf_free")) return 0;
  while (p) {
    if (--p->ref > 0) break;
    struct pbuf *next = p->next;
    pool_put(p->st, &p->st->pbufs, p, "pbuf_free");
    n++;
    p = next;
  }
  return n;
}

int pbuf_header(struct pbuf *p, int delta) {
  if (!p || stale(p, "pbuf_header")) return STACK_EINVAL;
  if (delta > 0) {
    if ((size_t)(p->payload - p->storage) < (size_t)delta) return STACK_EINVAL;
  } else if (delta < 0) {
    if ((size_t)-delta > p->len) return STACK_EINVAL;
  }
  p->payload -= delta;
  p->len = (uint16_t)(p->len + delta);
  p->tot_len = (uint32_t)((int64_t)p->tot_len + delta);
  return STACK_OK;
}

int pbuf_trim(struct pbuf *p, size_t new_len) {
  if (!p || stale(p, "pbuf_trim")) return STACK_EINVAL;
  if (new_len > p->tot_len) return STACK_EINVAL;
  size_t shrink = p->tot_len - new_len, left = new_len;
  struct pbuf *q = p;
  for (;;) {
    q->tot_len -= (uint32_t)shrink;
    if (left <= q->len) break;
    left -= q->len;
    q = q->next;
  }
  q->len = (uint16_t)left;
  if (q->next) {
    pbuf_free(q->next);
    q->next = NULL;
  }
  return STACK_OK;
}

void pbuf_cat(struct pbuf *h, struct pbuf *t) {
  if (!h || !t || stale(h, "pbuf_cat") || stale(t, "pbuf_cat")) return;
  struct pbuf *q = h;
  for (; q->next; q = q->next) q->tot_len += t->tot_len;
  q->tot_len += t->tot_len;
  q->next = t;
}

size_t pbuf_copy_out(const struct pbuf *p, void *dst, size_t len, size_t offset) {
  if (!p || stale(p, "pbuf_copy_out")) return 0;
  uint8_t *d = dst;
  size_t done = 0;
  for (; p && done < len; p = p->next) {
    if (offset >= p->len) {
      offset -= p->len;
      continue;
    }
    size_t n = p->len - offset;
    if (n > len - done) n = len - done;
    memcpy(d + done, p->payload + offset, n);
    done += n;
    offset = 0;
  }
  return done;
}

int pbuf_copy_in(struct pbuf *p, const void *src, size_t len, size_t offset) {
  if (!p || stale(p, "pbuf_copy_in")) return STACK_EINVAL;
  if (offset > p->tot_len || len > p->tot_len - offset) return STACK_EINVAL;
  const uint8_t *s = src;
  size_t done = 0;
  for (; p && done < len; p = p->next) {
    if (offset >= p->len) {
      offset -= p->len;
      continue;
    }
    size_t n = p->len - offset;
    if (n > len - done) n = len - done;
    memcpy(p->payload + offset, s + done, n);
    done += n;
    offset = 0;
  }
  return STACK_OK;
}

struct pbuf *pbuf_clone(struct stack *st, enum pbuf_layer layer, const struct pbuf *p) {
  if (!p || stale(p, "pbuf_clone")) return NULL;
  if ((size_t)layer + p->tot_len > st->cfg.pbuf_size) return NULL;
  struct pbuf *q = pbuf_alloc(st, layer, p->tot_len);
  if (q) pbuf_copy_out(p, q->payload, p->tot_len, 0);
  return q;
}

uint8_t pbuf_get_at(const struct pbuf *p, size_t offset) {
  uint8_t b = 0;
  pbuf_copy_out(p, &b, 1, offset);
  return b;
}

int pbuf_check(const struct pbuf *p) {
  for (; p; p = p->next) {
    if (!pool_obj_live(p) || p->ref == 0) return STACK_EINVAL;
    if (p->payload < p->storage || p->payload + p->len > p->storage + p->cap) return STACK_EINVAL;
    uint32_t rest = p->next ? p->next->tot_len : 0;
    if (p->tot_len != p->len + rest) return STACK_EINVAL;
  }
  return STACK_OK;
}

uint32_t pbuf_in_use(const struct stack *st) { return st->pbufs.used; }
uint64_t pbuf_alloc_failures(const struct stack *st) { return st->pbufs.fails; }
