/* The vthread scheduler: stacks, context switches, the ready queue,
 * blocking and waking, yield points and deadlock detection.
 *
 * Control flow. "Main context" is the OS thread's own stack: the engine and
 * its events. Main enters vthreads only from the dispatch event, which runs
 * the ready queue. A running vthread that gives up the CPU (blocks, yields,
 * returns) switches straight to the next ready vthread, and back to main
 * (into the dispatch event) only when no vthread is ready. So a chain of
 * handoffs between vthreads costs one switch each and no engine event.
 *
 * Invariants:
 *  - s->current is the running vthread (state VT_RUNNING), or NULL exactly
 *    when main context runs.
 *  - The ready queue holds the VT_READY threads, in the order they became
 *    ready. When it is not empty, either a vthread runs (it passes the CPU
 *    on when it stops) or a dispatch event is pending (s->dispatch_ev != 0).
 *  - A VT_BLOCKED thread is on at most one wait queue (t->waitq) and has a
 *    pending timeout event exactly when t->timeout_ev != 0.
 *  - A stack is unmapped only from another stack: a returning thread leaves
 *    itself in s->zombie and whoever runs next unmaps it, right after the
 *    switch.
 *  - No decision looks at an address: threads are ordered by queues and
 *    named by spawn-order ids.
 */
#include "sim/vthread.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/err.h"
#include "sim/rng.h"
#include "sim/trace.h"
#include "sim/vthread_internal.h"

#if defined(SIM_SWITCH_UCONTEXT)
#include <ucontext.h>
#elif !defined(SIM_SWITCH_ASM)
#error "define SIM_SWITCH_ASM or SIM_SWITCH_UCONTEXT (sim/CMakeLists.txt does)"
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SIM_ASAN)
#define SIM_ASAN 1
#endif
#if defined(SIM_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

/* ------------------------------------------------------------ contexts -- */

/* A suspended flow of control: a vthread's, or main's. */
struct sim_ctx {
#if defined(SIM_SWITCH_UCONTEXT)
  ucontext_t uc;
#else
  void *sp; /* everything else is saved on the stack it points into */
#endif
#if defined(SIM_ASAN)
  void *fake_stack;         /* ASan's use-after-return stack while suspended */
  const void *stack_bottom; /* lowest address of the stack, for ASan */
  size_t stack_size;
#endif
};

#if defined(SIM_SWITCH_ASM)
void sim_vthread_switch_asm(void **save_sp, void *load_sp);
void *sim_vthread_init_asm(void *stack_top, void (*entry)(void *), void *arg);
#endif

enum vt_state { VT_READY, VT_RUNNING, VT_BLOCKED, VT_DONE };

struct sim_vthread {
  struct sim_sched *s;
  struct sim_vthread *next, *prev; /* ready queue (next only) or wait queue */
  struct sim_waitq *waitq;         /* the wait queue it is on, if any */
  const struct sim_wait_kind *wait_kind; /* set while VT_BLOCKED */
  const void *wait_obj;
  sim_time_t blocked_since;
  sim_event_id timeout_ev;
  int wait_rc;
  void *xfer;
  enum vt_state state;
  unsigned flags;
  uint32_t id;
  sim_vthread_fn fn;
  void *arg;
  void *ret;
  struct sim_vthread *joiner;
  void *map; /* guard page + usable stack; NULL once unmapped */
  size_t map_len;
  struct sim_vthread *all_next, *all_prev; /* every thread, in spawn order */
  struct sim_ctx ctx;
  char name[];
};

struct sim_sched {
  struct sim_engine *e;
  struct sim_trace *trace;
  struct sim_vthread *current;
  struct sim_ctx main_ctx;
  struct sim_ctx *switch_from; /* the context the last switch left */
  struct sim_vthread *zombie;  /* returned; its stack awaits unmapping */
  struct sim_vthread *ready_head, *ready_tail;
  sim_event_id dispatch_ev;
  struct sim_vthread *all_head, *all_tail;
  uint32_t next_id;
  size_t page;
  uint64_t switches, yield_points, yields_taken;
  struct sim_yield_strategy strategy;
  char *report; /* last deadlock report, NULL when none */
  int stalled;  /* the last idle check found a deadlock (report is it) */
  sim_deadlock_fn deadlock_fn;
  void *deadlock_arg;
};

