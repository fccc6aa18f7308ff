/* The run record: building it, results.json out and back in. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reports/internal.h"
#include "reports/util.h"

static const char *const verdicts[] = {"pass", "fail", "error"};

const char *lwsim_verdict_name(int v) { return v >= 0 && v <= 2 ? verdicts[v] : "error"; }

int lwsim_verdict_parse(const char *s) {
  for (int i = 0; i < 3; i++)
    if (s && strcmp(s, verdicts[i]) == 0) return i;
  return -1;
}

/* ------------------------------------------------------------- model -- */

int lwsim_report_kvs_add(struct lwsim_report_kvs *k, const char *name, uint64_t value) {
  if (!lwsim_grow((void **)&k->v, &k->cap, k->n + 1, sizeof *k->v)) return -1;
  char *s = lwsim_strdup(name);
  if (!s) return -1;
  k->v[k->n++] = (struct lwsim_report_kv){s, value};
  return 0;
}

uint64_t lwsim_report_kvs_get(const struct lwsim_report_kvs *k, const char *name, uint64_t dflt) {
  for (size_t i = 0; i < k->n; i++)
    if (strcmp(k->v[i].name, name) == 0) return k->v[i].value;
  return dflt;
}

static void kvs_free(struct lwsim_report_kvs *k) {
  for (size_t i = 0; i < k->n; i++) free(k->v[i].name);
  free(k->v);
  memset(k, 0, sizeof *k);
}

void lwsim_report_run_init(struct lwsim_report_run *r) { memset(r, 0, sizeof *r); }

static void strings_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

void lwsim_report_run_free(struct lwsim_report_run *r) {
  free(r->scenario);
  free(r->file);
  free(r->engine);
  free(r->description);
  free(r->dir);
  free(r->replay);
  free(r->error);
  strings_free(r->requirements, r->nrequirements);
  strings_free(r->tags, r->ntags);
  strings_free(r->files, r->nfiles);
  for (size_t i = 0; i < r->nchecks; i++) {
    free(r->checks[i].name);
    free(r->checks[i].kind);
    free(r->checks[i].detail);
  }
  free(r->checks);
  for (size_t i = 0; i < r->nfindings; i++) {
    free(r->findings[i].kind);
    free(r->findings[i].node);
    free(r->findings[i].where);
    free(r->findings[i].detail);
  }
  free(r->findings);
  for (size_t i = 0; i < r->nnodes; i++) {
    free(r->nodes[i].name);
    kvs_free(&r->nodes[i].stats);
  }
  free(r->nodes);
  for (size_t i = 0; i < r->nports; i++) {
    free(r->ports[i].medium);
    free(r->ports[i].node);
    free(r->ports[i].port);
    free(r->ports[i].dir);
    kvs_free(&r->ports[i].counters);
  }
  free(r->ports);
  for (size_t i = 0; i < r->napps; i++) {
    free(r->apps[i].name);
    free(r->apps[i].kind);
    free(r->apps[i].node);
    kvs_free(&r->apps[i].results);
  }
  free(r->apps);
  strings_free(r->timeline.columns, r->timeline.ncolumns);
  for (size_t i = 0; i < r->timeline.n; i++) {
    free(r->timeline.v[i].label);
    free(r->timeline.v[i].cause);
  }
  free(r->timeline.v);
  memset(r, 0, sizeof *r);
}

size_t lwsim_report_failed_checks(const struct lwsim_report_run *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->nchecks; i++) n += r->checks[i].verdict != LWSIM_VERDICT_PASS;
  return n;
}

int lwsim_report_set(char **field, const char *value) {
  char *s = value ? lwsim_strdup(value) : NULL;
  if (value && !s) return -1;
  free(*field);
  *field = s;
  return 0;
}

int lwsim_report_add_string(char ***v, size_t *n, const char *s) {
  size_t cap = *n; /* arrays of strings grow one at a time: they are short */
  if (!lwsim_grow((void **)v, &cap, *n + 1, sizeof **v)) return -1;
  char *c = lwsim_strdup(s);
  if (!c) return -1;
  (*v)[(*n)++] = c;
  return 0;
}

/* Duplicates each of n strings into out[]; 0, or -1 (all freed). */
static int dup_all(char **out, const char *const *in, size_t n) {
  for (size_t i = 0; i < n; i++) {
    out[i] = in[i] ? lwsim_strdup(in[i]) : NULL;
    if (in[i] && !out[i]) {
      for (size_t k = 0; k < i; k++) free(out[k]);
      return -1;
    }
  }
  return 0;
}

