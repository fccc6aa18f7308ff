/* DHCP client (RFC 2131) and a small server for scenarios (stack/dhcp.h).
 *
 * One UDP PCB on port 68 per instance serves every netif's client: replies
 * are matched to a client by hardware address and transaction id. A
 * client has one timer, armed for whatever comes next in its state:
 * a retransmission, the end of the ARP check, T1, T2 or the lease's end.
 * Messages leave the netif itself (from 0.0.0.0 before an address is
 * bound), not through routing, since a netif without an address has no
 * route. */
#include <stdlib.h>
#include <string.h>

#include "stack/core/priv.h"
#include "stack/dhcp.h"
#include "stack/wire/dhcp.h"

struct dhcp {
  struct stack_netif *nif;
  enum dhcp_state state;
  uint32_t xid;
  uint32_t tries;
  ip4_addr_t offered, server, mask, router, dns[2];
  uint32_t lease, t1, t2;
  stack_time_t bound_at;
  struct stack_timer timer;
  struct dhcp_info counters;
};

static const char *const names[] = {"OFF",   "INIT",     "SELECTING", "REQUESTING", "CHECKING",
                                    "BOUND", "RENEWING", "REBINDING", "INIT-REBOOT", "REBOOTING"};
const char *dhcp_state_name(enum dhcp_state s) {
  return (unsigned)s <= DHCP_REBOOTING ? names[s] : "?";
}

static void set_state(struct dhcp *d, enum dhcp_state s) {
  STACK_YIELD_POINT(&d->nif->st->port, "dhcp_state");
  d->state = s;
}

/* ---------------------------------------------------------- sending --- */

/* Build and send one message out of the client's netif. */
static void send_msg(struct stack_netif *nif, struct dhcp_repr *r, ip4_addr_t dst, uint16_t sport,
                     uint16_t dport) {
  struct stack *st = nif->st;
  size_t len = dhcp_emit_len(r);
  struct pbuf *p = pbuf_alloc(st, PBUF_TRANSPORT, len);
  if (!p) {
    st_drop(st, STACK_DROP_POOL_EMPTY);
    return;
  }
  dhcp_emit(r, p->payload, p->len);
  ip4_addr_t src = nif->addr;
  pbuf_header(p, UDP_HLEN);
  struct udp_repr u = {.sport = sport, .dport = dport, .len = (uint16_t)(len + UDP_HLEN)};
  udp_emit(&u, p->payload, UDP_HLEN);
  struct csum c;
  csum_init(&c);
  csum_add(&c, p->payload, p->len);
  u.checksum = udp_checksum_finish(&c, src, dst, u.len);
  udp_emit(&u, p->payload, UDP_HLEN);
  pbuf_header(p, IPV4_HLEN);
  struct ipv4_repr ip = {.total_len = (uint16_t)p->tot_len, .id = st->ip_id++, .ttl = 64,
                         .proto = IPV4_PROTO_UDP, .src = src, .dst = dst};
  ipv4_emit(&ip, p->payload, IPV4_HLEN);
  st->stats.udp.tx++;
  ip4_addr_t nexthop = dst;
  if (dst != IP4_BROADCAST && nif->addr && nif->mask && (dst & nif->mask) != (nif->addr & nif->mask) &&
      nif->gw)
    nexthop = nif->gw;
  ip4_send_on(nif, p, nexthop);
}

static void client_msg(struct dhcp *d, uint8_t type, struct dhcp_repr *r) {
  memset(r, 0, sizeof *r);
  r->op = DHCP_OP_REQUEST;
  r->htype = DHCP_HTYPE_ETHERNET;
  r->chaddr_len = 6;
  r->xid = d->xid;
  r->flags = DHCP_FLAG_BROADCAST; /* ask for broadcast replies: we have no address yet */
  memcpy(r->chaddr, d->nif->mac.b, 6);
  r->msg_type = type;
  static const uint8_t prl[] = {DHCP_OPT_SUBNET_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS,
                                DHCP_OPT_LEASE_TIME, DHCP_OPT_T1, DHCP_OPT_T2};
  r->prl_len = sizeof prl;
  memcpy(r->prl, prl, sizeof prl);
}

