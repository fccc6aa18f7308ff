/* The world a scenario runs in: one engine, the media, the nodes (stack
 * instances with their netdevs) and the apps. Internal to the harness: the
 * runner builds it, apps.c and checks.c work on it. */
#ifndef LWSIM_HARNESS_WORLD_H
#define LWSIM_HARNESS_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "harness/frames.h"
#include "harness/netdev.h"
#include "harness/scenario.h"
#include "reports/report.h"
#include "sim/engine.h"
#include "sim/media.h"
#include "sim/pcap.h"
#include "sim/trace.h"
#include "stack/ports/sim/sim_port.h"
#include "stack/stack.h"

struct lwsim_world;
struct udp_pcb;

#define LWSIM_APP_RESULTS_MAX 16

/* One running app. Results are indexed like lwsim_app_kinds[kind].results. */
struct lwsim_app_rt {
  struct lwsim_world *w;
  const struct lwsim_sc_app *spec;
  int idx;
  int running;
  sim_event_id next; /* the pending send, 0 when none */
  uint32_t seq;      /* next message to send */
  struct udp_pcb *pcb;
  sim_time_t *sent_at; /* ping: send time per sequence number (-1: not sent) */
  uint8_t *seen;       /* ping, udp_client: replies seen per sequence number */
  uint64_t res[LWSIM_APP_RESULTS_MAX];
};

struct lwsim_world_node {
  struct lwsim_world *w;
  int idx;
  struct stack_sim_node *sn;
  struct stack *st;
  struct lwsim_netdev *devs; /* one per scenario netif */
};

/* A scheduled action (its arg for the engine event). */
struct lwsim_world_action {
  struct lwsim_world *w;
  const struct lwsim_sc_action *a;
};

struct lwsim_world {
  const struct lwsim_scenario *sc;
  uint64_t seed;
  struct sim_engine *e;
  struct sim_trace *trace;
  struct sim_pcap **pcaps; /* per medium, or NULL */
  struct sim_medium **media;
  struct lwsim_world_node *nodes;
  struct lwsim_app_rt *apps;
  struct lwsim_world_action *acts;
  struct lwsim_framelog log;
};

/* apps.c: set up every app (and the nodes' echo-reply dispatch), start
 * and stop one, derive final results, free. */
int lwsim_apps_init(struct lwsim_world *w);
void lwsim_app_start(struct lwsim_app_rt *a);
void lwsim_app_stop(struct lwsim_app_rt *a);
void lwsim_apps_finish(struct lwsim_world *w);
void lwsim_apps_free(struct lwsim_world *w);

/* checks.c: evaluate every check of the scenario into r. 0 or -1 (ENOMEM). */
int lwsim_checks_eval(const struct lwsim_world *w, struct lwsim_report_run *r);

/* A trace line from the harness ("node" is the subject, "kind" the event),
 * with one optional string field. */
void lwsim_world_trace(struct lwsim_world *w, const char *node, const char *kind,
                       const char *key, const char *value);

#endif
