/* vthreads: switching and ready order, spawn/join/reap, sleep on virtual
 * time, yield and yield points (strategies none and random), deadlock
 * reports, stacks (deep recursion, guard page, custom size), floating-point
 * control state across switches, many threads, and the trace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fenv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/engine.h"
#include "sim/err.h"
#include "sim/rng.h"
#include "sim/trace.h"
#include "sim/vthread.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(TEST_ASAN)
#define TEST_ASAN 1
#endif

/* ------------------------------------------------------------ fixture -- */

#define LOG_MAX 8192

/* One simulated world plus a log of what the threads did, in order. */
struct world {
  struct sim_engine *e;
  struct sim_sched *s;
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

static void world_free(struct world *w) {
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

/* A thread's argument: its world and a label. */
struct targ {
  struct world *w;
  int label;
  int rounds;
  sim_time_t d;
};

static struct sim_vthread *spawn(struct world *w, const char *name, sim_vthread_fn fn, void *arg,
                                 unsigned flags) {
  struct sim_vthread_attr a = {.flags = flags};
  struct sim_vthread *t = NULL;
  assert_int_equal(sim_vthread_spawn(w->s, &t, name, fn, arg, &a), SIM_OK);
  assert_non_null(t);
  return t;
}

/* ------------------------------------------------------ order, switch -- */

static void *log_label(void *arg) {
  struct targ *a = arg;
  logv(a->w, a->label);
  return NULL;
}

static void spawned_threads_run_in_fifo_order(void **state) {
  (void)state;
  struct world *w = world_new();
  struct targ a[5];
  struct sim_vthread *t[5];
  const char *names[5] = {"t1", "t2", "t3", "t4", "t5"};
  for (int i = 0; i < 5; i++) {
    a[i] = (struct targ){.w = w, .label = i + 1};
    t[i] = spawn(w, names[i], log_label, &a[i], 0);
    assert_int_equal(sim_vthread_id(t[i]), (uint32_t)i + 1);
    assert_string_equal(sim_vthread_name(t[i]), names[i]);
    assert_int_equal(sim_vthread_done(t[i]), 0);
  }
  assert_int_equal(w->n, 0); /* spawning from main runs nothing yet */
  assert_int_equal(sim_engine_run(w->e), SIM_RUN_IDLE);
  assert_log(w, (const int[]){1, 2, 3, 4, 5}, 5);
  for (int i = 0; i < 5; i++) {
    assert_int_equal(sim_vthread_done(t[i]), 1);
    assert_int_equal(sim_vthread_reap(t[i], NULL), SIM_OK);
  }
  /* main -> t1 -> t2 -> ... -> t5 -> main: threads hand over directly. */
  assert_int_equal(sim_sched_switches(w->s), 6);
  world_free(w);
}

static void *yield_rounds(void *arg) {
  struct targ *a = arg;
  for (int i = 0; i < a->rounds; i++) {
    logv(a->w, a->label * 10 + i);
    assert_int_equal(sim_vthread_yield(a->w->s), SIM_OK);
  }
  return NULL;
}

static void yield_interleaves_round_robin(void **state) {
  (void)state;
  struct world *w = world_new();
  struct targ a[3];
  for (int i = 0; i < 3; i++) {
    a[i] = (struct targ){.w = w, .label = i + 1, .rounds = 3};
    spawn(w, "y", yield_rounds, &a[i], SIM_VTHREAD_DETACHED);
  }
  sim_engine_run(w->e);
  assert_log(w, (const int[]){10, 20, 30, 11, 21, 31, 12, 22, 32}, 9);
  world_free(w);
}

static void *yield_alone(void *arg) {
  struct targ *a = arg;
  uint64_t sw = sim_sched_switches(a->w->s);
  assert_int_equal(sim_vthread_yield(a->w->s), SIM_OK);
  assert_int_equal(sim_sched_switches(a->w->s), sw); /* nobody else: no switch */
  logv(a->w, 1);
  return NULL;
}

static void yield_with_nobody_ready_continues(void **state) {
  (void)state;
  struct world *w = world_new();
  struct targ a = {.w = w};
  spawn(w, "alone", yield_alone, &a, SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_log(w, (const int[]){1}, 1);
  world_free(w);
}

/* A child spawned by a vthread runs only once its parent gives up the CPU. */
static void *parent_spawns(void *arg) {
  struct targ *a = arg;
  struct targ *child = a + 1;
  spawn(a->w, "child", log_label, child, SIM_VTHREAD_DETACHED);
  logv(a->w, 1);
  sim_vthread_yield(a->w->s);
  logv(a->w, 3);
  return NULL;
}

static void spawn_from_vthread_runs_after_parent_yields(void **state) {
  (void)state;
  struct world *w = world_new();
  struct targ a[2] = {{.w = w}, {.w = w, .label = 2}};
  spawn(w, "parent", parent_spawns, a, SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_log(w, (const int[]){1, 2, 3}, 3);
  world_free(w);
}

/* An event that spawns at time 50 while other events are due at 50: the
 * thread runs after every one of them (dispatch goes to the back). */
struct spawn_ev {
  struct world *w;
  struct targ arg;
};

static void ev_spawn(struct sim_engine *e, void *p) {
  (void)e;
  struct spawn_ev *se = p;
  spawn(se->w, "late", log_label, &se->arg, SIM_VTHREAD_DETACHED);
}

static void ev_log(struct sim_engine *e, void *p) {
  (void)e;
  struct targ *a = p;
  logv(a->w, a->label);
}

static void thread_made_ready_by_event_runs_after_events_due_now(void **state) {
  (void)state;
  struct world *w = world_new();
  struct spawn_ev se = {.w = w, .arg = {.w = w, .label = 2}};
  struct targ l1 = {.w = w, .label = 1}, l3 = {.w = w, .label = 3};
  sim_engine_at(w->e, 50, ev_log, &l1, NULL);
  sim_engine_at(w->e, 50, ev_spawn, &se, NULL);
  sim_engine_at(w->e, 50, ev_log, &l3, NULL);
  sim_engine_run(w->e);
  assert_log(w, (const int[]){1, 3, 2}, 3);
  assert_int_equal(w->at[2], 50);
  world_free(w);
}

/* ------------------------------------------------------- join, reap -- */

static void *return_arg(void *arg) { return arg; }

struct joiner_arg {
  struct world *w;
  void *got;
  int rc_self, rc_detached, rc_second;
};

static void *sleep_then_return(void *arg) {
  struct targ *a = arg;
  sim_vthread_sleep(a->w->s, 100);
  return (void *)(intptr_t)a->label;
}

/* A second joiner tries while the first waits. */
static void *second_joiner(void *arg) {
  struct joiner_arg *j = arg;
  struct sim_vthread *target = j->got; /* passed in through got */
  j->rc_second = sim_vthread_join(target, NULL);
  return NULL;
}

static void *joiner(void *arg) {
  struct joiner_arg *j = arg;
  struct world *w = j->w;
  struct targ ta = {.w = w, .label = 42};
  struct sim_vthread *t = spawn(w, "worker", sleep_then_return, &ta, 0);
  struct sim_vthread *d = spawn(w, "detached", return_arg, NULL, SIM_VTHREAD_DETACHED);
  j->rc_detached = sim_vthread_join(d, NULL);
  j->rc_self = sim_vthread_join(sim_sched_current(w->s), NULL);
  struct joiner_arg j2 = {.w = w, .got = t};
  spawn(w, "second", second_joiner, &j2, SIM_VTHREAD_DETACHED);
  void *ret = NULL;
  assert_int_equal(sim_vthread_join(t, &ret), SIM_OK); /* blocks until t=100 */
  assert_int_equal(sim_engine_now(w->e), 100);
  j->rc_second = j2.rc_second;
  j->got = ret;
  /* Joining a thread that already returned does not block. */
  struct sim_vthread *quick = spawn(w, "quick", return_arg, (void *)7, 0);
  sim_vthread_yield(w->s);
  assert_int_equal(sim_vthread_done(quick), 1);
  assert_int_equal(sim_vthread_join(quick, &ret), SIM_OK);
  assert_ptr_equal(ret, (void *)7);
  return NULL;
}

static void join_collects_return_values_and_checks_misuse(void **state) {
  (void)state;
  struct world *w = world_new();
  struct joiner_arg j = {.w = w};
  struct sim_vthread *t = spawn(w, "joiner", joiner, &j, 0);
  sim_engine_run(w->e);
  assert_ptr_equal(j.got, (void *)42);
  assert_int_equal(j.rc_detached, SIM_EINVAL);
  assert_int_equal(j.rc_self, SIM_EINVAL);
  assert_int_equal(j.rc_second, SIM_EINVAL);
  assert_int_equal(sim_vthread_join(t, NULL), SIM_EPERM); /* main context */
  assert_int_equal(sim_vthread_reap(t, NULL), SIM_OK);
  world_free(w);
}

static void reap_from_main_context(void **state) {
  (void)state;
  struct world *w = world_new();
  struct targ a = {.w = w, .label = 5};
  struct sim_vthread *t = spawn(w, "sleeper", sleep_then_return, &a, 0);
  void *ret = NULL;
  assert_int_equal(sim_vthread_reap(t, &ret), SIM_EBUSY);
  sim_engine_run_until(w->e, 99);
  assert_int_equal(sim_vthread_done(t), 0);
  assert_int_equal(sim_vthread_reap(t, &ret), SIM_EBUSY);
  sim_engine_run(w->e);
  assert_int_equal(sim_vthread_done(t), 1);
  assert_int_equal(sim_vthread_reap(t, &ret), SIM_OK);
  assert_ptr_equal(ret, (void *)5);
  struct sim_vthread *d = spawn(w, "d", return_arg, NULL, SIM_VTHREAD_DETACHED);
  assert_int_equal(sim_vthread_reap(d, NULL), SIM_EINVAL);
  sim_engine_run(w->e);
  world_free(w);
}

/* -------------------------------------------------------------- sleep -- */

static void *sleeper(void *arg) {
  struct targ *a = arg;
  sim_time_t t0 = sim_engine_now(a->w->e);
  assert_int_equal(sim_vthread_sleep(a->w->s, a->d), SIM_OK);
  assert_int_equal(sim_engine_now(a->w->e), t0 + a->d);
  logv(a->w, a->label);
  return NULL;
}

static void sleep_wakes_at_exact_virtual_time_in_order(void **state) {
  (void)state;
  struct world *w = world_new();
  /* Equal deadlines wake in the order the threads went to sleep. */
  struct targ a[5] = {{w, 1, 0, 300}, {w, 2, 0, 100}, {w, 3, 0, 300}, {w, 4, 0, 7},
                      {w, 5, 0, 100}};
  for (int i = 0; i < 5; i++) spawn(w, "s", sleeper, &a[i], SIM_VTHREAD_DETACHED);
  assert_int_equal(sim_engine_run(w->e), SIM_RUN_IDLE);
  assert_log(w, (const int[]){4, 2, 5, 1, 3}, 5);
  const sim_time_t want[5] = {7, 100, 100, 300, 300};
  for (int i = 0; i < 5; i++) assert_int_equal(w->at[i], want[i]);
  assert_int_equal(sim_engine_now(w->e), 300);
  world_free(w);
}

/* sleep(0) lets the events due now run first; sleep(-1) is refused. */
static void *sleep_zero(void *arg) {
  struct targ *a = arg;
  assert_int_equal(sim_vthread_sleep(a->w->s, -1), SIM_EINVAL);
  logv(a->w, 1);
  assert_int_equal(sim_vthread_sleep(a->w->s, 0), SIM_OK);
  logv(a->w, 3);
  return NULL;
}

static void sleep_zero_lets_due_events_run(void **state) {
  (void)state;
  struct world *w = world_new();
  struct targ a = {.w = w}, ev = {.w = w, .label = 2};
  spawn(w, "z", sleep_zero, &a, SIM_VTHREAD_DETACHED);
  sim_engine_at(w->e, 0, ev_log, &ev, NULL); /* due now, after the dispatch */
  sim_engine_run(w->e);
  assert_log(w, (const int[]){1, 2, 3}, 3);
  assert_int_equal(sim_engine_now(w->e), 0);
  world_free(w);
}

static void blocking_calls_from_main_context_are_eperm(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_null(sim_sched_current(w->s));
  assert_int_equal(sim_vthread_sleep(w->s, 10), SIM_EPERM);
  assert_int_equal(sim_vthread_yield(w->s), SIM_EPERM);
  assert_int_equal(sim_yield_point(w->s, "main"), 0);
  assert_int_equal(sim_sched_yield_points(w->s), 1);
  assert_ptr_equal(sim_sched_engine(w->s), w->e);
  world_free(w);
}

static void spawn_rejects_bad_arguments(void **state) {
  (void)state;
  struct world *w = world_new();
  struct sim_vthread *t = (struct sim_vthread *)1;
  assert_int_equal(sim_vthread_spawn(w->s, &t, NULL, return_arg, NULL, NULL), SIM_EINVAL);
  assert_null(t);
  assert_int_equal(sim_vthread_spawn(w->s, &t, "x", NULL, NULL, NULL), SIM_EINVAL);
  assert_int_equal(sim_vthread_spawn(NULL, &t, "x", return_arg, NULL, NULL), SIM_EINVAL);
  /* out may be NULL, attr too. */
  assert_int_equal(sim_vthread_spawn(w->s, NULL, "x", return_arg, NULL,
                                     &(struct sim_vthread_attr){.flags = SIM_VTHREAD_DETACHED}),
                   SIM_OK);
  sim_engine_run(w->e);
  world_free(w);
}

/* ---------------------------------------------------------- many, deep -- */

struct many {
  struct world *w;
  struct sim_sem *done;
  int woke;
};

static void *many_worker(void *arg) {
  struct many *m = arg;
  uint32_t id = sim_vthread_id(sim_sched_current(m->w->s));
  sim_vthread_sleep(m->w->s, (sim_time_t)(id % 17) * SIM_USEC);
  m->woke++;
  sim_sem_post(m->done);
  return NULL;
}

static void *many_collector(void *arg) {
  struct many *m = arg;
  for (int i = 0; i < 1000; i++) assert_int_equal(sim_sem_wait(m->done, SIM_WAIT_FOREVER), SIM_OK);
  logv(m->w, 1);
  return NULL;
}

static void thousand_threads_sleep_and_post(void **state) {
  (void)state;
  struct world *w = world_new();
  struct many m = {.w = w};
  assert_int_equal(sim_sem_new(&m.done, w->s, "done", 0), SIM_OK);
  spawn(w, "collector", many_collector, &m, SIM_VTHREAD_DETACHED);
  for (int i = 0; i < 1000; i++) {
    char name[16];
    snprintf(name, sizeof name, "w%d", i);
    spawn(w, name, many_worker, &m, SIM_VTHREAD_DETACHED);
  }
  assert_int_equal(sim_engine_run(w->e), SIM_RUN_IDLE);
  assert_int_equal(m.woke, 1000);
  assert_log(w, (const int[]){1}, 1);
  assert_int_equal(sim_engine_now(w->e), 16 * SIM_USEC);
  assert_string_equal(sim_sched_deadlock(w->s), "");
  assert_int_equal(sim_sem_free(m.done), SIM_OK);
  world_free(w);
}

/* Each frame keeps a 256-byte buffer alive across the call, so the depth
 * sets the stack use: about 100 KiB here, well inside the default. */
static unsigned recurse(volatile unsigned char *prev, unsigned depth) {
  volatile unsigned char buf[256];
  for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(depth + i);
  if (depth == 0) return prev ? prev[0] : 0;
  return recurse(buf, depth - 1) + buf[depth % sizeof buf];
}

static void *deep(void *arg) {
  struct targ *a = arg;
  unsigned r = recurse(NULL, (unsigned)a->rounds);
  logv(a->w, (int)(r & 0x7fffffff));
  return NULL;
}

static void deep_recursion_fits_default_stack(void **state) {
  (void)state;
  struct world *w = world_new();
  assert_true(sim_vthread_default_stack() >= 256 * 1024);
  struct targ a = {.w = w, .rounds = 360};
  spawn(w, "deep", deep, &a, SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_int_equal(w->n, 1);
  assert_int_equal(w->log[0], (int)(recurse(NULL, 360) & 0x7fffffff));
  world_free(w);
}

static void custom_stack_size(void **state) {
  (void)state;
  struct world *w = world_new();
  struct targ a = {.w = w, .rounds = 20};
  /* An odd size is rounded up to whole pages. */
  struct sim_vthread_attr attr = {.stack_size = 64 * 1024 + 1, .flags = SIM_VTHREAD_DETACHED};
  assert_int_equal(sim_vthread_spawn(w->s, NULL, "small", deep, &a, &attr), SIM_OK);
  sim_engine_run(w->e);
  assert_int_equal(w->n, 1);
  world_free(w);
}

#if !defined(TEST_ASAN)
static void *overflow(void *arg) {
  struct targ *a = arg;
  recurse(NULL, 1u << 20); /* 256 MiB of frames: far past any stack here */
  logv(a->w, 1);
  return NULL;
}

/* In a child process: running off the stack hits the guard page. */
static void stack_overflow_hits_guard_page(void **state) {
  (void)state;
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL); /* not cmocka's handler: die of the signal */
    signal(SIGBUS, SIG_DFL);
    struct world *w = world_new();
    struct targ a = {.w = w};
    spawn(w, "overflow", overflow, &a, SIM_VTHREAD_DETACHED);
    sim_engine_run(w->e);
    _exit(0);
  }
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFSIGNALED(st));
  assert_true(WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGBUS);
}
#else
/* AddressSanitizer owns SIGSEGV and its own stack checks: the guard page is
 * tested in the Release build. */
static void stack_overflow_hits_guard_page(void **state) {
  (void)state;
  skip();
}
#endif

/* ------------------------------------------------ floating-point state -- */

struct fp_arg {
  struct world *w;
  int mode, seen_before, seen_after;
};

static void *fp_thread(void *arg) {
  struct fp_arg *f = arg;
  f->seen_before = fegetround();
  fesetround(f->mode);
  sim_vthread_yield(f->w->s);
  sim_vthread_sleep(f->w->s, 1);
  f->seen_after = fegetround();
  fesetround(FE_TONEAREST);
  return NULL;
}

/* The rounding mode (MXCSR / x87 control word / FPCR) is per thread. */
static void rounding_mode_survives_switches(void **state) {
  (void)state;
  struct world *w = world_new();
  struct fp_arg f[3] = {{w, FE_UPWARD, 0, 0}, {w, FE_DOWNWARD, 0, 0}, {w, FE_TOWARDZERO, 0, 0}};
  for (int i = 0; i < 3; i++) spawn(w, "fp", fp_thread, &f[i], SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(f[i].seen_before, FE_TONEAREST);
    assert_int_equal(f[i].seen_after, f[i].mode);
  }
  assert_int_equal(fegetround(), FE_TONEAREST);
  world_free(w);
}

/* ------------------------------------------------------- yield points -- */

struct yp_arg {
  struct world *w;
  int label;
};

static void *yp_worker(void *arg) {
  struct yp_arg *a = arg;
  for (int i = 0; i < 20; i++) {
    logv(a->w, a->label);
    sim_yield_point(a->w->s, "loop");
  }
  return NULL;
}

static void yield_point_none_never_switches(void **state) {
  (void)state;
  struct world *w = world_new();
  struct yp_arg a[2] = {{w, 1}, {w, 2}};
  for (int i = 0; i < 2; i++) spawn(w, "yp", yp_worker, &a[i], SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_int_equal(w->n, 40);
  for (int i = 0; i < 40; i++) assert_int_equal(w->log[i], i < 20 ? 1 : 2);
  assert_int_equal(sim_sched_yield_points(w->s), 40);
  assert_int_equal(sim_sched_yields_taken(w->s), 0);
  world_free(w);
}

/* Records every decision the wrapped strategy makes. */
struct recorder {
  struct sim_yield_strategy inner;
  int decisions[1024];
  int n;
};

static int record_decide(void *ctx, struct sim_sched *s, struct sim_vthread *cur,
                         const char *point) {
  struct recorder *r = ctx;
  int d = r->inner.decide(r->inner.ctx, s, cur, point);
  assert_string_equal(point, "loop");
  if (r->n < 1024) r->decisions[r->n++] = d;
  return d;
}

/* Runs three yp_workers under "random" with p = 0.5 from seed; returns the
 * interleaving (as a world) and the decisions (in *rec). */
static struct world *run_random(uint64_t seed, struct recorder *rec) {
  struct world *w = world_new();
  struct sim_rng rng;
  sim_rng_init(&rng, seed, "yield");
  struct sim_yield_random cfg = {.rng = &rng, .p = 0.5};
  memset(rec, 0, sizeof *rec);
  rec->inner = sim_yield_random(&cfg);
  assert_string_equal(rec->inner.name, "random");
  struct sim_yield_strategy st = {.name = "rec", .decide = record_decide, .ctx = rec};
  sim_sched_set_strategy(w->s, &st);
  struct yp_arg a[3] = {{w, 1}, {w, 2}, {w, 3}};
  for (int i = 0; i < 3; i++) spawn(w, "yp", yp_worker, &a[i], SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_int_equal(w->n, 60);
  assert_int_equal(sim_sched_yield_points(w->s), 60);
  return w;
}

static void yield_point_random_is_deterministic_per_seed(void **state) {
  (void)state;
  struct recorder *r1 = malloc(sizeof *r1), *r2 = malloc(sizeof *r2), *r3 = malloc(sizeof *r3);
  assert_non_null(r1);
  assert_non_null(r2);
  assert_non_null(r3);
  struct world *w1 = run_random(7, r1), *w2 = run_random(7, r2), *w3 = run_random(8, r3);
  /* Same seed: same decisions, same interleaving, same switches. */
  assert_int_equal(r1->n, r2->n);
  assert_memory_equal(r1->decisions, r2->decisions, sizeof r1->decisions);
  assert_memory_equal(w1->log, w2->log, sizeof w1->log);
  assert_int_equal(sim_sched_yields_taken(w1->s), sim_sched_yields_taken(w2->s));
  assert_int_equal(sim_sched_switches(w1->s), sim_sched_switches(w2->s));
  /* Some yields were taken, and they show up as interleaving. */
  int taken = 0;
  for (int i = 0; i < r1->n; i++) taken += r1->decisions[i];
  assert_true(taken > 0);
  assert_int_equal(sim_sched_yields_taken(w1->s), (uint64_t)taken);
  int sorted = 1;
  for (int i = 1; i < 60; i++) sorted &= w1->log[i] >= w1->log[i - 1];
  assert_false(sorted);
  /* Another seed decides differently. */
  int differ = r1->n != r3->n || memcmp(r1->decisions, r3->decisions, sizeof r1->decisions) != 0;
  assert_true(differ);
  assert_true(memcmp(w1->log, w3->log, sizeof w1->log) != 0);
  world_free(w1);
  world_free(w2);
  world_free(w3);
  free(r1);
  free(r2);
  free(r3);
}

static void yield_point_alone_does_not_consult_strategy(void **state) {
  (void)state;
  struct world *w = world_new();
  struct sim_rng rng;
  sim_rng_init(&rng, 1, "yield");
  struct sim_yield_random cfg = {.rng = &rng, .p = 1.0};
  struct recorder *rec = calloc(1, sizeof *rec);
  assert_non_null(rec);
  rec->inner = sim_yield_random(&cfg);
  struct sim_yield_strategy st = {.name = "rec", .decide = record_decide, .ctx = rec};
  sim_sched_set_strategy(w->s, &st);
  struct yp_arg a = {w, 1};
  spawn(w, "alone", yp_worker, &a, SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_int_equal(rec->n, 0);
  assert_int_equal(sim_sched_yield_points(w->s), 20);
  /* NULL restores "none". */
  sim_sched_set_strategy(w->s, NULL);
  struct yp_arg b[2] = {{w, 2}, {w, 3}};
  for (int i = 0; i < 2; i++) spawn(w, "n", yp_worker, &b[i], SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_int_equal(rec->n, 0);
  assert_int_equal(sim_sched_yields_taken(w->s), 0);
  free(rec);
  world_free(w);
}

/* With p = 1 every visit while another thread is ready switches: two
 * threads alternate strictly. */
static void yield_point_always_alternates(void **state) {
  (void)state;
  struct world *w = world_new();
  struct sim_rng rng;
  sim_rng_init(&rng, 1, "yield");
  struct sim_yield_random cfg = {.rng = &rng, .p = 1.0};
  struct sim_yield_strategy st = sim_yield_random(&cfg);
  sim_sched_set_strategy(w->s, &st);
  struct yp_arg a[2] = {{w, 1}, {w, 2}};
  for (int i = 0; i < 2; i++) spawn(w, "yp", yp_worker, &a[i], SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_int_equal(w->n, 40);
  for (int i = 0; i < 40; i++) assert_int_equal(w->log[i], 1 + (i % 2));
  /* Every visit found the other thread ready, even thread 2's last one
   * (thread 1 yielded at its last visit too): 40 switches taken. */
  assert_int_equal(sim_sched_yields_taken(w->s), 40);
  world_free(w);
}

/* ----------------------------------------------------------- deadlock -- */

struct dl {
  struct world *w;
  struct sim_sem *a, *b;
  int calls;
  char last[1024];
};

static void *wait_b_then_post_a(void *arg) {
  struct dl *d = arg;
  sim_vthread_sleep(d->w->s, 10);
  sim_sem_wait(d->b, SIM_WAIT_FOREVER);
  sim_sem_post(d->a);
  return NULL;
}

static void *wait_a_then_post_b(void *arg) {
  struct dl *d = arg;
  sim_vthread_sleep(d->w->s, 20);
  sim_sem_wait(d->a, SIM_WAIT_FOREVER);
  sim_sem_post(d->b);
  return NULL;
}

static void *daemon_waits(void *arg) {
  struct dl *d = arg;
  sim_sem_wait(d->a, SIM_WAIT_FOREVER);
  return NULL;
}

static void on_deadlock(void *arg, struct sim_sched *s, const char *report) {
  struct dl *d = arg;
  assert_string_equal(report, sim_sched_deadlock(s));
  d->calls++;
  snprintf(d->last, sizeof d->last, "%s", report);
}

static void deadlock_names_both_threads_and_semaphores(void **state) {
  (void)state;
  struct world *w = world_new();
  char path[512];
  snprintf(path, sizeof path, "%s/vthread_deadlock.jsonl", LWSIM_TEST_TMPDIR);
  struct sim_trace *tr;
  assert_int_equal(sim_trace_open(&tr, path), SIM_OK);
  sim_sched_free(w->s);
  assert_int_equal(sim_sched_new(&w->s, w->e, tr), SIM_OK);
  struct dl d = {.w = w};
  assert_int_equal(sim_sem_new(&d.a, w->s, "sem_a", 0), SIM_OK);
  assert_int_equal(sim_sem_new(&d.b, w->s, "sem_b", 0), SIM_OK);
  sim_sched_on_deadlock(w->s, on_deadlock, &d);
  spawn(w, "daemon", daemon_waits, &d, SIM_VTHREAD_DAEMON | SIM_VTHREAD_DETACHED);
  spawn(w, "alice", wait_b_then_post_a, &d, SIM_VTHREAD_DETACHED);
  spawn(w, "bob", wait_a_then_post_b, &d, SIM_VTHREAD_DETACHED);
  assert_string_equal(sim_sched_deadlock(w->s), "");
  assert_int_equal(sim_engine_run(w->e), SIM_RUN_IDLE);
  assert_int_equal(d.calls, 1);
  const char *want =
      "thread 'alice' (#2) blocked since t=10: sem_wait on 'sem_b' (count 0, waiters 1)\n"
      "thread 'bob' (#3) blocked since t=20: sem_wait on 'sem_a' (count 0, waiters 2)\n";
  assert_string_equal(sim_sched_deadlock(w->s), want);
  assert_string_equal(d.last, want);
  /* Nothing changed: running again does not report again. */
  assert_int_equal(sim_engine_run(w->e), SIM_RUN_IDLE);
  assert_int_equal(sim_engine_run_until(w->e, 1000), SIM_RUN_REACHED);
  assert_int_equal(d.calls, 1);
  sim_sched_free(w->s); /* abandons all three; the semaphores are free to go */
  assert_int_equal(sim_sem_free(d.a), SIM_OK);
  assert_int_equal(sim_sem_free(d.b), SIM_OK);
  w->s = NULL;
  assert_int_equal(sim_trace_close(tr), SIM_OK);
  /* The trace: spawns, then one deadlock event, canonical. */
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[1024];
  int nline = 0, ndeadlock = 0;
  while (fgets(line, sizeof line, f)) {
    if (nline == 0) assert_string_equal(line, "{\"t\":0,\"node\":\"daemon\",\"kind\":\"spawn\",\"id\":1}\n");
    if (strstr(line, "\"kind\":\"deadlock\"")) {
      ndeadlock++;
      assert_non_null(strstr(line, "{\"t\":20,\"node\":\"sched\",\"kind\":\"deadlock\",\"blocked\":2,"));
      assert_non_null(strstr(line, "alice"));
      assert_non_null(strstr(line, "bob"));
    }
    nline++;
  }
  fclose(f);
  assert_int_equal(nline, 4);
  assert_int_equal(ndeadlock, 1);
  sim_engine_free(w->e);
  free(w);
}

/* A new stall after progress is reported again. */
static void deadlock_reported_again_after_progress(void **state) {
  (void)state;
  struct world *w = world_new();
  struct dl d = {.w = w};
  assert_int_equal(sim_sem_new(&d.a, w->s, "a", 0), SIM_OK);
  sim_sched_on_deadlock(w->s, on_deadlock, &d);
  spawn(w, "waiter", daemon_waits, &d, SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_int_equal(d.calls, 1);
  assert_string_equal(d.last, "thread 'waiter' (#1) blocked since t=0: sem_wait on 'a' (count 0, waiters 1)\n");
  /* Unblock it from main; it finishes: no stall, report stays the last. */
  sim_sem_post(d.a);
  sim_engine_run(w->e);
  assert_int_equal(d.calls, 1);
  /* Block again at a later time: a new report. */
  sim_engine_run_until(w->e, 500);
  spawn(w, "waiter2", daemon_waits, &d, SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_int_equal(d.calls, 2);
  assert_string_equal(d.last, "thread 'waiter2' (#2) blocked since t=500: sem_wait on 'a' (count 0, waiters 1)\n");
  sim_sched_free(w->s);
  w->s = NULL;
  assert_int_equal(sim_sem_free(d.a), SIM_OK);
  sim_engine_free(w->e);
  free(w);
}

static void daemon_blocked_forever_is_not_a_deadlock(void **state) {
  (void)state;
  struct world *w = world_new();
  struct dl d = {.w = w};
  assert_int_equal(sim_sem_new(&d.a, w->s, "work", 0), SIM_OK);
  sim_sched_on_deadlock(w->s, on_deadlock, &d);
  spawn(w, "server", daemon_waits, &d, SIM_VTHREAD_DAEMON | SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_int_equal(d.calls, 0);
  assert_string_equal(sim_sched_deadlock(w->s), "");
  assert_int_equal(sim_sem_free(d.a), SIM_EBUSY); /* the daemon waits on it */
  sim_sched_free(w->s);
  w->s = NULL;
  assert_int_equal(sim_sem_free(d.a), SIM_OK);
  sim_engine_free(w->e);
  free(w);
}

/* An idle hook that runs before the scheduler's and feeds the blocked
 * thread: the run goes on, so there is no deadlock to report. */
struct kick {
  struct dl *d;
  int fired;
};

static void ev_post_a(struct sim_engine *e, void *arg) {
  (void)e;
  struct dl *d = arg;
  sim_sem_post(d->a);
}

static void kick_on_idle(struct sim_engine *e, void *arg) {
  struct kick *k = arg;
  if (k->fired++) return;
  sim_engine_after(e, 5, ev_post_a, k->d, NULL);
}

static void idle_hook_that_schedules_work_prevents_report(void **state) {
  (void)state;
  struct world *w = world_new();
  struct dl d = {.w = w};
  struct kick k = {.d = &d};
  sim_sched_free(w->s); /* re-create it so that the kick hook runs first */
  assert_int_equal(sim_engine_on_idle(w->e, kick_on_idle, &k), SIM_OK);
  assert_int_equal(sim_sched_new(&w->s, w->e, NULL), SIM_OK);
  assert_int_equal(sim_sem_new(&d.a, w->s, "late", 0), SIM_OK);
  sim_sched_on_deadlock(w->s, on_deadlock, &d);
  struct targ a = {.w = w, .label = 1};
  spawn(w, "waiter", daemon_waits, &d, SIM_VTHREAD_DETACHED);
  spawn(w, "after", log_label, &a, SIM_VTHREAD_DETACHED);
  assert_int_equal(sim_engine_run(w->e), SIM_RUN_IDLE);
  assert_int_equal(k.fired, 2);
  assert_int_equal(d.calls, 0);
  assert_string_equal(sim_sched_deadlock(w->s), "");
  assert_int_equal(sim_engine_now(w->e), 5);
  assert_int_equal(sim_sem_free(d.a), SIM_OK); /* the waiter got its unit */
  world_free(w);
}

static void *join_forever(void *arg) {
  struct sim_vthread *t = arg;
  sim_vthread_join(t, NULL);
  return NULL;
}

static void deadlock_report_names_joined_thread(void **state) {
  (void)state;
  struct world *w = world_new();
  struct dl d = {.w = w};
  assert_int_equal(sim_sem_new(&d.a, w->s, "never", 0), SIM_OK);
  struct sim_vthread *stuck = spawn(w, "stuck", daemon_waits, &d, 0);
  spawn(w, "joiner", join_forever, stuck, SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  assert_string_equal(sim_sched_deadlock(w->s),
                      "thread 'stuck' (#1) blocked since t=0: sem_wait on 'never' (count 0, waiters 1)\n"
                      "thread 'joiner' (#2) blocked since t=0: join on 'stuck' (#1)\n");
  sim_sched_free(w->s);
  w->s = NULL;
  sim_sem_free(d.a);
  sim_engine_free(w->e);
  free(w);
}

/* ------------------------------------------------------------- teardown -- */

static void *sleep_long(void *arg) {
  struct world *w = arg;
  sim_vthread_sleep(w->s, SIM_SEC);
  return NULL;
}

/* sim_sched_free cancels its events: the engine is left with none. */
static void sched_free_abandons_threads_and_cancels_events(void **state) {
  (void)state;
  struct world *w = world_new();
  spawn(w, "sleeper", sleep_long, w, 0);
  spawn(w, "never_ran", sleep_long, w, 0);
  assert_int_equal(sim_engine_pending(w->e), 1); /* the dispatch */
  sim_engine_run_until(w->e, 10);
  assert_int_equal(sim_engine_pending(w->e), 2); /* the two sleeps */
  spawn(w, "ready", sleep_long, w, SIM_VTHREAD_DETACHED);
  assert_int_equal(sim_engine_pending(w->e), 3);
  sim_sched_free(w->s);
  w->s = NULL;
  assert_int_equal(sim_engine_pending(w->e), 0);
  sim_engine_free(w->e);
  free(w);
}

/* ---------------------------------------------------------------- trace -- */

static void *trace_worker(void *arg) {
  struct world *w = arg;
  sim_vthread_sleep(w->s, 5);
  sim_yield_point(w->s, "mid");
  return NULL;
}

static void trace_records_spawn_exit_and_yield(void **state) {
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s/vthread_trace.jsonl", LWSIM_TEST_TMPDIR);
  struct world *w = world_new();
  struct sim_trace *tr;
  assert_int_equal(sim_trace_open(&tr, path), SIM_OK);
  sim_sched_free(w->s);
  assert_int_equal(sim_sched_new(&w->s, w->e, tr), SIM_OK);
  struct sim_rng rng;
  sim_rng_init(&rng, 1, "y");
  struct sim_yield_random cfg = {.rng = &rng, .p = 1.0};
  struct sim_yield_strategy st = sim_yield_random(&cfg);
  sim_sched_set_strategy(w->s, &st);
  spawn(w, "a", trace_worker, w, SIM_VTHREAD_DETACHED);
  spawn(w, "b", trace_worker, w, SIM_VTHREAD_DETACHED);
  sim_engine_run(w->e);
  world_free(w);
  assert_int_equal(sim_trace_close(tr), SIM_OK);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char buf[2048];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  assert_string_equal(buf,
                      "{\"t\":0,\"node\":\"a\",\"kind\":\"spawn\",\"id\":1}\n"
                      "{\"t\":0,\"node\":\"b\",\"kind\":\"spawn\",\"id\":2}\n"
                      "{\"t\":5,\"node\":\"a\",\"kind\":\"yield\",\"point\":\"mid\"}\n"
                      "{\"t\":5,\"node\":\"b\",\"kind\":\"yield\",\"point\":\"mid\"}\n"
                      "{\"t\":5,\"node\":\"a\",\"kind\":\"exit\",\"id\":1}\n"
                      "{\"t\":5,\"node\":\"b\",\"kind\":\"exit\",\"id\":2}\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(spawned_threads_run_in_fifo_order),
      cmocka_unit_test(yield_interleaves_round_robin),
      cmocka_unit_test(yield_with_nobody_ready_continues),
      cmocka_unit_test(spawn_from_vthread_runs_after_parent_yields),
      cmocka_unit_test(thread_made_ready_by_event_runs_after_events_due_now),
      cmocka_unit_test(join_collects_return_values_and_checks_misuse),
      cmocka_unit_test(reap_from_main_context),
      cmocka_unit_test(sleep_wakes_at_exact_virtual_time_in_order),
      cmocka_unit_test(sleep_zero_lets_due_events_run),
      cmocka_unit_test(blocking_calls_from_main_context_are_eperm),
      cmocka_unit_test(spawn_rejects_bad_arguments),
      cmocka_unit_test(thousand_threads_sleep_and_post),
      cmocka_unit_test(deep_recursion_fits_default_stack),
      cmocka_unit_test(custom_stack_size),
      cmocka_unit_test(stack_overflow_hits_guard_page),
      cmocka_unit_test(rounding_mode_survives_switches),
      cmocka_unit_test(yield_point_none_never_switches),
      cmocka_unit_test(yield_point_random_is_deterministic_per_seed),
      cmocka_unit_test(yield_point_alone_does_not_consult_strategy),
      cmocka_unit_test(yield_point_always_alternates),
      cmocka_unit_test(deadlock_names_both_threads_and_semaphores),
      cmocka_unit_test(deadlock_reported_again_after_progress),
      cmocka_unit_test(daemon_blocked_forever_is_not_a_deadlock),
      cmocka_unit_test(deadlock_report_names_joined_thread),
      cmocka_unit_test(idle_hook_that_schedules_work_prevents_report),
      cmocka_unit_test(sched_free_abandons_threads_and_cancels_events),
      cmocka_unit_test(trace_records_spawn_exit_and_yield),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
