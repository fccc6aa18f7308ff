/* lwsim_reports: results.json round trip, JUnit structure, summary.json,
 * the conformance catalog, and report.html (sections, escaping of every
 * scenario string, timelines; a headless Chromium screenshot when
 * /usr/bin/chromium exists). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "reports/report.h"
#include "reports/util.h"

#define TMP LWSIM_TEST_TMPDIR "/report"

static const char evil[] = "<script>alert(\"x\")</script> & 'q'";

/* A run with a bit of everything; `evil` strings where a scenario's text
 * can reach the page. */
static void make_run(struct lwsim_report_run *r, const char *name, const char *file,
                     uint64_t seed, int verdict) {
  lwsim_report_run_init(r);
  assert_int_equal(lwsim_report_set(&r->scenario, name), 0);
  assert_int_equal(lwsim_report_set(&r->file, file), 0);
  assert_int_equal(lwsim_report_set(&r->engine, "builtin"), 0);
  assert_int_equal(lwsim_report_set(&r->description, evil), 0);
  char *replay = lwsim_aprintf("lwsim run %s --seed %llu", file, (unsigned long long)seed);
  assert_int_equal(lwsim_report_set(&r->replay, replay), 0);
  free(replay);
  r->seed = seed;
  r->verdict = verdict;
  r->trace_hash = 0x0123456789abcdefULL + seed;
  r->virtual_time = 2500000000;
  assert_int_equal(lwsim_report_add_string(&r->requirements, &r->nrequirements, "RFC791:3.2"), 0);
  assert_int_equal(lwsim_report_add_string(&r->requirements, &r->nrequirements, "RFC9999:<b>"), 0);
  assert_int_equal(lwsim_report_add_string(&r->tags, &r->ntags, "tag<i>"), 0);
  assert_non_null(lwsim_report_add_check(r, "check <one>", "app", LWSIM_VERDICT_PASS, "ok & fine"));
  assert_non_null(lwsim_report_add_check(r, evil, "frame",
                                         verdict == LWSIM_VERDICT_PASS ? LWSIM_VERDICT_PASS
                                                                       : LWSIM_VERDICT_FAIL,
                                         "received 1, expected >= 2 <!--"));
  assert_non_null(lwsim_report_add_finding(r, "use_after_free", "node<1>", "pbuf_free", "d", 42));
  struct lwsim_report_node *n = lwsim_report_add_node(r, "a");
  assert_non_null(n);
  assert_int_equal(lwsim_report_kvs_add(&n->stats, "ip.rx", 7), 0);
  struct lwsim_report_port *p = lwsim_report_add_port(r, "l1", "a", "eth0", "tx");
  assert_non_null(p);
  assert_int_equal(lwsim_report_kvs_add(&p->counters, "loss", 3), 0);
  struct lwsim_report_app *a = lwsim_report_add_app(r, "ping<>", "ping", "a");
  assert_non_null(a);
  assert_int_equal(lwsim_report_kvs_add(&a->results, "received", 4), 0);
  assert_int_equal(lwsim_report_tl_column(&r->timeline, "a"), 0);
  assert_int_equal(lwsim_report_tl_column(&r->timeline, "b<x>"), 1);
  assert_int_equal(lwsim_report_tl_column(&r->timeline, "a"), 0);
  assert_non_null(lwsim_report_tl_add(&r->timeline, 0, 1000, 0, 1, 0, "ARP who-has <10.0.0.2>", NULL));
  assert_non_null(lwsim_report_tl_add(&r->timeline, 2000, 3000, 1, 0, 1, "UDP & co", "loss"));
  assert_non_null(lwsim_report_tl_add(&r->timeline, 4000, 4000, 0, -1, 1, "x", "down"));
  r->timeline.total = 3;
  assert_int_equal(lwsim_report_add_string(&r->files, &r->nfiles, "trace.jsonl"), 0);
}

static char *slurp(const char *path) {
  char *s = lwsim_read_file(path, NULL);
  assert_non_null(s);
  return s;
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
  return n;
}

