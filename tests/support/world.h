/* A small simulated network for stack tests: one engine, stack instances
 * ("nodes") on the simulator's port, links and segments between them. */
#ifndef LWSIM_TESTS_WORLD_H
#define LWSIM_TESTS_WORLD_H

#include <stdint.h>

#include "sim/engine.h"
#include "sim/media.h"
#include "sim/vthread.h"
#include "stack/icmp.h"
#include "stack/netif.h"
#include "stack/pbuf.h"
#include "stack/ports/sim/sim_port.h"
#include "stack/stack.h"
#include "stack/udp.h"

#define WORLD_MAX_NODES 1024
#define WORLD_MAX_MEDIA 1024

struct world {
  struct sim_engine *e;
  struct sim_sched *sched; /* vthreads: nodes' ports use it for threads */
  struct sim_trace *trace; /* world_traced(): media and nodes write to it */
  uint64_t seed;
  struct stack *st[WORLD_MAX_NODES];
  struct stack_sim_node *sn[WORLD_MAX_NODES];
  int nnodes;
  struct sim_medium *m[WORLD_MAX_MEDIA];
  int nmedia;
};

struct world *world_new(uint64_t seed);
void world_free(struct world *w);
/* A world whose media, scheduler and nodes write a (hash-only) trace. */
struct world *world_traced(uint64_t seed);
/* A node with the default config; cfg may be NULL or carry overrides
 * (its port is set here). Returns its index. */
int world_node(struct world *w, const char *name, const struct stack_config *cfg);
/* A medium; returns its index. */
int world_medium(struct world *w, enum sim_medium_kind kind, const char *name);
/* Attach node n to medium m as ifname with address a/prefix; returns the
 * netif. The MAC is 02:00:00:00:<n>:<medium> style, unique per pair. */
struct stack_netif *world_attach(struct world *w, int n, int m, const char *ifname, ip4_addr_t a,
                                 int prefix, ip4_addr_t gw);
void world_run_for(struct world *w, sim_time_t d);

static inline ip4_addr_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return ip4_addr_make(a, b, c, d);
}

#endif
