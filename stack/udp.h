/* UDP on the raw API (RFC 768).
 *
 * A PCB is bound to a local address (0 = any) and port, and optionally
 * connected to one remote address and port; then it receives only from
 * there. Datagrams arrive through the receive callback, in core context;
 * the callback owns the pbuf (its payload is the UDP payload) and must free
 * it.
 */
#ifndef LWSIM_STACK_UDP_H
#define LWSIM_STACK_UDP_H

#include <stdint.h>

#include "stack/stack.h"
#include "stack/wire/wire.h"

struct pbuf;
struct udp_pcb;

typedef void (*udp_recv_fn)(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src,
                            uint16_t sport);

/* NULL when the PCB pool (config udp_pcbs) is exhausted. */
struct udp_pcb *udp_new(struct stack *st);
/* Unbind and free; no callback runs for it afterwards. */
void udp_remove(struct udp_pcb *pcb);

/* Port 0 picks a free ephemeral port. STACK_EADDRINUSE when another PCB
 * has the same address and port (or either is the wildcard address). */
int udp_bind(struct udp_pcb *pcb, ip4_addr_t addr, uint16_t port);
/* Binds to an ephemeral port first if unbound. */
int udp_connect(struct udp_pcb *pcb, ip4_addr_t addr, uint16_t port);
void udp_disconnect(struct udp_pcb *pcb);
void udp_recv(struct udp_pcb *pcb, udp_recv_fn fn, void *arg);

/* Send the payload in p (the caller keeps its reference; p needs no header
 * room: one is made when missing). udp_send needs a connected PCB
 * (STACK_ENOTCONN). Sending to a broadcast address needs
 * udp_set_broadcast(pcb, 1) (STACK_EINVAL otherwise, as SO_BROADCAST).
 * Returns 0 or STACK_ENOROUTE, STACK_ENOMEM, STACK_EMSGSIZE, ... */
int udp_send(struct udp_pcb *pcb, struct pbuf *p);
int udp_sendto(struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t dst, uint16_t dport);
/* The same from a flat buffer. */
int udp_sendto_buf(struct udp_pcb *pcb, const void *data, size_t len, ip4_addr_t dst,
                   uint16_t dport);

void udp_set_broadcast(struct udp_pcb *pcb, int on);
/* TTL of datagrams sent (IP_TTL); 0 = the instance's. */
void udp_set_ttl(struct udp_pcb *pcb, uint8_t ttl);
/* Send with checksum 0 (none); received checksums are checked anyway. */
void udp_set_no_checksum(struct udp_pcb *pcb, int on);

uint16_t udp_local_port(const struct udp_pcb *pcb);
ip4_addr_t udp_local_addr(const struct udp_pcb *pcb);

#endif
