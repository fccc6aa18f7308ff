/* The lwsim command, run as a program: exit statuses, messages, the run
 * folder, sweeps (outputs, order, shards and merge), replay. LWSIM_BIN is
 * the built binary (tests/CMakeLists.txt). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "reports/util.h"

#define TMP LWSIM_TEST_TMPDIR "/cli"
#define BAD LWSIM_SOURCE_DIR "/tests/scenarios_bad"
#define PING LWSIM_SOURCE_DIR "/scenarios/icmp-ping.json"

/* Runs `LWSIM_BIN args` (stdout and stderr together into *out, which the
 * caller frees); returns the exit status. */
static int lwsim(char **out, const char *fmt, ...) {
  char args[4096], cmd[4600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd, "cd %s && %s %s 2>&1", TMP, LWSIM_BIN, args);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  size_t got;
  while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
    n += got;
    if (n + 1 == cap) {
      buf = realloc(buf, cap *= 2);
      assert_non_null(buf);
    }
  }
  buf[n] = 0;
  int st = pclose(p);
  if (out) *out = buf;
  else free(buf);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void write_text(const char *path, const char *text) {
  assert_int_equal(lwsim_write_file(path, text, strlen(text)), 0);
}

static void setup_dir(const char *sub) {
  char *d = lwsim_path_join(TMP, sub);
  assert_int_equal(lwsim_mkdirs(d), 0);
  free(d);
}

/* A scenario on a lossy link whose check fails when min is high. */
static void write_scenario(const char *path, const char *name, int min) {
  char text[2048];
  snprintf(text, sizeof text,
           "{\"format\": 1, \"name\": \"%s\", \"duration\": \"1s\", \"requirements\": [\"RFC792:echo\"],\n"
           " \"media\": [{\"name\": \"l\", \"kind\": \"link\", \"impair\": {\"delay\": \"1ms\", \"loss\": 0.1}}],\n"
           " \"nodes\": [{\"name\": \"a\", \"config\": {\"arp_retry\": \"50ms\", \"arp_tries\": 20},\n"
           "   \"netifs\": [{\"name\": \"eth0\", \"medium\": \"l\", \"address\": \"10.0.0.1/24\"}]},\n"
           "  {\"name\": \"b\", \"netifs\": [{\"name\": \"eth0\", \"medium\": \"l\", \"address\": \"10.0.0.2/24\"}]}],\n"
           " \"apps\": [{\"name\": \"p\", \"kind\": \"ping\", \"node\": \"a\", \"target\": \"10.0.0.2\", \"count\": 10, \"interval\": \"50ms\"}],\n"
           " \"expect\": [{\"check\": \"app\", \"app\": \"p\", \"field\": \"received\", \"min\": %d}]}\n",
           name, min);
  write_text(path, text);
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

/* ------------------------------------------------------------ basics --- */

static void version_usage_and_help(void **state) {
  (void)state;
  setup_dir(".");
  char *o;
  assert_int_equal(lwsim(&o, "--version"), 0);
  assert_non_null(strstr(o, "lwsim "));
  free(o);
  assert_int_equal(lwsim(&o, ""), 2);
  assert_non_null(strstr(o, "usage: lwsim <command>"));
  free(o);
  assert_int_equal(lwsim(&o, "frobnicate"), 2);
  assert_non_null(strstr(o, "unknown command 'frobnicate'"));
  free(o);
  assert_int_equal(lwsim(&o, "--help"), 0);
  static const char *const cmds[] = {"validate", "run", "sweep", "replay", "merge", "demo"};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    assert_non_null(strstr(o, cmds[i]));
    char *h;
    assert_int_equal(lwsim(&h, "%s --help", cmds[i]), 0);
    char want[64];
    snprintf(want, sizeof want, "usage: lwsim %s", cmds[i]);
    assert_non_null(strstr(h, want));
    free(h);
  }
  free(o);
}

/* Every malformed file: exit 2, and the message names the file and the
 * exact JSON path (expected.tsv). Nothing crashes. */
static void validate_bad_catalog(void **state) {
  (void)state;
  setup_dir(".");
  FILE *f = fopen(BAD "/expected.tsv", "r");
  assert_non_null(f);
  char line[512];
  int files = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    line[strcspn(line, "\n")] = 0;
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    assert_non_null(t2);
    *t1 = *t2 = 0;
    char *o;
    int rc = lwsim(&o, "validate %s/%s", BAD, line);
    char want[1400];
    snprintf(want, sizeof want, "%s/%.200s: %.200s: ", BAD, line, t1[1] ? t1 + 1 : "/");
    if (rc != 2 || !strstr(o, want) || !strstr(o, t2 + 1))
      print_error("%s: exit %d, wanted '%s' and '%s' in:\n%s", line, rc, want, t2 + 1, o);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(o, want));
    assert_non_null(strstr(o, t2 + 1));
    assert_null(strstr(o, "\033")); /* no colour into a pipe */
    free(o);
    files++;
  }
  fclose(f);
  assert_true(files >= 30);
}

