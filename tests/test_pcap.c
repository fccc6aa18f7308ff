/* pcap capture: file layout byte by byte, snaplen, media capture points,
 * and tshark reading what we write (skipped with a message without tshark). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/engine.h"
#include "sim/err.h"
#include "sim/media.h"
#include "sim/pcap.h"

#define TMP LWSIM_TEST_TMPDIR "/pcap"

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc((size_t)n + 1);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

static uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static int setup(void **state) {
  (void)state;
  mkdir(LWSIM_TEST_TMPDIR, 0755);
  mkdir(TMP, 0755);
  return 0;
}

static void header_and_records(void **state) {
  (void)state;
  struct sim_pcap *p;
  assert_int_equal(sim_pcap_open(&p, TMP "/basic.pcap", 0), 0);
  uint8_t a[3] = {1, 2, 3}, b[5] = {9, 8, 7, 6, 5};
  assert_int_equal(sim_pcap_write(p, 1500000123, a, sizeof a), 0);
  assert_int_equal(sim_pcap_write(p, 2 * SIM_SEC, b, sizeof b), 0);
  assert_int_equal(sim_pcap_write(p, -1, b, sizeof b), SIM_EINVAL);
  assert_int_equal(sim_pcap_frames(p), 2);
  assert_int_equal(sim_pcap_close(p), 0);
  size_t n;
  uint8_t *f = slurp(TMP "/basic.pcap", &n);
  assert_int_equal(n, 24 + 16 + 3 + 16 + 5);
  assert_int_equal(rd32(f), SIM_PCAP_MAGIC_NS);
  assert_int_equal(f[4] | f[5] << 8, 2); /* version 2.4 in host order (LE here) */
  assert_int_equal(f[6] | f[7] << 8, 4);
  assert_int_equal(rd32(f + 16), SIM_PCAP_SNAPLEN);
  assert_int_equal(rd32(f + 20), SIM_PCAP_LINKTYPE_ETHERNET);
  const uint8_t *r = f + 24;
  assert_int_equal(rd32(r), 1);          /* seconds */
  assert_int_equal(rd32(r + 4), 500000123); /* nanoseconds */
  assert_int_equal(rd32(r + 8), 3);
  assert_int_equal(rd32(r + 12), 3);
  assert_memory_equal(r + 16, a, 3);
  r += 16 + 3;
  assert_int_equal(rd32(r), 2);
  assert_int_equal(rd32(r + 4), 0);
  assert_memory_equal(r + 16, b, 5);
  free(f);
}

