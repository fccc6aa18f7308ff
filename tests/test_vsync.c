/* Sync primitives: semaphore (count, try, direct handoff, FIFO), mutex
 * (ownership, EPERM/EDEADLK, FIFO handoff), mailbox (bounded, blocking when
 * full and when empty, FIFO), every timeout path (SIM_ETIMEDOUT exactly at
 * the deadline, the waiter leaves the queue, a successful wait cancels its
 * timeout), main-context rules, free while busy, and the deadlock report's
 * view of each object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/err.h"
#include "sim/vthread.h"

/* ------------------------------------------------------------ fixture -- */

#define LOG_MAX 256

struct world {
  struct sim_engine *e;
  struct sim_sched *s;
  struct sim_sem *sem;
  struct sim_mutex *mu;
  struct sim_mbox *mb;
  int log[LOG_MAX];
  sim_time_t at[LOG_MAX];
  int n;
};

static struct world *world_new(void) {
  struct world *w = calloc(1, sizeof *w);
  assert_non_null(w);
  assert_int_equal(sim_engine_new(&w->e, NULL), SIM_OK);
  assert_int_equal(sim_sched_new(&w->s, w->e, NULL), SIM_OK);
  return w;
}

/* Frees the objects first: each must be idle by then. */
static void world_free(struct world *w) {
  assert_int_equal(sim_sem_free(w->sem), SIM_OK);
  assert_int_equal(sim_mutex_free(w->mu), SIM_OK);
  assert_int_equal(sim_mbox_free(w->mb), SIM_OK);
  sim_sched_free(w->s);
  sim_engine_free(w->e);
  free(w);
}

static void logv(struct world *w, int v) {
  assert_true(w->n < LOG_MAX);
  w->at[w->n] = sim_engine_now(w->e);
  w->log[w->n++] = v;
}

static void assert_log(const struct world *w, const int *want, int n) {
  assert_int_equal(w->n, n);
  for (int i = 0; i < n; i++) assert_int_equal(w->log[i], want[i]);
}

/* A thread's argument: the world, a label, and a timing. */
struct targ {
  struct world *w;
  int label;
  sim_time_t delay;   /* sleep before acting */
  sim_time_t timeout; /* for the wait */
  int rc;             /* what the wait returned */
  sim_time_t done_at;
};

static void spawn(struct world *w, const char *name, sim_vthread_fn fn, void *arg) {
  struct sim_vthread_attr a = {.flags = SIM_VTHREAD_DETACHED};
  assert_int_equal(sim_vthread_spawn(w->s, NULL, name, fn, arg, &a), SIM_OK);
}

/* Main-context actions at chosen times. */
static void ev_sem_post(struct sim_engine *e, void *arg) {
  (void)e;
  struct world *w = arg;
  assert_int_equal(sim_sem_post(w->sem), SIM_OK);
}

/* ---------------------------------------------------------- semaphore -- */

static void sem_counts_and_tries(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_sem_new(&w->sem, w->s, "s", 2), SIM_OK);
  assert_int_equal(sim_sem_count(w->sem), 2);
  /* Main context may try (timeout 0) but never block. */
  assert_int_equal(sim_sem_wait(w->sem, 0), SIM_OK);
  assert_int_equal(sim_sem_wait(w->sem, 0), SIM_OK);
  assert_int_equal(sim_sem_wait(w->sem, 0), SIM_EAGAIN);
  assert_int_equal(sim_sem_post(w->sem), SIM_OK);
  assert_int_equal(sim_sem_count(w->sem), 1);
  /* Refused from main even though it would not block. */
  assert_int_equal(sim_sem_wait(w->sem, SIM_WAIT_FOREVER), SIM_EPERM);
  assert_int_equal(sim_sem_wait(w->sem, 10), SIM_EPERM);
  assert_int_equal(sim_sem_count(w->sem), 1);
  assert_int_equal(sim_sem_free(NULL), SIM_OK);
  struct sim_sem *bad = (struct sim_sem *)1;
  assert_int_equal(sim_sem_new(&bad, NULL, "x", 0), SIM_EINVAL);
  assert_null(bad);
  world_free(w);
}

