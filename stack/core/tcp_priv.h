/* TCP's insides, shared by tcp.c (PCBs, API, timers), tcp_in.c (segment
 * arrival, RFC 9293 sec. 3.10.7) and tcp_out.c (segment departure).
 *
 * Send side, in sequence space:
 *
 *        snd_una          snd_nxt         snd_max       snd_una + buffered
 *   ------|=================|===============|=================|----------
 *          sent, unacked     (after an RTO:   not yet sent
 *                             resent again)
 *
 * The send buffer is a ring holding every byte from snd_una on (acked
 * bytes leave it); a SYN and a FIN each take one sequence number but no
 * byte of it. snd_max is the highest sequence number sent so far; after a
 * retransmission timeout snd_nxt goes back to snd_una (go-back-N) while
 * snd_max stays, so ACKs up to snd_max stay acceptable.
 *
 * Receive side: in-order data goes straight to the recv callback; the
 * window is tcp_rcv_buf minus what the application has not yet consumed
 * (tcp_recved). Out-of-order segments wait in ooseq, sorted, non-overlapping.
 */
#ifndef LWSIM_STACK_CORE_TCP_PRIV_H
#define LWSIM_STACK_CORE_TCP_PRIV_H

#include "stack/core/priv.h"

enum {
  TF_ACK_NOW = 1u << 0,     /* send an ACK at the next output */
  TF_ACK_DELAYED = 1u << 1, /* one full segment is waiting to be ACKed */
  TF_NODELAY = 1u << 2,     /* Nagle off */
  TF_FIN_QUEUED = 1u << 3,  /* close/shutdown: FIN goes after the data */
  TF_FIN_SENT = 1u << 4,    /* the FIN has a sequence number (snd_fin_seq) */
  TF_CLOSED = 1u << 5,      /* the application closed: no more callbacks */
  TF_RX_SHUT = 1u << 6,     /* shutdown(rx): discard incoming data */
  TF_WSCALE = 1u << 7,      /* window scaling offered / in use */
  TF_SACK = 1u << 8,        /* SACK offered / permitted */
  TF_KEEPALIVE = 1u << 9,
  TF_REUSEADDR = 1u << 10,
  TF_RTT_TIMING = 1u << 11, /* rtt_seq is being timed */
  TF_RECOVERY = 1u << 12,   /* NewReno fast recovery */
  TF_ACCEPTED = 1u << 14,   /* handed to the accept callback */
  TF_FIN_RCVD = 1u << 15,   /* the peer's FIN was taken in */
  TF_PASSIVE = 1u << 16,    /* made by a listener */
  TF_TS = 1u << 17,         /* timestamps offered / in use (RFC 7323) */
  TF_SND_URG = 1u << 18,    /* snd_up is set */
  TF_RCV_URG = 1u << 19,    /* rcv_up is set */
};

#define TCP_SACK_RANGES 2048 /* enough for every hole in a 4 MB window */

struct tcp_seg {
  struct tcp_seg *next;
  uint32_t seq, len; /* payload bytes [seq, seq + len) */
  struct pbuf *p;    /* payload, exactly len bytes */
};

struct tcp_pcb {
  struct stack *st;
  struct tcp_pcb *next;
  enum tcp_state state;
  uint32_t flags;
  ip4_addr_t laddr, raddr;
  uint16_t lport, rport;

  /* callbacks */
  void *arg;
  tcp_accept_fn accept;
  tcp_connected_fn connected;
  tcp_recv_fn recv;
  tcp_sent_fn sent;
  tcp_err_fn errf;
  tcp_poll_fn poll;
  tcp_urgent_fn urgent;
  stack_time_t poll_interval;

  /* listening */
  struct tcp_pcb *listener; /* for a connection made by a listener, until accepted */
  uint16_t backlog, pending;

  /* send sequence variables (RFC 9293 sec. 3.3.1) */
  uint32_t iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2, snd_fin_seq;
  uint32_t snd_wnd, snd_wnd_max;
  uint8_t snd_wscale, rcv_wscale;
  uint16_t mss;       /* send MSS: peer's offer bounded by our MTU */
  uint8_t *sbuf;      /* the send ring, tcp_snd_buf bytes, allocated on first write */
  uint32_t sbuf_size, sbuf_head, sbuf_len;
  uint32_t sbuf_seq;  /* sequence number of the ring's first byte (iss + 1 at first,
                         then snd_una once the SYN is acked) */

  /* receive sequence variables */
  uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge last advertised */
  uint32_t rcv_unread;            /* delivered, not yet tcp_recved */
  struct tcp_seg *ooseq;
  uint32_t nooseq;

  /* RTT (RFC 6298), congestion control (RFC 5681, RFC 6582) */
  stack_time_t srtt, rttvar, rto, rtt_start;
  uint32_t rtt_seq;
  uint32_t cwnd, ssthresh, recover, dupacks;
  uint32_t retries, backoff;

  /* SACK (RFC 2018, RFC 6675): the sender's scoreboard of ranges above
   * snd_una the peer holds, sorted, disjoint; the receiver's last
   * out-of-order arrival (its block is reported first) */
  struct tcp_sack_block *sacked; /* grown on demand up to TCP_SACK_RANGES */
  uint16_t nsacked, cap_sacked;
  uint32_t rexmit_high; /* in SACK recovery: holes below it were resent */
  uint32_t rexmit_mark; /* snd_max when a hole was last resent */
  /* Proportional Rate Reduction (RFC 6937) during SACK recovery */
  uint32_t prr_delivered, prr_out, recover_fs;
  uint32_t sack_last;

