/* The runner (see runner.h): world building, actions, one run, the
 * record, and the run folder. */
#include "harness/runner.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/catalog.h"
#include "harness/world.h"
#include "reports/util.h"
#include "sim/err.h"

/* ------------------------------------------------------------ trace --- */

void lwsim_world_trace(struct lwsim_world *w, const char *node, const char *kind,
                       const char *key, const char *value) {
  sim_trace_begin(w->trace, sim_engine_now(w->e), node, kind);
  if (key) sim_trace_str(w->trace, key, value ? value : "");
  sim_trace_end(w->trace);
}

/* ---------------------------------------------------------- actions --- */

static struct lwsim_netdev *dev_of(struct lwsim_world *w, struct lwsim_sc_port_ref p) {
  return &w->nodes[p.node].devs[p.netif];
}

/* Calls fn on every port attached to medium m, in node then netif order. */
static void each_port(struct lwsim_world *w, int m, void (*fn)(struct sim_port *, const void *),
                      const void *arg) {
  for (size_t n = 0; n < w->sc->nnodes; n++)
    for (size_t i = 0; i < w->sc->nodes[n].nnetifs; i++)
      if (w->sc->nodes[n].netifs[i].medium == m) fn(w->nodes[n].devs[i].port, arg);
}

static void set_tx_impair(struct sim_port *p, const void *imp) {
  sim_port_set_impair(p, SIM_TX, imp);
}
static void set_group0(struct sim_port *p, const void *unused) {
  (void)unused;
  sim_port_set_group(p, 0);
}

static void port_dirs(struct sim_port *p, int dir, int up, const struct sim_impair *imp) {
  if (dir & LWSIM_DIR_TX) {
    if (imp) sim_port_set_impair(p, SIM_TX, imp);
    else sim_port_set_up(p, SIM_TX, up);
  }
  if (dir & LWSIM_DIR_RX) {
    if (imp) sim_port_set_impair(p, SIM_RX, imp);
    else sim_port_set_up(p, SIM_RX, up);
  }
}

/* The trace line of an action: what and on which object. */
static void trace_action(struct lwsim_world *w, const struct lwsim_sc_action *a) {
  const struct lwsim_scenario *sc = w->sc;
  const char *node = "harness";
  sim_trace_begin(w->trace, sim_engine_now(w->e), node, "action");
  sim_trace_str(w->trace, "do", lwsim_action_name(a->kind));
  if (a->medium >= 0) sim_trace_str(w->trace, "medium", sc->media[a->medium].name);
  if (a->port.node >= 0) sim_trace_str(w->trace, "target", sc->nodes[a->port.node].name);
  if (a->port.node >= 0 && a->port.netif >= 0)
    sim_trace_str(w->trace, "netif", sc->nodes[a->port.node].netifs[a->port.netif].name);
  if (a->app >= 0) sim_trace_str(w->trace, "app", sc->apps[a->app].name);
  sim_trace_end(w->trace);
}

static void do_netif(struct lwsim_world *w, const struct lwsim_sc_action *a) {
  struct stack_netif *nif = dev_of(w, a->port)->nif;
  if (!nif) { /* removed earlier: nothing to act on, and the trace says so */
    lwsim_world_trace(w, w->sc->nodes[a->port.node].name, "action_skipped", "reason",
                      "netif removed");
    return;
  }
  switch (a->kind) {
  case LWSIM_ACT_NETIF_REMOVE: stack_netif_remove(nif); break;
  case LWSIM_ACT_NETIF_DOWN: stack_netif_set_up(nif, 0); break;
  case LWSIM_ACT_NETIF_UP: stack_netif_set_up(nif, 1); break;
  case LWSIM_ACT_CARRIER_DOWN: stack_netif_set_link(nif, 0); break;
  case LWSIM_ACT_CARRIER_UP: stack_netif_set_link(nif, 1); break;
  default: break;
  }
}

static void do_partition(struct lwsim_world *w, const struct lwsim_sc_action *a) {
  each_port(w, a->medium, set_group0, NULL);
  for (size_t i = 0; i < a->ngroup_ports; i++)
    sim_port_set_group(dev_of(w, a->group_ports[i])->port, a->group_of[i]);
}