/* Save the running context in `from` and resume `to`.
 *
 * The ucontext fallback pairs getcontext and setcontext rather than calling
 * swapcontext: ASan intercepts swapcontext (printing a warning and
 * unpoisoning the whole target stack), while the fiber annotations around
 * every switch already tell it all it needs. One code path in every build
 * keeps what the sanitizer build tests the same as what ships. getcontext
 * returns twice; `resumed` (volatile, so it is re-read from memory) tells
 * the second return, through setcontext(from), from the first. */
static void ctx_swap(struct sim_ctx *from, struct sim_ctx *to) {
#if defined(SIM_SWITCH_UCONTEXT)
  volatile int resumed = 0;
  getcontext(&from->uc);
  if (!resumed) {
    resumed = 1;
    setcontext(&to->uc);
  }
#else
  sim_vthread_switch_asm(&from->sp, to->sp);
#endif
}

/* Tell ASan that the stack is about to change. `from` NULL: the leaving
 * context never resumes, so its fake stack is destroyed. */
static void fiber_leave(struct sim_ctx *from, const struct sim_ctx *to) {
#if defined(SIM_ASAN)
  __sanitizer_start_switch_fiber(from ? &from->fake_stack : NULL, to->stack_bottom,
                                 to->stack_size);
#else
  (void)from;
  (void)to;
#endif
}

static void stack_unmap(struct sim_vthread *t);
static void thread_free(struct sim_vthread *t);

/* Runs first in every context that a switch resumes: completes ASan's
 * switch (learning the bounds of the stack just left, which is how main's
 * become known) and unmaps the stack of a thread that just returned, now
 * that nothing runs on it. */
static void after_switch(struct sim_sched *s, struct sim_ctx *self) {
#if defined(SIM_ASAN)
  struct sim_ctx *prev = s->switch_from;
  __sanitizer_finish_switch_fiber(self->fake_stack, &prev->stack_bottom, &prev->stack_size);
#else
  (void)self;
#endif
  struct sim_vthread *z = s->zombie;
  if (z) {
    s->zombie = NULL;
    stack_unmap(z);
    if (z->flags & SIM_VTHREAD_DETACHED) thread_free(z);
  }
}

static struct sim_ctx *ctx_of(struct sim_sched *s, struct sim_vthread *t) {
  return t ? &t->ctx : &s->main_ctx;
}

/* Leave `from` (NULL: main) for `to` (NULL: main). Returns when some later
 * switch resumes `from`; never, when `exiting`. */
static void switch_to(struct sim_sched *s, struct sim_vthread *from, struct sim_vthread *to,
                      int exiting) {
  struct sim_ctx *fc = ctx_of(s, from), *tc = ctx_of(s, to);
  assert(from != to);
  s->current = to;
  if (to) to->state = VT_RUNNING;
  s->switches++;
  s->switch_from = fc;
  fiber_leave(exiting ? NULL : fc, tc);
  ctx_swap(fc, tc);
  after_switch(s, fc);
}

/* ------------------------------------------------------------- queues -- */

static void ready_push(struct sim_sched *s, struct sim_vthread *t) {
  t->next = NULL;
  if (s->ready_tail)
    s->ready_tail->next = t;
  else
    s->ready_head = t;
  s->ready_tail = t;
}

static struct sim_vthread *ready_pop(struct sim_sched *s) {
  struct sim_vthread *t = s->ready_head;
  if (t) {
    s->ready_head = t->next;
    if (!s->ready_head) s->ready_tail = NULL;
    t->next = NULL;
  }
  return t;
}

static void waitq_push(struct sim_waitq *q, struct sim_vthread *t) {
  t->next = NULL;
  t->prev = q->tail;
  if (q->tail)
    q->tail->next = t;
  else
    q->head = t;
  q->tail = t;
  q->n++;
  t->waitq = q;
}

