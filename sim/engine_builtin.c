/* The built-in engine backend: a radix heap on event times.
 *
 * Why a radix heap: a simulator only ever schedules at or after the current
 * time, so extracted times never decrease. A radix heap exploits that: an
 * insertion is an append, and an entry moves down a few levels before it is
 * extracted. bench/ measures it against ns-3's schedulers.
 *
 * Events are ordered by (time, seq), seq being the insertion count, so the
 * order is total and never looks at a pointer: equal times run first in,
 * first out (see front_in_seq_order for why no seq compare is needed).
 *
 * Layout. Times are compared with `last_t`, the latest time in the front:
 *  - `front` holds the earliest entries, every time <= last_t, sorted by
 *    (time, seq) and consumed from front_head;
 *  - every other entry sits in bucket (L, d): L is the highest base-256 digit
 *    (RADIX_BITS bits each) in which its time differs from last_t, d is its
 *    own digit L. Bucket (L, d) holds times that share every digit above L
 *    with last_t, so the lowest used level, then lowest digit, holds the
 *    earliest time.
 *  - bit d of used[L] is set exactly when bucket (L, d) holds entries (bit
 *    w of wmask[L] exactly when word w of used[L] is non-zero); bit L
 *    of level_mask exactly when wmask[L] != 0.
 *
 * Invariants:
 *  - every bucket time is > last_t; an event scheduled before last_t goes
 *    into the front in order (or, with the front empty, rebase() re-files
 *    everything relative to now);
 *  - an entry is live when slots[e.slot].gen == e.gen; a slot's gen is bumped
 *    (never to 0) when its event runs or is cancelled. An event id is
 *    (gen << 32 | slot index), so no id is 0 and a stale id never matches.
 *
 * Cancellation is lazy: the slot is freed at once and the entry skipped when
 * it reaches the front. When dead entries outnumber live ones (past a
 * floor), compact() drops them all, so memory stays proportional to the
 * pending events.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/engine.h"
#include "sim/err.h"

#define RADIX_BITS 8
#define DIGITS (1u << RADIX_BITS)
#define LEVELS ((64 + RADIX_BITS - 1) / RADIX_BITS)
#define WORDS (DIGITS / 64)
#define SLOT_NONE UINT32_MAX
#define DEAD_FLOOR 1024 /* compact only once this many dead entries pile up */

struct ent {
  uint64_t t; /* time >= 0, so unsigned compares like the signed value */
  uint32_t slot;
  uint32_t gen;
};

struct bucket {
  struct ent *v;
  uint32_t n, cap;
};

struct ev_slot {
  sim_event_fn fn;
  void *arg;
  uint64_t seq; /* insertion order; only checked, never needed to sort */
  uint32_t gen;
  uint32_t next_free;
};

/* The fields every event touches come first, together in a few cache
 * lines; the bucket array (tens of KiB) comes after them. */
struct builtin {
  struct sim_engine *owner;
  sim_time_t *now; /* the engine front's clock, kept up to date here */
  uint64_t last_t;
  uint64_t seq;
  uint64_t executed;
  size_t live, dead;
  int stop;
  uint32_t front_head;
  struct bucket front;
  struct ev_slot *slots;
  uint32_t nslots, free_head;
  uint64_t level_mask;
  uint32_t wmask[LEVELS];
  uint64_t used[LEVELS][WORDS];
  struct bucket b[LEVELS][DIGITS];
  struct bucket scratch; /* rebase() gathers entries here */
};

static int reserve(struct bucket *b, size_t need) {
  if (need <= b->cap) return SIM_OK;
  size_t cap = b->cap ? b->cap : 16;
  while (cap < need) cap *= 2;
  if (cap > UINT32_MAX) return SIM_ENOMEM;
  struct ent *v = realloc(b->v, cap * sizeof *v);
  if (!v) return SIM_ENOMEM;
  b->v = v;
  b->cap = (uint32_t)cap;
  return SIM_OK;
}

static inline int front_empty(const struct builtin *q) { return q->front_head == q->front.n; }

