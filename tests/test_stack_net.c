/* Stack instances talking over simulated media: ARP, ping, UDP, routing,
 * fragmentation and reassembly, many instances. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

/* ----------------------------------------------------------- helpers -- */

struct pings {
  int replies;
  ip4_addr_t from;
  uint16_t last_seq;
  size_t last_len;
  int payload_ok;
};

static void on_echo(void *arg, ip4_addr_t from, uint16_t id, uint16_t seq, const uint8_t *payload,
                    size_t len, uint8_t ttl) {
  (void)id, (void)ttl;
  struct pings *p = arg;
  p->replies++;
  p->from = from;
  p->last_seq = seq;
  p->last_len = len;
  p->payload_ok = 1;
  for (size_t i = 0; i < len; i++)
    if (payload[i] != (uint8_t)i) p->payload_ok = 0;
}

/* Two nodes on a link: a = 10.0.0.1, b = 10.0.0.2. */
static struct world *pair(struct stack_netif **na, struct stack_netif **nb, const struct sim_impair *imp) {
  struct world *w = world_new(1);
  int a = world_node(w, "a", NULL), b = world_node(w, "b", NULL);
  int m = world_medium(w, SIM_MEDIUM_LINK, "l0");
  *na = world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  *nb = world_attach(w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  if (imp) {
    sim_port_set_impair(stack_sim_eth_port(*na), SIM_TX, imp);
    sim_port_set_impair(stack_sim_eth_port(*nb), SIM_TX, imp);
  }
  world_run_for(w, SIM_MSEC); /* gratuitous ARPs */
  return w;
}

/* -------------------------------------------------------------- ping -- */

static void ping_over_a_link(void **state) {
  (void)state;
  struct stack_netif *na, *nb;
  struct sim_impair d = {.delay = 5 * SIM_MSEC};
  struct world *w = pair(&na, &nb, &d);
  struct pings p = {0};
  stack_icmp_on_echo_reply(w->st[0], on_echo, &p);
  assert_int_equal(stack_icmp_echo(w->st[0], ip(10, 0, 0, 2), 7, 1, 56), 0);
  world_run_for(w, SIM_SEC);
  assert_int_equal(p.replies, 1);
  assert_true(p.from == ip(10, 0, 0, 2));
  assert_int_equal(p.last_seq, 1);
  assert_int_equal(p.last_len, 56);
  assert_true(p.payload_ok);
  /* both learned each other: the request's ARP exchange */
  struct eth_addr mac;
  assert_int_equal(stack_arp_lookup(w->st[0], ip(10, 0, 0, 2), &mac), 0);
  assert_memory_equal(mac.b, stack_netif_mac(nb)->b, 6);
  assert_int_equal(stack_arp_lookup(w->st[1], ip(10, 0, 0, 1), NULL), 0);
  assert_int_equal(stack_stats(w->st[1])->icmp.tx, 1);
  /* a second ping needs no ARP: one round trip exactly */
  sim_time_t t0 = sim_engine_now(w->e);
  stack_icmp_echo(w->st[0], ip(10, 0, 0, 2), 7, 2, 56);
  while (p.replies < 2) sim_engine_run_until(w->e, sim_engine_now(w->e) + SIM_USEC);
  assert_int_equal(sim_engine_now(w->e) - t0, 10 * SIM_MSEC);
  assert_int_equal(pbuf_in_use(w->st[0]), 0);
  assert_int_equal(pbuf_in_use(w->st[1]), 0);
  world_free(w);
}

static void ping_self_over_loopback(void **state) {
  (void)state;
  struct world *w = world_new(1);
  int a = world_node(w, "a", NULL);
  struct pings p = {0};
  stack_icmp_on_echo_reply(w->st[a], on_echo, &p);
  assert_int_equal(stack_icmp_echo(w->st[a], ip(127, 0, 0, 1), 1, 1, 1000), 0);
  assert_int_equal(p.replies, 0); /* never inside the call */
  world_run_for(w, SIM_MSEC);
  assert_int_equal(p.replies, 1);
  assert_true(p.payload_ok);
  world_free(w);
}

/* --------------------------------------------------------------- ARP -- */

static void arp_resolves_queues_and_ages(void **state) {
  (void)state;
  struct stack_config c;
  stack_config_default(&c);
  c.arp_max_age = 10 * STACK_SEC;
  struct world *w = world_new(1);
  int a = world_node(w, "a", &c), b = world_node(w, "b", &c);
  int m = world_medium(w, SIM_MEDIUM_SEGMENT, "lan");
  world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  world_attach(w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  world_run_for(w, SIM_MSEC);
  /* gratuitous ARP on address set: requests for our own address, which
   * teach no one (nobody asked) */
  assert_int_equal(stack_stats(w->st[a])->arp.tx, 1);
  assert_int_equal(stack_arp_entries(w->st[a]), 0);
  /* three pings at once: one ARP request, packets queued, all answered */
  struct pings p = {0};
  stack_icmp_on_echo_reply(w->st[a], on_echo, &p);
  for (uint16_t s = 0; s < 3; s++) stack_icmp_echo(w->st[a], ip(10, 0, 0, 2), 1, s, 10);
  assert_int_equal(stack_arp_entries(w->st[a]), 1);
  assert_int_equal(stack_arp_lookup(w->st[a], ip(10, 0, 0, 2), NULL), STACK_ENOENT); /* pending */
  world_run_for(w, SIM_SEC);
  assert_int_equal(p.replies, 3);
  assert_int_equal(stack_stats(w->st[a])->arp.tx, 2); /* gratuitous + one request */
  assert_int_equal(stack_arp_lookup(w->st[a], ip(10, 0, 0, 2), NULL), 0);
  /* aging: the entry is gone after arp_max_age */
  world_run_for(w, 11 * SIM_SEC);
  assert_int_equal(stack_arp_lookup(w->st[a], ip(10, 0, 0, 2), NULL), STACK_ENOENT);
  assert_int_equal(stack_arp_entries(w->st[a]), 0);
  world_free(w);
}

static void arp_gives_up_on_silent_host(void **state) {
  (void)state;
  struct stack_netif *na, *nb;
  struct world *w = pair(&na, &nb, NULL);
  const struct stack_config *c = stack_config(w->st[0]);
  uint64_t tx0 = stack_stats(w->st[0])->arp.tx;
  stack_icmp_echo(w->st[0], ip(10, 0, 0, 99), 1, 1, 10); /* nobody there */
  stack_icmp_echo(w->st[0], ip(10, 0, 0, 99), 1, 2, 10);
  world_run_for(w, 10 * SIM_SEC);
  assert_int_equal(stack_stats(w->st[0])->arp.tx - tx0, c->arp_tries);
  assert_int_equal(stack_stats(w->st[0])->drops[STACK_DROP_ARP_UNRESOLVED], 2);
  assert_int_equal(stack_arp_entries(w->st[0]), 0);
  assert_int_equal(pbuf_in_use(w->st[0]), 0);
  assert_int_equal(stack_timers_active(w->st[0]), 0);
  world_free(w);
}

static void arp_queue_is_bounded(void **state) {
  (void)state;
  struct stack_netif *na, *nb;
  struct world *w = pair(&na, &nb, NULL);
  for (uint16_t s = 0; s < 10; s++) stack_icmp_echo(w->st[0], ip(10, 0, 0, 99), 1, s, 10);
  assert_int_equal(stack_stats(w->st[0])->drops[STACK_DROP_ARP_QUEUE_FULL], 10 - 4);
  assert_int_equal(pbuf_in_use(w->st[0]), 4);
  world_run_for(w, 10 * SIM_SEC);
  assert_int_equal(pbuf_in_use(w->st[0]), 0);
  world_free(w);
}

/* --------------------------------------------------------------- UDP -- */

struct echo_srv {
  struct udp_pcb *pcb;
  int n;
};

static void srv_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src, uint16_t sport) {
  struct echo_srv *s = arg;
  s->n++;
  udp_sendto(pcb, p, src, sport);
  pbuf_free(p);
}

struct client {
  int n;
  size_t bytes;
  int intact;
  uint8_t want[9000];
  size_t want_len;
};

static void cli_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src, uint16_t sport) {
  (void)pcb, (void)src, (void)sport;
  struct client *c = arg;
  c->n++;
  c->bytes += p->tot_len;
  uint8_t buf[9000];
  size_t n = pbuf_copy_out(p, buf, sizeof buf, 0);
  if (n != c->want_len || memcmp(buf, c->want, n) != 0) c->intact = 0;
  pbuf_free(p);
}

