/* TCP input: SEGMENT ARRIVES (RFC 9293 sec. 3.10.7) with RFC 5961's
 * hardening, NewReno (RFC 5681, RFC 6582), RTT estimation (RFC 6298) and
 * delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 4.2).
 *
 * Callbacks may close or abort the PCB they are called for; after each one
 * `alive()` checks the PCB still exists in the same lifetime (its pool
 * generation) before touching it again. */
#include <string.h>

#include "stack/core/tcp_priv.h"

/* What tcp_input learned about the segment. */
struct seg {
  struct tcp_repr t;
  const struct ipv4_repr *ip;
  struct pbuf *p; /* payload only (may be NULL once consumed) */
  uint32_t len;   /* payload bytes */
  uint32_t up;    /* with URG: the urgent pointer as a sequence number */
};

static int alive(const struct tcp_pcb *pcb, uint32_t gen) {
  return pool_obj_live(pcb) && pool_obj_gen(pcb) == gen;
}

/* ------------------------------------------------------------ options -- */

/* MSS, window scale and SACK-permitted from a SYN (RFC 9293 3.7.1,
 * RFC 7323 2.2, RFC 2018 2). */
static void take_syn_options(struct tcp_pcb *pcb, const struct tcp_repr *t) {
  uint16_t ours = tcp_mss_for(pcb->st, pcb->raddr);
  uint16_t theirs = t->has_mss ? t->mss : 536;
  pcb->mss = theirs < ours ? theirs : ours;
  if (pcb->mss < 64) pcb->mss = 64; /* a peer offering less gets a usable floor */
  if ((pcb->flags & TF_WSCALE) && t->has_wscale) {
    pcb->snd_wscale = t->wscale > 14 ? 14 : t->wscale; /* RFC 7323 2.3 */
    pcb->rcv_wscale = tcp_wscale_for(pcb->st->cfg.tcp_rcv_buf);
  } else {
    pcb->flags &= ~(uint32_t)TF_WSCALE;
    pcb->snd_wscale = pcb->rcv_wscale = 0;
  }
  if (!t->has_sack_perm) pcb->flags &= ~(uint32_t)TF_SACK;
  if ((pcb->flags & TF_TS) && t->has_ts) {
    pcb->ts_recent = t->ts_val;
    /* every segment will carry 12 bytes of option: fewer for data (RFC
     * 7323 sec. 3.2 asks the sender to make room) */
    if (pcb->mss > 64 + 12) pcb->mss = (uint16_t)(pcb->mss - 12);
  } else {
    pcb->flags &= ~(uint32_t)TF_TS;
  }
}

/* RFC 5681 3.1 initial window; one segment if the SYN was retransmitted
 * (RFC 6298 5.7). */
static void initial_window(struct tcp_pcb *pcb) {
  uint32_t m = pcb->mss;
  uint32_t iw = m > 2190 ? 2 * m : (m > 1095 ? 3 * m : 4 * m);
  pcb->cwnd = pcb->backoff ? m : iw;
  pcb->backoff = 0;
  pcb->retries = 0;
}

/* RFC 6298 2.2-2.4, times in nanoseconds, clock granularity 1 ns. */
static void rtt_sample(struct tcp_pcb *pcb, stack_time_t r) {
  const struct stack_config *c = &pcb->st->cfg;
  if (r < 1) r = 1;
  if (!pcb->srtt) {
    pcb->srtt = r;
    pcb->rttvar = r / 2;
  } else {
    stack_time_t d = pcb->srtt > r ? pcb->srtt - r : r - pcb->srtt;
    pcb->rttvar = (3 * pcb->rttvar + d) / 4;
    pcb->srtt = (7 * pcb->srtt + r) / 8;
  }
  stack_time_t rto = pcb->srtt + (4 * pcb->rttvar > 1 ? 4 * pcb->rttvar : 1);
  pcb->rto = rto < c->tcp_rto_min ? c->tcp_rto_min : (rto > c->tcp_rto_max ? c->tcp_rto_max : rto);
  pcb->backoff = 0;
}

/* ---------------------------------------------------------- listening -- */

