/* Scenarios: the JSON format (docs/scenario-format.md) parsed into plain C
 * structs, with validation.
 *
 * The loader knows the format and nothing about running: it resolves every
 * reference (a netif's medium, an app's node, a check's app) to an index,
 * fills defaults, and records every problem it finds in a struct
 * lwsim_diags (file, JSON path, found/expected). A scenario that loads
 * without diagnostics is complete and consistent: the runner
 * (harness/runner.h) may trust every index in it.
 *
 * Format 1 (LWSIM_SCENARIO_FORMAT). New features add keys and kinds; a
 * change that alters what an existing file means needs a new format number.
 */
#ifndef LWSIM_HARNESS_SCENARIO_H
#define LWSIM_HARNESS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "harness/jsonread.h"
#include "sim/engine.h"
#include "sim/media.h"
#include "stack/wire/wire.h"

#define LWSIM_SCENARIO_FORMAT 1
#define LWSIM_NAME_MAX 31   /* node, medium, app and check names */
#define LWSIM_IFNAME_MAX 15 /* netif names (the stack's limit) */

enum lwsim_engine_kind { LWSIM_ENGINE_BUILTIN, LWSIM_ENGINE_NS3 };
const char *lwsim_engine_name(int engine);

/* Directions of a port: a bit set. */
enum { LWSIM_DIR_TX = 1, LWSIM_DIR_RX = 2, LWSIM_DIR_BOTH = 3 };

/* One struct stack_config field set by a node's "config". */
struct lwsim_sc_config {
  int field; /* index into lwsim_config_fields (harness/config_fields.h) */
  int64_t value;
};

struct lwsim_sc_netif {
  char *name;
  int medium;              /* index into media */
  ip4_addr_t addr, mask;   /* addr 0: no address */
  int prefix;
  ip4_addr_t gw;           /* 0: none */
  uint16_t mtu;            /* 0: the stack's default (1500) */
  struct eth_addr mac;     /* given, or 02:00:00:<node+1>:<netif+1> style */
  int is_default;          /* the node's default route goes through it */
  int up, link;            /* admin and carrier state at time 0 */
};

struct lwsim_sc_node {
  char *name;
  struct lwsim_sc_config *cfg;
  size_t ncfg;
  struct lwsim_sc_netif *netifs;
  size_t nnetifs;
};

/* A port: netif `netif` of node `node` (its attachment to a medium). */
struct lwsim_sc_port_ref {
  int node, netif;
};

struct lwsim_sc_port_impair {
  struct lwsim_sc_port_ref port;
  int has_tx, has_rx;
  struct sim_impair tx, rx;
};

struct lwsim_sc_medium {
  char *name;
  enum sim_medium_kind kind;
  int has_impair;
  struct sim_impair impair; /* the tx set of every port, unless overridden */
  struct lwsim_sc_port_impair *ports;
  size_t nports;
  size_t nattached; /* netifs on it (a link has exactly two) */
};

/* Application kinds. Parameters not used by a kind stay 0. */
enum lwsim_app_kind_id {
  LWSIM_APP_PING,
  LWSIM_APP_UDP_ECHO_SERVER,
  LWSIM_APP_UDP_CLIENT,
  LWSIM_APP_UDP_SENDER,
  LWSIM_APP_UDP_SINK,
  LWSIM_APP_KINDS,
};

struct lwsim_sc_app {
  char *name;
  int kind; /* enum lwsim_app_kind_id */
  int node;
  int autostart;       /* start at `start` (else only on an app_start action) */
  sim_time_t start;    /* default 0 */
  sim_time_t stop;     /* -1: runs to the end */
  ip4_addr_t target;   /* ping, udp_client, udp_sender */
  uint16_t port;       /* server/sink: listening port; client/sender: remote */
  uint16_t local_port; /* 0: ephemeral */
  uint32_t count;      /* messages to send (default 5) */
  uint32_t size;       /* payload bytes (ping 56, UDP 64) */
  sim_time_t interval; /* between messages (default 1 s) */
  int broadcast;       /* udp_sender: allow a broadcast target */
  uint8_t ttl;         /* udp_client, udp_sender: 0 = the node's */
};

enum lwsim_action_kind {
  LWSIM_ACT_MEDIUM_DOWN,
  LWSIM_ACT_MEDIUM_UP,
  LWSIM_ACT_PORT_DOWN,
  LWSIM_ACT_PORT_UP,
  LWSIM_ACT_IMPAIR,
  LWSIM_ACT_PARTITION,
  LWSIM_ACT_HEAL,
  LWSIM_ACT_NETIF_REMOVE,
  LWSIM_ACT_NETIF_DOWN,
  LWSIM_ACT_NETIF_UP,
  LWSIM_ACT_CARRIER_DOWN,
  LWSIM_ACT_CARRIER_UP,
  LWSIM_ACT_APP_START,
  LWSIM_ACT_APP_STOP,
  LWSIM_ACT_INJECT,
  LWSIM_ACT_KINDS,
};
/* "medium_down", ...: the "do" values. */
const char *lwsim_action_name(int kind);

struct lwsim_sc_action {
  sim_time_t at;
  int kind;
  int medium;                  /* medium_*, port_*, impair, partition, heal */
  struct lwsim_sc_port_ref port; /* port_*, impair (unless all_ports), netif_*,
                                    carrier_*, inject */
  int all_ports;               /* impair: every port's tx set */
  int dir;                     /* port_*, impair: LWSIM_DIR_* */
  int app;                     /* app_start, app_stop */
  struct sim_impair impair;    /* impair */
  struct lwsim_sc_port_ref *group_ports; /* partition: ports and their group */
  uint32_t *group_of;
  size_t ngroup_ports;
  uint8_t *frame;              /* inject: the raw Ethernet frame */
  size_t frame_len;
};