  /* timestamps (RFC 7323): TS.Recent, Last.ACK.sent, the clock's offset */
  uint32_t ts_recent, last_ack_sent, ts_offset;

  /* urgent pointers (RFC 9293 3.8.5): the sequence number just after the
   * urgent data, on each side; valid while the TF_*_URG flag is set */
  uint32_t snd_up, rcv_up;

  /* keep-alive */
  uint32_t keep_probes;

  struct stack_timer rtx_timer;   /* retransmission or persist */
  struct stack_timer ack_timer;   /* delayed ACK */
  struct stack_timer keep_timer;  /* keep-alive */
  struct stack_timer wait_timer;  /* TIME-WAIT, and the poll interval otherwise */
  uint8_t persist;                /* rtx_timer runs as the persist timer */

  struct tcp_info_counters {
    uint64_t retransmits, bytes_acked, bytes_received;
  } counters;
};

/* tcp.c */
struct tcp_pcb *tcp_pcb_alloc(struct stack *st);
/* Free now: timers stopped, queues released, off the list. */
void tcp_pcb_free(struct tcp_pcb *pcb);
/* The connection ends with err: err callback (unless closed by the app)
 * then free. */
void tcp_pcb_fail(struct tcp_pcb *pcb, int err);
/* (Re)start TIME-WAIT's 2 MSL. */
void tcp_enter_time_wait(struct tcp_pcb *pcb);
/* The connection is over: freed if the application closed it, else left
 * in CLOSED for its tcp_close(). */
void tcp_pcb_done(struct tcp_pcb *pcb);
void tcp_set_state(struct tcp_pcb *pcb, enum tcp_state s);
uint32_t tcp_isn(struct stack *st, ip4_addr_t la, uint16_t lp, ip4_addr_t ra, uint16_t rp);
void tcp_rtx_timer_start(struct tcp_pcb *pcb);
void tcp_keepalive_reset(struct tcp_pcb *pcb);
uint16_t tcp_mss_for(struct stack *st, ip4_addr_t dst);
uint8_t tcp_wscale_for(uint32_t rcv_buf);
/* The timestamp clock (RFC 7323 5.4): milliseconds plus a per-connection
 * offset. */
static inline uint32_t tcp_ts_now(const struct tcp_pcb *pcb) {
  return (uint32_t)(stack_now(pcb->st) / 1000000) + pcb->ts_offset;
}

/* tcp_sack.c */
/* Take a segment's SACK blocks into the scoreboard; forget what snd_una
 * passed. */
void tcp_sack_update(struct tcp_pcb *pcb, const struct tcp_repr *t);
void tcp_sack_prune(struct tcp_pcb *pcb);
/* Bytes the scoreboard holds. */
uint32_t tcp_sack_total(const struct tcp_pcb *pcb);
/* Bytes SACKed above seq. */
uint32_t tcp_sack_above(const struct tcp_pcb *pcb, uint32_t seq);
/* RFC 6675 IsLost: at least 3 segments' worth SACKed above seq. */
int tcp_sack_is_lost(const struct tcp_pcb *pcb, uint32_t seq);
/* RFC 6675 pipe: bytes believed in flight. */
uint32_t tcp_sack_pipe(const struct tcp_pcb *pcb);
/* The next hole to retransmit in recovery ([*seq, *seq + *len)), or 0. */
int tcp_sack_next_hole(const struct tcp_pcb *pcb, uint32_t *seq, uint32_t *len);
/* If seq lies in a SACKed range, the range's end, else seq; *room gets
 * the bytes up to the next SACKed range (UINT32_MAX when none). */
uint32_t tcp_sack_skip(const struct tcp_pcb *pcb, uint32_t seq, uint32_t *room);
/* The receiver's blocks for an ACK (RFC 2018 sec. 4): up to max. */
int tcp_sack_blocks(const struct tcp_pcb *pcb, struct tcp_sack_block *out, int max);

/* tcp_out.c */
/* Send one segment of buffered data at seq (a retransmission). */
void tcp_send_range(struct tcp_pcb *pcb, uint32_t seq, uint32_t len);
/* Send what the windows allow (data, FIN), or a pending ACK. */
int tcp_output_now(struct tcp_pcb *pcb);
/* Send an empty segment with the given flags (ACK, SYN, SYN|ACK, FIN...). */
int tcp_send_ctl(struct tcp_pcb *pcb, uint8_t flags);
/* Retransmit the first unacknowledged segment (fast retransmit, partial ACK). */
void tcp_rexmit_first(struct tcp_pcb *pcb);
/* RST answering a segment with no connection (RFC 9293 3.10.7.1). */
void tcp_rst_reply(struct stack *st, const struct ipv4_repr *ip, const struct tcp_repr *t,
                   uint32_t seg_len);
void tcp_send_rst(struct tcp_pcb *pcb);
void tcp_send_keepalive(struct tcp_pcb *pcb);
uint32_t tcp_rcv_wnd(const struct tcp_pcb *pcb);
void tcp_ack_now(struct tcp_pcb *pcb);
/* Buffered bytes not yet sent (from snd_nxt on). */
static inline uint32_t tcp_unsent(const struct tcp_pcb *pcb) {
  int32_t n = (int32_t)(pcb->sbuf_seq + pcb->sbuf_len - pcb->snd_nxt);
  return n > 0 ? (uint32_t)n : 0;
}

#endif
