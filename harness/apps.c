/* Applications on nodes: ping, UDP echo server and client, UDP sender and
 * sink, on the stack's raw API (core context: engine events and the
 * stack's own callbacks).
 *
 * UDP payloads: bytes 0-3 the sequence number, 4-5 a tag (the sending
 * app's index), then byte i = seq * 7 + i * 13 + tag (mod 256). Receivers
 * check every byte against that, so corruption that slipped past the
 * checksums, truncation and mix-ups are all caught. */
#include <stdlib.h>
#include <string.h>

#include "harness/world.h"
#include "sim/err.h"
#include "stack/icmp.h"
#include "stack/pbuf.h"
#include "stack/udp.h"

/* Result indices, in the order of catalog.c's lists. */
enum { PING_SENT, PING_RECEIVED, PING_LOST, PING_DUP, PING_ERRORS, PING_RTT_MIN, PING_RTT_MAX,
       PING_RTT_AVG };
enum { SRV_RECEIVED, SRV_ECHOED, SRV_BYTES };
enum { CLI_SENT, CLI_ECHOED, CLI_LOST, CLI_CORRUPT, CLI_DUP, CLI_ERRORS, CLI_BYTES };
enum { SND_SENT, SND_ERRORS, SND_BYTES };
enum { SINK_RECEIVED, SINK_INTACT, SINK_CORRUPT, SINK_BYTES };

#define PAYLOAD_HDR 6

static uint8_t payload_byte(uint32_t seq, size_t i, uint16_t tag) {
  return (uint8_t)(seq * 7u + i * 13u + tag);
}

static struct stack *app_stack(const struct lwsim_app_rt *a) {
  return a->w->nodes[a->spec->node].st;
}

/* ------------------------------------------------------------- ping --- */

static void ping_reply(struct lwsim_app_rt *a, uint16_t seq) {
  if (seq >= a->spec->count || a->sent_at[seq] < 0) return;
  if (a->seen[seq]) {
    a->res[PING_DUP]++;
    return;
  }
  a->seen[seq] = 1;
  a->res[PING_RECEIVED]++;
  uint64_t rtt = (uint64_t)(sim_engine_now(a->w->e) - a->sent_at[seq]);
  if (a->res[PING_RECEIVED] == 1 || rtt < a->res[PING_RTT_MIN]) a->res[PING_RTT_MIN] = rtt;
  if (rtt > a->res[PING_RTT_MAX]) a->res[PING_RTT_MAX] = rtt;
  a->res[PING_RTT_AVG] += rtt; /* a sum until lwsim_apps_finish divides it */
}

/* Every node has one echo-reply callback; it finds the ping by its id
 * (the app index + 1). */
static void on_echo_reply(void *arg, ip4_addr_t from, uint16_t id, uint16_t seq,
                          const uint8_t *payload, size_t len, uint8_t ttl) {
  (void)from, (void)payload, (void)len, (void)ttl;
  struct lwsim_world_node *n = arg;
  struct lwsim_world *w = n->w;
  if (id == 0 || id > w->sc->napps) return;
  struct lwsim_app_rt *a = &w->apps[id - 1];
  if (a->spec->kind == LWSIM_APP_PING && a->spec->node == n->idx && a->running) ping_reply(a, seq);
}

static int ping_send(struct lwsim_app_rt *a) {
  uint32_t seq = a->seq;
  a->sent_at[seq] = sim_engine_now(a->w->e);
  a->res[PING_SENT]++;
  int rc = stack_icmp_echo(app_stack(a), a->spec->target, (uint16_t)(a->idx + 1), (uint16_t)seq,
                           a->spec->size);
  if (rc < 0) a->res[PING_ERRORS]++;
  return rc;
}

/* ------------------------------------------------------------- UDP ---- */

static void fill_payload(uint8_t *buf, size_t len, uint32_t seq, uint16_t tag) {
  buf[0] = (uint8_t)(seq >> 24);
  buf[1] = (uint8_t)(seq >> 16);
  buf[2] = (uint8_t)(seq >> 8);
  buf[3] = (uint8_t)seq;
  buf[4] = (uint8_t)(tag >> 8);
  buf[5] = (uint8_t)tag;
  for (size_t i = PAYLOAD_HDR; i < len; i++) buf[i] = payload_byte(seq, i, tag);
}

