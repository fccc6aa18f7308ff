/* TCP output: building segments, what to send when (windows, Nagle,
 * silly window avoidance), ACKs, RSTs (RFC 9293 sec. 3.8, 3.10.7; RFC
 * 5681; RFC 1122 4.2.3.4). */
#include <string.h>

#include "stack/core/tcp_priv.h"

/* Send one segment: header from r (options included), payload len bytes
 * copied from the send ring starting at ring offset `off`. */
static int emit(struct stack *st, ip4_addr_t src, ip4_addr_t dst, struct tcp_repr *r,
                const struct tcp_pcb *ring, uint32_t off, uint32_t len) {
  size_t hlen = tcp_header_len(r);
  struct pbuf *p = pbuf_alloc(st, PBUF_TRANSPORT, len);
  if (!p) {
    st_drop(st, STACK_DROP_POOL_EMPTY);
    return STACK_ENOMEM;
  }
  if (len) { /* copy from the ring, which may wrap */
    uint32_t at = (ring->sbuf_head + off) % ring->sbuf_size;
    uint32_t first = ring->sbuf_size - at < len ? ring->sbuf_size - at : len;
    pbuf_copy_in(p, ring->sbuf + at, first, 0);
    if (first < len) pbuf_copy_in(p, ring->sbuf, len - first, first);
  }
  if (pbuf_header(p, (int)hlen) < 0) { /* cannot happen: PBUF_TRANSPORT has room */
    pbuf_free(p);
    return STACK_ENOMEM;
  }
  tcp_emit(r, p->payload, hlen);
  struct csum c;
  csum_init(&c);
  for (const struct pbuf *q = p; q; q = q->next) csum_add(&c, q->payload, q->len);
  uint16_t sum = tcp_checksum_finish(&c, src, dst, (uint16_t)(hlen + len));
  wire_put16(p->payload + 16, sum);
  st->stats.tcp.tx++;
  return ip4_output(st, p, src, dst, IPV4_PROTO_TCP, 0, 0);
}

/* The window to advertise, in bytes (RFC 9293 3.8.6.2.2): what the
 * application has room for, but the right edge never moves left, and it
 * moves right only in steps of at least min(buffer / 2, MSS). */