static void listen_input(struct tcp_pcb *l, struct seg *s) {
  struct stack *st = l->st;
  const struct tcp_repr *t = &s->t;
  if (t->flags & TCP_RST) return;
  if (t->flags & TCP_ACK) {
    tcp_rst_reply(st, s->ip, t, s->len + !!(t->flags & TCP_SYN) + !!(t->flags & TCP_FIN));
    st_drop(st, STACK_DROP_TCP_STATE);
    return;
  }
  if (!(t->flags & TCP_SYN)) {
    st_drop(st, STACK_DROP_TCP_STATE);
    return;
  }
  if (l->pending >= l->backlog) {
    st_drop(st, STACK_DROP_TCP_BACKLOG); /* silently: the client's SYN retry may find room */
    return;
  }
  struct tcp_pcb *pcb = tcp_pcb_alloc(st);
  if (!pcb) {
    st_drop(st, STACK_DROP_POOL_EMPTY);
    return;
  }
  pcb->laddr = s->ip->dst;
  pcb->lport = l->lport;
  pcb->raddr = s->ip->src;
  pcb->rport = t->sport;
  pcb->listener = l;
  pcb->flags |= TF_PASSIVE;
  l->pending++;
  pcb->flags = (pcb->flags & ~(uint32_t)(TF_WSCALE | TF_SACK | TF_TS)) |
               (l->flags & (TF_WSCALE | TF_SACK | TF_TS | TF_NODELAY | TF_KEEPALIVE));
  pcb->arg = l->arg;
  pcb->irs = t->seq;
  pcb->rcv_nxt = pcb->rcv_adv = t->seq + 1;
  take_syn_options(pcb, t);
  pcb->snd_wnd = pcb->snd_wnd_max = t->window; /* a SYN's window is never scaled */
  pcb->snd_wl1 = t->seq;
  pcb->iss = tcp_isn(st, pcb->laddr, pcb->lport, pcb->raddr, pcb->rport);
  pcb->ts_offset = tcp_isn(st, pcb->raddr, pcb->rport, pcb->laddr, pcb->lport);
  pcb->snd_una = pcb->snd_nxt = pcb->snd_max = pcb->iss;
  pcb->recover = pcb->rexmit_high = pcb->iss;
  pcb->snd_wl2 = pcb->iss;
  pcb->sbuf_seq = pcb->iss + 1;
  pcb->cwnd = pcb->mss;
  tcp_set_state(pcb, TCP_SYN_RCVD);
  st->stats.tcp_passive_opens++;
  pcb->flags |= TF_RTT_TIMING;
  pcb->rtt_seq = pcb->iss;
  pcb->rtt_start = stack_now(st);
  tcp_send_ctl(pcb, TCP_SYN | TCP_ACK);
}

/* ----------------------------------------------------------- SYN-SENT -- */

static void syn_sent_input(struct tcp_pcb *pcb, struct seg *s) {
  struct stack *st = pcb->st;
  const struct tcp_repr *t = &s->t;
  int ack_ok = 0;
  if (t->flags & TCP_ACK) {
    if (seq_leq(t->ack, pcb->iss) || seq_gt(t->ack, pcb->snd_max)) {
      if (!(t->flags & TCP_RST)) tcp_rst_reply(st, s->ip, t, s->len);
      st_drop(st, STACK_DROP_TCP_SEQ);
      return;
    }
    ack_ok = seq_lt(pcb->snd_una, t->ack) && seq_leq(t->ack, pcb->snd_max);
  }
  if (t->flags & TCP_RST) {
    if (ack_ok) tcp_pcb_fail(pcb, STACK_ECONNREFUSED);
    else st_drop(st, STACK_DROP_TCP_SEQ);
    return;
  }
  if (!(t->flags & TCP_SYN)) {
    st_drop(st, STACK_DROP_TCP_STATE);
    return;
  }
  pcb->irs = t->seq;
  pcb->rcv_nxt = pcb->rcv_adv = t->seq + 1;
  take_syn_options(pcb, t);
  if (!ack_ok) { /* simultaneous open (RFC 9293 3.5, figure 7) */
    pcb->snd_wnd = pcb->snd_wnd_max = t->window;
    pcb->snd_wl1 = t->seq;
    tcp_set_state(pcb, TCP_SYN_RCVD);
    pcb->snd_nxt = pcb->iss;
    tcp_send_ctl(pcb, TCP_SYN | TCP_ACK);
    return;
  }
  if ((pcb->flags & TF_RTT_TIMING) && pcb->rtt_seq == pcb->iss && !pcb->backoff)
    rtt_sample(pcb, stack_now(st) - pcb->rtt_start);
  pcb->flags &= ~(uint32_t)TF_RTT_TIMING;
  pcb->snd_una = t->ack;
  pcb->snd_wnd = pcb->snd_wnd_max = t->window; /* unscaled in a SYN */
  pcb->snd_wl1 = t->seq;
  pcb->snd_wl2 = t->ack;
  stimer_stop(&pcb->rtx_timer);
  initial_window(pcb);
  tcp_set_state(pcb, TCP_ESTABLISHED);
  tcp_keepalive_reset(pcb);
  pcb->flags |= TF_ACK_NOW;
  uint32_t gen = pool_obj_gen(pcb);
  if (pcb->connected && !(pcb->flags & TF_CLOSED)) pcb->connected(pcb->arg, pcb, STACK_OK);
  if (!alive(pcb, gen)) return;
  tcp_output_now(pcb); /* the ACK, with any data written meanwhile */
}

/* Drop n bytes from the front of chain p (n <= p->tot_len); returns the
 * chain that is left (whole leading buffers are freed). */
