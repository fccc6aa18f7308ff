/* netifapi: netif and DHCP calls for application threads, marshalled to
 * the tcpip thread (the seed documents' remedy for removing a netif or
 * stopping DHCP from another thread while tcpip timers use them). Each
 * call blocks until the core has done it and returns its result. */
#ifndef LWSIM_STACK_NETIFAPI_H
#define LWSIM_STACK_NETIFAPI_H

#include "stack/dhcp.h"
#include "stack/netif.h"

int netifapi_netif_add(struct stack *st, const struct stack_netif_config *c, struct stack_netif **out);
int netifapi_netif_remove(struct stack_netif *nif);
int netifapi_netif_set_up(struct stack_netif *nif, int up);
int netifapi_netif_set_link(struct stack_netif *nif, int up);
int netifapi_netif_set_addr(struct stack_netif *nif, ip4_addr_t addr, ip4_addr_t mask, ip4_addr_t gw);
int netifapi_dhcp_start(struct stack_netif *nif);
int netifapi_dhcp_stop(struct stack_netif *nif);
int netifapi_dhcp_renew(struct stack_netif *nif);
int netifapi_dhcp_release(struct stack_netif *nif);

#endif
