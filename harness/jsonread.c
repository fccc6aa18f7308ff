/* Typed JSON readers with "found X, expected Y" diagnostics. */
#include "harness/jsonread.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ diagnostics -- */

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

void lwsim_diags_init(struct lwsim_diags *d, const char *file) {
  memset(d, 0, sizeof *d);
  d->file = dup_str(file ? file : "-");
  if (!d->file) d->oom = 1;
}

void lwsim_diags_free(struct lwsim_diags *d) {
  for (size_t i = 0; i < d->n; i++) {
    free(d->v[i].path);
    free(d->v[i].msg);
  }
  free(d->v);
  free(d->file);
  memset(d, 0, sizeof *d);
}

void lwsim_diags_add(struct lwsim_diags *d, const char *path, const char *fmt, ...) {
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 8;
    struct lwsim_diag *v = realloc(d->v, cap * sizeof *v);
    if (!v) {
      d->oom = 1;
      return;
    }
    d->v = v;
    d->cap = cap;
  }
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  struct lwsim_diag *g = &d->v[d->n];
  g->path = dup_str(path);
  g->msg = dup_str(msg);
  if (!g->path || !g->msg) {
    free(g->path);
    free(g->msg);
    d->oom = 1;
    return;
  }
  d->n++;
}

void lwsim_diag_format(const struct lwsim_diags *d, size_t i, char *buf, size_t cap) {
  const struct lwsim_diag *g = &d->v[i];
  snprintf(buf, cap, "%s: %s: %s", d->file ? d->file : "-", g->path[0] ? g->path : "/", g->msg);
}

/* ------------------------------------------------------------ paths --- */

void lwsim_path_key(char out[LWSIM_PATH_MAX], const char *path, const char *key) {
  size_t n = (size_t)snprintf(out, LWSIM_PATH_MAX, "%s/", path);
  if (n >= LWSIM_PATH_MAX) return;
  for (const char *k = key; *k && n + 3 < LWSIM_PATH_MAX; k++) {
    if (*k == '~' || *k == '/') {
      out[n++] = '~';
      out[n++] = *k == '~' ? '0' : '1';
    } else {
      out[n++] = *k;
    }
  }
  out[n] = 0;
}

void lwsim_path_index(char out[LWSIM_PATH_MAX], const char *path, size_t index) {
  snprintf(out, LWSIM_PATH_MAX, "%s/%zu", path, index);
}

void lwsim_json_describe(const cJSON *v, char *buf, size_t cap) {
  if (!v) snprintf(buf, cap, "nothing");
  else if (cJSON_IsString(v)) {
    const char *s = v->valuestring;
    if (strlen(s) > 40) snprintf(buf, cap, "the string \"%.37s...\"", s);
    else snprintf(buf, cap, "the string \"%s\"", s);
  } else if (cJSON_IsNumber(v)) snprintf(buf, cap, "the number %.17g", v->valuedouble);
  else if (cJSON_IsObject(v)) snprintf(buf, cap, "an object");
  else if (cJSON_IsArray(v)) snprintf(buf, cap, "an array");
  else if (cJSON_IsTrue(v)) snprintf(buf, cap, "true");
  else if (cJSON_IsFalse(v)) snprintf(buf, cap, "false");
  else snprintf(buf, cap, "null");
}

/* Records "found <v>, expected <what>" at path. */
static int mismatch(struct lwsim_diags *d, const char *path, const cJSON *v, const char *what) {
  char found[96];
  lwsim_json_describe(v, found, sizeof found);
  lwsim_diags_add(d, path, "found %s, expected %s", found, what);
  return -1;
}

/* ------------------------------------------------------ did you mean -- */

size_t lwsim_edit_distance(const char *a, const char *b) {
  /* optimal string alignment: insertions, deletions, substitutions and
   * transpositions of neighbours each cost 1 ("pnig" is 1 from "ping") */
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64) return la > lb ? la : lb; /* not a typo of a key */
  size_t d[65][65];
  for (size_t i = 0; i <= la; i++) d[i][0] = i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[la][lb];
}

const char *lwsim_did_you_mean(const char *word, const char *const *cands, size_t n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  size_t wl = strlen(word);
  for (size_t i = 0; i < n; i++) {
    if (!cands[i]) continue;
    size_t dist = lwsim_edit_distance(word, cands[i]);
    if (dist < best_d) { /* first of equals wins: deterministic */
      best_d = dist;
      best = cands[i];
    }
  }
  if (!best || best_d > 2 || best_d * 2 >= (wl > 1 ? wl : 2)) return NULL;
  return best;
}

