/* BSD sockets from application vthreads: echo with poll, full duplex on
 * one socket, close waking a blocked reader, select timeouts, descriptor
 * reuse and the stale-descriptor finding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "stack/sockets.h"
#include "stack/tcpip.h"
#include "tcp_app.h"
#include "world.h"

static struct world *two_nodes(uint64_t seed, const struct stack_config *cfg) {
  struct world *w = world_new(seed);
  int a = world_node(w, "a", cfg), b = world_node(w, "b", cfg);
  int m = world_medium(w, SIM_MEDIUM_LINK, "l");
  struct sim_impair imp = {.delay = SIM_MSEC, .rate = 20000000, .loss = 0.01};
  struct stack_netif *na = world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  struct stack_netif *nb = world_attach(w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  sim_port_set_impair(stack_sim_eth_port(na), SIM_TX, &imp);
  sim_port_set_impair(stack_sim_eth_port(nb), SIM_TX, &imp);
  assert_int_equal(stack_tcpip_start(w->st[a]), 0);
  assert_int_equal(stack_tcpip_start(w->st[b]), 0);
  return w;
}

static struct sockaddr_in sin_of(ip4_addr_t a, uint16_t port) {
  struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(a)};
  return s;
}
#define SA(x) ((struct sockaddr *)(void *)&(x))

struct duplex {
  struct world *w;
  int fd;
  size_t total, sent, received;
  int corrupt, done_tx, done_rx, server_done;
};

static void *echo_server(void *arg) {
  struct duplex *d = arg;
  struct stack *st = d->w->st[1];
  int l = sock_socket(st, AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = sin_of(0, 7);
  int one = 1;
  sock_setsockopt(st, l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (sock_bind(st, l, SA(a), sizeof a) || sock_listen(st, l, 2)) return NULL;
  struct pollfd p = {.fd = l, .events = POLLIN};
  if (sock_poll(st, &p, 1, -1) != 1 || !(p.revents & POLLIN)) return NULL;
  int c = sock_accept(st, l, NULL, NULL);
  uint8_t buf[3000];
  ssize_t n;
  while ((n = sock_recv(st, c, buf, sizeof buf, 0)) > 0)
    if (sock_send(st, c, buf, (size_t)n, 0) != n) break;
  sock_close(st, c);
  sock_close(st, l);
  d->server_done = 1;
  return NULL;
}

static void *tx_thread(void *arg) {
  struct duplex *d = arg;
  struct stack *st = d->w->st[0];
  uint8_t buf[1000];
  while (d->sent < d->total) {
    size_t n = d->total - d->sent < sizeof buf ? d->total - d->sent : sizeof buf;
    for (size_t i = 0; i < n; i++) buf[i] = tcp_app_byte(0, d->sent + i);
    ssize_t k = sock_send(st, d->fd, buf, n, 0);
    if (k <= 0) break;
    d->sent += (size_t)k;
  }
  d->done_tx = 1;
  return NULL;
}

static void *rx_thread(void *arg) {
  struct duplex *d = arg;
  struct stack *st = d->w->st[0];
  uint8_t buf[777];
  while (d->received < d->total) {
    ssize_t n = sock_recv(st, d->fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) d->corrupt += buf[i] != tcp_app_byte(0, d->received + (size_t)i);
    d->received += (size_t)n;
  }
  sock_shutdown(st, d->fd, SHUT_WR);
  d->done_rx = 1;
  return NULL;
}

static void *client_main(void *arg) {
  struct duplex *d = arg;
  struct stack *st = d->w->st[0];
  sim_vthread_sleep(d->w->sched, 10 * SIM_MSEC); /* the server listens first */
  d->fd = sock_socket(st, AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = sin_of(ip(10, 0, 0, 2), 7);
  if (sock_connect(st, d->fd, SA(a), sizeof a) != 0) return NULL;
  struct sim_vthread *t1, *t2;
  sim_vthread_spawn(d->w->sched, &t1, "tx", tx_thread, d, NULL);
  sim_vthread_spawn(d->w->sched, &t2, "rx", rx_thread, d, NULL);
  sim_vthread_join(t1, NULL);
  sim_vthread_join(t2, NULL);
  sock_close(st, d->fd);
  return NULL;
}

/* One thread sends while another receives on the same socket; the server
 * echoes with poll and accept; every byte comes back intact. */
