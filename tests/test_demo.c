/* The demo network end to end: a golden trace hash (the same in every build
 * type, since ctest runs this file in the Debug+sanitizer build and in the
 * Release build against the same constant), determinism across runs, and
 * files that agree with the result: the trace file hashes to the reported
 * hash, and tshark reads the capture. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/demo.h"
#include "harness/demo_stack.h"
#include "sim/trace.h"

/* Seed 1, 200 requests. Changing the demo, the media pipeline, the rng
 * derivation or the trace format changes this value: update it only for
 * such a deliberate change, and say so in the commit. */
#define GOLDEN_SEED1 UINT64_C(0x3b1a35eff6d5e109)

static void golden_trace_hash(void **state) {
  (void)state;
  struct lwsim_demo_opts o = {.seed = 1};
  struct lwsim_demo_result r;
  assert_int_equal(lwsim_demo_run(&o, &r), 0);
  if (r.trace_hash != GOLDEN_SEED1)
    print_error("trace hash %016" PRIx64 ", golden %016" PRIx64 "\n", r.trace_hash,
                (uint64_t)GOLDEN_SEED1);
  assert_true(r.trace_hash == GOLDEN_SEED1);
  assert_int_equal(r.completed, 200);
  assert_true(r.retransmissions > 0); /* the impairments really bite */
  assert_true(r.bad_checksums > 0);
  assert_true(r.link_drops > 0);
  assert_true(r.sensor_frames_out < r.sensor_frames_in);
}

static void same_seed_same_run(void **state) {
  (void)state;
  struct lwsim_demo_result a, b, c;
  struct lwsim_demo_opts o = {.seed = 77, .requests = 50};
  assert_int_equal(lwsim_demo_run(&o, &a), 0);
  assert_int_equal(lwsim_demo_run(&o, &b), 0);
  o.seed = 78;
  assert_int_equal(lwsim_demo_run(&o, &c), 0);
  assert_true(a.trace_hash == b.trace_hash);
  assert_true(a.trace_events == b.trace_events);
  assert_int_equal(a.end_time, b.end_time);
  assert_true(a.trace_hash != c.trace_hash);
}

static uint64_t file_hash(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  uint64_t h = SIM_FNV_BASIS;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) h = sim_fnv1a64(h, buf, n);
  fclose(f);
  return h;
}

static void files_agree_with_result(void **state) {
  (void)state;
  const char *dir = LWSIM_TEST_TMPDIR "/demo";
  mkdir(LWSIM_TEST_TMPDIR, 0755);
  struct lwsim_demo_opts o = {.seed = 1, .out_dir = dir};
  struct lwsim_demo_result r;
  assert_int_equal(lwsim_demo_run(&o, &r), 0);
  assert_true(r.trace_hash == GOLDEN_SEED1); /* writing files changes nothing */
  assert_true(file_hash(LWSIM_TEST_TMPDIR "/demo/trace.jsonl") == r.trace_hash);
  assert_true(r.pcap_frames > 0);
  if (system("command -v tshark >/dev/null 2>&1") != 0) {
    print_message("tshark not installed (scripts/deps installs it): skipping the pcap read\n");
    return;
  }
  FILE *p = popen("tshark -r " LWSIM_TEST_TMPDIR "/demo/link.pcap -T fields -e frame.number"
                  " 2>/dev/null | wc -l", "r");
  assert_non_null(p);
  unsigned long frames = 0;
  assert_int_equal(fscanf(p, "%lu", &frames), 1);
  assert_int_equal(pclose(p), 0);
  assert_int_equal(frames, r.pcap_frames);
}

/* The stack demo: the same pinned-hash discipline. */
#define GOLDEN_STACK_SEED1 UINT64_C(0x81840cf887d57ac5)

static void stack_demo_golden_and_deterministic(void **state) {
  (void)state;
  struct lwsim_demo_opts o = {.seed = 1};
  struct lwsim_demo_stack_result a, b, c;
  assert_int_equal(lwsim_demo_stack_run(&o, &a), 0);
  assert_int_equal(lwsim_demo_stack_run(&o, &b), 0);
  if (a.trace_hash != GOLDEN_STACK_SEED1)
    print_error("stack trace hash %016" PRIx64 ", golden %016" PRIx64 "\n", a.trace_hash,
                (uint64_t)GOLDEN_STACK_SEED1);
  assert_true(a.trace_hash == GOLDEN_STACK_SEED1);
  assert_true(a.trace_hash == b.trace_hash);
  /* the network works through the impairments, and they do bite */
  assert_true(a.pings_answered > a.pings_sent * 3 / 4 && a.pings_answered < a.pings_sent);
  assert_true(a.udp_echoed > a.udp_sent / 2);
  assert_int_equal(a.udp_corrupt, 0);
  assert_true(a.reassembled > 0);
  o.seed = 2;
  assert_int_equal(lwsim_demo_stack_run(&o, &c), 0);
  assert_true(c.trace_hash != a.trace_hash);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(golden_trace_hash),
      cmocka_unit_test(same_seed_same_run),
      cmocka_unit_test(files_agree_with_result),
      cmocka_unit_test(stack_demo_golden_and_deterministic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
