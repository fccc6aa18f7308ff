/* Media: every stage of the impairment pipeline, partitions, up/down,
 * determinism and stream independence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/err.h"
#include "sim/media.h"
#include "sim/trace.h"

/* One receiving end: every frame it got, with its arrival time. */
#define MAXRX 4096
struct sink {
  struct sim_engine *e;
  size_t n;
  uint64_t total; /* frames received, also beyond MAXRX */
  sim_time_t at[MAXRX];
  uint32_t len[MAXRX];
  uint8_t *data[MAXRX];
};

static void sink_rx(void *user, struct sim_port *port, const uint8_t *frame, size_t len) {
  (void)port;
  struct sink *s = user;
  s->total++;
  if (s->n == MAXRX) return;
  s->at[s->n] = sim_engine_now(s->e);
  s->len[s->n] = (uint32_t)len;
  s->data[s->n] = malloc(len);
  memcpy(s->data[s->n], frame, len);
  s->n++;
}

static void sink_clear(struct sink *s) {
  for (size_t i = 0; i < s->n; i++) free(s->data[i]);
  s->n = 0;
  s->total = 0;
}

/* A link a<->b with sinks, on a fresh engine. */
struct fix {
  struct sim_engine *e;
  struct sim_medium *m;
  struct sim_port *a, *b;
  struct sink *sa, *sb;
  struct sim_trace *trace;
};

static void fix_link(struct fix *f, uint64_t seed, int traced) {
  memset(f, 0, sizeof *f);
  assert_int_equal(sim_engine_new(&f->e, NULL), 0);
  if (traced) assert_int_equal(sim_trace_open(&f->trace, NULL), 0);
  assert_int_equal(sim_medium_new(&f->m, f->e, SIM_MEDIUM_LINK, "l0", seed, f->trace), 0);
  f->sa = calloc(1, sizeof *f->sa);
  f->sb = calloc(1, sizeof *f->sb);
  f->sa->e = f->sb->e = f->e;
  assert_int_equal(sim_port_new(&f->a, f->m, "a", "eth0", sink_rx, f->sa), 0);
  assert_int_equal(sim_port_new(&f->b, f->m, "b", "eth0", sink_rx, f->sb), 0);
}

static void fix_free(struct fix *f) {
  sim_medium_free(f->m);
  sim_engine_free(f->e);
  if (f->trace) sim_trace_close(f->trace);
  sink_clear(f->sa);
  sink_clear(f->sb);
  free(f->sa);
  free(f->sb);
}

/* A frame whose bytes encode its index, so order and integrity show. */
static void send_n(struct sim_port *p, uint32_t i, size_t len) {
  uint8_t buf[2048];
  assert_true(len >= 4 && len <= sizeof buf);
  for (size_t k = 0; k < len; k++) buf[k] = (uint8_t)(i * 7 + k);
  memcpy(buf, &i, 4);
  assert_int_equal(sim_port_send(p, buf, len), 0);
}

static uint32_t frame_index(const struct sink *s, size_t k) {
  uint32_t i;
  memcpy(&i, s->data[k], 4);
  return i;
}

static void perfect_link_delivers_intact(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  send_n(f.a, 5, 100);
  assert_int_equal(f.sb->n, 0); /* never inside the send call */
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 1);
  assert_int_equal(f.sa->n, 0); /* a sender does not hear itself */
  assert_int_equal(f.sb->at[0], 0);
  assert_int_equal(f.sb->len[0], 100);
  for (size_t k = 4; k < 100; k++) assert_int_equal(f.sb->data[0][k], (uint8_t)(5 * 7 + k));
  const struct sim_media_counters *c = sim_port_counters(f.a, SIM_TX);
  assert_int_equal(c->frames_in, 1);
  assert_int_equal(c->frames_out, 1);
  assert_int_equal(c->bytes_out, 100);
  fix_free(&f);
}

static void delay_is_exact(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  struct sim_impair i = {.delay = 3 * SIM_MSEC};
  struct sim_impair r = {.delay = 2 * SIM_MSEC};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  assert_int_equal(sim_port_set_impair(f.b, SIM_RX, &r), 0);
  send_n(f.a, 0, 64);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 1);
  assert_int_equal(f.sb->at[0], 5 * SIM_MSEC); /* tx then rx */
  fix_free(&f);
}

