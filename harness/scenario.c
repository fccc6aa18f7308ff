/* The scenario loader: JSON -> struct lwsim_scenario, every problem
 * recorded with its JSON path.
 *
 * Order of work: the root's scalars, the media (names, kinds, default
 * impairments), the nodes (their netifs resolve media by name), then what
 * refers to nodes and netifs (per-port impairments, link attachment
 * counts), apps, actions and checks. Each part reads on after an error, so
 * one pass lists everything wrong with the file. Invariant on success:
 * every index stored in the scenario is in range and every name unique.
 */
#include "harness/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"

struct loader {
  struct lwsim_diags *d;
  struct lwsim_scenario *sc;
  int oom;
};

/* ------------------------------------------------------ allocation --- */

static void *lcalloc(struct loader *L, size_t n, size_t size) {
  if (n == 0) return NULL;
  void *p = calloc(n, size);
  if (!p) L->oom = 1;
  return p;
}

static char *lstrdup(struct loader *L, const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (!p) {
    L->oom = 1;
    return NULL;
  }
  memcpy(p, s, n);
  return p;
}

/* ------------------------------------------------------------ names --- */

static const char *const engine_names[] = {"builtin", "ns3", NULL};
const char *lwsim_engine_name(int engine) {
  return engine >= 0 && engine < 2 ? engine_names[engine] : "?";
}

static const char *const action_names[] = {
    "medium_down",  "medium_up",  "port_down",  "port_up",      "impair",
    "partition",    "heal",       "netif_remove", "netif_down", "netif_up",
    "carrier_down", "carrier_up", "app_start",  "app_stop",     "inject",
    NULL};
const char *lwsim_action_name(int kind) {
  return kind >= 0 && kind < LWSIM_ACT_KINDS ? action_names[kind] : "?";
}

static const char *const check_names[] = {"app",     "counter", "medium", "no_findings",
                                          "finding", "frame",   NULL};
const char *lwsim_check_kind_name(int kind) {
  return kind >= 0 && kind < LWSIM_CHECK_KINDS ? check_names[kind] : "?";
}

int lwsim_scenario_node(const struct lwsim_scenario *sc, const char *name) {
  for (size_t i = 0; i < sc->nnodes; i++)
    if (sc->nodes[i].name && strcmp(sc->nodes[i].name, name) == 0) return (int)i;
  return -1;
}
int lwsim_scenario_medium(const struct lwsim_scenario *sc, const char *name) {
  for (size_t i = 0; i < sc->nmedia; i++)
    if (sc->media[i].name && strcmp(sc->media[i].name, name) == 0) return (int)i;
  return -1;
}
int lwsim_scenario_app(const struct lwsim_scenario *sc, const char *name) {
  for (size_t i = 0; i < sc->napps; i++)
    if (sc->apps[i].name && strcmp(sc->apps[i].name, name) == 0) return (int)i;
  return -1;
}

/* Records "unknown <what> "x"<where>" with a did-you-mean over the names
 * given (where: "" or e.g. " on node \"a\""). */
static void unknown_ref_on(struct loader *L, const char *path, const char *what, const char *name,
                           const char *where, const char *const *names, size_t n) {
  const char *dym = lwsim_did_you_mean(name, names, n);
  char list[768];
  size_t len = 0;
  list[0] = 0;
  for (size_t i = 0; i < n; i++) {
    if (!names[i]) continue;
    if (len + strlen(names[i]) + 8 >= sizeof list) {
      snprintf(list + len, sizeof list - len, ", ...");
      break;
    }
    len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", names[i]);
  }
  if (dym)
    lwsim_diags_add(L->d, path, "unknown %s \"%s\"%s, did you mean \"%s\"? (expected one of: %s)",
                    what, name, where, dym, n ? list : "none defined");
  else
    lwsim_diags_add(L->d, path, "unknown %s \"%s\"%s (expected one of: %s)", what, name, where,
                    n ? list : "none defined");
}

static void unknown_ref(struct loader *L, const char *path, const char *what, const char *name,
                        const char *const *names, size_t n) {
  unknown_ref_on(L, path, what, name, "", names, n);
}

/* A name reference at obj[key] resolved among names[0..n): index, or -1
 * (recorded) when absent-and-required, mistyped or unknown; -2 when absent
 * and optional. */
static int ref(struct loader *L, const cJSON *obj, const char *path, const char *key,
               int required, const char *what, const char *const *names, size_t n) {
  char expect[64];
  snprintf(expect, sizeof expect, "the name of a %s", what);
  const char *s = NULL;
  int rc = lwsim_jr_string(L->d, obj, path, key, required, expect, &s);
  if (rc == 0) return -2;
  if (rc < 0) return -1;
  for (size_t i = 0; i < n; i++)
    if (names[i] && strcmp(names[i], s) == 0) return (int)i;
  char p[LWSIM_PATH_MAX];
  lwsim_path_key(p, path, key);
  unknown_ref(L, p, what, s, names, n);
  return -1;
}

/* Name arrays for did-you-mean; freed by the caller. */
static const char **node_names(struct loader *L) {
  const char **v = lcalloc(L, L->sc->nnodes + 1, sizeof *v);
  for (size_t i = 0; v && i < L->sc->nnodes; i++) v[i] = L->sc->nodes[i].name;
  return v;
}
static const char **medium_names(struct loader *L) {
  const char **v = lcalloc(L, L->sc->nmedia + 1, sizeof *v);
  for (size_t i = 0; v && i < L->sc->nmedia; i++) v[i] = L->sc->media[i].name;
  return v;
}
static const char **app_names(struct loader *L) {
  const char **v = lcalloc(L, L->sc->napps + 1, sizeof *v);
  for (size_t i = 0; v && i < L->sc->napps; i++) v[i] = L->sc->apps[i].name;
  return v;
}

static int node_ref(struct loader *L, const cJSON *obj, const char *path, const char *key,
                    int required) {
  const char **names = node_names(L);
  int i = ref(L, obj, path, key, required, "node", names, L->sc->nnodes);
  free(names);
  return i;
}
static int medium_ref(struct loader *L, const cJSON *obj, const char *path, const char *key,
                      int required) {
  const char **names = medium_names(L);
  int i = ref(L, obj, path, key, required, "medium", names, L->sc->nmedia);
  free(names);
  return i;
}

/* Records a duplicate name at path (first seen at first_path). */
static void duplicate_name(struct loader *L, const char *path, const char *what, const char *name,
                           const char *first_path) {
  lwsim_diags_add(L->d, path, "duplicate %s name \"%s\" (already used at %s), expected a unique name",
                  what, name, first_path);
}

/* A netif of node n by name: its index or -1. */
static int netif_index(const struct lwsim_sc_node *n, const char *name) {
  for (size_t i = 0; i < n->nnetifs; i++)
    if (n->netifs[i].name && strcmp(n->netifs[i].name, name) == 0) return (int)i;
  return -1;
}

/* A netif of node `node` at obj["netif"] (optional when the node has one
 * netif, on `medium` when medium >= 0). Index or -1 (recorded). */
static int netif_ref(struct loader *L, const cJSON *obj, const char *path, int node, int medium) {
  const struct lwsim_sc_node *n = &L->sc->nodes[node];
  const char *s = NULL;
  int rc = lwsim_jr_string(L->d, obj, path, "netif", 0, "the name of a netif of the node", &s);
  if (rc < 0) return -1;
  if (rc == 0) {
    int found = -1, count = 0;
    for (size_t i = 0; i < n->nnetifs; i++)
      if (medium < 0 || n->netifs[i].medium == medium) {
        found = (int)i;
        count++;
      }
    if (count == 1) return found;
    if (count == 0 && medium >= 0)
      lwsim_diags_add(L->d, path, "node \"%s\" has no netif on medium \"%s\", expected a node "
                      "attached to it", n->name, L->sc->media[medium].name);
    else
      lwsim_diags_add(L->d, path, "missing key \"netif\" (node \"%s\" has %d netifs%s, expected "
                      "the one meant)", n->name, count, medium >= 0 ? " on this medium" : "");
    return -1;
  }
  char p[LWSIM_PATH_MAX];
  lwsim_path_key(p, path, "netif");
  int i = netif_index(n, s);
  if (i < 0) {
    const char **names = lcalloc(L, n->nnetifs + 1, sizeof *names);
    for (size_t k = 0; names && k < n->nnetifs; k++) names[k] = n->netifs[k].name;
    char where[64];
    snprintf(where, sizeof where, " on node \"%s\"", n->name);
    unknown_ref_on(L, p, "netif", s, where, names, n->nnetifs);
    free(names);
    return -1;
  }
  if (medium >= 0 && n->netifs[i].medium != medium) {
    lwsim_diags_add(L->d, p, "netif \"%s/%s\" is not attached to medium \"%s\", expected one "
                    "that is", n->name, s, L->sc->media[medium].name);
    return -1;
  }
  return i;
}