static void *sem_waiter(void *arg) {
  struct targ *a = arg;
  if (a->delay) sim_vthread_sleep(a->w->s, a->delay);
  a->rc = sim_sem_wait(a->w->sem, a->timeout);
  a->done_at = sim_engine_now(a->w->e);
  logv(a->w, a->label);
  return NULL;
}

/* Three waiters queue up at t=1,2,3; posts from events at 10, 20, 30 wake
 * them in that order, each at the post's time; the count never rises. */
static void sem_wakes_waiters_fifo(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_sem_new(&w->sem, w->s, "s", 0), SIM_OK);
  struct targ a[3];
  const int order[3] = {2, 0, 1}; /* spawn order differs from wait order */
  for (int i = 0; i < 3; i++)
    a[i] = (struct targ){.w = w, .label = i + 1, .delay = 1 + order[i], .timeout = SIM_WAIT_FOREVER};
  for (int i = 0; i < 3; i++) spawn(w, "waiter", sem_waiter, &a[i]);
  for (int i = 1; i <= 3; i++) sim_engine_at(w->e, 10 * i, ev_sem_post, w, NULL);
  sim_engine_run(w->e);
  assert_log(w, (const int[]){2, 3, 1}, 3);
  assert_int_equal(w->at[0], 10);
  assert_int_equal(w->at[1], 20);
  assert_int_equal(w->at[2], 30);
  assert_int_equal(sim_sem_count(w->sem), 0);
  for (int i = 0; i < 3; i++) assert_int_equal(a[i].rc, SIM_OK);
  world_free(w);
}

/* A post hands its unit to the waiter: a thread that runs in between and
 * tries cannot take it. */
static void *post_then_steal(void *arg) {
  struct targ *a = arg;
  assert_int_equal(sim_sem_post(a->w->sem), SIM_OK);
  assert_int_equal(sim_sem_count(a->w->sem), 0); /* handed over, not counted */
  a->rc = sim_sem_wait(a->w->sem, 0);
  logv(a->w, a->label);
  return NULL;
}

static void sem_post_hands_unit_to_waiter(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_sem_new(&w->sem, w->s, "s", 0), SIM_OK);
  struct targ waiter = {.w = w, .label = 2, .timeout = SIM_WAIT_FOREVER};
  struct targ thief = {.w = w, .label = 1};
  spawn(w, "waiter", sem_waiter, &waiter);
  spawn(w, "thief", post_then_steal, &thief);
  sim_engine_run(w->e);
  assert_int_equal(thief.rc, SIM_EAGAIN);
  assert_int_equal(waiter.rc, SIM_OK);
  assert_log(w, (const int[]){1, 2}, 2);
  world_free(w);
}

/* Timeout: waits from t=100 for 500 -> SIM_ETIMEDOUT at exactly t=600, and
 * the waiter is off the queue: a later post counts instead of waking. */
static void sem_wait_times_out_at_deadline(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_sem_new(&w->sem, w->s, "s", 0), SIM_OK);
  struct targ a = {.w = w, .label = 1, .delay = 100, .timeout = 500};
  spawn(w, "waiter", sem_waiter, &a);
  sim_engine_run_until(w->e, 599);
  assert_int_equal(w->n, 0);
  assert_int_equal(sim_sem_free(w->sem), SIM_EBUSY); /* still waiting at 599 */
  sim_engine_run(w->e);
  assert_int_equal(a.rc, SIM_ETIMEDOUT);
  assert_int_equal(a.done_at, 600);
  assert_int_equal(sim_sem_post(w->sem), SIM_OK);
  assert_int_equal(sim_sem_count(w->sem), 1);
  world_free(w);
}

/* A wait that succeeds first cancels its timeout event: the engine ends at
 * the post, not at the deadline. */
static void sem_success_cancels_timeout(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_sem_new(&w->sem, w->s, "s", 0), SIM_OK);
  struct targ a = {.w = w, .label = 1, .timeout = 1000};
  spawn(w, "waiter", sem_waiter, &a);
  sim_engine_at(w->e, 10, ev_sem_post, w, NULL);
  assert_int_equal(sim_engine_run(w->e), SIM_RUN_IDLE);
  assert_int_equal(a.rc, SIM_OK);
  assert_int_equal(a.done_at, 10);
  assert_int_equal(sim_engine_now(w->e), 10);
  assert_int_equal(sim_engine_pending(w->e), 0);
  world_free(w);
}

