/* IPv4 (RFC 791; host requirements from RFC 1122 sec. 3.2): input
 * validation and demultiplexing, routing, output, forwarding.
 *
 * Packets inside the core carry their IP header in the first pbuf, whole
 * (ip4_input makes it so); transport handlers get the payload with the
 * header just before it, so an ICMP error can push it back. */
#include "stack/core/priv.h"

static int is_loopback_addr(ip4_addr_t a) { return (a >> 24) == 127; }

int ip4_is_broadcast(const struct stack_netif *nif, ip4_addr_t a) {
  if (a == IP4_BROADCAST) return 1;
  if (!nif->addr || !nif->mask || nif->mask == IP4_BROADCAST) return 0;
  /* the subnet's directed broadcast: host bits all ones */
  return (a & nif->mask) == (nif->addr & nif->mask) && (a & ~nif->mask) == ~nif->mask;
}

int ip4_is_local(const struct stack *st, ip4_addr_t a) {
  for (const struct stack_netif *n = st->netifs; n; n = n->next)
    if (n->addr && n->addr == a && n->up) return 1;
  return 0;
}

struct stack_netif *ip4_route(struct stack *st, ip4_addr_t dst, ip4_addr_t *nexthop) {
  *nexthop = dst;
  if (is_loopback_addr(dst) || ip4_is_local(st, dst))
    return st->loopback && stack_netif_is_up(st->loopback) ? st->loopback : NULL;
  struct stack_netif *best = NULL;
  for (struct stack_netif *n = st->netifs; n; n = n->next) {
    if (n->loopback || !n->addr || !stack_netif_is_up(n)) continue;
    if (dst == IP4_BROADCAST) return st->default_nif && stack_netif_is_up(st->default_nif)
                                          ? st->default_nif : n;
    /* longest prefix; among equal ones, the first added */
    if ((dst & n->mask) == (n->addr & n->mask) && (!best || n->mask > best->mask)) best = n;
  }
  if (best) return best;
  struct stack_netif *d = st->default_nif;
  if (!d || !stack_netif_is_up(d) || !d->gw) {
    d = NULL;
    for (struct stack_netif *n = st->netifs; n && !d; n = n->next)
      if (!n->loopback && n->gw && stack_netif_is_up(n)) d = n;
  }
  if (!d) return NULL;
  *nexthop = d->gw;
  return d;
}

int ip4_send_on(struct stack_netif *nif, struct pbuf *p, ip4_addr_t nexthop) {
  struct stack *st = nif->st;
  st->stats.ip.tx++;
  if (nif->loopback) return netif_loop_output(nif, p);
  if (p->tot_len > nif->mtu) return ip4_fragment(nif, p, nexthop);
  return arp_resolve_and_send(nif, p, nexthop);
}

int ip4_output(struct stack *st, struct pbuf *p, ip4_addr_t src, ip4_addr_t dst, uint8_t proto,
               uint8_t ttl, uint8_t tos) {
  ip4_addr_t nexthop;
  struct stack_netif *nif = ip4_route(st, dst, &nexthop);
  if (!nif) {
    st_drop(st, STACK_DROP_IP_NO_ROUTE);
    pbuf_free(p);
    return STACK_ENOROUTE;
  }
  if (p->tot_len > 65535 - IPV4_HLEN) {
    pbuf_free(p);
    return STACK_EMSGSIZE;
  }
  if (pbuf_header(p, IPV4_HLEN) < 0) {
    struct pbuf *h = pbuf_alloc(st, PBUF_LINK, IPV4_HLEN);
    if (!h) {
      st_drop(st, STACK_DROP_POOL_EMPTY);
      pbuf_free(p);
      return STACK_ENOMEM;
    }
    pbuf_cat(h, p);
    p = h;
  }
  struct ipv4_repr r = {
      .tos = tos,
      .total_len = (uint16_t)p->tot_len,
      .id = st->ip_id++,
      .ttl = ttl ? ttl : st->cfg.ttl,
      .proto = proto,
      .src = src ? src : (nif->loopback && !is_loopback_addr(dst) ? dst : nif->addr),
      .dst = dst,
  };
  ipv4_emit(&r, p->payload, p->len);
  return ip4_send_on(nif, p, nexthop);
}

