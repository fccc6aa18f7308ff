/* TCP: PCBs, the raw API, timers, ISNs and ports (RFC 9293, RFC 6298,
 * RFC 6528, RFC 1122 4.2.3.6). Segment arrival is in tcp_in.c, departure
 * in tcp_out.c. */
#include <stdlib.h>
#include <string.h>

#include "stack/core/tcp_priv.h"

static const char *const state_names[] = {
    "CLOSED",     "LISTEN",     "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
    "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",  "LAST-ACK",     "TIME-WAIT",
};

const char *tcp_state_name(enum tcp_state s) {
  return (unsigned)s <= TCP_TIME_WAIT ? state_names[s] : "?";
}

size_t tcp_pcb_size(void) { return sizeof(struct tcp_pcb); }

static int stale(const struct tcp_pcb *pcb, const char *where) {
  if (pool_obj_live(pcb)) return 0;
  st_finding(pool_obj_owner(pcb), "use_after_free", where, "tcp_pcb was already freed");
  return 1;
}
#define CHECK(pcb, where, ret)                                                                    \
  do {                                                                                             \
    if (!(pcb) || stale((pcb), (where))) return ret;                                               \
  } while (0)

/* ------------------------------------------------------------ PCBs ---- */

struct tcp_pcb *tcp_pcb_alloc(struct stack *st) {
  struct tcp_pcb *pcb = pool_get(st, &st->tcp_pcbs);
  if (!pcb) return NULL;
  pcb->st = st;
  pcb->state = TCP_CLOSED;
  pcb->rto = st->cfg.tcp_rto_init;
  pcb->mss = 536; /* RFC 9293 3.7.1: the default without an MSS option */
  pcb->ssthresh = UINT32_MAX;
  if (!st->cfg.tcp_no_wscale) pcb->flags |= TF_WSCALE;
  if (!st->cfg.tcp_no_sack) pcb->flags |= TF_SACK;
  if (!st->cfg.tcp_no_ts) pcb->flags |= TF_TS;
  pcb->next = st->tcp_list;
  st->tcp_list = pcb;
  return pcb;
}

struct tcp_pcb *tcp_new(struct stack *st) {
  CORE_CHECK(st, "tcp_new");
  return tcp_pcb_alloc(st);
}

void tcp_pcb_free(struct tcp_pcb *pcb) {
  struct stack *st = pcb->st;
  for (struct tcp_pcb **pp = &st->tcp_list; *pp; pp = &(*pp)->next)
    if (*pp == pcb) {
      *pp = pcb->next;
      break;
    }
  /* connections not yet accepted count against their listener */
  if (pcb->listener && !(pcb->flags & TF_ACCEPTED) && pcb->listener->pending) pcb->listener->pending--;
  for (struct tcp_pcb *q = st->tcp_list; q; q = q->next)
    if (q->listener == pcb) q->listener = NULL; /* the listener goes away first */
  stimer_stop(&pcb->rtx_timer);
  stimer_stop(&pcb->ack_timer);
  stimer_stop(&pcb->keep_timer);
  stimer_stop(&pcb->wait_timer);
  for (struct tcp_seg *s = pcb->ooseq, *n; s; s = n) {
    n = s->next;
    pbuf_free(s->p);
    st_free(st, s, sizeof *s);
  }
  if (pcb->sbuf) st_free(st, pcb->sbuf, pcb->sbuf_size);
  st_free(st, pcb->sacked, (size_t)pcb->cap_sacked * sizeof *pcb->sacked);
  STACK_YIELD_POINT(&st->port, "tcp_pcb_free");
  pool_put(st, &st->tcp_pcbs, pcb, "tcp_pcb_free");
}

void tcp_pcb_fail(struct tcp_pcb *pcb, int err) {
  tcp_err_fn errf = (pcb->flags & TF_CLOSED) ? NULL : pcb->errf;
  void *arg = pcb->arg;
  tcp_pcb_free(pcb);
  if (errf) errf(arg, err);
}

