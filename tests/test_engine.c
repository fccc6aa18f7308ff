/* Engine: ordering, cancellation, run_until boundaries, idle hooks, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/engine.h"
#include "sim/err.h"
#include "sim/rng.h"

/* Records the order in which events ran: each event's arg is its label. */
struct log {
  int labels[4096];
  sim_time_t times[4096];
  int n;
};

struct rec {
  struct log *log;
  int label;
};

static void record(struct sim_engine *e, void *arg) {
  struct rec *r = arg;
  r->log->labels[r->log->n] = r->label;
  r->log->times[r->log->n] = sim_engine_now(e);
  r->log->n++;
}

static struct sim_engine *new_engine(void) {
  struct sim_engine *e = NULL;
  assert_int_equal(sim_engine_new(&e, NULL), SIM_OK);
  assert_non_null(e);
  assert_string_equal(sim_engine_backend_name(e), "builtin");
  return e;
}

static void equal_times_run_in_insertion_order(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  struct log log = {0};
  struct rec r[100];
  /* 100 events at 5 times, inserted interleaved. */
  for (int i = 0; i < 100; i++) {
    r[i] = (struct rec){&log, i};
    assert_int_equal(sim_engine_at(e, (sim_time_t)(i % 5) * 10, record, &r[i], NULL), SIM_OK);
  }
  assert_int_equal(sim_engine_run(e), SIM_RUN_IDLE);
  assert_int_equal(log.n, 100);
  int k = 0;
  for (int t = 0; t < 5; t++)
    for (int i = t; i < 100; i += 5, k++) {
      assert_int_equal(log.labels[k], i);
      assert_int_equal(log.times[k], t * 10);
    }
  sim_engine_free(e);
}

/* An event scheduled at "now" from inside an event runs after every event
 * already due at that time. */
struct chain_ctx {
  struct log log;
  struct rec late;
};
static void schedule_late(struct sim_engine *e, void *arg) {
  struct chain_ctx *c = arg;
  c->log.labels[c->log.n++] = 100;
  assert_int_equal(sim_engine_after(e, 0, record, &c->late, NULL), SIM_OK);
}

static void zero_delay_runs_after_due_events(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  struct chain_ctx c = {0};
  c.late = (struct rec){&c.log, 200};
  struct rec r1 = {&c.log, 1}, r2 = {&c.log, 2};
  sim_engine_at(e, 7, schedule_late, &c, NULL);
  sim_engine_at(e, 7, record, &r1, NULL);
  sim_engine_at(e, 7, record, &r2, NULL);
  sim_engine_run(e);
  assert_int_equal(c.log.n, 4);
  assert_int_equal(c.log.labels[0], 100);
  assert_int_equal(c.log.labels[1], 1);
  assert_int_equal(c.log.labels[2], 2);
  assert_int_equal(c.log.labels[3], 200);
  assert_int_equal(c.log.times[3], 7);
  sim_engine_free(e);
}

static void random_times_come_out_sorted(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  static struct log log; /* test-local storage too big for the stack */
  static struct rec r[4000];
  struct sim_rng rng;
  sim_rng_init(&rng, 1, "test");
  log.n = 0;
  for (int i = 0; i < 4000; i++) {
    r[i] = (struct rec){&log, i};
    /* Few distinct times so ties are common. */
    sim_engine_at(e, sim_rng_range(&rng, 0, 300) * 1000, record, &r[i], NULL);
  }
  assert_int_equal(sim_engine_pending(e), 4000);
  sim_engine_run(e);
  assert_int_equal(log.n, 4000);
  for (int i = 1; i < 4000; i++) {
    assert_true(log.times[i - 1] <= log.times[i]);
    if (log.times[i - 1] == log.times[i]) assert_true(log.labels[i - 1] < log.labels[i]);
  }
  assert_int_equal(sim_engine_executed(e), 4000);
  sim_engine_free(e);
}

