/* The harness's Ethernet driver: attaches a stack netif to a sim medium
 * and logs every frame the node sends (the frame log behind frame
 * checks), so no tap is needed in sim/.
 *
 * Path of a frame: stack netif output -> netdev_output (log, then
 * sim_port_send: the medium copies) -> medium -> netdev_rx (an engine
 * event) -> stack_netif_input_frame while the netif exists. The sim port
 * outlives the netif (media have no port removal): after the netif is
 * removed, frames still arrive and are ignored, and frames can still be
 * injected. */
#ifndef LWSIM_HARNESS_NETDEV_H
#define LWSIM_HARNESS_NETDEV_H

#include <stddef.h>
#include <stdint.h>

#include "harness/frames.h"
#include "sim/media.h"
#include "stack/netif.h"

struct lwsim_netdev {
  struct stack_netif *nif; /* NULL once removed (the detach callback) */
  struct sim_port *port;
  struct sim_engine *e;
  struct lwsim_framelog *log;
  int node, netif, medium; /* scenario indices, for the log */
};

/* Attach: a sim port named (node_name, ifname) on m and a netif on st.
 * d must stay at a fixed address until the stack is freed. Returns 0 or a
 * negative STACK_E code (the port may exist even when the netif failed). */
int lwsim_netdev_attach(struct lwsim_netdev *d, struct stack *st, struct sim_medium *m,
                        const char *node_name, const char *ifname, struct eth_addr mac,
                        uint16_t mtu);
/* Send raw bytes from the port (logged like any frame). */
int lwsim_netdev_inject(struct lwsim_netdev *d, const uint8_t *frame, size_t len);

#endif