/* Post and timeout due at the same time: whichever event was scheduled
 * first wins. The post (scheduled before the wait began) wins here. */
static void sem_post_at_deadline_scheduled_first_wins(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_sem_new(&w->sem, w->s, "s", 0), SIM_OK);
  struct targ a = {.w = w, .label = 1, .timeout = 50};
  sim_engine_at(w->e, 50, ev_sem_post, w, NULL);
  spawn(w, "waiter", sem_waiter, &a);
  sim_engine_run(w->e);
  assert_int_equal(a.rc, SIM_OK);
  assert_int_equal(a.done_at, 50);
  world_free(w);
}

/* A timed-out waiter in the middle of the queue leaves it; the others keep
 * their order. */
static void sem_timeout_in_middle_of_queue(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_sem_new(&w->sem, w->s, "s", 0), SIM_OK);
  struct targ a[3] = {
      {.w = w, .label = 1, .delay = 1, .timeout = SIM_WAIT_FOREVER},
      {.w = w, .label = 2, .delay = 2, .timeout = 5}, /* gives up at 7 */
      {.w = w, .label = 3, .delay = 3, .timeout = SIM_WAIT_FOREVER},
  };
  for (int i = 0; i < 3; i++) spawn(w, "w", sem_waiter, &a[i]);
  sim_engine_at(w->e, 10, ev_sem_post, w, NULL);
  sim_engine_at(w->e, 11, ev_sem_post, w, NULL);
  sim_engine_run(w->e);
  assert_log(w, (const int[]){2, 1, 3}, 3);
  assert_int_equal(a[1].rc, SIM_ETIMEDOUT);
  assert_int_equal(a[1].done_at, 7);
  assert_int_equal(a[0].done_at, 10);
  assert_int_equal(a[2].done_at, 11);
  world_free(w);
}

static void *sem_try_in_thread(void *arg) {
  struct targ *a = arg;
  a->rc = sim_sem_wait(a->w->sem, 0);
  a->done_at = sim_engine_now(a->w->e);
  return NULL;
}

static void sem_try_never_blocks(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_sem_new(&w->sem, w->s, "s", 0), SIM_OK);
  struct targ a = {.w = w};
  spawn(w, "try", sem_try_in_thread, &a);
  sim_engine_run(w->e);
  assert_int_equal(a.rc, SIM_EAGAIN);
  assert_int_equal(sim_engine_pending(w->e), 0);
  world_free(w);
}

static void sem_free_with_waiter_is_busy(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_sem_new(&w->sem, w->s, "s", 0), SIM_OK);
  struct targ a = {.w = w, .timeout = SIM_WAIT_FOREVER};
  spawn(w, "waiter", sem_waiter, &a);
  sim_engine_run(w->e);
  assert_int_equal(sim_sem_free(w->sem), SIM_EBUSY);
  sim_sem_post(w->sem);
  sim_engine_run(w->e);
  assert_int_equal(a.rc, SIM_OK);
  world_free(w);
}

/* -------------------------------------------------------------- mutex -- */

struct mu_arg {
  struct world *w;
  int label;
  sim_time_t hold;
  int rc_relock, rc_lock;
};

static void *mu_holder(void *arg) {
  struct mu_arg *a = arg;
  struct sim_mutex *m = a->w->mu;
  a->rc_lock = sim_mutex_lock(m, SIM_WAIT_FOREVER);
  assert_ptr_equal(sim_mutex_owner(m), sim_sched_current(a->w->s));
  logv(a->w, a->label);
  a->rc_relock = sim_mutex_lock(m, SIM_WAIT_FOREVER);
  sim_vthread_sleep(a->w->s, a->hold);
  assert_int_equal(sim_mutex_unlock(m), SIM_OK);
  return NULL;
}

/* Ownership passes FIFO; each holder keeps it 10 ns. */
static void mutex_hands_ownership_fifo(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mutex_new(&w->mu, w->s, "m"), SIM_OK);
  assert_null(sim_mutex_owner(w->mu));
  struct mu_arg a[4];
  for (int i = 0; i < 4; i++) {
    a[i] = (struct mu_arg){.w = w, .label = i + 1, .hold = 10};
    spawn(w, "locker", mu_holder, &a[i]);
  }
  sim_engine_run(w->e);
  assert_log(w, (const int[]){1, 2, 3, 4}, 4);
  for (int i = 0; i < 4; i++) {
    assert_int_equal(w->at[i], 10 * i);
    assert_int_equal(a[i].rc_lock, SIM_OK);
    assert_int_equal(a[i].rc_relock, SIM_EDEADLK);
  }
  assert_null(sim_mutex_owner(w->mu));
  world_free(w);
}