/* RFC 2131 4.1: 4 s doubling to 64 s, each randomized by -1..+1 s. */
static stack_time_t backoff(struct dhcp *d) {
  uint32_t shift = d->tries < 4 ? d->tries : 4;
  stack_time_t base = (stack_time_t)4 * STACK_SEC << shift;
  struct stack *st = d->nif->st;
  stack_time_t jitter = (stack_time_t)(st->port.ops->random(st->port.ctx) % (2 * STACK_SEC + 1)) - STACK_SEC;
  d->tries++;
  return base + jitter;
}

static void timer_fn(void *arg);
static void arm(struct dhcp *d, stack_time_t delay) { stimer_start(d->nif->st, &d->timer, delay, timer_fn, d); }

static void new_xid(struct dhcp *d) {
  struct stack *st = d->nif->st;
  d->xid = (uint32_t)st->port.ops->random(st->port.ctx);
}

static void send_discover(struct dhcp *d) {
  struct dhcp_repr r;
  client_msg(d, DHCP_DISCOVER, &r);
  d->counters.discovers++;
  send_msg(d->nif, &r, IP4_BROADCAST, DHCP_CLIENT_PORT, DHCP_SERVER_PORT);
  arm(d, backoff(d));
}

/* REQUEST: selecting (server id + requested ip), init-reboot (requested
 * ip), renewing (ciaddr, unicast to the server), rebinding (ciaddr,
 * broadcast). RFC 2131 4.3.2, table 4. */
static void send_request(struct dhcp *d) {
  struct dhcp_repr r;
  client_msg(d, DHCP_REQUEST, &r);
  ip4_addr_t dst = IP4_BROADCAST;
  if (d->state == DHCP_REQUESTING) {
    r.has_server_id = 1;
    r.server_id = d->server;
    r.has_requested_ip = 1;
    r.requested_ip = d->offered;
  } else if (d->state == DHCP_REBOOTING) {
    r.has_requested_ip = 1;
    r.requested_ip = d->offered;
  } else { /* RENEWING, REBINDING */
    r.ciaddr = d->nif->addr;
    r.flags = 0;
    if (d->state == DHCP_RENEWING) dst = d->server;
  }
  d->counters.requests++;
  send_msg(d->nif, &r, dst, DHCP_CLIENT_PORT, DHCP_SERVER_PORT);
}

/* ----------------------------------------------------------- states --- */

static void to_init(struct dhcp *d, stack_time_t wait) {
  set_state(d, DHCP_INIT);
  d->tries = 0;
  new_xid(d);
  if (wait) arm(d, wait);
  else {
    set_state(d, DHCP_SELECTING);
    send_discover(d);
  }
}

static void unbind(struct dhcp *d) {
  stack_netif_set_addr(d->nif, 0, 0, 0);
}

static void bind_lease(struct dhcp *d) {
  set_state(d, DHCP_BOUND);
  d->bound_at = stack_now(d->nif->st);
  d->tries = 0;
  stack_netif_set_addr(d->nif, d->offered, d->mask, d->router); /* announces it (gratuitous ARP) */
  if (d->lease == DHCP_LEASE_INFINITE) {
    stimer_stop(&d->timer);
    return;
  }
  arm(d, (stack_time_t)d->t1 * STACK_SEC);
}

/* The remaining time to an absolute point of the lease, halved, at least
 * 60 s (RFC 2131 4.4.5), never beyond it. */
static stack_time_t half_way(struct dhcp *d, uint32_t at_s) {
  stack_time_t end = d->bound_at + (stack_time_t)at_s * STACK_SEC;
  stack_time_t left = end - stack_now(d->nif->st);
  stack_time_t w = left / 2 > 60 * STACK_SEC ? left / 2 : 60 * STACK_SEC;
  return w < left ? w : left;
}

