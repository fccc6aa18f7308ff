/* DHCP client (RFC 2131) per netif, and a small DHCP server app for
 * scenarios. Raw API: call in core context (netifapi marshals these from
 * application threads).
 *
 * Client states: INIT -> SELECTING (DISCOVER sent) -> REQUESTING (REQUEST
 * for an OFFER) -> CHECKING (ARP probe of the offered address; a reply
 * means it is taken: DECLINE, and INIT again after 10 s) -> BOUND (address
 * set) -> RENEWING at T1 (REQUEST to the server) -> REBINDING at T2
 * (broadcast REQUEST) -> expiry: address removed, INIT. INIT-REBOOT when
 * started with a remembered address. Retransmissions back off 4, 8, 16,
 * 32, 64 s, each randomized by +-1 s (RFC 2131 4.1), from the instance's
 * random stream.
 */
#ifndef LWSIM_STACK_DHCP_H
#define LWSIM_STACK_DHCP_H

#include <stdint.h>

#include "stack/netif.h"

enum dhcp_state {
  DHCP_OFF,
  DHCP_INIT,
  DHCP_SELECTING,
  DHCP_REQUESTING,
  DHCP_CHECKING,
  DHCP_BOUND,
  DHCP_RENEWING,
  DHCP_REBINDING,
  DHCP_INIT_REBOOT,
  DHCP_REBOOTING,
};
const char *dhcp_state_name(enum dhcp_state s);

/* Start (or restart) the client on nif. With `remembered` != 0 it starts
 * in INIT-REBOOT asking for that address. */
int dhcp_start(struct stack_netif *nif, ip4_addr_t remembered);
/* Stop: timers cancelled, address kept (as lwIP's dhcp_stop). */
void dhcp_stop(struct stack_netif *nif);
/* Renew now (BOUND: RENEWING at once). */
int dhcp_renew(struct stack_netif *nif);
/* Give the lease back (RELEASE) and remove the address. */
int dhcp_release(struct stack_netif *nif);

struct dhcp_info {
  enum dhcp_state state;
  ip4_addr_t addr, mask, router, server, dns[2];
  uint32_t lease, t1, t2;       /* seconds */
  uint32_t discovers, requests, declines, naks, acks;
};
/* STACK_ENOENT when no client runs on nif. */
int dhcp_get_info(const struct stack_netif *nif, struct dhcp_info *out);

/* ------------------------------------------------------------ server -- */

struct dhcp_server_config {
  ip4_addr_t pool_first;  /* addresses handed out: pool_first .. + pool_size - 1 */
  uint32_t pool_size;
  ip4_addr_t mask, router, dns;
  uint32_t lease;         /* seconds */
  uint32_t t1, t2;        /* 0: lease / 2 and lease * 7 / 8 */
  /* faults, for scenarios */
  uint8_t drop_offers;    /* never answer DISCOVER */
  uint8_t nak_requests;   /* answer every REQUEST with NAK */
};
struct dhcp_server;
/* A server on nif (which must have its address set), listening on 67. */
int dhcp_server_start(struct stack_netif *nif, const struct dhcp_server_config *c,
                      struct dhcp_server **out);
void dhcp_server_stop(struct dhcp_server *s);
/* Counters: offers, acks, naks sent; declines and releases seen. */
struct dhcp_server_stats {
  uint32_t offers, acks, naks, declines, releases;
};
const struct dhcp_server_stats *dhcp_server_stats(const struct dhcp_server *s);
/* Change the faults while running (scenarios flip them). */
void dhcp_server_set_faults(struct dhcp_server *s, int drop_offers, int nak_requests);

#endif
