/* The tcpip thread and the two ways into the core (stack/tcpip.h).
 *
 * Messages: a callback (async ones on the heap, waited ones on the
 * caller's stack with a semaphore to wake it), a received frame (the
 * netif named by id: it may be gone by the time the message runs), an
 * expired timer (disarmed in place when the timer is stopped first), or
 * the order to quit.
 *
 * Teardown: stack_free() posts a quit message and lets go; the thread
 * frees its mailbox, lock and state when it gets there, without touching
 * the freed instance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/core/priv.h"
#include "stack/tcpip.h"

enum msg_kind { MSG_CALL, MSG_INPUT, MSG_TIMER, MSG_QUIT };

struct tcpip_msg {
  enum msg_kind kind;
  uint8_t on_heap;
  tcpip_fn fn;
  void *arg;
  struct stack_sem *done; /* MSG_CALL waited on */
  struct pbuf *p;         /* MSG_INPUT */
  uint32_t nif_id;
  struct stack_timer *timer; /* MSG_TIMER; NULL once disarmed */
};

struct tcpip_state {
  struct stack *st; /* NULL once the instance is gone */
  struct stack_port port;
  struct stack_thread *thread;
  struct stack_mbox *mbox;
  struct stack_mutex *lock;  /* core locking, else NULL */
  struct stack_thread *owner; /* holds the core lock */
};

static struct stack_thread *current(const struct stack_port *port) {
  return port->ops->thread_current ? port->ops->thread_current(port->ctx) : NULL;
}

int stack_in_core(struct stack *st) {
  struct tcpip_state *t = st->tcpip;
  if (!t) return 1;
  struct stack_thread *cur = current(&t->port);
  return cur == NULL /* the port's main context */ || cur == t->thread || (t->lock && cur == t->owner);
}

void st_core_violation(struct stack *st, const char *where) {
  st_finding(st, "core_context", where,
             "raw API called outside the tcpip thread without the core lock");
}

static void run(struct tcpip_state *t, struct tcpip_msg *m) {
  struct stack *st = t->st;
  switch (m->kind) {
  case MSG_CALL:
    m->fn(m->arg);
    break;
  case MSG_INPUT: {
    struct stack_netif *nif = st->netifs;
    while (nif && nif->id != m->nif_id) nif = nif->next;
    if (nif) stack_netif_input(nif, m->p);
    else {
      st_drop(st, STACK_DROP_NETIF_REMOVED);
      pbuf_free(m->p);
    }
    break;
  }
  case MSG_TIMER:
    if (m->timer) stimer_run(m->timer);
    break;
  case MSG_QUIT:
    break;
  }
}

static void *tcpip_thread(void *arg) {
  struct tcpip_state *t = arg;
  for (;;) {
    void *v = NULL;
    if (t->port.ops->mbox_fetch(t->port.ctx, t->mbox, &v, STACK_WAIT_FOREVER) != STACK_OK) continue;
    struct tcpip_msg *m = v;
    if (m->kind == MSG_QUIT) {
      free(m);
      break;
    }
    if (!t->st) { /* queued before the instance went: nothing left to do it on */
      if (m->kind == MSG_CALL && m->done) t->port.ops->sem_post(t->port.ctx, m->done);
      if (m->on_heap) free(m);
      continue;
    }
    if (t->lock) {
      t->port.ops->mutex_lock(t->port.ctx, t->lock, STACK_WAIT_FOREVER);
      t->owner = t->thread;
    }
    run(t, m);
    if (t->lock) {
      t->owner = NULL;
      t->port.ops->mutex_unlock(t->port.ctx, t->lock);
    }
    if (m->kind == MSG_CALL && m->done) t->port.ops->sem_post(t->port.ctx, m->done);
    if (m->on_heap) free(m);
  }
  /* the instance is gone: free what we own, and end */
  struct stack_port port = t->port;
  port.ops->mbox_free(port.ctx, t->mbox);
  if (t->lock) port.ops->mutex_free(port.ctx, t->lock);
  free(t);
  return NULL;
}

int stack_tcpip_start(struct stack *st) {
  const struct stack_port_ops *o = st->port.ops;
  if (st->tcpip) return STACK_EBUSY;
  if (!o->thread_new || !o->mbox_new || !o->mbox_fetch || !o->mbox_post || !o->sem_new)
    return STACK_EPERM;
  struct tcpip_state *t = calloc(1, sizeof *t);
  if (!t) return STACK_ENOMEM;
  t->st = st;
  t->port = st->port;
  char name[48];
  snprintf(name, sizeof name, "%s/tcpip", st->name);
  int rc = o->mbox_new(st->port.ctx, name, st->cfg.tcpip_mbox, &t->mbox);
  if (rc == STACK_OK && st->cfg.tcpip_core_locking) {
    snprintf(name, sizeof name, "%s/core", st->name);
    rc = o->mutex_new(st->port.ctx, name, &t->lock);
  }
  if (rc == STACK_OK) {
    snprintf(name, sizeof name, "%s/tcpip", st->name);
    rc = o->thread_new(st->port.ctx, name, tcpip_thread, t, &t->thread);
  }
  if (rc != STACK_OK) {
    if (t->lock) o->mutex_free(st->port.ctx, t->lock);
    if (t->mbox) o->mbox_free(st->port.ctx, t->mbox);
    free(t);
    return rc;
  }
  st->tcpip = t;
  return STACK_OK;
}

