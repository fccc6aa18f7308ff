/* Private interface between the scheduler (vthread.c) and the sync
 * primitives (vsync.c). Not installed; nothing outside sim/ includes it.
 *
 * A primitive keeps its waiters in a struct sim_waitq and blocks the running
 * vthread with sim_wait_block(). Whoever satisfies a waiter unlinks it with
 * sim_waitq_pop() and hands it the result with sim_wait_wake(): the unit
 * (semaphore count, mutex ownership, mailbox slot) is handed over before the
 * waiter runs, so a later arrival can never overtake it.
 */
#ifndef LWSIM_SIM_VTHREAD_INTERNAL_H
#define LWSIM_SIM_VTHREAD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sim/vthread.h"

/* FIFO of blocked vthreads, linked through the threads themselves. */
struct sim_waitq {
  struct sim_vthread *head, *tail;
  uint32_t n;
};

/* What a blocked thread waits for: names the operation in deadlock reports
 * and says what a wait that runs out of time returns. */
struct sim_wait_kind {
  const char *op; /* "sem_wait", "mutex_lock", ... */
  /* snprintf-style: writes "'<object name>' (<state>)" for obj into buf and
   * returns the length it needs (without the NUL). */
  int (*describe)(const void *obj, char *buf, size_t n);
  int timeout_rc; /* SIM_ETIMEDOUT, or 0 for a sleep */
};

/* Block the running vthread on q (q may be NULL: nothing but the timeout can
 * wake it) for `timeout` ns (negative: forever; 0 still goes through the
 * engine, after every event due now). Returns the rc given to
 * sim_wait_wake(), or k->timeout_rc when the time ran out (the thread is then
 * no longer on q). SIM_ENOMEM when the timeout could not be scheduled.
 * Caller: a running vthread (s->current != NULL). */
int sim_wait_block(struct sim_sched *s, struct sim_waitq *q, const struct sim_wait_kind *k,
                   const void *obj, sim_time_t timeout);

/* Unlink and return the first waiter of q (NULL when empty). */
struct sim_vthread *sim_waitq_pop(struct sim_waitq *q);

/* Make t (blocked, already unlinked from its queue) ready with result rc;
 * cancels its timeout. From a vthread it runs after the current thread
 * gives up the CPU; from main context a dispatch event at now runs it. */
void sim_wait_wake(struct sim_vthread *t, int rc);

/* A per-thread slot for a value handed over with a wake-up (the mailbox
 * message). */
void **sim_wait_xfer(struct sim_vthread *t);

#endif