/* client (10.0.1.2) -- router (10.0.1.1 | 10.0.2.1) -- server (10.0.2.2) */
static void udp_echo_across_a_router(void **state) {
  (void)state;
  struct world *w = world_new(3);
  struct stack_config rc;
  stack_config_default(&rc);
  rc.ip_forward = 1;
  int cl = world_node(w, "client", NULL), r = world_node(w, "router", &rc),
      sv = world_node(w, "server", NULL);
  int m1 = world_medium(w, SIM_MEDIUM_LINK, "left"), m2 = world_medium(w, SIM_MEDIUM_LINK, "right");
  world_attach(w, cl, m1, "eth0", ip(10, 0, 1, 2), 24, ip(10, 0, 1, 1));
  world_attach(w, r, m1, "eth0", ip(10, 0, 1, 1), 24, 0);
  world_attach(w, r, m2, "eth1", ip(10, 0, 2, 1), 24, 0);
  world_attach(w, sv, m2, "eth0", ip(10, 0, 2, 2), 24, ip(10, 0, 2, 1));
  struct echo_srv s = {0};
  s.pcb = udp_new(w->st[sv]);
  assert_int_equal(udp_bind(s.pcb, 0, 7), 0);
  udp_recv(s.pcb, srv_recv, &s);
  struct client *c = calloc(1, sizeof *c);
  c->intact = 1;
  c->want_len = 100;
  for (size_t i = 0; i < 100; i++) c->want[i] = (uint8_t)(i * 3);
  struct udp_pcb *cp = udp_new(w->st[cl]);
  udp_recv(cp, cli_recv, c);
  assert_int_equal(udp_connect(cp, ip(10, 0, 2, 2), 7), 0);
  assert_true(udp_local_port(cp) >= 49152);
  for (int i = 0; i < 5; i++) {
    struct pbuf *p = pbuf_alloc(w->st[cl], PBUF_TRANSPORT, 100);
    pbuf_copy_in(p, c->want, 100, 0);
    assert_int_equal(udp_send(cp, p), 0);
    pbuf_free(p);
    world_run_for(w, 10 * SIM_MSEC);
  }
  assert_int_equal(s.n, 5);
  assert_int_equal(c->n, 5);
  assert_true(c->intact);
  assert_true(stack_stats(w->st[r])->ip_forwarded >= 10);
  /* a closed port answers with ICMP port unreachable */
  assert_int_equal(udp_sendto_buf(cp, "x", 1, ip(10, 0, 2, 2), 9), 0);
  world_run_for(w, 10 * SIM_MSEC);
  assert_int_equal(stack_stats(w->st[sv])->drops[STACK_DROP_UDP_NO_PCB], 1);
  assert_int_equal(stack_stats(w->st[cl])->icmp.rx, 1);
  /* TTL: a datagram sent with TTL 1 dies at the router, which says so */
  uint64_t exc = stack_stats(w->st[r])->drops[STACK_DROP_IP_TTL];
  udp_set_ttl(cp, 1);
  struct pbuf *one = pbuf_alloc(w->st[cl], PBUF_TRANSPORT, 1);
  assert_int_equal(udp_send(cp, one), 0);
  pbuf_free(one);
  world_run_for(w, 10 * SIM_MSEC);
  assert_int_equal(stack_stats(w->st[r])->drops[STACK_DROP_IP_TTL], exc + 1);
  assert_int_equal(stack_stats(w->st[cl])->icmp.rx, 2);
  udp_remove(cp);
  udp_remove(s.pcb);
  free(c);
  world_free(w);
}

