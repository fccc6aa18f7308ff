/* vthreads: coroutines on virtual time, with a deterministic scheduler.
 *
 * A scheduler (struct sim_sched) runs on an engine. Each vthread has its own
 * stack (mmap'ed, with a guard page below it) and runs only when the
 * scheduler switches to it; there is one OS thread. A vthread runs until it
 * blocks, yields, sleeps or returns; then the next ready vthread runs.
 *
 * Determinism: ready vthreads run in FIFO order of becoming ready; every
 * wait queue wakes in FIFO order; timeouts are engine events. Which thread
 * runs next never depends on an address.
 *
 * Contexts: "main context" is the code the engine runs directly (events,
 * idle hooks, the caller of sim_engine_run). Blocking calls (sleep, yield,
 * waits with a timeout other than 0, join) are valid only in a vthread and
 * return SIM_EPERM elsewhere. Posting (sem post, mutex unlock by its owner,
 * mbox try-post) is valid in both, so events can feed vthreads.
 *
 * Timeouts are in virtual nanoseconds: SIM_WAIT_FOREVER (negative) waits
 * without limit, 0 tries without blocking (SIM_EAGAIN when it would block),
 * > 0 gives up with SIM_ETIMEDOUT after that long (a deadline beyond
 * SIM_TIME_MAX is SIM_TIME_MAX). A wait with a timeout other than 0 is
 * refused in main context even when it would not have had to block, so the
 * answer never depends on timing.
 *
 * Running order: a thread made ready from a vthread runs when the current
 * thread blocks, yields or returns (threads hand the CPU to each other
 * directly); one made ready from main context (spawned, posted to, timed
 * out) runs from a dispatch event scheduled at the current time, i.e. after
 * every event already due now.
 *
 * Yield points: code marks the places where another thread could
 * interleave with sim_yield_point(sched, "name"). A pluggable strategy
 * decides at each one whether the running vthread yields there. The
 * strategies here are "none" (never) and "random" (Bernoulli from a named
 * stream); the races work adds more through the same interface.
 *
 * Deadlock: when the engine runs out of events while a vthread that is not a
 * daemon is blocked without a timeout, nothing can ever wake it. The
 * scheduler then records a report naming each blocked thread and what it
 * waits on (sim_sched_deadlock()), emits a "deadlock" trace event, and calls
 * the deadlock callback if one is set.
 *
 * Trace events (node = thread name unless said): "spawn" and "exit" {id},
 * "yield" {point} when a yield point switched, and node "sched" "deadlock"
 * {blocked, report}.
 */
#ifndef LWSIM_SIM_VTHREAD_H
#define LWSIM_SIM_VTHREAD_H

#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"

struct sim_rng;
struct sim_trace;
struct sim_sched;
struct sim_vthread;

#define SIM_WAIT_FOREVER ((sim_time_t)-1)

/* ------------------------------------------------------------ scheduler -- */

/* Create a scheduler on engine e. trace may be NULL; when set, thread
 * lifecycle, yield decisions and deadlocks are traced. */
int sim_sched_new(struct sim_sched **out, struct sim_engine *e, struct sim_trace *trace);
/* Free the scheduler and every vthread's stack. Call from main context. A
 * vthread still alive is abandoned where it stands (its stack is unmapped;
 * nothing on it runs again); a blocked one is first taken off its wait
 * queue, so semaphores, mutexes and mailboxes can still be freed afterwards
 * (sim_*_free is the only call valid on them then). Pending timeout and
 * dispatch events are cancelled and the idle hook removed. */
void sim_sched_free(struct sim_sched *s);
struct sim_engine *sim_sched_engine(const struct sim_sched *s);

/* The running vthread, or NULL in main context. */
struct sim_vthread *sim_sched_current(const struct sim_sched *s);

/* Context switches performed so far (both directions count). */
uint64_t sim_sched_switches(const struct sim_sched *s);

/* ------------------------------------------------------------ vthreads -- */

typedef void *(*sim_vthread_fn)(void *arg);

enum {
  /* A daemon blocked forever is not a deadlock (a server loop waiting for
   * work, such as a tcpip thread on its mailbox). */
  SIM_VTHREAD_DAEMON = 1u << 0,
  /* Free the vthread when it returns; it cannot be joined. */
  SIM_VTHREAD_DETACHED = 1u << 1,
};

struct sim_vthread_attr {
  size_t stack_size; /* usable bytes, rounded up to pages; 0: the default */
  unsigned flags;    /* SIM_VTHREAD_* */
};

/* Default usable stack: 256 KiB (1 MiB under AddressSanitizer). */
size_t sim_vthread_default_stack(void);

/* Create a vthread named `name` (copied; need not be unique, but the trace
 * and reports are easier to read when it is) running fn(arg). It becomes
 * ready at once and first runs after the current thread blocks or yields
 * (or, from main context, when the engine reaches the current time again).
 * attr may be NULL. */
int sim_vthread_spawn(struct sim_sched *s, struct sim_vthread **out, const char *name,
                      sim_vthread_fn fn, void *arg, const struct sim_vthread_attr *attr);

const char *sim_vthread_name(const struct sim_vthread *t);
/* Small integer unique within the scheduler, in spawn order from 1. */
uint32_t sim_vthread_id(const struct sim_vthread *t);

/* Wait for t to return and collect its result (ret may be NULL); frees t.
 * Only from a vthread (SIM_EPERM otherwise); SIM_EINVAL for a detached
 * thread, for itself, or when another thread already joins t. */
