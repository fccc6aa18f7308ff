/* The stack part of `lwsim demo`: four stack instances on one segment
 * with loss, jitter and reordering ping each other and exchange UDP
 * datagrams (some large enough to be fragmented) with an echo service. */
#include "harness/demo_stack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/err.h"
#include "sim/media.h"
#include "sim/pcap.h"
#include "sim/trace.h"
#include "stack/icmp.h"
#include "stack/netif.h"
#include "stack/pbuf.h"
#include "stack/ports/sim/sim_port.h"
#include "stack/udp.h"

#define HOSTS 4
#define PINGS 10
#define DATAGRAMS 20
#define ECHO_PORT 7

struct host {
  struct demo_net *d;
  int idx;
  struct stack_sim_node *sn;
  struct stack *st;
  struct stack_netif *nif;
  struct udp_pcb *srv, *cli;
  int next_ping, next_dgram;
};

struct demo_net {
  struct sim_engine *e;
  struct sim_trace *trace;
  struct sim_pcap *pcap;
  struct sim_medium *lan;
  struct host h[HOSTS];
  struct lwsim_demo_stack_result *r;
};

static ip4_addr_t host_ip(int i) { return ip4_addr_make(10, 0, 0, (uint8_t)(i + 1)); }

/* Datagram k's size and bytes: sizes cycle through small, MTU-sized and
 * fragmented ones; the bytes depend on (sender, k) so echoes can be checked. */
static size_t dgram_len(int k) {
  static const size_t sizes[] = {64, 512, 1472, 3000, 8000};
  return sizes[k % 5];
}
static uint8_t dgram_byte(int sender, int k, size_t i) { return (uint8_t)(sender * 31 + k * 7 + i); }

static void on_echo_reply(void *arg, ip4_addr_t from, uint16_t id, uint16_t seq,
                          const uint8_t *payload, size_t len, uint8_t ttl) {
  (void)from, (void)id, (void)seq, (void)payload, (void)len, (void)ttl;
  struct host *h = arg;
  h->d->r->pings_answered++;
}

static void srv_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src, uint16_t sport) {
  (void)arg;
  udp_sendto(pcb, p, src, sport);
  pbuf_free(p);
}

static void cli_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src, uint16_t sport) {
  (void)pcb, (void)src, (void)sport;
  struct host *h = arg;
  /* The first 4 bytes carry k; the rest must match the pattern. */
  uint8_t kb[4];
  int intact = 0;
  if (pbuf_copy_out(p, kb, 4, 0) == 4) {
    int k = kb[0] | kb[1] << 8;
    intact = p->tot_len == dgram_len(k);
    uint8_t buf[512];
    for (size_t off = 4; intact && off < p->tot_len; off += sizeof buf) {
      size_t n = pbuf_copy_out(p, buf, sizeof buf, off);
      for (size_t i = 0; i < n; i++)
        if (buf[i] != dgram_byte(h->idx, k, off + i)) intact = 0;
    }
  }
  if (intact) h->d->r->udp_echoed++;
  else h->d->r->udp_corrupt++;
  pbuf_free(p);
}

/* Each host's traffic, one step per event: a ping to the next peer in turn,
 * then a datagram to the host after it. */
static void host_tick(struct sim_engine *e, void *arg) {
  struct host *h = arg;
  struct demo_net *d = h->d;
  if (h->next_ping < PINGS * (HOSTS - 1)) {
    int peer = (h->idx + 1 + h->next_ping % (HOSTS - 1)) % HOSTS;
    stack_icmp_echo(h->st, host_ip(peer), (uint16_t)h->idx, (uint16_t)h->next_ping, 56);
    h->next_ping++;
    d->r->pings_sent++;
  }
  if (h->next_dgram < DATAGRAMS) {
    int k = h->next_dgram++;
    size_t len = dgram_len(k);
    struct pbuf *p = pbuf_alloc(h->st, PBUF_TRANSPORT, len);
    if (p) {
      uint8_t buf[512];
      for (size_t off = 0; off < len; off += sizeof buf) {
        size_t n = len - off < sizeof buf ? len - off : sizeof buf;
        for (size_t i = 0; i < n; i++) buf[i] = dgram_byte(h->idx, k, off + i);
        if (off == 0) buf[0] = (uint8_t)k, buf[1] = (uint8_t)(k >> 8), buf[2] = buf[3] = 0;
        pbuf_copy_in(p, buf, n, off);
      }
      if (udp_sendto(h->cli, p, host_ip((h->idx + 1) % HOSTS), ECHO_PORT) == 0) d->r->udp_sent++;
      pbuf_free(p);
    }
  }
  if (h->next_ping < PINGS * (HOSTS - 1) || h->next_dgram < DATAGRAMS)
    sim_engine_after(e, 100 * SIM_MSEC, host_tick, h, NULL);
}