static void cancel_removes_exactly_that_event(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  struct log log = {0};
  struct rec r[10];
  sim_event_id id[10];
  for (int i = 0; i < 10; i++) {
    r[i] = (struct rec){&log, i};
    sim_engine_at(e, 100 + i, record, &r[i], &id[i]);
    assert_true(id[i] != 0);
  }
  assert_int_equal(sim_engine_cancel(e, id[3]), SIM_OK);
  assert_int_equal(sim_engine_cancel(e, id[7]), SIM_OK);
  assert_int_equal(sim_engine_cancel(e, id[3]), SIM_ENOENT); /* twice */
  assert_int_equal(sim_engine_cancel(e, 0), SIM_ENOENT);
  assert_int_equal(sim_engine_pending(e), 8);
  sim_engine_run(e);
  assert_int_equal(log.n, 8);
  int expect[] = {0, 1, 2, 4, 5, 6, 8, 9};
  for (int i = 0; i < 8; i++) assert_int_equal(log.labels[i], expect[i]);
  /* An id whose event already ran cannot cancel the event now in its slot. */
  struct rec again = {&log, 42};
  sim_event_id nid;
  sim_engine_after(e, 5, record, &again, &nid);
  assert_int_equal(sim_engine_cancel(e, id[0]), SIM_ENOENT);
  assert_int_equal(sim_engine_pending(e), 1);
  sim_engine_run(e);
  assert_int_equal(log.labels[8], 42);
  sim_engine_free(e);
}

/* Many cancellations (far more than live events) keep the queue correct
 * through compaction. */
static void mass_cancel_compacts(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  static struct log log;
  static struct rec r[3000];
  static sim_event_id id[3000];
  log.n = 0;
  for (int i = 0; i < 3000; i++) {
    r[i] = (struct rec){&log, i};
    sim_engine_at(e, 1000 + (i * 7919) % 3000, record, &r[i], &id[i]);
  }
  for (int i = 0; i < 3000; i++)
    if (i % 10) assert_int_equal(sim_engine_cancel(e, id[i]), SIM_OK);
  assert_int_equal(sim_engine_pending(e), 300);
  sim_engine_run(e);
  assert_int_equal(log.n, 300);
  for (int i = 0; i < 300; i++) assert_int_equal(log.labels[i] % 10, 0);
  for (int i = 1; i < 300; i++) assert_true(log.times[i - 1] < log.times[i]);
  sim_engine_free(e);
}


struct canceller {
  sim_event_id victim;
  int result;
};
static void do_cancel(struct sim_engine *e, void *arg) {
  struct canceller *c = arg;
  c->result = sim_engine_cancel(e, c->victim);
}

static void cancel_from_inside_an_event(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  struct log log = {0};
  struct rec victim = {&log, 1};
  struct canceller c = {0, 99};
  sim_engine_at(e, 10, do_cancel, &c, NULL);
  sim_engine_at(e, 10, record, &victim, &c.victim); /* same time, later */
  sim_engine_run(e);
  assert_int_equal(c.result, SIM_OK);
  assert_int_equal(log.n, 0);
  sim_engine_free(e);
}