struct mu_pair {
  struct world *w;
  struct sim_vthread *first;
  int rc_foreign, rc_try, owner_is_second;
};

static void *mu_first(void *arg) {
  struct mu_pair *p = arg;
  p->first = sim_sched_current(p->w->s);
  sim_mutex_lock(p->w->mu, SIM_WAIT_FOREVER);
  sim_vthread_sleep(p->w->s, 100);
  sim_mutex_unlock(p->w->mu);
  /* Handed over: the second thread owns it before it even runs. */
  p->owner_is_second = sim_mutex_owner(p->w->mu) != NULL && sim_mutex_owner(p->w->mu) != p->first;
  p->rc_try = sim_mutex_lock(p->w->mu, 0);
  return NULL;
}

static void *mu_second(void *arg) {
  struct mu_pair *p = arg;
  p->rc_foreign = sim_mutex_unlock(p->w->mu); /* owned by first */
  sim_mutex_lock(p->w->mu, SIM_WAIT_FOREVER);
  sim_mutex_unlock(p->w->mu);
  return NULL;
}

static void mutex_checks_ownership(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mutex_new(&w->mu, w->s, "m"), SIM_OK);
  struct mu_pair p = {.w = w};
  spawn(w, "first", mu_first, &p);
  spawn(w, "second", mu_second, &p);
  sim_engine_run(w->e);
  assert_int_equal(p.rc_foreign, SIM_EPERM);
  assert_int_equal(p.owner_is_second, 1);
  assert_int_equal(p.rc_try, SIM_EAGAIN);
  /* Main context can neither lock nor unlock, not even try. */
  assert_int_equal(sim_mutex_lock(w->mu, 0), SIM_EPERM);
  assert_int_equal(sim_mutex_lock(w->mu, SIM_WAIT_FOREVER), SIM_EPERM);
  assert_int_equal(sim_mutex_unlock(w->mu), SIM_EPERM);
  world_free(w);
}

static void *mu_timed(void *arg) {
  struct targ *a = arg;
  sim_vthread_sleep(a->w->s, a->delay);
  a->rc = sim_mutex_lock(a->w->mu, a->timeout);
  a->done_at = sim_engine_now(a->w->e);
  if (a->rc == SIM_OK) sim_mutex_unlock(a->w->mu);
  return NULL;
}

static void mutex_lock_times_out_at_deadline(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mutex_new(&w->mu, w->s, "m"), SIM_OK);
  struct mu_arg holder = {.w = w, .label = 1, .hold = 1000};
  struct targ timed = {.w = w, .delay = 10, .timeout = 300};
  struct targ later = {.w = w, .delay = 20, .timeout = SIM_WAIT_FOREVER};
  spawn(w, "holder", mu_holder, &holder);
  spawn(w, "timed", mu_timed, &timed);
  spawn(w, "later", mu_timed, &later);
  sim_engine_run(w->e);
  assert_int_equal(timed.rc, SIM_ETIMEDOUT);
  assert_int_equal(timed.done_at, 310);
  /* The timed-out waiter left the queue: ownership went to "later". */
  assert_int_equal(later.rc, SIM_OK);
  assert_int_equal(later.done_at, 1000);
  assert_null(sim_mutex_owner(w->mu));
  world_free(w);
}

static void mutex_free_with_waiter_is_busy(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mutex_new(&w->mu, w->s, "m"), SIM_OK);
  struct mu_arg holder = {.w = w, .label = 1, .hold = 100};
  struct targ waiter = {.w = w, .delay = 1, .timeout = SIM_WAIT_FOREVER};
  spawn(w, "holder", mu_holder, &holder);
  spawn(w, "waiter", mu_timed, &waiter);
  sim_engine_run_until(w->e, 50);
  assert_int_equal(sim_mutex_free(w->mu), SIM_EBUSY);
  sim_engine_run(w->e);
  assert_int_equal(waiter.rc, SIM_OK);
  assert_int_equal(waiter.done_at, 100);
  world_free(w);
}