static void timer_fn(void *arg) {
  struct dhcp *d = arg;
  stack_time_t now = stack_now(d->nif->st);
  switch (d->state) {
  case DHCP_INIT:
    set_state(d, DHCP_SELECTING);
    send_discover(d);
    break;
  case DHCP_SELECTING:
    send_discover(d);
    break;
  case DHCP_REQUESTING:
  case DHCP_REBOOTING:
    if (d->tries >= 4) { /* no answer: start over */
      to_init(d, 0);
      break;
    }
    send_request(d);
    arm(d, backoff(d));
    break;
  case DHCP_CHECKING: /* nobody claimed the address */
    bind_lease(d);
    break;
  case DHCP_BOUND:
    set_state(d, DHCP_RENEWING);
    send_request(d);
    arm(d, half_way(d, d->t2));
    break;
  case DHCP_RENEWING:
    if (now >= d->bound_at + (stack_time_t)d->t2 * STACK_SEC) {
      set_state(d, DHCP_REBINDING);
      new_xid(d);
    }
    send_request(d);
    arm(d, half_way(d, d->state == DHCP_RENEWING ? d->t2 : d->lease));
    break;
  case DHCP_REBINDING:
    if (now >= d->bound_at + (stack_time_t)d->lease * STACK_SEC) {
      unbind(d); /* the lease ran out */
      to_init(d, 0);
      break;
    }
    send_request(d);
    arm(d, half_way(d, d->lease));
    break;
  default:
    break;
  }
}

static struct dhcp *client_of(struct stack *st, const struct dhcp_repr *r) {
  for (struct stack_netif *n = st->netifs; n; n = n->next)
    if (n->dhcp && n->dhcp->state != DHCP_OFF && memcmp(r->chaddr, n->mac.b, 6) == 0 &&
        r->xid == n->dhcp->xid)
      return n->dhcp;
  return NULL;
}

static void take_options(struct dhcp *d, const struct dhcp_repr *r) {
  d->mask = r->has_subnet_mask ? r->subnet_mask : 0xffffff00u;
  d->router = r->has_router ? r->router : 0;
  d->dns[0] = r->dns_count > 0 ? r->dns[0] : 0;
  d->dns[1] = r->dns_count > 1 ? r->dns[1] : 0;
  d->lease = r->has_lease_time ? r->lease_time : 3600;
  d->t1 = r->has_t1 ? r->t1 : d->lease / 2;
  d->t2 = r->has_t2 ? r->t2 : (uint32_t)((uint64_t)d->lease * 7 / 8);
  if (r->has_server_id) d->server = r->server_id;
}

static void client_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src, uint16_t sport) {
  (void)pcb, (void)sport, (void)src;
  struct stack *st = arg;
  uint8_t buf[1500];
  size_t n = pbuf_copy_out(p, buf, sizeof buf, 0);
  pbuf_free(p);
  struct dhcp_repr r;
  if (dhcp_parse(&r, buf, n) < 0 || r.op != DHCP_OP_REPLY) return;
  struct dhcp *d = client_of(st, &r);
  if (!d) return;
  if (r.msg_type == DHCP_OFFER && d->state == DHCP_SELECTING && r.yiaddr && r.has_server_id) {
    d->offered = r.yiaddr;
    d->server = r.server_id;
    set_state(d, DHCP_REQUESTING);
    d->tries = 0;
    send_request(d);
    arm(d, backoff(d));
  } else if (r.msg_type == DHCP_ACK &&
             (d->state == DHCP_REQUESTING || d->state == DHCP_REBOOTING ||
              d->state == DHCP_RENEWING || d->state == DHCP_REBINDING)) {
    d->counters.acks++;
    take_options(d, &r);
    d->offered = r.yiaddr;
    if (d->state == DHCP_REQUESTING || d->state == DHCP_REBOOTING) {
      /* RFC 2131 4.4.1: probe the address before using it */
      set_state(d, DHCP_CHECKING);
      arp_probe(d->nif, d->offered);
      arm(d, STACK_SEC);
    } else {
      bind_lease(d);
    }
  } else if (r.msg_type == DHCP_NAK &&
             (d->state == DHCP_REQUESTING || d->state == DHCP_REBOOTING ||
              d->state == DHCP_RENEWING || d->state == DHCP_REBINDING)) {
    d->counters.naks++;
    if (d->nif->addr) unbind(d);
    /* start over (RFC 2131 3.1 step 5), after a pause of 1-3 s so that a
     * server that NAKs everything does not get a storm */
    to_init(d, STACK_SEC + (stack_time_t)(st->port.ops->random(st->port.ctx) % (2 * STACK_SEC)));
  }
}

