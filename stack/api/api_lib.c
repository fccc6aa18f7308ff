/* netconn, application side: each call packs its arguments into a
 * message that api_msg.c runs in core context (tcpip_callback_wait), then
 * waits on the connection's semaphore or mailbox when the operation takes
 * longer than the core's turn. Nothing here touches core state. */
#include <stdlib.h>

#include "stack/api/api_priv.h"
#include "stack/pbuf.h"
#include "stack/tcp.h"
#include "stack/udp.h"

struct netconn *api_conn_alloc(struct stack *st, enum netconn_type type);

static const struct stack_port_ops *ops(const struct netconn *c) { return c->st->port.ops; }
static void *ctx(const struct netconn *c) { return c->st->port.ctx; }

static int call(struct netconn *c, void (*fn)(void *), struct api_msg *m) {
  m->conn = c;
  int rc = tcpip_callback_wait(c->st, fn, m);
  return rc < 0 ? rc : m->err;
}

struct netconn *netconn_new(struct stack *st, enum netconn_type type) {
  if (!stack_tcpip_running(st)) return NULL;
  struct netconn *c = api_conn_alloc(st, type);
  if (!c) return NULL;
  struct api_msg m = {0};
  if (call(c, api_do_new, &m) != STACK_OK) {
    struct api_msg d = {0};
    call(c, api_do_delete, &d);
    return NULL;
  }
  return c;
}

void netconn_delete(struct netconn *c) {
  if (!c) return;
  struct api_msg m = {0};
  call(c, api_do_delete, &m);
}

int netconn_bind(struct netconn *c, ip4_addr_t addr, uint16_t port) {
  struct api_msg m = {.addr = addr, .port = port};
  return call(c, api_do_bind, &m);
}

/* Wait for the operation api_msg started to finish. */
static int wait_op(struct netconn *c) {
  STACK_YIELD_POINT(&c->st->port, "netconn_op_wait");
  int rc = ops(c)->sem_wait(ctx(c), c->op_done, STACK_WAIT_FOREVER);
  return rc < 0 ? rc : c->op_err;
}

int netconn_connect(struct netconn *c, ip4_addr_t addr, uint16_t port) {
  struct api_msg m = {.addr = addr, .port = port};
  int rc = call(c, api_do_connect, &m);
  if (rc == STACK_EINPROGRESS && !c->nonblocking) return wait_op(c);
  return rc;
}

int netconn_listen(struct netconn *c, int backlog) {
  struct api_msg m = {.backlog = backlog};
  return call(c, api_do_listen, &m);
}

static stack_time_t timeout_of(const struct netconn *c) {
  if (c->nonblocking) return 0;
  return c->recv_timeout > 0 ? c->recv_timeout : STACK_WAIT_FOREVER;
}

int netconn_accept(struct netconn *c, struct netconn **newconn) {
  *newconn = NULL;
  if (!c->acceptmbox) return STACK_EINVAL;
  if (c->closed) return STACK_ECLOSED;
  void *v = NULL;
  STACK_YIELD_POINT(&c->st->port, "netconn_accept_wait");
  int rc = ops(c)->mbox_fetch(ctx(c), c->acceptmbox, &v, timeout_of(c));
  if (rc < 0) return rc; /* STACK_ETIMEDOUT, STACK_EAGAIN */
  if (!v) {
    /* the listener ended: leave the marker for any other waiter */
    ops(c)->mbox_post(ctx(c), c->acceptmbox, NULL, 0);
    return c->err ? c->err : STACK_ECLOSED;
  }
  *newconn = v;
  nc_event(c, NETCONN_EVT_RCVMINUS);
  return STACK_OK;
}

int netconn_write(struct netconn *c, const void *data, size_t len, size_t *written) {
  if (written) *written = 0;
  struct api_msg m = {.data = data, .len = len};
  int rc = call(c, api_do_write, &m);
  if (rc == STACK_EINPROGRESS) rc = wait_op(c);
  if (written) *written = rc == STACK_OK ? m.len : 0;
  return rc;
}

int netconn_sendto(struct netconn *c, const void *data, size_t len, ip4_addr_t addr,
                   uint16_t port) {
  struct api_msg m = {.data = data, .len = len, .addr = addr, .port = port};
  return call(c, api_do_sendto, &m);
}

int netconn_send(struct netconn *c, const void *data, size_t len) {
  return netconn_sendto(c, data, len, 0, 0);
}

int netconn_recv_from(struct netconn *c, struct pbuf **p, ip4_addr_t *addr, uint16_t *port) {
  *p = NULL;
  if (c->eof) return c->err ? c->err : STACK_ECLOSED;
  void *v = NULL;
  STACK_YIELD_POINT(&c->st->port, "netconn_recv_wait");
  int rc = ops(c)->mbox_fetch(ctx(c), c->recvmbox, &v, timeout_of(c));
  if (rc < 0) return rc;
  struct rx_item *it = v;
  struct pbuf *q = it->p;
  if (q) nc_event(c, NETCONN_EVT_RCVMINUS);
  if (addr) *addr = it->addr;
  if (port) *port = it->port;
  free(it);
  if (!q) {
    c->eof = 1;
    return c->err ? c->err : STACK_ECLOSED;
  }
  if (c->type == NETCONN_TCP) { /* consumed: reopen the window */
    struct api_msg m = {.len = q->tot_len};
    call(c, api_do_recved, &m);
  }
  *p = q;
  return STACK_OK;
}

int netconn_recv(struct netconn *c, struct pbuf **p) { return netconn_recv_from(c, p, NULL, NULL); }

int netconn_shutdown(struct netconn *c, int shut_rx, int shut_tx) {
  struct api_msg m = {.shut_rx = shut_rx, .shut_tx = shut_tx};
  return call(c, api_do_shutdown, &m);
}

int netconn_close(struct netconn *c) {
  struct api_msg m = {0};
  return call(c, api_do_close, &m);
}

void netconn_set_event(struct netconn *c, netconn_evt_fn fn, void *arg) {
  c->evt = fn;
  c->evt_arg = arg;
}

uint32_t netconn_sndbuf(const struct netconn *c) { return c->tcp ? tcp_sndbuf(c->tcp) : 0; }

int netconn_addr(const struct netconn *c, int local, ip4_addr_t *addr, uint16_t *port) {
  if (c->tcp) {
    if (local) {
      *addr = tcp_local_addr(c->tcp);
      *port = tcp_local_port(c->tcp);
    } else {
      if (!c->connected) return STACK_ENOTCONN;
      *addr = tcp_remote_addr(c->tcp);
      *port = tcp_remote_port(c->tcp);
    }
    return STACK_OK;
  }
  if (c->udp && local) {
    *addr = udp_local_addr(c->udp);
    *port = udp_local_port(c->udp);
    return STACK_OK;
  }
  return STACK_ENOTCONN;
}

void netconn_set_recvtimeout(struct netconn *c, stack_time_t t) { c->recv_timeout = t; }
void netconn_set_nonblocking(struct netconn *c, int on) { c->nonblocking = !!on; }
int netconn_err(const struct netconn *c) { return c->err; }
struct tcp_pcb *netconn_tcp_pcb(const struct netconn *c) { return c->tcp; }
