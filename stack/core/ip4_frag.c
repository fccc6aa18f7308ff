/* IPv4 fragmentation and reassembly (RFC 791 sec. 3.2; RFC 815's idea of
 * keeping fragments in order and checking for holes).
 *
 * Reassembly keeps, per datagram (src, dst, protocol, id), its fragments'
 * payloads in offset order. Each held fragment is a pbuf chain whose
 * payload starts at the fragment's data; the bytes just before it (where
 * its IP header was, at least 20) hold a struct frag_link naming the next
 * fragment and the byte range. Invariants of a datagram's list:
 *   - ranges are sorted and never overlap (an overlap drops the datagram);
 *   - d->pbufs counts the buffers held, st->reass_pbufs the instance's sum;
 *   - the timer runs while the datagram exists.
 * Limits (config): reass_datagrams at once, reass_pbufs buffers in all,
 * reass_timeout per datagram. */
#include <string.h>

#include "stack/core/priv.h"

struct frag_link {
  struct pbuf *next;
  uint16_t start, end; /* payload bytes [start, end) */
};

static struct frag_link link_of(const struct pbuf *p) {
  struct frag_link l;
  memcpy(&l, p->payload - sizeof l, sizeof l);
  return l;
}
static void set_link(struct pbuf *p, const struct frag_link *l) {
  memcpy(p->payload - sizeof *l, l, sizeof *l);
}

static uint32_t chain_len(const struct pbuf *p) {
  uint32_t n = 0;
  for (; p; p = p->next) n++;
  return n;
}

/* Free a datagram: every fragment counted as dropped under `why` (none
 * when it was completed). */
static void dgram_free(struct stack *st, struct reass_dgram *d, int count, enum stack_drop why) {
  for (struct reass_dgram **pp = &st->reass_list; *pp; pp = &(*pp)->next)
    if (*pp == d) {
      *pp = d->next;
      break;
    }
  stimer_stop(&d->timer);
  for (struct pbuf *f = d->frags, *next; f; f = next) {
    next = link_of(f).next;
    if (count) st_drop(st, why);
    pbuf_free(f);
  }
  st->reass_pbufs -= d->pbufs;
  pool_put(st, &st->reass, d, "ip4_reass");
}

static void dgram_timeout(void *arg) {
  struct reass_dgram *d = arg;
  struct stack *st = d->nif->st;
  /* RFC 792: time exceeded, code 1, when fragment zero is in. */
  if (d->hlen && d->frags && link_of(d->frags).start == 0) {
    struct pbuf *orig = pbuf_alloc(st, PBUF_RAW, d->hlen + 8u);
    if (orig) {
      pbuf_copy_in(orig, d->hdr, d->hlen, 0);
      uint8_t data[8] = {0};
      pbuf_copy_out(d->frags, data, 8, 0);
      pbuf_copy_in(orig, data, 8, d->hlen);
      icmp_error(st, orig, ICMP_TIME_EXCEEDED, ICMP_EXC_REASS);
      pbuf_free(orig);
    }
  }
  dgram_free(st, d, 1, STACK_DROP_IP_REASS_TIMEOUT);
}

/* The datagram when all of it is in: the first fragment's buffers, with
 * the saved header put back in front (where that fragment's own header
 * was, so it fits), followed by the other fragments' payloads in order. */
static struct pbuf *assemble(struct stack *st, struct reass_dgram *d, struct ipv4_repr *r) {
  struct ipv4_repr hr;
  ipv4_parse(&hr, d->hdr, 65535, IPV4_PARSE_NO_CSUM); /* hdr has 60 bytes; only hlen are read */
  struct pbuf *h = d->frags, *rest = link_of(h).next;
  pbuf_header(h, d->hlen);
  memcpy(h->payload, d->hdr, d->hlen);
  wire_put16(h->payload + 2, (uint16_t)(d->hlen + d->total));
  wire_put16(h->payload + 6, hr.df ? IPV4_FLAG_DF : 0);
  wire_put16(h->payload + 10, 0);
  wire_put16(h->payload + 10, wire_checksum(h->payload, d->hlen));
  for (struct pbuf *f = rest, *next; f; f = next) {
    next = link_of(f).next;
    pbuf_cat(h, f);
  }
  d->frags = NULL; /* now owned by h */
  *r = hr;
  r->total_len = (uint16_t)(d->hlen + d->total);
  r->mf = 0;
  r->frag_off = 0;
  st->stats.ip_reassembled++;
  dgram_free(st, d, 0, STACK_DROP_COUNT);
  return h;
}

