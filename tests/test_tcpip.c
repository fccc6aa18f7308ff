/* The tcpip thread: frames, timers and API calls through its mailbox;
 * the core-context checker; core locking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "stack/tcpip.h"
#include "tcp_app.h"
#include "world.h"

static int findings_of(struct world *w, int n, const char *kind) {
  int k = 0;
  for (size_t i = 0; i < stack_sim_node_findings(w->sn[n]); i++)
    k += strcmp(stack_sim_node_finding(w->sn[n], i)->kind, kind) == 0;
  return k;
}

struct pair {
  struct world *w;
  struct tcp_app srv, cli, lis;
};

static struct pair *threaded_pair(int core_locking) {
  struct pair *p = calloc(1, sizeof *p);
  struct stack_config c;
  stack_config_default(&c);
  c.tcpip_core_locking = (uint8_t)core_locking;
  p->w = world_new(4);
  int a = world_node(p->w, "a", &c), b = world_node(p->w, "b", &c);
  int m = world_medium(p->w, SIM_MEDIUM_LINK, "l");
  struct sim_impair imp = {.delay = SIM_MSEC, .loss = 0.02};
  struct stack_netif *na = world_attach(p->w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  struct stack_netif *nb = world_attach(p->w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  sim_port_set_impair(stack_sim_eth_port(na), SIM_TX, &imp);
  sim_port_set_impair(stack_sim_eth_port(nb), SIM_TX, &imp);
  assert_int_equal(stack_tcpip_start(p->w->st[a]), 0);
  assert_int_equal(stack_tcpip_start(p->w->st[b]), 0);
  assert_int_equal(stack_tcpip_start(p->w->st[b]), STACK_EBUSY);
  return p;
}

static void pair_free(struct pair *p) {
  world_free(p->w);
  free(p);
}

/* Core-context work the application threads hand over. */
static void start_server(void *arg) {
  struct pair *pr = arg;
  struct tcp_pcb *l = tcp_new(pr->w->st[1]);
  tcp_bind(l, 0, 7);
  tcp_listen(l, 2);
  pr->lis.accept_into = &pr->srv;
  tcp_app_listen(&pr->lis, l);
}
static void start_client(void *arg) {
  struct pair *pr = arg;
  tcp_app_connect(&pr->cli, tcp_new(pr->w->st[0]), ip(10, 0, 0, 2), 7);
}

static void *app_thread(void *arg) {
  struct pair *pr = arg;
  assert_int_equal(tcpip_callback_wait(pr->w->st[1], start_server, pr), 0);
  assert_int_equal(tcpip_callback_wait(pr->w->st[0], start_client, pr), 0);
  return NULL;
}

/* Everything through the mailboxes: the transfer completes, with the loss
 * repaired by timers that now run on the tcpip threads, and nobody touched
 * the core from outside. */
static void transfer_through_the_tcpip_threads(void **state) {
  (void)state;
  struct pair *pr = threaded_pair(0);
  pr->cli = (struct tcp_app){.side = 0, .to_send = 200000, .close_when_done = 1};
  pr->srv = (struct tcp_app){.side = 1, .to_send = 100000, .close_when_done = 1};
  struct sim_vthread *t;
  assert_int_equal(sim_vthread_spawn(pr->w->sched, &t, "app", app_thread, pr, NULL), 0);
  world_run_for(pr->w, 30 * SIM_SEC);
  assert_int_equal(sim_vthread_done(t), 1);
  sim_vthread_reap(t, NULL);
  assert_true(tcp_app_done(&pr->cli, 100000));
  assert_true(tcp_app_done(&pr->srv, 200000));
  assert_true(stack_stats(pr->w->st[0])->tcp_retransmits > 0); /* timers ran */
  assert_int_equal(findings_of(pr->w, 0, "core_context"), 0);
  assert_int_equal(findings_of(pr->w, 1, "core_context"), 0);
  pair_free(pr);
}

static void *rogue_thread(void *arg) {
  struct pair *pr = arg;
  struct udp_pcb *u = udp_new(pr->w->st[0]); /* no message, no lock */
  udp_remove(u);
  return NULL;
}

static void raw_api_from_an_app_thread_is_a_finding(void **state) {
  (void)state;
  struct pair *pr = threaded_pair(0);
  struct sim_vthread *t;
  sim_vthread_spawn(pr->w->sched, &t, "rogue", rogue_thread, pr, NULL);
  world_run_for(pr->w, SIM_MSEC);
  sim_vthread_reap(t, NULL);
  assert_int_equal(findings_of(pr->w, 0, "core_context"), 2);
  const struct stack_sim_finding *f = stack_sim_node_finding(pr->w->sn[0], 0);
  assert_string_equal(f->where, "udp_new");
  pair_free(pr);
}

static void *locked_thread(void *arg) {
  struct pair *pr = arg;
  assert_int_equal(stack_core_lock(pr->w->st[0]), 0);
  assert_int_equal(stack_core_lock(pr->w->st[0]), STACK_EBUSY); /* not recursive */
  assert_true(stack_in_core(pr->w->st[0]));
  struct udp_pcb *u = udp_new(pr->w->st[0]);
  assert_int_equal(udp_bind(u, 0, 99), 0);
  udp_remove(u);
  stack_core_unlock(pr->w->st[0]);
  assert_false(stack_in_core(pr->w->st[0]));
  return NULL;
}

static void core_lock_makes_direct_calls_legal(void **state) {
  (void)state;
  struct pair *pr = threaded_pair(1);
  struct sim_vthread *t;
  sim_vthread_spawn(pr->w->sched, &t, "locked", locked_thread, pr, NULL);
  world_run_for(pr->w, SIM_MSEC);
  assert_int_equal(sim_vthread_done(t), 1);
  sim_vthread_reap(t, NULL);
  assert_int_equal(findings_of(pr->w, 0, "core_context"), 0);
  /* without core locking configured there is no lock to take */
  struct pair *p2 = threaded_pair(0);
  assert_int_equal(stack_core_lock(p2->w->st[0]), STACK_EPERM);
  pair_free(pr);
  pair_free(p2);
}

/* Messages queued when the instance is freed are dropped by the thread,
 * which then ends and frees its own state (no leak, nothing freed used). */
static void free_with_messages_queued(void **state) {
  (void)state;
  struct pair *pr = threaded_pair(0);
  for (int i = 0; i < 5; i++) stack_icmp_echo(pr->w->st[0], ip(10, 0, 0, 2), 1, (uint16_t)i, 100);
  world_run_for(pr->w, 1500 * SIM_USEC); /* frames in flight and in mailboxes */
  pair_free(pr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(transfer_through_the_tcpip_threads),
      cmocka_unit_test(raw_api_from_an_app_thread_is_a_finding),
      cmocka_unit_test(core_lock_makes_direct_calls_legal),
      cmocka_unit_test(free_with_messages_queued),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