/* File e relative to last_t (e.t >= last_t). */
static inline int push(struct builtin *q, struct ent e) {
  uint64_t diff = e.t ^ q->last_t;
  if (!diff) {
    if (q->front.n == q->front.cap && reserve(&q->front, q->front.n + 1ull) < 0) return SIM_ENOMEM;
    q->front.v[q->front.n++] = e;
    return SIM_OK;
  }
  unsigned L = (63u - (unsigned)__builtin_clzll(diff)) / RADIX_BITS;
  unsigned d = (unsigned)(e.t >> (L * RADIX_BITS)) & (DIGITS - 1);
  struct bucket *b = &q->b[L][d];
  if (b->n == b->cap && reserve(b, b->n + 1ull) < 0) return SIM_ENOMEM;
  b->v[b->n++] = e;
  q->used[L][d >> 6] |= 1ull << (d & 63);
  q->wmask[L] |= 1u << (d >> 6);
  q->level_mask |= 1ull << L;
  return SIM_OK;
}

/* Moving an entry must not fail, or it would be left nowhere valid; it asks
 * for a few KiB at most, so failure is fatal. */
static void push_or_die(struct builtin *q, struct ent e) {
  if (push(q, e) < 0) {
    fputs("lwsim: out of memory in the event queue\n", stderr);
    abort();
  }
}

static void bucket_release(struct builtin *q, unsigned L, unsigned d) {
  q->b[L][d].n = 0;
  if (!(q->used[L][d >> 6] &= ~(1ull << (d & 63))) && !(q->wmask[L] &= ~(1u << (d >> 6))))
    q->level_mask &= ~(1ull << L);
}

/* The front is in (time, seq) order. Equal times keep their insertion
 * order without comparing seqs: two entries with the same time always sit
 * in the same bucket (their digits relative to any last_t <= their time
 * agree), entries are appended in seq order, and moves and the stable sort
 * preserve relative order. Checked in debug builds. */
#ifndef NDEBUG
static int front_in_seq_order(const struct builtin *q) {
  for (uint32_t i = q->front_head + 1; i < q->front.n; i++)
    if (q->front.v[i - 1].t > q->front.v[i].t) return 0;
    else if (q->front.v[i - 1].t == q->front.v[i].t &&
        q->slots[q->front.v[i - 1].slot].seq > q->slots[q->front.v[i].slot].seq &&
        q->slots[q->front.v[i - 1].slot].gen == q->front.v[i - 1].gen &&
        q->slots[q->front.v[i].slot].gen == q->front.v[i].gen)
      return 0;
  return 1;
}
#endif

/* When the front is used up and anything is stored, the lowest used bucket
 * (L, d) holds the earliest times. A small bucket is sorted (stably, by
 * time) into the front whole and last_t becomes its latest time; a large
 * one is spread over the levels below L relative to its earliest time, as
 * a plain radix heap does. Either way the other buckets stay validly filed:
 * the new last_t shares every digit above L with the old one and has digit
 * d at L, below every other bucket's digit at L, and no level below L is
 * used. Sorting small buckets saves the last few moves of each entry. */
#define SORT_MAX 32
static void settle(struct builtin *q) {
  if (!front_empty(q) || !q->level_mask) return;
  q->front.n = q->front_head = 0;
  unsigned L = (unsigned)__builtin_ctzll(q->level_mask);
  unsigned w = (unsigned)__builtin_ctz(q->wmask[L]);
  unsigned d = w * 64 + (unsigned)__builtin_ctzll(q->used[L][w]);
  struct bucket *b = &q->b[L][d];
  uint32_t n = b->n;
  bucket_release(q, L, d);
  if (n <= SORT_MAX) {
    if (reserve(&q->front, n) < 0) {
      fputs("lwsim: out of memory in the event queue\n", stderr);
      abort();
    }
    struct ent *v = q->front.v;
    uint64_t max = 0;
    for (uint32_t i = 0; i < n; i++) { /* insertion sort: stable */
      struct ent e = b->v[i];
      uint32_t j = i;
      for (; j > 0 && v[j - 1].t > e.t; j--) v[j] = v[j - 1];
      v[j] = e;
      max = e.t > max ? e.t : max;
    }
    q->front.n = n;
    q->last_t = max;
  } else {
    uint64_t min = UINT64_MAX;
    for (uint32_t i = 0; i < n; i++) min = b->v[i].t < min ? b->v[i].t : min;
    q->last_t = min;
    for (uint32_t i = 0; i < n; i++) push_or_die(q, b->v[i]); /* lands below L */
  }
  assert(front_in_seq_order(q));
}