struct lwsim_report_check *lwsim_report_add_check(struct lwsim_report_run *r, const char *name,
                                                  const char *kind, int verdict,
                                                  const char *detail) {
  size_t cap = r->nchecks;
  if (!lwsim_grow((void **)&r->checks, &cap, r->nchecks + 1, sizeof *r->checks)) return NULL;
  struct lwsim_report_check *c = &r->checks[r->nchecks];
  char *s[3];
  if (dup_all(s, (const char *const[]){name, kind, detail ? detail : ""}, 3) < 0) return NULL;
  *c = (struct lwsim_report_check){s[0], s[1], s[2], verdict};
  r->nchecks++;
  return c;
}

struct lwsim_report_finding *lwsim_report_add_finding(struct lwsim_report_run *r,
                                                      const char *kind, const char *node,
                                                      const char *where, const char *detail,
                                                      int64_t time) {
  size_t cap = r->nfindings;
  if (!lwsim_grow((void **)&r->findings, &cap, r->nfindings + 1, sizeof *r->findings)) return NULL;
  char *s[4];
  if (dup_all(s, (const char *const[]){kind, node, where ? where : "", detail ? detail : ""}, 4) < 0)
    return NULL;
  struct lwsim_report_finding *f = &r->findings[r->nfindings++];
  *f = (struct lwsim_report_finding){s[0], s[1], s[2], s[3], time};
  return f;
}

struct lwsim_report_node *lwsim_report_add_node(struct lwsim_report_run *r, const char *name) {
  size_t cap = r->nnodes;
  if (!lwsim_grow((void **)&r->nodes, &cap, r->nnodes + 1, sizeof *r->nodes)) return NULL;
  char *s = lwsim_strdup(name);
  if (!s) return NULL;
  struct lwsim_report_node *n = &r->nodes[r->nnodes++];
  memset(n, 0, sizeof *n);
  n->name = s;
  return n;
}

struct lwsim_report_port *lwsim_report_add_port(struct lwsim_report_run *r, const char *medium,
                                                const char *node, const char *port,
                                                const char *dir) {
  size_t cap = r->nports;
  if (!lwsim_grow((void **)&r->ports, &cap, r->nports + 1, sizeof *r->ports)) return NULL;
  char *s[4];
  if (dup_all(s, (const char *const[]){medium, node, port, dir}, 4) < 0) return NULL;
  struct lwsim_report_port *p = &r->ports[r->nports++];
  memset(p, 0, sizeof *p);
  p->medium = s[0];
  p->node = s[1];
  p->port = s[2];
  p->dir = s[3];
  return p;
}

struct lwsim_report_app *lwsim_report_add_app(struct lwsim_report_run *r, const char *name,
                                              const char *kind, const char *node) {
  size_t cap = r->napps;
  if (!lwsim_grow((void **)&r->apps, &cap, r->napps + 1, sizeof *r->apps)) return NULL;
  char *s[3];
  if (dup_all(s, (const char *const[]){name, kind, node}, 3) < 0) return NULL;
  struct lwsim_report_app *a = &r->apps[r->napps++];
  memset(a, 0, sizeof *a);
  a->name = s[0];
  a->kind = s[1];
  a->node = s[2];
  return a;
}

int lwsim_report_tl_column(struct lwsim_report_timeline *t, const char *name) {
  for (size_t i = 0; i < t->ncolumns; i++)
    if (strcmp(t->columns[i], name) == 0) return (int)i;
  if (lwsim_report_add_string(&t->columns, &t->ncolumns, name) < 0) return -1;
  return (int)t->ncolumns - 1;
}

struct lwsim_report_tl_event *lwsim_report_tl_add(struct lwsim_report_timeline *t, int64_t t0,
                                                  int64_t t1, int from, int to, int dropped,
                                                  const char *label, const char *cause) {
  size_t cap = t->n;
  if (!lwsim_grow((void **)&t->v, &cap, t->n + 1, sizeof *t->v)) return NULL;
  char *s[2];
  if (dup_all(s, (const char *const[]){label ? label : "", cause}, 2) < 0) return NULL;
  struct lwsim_report_tl_event *e = &t->v[t->n++];
  *e = (struct lwsim_report_tl_event){t0, t1, from, to, dropped, s[0], s[1]};
  return e;
}

/* ------------------------------------------------------ results.json -- */