/* A port written as "node" or "node/netif" in string s, on medium m. */
static int port_from_string(struct loader *L, const char *s, const char *path, int m,
                            struct lwsim_sc_port_ref *out) {
  char node[LWSIM_NAME_MAX + 1];
  const char *slash = strchr(s, '/');
  size_t nl = slash ? (size_t)(slash - s) : strlen(s);
  if (nl == 0 || nl > LWSIM_NAME_MAX) {
    lwsim_diags_add(L->d, path, "found the string \"%s\", expected a port as \"node\" or "
                    "\"node/netif\"", s);
    return -1;
  }
  memcpy(node, s, nl);
  node[nl] = 0;
  int n = lwsim_scenario_node(L->sc, node);
  if (n < 0) {
    const char **names = node_names(L);
    unknown_ref(L, path, "node", node, names, L->sc->nnodes);
    free(names);
    return -1;
  }
  cJSON *tmp = cJSON_CreateObject();
  if (!tmp || (slash && !cJSON_AddStringToObject(tmp, "netif", slash + 1))) {
    cJSON_Delete(tmp);
    L->oom = 1;
    return -1;
  }
  /* reuse the object form's checks, collecting their diagnostics apart so
   * that they name this string's path */
  struct lwsim_diags sub;
  lwsim_diags_init(&sub, L->d->file);
  struct loader SL = {&sub, L->sc, 0};
  int i = netif_ref(&SL, tmp, path, n, m);
  for (size_t k = 0; k < sub.n; k++) lwsim_diags_add(L->d, path, "%s", sub.v[k].msg);
  if (SL.oom || sub.oom) L->oom = 1;
  lwsim_diags_free(&sub);
  cJSON_Delete(tmp);
  if (i < 0) return -1;
  out->node = n;
  out->netif = i;
  return 0;
}

/* ------------------------------------------------------ impairments --- */

static const char *const impair_keys[] = {
    "delay",     "jitter",  "rate",         "queue_frames", "queue_bytes",
    "loss",      "gilbert_elliott", "corrupt", "corrupt_bits", "duplicate",
    "reorder",   "reorder_delay",   "max_frame", NULL};
static const char *const ge_keys[] = {"p_enter", "p_exit", "loss_good", "loss_bad", NULL};

/* An impairment object into *out (zero = a perfect wire). */
static void parse_impair(struct loader *L, const cJSON *v, const char *path,
                         struct sim_impair *out) {
  struct lwsim_diags *d = L->d;
  memset(out, 0, sizeof *out);
  if (lwsim_jr_object(d, v, path, impair_keys) < 0) return;
  int64_t x;
  lwsim_jr_duration(d, v, path, "delay", 0, &out->delay);
  lwsim_jr_duration(d, v, path, "jitter", 0, &out->jitter);
  lwsim_jr_rate(d, v, path, "rate", 0, &out->rate);
  if (lwsim_jr_int(d, v, path, "queue_frames", 0, 0, UINT32_MAX, &x) > 0) out->queue_frames = (uint32_t)x;
  if (lwsim_jr_int(d, v, path, "queue_bytes", 0, 0, UINT32_MAX, &x) > 0) out->queue_bytes = (uint32_t)x;
  lwsim_jr_prob(d, v, path, "loss", 0, &out->loss);
  lwsim_jr_prob(d, v, path, "corrupt", 0, &out->corrupt);
  if (lwsim_jr_int(d, v, path, "corrupt_bits", 0, 0, 65535 * 8, &x) > 0) out->corrupt_bits = (uint32_t)x;
  lwsim_jr_prob(d, v, path, "duplicate", 0, &out->duplicate);
  lwsim_jr_prob(d, v, path, "reorder", 0, &out->reorder);
  int has_rd = lwsim_jr_duration(d, v, path, "reorder_delay", 0, &out->reorder_delay);
  if (lwsim_jr_int(d, v, path, "max_frame", 0, 0, SIM_FRAME_MAX, &x) > 0) out->max_frame = (uint32_t)x;
  if (out->reorder > 0 && has_rd >= 0 && out->reorder_delay <= 0) {
    char p[LWSIM_PATH_MAX];
    lwsim_path_key(p, path, "reorder_delay");
    lwsim_diags_add(d, has_rd ? p : path,
                    "%s, expected a reorder_delay > 0 when reorder is above 0",
                    has_rd ? "found 0" : "missing key \"reorder_delay\"");
  }
  const cJSON *ge = cJSON_GetObjectItemCaseSensitive(v, "gilbert_elliott");
  if (ge) {
    char p[LWSIM_PATH_MAX];
    lwsim_path_key(p, path, "gilbert_elliott");
    if (lwsim_jr_object(d, ge, p, ge_keys) == 0) {
      lwsim_jr_prob(d, ge, p, "p_enter", 1, &out->ge.p_enter);
      lwsim_jr_prob(d, ge, p, "p_exit", 1, &out->ge.p_exit);
      lwsim_jr_prob(d, ge, p, "loss_good", 0, &out->ge.loss_good);
      lwsim_jr_prob(d, ge, p, "loss_bad", 1, &out->ge.loss_bad);
    }
  }
}

/* ------------------------------------------------------------ media --- */

static const char *const medium_keys[] = {"name", "kind", "impair", "ports", NULL};
static const char *const port_keys[] = {"node", "netif", "tx", "rx", NULL};
static const char *const medium_kinds[] = {"link", "segment", NULL};

/* Names, kinds and default impairments (ports need the nodes: later). */
static void parse_media(struct loader *L, const cJSON *arr, const char *path) {
  struct lwsim_scenario *sc = L->sc;
  if (!arr) return;
  if (lwsim_jr_array(L->d, arr, path) < 0) return;
  size_t n = (size_t)cJSON_GetArraySize(arr);
  sc->media = lcalloc(L, n, sizeof *sc->media);
  if (!sc->media) return;
  sc->nmedia = n;
  size_t i = 0;
  for (const cJSON *v = arr->child; v; v = v->next, i++) {
    struct lwsim_sc_medium *m = &sc->media[i];
    char p[LWSIM_PATH_MAX], np[LWSIM_PATH_MAX];
    lwsim_path_index(p, path, i);
    if (lwsim_jr_object(L->d, v, p, medium_keys) < 0) continue;
    const char *name = NULL;
    if (lwsim_jr_name(L->d, v, p, "name", 1, LWSIM_NAME_MAX, &name) > 0) {
      int prev = lwsim_scenario_medium(sc, name);
      lwsim_path_key(np, p, "name");
      if (prev >= 0) {
        char first[LWSIM_PATH_MAX];
        snprintf(first, sizeof first, "%s/%d/name", path, prev);
        duplicate_name(L, np, "medium", name, first);
      } else {
        m->name = lstrdup(L, name);
      }
    }
    int kind = 1; /* when unreadable, a segment: no attachment rule to cascade */
    lwsim_jr_enum(L->d, v, p, "kind", 1, medium_kinds, &kind);
    m->kind = kind == 0 ? SIM_MEDIUM_LINK : SIM_MEDIUM_SEGMENT;
    const cJSON *imp = cJSON_GetObjectItemCaseSensitive(v, "impair");
    if (imp) {
      lwsim_path_key(np, p, "impair");
      parse_impair(L, imp, np, &m->impair);
      m->has_impair = 1;
    }
  }
}

/* Per-port impairments and the link attachment rule. */
static void parse_media_ports(struct loader *L, const cJSON *arr, const char *path) {
  struct lwsim_scenario *sc = L->sc;
  if (!cJSON_IsArray(arr) || !sc->media) return;
  size_t i = 0;
  for (const cJSON *v = arr->child; v; v = v->next, i++) {
    struct lwsim_sc_medium *m = &sc->media[i];
    char p[LWSIM_PATH_MAX], pp[LWSIM_PATH_MAX];
    lwsim_path_index(p, path, i);
    if (!cJSON_IsObject(v) || !m->name) continue;
    if (m->kind == SIM_MEDIUM_LINK && m->nattached != 2)
      lwsim_diags_add(L->d, p, "link \"%s\" has %zu attached netifs, expected exactly 2 "
                      "(a segment takes any number)", m->name, m->nattached);
    const cJSON *ports = cJSON_GetObjectItemCaseSensitive(v, "ports");
    if (!ports) continue;
    lwsim_path_key(pp, p, "ports");
    if (lwsim_jr_array(L->d, ports, pp) < 0) continue;
    size_t n = (size_t)cJSON_GetArraySize(ports);
    m->ports = lcalloc(L, n, sizeof *m->ports);
    if (!m->ports) continue;
    size_t k = 0;
    for (const cJSON *pv = ports->child; pv; pv = pv->next, k++) {
      char q[LWSIM_PATH_MAX], dq[LWSIM_PATH_MAX];
      lwsim_path_index(q, pp, k);
      if (lwsim_jr_object(L->d, pv, q, port_keys) < 0) continue;
      struct lwsim_sc_port_impair *pi = &m->ports[m->nports];
      int node = node_ref(L, pv, q, "node", 1);
      if (node < 0) continue;
      int nif = netif_ref(L, pv, q, node, (int)i);
      if (nif < 0) continue;
      for (size_t j = 0; j < m->nports; j++)
        if (m->ports[j].port.node == node && m->ports[j].port.netif == nif)
          lwsim_diags_add(L->d, q, "port \"%s/%s\" is configured twice on medium \"%s\", "
                          "expected one entry per port", sc->nodes[node].name,
                          sc->nodes[node].netifs[nif].name, m->name);
      pi->port = (struct lwsim_sc_port_ref){node, nif};
      const cJSON *tx = cJSON_GetObjectItemCaseSensitive(pv, "tx");
      const cJSON *rx = cJSON_GetObjectItemCaseSensitive(pv, "rx");
      if (tx) {
        lwsim_path_key(dq, q, "tx");
        parse_impair(L, tx, dq, &pi->tx);
        pi->has_tx = 1;
      }
      if (rx) {
        lwsim_path_key(dq, q, "rx");
        parse_impair(L, rx, dq, &pi->rx);
        pi->has_rx = 1;
      }
      if (!tx && !rx)
        lwsim_diags_add(L->d, q, "missing key \"tx\" or \"rx\" (expected the impairments of at "
                        "least one direction)");
      m->nports++;
    }
  }
}