static void action_event(struct sim_engine *e, void *arg) {
  (void)e;
  struct lwsim_world_action *wa = arg;
  struct lwsim_world *w = wa->w;
  const struct lwsim_sc_action *a = wa->a;
  trace_action(w, a);
  switch (a->kind) {
  case LWSIM_ACT_MEDIUM_DOWN: sim_medium_set_up(w->media[a->medium], 0); break;
  case LWSIM_ACT_MEDIUM_UP: sim_medium_set_up(w->media[a->medium], 1); break;
  case LWSIM_ACT_PORT_DOWN: port_dirs(dev_of(w, a->port)->port, a->dir, 0, NULL); break;
  case LWSIM_ACT_PORT_UP: port_dirs(dev_of(w, a->port)->port, a->dir, 1, NULL); break;
  case LWSIM_ACT_IMPAIR:
    if (a->all_ports) each_port(w, a->medium, set_tx_impair, &a->impair);
    else port_dirs(dev_of(w, a->port)->port, a->dir, 0, &a->impair);
    break;
  case LWSIM_ACT_PARTITION: do_partition(w, a); break;
  case LWSIM_ACT_HEAL: sim_medium_heal(w->media[a->medium]); break;
  case LWSIM_ACT_NETIF_REMOVE:
  case LWSIM_ACT_NETIF_DOWN:
  case LWSIM_ACT_NETIF_UP:
  case LWSIM_ACT_CARRIER_DOWN:
  case LWSIM_ACT_CARRIER_UP: do_netif(w, a); break;
  case LWSIM_ACT_APP_START: lwsim_app_start(&w->apps[a->app]); break;
  case LWSIM_ACT_APP_STOP: lwsim_app_stop(&w->apps[a->app]); break;
  case LWSIM_ACT_INJECT: lwsim_netdev_inject(dev_of(w, a->port), a->frame, a->frame_len); break;
  default: break;
  }
}

/* ---------------------------------------------------------- building --- */

struct build_err {
  int code;
  char *msg;
  size_t cap;
};

static int fail(struct build_err *b, int code, const char *fmt, const char *x, const char *y) {
  b->code = code;
  snprintf(b->msg, b->cap, fmt, x, y);
  return code;
}

static int build_node(struct lwsim_world *w, size_t i, struct build_err *b) {
  const struct lwsim_sc_node *sn = &w->sc->nodes[i];
  struct lwsim_world_node *n = &w->nodes[i];
  n->w = w;
  n->idx = (int)i;
  if (stack_sim_node_new(&n->sn, w->e, NULL, w->seed, sn->name, w->trace) < 0)
    return fail(b, LWSIM_RUN_EINTERNAL, "node \"%s\": out of memory%s", sn->name, "");
  struct stack_config c;
  stack_config_default(&c);
  for (size_t k = 0; k < sn->ncfg; k++) lwsim_config_apply(&c, (size_t)sn->cfg[k].field, sn->cfg[k].value);
  c.name = sn->name;
  c.port = stack_sim_node_port(n->sn);
  int rc = stack_new(&n->st, &c);
  if (rc < 0)
    return fail(b, LWSIM_RUN_EINPUT, "node \"%s\": the stack refused its configuration (%s)",
                sn->name, stack_strerror(rc));
  n->devs = calloc(sn->nnetifs ? sn->nnetifs : 1, sizeof *n->devs);
  if (!n->devs) return fail(b, LWSIM_RUN_EINTERNAL, "node \"%s\": out of memory%s", sn->name, "");
  for (size_t k = 0; k < sn->nnetifs; k++) {
    const struct lwsim_sc_netif *f = &sn->netifs[k];
    struct lwsim_netdev *d = &n->devs[k];
    d->e = w->e;
    d->log = &w->log;
    d->node = (int)i;
    d->netif = (int)k;
    d->medium = f->medium;
    rc = lwsim_netdev_attach(d, n->st, w->media[f->medium], sn->name, f->name, f->mac, f->mtu);
    if (rc < 0 || !d->nif)
      return fail(b, LWSIM_RUN_EINPUT, "node \"%s\": netif \"%s\" could not be added (too many "
                  "netifs for config max_netifs?)", sn->name, f->name);
  }
  return 0;
}

/* Netifs up and addressed, once every port is attached and impaired: the
 * gratuitous ARPs of time 0 then reach every peer the same way. */
