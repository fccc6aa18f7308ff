/* The instance's insides, shared by the files of stack/core/ only.
 *
 * Map of a received frame (ARCHITECTURE.md "How a frame travels"):
 *   driver -> stack_netif_input (netif.c) -> eth_input (ethernet.c)
 *     -> arp_input (arp.c) | ip4_input (ip4.c) -> [ip4_reass (ip4_frag.c)]
 *     -> icmp_input (icmp.c) | udp_input (udp.c) -> the PCB's callback
 * and of a sent datagram:
 *   udp_sendto -> ip4_output (route, ip4.c) -> [ip4_frag] -> eth_output
 *     (arp.c resolves or queues) -> netif->output (driver)
 */
#ifndef LWSIM_STACK_CORE_PRIV_H
#define LWSIM_STACK_CORE_PRIV_H

#include <stdint.h>

#include "stack/netif.h"
#include "stack/pbuf.h"
#include "stack/stack.h"
#include "stack/tcp.h"
#include "stack/udp.h"
#include "stack/icmp.h"
#include "stack/wire/arp.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "stack/wire/udp.h"
#include "stack/wire/wire.h"

/* ------------------------------------------------------------- pools -- */

/* Fixed-size objects with a count limit, allocated from the heap on first
 * use and kept (never returned to the heap) until the instance is freed.
 * Freed objects are reused oldest first; with STACK_POOL_CHECKS they are
 * poisoned while free and checked when reused. */
struct pool_obj;
struct stack_pool {
  const char *name;
  uint32_t size;  /* object bytes */
  uint32_t clear; /* bytes zeroed on get (the rest is the caller's to fill) */
  uint32_t poison; /* bytes poisoned while free and checked on reuse */
  uint32_t limit; /* objects at most */
  uint32_t used, total, high;
  uint64_t fails;
  struct pool_obj *free_head, *free_tail; /* FIFO */
  struct pool_obj *all;                   /* every object, to free at the end */
};

/* clear, poison: as in struct stack_pool; 0 means the whole object */
void pool_init(struct stack_pool *pl, const char *name, uint32_t size, uint32_t limit,
               uint32_t clear, uint32_t poison);
void *pool_get(struct stack *st, struct stack_pool *pl);
/* Returns 0, or STACK_EINVAL (with a "double_free" finding) when obj is
 * already free. */
int pool_put(struct stack *st, struct stack_pool *pl, void *obj, const char *where);
int pool_obj_live(const void *obj);
uint32_t pool_obj_gen(const void *obj);    /* lifetimes ended so far */
struct stack *pool_obj_owner(const void *obj);
void pool_destroy(struct stack_pool *pl);

/* ------------------------------------------------------------ timers -- */

/* A one-shot timer embedded in the object it belongs to. Stopping an idle
 * timer is harmless; freeing an object must stop its timers first. */
struct tcpip_msg;
struct stack_timer {
  struct stack_port_timer pt; /* calls stimer_fire(this) */
  struct tcpip_msg *queued;   /* expired, waiting in the tcpip mailbox */
  struct stack *st;
  stack_port_fn fn;
  void *arg;
  uint8_t active;
};
void stimer_start(struct stack *st, struct stack_timer *t, stack_time_t delay, stack_port_fn fn,
                  void *arg);
void stimer_stop(struct stack_timer *t);
void stimer_run(struct stack_timer *t);

/* tcpip thread (stack/api/tcpip.c) */
struct tcpip_state;
int tcpip_post_timer(struct stack *st, struct stack_timer *t);
void tcpip_disarm_timer(struct stack_timer *t);
/* A received frame for nif, posted to the tcpip thread: STACK_OK (taken),
 * or an error with p still the caller's. */
