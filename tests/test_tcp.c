/* TCP between stack instances: handshake, transfer, teardown, integrity
 * under every impairment. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pcap.h"
#include "tcp_app.h"
#include "world.h"

struct conn {
  struct world *w;
  struct stack_netif *na, *nb;
  struct tcp_app server, client, listener;
  struct tcp_pcb *lpcb;
};

/* a (10.0.0.1, client) -- link -- b (10.0.0.2, server on port 80) */
static struct conn *conn_new(uint64_t seed, const struct stack_config *cfg,
                             const struct sim_impair *imp, uint64_t c2s, uint64_t s2c) {
  struct conn *c = calloc(1, sizeof *c);
  c->w = world_new(seed);
  int a = world_node(c->w, "a", cfg), b = world_node(c->w, "b", cfg);
  int m = world_medium(c->w, SIM_MEDIUM_LINK, "l");
  c->na = world_attach(c->w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  c->nb = world_attach(c->w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  if (imp) {
    sim_port_set_impair(stack_sim_eth_port(c->na), SIM_TX, imp);
    sim_port_set_impair(stack_sim_eth_port(c->nb), SIM_TX, imp);
  }
  c->client = (struct tcp_app){.side = 0, .to_send = c2s, .close_when_done = 1};
  c->server = (struct tcp_app){.side = 1, .to_send = s2c, .close_when_done = 1};
  c->listener.accept_into = &c->server;
  c->lpcb = tcp_new(c->w->st[b]);
  assert_int_equal(tcp_bind(c->lpcb, 0, 80), 0);
  assert_int_equal(tcp_listen(c->lpcb, 4), 0);
  tcp_app_listen(&c->listener, c->lpcb);
  struct tcp_pcb *pcb = tcp_new(c->w->st[a]);
  assert_int_equal(tcp_app_connect(&c->client, pcb, ip(10, 0, 0, 2), 80), 0);
  return c;
}

static void conn_free(struct conn *c) {
  world_free(c->w);
  free(c);
}

static void handshake_transfer_and_close(void **state) {
  (void)state;
  struct sim_impair d = {.delay = 5 * SIM_MSEC, .rate = 10000000};
  struct conn *c = conn_new(1, NULL, &d, 100000, 50000);
  world_run_for(c->w, 100 * SIM_MSEC);
  assert_true(c->client.connected);
  assert_true(c->server.connected);
  world_run_for(c->w, 10 * SIM_SEC);
  assert_true(tcp_app_done(&c->client, 50000));
  assert_true(tcp_app_done(&c->server, 100000));
  assert_true(c->client.closed && c->server.closed);
  /* both closed: the one that closed first waits in TIME-WAIT */
  const struct stack_stats *sa = stack_stats(c->w->st[0]);
  assert_int_equal(sa->tcp_active_opens, 1);
  assert_int_equal(stack_stats(c->w->st[1])->tcp_passive_opens, 1);
  assert_int_equal(sa->tcp_retransmits, 0);
  world_run_for(c->w, 70 * SIM_SEC); /* past 2 MSL */
  assert_int_equal(pbuf_in_use(c->w->st[0]), 0);
  assert_int_equal(pbuf_in_use(c->w->st[1]), 0);
  conn_free(c);
}

/* 1 MB each way at once over a link that loses, reorders, duplicates and
 * corrupts: every byte arrives intact and in order, for many seeds.
 * Corruption flips one bit per damaged frame: the Internet checksum
 * catches every single-bit error (and must: a miss fails the byte check),
 * while two or more flips can cancel out in a ones'-complement sum. */
static void integrity_seeds(int first, int last) {
  struct stack_config cfg;
  stack_config_default(&cfg);
  cfg.tcp_rto_min = 200 * STACK_MSEC;
  struct sim_impair imp = {.delay = 2 * SIM_MSEC, .jitter = SIM_MSEC, .rate = 50000000,
                           .loss = 0.05, .duplicate = 0.02, .corrupt = 0.02, .corrupt_bits = 1,
                           .reorder = 0.05, .reorder_delay = 3 * SIM_MSEC};
  uint64_t corrupt_caught = 0;
  for (int seed = first; seed <= last; seed++) {
    struct conn *c = conn_new((uint64_t)seed, &cfg, &imp, 1 << 20, 1 << 20);
    world_run_for(c->w, 120 * SIM_SEC);
    if (!tcp_app_done(&c->client, 1 << 20) || !tcp_app_done(&c->server, 1 << 20)) {
      fail_msg("seed %d: client sent %lu acked %lu rx %lu fin %d corrupt %lu err %d; "
               "server sent %lu acked %lu rx %lu fin %d corrupt %lu err %d",
               seed, (unsigned long)c->client.sent, (unsigned long)c->client.acked,
               (unsigned long)c->client.received, c->client.got_fin,
               (unsigned long)c->client.corrupt, c->client.err, (unsigned long)c->server.sent,
               (unsigned long)c->server.acked, (unsigned long)c->server.received,
               c->server.got_fin, (unsigned long)c->server.corrupt, c->server.err);
    }
    corrupt_caught += stack_stats(c->w->st[0])->drops[STACK_DROP_TCP_CHECKSUM] +
                      stack_stats(c->w->st[1])->drops[STACK_DROP_TCP_CHECKSUM];
    world_run_for(c->w, 70 * SIM_SEC);
    assert_int_equal(pbuf_in_use(c->w->st[0]), 0);
    assert_int_equal(pbuf_in_use(c->w->st[1]), 0);
    conn_free(c);
  }
  assert_true(corrupt_caught > 0);
}

/* 200 seeds in four ctest cases, so they run in parallel. */
static void integrity_seeds_1_50(void **state) { (void)state; integrity_seeds(1, 50); }
static void integrity_seeds_51_100(void **state) { (void)state; integrity_seeds(51, 100); }
static void integrity_seeds_101_150(void **state) { (void)state; integrity_seeds(101, 150); }
static void integrity_seeds_151_200(void **state) { (void)state; integrity_seeds(151, 200); }

/* A capture of a lossy transfer: tshark reads it with no malformed packet,
 * and the retransmissions it finds are the ones the stack counted. The
 * capture is taken where frames are sent, so every segment tshark calls
 * out of order is a retransmission too (its heuristic names a resent hole
 * "out-of-order" when newer data went out just before it). */
static void capture_matches_retransmission_counter(void **state) {
  (void)state;
  if (system("command -v tshark >/dev/null 2>&1") != 0) {
    print_message("tshark not installed (scripts/deps installs it): skipping\n");
    skip();
  }
  struct sim_impair imp = {.delay = 2 * SIM_MSEC, .rate = 20000000, .loss = 0.03};
  struct conn *c = conn_new(7, NULL, &imp, 300000, 0);
  const char *path = LWSIM_TEST_TMPDIR "/tcp_lossy.pcap";
  struct sim_pcap *pcap;
  assert_int_equal(sim_pcap_open(&pcap, path, 0), 0);
  sim_medium_capture(c->w->m[0], pcap);
  world_run_for(c->w, 60 * SIM_SEC);
  assert_true(tcp_app_done(&c->server, 300000));
  uint64_t counted = stack_stats(c->w->st[0])->tcp_retransmits + stack_stats(c->w->st[1])->tcp_retransmits;
  sim_medium_capture(c->w->m[0], NULL);
  assert_int_equal(sim_pcap_close(pcap), 0);
  assert_true(counted > 5); /* the loss really bit */
  FILE *p = popen("tshark -r " LWSIM_TEST_TMPDIR "/tcp_lossy.pcap -Y "
                  "'tcp.analysis.retransmission || tcp.analysis.fast_retransmission || "
                  "tcp.analysis.spurious_retransmission || tcp.analysis.out_of_order' "
                  "-T fields -e frame.number 2>/dev/null | wc -l",
                  "r");
  unsigned long rexmit = 0;
  assert_int_equal(fscanf(p, "%lu", &rexmit), 1);
  pclose(p);
  p = popen("tshark -r " LWSIM_TEST_TMPDIR "/tcp_lossy.pcap -d tcp.port==80,data "
            "-Y '_ws.malformed || "
            "_ws.expert.severity == error' -T fields -e frame.number 2>/dev/null | wc -l", "r");
  unsigned long bad = 99;
  assert_int_equal(fscanf(p, "%lu", &bad), 1);
  pclose(p);
  if (rexmit != counted) print_error("tshark found %lu retransmissions, the stacks counted %lu\n",
                                     rexmit, (unsigned long)counted);
  assert_int_equal(rexmit, counted);
  assert_int_equal(bad, 0);
  conn_free(c);
}

/* Urgent data (RFC 9293 3.8.5): the pointer reaches the receiver, points
 * just past the urgent bytes (MUST-31), and is reported when it first
 * appears and when it moves on (MUST-32); the application can ask how much
 * is still to come (MUST-33). */
static uint32_t urg_calls, urg_pending[4];
static void on_urgent(void *arg, struct tcp_pcb *pcb, uint32_t pending) {
  (void)arg, (void)pcb;
  if (urg_calls < 4) urg_pending[urg_calls] = pending;
  urg_calls++;
}

static void urgent_pointer_is_delivered(void **state) {
  (void)state;
  struct sim_impair d = {.delay = SIM_MSEC};
  struct conn *c = conn_new(3, NULL, &d, 0, 0);
  c->server.hold = 1; /* keep data unconsumed, so pending counts from the start */
  c->server.close_when_done = c->client.close_when_done = 0;
  world_run_for(c->w, 50 * SIM_MSEC);
  assert_true(c->server.connected);
  struct tcp_pcb *srv = c->server.pcb;
  tcp_urgent(srv, on_urgent);
  urg_calls = 0;
  struct tcp_pcb *cli = c->client.pcb;
  tcp_nagle(cli, 0);
  uint8_t b[64] = {0};
  assert_int_equal(tcp_write(cli, b, 10, 0), 0);
  assert_int_equal(tcp_write(cli, b, 5, TCP_WRITE_URGENT), 0);
  world_run_for(c->w, 50 * SIM_MSEC);
  assert_int_equal(urg_calls, 1);
  assert_int_equal(urg_pending[0], 15); /* 10 ordinary + 5 urgent, none consumed */
  assert_int_equal(tcp_urgent_pending(srv), 15);
  tcp_recved(srv, 12);
  assert_int_equal(tcp_urgent_pending(srv), 3);
  /* more urgent data: the pointer advances and is reported again */
  assert_int_equal(tcp_write(cli, b, 20, TCP_WRITE_URGENT), 0);
  world_run_for(c->w, 50 * SIM_MSEC);
  assert_int_equal(urg_calls, 2);
  assert_int_equal(urg_pending[1], 23);
  tcp_recved(srv, 23);
  assert_int_equal(tcp_urgent_pending(srv), 0);
  conn_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(handshake_transfer_and_close),
      cmocka_unit_test(capture_matches_retransmission_counter),
      cmocka_unit_test(urgent_pointer_is_delivered),
      cmocka_unit_test(integrity_seeds_1_50),
      cmocka_unit_test(integrity_seeds_51_100),
      cmocka_unit_test(integrity_seeds_101_150),
      cmocka_unit_test(integrity_seeds_151_200),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