static void snaplen_truncates_but_keeps_length(void **state) {
  (void)state;
  struct sim_pcap *p;
  assert_int_equal(sim_pcap_open(&p, TMP "/snap.pcap", 4), 0);
  uint8_t big[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  assert_int_equal(sim_pcap_write(p, 0, big, sizeof big), 0);
  assert_int_equal(sim_pcap_close(p), 0);
  size_t n;
  uint8_t *f = slurp(TMP "/snap.pcap", &n);
  assert_int_equal(n, 24 + 16 + 4);
  assert_int_equal(rd32(f + 24 + 8), 4);   /* included */
  assert_int_equal(rd32(f + 24 + 12), 10); /* original */
  free(f);
}

static void unwritable_path_is_eio(void **state) {
  (void)state;
  struct sim_pcap *p;
  assert_int_equal(sim_pcap_open(&p, TMP "/no/such/dir/x.pcap", 0), SIM_EIO);
  assert_null(p);
}

/* A minimal Ethernet/IPv4/UDP frame, so tshark dissects something real. */
static size_t udp_frame(uint8_t *f, uint8_t src, uint8_t dst, uint16_t seq) {
  static const uint8_t hdr[42] = {
      0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,                   /* eth */
      0x45, 0, 0, 32, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, /* ip */
      0x30, 0x39, 0x00, 0x07, 0, 12, 0, 0,                                     /* udp */
  };
  memcpy(f, hdr, sizeof hdr);
  f[5] = dst;
  f[11] = src;
  f[29] = src;
  f[33] = dst;
  f[42] = (uint8_t)(seq >> 8);
  f[43] = (uint8_t)seq;
  f[44] = 'o';
  f[45] = 'k';
  uint32_t sum = 0; /* IPv4 header checksum */
  for (int i = 14; i < 34; i += 2) sum += (uint32_t)(f[i] << 8 | f[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  f[24] = (uint8_t)(~sum >> 8);
  f[25] = (uint8_t)~sum;
  return 46;
}

static void nop_rx(void *u, struct sim_port *p, const uint8_t *f, size_t n) {
  (void)u, (void)p, (void)f, (void)n;
}

/* Port capture sees its own tx at send time and its rx at arrival; medium
 * capture sees every frame once, at send time. */
static void media_capture_points(void **state) {
  (void)state;
  struct sim_engine *e;
  struct sim_medium *m;
  struct sim_port *a, *b;
  struct sim_pcap *pm, *pa;
  assert_int_equal(sim_engine_new(&e, NULL), 0);
  assert_int_equal(sim_medium_new(&m, e, SIM_MEDIUM_LINK, "l", 1, NULL), 0);
  assert_int_equal(sim_port_new(&a, m, "a", "eth0", nop_rx, NULL), 0);
  assert_int_equal(sim_port_new(&b, m, "b", "eth0", nop_rx, NULL), 0);
  struct sim_impair d = {.delay = 2 * SIM_MSEC};
  sim_port_set_impair(a, SIM_TX, &d);
  sim_port_set_impair(b, SIM_TX, &d);
  assert_int_equal(sim_pcap_open(&pm, TMP "/medium.pcap", 0), 0);
  assert_int_equal(sim_pcap_open(&pa, TMP "/port_a.pcap", 0), 0);
  sim_medium_capture(m, pm);
  sim_port_capture(a, pa);
  uint8_t f[64];
  for (uint16_t k = 0; k < 10; k++) {
    sim_port_send(a, f, udp_frame(f, 1, 2, k));
    sim_port_send(b, f, udp_frame(f, 2, 1, k));
    sim_engine_run_until(e, sim_engine_now(e) + SIM_MSEC);
  }
  sim_engine_run(e);
  sim_medium_free(m);
  assert_int_equal(sim_pcap_frames(pm), 20);
  assert_int_equal(sim_pcap_frames(pa), 20); /* 10 sent + 10 received */
  assert_int_equal(sim_pcap_close(pm), 0);
  assert_int_equal(sim_pcap_close(pa), 0);
  sim_engine_free(e);
  /* The first frame a receives arrives at 2 ms (b sent it at 0). */
  size_t n;
  uint8_t *buf = slurp(TMP "/port_a.pcap", &n);
  const uint8_t *r = buf + 24;
  assert_int_equal(rd32(r + 4), 0);       /* a's own first frame, at 0 */
  r += 16 + 46;
  assert_int_equal(rd32(r + 4), 1000000); /* a's second send, at 1 ms */
  r += 16 + 46;
  assert_int_equal(rd32(r + 4), 2000000); /* first arrival from b */
  assert_int_equal(r[16 + 11], 2);
  free(buf);
}

static int have_tshark(void) {
  return system("command -v tshark >/dev/null 2>&1") == 0;
}

/* tshark reads the file, counts every frame, and finds no malformed one. */
static void tshark_reads_capture(void **state) {
  (void)state;
  if (!have_tshark()) {
    print_message("tshark not installed (scripts/deps installs it): skipping\n");
    skip();
  }
  FILE *p = popen("tshark -r " TMP "/medium.pcap -T fields -e frame.time_epoch -e udp.srcport"
                  " -e _ws.malformed 2>/dev/null", "r");
  assert_non_null(p);
  char line[256];
  int frames = 0, malformed = 0;
  while (fgets(line, sizeof line, p)) {
    frames++;
    if (strstr(line, "12345") == NULL) malformed++; /* 0x3039 */
    if (strchr(line, '\t') && strstr(strrchr(line, '\t'), "1")) malformed++;
  }
  assert_int_equal(pclose(p), 0);
  assert_int_equal(frames, 20);
  assert_int_equal(malformed, 0);
  /* Nanosecond timestamps survive: the second frame is at exactly 0 s
   * (b's send), the third at 0.001 s. */
  p = popen("tshark -r " TMP "/medium.pcap -T fields -e frame.time_relative 2>/dev/null", "r");
  assert_non_null(p);
  double t[3] = {-1, -1, -1};
  for (int k = 0; k < 3 && fgets(line, sizeof line, p); k++) t[k] = atof(line);
  while (fgets(line, sizeof line, p)) {}
  pclose(p);
  assert_true(t[1] == 0.0);
  assert_true(t[2] > 0.000999 && t[2] < 0.001001);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(header_and_records),
      cmocka_unit_test(snaplen_truncates_but_keeps_length),
      cmocka_unit_test(unwritable_path_is_eio),
      cmocka_unit_test(media_capture_points),
      cmocka_unit_test(tshark_reads_capture),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