/* Checks a received payload: 1 when intact, with *seq and *tag set. */
static int check_payload(const struct pbuf *p, uint32_t *seq, uint16_t *tag) {
  uint8_t hdr[PAYLOAD_HDR];
  if (p->tot_len < PAYLOAD_HDR || pbuf_copy_out(p, hdr, PAYLOAD_HDR, 0) != PAYLOAD_HDR) return 0;
  *seq = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
  *tag = (uint16_t)(hdr[4] << 8 | hdr[5]);
  uint8_t buf[512];
  for (size_t off = PAYLOAD_HDR; off < p->tot_len; off += sizeof buf) {
    size_t n = pbuf_copy_out(p, buf, sizeof buf, off);
    for (size_t i = 0; i < n; i++)
      if (buf[i] != payload_byte(*seq, off + i, *tag)) return 0;
  }
  return 1;
}

static int udp_send_one(struct lwsim_app_rt *a) {
  size_t len = a->spec->size;
  uint8_t *buf = malloc(len);
  if (!buf) return STACK_ENOMEM;
  fill_payload(buf, len, a->seq, (uint16_t)a->idx);
  int rc = udp_sendto_buf(a->pcb, buf, len, a->spec->target, a->spec->port);
  free(buf);
  return rc;
}

static void client_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src,
                        uint16_t sport) {
  (void)pcb, (void)src, (void)sport;
  struct lwsim_app_rt *a = arg;
  uint32_t seq;
  uint16_t tag;
  if (!check_payload(p, &seq, &tag) || tag != a->idx || seq >= a->spec->count ||
      p->tot_len != a->spec->size) {
    a->res[CLI_CORRUPT]++;
  } else if (a->seen[seq]) {
    a->res[CLI_DUP]++;
  } else {
    a->seen[seq] = 1;
    a->res[CLI_ECHOED]++;
    a->res[CLI_BYTES] += p->tot_len;
  }
  pbuf_free(p);
}

static void server_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src,
                        uint16_t sport) {
  struct lwsim_app_rt *a = arg;
  a->res[SRV_RECEIVED]++;
  a->res[SRV_BYTES] += p->tot_len;
  if (udp_sendto(pcb, p, src, sport) == 0) a->res[SRV_ECHOED]++;
  pbuf_free(p);
}

static void sink_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src,
                      uint16_t sport) {
  (void)pcb, (void)src, (void)sport;
  struct lwsim_app_rt *a = arg;
  uint32_t seq;
  uint16_t tag;
  a->res[SINK_RECEIVED]++;
  a->res[SINK_BYTES] += p->tot_len;
  if (check_payload(p, &seq, &tag)) a->res[SINK_INTACT]++;
  else a->res[SINK_CORRUPT]++;
  pbuf_free(p);
}

/* A sender ignores what comes back. */
static void discard_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src,
                         uint16_t sport) {
  (void)arg, (void)pcb, (void)src, (void)sport;
  pbuf_free(p);
}

/* A PCB bound to `port` (0: ephemeral) with the receive callback. */
static int open_pcb(struct lwsim_app_rt *a, uint16_t port, udp_recv_fn fn) {
  if (a->pcb) return 0;
  a->pcb = udp_new(app_stack(a));
  if (!a->pcb) return STACK_ENOMEM;
  int rc = udp_bind(a->pcb, IP4_ANY, port);
  if (rc < 0) {
    udp_remove(a->pcb);
    a->pcb = NULL;
    return rc;
  }
  if (a->spec->ttl) udp_set_ttl(a->pcb, a->spec->ttl);
  if (a->spec->broadcast) udp_set_broadcast(a->pcb, 1);
  udp_recv(a->pcb, fn, a);
  return 0;
}

/* --------------------------------------------------------- schedule --- */

/* One message of a sending app; the next one after `interval`. */
static void send_tick(struct sim_engine *e, void *arg) {
  struct lwsim_app_rt *a = arg;
  a->next = 0;
  if (!a->running || a->seq >= a->spec->count) return;
  int rc = 0;
  switch (a->spec->kind) {
  case LWSIM_APP_PING: rc = ping_send(a); break;
  case LWSIM_APP_UDP_CLIENT:
    rc = udp_send_one(a);
    a->res[CLI_SENT]++;
    if (rc < 0) a->res[CLI_ERRORS]++;
    break;
  case LWSIM_APP_UDP_SENDER:
    rc = udp_send_one(a);
    if (rc < 0) a->res[SND_ERRORS]++;
    else {
      a->res[SND_SENT]++;
      a->res[SND_BYTES] += a->spec->size;
    }
    break;
  default: break;
  }
  a->seq++;
  if (a->seq < a->spec->count) sim_engine_after(e, a->spec->interval, send_tick, a, &a->next);
}

static const char *app_node_name(const struct lwsim_app_rt *a) {
  return a->w->sc->nodes[a->spec->node].name;
}