static void configure_netifs(struct lwsim_world *w) {
  for (size_t i = 0; i < w->sc->nnodes; i++) {
    const struct lwsim_sc_node *sn = &w->sc->nodes[i];
    struct lwsim_world_node *n = &w->nodes[i];
    for (size_t k = 0; k < sn->nnetifs; k++) {
      const struct lwsim_sc_netif *f = &sn->netifs[k];
      struct stack_netif *nif = n->devs[k].nif;
      if (!f->link) stack_netif_set_link(nif, 0);
      if (f->up) stack_netif_set_up(nif, 1);
      if (f->addr) stack_netif_set_addr(nif, f->addr, f->mask, f->gw);
      if (f->is_default) stack_netif_set_default(n->st, nif);
    }
  }
}

/* Media impairments: the medium's default on every port's tx, then the
 * per-port sets. */
static int impair_media(struct lwsim_world *w, struct build_err *b) {
  for (size_t m = 0; m < w->sc->nmedia; m++) {
    const struct lwsim_sc_medium *sm = &w->sc->media[m];
    if (sm->has_impair) each_port(w, (int)m, set_tx_impair, &sm->impair);
    for (size_t k = 0; k < sm->nports; k++) {
      const struct lwsim_sc_port_impair *pi = &sm->ports[k];
      struct sim_port *p = dev_of(w, pi->port)->port;
      if ((pi->has_tx && sim_port_set_impair(p, SIM_TX, &pi->tx) < 0) ||
          (pi->has_rx && sim_port_set_impair(p, SIM_RX, &pi->rx) < 0))
        return fail(b, LWSIM_RUN_EINPUT, "medium \"%s\": impairments refused by the medium%s",
                    sm->name, "");
    }
  }
  return 0;
}

static int schedule_actions(struct lwsim_world *w, struct build_err *b) {
  if (!w->sc->nactions) return 0;
  w->acts = calloc(w->sc->nactions, sizeof *w->acts);
  if (!w->acts) return fail(b, LWSIM_RUN_EINTERNAL, "out of memory%s%s", "", "");
  for (size_t i = 0; i < w->sc->nactions; i++) {
    w->acts[i] = (struct lwsim_world_action){w, &w->sc->actions[i]};
    if (sim_engine_at(w->e, w->sc->actions[i].at, action_event, &w->acts[i], NULL) < 0)
      return fail(b, LWSIM_RUN_EINTERNAL, "could not schedule an action%s%s", "", "");
  }
  return 0;
}

/* Media, nodes, impairments, netif settings, apps, actions. Whatever was built is freed by
 * world_free even when this fails. */
static int world_build(struct lwsim_world *w, const char *trace_path, const char *pcap_dir,
                       struct build_err *b) {
  const struct lwsim_scenario *sc = w->sc;
  if (sim_engine_new(&w->e, NULL) < 0) return fail(b, LWSIM_RUN_EINTERNAL, "out of memory%s%s", "", "");
  if (sim_trace_open(&w->trace, trace_path) < 0)
    return fail(b, LWSIM_RUN_EIO, "cannot write %s: %s", trace_path, strerror(errno));
  w->media = calloc(sc->nmedia ? sc->nmedia : 1, sizeof *w->media);
  w->pcaps = calloc(sc->nmedia ? sc->nmedia : 1, sizeof *w->pcaps);
  w->nodes = calloc(sc->nnodes ? sc->nnodes : 1, sizeof *w->nodes);
  if (!w->media || !w->pcaps || !w->nodes) return fail(b, LWSIM_RUN_EINTERNAL, "out of memory%s%s", "", "");
  for (size_t m = 0; m < sc->nmedia; m++) {
    const struct lwsim_sc_medium *sm = &sc->media[m];
    if (sim_medium_new(&w->media[m], w->e, sm->kind, sm->name, w->seed, w->trace) < 0)
      return fail(b, LWSIM_RUN_EINTERNAL, "out of memory%s%s", "", "");
    if (pcap_dir) {
      char name[LWSIM_NAME_MAX + 8];
      snprintf(name, sizeof name, "%s.pcap", sm->name);
      char *path = lwsim_path_join(pcap_dir, name);
      int rc = path ? sim_pcap_open(&w->pcaps[m], path, 0) : SIM_ENOMEM;
      if (rc < 0) {
        fail(b, LWSIM_RUN_EIO, "cannot write %s: %s", path ? path : name, strerror(errno));
        free(path);
        return b->code;
      }
      free(path);
      sim_medium_capture(w->media[m], w->pcaps[m]);
    }
  }
  for (size_t i = 0; i < sc->nnodes; i++)
    if (build_node(w, i, b) < 0) return b->code;
  if (impair_media(w, b) < 0) return b->code;
  configure_netifs(w);
  if (lwsim_apps_init(w) < 0) return fail(b, LWSIM_RUN_EINTERNAL, "out of memory%s%s", "", "");
  return schedule_actions(w, b);
}

