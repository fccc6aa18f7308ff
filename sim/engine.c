/* The engine front: argument checks, idle hooks, nested-run guard. The
 * queue itself lives in a backend (engine_builtin.c, or sim/ns3/). */
#include "sim/engine.h"

#include <stdlib.h>

#include "sim/err.h"

struct sim_idle_hook {
  sim_idle_fn fn;
  void *arg;
};

struct sim_engine {
  const struct sim_engine_backend *be;
  void *impl;
  sim_time_t now; /* written by the backend */
  int running; /* inside sim_engine_run / run_until: nested runs are refused */
  unsigned nhooks;
  struct sim_idle_hook hooks[SIM_ENGINE_MAX_IDLE_HOOKS];
};

int sim_engine_new(struct sim_engine **out, const struct sim_engine_backend *backend) {
  if (!out) return SIM_EINVAL;
  *out = NULL;
  struct sim_engine *e = calloc(1, sizeof *e);
  if (!e) return SIM_ENOMEM;
  e->be = backend ? backend : &sim_engine_builtin;
  int rc = e->be->create(e, &e->now, &e->impl);
  if (rc < 0) {
    free(e);
    return rc;
  }
  *out = e;
  return SIM_OK;
}

void sim_engine_free(struct sim_engine *e) {
  if (!e) return;
  e->be->destroy(e->impl);
  free(e);
}

const char *sim_engine_backend_name(const struct sim_engine *e) { return e->be->name; }

sim_time_t sim_engine_now(const struct sim_engine *e) { return e->now; }

int sim_engine_at(struct sim_engine *e, sim_time_t t, sim_event_fn fn, void *arg,
                  sim_event_id *id) {
  if (id) *id = 0;
  if (!fn || t < e->now) return SIM_EINVAL;
  return e->be->schedule(e->impl, t, fn, arg, id);
}

int sim_engine_after(struct sim_engine *e, sim_time_t delay, sim_event_fn fn, void *arg,
                     sim_event_id *id) {
  sim_time_t now = e->now;
  if (id) *id = 0;
  if (!fn || delay < 0 || delay > SIM_TIME_MAX - now) return SIM_EINVAL;
  return e->be->schedule(e->impl, now + delay, fn, arg, id);
}

int sim_engine_cancel(struct sim_engine *e, sim_event_id id) {
  if (id == 0) return SIM_ENOENT;
  return e->be->cancel(e->impl, id);
}

/* Runs the backend up to limit, giving the idle hooks a chance each time the
 * queue empties: a hook that schedules something keeps the run going. */
static int sim_engine_drive(struct sim_engine *e, sim_time_t limit) {
  if (e->running) return SIM_EBUSY;
  e->running = 1;
  int st;
  for (;;) {
    st = e->be->run(e->impl, limit);
    if (st != SIM_RUN_IDLE) break;
    for (unsigned i = 0; i < e->nhooks; i++) e->hooks[i].fn(e, e->hooks[i].arg);
    if (e->be->pending(e->impl) == 0) {
      if (limit != SIM_TIME_MAX) {
        e->be->advance(e->impl, limit);
        st = SIM_RUN_REACHED;
      }
      break;
    }
  }
  e->running = 0;
  return st;
}

int sim_engine_run_until(struct sim_engine *e, sim_time_t t) {
  if (t < e->now) return SIM_EINVAL;
  return sim_engine_drive(e, t);
}

int sim_engine_run(struct sim_engine *e) { return sim_engine_drive(e, SIM_TIME_MAX); }

void sim_engine_stop(struct sim_engine *e) { e->be->stop(e->impl); }

size_t sim_engine_pending(const struct sim_engine *e) { return e->be->pending(e->impl); }

uint64_t sim_engine_executed(const struct sim_engine *e) { return e->be->executed(e->impl); }

int sim_engine_on_idle(struct sim_engine *e, sim_idle_fn fn, void *arg) {
  if (!fn) return SIM_EINVAL;
  if (e->nhooks == SIM_ENGINE_MAX_IDLE_HOOKS) return SIM_ENOMEM;
  e->hooks[e->nhooks++] = (struct sim_idle_hook){fn, arg};
  return SIM_OK;
}

int sim_engine_remove_idle(struct sim_engine *e, sim_idle_fn fn, void *arg) {
  for (unsigned i = 0; i < e->nhooks; i++) {
    if (e->hooks[i].fn == fn && e->hooks[i].arg == arg) {
      for (unsigned j = i + 1; j < e->nhooks; j++) e->hooks[j - 1] = e->hooks[j];
      e->nhooks--;
      return SIM_OK;
    }
  }
  return SIM_ENOENT;
}