static void write_kvs(struct lwsim_jsonw *w, const char *key, const struct lwsim_report_kvs *k) {
  lwsim_jsonw_object(w, key);
  for (size_t i = 0; i < k->n; i++) lwsim_jsonw_u64(w, k->v[i].name, k->v[i].value);
  lwsim_jsonw_end_object(w);
}

static void write_strings(struct lwsim_jsonw *w, const char *key, char *const *v, size_t n) {
  lwsim_jsonw_array(w, key);
  for (size_t i = 0; i < n; i++) lwsim_jsonw_str(w, NULL, v[i]);
  lwsim_jsonw_end_array(w);
}

/* Seeds above 2^53 go as strings: JSON readers keep numbers as doubles. */
void lwsim_report_write_seed(struct lwsim_jsonw *w, uint64_t seed) {
  if (seed <= (UINT64_C(1) << 53)) {
    lwsim_jsonw_u64(w, "seed", seed);
  } else {
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, seed);
    lwsim_jsonw_str(w, "seed", buf);
  }
}

static void write_timeline(struct lwsim_jsonw *w, const struct lwsim_report_timeline *t) {
  lwsim_jsonw_object(w, "timeline");
  write_strings(w, "columns", t->columns, t->ncolumns);
  lwsim_jsonw_u64(w, "total", t->total);
  lwsim_jsonw_array(w, "frames");
  for (size_t i = 0; i < t->n; i++) {
    const struct lwsim_report_tl_event *e = &t->v[i];
    lwsim_jsonw_object(w, NULL);
    lwsim_jsonw_i64(w, "t0", e->t0);
    lwsim_jsonw_i64(w, "t1", e->t1);
    lwsim_jsonw_i64(w, "from", e->from);
    lwsim_jsonw_i64(w, "to", e->to);
    lwsim_jsonw_bool(w, "dropped", e->dropped);
    lwsim_jsonw_str(w, "label", e->label);
    if (e->cause) lwsim_jsonw_str(w, "cause", e->cause);
    lwsim_jsonw_end_object(w);
  }
  lwsim_jsonw_end_array(w);
  lwsim_jsonw_end_object(w);
}

static void write_run(struct lwsim_jsonw *w, const struct lwsim_report_run *r) {
  char hash[20];
  snprintf(hash, sizeof hash, "%016" PRIx64, r->trace_hash);
  lwsim_jsonw_object(w, NULL);
  lwsim_jsonw_u64(w, "format", 1);
  lwsim_jsonw_str(w, "scenario", r->scenario);
  lwsim_jsonw_str(w, "description", r->description);
  lwsim_jsonw_str(w, "file", r->file);
  lwsim_report_write_seed(w, r->seed);
  lwsim_jsonw_str(w, "engine", r->engine);
  lwsim_jsonw_str(w, "verdict", lwsim_verdict_name(r->verdict));
  if (r->error) lwsim_jsonw_str(w, "error", r->error);
  lwsim_jsonw_str(w, "trace_hash", hash);
  lwsim_jsonw_i64(w, "virtual_time_ns", r->virtual_time);
  lwsim_jsonw_str(w, "replay", r->replay);
  write_strings(w, "tags", r->tags, r->ntags);
  write_strings(w, "requirements", r->requirements, r->nrequirements);
  lwsim_jsonw_array(w, "checks");
  for (size_t i = 0; i < r->nchecks; i++) {
    lwsim_jsonw_object(w, NULL);
    lwsim_jsonw_str(w, "name", r->checks[i].name);
    lwsim_jsonw_str(w, "kind", r->checks[i].kind);
    lwsim_jsonw_str(w, "verdict", lwsim_verdict_name(r->checks[i].verdict));
    lwsim_jsonw_str(w, "detail", r->checks[i].detail);
    lwsim_jsonw_end_object(w);
  }
  lwsim_jsonw_end_array(w);
  lwsim_jsonw_array(w, "findings");
  for (size_t i = 0; i < r->nfindings; i++) {
    const struct lwsim_report_finding *f = &r->findings[i];
    lwsim_jsonw_object(w, NULL);
    lwsim_jsonw_str(w, "kind", f->kind);
    lwsim_jsonw_str(w, "node", f->node);
    lwsim_jsonw_str(w, "where", f->where);
    lwsim_jsonw_str(w, "detail", f->detail);
    lwsim_jsonw_i64(w, "time_ns", f->time);
    lwsim_jsonw_end_object(w);
  }
  lwsim_jsonw_end_array(w);
  lwsim_jsonw_array(w, "apps");
  for (size_t i = 0; i < r->napps; i++) {
    lwsim_jsonw_object(w, NULL);
    lwsim_jsonw_str(w, "name", r->apps[i].name);
    lwsim_jsonw_str(w, "kind", r->apps[i].kind);
    lwsim_jsonw_str(w, "node", r->apps[i].node);
    write_kvs(w, "results", &r->apps[i].results);
    lwsim_jsonw_end_object(w);
  }
  lwsim_jsonw_end_array(w);
  lwsim_jsonw_array(w, "nodes");
  for (size_t i = 0; i < r->nnodes; i++) {
    lwsim_jsonw_object(w, NULL);
    lwsim_jsonw_str(w, "name", r->nodes[i].name);
    write_kvs(w, "stats", &r->nodes[i].stats);
    lwsim_jsonw_end_object(w);
  }
  lwsim_jsonw_end_array(w);
  lwsim_jsonw_array(w, "media");
  for (size_t i = 0; i < r->nports; i++) {
    const struct lwsim_report_port *p = &r->ports[i];
    lwsim_jsonw_object(w, NULL);
    lwsim_jsonw_str(w, "medium", p->medium);
    lwsim_jsonw_str(w, "node", p->node);
    lwsim_jsonw_str(w, "port", p->port);
    lwsim_jsonw_str(w, "dir", p->dir);
    write_kvs(w, "counters", &p->counters);
    lwsim_jsonw_end_object(w);
  }
  lwsim_jsonw_end_array(w);
  write_strings(w, "files", r->files, r->nfiles);
  write_timeline(w, &r->timeline);
  lwsim_jsonw_end_object(w);
}