int tcpip_post_input(struct stack_netif *nif, struct pbuf *p);
/* stack_free: the thread lets go of the instance and ends on its own. */
void tcpip_detach(struct stack *st);
struct sock_table;
void sock_table_free(struct stack *st);
void st_core_violation(struct stack *st, const char *where);
int stack_in_core(struct stack *st);
/* Entry points of the raw API call this first. */
#define CORE_CHECK(st, where)                                                                     \
  do {                                                                                             \
    if ((st)->tcpip && !stack_in_core(st)) st_core_violation((st), (where));                      \
  } while (0)

/* --------------------------------------------------------------- ARP -- */

enum arp_state { ARP_EMPTY, ARP_PENDING, ARP_STABLE };
struct arp_entry {
  enum arp_state state;
  ip4_addr_t ip;
  struct eth_addr mac;
  struct stack_netif *nif;
  uint32_t tries;
  struct pbuf *queue[8]; /* IP packets waiting (config arp_queue <= 8) */
  uint32_t nqueue;
  stack_time_t used; /* last use, to pick a victim */
  struct stack_timer timer; /* retry while pending, expiry when stable */
};

/* ------------------------------------------------------------- netif -- */

struct stack_netif {
  struct stack *st;
  struct stack_netif *next;
  char name[16];
  struct eth_addr mac;
  ip4_addr_t addr, mask, gw;
  uint16_t mtu;
  uint8_t up, link, loopback;
  uint32_t id; /* unique in the instance, never reused: messages name netifs by it */
  struct dhcp *dhcp; /* the DHCP client, once started */
  stack_netif_output_fn output;
  void (*detach)(struct stack_netif *nif);
  void *driver;
  /* loopback: packets waiting for delivery (never delivered inside the
   * call that sent them), oldest first */
  struct pbuf **lo_q;
  uint32_t lo_n, lo_cap;
  struct stack_timer lo_timer;
};

/* -------------------------------------------------------- reassembly -- */

struct reass_dgram {
  struct reass_dgram *next;
  ip4_addr_t src, dst;
  uint16_t id;
  uint8_t proto;
  struct stack_netif *nif;
  struct pbuf *frags; /* fragments in offset order; see ip4_frag.c */
  uint32_t pbufs;     /* buffers held */
  uint32_t total;     /* payload length once the last fragment is in, else 0 */
  uint8_t hdr[60];    /* the first fragment's IP header */
  uint8_t hlen;       /* its length, 0 until the first fragment is in */
  struct stack_timer timer;
};

/* ------------------------------------------------------------ stack --- */

struct stack {
  struct stack_config cfg;
  char name[32];
  struct stack_port port;
  size_t heap_bytes;

  struct stack_pool pbufs, udp_pcbs, reass, tcp_pcbs;
  uint32_t timers_active;

  struct stack_netif *netifs; /* in the order added */
  uint32_t nnetifs;
  struct stack_netif *loopback, *default_nif;
  uint32_t next_netif_id;
  struct tcpip_state *tcpip; /* NULL until stack_tcpip_start */
  struct sock_table *socks;  /* NULL until the first socket */
  uint16_t ip_id;

  struct arp_entry *arp; /* cfg.arp_entries */

  struct reass_dgram *reass_list;
  uint32_t reass_pbufs;

  /* ICMP error token bucket, in tokens scaled by 1e9 (1 token per error). */
  uint64_t icmp_tokens;
  stack_time_t icmp_last;
  stack_icmp_echo_fn echo_fn;
  void *echo_arg;

  struct udp_pcb *udp_list;
  uint16_t next_port;
  struct udp_pcb *dhcp_pcb; /* port 68, shared by every netif's DHCP client */

  struct tcp_pcb *tcp_list; /* listeners, connections, TIME-WAIT */
  uint16_t tcp_next_port;
  uint64_t tcp_secret[2];   /* RFC 6528 ISN key, from the port's random stream */

  struct stack_stats stats;
};

/* Heap memory of the instance outside its pools (counted). */
void *st_calloc(struct stack *st, size_t n, size_t size);
void st_free(struct stack *st, void *p, size_t size);

