/* ICMP (RFC 792; RFC 1122 sec. 3.2.2): echo, and error messages with a
 * token-bucket rate limit (RFC 1812 sec. 4.3.2.8 recommends one). */
#include <stdlib.h>
#include <string.h>

#include "stack/core/priv.h"

/* Checksum over the whole (maybe chained) message. */
static uint16_t chain_checksum(const struct pbuf *p) {
  struct csum c;
  csum_init(&c);
  for (; p; p = p->next) csum_add(&c, p->payload, p->len);
  return csum_finish(&c);
}

void icmp_input(struct stack_netif *nif, struct pbuf *p, const struct ipv4_repr *ip) {
  struct stack *st = nif->st;
  st->stats.icmp.rx++;
  uint8_t h[ICMP_HLEN];
  if (pbuf_copy_out(p, h, ICMP_HLEN, 0) < ICMP_HLEN) {
    st_drop(st, STACK_DROP_ICMP_MALFORMED);
    pbuf_free(p);
    return;
  }
  if (chain_checksum(p) != 0) {
    st_drop(st, STACK_DROP_ICMP_CHECKSUM);
    pbuf_free(p);
    return;
  }
  /* the checksum was checked over the whole chain above */
  struct icmpv4_repr r = {.type = h[0], .code = h[1], .id = wire_get16(h + 4),
                          .seq = wire_get16(h + 6)};
  if (r.type == ICMP_ECHO_REQUEST) {
    /* Answer unicast requests only (RFC 1122 3.2.2.6 leaves broadcast
     * optional; answering them invites smurf attacks). */
    if (ip4_is_broadcast(nif, ip->dst)) {
      pbuf_free(p);
      return;
    }
    struct pbuf *q = pbuf_alloc(st, PBUF_IP, p->tot_len);
    if (!q) {
      st_drop(st, STACK_DROP_POOL_EMPTY);
      pbuf_free(p);
      return;
    }
    size_t len = p->tot_len;
    /* copy through the reply's own buffers */
    for (size_t off = 0; off < len;) {
      uint8_t buf[512];
      size_t n = pbuf_copy_out(p, buf, sizeof buf, off);
      pbuf_copy_in(q, buf, n, off);
      off += n;
    }
    pbuf_free(p);
    uint8_t t = ICMP_ECHO_REPLY, zero[2] = {0, 0};
    pbuf_copy_in(q, &t, 1, 0);
    pbuf_copy_in(q, zero, 2, 2);
    uint16_t c = chain_checksum(q);
    uint8_t cb[2] = {(uint8_t)(c >> 8), (uint8_t)c};
    pbuf_copy_in(q, cb, 2, 2);
    st->stats.icmp.tx++;
    ip4_output(st, q, ip->dst, ip->src, IPV4_PROTO_ICMP, 0, ip->tos);
    return;
  }
  if (r.type == ICMP_ECHO_REPLY && st->echo_fn) {
    size_t len = p->tot_len - ICMP_HLEN;
    uint8_t small[1500];
    uint8_t *data = len <= sizeof small ? small : malloc(len);
    if (data) {
      pbuf_copy_out(p, data, len, ICMP_HLEN);
      st->echo_fn(st->echo_arg, ip->src, r.id, r.seq, data, len, ip->ttl);
      if (data != small) free(data);
    }
  }
  /* Errors and other types: counted as received, nothing more yet. */
  pbuf_free(p);
}

/* One token per error; refilled at icmp_rate per second up to icmp_burst. */
static int take_token(struct stack *st) {
  stack_time_t now = stack_now(st);
  uint64_t cap = (uint64_t)st->cfg.icmp_burst * STACK_SEC;
  uint64_t add = (uint64_t)(now - st->icmp_last) * st->cfg.icmp_rate;
  st->icmp_last = now;
  st->icmp_tokens = st->icmp_tokens + add > cap ? cap : st->icmp_tokens + add;
  if (st->icmp_tokens < (uint64_t)STACK_SEC) return 0;
  st->icmp_tokens -= STACK_SEC;
  return 1;
}