/* File an entry with time t < last_t: it belongs in the front (whose times
 * are all >= now, so t fits among them), after every entry with time <= t,
 * since its seq is the largest yet. */
static int front_insert(struct builtin *q, struct ent e) {
  if (q->front.n == q->front.cap && reserve(&q->front, q->front.n + 1ull) < 0) return SIM_ENOMEM;
  uint32_t j = q->front.n;
  for (; j > q->front_head && q->front.v[j - 1].t > e.t; j--) q->front.v[j] = q->front.v[j - 1];
  q->front.v[j] = e;
  q->front.n++;
  return SIM_OK;
}

/* Re-file every stored entry relative to last_t = now. Needed when an event
 * is scheduled before last_t, which can happen only after last_t ran ahead
 * of now: through the empty-queue shortcut in b_schedule, or a run_until
 * that stopped short of the front. */
static int rebase(struct builtin *q) {
  if (reserve(&q->scratch, q->live + q->dead) < 0) return SIM_ENOMEM;
  size_t n = 0;
  for (uint32_t i = q->front_head; i < q->front.n; i++) q->scratch.v[n++] = q->front.v[i];
  q->front.n = q->front_head = 0;
  for (unsigned L = 0; L < LEVELS; L++) {
    for (unsigned w = 0; w < WORDS; w++)
    for (uint64_t u = q->used[L][w]; u; u &= u - 1) {
      struct bucket *b = &q->b[L][w * 64 + __builtin_ctzll(u)];
      for (uint32_t i = 0; i < b->n; i++) q->scratch.v[n++] = b->v[i];
      b->n = 0;
    }
    for (unsigned w = 0; w < WORDS; w++) q->used[L][w] = 0;
    q->wmask[L] = 0;
  }
  q->level_mask = 0;
  q->last_t = (uint64_t)*q->now;
  for (size_t i = 0; i < n; i++) push_or_die(q, q->scratch.v[i]);
  return SIM_OK;
}

/* Keep only live entries of b->v[from..n); returns how many remain. */
static uint32_t filter(struct builtin *q, struct bucket *b, uint32_t from) {
  uint32_t k = from;
  for (uint32_t i = from; i < b->n; i++) {
    struct ent e = b->v[i];
    if (q->slots[e.slot].gen != e.gen) continue;
    b->v[k++] = e;
  }
  b->n = k;
  return k - from;
}

static void compact(struct builtin *q) {
  filter(q, &q->front, q->front_head);
  for (unsigned L = 0; L < LEVELS; L++)
    for (unsigned w = 0; w < WORDS; w++)
    for (uint64_t u = q->used[L][w]; u; u &= u - 1) {
      unsigned d = w * 64 + (unsigned)__builtin_ctzll(u);
      if (filter(q, &q->b[L][d], 0) == 0) bucket_release(q, L, d);
    }
  q->dead = 0;
}

static void slot_free(struct builtin *q, uint32_t s) {
  struct ev_slot *sl = &q->slots[s];
  sl->gen = sl->gen == UINT32_MAX ? 1 : sl->gen + 1;
  sl->next_free = q->free_head;
  q->free_head = s;
}

static int grow_slots(struct builtin *q) {
  uint32_t cap = q->nslots ? q->nslots * 2 : 256;
  if (cap <= q->nslots) return SIM_ENOMEM;
  struct ev_slot *s = realloc(q->slots, (size_t)cap * sizeof *s);
  if (!s) return SIM_ENOMEM;
  q->slots = s;
  /* New slots go on the free list lowest index first. */
  for (uint32_t i = cap; i-- > q->nslots;) {
    s[i] = (struct ev_slot){.gen = 1, .next_free = q->free_head};
    q->free_head = i;
  }
  q->nslots = cap;
  return SIM_OK;
}