static struct pbuf *chop_front(struct pbuf *p, uint32_t n) {
  while (n && n >= p->len && p->next) {
    struct pbuf *q = p->next;
    n -= p->len;
    pbuf_ref(q);
    pbuf_free(p); /* frees p, and drops its hold on q */
    p = q;
  }
  pbuf_header(p, -(int)n);
  return p;
}

/* ---------------------------------------------------- out-of-order queue -- */

/* Keep [seq, seq+len) of p (payload only) until the hole before it fills.
 * The queue stays sorted and non-overlapping: parts already held are cut
 * from the new segment. */
static void ooseq_insert(struct tcp_pcb *pcb, uint32_t seq, struct pbuf *p, uint32_t len) {
  struct stack *st = pcb->st;
  struct tcp_seg **pp = &pcb->ooseq;
  while (*pp && seq_leq((*pp)->seq + (*pp)->len, seq)) pp = &(*pp)->next;
  /* *pp is the first segment ending after seq */
  if (*pp && seq_leq((*pp)->seq, seq)) { /* overlaps its front: cut our head */
    uint32_t cut = (*pp)->seq + (*pp)->len - seq;
    if (cut >= len) {
      pbuf_free(p);
      return;
    }
    p = chop_front(p, cut);
    seq += cut;
    len -= cut;
    pp = &(*pp)->next;
  }
  if (*pp && seq_lt((*pp)->seq, seq + len)) { /* runs into the next one: cut our tail */
    len = (*pp)->seq - seq;
    pbuf_trim(p, len);
  }
  if (len == 0 || pcb->nooseq >= st->cfg.tcp_ooseq) {
    if (len) st_drop(st, STACK_DROP_TCP_OOSEQ_FULL);
    pbuf_free(p);
    return;
  }
  struct tcp_seg *n = st_calloc(st, 1, sizeof *n);
  if (!n) {
    pbuf_free(p);
    return;
  }
  n->seq = seq;
  n->len = len;
  n->p = p;
  n->next = *pp;
  *pp = n;
  pcb->nooseq++;
}

/* --------------------------------------------------------------- data -- */

/* Hand in-order data to the application. */
static void deliver(struct tcp_pcb *pcb, struct pbuf *p, uint32_t len) {
  pcb->rcv_nxt += len;
  pcb->counters.bytes_received += len;
  if (pcb->flags & TF_RX_SHUT) {
    pbuf_free(p);
    return;
  }
  pcb->rcv_unread += len;
  if (pcb->recv) {
    pcb->recv(pcb->arg, pcb, p, STACK_OK);
  } else {
    pbuf_free(p);
    pcb->rcv_unread -= len; /* nobody reads: consumed at once */
  }
}

static void fin_in_order(struct tcp_pcb *pcb) {
  struct stack *st = pcb->st;
  pcb->rcv_nxt++;
  pcb->flags |= TF_FIN_RCVD | TF_ACK_NOW;
  switch (pcb->state) {
  case TCP_SYN_RCVD:
  case TCP_ESTABLISHED: tcp_set_state(pcb, TCP_CLOSE_WAIT); break;
  case TCP_FIN_WAIT_1:
    if ((pcb->flags & TF_FIN_SENT) && seq_gt(pcb->snd_una, pcb->snd_fin_seq)) tcp_enter_time_wait(pcb);
    else tcp_set_state(pcb, TCP_CLOSING);
    break;
  case TCP_FIN_WAIT_2: tcp_enter_time_wait(pcb); break;
  case TCP_TIME_WAIT: tcp_enter_time_wait(pcb); break; /* restarts 2 MSL */
  default: break;
  }
  (void)st;
  stimer_stop(&pcb->keep_timer);
  if (pcb->recv && !(pcb->flags & TF_CLOSED)) pcb->recv(pcb->arg, pcb, NULL, STACK_OK);
}

static void delack_fire(void *arg) {
  struct tcp_pcb *pcb = arg;
  tcp_ack_now(pcb);
}

/* Step 7 of SEGMENT ARRIVES: the segment text, then step 8, its FIN.
 * Returns 0 when the PCB went away in a callback. */