static void results_round_trip(void **state) {
  (void)state;
  assert_int_equal(lwsim_mkdirs(TMP "/rt"), 0);
  struct lwsim_report_run r, b;
  make_run(&r, evil, "s/x.json", UINT64_MAX - 1, LWSIM_VERDICT_FAIL); /* a seed above 2^53 */
  assert_non_null(lwsim_report_set(&r.error, "boom") == 0 ? &r : NULL);
  assert_int_equal(lwsim_report_run_write(&r, TMP "/rt/results.json"), 0);
  char err[256];
  assert_int_equal(lwsim_report_run_read(&b, TMP "/rt/results.json", err, sizeof err), 0);
  assert_string_equal(b.scenario, evil);
  assert_string_equal(b.description, evil);
  assert_true(b.seed == UINT64_MAX - 1);
  assert_true(b.trace_hash == r.trace_hash);
  assert_true(b.virtual_time == r.virtual_time);
  assert_int_equal(b.verdict, LWSIM_VERDICT_FAIL);
  assert_string_equal(b.error, "boom");
  assert_int_equal(b.nchecks, 2);
  assert_int_equal(b.checks[1].verdict, LWSIM_VERDICT_FAIL);
  assert_string_equal(b.checks[1].detail, "received 1, expected >= 2 <!--");
  assert_int_equal(b.nfindings, 1);
  assert_true(b.findings[0].time == 42);
  assert_true(lwsim_report_kvs_get(&b.nodes[0].stats, "ip.rx", 0) == 7);
  assert_true(lwsim_report_kvs_get(&b.ports[0].counters, "loss", 0) == 3);
  assert_true(lwsim_report_kvs_get(&b.apps[0].results, "received", 0) == 4);
  assert_int_equal(b.timeline.n, 3);
  assert_int_equal(b.timeline.v[2].to, -1);
  assert_string_equal(b.timeline.v[1].cause, "loss");
  assert_int_equal(b.nrequirements, 2);
  assert_string_equal(b.dir, TMP "/rt");
  /* the file is valid JSON with the documented keys */
  char *text = slurp(TMP "/rt/results.json");
  cJSON *o = cJSON_Parse(text);
  assert_non_null(o);
  static const char *const keys[] = {"scenario", "file", "seed", "engine", "verdict", "trace_hash",
                                     "virtual_time_ns", "checks", "findings", "nodes", "media",
                                     "replay"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    assert_non_null(cJSON_GetObjectItemCaseSensitive(o, keys[i]));
  assert_int_equal(strlen(cJSON_GetObjectItemCaseSensitive(o, "trace_hash")->valuestring), 16);
  cJSON_Delete(o);
  free(text);
  lwsim_report_run_free(&r);
  lwsim_report_run_free(&b);
}

static void read_rejects_garbage(void **state) {
  (void)state;
  assert_int_equal(lwsim_mkdirs(TMP "/garbage"), 0);
  assert_int_equal(lwsim_write_file(TMP "/garbage/results.json", "{\"x\": 1}", 8), 0);
  struct lwsim_report_run r;
  char err[256];
  assert_int_equal(lwsim_report_run_read(&r, TMP "/garbage/results.json", err, sizeof err), -1);
  assert_non_null(strstr(err, "not an lwsim results record"));
  assert_int_equal(lwsim_report_run_read(&r, TMP "/garbage/none.json", err, sizeof err), -1);
}

/* Three runs of two scenarios, one failed, one an error; their folders
 * under base (each test case its own: ctest runs cases in parallel). */
static struct lwsim_report_run *suite_runs(const char *base, size_t *n) {
  struct lwsim_report_run *v = calloc(3, sizeof *v);
  assert_non_null(v);
  make_run(&v[0], "<script>", "scenarios/a.json", 1, LWSIM_VERDICT_PASS);
  make_run(&v[1], "<script>", "scenarios/a.json", 2, LWSIM_VERDICT_FAIL);
  make_run(&v[2], "b & c", "scenarios/b.json", 1, LWSIM_VERDICT_ERROR);
  assert_int_equal(lwsim_report_set(&v[2].error, "killed by <signal> 9"), 0);
  for (int i = 0; i < 3; i++) {
    char *d = lwsim_aprintf("%s/runs/r%d", base, i);
    assert_int_equal(lwsim_mkdirs(d), 0);
    char *p = lwsim_path_join(d, "results.json");
    assert_int_equal(lwsim_report_run_write(&v[i], p), 0);
    assert_int_equal(lwsim_report_set(&v[i].dir, d), 0);
    free(p);
    free(d);
  }
  *n = 3;
  return v;
}

static void free_runs(struct lwsim_report_run *v, size_t n) {
  for (size_t i = 0; i < n; i++) lwsim_report_run_free(&v[i]);
  free(v);
}

static void junit_structure(void **state) {
  (void)state;
  size_t n;
  struct lwsim_report_run *v = suite_runs(TMP "/junit", &n);
  struct lwsim_report_suite s = {.title = "t<1>", .tool = "lwsim test", .runs = v, .nruns = n};
  assert_int_equal(lwsim_report_write_junit(&s, TMP "/junit/junit.xml"), 0);
  char *x = slurp(TMP "/junit/junit.xml");
  assert_true(strncmp(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 50) == 0);
  assert_non_null(strstr(x, "tests=\"3\" failures=\"1\" errors=\"1\""));
  assert_int_equal(count(x, "<testsuite "), 2);
  assert_int_equal(count(x, "</testsuite>"), 2);
  assert_int_equal(count(x, "<testcase "), 3);
  assert_int_equal(count(x, "</testcase>"), 3);
  assert_int_equal(count(x, "<failure "), 1);
  assert_int_equal(count(x, "</failure>"), 1);
  assert_int_equal(count(x, "<error "), 1);
  assert_non_null(strstr(x, "name=\"seed 2\""));
  assert_non_null(strstr(x, "1 of 2 checks failed"));
  assert_non_null(strstr(x, "replay: lwsim run scenarios/a.json --seed 2"));
  assert_non_null(strstr(x, "killed by &lt;signal&gt; 9"));
  /* escaped everywhere: no raw markup from the runs */
  assert_null(strstr(x, "<script>"));
  assert_null(strstr(x, "<signal>"));
  assert_non_null(strstr(x, "&lt;script&gt;"));
  /* balanced tags: every '<' starts a tag we wrote */
  for (const char *p = x; (p = strchr(p, '<')) != NULL; p++)
    assert_true(strncmp(p, "<?xml", 5) == 0 || strncmp(p, "<test", 5) == 0 ||
                strncmp(p, "</test", 6) == 0 || strncmp(p, "<failure", 8) == 0 ||
                strncmp(p, "</failure", 9) == 0 || strncmp(p, "<error", 6) == 0 ||
                strncmp(p, "</error", 7) == 0 || strncmp(p, "<system-out", 11) == 0 ||
                strncmp(p, "</system-out", 12) == 0);
  free(x);
  free_runs(v, n);
}

static void summary_and_dirs(void **state) {
  (void)state;
  size_t n;
  struct lwsim_report_run *v = suite_runs(TMP "/summary", &n);
  struct lwsim_report_suite s = {.title = "t", .tool = "lwsim test", .shard = "2/3", .runs = v,
                                 .nruns = n};
  assert_int_equal(lwsim_report_write_summary(&s, TMP "/summary/summary.json"), 0);
  char *text = slurp(TMP "/summary/summary.json");
  cJSON *o = cJSON_Parse(text);
  assert_non_null(o);
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "totals");
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(t, "runs")->valueint, 3);
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(t, "pass")->valueint, 1);
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(t, "fail")->valueint, 1);
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(t, "error")->valueint, 1);
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(t, "scenarios")->valueint, 2);
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "shard")->valuestring, "2/3");
  const cJSON *r1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "runs"), 1);
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(r1, "dir")->valuestring, "runs/r1");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r1, "failed_checks")), 1);
  cJSON_Delete(o);
  free(text);
  char **dirs, err[256];
  size_t nd;
  assert_int_equal(lwsim_report_summary_dirs(TMP "/summary/summary.json", &dirs, &nd, err, sizeof err), 0);
  assert_int_equal(nd, 3);
  assert_string_equal(dirs[2], TMP "/summary/runs/r2");
  for (size_t i = 0; i < nd; i++) free(dirs[i]);
  free(dirs);
  free_runs(v, n);
}

