/* netconn, core side: the requests of api_lib.c run here, in core
 * context, and so do the raw-API callbacks that turn connection events
 * into mailbox items and wake-ups for the blocked application thread. */
#include <stdlib.h>
#include <string.h>

#include "stack/api/api_priv.h"
#include "stack/pbuf.h"
#include "stack/tcp.h"
#include "stack/udp.h"

static const struct stack_port_ops *ops(struct netconn *c) { return c->st->port.ops; }
static void *ctx(struct netconn *c) { return c->st->port.ctx; }

/* Hand an item to the reader; 0 when the mailbox is full. */
static int post_item(struct netconn *c, struct pbuf *p, ip4_addr_t addr, uint16_t port) {
  struct rx_item *it = malloc(sizeof *it);
  if (!it) return 0;
  *it = (struct rx_item){p, addr, port};
  STACK_YIELD_POINT(&c->st->port, "netconn_recv_post");
  if (ops(c)->mbox_post(ctx(c), c->recvmbox, it, 0) != STACK_OK) {
    free(it);
    return 0;
  }
  nc_event(c, p ? NETCONN_EVT_RCVPLUS : NETCONN_EVT_ERROR);
  return 1;
}

/* Finish the operation the application waits for. */
static void op_finish(struct netconn *c, int err) {
  if (c->op == NC_IDLE) return;
  c->op = NC_IDLE;
  c->op_err = err;
  c->w_data = NULL;
  if (c->op_waiting) {
    c->op_waiting = 0;
    ops(c)->sem_post(ctx(c), c->op_done);
  }
}

/* The connection is over for the reader: an end marker (kept trying on
 * the backlog path when the mailbox is full: the reader drains it). */
static void end_stream(struct netconn *c) {
  if (c->backlog_p) return; /* the end follows the backlog (see flush) */
  post_item(c, NULL, 0, 0);
}

/* ------------------------------------------------------------ callbacks -- */

static int tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, int err) {
  (void)pcb, (void)err;
  struct netconn *c = arg;
  if (!p) {
    end_stream(c);
    return 0;
  }
  if (c->backlog_p || !post_item(c, p, 0, 0)) { /* keep order: behind the backlog */
    if (c->backlog_p) pbuf_cat(c->backlog_p, p);
    else c->backlog_p = p;
  }
  return 0;
}

static void write_more(struct netconn *c);

static void tcp_sent_cb(void *arg, struct tcp_pcb *pcb, uint32_t len) {
  (void)pcb, (void)len;
  struct netconn *c = arg;
  if (c->op == NC_WRITING) write_more(c);
  nc_event(c, NETCONN_EVT_SENDPLUS);
}

static void tcp_err_cb(void *arg, int err) {
  struct netconn *c = arg;
  c->tcp = NULL; /* already freed by the stack */
  c->err = err;
  op_finish(c, err);
  end_stream(c);
  if (c->acceptmbox) ops(c)->mbox_post(ctx(c), c->acceptmbox, NULL, 0);
  nc_event(c, NETCONN_EVT_ERROR);
}

static int tcp_connected_cb(void *arg, struct tcp_pcb *pcb, int err) {
  (void)pcb;
  struct netconn *c = arg;
  c->connected = 1;
  op_finish(c, err);
  nc_event(c, NETCONN_EVT_SENDPLUS); /* writable now */
  return 0;
}

static void attach_tcp(struct netconn *c, struct tcp_pcb *pcb) {
  c->tcp = pcb;
  tcp_arg(pcb, c);
  tcp_recv(pcb, tcp_recv_cb);
  tcp_sent(pcb, tcp_sent_cb);
  tcp_err(pcb, tcp_err_cb);
}

static struct netconn *conn_alloc(struct stack *st, enum netconn_type type, int with_accept);
static void conn_free(struct netconn *c);

static int tcp_accept_cb(void *arg, struct tcp_pcb *newpcb, int err) {
  (void)err;
  struct netconn *l = arg;
  struct netconn *c = conn_alloc(l->st, NETCONN_TCP, 0);
  if (!c) return STACK_ENOMEM; /* the stack aborts the connection */
  attach_tcp(c, newpcb);
  c->connected = 1;
  STACK_YIELD_POINT(&l->st->port, "netconn_accept_post");
  if (ops(l)->mbox_post(ctx(l), l->acceptmbox, c, 0) != STACK_OK) {
    c->tcp = NULL;
    conn_free(c);
    return STACK_ENOMEM;
  }
  nc_event(l, NETCONN_EVT_RCVPLUS);
  return 0;
}

