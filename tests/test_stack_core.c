/* Stack core: buffers and pools, findings, malformed input, netif removal,
 * resource exhaustion, ICMP rate limiting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/wire/arp.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/udp.h"
#include "world.h"

static struct world *one_node(struct stack_config *c) {
  struct world *w = world_new(1);
  world_node(w, "a", c);
  return w;
}

/* ------------------------------------------------------------- pbufs -- */

static void pbuf_chains_and_copies(void **state) {
  (void)state;
  struct world *w = one_node(NULL);
  struct stack *st = w->st[0];
  /* 4000 bytes with transport room: 3 buffers of 1600 */
  struct pbuf *p = pbuf_alloc(st, PBUF_TRANSPORT, 4000);
  assert_non_null(p);
  assert_int_equal(p->tot_len, 4000);
  assert_int_equal(p->len, 1600 - PBUF_TRANSPORT);
  assert_int_equal(pbuf_in_use(st), 3);
  assert_int_equal(pbuf_check(p), 0);
  uint8_t in[4000], out[4000];
  for (int i = 0; i < 4000; i++) in[i] = (uint8_t)(i * 13);
  assert_int_equal(pbuf_copy_in(p, in, 4000, 0), 0);
  assert_int_equal(pbuf_copy_in(p, in, 1, 4000), STACK_EINVAL); /* past the end */
  memset(out, 0, sizeof out);
  assert_int_equal(pbuf_copy_out(p, out, 4000, 0), 4000);
  assert_memory_equal(in, out, 4000);
  /* a window across a buffer boundary */
  assert_int_equal(pbuf_copy_out(p, out, 100, 1450), 100);
  assert_memory_equal(in + 1450, out, 100);
  assert_int_equal(pbuf_get_at(p, 3999), in[3999]);
  assert_int_equal(pbuf_copy_out(p, out, 100, 3950), 50); /* short read at the end */
  /* header push and pop within the room */
  assert_int_equal(pbuf_header(p, PBUF_TRANSPORT), 0);
  assert_int_equal(p->tot_len, 4000 + PBUF_TRANSPORT);
  assert_int_equal(pbuf_header(p, 1), STACK_EINVAL); /* no room left: nothing changes */
  assert_int_equal(p->tot_len, 4000 + PBUF_TRANSPORT);
  assert_int_equal(pbuf_header(p, -PBUF_TRANSPORT), 0);
  assert_int_equal(pbuf_check(p), 0);
  /* trim frees the tail */
  assert_int_equal(pbuf_trim(p, 1000), 0);
  assert_int_equal(p->tot_len, 1000);
  assert_null(p->next);
  assert_int_equal(pbuf_in_use(st), 1);
  assert_int_equal(pbuf_trim(p, 2000), STACK_EINVAL);
  /* cat and references */
  struct pbuf *t = pbuf_alloc(st, PBUF_RAW, 10);
  pbuf_ref(t); /* we keep one */
  pbuf_cat(p, t);
  assert_int_equal(p->tot_len, 1010);
  assert_int_equal(pbuf_check(p), 0);
  assert_int_equal(pbuf_free(p), 1); /* p freed; t still held by us */
  assert_int_equal(pbuf_in_use(st), 1);
  assert_int_equal(pbuf_free(t), 1);
  assert_int_equal(pbuf_in_use(st), 0);
  /* clone makes one contiguous buffer */
  p = pbuf_alloc(st, PBUF_RAW, 1500);
  pbuf_copy_in(p, in, 1500, 0);
  struct pbuf *c = pbuf_clone(st, PBUF_LINK, p);
  assert_non_null(c);
  assert_null(c->next);
  assert_memory_equal(c->payload, in, 1500);
  pbuf_free(p);
  pbuf_free(c);
  assert_int_equal(pbuf_in_use(st), 0);
  world_free(w);
}

