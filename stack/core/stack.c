/* The instance: configuration, memory accounting, timers, statistics. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/core/priv.h"

void stack_config_default(struct stack_config *c) {
  struct stack_port port = c->port;
  const char *name = c->name;
  memset(c, 0, sizeof *c);
  c->port = port;
  c->name = name;
  c->pbuf_pool = 256;
  c->pbuf_size = 1600;
  c->max_netifs = 4;
  c->arp_entries = 16;
  c->arp_queue = 4;
  c->arp_max_age = 300 * STACK_SEC;
  c->arp_retry = STACK_SEC;
  c->arp_tries = 3;
  c->ttl = 64;
  c->reass_datagrams = 8;
  c->reass_pbufs = 64;
  c->reass_timeout = 15 * STACK_SEC;
  c->icmp_rate = 10;
  c->icmp_burst = 10;
  c->udp_pcbs = 16;
  c->port_min = 49152;
  c->port_max = 65535;
  c->tcp_pcbs = 16;
  c->tcp_snd_buf = 65536;
  c->tcp_rcv_buf = 65536;
  c->tcp_mss = 1460;
  c->tcp_ooseq = 64;
  c->tcp_msl = 30 * STACK_SEC;
  c->tcp_rto_init = STACK_SEC;
  c->tcp_rto_min = STACK_SEC;
  c->tcp_rto_max = 60 * STACK_SEC;
  c->tcp_syn_retries = 6;
  c->tcp_max_retries = 12;
  c->tcp_delack = 200 * STACK_MSEC;
  c->tcp_keep_idle = 7200 * STACK_SEC;
  c->tcp_keep_intvl = 75 * STACK_SEC;
  c->tcp_keep_cnt = 9;
  c->tcpip_mbox = 256;
  c->sock_max = 16;
}

/* Zero fields take their default. */
static void fill_defaults(struct stack_config *c) {
  struct stack_config d = *c;
  stack_config_default(&d);
#define DEF(f) if (!c->f) c->f = d.f
  DEF(pbuf_pool); DEF(pbuf_size); DEF(max_netifs); DEF(arp_entries); DEF(arp_queue);
  DEF(arp_max_age); DEF(arp_retry); DEF(arp_tries); DEF(ttl); DEF(reass_datagrams);
  DEF(reass_pbufs); DEF(reass_timeout); DEF(icmp_rate); DEF(icmp_burst); DEF(udp_pcbs);
  DEF(port_min); DEF(port_max); DEF(tcp_pcbs); DEF(tcp_snd_buf); DEF(tcp_rcv_buf); DEF(tcp_mss);
  DEF(tcp_ooseq); DEF(tcp_msl); DEF(tcp_rto_init); DEF(tcp_rto_min); DEF(tcp_rto_max);
  DEF(tcp_syn_retries); DEF(tcp_max_retries); DEF(tcp_delack); DEF(tcp_keep_idle);
  DEF(tcp_keep_intvl); DEF(tcp_keep_cnt); DEF(tcpip_mbox); DEF(sock_max);
#undef DEF
}

void *st_calloc(struct stack *st, size_t n, size_t size) {
  void *p = calloc(n, size);
  if (p) st->heap_bytes += n * size;
  return p;
}

void st_free(struct stack *st, void *p, size_t size) {
  if (!p) return;
  st->heap_bytes -= size;
  free(p);
}

