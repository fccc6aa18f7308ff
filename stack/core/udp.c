/* UDP (RFC 768; RFC 1122 sec. 4.1) on the raw API.
 *
 * PCBs live in the instance's udp_pcb pool and on st->udp_list, newest
 * first. Demultiplexing prefers a connected PCB matching the remote end,
 * then a PCB bound to the destination address, then one bound to any
 * address: the most specific wins. */
#include <string.h>

#include "stack/core/priv.h"

enum { UDP_CONNECTED = 1, UDP_BROADCAST = 2, UDP_NOCSUM = 4 };

struct udp_pcb {
  struct stack *st;
  struct udp_pcb *next;
  ip4_addr_t laddr, raddr;
  uint16_t lport, rport;
  uint8_t flags;
  uint8_t ttl;
  udp_recv_fn fn;
  void *arg;
};

size_t udp_pcb_size(void) { return sizeof(struct udp_pcb); }

/* A stale PCB handed back to us: report it, touch nothing. */
static int stale(const struct udp_pcb *pcb, const char *where) {
  if (pool_obj_live(pcb)) return 0;
  st_finding(pool_obj_owner(pcb), "use_after_free", where, "udp_pcb was already removed");
  return 1;
}

struct udp_pcb *udp_new(struct stack *st) {
  CORE_CHECK(st, "udp_new");
  struct udp_pcb *pcb = pool_get(st, &st->udp_pcbs);
  if (!pcb) return NULL;
  pcb->st = st;
  pcb->next = st->udp_list;
  st->udp_list = pcb;
  return pcb;
}

void udp_remove(struct udp_pcb *pcb) {
  if (!pcb || stale(pcb, "udp_remove")) return;
  CORE_CHECK(pcb->st, "udp_remove");
  struct stack *st = pcb->st;
  for (struct udp_pcb **pp = &st->udp_list; *pp; pp = &(*pp)->next)
    if (*pp == pcb) {
      *pp = pcb->next;
      break;
    }
  STACK_YIELD_POINT(&st->port, "udp_pcb_free");
  pool_put(st, &st->udp_pcbs, pcb, "udp_remove");
}

static int port_taken(struct stack *st, const struct udp_pcb *self, ip4_addr_t addr,
                      uint16_t port) {
  for (struct udp_pcb *q = st->udp_list; q; q = q->next)
    if (q != self && q->lport == port && (!q->laddr || !addr || q->laddr == addr)) return 1;
  return 0;
}

int udp_bind(struct udp_pcb *pcb, ip4_addr_t addr, uint16_t port) {
  if (!pcb || stale(pcb, "udp_bind")) return STACK_EINVAL;
  CORE_CHECK(pcb->st, "udp_bind");
  struct stack *st = pcb->st;
  if (port == 0) {
    uint32_t span = (uint32_t)st->cfg.port_max - st->cfg.port_min + 1;
    for (uint32_t i = 0; i < span && !port; i++) {
      uint16_t cand = st->next_port;
      st->next_port = cand == st->cfg.port_max ? st->cfg.port_min : (uint16_t)(cand + 1);
      if (!port_taken(st, pcb, addr, cand)) port = cand;
    }
    if (!port) return STACK_EADDRINUSE;
  } else if (port_taken(st, pcb, addr, port)) {
    return STACK_EADDRINUSE;
  }
  pcb->laddr = addr;
  pcb->lport = port;
  return STACK_OK;
}

int udp_connect(struct udp_pcb *pcb, ip4_addr_t addr, uint16_t port) {
  if (!pcb || stale(pcb, "udp_connect")) return STACK_EINVAL;
  CORE_CHECK(pcb->st, "udp_connect");
  if (!pcb->lport) {
    int rc = udp_bind(pcb, pcb->laddr, 0);
    if (rc < 0) return rc;
  }
  pcb->raddr = addr;
  pcb->rport = port;
  pcb->flags |= UDP_CONNECTED;
  return STACK_OK;
}