/* ------------------------------------------------------------ mailbox -- */

struct mb_arg {
  struct world *w;
  int first, count;  /* messages first .. first+count-1 */
  sim_time_t gap;    /* sleep between operations */
  sim_time_t timeout;
  int rc_last;
  sim_time_t at[16];
};

static void *mb_sender(void *arg) {
  struct mb_arg *a = arg;
  for (int i = 0; i < a->count; i++) {
    a->rc_last = sim_mbox_post(a->w->mb, (void *)(intptr_t)(a->first + i), a->timeout);
    a->at[i] = sim_engine_now(a->w->e);
    if (a->rc_last != SIM_OK) break;
    if (a->gap) sim_vthread_sleep(a->w->s, a->gap);
  }
  return NULL;
}

static void *mb_receiver(void *arg) {
  struct mb_arg *a = arg;
  for (int i = 0; i < a->count; i++) {
    if (a->gap) sim_vthread_sleep(a->w->s, a->gap);
    void *m = NULL;
    a->rc_last = sim_mbox_fetch(a->w->mb, &m, a->timeout);
    a->at[i] = sim_engine_now(a->w->e);
    if (a->rc_last != SIM_OK) break;
    logv(a->w, (int)(intptr_t)m);
  }
  return NULL;
}

/* Capacity 2, a fast sender of 5 and a receiver taking one every 100 ns:
 * the sender blocks when full, every message arrives once and in order. */
static void mbox_blocks_when_full_and_keeps_order(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mbox_new(&w->mb, w->s, "mb", 2), SIM_OK);
  struct mb_arg tx = {.w = w, .first = 1, .count = 5, .timeout = SIM_WAIT_FOREVER};
  struct mb_arg rx = {.w = w, .count = 5, .gap = 100, .timeout = SIM_WAIT_FOREVER};
  spawn(w, "tx", mb_sender, &tx);
  spawn(w, "rx", mb_receiver, &rx);
  sim_engine_run(w->e);
  assert_log(w, (const int[]){1, 2, 3, 4, 5}, 5);
  /* Posts 1, 2 at once; 3 waits for the fetch at 100, 4 for 200, 5 for 300. */
  const sim_time_t want[5] = {0, 0, 100, 200, 300};
  for (int i = 0; i < 5; i++) assert_int_equal(tx.at[i], want[i]);
  assert_int_equal(sim_mbox_count(w->mb), 0);
  world_free(w);
}

/* An empty box blocks the receiver until a post, which hands the message
 * straight over. */
static void mbox_blocks_when_empty(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mbox_new(&w->mb, w->s, "mb", 4), SIM_OK);
  struct mb_arg rx = {.w = w, .count = 3, .timeout = SIM_WAIT_FOREVER};
  struct mb_arg tx = {.w = w, .first = 7, .count = 3, .gap = 50, .timeout = SIM_WAIT_FOREVER};
  spawn(w, "rx", mb_receiver, &rx);
  spawn(w, "tx", mb_sender, &tx);
  sim_engine_run(w->e);
  assert_log(w, (const int[]){7, 8, 9}, 3);
  for (int i = 0; i < 3; i++) assert_int_equal(rx.at[i], 50 * i);
  assert_int_equal(sim_mbox_count(w->mb), 0);
  world_free(w);
}

/* Two senders blocked on a full box get in in the order they blocked. */
static void mbox_waiting_senders_keep_fifo(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mbox_new(&w->mb, w->s, "mb", 1), SIM_OK);
  struct mb_arg s1 = {.w = w, .first = 10, .count = 2, .timeout = SIM_WAIT_FOREVER};
  struct mb_arg s2 = {.w = w, .first = 20, .count = 2, .timeout = SIM_WAIT_FOREVER};
  struct mb_arg rx = {.w = w, .count = 4, .gap = 10, .timeout = SIM_WAIT_FOREVER};
  spawn(w, "s1", mb_sender, &s1);
  spawn(w, "s2", mb_sender, &s2);
  spawn(w, "rx", mb_receiver, &rx);
  sim_engine_run(w->e);
  /* s1 puts 10 and blocks on 11; s2 blocks on 20; fetches free one slot
   * each, refilled by the first waiting sender. */
  assert_log(w, (const int[]){10, 11, 20, 21}, 4);
  world_free(w);
}