int stack_new(struct stack **out, const struct stack_config *c) {
  *out = NULL;
  if (!c || !c->port.ops || !c->port.ops->now || !c->port.ops->timer_start ||
      !c->port.ops->timer_cancel || !c->port.ops->random)
    return STACK_EINVAL;
  struct stack_config cfg = *c;
  fill_defaults(&cfg);
  if (cfg.pbuf_size < 128 || cfg.pbuf_size > 65535 || cfg.arp_queue > 8 ||
      cfg.port_min > cfg.port_max)
    return STACK_EINVAL;
  struct stack *st = calloc(1, sizeof *st);
  if (!st) return STACK_ENOMEM;
  st->heap_bytes = sizeof *st;
  st->cfg = cfg;
  snprintf(st->name, sizeof st->name, "%s", c->name ? c->name : "stack");
  st->cfg.name = st->name;
  st->port = cfg.port;
  /* A buffer's storage is filled by whoever allocates it: only the struct
   * is cleared, and the struct plus the header area is poisoned while free
   * (where a stale pointer most likely writes). */
  pool_init(&st->pbufs, "pbuf", (uint32_t)(sizeof(struct pbuf) + cfg.pbuf_size), cfg.pbuf_pool,
            (uint32_t)sizeof(struct pbuf), (uint32_t)sizeof(struct pbuf) + PBUF_TRANSPORT + 64);
  pool_init(&st->udp_pcbs, "udp_pcb", (uint32_t)udp_pcb_size(), cfg.udp_pcbs, 0, 0);
  pool_init(&st->reass, "reass", (uint32_t)sizeof(struct reass_dgram), cfg.reass_datagrams, 0, 0);
  pool_init(&st->tcp_pcbs, "tcp_pcb", (uint32_t)tcp_pcb_size(), cfg.tcp_pcbs, 0, 0);
  st->icmp_tokens = (uint64_t)cfg.icmp_burst * STACK_SEC;
  st->next_port = (uint16_t)(cfg.port_min +
                             st->port.ops->random(st->port.ctx) % (cfg.port_max - cfg.port_min + 1u));
  st->ip_id = (uint16_t)st->port.ops->random(st->port.ctx);
  st->tcp_next_port = (uint16_t)(cfg.port_min + st->port.ops->random(st->port.ctx) %
                                                   (cfg.port_max - cfg.port_min + 1u));
  st->tcp_secret[0] = st->port.ops->random(st->port.ctx);
  st->tcp_secret[1] = st->port.ops->random(st->port.ctx);
  st->arp = st_calloc(st, cfg.arp_entries, sizeof *st->arp);
  if (!st->arp) {
    free(st);
    return STACK_ENOMEM;
  }
  struct stack_netif_config lo = {.name = "lo", .mtu = 65535};
  if (stack_netif_add(st, &lo, &st->loopback) < 0) {
    stack_free(st);
    return STACK_ENOMEM;
  }
  stack_netif_set_addr(st->loopback, ip4_addr_make(127, 0, 0, 1), ip4_addr_make(255, 0, 0, 0), 0);
  stack_netif_set_up(st->loopback, 1);
  *out = st;
  return STACK_OK;
}

void stack_free(struct stack *st) {
  if (!st) return;
  sock_table_free(st);
  tcpip_detach(st);
  tcp_destroy(st);
  udp_destroy(st);
  ip4_reass_destroy(st);
  netif_destroy_all(st); /* ARP entries and queued packets with them */
  arp_destroy(st);
  st_free(st, st->arp, st->cfg.arp_entries * sizeof *st->arp);
  pool_destroy(&st->pbufs);
  pool_destroy(&st->udp_pcbs);
  pool_destroy(&st->reass);
  pool_destroy(&st->tcp_pcbs);
  free(st);
}

const char *stack_name(const struct stack *st) { return st->name; }
const struct stack_config *stack_config(const struct stack *st) { return &st->cfg; }
stack_time_t stack_now(const struct stack *st) { return st->port.ops->now(st->port.ctx); }
size_t stack_heap_bytes(const struct stack *st) { return st->heap_bytes; }
size_t stack_pool_bytes(const struct stack *st) {
  return (size_t)st->pbufs.total * st->pbufs.size + (size_t)st->udp_pcbs.total * st->udp_pcbs.size +
         (size_t)st->reass.total * st->reass.size + (size_t)st->tcp_pcbs.total * st->tcp_pcbs.size;
}
uint32_t stack_timers_active(const struct stack *st) { return st->timers_active; }

/* ------------------------------------------------------------ timers -- */

