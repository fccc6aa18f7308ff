/* The example network: see demo.h. */
#include "harness/demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/engine.h"
#include "sim/err.h"
#include "sim/media.h"
#include "sim/pcap.h"
#include "sim/trace.h"
#include "sim/vthread.h"

#define DEMO_HOSTS 5 /* client, server, three sensors */
#define SENSORS 3
#define SENSOR_READINGS 20
#define REQUEST_TIMEOUT (40 * SIM_MSEC)
#define MAX_TRIES 8
#define ECHO_PORT 7
#define SENSOR_PORT 9999
#define FRAME_MIN 60
#define HDRS (14 + 20 + 8)

/* A received frame on its way from the medium (main context) to a node's
 * vthread, through the node's mailbox. */
struct msg {
  size_t len;
  uint8_t data[];
};

struct demo;

struct host {
  struct demo *d;
  char name[16];
  uint8_t mac[6];
  uint32_t ip;
  struct sim_port *port;
  struct sim_mbox *rx;
  int index;
  uint64_t received;
};

struct demo {
  const struct lwsim_demo_opts *opts;
  struct lwsim_demo_result *res;
  struct sim_engine *e;
  struct sim_sched *sched;
  struct sim_trace *trace;
  struct sim_medium *link, *lan;
  struct sim_pcap *link_pcap, *lan_pcap, *client_pcap;
  struct host hosts[DEMO_HOSTS];
  int requests;
  int rx_overflow;
};

/* ----------------------------------------------------------- frames -- */

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, (uint16_t)(v >> 16));
  put16(p + 2, (uint16_t)v);
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

/* RFC 1071 ones' complement sum, continued from sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += get16(p + i);
  if (n & 1) sum += (uint32_t)p[n - 1] << 8;
  return sum;
}
static uint16_t csum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static uint16_t udp_csum(const uint8_t *ip, const uint8_t *udp, size_t udp_len) {
  uint8_t pseudo[12];
  memcpy(pseudo, ip + 12, 8); /* source and destination addresses */
  pseudo[8] = 0;
  pseudo[9] = 17;
  put16(pseudo + 10, (uint16_t)udp_len);
  return csum_fold(csum_add(csum_add(0, pseudo, 12), udp, udp_len));
}

/* Ethernet + IPv4 + UDP around payload; dst NULL means broadcast. Returns
 * the frame length (padded to the Ethernet minimum). */
static size_t build_udp(uint8_t *f, const struct host *src, const struct host *dst,
                        uint16_t sport, uint16_t dport, const char *payload) {
  static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  size_t plen = strlen(payload), udp_len = 8 + plen, ip_len = 20 + udp_len;
  memset(f, 0, FRAME_MIN);
  memcpy(f, dst ? dst->mac : bcast_mac, 6);
  memcpy(f + 6, src->mac, 6);
  put16(f + 12, 0x0800);
  uint8_t *ip = f + 14, *udp = ip + 20;
  ip[0] = 0x45;
  put16(ip + 2, (uint16_t)ip_len);
  ip[8] = 64;
  ip[9] = 17;
  put32(ip + 12, src->ip);
  put32(ip + 16, dst ? dst->ip : 0xffffffffu);
  put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
  put16(udp, sport);
  put16(udp + 2, dport);
  put16(udp + 4, (uint16_t)udp_len);
  memcpy(udp + 8, payload, plen);
  uint16_t c = udp_csum(ip, udp, udp_len);
  put16(udp + 6, c ? c : 0xffff);
  size_t len = 14 + ip_len;
  return len < FRAME_MIN ? FRAME_MIN : len;
}

/* A parsed, checksum-verified datagram; 0 when the frame is damaged. */
struct dgram {
  uint32_t src_ip;
  uint16_t sport, dport;
  char payload[64];
};