static int b_create(struct sim_engine *owner, sim_time_t *clock, void **impl) {
  struct builtin *q = calloc(1, sizeof *q);
  if (!q) return SIM_ENOMEM;
  q->owner = owner;
  q->now = clock;
  q->free_head = SLOT_NONE;
  *impl = q;
  return SIM_OK;
}

static void b_destroy(void *impl) {
  struct builtin *q = impl;
  free(q->front.v);
  free(q->scratch.v);
  for (unsigned L = 0; L < LEVELS; L++)
    for (unsigned d = 0; d < DIGITS; d++) free(q->b[L][d].v);
  free(q->slots);
  free(q);
}

static int b_schedule(void *impl, sim_time_t t, sim_event_fn fn, void *arg, sim_event_id *id) {
  struct builtin *q = impl;
  if (q->free_head == SLOT_NONE && grow_slots(q) < 0) return SIM_ENOMEM;
  if (!q->level_mask && front_empty(q)) {
    /* Nothing stored: the new event is the front, whatever its time. This
     * makes a chain of events (each scheduling the next) cost no moves. */
    q->front.n = q->front_head = 0;
    q->last_t = (uint64_t)t;
  }
  uint32_t s = q->free_head;
  struct ev_slot *sl = &q->slots[s];
  struct ent e = {(uint64_t)t, s, sl->gen};
  int rc;
  if (e.t >= q->last_t) {
    rc = push(q, e);
  } else if (!front_empty(q)) {
    rc = front_insert(q, e); /* inside the sorted front's span */
  } else {
    rc = rebase(q); /* last_t ran ahead of now with nothing in the front */
    if (rc == SIM_OK) rc = push(q, e);
  }
  if (rc < 0) return rc;
  q->free_head = sl->next_free;
  sl->fn = fn;
  sl->arg = arg;
  sl->seq = q->seq++;
  q->live++;
  if (id) *id = (uint64_t)sl->gen << 32 | s;
  return SIM_OK;
}

static int b_cancel(void *impl, sim_event_id id) {
  struct builtin *q = impl;
  uint32_t s = (uint32_t)id, gen = (uint32_t)(id >> 32);
  if (s >= q->nslots || q->slots[s].gen != gen) return SIM_ENOENT;
  slot_free(q, s);
  q->live--;
  if (++q->dead > DEAD_FLOOR && q->dead > q->live) compact(q);
  return SIM_OK;
}

static int b_run(void *impl, sim_time_t limit) {
  struct builtin *q = impl;
  q->stop = 0;
  while (q->live > 0) {
    settle(q);
    struct ent top = q->front.v[q->front_head];
    struct ev_slot *sl = &q->slots[top.slot];
    if (sl->gen != top.gen) { /* cancelled: discard */
      q->front_head++;
      q->dead--;
      continue;
    }
    if ((sim_time_t)top.t > limit) {
      *q->now = limit;
      return SIM_RUN_REACHED;
    }
    q->front_head++;
    q->live--;
    sim_event_fn fn = sl->fn;
    void *arg = sl->arg;
    slot_free(q, top.slot);
    *q->now = (sim_time_t)top.t;
    q->executed++;
    fn(q->owner, arg);
    if (q->stop) {
      q->stop = 0;
      return SIM_RUN_STOPPED;
    }
  }
  return SIM_RUN_IDLE;
}

static void b_advance(void *impl, sim_time_t t) { *((struct builtin *)impl)->now = t; }
static void b_stop(void *impl) { ((struct builtin *)impl)->stop = 1; }
static size_t b_pending(void *impl) { return ((struct builtin *)impl)->live; }
static uint64_t b_executed(void *impl) { return ((struct builtin *)impl)->executed; }

const struct sim_engine_backend sim_engine_builtin = {
    .name = "builtin",
    .create = b_create,
    .destroy = b_destroy,
    .schedule = b_schedule,
    .cancel = b_cancel,
    .run = b_run,
    .advance = b_advance,
    .stop = b_stop,
    .pending = b_pending,
    .executed = b_executed,
};