static void run_until_boundaries(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  struct log log = {0};
  struct rec r[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
  sim_engine_at(e, 100, record, &r[0], NULL);
  sim_engine_at(e, 200, record, &r[1], NULL);
  sim_engine_at(e, 201, record, &r[2], NULL);
  assert_int_equal(sim_engine_run_until(e, 99), SIM_RUN_REACHED);
  assert_int_equal(log.n, 0);
  assert_int_equal(sim_engine_now(e), 99);
  /* An event exactly at the limit runs; one just after does not. */
  assert_int_equal(sim_engine_run_until(e, 200), SIM_RUN_REACHED);
  assert_int_equal(log.n, 2);
  assert_int_equal(sim_engine_now(e), 200);
  assert_int_equal(sim_engine_pending(e), 1);
  /* Scheduling between now and a front that ran ahead must still order. */
  struct rec mid = {&log, 7};
  assert_int_equal(sim_engine_at(e, 200, record, &mid, NULL), SIM_OK);
  assert_int_equal(sim_engine_run_until(e, 200), SIM_RUN_REACHED);
  assert_int_equal(log.labels[2], 7);
  /* Past the last event the clock still advances to the limit. */
  assert_int_equal(sim_engine_run_until(e, 5000), SIM_RUN_REACHED);
  assert_int_equal(log.n, 4);
  assert_int_equal(log.labels[3], 2);
  assert_int_equal(sim_engine_now(e), 5000);
  assert_int_equal(sim_engine_run_until(e, 4999), SIM_EINVAL);
  assert_int_equal(sim_engine_run(e), SIM_RUN_IDLE);
  assert_int_equal(sim_engine_now(e), 5000);
  sim_engine_free(e);
}

/* Stepping with run_until while events keep arriving earlier than the
 * queue's front gives exactly the order of one long run. */
struct stepper {
  struct sim_rng rng;
  int left;
  struct log *log;
  struct rec r[2000];
  int n;
};
static void step_event(struct sim_engine *e, void *arg) {
  struct stepper *s = arg;
  s->log->times[s->log->n++] = sim_engine_now(e);
  if (s->left-- > 0) {
    /* a near event and a far one: the far one keeps the front ahead */
    sim_engine_after(e, sim_rng_range(&s->rng, 0, 50), step_event, s, NULL);
    if (s->left % 3 == 0) sim_engine_after(e, sim_rng_range(&s->rng, 100, 100000), step_event, s, NULL);
  }
}

static void stepping_matches_one_run(void **state) {
  (void)state;
  static struct log a, b;
  static struct stepper s1, s2;
  a.n = b.n = 0;
  struct sim_engine *e1 = new_engine(), *e2 = new_engine();
  sim_rng_init(&s1.rng, 5, "step");
  sim_rng_init(&s2.rng, 5, "step");
  s1.left = s2.left = 1500;
  s1.log = &a;
  s2.log = &b;
  sim_engine_at(e1, 0, step_event, &s1, NULL);
  sim_engine_at(e2, 0, step_event, &s2, NULL);
  sim_engine_run(e1);
  for (sim_time_t t = 0; sim_engine_pending(e2) > 0; t += 37) sim_engine_run_until(e2, t);
  assert_int_equal(a.n, b.n);
  for (int i = 0; i < a.n; i++) assert_int_equal(a.times[i], b.times[i]);
  sim_engine_free(e1);
  sim_engine_free(e2);
}

static void stopper(struct sim_engine *e, void *arg) {
  record(e, arg);
  sim_engine_stop(e);
}

static void stop_returns_after_current_event(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  struct log log = {0};
  struct rec r[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
  sim_engine_at(e, 1, record, &r[0], NULL);
  sim_engine_at(e, 2, stopper, &r[1], NULL);
  sim_engine_at(e, 3, record, &r[2], NULL);
  assert_int_equal(sim_engine_run(e), SIM_RUN_STOPPED);
  assert_int_equal(log.n, 2);
  assert_int_equal(sim_engine_now(e), 2);
  assert_int_equal(sim_engine_run(e), SIM_RUN_IDLE);
  assert_int_equal(log.n, 3);
  sim_engine_free(e);
}

static void bad_arguments_are_rejected(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  struct log log = {0};
  struct rec r = {&log, 0};
  sim_event_id id = 123;
  assert_int_equal(sim_engine_after(e, -1, record, &r, &id), SIM_EINVAL);
  assert_int_equal(id, 0);
  assert_int_equal(sim_engine_after(e, 1, NULL, &r, NULL), SIM_EINVAL);
  sim_engine_run_until(e, 1000);
  assert_int_equal(sim_engine_at(e, 999, record, &r, NULL), SIM_EINVAL);
  assert_int_equal(sim_engine_at(e, 1000, record, &r, NULL), SIM_OK);
  assert_int_equal(sim_engine_after(e, SIM_TIME_MAX, record, &r, NULL), SIM_EINVAL);
  assert_int_equal(sim_engine_pending(e), 1);
  sim_engine_free(e); /* frees the pending event without running it */
  assert_int_equal(log.n, 0);
  assert_string_equal(sim_err_name(SIM_EINVAL), "SIM_EINVAL");
  assert_string_equal(sim_strerror(-9999), "unknown error");
}

static void nested_run(struct sim_engine *e, void *arg) {
  *(int *)arg = sim_engine_run(e);
}

static void nested_run_is_refused(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  int rc = 0;
  sim_engine_at(e, 1, nested_run, &rc, NULL);
  sim_engine_run(e);
  assert_int_equal(rc, SIM_EBUSY);
  sim_engine_free(e);
}

/* Idle hooks run when the queue empties; scheduling from one keeps going. */
struct idler {
  int calls;
  int refills;
  struct rec r;
};
static void on_idle(struct sim_engine *e, void *arg) {
  struct idler *i = arg;
  i->calls++;
  if (i->refills-- > 0) sim_engine_after(e, 10, record, &i->r, NULL);
}

static void idle_hooks(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  struct log log = {0};
  struct idler idl = {0, 2, {&log, 5}};
  assert_int_equal(sim_engine_on_idle(e, on_idle, &idl), SIM_OK);
  assert_int_equal(sim_engine_run(e), SIM_RUN_IDLE);
  assert_int_equal(idl.calls, 3);
  assert_int_equal(log.n, 2);
  assert_int_equal(sim_engine_now(e), 20);
  /* run_until: the hook sees the idle state at the last event's time, and
   * the clock then advances to the limit. */
  idl.refills = 0;
  assert_int_equal(sim_engine_run_until(e, 100), SIM_RUN_REACHED);
  assert_int_equal(idl.calls, 4);
  assert_int_equal(sim_engine_now(e), 100);
  assert_int_equal(sim_engine_remove_idle(e, on_idle, &idl), SIM_OK);
  assert_int_equal(sim_engine_remove_idle(e, on_idle, &idl), SIM_ENOENT);
  sim_engine_run(e);
  assert_int_equal(idl.calls, 4);
  for (int i = 0; i < SIM_ENGINE_MAX_IDLE_HOOKS; i++)
    assert_int_equal(sim_engine_on_idle(e, on_idle, &idl), SIM_OK);
  assert_int_equal(sim_engine_on_idle(e, on_idle, &idl), SIM_ENOMEM);
  sim_engine_free(e);
}

/* Times spanning the whole 63-bit range order correctly. */
static void extreme_times(void **state) {
  (void)state;
  struct sim_engine *e = new_engine();
  struct log log = {0};
  sim_time_t ts[] = {SIM_TIME_MAX, 1, (sim_time_t)1 << 62, 0, ((sim_time_t)1 << 40) + 3,
                     ((sim_time_t)1 << 40) + 2, SIM_TIME_MAX - 1};
  struct rec r[7];
  for (int i = 0; i < 7; i++) {
    r[i] = (struct rec){&log, i};
    sim_engine_at(e, ts[i], record, &r[i], NULL);
  }
  sim_engine_run(e);
  int expect[] = {3, 1, 5, 4, 2, 6, 0};
  assert_int_equal(log.n, 7);
  for (int i = 0; i < 7; i++) assert_int_equal(log.labels[i], expect[i]);
  sim_engine_free(e);
}

/* Differential test against a model (an unsorted array searched for the
 * least (time, seq)): random schedules, cancels from inside events, and
 * run_until steps, over time scales from nanoseconds to hours. */
#define MODEL_MAX 4096
struct model {
  struct sim_engine *e;
  struct sim_rng rng;
  struct {
    sim_time_t t;
    uint64_t seq;
    sim_event_id id;
    int label;
    int live;
  } ev[MODEL_MAX];
  int n;
  uint64_t seq;
  int next_label;
  int ran[MODEL_MAX * 4];
  int nran;
  int budget;
};

static void model_event(struct sim_engine *e, void *arg);

static void model_schedule(struct model *m) {
  if (m->n == MODEL_MAX || m->budget <= 0) return;
  m->budget--;
  static const sim_time_t scale[] = {1, 1000, 1000000, 3600 * SIM_SEC};
  sim_time_t d = sim_rng_range(&m->rng, 0, 20) * scale[sim_rng_below(&m->rng, 4)];
  int i = m->n++;
  m->ev[i].t = sim_engine_now(m->e) + d;
  m->ev[i].seq = m->seq++;
  m->ev[i].label = m->next_label++;
  m->ev[i].live = 1;
  assert_int_equal(sim_engine_at(m->e, m->ev[i].t, model_event, m, &m->ev[i].id), SIM_OK);
}

static void model_cancel(struct model *m) {
  if (m->n == 0) return;
  int i = (int)sim_rng_below(&m->rng, (uint64_t)m->n);
  int rc = sim_engine_cancel(m->e, m->ev[i].id);
  assert_int_equal(rc, m->ev[i].live ? SIM_OK : SIM_ENOENT);
  m->ev[i].live = 0;
}

/* The model's next event: least (t, seq) among live ones. */
static int model_front(const struct model *m) {
  int best = -1;
  for (int i = 0; i < m->n; i++)
    if (m->ev[i].live && (best < 0 || m->ev[i].t < m->ev[best].t ||
                          (m->ev[i].t == m->ev[best].t && m->ev[i].seq < m->ev[best].seq)))
      best = i;
  return best;
}

static void model_event(struct sim_engine *e, void *arg) {
  struct model *m = arg;
  int f = model_front(m);
  assert_true(f >= 0);
  assert_int_equal(m->ev[f].t, sim_engine_now(e));
  m->ev[f].live = 0;
  m->ran[m->nran++] = m->ev[f].label;
  int k = (int)sim_rng_below(&m->rng, 4);
  while (k-- > 0) {
    if (sim_rng_bernoulli(&m->rng, 0.3)) model_cancel(m);
    else model_schedule(m);
  }
}

static void matches_a_model(void **state) {
  (void)state;
  static struct model m;
  m = (struct model){0};
  m.e = new_engine();
  sim_rng_init(&m.rng, 77, "model");
  m.budget = MODEL_MAX - 1;
  for (int i = 0; i < 50; i++) model_schedule(&m);
  while (sim_engine_pending(m.e) > 0) {
    sim_time_t step = sim_rng_range(&m.rng, 0, 20) * (sim_time_t[]){1, 1000, 1000000, SIM_SEC}[sim_rng_below(&m.rng, 4)];
    sim_engine_run_until(m.e, sim_engine_now(m.e) + step);
    /* between steps, from main context: more schedules and cancels */
    if (sim_rng_bernoulli(&m.rng, 0.5)) model_schedule(&m);
    if (sim_rng_bernoulli(&m.rng, 0.2)) model_cancel(&m);
  }
  assert_int_equal(model_front(&m), -1);
  assert_true(m.nran > 1000);
  sim_engine_free(m.e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(equal_times_run_in_insertion_order),
      cmocka_unit_test(zero_delay_runs_after_due_events),
      cmocka_unit_test(random_times_come_out_sorted),
      cmocka_unit_test(cancel_removes_exactly_that_event),
      cmocka_unit_test(mass_cancel_compacts),
      cmocka_unit_test(cancel_from_inside_an_event),
      cmocka_unit_test(run_until_boundaries),
      cmocka_unit_test(stepping_matches_one_run),
      cmocka_unit_test(stop_returns_after_current_event),
      cmocka_unit_test(bad_arguments_are_rejected),
      cmocka_unit_test(nested_run_is_refused),
      cmocka_unit_test(idle_hooks),
      cmocka_unit_test(extreme_times),
      cmocka_unit_test(matches_a_model),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