int lwsim_report_run_write(const struct lwsim_report_run *r, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  struct lwsim_jsonw w;
  lwsim_jsonw_init(&w, f);
  write_run(&w, r);
  return lwsim_close_file(f);
}

/* ----------------------------------------------------- reading back --- */

/* Field helpers: NULL/0 when absent or of another type. */
static const char *jstr(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t jint(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

int lwsim_report_read_seed(const cJSON *o, uint64_t *seed) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "seed");
  if (cJSON_IsNumber(v) && v->valuedouble >= 0) *seed = (uint64_t)v->valuedouble;
  else if (cJSON_IsString(v)) *seed = strtoull(v->valuestring, NULL, 10);
  else return -1;
  return 0;
}

static int read_kvs(const cJSON *o, struct lwsim_report_kvs *k) {
  if (!cJSON_IsObject(o)) return 0;
  for (const cJSON *c = o->child; c; c = c->next)
    if (cJSON_IsNumber(c) && lwsim_report_kvs_add(k, c->string, (uint64_t)c->valuedouble) < 0)
      return -1;
  return 0;
}

static int read_strings(const cJSON *o, const char *key, char ***v, size_t *n) {
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
  if (!cJSON_IsArray(a)) return 0;
  for (const cJSON *c = a->child; c; c = c->next)
    if (cJSON_IsString(c) && lwsim_report_add_string(v, n, c->valuestring) < 0) return -1;
  return 0;
}

/* Each element of o[key] that is an object, in order. */
#define EACH(o, key, c)                                                                   \
  for (const cJSON *c = cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, key))           \
                            ? cJSON_GetObjectItemCaseSensitive(o, key)->child            \
                            : NULL;                                                      \
       c; c = c->next)                                                                   \
    if (cJSON_IsObject(c))

static const char *or_empty(const char *s) { return s ? s : ""; }

