/* The engine: one virtual clock and a queue of timed events.
 *
 * Time is a signed 64-bit count of virtual nanoseconds, starting at 0. Events
 * are totally ordered by (time, insertion sequence): two events at the same
 * time run in the order they were scheduled, on every backend. Nothing here
 * ever reads the wall clock.
 *
 * Every operation goes through a small backend table so that another engine
 * (ns-3's Simulator, sim/ns3/) can replace the built-in one; code written
 * against this header runs unchanged on either.
 *
 * Not thread safe: one OS thread drives an engine (vthreads are coroutines
 * on that thread).
 */
#ifndef LWSIM_SIM_ENGINE_H
#define LWSIM_SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time_t;

#define SIM_NSEC ((sim_time_t)1)
#define SIM_USEC ((sim_time_t)1000)
#define SIM_MSEC ((sim_time_t)1000000)
#define SIM_SEC ((sim_time_t)1000000000)
#define SIM_TIME_MAX INT64_MAX

/* Names one scheduled event. 0 never names an event, so it can mean "none".
 * An id stays unique for the engine's lifetime: cancelling an id whose event
 * already ran (or was cancelled) is a harmless SIM_ENOENT, even if its
 * storage was reused. */
typedef uint64_t sim_event_id;

struct sim_engine;
typedef void (*sim_event_fn)(struct sim_engine *e, void *arg);

/* What a run call stopped on. */
enum sim_run_status {
  SIM_RUN_IDLE = 0,    /* no event left (and idle hooks added none) */
  SIM_RUN_REACHED = 1, /* run_until: every event <= limit ran; now == limit */
  SIM_RUN_STOPPED = 2, /* sim_engine_stop() was called from an event */
};

/* A backend implements the queue and the loop. The engine checks arguments
 * (time not in the past, no nested run) before calling in, so backends may
 * assume them. */
struct sim_engine_backend {
  const char *name;
  /* The backend keeps *clock equal to its current time: the front reads the
   * clock without calling in. */
  int (*create)(struct sim_engine *owner, sim_time_t *clock, void **impl);
  void (*destroy)(void *impl);
  /* Schedule fn(owner, arg) at absolute time t >= now. */
  int (*schedule)(void *impl, sim_time_t t, sim_event_fn fn, void *arg, sim_event_id *id);
  /* 0, or SIM_ENOENT when id is not pending. */
  int (*cancel)(void *impl, sim_event_id id);
  /* Run events with time <= limit in order. Returns SIM_RUN_IDLE as soon as
   * the queue is empty (now stays at the last event's time),
   * SIM_RUN_REACHED when the next event lies beyond limit (now is set to
   * limit), SIM_RUN_STOPPED after the event that called stop. */
  int (*run)(void *impl, sim_time_t limit);
  /* Set now to t; called only with an empty queue and t >= now. */
  void (*advance)(void *impl, sim_time_t t);
  void (*stop)(void *impl);
  size_t (*pending)(void *impl);
  uint64_t (*executed)(void *impl);
};

/* The built-in backend: pure C, the default. */
extern const struct sim_engine_backend sim_engine_builtin;

/* Create an engine on `backend` (NULL: built-in). */
int sim_engine_new(struct sim_engine **out, const struct sim_engine_backend *backend);
/* Free the engine. Pending events are dropped without running. */
void sim_engine_free(struct sim_engine *e);
const char *sim_engine_backend_name(const struct sim_engine *e);

sim_time_t sim_engine_now(const struct sim_engine *e);

/* Schedule fn(e, arg) at absolute time t. SIM_EINVAL when t < now or fn is
 * NULL. `id` may be NULL. */
int sim_engine_at(struct sim_engine *e, sim_time_t t, sim_event_fn fn, void *arg,
                  sim_event_id *id);
/* Schedule after a delay from now. SIM_EINVAL when delay < 0 or now + delay
 * overflows. A delay of 0 runs after every event already due now. */
int sim_engine_after(struct sim_engine *e, sim_time_t delay, sim_event_fn fn, void *arg,
                     sim_event_id *id);
/* Cancel a pending event: 0, or SIM_ENOENT when it is not pending (already
 * ran, already cancelled, or id 0). */
int sim_engine_cancel(struct sim_engine *e, sim_event_id id);

/* Run every event with time <= t, then set now to t: returns SIM_RUN_REACHED
 * (or SIM_RUN_STOPPED). Events exactly at t run. SIM_EINVAL when t < now,
 * SIM_EBUSY when called from inside an event. */
int sim_engine_run_until(struct sim_engine *e, sim_time_t t);
/* Run until no event is left (SIM_RUN_IDLE) or stopped (SIM_RUN_STOPPED). */
int sim_engine_run(struct sim_engine *e);
/* From inside an event: make the current run call return after this event. */
void sim_engine_stop(struct sim_engine *e);

size_t sim_engine_pending(const struct sim_engine *e);
/* Events run so far. */
uint64_t sim_engine_executed(const struct sim_engine *e);

/* Idle hooks run, in registration order, each time the queue runs empty
 * during sim_engine_run or sim_engine_run_until. A hook may schedule events;
 * the run then goes on. At most SIM_ENGINE_MAX_IDLE_HOOKS (SIM_ENOMEM). The
 * vthread scheduler uses one to detect deadlocks. */
#define SIM_ENGINE_MAX_IDLE_HOOKS 8
typedef void (*sim_idle_fn)(struct sim_engine *e, void *arg);
int sim_engine_on_idle(struct sim_engine *e, sim_idle_fn fn, void *arg);
int sim_engine_remove_idle(struct sim_engine *e, sim_idle_fn fn, void *arg);

#endif
