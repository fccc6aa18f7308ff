/* Per-instance pools of fixed-size objects (see priv.h).
 *
 * Each object is preceded by a header. Free objects wait in a FIFO, so a
 * freed object is reused as late as possible and a stale pointer to it
 * keeps pointing at a free, poisoned object for a while: that is what lets
 * the checks below see a use after free instead of silently aliasing a new
 * owner. */
#include <stdlib.h>
#include <string.h>

#include "stack/core/priv.h"

#define POISON 0xdb
#define LIVE 0x4c495645u /* "LIVE" */
#define FREE 0x46524545u /* "FREE" */

struct pool_obj {
  struct pool_obj *next_free;
  struct pool_obj *all_next;
  struct stack *owner;
  uint32_t state;
  uint32_t gen; /* bumped on each free: names an object's lifetime */
  uint32_t size;
  /* the object follows, max-aligned */
  _Alignas(16) unsigned char data[];
};

static struct pool_obj *obj_of(const void *p) {
  return (struct pool_obj *)((const unsigned char *)p - offsetof(struct pool_obj, data));
}

void pool_init(struct stack_pool *pl, const char *name, uint32_t size, uint32_t limit,
               uint32_t clear, uint32_t poison) {
  memset(pl, 0, sizeof *pl);
  pl->name = name;
  pl->size = size;
  pl->limit = limit;
  pl->clear = clear && clear < size ? clear : size;
  pl->poison = poison && poison < size ? poison : size;
}

#ifdef STACK_POOL_CHECKS
/* 1 when the first n bytes of p are all POISON, a word at a time. */
static int poison_intact(const unsigned char *p, uint32_t n) {
  const uint64_t pat = 0x0101010101010101ull * POISON;
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    if (w != pat) return 0;
  }
  for (; i < n; i++)
    if (p[i] != POISON) return 0;
  return 1;
}
#endif

int pool_obj_live(const void *obj) { return obj_of(obj)->state == LIVE; }
uint32_t pool_obj_gen(const void *obj) { return obj_of(obj)->gen; }
struct stack *pool_obj_owner(const void *obj) { return obj_of(obj)->owner; }

void *pool_get(struct stack *st, struct stack_pool *pl) {
  struct pool_obj *o = pl->free_head;
  if (o) {
    pl->free_head = o->next_free;
    if (!pl->free_head) pl->free_tail = NULL;
#ifdef STACK_POOL_CHECKS
    /* Someone wrote through a stale pointer while it was free? */
    if (!poison_intact(o->data, pl->poison))
      st_finding(st, "write_after_free", pl->name, "a freed object was modified");
#endif
  } else {
    if (pl->total >= pl->limit) {
      pl->fails++;
      return NULL;
    }
    o = malloc(sizeof *o + pl->size);
    if (!o) {
      pl->fails++;
      return NULL;
    }
    o->size = pl->size;
    o->owner = st;
    o->gen = 0;
    o->all_next = pl->all;
    pl->all = o;
    pl->total++;
  }
  o->state = LIVE;
  o->next_free = NULL;
  memset(o->data, 0, pl->clear);
  if (++pl->used > pl->high) pl->high = pl->used;
  return o->data;
}

int pool_put(struct stack *st, struct stack_pool *pl, void *obj, const char *where) {
  struct pool_obj *o = obj_of(obj);
  if (o->state != LIVE) {
    st_finding(st, o->state == FREE ? "double_free" : "bad_free", where,
               "object is not live");
    return STACK_EINVAL;
  }
  o->state = FREE;
  o->gen++;
#ifdef STACK_POOL_CHECKS
  memset(o->data, POISON, pl->poison);
#endif
  o->next_free = NULL;
  if (pl->free_tail) pl->free_tail->next_free = o;
  else pl->free_head = o;
  pl->free_tail = o;
  pl->used--;
  return STACK_OK;
}

void pool_destroy(struct stack_pool *pl) {
  for (struct pool_obj *o = pl->all, *n; o; o = n) {
    n = o->all_next;
    free(o);
  }
  pl->all = pl->free_head = pl->free_tail = NULL;
  pl->total = pl->used = 0;
}