static int build(struct demo_net *d, const struct lwsim_demo_opts *o) {
  int rc;
  if ((rc = sim_medium_new(&d->lan, d->e, SIM_MEDIUM_SEGMENT, "lan", o->seed, d->trace)) < 0)
    return rc;
  if (d->pcap) sim_medium_capture(d->lan, d->pcap);
  struct sim_impair imp = {.rate = 100000000, .delay = SIM_MSEC, .jitter = 200 * SIM_USEC,
                           .loss = 0.05, .reorder = 0.1, .reorder_delay = 3 * SIM_MSEC};
  for (int i = 0; i < HOSTS; i++) {
    struct host *h = &d->h[i];
    h->d = d;
    h->idx = i;
    char name[8];
    snprintf(name, sizeof name, "h%d", i + 1);
    if ((rc = stack_sim_node_new(&h->sn, d->e, NULL, o->seed, name, d->trace)) < 0) return SIM_ENOMEM;
    struct stack_config c;
    stack_config_default(&c);
    c.name = name;
    c.port = stack_sim_node_port(h->sn);
    if (stack_new(&h->st, &c) < 0) return SIM_ENOMEM;
    struct eth_addr mac = {{0x02, 0, 0, 0, 0, (uint8_t)(i + 1)}};
    if (stack_sim_eth_attach(h->sn, h->st, d->lan, "eth0", mac, 0, &h->nif) < 0) return SIM_ENOMEM;
    sim_port_set_impair(stack_sim_eth_port(h->nif), SIM_TX, &imp);
    stack_netif_set_up(h->nif, 1);
    stack_netif_set_addr(h->nif, host_ip(i), ip4_addr_make(255, 255, 255, 0), 0);
    stack_icmp_on_echo_reply(h->st, on_echo_reply, h);
    h->srv = udp_new(h->st);
    h->cli = udp_new(h->st);
    if (!h->srv || !h->cli || udp_bind(h->srv, 0, ECHO_PORT) < 0) return SIM_ENOMEM;
    udp_recv(h->srv, srv_recv, h);
    udp_recv(h->cli, cli_recv, h);
    sim_engine_at(d->e, 10 * SIM_MSEC + i * SIM_MSEC, host_tick, h, NULL);
  }
  return SIM_OK;
}

int lwsim_demo_stack_run(const struct lwsim_demo_opts *o, struct lwsim_demo_stack_result *r) {
  memset(r, 0, sizeof *r);
  struct demo_net d = {.r = r};
  char path[1024];
  int rc = sim_engine_new(&d.e, NULL);
  if (rc < 0) return rc;
  if (o->out_dir) snprintf(path, sizeof path, "%s/stack-trace.jsonl", o->out_dir);
  if ((rc = sim_trace_open(&d.trace, o->out_dir ? path : NULL)) < 0) goto out;
  if (o->out_dir) {
    snprintf(path, sizeof path, "%s/stack.pcap", o->out_dir);
    if ((rc = sim_pcap_open(&d.pcap, path, 0)) < 0) goto out;
  }
  if ((rc = build(&d, o)) < 0) goto out;
  sim_engine_run_until(d.e, 30 * SIM_SEC);
  r->end_time = sim_engine_now(d.e);
  for (int i = 0; i < HOSTS; i++) {
    const struct stack_stats *s = stack_stats(d.h[i].st);
    for (int k = 0; k < STACK_DROP_COUNT; k++) {
      r->drops[k] += s->drops[k];
      r->drops_total += s->drops[k];
    }
    r->fragments += s->ip_frag_out;
    r->reassembled += s->ip_reassembled;
  }
  r->trace_hash = sim_trace_hash(d.trace);
  r->trace_events = sim_trace_events(d.trace);
  if (d.pcap) r->pcap_frames = sim_pcap_frames(d.pcap);
out:
  for (int i = 0; i < HOSTS; i++) {
    if (d.h[i].st) {
      udp_remove(d.h[i].srv);
      udp_remove(d.h[i].cli);
      stack_free(d.h[i].st);
    }
  }
  sim_medium_free(d.lan);
  for (int i = 0; i < HOSTS; i++) stack_sim_node_free(d.h[i].sn);
  sim_engine_free(d.e);
  int rc2 = d.pcap ? sim_pcap_close(d.pcap) : 0;
  int rc3 = d.trace ? sim_trace_close(d.trace) : 0;
  if (rc == 0) rc = rc2 ? rc2 : rc3;
  return rc;
}