static void udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src, uint16_t sport) {
  (void)pcb;
  struct netconn *c = arg;
  if (!post_item(c, p, src, sport)) pbuf_free(p); /* a full mailbox drops datagrams */
}

/* --------------------------------------------------------- connections -- */

static struct netconn *conn_alloc(struct stack *st, enum netconn_type type, int with_accept) {
  struct netconn *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->st = st;
  c->type = type;
  const struct stack_port_ops *o = st->port.ops;
  if (o->mbox_new(st->port.ctx, "netconn_recv", NC_RECVMBOX, &c->recvmbox) != STACK_OK ||
      o->sem_new(st->port.ctx, "netconn_op", 0, &c->op_done) != STACK_OK ||
      (with_accept &&
       o->mbox_new(st->port.ctx, "netconn_accept", NC_ACCEPTMBOX, &c->acceptmbox) != STACK_OK)) {
    conn_free(c);
    return NULL;
  }
  return c;
}

/* Core side teardown: what is still queued is freed here, in core context
 * (buffers belong to the instance's pools). */
static void conn_free(struct netconn *c) {
  const struct stack_port_ops *o = ops(c);
  if (c->recvmbox) {
    void *v;
    while (o->mbox_fetch(ctx(c), c->recvmbox, &v, 0) == STACK_OK) {
      struct rx_item *it = v;
      if (it->p) pbuf_free(it->p);
      free(it);
    }
    o->mbox_free(ctx(c), c->recvmbox);
  }
  if (c->acceptmbox) {
    void *v;
    while (o->mbox_fetch(ctx(c), c->acceptmbox, &v, 0) == STACK_OK) {
      struct netconn *n = v;
      if (n) {
        if (n->tcp) tcp_abort(n->tcp);
        conn_free(n);
      }
    }
    o->mbox_free(ctx(c), c->acceptmbox);
  }
  if (c->backlog_p) pbuf_free(c->backlog_p);
  if (c->op_done) o->sem_free(ctx(c), c->op_done);
  free(c);
}

/* The backlog moves to the mailbox as the reader makes room. */
static void flush_backlog(struct netconn *c) {
  if (!c->backlog_p) return;
  struct pbuf *p = c->backlog_p;
  c->backlog_p = NULL;
  if (!post_item(c, p, 0, 0)) c->backlog_p = p;
  else if (!c->tcp && !c->closed) end_stream(c); /* the end waited behind it */
}

/* ------------------------------------------------------------ requests -- */

void api_do_new(void *arg) {
  struct api_msg *m = arg;
  struct netconn *c = m->conn;
  if (c->type == NETCONN_TCP) {
    struct tcp_pcb *pcb = tcp_new(c->st);
    if (!pcb) {
      m->err = STACK_ENOMEM;
      return;
    }
    attach_tcp(c, pcb);
  } else {
    c->udp = udp_new(c->st);
    if (!c->udp) {
      m->err = STACK_ENOMEM;
      return;
    }
    udp_recv(c->udp, udp_recv_cb, c);
  }
}

void api_do_bind(void *arg) {
  struct api_msg *m = arg;
  struct netconn *c = m->conn;
  if (c->tcp) m->err = tcp_bind(c->tcp, m->addr, m->port);
  else if (c->udp) m->err = udp_bind(c->udp, m->addr, m->port);
  else m->err = c->err ? c->err : STACK_ECLOSED;
}

void api_do_connect(void *arg) {
  struct api_msg *m = arg;
  struct netconn *c = m->conn;
  if (c->udp) {
    m->err = udp_connect(c->udp, m->addr, m->port);
    return;
  }
  if (!c->tcp) {
    m->err = c->err ? c->err : STACK_ECLOSED;
    return;
  }
  if (c->connected) {
    m->err = STACK_EISCONN;
    return;
  }
  if (c->op == NC_CONNECTING) {
    m->err = STACK_EINPROGRESS;
    return;
  }
  m->err = tcp_connect(c->tcp, m->addr, m->port, tcp_connected_cb);
  if (m->err == STACK_OK) {
    c->op = NC_CONNECTING;
    c->op_waiting = !c->nonblocking;
    m->err = STACK_EINPROGRESS; /* the application waits on op_done unless non-blocking */
  }
}