static int read_lists(struct lwsim_report_run *r, const cJSON *o) {
  EACH(o, "checks", c) {
    if (!lwsim_report_add_check(r, or_empty(jstr(c, "name")), or_empty(jstr(c, "kind")),
                                lwsim_verdict_parse(jstr(c, "verdict")) == 0 ? 0 : 1,
                                jstr(c, "detail")))
      return -1;
  }
  EACH(o, "findings", c) {
    if (!lwsim_report_add_finding(r, or_empty(jstr(c, "kind")), or_empty(jstr(c, "node")),
                                  jstr(c, "where"), jstr(c, "detail"), jint(c, "time_ns")))
      return -1;
  }
  EACH(o, "apps", c) {
    struct lwsim_report_app *a = lwsim_report_add_app(r, or_empty(jstr(c, "name")),
                                                      or_empty(jstr(c, "kind")),
                                                      or_empty(jstr(c, "node")));
    if (!a || read_kvs(cJSON_GetObjectItemCaseSensitive(c, "results"), &a->results) < 0) return -1;
  }
  EACH(o, "nodes", c) {
    struct lwsim_report_node *n = lwsim_report_add_node(r, or_empty(jstr(c, "name")));
    if (!n || read_kvs(cJSON_GetObjectItemCaseSensitive(c, "stats"), &n->stats) < 0) return -1;
  }
  EACH(o, "media", c) {
    struct lwsim_report_port *p =
        lwsim_report_add_port(r, or_empty(jstr(c, "medium")), or_empty(jstr(c, "node")),
                              or_empty(jstr(c, "port")), or_empty(jstr(c, "dir")));
    if (!p || read_kvs(cJSON_GetObjectItemCaseSensitive(c, "counters"), &p->counters) < 0)
      return -1;
  }
  const cJSON *tl = cJSON_GetObjectItemCaseSensitive(o, "timeline");
  if (cJSON_IsObject(tl)) {
    if (read_strings(tl, "columns", &r->timeline.columns, &r->timeline.ncolumns) < 0) return -1;
    r->timeline.total = (size_t)jint(tl, "total");
    EACH(tl, "frames", c) {
      const cJSON *dropped = cJSON_GetObjectItemCaseSensitive(c, "dropped");
      int from = (int)jint(c, "from"), to = (int)jint(c, "to");
      if (from < 0 || (size_t)from >= r->timeline.ncolumns || to >= (int)r->timeline.ncolumns)
        continue; /* a record edited by hand: skip what cannot be drawn */
      if (!lwsim_report_tl_add(&r->timeline, jint(c, "t0"), jint(c, "t1"), from, to,
                               cJSON_IsTrue(dropped), jstr(c, "label"), jstr(c, "cause")))
        return -1;
    }
  }
  return 0;
}

int lwsim_report_run_from_json(struct lwsim_report_run *r, const cJSON *o, char *err, size_t cap) {
  lwsim_report_run_init(r);
  const char *hash = jstr(o, "trace_hash");
  int verdict = lwsim_verdict_parse(jstr(o, "verdict"));
  if (!jstr(o, "scenario") || verdict < 0 || lwsim_report_read_seed(o, &r->seed) < 0) {
    snprintf(err, cap, "not an lwsim results record (needs scenario, seed and verdict)");
    errno = EINVAL;
    return -1;
  }
  r->verdict = verdict;
  r->trace_hash = hash ? strtoull(hash, NULL, 16) : 0;
  r->virtual_time = jint(o, "virtual_time_ns");
  if (lwsim_report_set(&r->scenario, jstr(o, "scenario")) < 0 ||
      lwsim_report_set(&r->description, jstr(o, "description")) < 0 ||
      lwsim_report_set(&r->file, jstr(o, "file")) < 0 ||
      lwsim_report_set(&r->engine, jstr(o, "engine")) < 0 ||
      lwsim_report_set(&r->error, jstr(o, "error")) < 0 ||
      lwsim_report_set(&r->replay, jstr(o, "replay")) < 0 ||
      read_strings(o, "tags", &r->tags, &r->ntags) < 0 ||
      read_strings(o, "requirements", &r->requirements, &r->nrequirements) < 0 ||
      read_strings(o, "files", &r->files, &r->nfiles) < 0 || read_lists(r, o) < 0) {
    snprintf(err, cap, "out of memory");
    lwsim_report_run_free(r);
    errno = ENOMEM;
    return -1;
  }
  return 0;
}

int lwsim_report_run_read(struct lwsim_report_run *r, const char *path, char *err, size_t cap) {
  lwsim_report_run_init(r);
  size_t len;
  char *text = lwsim_read_file(path, &len);
  if (!text) {
    snprintf(err, cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  cJSON *o = cJSON_ParseWithLength(text, len);
  free(text);
  if (!cJSON_IsObject(o)) {
    cJSON_Delete(o);
    snprintf(err, cap, "%s: not valid JSON", path);
    errno = EINVAL;
    return -1;
  }
  char sub[256];
  int rc = lwsim_report_run_from_json(r, o, sub, sizeof sub);
  cJSON_Delete(o);
  if (rc < 0) {
    snprintf(err, cap, "%s: %s", path, sub);
    return -1;
  }
  r->dir = lwsim_path_dir(path);
  if (!r->dir) {
    lwsim_report_run_free(r);
    snprintf(err, cap, "out of memory");
    return -1;
  }
  return 0;
}