void udp_disconnect(struct udp_pcb *pcb) {
  if (!pcb || stale(pcb, "udp_disconnect")) return;
  CORE_CHECK(pcb->st, "udp_disconnect");
  pcb->raddr = 0;
  pcb->rport = 0;
  pcb->flags &= (uint8_t)~UDP_CONNECTED;
}

void udp_recv(struct udp_pcb *pcb, udp_recv_fn fn, void *arg) {
  if (!pcb || stale(pcb, "udp_recv")) return;
  pcb->fn = fn;
  pcb->arg = arg;
}

void udp_set_broadcast(struct udp_pcb *pcb, int on) {
  if (!pcb || stale(pcb, "udp_set_broadcast")) return;
  pcb->flags = (uint8_t)(on ? pcb->flags | UDP_BROADCAST : pcb->flags & ~UDP_BROADCAST);
}

void udp_set_ttl(struct udp_pcb *pcb, uint8_t ttl) {
  if (!pcb || stale(pcb, "udp_set_ttl")) return;
  pcb->ttl = ttl;
}

void udp_set_no_checksum(struct udp_pcb *pcb, int on) {
  if (!pcb || stale(pcb, "udp_set_no_checksum")) return;
  pcb->flags = (uint8_t)(on ? pcb->flags | UDP_NOCSUM : pcb->flags & ~UDP_NOCSUM);
}

uint16_t udp_local_port(const struct udp_pcb *pcb) { return pcb->lport; }
ip4_addr_t udp_local_addr(const struct udp_pcb *pcb) { return pcb->laddr; }

static int is_broadcast_for(struct stack *st, ip4_addr_t a) {
  if (a == IP4_BROADCAST) return 1;
  for (struct stack_netif *n = st->netifs; n; n = n->next)
    if (ip4_is_broadcast(n, a)) return 1;
  return 0;
}

int udp_sendto(struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t dst, uint16_t dport) {
  if (!pcb || !p || stale(pcb, "udp_sendto")) return STACK_EINVAL;
  CORE_CHECK(pcb->st, "udp_sendto");
  struct stack *st = pcb->st;
  if (is_broadcast_for(st, dst) && !(pcb->flags & UDP_BROADCAST)) return STACK_EINVAL;
  if (p->tot_len > 65535 - UDP_HLEN - IPV4_HLEN) return STACK_EMSGSIZE;
  if (!pcb->lport) {
    int rc = udp_bind(pcb, pcb->laddr, 0);
    if (rc < 0) return rc;
  }
  ip4_addr_t nexthop, src = pcb->laddr;
  struct stack_netif *nif = ip4_route(st, dst, &nexthop);
  if (!nif) {
    st_drop(st, STACK_DROP_IP_NO_ROUTE);
    return STACK_ENOROUTE;
  }
  if (!src) src = nif->loopback && (dst >> 24) != 127 ? dst : nif->addr;
  /* The header goes in a buffer of its own in front of the caller's data,
   * which keeps its reference and its bytes untouched. */
  struct pbuf *h = pbuf_alloc(st, PBUF_IP, UDP_HLEN);
  if (!h) {
    st_drop(st, STACK_DROP_POOL_EMPTY);
    return STACK_ENOMEM;
  }
  uint16_t len = (uint16_t)(UDP_HLEN + p->tot_len);
  struct udp_repr u = {.sport = pcb->lport, .dport = dport, .len = len};
  udp_emit(&u, h->payload, h->len);
  if (!(pcb->flags & UDP_NOCSUM)) {
    struct csum c;
    csum_init(&c);
    csum_add(&c, h->payload, UDP_HLEN);
    for (const struct pbuf *q = p; q; q = q->next) csum_add(&c, q->payload, q->len);
    u.checksum = udp_checksum_finish(&c, src, dst, len);
    udp_emit(&u, h->payload, h->len);
  }
  pbuf_ref(p);
  pbuf_cat(h, p);
  st->stats.udp.tx++;
  return ip4_output(st, h, src, dst, IPV4_PROTO_UDP, pcb->ttl, 0);
}

