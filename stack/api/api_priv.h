/* netconn's two halves share this: api_lib.c runs in application threads
 * and builds messages, api_msg.c runs them in core context (the tcpip
 * thread) together with the raw-API callbacks that feed the mailboxes. */
#ifndef LWSIM_STACK_API_PRIV_H
#define LWSIM_STACK_API_PRIV_H

#include "stack/core/priv.h"
#include "stack/netconn.h"
#include "stack/tcpip.h"

/* One received item: a TCP chunk or a UDP datagram with its source; p ==
 * NULL says the stream ended (FIN, error or local close). */
struct rx_item {
  struct pbuf *p;
  ip4_addr_t addr;
  uint16_t port;
};

enum nc_op { NC_IDLE, NC_CONNECTING, NC_WRITING };

struct netconn {
  struct stack *st;
  enum netconn_type type;
  struct tcp_pcb *tcp; /* NULL once closed or failed (core side owns it) */
  struct udp_pcb *udp;
  struct stack_mbox *recvmbox;   /* struct rx_item * */
  struct stack_mbox *acceptmbox; /* struct netconn *; NULL: the listener ended */
  struct stack_sem *op_done;     /* connect and write completion */
  int err;                       /* sticky connection error, 0 if none */
  enum nc_op op;                 /* the operation in progress */
  int op_waiting;                /* an application thread waits on op_done for it */
  int op_err;
  stack_time_t recv_timeout;     /* 0 = forever */
  int nonblocking;
  int eof;                       /* the application has seen the end */
  int closed;                    /* netconn_close ran */
  int connected;
  /* the write in progress (the writer is blocked: data stays valid) */
  const uint8_t *w_data;
  size_t w_len, w_done;
  /* TCP data the mailbox had no room for, in order (core side) */
  struct pbuf *backlog_p;
  netconn_evt_fn evt;
  void *evt_arg;
};

static inline void nc_event(struct netconn *c, enum netconn_evt e) {
  if (c->evt) c->evt(c->evt_arg, c, e);
}

/* One request from api_lib to api_msg. */
struct api_msg {
  struct netconn *conn;
  int err;
  ip4_addr_t addr;
  uint16_t port;
  int backlog;
  const void *data;
  size_t len;
  int shut_rx, shut_tx;
};

/* api_msg.c: run in core context through tcpip_callback_wait */
void api_do_new(void *m);
void api_do_bind(void *m);
void api_do_connect(void *m);
void api_do_listen(void *m);
void api_do_write(void *m);
void api_do_sendto(void *m);
void api_do_recved(void *m);
void api_do_shutdown(void *m);
void api_do_close(void *m);
void api_do_delete(void *m);

#define NC_RECVMBOX 1024
#define NC_ACCEPTMBOX 64

#endif