static void waitq_remove(struct sim_waitq *q, struct sim_vthread *t) {
  assert(t->waitq == q && q->n > 0);
  if (t->prev)
    t->prev->next = t->next;
  else
    q->head = t->next;
  if (t->next)
    t->next->prev = t->prev;
  else
    q->tail = t->prev;
  q->n--;
  t->next = t->prev = NULL;
  t->waitq = NULL;
}

struct sim_vthread *sim_waitq_pop(struct sim_waitq *q) {
  struct sim_vthread *t = q->head;
  if (t) waitq_remove(q, t);
  return t;
}

/* ----------------------------------------------------------- dispatch -- */

/* The engine event through which main context runs the ready vthreads. They
 * hand the CPU to each other; control comes back here only when none is
 * ready, so the loop normally turns once. */
static void dispatch(struct sim_engine *e, void *arg) {
  (void)e;
  struct sim_sched *s = arg;
  s->dispatch_ev = 0;
  struct sim_vthread *t;
  while ((t = ready_pop(s)) != NULL) switch_to(s, NULL, t, 0);
}

/* Keep the ready-queue invariant from main context: a dispatch event at now
 * is pending. From a vthread there is nothing to do. */
static int ensure_dispatch(struct sim_sched *s) {
  if (s->current || s->dispatch_ev) return SIM_OK;
  return sim_engine_after(s->e, 0, dispatch, s, &s->dispatch_ev);
}

/* If the dispatch event cannot be scheduled (out of memory) the thread
 * stays ready and the idle hook retries. */
static void make_ready(struct sim_vthread *t) {
  struct sim_sched *s = t->s;
  t->state = VT_READY;
  ready_push(s, t);
  (void)ensure_dispatch(s);
}

/* The running thread `self` has queued itself somewhere (ready queue, wait
 * queue, or nowhere when it returned): run the next ready thread, else go
 * back to main. */
static void run_next(struct sim_sched *s, struct sim_vthread *self) {
  switch_to(s, self, ready_pop(s), 0);
}

/* ------------------------------------------------------------ waiting -- */

static void on_timeout(struct sim_engine *e, void *arg) {
  (void)e;
  struct sim_vthread *t = arg;
  assert(t->state == VT_BLOCKED);
  t->timeout_ev = 0;
  if (t->waitq) waitq_remove(t->waitq, t);
  t->wait_rc = t->wait_kind->timeout_rc;
  make_ready(t);
}

int sim_wait_block(struct sim_sched *s, struct sim_waitq *q, const struct sim_wait_kind *k,
                   const void *obj, sim_time_t timeout) {
  struct sim_vthread *t = s->current;
  assert(t && t->state == VT_RUNNING);
  sim_time_t now = sim_engine_now(s->e);
  if (timeout >= 0) {
    /* A deadline past the end of time is the end of time. */
    sim_time_t at = timeout > SIM_TIME_MAX - now ? SIM_TIME_MAX : now + timeout;
    int rc = sim_engine_at(s->e, at, on_timeout, t, &t->timeout_ev);
    if (rc < 0) return rc;
  }
  t->state = VT_BLOCKED;
  t->wait_kind = k;
  t->wait_obj = obj;
  t->blocked_since = now;
  t->wait_rc = 0;
  if (q) waitq_push(q, t);
  run_next(s, t);
  t->wait_kind = NULL;
  t->wait_obj = NULL;
  return t->wait_rc;
}

void sim_wait_wake(struct sim_vthread *t, int rc) {
  assert(t->state == VT_BLOCKED && !t->waitq);
  if (t->timeout_ev) {
    sim_engine_cancel(t->s->e, t->timeout_ev);
    t->timeout_ev = 0;
  }
  t->wait_rc = rc;
  make_ready(t);
}

void **sim_wait_xfer(struct sim_vthread *t) { return &t->xfer; }