int sim_vthread_join(struct sim_vthread *t, void **ret);
/* From main context: 1 when t has returned (then sim_vthread_reap frees it
 * and gives its result), else 0. reap: SIM_EBUSY while t has not returned,
 * SIM_EINVAL for a detached thread or one that another thread joins. */
int sim_vthread_done(const struct sim_vthread *t);
int sim_vthread_reap(struct sim_vthread *t, void **ret);

/* Block the calling vthread for d >= 0 virtual nanoseconds (SIM_EINVAL
 * for d < 0). It wakes through an engine event at now + d, so sleep(0) lets
 * every event already due now run first. */
int sim_vthread_sleep(struct sim_sched *s, sim_time_t d);
/* Let every other ready vthread run first. Returns at once when none is
 * ready: it never lets engine events or virtual time advance (sleep does). */
int sim_vthread_yield(struct sim_sched *s);

/* --------------------------------------------------------- yield points -- */

/* Decide whether the running vthread yields at the named point. */
struct sim_yield_strategy {
  const char *name;
  int (*decide)(void *ctx, struct sim_sched *s, struct sim_vthread *current, const char *point);
  void *ctx;
};

/* Install a strategy (copied); NULL restores "none". */
void sim_sched_set_strategy(struct sim_sched *s, const struct sim_yield_strategy *st);
/* "none": never switch. */
struct sim_yield_strategy sim_yield_none(void);
/* "random": switch with probability p, drawing from *rng (which must
 * outlive the strategy). */
struct sim_yield_random {
  struct sim_rng *rng;
  double p;
};
struct sim_yield_strategy sim_yield_random(struct sim_yield_random *cfg);

/* A named place where threads may interleave. In main context, or when the
 * strategy says no, it only counts the visit. The strategy is consulted
 * only where its answer matters: in a vthread while another vthread is
 * ready (so every decision drawn is a real choice, and a decision sequence
 * is reproducible from the same seed). Returns 1 when it switched: the
 * thread went to the back of the ready queue. */
int sim_yield_point(struct sim_sched *s, const char *point);
uint64_t sim_sched_yield_points(const struct sim_sched *s); /* visits */
uint64_t sim_sched_yields_taken(const struct sim_sched *s);  /* switches there */

/* ------------------------------------------------------------ deadlock -- */

/* The last deadlock report ("" when none): one line per blocked non-daemon
 * thread, in spawn order, each ending in '\n', e.g.
 *   thread 'app' (#3) blocked since t=1000: sem_wait on 'rx' (count 0, waiters 1)
 * The parenthesis gives the object's state: for mutex_lock "(owner '<name>'
 * #<id>, waiters N)", for mbox_post and mbox_fetch "(count N/<capacity>)",
 * for join the joined thread "'<name>' (#<id>)". A stall is reported once:
 * idle checks that find the same report again stay silent. */
const char *sim_sched_deadlock(const struct sim_sched *s);
typedef void (*sim_deadlock_fn)(void *arg, struct sim_sched *s, const char *report);
void sim_sched_on_deadlock(struct sim_sched *s, sim_deadlock_fn fn, void *arg);

/* ---------------------------------------------------------------- sync -- */

/* Sync objects: names are copied (NULL reads as ""); free of NULL is a
 * no-op; free with a vthread waiting is SIM_EBUSY. */

/* Counting semaphore. Waiters are served FIFO; a post hands its unit
 * directly to the first waiter, so a later arrival cannot overtake. Post
 * beyond UINT32_MAX: SIM_EINVAL. */
struct sim_sem;
int sim_sem_new(struct sim_sem **out, struct sim_sched *s, const char *name, uint32_t initial);
/* SIM_EBUSY when a vthread is waiting on it. */
int sim_sem_free(struct sim_sem *m);
int sim_sem_post(struct sim_sem *m);
int sim_sem_wait(struct sim_sem *m, sim_time_t timeout);
uint32_t sim_sem_count(const struct sim_sem *m);

/* Mutex, not recursive; ownership is handed FIFO to waiters on unlock.
 * Unlock by a thread that does not own it: SIM_EPERM. Locking a mutex the
 * caller already owns: SIM_EDEADLK. Main context cannot own a mutex: lock
 * and unlock there are SIM_EPERM, even with timeout 0. */
struct sim_mutex;
int sim_mutex_new(struct sim_mutex **out, struct sim_sched *s, const char *name);
int sim_mutex_free(struct sim_mutex *m);
int sim_mutex_lock(struct sim_mutex *m, sim_time_t timeout);
int sim_mutex_unlock(struct sim_mutex *m);
struct sim_vthread *sim_mutex_owner(const struct sim_mutex *m);

/* Bounded mailbox of pointers, FIFO; capacity >= 1 (SIM_EINVAL for 0).
 * post blocks while full, fetch while empty (per the timeout); waiting
 * senders keep their FIFO order into the box. fetch's msg may be NULL.
 * Messages still inside at free are the caller's. */
struct sim_mbox;
int sim_mbox_new(struct sim_mbox **out, struct sim_sched *s, const char *name, uint32_t capacity);
int sim_mbox_free(struct sim_mbox *b);
int sim_mbox_post(struct sim_mbox *b, void *msg, sim_time_t timeout);
int sim_mbox_fetch(struct sim_mbox *b, void **msg, sim_time_t timeout);
uint32_t sim_mbox_count(const struct sim_mbox *b);

#endif
