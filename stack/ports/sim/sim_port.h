/* The simulator's port: binds stack/port.h to sim/.
 *
 * A node is one stack instance's view of the simulation: the engine's
 * virtual clock, engine events for timers, the stream "node/<name>" for its
 * random numbers, the scheduler's vthreads and sync objects for its
 * threads, and a list of findings. The Ethernet driver attaches a netif to
 * a sim medium; frames arrive from engine events (core context).
 */
#ifndef LWSIM_STACK_PORTS_SIM_PORT_H
#define LWSIM_STACK_PORTS_SIM_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"
#include "sim/media.h"
#include "sim/trace.h"
#include "sim/vthread.h"
#include "stack/netif.h"
#include "stack/port.h"

struct stack_sim_node;

struct stack_sim_finding {
  sim_time_t time;
  char kind[32];
  char where[48];
  char detail[96];
};

/* sched may be NULL (no threads: raw API only); trace may be NULL. The
 * name is copied. */
int stack_sim_node_new(struct stack_sim_node **out, struct sim_engine *e, struct sim_sched *sched,
                       uint64_t seed, const char *name, struct sim_trace *trace);
/* Free after the stack that uses it. */
void stack_sim_node_free(struct stack_sim_node *n);
struct stack_port stack_sim_node_port(struct stack_sim_node *n);

size_t stack_sim_node_findings(const struct stack_sim_node *n);
const struct stack_sim_finding *stack_sim_node_finding(const struct stack_sim_node *n, size_t i);

/* Add an Ethernet netif to st, attached to medium m as port (node name,
 * ifname). Frames it sends go to m; frames m delivers go to the netif
 * while it exists. */
int stack_sim_eth_attach(struct stack_sim_node *n, struct stack *st, struct sim_medium *m,
                         const char *ifname, struct eth_addr mac, uint16_t mtu,
                         struct stack_netif **out);
/* The sim port of a netif attached above (NULL otherwise). */
struct sim_port *stack_sim_eth_port(struct stack_netif *nif);

#endif