/* Frees everything but the frame log; returns the first error closing the
 * trace or a capture (SIM_EIO), else 0. */
static int world_free(struct lwsim_world *w) {
  lwsim_apps_free(w);
  for (size_t i = 0; w->nodes && i < w->sc->nnodes; i++)
    if (w->nodes[i].st) stack_free(w->nodes[i].st);
  for (size_t m = 0; w->media && m < w->sc->nmedia; m++) sim_medium_free(w->media[m]);
  for (size_t i = 0; w->nodes && i < w->sc->nnodes; i++) {
    stack_sim_node_free(w->nodes[i].sn);
    free(w->nodes[i].devs);
  }
  sim_engine_free(w->e);
  int rc = 0;
  for (size_t m = 0; w->pcaps && m < w->sc->nmedia; m++)
    if (w->pcaps[m] && sim_pcap_close(w->pcaps[m]) < 0) rc = SIM_EIO;
  if (w->trace && sim_trace_close(w->trace) < 0) rc = SIM_EIO;
  free(w->pcaps);
  free(w->media);
  free(w->nodes);
  free(w->acts);
  w->e = NULL;
  w->trace = NULL;
  return rc;
}

/* --------------------------------------------------------- the record -- */

static int record_stats(const struct lwsim_world *w, struct lwsim_report_run *r) {
  char name[48];
  for (size_t i = 0; i < w->sc->nnodes; i++) {
    const struct lwsim_world_node *n = &w->nodes[i];
    struct lwsim_report_node *rn = lwsim_report_add_node(r, w->sc->nodes[i].name);
    if (!rn) return -1;
    const struct stack_stats *s = stack_stats(n->st);
    for (size_t k = 0; k < lwsim_counter_count(); k++)
      if (lwsim_report_kvs_add(&rn->stats, lwsim_counter_name(k, name, sizeof name),
                               lwsim_counter_value(s, k)) < 0)
        return -1;
    for (size_t k = 0; k < stack_sim_node_findings(n->sn); k++) {
      const struct stack_sim_finding *f = stack_sim_node_finding(n->sn, k);
      if (!lwsim_report_add_finding(r, f->kind, w->sc->nodes[i].name, f->where, f->detail, f->time))
        return -1;
    }
  }
  return 0;
}

static int record_port(struct lwsim_report_run *r, const char *medium, const char *node,
                       const char *ifname, const char *dir, const struct sim_media_counters *c) {
  struct lwsim_report_port *p = lwsim_report_add_port(r, medium, node, ifname, dir);
  if (!p) return -1;
  for (size_t k = 0; k < LWSIM_MEDIUM_COUNTERS; k++)
    if (lwsim_report_kvs_add(&p->counters, lwsim_medium_counter_name(k),
                             lwsim_medium_counter_value(c, k)) < 0)
      return -1;
  return 0;
}

static int record_media(const struct lwsim_world *w, struct lwsim_report_run *r) {
  const struct lwsim_scenario *sc = w->sc;
  for (size_t m = 0; m < sc->nmedia; m++)
    for (size_t n = 0; n < sc->nnodes; n++)
      for (size_t i = 0; i < sc->nodes[n].nnetifs; i++) {
        if (sc->nodes[n].netifs[i].medium != (int)m) continue;
        const struct sim_port *p = w->nodes[n].devs[i].port;
        const char *nn = sc->nodes[n].name, *in = sc->nodes[n].netifs[i].name;
        if (record_port(r, sc->media[m].name, nn, in, "tx", sim_port_counters(p, SIM_TX)) < 0 ||
            record_port(r, sc->media[m].name, nn, in, "rx", sim_port_counters(p, SIM_RX)) < 0)
          return -1;
      }
  return 0;
}

static int record_apps(const struct lwsim_world *w, struct lwsim_report_run *r) {
  for (size_t i = 0; i < w->sc->napps; i++) {
    const struct lwsim_app_rt *a = &w->apps[i];
    const struct lwsim_app_kind *k = &lwsim_app_kinds[a->spec->kind];
    struct lwsim_report_app *ra =
        lwsim_report_add_app(r, a->spec->name, k->name, w->sc->nodes[a->spec->node].name);
    if (!ra) return -1;
    for (size_t j = 0; k->results[j]; j++)
      if (lwsim_report_kvs_add(&ra->results, k->results[j], a->res[j]) < 0) return -1;
  }
  return 0;
}

