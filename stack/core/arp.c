/* ARP (RFC 826): the cache, resolution with a bounded queue per pending
 * entry, retries, aging, gratuitous announcements.
 *
 * Entries: EMPTY, PENDING (requests sent, packets queued, retry timer
 * running) or STABLE (MAC known, expiry timer running). Every non-empty
 * entry has exactly one timer running, so freeing an entry means stopping
 * its timer and releasing its queue: entry_clear() does both. */
#include <string.h>

#include "stack/core/priv.h"

static void entry_timer(void *arg);

static void entry_clear(struct stack *st, struct arp_entry *a, enum stack_drop why) {
  stimer_stop(&a->timer);
  for (uint32_t i = 0; i < a->nqueue; i++) {
    st_drop(st, why);
    pbuf_free(a->queue[i]);
  }
  memset(a, 0, sizeof *a);
}

static int send_arp(struct stack_netif *nif, uint16_t op, const struct eth_addr *dst_mac,
                    const struct eth_addr *tha, ip4_addr_t tpa) {
  struct stack *st = nif->st;
  struct pbuf *p = pbuf_alloc(st, PBUF_LINK, ARP_LEN);
  if (!p) {
    st_drop(st, STACK_DROP_POOL_EMPTY);
    return STACK_ENOMEM;
  }
  struct arp_repr r = {.op = op, .sha = nif->mac, .spa = nif->addr, .tha = *tha, .tpa = tpa};
  arp_emit(&r, p->payload, p->len);
  st->stats.arp.tx++;
  return eth_send(nif, p, dst_mac, ETH_TYPE_ARP);
}

static void send_request(struct stack_netif *nif, ip4_addr_t ip) {
  struct eth_addr zero = {{0}}, bc = eth_addr_broadcast();
  send_arp(nif, ARP_REQUEST, &bc, &zero, ip);
}

void arp_announce(struct stack_netif *nif) { send_request(nif, nif->addr); }

void arp_probe(struct stack_netif *nif, ip4_addr_t ip) {
  struct stack *st = nif->st;
  struct pbuf *p = pbuf_alloc(st, PBUF_LINK, ARP_LEN);
  if (!p) {
    st_drop(st, STACK_DROP_POOL_EMPTY);
    return;
  }
  struct eth_addr bc = eth_addr_broadcast();
  struct arp_repr r = {.op = ARP_REQUEST, .sha = nif->mac, .spa = 0, .tpa = ip};
  arp_emit(&r, p->payload, p->len);
  st->stats.arp.tx++;
  eth_send(nif, p, &bc, ETH_TYPE_ARP);
}

static struct arp_entry *find(struct stack *st, ip4_addr_t ip, const struct stack_netif *nif) {
  for (uint32_t i = 0; i < st->cfg.arp_entries; i++) {
    struct arp_entry *a = &st->arp[i];
    if (a->state != ARP_EMPTY && a->ip == ip && (!nif || a->nif == nif)) return a;
  }
  return NULL;
}

/* An empty entry, else the least recently used stable one (evicted), else
 * NULL: pending entries are never evicted, their queues would be lost. */
static struct arp_entry *take(struct stack *st) {
  struct arp_entry *victim = NULL;
  for (uint32_t i = 0; i < st->cfg.arp_entries; i++) {
    struct arp_entry *a = &st->arp[i];
    if (a->state == ARP_EMPTY) return a;
    if (a->state == ARP_STABLE && (!victim || a->used < victim->used)) victim = a;
  }
  if (victim) entry_clear(st, victim, STACK_DROP_ARP_UNRESOLVED);
  return victim;
}

static void make_stable(struct stack *st, struct arp_entry *a, const struct eth_addr *mac) {
  a->mac = *mac;
  a->state = ARP_STABLE;
  a->used = stack_now(st);
  stimer_start(st, &a->timer, st->cfg.arp_max_age, entry_timer, a);
  /* Send what waited, oldest first. The queue is emptied before sending:
   * a send may re-enter ARP. */
  struct pbuf *q[8];
  uint32_t n = a->nqueue;
  memcpy(q, a->queue, n * sizeof *q);
  a->nqueue = 0;
  struct stack_netif *nif = a->nif;
  struct eth_addr m = a->mac;
  for (uint32_t i = 0; i < n; i++) eth_send(nif, q[i], &m, ETH_TYPE_IPV4);
}

static void entry_timer(void *arg) {
  struct arp_entry *a = arg;
  struct stack *st = a->nif->st;
  if (a->state == ARP_PENDING && ++a->tries < st->cfg.arp_tries) {
    send_request(a->nif, a->ip);
    stimer_start(st, &a->timer, st->cfg.arp_retry, entry_timer, a);
    return;
  }
  /* pending and out of tries, or stable and expired */
  entry_clear(st, a, STACK_DROP_ARP_UNRESOLVED);
}

