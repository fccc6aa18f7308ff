/* Running scenarios in-process: verdicts, checks, run folders, and the
 * determinism contract (every suite scenario twice gives the same trace
 * hash; ctest runs this in the sanitizer and the Release build). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/runner.h"
#include "harness/scenario.h"
#include "reports/util.h"
#include "sim/trace.h"

#define SUITE LWSIM_SOURCE_DIR "/scenarios"

static struct lwsim_scenario *load(const char *path) {
  struct lwsim_diags d;
  lwsim_diags_init(&d, path);
  struct lwsim_scenario *sc = NULL;
  if (lwsim_scenario_load(path, &sc, &d) < 0)
    for (size_t i = 0; i < d.n; i++) print_error("%s: %s: %s\n", path, d.v[i].path, d.v[i].msg);
  lwsim_diags_free(&d);
  assert_non_null(sc);
  return sc;
}

static struct lwsim_scenario *parse(const char *text) {
  struct lwsim_diags d;
  lwsim_diags_init(&d, "inline.json");
  struct lwsim_scenario *sc = NULL;
  if (lwsim_scenario_parse(text, strlen(text), "inline.json", &sc, &d) < 0)
    for (size_t i = 0; i < d.n; i++) print_error("%s: %s\n", d.v[i].path, d.v[i].msg);
  lwsim_diags_free(&d);
  assert_non_null(sc);
  return sc;
}

/* Run sc in memory (no folder); returns the verdict, fills *hash. */
static int run_mem(const struct lwsim_scenario *sc, uint64_t seed, uint64_t *hash,
                   struct lwsim_report_run *out) {
  struct lwsim_run_opts o = {.seed = seed, .seed_given = 1};
  struct lwsim_report_run r;
  char err[512];
  int rc = lwsim_run_scenario(sc, &o, &r, err, sizeof err);
  if (rc < 0) print_error("run failed: %s\n", err);
  assert_int_equal(rc, 0);
  *hash = r.trace_hash;
  int v = r.verdict;
  if (out) *out = r;
  else lwsim_report_run_free(&r);
  return v;
}

static const char ping_text[] =
    "{\"format\": 1, \"name\": \"p\", \"duration\": \"2s\",\n"
    " \"media\": [{\"name\": \"l\", \"kind\": \"link\", \"impair\": {\"delay\": \"1ms\", \"loss\": 0.2}}],\n"
    " \"nodes\": [{\"name\": \"a\", \"config\": {\"arp_retry\": \"100ms\", \"arp_tries\": 20},\n"
    "              \"netifs\": [{\"name\": \"eth0\", \"medium\": \"l\", \"address\": \"10.0.0.1/24\"}]},\n"
    "            {\"name\": \"b\", \"netifs\": [{\"name\": \"eth0\", \"medium\": \"l\", \"address\": \"10.0.0.2/24\"}]}],\n"
    " \"apps\": [{\"name\": \"ping\", \"kind\": \"ping\", \"node\": \"a\", \"target\": \"10.0.0.2\",\n"
    "            \"count\": 20, \"interval\": \"50ms\"}],\n"
    " \"expect\": [{\"check\": \"app\", \"app\": \"ping\", \"field\": \"received\", \"min\": %d},\n"
    "            {\"check\": \"frame\", \"pattern\": {\"node\": \"b\", \"icmp_type\": \"echo_reply\"}, \"min\": 1},\n"
    "            {\"check\": \"no_findings\"}]}";

static struct lwsim_scenario *ping_scenario(int min_received) {
  char text[sizeof ping_text + 16];
  snprintf(text, sizeof text, ping_text, min_received);
  return parse(text);
}

static void passing_and_failing_verdicts(void **state) {
  (void)state;
  struct lwsim_scenario *ok = ping_scenario(1), *bad = ping_scenario(21);
  struct lwsim_report_run r;
  uint64_t h1, h2;
  assert_int_equal(run_mem(ok, 5, &h1, &r), LWSIM_VERDICT_PASS);
  assert_int_equal(r.nchecks, 3);
  for (size_t i = 0; i < r.nchecks; i++) assert_int_equal(r.checks[i].verdict, LWSIM_VERDICT_PASS);
  assert_int_equal(r.napps, 1);
  assert_true(lwsim_report_kvs_get(&r.apps[0].results, "sent", 0) == 20);
  assert_int_equal(r.nnodes, 2);
  assert_true(lwsim_report_kvs_get(&r.nodes[1].stats, "icmp.rx", 0) > 0);
  assert_int_equal(r.nports, 4); /* two ports, tx and rx each */
  assert_true(lwsim_report_kvs_get(&r.ports[0].counters, "frames_in", 0) > 0);
  assert_true(r.virtual_time == 2 * SIM_SEC);
  assert_non_null(strstr(r.replay, "run inline.json --seed 5"));
  lwsim_report_run_free(&r);
  assert_int_equal(run_mem(bad, 5, &h2, &r), LWSIM_VERDICT_FAIL);
  assert_int_equal(r.checks[0].verdict, LWSIM_VERDICT_FAIL);
  assert_non_null(strstr(r.checks[0].detail, "expected >= 21"));
  assert_int_equal(r.checks[1].verdict, LWSIM_VERDICT_PASS);
  assert_true(h1 == h2); /* checks do not change what runs */
  lwsim_report_run_free(&r);
  lwsim_scenario_free(ok);
  lwsim_scenario_free(bad);
}

