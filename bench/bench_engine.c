/* Engine throughput against ns-3's own schedulers, same workloads, same run.
 *
 *  chain:   N events, each scheduling the next at +1 ns (queue depth 1).
 *  pending: N events with P always outstanding: each schedules one more at
 *           a pseudo-random delay in [1, 1 ms] (lwsim_bench_delay), so the
 *           queue holds about P events at scattered future times.
 * Each figure is the best of REPS timed repetitions, interleaved across
 * all workloads (the machine is noisy; the best run is the least
 * disturbed). ns-3's four general schedulers are measured; the ratio is
 * against the fastest of them on each workload. Both sides must end at the same
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
#define REPS 5

static double wall(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Workload state at file scope, used directly as the ns-3 side uses its
 * own (its events are free functions with no argument): the same code
 * shape on both sides. */
static struct work {
  uint64_t remaining;
  uint64_t rng;
} work;

static void chain_event(struct sim_engine *e, void *arg) {
  (void)arg;
  if (--work.remaining > 0) sim_engine_after(e, 1, chain_event, NULL, NULL);
}

static void pending_event(struct sim_engine *e, void *arg) {
  (void)arg;
  if (--work.remaining > 0)
    sim_engine_after(e, lwsim_bench_delay(&work.rng, MAX_DELAY), pending_event, NULL, NULL);
  else
    sim_engine_stop(e);
}

static int64_t lwsim_chain(void) {
  struct sim_engine *e;
  work = (struct work){N, 0};
  if (sim_engine_new(&e, NULL) < 0) abort();
  sim_engine_after(e, 1, chain_event, NULL, NULL);
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
    sim_engine_after(e, lwsim_bench_delay(&work.rng, MAX_DELAY), pending_event, NULL, NULL);
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

/* One measured workload: lwsim's engine, or ns-3 with one of its
 * schedulers. Repetitions are interleaved across all of them, so a noisy
 * stretch of the machine hits every side alike; each keeps its best. */
struct job {
  const char *label;   /* printed as <label>_ns */
  int64_t (*fn)(void);
  const char *ns3;     /* ns-3 scheduler type, NULL for lwsim */
  int pending;         /* 0: chain workload */
  double best;
  int64_t end;
};

int main(void) {
  struct job jobs[] = {
      {"engine_chain", lwsim_chain, NULL, 0, 1e300, 0},
      {"engine_pending", lwsim_pending, NULL, 1, 1e300, 0},
#ifdef LWSIM_BENCH_NS3
      {"ns3_map_chain", ns3_chain, "ns3::MapScheduler", 0, 1e300, 0},
      {"ns3_map_pending", ns3_pending, "ns3::MapScheduler", 1, 1e300, 0},
      {"ns3_heap_chain", ns3_chain, "ns3::HeapScheduler", 0, 1e300, 0},
      {"ns3_heap_pending", ns3_pending, "ns3::HeapScheduler", 1, 1e300, 0},
      {"ns3_pq_chain", ns3_chain, "ns3::PriorityQueueScheduler", 0, 1e300, 0},
      {"ns3_pq_pending", ns3_pending, "ns3::PriorityQueueScheduler", 1, 1e300, 0},
      {"ns3_calendar_chain", ns3_chain, "ns3::CalendarScheduler", 0, 1e300, 0},
      {"ns3_calendar_pending", ns3_pending, "ns3::CalendarScheduler", 1, 1e300, 0},
#endif
  };
  const size_t njobs = sizeof jobs / sizeof jobs[0];
  for (int r = 0; r < REPS; r++) {
    for (size_t i = 0; i < njobs; i++) {
#ifdef LWSIM_BENCH_NS3
      ns3_scheduler = jobs[i].ns3;
#endif
      double t0 = wall();
      jobs[i].end = jobs[i].fn();
      double dt = (wall() - t0) * 1e9 / (double)N;
      if (dt < jobs[i].best) jobs[i].best = dt;
    }
  }
  /* Every side must have done the same work: the same final time. */
  double best_ns3[2] = {1e300, 1e300};
  for (size_t i = 0; i < njobs; i++) {
    const struct job *ref = &jobs[jobs[i].pending];
    if (jobs[i].end != ref->end) {
      fprintf(stderr, "bench_engine: %s ended at %" PRId64 ", %s at %" PRId64 "\n",
              jobs[i].label, jobs[i].end, ref->label, ref->end);
      return 1;
    }
    printf("%s_ns: %.1f ns/event\n", jobs[i].label, jobs[i].best);
    if (jobs[i].ns3 && jobs[i].best < best_ns3[jobs[i].pending])
      best_ns3[jobs[i].pending] = jobs[i].best;
  }
#ifdef LWSIM_BENCH_NS3
  printf("ratio engine_chain_vs_ns3: %.2f\n", best_ns3[0] / jobs[0].best);
  printf("ratio engine_pending_vs_ns3: %.2f\n", best_ns3[1] / jobs[1].best);
#else
  (void)best_ns3;
  printf("ratio engine_chain_vs_ns3: unavailable (built without ns-3)\n");
  printf("ratio engine_pending_vs_ns3: unavailable (built without ns-3)\n");
#endif
  return 0;
}