/* The facts of the scenario and the replay command. */
static int record_header(const struct lwsim_scenario *sc, uint64_t seed, const char *prog,
                         struct lwsim_report_run *r) {
  r->seed = seed;
  char *q = lwsim_shell_quote(sc->file);
  if (!q) return -1;
  char *replay = lwsim_aprintf("%s run %s --seed %" PRIu64, prog ? prog : "lwsim", q, seed);
  free(q);
  int rc = replay ? 0 : -1;
  if (rc == 0) {
    free(r->replay);
    r->replay = replay;
  }
  if (rc < 0 || lwsim_report_set(&r->scenario, sc->name) < 0 ||
      lwsim_report_set(&r->description, sc->description) < 0 ||
      lwsim_report_set(&r->file, sc->file) < 0 ||
      lwsim_report_set(&r->engine, lwsim_engine_name(sc->engine)) < 0)
    return -1;
  for (size_t i = 0; i < sc->nrequirements; i++)
    if (lwsim_report_add_string(&r->requirements, &r->nrequirements, sc->requirements[i]) < 0)
      return -1;
  for (size_t i = 0; i < sc->ntags; i++)
    if (lwsim_report_add_string(&r->tags, &r->ntags, sc->tags[i]) < 0) return -1;
  return 0;
}

/* ------------------------------------------------------------ one run -- */

/* Build, run and (when r is not NULL) record one run. On success the
 * frame log is moved to *log (when not NULL) and *hash set. */
static int run_once(const struct lwsim_scenario *sc, uint64_t seed, const char *trace_path,
                    const char *pcap_dir, struct lwsim_report_run *r, struct lwsim_framelog *log,
                    uint64_t *hash, char *err, size_t cap) {
  struct lwsim_world w = {.sc = sc, .seed = seed};
  struct build_err b = {0, err, cap};
  int rc = world_build(&w, trace_path, pcap_dir, &b);
  if (rc == 0) {
    sim_engine_run_until(w.e, sc->duration);
    lwsim_apps_finish(&w);
    *hash = sim_trace_hash(w.trace);
    if (r) {
      r->virtual_time = sim_engine_now(w.e);
      r->trace_hash = *hash;
      if (lwsim_checks_eval(&w, r) < 0 || record_stats(&w, r) < 0 || record_media(&w, r) < 0 ||
          record_apps(&w, r) < 0)
        rc = fail(&b, LWSIM_RUN_EINTERNAL, "out of memory%s%s", "", "");
    }
  }
  if (world_free(&w) < 0 && rc == 0)
    rc = fail(&b, LWSIM_RUN_EIO, "cannot finish writing the trace or a capture%s%s", "", "");
  if (rc == 0 && log) *log = w.log;
  else lwsim_framelog_free(&w.log);
  return rc;
}

/* -------------------------------------------------------- timelines --- */

/* The value of "key":"..." in a trace line into buf, or -1. Trace strings
 * here are names (no escapes to undo). */
static int line_str(const char *line, const char *key, char *buf, size_t cap) {
  char pat[32];
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  const char *p = strstr(line, pat);
  if (!p) return -1;
  p += strlen(pat);
  const char *e = strchr(p, '"');
  if (!e || (size_t)(e - p) >= cap) return -1;
  memcpy(buf, p, (size_t)(e - p));
  buf[e - p] = 0;
  return 0;
}

static int line_u64(const char *line, const char *key, uint64_t *v) {
  char pat[32];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(line, pat);
  if (!p) return -1;
  *v = strtoull(p + strlen(pat), NULL, 10);
  return 0;
}

struct tl_tx {
  int64_t t;
  int node, medium;
  uint64_t digest, len;
};

struct tl_state {
  const struct lwsim_scenario *sc;
  const struct lwsim_framelog *log;
  struct lwsim_report_timeline *tl;
  size_t max;
  struct tl_tx *tx;
  size_t ntx, captx;
};