int udp_send(struct udp_pcb *pcb, struct pbuf *p) {
  if (!pcb || !p || stale(pcb, "udp_send")) return STACK_EINVAL;
  CORE_CHECK(pcb->st, "udp_send");
  if (!(pcb->flags & UDP_CONNECTED)) return STACK_ENOTCONN;
  return udp_sendto(pcb, p, pcb->raddr, pcb->rport);
}

int udp_sendto_buf(struct udp_pcb *pcb, const void *data, size_t len, ip4_addr_t dst,
                   uint16_t dport) {
  if (!pcb || stale(pcb, "udp_sendto_buf")) return STACK_EINVAL;
  CORE_CHECK(pcb->st, "udp_sendto_buf");
  if (len > 65535 - UDP_HLEN - IPV4_HLEN) return STACK_EMSGSIZE;
  struct pbuf *p = pbuf_alloc(pcb->st, PBUF_TRANSPORT, len);
  if (!p) {
    st_drop(pcb->st, STACK_DROP_POOL_EMPTY);
    return STACK_ENOMEM;
  }
  pbuf_copy_in(p, data, len, 0);
  int rc = udp_sendto(pcb, p, dst, dport);
  pbuf_free(p);
  return rc;
}

void udp_input(struct stack_netif *nif, struct pbuf *p, const struct ipv4_repr *ip) {
  struct stack *st = nif->st;
  st->stats.udp.rx++;
  uint8_t h[UDP_HLEN];
  struct udp_repr u;
  if (pbuf_copy_out(p, h, UDP_HLEN, 0) < UDP_HLEN || udp_parse(&u, h, p->tot_len) < 0) {
    st_drop(st, STACK_DROP_UDP_MALFORMED);
    pbuf_free(p);
    return;
  }
  pbuf_trim(p, u.len);
  struct csum c;
  csum_init(&c);
  for (const struct pbuf *q = p; q; q = q->next) csum_add(&c, q->payload, q->len);
  if (!udp_checksum_ok(&u, &c, ip->src, ip->dst)) {
    st_drop(st, STACK_DROP_UDP_CHECKSUM);
    pbuf_free(p);
    return;
  }
  struct udp_pcb *best = NULL;
  int best_score = 0;
  for (struct udp_pcb *q = st->udp_list; q; q = q->next) {
    if (q->lport != u.dport) continue;
    if (q->laddr && q->laddr != ip->dst && !ip4_is_broadcast(nif, ip->dst)) continue;
    int score = 1 + (q->laddr != 0);
    if (q->flags & UDP_CONNECTED) {
      if (q->raddr != ip->src || q->rport != u.sport) continue;
      score += 2;
    }
    if (score > best_score) {
      best = q;
      best_score = score;
    }
  }
  if (!best) {
    st_drop(st, STACK_DROP_UDP_NO_PCB);
    if (!ip4_is_broadcast(nif, ip->dst) && pbuf_header(p, ip->hlen) == 0)
      icmp_error(st, p, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT);
    pbuf_free(p);
    return;
  }
  if (p->len < UDP_HLEN) { /* header split across buffers: make it one */
    struct pbuf *q = pbuf_clone(st, PBUF_RAW, p);
    pbuf_free(p);
    if (!q) {
      st_drop(st, STACK_DROP_POOL_EMPTY);
      return;
    }
    p = q;
  }
  pbuf_header(p, -UDP_HLEN);
  if (best->fn) best->fn(best->arg, best, p, ip->src, u.sport);
  else pbuf_free(p);
}

void udp_netif_removed(struct stack *st, struct stack_netif *nif) {
  /* PCBs bound to the address that goes away fall back to any address. */
  for (struct udp_pcb *q = st->udp_list; q; q = q->next)
    if (q->laddr && q->laddr == nif->addr) q->laddr = 0;
}

void udp_destroy(struct stack *st) {
  while (st->udp_list) udp_remove(st->udp_list);
}