static void seeds_change_the_run(void **state) {
  (void)state;
  struct lwsim_scenario *sc = ping_scenario(0);
  uint64_t a, b, c;
  run_mem(sc, 1, &a, NULL);
  run_mem(sc, 1, &b, NULL);
  run_mem(sc, 2, &c, NULL);
  assert_true(a == b);
  assert_true(a != c);
  lwsim_scenario_free(sc);
}

static void ns3_engine_is_an_input_error(void **state) {
  (void)state;
  struct lwsim_scenario *sc =
      parse("{\"format\": 1, \"name\": \"n\", \"engine\": \"ns3\", \"nodes\": [{\"name\": \"a\"}]}");
  struct lwsim_run_opts o = {0};
  struct lwsim_report_run r;
  char err[512];
  assert_int_equal(lwsim_run_scenario(sc, &o, &r, err, sizeof err), LWSIM_RUN_EINPUT);
  assert_non_null(strstr(err, "ns-3 engine not built in yet"));
  assert_int_equal(r.verdict, LWSIM_VERDICT_ERROR);
  lwsim_report_run_free(&r);
  lwsim_scenario_free(sc);
}

static void refused_config_is_an_input_error(void **state) {
  (void)state;
  /* three netifs where max_netifs allows one */
  struct lwsim_scenario *sc = parse(
      "{\"format\": 1, \"name\": \"n\", \"media\": [{\"name\": \"s\", \"kind\": \"segment\"}],\n"
      " \"nodes\": [{\"name\": \"a\", \"config\": {\"max_netifs\": 1}, \"netifs\": [\n"
      "   {\"name\": \"e0\", \"medium\": \"s\"}, {\"name\": \"e1\", \"medium\": \"s\"}, {\"name\": \"e2\", \"medium\": \"s\"}]}]}");
  struct lwsim_run_opts o = {0};
  struct lwsim_report_run r;
  char err[512];
  assert_int_equal(lwsim_run_scenario(sc, &o, &r, err, sizeof err), LWSIM_RUN_EINPUT);
  assert_non_null(strstr(err, "netif \"e1\""));
  lwsim_report_run_free(&r);
  lwsim_scenario_free(sc);
}

static uint64_t file_hash(const char *path) {
  size_t len;
  char *text = lwsim_read_file(path, &len);
  assert_non_null(text);
  uint64_t h = sim_fnv1a64(SIM_FNV_BASIS, text, len);
  free(text);
  return h;
}

static int exists(const char *dir, const char *name) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return access(p, F_OK) == 0;
}

/* The run folder: what is written when, and that the files agree with
 * the record. */