static size_t count_list(const char *const *list) {
  size_t n = 0;
  while (list[n]) n++;
  return n;
}

/* "a, b, c" into buf ("..." at the end when it does not fit). */
static void join_list(const char *const *list, char *buf, size_t cap) {
  size_t n = 0;
  buf[0] = 0;
  for (size_t i = 0; list[i]; i++) {
    size_t need = strlen(list[i]) + 2;
    if (n + need + 4 >= cap) {
      snprintf(buf + n, cap - n, "%s...", i ? ", " : "");
      return;
    }
    n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", list[i]);
  }
}

/* ---------------------------------------------------------- shapes ---- */

int lwsim_jr_object(struct lwsim_diags *d, const cJSON *v, const char *path,
                    const char *const *allowed) {
  if (!cJSON_IsObject(v)) return mismatch(d, path, v, "an object");
  size_t nallowed = count_list(allowed);
  for (const cJSON *c = v->child; c; c = c->next) {
    char p[LWSIM_PATH_MAX];
    lwsim_path_key(p, path, c->string);
    for (const cJSON *e = v->child; e != c; e = e->next)
      if (strcmp(e->string, c->string) == 0) {
        lwsim_diags_add(d, p, "duplicate key \"%s\" (each key may appear once)", c->string);
        break;
      }
    int known = 0;
    for (size_t i = 0; i < nallowed; i++)
      if (strcmp(allowed[i], c->string) == 0) known = 1;
    if (known) continue;
    const char *dym = lwsim_did_you_mean(c->string, allowed, nallowed);
    char list[512];
    join_list(allowed, list, sizeof list);
    if (dym)
      lwsim_diags_add(d, p, "unknown key \"%s\", did you mean \"%s\"? (expected one of: %s)",
                      c->string, dym, list);
    else
      lwsim_diags_add(d, p, "unknown key \"%s\" (expected one of: %s)", c->string, list);
  }
  return 0;
}

int lwsim_jr_array(struct lwsim_diags *d, const cJSON *v, const char *path) {
  return cJSON_IsArray(v) ? 0 : mismatch(d, path, v, "an array");
}

/* Looks key up: 1 found (*v, p set), 0 absent and optional, -1 absent and
 * required (recorded). */
static int field(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                 int required, const char *what, const cJSON **v, char p[LWSIM_PATH_MAX]) {
  *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  lwsim_path_key(p, path, key);
  if (*v) return 1;
  if (!required) return 0;
  lwsim_diags_add(d, path[0] ? path : "", "missing key \"%s\" (expected %s)", key, what);
  return -1;
}

/* ----------------------------------------------------------- scalars -- */

int lwsim_jr_string(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                    int required, const char *what, const char **out) {
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  if (!cJSON_IsString(v)) return mismatch(d, p, v, what);
  *out = v->valuestring;
  return 1;
}

int lwsim_jr_name(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, size_t max_len, const char **out) {
  char what[96];
  snprintf(what, sizeof what, "a name of 1 to %zu characters from [A-Za-z0-9_.-]", max_len);
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  if (!cJSON_IsString(v)) return mismatch(d, p, v, what);
  const char *s = v->valuestring;
  size_t n = strlen(s);
  int ok = n >= 1 && n <= max_len && s[0] != '.' && s[0] != '-';
  for (size_t i = 0; ok && i < n; i++) {
    char c = s[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
  }
  if (!ok) return mismatch(d, p, v, what);
  *out = s;
  return 1;
}

int lwsim_jr_bool(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, int *out) {
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, "true or false", &v, p);
  if (rc <= 0) return rc;
  if (!cJSON_IsBool(v)) return mismatch(d, p, v, "true or false");
  *out = cJSON_IsTrue(v);
  return 1;
}

/* An exact integer value of a JSON number, or -1. */
static int number_int(const cJSON *v, int64_t *out) {
  if (!cJSON_IsNumber(v)) return -1;
  double x = v->valuedouble;
  if (!isfinite(x) || floor(x) != x || x < -9007199254740992.0 || x > 9007199254740992.0)
    return -1;
  *out = (int64_t)x;
  return 0;
}

int lwsim_jr_int(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                 int required, int64_t min, int64_t max, int64_t *out) {
  char what[96];
  snprintf(what, sizeof what, "an integer in [%lld, %lld]", (long long)min, (long long)max);
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  int64_t x;
  if (number_int(v, &x) < 0 || x < min || x > max) return mismatch(d, p, v, what);
  *out = x;
  return 1;
}

