/* stack/wire/: the common helpers, the RFC 1071 checksum, Ethernet, ARP
 * and IPv4, against real bytes.
 *
 * The frames below were built by hand and checked with tshark
 * (ip.check_checksum and udp.check_checksum on: "Good"); the IPv4 header
 * with checksum 0xb861 and the RFC 1071 sec. 3 sum 0xddf2 are the classic
 * published examples. Parsers are fed exactly-sized heap copies so that
 * AddressSanitizer catches any read past the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "stack/wire/arp.h"
#include "stack/wire/checksum.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/wire.h"

/* ------------------------------------------------------------ helpers -- */

/* A heap copy of exactly n bytes: a read at p[n] is an ASan error. */
static uint8_t *heap(const void *src, size_t n) {
  uint8_t *p = malloc(n);
  assert_true(p != NULL || n == 0);
  if (n) memcpy(p, src, n);
  return p;
}

static uint64_t xs_state;
static uint64_t xorshift(void) {
  uint64_t x = xs_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return xs_state = x;
}

/* Reference checksum: RFC 1071 sec. 4.1's loop, word by word. */
static uint16_t ref_fold(const uint8_t *p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1) s += (uint32_t)p[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)s;
}

/* Ethernet + IPv4 + UDP 40000 -> 7, "hello, wire!!" (13 bytes: odd). */
static const uint8_t udp_frame[55] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x29, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x11, 0x0a, 0x7c, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00,
    0x00, 0x02, 0x9c, 0x40, 0x00, 0x07, 0x00, 0x15, 0xfb, 0x70, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c,
    0x20, 0x77, 0x69, 0x72, 0x65, 0x21, 0x21,
};

/* Ethernet broadcast + ARP request: who has 10.0.0.2? tell 10.0.0.1. */
static const uint8_t arp_frame[42] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x01,
    0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02,
};

/* 192.168.0.1 -> 192.168.0.199, UDP, total length 115, DF, TTL 64. */
static const uint8_t ip_b861[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                    0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

static const struct eth_addr mac1 = {{0x02, 0, 0, 0, 0, 0x01}};
static const struct eth_addr mac2 = {{0x02, 0, 0, 0, 0, 0x02}};

/* ------------------------------------------------------------- wire.h -- */

static void strerror_names_every_code(void **state) {
  (void)state;
  assert_string_equal(wire_strerror(WIRE_OK), "ok");
  for (int e = WIRE_EOPT; e <= WIRE_ETRUNC; e++) {
    const char *s = wire_strerror(e);
    assert_non_null(s);
    assert_string_not_equal(s, "unknown error");
    for (int f = e + 1; f <= WIRE_ETRUNC; f++) assert_string_not_equal(s, wire_strerror(f));
  }
  assert_string_equal(wire_strerror(-1000), "unknown error");
  assert_string_equal(wire_strerror(5), "unknown error");
}

static void be_loads_and_stores(void **state) {
  (void)state;
  uint8_t b[6] = {0};
  wire_put16(b, 0x1234);
  wire_put32(b + 2, 0xdeadbeef);
  const uint8_t want[6] = {0x12, 0x34, 0xde, 0xad, 0xbe, 0xef};
  assert_memory_equal(b, want, 6);
  assert_int_equal(wire_get16(b), 0x1234);
  assert_int_equal(wire_get32(b + 2), 0xdeadbeefu);
  assert_int_equal(wire_get16(b + 1), 0x34de); /* any alignment */
}

static void ip4_addr_format_and_parse(void **state) {
  (void)state;
  char buf[IP4_ADDR_STRLEN];
  assert_string_equal(ip4_addr_format(ip4_addr_make(10, 0, 0, 1), buf), "10.0.0.1");
  assert_string_equal(ip4_addr_format(IP4_BROADCAST, buf), "255.255.255.255");
  assert_string_equal(ip4_addr_format(IP4_ANY, buf), "0.0.0.0");
  assert_string_equal(ip4_addr_format(ip4_addr_make(192, 168, 100, 9), buf), "192.168.100.9");
  assert_int_equal(ip4_addr_make(10, 0, 0, 1), 0x0a000001u);

  ip4_addr_t a = 0;
  assert_int_equal(ip4_addr_parse("192.168.0.199", &a), WIRE_OK);
  assert_int_equal(a, ip4_addr_make(192, 168, 0, 199));
  assert_int_equal(ip4_addr_parse("255.255.255.255", &a), WIRE_OK);
  assert_int_equal(a, IP4_BROADCAST);
  static const char *bad[] = {"", "1", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "256.0.0.1", "1..2.3",
                              ".1.2.3", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "a.b.c.d", "1.2.3.0004",
                              "1.2.3.4x", "1,2,3,4"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    a = 0x12345678;
    assert_int_equal(ip4_addr_parse(bad[i], &a), WIRE_EMALFORMED);
    assert_int_equal(a, 0x12345678); /* untouched */
  }
  /* every address formats and parses back */
  xs_state = 0x1234567;
  for (int i = 0; i < 1000; i++) {
    ip4_addr_t x = (ip4_addr_t)xorshift(), y;
    assert_int_equal(ip4_addr_parse(ip4_addr_format(x, buf), &y), WIRE_OK);
    assert_int_equal(x, y);
  }
  assert_true(ip4_is_multicast(ip4_addr_make(224, 0, 0, 1)));
  assert_true(ip4_is_multicast(ip4_addr_make(239, 255, 255, 255)));
  assert_false(ip4_is_multicast(ip4_addr_make(240, 0, 0, 1)));
  assert_false(ip4_is_multicast(ip4_addr_make(10, 0, 0, 1)));
}

static void eth_addr_helpers(void **state) {
  (void)state;
  struct eth_addr b = eth_addr_broadcast();
  assert_true(eth_addr_is_broadcast(&b));
  assert_true(eth_addr_is_multicast(&b));
  assert_false(eth_addr_is_broadcast(&mac1));
  assert_false(eth_addr_is_multicast(&mac1));
  struct eth_addr m = {{0x01, 0x00, 0x5e, 0, 0, 1}};
  assert_true(eth_addr_is_multicast(&m));
  assert_false(eth_addr_is_broadcast(&m));
  assert_true(eth_addr_eq(&mac1, &mac1));
  assert_false(eth_addr_eq(&mac1, &mac2));
  struct eth_addr almost = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}};
  assert_false(eth_addr_is_broadcast(&almost));
}