static void pool_exhaustion_fails_cleanly_and_recovers(void **state) {
  (void)state;
  struct stack_config c;
  stack_config_default(&c);
  c.pbuf_pool = 8;
  struct world *w = one_node(&c);
  struct stack *st = w->st[0];
  struct pbuf *held[8];
  for (int i = 0; i < 8; i++) assert_non_null(held[i] = pbuf_alloc(st, PBUF_RAW, 100));
  assert_null(pbuf_alloc(st, PBUF_RAW, 100));
  assert_int_equal(pbuf_alloc_failures(st), 1);
  pbuf_free(held[7]);
  /* a chain needing 2 when only 1 is free fails and leaves nothing behind */
  assert_null(pbuf_alloc(st, PBUF_RAW, 3000));
  assert_int_equal(pbuf_in_use(st), 7);
  /* the raw API reports it as an error, counted */
  pbuf_free(held[6]);
  struct udp_pcb *u = udp_new(st);
  assert_int_equal(udp_bind(u, 0, 1000), 0);
  uint8_t big[5000] = {0};
  assert_int_equal(udp_sendto_buf(u, big, sizeof big, ip(127, 0, 0, 1), 1000), STACK_ENOMEM);
  assert_true(stack_stats(st)->drops[STACK_DROP_POOL_EMPTY] >= 1);
  assert_int_equal(pbuf_in_use(st), 6);
  for (int i = 0; i < 6; i++) pbuf_free(held[i]);
  /* recovered: the full pool is usable again */
  assert_int_equal(pbuf_in_use(st), 0);
  for (int i = 0; i < 8; i++) assert_non_null(held[i] = pbuf_alloc(st, PBUF_RAW, 100));
  for (int i = 0; i < 8; i++) pbuf_free(held[i]);
  assert_int_equal(stack_pool_bytes(st) / (sizeof(struct pbuf) + 1600), 8); /* never more */
  udp_remove(u);
  world_free(w);
}

static void use_after_free_is_a_finding(void **state) {
  (void)state;
  struct world *w = one_node(NULL);
  struct stack *st = w->st[0];
  struct pbuf *p = pbuf_alloc(st, PBUF_RAW, 64);
  pbuf_free(p);
  /* Each of these is reported, not performed. */
  assert_int_equal(pbuf_free(p), 0);
  assert_int_equal(pbuf_header(p, -4), STACK_EINVAL);
  uint8_t b[4];
  assert_int_equal(pbuf_copy_out(p, b, 4, 0), 0);
  size_t n = stack_sim_node_findings(w->sn[0]);
  assert_int_equal(n, 3);
  const struct stack_sim_finding *f = stack_sim_node_finding(w->sn[0], 0);
  assert_string_equal(f->kind, "use_after_free");
  assert_string_equal(f->where, "pbuf_free");
  assert_string_equal(stack_sim_node_finding(w->sn[0], 1)->where, "pbuf_header");
  /* a write through a stale pointer is seen when the buffer is reused */
  struct pbuf *q = pbuf_alloc(st, PBUF_RAW, 64);
  pbuf_free(q);
  ((uint8_t *)q)[sizeof *q + 10] = 0x42; /* into the freed storage */
  struct pbuf *held[256];
  int k = 0;
  while (k < 256 && (held[k] = pbuf_alloc(st, PBUF_RAW, 64)) != NULL) k++;
  int seen = 0;
  for (size_t i = 0; i < stack_sim_node_findings(w->sn[0]); i++)
    seen += strcmp(stack_sim_node_finding(w->sn[0], i)->kind, "write_after_free") == 0;
  assert_int_equal(seen, 1);
  for (int i = 0; i < k; i++) pbuf_free(held[i]);
  /* a removed UDP PCB too */
  struct udp_pcb *u = udp_new(st);
  udp_remove(u);
  assert_int_equal(udp_bind(u, 0, 7), STACK_EINVAL);
  assert_string_equal(stack_sim_node_finding(w->sn[0], stack_sim_node_findings(w->sn[0]) - 1)->where,
                      "udp_bind");
  world_free(w);
}

/* Two instances never share anything: the same work on both gives the
 * same counters, and one's exhaustion leaves the other untouched. */
static void instances_are_independent(void **state) {
  (void)state;
  struct stack_config c;
  stack_config_default(&c);
  c.pbuf_pool = 4;
  struct world *w = world_new(1);
  int a = world_node(w, "a", &c), b = world_node(w, "b", &c);
  struct pbuf *h[4];
  for (int i = 0; i < 4; i++) h[i] = pbuf_alloc(w->st[a], PBUF_RAW, 10);
  assert_null(pbuf_alloc(w->st[a], PBUF_RAW, 10));
  struct pbuf *x = pbuf_alloc(w->st[b], PBUF_RAW, 10);
  assert_non_null(x);
  assert_int_equal(pbuf_in_use(w->st[b]), 1);
  pbuf_free(x);
  for (int i = 0; i < 4; i++) pbuf_free(h[i]);
  world_free(w);
}

