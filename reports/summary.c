/* summary.json: the suite's totals and one entry per run, with the run's
 * folder so that `lwsim merge` (and people) find the full results. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "reports/internal.h"
#include "reports/util.h"

static void write_run(struct lwsim_jsonw *w, const struct lwsim_report_run *r, const char *base) {
  char hash[20];
  snprintf(hash, sizeof hash, "%016" PRIx64, r->trace_hash);
  char *dir = r->dir ? lwsim_path_relative(r->dir, base) : NULL;
  lwsim_jsonw_object(w, NULL);
  lwsim_jsonw_str(w, "scenario", r->scenario);
  lwsim_jsonw_str(w, "file", r->file);
  lwsim_report_write_seed(w, r->seed);
  lwsim_jsonw_str(w, "verdict", lwsim_verdict_name(r->verdict));
  lwsim_jsonw_str(w, "trace_hash", hash);
  lwsim_jsonw_i64(w, "virtual_time_ns", r->virtual_time);
  lwsim_jsonw_str(w, "dir", dir ? dir : r->dir);
  lwsim_jsonw_str(w, "replay", r->replay);
  if (r->error) lwsim_jsonw_str(w, "error", r->error);
  lwsim_jsonw_array(w, "failed_checks");
  for (size_t i = 0; i < r->nchecks; i++)
    if (r->checks[i].verdict != LWSIM_VERDICT_PASS) lwsim_jsonw_str(w, NULL, r->checks[i].name);
  lwsim_jsonw_end_array(w);
  lwsim_jsonw_end_object(w);
  free(dir);
}

int lwsim_report_write_summary(const struct lwsim_report_suite *s, const char *path) {
  char *base = lwsim_path_dir(path);
  if (!base) return -1;
  FILE *f = fopen(path, "w");
  if (!f) {
    free(base);
    return -1;
  }
  struct lwsim_report_totals t;
  lwsim_report_totals(s, &t);
  struct lwsim_jsonw w;
  lwsim_jsonw_init(&w, f);
  lwsim_jsonw_object(&w, NULL);
  lwsim_jsonw_u64(&w, "format", 1);
  lwsim_jsonw_str(&w, "tool", s->tool);
  lwsim_jsonw_str(&w, "title", s->title);
  lwsim_jsonw_str(&w, "shard", s->shard);
  lwsim_jsonw_object(&w, "totals");
  lwsim_jsonw_u64(&w, "runs", t.runs);
  lwsim_jsonw_u64(&w, "pass", t.pass);
  lwsim_jsonw_u64(&w, "fail", t.fail);
  lwsim_jsonw_u64(&w, "error", t.error);
  lwsim_jsonw_u64(&w, "scenarios", t.scenarios);
  lwsim_jsonw_end_object(&w);
  lwsim_jsonw_array(&w, "runs");
  for (size_t i = 0; i < s->nruns; i++) write_run(&w, &s->runs[i], base);
  lwsim_jsonw_end_array(&w);
  lwsim_jsonw_end_object(&w);
  free(base);
  return lwsim_close_file(f);
}

int lwsim_report_summary_dirs(const char *path, char ***dirs, size_t *n, char *err, size_t cap) {
  *dirs = NULL;
  *n = 0;
  size_t len;
  char *text = lwsim_read_file(path, &len);
  if (!text) {
    snprintf(err, cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  cJSON *o = cJSON_ParseWithLength(text, len);
  free(text);
  const cJSON *runs = cJSON_GetObjectItemCaseSensitive(o, "runs");
  if (!cJSON_IsArray(runs)) {
    cJSON_Delete(o);
    snprintf(err, cap, "%s: not an lwsim summary (no \"runs\" array)", path);
    errno = EINVAL;
    return -1;
  }
  char *base = lwsim_path_dir(path);
  int rc = base ? 0 : -1;
  for (const cJSON *r = runs->child; r && rc == 0; r = r->next) {
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "dir");
    if (!cJSON_IsString(d)) {
      snprintf(err, cap, "%s: a run without a \"dir\"", path);
      errno = EINVAL;
      rc = -1;
      break;
    }
    char *full = lwsim_path_join(base, d->valuestring);
    if (!full || lwsim_report_add_string(dirs, n, full) < 0) {
      snprintf(err, cap, "out of memory");
      rc = -1;
    }
    free(full);
  }
  free(base);
  cJSON_Delete(o);
  if (rc < 0) {
    for (size_t i = 0; i < *n; i++) free((*dirs)[i]);
    free(*dirs);
    *dirs = NULL;
    *n = 0;
  }
  return rc;
}