/* ----------------------------------------------------------- checksum -- */

static void checksum_rfc1071_example(void **state) {
  (void)state;
  /* RFC 1071 sec. 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
  const uint8_t d[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  uint8_t *p = heap(d, sizeof d);
  struct csum c;
  csum_init(&c);
  csum_add(&c, p, 8);
  assert_int_equal(csum_fold(&c), 0xddf2);
  assert_int_equal(csum_finish(&c), 0x220d);
  assert_int_equal(wire_checksum(p, 8), 0x220d);
  /* the same bytes in 16 (the 8-byte loop) still fold right */
  uint8_t twice[16];
  memcpy(twice, d, 8);
  memcpy(twice + 8, d, 8);
  assert_int_equal(wire_checksum(twice, 16), (uint16_t)~ref_fold(twice, 16));
  free(p);
}

static void checksum_known_ipv4_header(void **state) {
  (void)state;
  uint8_t *h = heap(ip_b861, 20);
  assert_int_equal(wire_checksum(h, 20), 0); /* a correct header sums to 0xffff */
  wire_put16(h + 10, 0);
  assert_int_equal(wire_checksum(h, 20), 0xb861);
  free(h);
  /* odd lengths pad with a zero low byte */
  const uint8_t odd[3] = {0x12, 0x34, 0x56};
  assert_int_equal(wire_checksum(odd, 3), (uint16_t)~(0x1234 + 0x5600));
  assert_int_equal(wire_checksum(odd, 0), 0xffff);
}

/* The sum over data cut into random pieces (odd ones too, at unaligned
 * addresses) equals the sum over the whole, and the reference. */
static void checksum_split_any_way_equals_whole(void **state) {
  (void)state;
  xs_state = 0x9e3779b97f4a7c15u;
  uint8_t data[1500];
  for (int round = 0; round < 500; round++) {
    size_t n = (size_t)(xorshift() % sizeof data);
    for (size_t i = 0; i < n; i++) data[i] = (uint8_t)xorshift();
    if (round % 7 == 0) memset(data, 0xff, n); /* carries on every add */
    uint16_t want = ref_fold(data, n);
    struct csum whole;
    csum_init(&whole);
    csum_add(&whole, data, n);
    assert_int_equal(csum_fold(&whole), want);
    struct csum c;
    csum_init(&c);
    size_t at = 0;
    while (at < n) {
      size_t k = (size_t)(xorshift() % 40);
      if (k > n - at) k = n - at;
      uint8_t *piece = heap(data + at, k); /* its own, exactly-sized buffer */
      csum_add(&c, piece, k);
      free(piece);
      at += k;
    }
    assert_int_equal(csum_fold(&c), want);
    assert_int_equal(c.odd, (int)(n & 1));
  }
}