/* An ARP packet from `spa` on nif: while checking, someone using the
 * offered address means it is taken (RFC 2131 3.1 step 5). */
void dhcp_arp_seen(struct stack_netif *nif, ip4_addr_t spa) {
  struct dhcp *d = nif->dhcp;
  if (!d || d->state != DHCP_CHECKING || spa != d->offered) return;
  struct dhcp_repr r;
  client_msg(d, DHCP_DECLINE, &r);
  r.has_requested_ip = 1;
  r.requested_ip = d->offered;
  r.has_server_id = 1;
  r.server_id = d->server;
  d->counters.declines++;
  send_msg(nif, &r, IP4_BROADCAST, DHCP_CLIENT_PORT, DHCP_SERVER_PORT);
  to_init(d, 10 * STACK_SEC); /* RFC 2131 3.1 step 5: wait at least 10 s */
}

/* ------------------------------------------------------------ public --- */

static int ensure_pcb(struct stack *st) {
  if (st->dhcp_pcb) return STACK_OK;
  st->dhcp_pcb = udp_new(st);
  if (!st->dhcp_pcb) return STACK_ENOMEM;
  int rc = udp_bind(st->dhcp_pcb, 0, DHCP_CLIENT_PORT);
  if (rc < 0) {
    udp_remove(st->dhcp_pcb);
    st->dhcp_pcb = NULL;
    return rc;
  }
  udp_recv(st->dhcp_pcb, client_recv, st);
  return STACK_OK;
}

int dhcp_start(struct stack_netif *nif, ip4_addr_t remembered) {
  struct stack *st = nif->st;
  CORE_CHECK(st, "dhcp_start");
  if (nif->loopback) return STACK_EINVAL;
  int rc = ensure_pcb(st);
  if (rc < 0) return rc;
  if (!nif->dhcp) {
    nif->dhcp = st_calloc(st, 1, sizeof *nif->dhcp);
    if (!nif->dhcp) return STACK_ENOMEM;
    nif->dhcp->nif = nif;
  }
  struct dhcp *d = nif->dhcp;
  stimer_stop(&d->timer);
  if (remembered) {
    d->offered = remembered;
    set_state(d, DHCP_REBOOTING); /* INIT-REBOOT sends its REQUEST at once */
    d->tries = 0;
    new_xid(d);
    send_request(d);
    arm(d, backoff(d));
  } else {
    to_init(d, 0);
  }
  return STACK_OK;
}

void dhcp_stop(struct stack_netif *nif) {
  CORE_CHECK(nif->st, "dhcp_stop");
  if (!nif->dhcp) return;
  stimer_stop(&nif->dhcp->timer);
  set_state(nif->dhcp, DHCP_OFF);
}

int dhcp_renew(struct stack_netif *nif) {
  CORE_CHECK(nif->st, "dhcp_renew");
  struct dhcp *d = nif->dhcp;
  if (!d || d->state != DHCP_BOUND) return STACK_EINVAL;
  timer_fn(d); /* BOUND's timer action: RENEWING now */
  return STACK_OK;
}