static int text_and_fin(struct tcp_pcb *pcb, struct seg *s) {
  struct stack *st = pcb->st;
  uint32_t gen = pool_obj_gen(pcb);
  int fin = (s->t.flags & TCP_FIN) != 0;
  int receiving = pcb->state == TCP_ESTABLISHED || pcb->state == TCP_FIN_WAIT_1 ||
                  pcb->state == TCP_FIN_WAIT_2 || pcb->state == TCP_SYN_RCVD;
  if (s->len && receiving) {
    if ((pcb->flags & TF_CLOSED) && !(pcb->flags & TF_FIN_RCVD)) {
      /* RFC 1122 4.2.2.13: data for an application that has closed */
      tcp_send_rst(pcb);
      tcp_pcb_fail(pcb, STACK_ECONNRESET);
      return 0;
    }
    if (s->t.seq == pcb->rcv_nxt) {
      int filled = pcb->ooseq != NULL;
      struct pbuf *p = s->p;
      s->p = NULL;
      deliver(pcb, p, s->len);
      if (!alive(pcb, gen)) return 0;
      /* what waited behind the hole follows */
      while (pcb->ooseq && seq_leq(pcb->ooseq->seq, pcb->rcv_nxt)) {
        struct tcp_seg *o = pcb->ooseq;
        pcb->ooseq = o->next;
        pcb->nooseq--;
        uint32_t skip = pcb->rcv_nxt - o->seq;
        if (skip < o->len) {
          deliver(pcb, chop_front(o->p, skip), o->len - skip);
          if (!alive(pcb, gen)) {
            st_free(st, o, sizeof *o);
            return 0;
          }
        } else {
          pbuf_free(o->p);
        }
        st_free(st, o, sizeof *o);
      }
      /* RFC 5681 4.2: ACK at least every second full segment, at once
       * when a hole was filled, else within the delayed-ACK time. */
      if (filled || (pcb->flags & TF_ACK_DELAYED) || s->len < pcb->mss) pcb->flags |= TF_ACK_NOW;
      else {
        pcb->flags |= TF_ACK_DELAYED;
        if (!pcb->ack_timer.active) stimer_start(st, &pcb->ack_timer, st->cfg.tcp_delack, delack_fire, pcb);
      }
    } else {
      /* beyond a hole: keep it, and say at once what we still expect
       * (the duplicate ACK drives the sender's fast retransmit) */
      struct pbuf *p = s->p;
      s->p = NULL;
      pcb->sack_last = s->t.seq;
      ooseq_insert(pcb, s->t.seq, p, s->len);
      tcp_send_ctl(pcb, TCP_ACK); /* a pure duplicate ACK, with SACK blocks */
      fin = 0; /* a FIN beyond a hole comes again */
    }
  }
  /* step 8: a FIN right after what we have */
  if (fin && !(pcb->flags & TF_FIN_RCVD) && s->t.seq + s->len == pcb->rcv_nxt) {
    fin_in_order(pcb);
    if (!alive(pcb, gen)) return 0;
  }
  return 1;
}

/* ---------------------------------------------------------------- ACK -- */

static void fin_wait_2_timeout(void *arg) { tcp_pcb_free(arg); }

/* Step 5 of SEGMENT ARRIVES for synchronized states. Returns 0 when the
 * segment is done with (dropped or the PCB gone). */