/* The label of the frame with this digest sent by node (from the log). */
static void label_of(const struct tl_state *s, const struct tl_tx *tx, int corrupted, char *buf,
                     size_t cap) {
  snprintf(buf, cap, "%" PRIu64 " B", tx->len);
  for (size_t i = 0; i < s->log->n; i++) {
    const struct lwsim_frame_rec *r = &s->log->v[i];
    if (r->digest == tx->digest && r->node == tx->node) {
      lwsim_frame_label(&r->info, buf, cap);
      break;
    }
  }
  if (corrupted) {
    size_t n = strlen(buf);
    if (n < cap) snprintf(buf + n, cap - n, " (corrupted)");
  }
}

/* The transmission an rx or drop at (node, medium, digest, len) belongs
 * to: the latest one with that digest (for a drop, possibly from the same
 * node: dropped at the sender), else the latest from another node with
 * that length (bits flipped on the way change the digest). */
static const struct tl_tx *find_tx(const struct tl_state *s, int node, int medium,
                                   uint64_t digest, uint64_t len, int is_drop, int *corrupted) {
  *corrupted = 0;
  for (size_t i = s->ntx; i-- > 0;) {
    const struct tl_tx *t = &s->tx[i];
    if (t->medium == medium && t->digest == digest && (is_drop || t->node != node)) return t;
  }
  for (size_t i = s->ntx; i-- > 0;) {
    const struct tl_tx *t = &s->tx[i];
    if (t->medium == medium && t->len == len && t->node != node) {
      *corrupted = 1;
      return t;
    }
  }
  return NULL;
}

static int tl_line(struct tl_state *s, const char *line) {
  char kind[16], node[LWSIM_NAME_MAX + 1], medium[LWSIM_NAME_MAX + 1], cause[32];
  uint64_t t, len, digest;
  if (line_str(line, "kind", kind, sizeof kind) < 0) return 0;
  int is_tx = strcmp(kind, "tx") == 0, is_rx = strcmp(kind, "rx") == 0;
  int is_drop = strcmp(kind, "drop") == 0;
  if (!is_tx && !is_rx && !is_drop) return 0;
  if (line_str(line, "node", node, sizeof node) < 0 ||
      line_str(line, "medium", medium, sizeof medium) < 0 || line_u64(line, "t", &t) < 0 ||
      line_u64(line, "len", &len) < 0 || line_u64(line, "digest", &digest) < 0)
    return 0;
  int n = lwsim_scenario_node(s->sc, node), m = lwsim_scenario_medium(s->sc, medium);
  if (n < 0 || m < 0) return 0;
  if (is_tx) {
    if (!lwsim_grow((void **)&s->tx, &s->captx, s->ntx + 1, sizeof *s->tx)) return -1;
    s->tx[s->ntx++] = (struct tl_tx){(int64_t)t, n, m, digest, len};
    return 0;
  }
  s->tl->total++;
  if (s->tl->n >= s->max) return 0;
  int corrupted;
  const struct tl_tx *tx = find_tx(s, n, m, digest, len, is_drop, &corrupted);
  if (!tx) return 0;
  char label[128];
  label_of(s, tx, corrupted, label, sizeof label);
  if (is_drop && line_str(line, "cause", cause, sizeof cause) < 0) strcpy(cause, "?");
  int to = is_drop && tx->node == n ? -1 : n;
  return lwsim_report_tl_add(s->tl, tx->t, (int64_t)t, tx->node, to, is_drop, label,
                             is_drop ? cause : NULL)
             ? 0
             : -1;
}

/* The timeline of a run from its trace file and frame log. */
static int build_timeline(const struct lwsim_scenario *sc, const char *trace_path,
                          const struct lwsim_framelog *log, size_t max,
                          struct lwsim_report_timeline *tl) {
  FILE *f = fopen(trace_path, "r");
  if (!f) return -1;
  for (size_t i = 0; i < sc->nnodes; i++)
    if (lwsim_report_tl_column(tl, sc->nodes[i].name) < 0) {
      fclose(f);
      return -1;
    }
  struct tl_state s = {sc, log, tl, max, NULL, 0, 0};
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  while (rc == 0 && getline(&line, &cap, f) > 0) rc = tl_line(&s, line);
  free(line);
  free(s.tx);
  fclose(f);
  return rc;
}

/* --------------------------------------------------------- the folder -- */