static void validate_good_and_folders(void **state) {
  (void)state;
  setup_dir(".");
  char *o;
  assert_int_equal(lwsim(&o, "validate %s", PING), 0);
  assert_non_null(strstr(o, "valid"));
  free(o);
  assert_int_equal(lwsim(&o, "validate %s/scenarios", LWSIM_SOURCE_DIR), 0);
  free(o);
  assert_int_equal(lwsim(&o, "validate %s %s/json-syntax.json", PING, BAD), 2);
  free(o);
  assert_int_equal(lwsim(&o, "validate"), 2);
  free(o);
  assert_int_equal(lwsim(&o, "validate /no/such/file.json"), 2);
  free(o);
}

/* ---------------------------------------------------------------- run --- */

static void run_exit_codes(void **state) {
  (void)state;
  setup_dir("run");
  write_scenario(TMP "/run/pass.json", "pass", 1);
  write_scenario(TMP "/run/fail.json", "fail", 11);
  char *o;
  assert_int_equal(lwsim(&o, "run run/pass.json --seed 4 --out run/p"), 0);
  assert_non_null(strstr(o, "PASS pass seed 4: 1/1 checks passed"));
  assert_non_null(strstr(o, "run/p"));
  assert_null(strchr(strchr(o, '\n') + 1, '\n')); /* one line */
  free(o);
  assert_true(exists(TMP "/run/p/results.json"));
  assert_false(exists(TMP "/run/p/trace.jsonl"));
  assert_int_equal(lwsim(&o, "run run/fail.json --out run/f"), 1);
  assert_non_null(strstr(o, "FAIL fail seed 1"));
  assert_non_null(strstr(o, "replay: "));
  assert_non_null(strstr(o, " run run/fail.json --seed 1"));
  free(o);
  assert_true(exists(TMP "/run/f/trace.jsonl") && exists(TMP "/run/f/l.pcap"));
  /* defaults: out/run/<stem>/seed-<seed> */
  assert_int_equal(lwsim(&o, "run run/pass.json --quiet --trace --pcap --check-determinism"), 0);
  free(o);
  assert_true(exists(TMP "/out/run/pass/seed-1/trace.jsonl"));
  assert_true(exists(TMP "/out/run/pass/seed-1/l.pcap"));
  char *r = lwsim_read_file(TMP "/out/run/pass/seed-1/results.json", NULL);
  assert_non_null(r);
  assert_non_null(strstr(r, "\"name\": \"determinism\""));
  free(r);
  /* usage and input errors */
  assert_int_equal(lwsim(&o, "run"), 2);
  free(o);
  assert_int_equal(lwsim(&o, "run run/pass.json --seed -3"), 2);
  free(o);
  assert_int_equal(lwsim(&o, "run run/pass.json --bogus"), 2);
  free(o);
  assert_int_equal(lwsim(&o, "run run/missing.json"), 2);
  assert_non_null(strstr(o, "run/missing.json: /: cannot read the file"));
  free(o);
  assert_int_equal(lwsim(&o, "run %s/impair-loss-above-one.json", BAD), 2);
  free(o);
  char *ns3 = lwsim_read_file(PING, NULL);
  assert_non_null(ns3);
  char *p = strstr(ns3, "\"duration\"");
  assert_non_null(p);
  char *text = lwsim_aprintf("%.*s\"engine\": \"ns3\", %s", (int)(p - ns3), ns3, p);
  write_text(TMP "/run/ns3.json", text);
  free(text);
  free(ns3);
  assert_int_equal(lwsim(&o, "run run/ns3.json"), 2);
  assert_non_null(strstr(o, "ns-3 engine not built in yet"));
  free(o);
}

