#include "world.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/trace.h"

struct world *world_traced(uint64_t seed) {
  struct world *w = calloc(1, sizeof *w);
  if (!w || sim_engine_new(&w->e, NULL) < 0 || sim_trace_open(&w->trace, NULL) < 0 ||
      sim_sched_new(&w->sched, w->e, w->trace) < 0)
    abort();
  w->seed = seed;
  return w;
}

struct world *world_new(uint64_t seed) {
  struct world *w = calloc(1, sizeof *w);
  if (!w || sim_engine_new(&w->e, NULL) < 0 || sim_sched_new(&w->sched, w->e, NULL) < 0) abort();
  w->seed = seed;
  return w;
}

void world_free(struct world *w) {
  for (int i = 0; i < w->nnodes; i++) stack_free(w->st[i]);
  /* tcpip threads end when they reach the quit message stack_free posted */
  sim_engine_run_until(w->e, sim_engine_now(w->e));
  for (int i = 0; i < w->nmedia; i++) sim_medium_free(w->m[i]);
  sim_sched_free(w->sched);
  for (int i = 0; i < w->nnodes; i++) stack_sim_node_free(w->sn[i]);
  sim_engine_free(w->e);
  if (w->trace) sim_trace_close(w->trace);
  free(w);
}

int world_node(struct world *w, const char *name, const struct stack_config *cfg) {
  int n = w->nnodes;
  if (n == WORLD_MAX_NODES) abort();
  if (stack_sim_node_new(&w->sn[n], w->e, w->sched, w->seed, name, w->trace) < 0) abort();
  struct stack_config c;
  if (cfg) c = *cfg;
  else stack_config_default(&c);
  c.name = name;
  c.port = stack_sim_node_port(w->sn[n]);
  if (stack_new(&w->st[n], &c) < 0) abort();
  w->nnodes++;
  return n;
}

int world_medium(struct world *w, enum sim_medium_kind kind, const char *name) {
  int m = w->nmedia;
  if (m == WORLD_MAX_MEDIA) abort();
  if (sim_medium_new(&w->m[m], w->e, kind, name, w->seed, w->trace) < 0) abort();
  w->nmedia++;
  return m;
}

struct stack_netif *world_attach(struct world *w, int n, int m, const char *ifname, ip4_addr_t a,
                                 int prefix, ip4_addr_t gw) {
  struct eth_addr mac = {{0x02, 0, (uint8_t)(n >> 8), (uint8_t)n, (uint8_t)(m >> 8), (uint8_t)m}};
  struct stack_netif *nif;
  if (stack_sim_eth_attach(w->sn[n], w->st[n], w->m[m], ifname, mac, 0, &nif) < 0) abort();
  ip4_addr_t mask = prefix ? (ip4_addr_t)(0xffffffffu << (32 - prefix)) : 0;
  stack_netif_set_up(nif, 1);
  stack_netif_set_addr(nif, a, mask, gw);
  return nif;
}

void world_run_for(struct world *w, sim_time_t d) {
  sim_engine_run_until(w->e, sim_engine_now(w->e) + d);
}