void lwsim_trace_first_difference(const char *a, const char *b, char *buf, size_t cap) {
  FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
  char *la = NULL, *lb = NULL;
  size_t ca = 0, cb = 0, line = 0;
  snprintf(buf, cap, "the trace hashes differ");
  while (fa && fb) {
    line++;
    ssize_t na = getline(&la, &ca, fa), nb = getline(&lb, &cb, fb);
    if (na <= 0 && nb <= 0) break;
    if (na > 0 && nb > 0 && strcmp(la, lb) == 0) continue;
    if (na > 0) la[strcspn(la, "\n")] = 0;
    if (nb > 0) lb[strcspn(lb, "\n")] = 0;
    snprintf(buf, cap, "the runs diverge at trace line %zu: first run %.200s, second run %.200s",
             line, na > 0 ? la : "(end of trace)", nb > 0 ? lb : "(end of trace)");
    break;
  }
  free(la);
  free(lb);
  if (fa) fclose(fa);
  if (fb) fclose(fb);
}

char *lwsim_shell_quote(const char *s) {
  int plain = *s != 0;
  for (const char *c = s; *c && plain; c++)
    plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("_./:=+-", *c);
  if (plain) return lwsim_strdup(s);
  size_t n = 2;
  for (const char *c = s; *c; c++) n += *c == '\'' ? 4 : 1;
  char *q = malloc(n + 1), *o = q;
  if (!q) return NULL;
  *o++ = '\'';
  for (const char *c = s; *c; c++) {
    if (*c == '\'') {
      memcpy(o, "'\\''", 4);
      o += 4;
    } else {
      *o++ = *c;
    }
  }
  *o++ = '\'';
  *o = 0;
  return q;
}

struct run_paths {
  char *trace, *trace2, *results, *copy;
};

static void paths_free(struct run_paths *p) {
  free(p->trace);
  free(p->trace2);
  free(p->results);
  free(p->copy);
}

static int paths_make(struct run_paths *p, const char *dir) {
  memset(p, 0, sizeof *p);
  if (!dir) return 0;
  p->trace = lwsim_path_join(dir, "trace.jsonl");
  p->trace2 = lwsim_path_join(dir, "trace.second.jsonl");
  p->results = lwsim_path_join(dir, "results.json");
  p->copy = lwsim_path_join(dir, "scenario.json");
  return p->trace && p->trace2 && p->results && p->copy ? 0 : -1;
}

/* --check-determinism: a second run must give the same trace. */
static int determinism_check(const struct lwsim_scenario *sc, uint64_t seed,
                             const struct run_paths *p, uint64_t hash, struct lwsim_report_run *r,
                             char *err, size_t cap) {
  uint64_t h2 = 0;
  int rc = run_once(sc, seed, p->trace2, NULL, NULL, NULL, &h2, err, cap);
  if (rc < 0) return rc;
  char detail[512];
  if (h2 == hash) {
    snprintf(detail, sizeof detail, "a second run gave the same trace hash %016" PRIx64, hash);
  } else if (p->trace) {
    lwsim_trace_first_difference(p->trace, p->trace2, detail, sizeof detail);
  } else {
    snprintf(detail, sizeof detail, "trace hashes %016" PRIx64 " and %016" PRIx64 " differ", hash,
             h2);
  }
  if (p->trace2 && h2 == hash) unlink(p->trace2);
  if (!lwsim_report_add_check(r, "determinism", "determinism",
                              h2 == hash ? LWSIM_VERDICT_PASS : LWSIM_VERDICT_FAIL, detail))
    return LWSIM_RUN_EINTERNAL;
  return 0;
}

/* A failed run again, with captures: the files, and proof it replays. */
static int capture_rerun(const struct lwsim_scenario *sc, uint64_t seed, const char *dir,
                         uint64_t hash, struct lwsim_report_run *r, char *err, size_t cap) {
  uint64_t h2 = 0;
  int rc = run_once(sc, seed, NULL, dir, NULL, NULL, &h2, err, cap);
  if (rc < 0) return rc;
  if (h2 != hash &&
      !lwsim_report_add_check(r, "determinism", "determinism", LWSIM_VERDICT_FAIL,
                              "the run repeated for captures gave another trace hash"))
    return LWSIM_RUN_EINTERNAL;
  return 0;
}