static int parse_udp(const uint8_t *f, size_t len, struct dgram *out) {
  if (len < HDRS || get16(f + 12) != 0x0800) return 0;
  const uint8_t *ip = f + 14, *udp = ip + 20;
  size_t ip_len = get16(ip + 2);
  if (ip[0] != 0x45 || ip[9] != 17 || ip_len < 28 || 14 + ip_len > len) return 0;
  if (csum_fold(csum_add(0, ip, 20)) != 0) return 0;
  size_t udp_len = get16(udp + 4);
  if (udp_len != ip_len - 20 || udp_csum(ip, udp, udp_len) != 0) return 0;
  size_t plen = udp_len - 8;
  if (plen >= sizeof out->payload) return 0;
  out->src_ip = get32(ip + 12);
  out->sport = get16(udp);
  out->dport = get16(udp + 2);
  memcpy(out->payload, udp + 8, plen);
  out->payload[plen] = 0;
  return 1;
}

/* --------------------------------------------------------------- nodes -- */

static void host_rx(void *user, struct sim_port *port, const uint8_t *frame, size_t len) {
  (void)port;
  struct host *h = user;
  struct msg *m = malloc(sizeof *m + len);
  if (!m) return;
  m->len = len;
  memcpy(m->data, frame, len);
  if (sim_mbox_post(h->rx, m, 0) < 0) { /* full: the node drops it */
    h->d->rx_overflow++;
    free(m);
  }
}

static void send_udp(struct host *src, const struct host *dst, uint16_t sport, uint16_t dport,
                     const char *payload) {
  uint8_t f[128];
  sim_port_send(src->port, f, build_udp(f, src, dst, sport, dport, payload));
}

/* Fetch the next intact datagram within timeout; counts damaged ones. */
static int recv_udp(struct host *h, struct dgram *dg, sim_time_t timeout) {
  for (;;) {
    void *p;
    int rc = sim_mbox_fetch(h->rx, &p, timeout);
    if (rc < 0) return rc;
    struct msg *m = p;
    int ok = parse_udp(m->data, m->len, dg);
    free(m);
    if (ok) {
      h->received++;
      return SIM_OK;
    }
    h->d->res->bad_checksums++;
  }
}

static void trace_app(struct demo *d, const struct host *h, const char *kind, int seq, int tries) {
  sim_trace_begin(d->trace, sim_engine_now(d->e), h->name, kind);
  sim_trace_int(d->trace, "seq", seq);
  sim_trace_int(d->trace, "tries", tries);
  sim_trace_end(d->trace);
}

/* Stop-and-wait: each request is retransmitted on timeout until its own
 * reply arrives (late replies to earlier requests are ignored). */
static void *client_main(void *arg) {
  struct host *c = arg;
  struct demo *d = c->d;
  struct host *srv = &d->hosts[1];
  for (int seq = 0; seq < d->requests; seq++) {
    char req[32], want[32];
    snprintf(req, sizeof req, "req %d", seq);
    snprintf(want, sizeof want, "rep %d", seq);
    int tries = 0, done = 0;
    while (!done && tries < MAX_TRIES) {
      if (tries++) d->res->retransmissions++;
      send_udp(c, srv, 5000, ECHO_PORT, req);
      struct dgram dg;
      int rc;
      while ((rc = recv_udp(c, &dg, REQUEST_TIMEOUT)) == SIM_OK)
        if (strcmp(dg.payload, want) == 0) break;
      done = rc == SIM_OK;
    }
    trace_app(d, c, done ? "reply" : "gave_up", seq, tries);
    d->res->completed += done;
    sim_vthread_sleep(d->sched, SIM_MSEC);
  }
  return NULL;
}

static void *server_main(void *arg) {
  struct host *s = arg;
  struct dgram dg;
  while (recv_udp(s, &dg, SIM_WAIT_FOREVER) == SIM_OK) {
    if (dg.dport != ECHO_PORT || strncmp(dg.payload, "req ", 4) != 0) continue;
    char rep[64];
    snprintf(rep, sizeof rep, "rep %s", dg.payload + 4);
    send_udp(s, &s->d->hosts[0], ECHO_PORT, dg.sport, rep);
  }
  return NULL;
}

/* A sensor broadcasts readings every 100 ms; its receiver counts others'. */
static void *sensor_main(void *arg) {
  struct host *h = arg;
  for (int i = 0; i < SENSOR_READINGS; i++) {
    char reading[32];
    snprintf(reading, sizeof reading, "%s %d", h->name, i * 7 % 100);
    send_udp(h, NULL, SENSOR_PORT, SENSOR_PORT, reading);
    sim_vthread_sleep(h->d->sched, 100 * SIM_MSEC);
  }
  return NULL;
}

