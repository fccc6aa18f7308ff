/* Engine throughput against ns-3's own schedulers, same workloads, same run.
 *
 *  chain:   N events, each scheduling the next at +1 ns (queue depth 1).
 *  pending: N events with P always outstanding: each schedules one more at
 *           a pseudo-random delay in [1, 1 ms] (lwsim_bench_delay), so the
 *           queue holds about P events at scattered future times.
 * Each figure is the best of REPS timed repetitions (the machine is noisy;
 * the best run is the least disturbed). Both sides must end at the same
 * virtual time, proving they did the same work.
 *
 * Prints `name: value unit` lines; the `ratio` lines divide ns-3's fastest
 * scheduler's time per event by lwsim's (higher is better for lwsim).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/engine.h"
#include "sim/ns3/bench_ref.h"

#define N 10000000ull
#define PENDING 1000u
#define MAX_DELAY 1000000
#define SEED 42u
#define REPS 3

static double wall(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Workload state at file scope, as on the ns-3 side (its events are free
 * functions): the same memory layout for both. */
static struct work {
  uint64_t remaining;
  uint64_t rng;
} work;

static void chain_event(struct sim_engine *e, void *arg) {
  struct work *w = arg;
  if (--w->remaining > 0) sim_engine_after(e, 1, chain_event, w, NULL);
}

static void pending_event(struct sim_engine *e, void *arg) {
  struct work *w = arg;
  if (--w->remaining > 0)
    sim_engine_after(e, lwsim_bench_delay(&w->rng, MAX_DELAY), pending_event, w, NULL);
  else
    sim_engine_stop(e);
}

static int64_t lwsim_chain(void) {
  struct sim_engine *e;
  work = (struct work){N, 0};
  if (sim_engine_new(&e, NULL) < 0) abort();
  sim_engine_after(e, 1, chain_event, &work, NULL);
  sim_engine_run(e);
  int64_t t = sim_engine_now(e);
  sim_engine_free(e);
  return t;
}

static int64_t lwsim_pending(void) {
  struct sim_engine *e;
  work = (struct work){N, SEED};
  if (sim_engine_new(&e, NULL) < 0) abort();
  for (unsigned i = 0; i < PENDING; i++)
    sim_engine_after(e, lwsim_bench_delay(&work.rng, MAX_DELAY), pending_event, &work, NULL);
  sim_engine_run(e);
  int64_t t = sim_engine_now(e);
  sim_engine_free(e);
  return t;
}

#ifdef LWSIM_BENCH_NS3
static const char *ns3_scheduler;
static int64_t ns3_chain(void) { return lwsim_ns3ref_chain(N, ns3_scheduler); }
static int64_t ns3_pending(void) {
  return lwsim_ns3ref_pending(N, PENDING, SEED, MAX_DELAY, ns3_scheduler);
}
#endif

/* Best nanoseconds per event over REPS runs; *end receives the final time. */
static double best_ns(int64_t (*fn)(void), int64_t *end) {
  double best = 1e300;
  for (int r = 0; r < REPS; r++) {
    double t0 = wall();
    *end = fn();
    double dt = wall() - t0;
    if (dt < best) best = dt;
  }
  return best * 1e9 / (double)N;
}

int main(void) {
  int64_t chain_end, pending_end;
  double chain = best_ns(lwsim_chain, &chain_end);
  double pending = best_ns(lwsim_pending, &pending_end);
  printf("engine_chain_ns: %.1f ns/event\n", chain);
  printf("engine_pending_ns: %.1f ns/event\n", pending);
#ifdef LWSIM_BENCH_NS3
  static const struct {
    const char *type, *label;
  } scheds[] = {{"ns3::MapScheduler", "map"}, {"ns3::PriorityQueueScheduler", "pq"}};
  double best_chain = 1e300, best_pending = 1e300;
  for (size_t i = 0; i < sizeof scheds / sizeof scheds[0]; i++) {
    int64_t end;
    ns3_scheduler = scheds[i].type;
    double c = best_ns(ns3_chain, &end);
    if (end != chain_end) {
      fprintf(stderr, "bench_engine: ns-3 chain ended at %" PRId64 ", lwsim at %" PRId64 "\n", end, chain_end);
      return 1;
    }
    double p = best_ns(ns3_pending, &end);
    if (end != pending_end) {
      fprintf(stderr, "bench_engine: ns-3 pending ended at %" PRId64 ", lwsim at %" PRId64 "\n", end, pending_end);
      return 1;
    }
    printf("ns3_%s_chain_ns: %.1f ns/event\n", scheds[i].label, c);
    printf("ns3_%s_pending_ns: %.1f ns/event\n", scheds[i].label, p);
    if (c < best_chain) best_chain = c;
    if (p < best_pending) best_pending = p;
  }
  printf("ratio engine_chain_vs_ns3: %.2f\n", best_chain / chain);
  printf("ratio engine_pending_vs_ns3: %.2f\n", best_pending / pending);
#else
  printf("ratio engine_chain_vs_ns3: unavailable (built without ns-3)\n");
  printf("ratio engine_pending_vs_ns3: unavailable (built without ns-3)\n");
#endif
  return 0;
}