/* Forward a datagram not addressed to us (RFC 1812 sec. 5.2, in short). */
static void forward(struct stack_netif *in, struct pbuf *p, const struct ipv4_repr *r) {
  struct stack *st = in->st;
  if (r->ttl <= 1) {
    st_drop(st, STACK_DROP_IP_TTL);
    icmp_error(st, p, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL);
    pbuf_free(p);
    return;
  }
  ip4_addr_t nexthop;
  struct stack_netif *out = ip4_route(st, r->dst, &nexthop);
  if (!out || out->loopback) {
    st_drop(st, STACK_DROP_IP_NO_ROUTE);
    icmp_error(st, p, ICMP_DEST_UNREACH, 0 /* net unreachable */);
    pbuf_free(p);
    return;
  }
  if (p->tot_len > out->mtu && r->df) {
    st_drop(st, STACK_DROP_IP_DF);
    icmp_error(st, p, ICMP_DEST_UNREACH, ICMP_UNREACH_FRAG_NEEDED);
    pbuf_free(p);
    return;
  }
  ipv4_dec_ttl(p->payload);
  st->stats.ip_forwarded++;
  ip4_send_on(out, p, nexthop);
}

static enum stack_drop parse_drop(int err) {
  switch (err) {
  case WIRE_EVERSION: return STACK_DROP_IP_VERSION;
  case WIRE_EHLEN: return STACK_DROP_IP_HLEN;
  case WIRE_ECSUM: return STACK_DROP_IP_CHECKSUM;
  default: return STACK_DROP_IP_SHORT;
  }
}

void ip4_input(struct stack_netif *nif, struct pbuf *p) {
  struct stack *st = nif->st;
  st->stats.ip.rx++;
  uint8_t hb[60] = {0};
  pbuf_copy_out(p, hb, sizeof hb, 0);
  struct ipv4_repr r;
  int rc = ipv4_parse(&r, hb, p->tot_len, 0);
  if (rc < 0) {
    st_drop(st, parse_drop(rc));
    pbuf_free(p);
    return;
  }
  /* Past here the whole header sits in the first pbuf (a driver's chain
   * could split it; then the packet is copied into one). */
  if (p->len < r.hlen) {
    struct pbuf *q = pbuf_clone(st, PBUF_LINK, p);
    pbuf_free(p);
    if (!q) {
      st_drop(st, STACK_DROP_POOL_EMPTY);
      return;
    }
    p = q;
  }
  pbuf_trim(p, r.total_len); /* drop link-layer padding */
  if (r.src == IP4_BROADCAST || ip4_is_multicast(r.src) || ip4_is_broadcast(nif, r.src)) {
    st_drop(st, STACK_DROP_IP_SRC);
    pbuf_free(p);
    return;
  }
  int ours = nif->loopback || ip4_is_local(st, r.dst) || ip4_is_broadcast(nif, r.dst);
  if (!ours) {
    if (st->cfg.ip_forward && !ip4_is_multicast(r.dst)) forward(nif, p, &r);
    else {
      st_drop(st, STACK_DROP_IP_NOT_OURS);
      pbuf_free(p);
    }
    return;
  }
  if (r.mf || r.frag_off) {
    p = ip4_reass(nif, p, &r);
    if (!p) return; /* kept for later, or dropped and counted */
  }
  switch (r.proto) {
  case IPV4_PROTO_ICMP:
    pbuf_header(p, -(int)r.hlen);
    icmp_input(nif, p, &r);
    break;
  case IPV4_PROTO_UDP:
    pbuf_header(p, -(int)r.hlen);
    udp_input(nif, p, &r);
    break;
  case IPV4_PROTO_TCP:
    pbuf_header(p, -(int)r.hlen);
    tcp_input(nif, p, &r);
    break;
  default:
    st_drop(st, STACK_DROP_IP_PROTO);
    if (!ip4_is_broadcast(nif, r.dst)) icmp_error(st, p, ICMP_DEST_UNREACH, ICMP_UNREACH_PROTO);
    pbuf_free(p);
  }
}