struct pbuf *ip4_reass(struct stack_netif *nif, struct pbuf *p, struct ipv4_repr *r) {
  struct stack *st = nif->st;
  uint32_t len = r->total_len - r->hlen;
  uint32_t start = r->frag_off, end = start + len;
  if ((r->mf && (len == 0 || len % 8)) || r->hlen + end > 65535) {
    st_drop(st, STACK_DROP_IP_FRAG_BAD);
    pbuf_free(p);
    return NULL;
  }
  struct reass_dgram *d = st->reass_list;
  while (d && !(d->src == r->src && d->dst == r->dst && d->id == r->id && d->proto == r->proto))
    d = d->next;
  uint32_t n = chain_len(p);
  if (st->reass_pbufs + n > st->cfg.reass_pbufs || (!d && !(d = pool_get(st, &st->reass)))) {
    st_drop(st, STACK_DROP_IP_REASS_FULL);
    pbuf_free(p);
    return NULL;
  }
  if (!d->nif) { /* new */
    d->src = r->src;
    d->dst = r->dst;
    d->id = r->id;
    d->proto = r->proto;
    d->nif = nif;
    d->next = st->reass_list;
    st->reass_list = d;
    stimer_start(st, &d->timer, st->cfg.reass_timeout, dgram_timeout, d);
  }
  if (!r->mf) {
    if (d->total && d->total != end) {
      dgram_free(st, d, 1, STACK_DROP_IP_FRAG_BAD);
      st_drop(st, STACK_DROP_IP_FRAG_BAD);
      pbuf_free(p);
      return NULL;
    }
    d->total = end;
  }
  if (start == 0) {
    memcpy(d->hdr, p->payload, r->hlen);
    d->hlen = r->hlen;
  }
  /* find the place: after every fragment starting before this one */
  struct pbuf *prev = NULL, *next = d->frags;
  while (next && link_of(next).start < start) {
    prev = next;
    next = link_of(next).next;
  }
  if (next && link_of(next).start == start && link_of(next).end == end) {
    st_drop(st, STACK_DROP_IP_FRAG_DUP); /* a duplicated frame: keep the first copy */
    pbuf_free(p);
    return NULL;
  }
  if ((prev && link_of(prev).end > start) || (next && link_of(next).start < end) ||
      (d->total && end > d->total)) {
    st_drop(st, STACK_DROP_IP_FRAG_OVERLAP);
    pbuf_free(p);
    dgram_free(st, d, 1, STACK_DROP_IP_FRAG_OVERLAP);
    return NULL;
  }
  pbuf_header(p, -(int)r->hlen);
  struct frag_link l = {next, (uint16_t)start, (uint16_t)end};
  set_link(p, &l);
  if (prev) {
    struct frag_link pl = link_of(prev);
    pl.next = p;
    set_link(prev, &pl);
  } else {
    d->frags = p;
  }
  d->pbufs += n;
  st->reass_pbufs += n;
  /* complete when the ranges run from 0 to total without a hole */
  if (!d->total || !d->hlen) return NULL;
  uint32_t at = 0;
  for (struct pbuf *f = d->frags; f; f = link_of(f).next) {
    if (link_of(f).start != at) return NULL;
    at = link_of(f).end;
  }
  if (at != d->total) return NULL;
  return assemble(st, d, r);
}

void ip4_reass_netif_removed(struct stack *st, struct stack_netif *nif) {
  for (struct reass_dgram *d = st->reass_list, *next; d; d = next) {
    next = d->next;
    if (d->nif == nif) dgram_free(st, d, 1, STACK_DROP_NETIF_REMOVED);
  }
}

void ip4_reass_destroy(struct stack *st) {
  while (st->reass_list) dgram_free(st, st->reass_list, 0, STACK_DROP_COUNT);
}

/* ------------------------------------------------------- fragmenting -- */

int ip4_fragment(struct stack_netif *nif, struct pbuf *p, ip4_addr_t nexthop) {
  struct stack *st = nif->st;
  uint8_t hdr[60];
  pbuf_copy_out(p, hdr, sizeof hdr, 0);
  struct ipv4_repr r;
  ipv4_parse(&r, hdr, p->tot_len, IPV4_PARSE_NO_CSUM);
  if (r.df) {
    st_drop(st, STACK_DROP_IP_DF);
    pbuf_free(p);
    return STACK_EMSGSIZE;
  }
  /* Options go in the first fragment only; later ones get the 20-byte base
   * header (RFC 791 lets options without the copy flag be left out; this
   * stack never sends options, so this only touches forwarded packets). */
  uint32_t data = p->tot_len - r.hlen, off = 0;
  int rc = STACK_OK; /* the first failure, if any */
  while (off < data) {
    uint32_t hlen = off == 0 ? r.hlen : IPV4_HLEN;
    uint32_t room = (nif->mtu - hlen) & ~7u;
    uint32_t n = data - off < room ? data - off : room;
    int more = off + n < data || r.mf;
    struct pbuf *f = pbuf_alloc(st, PBUF_LINK, hlen + n);
    if (!f) {
      st_drop(st, STACK_DROP_POOL_EMPTY);
      rc = STACK_ENOMEM;
      break;
    }
    struct ipv4_repr fr = r;
    fr.total_len = (uint16_t)(hlen + n);
    fr.mf = (uint8_t)more;
    fr.frag_off = (uint16_t)(r.frag_off + off);
    uint8_t fh[60];
    memcpy(fh, hdr, r.hlen);
    ipv4_emit(&fr, fh, sizeof fh); /* base header; options stay in fh[20..] */
    fh[0] = (uint8_t)(0x40 | hlen / 4);
    wire_put16(fh + 10, 0);
    wire_put16(fh + 10, wire_checksum(fh, hlen));
    pbuf_copy_in(f, fh, hlen, 0);
    uint8_t buf[1600];
    for (uint32_t k = 0; k < n;) { /* copy the payload slice through a bounce buffer */
      uint32_t c = n - k < sizeof buf ? n - k : (uint32_t)sizeof buf;
      pbuf_copy_out(p, buf, c, r.hlen + off + k);
      pbuf_copy_in(f, buf, c, hlen + k);
      k += c;
    }
    st->stats.ip_frag_out++;
    int sent = arp_resolve_and_send(nif, f, nexthop);
    if (rc == STACK_OK) rc = sent;
    off += n;
  }
  pbuf_free(p);
  return rc;
}
