/* Sync primitives on virtual time: counting semaphore, mutex, bounded
 * mailbox.
 *
 * All three follow one discipline (see vthread_internal.h): waiters queue
 * FIFO, and whoever makes progress possible hands the unit (a count, the
 * ownership, a message or a free slot) straight to the first waiter before
 * waking it. So the order in which threads get served is the order in which
 * they started waiting, whatever runs in between.
 *
 * Timeouts: negative waits forever, 0 only tries (SIM_EAGAIN), > 0 is an
 * engine event that the scheduler cancels when the wait succeeds first.
 * Any call that could block (timeout != 0) is refused with SIM_EPERM in
 * main context, whether or not it would have had to block, so the answer
 * never depends on timing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/err.h"
#include "sim/vthread.h"
#include "sim/vthread_internal.h"

/* Copy of name (NULL reads as "") at the end of a block of `size` bytes. */
static void *obj_alloc(size_t size, const char *name, char **name_out) {
  if (!name) name = "";
  size_t len = strlen(name);
  char *p = calloc(1, size + len + 1);
  if (!p) return NULL;
  memcpy(p + size, name, len + 1);
  *name_out = p + size;
  return p;
}

/* SIM_EPERM when a call that may block comes from main context. */
static int check_may_block(const struct sim_sched *s, sim_time_t timeout) {
  return timeout != 0 && !sim_sched_current(s) ? SIM_EPERM : SIM_OK;
}

/* ---------------------------------------------------------- semaphore -- */

/* Invariant: count > 0 only when nobody waits (a post with a waiter hands
 * its unit over instead of counting it). */
struct sim_sem {
  struct sim_sched *s;
  struct sim_waitq q;
  uint32_t count;
  char *name;
};

static int sem_describe(const void *obj, char *buf, size_t n) {
  const struct sim_sem *m = obj;
  return snprintf(buf, n, "'%s' (count %" PRIu32 ", waiters %" PRIu32 ")", m->name, m->count,
                  m->q.n);
}

static const struct sim_wait_kind sem_kind = {"sem_wait", sem_describe, SIM_ETIMEDOUT};

int sim_sem_new(struct sim_sem **out, struct sim_sched *s, const char *name, uint32_t initial) {
  if (!out) return SIM_EINVAL;
  *out = NULL;
  if (!s) return SIM_EINVAL;
  char *nm;
  struct sim_sem *m = obj_alloc(sizeof *m, name, &nm);
  if (!m) return SIM_ENOMEM;
  m->s = s;
  m->count = initial;
  m->name = nm;
  *out = m;
  return SIM_OK;
}

int sim_sem_free(struct sim_sem *m) {
  if (!m) return SIM_OK;
  if (m->q.n) return SIM_EBUSY;
  free(m);
  return SIM_OK;
}

int sim_sem_post(struct sim_sem *m) {
  struct sim_vthread *t = sim_waitq_pop(&m->q);
  if (t) {
    sim_wait_wake(t, SIM_OK);
    return SIM_OK;
  }
  if (m->count == UINT32_MAX) return SIM_EINVAL;
  m->count++;
  return SIM_OK;
}

int sim_sem_wait(struct sim_sem *m, sim_time_t timeout) {
  int rc = check_may_block(m->s, timeout);
  if (rc < 0) return rc;
  if (m->count > 0) {
    m->count--;
    return SIM_OK;
  }
  if (timeout == 0) return SIM_EAGAIN;
  return sim_wait_block(m->s, &m->q, &sem_kind, m, timeout);
}

uint32_t sim_sem_count(const struct sim_sem *m) { return m->count; }

/* -------------------------------------------------------------- mutex -- */

/* Invariant: somebody waits only while an owner holds it; unlock hands the
 * ownership to the first waiter. */
struct sim_mutex {
  struct sim_sched *s;
  struct sim_waitq q;
  struct sim_vthread *owner;
  char *name;
};

static int mutex_describe(const void *obj, char *buf, size_t n) {
  const struct sim_mutex *m = obj;
  if (!m->owner) return snprintf(buf, n, "'%s' (unowned, waiters %" PRIu32 ")", m->name, m->q.n);
  return snprintf(buf, n, "'%s' (owner '%s' #%" PRIu32 ", waiters %" PRIu32 ")", m->name,
                  sim_vthread_name(m->owner), sim_vthread_id(m->owner), m->q.n);
}

static const struct sim_wait_kind mutex_kind = {"mutex_lock", mutex_describe, SIM_ETIMEDOUT};

int sim_mutex_new(struct sim_mutex **out, struct sim_sched *s, const char *name) {
  if (!out) return SIM_EINVAL;
  *out = NULL;
  if (!s) return SIM_EINVAL;
  char *nm;
  struct sim_mutex *m = obj_alloc(sizeof *m, name, &nm);
  if (!m) return SIM_ENOMEM;
  m->s = s;
  m->name = nm;
  *out = m;
  return SIM_OK;
}

int sim_mutex_free(struct sim_mutex *m) {
  if (!m) return SIM_OK;
  if (m->q.n) return SIM_EBUSY;
  free(m);
  return SIM_OK;
}