/* ------------------------------------------------------------ nodes --- */

static const char *const node_keys[] = {"name", "config", "netifs", NULL};
static const char *const netif_keys[] = {"name",    "medium",  "address", "gateway", "mtu",
                                         "mac",     "default", "up",      "link",    NULL};

static void parse_config(struct loader *L, const cJSON *v, const char *path,
                         struct lwsim_sc_node *n) {
  const char **names = lcalloc(L, lwsim_config_nfields + 1, sizeof *names);
  if (!names) return;
  for (size_t i = 0; i < lwsim_config_nfields; i++) names[i] = lwsim_config_fields[i].name;
  int ok = lwsim_jr_object(L->d, v, path, names) == 0;
  free(names);
  if (!ok) return;
  n->cfg = lcalloc(L, lwsim_config_nfields, sizeof *n->cfg);
  if (!n->cfg) return;
  for (size_t i = 0; i < lwsim_config_nfields; i++) {
    const struct lwsim_config_field *f = &lwsim_config_fields[i];
    int64_t x = 0;
    int rc;
    if (f->type == LWSIM_CFG_TIME) {
      sim_time_t t = 0;
      rc = lwsim_jr_duration(L->d, v, path, f->name, 0, &t);
      x = t;
    } else if (f->type == LWSIM_CFG_FLAG &&
               cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(v, f->name))) {
      int b = 0;
      rc = lwsim_jr_bool(L->d, v, path, f->name, 0, &b);
      x = b;
    } else {
      rc = lwsim_jr_int(L->d, v, path, f->name, 0, f->min, f->max, &x);
    }
    if (rc > 0) n->cfg[n->ncfg++] = (struct lwsim_sc_config){(int)i, x};
  }
}

static ip4_addr_t prefix_mask(int prefix) {
  return prefix ? (ip4_addr_t)(0xffffffffu << (32 - prefix)) : 0;
}

static void parse_netif(struct loader *L, const cJSON *v, const char *path, size_t node_idx,
                        size_t idx) {
  struct lwsim_sc_node *n = &L->sc->nodes[node_idx];
  struct lwsim_sc_netif *f = &n->netifs[idx];
  f->medium = -1;
  f->up = f->link = 1;
  f->mac = (struct eth_addr){{0x02, 0x00, 0x00, (uint8_t)((node_idx + 1) >> 8),
                              (uint8_t)(node_idx + 1), (uint8_t)(idx + 1)}};
  if (lwsim_jr_object(L->d, v, path, netif_keys) < 0) return;
  const char *name = NULL;
  char p[LWSIM_PATH_MAX];
  if (lwsim_jr_name(L->d, v, path, "name", 1, LWSIM_IFNAME_MAX, &name) > 0) {
    lwsim_path_key(p, path, "name");
    int prev = netif_index(n, name);
    if (prev >= 0 && (size_t)prev < idx) {
      char first[LWSIM_PATH_MAX];
      snprintf(first, sizeof first, "%.*s/%d/name", (int)(strrchr(path, '/') - path), path, prev);
      duplicate_name(L, p, "netif", name, first);
    } else {
      f->name = lstrdup(L, name);
    }
  }
  f->medium = medium_ref(L, v, path, "medium", 1);
  if (f->medium >= 0) L->sc->media[f->medium].nattached++;
  int has_addr = lwsim_jr_cidr(L->d, v, path, "address", 0, &f->addr, &f->prefix);
  if (has_addr > 0) f->mask = prefix_mask(f->prefix);
  if (lwsim_jr_ip(L->d, v, path, "gateway", 0, &f->gw) > 0 && has_addr == 0) {
    lwsim_path_key(p, path, "gateway");
    lwsim_diags_add(L->d, p, "a gateway on a netif without an address, expected an \"address\" "
                    "too");
  }
  int64_t mtu;
  if (lwsim_jr_int(L->d, v, path, "mtu", 0, 68, 65535, &mtu) > 0) f->mtu = (uint16_t)mtu;
  lwsim_jr_mac(L->d, v, path, "mac", 0, &f->mac);
  lwsim_jr_bool(L->d, v, path, "default", 0, &f->is_default);
  lwsim_jr_bool(L->d, v, path, "up", 0, &f->up);
  lwsim_jr_bool(L->d, v, path, "link", 0, &f->link);
}

/* One default netif per node: "default": true, else the first with a
 * gateway. */
static void pick_default(struct loader *L, struct lwsim_sc_node *n, const char *path) {
  int chosen = -1;
  for (size_t i = 0; i < n->nnetifs; i++) {
    if (!n->netifs[i].is_default) continue;
    if (chosen >= 0) {
      char p[LWSIM_PATH_MAX], q[LWSIM_PATH_MAX];
      lwsim_path_index(p, path, i);
      lwsim_path_key(q, p, "default");
      lwsim_diags_add(L->d, q, "a second default netif (netif %d is one), expected at most one",
                      chosen);
    } else {
      chosen = (int)i;
    }
  }
  if (chosen >= 0) return;
  for (size_t i = 0; i < n->nnetifs; i++)
    if (n->netifs[i].gw) {
      n->netifs[i].is_default = 1;
      return;
    }
}

static void parse_nodes(struct loader *L, const cJSON *arr, const char *path) {
  struct lwsim_scenario *sc = L->sc;
  if (!arr) {
    lwsim_diags_add(L->d, "", "missing key \"nodes\" (expected an array of nodes)");
    return;
  }
  if (lwsim_jr_array(L->d, arr, path) < 0) return;
  size_t n = (size_t)cJSON_GetArraySize(arr);
  if (n == 0) lwsim_diags_add(L->d, path, "found an empty array, expected at least one node");
  sc->nodes = lcalloc(L, n, sizeof *sc->nodes);
  if (!sc->nodes) return;
  sc->nnodes = n;
  size_t i = 0;
  for (const cJSON *v = arr->child; v; v = v->next, i++) {
    struct lwsim_sc_node *node = &sc->nodes[i];
    char p[LWSIM_PATH_MAX], q[LWSIM_PATH_MAX];
    lwsim_path_index(p, path, i);
    if (lwsim_jr_object(L->d, v, p, node_keys) < 0) continue;
    const char *name = NULL;
    if (lwsim_jr_name(L->d, v, p, "name", 1, LWSIM_NAME_MAX, &name) > 0) {
      int prev = lwsim_scenario_node(sc, name);
      lwsim_path_key(q, p, "name");
      if (prev >= 0) {
        char first[LWSIM_PATH_MAX];
        snprintf(first, sizeof first, "%s/%d/name", path, prev);
        duplicate_name(L, q, "node", name, first);
      } else {
        node->name = lstrdup(L, name);
      }
    }
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(v, "config");
    if (cfg) {
      lwsim_path_key(q, p, "config");
      parse_config(L, cfg, q, node);
    }
    const cJSON *nifs = cJSON_GetObjectItemCaseSensitive(v, "netifs");
    lwsim_path_key(q, p, "netifs");
    if (!nifs) continue; /* a node without netifs is legal (loopback only) */
    if (lwsim_jr_array(L->d, nifs, q) < 0) continue;
    size_t k = (size_t)cJSON_GetArraySize(nifs);
    node->netifs = lcalloc(L, k, sizeof *node->netifs);
    if (!node->netifs) continue;
    node->nnetifs = k;
    size_t j = 0;
    for (const cJSON *nv = nifs->child; nv; nv = nv->next, j++) {
      char r[LWSIM_PATH_MAX];
      lwsim_path_index(r, q, j);
      parse_netif(L, nv, r, i, j);
    }
    pick_default(L, node, q);
  }
}