static void rate_serialises_back_to_back(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  /* 1000 bytes at 8 Mbit/s: 1 ms each */
  struct sim_impair i = {.rate = 8000000, .delay = 100 * SIM_USEC};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  for (uint32_t k = 0; k < 3; k++) send_n(f.a, k, 1000);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 3);
  for (size_t k = 0; k < 3; k++) {
    assert_int_equal(frame_index(f.sb, k), k);
    assert_int_equal(f.sb->at[k], (sim_time_t)(k + 1) * SIM_MSEC + 100 * SIM_USEC);
  }
  fix_free(&f);
}

static void rate_rounds_up(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  struct sim_impair i = {.rate = 3000000000ull}; /* 64 bytes: 170.67 ns */
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  send_n(f.a, 0, 64);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->at[0], 171);
  fix_free(&f);
}

static void queue_tail_drops_by_frames(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 1);
  struct sim_impair i = {.rate = 8000000, .queue_frames = 2};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  for (uint32_t k = 0; k < 5; k++) send_n(f.a, k, 1000);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 2); /* the frame being sent counts */
  assert_int_equal(frame_index(f.sb, 0), 0);
  assert_int_equal(frame_index(f.sb, 1), 1);
  assert_int_equal(sim_port_counters(f.a, SIM_TX)->by_cause[SIM_CAUSE_QUEUE], 3);
  /* Once the queue has drained, frames fit again. */
  send_n(f.a, 9, 1000);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 3);
  assert_int_equal(f.sb->at[2], 3 * SIM_MSEC);
  fix_free(&f);
}

static void queue_tail_drops_by_bytes(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  struct sim_impair i = {.rate = 8000000, .queue_bytes = 2500};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  send_n(f.a, 0, 1000);
  send_n(f.a, 1, 1000);
  send_n(f.a, 2, 1000); /* 3000 > 2500: dropped */
  send_n(f.a, 3, 400);  /* 2400 fits */
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 3);
  assert_int_equal(frame_index(f.sb, 2), 3);
  assert_int_equal(sim_port_counters(f.a, SIM_TX)->by_cause[SIM_CAUSE_QUEUE], 1);
  fix_free(&f);
}

static void bernoulli_loss_rate(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 42, 0);
  struct sim_impair i = {.loss = 0.1};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  const int n = 100000;
  for (int k = 0; k < n; k++) {
    send_n(f.a, (uint32_t)k, 16);
    if (k % 1000 == 999) sim_engine_run(f.e);
  }
  sim_engine_run(f.e);
  uint64_t lost = sim_port_counters(f.a, SIM_TX)->by_cause[SIM_CAUSE_LOSS];
  assert_int_equal(lost + f.sb->total, n);
  /* 0.1 +- 0.01 (the standard deviation is about 0.001) */
  assert_in_range(lost, 9000, 11000);
  fix_free(&f);
}

static void gilbert_elliott_bursts(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 7, 0);
  /* Bad state loses everything, good nothing: bursts are runs of bad
   * frames, geometric with mean 1 / p_exit = 4; stationary loss
   * p_enter / (p_enter + p_exit) = 0.01 / 0.26. */
  struct sim_impair i = {.ge = {.p_enter = 0.01, .p_exit = 0.25, .loss_good = 0, .loss_bad = 1}};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  const int n = 200000;
  uint64_t prev_total = 0, bursts = 0, lost = 0;
  int in_burst = 0;
  for (int k = 0; k < n; k++) {
    send_n(f.a, (uint32_t)k, 8);
    sim_engine_run(f.e);
    int got = f.sb->total != prev_total;
    prev_total = f.sb->total;
    if (!got) {
      lost++;
      if (!in_burst) bursts++;
    }
    in_burst = !got;
  }
  assert_int_equal(lost, sim_port_counters(f.a, SIM_TX)->by_cause[SIM_CAUSE_BURST]);
  double mean_burst = (double)lost / (double)bursts;
  assert_true(mean_burst > 3.7 && mean_burst < 4.3);
  double rate = (double)lost / n;
  assert_true(fabs(rate - 0.01 / 0.26) < 0.005);
  fix_free(&f);
}

static int popcount8(uint8_t x) {
  int c = 0;
  for (; x; x &= (uint8_t)(x - 1)) c++;
  return c;
}

