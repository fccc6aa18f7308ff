/* trace: the canonical line format, escaping, and the hash contract (the
 * hash is FNV-1a 64 of exactly the file's bytes, file or no file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sim/err.h"
#include "sim/trace.h"

static size_t slurp(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  size_t n = fread(buf, 1, cap, f);
  fclose(f);
  return n;
}

static void write_sample(struct sim_trace *t) {
  sim_trace_begin(t, 1500, "client", "tx");
  sim_trace_str(t, "port", "eth0");
  sim_trace_int(t, "delta", -7);
  sim_trace_uint(t, "len", 60);
  sim_trace_hex(t, "head", "\x01\xab\xff", 3);
  sim_trace_end(t);
  sim_trace_begin(t, 2000000000, "odd \"node\"\\", "note");
  sim_trace_str(t, "text", "tab\there\nnl\x01");
  sim_trace_end(t);
}

static const char expected[] =
    "{\"t\":1500,\"node\":\"client\",\"kind\":\"tx\",\"port\":\"eth0\",\"delta\":-7,"
    "\"len\":60,\"head\":\"01abff\"}\n"
    "{\"t\":2000000000,\"node\":\"odd \\\"node\\\"\\\\\",\"kind\":\"note\","
    "\"text\":\"tab\\u0009here\\u000anl\\u0001\"}\n";

static void lines_are_canonical(void **state) {
  (void)state;
  const char *path = LWSIM_TEST_TMPDIR "/trace_canonical.jsonl";
  struct sim_trace *t;
  assert_int_equal(sim_trace_open(&t, path), SIM_OK);
  write_sample(t);
  uint64_t h = sim_trace_hash(t);
  assert_int_equal(sim_trace_events(t), 2);
  assert_int_equal(sim_trace_close(t), SIM_OK);
  char buf[1024];
  size_t n = slurp(path, buf, sizeof buf);
  assert_int_equal(n, strlen(expected));
  assert_memory_equal(buf, expected, n);
  assert_true(h == sim_fnv1a64(SIM_FNV_BASIS, buf, n));
}

static void hash_without_file_is_the_same(void **state) {
  (void)state;
  struct sim_trace *t;
  assert_int_equal(sim_trace_open(&t, NULL), SIM_OK);
  assert_true(sim_trace_hash(t) == SIM_FNV_BASIS);
  write_sample(t);
  assert_true(sim_trace_hash(t) == sim_fnv1a64(SIM_FNV_BASIS, expected, strlen(expected)));
  assert_int_equal(sim_trace_close(t), SIM_OK);
}

/* FNV-1a 64 reference values: empty string and "a". */
static void fnv_reference(void **state) {
  (void)state;
  assert_true(sim_fnv1a64(SIM_FNV_BASIS, "", 0) == 0xcbf29ce484222325ull);
  assert_true(sim_fnv1a64(SIM_FNV_BASIS, "a", 1) == 0xaf63dc4c8601ec8cull);
  assert_true(sim_fnv1a64(sim_fnv1a64(SIM_FNV_BASIS, "fo", 2), "obar", 4) ==
              sim_fnv1a64(SIM_FNV_BASIS, "foobar", 6));
}

static void long_lines_grow(void **state) {
  (void)state;
  struct sim_trace *t;
  assert_int_equal(sim_trace_open(&t, NULL), SIM_OK);
  static unsigned char big[5000];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (unsigned char)i;
  sim_trace_begin(t, 0, "n", "big");
  sim_trace_hex(t, "data", big, sizeof big);
  sim_trace_end(t);
  assert_int_equal(sim_trace_events(t), 1);
  assert_int_equal(sim_trace_close(t), SIM_OK);
}

static void unwritable_path_is_an_error(void **state) {
  (void)state;
  struct sim_trace *t = (struct sim_trace *)1;
  assert_int_equal(sim_trace_open(&t, "/nonexistent-dir/x/trace.jsonl"), SIM_EIO);
  assert_null(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lines_are_canonical),
      cmocka_unit_test(hash_without_file_is_the_same),
      cmocka_unit_test(fnv_reference),
      cmocka_unit_test(long_lines_grow),
      cmocka_unit_test(unwritable_path_is_an_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