/* Every two-way and three-way cut of short data, from every alignment. */
static void checksum_every_cut(void **state) {
  (void)state;
  uint8_t raw[80];
  for (size_t i = 0; i < sizeof raw; i++) raw[i] = (uint8_t)(0xa5 ^ (i * 37));
  for (size_t align = 0; align < 8; align++) {
    const uint8_t *d = raw + align;
    for (size_t n = 0; n <= 64; n++) {
      uint16_t want = ref_fold(d, n);
      for (size_t a = 0; a <= n; a++) {
        for (size_t b = a; b <= n; b += 3) {
          struct csum c;
          csum_init(&c);
          csum_add(&c, d, a);
          csum_add(&c, d + a, b - a);
          csum_add(&c, d + b, n - b);
          assert_int_equal(csum_fold(&c), want);
        }
      }
    }
  }
}

/* csum_append of independently summed pieces equals one running sum. */
static void checksum_append_pieces(void **state) {
  (void)state;
  xs_state = 42;
  uint8_t data[600];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)xorshift();
  for (int round = 0; round < 300; round++) {
    size_t n = (size_t)(xorshift() % sizeof data);
    struct csum c;
    csum_init(&c);
    size_t at = 0;
    while (at < n) {
      size_t k = 1 + (size_t)(xorshift() % 33);
      if (k > n - at) k = n - at;
      struct csum piece;
      csum_init(&piece);
      csum_add(&piece, data + at, k);
      csum_append(&c, &piece);
      at += k;
    }
    assert_int_equal(csum_fold(&c), ref_fold(data, n));
    assert_int_equal(c.odd, (int)(n & 1));
  }
  /* a swapped piece with 0xff..: folds stay in range */
  struct csum a, b;
  csum_init(&a);
  csum_init(&b);
  const uint8_t ff[5] = {0xff, 0xff, 0xff, 0xff, 0xff};
  csum_add(&a, ff, 1);
  csum_add(&b, ff + 1, 4);
  csum_append(&a, &b);
  assert_int_equal(csum_fold(&a), ref_fold(ff, 5));
}

/* RFC 768 pseudo-header: the UDP datagram of udp_frame checks out with
 * it, and csum_pseudo equals summing the 12 pseudo-header bytes. */
static void checksum_pseudo_header(void **state) {
  (void)state;
  const uint8_t *ip = udp_frame + 14, *udp = ip + 20;
  size_t ulen = sizeof udp_frame - 34;
  struct csum c;
  csum_init(&c);
  csum_add(&c, udp, ulen);
  csum_pseudo(&c, wire_get32(ip + 12), wire_get32(ip + 16), IPV4_PROTO_UDP, (uint16_t)ulen);
  assert_int_equal(csum_fold(&c), 0xffff);

  uint8_t ph[12];
  memcpy(ph, ip + 12, 8);
  ph[8] = 0;
  ph[9] = 17;
  wire_put16(ph + 10, (uint16_t)ulen);
  struct csum d;
  csum_init(&d);
  csum_pseudo(&d, wire_get32(ip + 12), wire_get32(ip + 16), 17, (uint16_t)ulen);
  assert_int_equal(csum_fold(&d), ref_fold(ph, 12));
  /* added after an odd piece it still counts as even-aligned words */
  struct csum e;
  csum_init(&e);
  csum_add(&e, udp, 3);
  csum_pseudo(&e, wire_get32(ip + 12), wire_get32(ip + 16), IPV4_PROTO_UDP, (uint16_t)ulen);
  csum_add(&e, udp + 3, ulen - 3);
  assert_int_equal(csum_fold(&e), 0xffff);
  csum_add16(&d, 0x1234);
  uint8_t ph2[14];
  memcpy(ph2, ph, 12);
  wire_put16(ph2 + 12, 0x1234);
  assert_int_equal(csum_fold(&d), ref_fold(ph2, 14));
}

/* RFC 1624 eqn. 3 against a full recomputation, random words. */
static void checksum_update16_matches_recompute(void **state) {
  (void)state;
  xs_state = 7;
  uint8_t d[20];
  for (int round = 0; round < 20000; round++) {
    for (size_t i = 0; i < sizeof d; i++) d[i] = (uint8_t)xorshift();
    if (round % 5 == 0) memset(d, 0, 18); /* sparse data: sums near 0 / 0xffff */
    size_t w = 2 * (size_t)(xorshift() % 10);
    uint16_t hc = wire_checksum(d, sizeof d);
    uint16_t old = wire_get16(d + w), nw = (uint16_t)xorshift();
    if (round % 3 == 0) nw = (uint16_t)(old - 1);
    wire_put16(d + w, nw);
    int all_zero = 1;
    for (size_t i = 0; i < sizeof d; i++) all_zero &= d[i] == 0;
    if (all_zero) continue; /* the one case eqn. 3 gives -0 for +0 */
    assert_int_equal(csum_update16(hc, old, nw), wire_checksum(d, sizeof d));
  }
}

/* ----------------------------------------------------------- ethernet -- */