static void *sensor_rx_main(void *arg) {
  struct host *h = arg;
  struct dgram dg;
  while (recv_udp(h, &dg, SIM_WAIT_FOREVER) == SIM_OK) {
  }
  return NULL;
}

/* --------------------------------------------------------------- world -- */

static int make_dir(const char *path) {
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf) return SIM_EINVAL;
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != 0) continue;
    char c = buf[i];
    buf[i] = 0;
    if (mkdir(buf, 0777) < 0 && errno != EEXIST) return SIM_EIO;
    buf[i] = c;
  }
  return SIM_OK;
}

static int open_outputs(struct demo *d) {
  const char *dir = d->opts->out_dir;
  char path[4096];
  int rc;
  if (!dir) return sim_trace_open(&d->trace, NULL);
  if ((rc = make_dir(dir)) < 0) return rc;
  snprintf(path, sizeof path, "%s/trace.jsonl", dir);
  if ((rc = sim_trace_open(&d->trace, path)) < 0) return rc;
  snprintf(path, sizeof path, "%s/link.pcap", dir);
  if ((rc = sim_pcap_open(&d->link_pcap, path, 0)) < 0) return rc;
  snprintf(path, sizeof path, "%s/lan.pcap", dir);
  if ((rc = sim_pcap_open(&d->lan_pcap, path, 0)) < 0) return rc;
  snprintf(path, sizeof path, "%s/client.pcap", dir);
  return sim_pcap_open(&d->client_pcap, path, 0);
}

static int add_host(struct demo *d, int i, const char *name, struct sim_medium *m) {
  struct host *h = &d->hosts[i];
  h->d = d;
  h->index = i;
  snprintf(h->name, sizeof h->name, "%s", name);
  const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, (uint8_t)(i + 1)};
  memcpy(h->mac, mac, 6);
  h->ip = 0x0a000001u + (uint32_t)i; /* 10.0.0.1 ... */
  int rc = sim_mbox_new(&h->rx, d->sched, name, 64);
  if (rc < 0) return rc;
  return sim_port_new(&h->port, m, name, "eth0", host_rx, h);
}

static int build_world(struct demo *d) {
  int rc;
  uint64_t seed = d->opts->seed;
  if ((rc = sim_engine_new(&d->e, NULL)) < 0) return rc;
  if ((rc = open_outputs(d)) < 0) return rc;
  if ((rc = sim_sched_new(&d->sched, d->e, d->trace)) < 0) return rc;
  if ((rc = sim_medium_new(&d->link, d->e, SIM_MEDIUM_LINK, "link", seed, d->trace)) < 0) return rc;
  if ((rc = sim_medium_new(&d->lan, d->e, SIM_MEDIUM_SEGMENT, "lan", seed, d->trace)) < 0) return rc;
  if ((rc = add_host(d, 0, "client", d->link)) < 0 || (rc = add_host(d, 1, "server", d->link)) < 0)
    return rc;
  static const char *const sensor_names[SENSORS] = {"sensor1", "sensor2", "sensor3"};
  for (int i = 0; i < SENSORS; i++)
    if ((rc = add_host(d, 2 + i, sensor_names[i], d->lan)) < 0) return rc;

  /* The link: 10 Mbit/s, 5 ms +- 1 ms, lossy and a little damaging both
   * ways; the client's side also reorders. */
  struct sim_impair wire = {
      .delay = 5 * SIM_MSEC, .jitter = SIM_MSEC, .rate = 10000000, .queue_frames = 32,
      .loss = 0.05, .corrupt = 0.02, .corrupt_bits = 3, .duplicate = 0.02,
  };
  struct sim_impair up = wire;
  up.reorder = 0.05;
  up.reorder_delay = 3 * SIM_MSEC;
  if ((rc = sim_port_set_impair(d->hosts[0].port, SIM_TX, &up)) < 0 ||
      (rc = sim_port_set_impair(d->hosts[1].port, SIM_TX, &wire)) < 0)
    return rc;
  /* The LAN: 100 Mbit/s with Gilbert-Elliott bursts on every sender. */
  struct sim_impair lan = {.delay = 50 * SIM_USEC, .rate = 100000000,
                           .ge = {.p_enter = 0.05, .p_exit = 0.3, .loss_good = 0, .loss_bad = 0.8}};
  for (int i = 0; i < SENSORS; i++)
    if ((rc = sim_port_set_impair(d->hosts[2 + i].port, SIM_TX, &lan)) < 0) return rc;

  sim_medium_capture(d->link, d->link_pcap);
  sim_medium_capture(d->lan, d->lan_pcap);
  sim_port_capture(d->hosts[0].port, d->client_pcap);

  const struct sim_vthread_attr daemon = {.flags = SIM_VTHREAD_DAEMON | SIM_VTHREAD_DETACHED};
  const struct sim_vthread_attr worker = {.flags = SIM_VTHREAD_DETACHED};
  struct sim_vthread *t;
  if ((rc = sim_vthread_spawn(d->sched, &t, "server", server_main, &d->hosts[1], &daemon)) < 0 ||
      (rc = sim_vthread_spawn(d->sched, &t, "client", client_main, &d->hosts[0], &worker)) < 0)
    return rc;
  for (int i = 0; i < SENSORS; i++) {
    char name[24];
    struct host *h = &d->hosts[2 + i];
    if ((rc = sim_vthread_spawn(d->sched, &t, h->name, sensor_main, h, &worker)) < 0) return rc;
    snprintf(name, sizeof name, "%s-rx", h->name);
    if ((rc = sim_vthread_spawn(d->sched, &t, name, sensor_rx_main, h, &daemon)) < 0) return rc;
  }
  return SIM_OK;
}