static int ack_input(struct tcp_pcb *pcb, struct seg *s) {
  struct stack *st = pcb->st;
  const struct tcp_repr *t = &s->t;
  uint32_t gen = pool_obj_gen(pcb);
  if (pcb->state == TCP_SYN_RCVD) {
    if (!(seq_lt(pcb->snd_una, t->ack) && seq_leq(t->ack, pcb->snd_max))) {
      tcp_rst_reply(st, s->ip, t, s->len);
      st_drop(st, STACK_DROP_TCP_SEQ);
      return 0;
    }
    if ((pcb->flags & TF_RTT_TIMING) && pcb->rtt_seq == pcb->iss && !pcb->backoff)
      rtt_sample(pcb, stack_now(st) - pcb->rtt_start);
    pcb->flags &= ~(uint32_t)TF_RTT_TIMING;
    pcb->snd_una = t->ack;
    pcb->snd_wnd = (uint32_t)t->window << pcb->snd_wscale;
    if (pcb->snd_wnd > pcb->snd_wnd_max) pcb->snd_wnd_max = pcb->snd_wnd;
    pcb->snd_wl1 = t->seq;
    pcb->snd_wl2 = t->ack;
    stimer_stop(&pcb->rtx_timer);
    initial_window(pcb);
    tcp_set_state(pcb, TCP_ESTABLISHED);
    tcp_keepalive_reset(pcb);
    struct tcp_pcb *l = pcb->listener;
    if (l) {
      pcb->flags |= TF_ACCEPTED;
      if (l->pending) l->pending--;
      pcb->listener = NULL;
      int rc = l->accept ? l->accept(l->arg, pcb, STACK_OK) : STACK_ECONNREFUSED;
      if (!alive(pcb, gen)) return 0;
      if (rc < 0) {
        tcp_abort(pcb);
        return 0;
      }
    } else if (pcb->flags & TF_PASSIVE) { /* its listener closed meanwhile */
      tcp_abort(pcb);
      return 0;
    } else if (pcb->connected) { /* simultaneous open completes */
      pcb->connected(pcb->arg, pcb, STACK_OK);
      if (!alive(pcb, gen)) return 0;
    }
    return 1;
  }
  /* RFC 5961 5.2: acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.NXT] */
  if (seq_gt(t->ack, pcb->snd_max)) {
    tcp_ack_now(pcb);
    st_drop(st, STACK_DROP_TCP_SEQ);
    return 0;
  }
  if (seq_lt(t->ack, pcb->snd_una - pcb->snd_wnd_max)) {
    st->stats.tcp_challenge_acks++;
    tcp_ack_now(pcb);
    st_drop(st, STACK_DROP_TCP_SEQ);
    return 0;
  }
  uint32_t new_wnd = (uint32_t)t->window << pcb->snd_wscale;
  int sack = (pcb->flags & TF_SACK) != 0;
  uint32_t una_before = pcb->snd_una, sacked_before = sack ? tcp_sack_total(pcb) : 0;
  if (sack && t->nsack) tcp_sack_update(pcb, t);
  if (seq_gt(t->ack, pcb->snd_una)) {
    uint32_t acked = t->ack - pcb->snd_una;
    uint32_t data = 0;
    if (seq_gt(t->ack, pcb->sbuf_seq)) {
      data = t->ack - pcb->sbuf_seq;
      if (data > pcb->sbuf_len) data = pcb->sbuf_len;
      pcb->sbuf_head = pcb->sbuf_size ? (pcb->sbuf_head + data) % pcb->sbuf_size : 0;
      pcb->sbuf_len -= data;
      pcb->sbuf_seq += data;
    }
    pcb->snd_una = t->ack;
    if (seq_lt(pcb->snd_nxt, pcb->snd_una)) pcb->snd_nxt = pcb->snd_una;
    if (seq_lt(pcb->rexmit_high, pcb->snd_una)) pcb->rexmit_high = pcb->snd_una;
    if (pcb->nsacked) tcp_sack_prune(pcb);
    if ((pcb->flags & TF_TS) && t->has_ts && t->ts_ecr) {
      /* RFC 7323 sec. 4: every ACK of new data times the segment whose
       * timestamp it echoes, retransmitted or not */
      uint32_t ms = tcp_ts_now(pcb) - t->ts_ecr;
      if (ms < 0x7fffffffu) rtt_sample(pcb, (stack_time_t)ms * 1000000 + 500000);
      pcb->flags &= ~(uint32_t)TF_RTT_TIMING;
    } else if ((pcb->flags & TF_RTT_TIMING) && seq_gt(t->ack, pcb->rtt_seq)) {
      rtt_sample(pcb, stack_now(st) - pcb->rtt_start);
      pcb->flags &= ~(uint32_t)TF_RTT_TIMING;
    }
    /* Progress: the retry count restarts, and so does the backoff (RFC 6298
     * 5.7 keeps it until a valid sample; without timestamps a lossy path
     * may give none for long, and a connection that moves must not stall
     * behind a timer backed off for losses already repaired). */
    pcb->retries = 0;
    pcb->backoff = 0;
    uint32_t flight = pcb->snd_max - pcb->snd_una;
    if ((pcb->flags & TF_RECOVERY) && sack) {
      /* RFC 6675: leave at the recovery point; until then PRR (below)
       * sets cwnd */
      if (seq_geq(t->ack, pcb->recover)) {
        pcb->cwnd = pcb->ssthresh;
        pcb->flags &= ~(uint32_t)TF_RECOVERY;
        pcb->dupacks = 0;
      } else {
        tcp_rtx_timer_start(pcb);
      }
    } else if (pcb->flags & TF_RECOVERY) {
      if (seq_geq(t->ack, pcb->recover)) { /* full ACK: leave recovery (RFC 6582 3.2 step 3) */
        uint32_t f = flight > pcb->mss ? flight : pcb->mss;
        pcb->cwnd = pcb->ssthresh < f + pcb->mss ? pcb->ssthresh : f + pcb->mss;
        pcb->flags &= ~(uint32_t)TF_RECOVERY;
        pcb->dupacks = 0;
      } else { /* partial ACK: the next hole, at once (step 4) */
        tcp_rexmit_first(pcb);
        pcb->cwnd = pcb->cwnd > acked ? pcb->cwnd - acked : 0;
        pcb->cwnd += pcb->mss;
        tcp_rtx_timer_start(pcb);
      }
    } else {
      pcb->dupacks = 0;
      if (pcb->cwnd < pcb->ssthresh) pcb->cwnd += acked < pcb->mss ? acked : pcb->mss; /* slow start */
      else { /* congestion avoidance: about one segment per window */
        uint32_t inc = (uint32_t)((uint64_t)pcb->mss * pcb->mss / pcb->cwnd);
        pcb->cwnd += inc ? inc : 1;
      }
    }
    if (pcb->snd_una == pcb->snd_max) stimer_stop(&pcb->rtx_timer);
    else if (!(pcb->flags & TF_RECOVERY) || seq_geq(t->ack, pcb->recover)) tcp_rtx_timer_start(pcb);
    pcb->counters.bytes_acked += data;
    if (data && pcb->sent && !(pcb->flags & TF_CLOSED)) {
      pcb->sent(pcb->arg, pcb, data);
      if (!alive(pcb, gen)) return 0;
    }
  } else if (t->ack == pcb->snd_una && s->len == 0 && !(t->flags & (TCP_SYN | TCP_FIN)) &&
             new_wnd == pcb->snd_wnd && pcb->snd_max != pcb->snd_una) {
    /* a duplicate ACK (RFC 5681 sec. 2) */
    pcb->dupacks++;
    if (pcb->dupacks > 3 && (pcb->flags & TF_RECOVERY) && !sack)
      pcb->cwnd += pcb->mss; /* NewReno: each further dup ACK, a segment has left */
  }
  /* Entering loss recovery: three duplicate ACKs, or with SACK enough
   * SACKed above snd_una (RFC 6675 sec. 5), once per window of data
   * (RFC 6582 sec. 3.2 step 2: not for data sent before recover). */
  if (!(pcb->flags & TF_RECOVERY) && seq_geq(pcb->snd_una, pcb->recover) &&
      pcb->snd_max != pcb->snd_una &&
      (pcb->dupacks >= 3 || (sack && tcp_sack_is_lost(pcb, pcb->snd_una)))) {
    uint32_t flight = pcb->snd_max - pcb->snd_una, half = flight / 2;
    pcb->ssthresh = half > 2u * pcb->mss ? half : 2u * pcb->mss;
    pcb->recover = pcb->snd_max;
    pcb->flags |= TF_RECOVERY;
    st->stats.tcp_fast_retransmits++;
    if (sack) {
      pcb->recover_fs = flight;
      pcb->prr_delivered = pcb->prr_out = 0;
      uint32_t room, len = pcb->mss;
      tcp_sack_skip(pcb, pcb->snd_una, &room);
      if (len > room) len = room;
      if (len > pcb->snd_max - pcb->snd_una) len = pcb->snd_max - pcb->snd_una;
      tcp_send_range(pcb, pcb->snd_una, len);
      pcb->rexmit_high = pcb->snd_una + len;
      pcb->rexmit_mark = pcb->snd_max;
      pcb->prr_out += len;
    } else {
      tcp_rexmit_first(pcb);
      pcb->cwnd = pcb->ssthresh + 3u * pcb->mss;
    }
    tcp_rtx_timer_start(pcb);
  }
  /* Proportional Rate Reduction (RFC 6937 sec. 3.1, with the slow start
   * reduction bound): in SACK recovery, cwnd follows what the ACKs say
   * was delivered, so a large loss does not turn into a burst. */
  if ((pcb->flags & TF_RECOVERY) && sack) {
    /* A resent hole that is still a hole after three segments sent later
     * were SACKed was lost again (the idea of RACK, RFC 8985): resend
     * from snd_una instead of waiting for the timer. */
    if (seq_gt(pcb->rexmit_high, pcb->snd_una) &&
        tcp_sack_above(pcb, pcb->rexmit_mark) >= 3u * pcb->mss) {
      pcb->rexmit_high = pcb->snd_una;
      pcb->rexmit_mark = pcb->snd_max;
    }
    int64_t delivered = (int64_t)(uint32_t)(pcb->snd_una - una_before) +
                        (int64_t)tcp_sack_total(pcb) - (int64_t)sacked_before;
    if (delivered > 0) pcb->prr_delivered += (uint32_t)delivered;
    uint32_t pipe = tcp_sack_pipe(pcb);
    int64_t sndcnt;
    if (pipe > pcb->ssthresh) {
      uint64_t fs = pcb->recover_fs ? pcb->recover_fs : 1;
      sndcnt = (int64_t)(((uint64_t)pcb->prr_delivered * pcb->ssthresh + fs - 1) / fs) -
               (int64_t)pcb->prr_out;
    } else {
      int64_t a = (int64_t)pcb->prr_delivered - (int64_t)pcb->prr_out;
      int64_t limit = (a > delivered ? a : delivered) + pcb->mss;
      int64_t gap = (int64_t)pcb->ssthresh - (int64_t)pipe;
      sndcnt = gap < limit ? gap : limit;
    }
    if (sndcnt < 0) sndcnt = 0;
    pcb->cwnd = pipe + (uint32_t)sndcnt;
  }
  /* window update (step 5, fifth bullet) */
  if (seq_lt(pcb->snd_wl1, t->seq) || (pcb->snd_wl1 == t->seq && seq_leq(pcb->snd_wl2, t->ack))) {
    pcb->snd_wnd = new_wnd;
    if (new_wnd > pcb->snd_wnd_max) pcb->snd_wnd_max = new_wnd;
    pcb->snd_wl1 = t->seq;
    pcb->snd_wl2 = t->ack;
    if (new_wnd && pcb->persist) {
      pcb->persist = 0;
      pcb->backoff = 0;
      stimer_stop(&pcb->rtx_timer);
    }
  }
  /* our FIN acknowledged */
  if ((pcb->flags & TF_FIN_SENT) && seq_gt(pcb->snd_una, pcb->snd_fin_seq)) {
    switch (pcb->state) {
    case TCP_FIN_WAIT_1:
      tcp_set_state(pcb, TCP_FIN_WAIT_2);
      if (pcb->flags & TF_CLOSED) /* nobody will ever read: do not wait forever */
        stimer_start(st, &pcb->wait_timer, 2 * st->cfg.tcp_msl, fin_wait_2_timeout, pcb);
      break;
    case TCP_CLOSING: tcp_enter_time_wait(pcb); break;
    case TCP_LAST_ACK: tcp_pcb_done(pcb); return 0;
    default: break;
    }
  }
  return 1;
}