/* ----------------------------------------------------- malformed input -- */

struct frame {
  uint8_t b[128];
  size_t len;
};

#define A_MAC {{0x02, 0, 0, 0, 0, 0}}
#define PEER_MAC {{0x02, 0, 0, 1, 0, 0}} /* node 1 on medium 0 (world_attach) */

static void eth(struct frame *f, uint16_t type) {
  struct eth_repr e = {.dst = A_MAC, .src = PEER_MAC, .type = type};
  eth_emit(&e, f->b, sizeof f->b);
  f->len = ETH_HLEN;
}

/* An IPv4 packet to 10.0.0.1 from 10.0.0.2 with `plen` payload bytes. */
static uint8_t *ipv4(struct frame *f, uint8_t proto, size_t plen) {
  eth(f, ETH_TYPE_IPV4);
  struct ipv4_repr r = {.total_len = (uint16_t)(IPV4_HLEN + plen), .ttl = 64, .proto = proto,
                        .src = ip(10, 0, 0, 2), .dst = ip(10, 0, 0, 1), .id = 77};
  ipv4_emit(&r, f->b + ETH_HLEN, sizeof f->b - ETH_HLEN);
  f->len = ETH_HLEN + IPV4_HLEN + plen;
  return f->b + ETH_HLEN + IPV4_HLEN;
}

static void ip_resum(struct frame *f) {
  uint8_t *h = f->b + ETH_HLEN;
  wire_put16(h + 10, 0);
  wire_put16(h + 10, wire_checksum(h, (size_t)(h[0] & 15) * 4));
}

/* A UDP datagram with a correct checksum. */
static void udp(struct frame *f, uint16_t dport, size_t dlen) {
  uint8_t *u = ipv4(f, IPV4_PROTO_UDP, UDP_HLEN + dlen);
  struct udp_repr r = {.sport = 5555, .dport = dport, .len = (uint16_t)(UDP_HLEN + dlen)};
  udp_emit(&r, u, UDP_HLEN);
  memset(u + UDP_HLEN, 'd', dlen);
  struct csum c;
  csum_init(&c);
  csum_add(&c, u, UDP_HLEN + dlen);
  r.checksum = udp_checksum_finish(&c, ip(10, 0, 0, 2), ip(10, 0, 0, 1), r.len);
  udp_emit(&r, u, UDP_HLEN);
}

static void fragment(struct frame *f, uint16_t off, int mf, size_t plen) {
  ipv4(f, IPV4_PROTO_UDP, plen);
  uint8_t *h = f->b + ETH_HLEN;
  wire_put16(h + 6, (uint16_t)((mf ? IPV4_FLAG_MF : 0) | off / 8));
  ip_resum(f);
}

static int delivered;
static void count_rx(void *arg, struct udp_pcb *pcb, struct pbuf *p, ip4_addr_t s, uint16_t sp) {
  (void)arg, (void)pcb, (void)s, (void)sp;
  delivered++;
  pbuf_free(p);
}

