/* stack/port.h on sim/: virtual time, engine events, named streams,
 * vthreads, and an Ethernet driver on sim media. */
#include "stack/ports/sim/sim_port.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/err.h"
#include "sim/rng.h"
#include "stack/pbuf.h"

struct sim_eth {
  struct sim_eth *next;
  struct stack_sim_node *node;
  struct stack_netif *nif; /* NULL once the netif is removed */
  struct sim_port *port;
};

struct stack_sim_node {
  struct sim_engine *e;
  struct sim_sched *sched;
  struct sim_trace *trace;
  struct sim_rng rng;
  char name[32];
  struct stack_sim_finding *findings;
  size_t nfindings, cap_findings;
  struct sim_eth *eths;
};

/* Map sim error codes to the stack's. */
static int err_of(int rc) {
  switch (rc) {
  case SIM_OK: return STACK_OK;
  case SIM_ETIMEDOUT: return STACK_ETIMEDOUT;
  case SIM_EAGAIN: return STACK_EAGAIN;
  case SIM_ENOMEM: return STACK_ENOMEM;
  case SIM_ENOENT: return STACK_ENOENT;
  case SIM_EPERM: return STACK_EPERM;
  case SIM_EBUSY: return STACK_EBUSY;
  default: return STACK_EINVAL;
  }
}

static sim_time_t timeout_of(stack_time_t t) { return t < 0 ? SIM_WAIT_FOREVER : t; }

/* ----------------------------------------------------------- time ----- */

static stack_time_t p_now(void *ctx) { return sim_engine_now(((struct stack_sim_node *)ctx)->e); }

static void timer_event(struct sim_engine *e, void *arg) {
  (void)e;
  struct stack_port_timer *t = arg;
  t->fn(t->arg);
}

static int p_timer_start(void *ctx, stack_time_t at, struct stack_port_timer *t) {
  struct stack_sim_node *n = ctx;
  return err_of(sim_engine_at(n->e, at, timer_event, t, &t->handle));
}

static int p_timer_cancel(void *ctx, struct stack_port_timer *t) {
  return err_of(sim_engine_cancel(((struct stack_sim_node *)ctx)->e, t->handle));
}

static uint64_t p_random(void *ctx) { return sim_rng_u64(&((struct stack_sim_node *)ctx)->rng); }

/* ------------------------------------------------- logs and findings -- */

static void p_log(void *ctx, enum stack_log_level level, const char *msg) {
  struct stack_sim_node *n = ctx;
  static const char *const names[] = {"debug", "info", "warn", "error"};
  if (!n->trace || level < STACK_LOG_INFO) return;
  sim_trace_begin(n->trace, sim_engine_now(n->e), n->name, "log");
  sim_trace_str(n->trace, "level", names[level]);
  sim_trace_str(n->trace, "msg", msg);
  sim_trace_end(n->trace);
}

static void p_finding(void *ctx, const struct stack_finding *f) {
  struct stack_sim_node *n = ctx;
  if (n->nfindings == n->cap_findings) {
    size_t cap = n->cap_findings ? n->cap_findings * 2 : 4;
    struct stack_sim_finding *v = realloc(n->findings, cap * sizeof *v);
    if (!v) return;
    n->findings = v;
    n->cap_findings = cap;
  }
  struct stack_sim_finding *r = &n->findings[n->nfindings++];
  r->time = sim_engine_now(n->e);
  snprintf(r->kind, sizeof r->kind, "%s", f->kind ? f->kind : "");
  snprintf(r->where, sizeof r->where, "%s", f->where ? f->where : "");
  snprintf(r->detail, sizeof r->detail, "%s", f->detail ? f->detail : "");
  if (n->trace) {
    sim_trace_begin(n->trace, r->time, n->name, "finding");
    sim_trace_str(n->trace, "finding", r->kind);
    sim_trace_str(n->trace, "where", r->where);
    sim_trace_end(n->trace);
  }
}

static void p_yield_point(void *ctx, const char *name) {
  struct stack_sim_node *n = ctx;
  if (n->sched) sim_yield_point(n->sched, name);
}