static int sleep_describe(const void *obj, char *buf, size_t n) {
  (void)obj;
  return snprintf(buf, n, "the clock");
}

static int join_describe(const void *obj, char *buf, size_t n) {
  const struct sim_vthread *t = obj;
  return snprintf(buf, n, "'%s' (#%" PRIu32 ")", t->name, t->id);
}

static const struct sim_wait_kind sleep_kind = {"sleep", sleep_describe, 0};
static const struct sim_wait_kind join_kind = {"join", join_describe, SIM_ETIMEDOUT};

/* ------------------------------------------------------------- stacks -- */

size_t sim_vthread_default_stack(void) {
#if defined(SIM_ASAN)
  return (size_t)1 << 20; /* ASan's redzones make frames several times larger */
#else
  return (size_t)256 << 10;
#endif
}

/* Map page-rounded `usable` bytes with one inaccessible guard page below, so
 * an overflow faults at once instead of corrupting a neighbour. */
static int stack_map(struct sim_vthread *t, size_t usable, size_t page) {
  usable = (usable + page - 1) / page * page;
  if (usable == 0 || usable > SIZE_MAX - page) return SIM_EINVAL;
  int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#if defined(MAP_STACK)
  flags |= MAP_STACK;
#endif
  void *map = mmap(NULL, usable + page, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (map == MAP_FAILED) return SIM_ENOMEM;
  if (mprotect(map, page, PROT_NONE) != 0) {
    munmap(map, usable + page);
    return SIM_ENOMEM;
  }
  t->map = map;
  t->map_len = usable + page;
#if defined(SIM_ASAN)
  t->ctx.stack_bottom = (char *)map + page;
  t->ctx.stack_size = usable;
#endif
  return SIM_OK;
}

static void stack_unmap(struct sim_vthread *t) {
  if (!t->map) return;
#if defined(SIM_ASAN)
  /* Frames left on the stack keep their redzones poisoned; clear them so
   * memory mapped later at this address starts clean. */
  ASAN_UNPOISON_MEMORY_REGION(t->ctx.stack_bottom, t->ctx.stack_size);
#endif
  munmap(t->map, t->map_len);
  t->map = NULL;
}

/* ----------------------------------------------------------- lifecycle -- */

static void trace_thread(struct sim_sched *s, const struct sim_vthread *t, const char *kind) {
  if (!s->trace) return;
  sim_trace_begin(s->trace, sim_engine_now(s->e), t->name, kind);
  sim_trace_uint(s->trace, "id", t->id);
  sim_trace_end(s->trace);
}

static void all_unlink(struct sim_sched *s, struct sim_vthread *t) {
  if (t->all_prev)
    t->all_prev->all_next = t->all_next;
  else
    s->all_head = t->all_next;
  if (t->all_next)
    t->all_next->all_prev = t->all_prev;
  else
    s->all_tail = t->all_prev;
}

static void thread_free(struct sim_vthread *t) {
  all_unlink(t->s, t);
  stack_unmap(t);
  free(t);
}

/* The thread has returned: wake its joiner, leave itself for the next
 * context to unmap, and switch away for good. */
static _Noreturn void vthread_exit(struct sim_vthread *t) {
  struct sim_sched *s = t->s;
  t->state = VT_DONE;
  trace_thread(s, t, "exit");
  if (t->joiner) sim_wait_wake(t->joiner, 0);
  s->zombie = t;
  switch_to(s, t, ready_pop(s), 1);
  abort(); /* unreachable: nothing resumes a returned thread */
}

static _Noreturn void vthread_entry(void *arg) {
  struct sim_vthread *t = arg;
  after_switch(t->s, &t->ctx);
  t->ret = t->fn(t->arg);
  vthread_exit(t);
}

#if defined(SIM_SWITCH_UCONTEXT)
/* makecontext passes int arguments only: the pointer comes in two halves. */
static void uc_entry(unsigned hi, unsigned lo) {
  vthread_entry((void *)(uintptr_t)(((uint64_t)hi << 32) | lo));
}
#endif

static int ctx_init(struct sim_vthread *t) {
  char *top = (char *)t->map + t->map_len;
#if defined(SIM_SWITCH_UCONTEXT)
  if (getcontext(&t->ctx.uc) != 0) return SIM_ENOMEM;
  size_t page = t->s->page;
  t->ctx.uc.uc_stack.ss_sp = (char *)t->map + page;
  t->ctx.uc.uc_stack.ss_size = t->map_len - page;
  t->ctx.uc.uc_link = NULL;
  uint64_t p = (uint64_t)(uintptr_t)t;
  makecontext(&t->ctx.uc, (void (*)(void))uc_entry, 2, (unsigned)(p >> 32), (unsigned)p);
  (void)top;
#else
  t->ctx.sp = sim_vthread_init_asm(top, vthread_entry, t);
#endif
  return SIM_OK;
}

static int thread_new(struct sim_sched *s, struct sim_vthread **out, const char *name,
                      const struct sim_vthread_attr *attr) {
  size_t len = strlen(name);
  struct sim_vthread *t = calloc(1, sizeof *t + len + 1);
  if (!t) return SIM_ENOMEM;
  memcpy(t->name, name, len + 1);
  t->s = s;
  size_t usable = attr && attr->stack_size ? attr->stack_size : sim_vthread_default_stack();
  int rc = stack_map(t, usable, s->page);
  if (rc == SIM_OK) rc = ctx_init(t);
  if (rc < 0) {
    stack_unmap(t);
    free(t);
    return rc;
  }
  *out = t;
  return SIM_OK;
}

int sim_vthread_spawn(struct sim_sched *s, struct sim_vthread **out, const char *name,
                      sim_vthread_fn fn, void *arg, const struct sim_vthread_attr *attr) {
  if (out) *out = NULL;
  if (!s || !name || !fn) return SIM_EINVAL;
  struct sim_vthread *t;
  int rc = thread_new(s, &t, name, attr);
  if (rc < 0) return rc;
  if ((rc = ensure_dispatch(s)) < 0) { /* the only failure after this is none */
    stack_unmap(t);
    free(t);
    return rc;
  }
  t->fn = fn;
  t->arg = arg;
  t->flags = attr ? attr->flags : 0;
  t->id = ++s->next_id;
  t->all_prev = s->all_tail;
  if (s->all_tail)
    s->all_tail->all_next = t;
  else
    s->all_head = t;
  s->all_tail = t;
  trace_thread(s, t, "spawn");
  t->state = VT_READY;
  ready_push(s, t);
  if (out) *out = t;
  return SIM_OK;
}

const char *sim_vthread_name(const struct sim_vthread *t) { return t->name; }
uint32_t sim_vthread_id(const struct sim_vthread *t) { return t->id; }
int sim_vthread_done(const struct sim_vthread *t) { return t->state == VT_DONE; }

/* Collect a returned thread's result and free it. */
static int collect(struct sim_vthread *t, void **ret) {
  assert(t->state == VT_DONE && !t->map);
  if (ret) *ret = t->ret;
  thread_free(t);
  return SIM_OK;
}

int sim_vthread_join(struct sim_vthread *t, void **ret) {
  if (!t) return SIM_EINVAL;
  struct sim_sched *s = t->s;
  struct sim_vthread *self = s->current;
  if (!self) return SIM_EPERM;
  if ((t->flags & SIM_VTHREAD_DETACHED) || t == self || t->joiner) return SIM_EINVAL;
  if (t->state != VT_DONE) {
    t->joiner = self;
    int rc = sim_wait_block(s, NULL, &join_kind, t, SIM_WAIT_FOREVER);
    assert(rc == SIM_OK && t->state == VT_DONE);
    (void)rc;
  }
  return collect(t, ret);
}

int sim_vthread_reap(struct sim_vthread *t, void **ret) {
  if (!t || (t->flags & SIM_VTHREAD_DETACHED) || t->joiner) return SIM_EINVAL;
  if (t->state != VT_DONE) return SIM_EBUSY;
  return collect(t, ret);
}

int sim_vthread_sleep(struct sim_sched *s, sim_time_t d) {
  if (d < 0) return SIM_EINVAL;
  if (!s->current) return SIM_EPERM;
  return sim_wait_block(s, NULL, &sleep_kind, NULL, d);
}

int sim_vthread_yield(struct sim_sched *s) {
  struct sim_vthread *t = s->current;
  if (!t) return SIM_EPERM;
  if (!s->ready_head) return SIM_OK;
  t->state = VT_READY;
  ready_push(s, t);
  run_next(s, t);
  return SIM_OK;
}

/* --------------------------------------------------------- yield points -- */

static int decide_never(void *ctx, struct sim_sched *s, struct sim_vthread *cur,
                        const char *point) {
  (void)ctx, (void)s, (void)cur, (void)point;
  return 0;
}

struct sim_yield_strategy sim_yield_none(void) {
  return (struct sim_yield_strategy){.name = "none", .decide = decide_never, .ctx = NULL};
}

static int decide_random(void *ctx, struct sim_sched *s, struct sim_vthread *cur,
                         const char *point) {
  (void)s, (void)cur, (void)point;
  struct sim_yield_random *cfg = ctx;
  return sim_rng_bernoulli(cfg->rng, cfg->p);
}

struct sim_yield_strategy sim_yield_random(struct sim_yield_random *cfg) {
  return (struct sim_yield_strategy){.name = "random", .decide = decide_random, .ctx = cfg};
}

void sim_sched_set_strategy(struct sim_sched *s, const struct sim_yield_strategy *st) {
  s->strategy = st && st->decide ? *st : sim_yield_none();
}

int sim_yield_point(struct sim_sched *s, const char *point) {
  s->yield_points++;
  struct sim_vthread *t = s->current;
  /* The strategy is asked only where its answer can matter. */
  if (!t || !s->ready_head) return 0;
  if (!s->strategy.decide(s->strategy.ctx, s, t, point)) return 0;
  s->yields_taken++;
  if (s->trace) {
    sim_trace_begin(s->trace, sim_engine_now(s->e), t->name, "yield");
    sim_trace_str(s->trace, "point", point);
    sim_trace_end(s->trace);
  }
  t->state = VT_READY;
  ready_push(s, t);
  run_next(s, t);
  return 1;
}

uint64_t sim_sched_yield_points(const struct sim_sched *s) { return s->yield_points; }
uint64_t sim_sched_yields_taken(const struct sim_sched *s) { return s->yields_taken; }

/* ------------------------------------------------------------ deadlock -- */

/* A growable string; on allocation failure it keeps what it has and sets
 * failed. */
struct strbuf {
  char *p;
  size_t len, cap;
  int failed;
};

static int sb_reserve(struct strbuf *b, size_t more) {
  if (b->failed) return 0;
  if (b->len + more + 1 <= b->cap) return 1;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + more + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->failed = 1;
    return 0;
  }
  b->p = p;
  b->cap = cap;
  return 1;
}