/* Run an expired timer in core context: at once when that is where we
 * are, else as a message to the tcpip thread (t->queued names it, so a
 * stop before it runs can disarm it). */
void stimer_run(struct stack_timer *t) {
  STACK_YIELD_POINT(&t->st->port, "timer_dispatch");
  t->queued = NULL;
  t->active = 0;
  t->st->timers_active--;
  t->fn(t->arg);
}

static void stimer_fire(void *arg) {
  struct stack_timer *t = arg;
  if (t->st->tcpip && tcpip_post_timer(t->st, t) == STACK_OK) return;
  stimer_run(t);
}

void stimer_start(struct stack *st, struct stack_timer *t, stack_time_t delay, stack_port_fn fn,
                  void *arg) {
  stimer_stop(t);
  t->st = st;
  t->fn = fn;
  t->arg = arg;
  if (delay < 0) delay = 0;
  t->pt.fn = stimer_fire;
  t->pt.arg = t;
  if (st->port.ops->timer_start(st->port.ctx, stack_now(st) + delay, &t->pt) < 0)
    return; /* the port is out of memory: the timer never fires */
  t->active = 1;
  st->timers_active++;
}

void stimer_stop(struct stack_timer *t) {
  if (!t->active) return;
  if (t->queued) tcpip_disarm_timer(t); /* expired, its message not yet run */
  else t->st->port.ops->timer_cancel(t->st->port.ctx, &t->pt);
  t->active = 0;
  t->st->timers_active--;
}

/* ---------------------------------------------------- logs, findings -- */

void st_finding(struct stack *st, const char *kind, const char *where, const char *detail) {
  if (!st->port.ops->finding) return;
  struct stack_finding f = {kind, where, detail};
  st->port.ops->finding(st->port.ctx, &f);
}

void st_log(struct stack *st, enum stack_log_level lvl, const char *fmt, ...) {
  if (!st->port.ops->log) return;
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  st->port.ops->log(st->port.ctx, lvl, buf);
}

/* ------------------------------------------------------------- stats -- */

static const struct {
  const char *name;
  uint8_t proto; /* 0 eth, 1 arp, 2 ip, 3 icmp, 4 udp, 5 tcp, 6 none */
} drops[STACK_DROP_COUNT] = {
    [STACK_DROP_ETH_SHORT] = {"eth_short", 0},
    [STACK_DROP_ETH_TYPE] = {"eth_type", 0},
    [STACK_DROP_ETH_DST] = {"eth_dst", 0},
    [STACK_DROP_ARP_MALFORMED] = {"arp_malformed", 1},
    [STACK_DROP_ARP_TABLE_FULL] = {"arp_table_full", 1},
    [STACK_DROP_ARP_QUEUE_FULL] = {"arp_queue_full", 1},
    [STACK_DROP_ARP_UNRESOLVED] = {"arp_unresolved", 1},
    [STACK_DROP_IP_SHORT] = {"ip_short", 2},
    [STACK_DROP_IP_VERSION] = {"ip_version", 2},
    [STACK_DROP_IP_HLEN] = {"ip_hlen", 2},
    [STACK_DROP_IP_CHECKSUM] = {"ip_checksum", 2},
    [STACK_DROP_IP_SRC] = {"ip_src", 2},
    [STACK_DROP_IP_NOT_OURS] = {"ip_not_ours", 2},
    [STACK_DROP_IP_TTL] = {"ip_ttl", 2},
    [STACK_DROP_IP_NO_ROUTE] = {"ip_no_route", 2},
    [STACK_DROP_IP_PROTO] = {"ip_proto", 2},
    [STACK_DROP_IP_FRAG_BAD] = {"ip_frag_bad", 2},
    [STACK_DROP_IP_FRAG_OVERLAP] = {"ip_frag_overlap", 2},
    [STACK_DROP_IP_FRAG_DUP] = {"ip_frag_dup", 2},
    [STACK_DROP_IP_REASS_FULL] = {"ip_reass_full", 2},
    [STACK_DROP_IP_REASS_TIMEOUT] = {"ip_reass_timeout", 2},
    [STACK_DROP_IP_DF] = {"ip_df", 2},
    [STACK_DROP_ICMP_MALFORMED] = {"icmp_malformed", 3},
    [STACK_DROP_ICMP_CHECKSUM] = {"icmp_checksum", 3},
    [STACK_DROP_ICMP_RATE] = {"icmp_rate", 3},
    [STACK_DROP_UDP_MALFORMED] = {"udp_malformed", 4},
    [STACK_DROP_UDP_CHECKSUM] = {"udp_checksum", 4},
    [STACK_DROP_UDP_NO_PCB] = {"udp_no_pcb", 4},
    [STACK_DROP_TCP_MALFORMED] = {"tcp_malformed", 5},
    [STACK_DROP_TCP_CHECKSUM] = {"tcp_checksum", 5},
    [STACK_DROP_TCP_NO_PCB] = {"tcp_no_pcb", 5},
    [STACK_DROP_TCP_SEQ] = {"tcp_seq", 5},
    [STACK_DROP_TCP_BACKLOG] = {"tcp_backlog", 5},
    [STACK_DROP_TCP_OOSEQ_FULL] = {"tcp_ooseq_full", 5},
    [STACK_DROP_TCP_STATE] = {"tcp_state", 5},
    [STACK_DROP_TCP_PAWS] = {"tcp_paws", 5},
    [STACK_DROP_POOL_EMPTY] = {"pool_empty", 6},
    [STACK_DROP_NETIF_DOWN] = {"netif_down", 6},
    [STACK_DROP_NETIF_REMOVED] = {"netif_removed", 6},
    [STACK_DROP_TCPIP_MBOX] = {"tcpip_mbox_full", 6},
};