/* MACs must differ on a medium (generated ones always do). */
static void check_macs(struct loader *L) {
  struct lwsim_scenario *sc = L->sc;
  for (size_t a = 0; a < sc->nnodes; a++)
    for (size_t i = 0; i < sc->nodes[a].nnetifs; i++) {
      const struct lwsim_sc_netif *x = &sc->nodes[a].netifs[i];
      for (size_t b = 0; b <= a; b++)
        for (size_t j = 0; j < sc->nodes[b].nnetifs && (b < a || j < i); j++) {
          const struct lwsim_sc_netif *y = &sc->nodes[b].netifs[j];
          if (x->medium < 0 || x->medium != y->medium || !eth_addr_eq(&x->mac, &y->mac)) continue;
          char p[LWSIM_PATH_MAX];
          snprintf(p, sizeof p, "/nodes/%zu/netifs/%zu/mac", a, i);
          lwsim_diags_add(L->d, p, "duplicate MAC address on medium \"%s\" (also /nodes/%zu/"
                          "netifs/%zu), expected a unique one", sc->media[x->medium].name, b, j);
        }
    }
}

/* ------------------------------------------------------------- apps --- */

static const char *const app_common_keys[] = {"name", "kind",      "node", "start",
                                              "stop", "autostart", NULL};
#define APP_COMMON (sizeof app_common_keys / sizeof app_common_keys[0] - 1)

/* The keys an app of `kind` may have (kind < 0: every kind's), NULL ended. */
static const char **app_allowed(struct loader *L, int kind) {
  size_t cap = APP_COMMON + 32;
  const char **v = lcalloc(L, cap + 1, sizeof *v);
  if (!v) return NULL;
  size_t n = 0;
  for (size_t i = 0; i < APP_COMMON; i++) v[n++] = app_common_keys[i];
  for (int k = 0; k < LWSIM_APP_KINDS; k++) {
    if (kind >= 0 && k != kind) continue;
    for (const char *const *key = lwsim_app_kinds[k].keys; *key && n < cap; key++) {
      int dup = 0;
      for (size_t i = 0; i < n; i++) dup |= strcmp(v[i], *key) == 0;
      if (!dup) v[n++] = *key;
    }
  }
  return v;
}

static int has_key(const struct lwsim_app_kind *k, const char *key) {
  for (const char *const *p = k->keys; *p; p++)
    if (strcmp(*p, key) == 0) return 1;
  return 0;
}

static void parse_app_params(struct loader *L, const cJSON *v, const char *path,
                             struct lwsim_sc_app *a) {
  const struct lwsim_app_kind *k = &lwsim_app_kinds[a->kind];
  struct lwsim_diags *d = L->d;
  for (const char *const *r = k->required; *r; r++)
    if (!cJSON_GetObjectItemCaseSensitive(v, *r))
      lwsim_diags_add(d, path, "missing key \"%s\" (a %s app needs it)", *r, k->name);
  int64_t x;
  a->count = 5;
  a->size = k->size_default;
  a->interval = SIM_SEC;
  /* only the kind's own keys are read: others were reported as unknown */
  if (has_key(k, "target")) lwsim_jr_ip(d, v, path, "target", 0, &a->target);
  if (has_key(k, "port") && lwsim_jr_int(d, v, path, "port", 0, 1, 65535, &x) > 0)
    a->port = (uint16_t)x;
  if (has_key(k, "local_port") && lwsim_jr_int(d, v, path, "local_port", 0, 1, 65535, &x) > 0)
    a->local_port = (uint16_t)x;
  if (has_key(k, "count") && lwsim_jr_int(d, v, path, "count", 0, 1, 1000000, &x) > 0)
    a->count = (uint32_t)x;
  if (has_key(k, "size") && lwsim_jr_int(d, v, path, "size", 0, k->size_min, k->size_max, &x) > 0)
    a->size = (uint32_t)x;
  if (has_key(k, "interval")) lwsim_jr_duration(d, v, path, "interval", 0, &a->interval);
  if (has_key(k, "broadcast")) lwsim_jr_bool(d, v, path, "broadcast", 0, &a->broadcast);
  if (has_key(k, "ttl") && lwsim_jr_int(d, v, path, "ttl", 0, 1, 255, &x) > 0)
    a->ttl = (uint8_t)x;
}

static void parse_app(struct loader *L, const cJSON *v, const char *path, size_t idx) {
  struct lwsim_scenario *sc = L->sc;
  struct lwsim_sc_app *a = &sc->apps[idx];
  a->kind = -1;
  a->node = -1;
  a->stop = -1;
  a->autostart = 1;
  if (!cJSON_IsObject(v)) {
    lwsim_jr_object(L->d, v, path, app_common_keys);
    return;
  }
  const char *kinds[LWSIM_APP_KINDS + 1] = {0};
  for (int k = 0; k < LWSIM_APP_KINDS; k++) kinds[k] = lwsim_app_kinds[k].name;
  int kind = -1;
  lwsim_jr_enum(L->d, v, path, "kind", 1, kinds, &kind);
  const char **allowed = app_allowed(L, kind);
  if (allowed) lwsim_jr_object(L->d, v, path, allowed);
  free(allowed);
  a->kind = kind;
  const char *name = NULL;
  char p[LWSIM_PATH_MAX], gen[LWSIM_NAME_MAX + 1];
  if (lwsim_jr_name(L->d, v, path, "name", 0, LWSIM_NAME_MAX, &name) == 0 && kind >= 0) {
    snprintf(gen, sizeof gen, "%s-%zu", lwsim_app_kinds[kind].name, idx);
    name = gen;
  }
  if (name) {
    int prev = lwsim_scenario_app(sc, name);
    lwsim_path_key(p, path, "name");
    if (prev >= 0) {
      char first[LWSIM_PATH_MAX];
      snprintf(first, sizeof first, "/apps/%d/name", prev);
      duplicate_name(L, p, "app", name, first);
    } else {
      a->name = lstrdup(L, name);
    }
  }
  a->node = node_ref(L, v, path, "node", 1);
  lwsim_jr_duration(L->d, v, path, "start", 0, &a->start);
  if (lwsim_jr_duration(L->d, v, path, "stop", 0, &a->stop) > 0 && a->stop <= a->start) {
    lwsim_path_key(p, path, "stop");
    char s[32], t[32];
    lwsim_duration_format(a->stop, s, sizeof s);
    lwsim_duration_format(a->start, t, sizeof t);
    lwsim_diags_add(L->d, p, "found %s, expected a stop time after the start (%s)", s, t);
  }
  lwsim_jr_bool(L->d, v, path, "autostart", 0, &a->autostart);
  if (kind >= 0) parse_app_params(L, v, path, a);
}

static void parse_apps(struct loader *L, const cJSON *arr, const char *path) {
  if (!arr || lwsim_jr_array(L->d, arr, path) < 0) return;
  size_t n = (size_t)cJSON_GetArraySize(arr);
  L->sc->apps = lcalloc(L, n, sizeof *L->sc->apps);
  if (!L->sc->apps) return;
  L->sc->napps = n;
  size_t i = 0;
  for (const cJSON *v = arr->child; v; v = v->next, i++) {
    char p[LWSIM_PATH_MAX];
    lwsim_path_index(p, path, i);
    parse_app(L, v, p, i);
  }
}

/* ---------------------------------------------------------- actions --- */

static const char *const dir_names[] = {"tx", "rx", "both", NULL};

/* Keys each action takes besides "at" and "do". */
static const char *const *action_keys(int kind) {
  static const char *const medium[] = {"at", "do", "medium", NULL};
  static const char *const port[] = {"at", "do", "medium", "node", "netif", "dir", NULL};
  static const char *const impair[] = {"at", "do", "medium", "node", "netif", "dir", "set", NULL};
  static const char *const partition[] = {"at", "do", "medium", "groups", NULL};
  static const char *const netif[] = {"at", "do", "node", "netif", NULL};
  static const char *const app[] = {"at", "do", "app", NULL};
  static const char *const inject[] = {"at", "do", "node", "netif", "frame", NULL};
  static const char *const base[] = {"at", "do", NULL};
  switch (kind) {
  case LWSIM_ACT_MEDIUM_DOWN:
  case LWSIM_ACT_MEDIUM_UP:
  case LWSIM_ACT_HEAL: return medium;
  case LWSIM_ACT_PORT_DOWN:
  case LWSIM_ACT_PORT_UP: return port;
  case LWSIM_ACT_IMPAIR: return impair;
  case LWSIM_ACT_PARTITION: return partition;
  case LWSIM_ACT_NETIF_REMOVE:
  case LWSIM_ACT_NETIF_DOWN:
  case LWSIM_ACT_NETIF_UP:
  case LWSIM_ACT_CARRIER_DOWN:
  case LWSIM_ACT_CARRIER_UP: return netif;
  case LWSIM_ACT_APP_START:
  case LWSIM_ACT_APP_STOP: return app;
  case LWSIM_ACT_INJECT: return inject;
  default: return base;
  }
}