/* ------------------------------------------------- threads and sync --- */

static int p_thread_new(void *ctx, const char *name, void *(*fn)(void *), void *arg,
                        struct stack_thread **out) {
  struct stack_sim_node *n = ctx;
  if (!n->sched) return STACK_EPERM;
  struct sim_vthread *t;
  struct sim_vthread_attr a = {.flags = SIM_VTHREAD_DETACHED | SIM_VTHREAD_DAEMON};
  int rc = sim_vthread_spawn(n->sched, &t, name, fn, arg, &a);
  if (out) *out = rc == SIM_OK ? (struct stack_thread *)t : NULL;
  return err_of(rc);
}

static struct stack_thread *p_thread_current(void *ctx) {
  struct stack_sim_node *n = ctx;
  return n->sched ? (struct stack_thread *)sim_sched_current(n->sched) : NULL;
}

static int p_sem_new(void *ctx, const char *name, uint32_t initial, struct stack_sem **out) {
  struct stack_sim_node *n = ctx;
  if (!n->sched) return STACK_EPERM;
  return err_of(sim_sem_new((struct sim_sem **)out, n->sched, name, initial));
}
static void p_sem_free(void *ctx, struct stack_sem *s) {
  (void)ctx;
  sim_sem_free((struct sim_sem *)s);
}
static int p_sem_wait(void *ctx, struct stack_sem *s, stack_time_t timeout) {
  (void)ctx;
  return err_of(sim_sem_wait((struct sim_sem *)s, timeout_of(timeout)));
}
static void p_sem_post(void *ctx, struct stack_sem *s) {
  (void)ctx;
  sim_sem_post((struct sim_sem *)s);
}
static int p_mutex_new(void *ctx, const char *name, struct stack_mutex **out) {
  struct stack_sim_node *n = ctx;
  if (!n->sched) return STACK_EPERM;
  return err_of(sim_mutex_new((struct sim_mutex **)out, n->sched, name));
}
static void p_mutex_free(void *ctx, struct stack_mutex *m) {
  (void)ctx;
  sim_mutex_free((struct sim_mutex *)m);
}
static int p_mutex_lock(void *ctx, struct stack_mutex *m, stack_time_t timeout) {
  (void)ctx;
  return err_of(sim_mutex_lock((struct sim_mutex *)m, timeout_of(timeout)));
}
static void p_mutex_unlock(void *ctx, struct stack_mutex *m) {
  (void)ctx;
  sim_mutex_unlock((struct sim_mutex *)m);
}
static int p_mbox_new(void *ctx, const char *name, uint32_t capacity, struct stack_mbox **out) {
  struct stack_sim_node *n = ctx;
  if (!n->sched) return STACK_EPERM;
  return err_of(sim_mbox_new((struct sim_mbox **)out, n->sched, name, capacity));
}
static void p_mbox_free(void *ctx, struct stack_mbox *b) {
  (void)ctx;
  sim_mbox_free((struct sim_mbox *)b);
}
static int p_mbox_post(void *ctx, struct stack_mbox *b, void *msg, stack_time_t timeout) {
  (void)ctx;
  return err_of(sim_mbox_post((struct sim_mbox *)b, msg, timeout_of(timeout)));
}
static int p_mbox_fetch(void *ctx, struct stack_mbox *b, void **msg, stack_time_t timeout) {
  (void)ctx;
  return err_of(sim_mbox_fetch((struct sim_mbox *)b, msg, timeout_of(timeout)));
}

static const struct stack_port_ops sim_ops = {
    .now = p_now,
    .timer_start = p_timer_start,
    .timer_cancel = p_timer_cancel,
    .random = p_random,
    .log = p_log,
    .finding = p_finding,
    .yield_point = p_yield_point,
    .thread_new = p_thread_new,
    .thread_current = p_thread_current,
    .sem_new = p_sem_new,
    .sem_free = p_sem_free,
    .sem_wait = p_sem_wait,
    .sem_post = p_sem_post,
    .mutex_new = p_mutex_new,
    .mutex_free = p_mutex_free,
    .mutex_lock = p_mutex_lock,
    .mutex_unlock = p_mutex_unlock,
    .mbox_new = p_mbox_new,
    .mbox_free = p_mbox_free,
    .mbox_post = p_mbox_post,
    .mbox_fetch = p_mbox_fetch,
};

