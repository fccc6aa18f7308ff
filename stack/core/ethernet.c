/* Ethernet framing: demultiplex received frames, prepend headers on the
 * way out. */
#include "stack/core/priv.h"

void eth_input(struct stack_netif *nif, struct pbuf *p) {
  struct stack *st = nif->st;
  st->stats.eth.rx++;
  uint8_t hdr[ETH_HLEN];
  struct eth_repr e;
  if (pbuf_copy_out(p, hdr, ETH_HLEN, 0) < ETH_HLEN || eth_parse(&e, hdr, ETH_HLEN) < 0) {
    st_drop(st, STACK_DROP_ETH_SHORT);
    pbuf_free(p);
    return;
  }
  if (!eth_addr_eq(&e.dst, &nif->mac) && !eth_addr_is_broadcast(&e.dst)) {
    st_drop(st, STACK_DROP_ETH_DST);
    pbuf_free(p);
    return;
  }
  if (e.type != ETH_TYPE_IPV4 && e.type != ETH_TYPE_ARP) {
    st_drop(st, STACK_DROP_ETH_TYPE);
    pbuf_free(p);
    return;
  }
  /* Drop the header; a first pbuf shorter than it means a chain whose
   * header straddles buffers, which a driver never builds: copy then. */
  if (p->len < ETH_HLEN) {
    struct pbuf *q = pbuf_clone(st, PBUF_RAW, p);
    pbuf_free(p);
    if (!q) {
      st_drop(st, STACK_DROP_POOL_EMPTY);
      return;
    }
    p = q;
  }
  pbuf_header(p, -ETH_HLEN);
  if (e.type == ETH_TYPE_ARP) arp_input(nif, p, &e.src);
  else ip4_input(nif, p);
}

int eth_send(struct stack_netif *nif, struct pbuf *p, const struct eth_addr *dst, uint16_t type) {
  struct stack *st = nif->st;
  if (pbuf_header(p, ETH_HLEN) < 0) {
    /* no header room: put the header in a buffer of its own in front */
    struct pbuf *h = pbuf_alloc(st, PBUF_RAW, ETH_HLEN);
    if (!h) {
      st_drop(st, STACK_DROP_POOL_EMPTY);
      pbuf_free(p);
      return STACK_ENOMEM;
    }
    pbuf_cat(h, p);
    p = h;
  }
  struct eth_repr e = {.dst = *dst, .src = nif->mac, .type = type};
  eth_emit(&e, p->payload, p->len);
  int rc = STACK_ENETDOWN;
  if (stack_netif_is_up(nif)) {
    rc = nif->output(nif, p);
    if (rc == STACK_OK) st->stats.eth.tx++;
  } else {
    st_drop(st, STACK_DROP_NETIF_DOWN);
  }
  pbuf_free(p);
  return rc;
}