static void udp_bind_rules(void **state) {
  (void)state;
  struct world *w = world_new(1);
  int a = world_node(w, "a", NULL);
  struct udp_pcb *p1 = udp_new(w->st[a]), *p2 = udp_new(w->st[a]);
  assert_int_equal(udp_bind(p1, 0, 5000), 0);
  assert_int_equal(udp_bind(p2, 0, 5000), STACK_EADDRINUSE);
  assert_int_equal(udp_bind(p2, ip(127, 0, 0, 1), 5000), STACK_EADDRINUSE); /* any covers it */
  assert_int_equal(udp_bind(p2, 0, 5001), 0);
  assert_int_equal(udp_send(p2, NULL), STACK_EINVAL);
  struct pbuf *p = pbuf_alloc(w->st[a], PBUF_TRANSPORT, 4);
  assert_int_equal(udp_send(p2, p), STACK_ENOTCONN);
  assert_int_equal(udp_sendto(p2, p, IP4_BROADCAST, 9), STACK_EINVAL); /* needs broadcast flag */
  pbuf_free(p);
  udp_remove(p1);
  udp_remove(p2);
  world_free(w);
}

static int bc_got[4];
static void bc_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src, uint16_t sport) {
  (void)pcb, (void)src, (void)sport;
  bc_got[(intptr_t)arg] += p->tot_len == 5;
  pbuf_free(p);
}