static void ev_mbox_post(struct sim_engine *e, void *arg) {
  (void)e;
  struct world *w = arg;
  assert_int_equal(sim_mbox_post(w->mb, (void *)(intptr_t)99, 0), SIM_OK);
}

static void mbox_try_and_main_context(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mbox_new(&w->mb, w->s, "mb", 2), SIM_OK);
  void *m = (void *)1;
  assert_int_equal(sim_mbox_fetch(w->mb, &m, 0), SIM_EAGAIN);
  assert_int_equal(sim_mbox_post(w->mb, (void *)1, 0), SIM_OK);
  assert_int_equal(sim_mbox_post(w->mb, (void *)2, 0), SIM_OK);
  assert_int_equal(sim_mbox_post(w->mb, (void *)3, 0), SIM_EAGAIN);
  assert_int_equal(sim_mbox_count(w->mb), 2);
  /* Blocking variants are refused in main context, full or not. */
  assert_int_equal(sim_mbox_post(w->mb, (void *)3, SIM_WAIT_FOREVER), SIM_EPERM);
  assert_int_equal(sim_mbox_fetch(w->mb, &m, 5), SIM_EPERM);
  assert_int_equal(sim_mbox_fetch(w->mb, &m, 0), SIM_OK);
  assert_ptr_equal(m, (void *)1);
  assert_int_equal(sim_mbox_fetch(w->mb, NULL, 0), SIM_OK); /* msg may be NULL */
  assert_int_equal(sim_mbox_count(w->mb), 0);
  /* An event feeds a blocked receiver. */
  struct mb_arg rx = {.w = w, .count = 1, .timeout = SIM_WAIT_FOREVER};
  spawn(w, "rx", mb_receiver, &rx);
  sim_engine_at(w->e, 40, ev_mbox_post, w, NULL);
  sim_engine_run(w->e);
  assert_log(w, (const int[]){99}, 1);
  assert_int_equal(rx.at[0], 40);
  struct sim_mbox *bad = (struct sim_mbox *)1;
  assert_int_equal(sim_mbox_new(&bad, w->s, "zero", 0), SIM_EINVAL);
  assert_null(bad);
  world_free(w);
}

/* fetch on an empty box and post on a full one both time out exactly at
 * their deadlines, and leave nothing behind: the timed-out message is not
 * delivered, the timed-out receiver takes nothing. */
static void mbox_timeouts(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mbox_new(&w->mb, w->s, "mb", 1), SIM_OK);
  struct mb_arg rx = {.w = w, .count = 1, .gap = 5, .timeout = 100};
  spawn(w, "rx", mb_receiver, &rx);
  sim_engine_run(w->e);
  assert_int_equal(rx.rc_last, SIM_ETIMEDOUT);
  assert_int_equal(rx.at[0], 105);
  assert_int_equal(w->n, 0);
  /* Now a full box and a sender that gives up. */
  assert_int_equal(sim_mbox_post(w->mb, (void *)(intptr_t)1, 0), SIM_OK);
  struct mb_arg tx = {.w = w, .first = 2, .count = 1, .timeout = 30};
  spawn(w, "tx", mb_sender, &tx);
  sim_engine_run(w->e);
  assert_int_equal(tx.rc_last, SIM_ETIMEDOUT);
  assert_int_equal(tx.at[0], 135);
  assert_int_equal(sim_mbox_count(w->mb), 1);
  void *m = NULL;
  assert_int_equal(sim_mbox_fetch(w->mb, &m, 0), SIM_OK);
  assert_ptr_equal(m, (void *)(intptr_t)1);
  assert_int_equal(sim_mbox_fetch(w->mb, &m, 0), SIM_EAGAIN); /* 2 never got in */
  assert_int_equal(sim_engine_pending(w->e), 0);
  world_free(w);
}

