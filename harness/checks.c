/* Expectations: each check of the scenario evaluated against the world at
 * the end of the run, with a detail that says what was found and what was
 * expected ("received 4, expected >= 5"). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/world.h"

/* pass/fail of v against the check's bounds, and "v, expected ..." in buf. */
static int bounded(const struct lwsim_sc_check *c, const char *what, uint64_t v, char *buf,
                   size_t cap) {
  int ok = (!c->has_min || v >= (uint64_t)c->min) && (!c->has_max || v <= (uint64_t)c->max);
  if (c->has_min && c->has_max && c->min == c->max)
    snprintf(buf, cap, "%s %" PRIu64 ", expected %" PRId64, what, v, c->min);
  else if (c->has_min && c->has_max)
    snprintf(buf, cap, "%s %" PRIu64 ", expected %" PRId64 "..%" PRId64, what, v, c->min, c->max);
  else if (c->has_min)
    snprintf(buf, cap, "%s %" PRIu64 ", expected >= %" PRId64, what, v, c->min);
  else
    snprintf(buf, cap, "%s %" PRIu64 ", expected <= %" PRId64, what, v, c->max);
  return ok;
}

static int check_app(const struct lwsim_world *w, const struct lwsim_sc_check *c, char *buf,
                     size_t cap) {
  const struct lwsim_app_rt *a = &w->apps[c->app];
  return bounded(c, lwsim_app_kinds[a->spec->kind].results[c->field], a->res[c->field], buf, cap);
}

static int check_counter(const struct lwsim_world *w, const struct lwsim_sc_check *c, char *buf,
                         size_t cap) {
  char name[48];
  lwsim_counter_name((size_t)c->counter, name, sizeof name);
  uint64_t v = lwsim_counter_value(stack_stats(w->nodes[c->node].st), (size_t)c->counter);
  return bounded(c, name, v, buf, cap);
}

/* Sum over the medium's ports (or the one named) and the directions asked. */
static int check_medium(const struct lwsim_world *w, const struct lwsim_sc_check *c, char *buf,
                        size_t cap) {
  uint64_t sum = 0;
  for (size_t n = 0; n < w->sc->nnodes; n++)
    for (size_t i = 0; i < w->sc->nodes[n].nnetifs; i++) {
      if (w->sc->nodes[n].netifs[i].medium != c->medium) continue;
      if (c->port.node >= 0 && (c->port.node != (int)n || c->port.netif != (int)i)) continue;
      const struct sim_port *p = w->nodes[n].devs[i].port;
      if (c->dir & LWSIM_DIR_TX)
        sum += lwsim_medium_counter_value(sim_port_counters(p, SIM_TX), (size_t)c->mcounter);
      if (c->dir & LWSIM_DIR_RX)
        sum += lwsim_medium_counter_value(sim_port_counters(p, SIM_RX), (size_t)c->mcounter);
    }
  return bounded(c, lwsim_medium_counter_name((size_t)c->mcounter), sum, buf, cap);
}

/* Findings of `kind` (NULL: any) on node (-1: any); the first into *first. */
static size_t count_findings(const struct lwsim_world *w, int node, const char *kind,
                             const struct stack_sim_finding **first, int *first_node) {
  size_t n = 0;
  *first = NULL;
  for (size_t i = 0; i < w->sc->nnodes; i++) {
    if (node >= 0 && (int)i != node) continue;
    const struct stack_sim_node *sn = w->nodes[i].sn;
    for (size_t k = 0; k < stack_sim_node_findings(sn); k++) {
      const struct stack_sim_finding *f = stack_sim_node_finding(sn, k);
      if (kind && strcmp(f->kind, kind) != 0) continue;
      if (!*first || f->time < (*first)->time) {
        *first = f;
        *first_node = (int)i;
      }
      n++;
    }
  }
  return n;
}

static int check_findings(const struct lwsim_world *w, const struct lwsim_sc_check *c, char *buf,
                          size_t cap) {
  const struct stack_sim_finding *f;
  int fn = -1;
  const char *kind = c->kind == LWSIM_CHECK_FINDING ? c->finding_kind : NULL;
  size_t n = count_findings(w, c->node, kind, &f, &fn);
  int want = c->kind == LWSIM_CHECK_FINDING && c->occurs;
  if (f) {
    char t[32];
    lwsim_duration_format(f->time, t, sizeof t);
    snprintf(buf, cap, "%zu finding%s (first: %s in %s on %s at %s), expected %s", n,
             n == 1 ? "" : "s", f->kind, f->where, w->sc->nodes[fn].name, t,
             want ? "at least one" : "none");
  } else {
    snprintf(buf, cap, "no finding%s%s, expected %s", kind ? " of kind " : "", kind ? kind : "",
             want ? "at least one" : "none");
  }
  return want ? n > 0 : n == 0;
}

static int check_frame(const struct lwsim_world *w, const struct lwsim_sc_check *c, char *buf,
                       size_t cap) {
  sim_time_t by = c->by >= 0 ? c->by : SIM_TIME_MAX;
  uint64_t n = 0;
  const struct lwsim_frame_rec *first = NULL;
  for (size_t i = 0; i < w->log.n; i++) {
    const struct lwsim_frame_rec *r = &w->log.v[i];
    if (r->t < c->after || r->t > by || !lwsim_frame_match(&c->pattern, r)) continue;
    if (!first) first = r;
    n++;
  }
  char what[256] = "matching frames sent";
  if (first) {
    char t[32], label[96];
    lwsim_duration_format(first->t, t, sizeof t);
    lwsim_frame_label(&first->info, label, sizeof label);
    snprintf(what, sizeof what, "matching frames sent (first at %s by %s: %s):", t,
             w->sc->nodes[first->node].name, label);
  }
  int ok = bounded(c, what, n, buf, cap);
  if (c->by >= 0) {
    char t[32];
    lwsim_duration_format(c->by, t, sizeof t);
    size_t len = strlen(buf);
    if (len < cap) snprintf(buf + len, cap - len, " by %s", t);
  }
  if (w->log.oom) {
    size_t len = strlen(buf);
    if (len < cap) snprintf(buf + len, cap - len, " (frame log incomplete: out of memory)");
    ok = 0;
  }
  return ok;
}

int lwsim_checks_eval(const struct lwsim_world *w, struct lwsim_report_run *r) {
  for (size_t i = 0; i < w->sc->nchecks; i++) {
    const struct lwsim_sc_check *c = &w->sc->checks[i];
    char detail[512];
    int ok = 0;
    switch (c->kind) {
    case LWSIM_CHECK_APP: ok = check_app(w, c, detail, sizeof detail); break;
    case LWSIM_CHECK_COUNTER: ok = check_counter(w, c, detail, sizeof detail); break;
    case LWSIM_CHECK_MEDIUM: ok = check_medium(w, c, detail, sizeof detail); break;
    case LWSIM_CHECK_NO_FINDINGS:
    case LWSIM_CHECK_FINDING: ok = check_findings(w, c, detail, sizeof detail); break;
    case LWSIM_CHECK_FRAME: ok = check_frame(w, c, detail, sizeof detail); break;
    default: snprintf(detail, sizeof detail, "unknown check kind"); break;
    }
    if (!lwsim_report_add_check(r, c->name, lwsim_check_kind_name(c->kind),
                                ok ? LWSIM_VERDICT_PASS : LWSIM_VERDICT_FAIL, detail))
      return -1;
  }
  return 0;
}