/* Two catalog files (and a file that is not one) into dir. */
static void write_catalog(const char *dir) {
  assert_int_equal(lwsim_mkdirs(dir), 0);
  const char b[] = "{\"rfc\": \"RFC791\", \"requirements\": [\n"
                   " {\"id\": \"3.2\", \"text\": \"fragment <carefully>\", \"status\": \"implemented\"},\n"
                   " {\"id\": \"9.9\", \"text\": \"n/a\", \"status\": \"not_applicable\", \"reason\": \"no\"}]}";
  const char a[] = "{\"rfc\": \"RFC768\", \"requirements\": [{\"id\": \"x\", \"text\": \"t\"}]}";
  char *p = lwsim_path_join(dir, "b.json");
  assert_int_equal(lwsim_write_file(p, b, sizeof b - 1), 0);
  free(p);
  p = lwsim_path_join(dir, "a.json");
  assert_int_equal(lwsim_write_file(p, a, sizeof a - 1), 0);
  free(p);
  p = lwsim_path_join(dir, "notes.txt");
  assert_int_equal(lwsim_write_file(p, "x", 1), 0);
  free(p);
}

static void conformance_catalog(void **state) {
  (void)state;
  struct lwsim_conformance c;
  char err[256];
  assert_int_equal(lwsim_conformance_load(&c, TMP "/no-such-dir", err, sizeof err), 0);
  assert_int_equal(c.n, 0);
  write_catalog(TMP "/conf");
  assert_int_equal(lwsim_conformance_load(&c, TMP "/conf", err, sizeof err), 0);
  assert_int_equal(c.n, 3);
  assert_string_equal(c.v[0].id, "RFC768:x"); /* files in name order */
  assert_string_equal(c.v[1].id, "RFC791:3.2");
  assert_string_equal(c.v[2].status, "not_applicable");
  lwsim_conformance_free(&c);
  assert_int_equal(lwsim_write_file(TMP "/conf/c.json", "[1]", 3), 0);
  assert_int_equal(lwsim_conformance_load(&c, TMP "/conf", err, sizeof err), -1);
  assert_non_null(strstr(err, "c.json"));
  unlink(TMP "/conf/c.json");
}