/* Main context can never own a mutex, so even a try-lock is refused there. */
int sim_mutex_lock(struct sim_mutex *m, sim_time_t timeout) {
  struct sim_vthread *self = sim_sched_current(m->s);
  if (!self) return SIM_EPERM;
  if (m->owner == self) return SIM_EDEADLK;
  if (!m->owner) {
    m->owner = self;
    return SIM_OK;
  }
  if (timeout == 0) return SIM_EAGAIN;
  return sim_wait_block(m->s, &m->q, &mutex_kind, m, timeout);
}

int sim_mutex_unlock(struct sim_mutex *m) {
  struct sim_vthread *self = sim_sched_current(m->s);
  if (!self || m->owner != self) return SIM_EPERM;
  struct sim_vthread *t = sim_waitq_pop(&m->q);
  m->owner = t;
  if (t) sim_wait_wake(t, SIM_OK);
  return SIM_OK;
}

struct sim_vthread *sim_mutex_owner(const struct sim_mutex *m) { return m->owner; }

/* ------------------------------------------------------------ mailbox -- */

/* A ring of `cap` slots. Invariants: receivers wait only while it is empty,
 * senders only while it is full (a fetch from a full box refills the freed
 * slot from the first waiting sender, a post to an empty box with a waiting
 * receiver gives the message straight to it). */
struct sim_mbox {
  struct sim_sched *s;
  struct sim_waitq senders, receivers;
  void **slot;
  uint32_t cap, head, count;
  char *name;
};

static int mbox_describe(const void *obj, char *buf, size_t n) {
  const struct sim_mbox *b = obj;
  return snprintf(buf, n, "'%s' (count %" PRIu32 "/%" PRIu32 ")", b->name, b->count, b->cap);
}

static const struct sim_wait_kind mbox_post_kind = {"mbox_post", mbox_describe, SIM_ETIMEDOUT};
static const struct sim_wait_kind mbox_fetch_kind = {"mbox_fetch", mbox_describe, SIM_ETIMEDOUT};

int sim_mbox_new(struct sim_mbox **out, struct sim_sched *s, const char *name, uint32_t capacity) {
  if (!out) return SIM_EINVAL;
  *out = NULL;
  if (!s || capacity == 0) return SIM_EINVAL;
  char *nm;
  struct sim_mbox *b = obj_alloc(sizeof *b, name, &nm);
  if (!b) return SIM_ENOMEM;
  b->slot = calloc(capacity, sizeof *b->slot);
  if (!b->slot) {
    free(b);
    return SIM_ENOMEM;
  }
  b->s = s;
  b->cap = capacity;
  b->name = nm;
  *out = b;
  return SIM_OK;
}

/* Messages still inside are dropped: they belong to the caller. */
int sim_mbox_free(struct sim_mbox *b) {
  if (!b) return SIM_OK;
  if (b->senders.n || b->receivers.n) return SIM_EBUSY;
  free(b->slot);
  free(b);
  return SIM_OK;
}

static void ring_push(struct sim_mbox *b, void *msg) {
  uint32_t tail = b->head + b->count;
  if (tail >= b->cap) tail -= b->cap;
  b->slot[tail] = msg;
  b->count++;
}

static void *ring_pop(struct sim_mbox *b) {
  void *msg = b->slot[b->head];
  if (++b->head == b->cap) b->head = 0;
  b->count--;
  return msg;
}

int sim_mbox_post(struct sim_mbox *b, void *msg, sim_time_t timeout) {
  int rc = check_may_block(b->s, timeout);
  if (rc < 0) return rc;
  struct sim_vthread *t = sim_waitq_pop(&b->receivers);
  if (t) {
    *sim_wait_xfer(t) = msg;
    sim_wait_wake(t, SIM_OK);
    return SIM_OK;
  }
  if (b->count < b->cap) {
    ring_push(b, msg);
    return SIM_OK;
  }
  if (timeout == 0) return SIM_EAGAIN;
  struct sim_vthread *self = sim_sched_current(b->s);
  *sim_wait_xfer(self) = msg; /* a fetch moves it into the ring, then wakes us */
  return sim_wait_block(b->s, &b->senders, &mbox_post_kind, b, timeout);
}

int sim_mbox_fetch(struct sim_mbox *b, void **msg, sim_time_t timeout) {
  int rc = check_may_block(b->s, timeout);
  if (rc < 0) return rc;
  if (b->count > 0) {
    void *m = ring_pop(b);
    struct sim_vthread *t = sim_waitq_pop(&b->senders);
    if (t) {
      ring_push(b, *sim_wait_xfer(t));
      sim_wait_wake(t, SIM_OK);
    }
    if (msg) *msg = m;
    return SIM_OK;
  }
  if (timeout == 0) return SIM_EAGAIN;
  struct sim_vthread *self = sim_sched_current(b->s);
  rc = sim_wait_block(b->s, &b->receivers, &mbox_fetch_kind, b, timeout);
  if (rc == SIM_OK && msg) *msg = *sim_wait_xfer(self);
  return rc;
}

uint32_t sim_mbox_count(const struct sim_mbox *b) { return b->count; }