static void collect(struct demo *d) {
  struct lwsim_demo_result *r = d->res;
  for (int i = 0; i < 2; i++) {
    const struct sim_media_counters *c = sim_port_counters(d->hosts[i].port, SIM_TX);
    for (int k = 0; k < SIM_CAUSE_DROPS_END; k++) r->link_drops += c->by_cause[k];
  }
  for (int i = 0; i < SENSORS; i++) {
    const struct sim_media_counters *c = sim_port_counters(d->hosts[2 + i].port, SIM_TX);
    r->sensor_frames_in += c->frames_in;
    r->sensor_frames_out += c->frames_out;
  }
  r->pcap_frames = d->link_pcap ? sim_pcap_frames(d->link_pcap) : 0;
  r->end_time = sim_engine_now(d->e);
  r->trace_hash = sim_trace_hash(d->trace);
  r->trace_events = sim_trace_events(d->trace);
}

/* Frees in dependency order; the first close error wins. */
static int teardown(struct demo *d, int rc) {
  for (int i = 0; i < DEMO_HOSTS; i++) {
    void *p;
    while (d->hosts[i].rx && sim_mbox_fetch(d->hosts[i].rx, &p, 0) == SIM_OK) free(p);
  }
  sim_medium_free(d->link);
  sim_medium_free(d->lan);
  sim_sched_free(d->sched); /* abandons the daemons blocked on mailboxes */
  for (int i = 0; i < DEMO_HOSTS; i++)
    if (d->hosts[i].rx) sim_mbox_free(d->hosts[i].rx);
  int c1 = sim_pcap_close(d->link_pcap), c2 = sim_pcap_close(d->lan_pcap),
      c3 = sim_pcap_close(d->client_pcap), c4 = sim_trace_close(d->trace);
  sim_engine_free(d->e);
  if (rc == 0) rc = c1 ? c1 : c2 ? c2 : c3 ? c3 : c4;
  return rc;
}

int lwsim_demo_run(const struct lwsim_demo_opts *opts, struct lwsim_demo_result *res) {
  struct demo d = {.opts = opts, .res = res};
  memset(res, 0, sizeof *res);
  d.requests = opts->requests > 0 ? opts->requests : 200;
  int rc = build_world(&d);
  if (rc == 0) {
    sim_engine_run(d.e);
    collect(&d);
  }
  return teardown(&d, rc);
}