static int list_files(const struct lwsim_scenario *sc, const struct lwsim_run_opts *o,
                      int keep_trace, int pcaps, struct lwsim_report_run *r) {
  (void)o;
  if (lwsim_report_add_string(&r->files, &r->nfiles, "scenario.json") < 0) return -1;
  if (keep_trace && lwsim_report_add_string(&r->files, &r->nfiles, "trace.jsonl") < 0) return -1;
  for (size_t m = 0; pcaps && m < sc->nmedia; m++) {
    char name[LWSIM_NAME_MAX + 8];
    snprintf(name, sizeof name, "%s.pcap", sc->media[m].name);
    if (lwsim_report_add_string(&r->files, &r->nfiles, name) < 0) return -1;
  }
  return 0;
}

/* Files an earlier run may have left in the folder: none of them may pass
 * for this run's. */
static void clear_folder(const struct lwsim_scenario *sc, const struct run_paths *p,
                         const char *dir) {
  unlink(p->trace);
  unlink(p->trace2);
  unlink(p->results);
  for (size_t m = 0; m < sc->nmedia; m++) {
    char name[LWSIM_NAME_MAX + 8];
    snprintf(name, sizeof name, "%s.pcap", sc->media[m].name);
    char *path = lwsim_path_join(dir, name);
    if (path) unlink(path);
    free(path);
  }
}

static void set_error(struct lwsim_report_run *r, const char *msg) {
  r->verdict = LWSIM_VERDICT_ERROR;
  lwsim_report_set(&r->error, msg);
}

int lwsim_run_scenario(const struct lwsim_scenario *sc, const struct lwsim_run_opts *o,
                       struct lwsim_report_run *r, char *err, size_t cap) {
  lwsim_report_run_init(r);
  uint64_t seed = o->seed_given ? o->seed : sc->seed;
  struct run_paths p;
  if (paths_make(&p, o->out_dir) < 0 || record_header(sc, seed, o->prog, r) < 0 ||
      (o->out_dir && lwsim_report_set(&r->dir, o->out_dir) < 0)) {
    paths_free(&p);
    snprintf(err, cap, "out of memory");
    set_error(r, err);
    return LWSIM_RUN_EINTERNAL;
  }
  int rc = 0;
  if (sc->engine != LWSIM_ENGINE_BUILTIN) {
    snprintf(err, cap, "%s: ns-3 engine not built in yet (use \"engine\": \"builtin\")", sc->file);
    rc = LWSIM_RUN_EINPUT;
  } else if (o->out_dir && (lwsim_mkdirs(o->out_dir) < 0 ||
                            (clear_folder(sc, &p, o->out_dir), 0) ||
                            lwsim_write_file(p.copy, sc->text, sc->text_len) < 0)) {
    snprintf(err, cap, "cannot write to %s: %s", o->out_dir, strerror(errno));
    rc = LWSIM_RUN_EIO;
  }
  struct lwsim_framelog log = {0};
  uint64_t hash = 0;
  if (rc == 0) rc = run_once(sc, seed, p.trace, o->pcap ? o->out_dir : NULL, r, &log, &hash, err, cap);
  if (rc == 0 && o->check_determinism) rc = determinism_check(sc, seed, &p, hash, r, err, cap);
  int failed = rc == 0 && lwsim_report_failed_checks(r) > 0;
  if (rc == 0 && failed && o->out_dir && !o->pcap)
    rc = capture_rerun(sc, seed, o->out_dir, hash, r, err, cap);
  if (rc == 0) r->verdict = failed ? LWSIM_VERDICT_FAIL : LWSIM_VERDICT_PASS;
  if (rc == 0 && o->out_dir) {
    size_t max = o->timeline_max ? o->timeline_max : 300;
    size_t always = o->timeline_always ? o->timeline_always : 120;
    if ((failed || log.n <= always) && build_timeline(sc, p.trace, &log, max, &r->timeline) < 0)
      rc = fail(&(struct build_err){0, err, cap}, LWSIM_RUN_EINTERNAL,
                "cannot read back the trace%s%s", "", "");
    int keep = o->trace || failed;
    if (!keep) unlink(p.trace);
    if (rc == 0 && list_files(sc, o, keep, o->pcap || failed, r) < 0) rc = LWSIM_RUN_EINTERNAL;
  }
  lwsim_framelog_free(&log);
  if (rc < 0) set_error(r, err);
  if (o->out_dir && lwsim_report_run_write(r, p.results) < 0 && rc == 0) {
    snprintf(err, cap, "cannot write %s: %s", p.results, strerror(errno));
    set_error(r, err);
    rc = LWSIM_RUN_EIO;
  }
  paths_free(&p);
  return rc;
}