static void parse_groups(struct loader *L, const cJSON *v, const char *path,
                         struct lwsim_sc_action *a) {
  const cJSON *groups = cJSON_GetObjectItemCaseSensitive(v, "groups");
  char p[LWSIM_PATH_MAX];
  lwsim_path_key(p, path, "groups");
  if (!groups) {
    lwsim_diags_add(L->d, path, "missing key \"groups\" (expected an array of arrays of ports)");
    return;
  }
  if (lwsim_jr_array(L->d, groups, p) < 0) return;
  size_t total = 0;
  for (const cJSON *g = groups->child; g; g = g->next)
    if (cJSON_IsArray(g)) total += (size_t)cJSON_GetArraySize(g);
  a->group_ports = lcalloc(L, total, sizeof *a->group_ports);
  a->group_of = lcalloc(L, total, sizeof *a->group_of);
  if (total && (!a->group_ports || !a->group_of)) return;
  size_t gi = 0;
  for (const cJSON *g = groups->child; g; g = g->next, gi++) {
    char q[LWSIM_PATH_MAX];
    lwsim_path_index(q, p, gi);
    if (lwsim_jr_array(L->d, g, q) < 0) continue;
    size_t k = 0;
    for (const cJSON *s = g->child; s; s = s->next, k++) {
      char r[LWSIM_PATH_MAX];
      lwsim_path_index(r, q, k);
      if (!cJSON_IsString(s)) {
        char found[96];
        lwsim_json_describe(s, found, sizeof found);
        lwsim_diags_add(L->d, r, "found %s, expected a port as \"node\" or \"node/netif\"", found);
        continue;
      }
      struct lwsim_sc_port_ref pr;
      if (a->medium < 0 || port_from_string(L, s->valuestring, r, a->medium, &pr) < 0) continue;
      for (size_t j = 0; j < a->ngroup_ports; j++)
        if (a->group_ports[j].node == pr.node && a->group_ports[j].netif == pr.netif)
          lwsim_diags_add(L->d, r, "port \"%s\" is in two groups, expected each port in at most "
                          "one", s->valuestring);
      a->group_ports[a->ngroup_ports] = pr;
      a->group_of[a->ngroup_ports++] = (uint32_t)gi + 1; /* unlisted ports stay in group 0 */
    }
  }
}

static int parse_hex_frame(struct loader *L, const cJSON *v, const char *path,
                           struct lwsim_sc_action *a) {
  const char *what = "an Ethernet frame as hex digits (14..65535 bytes; spaces and colons "
                     "between bytes are ignored)";
  const char *s = NULL;
  int rc = lwsim_jr_string(L->d, v, path, "frame", 1, what, &s);
  if (rc <= 0) return -1;
  char p[LWSIM_PATH_MAX];
  lwsim_path_key(p, path, "frame");
  size_t len = strlen(s);
  a->frame = lcalloc(L, len / 2 + 1, 1);
  if (!a->frame) return -1;
  size_t n = 0;
  int half = -1, bad = 0;
  for (const char *c = s; *c && !bad; c++) {
    if (*c == ' ' || *c == ':' || *c == '\n' || *c == '\t') {
      bad = half >= 0; /* a separator inside a byte */
      continue;
    }
    int h = (*c >= '0' && *c <= '9') ? *c - '0'
            : (*c >= 'a' && *c <= 'f') ? *c - 'a' + 10
            : (*c >= 'A' && *c <= 'F') ? *c - 'A' + 10 : -1;
    if (h < 0) bad = 1;
    else if (half < 0) half = h;
    else {
      a->frame[n++] = (uint8_t)(half << 4 | h);
      half = -1;
    }
  }
  if (bad || half >= 0 || n < 14 || n > SIM_FRAME_MAX) {
    char found[96];
    lwsim_json_describe(cJSON_GetObjectItemCaseSensitive(v, "frame"), found, sizeof found);
    lwsim_diags_add(L->d, p, "found %s (%zu whole bytes%s), expected %s", found, n,
                    bad || half >= 0 ? ", bad digits" : "", what);
    return -1;
  }
  a->frame_len = n;
  return 0;
}

/* The netif a netif-level action names: node and (optional) netif. */
static void action_netif(struct loader *L, const cJSON *v, const char *path,
                         struct lwsim_sc_action *a, int medium) {
  a->port.node = node_ref(L, v, path, "node", 1);
  if (a->port.node >= 0) a->port.netif = netif_ref(L, v, path, a->port.node, medium);
}

static void parse_action(struct loader *L, const cJSON *v, const char *path,
                         struct lwsim_sc_action *a) {
  a->kind = -1;
  a->medium = a->app = -1;
  a->port.node = a->port.netif = -1;
  a->dir = LWSIM_DIR_BOTH;
  if (!cJSON_IsObject(v)) {
    lwsim_jr_object(L->d, v, path, action_keys(-1));
    return;
  }
  int kind = -1;
  lwsim_jr_enum(L->d, v, path, "do", 1, action_names, &kind);
  a->kind = kind;
  lwsim_jr_object(L->d, v, path, kind >= 0 ? action_keys(kind) : action_keys(-1));
  if (lwsim_jr_duration(L->d, v, path, "at", 1, &a->at) > 0 && a->at > L->sc->duration) {
    char p[LWSIM_PATH_MAX], s[32], t[32];
    lwsim_path_key(p, path, "at");
    lwsim_duration_format(a->at, s, sizeof s);
    lwsim_duration_format(L->sc->duration, t, sizeof t);
    lwsim_diags_add(L->d, p, "found %s, expected a time within the scenario's duration (%s)", s, t);
  }
  int d = 2;
  switch (kind) {
  case LWSIM_ACT_MEDIUM_DOWN:
  case LWSIM_ACT_MEDIUM_UP:
  case LWSIM_ACT_HEAL: a->medium = medium_ref(L, v, path, "medium", 1); break;
  case LWSIM_ACT_PORT_DOWN:
  case LWSIM_ACT_PORT_UP:
    a->medium = medium_ref(L, v, path, "medium", 1);
    if (a->medium >= 0) action_netif(L, v, path, a, a->medium);
    if (lwsim_jr_enum(L->d, v, path, "dir", 0, dir_names, &d) > 0) a->dir = d + 1;
    break;
  case LWSIM_ACT_IMPAIR: {
    a->medium = medium_ref(L, v, path, "medium", 1);
    if (lwsim_jr_enum(L->d, v, path, "dir", 0, dir_names, &d) > 0) a->dir = d + 1;
    if (!cJSON_GetObjectItemCaseSensitive(v, "node")) {
      a->all_ports = 1;
      if (a->dir != LWSIM_DIR_BOTH && a->dir != LWSIM_DIR_TX) {
        char p[LWSIM_PATH_MAX];
        lwsim_path_key(p, path, "dir");
        lwsim_diags_add(L->d, p, "found \"rx\", expected \"tx\" when no node is given (the "
                        "change applies to every port's tx set)");
      }
      a->dir = LWSIM_DIR_TX;
    } else if (a->medium >= 0) {
      action_netif(L, v, path, a, a->medium);
    }
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(v, "set");
    char p[LWSIM_PATH_MAX];
    lwsim_path_key(p, path, "set");
    if (set) parse_impair(L, set, p, &a->impair);
    else lwsim_diags_add(L->d, path, "missing key \"set\" (expected the new impairments)");
    break;
  }
  case LWSIM_ACT_PARTITION:
    a->medium = medium_ref(L, v, path, "medium", 1);
    parse_groups(L, v, path, a);
    break;
  case LWSIM_ACT_NETIF_REMOVE:
  case LWSIM_ACT_NETIF_DOWN:
  case LWSIM_ACT_NETIF_UP:
  case LWSIM_ACT_CARRIER_DOWN:
  case LWSIM_ACT_CARRIER_UP: action_netif(L, v, path, a, -1); break;
  case LWSIM_ACT_APP_START:
  case LWSIM_ACT_APP_STOP: {
    const char **names = app_names(L);
    a->app = ref(L, v, path, "app", 1, "app", names, L->sc->napps);
    free(names);
    break;
  }
  case LWSIM_ACT_INJECT:
    action_netif(L, v, path, a, -1);
    parse_hex_frame(L, v, path, a);
    break;
  default: break;
  }
}