int lwsim_jr_u64(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                 int required, uint64_t *out) {
  const char *what = "a non-negative integer (a string of digits above 2^53)";
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  if (cJSON_IsString(v)) {
    const char *s = v->valuestring;
    uint64_t x = 0;
    int ok = *s != 0 && strlen(s) <= 20;
    for (; ok && *s; s++) {
      if (*s < '0' || *s > '9') ok = 0;
      else if (x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) ok = 0;
      else x = x * 10 + (uint64_t)(*s - '0');
    }
    if (!ok) return mismatch(d, p, v, what);
    *out = x;
    return 1;
  }
  int64_t x;
  if (number_int(v, &x) < 0 || x < 0) return mismatch(d, p, v, what);
  *out = (uint64_t)x;
  return 1;
}

int lwsim_jr_prob(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, double *out) {
  const char *what = "a probability in [0, 1]";
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0.0 && v->valuedouble <= 1.0))
    return mismatch(d, p, v, what);
  *out = v->valuedouble;
  return 1;
}

int lwsim_jr_duration(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                      int required, sim_time_t *out) {
  const char *what = "a duration >= 0: integer nanoseconds or a string like \"250ms\" "
                     "(units ns, us, ms, s)";
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  sim_time_t t;
  int64_t x;
  if (cJSON_IsString(v)) {
    if (lwsim_duration_parse(v->valuestring, &t) < 0) return mismatch(d, p, v, what);
  } else if (number_int(v, &x) == 0 && x >= 0) {
    t = x;
  } else {
    return mismatch(d, p, v, what);
  }
  *out = t;
  return 1;
}

int lwsim_jr_rate(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, uint64_t *out) {
  const char *what = "a rate in bit/s: an integer or a string like \"100Mbps\" "
                     "(units bps, kbps, Mbps, Gbps)";
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  uint64_t r;
  int64_t x;
  if (cJSON_IsString(v)) {
    if (lwsim_rate_parse(v->valuestring, &r) < 0) return mismatch(d, p, v, what);
  } else if (number_int(v, &x) == 0 && x >= 0) {
    r = (uint64_t)x;
  } else {
    return mismatch(d, p, v, what);
  }
  *out = r;
  return 1;
}

int lwsim_jr_ip(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                int required, ip4_addr_t *out) {
  const char *what = "an IPv4 address like \"10.0.0.1\"";
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  ip4_addr_t a;
  if (!cJSON_IsString(v) || ip4_addr_parse(v->valuestring, &a) != 0)
    return mismatch(d, p, v, what);
  *out = a;
  return 1;
}

int lwsim_jr_cidr(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, ip4_addr_t *addr, int *prefix) {
  const char *what = "an address with a prefix length like \"10.0.0.1/24\" (prefix 0..32)";
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  ip4_addr_t a;
  int pl;
  if (!cJSON_IsString(v) || lwsim_cidr_parse(v->valuestring, &a, &pl) < 0)
    return mismatch(d, p, v, what);
  *addr = a;
  *prefix = pl;
  return 1;
}

int lwsim_jr_mac(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                 int required, struct eth_addr *out) {
  const char *what = "a MAC address like \"02:00:00:00:00:01\"";
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  struct eth_addr m;
  if (!cJSON_IsString(v) || lwsim_mac_parse(v->valuestring, &m) < 0)
    return mismatch(d, p, v, what);
  *out = m;
  return 1;
}

int lwsim_jr_enum(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, const char *const *choices, int *out) {
  char list[512], what[600];
  join_list(choices, list, sizeof list);
  snprintf(what, sizeof what, "one of: %s", list);
  const cJSON *v;
  char p[LWSIM_PATH_MAX];
  int rc = field(d, obj, path, key, required, what, &v, p);
  if (rc <= 0) return rc;
  if (!cJSON_IsString(v)) return mismatch(d, p, v, what);
  for (int i = 0; choices[i]; i++)
    if (strcmp(choices[i], v->valuestring) == 0) {
      *out = i;
      return 1;
    }
  const char *dym = lwsim_did_you_mean(v->valuestring, choices, count_list(choices));
  char found[96];
  lwsim_json_describe(v, found, sizeof found);
  if (dym) lwsim_diags_add(d, p, "found %s, did you mean \"%s\"? (expected %s)", found, dym, what);
  else lwsim_diags_add(d, p, "found %s, expected %s", found, what);
  return -1;
}

/* ------------------------------------------------- value grammars ----- */

/* The decimal s[0, len) ("123", "1.25") times scale, exactly as an
 * integer: 0, or -1 when malformed, not whole, or overflowing. */