static void malformed_frames_are_counted_and_dropped(void **state) {
  (void)state;
  struct world *w = world_new(1);
  int a = world_node(w, "a", NULL), b = world_node(w, "b", NULL);
  int m = world_medium(w, SIM_MEDIUM_LINK, "l");
  struct stack_netif *nif = world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  world_attach(w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0); /* the frames' sender */
  struct stack *st = w->st[a];
  struct udp_pcb *u = udp_new(st);
  udp_bind(u, 0, 7);
  udp_recv(u, count_rx, NULL);
  stack_icmp_echo(st, ip(10, 0, 0, 2), 1, 1, 8); /* resolve: answers go out at once */
  world_run_for(w, 10 * SIM_MSEC);

  struct {
    const char *what;
    struct frame f;
    enum stack_drop cause;
    int drops; /* how many drops of that cause */
  } cases[32];
  int n = 0;
  uint8_t *pl;
#define CASE(desc, cause_, k) (cases[n].what = (desc), cases[n].cause = (cause_), cases[n].drops = (k), &cases[n++].f)
  { struct frame *f = CASE("runt frame", STACK_DROP_ETH_SHORT, 1); memset(f->b, 0, 10); f->len = 10; }
  { struct frame *f = CASE("not our MAC", STACK_DROP_ETH_DST, 1); udp(f, 7, 4); f->b[0] = 0x04; }
  { struct frame *f = CASE("IPv6 ethertype", STACK_DROP_ETH_TYPE, 1); udp(f, 7, 4); wire_put16(f->b + 12, 0x86dd); }
  { struct frame *f = CASE("ARP cut short", STACK_DROP_ARP_MALFORMED, 1); eth(f, ETH_TYPE_ARP); f->len += 20; }
  { struct frame *f = CASE("ARP for another hardware", STACK_DROP_ARP_MALFORMED, 1); eth(f, ETH_TYPE_ARP);
    struct arp_repr r = {.op = ARP_REQUEST, .spa = ip(10, 0, 0, 2), .tpa = ip(10, 0, 0, 1)};
    arp_emit(&r, f->b + ETH_HLEN, ARP_LEN); f->b[ETH_HLEN + 1] = 6; f->len += ARP_LEN; }
  { struct frame *f = CASE("ARP sender differs from frame source", STACK_DROP_ARP_MALFORMED, 1); eth(f, ETH_TYPE_ARP);
    struct arp_repr r = {.op = ARP_REQUEST, .sha = {{0x02, 7, 7, 7, 7, 7}}, .spa = ip(10, 0, 0, 2), .tpa = ip(10, 0, 0, 1)};
    arp_emit(&r, f->b + ETH_HLEN, ARP_LEN); f->len += ARP_LEN; }
  { struct frame *f = CASE("IP header cut short", STACK_DROP_IP_SHORT, 1); udp(f, 7, 4); f->len = ETH_HLEN + 12; }
  { struct frame *f = CASE("IP version 6", STACK_DROP_IP_VERSION, 1); udp(f, 7, 4); f->b[ETH_HLEN] = 0x65; ip_resum(f); }
  { struct frame *f = CASE("IHL 4", STACK_DROP_IP_HLEN, 1); udp(f, 7, 4); f->b[ETH_HLEN] = 0x44; }
  { struct frame *f = CASE("IHL past the packet", STACK_DROP_IP_HLEN, 1); udp(f, 7, 0); f->b[ETH_HLEN] = 0x4f; }
  { struct frame *f = CASE("bad IP checksum", STACK_DROP_IP_CHECKSUM, 1); udp(f, 7, 4); f->b[ETH_HLEN + 10] ^= 1; }
  { struct frame *f = CASE("total length beyond frame", STACK_DROP_IP_SHORT, 1); udp(f, 7, 4);
    wire_put16(f->b + ETH_HLEN + 2, 200); ip_resum(f); }
  { struct frame *f = CASE("total length below header", STACK_DROP_IP_SHORT, 1); udp(f, 7, 4);
    wire_put16(f->b + ETH_HLEN + 2, 12); ip_resum(f); }
  { struct frame *f = CASE("broadcast source", STACK_DROP_IP_SRC, 1); udp(f, 7, 4);
    wire_put32(f->b + ETH_HLEN + 12, IP4_BROADCAST); ip_resum(f); }
  { struct frame *f = CASE("not for us", STACK_DROP_IP_NOT_OURS, 1); udp(f, 7, 4);
    wire_put32(f->b + ETH_HLEN + 16, ip(10, 0, 0, 3)); ip_resum(f); }
  { struct frame *f = CASE("unknown protocol", STACK_DROP_IP_PROTO, 1); ipv4(f, 99, 8); }
  { struct frame *f = CASE("ICMP cut to 4 bytes", STACK_DROP_ICMP_MALFORMED, 1); ipv4(f, IPV4_PROTO_ICMP, 4); }
  { struct frame *f = CASE("bad ICMP checksum", STACK_DROP_ICMP_CHECKSUM, 1);
    pl = ipv4(f, IPV4_PROTO_ICMP, 16); struct icmpv4_repr r = {.type = ICMP_ECHO_REQUEST, .id = 1};
    icmpv4_emit(&r, pl, 8, 16); pl[12] ^= 0x80; }
  { struct frame *f = CASE("UDP length 4", STACK_DROP_UDP_MALFORMED, 1); udp(f, 7, 4); wire_put16(f->b + 38, 4); }
  { struct frame *f = CASE("UDP length past the datagram", STACK_DROP_UDP_MALFORMED, 1); udp(f, 7, 4);
    wire_put16(f->b + 38, 40); }
  { struct frame *f = CASE("bad UDP checksum", STACK_DROP_UDP_CHECKSUM, 1); udp(f, 7, 4); f->b[f->len - 1] ^= 1; }
  { struct frame *f = CASE("closed UDP port", STACK_DROP_UDP_NO_PCB, 1); udp(f, 9, 4); }
  { struct frame *f = CASE("fragment not a multiple of 8", STACK_DROP_IP_FRAG_BAD, 1); fragment(f, 0, 1, 12); }
#undef CASE

  for (int i = 0; i < n; i++) {
    uint64_t before = stack_stats(st)->drops[cases[i].cause];
    uint64_t total_before = 0, total_after = 0;
    for (int d = 0; d < STACK_DROP_COUNT; d++) total_before += stack_stats(st)->drops[d];
    stack_netif_input_frame(nif, cases[i].f.b, cases[i].f.len);
    world_run_for(w, SIM_MSEC);
    for (int d = 0; d < STACK_DROP_COUNT; d++) total_after += stack_stats(st)->drops[d];
    if (stack_stats(st)->drops[cases[i].cause] != before + (uint64_t)cases[i].drops)
      fail_msg("%s: %s went %lu -> %lu", cases[i].what, stack_drop_name(cases[i].cause),
               (unsigned long)before, (unsigned long)stack_stats(st)->drops[cases[i].cause]);
    if (total_after != total_before + (uint64_t)cases[i].drops)
      fail_msg("%s: counted under another cause too", cases[i].what);
    if (pbuf_in_use(st) != 0) fail_msg("%s: %u buffers left", cases[i].what, pbuf_in_use(st));
  }
  assert_int_equal(delivered, 0);

  /* Overlapping fragments: the datagram is dropped, both fragments counted. */
  struct frame f1, f2;
  fragment(&f1, 0, 1, 16);
  fragment(&f2, 8, 1, 16);
  stack_netif_input_frame(nif, f1.b, f1.len);
  stack_netif_input_frame(nif, f2.b, f2.len);
  world_run_for(w, SIM_MSEC);
  assert_int_equal(stack_stats(st)->drops[STACK_DROP_IP_FRAG_OVERLAP], 2);
  assert_int_equal(pbuf_in_use(st), 0);
  assert_int_equal(stack_timers_active(st), 1); /* only the ARP entry it learned */

  /* Options are skipped safely: a valid datagram with 8 option bytes. */
  struct frame o;
  udp(&o, 7, 4);
  memmove(o.b + ETH_HLEN + 28, o.b + ETH_HLEN + 20, 12);
  memset(o.b + ETH_HLEN + 20, 1 /* NOP */, 8);
  o.b[ETH_HLEN] = 0x47;
  wire_put16(o.b + ETH_HLEN + 2, 40);
  ip_resum(&o);
  o.len += 8;
  stack_netif_input_frame(nif, o.b, o.len);
  world_run_for(w, SIM_MSEC);
  assert_int_equal(delivered, 1);
  /* ...and trailing link padding is trimmed, not fed to UDP */
  struct frame pad;
  udp(&pad, 7, 4);
  memset(pad.b + pad.len, 0xee, 18);
  pad.len += 18;
  stack_netif_input_frame(nif, pad.b, pad.len);
  world_run_for(w, SIM_MSEC);
  assert_int_equal(delivered, 2);
  udp_remove(u);
  world_free(w);
}

