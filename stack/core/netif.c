/* Network interfaces: the list, their settings, input, and the loopback.
 *
 * Invariant: a netif on st->netifs is fully set up; removal takes it off
 * the list first, then tells every layer that may still refer to it (ARP
 * entries and their queues, reassembly, UDP bindings, the loopback queue,
 * the default route), then calls the driver's detach, then frees it. */
#include <string.h>

#include "stack/core/priv.h"

int stack_netif_add(struct stack *st, const struct stack_netif_config *c, struct stack_netif **out) {
  *out = NULL;
  CORE_CHECK(st, "stack_netif_add");
  if (!c || !c->name || !c->name[0] || strlen(c->name) >= sizeof ((struct stack_netif *)0)->name)
    return STACK_EINVAL;
  if (st->nnetifs >= st->cfg.max_netifs + 1u /* + loopback */) return STACK_ENOMEM;
  if (stack_netif_find(st, c->name)) return STACK_EADDRINUSE;
  int loopback = c->output == NULL;
  if (loopback && st->loopback) return STACK_EINVAL;
  if (c->mtu && c->mtu < 68) return STACK_EINVAL;
  struct stack_netif *nif = st_calloc(st, 1, sizeof *nif);
  if (!nif) return STACK_ENOMEM;
  nif->st = st;
  memcpy(nif->name, c->name, strlen(c->name) + 1);
  nif->mac = c->mac;
  nif->mtu = c->mtu ? c->mtu : 1500;
  nif->output = c->output;
  nif->driver = c->driver;
  nif->detach = c->detach;
  nif->loopback = (uint8_t)loopback;
  nif->link = 1; /* a new interface's cable is plugged in; set_link changes it */
  nif->id = ++st->next_netif_id;
  /* append: the list keeps the order netifs were added in */
  struct stack_netif **pp = &st->netifs;
  while (*pp) pp = &(*pp)->next;
  *pp = nif;
  st->nnetifs++;
  STACK_YIELD_POINT(&st->port, "netif_list_add");
  *out = nif;
  return STACK_OK;
}

void stack_netif_remove(struct stack_netif *nif) {
  if (!nif) return;
  struct stack *st = nif->st;
  CORE_CHECK(st, "stack_netif_remove");
  for (struct stack_netif **pp = &st->netifs; *pp; pp = &(*pp)->next)
    if (*pp == nif) {
      *pp = nif->next;
      break;
    }
  st->nnetifs--;
  STACK_YIELD_POINT(&st->port, "netif_list_remove");
  if (st->default_nif == nif) st->default_nif = NULL;
  if (st->loopback == nif) st->loopback = NULL;
  arp_netif_removed(st, nif);
  ip4_reass_netif_removed(st, nif);
  udp_netif_removed(st, nif);
  tcp_netif_removed(st, nif);
  dhcp_netif_removed(st, nif);
  stimer_stop(&nif->lo_timer);
  for (uint32_t i = 0; i < nif->lo_n; i++) {
    st_drop(st, STACK_DROP_NETIF_REMOVED);
    pbuf_free(nif->lo_q[i]);
  }
  st_free(st, nif->lo_q, nif->lo_cap * sizeof *nif->lo_q);
  if (nif->detach) nif->detach(nif);
  st_free(st, nif, sizeof *nif);
}

void netif_destroy_all(struct stack *st) {
  while (st->netifs) stack_netif_remove(st->netifs);
}

struct stack_netif *stack_netif_loopback(struct stack *st) { return st->loopback; }

struct stack_netif *stack_netif_find(struct stack *st, const char *name) {
  for (struct stack_netif *n = st->netifs; n; n = n->next)
    if (strcmp(n->name, name) == 0) return n;
  return NULL;
}

int stack_netif_set_addr(struct stack_netif *nif, ip4_addr_t addr, ip4_addr_t mask, ip4_addr_t gw) {
  CORE_CHECK(nif->st, "stack_netif_set_addr");
  /* a netmask is contiguous ones from the top */
  if (mask && ((~mask + 1) & ~mask)) return STACK_EINVAL;
  nif->addr = addr;
  nif->mask = mask;
  nif->gw = gw;
  if (addr && stack_netif_is_up(nif) && !nif->loopback) arp_announce(nif);
  return STACK_OK;
}

void stack_netif_set_up(struct stack_netif *nif, int up) {
  CORE_CHECK(nif->st, "stack_netif_set_up");
  int was = stack_netif_is_up(nif);
  nif->up = (uint8_t)!!up;
  if (!was && stack_netif_is_up(nif) && nif->addr && !nif->loopback) arp_announce(nif);
}