const char *stack_drop_name(enum stack_drop d) {
  return (unsigned)d < STACK_DROP_COUNT ? drops[d].name : "?";
}

void st_drop(struct stack *st, enum stack_drop d) {
  st->stats.drops[d]++;
  struct stack_proto_stats *p[] = {&st->stats.eth, &st->stats.arp, &st->stats.ip,
                                   &st->stats.icmp, &st->stats.udp, &st->stats.tcp};
  if (drops[d].proto < 6) p[drops[d].proto]->drop++;
}

const struct stack_stats *stack_stats(const struct stack *st) { return &st->stats; }

/* ------------------------------------------------------------ errors -- */

static const char *const err_text[] = {
    "success", "pool or heap exhausted", "invalid argument", "no route to destination",
    "address in use", "not connected", "message too long", "network down", "no such object",
    "busy", "try again", "timed out", "connection reset", "connection refused",
    "connection aborted", "already connected", "in progress", "closed", "not permitted",
};
static const char *const err_names[] = {
    "STACK_OK", "STACK_ENOMEM", "STACK_EINVAL", "STACK_ENOROUTE", "STACK_EADDRINUSE",
    "STACK_ENOTCONN", "STACK_EMSGSIZE", "STACK_ENETDOWN", "STACK_ENOENT", "STACK_EBUSY",
    "STACK_EAGAIN", "STACK_ETIMEDOUT", "STACK_ECONNRESET", "STACK_ECONNREFUSED",
    "STACK_ECONNABORTED", "STACK_EISCONN", "STACK_EINPROGRESS", "STACK_ECLOSED", "STACK_EPERM",
};
_Static_assert(sizeof err_text / sizeof err_text[0] == 1 - STACK_ERR_MIN, "one text per code");
_Static_assert(sizeof err_names / sizeof err_names[0] == 1 - STACK_ERR_MIN, "one name per code");

const char *stack_strerror(int err) {
  return err <= 0 && err >= STACK_ERR_MIN ? err_text[-err] : "unknown error";
}
const char *stack_err_name(int err) {
  return err <= 0 && err >= STACK_ERR_MIN ? err_names[-err] : "?";
}
