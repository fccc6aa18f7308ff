/* The conformance catalog: docs/conformance/ (every .json file), each
 *   {"rfc": "RFC9293", "requirements": [{"id": "MUST-1", "text": "...",
 *    "status": "implemented" | "not_applicable", "reason": "...",
 *    "tests": ["..."]}]}
 * flattened into requirement ids "RFC9293:MUST-1" (the form scenarios use
 * in their "requirements"). Files are read in name order (strcmp), so the
 * matrix is the same on every machine. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reports/report.h"
#include "reports/util.h"

void lwsim_conformance_free(struct lwsim_conformance *c) {
  for (size_t i = 0; i < c->n; i++) {
    free(c->v[i].id);
    free(c->v[i].rfc);
    free(c->v[i].text);
    free(c->v[i].status);
    free(c->v[i].reason);
  }
  free(c->v);
  memset(c, 0, sizeof *c);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *jstr(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int add_req(struct lwsim_conformance *c, size_t *cap, const char *rfc, const cJSON *e) {
  if (!lwsim_grow((void **)&c->v, cap, c->n + 1, sizeof *c->v)) return -1;
  struct lwsim_conformance_req *r = &c->v[c->n];
  memset(r, 0, sizeof *r);
  const char *text = jstr(e, "text"), *status = jstr(e, "status"), *reason = jstr(e, "reason");
  r->id = lwsim_aprintf("%s:%s", rfc, jstr(e, "id"));
  r->rfc = lwsim_strdup(rfc);
  r->text = lwsim_strdup(text ? text : "");
  r->status = lwsim_strdup(status ? status : "");
  r->reason = lwsim_strdup(reason ? reason : "");
  c->n++; /* counted even when partly allocated, so free() releases it */
  return r->id && r->rfc && r->text && r->status && r->reason ? 0 : -1;
}

static int load_file(struct lwsim_conformance *c, size_t *cap, const char *path, char *err,
                     size_t errcap) {
  size_t len;
  char *text = lwsim_read_file(path, &len);
  if (!text) {
    snprintf(err, errcap, "%s: %s", path, strerror(errno));
    return -1;
  }
  cJSON *o = cJSON_ParseWithLength(text, len);
  free(text);
  const char *rfc = jstr(o, "rfc");
  const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(o, "requirements");
  if (!rfc || !cJSON_IsArray(reqs)) {
    cJSON_Delete(o);
    snprintf(err, errcap, "%s: expected an object with \"rfc\" and a \"requirements\" array", path);
    errno = EINVAL;
    return -1;
  }
  int rc = 0;
  for (const cJSON *e = reqs->child; e && rc == 0; e = e->next) {
    if (!jstr(e, "id")) continue; /* an entry without an id cannot be matched */
    if (add_req(c, cap, rfc, e) < 0) {
      snprintf(err, errcap, "out of memory");
      rc = -1;
    }
  }
  cJSON_Delete(o);
  return rc;
}

int lwsim_conformance_load(struct lwsim_conformance *c, const char *dir, char *err, size_t cap) {
  memset(c, 0, sizeof *c);
  DIR *d = dir ? opendir(dir) : NULL;
  if (!d) return 0; /* no catalog: the matrix shows the scenarios' ids only */
  char **names = NULL;
  size_t n = 0, ncap = 0;
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && rc == 0) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 || e->d_name[0] == '.') continue;
    if (!lwsim_grow((void **)&names, &ncap, n + 1, sizeof *names) ||
        !(names[n] = lwsim_path_join(dir, e->d_name))) {
      snprintf(err, cap, "out of memory");
      rc = -1;
      break;
    }
    n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, cmp_str);
  size_t vcap = 0;
  for (size_t i = 0; i < n && rc == 0; i++) rc = load_file(c, &vcap, names[i], err, cap);
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  if (rc < 0) lwsim_conformance_free(c);
  return rc;
}