void stack_netif_set_link(struct stack_netif *nif, int up) {
  CORE_CHECK(nif->st, "stack_netif_set_link");
  int was = stack_netif_is_up(nif);
  nif->link = (uint8_t)!!up;
  if (!was && stack_netif_is_up(nif) && nif->addr && !nif->loopback) arp_announce(nif);
}

int stack_netif_set_mtu(struct stack_netif *nif, uint16_t mtu) {
  if (mtu < 68) return STACK_EINVAL;
  nif->mtu = mtu;
  return STACK_OK;
}

void stack_netif_set_default(struct stack *st, struct stack_netif *nif) { st->default_nif = nif; }

const char *stack_netif_name(const struct stack_netif *nif) { return nif->name; }
struct stack *stack_netif_stack(const struct stack_netif *nif) { return nif->st; }
void *stack_netif_driver(const struct stack_netif *nif) { return nif->driver; }
ip4_addr_t stack_netif_addr(const struct stack_netif *nif) { return nif->addr; }
ip4_addr_t stack_netif_mask(const struct stack_netif *nif) { return nif->mask; }
ip4_addr_t stack_netif_gw(const struct stack_netif *nif) { return nif->gw; }
uint16_t stack_netif_mtu(const struct stack_netif *nif) { return nif->mtu; }
const struct eth_addr *stack_netif_mac(const struct stack_netif *nif) { return &nif->mac; }
int stack_netif_is_up(const struct stack_netif *nif) { return nif->up && nif->link; }

void stack_netif_input(struct stack_netif *nif, struct pbuf *p) {
  struct stack *st = nif->st;
  if (!stack_netif_is_up(nif)) {
    st_drop(st, STACK_DROP_NETIF_DOWN);
    pbuf_free(p);
    return;
  }
  if (nif->loopback) ip4_input(nif, p);
  else eth_input(nif, p);
}

void stack_netif_input_frame(struct stack_netif *nif, const void *frame, size_t len) {
  struct pbuf *p = pbuf_alloc(nif->st, PBUF_RAW, len);
  if (!p) {
    st_drop(nif->st, STACK_DROP_POOL_EMPTY);
    return;
  }
  pbuf_copy_in(p, frame, len, 0);
  if (nif->st->tcpip) { /* the tcpip thread takes frames in turn with everything else */
    if (tcpip_post_input(nif, p) != STACK_OK) {
      st_drop(nif->st, STACK_DROP_TCPIP_MBOX);
      pbuf_free(p);
    }
    return;
  }
  stack_netif_input(nif, p);
}

/* ---------------------------------------------------------- loopback -- */

static void lo_deliver(void *arg) {
  struct stack_netif *nif = arg;
  /* Deliver what was queued before now; what the deliveries queue waits
   * for the next round. */
  uint32_t n = nif->lo_n;
  struct pbuf *batch[64];
  if (n > 64) n = 64;
  memcpy(batch, nif->lo_q, n * sizeof *batch);
  memmove(nif->lo_q, nif->lo_q + n, (nif->lo_n - n) * sizeof *nif->lo_q);
  nif->lo_n -= n;
  if (nif->lo_n) stimer_start(nif->st, &nif->lo_timer, 0, lo_deliver, nif);
  for (uint32_t i = 0; i < n; i++) stack_netif_input(nif, batch[i]);
}

int netif_loop_output(struct stack_netif *nif, struct pbuf *p) {
  struct stack *st = nif->st;
  if (nif->lo_n == nif->lo_cap) {
    uint32_t cap = nif->lo_cap ? nif->lo_cap * 2 : 8;
    if (cap > st->cfg.pbuf_pool) {
      pbuf_free(p);
      st_drop(st, STACK_DROP_POOL_EMPTY);
      return STACK_ENOMEM;
    }
    struct pbuf **q = st_calloc(st, cap, sizeof *q);
    if (!q) {
      pbuf_free(p);
      return STACK_ENOMEM;
    }
    if (nif->lo_n) memcpy(q, nif->lo_q, nif->lo_n * sizeof *q);
    st_free(st, nif->lo_q, nif->lo_cap * sizeof *q);
    nif->lo_q = q;
    nif->lo_cap = cap;
  }
  nif->lo_q[nif->lo_n++] = p;
  if (!nif->lo_timer.active) stimer_start(st, &nif->lo_timer, 0, lo_deliver, nif);
  return STACK_OK;
}