void api_do_listen(void *arg) {
  struct api_msg *m = arg;
  struct netconn *c = m->conn;
  if (!c->tcp) {
    m->err = c->err ? c->err : STACK_EINVAL;
    return;
  }
  if (!c->acceptmbox &&
      ops(c)->mbox_new(ctx(c), "netconn_accept", NC_ACCEPTMBOX, &c->acceptmbox) != STACK_OK) {
    m->err = STACK_ENOMEM;
    return;
  }
  m->err = tcp_listen(c->tcp, m->backlog);
  if (m->err == STACK_OK) tcp_accept(c->tcp, tcp_accept_cb);
}

/* Queue what fits of the write in progress; finish it when all is in. */
static void write_more(struct netconn *c) {
  if (!c->tcp) {
    op_finish(c, c->err ? c->err : STACK_ECLOSED);
    return;
  }
  size_t left = c->w_len - c->w_done;
  uint32_t room = tcp_sndbuf(c->tcp);
  size_t n = left < room ? left : room;
  if (n) {
    int rc = tcp_write(c->tcp, c->w_data + c->w_done, n, n < left ? TCP_WRITE_MORE : 0);
    if (rc < 0) {
      op_finish(c, rc);
      return;
    }
    c->w_done += n;
  }
  if (c->w_done == c->w_len) op_finish(c, STACK_OK);
}

void api_do_write(void *arg) {
  struct api_msg *m = arg;
  struct netconn *c = m->conn;
  if (!c->tcp) {
    m->err = c->err ? c->err : STACK_ECLOSED;
    return;
  }
  c->w_data = m->data;
  c->w_len = m->len;
  c->w_done = 0;
  c->op = NC_WRITING;
  write_more(c);
  if (c->op == NC_WRITING && c->nonblocking) { /* what fitted is all for now */
    m->len = c->w_done;
    c->op = NC_IDLE;
    c->w_data = NULL;
    m->err = m->len ? STACK_OK : STACK_EAGAIN;
    return;
  }
  m->len = c->w_len;
  if (c->op == NC_WRITING) {
    c->op_waiting = 1; /* the rest goes as the peer acknowledges */
    m->err = STACK_EINPROGRESS;
  } else {
    m->err = c->op_err;
  }
}

void api_do_sendto(void *arg) {
  struct api_msg *m = arg;
  struct netconn *c = m->conn;
  if (!c->udp) {
    m->err = STACK_EINVAL;
    return;
  }
  m->err = m->port ? udp_sendto_buf(c->udp, m->data, m->len, m->addr, m->port)
                   : STACK_ENOTCONN;
}

void api_do_recved(void *arg) {
  struct api_msg *m = arg;
  struct netconn *c = m->conn;
  if (c->tcp && m->len) tcp_recved(c->tcp, (uint32_t)m->len);
  flush_backlog(c);
}

void api_do_shutdown(void *arg) {
  struct api_msg *m = arg;
  struct netconn *c = m->conn;
  m->err = c->tcp ? tcp_shutdown(c->tcp, m->shut_rx, m->shut_tx) : STACK_ENOTCONN;
}

void api_do_close(void *arg) {
  struct api_msg *m = arg;
  struct netconn *c = m->conn;
  if (c->closed) return;
  c->closed = 1;
  if (c->tcp) {
    tcp_arg(c->tcp, NULL);
    tcp_recv(c->tcp, NULL);
    tcp_sent(c->tcp, NULL);
    tcp_err(c->tcp, NULL);
    tcp_accept(c->tcp, NULL);
    tcp_close(c->tcp);
    c->tcp = NULL;
  }
  if (c->udp) {
    udp_remove(c->udp);
    c->udp = NULL;
  }
  /* wake whoever waits on this connection: they get STACK_ECLOSED */
  op_finish(c, STACK_ECLOSED);
  post_item(c, NULL, 0, 0);
  if (c->acceptmbox) ops(c)->mbox_post(ctx(c), c->acceptmbox, NULL, 0);
}

void api_do_delete(void *arg) {
  struct api_msg *m = arg;
  api_do_close(m);
  conn_free(m->conn);
}

struct netconn *api_conn_alloc(struct stack *st, enum netconn_type type) {
  return conn_alloc(st, type, 0);
}