/* ------------------------------------------------------------ nodes --- */

int stack_sim_node_new(struct stack_sim_node **out, struct sim_engine *e, struct sim_sched *sched,
                       uint64_t seed, const char *name, struct sim_trace *trace) {
  *out = NULL;
  if (!e || !name) return STACK_EINVAL;
  struct stack_sim_node *n = calloc(1, sizeof *n);
  if (!n) return STACK_ENOMEM;
  n->e = e;
  n->sched = sched;
  n->trace = trace;
  snprintf(n->name, sizeof n->name, "%s", name);
  char stream[48];
  snprintf(stream, sizeof stream, "node/%s", n->name);
  sim_rng_init(&n->rng, seed, stream);
  *out = n;
  return STACK_OK;
}

void stack_sim_node_free(struct stack_sim_node *n) {
  if (!n) return;
  for (struct sim_eth *d = n->eths, *next; d; d = next) {
    next = d->next;
    free(d);
  }
  free(n->findings);
  free(n);
}

struct stack_port stack_sim_node_port(struct stack_sim_node *n) {
  return (struct stack_port){&sim_ops, n};
}

size_t stack_sim_node_findings(const struct stack_sim_node *n) { return n->nfindings; }
const struct stack_sim_finding *stack_sim_node_finding(const struct stack_sim_node *n, size_t i) {
  return i < n->nfindings ? &n->findings[i] : NULL;
}

/* ------------------------------------------------------- Ethernet ----- */

static void eth_rx(void *user, struct sim_port *port, const uint8_t *frame, size_t len) {
  (void)port;
  struct sim_eth *d = user;
  if (d->nif) stack_netif_input_frame(d->nif, frame, len);
}

static int eth_output(struct stack_netif *nif, struct pbuf *p) {
  struct sim_eth *d = stack_netif_driver(nif);
  if (!p->next) /* one buffer: hand it over as it is (the medium copies) */
    return sim_port_send(d->port, p->payload, p->len) < 0 ? STACK_EMSGSIZE : STACK_OK;
  uint8_t small[2048];
  uint8_t *buf = p->tot_len <= sizeof small ? small : malloc(p->tot_len);
  if (!buf) return STACK_ENOMEM;
  size_t n = pbuf_copy_out(p, buf, p->tot_len, 0);
  int rc = sim_port_send(d->port, buf, n);
  if (buf != small) free(buf);
  return rc < 0 ? STACK_EMSGSIZE : STACK_OK;
}

static void eth_detach(struct stack_netif *nif) {
  struct sim_eth *d = stack_netif_driver(nif);
  d->nif = NULL;
}

int stack_sim_eth_attach(struct stack_sim_node *n, struct stack *st, struct sim_medium *m,
                         const char *ifname, struct eth_addr mac, uint16_t mtu,
                         struct stack_netif **out) {
  *out = NULL;
  struct sim_eth *d = calloc(1, sizeof *d);
  if (!d) return STACK_ENOMEM;
  int rc = sim_port_new(&d->port, m, n->name, ifname, eth_rx, d);
  if (rc < 0) {
    free(d);
    return err_of(rc);
  }
  struct stack_netif_config c = {
      .name = ifname, .mac = mac, .mtu = mtu, .output = eth_output, .driver = d, .detach = eth_detach};
  rc = stack_netif_add(st, &c, &d->nif);
  if (rc < 0) {
    /* The sim port stays on the medium (media have no port removal) and
     * simply drops what reaches it. */
    d->nif = NULL;
  }
  d->node = n;
  d->next = n->eths;
  n->eths = d;
  *out = d->nif;
  return rc;
}

struct sim_port *stack_sim_eth_port(struct stack_netif *nif) {
  struct sim_eth *d = stack_netif_driver(nif);
  return d && d->nif == nif ? d->port : NULL;
}
