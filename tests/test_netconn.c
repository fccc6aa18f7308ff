/* netconn, the sequential API, from application vthreads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sim/trace.h"
#include "stack/netconn.h"
#include "stack/tcpip.h"
#include "tcp_app.h"
#include "world.h"

struct echo {
  struct world *w;
  size_t total;    /* client sends this much */
  size_t echoed;   /* ...and reads back, checked */
  int corrupt, client_rc, server_rc, done;
  struct netconn *listener;
};

static struct world *threaded_link_in(struct world *w, double loss) {
  int a = world_node(w, "client", NULL), b = world_node(w, "server", NULL);
  int m = world_medium(w, SIM_MEDIUM_LINK, "l");
  struct sim_impair imp = {.delay = SIM_MSEC, .rate = 10000000, .loss = loss,
                           .reorder = loss, .reorder_delay = SIM_MSEC};
  struct stack_netif *na = world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  struct stack_netif *nb = world_attach(w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  sim_port_set_impair(stack_sim_eth_port(na), SIM_TX, &imp);
  sim_port_set_impair(stack_sim_eth_port(nb), SIM_TX, &imp);
  assert_int_equal(stack_tcpip_start(w->st[a]), 0);
  assert_int_equal(stack_tcpip_start(w->st[b]), 0);
  return w;
}

static struct world *threaded_link(uint64_t seed, double loss) {
  return threaded_link_in(world_new(seed), loss);
}

static void *echo_server(void *arg) {
  struct echo *e = arg;
  struct netconn *l = e->listener, *c;
  int rc = netconn_accept(l, &c);
  if (rc) {
    e->server_rc = rc;
    return NULL;
  }
  struct pbuf *p;
  while ((rc = netconn_recv(c, &p)) == STACK_OK) {
    uint8_t buf[2048];
    for (size_t off = 0; off < p->tot_len; off += sizeof buf) {
      size_t n = pbuf_copy_out(p, buf, sizeof buf, off);
      if ((rc = netconn_write(c, buf, n, NULL)) != STACK_OK) break;
    }
    pbuf_free(p);
  }
  e->server_rc = rc; /* STACK_ECLOSED when the client has closed */
  netconn_close(c);
  netconn_delete(c);
  netconn_delete(l); /* one connection served: the listener goes too */
  return NULL;
}

static void *echo_client(void *arg) {
  struct echo *e = arg;
  struct netconn *c = netconn_new(e->w->st[0], NETCONN_TCP);
  int rc = netconn_connect(c, ip(10, 0, 0, 2), 7);
  if (rc) {
    e->client_rc = rc;
    netconn_delete(c);
    return NULL;
  }
  uint8_t out[4096];
  size_t sent = 0;
  while (e->echoed < e->total) {
    if (sent < e->total) {
      size_t n = e->total - sent < sizeof out ? e->total - sent : sizeof out;
      for (size_t i = 0; i < n; i++) out[i] = tcp_app_byte(0, sent + i);
      if ((rc = netconn_write(c, out, n, NULL)) != STACK_OK) break;
      sent += n;
    }
    struct pbuf *p;
    netconn_set_recvtimeout(c, sent < e->total ? 1 : 0); /* drain what is there, then block */
    rc = netconn_recv(c, &p);
    if (rc == STACK_ETIMEDOUT) continue;
    if (rc) break;
    for (struct pbuf *q = p; q; q = q->next)
      for (uint16_t i = 0; i < q->len; i++)
        e->corrupt += q->payload[i] != tcp_app_byte(0, e->echoed++);
    pbuf_free(p);
  }
  e->client_rc = e->echoed == e->total ? STACK_OK : rc;
  netconn_close(c);
  netconn_delete(c);
  e->done = 1;
  return NULL;
}

static void *listen_thread(void *arg) {
  struct echo *e = arg;
  e->listener = netconn_new(e->w->st[1], NETCONN_TCP);
  netconn_bind(e->listener, 0, 7);
  netconn_listen(e->listener, 4);
  struct sim_vthread *t;
  sim_vthread_spawn(e->w->sched, &t, "server", echo_server, e,
                    &(struct sim_vthread_attr){.flags = SIM_VTHREAD_DETACHED});
  sim_vthread_spawn(e->w->sched, &t, "client", echo_client, e,
                    &(struct sim_vthread_attr){.flags = SIM_VTHREAD_DETACHED});
  return NULL;
}

static void tcp_echo_over_a_lossy_link(void **state) {
  (void)state;
  struct echo e = {.total = 200000};
  e.w = threaded_link(11, 0.03);
  struct sim_vthread *t;
  sim_vthread_spawn(e.w->sched, &t, "main", listen_thread, &e,
                    &(struct sim_vthread_attr){.flags = SIM_VTHREAD_DETACHED});
  world_run_for(e.w, 60 * SIM_SEC);
  assert_true(e.done);
  assert_int_equal(e.client_rc, STACK_OK);
  assert_int_equal(e.echoed, e.total);
  assert_int_equal(e.corrupt, 0);
  assert_int_equal(e.server_rc, STACK_ECLOSED);
  assert_true(stack_stats(e.w->st[0])->tcp_retransmits > 0);
  for (int n = 0; n < 2; n++)
    for (size_t i = 0; i < stack_sim_node_findings(e.w->sn[n]); i++)
      fail_msg("finding %s at %s", stack_sim_node_finding(e.w->sn[n], i)->kind,
               stack_sim_node_finding(e.w->sn[n], i)->where);
  world_free(e.w);
}

/* A thread blocked in recv wakes with STACK_ECLOSED when another closes the
 * connection; so does one blocked in accept. */
struct closer {
  struct world *w;
  struct netconn *conn, *listener;
  int recv_rc, accept_rc, woke;
};

static void *blocked_recv(void *arg) {
  struct closer *c = arg;
  struct pbuf *p;
  c->recv_rc = netconn_recv(c->conn, &p);
  c->woke++;
  return NULL;
}
static void *blocked_accept(void *arg) {
  struct closer *c = arg;
  struct netconn *n;
  c->accept_rc = netconn_accept(c->listener, &n);
  c->woke++;
  return NULL;
}
static void *closer_main(void *arg) {
  struct closer *c = arg;
  c->listener = netconn_new(c->w->st[1], NETCONN_TCP);
  netconn_bind(c->listener, 0, 80);
  netconn_listen(c->listener, 1);
  c->conn = netconn_new(c->w->st[0], NETCONN_UDP);
  netconn_bind(c->conn, 0, 5000);
  struct sim_vthread *t1, *t2;
  sim_vthread_spawn(c->w->sched, &t1, "recv", blocked_recv, c, NULL);
  sim_vthread_spawn(c->w->sched, &t2, "accept", blocked_accept, c, NULL);
  sim_vthread_sleep(c->w->sched, 100 * SIM_MSEC);
  if (c->woke) return NULL; /* nobody should have woken yet */
  netconn_close(c->conn);
  netconn_close(c->listener);
  sim_vthread_join(t1, NULL);
  sim_vthread_join(t2, NULL);
  netconn_delete(c->conn);
  netconn_delete(c->listener);
  return NULL;
}

static void close_wakes_blocked_threads(void **state) {
  (void)state;
  struct closer c = {0};
  c.w = threaded_link(2, 0);
  struct sim_vthread *t;
  sim_vthread_spawn(c.w->sched, &t, "main", closer_main, &c, NULL);
  world_run_for(c.w, SIM_SEC);
  assert_int_equal(sim_vthread_done(t), 1);
  sim_vthread_reap(t, NULL);
  assert_int_equal(c.woke, 2);
  assert_int_equal(c.recv_rc, STACK_ECLOSED);
  assert_int_equal(c.accept_rc, STACK_ECLOSED);
  world_free(c.w);
}

/* Threads, mailboxes, loss and retransmissions: the same seed gives the
 * same trace, byte for byte (its hash), twice in one process. */
static uint64_t echo_hash(uint64_t seed) {
  struct echo e = {.total = 50000};
  e.w = threaded_link_in(world_traced(seed), 0.03);
  struct sim_vthread *t;
  sim_vthread_spawn(e.w->sched, &t, "main", listen_thread, &e,
                    &(struct sim_vthread_attr){.flags = SIM_VTHREAD_DETACHED});
  world_run_for(e.w, 60 * SIM_SEC);
  assert_true(e.done);
  uint64_t h = sim_trace_hash(e.w->trace);
  assert_true(sim_trace_events(e.w->trace) > 200); /* frames, threads: the trace saw the run */
  world_free(e.w);
  return h;
}

static void threaded_runs_are_deterministic(void **state) {
  (void)state;
  uint64_t a = echo_hash(21), b = echo_hash(21), c = echo_hash(22);
  assert_true(a == b);
  assert_true(a != c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tcp_echo_over_a_lossy_link),
      cmocka_unit_test(close_wakes_blocked_threads),
      cmocka_unit_test(threaded_runs_are_deterministic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