/* ------------------------------------------------------ netif removal -- */

static void netif_removal_leaves_nothing_dangling(void **state) {
  (void)state;
  struct world *w = world_new(1);
  int a = world_node(w, "a", NULL), b = world_node(w, "b", NULL);
  int m = world_medium(w, SIM_MEDIUM_LINK, "l");
  struct stack_netif *na = world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  world_attach(w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  struct stack *st = w->st[a];
  world_run_for(w, SIM_MSEC);
  /* packets queued behind an unresolved ARP entry, its retry timer running */
  for (uint16_t s = 0; s < 3; s++) stack_icmp_echo(st, ip(10, 0, 0, 77), 1, s, 100);
  /* a partial datagram held in reassembly, its timer running */
  struct frame f;
  fragment(&f, 0, 1, 16);
  stack_netif_input_frame(na, f.b, f.len);
  /* a resolved entry with its expiry timer */
  stack_icmp_echo(st, ip(10, 0, 0, 2), 1, 9, 10);
  world_run_for(w, 10 * SIM_MSEC);
  struct udp_pcb *u = udp_new(st);
  udp_bind(u, ip(10, 0, 0, 1), 7);
  assert_true(stack_timers_active(st) >= 3);
  assert_true(pbuf_in_use(st) >= 4);
  stack_netif_remove(na);
  assert_int_equal(stack_timers_active(st), 0);
  assert_int_equal(pbuf_in_use(st), 0);
  assert_int_equal(stack_arp_entries(st), 0);
  assert_true(stack_stats(st)->drops[STACK_DROP_NETIF_REMOVED] >= 4);
  assert_true(udp_local_addr(u) == 0); /* unbound from the address that went away */
  assert_null(stack_netif_find(st, "eth0"));
  /* frames still arriving for it are dropped by the driver; nothing runs
   * on freed memory (AddressSanitizer would say) */
  stack_icmp_echo(w->st[b], ip(10, 0, 0, 1), 1, 1, 10);
  world_run_for(w, 10 * SIM_SEC);
  /* and sending now finds no route */
  assert_int_equal(stack_icmp_echo(st, ip(10, 0, 0, 2), 1, 1, 10), STACK_ENOROUTE);
  udp_remove(u);
  world_free(w);
}

static void link_down_stops_traffic(void **state) {
  (void)state;
  struct world *w = world_new(1);
  int a = world_node(w, "a", NULL), b = world_node(w, "b", NULL);
  int m = world_medium(w, SIM_MEDIUM_LINK, "l");
  struct stack_netif *na = world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  world_attach(w, b, m, "eth0", ip(10, 0, 0, 2), 24, 0);
  world_run_for(w, SIM_MSEC);
  stack_netif_set_link(na, 0);
  assert_int_equal(stack_icmp_echo(w->st[a], ip(10, 0, 0, 2), 1, 1, 10), STACK_ENOROUTE);
  stack_netif_set_link(na, 1);
  uint64_t arp_tx = stack_stats(w->st[a])->arp.tx;
  assert_int_equal(arp_tx, 2); /* link up again: announced once more */
  assert_int_equal(stack_icmp_echo(w->st[a], ip(10, 0, 0, 2), 1, 1, 10), 0);
  world_free(w);
}

/* ------------------------------------------------------- ICMP limits -- */

static void icmp_errors_are_rate_limited(void **state) {
  (void)state;
  struct world *w = world_new(1);
  int a = world_node(w, "a", NULL);
  int m = world_medium(w, SIM_MEDIUM_LINK, "l");
  struct stack_netif *nif = world_attach(w, a, m, "eth0", ip(10, 0, 0, 1), 24, 0);
  struct stack *st = w->st[a];
  struct frame f;
  udp(&f, 9, 4); /* a closed port: each deserves a port unreachable */
  for (int i = 0; i < 50; i++) stack_netif_input_frame(nif, f.b, f.len);
  world_run_for(w, SIM_MSEC);
  /* burst 10, then nothing until tokens refill */
  assert_int_equal(stack_stats(st)->icmp.tx, 10);
  assert_int_equal(stack_stats(st)->drops[STACK_DROP_ICMP_RATE], 40);
  world_run_for(w, 500 * SIM_MSEC); /* 5 tokens back at 10/s */
  for (int i = 0; i < 10; i++) stack_netif_input_frame(nif, f.b, f.len);
  world_run_for(w, SIM_MSEC);
  assert_int_equal(stack_stats(st)->icmp.tx, 15);
  world_free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pbuf_chains_and_copies),
      cmocka_unit_test(pool_exhaustion_fails_cleanly_and_recovers),
      cmocka_unit_test(use_after_free_is_a_finding),
      cmocka_unit_test(instances_are_independent),
      cmocka_unit_test(malformed_frames_are_counted_and_dropped),
      cmocka_unit_test(netif_removal_leaves_nothing_dangling),
      cmocka_unit_test(link_down_stops_traffic),
      cmocka_unit_test(icmp_errors_are_rate_limited),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