static void corruption_flips_exact_bits(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 3, 0);
  struct sim_impair i = {.corrupt = 1.0, .corrupt_bits = 5};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  uint8_t ref[300];
  for (uint32_t k = 0; k < 50; k++) {
    send_n(f.a, k, 300);
  }
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 50);
  for (size_t k = 0; k < 50; k++) {
    uint32_t idx = (uint32_t)k;
    for (size_t j = 0; j < 300; j++) ref[j] = (uint8_t)(idx * 7 + j);
    memcpy(ref, &idx, 4);
    int flipped = 0;
    for (size_t j = 0; j < 300; j++) flipped += popcount8(ref[j] ^ f.sb->data[k][j]);
    assert_int_equal(flipped, 5);
  }
  assert_int_equal(sim_port_counters(f.a, SIM_TX)->by_cause[SIM_CAUSE_CORRUPTED], 50);
  fix_free(&f);
}

static void corruption_of_tiny_frame_is_clamped(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 3, 0);
  struct sim_impair i = {.corrupt = 1.0, .corrupt_bits = 100};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  uint8_t one = 0x00;
  assert_int_equal(sim_port_send(f.a, &one, 1), 0);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 1);
  assert_int_equal(f.sb->data[0][0], 0xff); /* all 8 bits, each once */
  fix_free(&f);
}

static void duplication_delivers_twice(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 3, 0);
  struct sim_impair i = {.duplicate = 1.0, .delay = SIM_MSEC};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  send_n(f.a, 1, 60);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 2);
  assert_int_equal(f.sb->at[0], SIM_MSEC);
  assert_int_equal(f.sb->at[1], SIM_MSEC);
  assert_memory_equal(f.sb->data[0], f.sb->data[1], 60);
  const struct sim_media_counters *c = sim_port_counters(f.a, SIM_TX);
  assert_int_equal(c->by_cause[SIM_CAUSE_DUPLICATED], 1);
  assert_int_equal(c->frames_out, 2);
  fix_free(&f);
}

/* A duplicate corrupted on one receiver's rx leaves the other copy intact:
 * shared frame bytes are copied before they are damaged. */
static void corruption_never_leaks_into_shared_copies(void **state) {
  (void)state;
  struct sim_engine *e;
  struct sim_medium *m;
  struct sim_port *p[3];
  struct sink s[3];
  memset(s, 0, sizeof s);
  assert_int_equal(sim_engine_new(&e, NULL), 0);
  assert_int_equal(sim_medium_new(&m, e, SIM_MEDIUM_SEGMENT, "seg", 1, NULL), 0);
  for (int k = 0; k < 3; k++) {
    s[k].e = e;
    char name[8];
    snprintf(name, sizeof name, "n%d", k);
    assert_int_equal(sim_port_new(&p[k], m, name, "eth0", sink_rx, &s[k]), 0);
  }
  struct sim_impair bad = {.corrupt = 1.0, .corrupt_bits = 8};
  assert_int_equal(sim_port_set_impair(p[1], SIM_RX, &bad), 0);
  send_n(p[0], 77, 200);
  sim_engine_run(e);
  assert_int_equal(s[1].n, 1);
  assert_int_equal(s[2].n, 1);
  assert_int_equal(frame_index(&s[2], 0), 77);
  for (size_t j = 4; j < 200; j++) assert_int_equal(s[2].data[0][j], (uint8_t)(77 * 7 + j));
  assert_memory_not_equal(s[1].data[0], s[2].data[0], 200);
  sim_medium_free(m);
  sim_engine_free(e);
  for (int k = 0; k < 3; k++) sink_clear(&s[k]);
}

static void jitter_never_reorders(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 11, 0);
  struct sim_impair i = {.delay = SIM_MSEC, .jitter = 5 * SIM_MSEC};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  int spread = 0;
  for (uint32_t k = 0; k < 1000; k++) {
    send_n(f.a, k, 20);
    sim_engine_run_until(f.e, sim_engine_now(f.e) + 100 * SIM_USEC);
  }
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 1000);
  for (size_t k = 0; k < 1000; k++) {
    assert_int_equal(frame_index(f.sb, k), k);
    sim_time_t sent = (sim_time_t)k * 100 * SIM_USEC;
    assert_true(f.sb->at[k] >= sent + SIM_MSEC);
    if (k) assert_true(f.sb->at[k] >= f.sb->at[k - 1]);
    if (f.sb->at[k] > sent + 3 * SIM_MSEC) spread = 1;
  }
  assert_true(spread); /* the jitter really varies the delay */
  fix_free(&f);
}