static int parse_scaled(const char *s, size_t len, uint64_t scale, uint64_t *out) {
  uint64_t whole = 0, frac = 0, frac_scale = 1;
  size_t i = 0;
  int digits = 0;
  for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
    if (whole > (UINT64_MAX - 9) / 10) return -1;
    whole = whole * 10 + (uint64_t)(s[i] - '0');
  }
  if (i < len && s[i] == '.') {
    i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
      if (frac_scale > UINT64_MAX / 10 / 10) return -1;
      frac = frac * 10 + (uint64_t)(s[i] - '0');
      frac_scale *= 10;
    }
  }
  if (i != len || digits == 0) return -1;
  if (whole > UINT64_MAX / scale) return -1;
  /* frac / frac_scale * scale must be a whole number */
  if (frac && frac > UINT64_MAX / scale) return -1;
  if (frac && (frac * scale) % frac_scale) return -1;
  uint64_t v = whole * scale + (frac ? frac * scale / frac_scale : 0);
  if (v < whole * scale) return -1;
  *out = v;
  return 0;
}

int lwsim_duration_parse(const char *s, sim_time_t *out) {
  static const struct {
    const char *unit;
    uint64_t ns;
  } units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
  size_t len = strlen(s);
  size_t num = 0;
  while (num < len && ((s[num] >= '0' && s[num] <= '9') || s[num] == '.')) num++;
  uint64_t scale = 0;
  if (num == len) {
    scale = 1; /* bare integer: nanoseconds (no fraction allowed) */
    if (memchr(s, '.', len)) return -1;
  } else {
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
      if (strcmp(s + num, units[i].unit) == 0) scale = units[i].ns;
  }
  uint64_t v;
  if (!scale || parse_scaled(s, num, scale, &v) < 0 || v > (uint64_t)INT64_MAX) return -1;
  *out = (sim_time_t)v;
  return 0;
}

void lwsim_duration_format(sim_time_t t, char *buf, size_t cap) {
  static const struct {
    const char *unit;
    sim_time_t ns;
  } units[] = {{"s", SIM_SEC}, {"ms", SIM_MSEC}, {"us", SIM_USEC}};
  if (t < 0) {
    snprintf(buf, cap, "%lldns", (long long)t);
    return;
  }
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    sim_time_t u = units[i].ns;
    if (t < u) continue;
    sim_time_t whole = t / u, rem = t % u;
    if (rem == 0) {
      snprintf(buf, cap, "%lld%s", (long long)whole, units[i].unit);
      return;
    }
    /* a fraction of up to three digits reads well; beyond, a smaller unit */
    if (u >= 1000 && rem % (u / 1000) == 0) {
      char frac[24];
      snprintf(frac, sizeof frac, "%03lld", (long long)(rem / (u / 1000)));
      for (int k = 2; k > 0 && frac[k] == '0'; k--) frac[k] = 0;
      snprintf(buf, cap, "%lld.%s%s", (long long)whole, frac, units[i].unit);
      return;
    }
  }
  snprintf(buf, cap, "%lldns", (long long)t);
}

int lwsim_rate_parse(const char *s, uint64_t *out) {
  static const struct {
    const char *unit;
    uint64_t bps;
  } units[] = {{"bps", 1}, {"kbps", 1000}, {"Mbps", 1000000}, {"Gbps", 1000000000}};
  size_t len = strlen(s);
  size_t num = 0;
  while (num < len && ((s[num] >= '0' && s[num] <= '9') || s[num] == '.')) num++;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strcmp(s + num, units[i].unit) == 0) return parse_scaled(s, num, units[i].bps, out);
  return -1;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int lwsim_mac_parse(const char *s, struct eth_addr *out) {
  if (strlen(s) != 17) return -1;
  struct eth_addr m;
  for (int i = 0; i < 6; i++) {
    int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':')) return -1;
    m.b[i] = (uint8_t)(hi << 4 | lo);
  }
  *out = m;
  return 0;
}

int lwsim_cidr_parse(const char *s, ip4_addr_t *addr, int *prefix) {
  const char *slash = strchr(s, '/');
  if (!slash || slash - s > 15) return -1;
  char ipbuf[16];
  memcpy(ipbuf, s, (size_t)(slash - s));
  ipbuf[slash - s] = 0;
  const char *pl = slash + 1;
  size_t n = strlen(pl);
  if (n < 1 || n > 2 || pl[0] < '0' || pl[0] > '9' || (n == 2 && (pl[1] < '0' || pl[1] > '9')))
    return -1;
  int p = atoi(pl);
  if (p > 32 || ip4_addr_parse(ipbuf, addr) != 0) return -1;
  *prefix = p;
  return 0;
}
