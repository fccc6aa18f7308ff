/* DHCP client and server (RFC 2131) between stack instances. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "stack/dhcp.h"
#include "stack/netifapi.h"
#include "stack/tcpip.h"
#include "world.h"

struct net {
  struct world *w;
  struct stack_netif *srv_nif, *cli_nif;
  struct dhcp_server *srv;
};

static struct net net_new(uint64_t seed, int conflict_host) {
  struct net n = {0};
  n.w = world_new(seed);
  int s = world_node(n.w, "server", NULL), c = world_node(n.w, "client", NULL);
  int m = world_medium(n.w, SIM_MEDIUM_SEGMENT, "lan");
  n.srv_nif = world_attach(n.w, s, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  n.cli_nif = world_attach(n.w, c, m, "eth0", 0, 0, 0);
  if (conflict_host) world_attach(n.w, world_node(n.w, "squatter", NULL), m, "eth0", ip(10, 0, 0, 100), 24, 0);
  struct dhcp_server_config cfg = {.pool_first = ip(10, 0, 0, 100), .pool_size = 10,
                                   .mask = 0xffffff00u, .router = ip(10, 0, 0, 1), .dns = ip(10, 0, 0, 53),
                                   .lease = 100};
  assert_int_equal(dhcp_server_start(n.srv_nif, &cfg, &n.srv), 0);
  return n;
}

static void net_free(struct net *n) {
  dhcp_server_stop(n->srv);
  world_free(n->w);
}

static struct dhcp_info info(struct net *n) {
  struct dhcp_info i;
  assert_int_equal(dhcp_get_info(n->cli_nif, &i), 0);
  return i;
}

static void lease_renew_rebind_expire(void **state) {
  (void)state;
  struct net n = net_new(1, 0);
  assert_int_equal(dhcp_start(n.cli_nif, 0), 0);
  world_run_for(n.w, 5 * SIM_SEC);
  struct dhcp_info i = info(&n);
  assert_int_equal(i.state, DHCP_BOUND);
  assert_true(i.addr == ip(10, 0, 0, 100));
  assert_true(stack_netif_addr(n.cli_nif) == ip(10, 0, 0, 100));
  assert_true(stack_netif_gw(n.cli_nif) == ip(10, 0, 0, 1));
  assert_true(i.dns[0] == ip(10, 0, 0, 53));
  assert_int_equal(i.lease, 100);
  assert_int_equal(i.t1, 50);
  assert_int_equal(i.t2, 87);
  /* the client can use its address: ping the server */
  assert_int_equal(stack_icmp_echo(n.w->st[1], ip(10, 0, 0, 1), 1, 1, 10), 0);
  /* T1: renewed with a unicast REQUEST, still bound */
  world_run_for(n.w, 50 * SIM_SEC);
  i = info(&n);
  assert_int_equal(i.state, DHCP_BOUND);
  assert_int_equal(i.acks, 2);
  /* the server goes silent: RENEWING at T1, REBINDING at T2, expiry at
   * the lease's end, then back to discovering */
  dhcp_server_set_faults(n.srv, 1, 1);
  sim_port_set_up(stack_sim_eth_port(n.srv_nif), SIM_RX, 0);
  /* bound at about 2 s, renewed at about 52 s: T1 again near 102 s, T2
   * near 139 s, the end near 152 s; now it is 55 s */
  world_run_for(n.w, 50 * SIM_SEC);
  assert_int_equal(info(&n).state, DHCP_RENEWING);
  world_run_for(n.w, 40 * SIM_SEC);
  assert_int_equal(info(&n).state, DHCP_REBINDING);
  world_run_for(n.w, 15 * SIM_SEC);
  assert_int_equal(info(&n).state, DHCP_SELECTING);
  assert_true(stack_netif_addr(n.cli_nif) == 0);
  net_free(&n);
}

