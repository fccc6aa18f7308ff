/* TCP on the raw (callback) API (RFC 9293).
 *
 * A PCB is created with tcp_new(), configured (callbacks, options), then
 * either bound and put to listen or connected. Callbacks run in core
 * context with the PCB's arg:
 *
 *   accept(arg, newpcb, err)      a connection reached ESTABLISHED on a
 *                                 listening PCB; set newpcb's callbacks here
 *   connected(arg, pcb, err)      an active open completed (err 0)
 *   recv(arg, pcb, p, err)        in-order data (the callback owns p; call
 *                                 tcp_recved() as it is consumed to reopen
 *                                 the window); p == NULL: the peer closed
 *                                 its side (FIN), no more data will come
 *   sent(arg, pcb, len)           len bytes were acknowledged: send buffer
 *                                 space is free again
 *   err(arg, err)                 the connection is gone (reset, timed out,
 *                                 aborted); the PCB is already freed
 *   poll(arg, pcb)                every poll interval while the PCB exists
 *
 * After tcp_close() the stack finishes the connection on its own (FIN,
 * TIME-WAIT) and frees the PCB; no callback runs for it any more, and the
 * caller must not use the pointer. After an err callback likewise.
 *
 * Errors are negative STACK_E codes: STACK_ENOMEM (pool or buffer full),
 * STACK_EADDRINUSE, STACK_ENOROUTE, STACK_ENOTCONN (not connected, or
 * writing after shutdown), STACK_EISCONN, STACK_EINVAL (bad state or
 * argument), STACK_ECONNREFUSED, STACK_ECONNRESET, STACK_ECONNABORTED,
 * STACK_ETIMEDOUT (in err callbacks).
 */
#ifndef LWSIM_STACK_TCP_H
#define LWSIM_STACK_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "stack/stack.h"
#include "stack/wire/wire.h"

struct pbuf;
struct tcp_pcb;

enum tcp_state {
  TCP_CLOSED,
  TCP_LISTEN,
  TCP_SYN_SENT,
  TCP_SYN_RCVD,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT_1,
  TCP_FIN_WAIT_2,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_LAST_ACK,
  TCP_TIME_WAIT,
};
/* "ESTABLISHED", "SYN-SENT", ...: the names of RFC 9293. */
const char *tcp_state_name(enum tcp_state s);

typedef int (*tcp_accept_fn)(void *arg, struct tcp_pcb *newpcb, int err);
typedef int (*tcp_connected_fn)(void *arg, struct tcp_pcb *pcb, int err);
typedef int (*tcp_recv_fn)(void *arg, struct tcp_pcb *pcb, struct pbuf *p, int err);
typedef void (*tcp_sent_fn)(void *arg, struct tcp_pcb *pcb, uint32_t len);
typedef void (*tcp_err_fn)(void *arg, int err);
typedef void (*tcp_poll_fn)(void *arg, struct tcp_pcb *pcb);
/* The peer's urgent pointer arrived or advanced (RFC 9293 3.8.5): `up` is
 * the sequence-space offset, from the next byte the application will be
 * given, of the byte after the urgent data (tcp_urgent_pending says how
 * many urgent bytes are still to come). */
typedef void (*tcp_urgent_fn)(void *arg, struct tcp_pcb *pcb, uint32_t pending);

/* NULL when the PCB pool (config tcp_pcbs) is exhausted. */
struct tcp_pcb *tcp_new(struct stack *st);

void tcp_arg(struct tcp_pcb *pcb, void *arg);
void tcp_accept(struct tcp_pcb *pcb, tcp_accept_fn fn);
void tcp_recv(struct tcp_pcb *pcb, tcp_recv_fn fn);
void tcp_sent(struct tcp_pcb *pcb, tcp_sent_fn fn);
void tcp_err(struct tcp_pcb *pcb, tcp_err_fn fn);
/* interval in nanoseconds; 0 stops polling */
void tcp_poll(struct tcp_pcb *pcb, tcp_poll_fn fn, stack_time_t interval);
void tcp_urgent(struct tcp_pcb *pcb, tcp_urgent_fn fn);
/* Urgent bytes received but not yet handed to the recv callback... or
 * handed but not yet consumed with tcp_recved (RFC 9293 MUST-33). */
