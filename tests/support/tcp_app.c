#include "tcp_app.h"

#include "stack/pbuf.h"

static void app_err(void *arg, int err) {
  struct tcp_app *a = arg;
  a->err = err;
  a->errors++;
  a->pcb = NULL;
}

static void maybe_close(struct tcp_app *a) {
  if (a->close_when_done && !a->closed && a->pcb && a->sent == a->to_send && a->got_fin) {
    a->closed = 1;
    tcp_close(a->pcb);
    a->pcb = NULL;
  }
}

void tcp_app_pump(struct tcp_app *a) {
  if (!a->pcb || a->closed) return;
  uint8_t buf[4096];
  while (a->sent < a->to_send) {
    uint32_t room = tcp_sndbuf(a->pcb);
    if (!room) break;
    uint64_t left = a->to_send - a->sent;
    uint32_t n = room < sizeof buf ? room : (uint32_t)sizeof buf;
    if (n > left) n = (uint32_t)left;
    for (uint32_t i = 0; i < n; i++) buf[i] = tcp_app_byte(a->side, a->sent + i);
    if (tcp_write(a->pcb, buf, n, 0) != 0) break;
    a->sent += n;
  }
  if (a->sent == a->to_send && a->close_when_done && a->pcb) tcp_shutdown(a->pcb, 0, 1);
  maybe_close(a);
}

static void app_sent(void *arg, struct tcp_pcb *pcb, uint32_t len) {
  (void)pcb;
  struct tcp_app *a = arg;
  a->acked += len;
  tcp_app_pump(a);
}

static int app_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, int err) {
  (void)err;
  struct tcp_app *a = arg;
  if (!p) {
    a->got_fin = 1;
    maybe_close(a);
    return 0;
  }
  uint32_t total = p->tot_len;
  for (struct pbuf *q = p; q; q = q->next)
    for (uint16_t i = 0; i < q->len; i++)
      if (q->payload[i] != tcp_app_byte(!a->side, a->received++)) a->corrupt++;
  pbuf_free(p);
  if (!a->hold) tcp_recved(pcb, total);
  return 0;
}

void tcp_app_attach(struct tcp_app *a, struct tcp_pcb *pcb) {
  a->pcb = pcb;
  tcp_arg(pcb, a);
  tcp_recv(pcb, app_recv);
  tcp_sent(pcb, app_sent);
  tcp_err(pcb, app_err);
}

static int app_connected(void *arg, struct tcp_pcb *pcb, int err) {
  (void)pcb;
  struct tcp_app *a = arg;
  a->connected = err == 0;
  tcp_app_pump(a);
  return 0;
}

static int app_accept(void *arg, struct tcp_pcb *newpcb, int err) {
  (void)err;
  struct tcp_app *l = arg;
  struct tcp_app *a = l->accept_into;
  if (!a || a->pcb) return STACK_ECONNREFUSED; /* one connection per app */
  tcp_app_attach(a, newpcb);
  a->connected = 1;
  tcp_app_pump(a);
  return 0;
}

void tcp_app_listen(struct tcp_app *l, struct tcp_pcb *listener) {
  l->pcb = listener;
  tcp_arg(listener, l);
  tcp_accept(listener, app_accept);
}

int tcp_app_connect(struct tcp_app *a, struct tcp_pcb *pcb, ip4_addr_t addr, uint16_t port) {
  tcp_app_attach(a, pcb);
  return tcp_connect(pcb, addr, port, app_connected);
}

int tcp_app_done(const struct tcp_app *a, uint64_t expect_rx) {
  /* (acked stops counting once the app has closed: no callbacks after
   * tcp_close; the peer's received count proves delivery instead) */
  return a->sent == a->to_send && a->received == expect_rx && a->got_fin && !a->corrupt &&
         !a->errors;
}