static void parse_actions(struct loader *L, const cJSON *arr, const char *path) {
  if (!arr || lwsim_jr_array(L->d, arr, path) < 0) return;
  size_t n = (size_t)cJSON_GetArraySize(arr);
  L->sc->actions = lcalloc(L, n, sizeof *L->sc->actions);
  if (!L->sc->actions) return;
  L->sc->nactions = n;
  size_t i = 0;
  for (const cJSON *v = arr->child; v; v = v->next, i++) {
    char p[LWSIM_PATH_MAX];
    lwsim_path_index(p, path, i);
    parse_action(L, v, p, &L->sc->actions[i]);
  }
}

/* ----------------------------------------------------------- checks --- */

static const char *const *check_keys(int kind) {
  static const char *const app[] = {"check", "name", "app", "field", "min", "max", "eq", NULL};
  static const char *const counter[] = {"check", "name", "node", "counter", "min", "max", "eq",
                                        NULL};
  static const char *const medium[] = {"check", "name", "medium", "node", "netif", "dir",
                                       "counter", "min", "max", "eq", NULL};
  static const char *const nofind[] = {"check", "name", "node", NULL};
  static const char *const finding[] = {"check", "name", "kind", "node", "occurs", NULL};
  static const char *const frame[] = {"check", "name", "pattern", "sent", "after", "by",
                                      "min",   "max",  "eq",      NULL};
  static const char *const base[] = {"check", "name", NULL};
  switch (kind) {
  case LWSIM_CHECK_APP: return app;
  case LWSIM_CHECK_COUNTER: return counter;
  case LWSIM_CHECK_MEDIUM: return medium;
  case LWSIM_CHECK_NO_FINDINGS: return nofind;
  case LWSIM_CHECK_FINDING: return finding;
  case LWSIM_CHECK_FRAME: return frame;
  default: return base;
  }
}

/* min / max / eq; `need` says at least one is required. */
static void parse_bounds(struct loader *L, const cJSON *v, const char *path,
                         struct lwsim_sc_check *c, int need) {
  const int64_t lim = INT64_C(9007199254740992);
  int64_t eq;
  int hmin = lwsim_jr_int(L->d, v, path, "min", 0, 0, lim, &c->min);
  int hmax = lwsim_jr_int(L->d, v, path, "max", 0, 0, lim, &c->max);
  int heq = cJSON_GetObjectItemCaseSensitive(v, "eq") ? lwsim_jr_int(L->d, v, path, "eq", 0, 0, lim, &eq) : 0;
  if (heq && (hmin || hmax)) {
    char p[LWSIM_PATH_MAX];
    lwsim_path_key(p, path, "eq");
    lwsim_diags_add(L->d, p, "\"eq\" together with \"min\"/\"max\", expected either eq or a range");
  }
  if (heq > 0) {
    c->min = c->max = eq;
    hmin = hmax = 1;
  }
  c->has_min = hmin > 0;
  c->has_max = hmax > 0;
  if (hmin > 0 && hmax > 0 && c->min > c->max) {
    char p[LWSIM_PATH_MAX];
    lwsim_path_key(p, path, "max");
    lwsim_diags_add(L->d, p, "found %lld, expected a max >= min (%lld)", (long long)c->max,
                    (long long)c->min);
  }
  if (need && !hmin && !hmax && !heq)
    lwsim_diags_add(L->d, path, "missing key \"min\", \"max\" or \"eq\" (expected a bound)");
}

static const char *const pattern_keys[] = {
    "node",     "netif",    "medium",    "eth_type", "eth_dst",   "eth_src",  "arp_op",
    "arp_target", "ip_src", "ip_dst",    "proto",    "ttl",       "fragment", "df",
    "src_port", "dst_port", "icmp_type", "icmp_code", "min_len",  "max_len",  NULL};

/* A number or one of the named values (names[i] means values[i]). */
static int named_int(struct loader *L, const cJSON *v, const char *path, const char *key,
                     const char *const *names, const int *values, int64_t max, int64_t *out) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, key);
  if (!x) return 0;
  if (cJSON_IsString(x)) {
    int i;
    if (lwsim_jr_enum(L->d, v, path, key, 1, names, &i) < 0) return -1;
    *out = values[i];
    return 1;
  }
  return lwsim_jr_int(L->d, v, path, key, 1, 0, max, out);
}

/* ip_src / ip_dst: an address or a prefix. */
static void pattern_ip(struct loader *L, const cJSON *v, const char *path, const char *key,
                       ip4_addr_t *addr, ip4_addr_t *mask, uint32_t bit, uint32_t *set) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, key);
  if (!x) return;
  if (cJSON_IsString(x) && strchr(x->valuestring, '/')) {
    int prefix;
    if (lwsim_jr_cidr(L->d, v, path, key, 1, addr, &prefix) > 0) {
      *mask = prefix_mask(prefix);
      *addr &= *mask;
      *set |= bit;
    }
  } else if (lwsim_jr_ip(L->d, v, path, key, 1, addr) > 0) {
    *mask = 0xffffffffu;
    *set |= bit;
  }
}

static void parse_pattern(struct loader *L, const cJSON *v, const char *path,
                          struct lwsim_frame_pattern *pt) {
  static const char *const eth_types[] = {"ipv4", "arp", NULL};
  static const int eth_type_vals[] = {0x0800, 0x0806};
  static const char *const arp_ops[] = {"request", "reply", NULL};
  static const int arp_op_vals[] = {1, 2};
  static const char *const protos[] = {"icmp", "tcp", "udp", NULL};
  static const int proto_vals[] = {1, 6, 17};
  static const char *const icmp_types[] = {"echo_reply", "dest_unreach", "echo_request",
                                           "time_exceeded", NULL};
  static const int icmp_type_vals[] = {0, 3, 8, 11};
  struct lwsim_diags *d = L->d;
  memset(pt, 0, sizeof *pt);
  pt->node = pt->netif = pt->medium = -1;
  if (lwsim_jr_object(d, v, path, pattern_keys) < 0) return;
  int64_t x;
  int b;
  pt->node = node_ref(L, v, path, "node", 0);
  if (pt->node >= 0) pt->set |= LWSIM_PAT_NODE;
  if (cJSON_GetObjectItemCaseSensitive(v, "netif")) {
    if (pt->node >= 0) {
      pt->netif = netif_ref(L, v, path, pt->node, -1);
      if (pt->netif >= 0) pt->set |= LWSIM_PAT_NETIF;
    } else if (pt->node == -2) {
      char p[LWSIM_PATH_MAX];
      lwsim_path_key(p, path, "netif");
      lwsim_diags_add(d, p, "a netif without a node, expected \"node\" too");
    }
  }
  pt->medium = medium_ref(L, v, path, "medium", 0);
  if (pt->medium >= 0) pt->set |= LWSIM_PAT_MEDIUM;
  if (named_int(L, v, path, "eth_type", eth_types, eth_type_vals, 65535, &x) > 0) {
    pt->eth_type = (uint16_t)x;
    pt->set |= LWSIM_PAT_ETH_TYPE;
  }
  const cJSON *dst = cJSON_GetObjectItemCaseSensitive(v, "eth_dst");
  if (cJSON_IsString(dst) && strcmp(dst->valuestring, "broadcast") == 0) {
    pt->eth_dst = eth_addr_broadcast();
    pt->set |= LWSIM_PAT_ETH_DST;
  } else if (lwsim_jr_mac(d, v, path, "eth_dst", 0, &pt->eth_dst) > 0) {
    pt->set |= LWSIM_PAT_ETH_DST;
  }
  if (lwsim_jr_mac(d, v, path, "eth_src", 0, &pt->eth_src) > 0) pt->set |= LWSIM_PAT_ETH_SRC;
  if (named_int(L, v, path, "arp_op", arp_ops, arp_op_vals, 65535, &x) > 0) {
    pt->arp_op = (uint16_t)x;
    pt->set |= LWSIM_PAT_ARP_OP;
  }
  if (lwsim_jr_ip(d, v, path, "arp_target", 0, &pt->arp_target) > 0) pt->set |= LWSIM_PAT_ARP_TARGET;
  pattern_ip(L, v, path, "ip_src", &pt->ip_src, &pt->ip_src_mask, LWSIM_PAT_IP_SRC, &pt->set);
  pattern_ip(L, v, path, "ip_dst", &pt->ip_dst, &pt->ip_dst_mask, LWSIM_PAT_IP_DST, &pt->set);
  if (named_int(L, v, path, "proto", protos, proto_vals, 255, &x) > 0) {
    pt->proto = (uint8_t)x;
    pt->set |= LWSIM_PAT_PROTO;
  }
  if (lwsim_jr_int(d, v, path, "ttl", 0, 0, 255, &x) > 0) {
    pt->ttl = (uint8_t)x;
    pt->set |= LWSIM_PAT_TTL;
  }
  if (lwsim_jr_bool(d, v, path, "fragment", 0, &b) > 0) {
    pt->fragment = b;
    pt->set |= LWSIM_PAT_FRAGMENT;
  }
  if (lwsim_jr_bool(d, v, path, "df", 0, &b) > 0) {
    pt->df = b;
    pt->set |= LWSIM_PAT_DF;
  }
  if (lwsim_jr_int(d, v, path, "src_port", 0, 0, 65535, &x) > 0) {
    pt->src_port = (uint16_t)x;
    pt->set |= LWSIM_PAT_SRC_PORT;
  }
  if (lwsim_jr_int(d, v, path, "dst_port", 0, 0, 65535, &x) > 0) {
    pt->dst_port = (uint16_t)x;
    pt->set |= LWSIM_PAT_DST_PORT;
  }
  if (named_int(L, v, path, "icmp_type", icmp_types, icmp_type_vals, 255, &x) > 0) {
    pt->icmp_type = (uint8_t)x;
    pt->set |= LWSIM_PAT_ICMP_TYPE;
  }
  if (lwsim_jr_int(d, v, path, "icmp_code", 0, 0, 255, &x) > 0) {
    pt->icmp_code = (uint8_t)x;
    pt->set |= LWSIM_PAT_ICMP_CODE;
  }
  if (lwsim_jr_int(d, v, path, "min_len", 0, 0, SIM_FRAME_MAX, &x) > 0) {
    pt->min_len = (uint32_t)x;
    pt->set |= LWSIM_PAT_MIN_LEN;
  }
  if (lwsim_jr_int(d, v, path, "max_len", 0, 0, SIM_FRAME_MAX, &x) > 0) {
    pt->max_len = (uint32_t)x;
    pt->set |= LWSIM_PAT_MAX_LEN;
  }
}