static void reorder_lets_later_frames_pass(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 5, 0);
  struct sim_impair i = {.delay = SIM_MSEC, .reorder = 0.2, .reorder_delay = 3 * SIM_MSEC};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  for (uint32_t k = 0; k < 1000; k++) {
    send_n(f.a, k, 20);
    sim_engine_run_until(f.e, sim_engine_now(f.e) + SIM_MSEC);
  }
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 1000);
  uint64_t held = sim_port_counters(f.a, SIM_TX)->by_cause[SIM_CAUSE_REORDERED];
  assert_in_range(held, 150, 250);
  /* Each held frame arrives 3 ms late: passed by later frames. */
  int out_of_order = 0;
  for (size_t k = 1; k < 1000; k++) out_of_order += frame_index(f.sb, k) < frame_index(f.sb, k - 1);
  assert_true(out_of_order > 100);
  fix_free(&f);
}

static void mtu_drops_long_frames(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  struct sim_impair i = {.max_frame = 1514};
  assert_int_equal(sim_port_set_impair(f.b, SIM_RX, &i), 0);
  send_n(f.a, 0, 1514);
  send_n(f.a, 1, 1515);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 1);
  assert_int_equal(f.sb->len[0], 1514);
  assert_int_equal(sim_port_counters(f.b, SIM_RX)->by_cause[SIM_CAUSE_MTU], 1);
  fix_free(&f);
}

static void down_drops_and_in_flight_dies(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 1);
  struct sim_impair i = {.delay = 10 * SIM_MSEC};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  send_n(f.a, 0, 60); /* in flight when the link goes down */
  sim_engine_run_until(f.e, 5 * SIM_MSEC);
  sim_medium_set_up(f.m, 0);
  assert_false(sim_medium_is_up(f.m));
  send_n(f.a, 1, 60); /* dropped at once */
  sim_engine_run_until(f.e, 20 * SIM_MSEC);
  assert_int_equal(f.sb->n, 0);
  assert_int_equal(sim_port_counters(f.a, SIM_TX)->by_cause[SIM_CAUSE_DOWN], 2);
  sim_medium_set_up(f.m, 1);
  send_n(f.a, 2, 60);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 1);
  assert_int_equal(frame_index(f.sb, 0), 2);
  /* A receiver's rx direction down: dropped at delivery, counted at rx. */
  sim_port_set_up(f.b, SIM_RX, 0);
  send_n(f.a, 3, 60);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 1);
  assert_int_equal(sim_port_counters(f.b, SIM_RX)->by_cause[SIM_CAUSE_DOWN], 1);
  /* ...while the other direction still works. */
  send_n(f.b, 4, 60);
  sim_engine_run(f.e);
  assert_int_equal(f.sa->n, 1);
  fix_free(&f);
}

static void partition_splits_a_segment(void **state) {
  (void)state;
  struct sim_engine *e;
  struct sim_medium *m;
  struct sim_port *p[4];
  struct sink *s = calloc(4, sizeof *s);
  assert_int_equal(sim_engine_new(&e, NULL), 0);
  assert_int_equal(sim_medium_new(&m, e, SIM_MEDIUM_SEGMENT, "lan", 9, NULL), 0);
  for (int k = 0; k < 4; k++) {
    s[k].e = e;
    char name[8];
    snprintf(name, sizeof name, "h%d", k);
    assert_int_equal(sim_port_new(&p[k], m, name, "eth0", sink_rx, &s[k]), 0);
  }
  send_n(p[0], 0, 60);
  sim_engine_run(e);
  assert_int_equal(s[0].n, 0);
  for (int k = 1; k < 4; k++) assert_int_equal(s[k].n, 1);
  /* {h0, h1} | {h2, h3} */
  sim_port_set_group(p[2], 1);
  sim_port_set_group(p[3], 1);
  send_n(p[0], 1, 60);
  send_n(p[3], 2, 60);
  sim_engine_run(e);
  assert_int_equal(s[1].n, 2);
  assert_int_equal(frame_index(&s[1], 1), 1);
  assert_int_equal(s[2].n, 2);
  assert_int_equal(frame_index(&s[2], 1), 2);
  assert_int_equal(s[3].n, 1);
  assert_int_equal(s[0].n, 0);
  assert_int_equal(sim_port_counters(p[2], SIM_RX)->by_cause[SIM_CAUSE_PARTITION], 1);
  assert_int_equal(sim_port_counters(p[0], SIM_RX)->by_cause[SIM_CAUSE_PARTITION], 1);
  sim_medium_heal(m);
  send_n(p[3], 3, 60);
  sim_engine_run(e);
  assert_int_equal(s[0].n, 1);
  assert_int_equal(frame_index(&s[0], 0), 3);
  sim_medium_free(m);
  sim_engine_free(e);
  for (int k = 0; k < 4; k++) sink_clear(&s[k]);
  free(s);
}