/* report.html from the suite (folders under base), with a catalog. */
static char *make_html(const char *base, const char *path) {
  size_t n;
  struct lwsim_report_run *v = suite_runs(base, &n);
  struct lwsim_conformance c;
  char err[256];
  char *conf = lwsim_path_join(base, "conf");
  write_catalog(conf);
  assert_int_equal(lwsim_conformance_load(&c, conf, err, sizeof err), 0);
  free(conf);
  struct lwsim_report_suite s = {.title = "<title> suite", .tool = "lwsim test", .runs = v,
                                 .nruns = n, .conformance = &c, .timeline_pass_limit = 10};
  assert_int_equal(lwsim_report_write_html(&s, path), 0);
  lwsim_conformance_free(&c);
  free_runs(v, n);
  return slurp(path);
}

static void html_sections_and_escaping(void **state) {
  (void)state;
  char *h = make_html(TMP "/html", TMP "/html/report.html");
  assert_true(strncmp(h, "<!DOCTYPE html>", 15) == 0);
  static const char *const sections[] = {"id=\"totals\"", "id=\"verdicts\"", "id=\"failures\"",
                                         "id=\"conformance\"", "id=\"scenarios\""};
  for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
    assert_non_null(strstr(h, sections[i]));
  /* nothing from a run reaches the page unescaped */
  assert_null(strstr(h, "<script"));
  assert_null(strstr(h, "<signal>"));
  assert_null(strstr(h, "<carefully>"));
  assert_null(strstr(h, "RFC9999:<b>"));
  assert_null(strstr(h, "<!--"));
  assert_non_null(strstr(h, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"));
  assert_non_null(strstr(h, "&lt;title&gt; suite"));
  /* self-contained: no fetches */
  assert_null(strstr(h, "src=\"http"));
  assert_null(strstr(h, "href=\"http"));
  assert_null(strstr(h, "<link"));
  /* timelines: failed runs get one, drops marked with their cause */
  assert_true(count(h, "<svg ") >= 2);
  assert_int_equal(count(h, "<svg "), count(h, "</svg>"));
  assert_non_null(strstr(h, ">loss</text>"));
  assert_non_null(strstr(h, "ARP who-has &lt;10.0.0.2&gt;"));
  /* the conformance matrix: catalog rows, ids named by scenarios, totals */
  assert_non_null(strstr(h, "RFC791:3.2"));
  assert_non_null(strstr(h, "RFC9999:&lt;b&gt;"));
  assert_non_null(strstr(h, "not applicable"));
  assert_non_null(strstr(h, "not covered"));
  assert_non_null(strstr(h, "requirements: 0 pass, 1 fail"));
  /* the failure details: failed check, replay command, findings */
  assert_non_null(strstr(h, "replay: <code>lwsim run scenarios/a.json --seed 2</code>"));
  assert_non_null(strstr(h, "use_after_free"));
  assert_non_null(strstr(h, "killed by &lt;signal&gt; 9"));
  /* tags balance for the elements we open */
  static const char *const tags[] = {"table", "tr", "details", "section", "svg", "g", "code", "pre"};
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
    char open[16], open2[16], close[16];
    snprintf(open, sizeof open, "<%s>", tags[i]);
    snprintf(open2, sizeof open2, "<%s ", tags[i]);
    snprintf(close, sizeof close, "</%s>", tags[i]);
    assert_int_equal(count(h, open) + count(h, open2), count(h, close));
  }
  /* the same model gives the same bytes */
  char *h2 = make_html(TMP "/html", TMP "/html/report2.html");
  assert_string_equal(h, h2);
  free(h2);
  free(h);
}

static void html_screenshot(void **state) {
  (void)state;
  const char *chromium = "/usr/bin/chromium";
  if (access(chromium, X_OK) != 0) {
    print_message("/usr/bin/chromium not installed: skipping the headless screenshot of report.html\n");
    skip();
  }
  char *h = make_html(TMP "/shot", TMP "/shot/shot.html");
  free(h);
  unlink(TMP "/shot/shot.png");
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "%s --headless --no-sandbox --disable-gpu --screenshot=%s --window-size=1280,2000 "
           "file://%s >/dev/null 2>&1",
           chromium, TMP "/shot/shot.png", TMP "/shot/shot.html");
  assert_int_equal(system(cmd), 0);
  struct stat st;
  assert_int_equal(stat(TMP "/shot/shot.png", &st), 0);
  assert_true(st.st_size > 10000); /* a rendered page, not a blank */
  print_message("screenshot: %s\n", TMP "/shot/shot.png");
}