static void eth_parse_known_frame(void **state) {
  (void)state;
  uint8_t *f = heap(udp_frame, sizeof udp_frame);
  struct eth_repr e;
  assert_int_equal(eth_parse(&e, f, sizeof udp_frame), WIRE_OK);
  assert_true(eth_addr_eq(&e.dst, &mac2));
  assert_true(eth_addr_eq(&e.src, &mac1));
  assert_int_equal(e.type, ETH_TYPE_IPV4);
  free(f);
  f = heap(arp_frame, ETH_HLEN); /* just the header is enough */
  assert_int_equal(eth_parse(&e, f, ETH_HLEN), WIRE_OK);
  assert_true(eth_addr_is_broadcast(&e.dst));
  assert_int_equal(e.type, ETH_TYPE_ARP);
  free(f);
}

static void eth_truncated_every_length(void **state) {
  (void)state;
  for (size_t n = 0; n < ETH_HLEN; n++) {
    uint8_t *f = heap(udp_frame, n);
    struct eth_repr e;
    assert_int_equal(eth_parse(&e, f, n), WIRE_ETRUNC);
    free(f);
  }
}

static void eth_emit_roundtrip(void **state) {
  (void)state;
  struct eth_repr r = {.dst = mac2, .src = mac1, .type = ETH_TYPE_IPV4}, back;
  uint8_t *b = malloc(ETH_HLEN);
  assert_int_equal(eth_emit(&r, b, ETH_HLEN), ETH_HLEN);
  assert_memory_equal(b, udp_frame, ETH_HLEN);
  assert_int_equal(eth_parse(&back, b, ETH_HLEN), WIRE_OK);
  assert_memory_equal(&back, &r, sizeof r);
  for (size_t cap = 0; cap < ETH_HLEN; cap++) assert_int_equal(eth_emit(&r, b, cap), WIRE_ENOSPC);
  free(b);
}

/* ---------------------------------------------------------------- arp -- */

static void arp_parse_known_request(void **state) {
  (void)state;
  uint8_t *a = heap(arp_frame + ETH_HLEN, ARP_LEN);
  struct arp_repr r;
  assert_int_equal(arp_parse(&r, a, ARP_LEN), WIRE_OK);
  assert_int_equal(r.op, ARP_REQUEST);
  assert_true(eth_addr_eq(&r.sha, &mac1));
  assert_int_equal(r.spa, ip4_addr_make(10, 0, 0, 1));
  const struct eth_addr zero = {{0}};
  assert_true(eth_addr_eq(&r.tha, &zero));
  assert_int_equal(r.tpa, ip4_addr_make(10, 0, 0, 2));
  free(a);
  /* Ethernet pads ARP to 46 bytes: trailing bytes are ignored */
  uint8_t padded[46] = {0};
  memcpy(padded, arp_frame + ETH_HLEN, ARP_LEN);
  memset(padded + ARP_LEN, 0xee, sizeof padded - ARP_LEN);
  assert_int_equal(arp_parse(&r, padded, sizeof padded), WIRE_OK);
  assert_int_equal(r.tpa, ip4_addr_make(10, 0, 0, 2));
}

static void arp_truncated_every_length(void **state) {
  (void)state;
  for (size_t n = 0; n < ARP_LEN; n++) {
    uint8_t *a = heap(arp_frame + ETH_HLEN, n);
    struct arp_repr r;
    assert_int_equal(arp_parse(&r, a, n), WIRE_ETRUNC);
    free(a);
  }
}