uint32_t tcp_rcv_wnd(const struct tcp_pcb *pcb) {
  uint32_t buf = pcb->st->cfg.tcp_rcv_buf;
  uint32_t avail = buf > pcb->rcv_unread ? buf - pcb->rcv_unread : 0;
  uint32_t edge = pcb->rcv_nxt + avail;
  uint32_t thresh = buf / 2 < pcb->mss ? buf / 2 : pcb->mss;
  if (seq_lt(edge, pcb->rcv_adv) || (seq_gt(edge, pcb->rcv_adv) && edge - pcb->rcv_adv < thresh &&
                                     seq_gt(pcb->rcv_adv, pcb->rcv_nxt)))
    return seq_gt(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
  return avail;
}

/* A segment of the connection: seq, flags, payload from the ring. */
static int send_seg(struct tcp_pcb *pcb, uint32_t seq, uint32_t len, uint8_t flags) {
  struct stack *st = pcb->st;
  struct tcp_repr r = {.sport = pcb->lport, .dport = pcb->rport, .seq = seq, .flags = flags};
  uint32_t wnd = tcp_rcv_wnd(pcb);
  if (flags & TCP_SYN) {
    /* RFC 9293 3.7.1 MSS; RFC 7323 window scale; RFC 2018 SACK-permitted.
     * The window of a SYN is never scaled. */
    r.has_mss = 1;
    r.mss = tcp_mss_for(st, pcb->raddr);
    if (pcb->flags & TF_WSCALE) {
      r.has_wscale = 1;
      r.wscale = pcb->rcv_wscale;
    }
    if (pcb->flags & TF_SACK) r.has_sack_perm = 1;
    r.window = (uint16_t)(wnd > 0xffff ? 0xffff : wnd);
  } else {
    uint32_t w = wnd >> pcb->rcv_wscale;
    r.window = (uint16_t)(w > 0xffff ? 0xffff : w);
  }
  if ((pcb->flags & TF_TS) && !(flags & TCP_RST)) { /* RFC 7323 sec. 3 */
    r.has_ts = 1;
    r.ts_val = tcp_ts_now(pcb);
    r.ts_ecr = (flags & TCP_ACK) ? pcb->ts_recent : 0;
  }
  if (flags == TCP_ACK && len == 0 && (pcb->flags & TF_SACK) && pcb->ooseq)
    r.nsack = (uint8_t)tcp_sack_blocks(pcb, r.sack, 4); /* RFC 2018 sec. 4 */
  if (flags & TCP_ACK) {
    r.ack = pcb->rcv_nxt;
    pcb->last_ack_sent = pcb->rcv_nxt;
    /* what the peer may now send up to */
    uint32_t adv = pcb->rcv_nxt + ((uint32_t)r.window << ((flags & TCP_SYN) ? 0 : pcb->rcv_wscale));
    if (seq_gt(adv, pcb->rcv_adv)) pcb->rcv_adv = adv;
    pcb->flags &= ~(uint32_t)(TF_ACK_NOW | TF_ACK_DELAYED);
    stimer_stop(&pcb->ack_timer);
  }
  /* RFC 9293 3.8.5: while urgent data lies ahead of this segment, URG
   * with the pointer to the byte after it (MUST-31), however long it is
   * (MUST-30: a pointer further than 16 bits reach says 65535) */
  if ((pcb->flags & TF_SND_URG) && seq_gt(pcb->snd_up, seq) && !(flags & (TCP_SYN | TCP_RST))) {
    uint32_t up = pcb->snd_up - seq;
    r.flags |= TCP_URG;
    r.urgent = (uint16_t)(up > 0xffff ? 0xffff : up);
  }
  uint32_t off = len ? seq - pcb->sbuf_seq : 0;
  return emit(st, pcb->laddr, pcb->raddr, &r, pcb, off, len);
}

int tcp_send_ctl(struct tcp_pcb *pcb, uint8_t flags) {
  if (flags & TCP_SYN) {
    int rc = send_seg(pcb, pcb->iss, 0, flags);
    pcb->snd_nxt = pcb->iss + 1;
    if (seq_gt(pcb->snd_nxt, pcb->snd_max)) pcb->snd_max = pcb->snd_nxt;
    if (!pcb->rtx_timer.active) tcp_rtx_timer_start(pcb);
    return rc;
  }
  /* Control segments carry the highest sequence number sent: after a
   * retransmission timeout snd_nxt goes back, but the peer may already
   * hold everything up to snd_max and would find an older number
   * unacceptable (and drop the ACK in it). */
  return send_seg(pcb, pcb->snd_max, 0, flags);
}

void tcp_send_keepalive(struct tcp_pcb *pcb) {
  /* RFC 1122 4.2.3.6: SEG.SEQ = SND.NXT - 1 and no data makes the peer
   * answer with an ACK */
  send_seg(pcb, pcb->snd_una - 1, 0, TCP_ACK);
}

void tcp_ack_now(struct tcp_pcb *pcb) {
  pcb->flags |= TF_ACK_NOW;
  tcp_output_now(pcb);
}

void tcp_send_rst(struct tcp_pcb *pcb) {
  pcb->st->stats.tcp_resets_sent++;
  send_seg(pcb, pcb->snd_max, 0, TCP_RST | TCP_ACK);
}

void tcp_rst_reply(struct stack *st, const struct ipv4_repr *ip, const struct tcp_repr *t,
                   uint32_t seg_len) {
  if (t->flags & TCP_RST) return; /* never answer a reset */
  struct tcp_repr r = {.sport = t->dport, .dport = t->sport};
  if (t->flags & TCP_ACK) {
    r.seq = t->ack;
    r.flags = TCP_RST;
  } else {
    r.ack = t->seq + seg_len;
    r.flags = TCP_RST | TCP_ACK;
  }
  st->stats.tcp_resets_sent++;
  emit(st, ip->dst, ip->src, &r, NULL, 0, 0);
}

/* The FIN goes out: the first time, the state moves on (RFC 9293 3.10.4
 * CLOSE); a retransmitted FIN keeps its sequence number. */
static void fin_sent(struct tcp_pcb *pcb, uint32_t seq) {
  if (pcb->flags & TF_FIN_SENT) return;
  pcb->flags |= TF_FIN_SENT;
  pcb->snd_fin_seq = seq;
  if (pcb->state == TCP_ESTABLISHED || pcb->state == TCP_SYN_RCVD) tcp_set_state(pcb, TCP_FIN_WAIT_1);
  else if (pcb->state == TCP_CLOSE_WAIT) tcp_set_state(pcb, TCP_LAST_ACK);
}

/* One segment at snd_nxt; keeps the sequence variables and timers. */
static int send_data(struct tcp_pcb *pcb, uint32_t len, int fin, int push) {
  struct stack *st = pcb->st;
  uint32_t seq = pcb->snd_nxt;
  int rexmit = seq_lt(seq, pcb->snd_max);
  uint8_t flags = (uint8_t)(TCP_ACK | (fin ? TCP_FIN : 0) | (push && len ? TCP_PSH : 0));
  int rc = send_seg(pcb, seq, len, flags);
  if (rexmit) {
    pcb->counters.retransmits++;
    st->stats.tcp_retransmits++;
    if ((pcb->flags & TF_RTT_TIMING) && seq_leq(seq, pcb->rtt_seq))
      pcb->flags &= ~(uint32_t)TF_RTT_TIMING; /* Karn: no sample from a resent range */
  } else if (!(pcb->flags & TF_RTT_TIMING) && len) {
    pcb->flags |= TF_RTT_TIMING;
    pcb->rtt_seq = seq;
    pcb->rtt_start = stack_now(st);
  }
  pcb->snd_nxt = seq + len + (fin ? 1 : 0);
  if (fin) fin_sent(pcb, seq + len);
  if (seq_gt(pcb->snd_nxt, pcb->snd_max)) pcb->snd_max = pcb->snd_nxt;
  if (!pcb->rtx_timer.active || pcb->persist) {
    pcb->persist = 0;
    tcp_rtx_timer_start(pcb);
  }
  return rc;
}

int tcp_output_now(struct tcp_pcb *pcb) {
  switch (pcb->state) {
  case TCP_ESTABLISHED: case TCP_CLOSE_WAIT: case TCP_FIN_WAIT_1: case TCP_CLOSING:
  case TCP_LAST_ACK: case TCP_FIN_WAIT_2: case TCP_TIME_WAIT:
    break;
  case TCP_SYN_RCVD: /* only a FIN may wait here; data waits for ESTABLISHED */
  default:
    if (pcb->flags & TF_ACK_NOW && pcb->state != TCP_SYN_SENT && pcb->state != TCP_CLOSED &&
        pcb->state != TCP_LISTEN)
      send_seg(pcb, pcb->snd_max, 0, TCP_ACK);
    return STACK_OK;
  }
  int sent = 0, rc = STACK_OK;
  if ((pcb->flags & TF_RECOVERY) && (pcb->flags & TF_SACK)) {
    /* RFC 6675 sec. 5: while cwnd - pipe >= SMSS, send the next lost
     * hole, else new data */
    uint32_t pipe = tcp_sack_pipe(pcb); /* kept up to date as we send */
    for (;;) {
      uint32_t seq, len;
      if (pipe + pcb->mss > pcb->cwnd) break;
      if (tcp_sack_next_hole(pcb, &seq, &len)) {
        tcp_send_range(pcb, seq, len);
        pcb->rexmit_high = seq + len;
        pcb->rexmit_mark = pcb->snd_max;
        pcb->prr_out += len;
        pipe += len;
        sent = 1;
        continue;
      }
      uint32_t unsent = tcp_unsent(pcb), outstanding = pcb->snd_max - pcb->snd_una;
      len = unsent < pcb->mss ? unsent : pcb->mss;
      if (!len || pcb->snd_nxt != pcb->snd_max || outstanding + len > pcb->snd_wnd) break;
      int fin = (pcb->flags & TF_FIN_QUEUED) && len == unsent && !(pcb->flags & TF_FIN_SENT);
      rc = send_data(pcb, len, fin, len == unsent);
      pcb->prr_out += len;
      pipe += len;
      sent = 1;
      if (rc < 0) break;
    }
    if (!sent && (pcb->flags & TF_ACK_NOW)) rc = send_seg(pcb, pcb->snd_max, 0, TCP_ACK);
    return rc;
  }
  /* Limited transmit (RFC 3042): the first two duplicate ACKs each let one
   * new segment out, so a loss near the end of a window still gets the
   * three duplicates that start recovery. */
  uint32_t cw = pcb->cwnd + (pcb->dupacks < 3 ? pcb->dupacks * (uint32_t)pcb->mss : 0);
  uint32_t wnd = pcb->snd_wnd < cw ? pcb->snd_wnd : cw;
  for (;;) {
    uint32_t room = UINT32_MAX;
    if (seq_lt(pcb->snd_nxt, pcb->snd_max) && pcb->nsacked) {
      /* resending after a timeout: what the peer holds is skipped */
      pcb->snd_nxt = tcp_sack_skip(pcb, pcb->snd_nxt, &room);
      if (seq_gt(pcb->snd_nxt, pcb->snd_max)) pcb->snd_nxt = pcb->snd_max;
    }
    uint32_t unsent = tcp_unsent(pcb);
    if (!unsent) break;
    uint32_t inflight = pcb->snd_nxt - pcb->snd_una;
    uint32_t usable = wnd > inflight ? wnd - inflight : 0;
    uint32_t len = unsent < pcb->mss ? unsent : pcb->mss;
    if (len > usable) len = usable;
    if (len > room) len = room;
    if (len == 0) break;
    if (len < pcb->mss) {
      if (len < unsent) {
        /* the window cuts the segment: sender SWS avoidance (RFC 9293
         * 3.8.6.2.1) sends only at least half the largest window seen */
        if (len < pcb->snd_wnd_max / 2) break;
      } else if (inflight && !(pcb->flags & TF_NODELAY) && !(pcb->flags & TF_FIN_QUEUED)) {
        break; /* Nagle (RFC 9293 3.7.4): one small segment in flight at most */
      }
    }
    int fin = (pcb->flags & TF_FIN_QUEUED) && len == unsent &&
              (!(pcb->flags & TF_FIN_SENT) || pcb->snd_nxt + len == pcb->snd_fin_seq);
    rc = send_data(pcb, len, fin, len == unsent);
    sent = 1;
    if (rc < 0) break;
  }
  /* A FIN on its own: no data left to carry it (or it goes again after a
   * retransmission timeout took snd_nxt back to it). */
  if ((pcb->flags & TF_FIN_QUEUED) && !tcp_unsent(pcb) &&
      (!(pcb->flags & TF_FIN_SENT) ? pcb->state == TCP_ESTABLISHED || pcb->state == TCP_CLOSE_WAIT
                                   : pcb->snd_nxt == pcb->snd_fin_seq)) {
    rc = send_data(pcb, 0, 1, 0);
    sent = 1;
  }
  /* Zero window with data waiting and nothing in flight: probe it. */
  if (tcp_unsent(pcb) && pcb->snd_wnd == 0 && pcb->snd_nxt == pcb->snd_una && !pcb->rtx_timer.active) {
    pcb->persist = 1;
    pcb->backoff = 0;
    tcp_rtx_timer_start(pcb);
  }
  if (!sent && (pcb->flags & TF_ACK_NOW)) rc = send_seg(pcb, pcb->snd_max, 0, TCP_ACK);
  return rc;
}

void tcp_send_range(struct tcp_pcb *pcb, uint32_t seq, uint32_t len) {
  int fin = (pcb->flags & TF_FIN_SENT) && seq + len == pcb->snd_fin_seq;
  pcb->counters.retransmits++;
  pcb->st->stats.tcp_retransmits++;
  if ((pcb->flags & TF_RTT_TIMING) && seq_leq(seq, pcb->rtt_seq))
    pcb->flags &= ~(uint32_t)TF_RTT_TIMING; /* Karn */
  send_seg(pcb, seq, len, (uint8_t)(TCP_ACK | (fin ? TCP_FIN : 0)));
}

void tcp_rexmit_first(struct tcp_pcb *pcb) {
  uint32_t data_end = pcb->sbuf_seq + pcb->sbuf_len;
  uint32_t avail = seq_lt(pcb->snd_una, data_end) ? data_end - pcb->snd_una : 0;
  uint32_t inflight = pcb->snd_max - pcb->snd_una;
  uint32_t len = avail < pcb->mss ? avail : pcb->mss;
  if (len > inflight) len = inflight;
  int fin = (pcb->flags & TF_FIN_SENT) && pcb->snd_una + len == pcb->snd_fin_seq && len < pcb->mss;
  if (!len && !fin) return;
  pcb->counters.retransmits++;
  pcb->st->stats.tcp_retransmits++;
  if ((pcb->flags & TF_RTT_TIMING) && seq_leq(pcb->snd_una, pcb->rtt_seq))
    pcb->flags &= ~(uint32_t)TF_RTT_TIMING;
  send_seg(pcb, pcb->snd_una, len, (uint8_t)(TCP_ACK | (fin ? TCP_FIN : 0)));
}