void icmp_error(struct stack *st, const struct pbuf *orig, uint8_t type, uint8_t code) {
  /* orig may be cut short (a quote); only its header matters here */
  uint8_t hdr[60] = {0};
  pbuf_copy_out(orig, hdr, sizeof hdr, 0);
  struct ipv4_repr r;
  if (orig->tot_len < IPV4_HLEN || ipv4_parse(&r, hdr, 65535, IPV4_PARSE_NO_CSUM) < 0 ||
      r.hlen > orig->tot_len)
    return;
  /* RFC 1122 3.2.2: never about an ICMP error, a non-first fragment, or a
   * datagram to or from a broadcast or multicast address. */
  if (r.frag_off || r.src == 0 || r.src == IP4_BROADCAST || ip4_is_multicast(r.src) ||
      r.dst == IP4_BROADCAST || ip4_is_multicast(r.dst))
    return;
  if (r.proto == IPV4_PROTO_ICMP) {
    uint8_t t = 0;
    pbuf_copy_out(orig, &t, 1, r.hlen);
    if (t != ICMP_ECHO_REQUEST && t != ICMP_ECHO_REPLY) return;
  }
  if (!take_token(st)) {
    st_drop(st, STACK_DROP_ICMP_RATE);
    return;
  }
  /* The original header and the first 8 bytes of its data. */
  size_t quote = r.hlen + 8u;
  if (quote > orig->tot_len) quote = orig->tot_len;
  struct pbuf *q = pbuf_alloc(st, PBUF_IP, ICMP_HLEN + quote);
  if (!q) {
    st_drop(st, STACK_DROP_POOL_EMPTY);
    return;
  }
  pbuf_copy_out(orig, q->payload + ICMP_HLEN, quote, 0);
  struct icmpv4_repr e = {.type = type, .code = code};
  if (type == ICMP_DEST_UNREACH && code == ICMP_UNREACH_FRAG_NEEDED) {
    ip4_addr_t nh;
    struct stack_netif *out = ip4_route(st, r.dst, &nh);
    e.mtu = out ? out->mtu : 0;
  }
  icmpv4_emit(&e, q->payload, quote, q->len);
  st->stats.icmp.tx++;
  ip4_output(st, q, 0, r.src, IPV4_PROTO_ICMP, 0, 0);
}

void stack_icmp_on_echo_reply(struct stack *st, stack_icmp_echo_fn fn, void *arg) {
  st->echo_fn = fn;
  st->echo_arg = arg;
}

int stack_icmp_echo(struct stack *st, ip4_addr_t dst, uint16_t id, uint16_t seq, size_t len) {
  CORE_CHECK(st, "stack_icmp_echo");
  if (len > 65507 - ICMP_HLEN) return STACK_EMSGSIZE;
  struct pbuf *p = pbuf_alloc(st, PBUF_IP, ICMP_HLEN + len);
  if (!p) {
    st_drop(st, STACK_DROP_POOL_EMPTY);
    return STACK_ENOMEM;
  }
  uint8_t h[ICMP_HLEN] = {ICMP_ECHO_REQUEST, 0, 0, 0, (uint8_t)(id >> 8), (uint8_t)id,
                          (uint8_t)(seq >> 8), (uint8_t)seq};
  pbuf_copy_in(p, h, ICMP_HLEN, 0);
  for (size_t off = 0; off < len;) {
    uint8_t buf[256];
    size_t n = len - off < sizeof buf ? len - off : sizeof buf;
    for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)(off + i);
    pbuf_copy_in(p, buf, n, ICMP_HLEN + off);
    off += n;
  }
  uint16_t c = chain_checksum(p);
  uint8_t cb[2] = {(uint8_t)(c >> 8), (uint8_t)c};
  pbuf_copy_in(p, cb, 2, 2);
  st->stats.icmp.tx++;
  return ip4_output(st, p, 0, dst, IPV4_PROTO_ICMP, 0, 0);
}