static void run_folder(void **state) {
  (void)state;
  const char *dir = LWSIM_TEST_TMPDIR "/run-folder";
  const char *dir2 = LWSIM_TEST_TMPDIR "/run-folder-fail";
  struct lwsim_scenario *ok = ping_scenario(1), *bad = ping_scenario(21);
  struct lwsim_run_opts o = {.seed = 3, .seed_given = 1, .out_dir = dir, .prog = "lwsim"};
  struct lwsim_report_run r, back;
  char err[512];
  assert_int_equal(lwsim_run_scenario(ok, &o, &r, err, sizeof err), 0);
  assert_true(exists(dir, "results.json") && exists(dir, "scenario.json"));
  assert_false(exists(dir, "trace.jsonl")); /* passed, not asked */
  assert_false(exists(dir, "l.pcap"));
  assert_true(r.timeline.n > 0); /* small: a timeline even though it passed */
  assert_int_equal(lwsim_report_run_read(&back, LWSIM_TEST_TMPDIR "/run-folder/results.json", err,
                                         sizeof err),
                   0);
  assert_true(back.trace_hash == r.trace_hash);
  assert_true(back.seed == 3);
  assert_int_equal(back.verdict, LWSIM_VERDICT_PASS);
  assert_int_equal(back.nchecks, r.nchecks);
  assert_int_equal(back.timeline.n, r.timeline.n);
  assert_string_equal(back.replay, "lwsim run inline.json --seed 3");
  lwsim_report_run_free(&back);
  lwsim_report_run_free(&r);

  /* --trace --pcap --check-determinism: the trace file is the hash */
  o.trace = o.pcap = o.check_determinism = 1;
  assert_int_equal(lwsim_run_scenario(ok, &o, &r, err, sizeof err), 0);
  assert_true(exists(dir, "trace.jsonl") && exists(dir, "l.pcap"));
  assert_false(exists(dir, "trace.second.jsonl"));
  assert_true(file_hash(LWSIM_TEST_TMPDIR "/run-folder/trace.jsonl") == r.trace_hash);
  assert_string_equal(r.checks[r.nchecks - 1].name, "determinism");
  assert_int_equal(r.checks[r.nchecks - 1].verdict, LWSIM_VERDICT_PASS);
  lwsim_report_run_free(&r);

  /* a failed run keeps its trace and gets captures, replayed to the same hash */
  struct lwsim_run_opts of = {.seed = 3, .seed_given = 1, .out_dir = dir2};
  assert_int_equal(lwsim_run_scenario(bad, &of, &r, err, sizeof err), 0);
  assert_int_equal(r.verdict, LWSIM_VERDICT_FAIL);
  assert_true(exists(dir2, "trace.jsonl") && exists(dir2, "l.pcap"));
  assert_true(file_hash(LWSIM_TEST_TMPDIR "/run-folder-fail/trace.jsonl") == r.trace_hash);
  for (size_t i = 0; i < r.nchecks; i++) assert_string_not_equal(r.checks[i].name, "determinism");
  assert_true(r.timeline.n > 0 && r.timeline.ncolumns == 2);
  int drops = 0;
  for (size_t i = 0; i < r.timeline.n; i++) drops += r.timeline.v[i].dropped;
  assert_true(drops > 0); /* 20% loss shows as dropped frames */
  lwsim_report_run_free(&r);
  lwsim_scenario_free(ok);
  lwsim_scenario_free(bad);
}

/* ------------------------------------------------------ determinism --- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every scenario of scenarios/ whose index is `part` mod `parts`, run twice
 * in-process with two seeds: the same hash each time. */
static void determinism_part(int part, int parts) {
  DIR *d = opendir(SUITE);
  assert_non_null(d);
  char *names[256];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 256) {
    size_t len = strlen(e->d_name);
    if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) names[n++] = lwsim_strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  assert_true(n >= 15);
  for (size_t i = 0; i < n; i++) {
    if ((int)(i % (size_t)parts) == part) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%s", SUITE, names[i]);
      struct lwsim_scenario *sc = load(path);
      for (uint64_t seed = 1; seed <= 2; seed++) {
        uint64_t a, b;
        int va = run_mem(sc, seed, &a, NULL), vb = run_mem(sc, seed, &b, NULL);
        if (a != b) print_error("%s seed %" PRIu64 ": %016" PRIx64 " then %016" PRIx64 "\n", names[i], seed, a, b);
        assert_true(a == b);
        assert_int_equal(va, vb);
        if (va != LWSIM_VERDICT_PASS) print_error("%s seed %" PRIu64 " does not pass\n", names[i], seed);
        assert_int_equal(va, LWSIM_VERDICT_PASS);
      }
      lwsim_scenario_free(sc);
    }
    free(names[i]);
  }
}

static void determinism_suite_0(void **state) { (void)state; determinism_part(0, 4); }
static void determinism_suite_1(void **state) { (void)state; determinism_part(1, 4); }
static void determinism_suite_2(void **state) { (void)state; determinism_part(2, 4); }
static void determinism_suite_3(void **state) { (void)state; determinism_part(3, 4); }

int main(void) {
  mkdir(LWSIM_TEST_TMPDIR, 0755);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(passing_and_failing_verdicts),
      cmocka_unit_test(seeds_change_the_run),
      cmocka_unit_test(ns3_engine_is_an_input_error),
      cmocka_unit_test(refused_config_is_an_input_error),
      cmocka_unit_test(run_folder),
      cmocka_unit_test(determinism_suite_0),
      cmocka_unit_test(determinism_suite_1),
      cmocka_unit_test(determinism_suite_2),
      cmocka_unit_test(determinism_suite_3),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