/* Appends one report line for blocked thread t. */
static void sb_add_blocked(struct strbuf *b, const struct sim_vthread *t) {
  const struct sim_wait_kind *k = t->wait_kind;
  int head = snprintf(NULL, 0, "thread '%s' (#%" PRIu32 ") blocked since t=%" PRId64 ": %s on ",
                      t->name, t->id, t->blocked_since, k->op);
  int obj = k->describe(t->wait_obj, NULL, 0);
  if (head < 0 || obj < 0 || !sb_reserve(b, (size_t)head + (size_t)obj + 1)) return;
  b->len += (size_t)snprintf(b->p + b->len, b->cap - b->len,
                             "thread '%s' (#%" PRIu32 ") blocked since t=%" PRId64 ": %s on ",
                             t->name, t->id, t->blocked_since, k->op);
  b->len += (size_t)k->describe(t->wait_obj, b->p + b->len, b->cap - b->len);
  b->p[b->len++] = '\n';
  b->p[b->len] = '\0';
}

/* The report of the current stall: every non-daemon thread that nothing
 * can wake (blocked, no timeout), in spawn order. *n counts them. */
static char *build_report(struct sim_sched *s, unsigned *n) {
  struct strbuf b = {0};
  *n = 0;
  for (struct sim_vthread *t = s->all_head; t; t = t->all_next) {
    if (t->state != VT_BLOCKED || t->timeout_ev || (t->flags & SIM_VTHREAD_DAEMON)) continue;
    sb_add_blocked(&b, t);
    ++*n;
  }
  return b.p;
}