static void paths(void **state) {
  (void)state;
  char *s = lwsim_path_stem("scenarios/icmp-ping.json");
  assert_string_equal(s, "icmp-ping");
  free(s);
  s = lwsim_path_dir("a/b/c.json");
  assert_string_equal(s, "a/b");
  free(s);
  s = lwsim_path_dir("c.json");
  assert_string_equal(s, ".");
  free(s);
  s = lwsim_path_join("a/", "b");
  assert_string_equal(s, "a/b");
  free(s);
  assert_int_equal(lwsim_mkdirs(TMP "/rel/x/y"), 0);
  assert_int_equal(lwsim_mkdirs(TMP "/rel/z"), 0);
  s = lwsim_path_relative(TMP "/rel/x/y", TMP "/rel");
  assert_string_equal(s, "x/y");
  free(s);
  s = lwsim_path_relative(TMP "/rel/x/y", TMP "/rel/z");
  assert_string_equal(s, "../x/y");
  free(s);
  s = lwsim_path_relative(TMP "/rel", TMP "/rel");
  assert_string_equal(s, ".");
  free(s);
}

int main(void) {
  mkdir(LWSIM_TEST_TMPDIR, 0755);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(results_round_trip),
      cmocka_unit_test(read_rejects_garbage),
      cmocka_unit_test(junit_structure),
      cmocka_unit_test(summary_and_dirs),
      cmocka_unit_test(conformance_catalog),
      cmocka_unit_test(html_sections_and_escaping),
      cmocka_unit_test(html_screenshot),
      cmocka_unit_test(paths),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