static void nak_sends_the_client_back(void **state) {
  (void)state;
  struct net n = net_new(2, 0);
  dhcp_server_set_faults(n.srv, 0, 1);
  dhcp_start(n.cli_nif, 0);
  world_run_for(n.w, 30 * SIM_SEC);
  struct dhcp_info i = info(&n);
  assert_true(i.naks >= 1);
  assert_true(i.discovers >= 2); /* started over after each NAK */
  assert_true(stack_netif_addr(n.cli_nif) == 0);
  /* the server behaves again: the client gets an address */
  dhcp_server_set_faults(n.srv, 0, 0);
  world_run_for(n.w, 120 * SIM_SEC);
  assert_int_equal(info(&n).state, DHCP_BOUND);
  net_free(&n);
}

static void decline_on_conflict(void **state) {
  (void)state;
  struct net n = net_new(3, 1); /* 10.0.0.100 is already in use */
  dhcp_start(n.cli_nif, 0);
  world_run_for(n.w, 60 * SIM_SEC);
  struct dhcp_info i = info(&n);
  assert_int_equal(i.declines, 1);
  assert_int_equal(dhcp_server_stats(n.srv)->declines, 1);
  assert_int_equal(i.state, DHCP_BOUND);
  assert_true(i.addr == ip(10, 0, 0, 101)); /* the next one */
  net_free(&n);
}

static void release_and_init_reboot(void **state) {
  (void)state;
  struct net n = net_new(4, 0);
  dhcp_start(n.cli_nif, 0);
  world_run_for(n.w, 5 * SIM_SEC);
  ip4_addr_t had = info(&n).addr;
  assert_int_equal(dhcp_release(n.cli_nif), 0);
  world_run_for(n.w, SIM_SEC);
  assert_int_equal(dhcp_server_stats(n.srv)->releases, 1);
  assert_true(stack_netif_addr(n.cli_nif) == 0);
  /* INIT-REBOOT with the remembered address: one REQUEST, no DISCOVER */
  uint32_t discovers = info(&n).discovers;
  assert_int_equal(dhcp_start(n.cli_nif, had), 0);
  world_run_for(n.w, 5 * SIM_SEC);
  assert_int_equal(info(&n).state, DHCP_BOUND);
  assert_true(info(&n).addr == had);
  assert_int_equal(info(&n).discovers, discovers);
  net_free(&n);
}

/* From an application thread: netifapi marshals DHCP to the tcpip
 * thread (no core-context finding); the same calls made directly are
 * findings. */
struct api_run {
  struct net *n;
  int rc_start, rc_release;
};
static void *dhcp_thread(void *arg) {
  struct api_run *a = arg;
  a->rc_start = netifapi_dhcp_start(a->n->cli_nif);
  sim_vthread_sleep(a->n->w->sched, 5 * SIM_SEC);
  a->rc_release = netifapi_dhcp_release(a->n->cli_nif);
  dhcp_stop(a->n->cli_nif); /* directly: a finding */
  return NULL;
}

static void netifapi_from_a_thread(void **state) {
  (void)state;
  struct net n = net_new(5, 0);
  assert_int_equal(stack_tcpip_start(n.w->st[1]), 0);
  struct api_run a = {.n = &n};
  struct sim_vthread *t;
  sim_vthread_spawn(n.w->sched, &t, "app", dhcp_thread, &a, NULL);
  world_run_for(n.w, 10 * SIM_SEC);
  sim_vthread_reap(t, NULL);
  assert_int_equal(a.rc_start, 0);
  assert_int_equal(a.rc_release, 0);
  assert_int_equal(info(&n).acks, 1);
  assert_int_equal(stack_sim_node_findings(n.w->sn[1]), 1);
  assert_string_equal(stack_sim_node_finding(n.w->sn[1], 0)->where, "dhcp_stop");
  net_free(&n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lease_renew_rebind_expire),
      cmocka_unit_test(nak_sends_the_client_back),
      cmocka_unit_test(decline_on_conflict),
      cmocka_unit_test(release_and_init_reboot),
      cmocka_unit_test(netifapi_from_a_thread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