static void replay_a_run_folder(void **state) {
  (void)state;
  setup_dir("replay");
  write_scenario(TMP "/replay/s.json", "s", 11);
  char *o;
  assert_int_equal(lwsim(&o, "run replay/s.json --seed 7 --out replay/r"), 1);
  free(o);
  assert_int_equal(lwsim(&o, "replay replay/r"), 1); /* reproduced, and it fails as recorded */
  assert_non_null(strstr(o, "matches; verdict fail (recorded fail)"));
  free(o);
  write_scenario(TMP "/replay/ok.json", "ok", 1);
  assert_int_equal(lwsim(&o, "run replay/ok.json --seed 7 --out replay/ok --trace"), 0);
  free(o);
  assert_int_equal(lwsim(&o, "replay replay/ok"), 0);
  assert_non_null(strstr(o, "matches"));
  free(o);
  assert_true(exists(TMP "/replay/ok/replay/results.json"));
  /* a tampered record: the hash no longer matches, and the first
   * differing trace line is named */
  char *res = lwsim_read_file(TMP "/replay/ok/results.json", NULL);
  char *h = strstr(res, "\"trace_hash\": \"");
  assert_non_null(h);
  h[15] = h[15] == '0' ? '1' : '0';
  write_text(TMP "/replay/ok/results.json", res);
  free(res);
  char *tr = lwsim_read_file(TMP "/replay/ok/trace.jsonl", NULL);
  char *nl = strchr(tr, '\n');
  nl[-2] = nl[-2] == '1' ? '2' : '1';
  write_text(TMP "/replay/ok/trace.jsonl", tr);
  free(tr);
  assert_int_equal(lwsim(&o, "replay replay/ok"), 1);
  assert_non_null(strstr(o, "differs from the recorded"));
  assert_non_null(strstr(o, "diverge at trace line 1"));
  free(o);
  assert_int_equal(lwsim(&o, "replay replay/nothing"), 2);
  free(o);
  assert_int_equal(lwsim(&o, "replay"), 2);
  free(o);
}

/* -------------------------------------------------------------- sweep --- */

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
  return n;
}

/* The trace hashes of a summary.json in run order, joined. */
static char *summary_hashes(const char *path, int *nruns) {
  char *text = lwsim_read_file(path, NULL);
  assert_non_null(text);
  cJSON *o = cJSON_Parse(text);
  free(text);
  assert_non_null(o);
  const cJSON *runs = cJSON_GetObjectItemCaseSensitive(o, "runs");
  assert_true(cJSON_IsArray(runs));
  char *all = lwsim_strdup("");
  *nruns = 0;
  for (const cJSON *r = runs->child; r; r = r->next) {
    char *next = lwsim_aprintf("%s%s@%d:%s:%s,", all,
                               cJSON_GetObjectItemCaseSensitive(r, "file")->valuestring,
                               (int)cJSON_GetObjectItemCaseSensitive(r, "seed")->valuedouble,
                               cJSON_GetObjectItemCaseSensitive(r, "verdict")->valuestring,
                               cJSON_GetObjectItemCaseSensitive(r, "trace_hash")->valuestring);
    free(all);
    all = next;
    (*nruns)++;
  }
  cJSON_Delete(o);
  return all;
}

