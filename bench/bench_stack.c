/* Stack instances: what an idle one costs, and how fast and how small
 * 100,000 of them are.
 *
 *   instance_idle_bytes    heap held by one instance with one Ethernet
 *                          netif, outside its pools (stack_heap_bytes)
 *   node_idle_bytes        the same plus what the simulator keeps for it
 *                          (port, driver, its end of a link), from the
 *                          allocator's own count
 *   instances_100k_s       wall time to create 100,000 such instances, in
 *                          pairs on 50,000 links, addresses set, and run
 *                          until their gratuitous ARPs have been delivered
 *   instances_100k_rss_mb  the process's resident memory after that
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/engine.h"
#include "sim/media.h"
#include "stack/netif.h"
#include "stack/ports/sim/sim_port.h"
#include "stack/stack.h"

#define N 100000

static double wall(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  if (f) fclose(f);
  return kb;
}

struct node {
  struct stack_sim_node *sn;
  struct stack *st;
};

static void node_new(struct node *n, struct sim_engine *e, struct sim_medium *m, int i) {
  char name[24];
  snprintf(name, sizeof name, "n%d", i);
  struct stack_config c;
  stack_config_default(&c);
  c.name = name;
  if (stack_sim_node_new(&n->sn, e, NULL, 1, name, NULL) < 0) abort();
  c.port = stack_sim_node_port(n->sn);
  if (stack_new(&n->st, &c) < 0) abort();
  struct eth_addr mac = {{0x02, 0, (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i}};
  struct stack_netif *nif;
  if (stack_sim_eth_attach(n->sn, n->st, m, "eth0", mac, 0, &nif) < 0) abort();
  stack_netif_set_up(nif, 1);
  stack_netif_set_addr(nif, 0x0a000000u | (uint32_t)(i + 1), 0xff000000u, 0);
}

int main(void) {
  struct sim_engine *e;
  if (sim_engine_new(&e, NULL) < 0) abort();

  /* One instance, measured alone. */
  struct sim_medium *m1;
  sim_medium_new(&m1, e, SIM_MEDIUM_LINK, "one", 1, NULL);
  size_t heap0 = mallinfo2().uordblks;
  struct node one;
  node_new(&one, e, m1, 0);
  sim_engine_run(e);
  size_t node_bytes = mallinfo2().uordblks - heap0;
  printf("instance_idle_bytes: %zu bytes\n", stack_heap_bytes(one.st));
  printf("node_idle_bytes: %zu bytes\n", node_bytes);
  stack_free(one.st);
  stack_sim_node_free(one.sn);
  sim_medium_free(m1);

  /* 100,000 of them. */
  long rss0 = rss_kb();
  struct node *nodes = calloc(N, sizeof *nodes);
  struct sim_medium **links = calloc(N / 2, sizeof *links);
  double t0 = wall();
  for (int i = 0; i < N; i++) {
    if (i % 2 == 0) {
      char name[24];
      snprintf(name, sizeof name, "l%d", i / 2);
      if (sim_medium_new(&links[i / 2], e, SIM_MEDIUM_LINK, name, 1, NULL) < 0) abort();
    }
    node_new(&nodes[i], e, links[i / 2], i);
  }
  sim_engine_run(e);
  double dt = wall() - t0;
  long rss = rss_kb();
  printf("instances_100k_s: %.2f s\n", dt);
  printf("instances_100k_rss_mb: %.0f MB\n", (double)rss / 1024.0);
  printf("instances_100k_rss_growth_mb: %.0f MB\n", (double)(rss - rss0) / 1024.0);
  for (int i = 0; i < N; i++) {
    stack_free(nodes[i].st);
    stack_sim_node_free(nodes[i].sn);
  }
  for (int i = 0; i < N / 2; i++) sim_medium_free(links[i]);
  free(nodes);
  free(links);
  sim_engine_free(e);
  return 0;
}