void tcp_set_state(struct tcp_pcb *pcb, enum tcp_state s) {
  struct stack *st = pcb->st;
  if (st->port.ops->log) {
    char a[16], b[16];
    st_log(st, STACK_LOG_DEBUG, "tcp %s:%u-%s:%u %s -> %s", ip4_addr_format(pcb->laddr, a),
           pcb->lport, ip4_addr_format(pcb->raddr, b), pcb->rport, tcp_state_name(pcb->state),
           tcp_state_name(s));
  }
  pcb->state = s;
}

void tcp_pcb_done(struct tcp_pcb *pcb) {
  if (pcb->flags & TF_CLOSED) {
    tcp_pcb_free(pcb);
    return;
  }
  tcp_set_state(pcb, TCP_CLOSED);
  stimer_stop(&pcb->rtx_timer);
  stimer_stop(&pcb->ack_timer);
  stimer_stop(&pcb->keep_timer);
  stimer_stop(&pcb->wait_timer);
}

static void time_wait_done(void *arg) { tcp_pcb_done(arg); }

void tcp_enter_time_wait(struct tcp_pcb *pcb) {
  tcp_set_state(pcb, TCP_TIME_WAIT);
  stimer_stop(&pcb->rtx_timer);
  stimer_stop(&pcb->keep_timer);
  stimer_start(pcb->st, &pcb->wait_timer, 2 * pcb->st->cfg.tcp_msl, time_wait_done, pcb);
}

/* ------------------------------------------------------- ISNs, ports -- */