int dhcp_release(struct stack_netif *nif) {
  CORE_CHECK(nif->st, "dhcp_release");
  struct dhcp *d = nif->dhcp;
  if (!d || (d->state != DHCP_BOUND && d->state != DHCP_RENEWING && d->state != DHCP_REBINDING))
    return STACK_EINVAL;
  struct dhcp_repr r;
  client_msg(d, DHCP_RELEASE, &r);
  r.flags = 0;
  r.ciaddr = nif->addr;
  r.has_server_id = 1;
  r.server_id = d->server;
  send_msg(nif, &r, d->server, DHCP_CLIENT_PORT, DHCP_SERVER_PORT);
  stimer_stop(&d->timer);
  unbind(d);
  set_state(d, DHCP_OFF);
  return STACK_OK;
}

int dhcp_get_info(const struct stack_netif *nif, struct dhcp_info *o) {
  const struct dhcp *d = nif->dhcp;
  if (!d) return STACK_ENOENT;
  *o = d->counters;
  o->state = d->state;
  o->addr = d->state == DHCP_BOUND || d->state == DHCP_RENEWING || d->state == DHCP_REBINDING
                ? nif->addr : 0;
  o->mask = d->mask;
  o->router = d->router;
  o->server = d->server;
  o->dns[0] = d->dns[0];
  o->dns[1] = d->dns[1];
  o->lease = d->lease;
  o->t1 = d->t1;
  o->t2 = d->t2;
  return STACK_OK;
}

void dhcp_netif_removed(struct stack *st, struct stack_netif *nif) {
  if (!nif->dhcp) return;
  stimer_stop(&nif->dhcp->timer);
  st_free(st, nif->dhcp, sizeof *nif->dhcp);
  nif->dhcp = NULL;
}

/* ------------------------------------------------------------ server -- */

struct dhcp_server {
  struct stack_netif *nif;
  struct udp_pcb *pcb;
  struct dhcp_server_config c;
  struct dhcp_server_stats stats;
  struct lease { uint8_t mac[6]; uint8_t used, declined; } *leases;
};

static int lease_for(struct dhcp_server *s, const uint8_t *mac, int create) {
  for (uint32_t i = 0; i < s->c.pool_size; i++)
    if (s->leases[i].used && memcmp(s->leases[i].mac, mac, 6) == 0) return (int)i;
  if (!create) return -1;
  for (uint32_t i = 0; i < s->c.pool_size; i++)
    if (!s->leases[i].used && !s->leases[i].declined) {
      s->leases[i].used = 1;
      memcpy(s->leases[i].mac, mac, 6);
      return (int)i;
    }
  return -1;
}

static void server_reply(struct dhcp_server *s, const struct dhcp_repr *q, uint8_t type, ip4_addr_t yi) {
  struct dhcp_repr r = {0};
  r.op = DHCP_OP_REPLY;
  r.htype = DHCP_HTYPE_ETHERNET;
  r.chaddr_len = 6;
  r.xid = q->xid;
  r.flags = q->flags;
  r.yiaddr = yi;
  memcpy(r.chaddr, q->chaddr, sizeof r.chaddr);
  r.msg_type = type;
  r.has_server_id = 1;
  r.server_id = s->nif->addr;
  if (type != DHCP_NAK) {
    r.has_subnet_mask = 1;
    r.subnet_mask = s->c.mask;
    if (s->c.router) r.has_router = 1, r.router = s->c.router;
    if (s->c.dns) r.dns_count = 1, r.dns[0] = s->c.dns;
    r.has_lease_time = 1;
    r.lease_time = s->c.lease;
    r.has_t1 = 1;
    r.t1 = s->c.t1 ? s->c.t1 : s->c.lease / 2;
    r.has_t2 = 1;
    r.t2 = s->c.t2 ? s->c.t2 : (uint32_t)((uint64_t)s->c.lease * 7 / 8);
  }
  /* RFC 2131 4.1: a client that has an address gets unicast, else broadcast */
  ip4_addr_t dst = q->ciaddr && !(q->flags & DHCP_FLAG_BROADCAST) ? q->ciaddr : IP4_BROADCAST;
  send_msg(s->nif, &r, dst, DHCP_SERVER_PORT, DHCP_CLIENT_PORT);
}

