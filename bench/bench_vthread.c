/* vthread switch cost against OS threads.
 *
 * Two threads ping-pong through two semaphores: A posts `ping` and waits on
 * `pong`, B waits on `ping` and posts `pong`. Each round trip is two
 * handoffs (A -> B, B -> A), and each handoff is one post that wakes the
 * peer plus one wait that blocks and switches to it: the path every
 * message between a stack's threads takes. The same loop runs on two
 * vthreads (sim_sem) and on two pthreads (POSIX sem_t), the latter for
 * fewer rounds because each of its handoffs goes through the kernel.
 *
 * Output (bench/run collects it):
 *   vthread_switch_ns: <ns per handoff> ns
 *   pthread_switch_ns: <ns per handoff> ns
 *   ratio vthread_vs_pthread: <pthread ns / vthread ns>
 * Each figure is the best of REPS timed runs. The wall clock is read here,
 * in bench/, and nowhere in sim/.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/engine.h"
#include "sim/err.h"
#include "sim/vthread.h"

#define VT_ROUNDS 2500000L /* 5,000,000 handoffs */
#define PT_ROUNDS 100000L  /* 200,000 handoffs */
#define REPS 3

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what, int rc) {
  fprintf(stderr, "bench_vthread: %s: %s\n", what, sim_strerror(rc));
  exit(1);
}

/* ------------------------------------------------------------ vthreads -- */

struct vt_pair {
  struct sim_sem *ping, *pong;
  long rounds;
};

static void *vt_a(void *arg) {
  struct vt_pair *p = arg;
  for (long i = 0; i < p->rounds; i++) {
    sim_sem_post(p->ping);
    sim_sem_wait(p->pong, SIM_WAIT_FOREVER);
  }
  return NULL;
}

static void *vt_b(void *arg) {
  struct vt_pair *p = arg;
  for (long i = 0; i < p->rounds; i++) {
    sim_sem_wait(p->ping, SIM_WAIT_FOREVER);
    sim_sem_post(p->pong);
  }
  return NULL;
}

/* ns per handoff for one run of `rounds` round trips. */
static double vt_run(long rounds) {
  struct sim_engine *e;
  struct sim_sched *s;
  struct vt_pair p = {.rounds = rounds};
  int rc;
  if ((rc = sim_engine_new(&e, NULL)) < 0) die("engine", rc);
  if ((rc = sim_sched_new(&s, e, NULL)) < 0) die("sched", rc);
  if ((rc = sim_sem_new(&p.ping, s, "ping", 0)) < 0 || (rc = sim_sem_new(&p.pong, s, "pong", 0)) < 0)
    die("sem", rc);
  const struct sim_vthread_attr attr = {.flags = SIM_VTHREAD_DETACHED};
  /* b first, so it is already waiting when a posts its first ping. */
  if ((rc = sim_vthread_spawn(s, NULL, "b", vt_b, &p, &attr)) < 0 ||
      (rc = sim_vthread_spawn(s, NULL, "a", vt_a, &p, &attr)) < 0)
    die("spawn", rc);
  double t0 = now_ns();
  sim_engine_run(e);
  double t1 = now_ns();
  uint64_t handoffs = sim_sched_switches(s);
  if (handoffs < 2 * (uint64_t)rounds) die("ping-pong did not complete", SIM_EDEADLK);
  sim_sem_free(p.ping);
  sim_sem_free(p.pong);
  sim_sched_free(s);
  sim_engine_free(e);
  return (t1 - t0) / (2.0 * (double)rounds);
}

/* ------------------------------------------------------------ pthreads -- */

struct pt_pair {
  sem_t ping, pong;
  long rounds;
};

static void *pt_b(void *arg) {
  struct pt_pair *p = arg;
  for (long i = 0; i < p->rounds; i++) {
    while (sem_wait(&p->ping) != 0) continue; /* EINTR */
    sem_post(&p->pong);
  }
  return NULL;
}

static double pt_run(long rounds) {
  struct pt_pair p = {.rounds = rounds};
  if (sem_init(&p.ping, 0, 0) != 0 || sem_init(&p.pong, 0, 0) != 0) die("sem_init", SIM_ENOMEM);
  pthread_t b;
  if (pthread_create(&b, NULL, pt_b, &p) != 0) die("pthread_create", SIM_ENOMEM);
  double t0 = now_ns();
  for (long i = 0; i < rounds; i++) {
    sem_post(&p.ping);
    while (sem_wait(&p.pong) != 0) continue;
  }
  double t1 = now_ns();
  pthread_join(b, NULL);
  sem_destroy(&p.ping);
  sem_destroy(&p.pong);
  return (t1 - t0) / (2.0 * (double)rounds);
}

static double best_of(double (*run)(long), long rounds) {
  run(rounds / 10); /* warm up: page in stacks, settle the CPU clock */
  double best = 0;
  for (int i = 0; i < REPS; i++) {
    double ns = run(rounds);
    if (i == 0 || ns < best) best = ns;
  }
  return best;
}

int main(void) {
  double vt = best_of(vt_run, VT_ROUNDS);
  double pt = best_of(pt_run, PT_ROUNDS);
  printf("vthread_switch_ns: %.1f ns\n", vt);
  printf("pthread_switch_ns: %.1f ns\n", pt);
  printf("ratio vthread_vs_pthread: %.1f\n", pt / vt);
  return 0;
}