/* --------------------------------------------------------------- input -- */

static struct tcp_pcb *lookup(struct stack *st, const struct ipv4_repr *ip, const struct tcp_repr *t) {
  struct tcp_pcb *listener = NULL;
  for (struct tcp_pcb *q = st->tcp_list; q; q = q->next) {
    if (q->lport != t->dport) continue;
    if (q->state == TCP_LISTEN) {
      if (!q->laddr || q->laddr == ip->dst) {
        if (!listener || (q->laddr && !listener->laddr)) listener = q; /* the most specific */
      }
      continue;
    }
    if (q->state != TCP_CLOSED && q->rport == t->sport && q->raddr == ip->src &&
        q->laddr == ip->dst)
      return q;
  }
  return listener;
}

/* Is the segment acceptable (RFC 9293 3.10.7.4, first check)? */
static int acceptable(const struct tcp_pcb *pcb, uint32_t seq, uint32_t seg_len) {
  uint32_t adv = seq_gt(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
  uint32_t now = tcp_rcv_wnd(pcb);
  uint32_t wnd = adv > now ? adv : now;
  uint32_t nxt = pcb->rcv_nxt;
  if (seg_len == 0)
    return wnd == 0 ? seq == nxt : seq_leq(nxt, seq) && seq_lt(seq, nxt + wnd);
  if (wnd == 0) return 0;
  return (seq_leq(nxt, seq) && seq_lt(seq, nxt + wnd)) ||
         (seq_leq(nxt, seq + seg_len - 1) && seq_lt(seq + seg_len - 1, nxt + wnd));
}

void tcp_input(struct stack_netif *nif, struct pbuf *p, const struct ipv4_repr *ip) {
  struct stack *st = nif->st;
  st->stats.tcp.rx++;
  struct seg s = {.ip = ip};
  uint8_t hb[TCP_HLEN_MAX] = {0};
  size_t got = pbuf_copy_out(p, hb, sizeof hb, 0);
  if (tcp_parse(&s.t, hb, got) < 0) {
    st_drop(st, STACK_DROP_TCP_MALFORMED);
    pbuf_free(p);
    return;
  }
  struct csum c;
  csum_init(&c);
  for (const struct pbuf *q = p; q; q = q->next) csum_add(&c, q->payload, q->len);
  if (!tcp_checksum_ok(&c, ip->src, ip->dst, (uint16_t)p->tot_len)) {
    st_drop(st, STACK_DROP_TCP_CHECKSUM);
    pbuf_free(p);
    return;
  }
  if (ip4_is_broadcast(nif, ip->dst) || ip4_is_multicast(ip->dst)) {
    st_drop(st, STACK_DROP_TCP_NO_PCB); /* TCP is unicast only; no RST either */
    pbuf_free(p);
    return;
  }
  s.len = p->tot_len - s.t.hlen;
  s.up = s.t.seq + s.t.urgent; /* before any trimming moves s.t.seq */
  /* The payload, in one buffer when it is small enough to matter for the
   * out-of-order queue's trimming (a driver's frame always is). */
  if (p->len < s.t.hlen || (p->next && p->tot_len <= st->cfg.pbuf_size)) {
    struct pbuf *q = pbuf_clone(st, PBUF_RAW, p);
    pbuf_free(p);
    if (!q) {
      st_drop(st, STACK_DROP_POOL_EMPTY);
      return;
    }
    p = q;
  }
  pbuf_header(p, -(int)s.t.hlen);
  s.p = p;
  uint32_t seg_len = s.len + !!(s.t.flags & TCP_SYN) + !!(s.t.flags & TCP_FIN);

  struct tcp_pcb *pcb = lookup(st, ip, &s.t);
  if (!pcb) {
    st_drop(st, STACK_DROP_TCP_NO_PCB);
    tcp_rst_reply(st, ip, &s.t, seg_len);
    goto done;
  }
  if (pcb->state == TCP_LISTEN) {
    listen_input(pcb, &s);
    goto done;
  }
  if (pcb->state == TCP_SYN_SENT) {
    syn_sent_input(pcb, &s);
    goto done;
  }
  tcp_keepalive_reset(pcb);
  /* first: sequence number */
  if (pcb->state == TCP_SYN_RCVD && (s.t.flags & TCP_SYN) && !(s.t.flags & TCP_ACK) &&
      s.t.seq == pcb->irs) {
    pcb->snd_nxt = pcb->iss; /* the peer did not hear our SYN-ACK */
    tcp_send_ctl(pcb, TCP_SYN | TCP_ACK);
    goto done;
  }
  /* PAWS (RFC 7323 5.3): a timestamp older than TS.Recent marks an old
   * duplicate; RSTs are exempt */
  if ((pcb->flags & TF_TS) && s.t.has_ts && !(s.t.flags & TCP_RST) &&
      seq_lt(s.t.ts_val, pcb->ts_recent)) {
    tcp_ack_now(pcb);
    st_drop(st, STACK_DROP_TCP_PAWS);
    goto done;
  }
  if (!acceptable(pcb, s.t.seq, seg_len)) {
    if (!(s.t.flags & TCP_RST)) tcp_ack_now(pcb);
    st_drop(st, STACK_DROP_TCP_SEQ);
    goto done;
  }
  /* trim to the window: bytes already received off the front */
  if (seq_lt(s.t.seq, pcb->rcv_nxt)) {
    uint32_t cut = pcb->rcv_nxt - s.t.seq;
    if (s.t.flags & TCP_SYN) {
      s.t.flags &= (uint8_t)~TCP_SYN;
      cut--;
      s.t.seq++;
    }
    if (cut > s.len) cut = s.len;
    s.p = chop_front(s.p, cut);
    s.len -= cut;
    s.t.seq += cut;
  }
  /* ...and what lies beyond the window off the back (with any FIN) */
  {
    uint32_t wnd_end = pcb->rcv_nxt + (tcp_rcv_wnd(pcb) > (seq_gt(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0)
                                           ? tcp_rcv_wnd(pcb) : pcb->rcv_adv - pcb->rcv_nxt);
    if (s.len && seq_gt(s.t.seq + s.len, wnd_end) && seq_geq(wnd_end, s.t.seq)) {
      s.len = wnd_end - s.t.seq;
      pbuf_trim(s.p, s.len);
      s.t.flags &= (uint8_t)~TCP_FIN;
    }
  }
  /* RFC 7323 4.3: TS.Recent follows the segments that reach the left
   * edge of what we acknowledged */
  if ((pcb->flags & TF_TS) && s.t.has_ts && seq_geq(s.t.ts_val, pcb->ts_recent) &&
      seq_leq(s.t.seq, pcb->last_ack_sent))
    pcb->ts_recent = s.t.ts_val;
  /* second: RST (RFC 5961 3.2) */
  if (s.t.flags & TCP_RST) {
    if (s.t.seq != pcb->rcv_nxt) {
      st->stats.tcp_challenge_acks++;
      tcp_ack_now(pcb);
      st_drop(st, STACK_DROP_TCP_SEQ);
      goto done;
    }
    if (pcb->state == TCP_SYN_RCVD && (pcb->flags & TF_PASSIVE)) tcp_pcb_free(pcb); /* back to LISTEN */
    else tcp_pcb_fail(pcb, pcb->state == TCP_SYN_RCVD ? STACK_ECONNREFUSED : STACK_ECONNRESET);
    goto done;
  }
  /* fourth: SYN in a synchronized state (RFC 5961 4.2) */
  if (s.t.flags & TCP_SYN) {
    st->stats.tcp_challenge_acks++;
    tcp_ack_now(pcb);
    st_drop(st, STACK_DROP_TCP_SEQ);
    goto done;
  }
  /* fifth: ACK */
  if (!(s.t.flags & TCP_ACK)) {
    st_drop(st, STACK_DROP_TCP_STATE);
    goto done;
  }
  if (!ack_input(pcb, &s)) goto done;
  /* sixth: URG (RFC 9293 3.10.7.4): the pointer, kept in line with the
   * data, reported when it first appears or moves on (MUST-32) */
  if ((s.t.flags & TCP_URG) && s.t.urgent &&
      (pcb->state == TCP_ESTABLISHED || pcb->state == TCP_FIN_WAIT_1 ||
       pcb->state == TCP_FIN_WAIT_2)) {
    uint32_t up = s.up;
    if (!(pcb->flags & TF_RCV_URG) || seq_gt(up, pcb->rcv_up)) {
      pcb->rcv_up = up;
      pcb->flags |= TF_RCV_URG;
      if (pcb->urgent && !(pcb->flags & TF_CLOSED)) {
        uint32_t gen = pool_obj_gen(pcb);
        pcb->urgent(pcb->arg, pcb, tcp_urgent_pending(pcb));
        if (!alive(pcb, gen)) goto done;
      }
    }
  }
  /* seventh and eighth: the text, the FIN */
  if (pcb->state == TCP_TIME_WAIT && (s.t.flags & TCP_FIN)) {
    pcb->flags |= TF_ACK_NOW; /* a retransmitted FIN: ACK it again and restart 2MSL */
    tcp_enter_time_wait(pcb);
  } else if (!text_and_fin(pcb, &s)) {
    goto done;
  }
  tcp_output_now(pcb);
done:
  if (s.p) pbuf_free(s.p);
}