/* A stack counter name at v[key]. */
static int counter_ref(struct loader *L, const cJSON *v, const char *path) {
  size_t n = lwsim_counter_count();
  char(*names)[48] = lcalloc(L, n, sizeof *names);
  const char **ptrs = lcalloc(L, n + 1, sizeof *ptrs);
  int found = -1;
  if (names && ptrs) {
    for (size_t i = 0; i < n; i++) ptrs[i] = lwsim_counter_name(i, names[i], sizeof names[i]);
    found = ref(L, v, path, "counter", 1, "counter", ptrs, n);
  }
  free(names);
  free(ptrs);
  return found;
}

static int medium_counter_ref(struct loader *L, const cJSON *v, const char *path) {
  const char *names[LWSIM_MEDIUM_COUNTERS + 1] = {0};
  for (size_t i = 0; i < LWSIM_MEDIUM_COUNTERS; i++) names[i] = lwsim_medium_counter_name(i);
  return ref(L, v, path, "counter", 1, "medium counter", names, LWSIM_MEDIUM_COUNTERS);
}

/* A readable default name for a check. */
static void check_default_name(const struct lwsim_scenario *sc, const struct lwsim_sc_check *c,
                               size_t idx, char *buf, size_t cap) {
  char cn[48];
  switch (c->kind) {
  case LWSIM_CHECK_APP:
    snprintf(buf, cap, "app %s.%s", sc->apps[c->app].name,
             lwsim_app_kinds[sc->apps[c->app].kind].results[c->field]);
    break;
  case LWSIM_CHECK_COUNTER:
    snprintf(buf, cap, "counter %s %s", sc->nodes[c->node].name,
             lwsim_counter_name((size_t)c->counter, cn, sizeof cn));
    break;
  case LWSIM_CHECK_MEDIUM:
    snprintf(buf, cap, "medium %s %s", sc->media[c->medium].name,
             lwsim_medium_counter_name((size_t)c->mcounter));
    break;
  case LWSIM_CHECK_NO_FINDINGS: snprintf(buf, cap, "no findings"); break;
  case LWSIM_CHECK_FINDING:
    snprintf(buf, cap, "finding %s %s", c->finding_kind, c->occurs ? "occurs" : "does not occur");
    break;
  default: snprintf(buf, cap, "frame check %zu", idx); break;
  }
}

static void parse_check(struct loader *L, const cJSON *v, const char *path, size_t idx) {
  struct lwsim_scenario *sc = L->sc;
  struct lwsim_sc_check *c = &sc->checks[idx];
  c->kind = c->app = c->field = c->node = c->counter = c->medium = c->mcounter = -1;
  c->port.node = c->port.netif = -1;
  c->dir = LWSIM_DIR_BOTH;
  c->occurs = 1;
  c->by = -1;
  if (!cJSON_IsObject(v)) {
    lwsim_jr_object(L->d, v, path, check_keys(-1));
    return;
  }
  int kind = -1, ok = 1;
  lwsim_jr_enum(L->d, v, path, "check", 1, check_names, &kind);
  c->kind = kind;
  lwsim_jr_object(L->d, v, path, check_keys(kind));
  const char *name = NULL;
  int has_name = lwsim_jr_string(L->d, v, path, "name", 0, "a string", &name);
  if (has_name > 0) c->name = lstrdup(L, name);
  char p[LWSIM_PATH_MAX];
  switch (kind) {
  case LWSIM_CHECK_APP: {
    const char **names = app_names(L);
    c->app = ref(L, v, path, "app", 1, "app", names, sc->napps);
    free(names);
    if (c->app >= 0 && sc->apps[c->app].kind >= 0) {
      int ak = sc->apps[c->app].kind;
      c->field = ref(L, v, path, "field", 1, "result of this app kind", lwsim_app_kinds[ak].results,
                     lwsim_app_result_count(ak));
    }
    ok = c->app >= 0 && c->field >= 0;
    parse_bounds(L, v, path, c, 1);
    break;
  }
  case LWSIM_CHECK_COUNTER:
    c->node = node_ref(L, v, path, "node", 1);
    c->counter = counter_ref(L, v, path);
    ok = c->node >= 0 && c->counter >= 0;
    parse_bounds(L, v, path, c, 1);
    break;
  case LWSIM_CHECK_MEDIUM: {
    c->medium = medium_ref(L, v, path, "medium", 1);
    int node = cJSON_GetObjectItemCaseSensitive(v, "node") ? node_ref(L, v, path, "node", 1) : -2;
    if (node >= 0 && c->medium >= 0) {
      c->port.node = node;
      c->port.netif = netif_ref(L, v, path, node, c->medium);
    } else if (node == -2 && cJSON_GetObjectItemCaseSensitive(v, "netif")) {
      lwsim_path_key(p, path, "netif");
      lwsim_diags_add(L->d, p, "a netif without a node, expected \"node\" too");
    }
    int d = 2;
    if (lwsim_jr_enum(L->d, v, path, "dir", 0, dir_names, &d) > 0) c->dir = d + 1;
    c->mcounter = medium_counter_ref(L, v, path);
    ok = c->medium >= 0 && c->mcounter >= 0;
    parse_bounds(L, v, path, c, 1);
    break;
  }
  case LWSIM_CHECK_NO_FINDINGS:
    c->node = cJSON_GetObjectItemCaseSensitive(v, "node") ? node_ref(L, v, path, "node", 1) : -1;
    break;
  case LWSIM_CHECK_FINDING: {
    const char *fk = NULL;
    if (lwsim_jr_string(L->d, v, path, "kind", 1, "a finding kind like \"use_after_free\"", &fk) > 0)
      c->finding_kind = lstrdup(L, fk);
    c->node = cJSON_GetObjectItemCaseSensitive(v, "node") ? node_ref(L, v, path, "node", 1) : -1;
    lwsim_jr_bool(L->d, v, path, "occurs", 0, &c->occurs);
    ok = c->finding_kind != NULL;
    break;
  }
  case LWSIM_CHECK_FRAME: {
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(v, "pattern");
    lwsim_path_key(p, path, "pattern");
    if (pat) parse_pattern(L, pat, p, &c->pattern);
    else lwsim_diags_add(L->d, path, "missing key \"pattern\" (expected the fields a frame must match)");
    lwsim_jr_bool(L->d, v, path, "sent", 0, &c->occurs);
    lwsim_jr_duration(L->d, v, path, "after", 0, &c->after);
    if (lwsim_jr_duration(L->d, v, path, "by", 0, &c->by) > 0 && c->by < c->after) {
      lwsim_path_key(p, path, "by");
      lwsim_diags_add(L->d, p, "a deadline before \"after\", expected by >= after");
    }
    parse_bounds(L, v, path, c, 0);
    if (!c->has_min && !c->has_max) {
      if (c->occurs) c->has_min = 1, c->min = 1;
      else c->has_max = 1, c->max = 0;
    }
    break;
  }
  default: ok = 0; break;
  }
  if (!c->name && ok) {
    char buf[160];
    check_default_name(sc, c, idx, buf, sizeof buf);
    c->name = lstrdup(L, buf);
  }
}