/* Frame patterns (checks of kind "frame"): each LWSIM_PAT_* bit says the
 * field is set; a frame matches when every set field matches. */
enum {
  LWSIM_PAT_NODE = 1u << 0,
  LWSIM_PAT_NETIF = 1u << 1,
  LWSIM_PAT_MEDIUM = 1u << 2,
  LWSIM_PAT_ETH_TYPE = 1u << 3,
  LWSIM_PAT_ETH_DST = 1u << 4,
  LWSIM_PAT_ETH_SRC = 1u << 5,
  LWSIM_PAT_ARP_OP = 1u << 6,
  LWSIM_PAT_ARP_TARGET = 1u << 7,
  LWSIM_PAT_IP_SRC = 1u << 8,
  LWSIM_PAT_IP_DST = 1u << 9,
  LWSIM_PAT_PROTO = 1u << 10,
  LWSIM_PAT_TTL = 1u << 11,
  LWSIM_PAT_FRAGMENT = 1u << 12,
  LWSIM_PAT_DF = 1u << 13,
  LWSIM_PAT_SRC_PORT = 1u << 14,
  LWSIM_PAT_DST_PORT = 1u << 15,
  LWSIM_PAT_ICMP_TYPE = 1u << 16,
  LWSIM_PAT_ICMP_CODE = 1u << 17,
  LWSIM_PAT_MIN_LEN = 1u << 18,
  LWSIM_PAT_MAX_LEN = 1u << 19,
};

struct lwsim_frame_pattern {
  uint32_t set;
  int node, netif, medium; /* netif: index within node (needs node) */
  uint16_t eth_type;
  struct eth_addr eth_dst, eth_src;
  uint16_t arp_op;
  ip4_addr_t arp_target;
  ip4_addr_t ip_src, ip_src_mask, ip_dst, ip_dst_mask;
  uint8_t proto, ttl;
  int fragment, df;
  uint16_t src_port, dst_port;
  uint8_t icmp_type, icmp_code;
  uint32_t min_len, max_len;
};

enum lwsim_check_kind {
  LWSIM_CHECK_APP,         /* an app result within bounds */
  LWSIM_CHECK_COUNTER,     /* a node's stack counter within bounds */
  LWSIM_CHECK_MEDIUM,      /* a medium counter (summed over ports) within bounds */
  LWSIM_CHECK_NO_FINDINGS, /* no finding at all */
  LWSIM_CHECK_FINDING,     /* a finding of a kind occurs / does not */
  LWSIM_CHECK_FRAME,       /* a frame matching a pattern is / is not sent */
  LWSIM_CHECK_KINDS,
};
const char *lwsim_check_kind_name(int kind);

struct lwsim_sc_check {
  char *name; /* given, or generated from the check */
  int kind;
  int app, field;          /* app: app index, result index (lwsim_app_kinds) */
  int node;                /* counter; finding (-1: any node) */
  int counter;             /* counter: index into lwsim_counters */
  int medium, mcounter;    /* medium: index, counter (lwsim_medium_counter_*) */
  struct lwsim_sc_port_ref port; /* medium: port (node -1: every port) */
  int dir;                 /* medium: LWSIM_DIR_* */
  char *finding_kind;      /* finding */
  int occurs;              /* finding, frame: must (1) or must not (0) */
  struct lwsim_frame_pattern pattern; /* frame */
  sim_time_t after, by;    /* frame: sent in [after, by] (by -1: the end) */
  int has_min, has_max;    /* bounds (app, counter, medium, frame count) */
  int64_t min, max;
};

struct lwsim_scenario {
  char *file;        /* as given to the loader */
  char *name, *description;
  char **tags;
  size_t ntags;
  char **requirements; /* "RFC791:3.2", ... */
  size_t nrequirements;
  int engine;        /* enum lwsim_engine_kind */
  uint64_t seed;     /* default seed (1) */
  sim_time_t duration; /* default 10 s */
  struct lwsim_sc_node *nodes;
  size_t nnodes;
  struct lwsim_sc_medium *media;
  size_t nmedia;
  struct lwsim_sc_app *apps;
  size_t napps;
  struct lwsim_sc_action *actions; /* in file order; the runner orders by time */
  size_t nactions;
  struct lwsim_sc_check *checks;
  size_t nchecks;
  char *text;        /* the file's bytes, NUL-terminated */
  size_t text_len;
};

/* Parse text (len bytes; `file` names it in diagnostics). Returns 0 and
 * *out when valid; -1 with *out NULL when any diagnostic was recorded in d
 * (which the caller initialises with lwsim_diags_init and frees).
 * LWSIM_ENOMEM-style failures are reported as a diagnostic too. */
int lwsim_scenario_parse(const char *text, size_t len, const char *file,
                         struct lwsim_scenario **out, struct lwsim_diags *d);
/* Read and parse a file; an unreadable file is a diagnostic at path "". */
int lwsim_scenario_load(const char *path, struct lwsim_scenario **out, struct lwsim_diags *d);
void lwsim_scenario_free(struct lwsim_scenario *sc);

/* Index of a node / medium / app by name, or -1. */
int lwsim_scenario_node(const struct lwsim_scenario *sc, const char *name);
int lwsim_scenario_medium(const struct lwsim_scenario *sc, const char *name);
int lwsim_scenario_app(const struct lwsim_scenario *sc, const char *name);

#endif