static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, key),
 * M a clock ticking every 4 microseconds, F a keyed hash of the 4-tuple
 * (here two rounds of a 64-bit mixer keyed with the instance's secret). */
uint32_t tcp_isn(struct stack *st, ip4_addr_t la, uint16_t lp, ip4_addr_t ra, uint16_t rp) {
  uint64_t m = (uint64_t)stack_now(st) / 4000;
  uint64_t f = mix(st->tcp_secret[0] ^ ((uint64_t)la << 32 | ra));
  f = mix(f ^ st->tcp_secret[1] ^ ((uint64_t)lp << 16 | rp));
  return (uint32_t)(m + f);
}

/* Some PCB (other than self) uses the local port: a listener or bound PCB
 * on an overlapping address, or a connection (TIME-WAIT ones only count
 * without reuseaddr). */
static int port_taken(struct stack *st, const struct tcp_pcb *self, ip4_addr_t addr,
                      uint16_t port) {
  for (struct tcp_pcb *q = st->tcp_list; q; q = q->next) {
    if (q == self || q->lport != port) continue;
    if (q->laddr && addr && q->laddr != addr) continue;
    if (q->state == TCP_TIME_WAIT && (self->flags & TF_REUSEADDR)) continue;
    return 1;
  }
  return 0;
}

int tcp_bind(struct tcp_pcb *pcb, ip4_addr_t addr, uint16_t port) {
  CHECK(pcb, "tcp_bind", STACK_EINVAL);
  CORE_CHECK(pcb->st, "tcp_bind");
  if (pcb->state != TCP_CLOSED || pcb->lport) return STACK_EINVAL;
  struct stack *st = pcb->st;
  if (port == 0) {
    uint32_t span = (uint32_t)st->cfg.port_max - st->cfg.port_min + 1;
    for (uint32_t i = 0; i < span && !port; i++) {
      uint16_t cand = st->tcp_next_port;
      st->tcp_next_port = cand == st->cfg.port_max ? st->cfg.port_min : (uint16_t)(cand + 1);
      if (!port_taken(st, pcb, addr, cand)) port = cand;
    }
    if (!port) return STACK_EADDRINUSE;
  } else if (port_taken(st, pcb, addr, port)) {
    return STACK_EADDRINUSE;
  }
  pcb->laddr = addr;
  pcb->lport = port;
  return STACK_OK;
}

int tcp_listen(struct tcp_pcb *pcb, int backlog) {
  CHECK(pcb, "tcp_listen", STACK_EINVAL);
  CORE_CHECK(pcb->st, "tcp_listen");
  if (pcb->state != TCP_CLOSED) return STACK_EINVAL;
  if (!pcb->lport) {
    int rc = tcp_bind(pcb, pcb->laddr, 0);
    if (rc < 0) return rc;
  }
  pcb->backlog = (uint16_t)(backlog > 0 ? (backlog > 0xffff ? 0xffff : backlog) : 1);
  tcp_set_state(pcb, TCP_LISTEN);
  return STACK_OK;
}

/* Our MSS toward dst: the config's, bounded by the route's MTU - 40. */
uint16_t tcp_mss_for(struct stack *st, ip4_addr_t dst) {
  ip4_addr_t nh;
  struct stack_netif *nif = ip4_route(st, dst, &nh);
  uint32_t mtu = nif ? nif->mtu : 576;
  uint32_t mss = mtu > 40 ? mtu - 40 : 536;
  return (uint16_t)(mss < st->cfg.tcp_mss ? mss : st->cfg.tcp_mss);
}

/* The smallest shift that lets the window cover the buffer (RFC 7323
 * sec. 2.3: at most 14). */
uint8_t tcp_wscale_for(uint32_t rcv_buf) {
  uint8_t s = 0;
  while (s < 14 && (rcv_buf >> s) > 0xffff) s++;
  return s;
}

int tcp_connect(struct tcp_pcb *pcb, ip4_addr_t addr, uint16_t port, tcp_connected_fn connected) {
  CHECK(pcb, "tcp_connect", STACK_EINVAL);
  CORE_CHECK(pcb->st, "tcp_connect");
  if (pcb->state == TCP_LISTEN) return STACK_EINVAL;
  if (pcb->state != TCP_CLOSED) return STACK_EISCONN;
  if (!addr || !port) return STACK_EINVAL;
  struct stack *st = pcb->st;
  ip4_addr_t nh;
  struct stack_netif *nif = ip4_route(st, addr, &nh);
  if (!nif) return STACK_ENOROUTE;
  if (!pcb->lport) {
    int rc = tcp_bind(pcb, pcb->laddr, 0);
    if (rc < 0) return rc;
  }
  /* no two connections with the same 4-tuple */
  ip4_addr_t la = pcb->laddr ? pcb->laddr : (nif->loopback ? addr : nif->addr);
  for (struct tcp_pcb *q = st->tcp_list; q; q = q->next)
    if (q != pcb && q->lport == pcb->lport && q->rport == port && q->raddr == addr &&
        q->laddr == la)
      return STACK_EADDRINUSE;
  pcb->laddr = la;
  pcb->raddr = addr;
  pcb->rport = port;
  pcb->connected = connected;
  pcb->iss = tcp_isn(st, la, pcb->lport, addr, port);
  pcb->ts_offset = tcp_isn(st, addr, port, la, pcb->lport); /* RFC 7323 5.4: random per connection */
  pcb->snd_una = pcb->snd_nxt = pcb->snd_max = pcb->iss;
  pcb->recover = pcb->rexmit_high = pcb->iss;
  pcb->sbuf_seq = pcb->iss + 1;
  pcb->mss = tcp_mss_for(st, addr);
  pcb->rcv_wscale = (pcb->flags & TF_WSCALE) ? tcp_wscale_for(st->cfg.tcp_rcv_buf) : 0;
  pcb->cwnd = pcb->mss; /* raised to the initial window once established */
  tcp_set_state(pcb, TCP_SYN_SENT);
  st->stats.tcp_active_opens++;
  tcp_send_ctl(pcb, TCP_SYN);
  return STACK_OK;
}

/* ---------------------------------------------------------- callbacks -- */

void tcp_arg(struct tcp_pcb *pcb, void *arg) { CHECK(pcb, "tcp_arg", ); pcb->arg = arg; }
void tcp_accept(struct tcp_pcb *pcb, tcp_accept_fn fn) { CHECK(pcb, "tcp_accept", ); pcb->accept = fn; }
void tcp_recv(struct tcp_pcb *pcb, tcp_recv_fn fn) { CHECK(pcb, "tcp_recv", ); pcb->recv = fn; }
void tcp_sent(struct tcp_pcb *pcb, tcp_sent_fn fn) { CHECK(pcb, "tcp_sent", ); pcb->sent = fn; }
void tcp_err(struct tcp_pcb *pcb, tcp_err_fn fn) { CHECK(pcb, "tcp_err", ); pcb->errf = fn; }
void tcp_urgent(struct tcp_pcb *pcb, tcp_urgent_fn fn) { CHECK(pcb, "tcp_urgent", ); pcb->urgent = fn; }

uint32_t tcp_urgent_pending(const struct tcp_pcb *pcb) {
  if (!pcb || !pool_obj_live(pcb) || !(pcb->flags & TF_RCV_URG)) return 0;
  uint32_t consumed = pcb->rcv_nxt - pcb->rcv_unread; /* first byte not yet consumed */
  return seq_gt(pcb->rcv_up, consumed) ? pcb->rcv_up - consumed : 0;
}

static void poll_tick(void *arg) {
  struct tcp_pcb *pcb = arg;
  stimer_start(pcb->st, &pcb->wait_timer, pcb->poll_interval, poll_tick, pcb);
  if (pcb->poll && !(pcb->flags & TF_CLOSED)) pcb->poll(pcb->arg, pcb);
}

void tcp_poll(struct tcp_pcb *pcb, tcp_poll_fn fn, stack_time_t interval) {
  CHECK(pcb, "tcp_poll", );
  pcb->poll = fn;
  pcb->poll_interval = interval;
  if (pcb->state == TCP_TIME_WAIT) return; /* wait_timer is the TIME-WAIT timer then */
  if (fn && interval > 0) stimer_start(pcb->st, &pcb->wait_timer, interval, poll_tick, pcb);
  else stimer_stop(&pcb->wait_timer);
}

/* ------------------------------------------------------------ options -- */

void tcp_nagle(struct tcp_pcb *pcb, int on) {
  CHECK(pcb, "tcp_nagle", );
  pcb->flags = on ? pcb->flags & ~(uint32_t)TF_NODELAY : pcb->flags | TF_NODELAY;
}
void tcp_set_reuseaddr(struct tcp_pcb *pcb, int on) {
  CHECK(pcb, "tcp_set_reuseaddr", );
  pcb->flags = on ? pcb->flags | TF_REUSEADDR : pcb->flags & ~(uint32_t)TF_REUSEADDR;
}
void tcp_set_wscale(struct tcp_pcb *pcb, int on) {
  CHECK(pcb, "tcp_set_wscale", );
  if (pcb->state != TCP_CLOSED) return;
  pcb->flags = on ? pcb->flags | TF_WSCALE : pcb->flags & ~(uint32_t)TF_WSCALE;
}
void tcp_set_timestamps(struct tcp_pcb *pcb, int on) {
  CHECK(pcb, "tcp_set_timestamps", );
  if (pcb->state != TCP_CLOSED) return;
  pcb->flags = on ? pcb->flags | TF_TS : pcb->flags & ~(uint32_t)TF_TS;
}
void tcp_set_sack(struct tcp_pcb *pcb, int on) {
  CHECK(pcb, "tcp_set_sack", );
  if (pcb->state != TCP_CLOSED) return;
  pcb->flags = on ? pcb->flags | TF_SACK : pcb->flags & ~(uint32_t)TF_SACK;
}

/* ---------------------------------------------------------- keep-alive -- */

static void keep_fire(void *arg) {
  struct tcp_pcb *pcb = arg;
  struct stack *st = pcb->st;
  if (pcb->keep_probes >= st->cfg.tcp_keep_cnt) {
    tcp_send_rst(pcb);
    tcp_pcb_fail(pcb, STACK_ETIMEDOUT);
    return;
  }
  pcb->keep_probes++;
  tcp_send_keepalive(pcb);
  stimer_start(st, &pcb->keep_timer, st->cfg.tcp_keep_intvl, keep_fire, pcb);
}

void tcp_keepalive_reset(struct tcp_pcb *pcb) {
  pcb->keep_probes = 0;
  if ((pcb->flags & TF_KEEPALIVE) &&
      (pcb->state == TCP_ESTABLISHED || pcb->state == TCP_CLOSE_WAIT || pcb->state == TCP_FIN_WAIT_2))
    stimer_start(pcb->st, &pcb->keep_timer, pcb->st->cfg.tcp_keep_idle, keep_fire, pcb);
}

void tcp_keepalive(struct tcp_pcb *pcb, int on) {
  CHECK(pcb, "tcp_keepalive", );
  pcb->flags = on ? pcb->flags | TF_KEEPALIVE : pcb->flags & ~(uint32_t)TF_KEEPALIVE;
  if (on) tcp_keepalive_reset(pcb);
  else stimer_stop(&pcb->keep_timer);
}

/* ------------------------------------------------------- retransmission -- */

static void rtx_fire(void *arg) {
  struct tcp_pcb *pcb = arg;
  struct stack *st = pcb->st;
  if (pcb->persist) {
    /* Zero-window probe (RFC 9293 3.8.6.1): one byte beyond the window,
     * with backoff, never giving up while the peer answers. */
    pcb->backoff = pcb->backoff < 16 ? pcb->backoff + 1 : 16;
    if (tcp_unsent(pcb) && pcb->snd_wnd == 0) {
      uint32_t w = pcb->snd_wnd;
      pcb->snd_wnd = 1;
      uint32_t cw = pcb->cwnd;
      if (pcb->cwnd < 1) pcb->cwnd = 1;
      tcp_output_now(pcb);
      pcb->snd_wnd = w;
      pcb->cwnd = cw;
    }
    tcp_rtx_timer_start(pcb);
    return;
  }
  int syn = pcb->state == TCP_SYN_SENT || pcb->state == TCP_SYN_RCVD;
  uint32_t limit = syn ? st->cfg.tcp_syn_retries : st->cfg.tcp_max_retries;
  if (++pcb->retries > limit) {
    if (!syn) tcp_send_rst(pcb);
    tcp_pcb_fail(pcb, STACK_ETIMEDOUT);
    return;
  }
  st->stats.tcp_timeouts++;
  /* RFC 6298 5.5-5.7: back off, retransmit the earliest segment. RFC 5681
   * eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS), cwnd = one segment. */
  pcb->backoff = pcb->backoff < 16 ? pcb->backoff + 1 : 16;
  pcb->flags &= ~(uint32_t)(TF_RTT_TIMING | TF_RECOVERY);
  if (syn) {
    pcb->snd_nxt = pcb->iss;
    tcp_send_ctl(pcb, pcb->state == TCP_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK);
    st->stats.tcp_retransmits++;
    pcb->counters.retransmits++;
    return;
  }
  uint32_t flight = pcb->snd_max - pcb->snd_una;
  uint32_t half = flight / 2;
  pcb->ssthresh = half > 2u * pcb->mss ? half : 2u * pcb->mss;
  pcb->cwnd = pcb->mss;
  pcb->dupacks = 0;
  pcb->recover = pcb->snd_max;
  pcb->rexmit_high = pcb->snd_una;
  pcb->snd_nxt = pcb->snd_una; /* go back N (skipping what the peer SACKed) */
  tcp_output_now(pcb); /* counts each segment it sends again */
  if (!pcb->rtx_timer.active) tcp_rtx_timer_start(pcb);
}

void tcp_rtx_timer_start(struct tcp_pcb *pcb) {
  struct stack *st = pcb->st;
  stack_time_t t = pcb->rto;
  for (uint32_t i = 0; i < pcb->backoff && t < st->cfg.tcp_rto_max; i++) t *= 2;
  if (t > st->cfg.tcp_rto_max) t = st->cfg.tcp_rto_max;
  stimer_start(st, &pcb->rtx_timer, t, rtx_fire, pcb);
}

/* --------------------------------------------------------- data path --- */

uint32_t tcp_sndbuf(const struct tcp_pcb *pcb) {
  if (!pcb || !pool_obj_live(pcb)) return 0;
  return pcb->st->cfg.tcp_snd_buf - pcb->sbuf_len;
}

int tcp_write(struct tcp_pcb *pcb, const void *data, size_t len, unsigned flags) {
  CHECK(pcb, "tcp_write", STACK_EINVAL);
  CORE_CHECK(pcb->st, "tcp_write");
  switch (pcb->state) {
  case TCP_SYN_SENT: case TCP_SYN_RCVD: case TCP_ESTABLISHED: case TCP_CLOSE_WAIT: break;
  default: return STACK_ENOTCONN;
  }
  if (pcb->flags & TF_FIN_QUEUED) return STACK_ENOTCONN;
  struct stack *st = pcb->st;
  if (len > tcp_sndbuf(pcb)) return STACK_ENOMEM;
  if (!pcb->sbuf) {
    pcb->sbuf = st_calloc(st, st->cfg.tcp_snd_buf, 1);
    if (!pcb->sbuf) return STACK_ENOMEM;
    pcb->sbuf_size = st->cfg.tcp_snd_buf;
  }
  const uint8_t *d = data;
  uint32_t tail = (pcb->sbuf_head + pcb->sbuf_len) % pcb->sbuf_size;
  uint32_t first = pcb->sbuf_size - tail < len ? pcb->sbuf_size - tail : (uint32_t)len;
  memcpy(pcb->sbuf + tail, d, first);
  memcpy(pcb->sbuf, d + first, len - first);
  pcb->sbuf_len += (uint32_t)len;
  if (flags & TCP_WRITE_URGENT) { /* the urgent pointer moves to the end of these bytes */
    pcb->snd_up = pcb->sbuf_seq + pcb->sbuf_len;
    pcb->flags |= TF_SND_URG;
  }
  if (pcb->state == TCP_ESTABLISHED || pcb->state == TCP_CLOSE_WAIT) tcp_output_now(pcb);
  return STACK_OK;
}

int tcp_output(struct tcp_pcb *pcb) {
  CHECK(pcb, "tcp_output", STACK_EINVAL);
  CORE_CHECK(pcb->st, "tcp_output");
  return tcp_output_now(pcb);
}

void tcp_recved(struct tcp_pcb *pcb, uint32_t len) {
  CHECK(pcb, "tcp_recved", );
  CORE_CHECK(pcb->st, "tcp_recved");
  if (len > pcb->rcv_unread) len = pcb->rcv_unread;
  uint32_t before = tcp_rcv_wnd(pcb);
  pcb->rcv_unread -= len;
  /* Window update when the usable window grew by enough to matter
   * (receiver SWS avoidance, RFC 9293 3.8.6.2.2): a segment or half the
   * buffer. */
  uint32_t after = tcp_rcv_wnd(pcb);
  uint32_t thresh = pcb->st->cfg.tcp_rcv_buf / 2 < pcb->mss ? pcb->st->cfg.tcp_rcv_buf / 2 : pcb->mss;
  if (after - before >= thresh && seq_geq(pcb->rcv_nxt + after, pcb->rcv_adv + thresh))
    tcp_ack_now(pcb);
}

int tcp_shutdown(struct tcp_pcb *pcb, int shut_rx, int shut_tx) {
  CHECK(pcb, "tcp_shutdown", STACK_EINVAL);
  CORE_CHECK(pcb->st, "tcp_shutdown");
  if (shut_rx && shut_tx) return tcp_close(pcb);
  if (shut_rx) pcb->flags |= TF_RX_SHUT;
  if (shut_tx) {
    switch (pcb->state) {
    case TCP_SYN_RCVD: case TCP_ESTABLISHED: case TCP_CLOSE_WAIT:
      pcb->flags |= TF_FIN_QUEUED;
      tcp_output_now(pcb);
      break;
    case TCP_SYN_SENT:
      pcb->flags |= TF_FIN_QUEUED; /* sent once established */
      break;
    default: return STACK_ENOTCONN;
    }
  }
  return STACK_OK;
}

int tcp_close(struct tcp_pcb *pcb) {
  CHECK(pcb, "tcp_close", STACK_EINVAL);
  CORE_CHECK(pcb->st, "tcp_close");
  pcb->flags |= TF_CLOSED | TF_RX_SHUT;
  switch (pcb->state) {
  case TCP_CLOSED: case TCP_LISTEN: case TCP_SYN_SENT:
    tcp_pcb_free(pcb);
    return STACK_OK;
  case TCP_SYN_RCVD: case TCP_ESTABLISHED: case TCP_CLOSE_WAIT:
    /* RFC 1122 4.2.2.13: closing with unread data sends RST */
    if (pcb->rcv_unread) {
      tcp_send_rst(pcb);
      tcp_pcb_free(pcb);
      return STACK_OK;
    }
    pcb->flags |= TF_FIN_QUEUED;
    tcp_output_now(pcb);
    return STACK_OK;
  default:
    return STACK_OK; /* already closing: it finishes on its own */
  }
}

void tcp_abort(struct tcp_pcb *pcb) {
  CHECK(pcb, "tcp_abort", );
  CORE_CHECK(pcb->st, "tcp_abort");
  if (pcb->state != TCP_CLOSED && pcb->state != TCP_LISTEN && pcb->state != TCP_SYN_SENT &&
      pcb->state != TCP_TIME_WAIT)
    tcp_send_rst(pcb);
  tcp_pcb_fail(pcb, STACK_ECONNABORTED);
}

/* ---------------------------------------------------------- teardown --- */

void tcp_netif_removed(struct stack *st, struct stack_netif *nif) {
  /* Connections keep their addresses: with the netif gone they find no
   * route and time out, as on a real host; listeners stay. */
  (void)st, (void)nif;
}

void tcp_destroy(struct stack *st) {
  while (st->tcp_list) tcp_pcb_free(st->tcp_list);
}

/* ---------------------------------------------------------- inspection -- */

enum tcp_state tcp_pcb_state(const struct tcp_pcb *pcb) {
  return pcb && pool_obj_live(pcb) ? pcb->state : TCP_CLOSED;
}
uint16_t tcp_local_port(const struct tcp_pcb *pcb) { return pcb->lport; }
ip4_addr_t tcp_local_addr(const struct tcp_pcb *pcb) { return pcb->laddr; }
uint16_t tcp_remote_port(const struct tcp_pcb *pcb) { return pcb->rport; }
ip4_addr_t tcp_remote_addr(const struct tcp_pcb *pcb) { return pcb->raddr; }

void tcp_get_info(const struct tcp_pcb *pcb, struct tcp_info *o) {
  memset(o, 0, sizeof *o);
  o->state = pcb->state;
  o->snd_una = pcb->snd_una;
  o->snd_nxt = pcb->snd_nxt;
  o->snd_wnd = pcb->snd_wnd;
  o->rcv_nxt = pcb->rcv_nxt;
  o->rcv_wnd = tcp_rcv_wnd(pcb);
  o->mss = pcb->mss;
  o->cwnd = pcb->cwnd;
  o->ssthresh = pcb->ssthresh;
  o->srtt = pcb->srtt;
  o->rttvar = pcb->rttvar;
  o->rto = pcb->rto;
  o->snd_wscale = pcb->snd_wscale;
  o->rcv_wscale = pcb->rcv_wscale;
  o->sack = (pcb->flags & TF_SACK) != 0;
  o->timestamps = (pcb->flags & TF_TS) != 0;
  o->in_recovery = (pcb->flags & TF_RECOVERY) != 0;
  o->unsent = tcp_unsent(pcb);
  o->unacked = pcb->snd_max - pcb->snd_una;
  o->ooseq = pcb->nooseq;
  o->retransmits = pcb->counters.retransmits;
  o->bytes_acked = pcb->counters.bytes_acked;
  o->bytes_received = pcb->counters.bytes_received;
}