static void server_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t src, uint16_t sport) {
  (void)pcb, (void)src, (void)sport;
  struct dhcp_server *s = arg;
  uint8_t buf[1500];
  size_t n = pbuf_copy_out(p, buf, sizeof buf, 0);
  pbuf_free(p);
  struct dhcp_repr q;
  if (dhcp_parse(&q, buf, n) < 0 || q.op != DHCP_OP_REQUEST) return;
  int i;
  switch (q.msg_type) {
  case DHCP_DISCOVER:
    if (s->c.drop_offers || (i = lease_for(s, q.chaddr, 1)) < 0) return;
    s->stats.offers++;
    server_reply(s, &q, DHCP_OFFER, s->c.pool_first + (uint32_t)i);
    break;
  case DHCP_REQUEST: {
    if (q.has_server_id && q.server_id != s->nif->addr) { /* chose another server */
      if ((i = lease_for(s, q.chaddr, 0)) >= 0) s->leases[i].used = 0;
      return;
    }
    ip4_addr_t want = q.has_requested_ip ? q.requested_ip : q.ciaddr;
    i = lease_for(s, q.chaddr, 0);
    if (i < 0 && want >= s->c.pool_first && want < s->c.pool_first + s->c.pool_size &&
        !s->leases[want - s->c.pool_first].used && !s->leases[want - s->c.pool_first].declined) {
      i = (int)(want - s->c.pool_first); /* INIT-REBOOT of a free address: grant it */
      s->leases[i].used = 1;
      memcpy(s->leases[i].mac, q.chaddr, 6);
    }
    if (s->c.nak_requests || i < 0 || s->c.pool_first + (uint32_t)i != want) {
      s->stats.naks++;
      server_reply(s, &q, DHCP_NAK, 0);
      return;
    }
    s->stats.acks++;
    server_reply(s, &q, DHCP_ACK, want);
    break;
  }
  case DHCP_DECLINE:
    if ((i = lease_for(s, q.chaddr, 0)) >= 0) {
      s->leases[i].used = 0;
      s->leases[i].declined = 1; /* someone else has it: never again */
    }
    s->stats.declines++;
    break;
  case DHCP_RELEASE:
    if ((i = lease_for(s, q.chaddr, 0)) >= 0) s->leases[i].used = 0;
    s->stats.releases++;
    break;
  default:
    break;
  }
}

int dhcp_server_start(struct stack_netif *nif, const struct dhcp_server_config *c,
                      struct dhcp_server **out) {
  *out = NULL;
  struct stack *st = nif->st;
  CORE_CHECK(st, "dhcp_server_start");
  if (!nif->addr || !c->pool_size || !c->lease) return STACK_EINVAL;
  struct dhcp_server *s = calloc(1, sizeof *s);
  if (!s || !(s->leases = calloc(c->pool_size, sizeof *s->leases))) {
    free(s);
    return STACK_ENOMEM;
  }
  s->nif = nif;
  s->c = *c;
  s->pcb = udp_new(st);
  int rc = s->pcb ? udp_bind(s->pcb, 0, DHCP_SERVER_PORT) : STACK_ENOMEM;
  if (rc < 0) {
    if (s->pcb) udp_remove(s->pcb);
    free(s->leases);
    free(s);
    return rc;
  }
  udp_recv(s->pcb, server_recv, s);
  *out = s;
  return STACK_OK;
}

void dhcp_server_stop(struct dhcp_server *s) {
  if (!s) return;
  udp_remove(s->pcb);
  free(s->leases);
  free(s);
}

const struct dhcp_server_stats *dhcp_server_stats(const struct dhcp_server *s) { return &s->stats; }

void dhcp_server_set_faults(struct dhcp_server *s, int drop_offers, int nak_requests) {
  s->c.drop_offers = (uint8_t)!!drop_offers;
  s->c.nak_requests = (uint8_t)!!nak_requests;
}