void arp_input(struct stack_netif *nif, struct pbuf *p, const struct eth_addr *src) {
  struct stack *st = nif->st;
  st->stats.arp.rx++;
  uint8_t buf[ARP_LEN];
  struct arp_repr r;
  /* ARP carries no checksum: a sender hardware address that differs from
   * the frame's source is taken as damage (or a spoof) and dropped, so a
   * flipped bit cannot poison the cache. */
  if (pbuf_copy_out(p, buf, ARP_LEN, 0) < ARP_LEN || arp_parse(&r, buf, ARP_LEN) < 0 ||
      !eth_addr_eq(&r.sha, src)) {
    st_drop(st, STACK_DROP_ARP_MALFORMED);
    pbuf_free(p);
    return;
  }
  pbuf_free(p);
  dhcp_arp_seen(nif, r.spa); /* a DHCP client checking an offered address listens */
  if (r.spa == 0) { /* a probe: defend our address (RFC 5227 2.1.1), learn nothing */
    if (nif->addr && r.tpa == nif->addr && r.op == ARP_REQUEST)
      send_arp(nif, ARP_REPLY, &r.sha, &r.sha, 0);
    return;
  }
  if (nif->addr && r.spa == nif->addr) {
    if (!eth_addr_eq(&r.sha, &nif->mac))
      st_log(st, STACK_LOG_WARN, "%s: address conflict with another host", nif->name);
    return;
  }
  int for_us = nif->addr && r.tpa == nif->addr; /* without an address, only updates */
  /* RFC 826 merge: update an entry we have; add one when the packet is for us. */
  struct arp_entry *a = find(st, r.spa, nif);
  if (a) {
    if (a->state == ARP_PENDING) make_stable(st, a, &r.sha);
    else {
      a->mac = r.sha;
      stimer_start(st, &a->timer, st->cfg.arp_max_age, entry_timer, a);
    }
  } else if (for_us && (a = take(st)) != NULL) {
    a->ip = r.spa;
    a->nif = nif;
    make_stable(st, a, &r.sha);
  }
  if (for_us && r.op == ARP_REQUEST) send_arp(nif, ARP_REPLY, &r.sha, &r.sha, r.spa);
}

int arp_resolve_and_send(struct stack_netif *nif, struct pbuf *p, ip4_addr_t nexthop) {
  struct stack *st = nif->st;
  if (nexthop == IP4_BROADCAST || ip4_is_broadcast(nif, nexthop)) {
    struct eth_addr bc = eth_addr_broadcast();
    return eth_send(nif, p, &bc, ETH_TYPE_IPV4);
  }
  struct arp_entry *a = find(st, nexthop, nif);
  if (a && a->state == ARP_STABLE) {
    a->used = stack_now(st);
    struct eth_addr mac = a->mac;
    return eth_send(nif, p, &mac, ETH_TYPE_IPV4);
  }
  if (!a) {
    a = take(st);
    if (!a) {
      st_drop(st, STACK_DROP_ARP_TABLE_FULL);
      pbuf_free(p);
      return STACK_ENOMEM;
    }
    a->state = ARP_PENDING;
    a->ip = nexthop;
    a->nif = nif;
    a->used = stack_now(st);
    send_request(nif, nexthop);
    stimer_start(st, &a->timer, st->cfg.arp_retry, entry_timer, a);
  }
  if (a->nqueue >= st->cfg.arp_queue) {
    st_drop(st, STACK_DROP_ARP_QUEUE_FULL);
    pbuf_free(p);
    return STACK_ENOMEM;
  }
  a->queue[a->nqueue++] = p;
  return STACK_OK; /* queued: sent when the address resolves */
}

void arp_netif_removed(struct stack *st, struct stack_netif *nif) {
  for (uint32_t i = 0; i < st->cfg.arp_entries; i++)
    if (st->arp[i].state != ARP_EMPTY && st->arp[i].nif == nif)
      entry_clear(st, &st->arp[i], STACK_DROP_NETIF_REMOVED);
}

void arp_destroy(struct stack *st) {
  for (uint32_t i = 0; i < st->cfg.arp_entries; i++)
    if (st->arp[i].state != ARP_EMPTY) entry_clear(st, &st->arp[i], STACK_DROP_NETIF_REMOVED);
}

int stack_arp_lookup(struct stack *st, ip4_addr_t ip, struct eth_addr *mac) {
  struct arp_entry *a = find(st, ip, NULL);
  if (!a || a->state != ARP_STABLE) return STACK_ENOENT;
  if (mac) *mac = a->mac;
  return STACK_OK;
}

uint32_t stack_arp_entries(const struct stack *st) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < st->cfg.arp_entries; i++) n += st->arp[i].state != ARP_EMPTY;
  return n;
}