static void full_duplex_echo(void **state) {
  (void)state;
  struct duplex d = {.total = 150000};
  d.w = two_nodes(5, NULL);
  struct sim_vthread *s, *c;
  sim_vthread_spawn(d.w->sched, &s, "server", echo_server, &d, NULL);
  sim_vthread_spawn(d.w->sched, &c, "client", client_main, &d, NULL);
  world_run_for(d.w, 60 * SIM_SEC);
  assert_true(d.done_tx && d.done_rx && d.server_done);
  assert_int_equal(d.sent, d.total);
  assert_int_equal(d.received, d.total);
  assert_int_equal(d.corrupt, 0);
  sim_vthread_reap(s, NULL);
  sim_vthread_reap(c, NULL);
  for (int n = 0; n < 2; n++) assert_int_equal(stack_sim_node_findings(d.w->sn[n]), 0);
  world_free(d.w);
}

struct misc {
  struct world *w;
  int fd, rc, err;
  sim_time_t t0, t1;
  int sel;
};

static void *blocked_reader(void *arg) {
  struct misc *m = arg;
  char b[10];
  m->rc = (int)sock_recv(m->w->st[0], m->fd, b, sizeof b, 0);
  m->err = errno;
  return NULL;
}

static void *closer(void *arg) {
  struct misc *m = arg;
  struct stack *st = m->w->st[0];
  m->fd = sock_socket(st, AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = sin_of(0, 4000);
  sock_bind(st, m->fd, SA(a), sizeof a);
  /* select with a timeout and nothing to read: exactly the timeout passes */
  fd_set r;
  FD_ZERO(&r);
  FD_SET(m->fd, &r);
  struct timeval tv = {.tv_sec = 0, .tv_usec = 250000};
  m->t0 = sim_engine_now(m->w->e);
  m->sel = sock_select(st, m->fd + 1, &r, NULL, NULL, &tv);
  m->t1 = sim_engine_now(m->w->e);
  struct sim_vthread *t;
  sim_vthread_spawn(m->w->sched, &t, "reader", blocked_reader, m, NULL);
  sim_vthread_sleep(m->w->sched, 100 * SIM_MSEC);
  sock_close(st, m->fd); /* wakes the reader; freed when it has left */
  sim_vthread_join(t, NULL);
  return NULL;
}

static void close_wakes_reader_and_select_times_out(void **state) {
  (void)state;
  struct misc m = {0};
  m.w = two_nodes(1, NULL);
  struct sim_vthread *t;
  sim_vthread_spawn(m.w->sched, &t, "main", closer, &m, NULL);
  world_run_for(m.w, SIM_SEC);
  assert_int_equal(sim_vthread_done(t), 1);
  sim_vthread_reap(t, NULL);
  assert_int_equal(m.sel, 0);
  assert_int_equal(m.t1 - m.t0, 250 * SIM_MSEC);
  assert_int_equal(m.rc, -1);
  assert_int_equal(m.err, EBADF);
  world_free(m.w);
}

/* Seed 003: s1 closed, s2 gets the same number, s1 used again. */
struct stale {
  struct world *w;
  int s1, s2, sent;
};
static void *t1_fn(void *arg) {
  struct stale *s = arg;
  struct stack *st = s->w->st[0];
  s->s1 = sock_socket(st, AF_INET, SOCK_DGRAM, 0);
  sock_close(st, s->s1);
  sim_vthread_sleep(s->w->sched, 10 * SIM_MSEC); /* t2 opens meanwhile */
  struct sockaddr_in a = sin_of(ip(10, 0, 0, 2), 9);
  s->sent = (int)sock_sendto(st, s->s1, "x", 1, 0, SA(a), sizeof a); /* stale */
  return NULL;
}
static void *t2_fn(void *arg) {
  struct stale *s = arg;
  sim_vthread_sleep(s->w->sched, 5 * SIM_MSEC);
  s->s2 = sock_socket(s->w->st[0], AF_INET, SOCK_DGRAM, 0);
  return NULL;
}

static int count(struct world *w, int n, const char *kind) {
  int k = 0;
  for (size_t i = 0; i < stack_sim_node_findings(w->sn[n]); i++)
    k += strcmp(stack_sim_node_finding(w->sn[n], i)->kind, kind) == 0;
  return k;
}

static void stale_descriptor_and_reuse_delay(void **state) {
  (void)state;
  for (int delay = 0; delay <= 1; delay++) {
    struct stack_config c;
    stack_config_default(&c);
    c.sock_reuse_delay = delay ? SIM_SEC : 0;
    struct stale s = {0};
    s.w = two_nodes(1, &c);
    struct sim_vthread *a, *b;
    sim_vthread_spawn(s.w->sched, &a, "t1", t1_fn, &s, NULL);
    sim_vthread_spawn(s.w->sched, &b, "t2", t2_fn, &s, NULL);
    world_run_for(s.w, SIM_SEC);
    sim_vthread_reap(a, NULL);
    sim_vthread_reap(b, NULL);
    if (!delay) {
      assert_int_equal(s.s1, s.s2);       /* the number came back */
      assert_int_equal(count(s.w, 0, "stale_descriptor"), 1);
    } else {
      assert_true(s.s1 != s.s2);          /* held back: s1 is just closed */
      assert_int_equal(s.sent, -1);       /* EBADF, as it should */
      assert_int_equal(count(s.w, 0, "stale_descriptor"), 0);
    }
    world_free(s.w);
  }
}

/* Non-blocking connect: EINPROGRESS, then poll says writable, SO_ERROR 0;
 * non-blocking recv with nothing there: EAGAIN. */
struct nb {
  struct world *w;
  int rc1, err1, polled, revents, soerr, rc2, err2;
};
static void *nb_server(void *arg) {
  struct nb *n = arg;
  struct stack *st = n->w->st[1];
  int l = sock_socket(st, AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = sin_of(0, 80);
  sock_bind(st, l, SA(a), sizeof a);
  sock_listen(st, l, 1);
  int c = sock_accept(st, l, NULL, NULL);
  sim_vthread_sleep(n->w->sched, SIM_SEC);
  sock_close(st, c);
  sock_close(st, l);
  return NULL;
}
static void *nb_client(void *arg) {
  struct nb *n = arg;
  struct stack *st = n->w->st[0];
  sim_vthread_sleep(n->w->sched, 10 * SIM_MSEC);
  int fd = sock_socket(st, AF_INET, SOCK_STREAM, 0);
  sock_fcntl(st, fd, F_SETFL, sock_fcntl(st, fd, F_GETFL, 0) | O_NONBLOCK);
  struct sockaddr_in a = sin_of(ip(10, 0, 0, 2), 80);
  n->rc1 = sock_connect(st, fd, SA(a), sizeof a);
  n->err1 = errno;
  struct pollfd p = {.fd = fd, .events = POLLOUT};
  n->polled = sock_poll(st, &p, 1, 10000); /* a lost SYN is resent after 1 s */
  n->revents = p.revents;
  socklen_t len = sizeof n->soerr;
  sock_getsockopt(st, fd, SOL_SOCKET, SO_ERROR, &n->soerr, &len);
  char b[4];
  n->rc2 = (int)sock_recv(st, fd, b, sizeof b, 0);
  n->err2 = errno;
  sock_close(st, fd);
  return NULL;
}

static void nonblocking_connect_and_recv(void **state) {
  (void)state;
  struct nb n = {0};
  n.w = two_nodes(3, NULL);
  struct sim_vthread *a, *b;
  sim_vthread_spawn(n.w->sched, &a, "server", nb_server, &n, NULL);
  sim_vthread_spawn(n.w->sched, &b, "client", nb_client, &n, NULL);
  world_run_for(n.w, 20 * SIM_SEC);
  sim_vthread_reap(a, NULL);
  sim_vthread_reap(b, NULL);
  assert_int_equal(n.rc1, -1);
  assert_int_equal(n.err1, EINPROGRESS);
  assert_int_equal(n.polled, 1);
  assert_true(n.revents & POLLOUT);
  assert_int_equal(n.soerr, 0);
  assert_int_equal(n.rc2, -1);
  assert_int_equal(n.err2, EAGAIN);
  world_free(n.w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(full_duplex_echo),
      cmocka_unit_test(close_wakes_reader_and_select_times_out),
      cmocka_unit_test(stale_descriptor_and_reuse_delay),
      cmocka_unit_test(nonblocking_connect_and_recv),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