static void sweep_outputs(void **state) {
  (void)state;
  setup_dir("sweep/in");
  write_scenario(TMP "/sweep/in/a-pass.json", "a-pass", 1);
  write_scenario(TMP "/sweep/in/b-fail.json", "<b>-fail", 11);
  write_text(TMP "/sweep/in/notes.txt", "not a scenario");
  char *o;
  int rc = lwsim(&o, "sweep sweep/in --seeds 3 --jobs 3 --out sweep/out");
  if (rc != 1) print_error("%s", o);
  assert_int_equal(rc, 1);
  assert_non_null(strstr(o, "6 runs, 3 passed, 3 failed, 0 errors"));
  assert_non_null(strstr(o, "report: sweep/out/report.html"));
  assert_null(strstr(o, "\033"));
  free(o);
  /* junit.xml: one testcase per scenario x seed, failures with replay */
  char *x = lwsim_read_file(TMP "/sweep/out/junit.xml", NULL);
  assert_non_null(x);
  assert_non_null(strstr(x, "<?xml version=\"1.0\""));
  assert_non_null(strstr(x, "tests=\"6\" failures=\"3\" errors=\"0\""));
  assert_int_equal(count(x, "<testsuite "), 2);
  assert_int_equal(count(x, "<testcase "), 6);
  assert_int_equal(count(x, "</testcase>"), 6);
  assert_int_equal(count(x, "<failure "), 3);
  assert_int_equal(count(x, "</failure>"), 3);
  assert_non_null(strstr(x, "name=\"&lt;b&gt;-fail\""));
  assert_non_null(strstr(x, "run sweep/in/b-fail.json --seed 2"));
  free(x);
  /* summary.json parses; runs in a fixed order */
  int n;
  char *h1 = summary_hashes(TMP "/sweep/out/summary.json", &n);
  assert_int_equal(n, 6);
  assert_true(strncmp(h1, "sweep/in/a-pass.json@1:pass:", 28) == 0);
  /* report.html: self-contained, escaped */
  char *html = lwsim_read_file(TMP "/sweep/out/report.html", NULL);
  assert_non_null(html);
  assert_non_null(strstr(html, "&lt;b&gt;-fail"));
  assert_null(strstr(html, "<b>-fail"));
  assert_non_null(strstr(html, "id=\"conformance\""));
  assert_non_null(strstr(html, "RFC792:echo"));
  assert_true(count(html, "<svg ") >= 3); /* each failed run's timeline */
  free(html);
  assert_true(exists(TMP "/sweep/out/runs/b-fail/seed-3/results.json"));
  assert_true(exists(TMP "/sweep/out/runs/b-fail/seed-3/trace.jsonl"));
  assert_true(exists(TMP "/sweep/out/runs/a-pass/seed-1/run.log"));
  /* the same sweep with one job gives the same results in the same order */
  assert_int_equal(lwsim(&o, "sweep sweep/in --seeds 3 --jobs 1 --out sweep/out1"), 1);
  free(o);
  char *h2 = summary_hashes(TMP "/sweep/out1/summary.json", &n);
  assert_string_equal(h1, h2);
  free(h2);
  /* shards split the work; merge joins it back into the same results */
  assert_int_equal(lwsim(&o, "sweep sweep/in --seeds 3 --shard 1/2 --out sweep/s1"), 1);
  free(o);
  assert_int_equal(lwsim(&o, "sweep sweep/in --seeds 3 --shard 2/2 --out sweep/s2"), 1);
  free(o);
  int n1, n2;
  free(summary_hashes(TMP "/sweep/s1/summary.json", &n1));
  free(summary_hashes(TMP "/sweep/s2/summary.json", &n2));
  assert_int_equal(n1, 3);
  assert_int_equal(n2, 3);
  assert_int_equal(lwsim(&o, "merge sweep/s1 sweep/s2 --out sweep/merged"), 1);
  assert_non_null(strstr(o, "6 runs, 3 passed, 3 failed"));
  free(o);
  char *h3 = summary_hashes(TMP "/sweep/merged/summary.json", &n);
  assert_string_equal(h1, h3);
  free(h3);
  assert_true(exists(TMP "/sweep/merged/report.html") && exists(TMP "/sweep/merged/junit.xml"));
  /* merging a shard twice is refused */
  assert_int_equal(lwsim(&o, "merge sweep/s1 sweep/s1 --out sweep/dup"), 2);
  assert_non_null(strstr(o, "appears twice"));
  free(o);
  free(h1);
}

static void sweep_usage_errors(void **state) {
  (void)state;
  setup_dir("sweep2");
  char *o;
  assert_int_equal(lwsim(&o, "sweep"), 2);
  free(o);
  assert_int_equal(lwsim(&o, "sweep %s --seeds 0", PING), 2);
  free(o);
  assert_int_equal(lwsim(&o, "sweep %s --shard 3/2", PING), 2);
  free(o);
  assert_int_equal(lwsim(&o, "sweep %s --seed-list 1,,2", PING), 2);
  free(o);
  assert_int_equal(lwsim(&o, "sweep %s --jobs", PING), 2);
  free(o);
  /* an invalid scenario: nothing runs, exit 2, the error named */
  assert_int_equal(lwsim(&o, "sweep %s %s/loss.json --out sweep2/x", PING, BAD), 2);
  free(o);
  assert_int_equal(lwsim(&o, "sweep %s %s/impair-loss-above-one.json --out sweep2/x", PING, BAD), 2);
  assert_non_null(strstr(o, "/media/0/impair/loss"));
  free(o);
  assert_false(exists(TMP "/sweep2/x/summary.json"));
  /* a passing sweep: exit 0, with a seed list */
  assert_int_equal(lwsim(&o, "sweep %s --seed-list 5,9 --out sweep2/ok", PING), 0);
  assert_non_null(strstr(o, "2 runs, 2 passed"));
  free(o);
  assert_true(exists(TMP "/sweep2/ok/runs/icmp-ping/seed-9/results.json"));
  assert_int_equal(lwsim(&o, "merge --out sweep2/m"), 2);
  free(o);
  assert_int_equal(lwsim(&o, "merge sweep2/none --out sweep2/m"), 2);
  free(o);
}

int main(void) {
  mkdir(LWSIM_TEST_TMPDIR, 0755);
  lwsim_mkdirs(TMP);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(version_usage_and_help),
      cmocka_unit_test(validate_bad_catalog),
      cmocka_unit_test(validate_good_and_folders),
      cmocka_unit_test(run_exit_codes),
      cmocka_unit_test(replay_a_run_folder),
      cmocka_unit_test(sweep_outputs),
      cmocka_unit_test(sweep_usage_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