/* A broadcast reaches every host on the segment, limited and directed. */
static void udp_broadcast_reaches_the_segment(void **state) {
  (void)state;
  struct world *w = world_new(2);
  int m = world_medium(w, SIM_MEDIUM_SEGMENT, "lan");
  struct udp_pcb *pcb[4];
  for (int i = 0; i < 4; i++) {
    char name[8];
    snprintf(name, sizeof name, "h%d", i);
    int n = world_node(w, name, NULL);
    world_attach(w, n, m, "eth0", ip(192, 168, 1, (uint8_t)(i + 1)), 24, 0);
    pcb[i] = udp_new(w->st[n]);
    udp_bind(pcb[i], 0, 68);
    udp_recv(pcb[i], bc_recv, (void *)(intptr_t)i);
  }
  memset(bc_got, 0, sizeof bc_got);
  udp_set_broadcast(pcb[0], 1);
  assert_int_equal(udp_sendto_buf(pcb[0], "hello", 5, IP4_BROADCAST, 68), 0);
  assert_int_equal(udp_sendto_buf(pcb[0], "hello", 5, ip(192, 168, 1, 255), 68), 0);
  world_run_for(w, 10 * SIM_MSEC);
  assert_int_equal(bc_got[0], 0); /* not back to itself: the segment does not echo */
  for (int i = 1; i < 4; i++) assert_int_equal(bc_got[i], 2);
  /* nobody answers a broadcast to a closed port with ICMP */
  assert_int_equal(udp_sendto_buf(pcb[0], "hello", 5, IP4_BROADCAST, 99), 0);
  world_run_for(w, 10 * SIM_MSEC);
  for (int i = 1; i < 4; i++) assert_int_equal(stack_stats(w->st[i])->icmp.tx, 0);
  world_free(w);
}

/* ---------------------------------------------- fragments and reassembly -- */