/* A partition that forms while a frame is in flight drops it at arrival. */
static void partition_catches_frames_in_flight(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  struct sim_impair i = {.delay = SIM_MSEC};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  send_n(f.a, 0, 60);
  sim_port_set_group(f.b, 3);
  sim_engine_run(f.e);
  assert_int_equal(f.sb->n, 0);
  assert_int_equal(sim_port_counters(f.b, SIM_RX)->by_cause[SIM_CAUSE_PARTITION], 1);
  fix_free(&f);
}

/* Everything on at once on a's tx. Returns a digest of what b received
 * (times and bytes); *trace_hash gets the run's trace hash. `other` also
 * impairs b's tx, a stream a's frames never draw from. */
static uint64_t busy_run(uint64_t seed, int other, uint64_t *trace_hash) {
  struct fix f;
  fix_link(&f, seed, 1);
  struct sim_impair i = {.delay = SIM_MSEC, .jitter = SIM_MSEC, .rate = 10000000, .loss = 0.05,
                         .ge = {0.02, 0.3, 0.0, 0.7}, .corrupt = 0.05, .corrupt_bits = 2,
                         .duplicate = 0.05, .reorder = 0.05, .reorder_delay = 2 * SIM_MSEC};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  if (other) {
    struct sim_impair o = {.loss = 0.5, .jitter = SIM_MSEC};
    assert_int_equal(sim_port_set_impair(f.b, SIM_TX, &o), 0);
  }
  for (uint32_t k = 0; k < 2000; k++) {
    send_n(f.a, k, 100 + k % 500);
    if (k % 3 == 0) send_n(f.b, k, 64);
    sim_engine_run_until(f.e, sim_engine_now(f.e) + 200 * SIM_USEC);
  }
  sim_engine_run(f.e);
  uint64_t h = SIM_FNV_BASIS;
  for (size_t k = 0; k < f.sb->n; k++) {
    h = sim_fnv1a64(h, &f.sb->at[k], sizeof f.sb->at[k]);
    h = sim_fnv1a64(h, f.sb->data[k], f.sb->len[k]);
  }
  assert_true(f.sb->n > 1500 && f.sb->n < 2000);
  *trace_hash = sim_trace_hash(f.trace);
  fix_free(&f);
  return h;
}

static void runs_are_deterministic(void **state) {
  (void)state;
  uint64_t t1, t2, t3;
  uint64_t h1 = busy_run(1234, 0, &t1), h2 = busy_run(1234, 0, &t2), h3 = busy_run(1235, 0, &t3);
  assert_true(h1 == h2 && t1 == t2);
  assert_true(h1 != h3 && t1 != t3);
}

static void streams_are_independent(void **state) {
  (void)state;
  uint64_t t1, t2;
  uint64_t plain = busy_run(99, 0, &t1), with_other = busy_run(99, 1, &t2);
  assert_true(plain == with_other); /* a->b unchanged, draw for draw */
  assert_true(t1 != t2);            /* while b->a did change */
}

static void links_take_two_ports(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  struct sim_port *c;
  assert_int_equal(sim_port_new(&c, f.m, "c", "eth0", sink_rx, NULL), SIM_EBUSY);
  assert_null(c);
  assert_string_equal(sim_port_node(f.a), "a");
  assert_string_equal(sim_port_name(f.a), "eth0");
  assert_string_equal(sim_medium_name(f.m), "l0");
  fix_free(&f);
}

static void bad_impairments_are_rejected(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  struct sim_impair good = {.delay = 7};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &good), 0);
  struct sim_impair bad[] = {
      {.delay = -1},
      {.jitter = -1},
      {.loss = 1.5},
      {.loss = -0.1},
      {.loss = NAN},
      {.corrupt = 2},
      {.duplicate = -1},
      {.reorder = 0.5},
      {.ge = {.p_enter = 1.1}},
      {.ge = {.loss_bad = -1}},
      {.max_frame = SIM_FRAME_MAX + 1},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &bad[k]), SIM_EINVAL);
  assert_int_equal(sim_port_impair(f.a, SIM_TX)->delay, 7); /* unchanged */
  uint8_t b = 0;
  assert_int_equal(sim_port_send(f.a, &b, 0), SIM_EINVAL);
  fix_free(&f);
}

