/* netconn: the sequential API (the seed documents' "sequential-style
 * APIs"), for application threads of an instance whose tcpip thread runs
 * (stack/tcpip.h).
 *
 * Each call is a message to the tcpip thread (stack/api/api_lib.c builds
 * it, stack/api/api_msg.c runs it in core context): the calling thread
 * blocks until the core has done its part, and, for connect, accept,
 * write and recv, until the connection has progressed far enough or the
 * receive timeout expires. Data arrives through the connection's mailbox,
 * so recv blocks only its caller.
 *
 * Errors are negative STACK_E codes: STACK_ETIMEDOUT (receive timeout),
 * STACK_EAGAIN (non-blocking and nothing to do now), STACK_ECLOSED (the
 * peer closed, or the connection was closed locally while waiting),
 * STACK_ECONNRESET / ECONNREFUSED / ECONNABORTED (the connection's error,
 * sticky: netconn_err returns it).
 */
#ifndef LWSIM_STACK_NETCONN_H
#define LWSIM_STACK_NETCONN_H

#include <stddef.h>
#include <stdint.h>

#include "stack/stack.h"
#include "stack/wire/wire.h"

struct pbuf;
struct netconn;

enum netconn_type { NETCONN_TCP, NETCONN_UDP };

/* NULL when a pool or the heap is exhausted, or the tcpip thread is not
 * running. */
struct netconn *netconn_new(struct stack *st, enum netconn_type type);
/* Close if needed and free: no other thread may use conn any more. */
void netconn_delete(struct netconn *conn);

int netconn_bind(struct netconn *conn, ip4_addr_t addr, uint16_t port);
/* TCP: until established (or STACK_EINPROGRESS when non-blocking; wait
 * with netconn_connect again, which returns STACK_EISCONN once done).
 * UDP: sets the default destination. */
int netconn_connect(struct netconn *conn, ip4_addr_t addr, uint16_t port);
int netconn_listen(struct netconn *conn, int backlog);
int netconn_accept(struct netconn *conn, struct netconn **newconn);

/* TCP: copy len bytes into the send buffer, blocking until all of it is
 * queued; *written (may be NULL) gets how much (non-blocking: what fitted,
 * STACK_EAGAIN when nothing did). */
int netconn_write(struct netconn *conn, const void *data, size_t len, size_t *written);
/* UDP. */
int netconn_sendto(struct netconn *conn, const void *data, size_t len, ip4_addr_t addr,
                   uint16_t port);
int netconn_send(struct netconn *conn, const void *data, size_t len);

/* The next data: TCP in-order bytes, UDP one datagram (from addr/port,
 * which may be NULL). The caller owns *p and frees it with pbuf_free from
 * its own thread: buffer functions take no core state beyond their pool,
 * and run without a yield point, so they are atomic in the simulator (a
 * port for a preemptive OS guards the pools with its light protection).
 * STACK_ECLOSED at the end of the stream. */
int netconn_recv(struct netconn *conn, struct pbuf **p);
int netconn_recv_from(struct netconn *conn, struct pbuf **p, ip4_addr_t *addr, uint16_t *port);

int netconn_shutdown(struct netconn *conn, int shut_rx, int shut_tx);
/* Close the connection; threads blocked in recv, accept, connect or write
 * on it wake with STACK_ECLOSED. The netconn stays valid until delete. */
int netconn_close(struct netconn *conn);

/* Readiness events, for the socket layer's select and poll: called in
 * core context when data or a connection arrives (NETCONN_EVT_RCVPLUS),
 * send buffer space frees (NETCONN_EVT_SENDPLUS) or the connection fails
 * or ends (NETCONN_EVT_ERROR); netconn_recv and netconn_accept report
 * NETCONN_EVT_RCVMINUS from the application side. */
enum netconn_evt { NETCONN_EVT_RCVPLUS, NETCONN_EVT_RCVMINUS, NETCONN_EVT_SENDPLUS, NETCONN_EVT_ERROR };
typedef void (*netconn_evt_fn)(void *arg, struct netconn *conn, enum netconn_evt evt);
void netconn_set_event(struct netconn *conn, netconn_evt_fn fn, void *arg);
/* Bytes free in the send buffer (0 when not connected). */
uint32_t netconn_sndbuf(const struct netconn *conn);
/* The local and remote ends; 0 or STACK_ENOTCONN. */
int netconn_addr(const struct netconn *conn, int local, ip4_addr_t *addr, uint16_t *port);

void netconn_set_recvtimeout(struct netconn *conn, stack_time_t timeout); /* 0 = forever */
void netconn_set_nonblocking(struct netconn *conn, int on);
int netconn_err(const struct netconn *conn);
struct tcp_pcb *netconn_tcp_pcb(const struct netconn *conn); /* for inspection */

#endif