/* 8 KB datagrams over MTU 576 with reordering: reassembled intact. */
static void big_datagrams_fragment_and_reassemble(void **state) {
  (void)state;
  struct world *w = world_new(5);
  int a = world_node(w, "a", NULL), b = world_node(w, "b", NULL);
  int m = world_medium(w, SIM_MEDIUM_LINK, "l");
  struct stack_netif *na = world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  struct stack_netif *nb = world_attach(w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  stack_netif_set_mtu(na, 576);
  stack_netif_set_mtu(nb, 576);
  struct sim_impair imp = {.delay = SIM_MSEC, .reorder = 0.3, .reorder_delay = 2 * SIM_MSEC,
                           .duplicate = 0.05};
  sim_port_set_impair(stack_sim_eth_port(na), SIM_TX, &imp);
  struct client *c = calloc(1, sizeof *c);
  c->intact = 1;
  c->want_len = 8192;
  for (size_t i = 0; i < c->want_len; i++) c->want[i] = (uint8_t)(i * 7 + (i >> 8));
  struct udp_pcb *rx = udp_new(w->st[b]), *tx = udp_new(w->st[a]);
  udp_bind(rx, 0, 9);
  udp_recv(rx, cli_recv, c);
  /* Resolve first: an unresolved next hop queues only arp_queue packets,
   * fewer than a datagram's fragments. */
  stack_icmp_echo(w->st[a], ip(10, 0, 0, 2), 1, 1, 8);
  world_run_for(w, 10 * SIM_MSEC);
  for (int k = 0; k < 20; k++) {
    assert_int_equal(udp_sendto_buf(tx, c->want, c->want_len, ip(10, 0, 0, 2), 9), 0);
    world_run_for(w, 20 * SIM_MSEC);
  }
  world_run_for(w, SIM_SEC);
  assert_int_equal(c->n, 20);
  assert_true(c->intact);
  const struct stack_stats *sa = stack_stats(w->st[a]), *sb = stack_stats(w->st[b]);
  assert_int_equal(sa->ip_frag_out, 20 * 15); /* 8200 bytes in 552-byte slices */
  assert_int_equal(sb->ip_reassembled, 20);
  assert_true(sb->drops[STACK_DROP_IP_FRAG_DUP] > 0); /* duplicates were seen and ignored */
  /* A duplicate arriving after its datagram completed starts a new one,
   * which times out: nothing stays held. */
  world_run_for(w, 16 * SIM_SEC);
  assert_int_equal(pbuf_in_use(w->st[b]), 0);
  assert_int_equal(stack_timers_active(w->st[b]), 1); /* the ARP entry for a: its expiry */
  udp_remove(rx);
  udp_remove(tx);
  free(c);
  world_free(w);
}

/* A lost fragment: the datagram times out, every fragment counted. */
static void lost_fragment_times_out(void **state) {
  (void)state;
  struct world *w = world_new(5);
  int a = world_node(w, "a", NULL), b = world_node(w, "b", NULL);
  int m = world_medium(w, SIM_MEDIUM_LINK, "l");
  struct stack_netif *na = world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  world_attach(w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  stack_netif_set_mtu(na, 576);
  world_run_for(w, SIM_MSEC);
  /* resolve first, so the only frames afterwards are the fragments */
  stack_icmp_echo(w->st[a], ip(10, 0, 0, 2), 1, 1, 8);
  world_run_for(w, 10 * SIM_MSEC);
  /* drop exactly the third fragment with a partition for that instant */
  struct client *c = calloc(1, sizeof *c);
  struct udp_pcb *rx = udp_new(w->st[b]), *tx = udp_new(w->st[a]);
  udp_bind(rx, 0, 9);
  udp_recv(rx, cli_recv, c);
  struct sim_impair imp = {.rate = 10000000}; /* 10 Mbit/s: fragments leave 0.47 ms apart */
  sim_port_set_impair(stack_sim_eth_port(na), SIM_TX, &imp);
  uint8_t data[4000] = {0};
  udp_sendto_buf(tx, data, sizeof data, ip(10, 0, 0, 2), 9);
  world_run_for(w, 1200 * SIM_USEC); /* two fragments through */
  sim_medium_set_up(w->m[m], 0);
  world_run_for(w, 400 * SIM_USEC); /* the third one dies */
  sim_medium_set_up(w->m[m], 1);
  world_run_for(w, 10 * SIM_MSEC);
  assert_int_equal(c->n, 0);
  /* 4008 bytes in 552-byte slices: 8 fragments, 7 held */
  assert_int_equal(pbuf_in_use(w->st[b]), 8 - 1);
  world_run_for(w, 16 * SIM_SEC);
  const struct stack_stats *sb = stack_stats(w->st[b]);
  assert_int_equal(sb->drops[STACK_DROP_IP_REASS_TIMEOUT], 8 - 1);
  assert_int_equal(pbuf_in_use(w->st[b]), 0);
  assert_int_equal(stack_stats(w->st[a])->icmp.rx, 1 + 1); /* echo reply + time exceeded */
  udp_remove(rx);
  udp_remove(tx);
  free(c);
  world_free(w);
}

/* ------------------------------------------------------- many nodes --- */

static void thousand_instances_in_a_ring(void **state) {
  (void)state;
  enum { N = 1000 };
  struct world *w = world_new(9);
  struct stack_config c;
  stack_config_default(&c);
  c.pbuf_pool = 16;
  for (int i = 0; i < N; i++) {
    char name[16];
    snprintf(name, sizeof name, "n%d", i);
    world_node(w, name, &c);
  }
  /* link i joins node i (eth0, .1) and node i+1 (eth1, .2) on 10.i/30-ish nets */
  for (int i = 0; i < N; i++) {
    char name[16];
    snprintf(name, sizeof name, "l%d", i);
    int m = world_medium(w, SIM_MEDIUM_LINK, name);
    ip4_addr_t net = ip(10, (uint8_t)(i >> 8), (uint8_t)i, 0);
    world_attach(w, i, m, "eth0", net | 1, 24, 0);
    world_attach(w, (i + 1) % N, m, "eth1", net | 2, 24, 0);
  }
  struct pings *p = calloc(N, sizeof *p);
  for (int i = 0; i < N; i++) {
    stack_icmp_on_echo_reply(w->st[i], on_echo, &p[i]);
    ip4_addr_t net = ip(10, (uint8_t)(i >> 8), (uint8_t)i, 0);
    assert_int_equal(stack_icmp_echo(w->st[i], net | 2, 1, (uint16_t)i, 32), 0);
  }
  world_run_for(w, SIM_SEC);
  for (int i = 0; i < N; i++) {
    assert_int_equal(p[i].replies, 1);
    assert_int_equal(p[i].last_seq, (uint16_t)i);
  }
  free(p);
  world_free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ping_over_a_link),
      cmocka_unit_test(ping_self_over_loopback),
      cmocka_unit_test(arp_resolves_queues_and_ages),
      cmocka_unit_test(arp_gives_up_on_silent_host),
      cmocka_unit_test(arp_queue_is_bounded),
      cmocka_unit_test(udp_echo_across_a_router),
      cmocka_unit_test(udp_bind_rules),
      cmocka_unit_test(udp_broadcast_reaches_the_segment),
      cmocka_unit_test(big_datagrams_fragment_and_reassemble),
      cmocka_unit_test(lost_fragment_times_out),
      cmocka_unit_test(thousand_instances_in_a_ring),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
