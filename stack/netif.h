/* Network interfaces.
 *
 * A netif is an Ethernet interface bound to a driver (the simulator's
 * attachment point, stack/ports/sim/, or a test's own output function), or
 * the instance's loopback. It has one IPv4 address with its netmask and an
 * optional gateway, an MTU, and two switches: administratively up or down,
 * and link up or down. It sends and receives only while both are up.
 *
 * Removing a netif cancels every timer, ARP entry, reassembly buffer and
 * queued packet that refers to it, and unbinds the PCBs bound to its
 * address; nothing dangles.
 */
#ifndef LWSIM_STACK_NETIF_H
#define LWSIM_STACK_NETIF_H

#include <stdint.h>

#include "stack/stack.h"
#include "stack/wire/wire.h"

struct pbuf;
struct stack_netif;

/* The driver's transmit function: send the Ethernet frame in p (header
 * included, chained). The driver copies what it needs; the stack frees p
 * after the call. Returns 0 or a negative STACK_E code. */
typedef int (*stack_netif_output_fn)(struct stack_netif *nif, struct pbuf *p);

struct stack_netif_config {
  const char *name;               /* "eth0"; copied, at most 15 bytes */
  struct eth_addr mac;
  uint16_t mtu;                   /* IP MTU; 0 = 1500 */
  stack_netif_output_fn output;   /* NULL only for the loopback */
  void *driver;                   /* the driver's state, see stack_netif_driver() */
  /* Called when the netif is removed (or its stack freed): the driver
   * must not call into it afterwards. May be NULL. */
  void (*detach)(struct stack_netif *nif);
};

int stack_netif_add(struct stack *st, const struct stack_netif_config *c, struct stack_netif **out);
/* Remove and free (see above). */
void stack_netif_remove(struct stack_netif *nif);

/* The instance's loopback netif (127.0.0.1/8), created by stack_new. */
struct stack_netif *stack_netif_loopback(struct stack *st);
struct stack_netif *stack_netif_find(struct stack *st, const char *name);

/* Address, netmask, gateway (0 = none). Setting an address on a netif that
 * is up with its link up sends a gratuitous ARP. */
int stack_netif_set_addr(struct stack_netif *nif, ip4_addr_t addr, ip4_addr_t mask, ip4_addr_t gw);
void stack_netif_set_up(struct stack_netif *nif, int up);
void stack_netif_set_link(struct stack_netif *nif, int up);
int stack_netif_set_mtu(struct stack_netif *nif, uint16_t mtu); /* 68..65535 */
/* The instance's default route: a netif whose gateway is used for
 * destinations no netif's subnet covers (NULL: none). */
void stack_netif_set_default(struct stack *st, struct stack_netif *nif);

/* A frame received by the driver (Ethernet header first). The stack takes
 * the reference to p. */
void stack_netif_input(struct stack_netif *nif, struct pbuf *p);
/* The same from flat bytes (copied into buffers; counted as a pool_empty
 * drop when none is free). */
void stack_netif_input_frame(struct stack_netif *nif, const void *frame, size_t len);

const char *stack_netif_name(const struct stack_netif *nif);
struct stack *stack_netif_stack(const struct stack_netif *nif);
void *stack_netif_driver(const struct stack_netif *nif);
ip4_addr_t stack_netif_addr(const struct stack_netif *nif);
ip4_addr_t stack_netif_mask(const struct stack_netif *nif);
ip4_addr_t stack_netif_gw(const struct stack_netif *nif);
uint16_t stack_netif_mtu(const struct stack_netif *nif);
const struct eth_addr *stack_netif_mac(const struct stack_netif *nif);
int stack_netif_is_up(const struct stack_netif *nif);   /* admin and link up */

/* ARP cache lookups, for tests and reports: the MAC of ip if resolved. */
int stack_arp_lookup(struct stack *st, ip4_addr_t ip, struct eth_addr *mac);
/* Entries in the cache, resolved or pending. */
uint32_t stack_arp_entries(const struct stack *st);

#endif