static void free_with_frames_in_flight(void **state) {
  (void)state;
  struct fix f;
  fix_link(&f, 1, 0);
  struct sim_impair i = {.delay = SIM_SEC, .duplicate = 0.5, .rate = 1000000};
  assert_int_equal(sim_port_set_impair(f.a, SIM_TX, &i), 0);
  assert_int_equal(sim_port_set_impair(f.b, SIM_RX, &i), 0);
  for (uint32_t k = 0; k < 100; k++) send_n(f.a, k, 500);
  sim_engine_run_until(f.e, 1500 * SIM_MSEC); /* some in each hop */
  assert_true(sim_engine_pending(f.e) > 0);
  sim_medium_free(f.m);
  assert_int_equal(sim_engine_pending(f.e), 0); /* its events are gone */
  f.m = NULL;
  sim_engine_run(f.e); /* and nothing runs on freed memory */
  fix_free(&f);
}

/* A receiver that echoes on a zero-delay link: delivery is an event, so
 * the echo loop advances through the engine, never recursing. */
static int echoes;
static void echo_rx(void *user, struct sim_port *port, const uint8_t *frame, size_t len) {
  (void)user;
  if (++echoes < 100000) sim_port_send(port, frame, len);
}

static void zero_delay_echo_does_not_recurse(void **state) {
  (void)state;
  struct sim_engine *e;
  struct sim_medium *m;
  struct sim_port *a, *b;
  assert_int_equal(sim_engine_new(&e, NULL), 0);
  assert_int_equal(sim_medium_new(&m, e, SIM_MEDIUM_LINK, "l", 1, NULL), 0);
  assert_int_equal(sim_port_new(&a, m, "a", "eth0", echo_rx, NULL), 0);
  assert_int_equal(sim_port_new(&b, m, "b", "eth0", echo_rx, NULL), 0);
  echoes = 0;
  uint8_t x[64] = {1};
  sim_port_send(a, x, sizeof x);
  sim_engine_run(e);
  assert_int_equal(echoes, 100000);
  assert_int_equal(sim_engine_now(e), 0);
  sim_medium_free(m);
  sim_engine_free(e);
}

static void cause_names(void **state) {
  (void)state;
  assert_string_equal(sim_media_cause_name(SIM_CAUSE_DOWN), "down");
  assert_string_equal(sim_media_cause_name(SIM_CAUSE_BURST), "burst");
  assert_string_equal(sim_media_cause_name(SIM_CAUSE_REORDERED), "reordered");
  assert_string_equal(sim_media_cause_name(SIM_CAUSE_COUNT), "?");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(perfect_link_delivers_intact),
      cmocka_unit_test(delay_is_exact),
      cmocka_unit_test(rate_serialises_back_to_back),
      cmocka_unit_test(rate_rounds_up),
      cmocka_unit_test(queue_tail_drops_by_frames),
      cmocka_unit_test(queue_tail_drops_by_bytes),
      cmocka_unit_test(bernoulli_loss_rate),
      cmocka_unit_test(gilbert_elliott_bursts),
      cmocka_unit_test(corruption_flips_exact_bits),
      cmocka_unit_test(corruption_of_tiny_frame_is_clamped),
      cmocka_unit_test(duplication_delivers_twice),
      cmocka_unit_test(corruption_never_leaks_into_shared_copies),
      cmocka_unit_test(jitter_never_reorders),
      cmocka_unit_test(reorder_lets_later_frames_pass),
      cmocka_unit_test(mtu_drops_long_frames),
      cmocka_unit_test(down_drops_and_in_flight_dies),
      cmocka_unit_test(partition_splits_a_segment),
      cmocka_unit_test(partition_catches_frames_in_flight),
      cmocka_unit_test(runs_are_deterministic),
      cmocka_unit_test(streams_are_independent),
      cmocka_unit_test(links_take_two_ports),
      cmocka_unit_test(bad_impairments_are_rejected),
      cmocka_unit_test(free_with_frames_in_flight),
      cmocka_unit_test(zero_delay_echo_does_not_recurse),
      cmocka_unit_test(cause_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