static void mbox_free_with_waiter_is_busy(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_int_equal(sim_mbox_new(&w->mb, w->s, "mb", 1), SIM_OK);
  struct mb_arg rx = {.w = w, .count = 1, .timeout = SIM_WAIT_FOREVER};
  spawn(w, "rx", mb_receiver, &rx);
  sim_engine_run(w->e);
  assert_int_equal(sim_mbox_free(w->mb), SIM_EBUSY);
  assert_int_equal(sim_mbox_post(w->mb, (void *)(intptr_t)3, 0), SIM_OK);
  sim_engine_run(w->e);
  assert_log(w, (const int[]){3}, 1);
  world_free(w);
}

/* ------------------------------------------------- deadlock, objects -- */

struct knot {
  struct world *w;
  struct sim_mbox *full;
};

static void *hold_and_fetch(void *arg) { /* owns the mutex, waits for mail */
  struct knot *k = arg;
  sim_mutex_lock(k->w->mu, SIM_WAIT_FOREVER);
  sim_mbox_fetch(k->w->mb, NULL, SIM_WAIT_FOREVER);
  return NULL;
}

static void *want_mutex(void *arg) {
  struct knot *k = arg;
  sim_vthread_sleep(k->w->s, 3);
  sim_mutex_lock(k->w->mu, SIM_WAIT_FOREVER);
  return NULL;
}

static void *post_to_full(void *arg) {
  struct knot *k = arg;
  sim_vthread_sleep(k->w->s, 4);
  sim_mbox_post(k->full, NULL, SIM_WAIT_FOREVER);
  return NULL;
}

static void deadlock_report_describes_each_object(void **state) {
  (void)state;
  struct world *w = world_new();
  struct knot k = {.w = w};
  assert_int_equal(sim_mutex_new(&w->mu, w->s, "lock"), SIM_OK);
  assert_int_equal(sim_mbox_new(&w->mb, w->s, "inbox", 4), SIM_OK);
  assert_int_equal(sim_mbox_new(&k.full, w->s, "outbox", 1), SIM_OK);
  assert_int_equal(sim_mbox_post(k.full, NULL, 0), SIM_OK);
  spawn(w, "owner", hold_and_fetch, &k);
  spawn(w, "contender", want_mutex, &k);
  spawn(w, "producer", post_to_full, &k);
  sim_engine_run(w->e);
  assert_string_equal(sim_sched_deadlock(w->s),
                      "thread 'owner' (#1) blocked since t=0: mbox_fetch on 'inbox' (count 0/4)\n"
                      "thread 'contender' (#2) blocked since t=3: mutex_lock on 'lock' (owner "
                      "'owner' #1, waiters 1)\n"
                      "thread 'producer' (#3) blocked since t=4: mbox_post on 'outbox' (count 1/1)\n");
  assert_int_equal(sim_mbox_free(k.full), SIM_EBUSY);
  sim_sched_free(w->s);
  w->s = NULL;
  assert_int_equal(sim_mbox_free(k.full), SIM_OK);
  assert_int_equal(sim_mutex_free(w->mu), SIM_OK);
  assert_int_equal(sim_mbox_free(w->mb), SIM_OK);
  sim_engine_free(w->e);
  free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sem_counts_and_tries),
      cmocka_unit_test(sem_wakes_waiters_fifo),
      cmocka_unit_test(sem_post_hands_unit_to_waiter),
      cmocka_unit_test(sem_wait_times_out_at_deadline),
      cmocka_unit_test(sem_success_cancels_timeout),
      cmocka_unit_test(sem_post_at_deadline_scheduled_first_wins),
      cmocka_unit_test(sem_timeout_in_middle_of_queue),
      cmocka_unit_test(sem_try_never_blocks),
      cmocka_unit_test(sem_free_with_waiter_is_busy),
      cmocka_unit_test(mutex_hands_ownership_fifo),
      cmocka_unit_test(mutex_checks_ownership),
      cmocka_unit_test(mutex_lock_times_out_at_deadline),
      cmocka_unit_test(mutex_free_with_waiter_is_busy),
      cmocka_unit_test(mbox_blocks_when_full_and_keeps_order),
      cmocka_unit_test(mbox_blocks_when_empty),
      cmocka_unit_test(mbox_waiting_senders_keep_fifo),
      cmocka_unit_test(mbox_try_and_main_context),
      cmocka_unit_test(mbox_timeouts),
      cmocka_unit_test(mbox_free_with_waiter_is_busy),
      cmocka_unit_test(deadlock_report_describes_each_object),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