static void report_deadlock(struct sim_sched *s, char *report, unsigned n) {
  free(s->report);
  s->report = report;
  s->stalled = 1;
  if (s->trace) {
    sim_trace_begin(s->trace, sim_engine_now(s->e), "sched", "deadlock");
    sim_trace_uint(s->trace, "blocked", n);
    sim_trace_str(s->trace, "report", report);
    sim_trace_end(s->trace);
  }
  if (s->deadlock_fn) s->deadlock_fn(s->deadlock_arg, s, report);
}

/* Idle hook: the engine has no event left. A non-daemon thread blocked
 * without a timeout can then never wake. Each distinct stall is reported
 * once: an idle check that finds the same report as the last one, with no
 * progress in between, stays silent. When an idle hook that ran before this
 * one scheduled events, the run goes on and nothing is judged yet. */
static void on_idle(struct sim_engine *e, void *arg) {
  struct sim_sched *s = arg;
  if (s->ready_head) { /* a dispatch event could not be scheduled earlier */
    (void)ensure_dispatch(s);
    return;
  }
  if (sim_engine_pending(e) > 0) return;
  unsigned n;
  char *report = build_report(s, &n);
  if (n == 0 || !report) {
    free(report);
    s->stalled = 0;
    return;
  }
  if (s->stalled && s->report && strcmp(report, s->report) == 0) {
    free(report);
    return;
  }
  report_deadlock(s, report, n);
}