int stack_tcpip_running(const struct stack *st) { return st->tcpip != NULL; }

static int post(struct stack *st, struct tcpip_msg *m) {
  struct tcpip_state *t = st->tcpip;
  STACK_YIELD_POINT(&st->port, "tcpip_msg_post");
  return t->port.ops->mbox_post(t->port.ctx, t->mbox, m, 0);
}

static struct tcpip_msg *heap_msg(enum msg_kind kind) {
  struct tcpip_msg *m = calloc(1, sizeof *m);
  if (m) {
    m->kind = kind;
    m->on_heap = 1;
  }
  return m;
}

int tcpip_callback(struct stack *st, tcpip_fn fn, void *arg) {
  if (!st->tcpip) return STACK_EPERM;
  struct tcpip_msg *m = heap_msg(MSG_CALL);
  if (!m) return STACK_ENOMEM;
  m->fn = fn;
  m->arg = arg;
  int rc = post(st, m);
  if (rc != STACK_OK) {
    free(m);
    return STACK_ENOMEM;
  }
  return STACK_OK;
}

int tcpip_callback_wait(struct stack *st, tcpip_fn fn, void *arg) {
  struct tcpip_state *t = st->tcpip;
  if (!t) return STACK_EPERM;
  struct stack_thread *cur = current(&t->port);
  if (cur == t->thread || (t->lock && cur == t->owner)) {
    fn(arg); /* already in core context */
    return STACK_OK;
  }
  if (!cur) return STACK_EPERM; /* main context cannot wait */
  struct tcpip_msg m = {.kind = MSG_CALL, .fn = fn, .arg = arg};
  int rc = t->port.ops->sem_new(t->port.ctx, "tcpip_call", 0, &m.done);
  if (rc != STACK_OK) return rc;
  STACK_YIELD_POINT(&st->port, "tcpip_msg_post");
  rc = t->port.ops->mbox_post(t->port.ctx, t->mbox, &m, STACK_WAIT_FOREVER);
  if (rc == STACK_OK) {
    STACK_YIELD_POINT(&st->port, "tcpip_msg_wait");
    rc = t->port.ops->sem_wait(t->port.ctx, m.done, STACK_WAIT_FOREVER);
  }
  t->port.ops->sem_free(t->port.ctx, m.done);
  return rc;
}

int tcpip_post_input(struct stack_netif *nif, struct pbuf *p) {
  struct tcpip_msg *m = heap_msg(MSG_INPUT);
  if (!m) return STACK_ENOMEM;
  m->p = p;
  m->nif_id = nif->id;
  if (post(nif->st, m) != STACK_OK) {
    free(m);
    return STACK_ENOMEM;
  }
  return STACK_OK;
}

int tcpip_post_timer(struct stack *st, struct stack_timer *tm) {
  struct tcpip_msg *m = heap_msg(MSG_TIMER);
  if (!m) return STACK_ENOMEM;
  m->timer = tm;
  if (post(st, m) != STACK_OK) {
    free(m);
    return STACK_ENOMEM;
  }
  tm->queued = m;
  return STACK_OK;
}

void tcpip_disarm_timer(struct stack_timer *tm) {
  tm->queued->timer = NULL;
  tm->queued = NULL;
}

void tcpip_detach(struct stack *st) {
  struct tcpip_state *t = st->tcpip;
  if (!t) return;
  st->tcpip = NULL;
  t->st = NULL;
  /* The thread ends when it reaches the quit message: anything still
   * queued before it must not touch the instance any more. */
  struct tcpip_msg *q = heap_msg(MSG_QUIT);
  if (q) t->port.ops->mbox_post(t->port.ctx, t->mbox, q, 0);
}

int stack_core_lock(struct stack *st) {
  struct tcpip_state *t = st->tcpip;
  if (!t || !t->lock) return STACK_EPERM;
  struct stack_thread *cur = current(&t->port);
  if (!cur) return STACK_EPERM;
  if (t->owner == cur) return STACK_EBUSY; /* not recursive */
  int rc = t->port.ops->mutex_lock(t->port.ctx, t->lock, STACK_WAIT_FOREVER);
  if (rc == STACK_OK) t->owner = cur;
  return rc;
}

void stack_core_unlock(struct stack *st) {
  struct tcpip_state *t = st->tcpip;
  if (!t || !t->lock || t->owner != current(&t->port)) return;
  t->owner = NULL;
  t->port.ops->mutex_unlock(t->port.ctx, t->lock);
}