static void parse_checks(struct loader *L, const cJSON *arr, const char *path) {
  if (!arr || lwsim_jr_array(L->d, arr, path) < 0) return;
  size_t n = (size_t)cJSON_GetArraySize(arr);
  L->sc->checks = lcalloc(L, n, sizeof *L->sc->checks);
  if (!L->sc->checks) return;
  L->sc->nchecks = n;
  size_t i = 0;
  for (const cJSON *v = arr->child; v; v = v->next, i++) {
    char p[LWSIM_PATH_MAX];
    lwsim_path_index(p, path, i);
    parse_check(L, v, p, i);
  }
}

/* ------------------------------------------------------------- root --- */

static const char *const root_keys[] = {"format", "name",     "description", "tags",   "requirements",
                                        "engine", "seed",     "duration",    "nodes",  "media",
                                        "apps",   "actions",  "expect",      NULL};

/* An array of strings into *out; `valid` (may be NULL) checks each. */
static void parse_strings(struct loader *L, const cJSON *root, const char *key, char ***out,
                          size_t *n, int (*valid)(const char *), const char *what) {
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key);
  char p[LWSIM_PATH_MAX];
  lwsim_path_key(p, "", key);
  if (!arr || lwsim_jr_array(L->d, arr, p) < 0) return;
  size_t cnt = (size_t)cJSON_GetArraySize(arr);
  *out = lcalloc(L, cnt, sizeof **out);
  if (!*out) return;
  size_t i = 0;
  for (const cJSON *v = arr->child; v; v = v->next, i++) {
    char q[LWSIM_PATH_MAX];
    lwsim_path_index(q, p, i);
    if (!cJSON_IsString(v) || (valid && !valid(v->valuestring))) {
      char found[96];
      lwsim_json_describe(v, found, sizeof found);
      lwsim_diags_add(L->d, q, "found %s, expected %s", found, what);
      continue;
    }
    (*out)[(*n)++] = lstrdup(L, v->valuestring);
  }
}

/* "RFC791:3.2": a document id of letters and digits, a colon, and a
 * section without spaces. */
static int valid_requirement(const char *s) {
  const char *colon = strchr(s, ':');
  if (!colon || colon == s || !colon[1]) return 0;
  for (const char *c = s; c < colon; c++)
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
          *c == '-' || *c == '_'))
      return 0;
  for (const char *c = colon + 1; *c; c++)
    if (*c == ' ' || *c == '\t' || *c == '\n') return 0;
  return strlen(s) <= 64;
}

static int valid_tag(const char *s) { return *s && strlen(s) <= 64; }

static void parse_root(struct loader *L, const cJSON *root) {
  struct lwsim_scenario *sc = L->sc;
  struct lwsim_diags *d = L->d;
  if (lwsim_jr_object(d, root, "", root_keys) < 0) return;
  const cJSON *fv = cJSON_GetObjectItemCaseSensitive(root, "format");
  if (!fv) {
    lwsim_diags_add(d, "", "missing key \"format\" (expected 1)");
  } else if (!cJSON_IsNumber(fv) || fv->valuedouble != LWSIM_SCENARIO_FORMAT) {
    char found[96];
    lwsim_json_describe(fv, found, sizeof found);
    lwsim_diags_add(d, "/format", "found %s, expected %d (the scenario format this lwsim reads)",
                    found, LWSIM_SCENARIO_FORMAT);
    return; /* another format: the rest may mean anything */
  }

  const char *s = NULL;
  if (lwsim_jr_string(d, root, "", "name", 1, "the scenario's name", &s) > 0) {
    if (!*s || strlen(s) > 200)
      lwsim_diags_add(d, "/name", "found a name of %zu characters, expected 1 to 200", strlen(s));
    else sc->name = lstrdup(L, s);
  }
  if (lwsim_jr_string(d, root, "", "description", 0, "a string", &s) > 0)
    sc->description = lstrdup(L, s);
  parse_strings(L, root, "tags", &sc->tags, &sc->ntags, valid_tag, "a tag (1 to 64 characters)");
  parse_strings(L, root, "requirements", &sc->requirements, &sc->nrequirements, valid_requirement,
                "a requirement id like \"RFC791:3.2\"");
  lwsim_jr_enum(d, root, "", "engine", 0, engine_names, &sc->engine);
  lwsim_jr_u64(d, root, "", "seed", 0, &sc->seed);
  if (lwsim_jr_duration(d, root, "", "duration", 0, &sc->duration) > 0 && sc->duration == 0)
    lwsim_diags_add(d, "/duration", "found 0, expected a duration above 0");
  parse_media(L, cJSON_GetObjectItemCaseSensitive(root, "media"), "/media");
  parse_nodes(L, cJSON_GetObjectItemCaseSensitive(root, "nodes"), "/nodes");
  check_macs(L);
  parse_media_ports(L, cJSON_GetObjectItemCaseSensitive(root, "media"), "/media");
  parse_apps(L, cJSON_GetObjectItemCaseSensitive(root, "apps"), "/apps");
  parse_actions(L, cJSON_GetObjectItemCaseSensitive(root, "actions"), "/actions");
  parse_checks(L, cJSON_GetObjectItemCaseSensitive(root, "expect"), "/expect");
}

/* Line and column (1-based) of offset off in text. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off && text[i]; i++) {
    if (text[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}

int lwsim_scenario_parse(const char *text, size_t len, const char *file,
                         struct lwsim_scenario **out, struct lwsim_diags *d) {
  *out = NULL;
  (void)file;
  struct lwsim_scenario *sc = calloc(1, sizeof *sc);
  struct loader L = {d, sc, 0};
  if (!sc) {
    lwsim_diags_add(d, "", "out of memory");
    return -1;
  }
  sc->seed = 1;
  sc->duration = 10 * SIM_SEC;
  sc->file = lstrdup(&L, file ? file : "-");
  sc->text = lcalloc(&L, len + 1, 1);
  if (sc->text) {
    memcpy(sc->text, text, len);
    sc->text_len = len;
  }
  const char *end = NULL;
  cJSON *root = sc->text ? cJSON_ParseWithLengthOpts(sc->text, len, &end, 0) : NULL;
  if (!root && sc->text) {
    size_t off = end && end >= sc->text ? (size_t)(end - sc->text) : 0;
    const char *e = cJSON_GetErrorPtr();
    if (e && e >= sc->text && e <= sc->text + len) off = (size_t)(e - sc->text);
    size_t line, col;
    line_col(sc->text, off, &line, &col);
    lwsim_diags_add(d, "", "invalid JSON at line %zu, column %zu, expected a JSON object "
                    "(check commas, quotes and brackets there)", line, col);
  } else if (root) {
    parse_root(&L, root);
  }
  cJSON_Delete(root);
  if (L.oom) lwsim_diags_add(d, "", "out of memory while loading");
  if (d->n || d->oom) {
    lwsim_scenario_free(sc);
    return -1;
  }
  *out = sc;
  return 0;
}

int lwsim_scenario_load(const char *path, struct lwsim_scenario **out, struct lwsim_diags *d) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) {
    lwsim_diags_add(d, "", "cannot read the file: %s", strerror(errno));
    return -1;
  }
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      if (cap >= (size_t)64 << 20) break; /* 64 MiB: no scenario is that big */
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  int err = ferror(f);
  fclose(f);
  if (!buf || err) {
    free(buf);
    lwsim_diags_add(d, "", "cannot read the file%s", buf ? "" : ": out of memory");
    return -1;
  }
  if (len == cap) {
    free(buf);
    lwsim_diags_add(d, "", "file too large, expected a scenario under 64 MiB");
    return -1;
  }
  int rc = lwsim_scenario_parse(buf, len, path, out, d);
  free(buf);
  return rc;
}

void lwsim_scenario_free(struct lwsim_scenario *sc) {
  if (!sc) return;
  for (size_t i = 0; i < sc->nnodes; i++) {
    struct lwsim_sc_node *n = &sc->nodes[i];
    for (size_t j = 0; j < n->nnetifs; j++) free(n->netifs[j].name);
    free(n->netifs);
    free(n->cfg);
    free(n->name);
  }
  free(sc->nodes);
  for (size_t i = 0; i < sc->nmedia; i++) {
    free(sc->media[i].name);
    free(sc->media[i].ports);
  }
  free(sc->media);
  for (size_t i = 0; i < sc->napps; i++) free(sc->apps[i].name);
  free(sc->apps);
  for (size_t i = 0; i < sc->nactions; i++) {
    free(sc->actions[i].group_ports);
    free(sc->actions[i].group_of);
    free(sc->actions[i].frame);
  }
  free(sc->actions);
  for (size_t i = 0; i < sc->nchecks; i++) {
    free(sc->checks[i].name);
    free(sc->checks[i].finding_kind);
  }
  free(sc->checks);
  for (size_t i = 0; i < sc->ntags; i++) free(sc->tags[i]);
  free(sc->tags);
  for (size_t i = 0; i < sc->nrequirements; i++) free(sc->requirements[i]);
  free(sc->requirements);
  free(sc->name);
  free(sc->description);
  free(sc->file);
  free(sc->text);
  free(sc);
}