void st_finding(struct stack *st, const char *kind, const char *where, const char *detail);
void st_log(struct stack *st, enum stack_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Count a drop under cause d (and its protocol's drop counter). */
void st_drop(struct stack *st, enum stack_drop d);

/* Layers (each file's entry points). */
void eth_input(struct stack_netif *nif, struct pbuf *p);
/* Send an IP packet (header in place) to next hop `nexthop` on nif. Takes p. */
int eth_output_ip(struct stack_netif *nif, struct pbuf *p, ip4_addr_t nexthop);
/* Send a frame with the Ethernet header in front of p's payload. Takes p. */
int eth_send(struct stack_netif *nif, struct pbuf *p, const struct eth_addr *dst, uint16_t type);

/* src: the frame's Ethernet source address */
void arp_input(struct stack_netif *nif, struct pbuf *p, const struct eth_addr *src);
int arp_resolve_and_send(struct stack_netif *nif, struct pbuf *p, ip4_addr_t nexthop);
void arp_announce(struct stack_netif *nif);
void arp_netif_removed(struct stack *st, struct stack_netif *nif);
/* RFC 5227-style probe: who has ip? (sender address 0) */
void arp_probe(struct stack_netif *nif, ip4_addr_t ip);

struct dhcp;
void dhcp_arp_seen(struct stack_netif *nif, ip4_addr_t spa);
void dhcp_netif_removed(struct stack *st, struct stack_netif *nif);
void arp_destroy(struct stack *st);

void ip4_input(struct stack_netif *nif, struct pbuf *p);
/* Route and send a transport payload: p's payload is the transport header;
 * an IP header is pushed in front. ttl 0 = the configured one. Takes p. */
int ip4_output(struct stack *st, struct pbuf *p, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
               uint8_t ttl, uint8_t tos);
/* Route: the netif and next hop for dst, or NULL. */
struct stack_netif *ip4_route(struct stack *st, ip4_addr_t dst, ip4_addr_t *nexthop);
int ip4_is_local(const struct stack *st, ip4_addr_t a);
int ip4_is_broadcast(const struct stack_netif *nif, ip4_addr_t a);
/* Send an IP packet (header in place) on nif, fragmenting to its MTU. */
int ip4_send_on(struct stack_netif *nif, struct pbuf *p, ip4_addr_t nexthop);

/* Send p (header in place) as fragments that fit nif->mtu. Takes p. */
int ip4_fragment(struct stack_netif *nif, struct pbuf *p, ip4_addr_t nexthop);
/* Hold a fragment (header in place); returns the whole datagram (header
 * in place, r updated) once complete, else NULL. Takes p. */
struct pbuf *ip4_reass(struct stack_netif *nif, struct pbuf *p, struct ipv4_repr *r);
void ip4_reass_netif_removed(struct stack *st, struct stack_netif *nif);
void ip4_reass_destroy(struct stack *st);

void icmp_input(struct stack_netif *nif, struct pbuf *p, const struct ipv4_repr *ip);
/* An ICMP error about the datagram in orig (its IP header first). */
void icmp_error(struct stack *st, const struct pbuf *orig, uint8_t type, uint8_t code);

size_t udp_pcb_size(void);
void udp_input(struct stack_netif *nif, struct pbuf *p, const struct ipv4_repr *ip);
void udp_netif_removed(struct stack *st, struct stack_netif *nif);
void udp_destroy(struct stack *st);

size_t tcp_pcb_size(void);
void tcp_input(struct stack_netif *nif, struct pbuf *p, const struct ipv4_repr *ip);
void tcp_netif_removed(struct stack *st, struct stack_netif *nif);
void tcp_destroy(struct stack *st);

void netif_destroy_all(struct stack *st);
/* Queue an IP packet on the loopback netif; delivered from a timer. */
int netif_loop_output(struct stack_netif *nif, struct pbuf *p);

#endif