void lwsim_app_start(struct lwsim_app_rt *a) {
  if (a->running) return;
  int rc = 0;
  switch (a->spec->kind) {
  case LWSIM_APP_UDP_ECHO_SERVER: rc = open_pcb(a, a->spec->port, server_recv); break;
  case LWSIM_APP_UDP_SINK: rc = open_pcb(a, a->spec->port, sink_recv); break;
  case LWSIM_APP_UDP_CLIENT: rc = open_pcb(a, a->spec->local_port, client_recv); break;
  case LWSIM_APP_UDP_SENDER: rc = open_pcb(a, a->spec->local_port, discard_recv); break;
  default: break;
  }
  lwsim_world_trace(a->w, app_node_name(a), "app", "start", a->spec->name);
  if (rc < 0) {
    lwsim_world_trace(a->w, app_node_name(a), "app", "start_failed", a->spec->name);
    return;
  }
  a->running = 1;
  if (a->spec->kind == LWSIM_APP_PING || a->spec->kind == LWSIM_APP_UDP_CLIENT ||
      a->spec->kind == LWSIM_APP_UDP_SENDER)
    sim_engine_after(a->w->e, 0, send_tick, a, &a->next);
}

void lwsim_app_stop(struct lwsim_app_rt *a) {
  if (!a->running) return;
  a->running = 0;
  if (a->next) sim_engine_cancel(a->w->e, a->next);
  a->next = 0;
  if (a->pcb) udp_remove(a->pcb);
  a->pcb = NULL;
  lwsim_world_trace(a->w, app_node_name(a), "app", "stop", a->spec->name);
}

static void start_event(struct sim_engine *e, void *arg) {
  (void)e;
  lwsim_app_start(arg);
}
static void stop_event(struct sim_engine *e, void *arg) {
  (void)e;
  lwsim_app_stop(arg);
}

int lwsim_apps_init(struct lwsim_world *w) {
  const struct lwsim_scenario *sc = w->sc;
  for (size_t i = 0; i < sc->nnodes; i++)
    stack_icmp_on_echo_reply(w->nodes[i].st, on_echo_reply, &w->nodes[i]);
  if (!sc->napps) return 0;
  w->apps = calloc(sc->napps, sizeof *w->apps);
  if (!w->apps) return SIM_ENOMEM;
  for (size_t i = 0; i < sc->napps; i++) {
    struct lwsim_app_rt *a = &w->apps[i];
    a->w = w;
    a->spec = &sc->apps[i];
    a->idx = (int)i;
    if (a->spec->kind == LWSIM_APP_PING || a->spec->kind == LWSIM_APP_UDP_CLIENT) {
      a->seen = calloc(a->spec->count, 1);
      if (!a->seen) return SIM_ENOMEM;
    }
    if (a->spec->kind == LWSIM_APP_PING) {
      a->sent_at = malloc(a->spec->count * sizeof *a->sent_at);
      if (!a->sent_at) return SIM_ENOMEM;
      for (uint32_t k = 0; k < a->spec->count; k++) a->sent_at[k] = -1;
    }
    int rc = 0;
    if (a->spec->autostart) rc = sim_engine_at(w->e, a->spec->start, start_event, a, NULL);
    if (rc == 0 && a->spec->stop >= 0 && a->spec->stop <= sc->duration)
      rc = sim_engine_at(w->e, a->spec->stop, stop_event, a, NULL);
    if (rc < 0) return rc;
  }
  return 0;
}

void lwsim_apps_finish(struct lwsim_world *w) {
  for (size_t i = 0; i < w->sc->napps; i++) {
    struct lwsim_app_rt *a = &w->apps[i];
    if (a->spec->kind == LWSIM_APP_PING) {
      a->res[PING_LOST] = a->res[PING_SENT] - a->res[PING_RECEIVED];
      a->res[PING_RTT_AVG] = a->res[PING_RECEIVED] ? a->res[PING_RTT_AVG] / a->res[PING_RECEIVED] : 0;
    } else if (a->spec->kind == LWSIM_APP_UDP_CLIENT) {
      a->res[CLI_LOST] = a->res[CLI_SENT] - a->res[CLI_ECHOED];
    }
  }
}

void lwsim_apps_free(struct lwsim_world *w) {
  for (size_t i = 0; w->apps && i < w->sc->napps; i++) {
    struct lwsim_app_rt *a = &w->apps[i];
    if (a->pcb) udp_remove(a->pcb);
    free(a->seen);
    free(a->sent_at);
  }
  free(w->apps);
  w->apps = NULL;
}