static void arp_rejects_bad_types(void **state) {
  (void)state;
  struct {
    size_t off;
    uint8_t val;
    int want;
  } cases[] = {
      {1, 6, WIRE_EVERSION},    /* htype 6 (IEEE 802) */
      {0, 1, WIRE_EVERSION},    /* htype 0x0101 */
      {2, 0x86, WIRE_EVERSION}, /* ptype 0x86dd */
      {3, 0x06, WIRE_EVERSION}, /* ptype 0x0806 */
      {4, 8, WIRE_EVERSION},    /* hlen 8 */
      {5, 16, WIRE_EVERSION},   /* plen 16 */
      {7, 0, WIRE_EMALFORMED},  /* op 0 */
      {7, 3, WIRE_EMALFORMED},  /* op 3 (RARP request) */
      {6, 1, WIRE_EMALFORMED},  /* op 0x0101 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    uint8_t *a = heap(arp_frame + ETH_HLEN, ARP_LEN);
    a[cases[i].off] = cases[i].val;
    struct arp_repr r;
    assert_int_equal(arp_parse(&r, a, ARP_LEN), cases[i].want);
    free(a);
  }
}

static void arp_emit_roundtrip(void **state) {
  (void)state;
  struct arp_repr r = {.op = ARP_REQUEST, .sha = mac1, .spa = ip4_addr_make(10, 0, 0, 1),
                       .tha = {{0}}, .tpa = ip4_addr_make(10, 0, 0, 2)};
  uint8_t *b = malloc(ARP_LEN);
  assert_int_equal(arp_emit(&r, b, ARP_LEN), ARP_LEN);
  assert_memory_equal(b, arp_frame + ETH_HLEN, ARP_LEN);
  struct arp_repr reply = {.op = ARP_REPLY, .sha = mac2, .spa = r.tpa, .tha = mac1, .tpa = r.spa},
                  back;
  assert_int_equal(arp_emit(&reply, b, ARP_LEN), ARP_LEN);
  assert_int_equal(arp_parse(&back, b, ARP_LEN), WIRE_OK);
  assert_int_equal(back.op, ARP_REPLY);
  assert_true(eth_addr_eq(&back.sha, &mac2));
  assert_true(eth_addr_eq(&back.tha, &mac1));
  assert_int_equal(back.spa, reply.spa);
  assert_int_equal(back.tpa, reply.tpa);
  assert_int_equal(arp_emit(&r, b, ARP_LEN - 1), WIRE_ENOSPC);
  assert_int_equal(arp_emit(&r, b, 0), WIRE_ENOSPC);
  free(b);
}

/* --------------------------------------------------------------- ipv4 -- */

static void ipv4_parse_known_header(void **state) {
  (void)state;
  uint8_t *h = heap(ip_b861, 20);
  struct ipv4_repr r;
  /* total length 115 > 20 bytes here: WIRE_ELEN, unless quoted */
  assert_int_equal(ipv4_parse(&r, h, 20, 0), WIRE_ELEN);
  assert_int_equal(ipv4_parse(&r, h, 20, IPV4_PARSE_QUOTE), WIRE_OK);
  assert_int_equal(r.hlen, 20);
  assert_int_equal(r.tos, 0);
  assert_int_equal(r.total_len, 0x73);
  assert_int_equal(r.id, 0);
  assert_int_equal(r.df, 1);
  assert_int_equal(r.mf, 0);
  assert_int_equal(r.frag_off, 0);
  assert_int_equal(r.ttl, 64);
  assert_int_equal(r.proto, IPV4_PROTO_UDP);
  assert_int_equal(r.checksum, 0xb861);
  assert_int_equal(r.src, ip4_addr_make(192, 168, 0, 1));
  assert_int_equal(r.dst, ip4_addr_make(192, 168, 0, 199));
  assert_int_equal(ipv4_options_len(&r), 0);
  free(h);
  /* the whole datagram, with 3 bytes of link padding after it */
  uint8_t *d = calloc(1, 118);
  memcpy(d, ip_b861, 20);
  assert_int_equal(ipv4_parse(&r, d, 118, 0), WIRE_OK);
  assert_int_equal(r.total_len, 115); /* the caller trims to this */
  free(d);
  /* the datagram of udp_frame */
  uint8_t *u = heap(udp_frame + 14, sizeof udp_frame - 14);
  assert_int_equal(ipv4_parse(&r, u, sizeof udp_frame - 14, 0), WIRE_OK);
  assert_int_equal(r.total_len, sizeof udp_frame - 14);
  assert_int_equal(r.id, 0x1c46);
  assert_int_equal(r.src, ip4_addr_make(10, 0, 0, 1));
  free(u);
}

static void ipv4_truncated_every_length(void **state) {
  (void)state;
  for (size_t n = 0; n < IPV4_HLEN; n++) {
    uint8_t *h = heap(ip_b861, n);
    struct ipv4_repr r;
    assert_int_equal(ipv4_parse(&r, h, n, 0), WIRE_ETRUNC);
    assert_int_equal(ipv4_parse(&r, h, n, IPV4_PARSE_NO_CSUM | IPV4_PARSE_QUOTE), WIRE_ETRUNC);
    free(h);
  }
}

/* A 40-byte datagram: 20-byte header + 20 bytes of data, checksum set. */
static uint8_t *datagram(uint8_t vihl, uint16_t total, size_t buflen) {
  uint8_t *d = calloc(1, buflen);
  memcpy(d, ip_b861, 20 < buflen ? 20 : buflen);
  d[0] = vihl;
  wire_put16(d + 2, total);
  size_t hl = (size_t)(vihl & 15) * 4;
  if (hl >= 20 && hl <= buflen) ipv4_set_checksum(d, buflen);
  return d;
}

static void ipv4_length_checks(void **state) {
  (void)state;
  struct ipv4_repr r;
  uint8_t *d;
  d = datagram(0x65, 40, 40); /* version 6 */
  assert_int_equal(ipv4_parse(&r, d, 40, 0), WIRE_EVERSION);
  free(d);
  for (uint8_t ihl = 0; ihl < 5; ihl++) { /* IHL < 5 */
    d = datagram((uint8_t)(0x40 | ihl), 40, 40);
    assert_int_equal(ipv4_parse(&r, d, 40, IPV4_PARSE_NO_CSUM), WIRE_EHLEN);
    free(d);
  }
  d = datagram(0x4f, 40, 40); /* IHL 15 = 60 bytes > 40 */
  assert_int_equal(ipv4_parse(&r, d, 40, IPV4_PARSE_NO_CSUM), WIRE_EHLEN);
  free(d);
  d = datagram(0x46, 40, 23); /* 24-byte header, 23 bytes there */
  assert_int_equal(ipv4_parse(&r, d, 23, IPV4_PARSE_NO_CSUM), WIRE_EHLEN);
  free(d);
  d = datagram(0x45, 19, 40); /* total < header */
  assert_int_equal(ipv4_parse(&r, d, 40, 0), WIRE_ELEN);
  assert_int_equal(ipv4_parse(&r, d, 40, IPV4_PARSE_QUOTE), WIRE_ELEN);
  free(d);
  d = datagram(0x46, 22, 40); /* total < 24-byte header */
  assert_int_equal(ipv4_parse(&r, d, 40, 0), WIRE_ELEN);
  free(d);
  d = datagram(0x45, 41, 40); /* total > buffer */
  assert_int_equal(ipv4_parse(&r, d, 40, 0), WIRE_ELEN);
  assert_int_equal(ipv4_parse(&r, d, 40, IPV4_PARSE_QUOTE), WIRE_OK);
  free(d);
  d = datagram(0x45, 20, 40); /* header only, padding after */
  assert_int_equal(ipv4_parse(&r, d, 40, 0), WIRE_OK);
  assert_int_equal(r.total_len, 20);
  free(d);
}

static void ipv4_bad_checksum(void **state) {
  (void)state;
  struct ipv4_repr r;
  for (size_t bit = 0; bit < 160; bit++) { /* any single flipped bit is caught */
    if (bit / 8 < 4 && bit / 8 != 1) continue; /* skip version/IHL/length bytes */
    uint8_t *h = heap(ip_b861, 20);
    h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    assert_int_equal(ipv4_parse(&r, h, 20, IPV4_PARSE_QUOTE), WIRE_ECSUM);
    assert_int_equal(ipv4_parse(&r, h, 20, IPV4_PARSE_QUOTE | IPV4_PARSE_NO_CSUM), WIRE_OK);
    free(h);
  }
}

static void ipv4_options_stay_inside_header(void **state) {
  (void)state;
  /* IHL 7: router alert (RFC 2113: 94 04 00 00) then NOP, NOP, EOL, EOL,
   * 10 bytes of data. */
  uint8_t d[38] = {0};
  memcpy(d, ip_b861, 20);
  d[0] = 0x47;
  wire_put16(d + 2, sizeof d);
  const uint8_t opts[8] = {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00};
  memcpy(d + 20, opts, 8);
  memset(d + 28, 0x5a, 10);
  assert_int_equal(ipv4_set_checksum(d, sizeof d), WIRE_OK);
  assert_int_equal(ref_fold(d, 28), 0xffff); /* covers the options, not the data */
  uint8_t *h = heap(d, sizeof d);
  struct ipv4_repr r;
  assert_int_equal(ipv4_parse(&r, h, sizeof d, 0), WIRE_OK);
  assert_int_equal(r.hlen, 28);
  assert_int_equal(ipv4_options_len(&r), 8);
  assert_memory_equal(h + IPV4_HLEN, opts, 8);
  free(h);
  /* header alone, exactly 28 bytes: fine when quoted */
  h = heap(d, 28);
  assert_int_equal(ipv4_parse(&r, h, 28, IPV4_PARSE_QUOTE), WIRE_OK);
  free(h);
  /* options cut: every length from 20 to 27 is a header past the buffer */
  for (size_t n = IPV4_HLEN; n < 28; n++) {
    h = heap(d, n);
    assert_int_equal(ipv4_parse(&r, h, n, IPV4_PARSE_QUOTE), WIRE_EHLEN);
    free(h);
  }
}

static void ipv4_emit_matches_known(void **state) {
  (void)state;
  struct ipv4_repr r = {.tos = 0, .total_len = 0x73, .id = 0, .df = 1, .ttl = 64,
                        .proto = IPV4_PROTO_UDP, .src = ip4_addr_make(192, 168, 0, 1),
                        .dst = ip4_addr_make(192, 168, 0, 199), .hlen = 44, .checksum = 0x1111};
  uint8_t *b = malloc(IPV4_HLEN);
  assert_int_equal(ipv4_emit(&r, b, IPV4_HLEN), IPV4_HLEN);
  assert_memory_equal(b, ip_b861, 20);
  for (size_t cap = 0; cap < IPV4_HLEN; cap++) assert_int_equal(ipv4_emit(&r, b, cap), WIRE_ENOSPC);
  free(b);
}

static void ipv4_emit_parse_roundtrip(void **state) {
  (void)state;
  xs_state = 99;
  for (int i = 0; i < 2000; i++) {
    uint64_t x = xorshift(), y = xorshift();
    struct ipv4_repr r = {
        .tos = (uint8_t)x, .total_len = (uint16_t)(20 + (x >> 8) % 80), .id = (uint16_t)(x >> 16),
        .df = (uint8_t)(x >> 32 & 1), .mf = (uint8_t)(x >> 33 & 1),
        .frag_off = (uint16_t)(8 * ((x >> 34) & 0x1fff)), .ttl = (uint8_t)(x >> 48),
        .proto = (uint8_t)(x >> 56), .src = (ip4_addr_t)y, .dst = (ip4_addr_t)(y >> 32)};
    uint8_t *b = calloc(1, r.total_len);
    assert_int_equal(ipv4_emit(&r, b, r.total_len), IPV4_HLEN);
    struct ipv4_repr back;
    assert_int_equal(ipv4_parse(&back, b, r.total_len, 0), WIRE_OK);
    assert_int_equal(back.hlen, IPV4_HLEN);
    assert_int_equal(back.tos, r.tos);
    assert_int_equal(back.total_len, r.total_len);
    assert_int_equal(back.id, r.id);
    assert_int_equal(back.df, r.df);
    assert_int_equal(back.mf, r.mf);
    assert_int_equal(back.frag_off, r.frag_off);
    assert_int_equal(back.ttl, r.ttl);
    assert_int_equal(back.proto, r.proto);
    assert_int_equal(back.checksum, wire_get16(b + 10));
    assert_int_equal(back.src, r.src);
    assert_int_equal(back.dst, r.dst);
    free(b);
  }
}

static void ipv4_fragment_fields(void **state) {
  (void)state;
  /* MF set, offset 185 * 8 = 1480 bytes: word 0x20b9 */
  struct ipv4_repr r = {.total_len = 20, .id = 0xabcd, .mf = 1, .frag_off = 1480, .ttl = 1,
                        .proto = IPV4_PROTO_ICMP};
  uint8_t b[20];
  ipv4_emit(&r, b, sizeof b);
  assert_int_equal(wire_get16(b + 6), 0x20b9);
  struct ipv4_repr back;
  assert_int_equal(ipv4_parse(&back, b, 20, 0), WIRE_OK);
  assert_int_equal(back.mf, 1);
  assert_int_equal(back.df, 0);
  assert_int_equal(back.frag_off, 1480);
  /* the largest offset: 0x1fff * 8 */
  wire_put16(b + 6, 0x1fff | IPV4_FLAG_DF);
  ipv4_set_checksum(b, 20);
  assert_int_equal(ipv4_parse(&back, b, 20, 0), WIRE_OK);
  assert_int_equal(back.frag_off, 0xfff8);
  assert_int_equal(back.df, 1);
  assert_int_equal(back.mf, 0);
}

static void ipv4_set_checksum_in_place(void **state) {
  (void)state;
  uint8_t *h = heap(ip_b861, 20);
  wire_put16(h + 10, 0xdead);
  assert_int_equal(ipv4_set_checksum(h, 20), WIRE_OK);
  assert_memory_equal(h, ip_b861, 20);
  for (size_t n = 0; n < 20; n++) assert_int_equal(ipv4_set_checksum(h, n), WIRE_ETRUNC);
  h[0] = 0x44;
  assert_int_equal(ipv4_set_checksum(h, 20), WIRE_EHLEN);
  h[0] = 0x46;
  assert_int_equal(ipv4_set_checksum(h, 20), WIRE_EHLEN);
  assert_int_equal(wire_get16(h + 10), 0xb861); /* untouched on error */
  free(h);
}

/* RFC 1624: the incremental TTL update equals a full recomputation, on
 * the known header and on random ones (including checksums near 0). */
static void ipv4_dec_ttl_matches_recompute(void **state) {
  (void)state;
  uint8_t *h = heap(ip_b861, 20);
  ipv4_dec_ttl(h);
  assert_int_equal(h[8], 63);
  assert_int_equal(wire_get16(h + 10), 0xb961);
  assert_int_equal(wire_checksum(h, 20), 0);
  free(h);
  xs_state = 2024;
  for (int i = 0; i < 100000; i++) {
    uint8_t b[20];
    for (size_t k = 0; k < 20; k++) b[k] = (uint8_t)xorshift();
    b[0] = 0x45;
    if (i % 4 == 0) memset(b + 1, 0, 19); /* sparse headers */
    b[8] = (uint8_t)(2 + xorshift() % 254);
    ipv4_set_checksum(b, 20);
    uint8_t want[20];
    memcpy(want, b, 20);
    want[8]--;
    ipv4_set_checksum(want, 20);
    ipv4_dec_ttl(b);
    assert_memory_equal(b, want, 20);
  }
  /* a header whose checksum is 0x0000 before and after */
  uint8_t z[20] = {0x45};
  z[8] = 2;
  /* data making the post-decrement checksum 0: its sum is 0xffff */
  uint16_t rest = (uint16_t)(0xffff - (0x4500 + 0x0100)); /* TTL 1, protocol 0 */
  wire_put16(z + 12, rest);
  ipv4_set_checksum(z, 20);
  uint8_t want[20];
  memcpy(want, z, 20);
  want[8]--;
  ipv4_set_checksum(want, 20);
  assert_int_equal(wire_get16(want + 10), 0x0000);
  ipv4_dec_ttl(z);
  assert_memory_equal(z, want, 20);
}

/* ------------------------------------------------------------- random -- */

/* Random and mutated buffers, exactly sized: no parse may crash or read
 * past the end, and what parses keeps its invariants. */
static void random_buffers_never_crash(void **state) {
  (void)state;
  xs_state = 0xfeedface;
  int ok = 0;
  for (int i = 0; i < 6000; i++) {
    size_t n = (size_t)(xorshift() % 80);
    uint8_t tmp[80];
    if (i % 2) {
      for (size_t k = 0; k < n; k++) tmp[k] = (uint8_t)xorshift();
    } else { /* a real frame, cut and with a few bytes changed */
      const uint8_t *src = i % 4 ? udp_frame : arp_frame;
      size_t max = i % 4 ? sizeof udp_frame : sizeof arp_frame;
      if (n > max) n = max;
      memcpy(tmp, src, n);
      for (int f = 0; f < 3 && n; f++) tmp[xorshift() % n] ^= (uint8_t)xorshift();
    }
    uint8_t *b = heap(tmp, n);
    struct eth_repr e;
    struct arp_repr a;
    struct ipv4_repr r;
    int rc = eth_parse(&e, b, n);
    assert_true(rc == WIRE_OK || rc == WIRE_ETRUNC);
    size_t off = n >= ETH_HLEN ? ETH_HLEN : 0;
    rc = arp_parse(&a, b + off, n - off);
    assert_true(rc <= 0 && rc >= WIRE_EOPT);
    for (unsigned fl = 0; fl < 4; fl++) {
      rc = ipv4_parse(&r, b + off, n - off, fl);
      assert_true(rc <= 0 && rc >= WIRE_EOPT);
      if (rc == WIRE_OK) {
        ok++;
        assert_true(r.hlen >= 20 && r.hlen <= n - off && r.hlen % 4 == 0);
        assert_true(r.total_len >= r.hlen);
        if (!(fl & IPV4_PARSE_QUOTE)) assert_true(r.total_len <= n - off);
      }
      rc = ipv4_parse(&r, b, n, fl);
      assert_true(rc <= 0 && rc >= WIRE_EOPT);
    }
    free(b);
  }
  assert_true(ok > 0); /* the mutations left some frames parseable */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(strerror_names_every_code),
      cmocka_unit_test(be_loads_and_stores),
      cmocka_unit_test(ip4_addr_format_and_parse),
      cmocka_unit_test(eth_addr_helpers),
      cmocka_unit_test(checksum_rfc1071_example),
      cmocka_unit_test(checksum_known_ipv4_header),
      cmocka_unit_test(checksum_split_any_way_equals_whole),
      cmocka_unit_test(checksum_every_cut),
      cmocka_unit_test(checksum_append_pieces),
      cmocka_unit_test(checksum_pseudo_header),
      cmocka_unit_test(checksum_update16_matches_recompute),
      cmocka_unit_test(eth_parse_known_frame),
      cmocka_unit_test(eth_truncated_every_length),
      cmocka_unit_test(eth_emit_roundtrip),
      cmocka_unit_test(arp_parse_known_request),
      cmocka_unit_test(arp_truncated_every_length),
      cmocka_unit_test(arp_rejects_bad_types),
      cmocka_unit_test(arp_emit_roundtrip),
      cmocka_unit_test(ipv4_parse_known_header),
      cmocka_unit_test(ipv4_truncated_every_length),
      cmocka_unit_test(ipv4_length_checks),
      cmocka_unit_test(ipv4_bad_checksum),
      cmocka_unit_test(ipv4_options_stay_inside_header),
      cmocka_unit_test(ipv4_emit_matches_known),
      cmocka_unit_test(ipv4_emit_parse_roundtrip),
      cmocka_unit_test(ipv4_fragment_fields),
      cmocka_unit_test(ipv4_set_checksum_in_place),
      cmocka_unit_test(ipv4_dec_ttl_matches_recompute),
      cmocka_unit_test(random_buffers_never_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