uint32_t tcp_urgent_pending(const struct tcp_pcb *pcb);

/* Port 0 picks an ephemeral port. STACK_EADDRINUSE when taken (a PCB in
 * TIME-WAIT holds its port unless tcp_set_reuseaddr()). */
int tcp_bind(struct tcp_pcb *pcb, ip4_addr_t addr, uint16_t port);
/* Passive open; at most `backlog` connections may wait in SYN-RCVD or
 * un-accepted (0 = 1). */
int tcp_listen(struct tcp_pcb *pcb, int backlog);
/* Active open: sends SYN; STACK_OK means underway, `connected` reports. */
int tcp_connect(struct tcp_pcb *pcb, ip4_addr_t addr, uint16_t port, tcp_connected_fn connected);

enum {
  TCP_WRITE_MORE = 1,   /* more data follows at once: no PSH yet */
  TCP_WRITE_URGENT = 2, /* these bytes are urgent data: the urgent pointer
                           moves to their end (RFC 9293 3.8.5) */
};
/* Copy len bytes into the send buffer (STACK_ENOMEM when it does not fit:
 * see tcp_sndbuf) and send what the windows allow. */
int tcp_write(struct tcp_pcb *pcb, const void *data, size_t len, unsigned flags);
/* Free bytes in the send buffer. */
uint32_t tcp_sndbuf(const struct tcp_pcb *pcb);
/* Send what can be sent now (tcp_write already does). */
int tcp_output(struct tcp_pcb *pcb);
/* The application consumed len received bytes: reopen the window. */
void tcp_recved(struct tcp_pcb *pcb, uint32_t len);

/* Half-close: shut_tx sends FIN after the queued data (no more writes);
 * shut_rx discards further data. Both is tcp_close. */
int tcp_shutdown(struct tcp_pcb *pcb, int shut_rx, int shut_tx);
/* Graceful close (see above). Always succeeds on a valid PCB. */
int tcp_close(struct tcp_pcb *pcb);
/* Send RST when synchronized and free the PCB now; err is called with
 * STACK_ECONNABORTED. */
void tcp_abort(struct tcp_pcb *pcb);

/* Options. */
void tcp_nagle(struct tcp_pcb *pcb, int on);       /* on by default; off = TCP_NODELAY */
void tcp_keepalive(struct tcp_pcb *pcb, int on);   /* times from the config */
void tcp_set_reuseaddr(struct tcp_pcb *pcb, int on);
void tcp_set_wscale(struct tcp_pcb *pcb, int on);  /* before connect/listen; config default */
void tcp_set_sack(struct tcp_pcb *pcb, int on);    /* before connect/listen; config default */
void tcp_set_timestamps(struct tcp_pcb *pcb, int on); /* before connect/listen; config default */

/* Inspection, for tests and reports. */
enum tcp_state tcp_pcb_state(const struct tcp_pcb *pcb);
uint16_t tcp_local_port(const struct tcp_pcb *pcb);
ip4_addr_t tcp_local_addr(const struct tcp_pcb *pcb);
uint16_t tcp_remote_port(const struct tcp_pcb *pcb);
ip4_addr_t tcp_remote_addr(const struct tcp_pcb *pcb);
struct tcp_info {
  enum tcp_state state;
  uint32_t snd_una, snd_nxt, snd_wnd, rcv_nxt, rcv_wnd;
  uint32_t mss, cwnd, ssthresh;
  stack_time_t srtt, rttvar, rto;
  uint8_t snd_wscale, rcv_wscale, sack, timestamps, in_recovery;
  uint32_t unsent, unacked, ooseq;
  uint64_t retransmits, bytes_acked, bytes_received;
};
void tcp_get_info(const struct tcp_pcb *pcb, struct tcp_info *out);

#endif