const char *sim_sched_deadlock(const struct sim_sched *s) { return s->report ? s->report : ""; }

void sim_sched_on_deadlock(struct sim_sched *s, sim_deadlock_fn fn, void *arg) {
  s->deadlock_fn = fn;
  s->deadlock_arg = arg;
}

/* ----------------------------------------------------------- scheduler -- */

int sim_sched_new(struct sim_sched **out, struct sim_engine *e, struct sim_trace *trace) {
  if (!out) return SIM_EINVAL;
  *out = NULL;
  if (!e) return SIM_EINVAL;
  struct sim_sched *s = calloc(1, sizeof *s);
  if (!s) return SIM_ENOMEM;
  s->e = e;
  s->trace = trace;
  s->strategy = sim_yield_none();
  long page = sysconf(_SC_PAGESIZE);
  s->page = page > 0 ? (size_t)page : 4096;
  int rc = sim_engine_on_idle(e, on_idle, s);
  if (rc < 0) {
    free(s);
    return rc;
  }
  *out = s;
  return SIM_OK;
}

/* Abandons every thread: a blocked one leaves its wait queue (so the sync
 * objects can be freed afterwards) and its timeout is cancelled. */
void sim_sched_free(struct sim_sched *s) {
  if (!s) return;
  assert(!s->current && !s->zombie);
  sim_engine_remove_idle(s->e, on_idle, s);
  if (s->dispatch_ev) sim_engine_cancel(s->e, s->dispatch_ev);
  while (s->all_head) {
    struct sim_vthread *t = s->all_head;
    if (t->timeout_ev) sim_engine_cancel(s->e, t->timeout_ev);
    if (t->waitq) waitq_remove(t->waitq, t);
    thread_free(t);
  }
  free(s->report);
  free(s);
}

struct sim_engine *sim_sched_engine(const struct sim_sched *s) { return s->e; }
struct sim_vthread *sim_sched_current(const struct sim_sched *s) { return s->current; }
uint64_t sim_sched_switches(const struct sim_sched *s) { return s->switches; }
