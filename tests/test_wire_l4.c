/* stack/wire/: ICMPv4, UDP and TCP (options included), against real
 * bytes.
 *
 * Every frame below was built by hand and checked with tshark (IP, UDP,
 * TCP and ICMP checksums "Good"; the TCP options decoded as intended).
 * Parsers are fed exactly-sized heap copies so that AddressSanitizer
 * catches any read past the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "stack/wire/checksum.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "stack/wire/udp.h"
#include "stack/wire/wire.h"

/* ------------------------------------------------------------ helpers -- */

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

#define L4 34 /* Ethernet 14 + IPv4 20 */
#define A1 ip4_addr_make(10, 0, 0, 1)
#define A2 ip4_addr_make(10, 0, 0, 2)

/* 10.0.0.1:40000 -> 10.0.0.2:7 UDP, "hello, wire!!", checksum 0xfb70. */
static const uint8_t udp_frame[55] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x29, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x11, 0x0a, 0x7c, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00,
    0x00, 0x02, 0x9c, 0x40, 0x00, 0x07, 0x00, 0x15, 0xfb, 0x70, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c,
    0x20, 0x77, 0x69, 0x72, 0x65, 0x21, 0x21,
};

/* 10.0.0.1:49152 -> 10.0.0.2:80 SYN, seq 0x11223344, window 64240,
 * options MSS 1460, SACK-permitted, TS 0x01020304/0, NOP, WS 7. */
static const uint8_t syn_frame[74] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x0a, 0x74, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00,
    0x00, 0x02, 0xc0, 0x00, 0x00, 0x50, 0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
    0xfa, 0xf0, 0x30, 0x50, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x01, 0x02,
    0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* 10.0.0.2:80 -> 10.0.0.1:49152 PSH|ACK, seq 0xfffffff0, ack 0x11223345,
 * window 501, NOP NOP TS 1000/2000, NOP NOP SACK [0x5000,0x6000)
 * [0x7000,0x8000), data "abcdefg". */
static const uint8_t sack_frame[93] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x4f, 0x01, 0x02, 0x40, 0x00, 0x40, 0x06, 0x25, 0xa5, 0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00,
    0x00, 0x01, 0x00, 0x50, 0xc0, 0x00, 0xff, 0xff, 0xff, 0xf0, 0x11, 0x22, 0x33, 0x45, 0xd0, 0x18,
    0x01, 0xf5, 0xc8, 0xff, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00,
    0x07, 0xd0, 0x01, 0x01, 0x05, 0x12, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
    0x70, 0x00, 0x00, 0x00, 0x80, 0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
};

/* 10.0.0.1 -> 10.0.0.2 echo request id 0x1234 seq 1, 21 bytes 0x10..0x24. */
static const uint8_t echo_frame[63] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x31, 0x22, 0x22, 0x40, 0x00, 0x40, 0x01, 0x04, 0xa8, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00,
    0x00, 0x02, 0x08, 0x00, 0xc6, 0xc5, 0x12, 0x34, 0x00, 0x01, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24,
};

/* 10.0.0.2 -> 10.0.0.1 port unreachable quoting udp_frame's IP header
 * and the first 8 bytes of its UDP datagram. */
static const uint8_t unreach_frame[70] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x38, 0x33, 0x33, 0x00, 0x00, 0x40, 0x01, 0x33, 0x90, 0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00,
    0x00, 0x01, 0x03, 0x03, 0x65, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00, 0x00, 0x29, 0x1c, 0x46,
    0x40, 0x00, 0x40, 0x11, 0x0a, 0x7c, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40,
    0x00, 0x07, 0x00, 0x15, 0xfb, 0x70,
};

/* The transport part of a frame, as an exactly-sized heap copy. */
static uint8_t *l4_of(const uint8_t *frame, size_t flen, size_t *n) {
  *n = flen - L4;
  return heap(frame + L4, *n);
}

/* --------------------------------------------------------------- icmp -- */

static void icmp_parse_echo_known(void **state) {
  (void)state;
  size_t n;
  uint8_t *m = l4_of(echo_frame, sizeof echo_frame, &n);
  struct icmpv4_repr r;
  assert_int_equal(icmpv4_parse(&r, m, n), WIRE_OK);
  assert_int_equal(r.type, ICMP_ECHO_REQUEST);
  assert_int_equal(r.code, 0);
  assert_int_equal(r.id, 0x1234);
  assert_int_equal(r.seq, 1);
  assert_int_equal(r.mtu, 0);
  assert_false(icmpv4_is_error(r.type));
  assert_int_equal(n - ICMP_HLEN, 21);
  assert_int_equal(m[ICMP_HLEN], 0x10);
  free(m);
}

static void icmp_truncated_and_bad_checksum(void **state) {
  (void)state;
  size_t n;
  uint8_t *full = l4_of(echo_frame, sizeof echo_frame, &n);
  struct icmpv4_repr r;
  for (size_t k = 0; k < n; k++) {
    uint8_t *m = heap(full, k);
    /* below 8 bytes truncated; then the checksum misses the cut data */
    assert_int_equal(icmpv4_parse(&r, m, k), k < ICMP_HLEN ? WIRE_ETRUNC : WIRE_ECSUM);
    free(m);
  }
  for (size_t bit = 0; bit < 8 * n; bit++) {
    uint8_t *m = heap(full, n);
    m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    assert_int_equal(icmpv4_parse(&r, m, n), WIRE_ECSUM);
    free(m);
  }
  free(full);
}

static void icmp_emit_echo_matches_known(void **state) {
  (void)state;
  size_t n = sizeof echo_frame - L4;
  uint8_t *b = calloc(1, n);
  memcpy(b + ICMP_HLEN, echo_frame + L4 + ICMP_HLEN, n - ICMP_HLEN); /* the data in place */
  struct icmpv4_repr r = {.type = ICMP_ECHO_REQUEST, .id = 0x1234, .seq = 1, .mtu = 999};
  assert_int_equal(icmpv4_emit(&r, b, n - ICMP_HLEN, n), ICMP_HLEN);
  assert_memory_equal(b, echo_frame + L4, n);
  /* the reply to it: type 0, same id, seq and data */
  struct icmpv4_repr rep = {.type = ICMP_ECHO_REPLY, .id = 0x1234, .seq = 1}, back;
  assert_int_equal(icmpv4_emit(&rep, b, n - ICMP_HLEN, n), ICMP_HLEN);
  assert_int_equal(icmpv4_parse(&back, b, n), WIRE_OK);
  assert_int_equal(back.type, ICMP_ECHO_REPLY);
  assert_int_equal(back.id, 0x1234);
  assert_int_equal(back.seq, 1);
  assert_int_equal(wire_get16(b + 2), 0xcec5); /* type 8 -> 0: +0x0800 */
  /* no room */
  assert_int_equal(icmpv4_emit(&r, b, n - ICMP_HLEN, n - 1), WIRE_ENOSPC);
  assert_int_equal(icmpv4_emit(&r, b, 0, ICMP_HLEN - 1), WIRE_ENOSPC);
  assert_int_equal(icmpv4_emit(&r, b, 0, ICMP_HLEN), ICMP_HLEN);
  free(b);
}

static void icmp_unreach_known_and_quote(void **state) {
  (void)state;
  size_t n;
  uint8_t *m = l4_of(unreach_frame, sizeof unreach_frame, &n);
  struct icmpv4_repr r;
  assert_int_equal(icmpv4_parse(&r, m, n), WIRE_OK);
  assert_int_equal(r.type, ICMP_DEST_UNREACH);
  assert_int_equal(r.code, ICMP_UNREACH_PORT);
  assert_true(icmpv4_is_error(r.type));
  struct ipv4_repr q;
  assert_int_equal(icmpv4_parse_quote(&q, m, n), WIRE_OK);
  assert_int_equal(q.src, A1);
  assert_int_equal(q.dst, A2);
  assert_int_equal(q.proto, IPV4_PROTO_UDP);
  assert_int_equal(q.total_len, 41); /* more than was quoted */
  assert_int_equal(wire_get16(m + ICMP_HLEN + q.hlen), 40000); /* the ports */
  assert_int_equal(wire_get16(m + ICMP_HLEN + q.hlen + 2), 7);
  free(m);
  /* building it: quote length, then emit over the quote in place */
  uint8_t *orig = heap(udp_frame + 14, sizeof udp_frame - 14);
  size_t ql = icmpv4_quote_len(orig, sizeof udp_frame - 14);
  assert_int_equal(ql, IPV4_HLEN + ICMP_QUOTE_DATA);
  uint8_t *b = malloc(ICMP_HLEN + ql);
  memcpy(b + ICMP_HLEN, orig, ql);
  struct icmpv4_repr e = {.type = ICMP_DEST_UNREACH, .code = ICMP_UNREACH_PORT, .id = 7, .seq = 9};
  assert_int_equal(icmpv4_emit(&e, b, ql, ICMP_HLEN + ql), ICMP_HLEN);
  assert_memory_equal(b, unreach_frame + L4, ICMP_HLEN + ql); /* id/seq not written */
  free(b);
  free(orig);
}

static void icmp_quote_len_and_quote_errors(void **state) {
  (void)state;
  uint8_t d[60] = {0};
  d[0] = 0x45;
  assert_int_equal(icmpv4_quote_len(d, 60), 28);
  assert_int_equal(icmpv4_quote_len(d, 25), 25); /* short datagram: all of it */
  assert_int_equal(icmpv4_quote_len(d, 19), 0);
  d[0] = 0x4f; /* 60-byte header */
  assert_int_equal(icmpv4_quote_len(d, 60), 60);
  assert_int_equal(icmpv4_quote_len(d, 59), 0);
  d[0] = 0x44;
  assert_int_equal(icmpv4_quote_len(d, 60), 0);
  d[0] = 0x65;
  assert_int_equal(icmpv4_quote_len(d, 60), 0);

  /* quotes cut at every length: below 8 + 20 + 8 bytes, an error */
  size_t n;
  uint8_t *full = l4_of(unreach_frame, sizeof unreach_frame, &n);
  struct ipv4_repr q;
  for (size_t k = 0; k < n; k++) {
    uint8_t *m = heap(full, k);
    assert_int_equal(icmpv4_parse_quote(&q, m, k), WIRE_ETRUNC);
    free(m);
  }
  full[ICMP_HLEN] = 0x46; /* a 24-byte quoted header: its data is 4 bytes */
  assert_int_equal(icmpv4_parse_quote(&q, full, n), WIRE_ETRUNC);
  full[ICMP_HLEN] = 0x48; /* 32-byte header, 28 quoted */
  assert_int_equal(icmpv4_parse_quote(&q, full, n), WIRE_EHLEN);
  full[ICMP_HLEN] = 0x55;
  assert_int_equal(icmpv4_parse_quote(&q, full, n), WIRE_EVERSION);
  free(full);
}

static void icmp_frag_needed_mtu(void **state) {
  (void)state;
  uint8_t b[ICMP_HLEN + 28] = {0};
  memcpy(b + ICMP_HLEN, udp_frame + 14, 28);
  struct icmpv4_repr e = {.type = ICMP_DEST_UNREACH, .code = ICMP_UNREACH_FRAG_NEEDED, .mtu = 1280},
                     back;
  assert_int_equal(icmpv4_emit(&e, b, 28, sizeof b), ICMP_HLEN);
  assert_int_equal(wire_get16(b + 4), 0); /* unused */
  assert_int_equal(wire_get16(b + 6), 1280);
  assert_int_equal(icmpv4_parse(&back, b, sizeof b), WIRE_OK);
  assert_int_equal(back.mtu, 1280);
  assert_int_equal(back.code, ICMP_UNREACH_FRAG_NEEDED);
  /* time exceeded: the whole second word unused */
  struct icmpv4_repr t = {.type = ICMP_TIME_EXCEEDED, .code = ICMP_EXC_TTL, .mtu = 1280, .id = 5};
  assert_int_equal(icmpv4_emit(&t, b, 28, sizeof b), ICMP_HLEN);
  assert_int_equal(wire_get32(b + 4), 0);
  assert_int_equal(icmpv4_parse(&back, b, sizeof b), WIRE_OK);
  assert_int_equal(back.type, ICMP_TIME_EXCEEDED);
  assert_int_equal(back.mtu, 0);
  assert_true(icmpv4_is_error(back.type));
}

/* The checksum over data kept apart (a chain) equals the one over a
 * contiguous message. */
static void icmp_set_checksum_chain(void **state) {
  (void)state;
  const uint8_t *data = echo_frame + L4 + ICMP_HLEN;
  size_t dlen = sizeof echo_frame - L4 - ICMP_HLEN;
  struct csum c;
  csum_init(&c);
  csum_add(&c, data, 5); /* odd pieces */
  csum_add(&c, data + 5, dlen - 5);
  uint8_t h[ICMP_HLEN];
  struct icmpv4_repr r = {.type = ICMP_ECHO_REQUEST, .id = 0x1234, .seq = 1};
  assert_int_equal(icmpv4_emit(&r, h, 0, sizeof h), ICMP_HLEN); /* header alone first */
  icmpv4_set_checksum(h, &c);
  assert_memory_equal(h, echo_frame + L4, ICMP_HLEN);
}

/* ---------------------------------------------------------------- udp -- */

static void udp_parse_known(void **state) {
  (void)state;
  size_t n;
  uint8_t *u = l4_of(udp_frame, sizeof udp_frame, &n);
  struct udp_repr r;
  assert_int_equal(udp_parse(&r, u, n), WIRE_OK);
  assert_int_equal(r.sport, 40000);
  assert_int_equal(r.dport, 7);
  assert_int_equal(r.len, 21);
  assert_int_equal(r.checksum, 0xfb70);
  assert_int_equal(udp_parse_checked(&r, u, n, A1, A2), WIRE_OK);
  /* the wrong pseudo-header fails */
  assert_int_equal(udp_parse_checked(&r, u, n, A2, A1 + 1), WIRE_ECSUM);
  free(u);
}

static void udp_truncated_every_length(void **state) {
  (void)state;
  struct udp_repr r;
  for (size_t k = 0; k < UDP_HLEN; k++) {
    uint8_t *u = heap(udp_frame + L4, k);
    assert_int_equal(udp_parse(&r, u, k), WIRE_ETRUNC);
    assert_int_equal(udp_parse_checked(&r, u, k, A1, A2), WIRE_ETRUNC);
    free(u);
  }
  /* header there, data cut: the length field (21) exceeds the buffer */
  for (size_t k = UDP_HLEN; k < 21; k++) {
    uint8_t *u = heap(udp_frame + L4, k);
    assert_int_equal(udp_parse(&r, u, k), WIRE_ELEN);
    assert_int_equal(udp_parse_checked(&r, u, k, A1, A2), WIRE_ELEN);
    free(u);
  }
}

static void udp_length_field_checks(void **state) {
  (void)state;
  struct udp_repr r;
  uint8_t b[30];
  memcpy(b, udp_frame + L4, 21);
  memset(b + 21, 0, sizeof b - 21); /* link padding */
  for (uint16_t l = 0; l < UDP_HLEN; l++) {
    wire_put16(b + 4, l);
    assert_int_equal(udp_parse(&r, b, sizeof b), WIRE_ELEN);
  }
  wire_put16(b + 4, 31);
  assert_int_equal(udp_parse(&r, b, sizeof b), WIRE_ELEN);
  wire_put16(b + 4, 21);
  assert_int_equal(udp_parse_checked(&r, b, sizeof b, A1, A2), WIRE_OK); /* padding ignored */
  assert_int_equal(r.len, 21);
  b[25] = 0x77; /* padding is not summed */
  assert_int_equal(udp_parse_checked(&r, b, sizeof b, A1, A2), WIRE_OK);
  wire_put16(b + 4, 8); /* header only: the checksum then fails */
  assert_int_equal(udp_parse_checked(&r, b, sizeof b, A1, A2), WIRE_ECSUM);
}

static void udp_checksum_zero_means_none(void **state) {
  (void)state;
  size_t n;
  uint8_t *u = l4_of(udp_frame, sizeof udp_frame, &n);
  wire_put16(u + 6, 0);
  u[10] ^= 0xff; /* damage that a checksum would have caught */
  struct udp_repr r;
  assert_int_equal(udp_parse_checked(&r, u, n, A1, A2), WIRE_OK);
  assert_int_equal(r.checksum, 0);
  struct csum c;
  csum_init(&c);
  assert_int_equal(udp_checksum_ok(&r, &c, A1, A2), 1);
  free(u);
}

static void udp_bad_checksum(void **state) {
  (void)state;
  size_t n;
  uint8_t *full = l4_of(udp_frame, sizeof udp_frame, &n);
  for (size_t bit = 0; bit < 8 * n; bit++) {
    if (bit / 8 == 4 || bit / 8 == 5) continue; /* length field: other errors */
    uint8_t *u = heap(full, n);
    u[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    struct udp_repr r;
    int rc = udp_parse_checked(&r, u, n, A1, A2);
    /* a checksum field flipped to exactly 0 would mean "none" */
    if (wire_get16(u + 6) != 0) assert_int_equal(rc, WIRE_ECSUM);
    free(u);
  }
  free(full);
}

static void udp_emit_checksum_matches_known(void **state) {
  (void)state;
  size_t n = sizeof udp_frame - L4;
  uint8_t *b = malloc(n);
  memcpy(b + UDP_HLEN, udp_frame + L4 + UDP_HLEN, n - UDP_HLEN);
  struct udp_repr r = {.sport = 40000, .dport = 7, .len = (uint16_t)n, .checksum = 0x1234};
  assert_int_equal(udp_emit_checksum(&r, b, n, A1, A2), UDP_HLEN);
  assert_memory_equal(b, udp_frame + L4, n);
  assert_int_equal(udp_emit_checksum(&r, b, n - 1, A1, A2), WIRE_ENOSPC);
  r.len = 7;
  assert_int_equal(udp_emit_checksum(&r, b, n, A1, A2), WIRE_ELEN);
  /* plain emit writes the field given */
  r.len = (uint16_t)n;
  r.checksum = 0;
  assert_int_equal(udp_emit(&r, b, UDP_HLEN), UDP_HLEN);
  assert_int_equal(wire_get16(b + 6), 0);
  for (size_t cap = 0; cap < UDP_HLEN; cap++) assert_int_equal(udp_emit(&r, b, cap), WIRE_ENOSPC);
  /* and the classic way: running sum, then udp_checksum_finish */
  struct csum c;
  csum_init(&c);
  csum_add(&c, b, n);
  r.checksum = udp_checksum_finish(&c, A1, A2, (uint16_t)n);
  assert_int_equal(r.checksum, 0xfb70);
  free(b);
}

/* A datagram whose checksum computes to 0 is sent with 0xffff (RFC 768),
 * which verifies. */
static void udp_zero_checksum_sent_as_ffff(void **state) {
  (void)state;
  uint8_t b[UDP_HLEN + 2] = {0};
  struct udp_repr r = {.sport = 1000, .dport = 2000, .len = sizeof b};
  /* choose the 2 data bytes so that the total sum is 0xffff */
  udp_emit(&r, b, sizeof b);
  struct csum c;
  csum_init(&c);
  csum_add(&c, b, sizeof b);
  csum_pseudo(&c, A1, A2, IPV4_PROTO_UDP, sizeof b);
  wire_put16(b + UDP_HLEN, (uint16_t)(0xffff - csum_fold(&c)));
  assert_int_equal(udp_emit_checksum(&r, b, sizeof b, A1, A2), UDP_HLEN);
  assert_int_equal(wire_get16(b + 6), 0xffff);
  struct udp_repr back;
  assert_int_equal(udp_parse_checked(&back, b, sizeof b, A1, A2), WIRE_OK);
  assert_int_equal(back.checksum, 0xffff);
}

/* The checksum from a payload summed apart (pieces, odd lengths) equals
 * the one over the contiguous datagram. */
static void udp_set_checksum_chain(void **state) {
  (void)state;
  const uint8_t *data = udp_frame + L4 + UDP_HLEN;
  size_t dlen = sizeof udp_frame - L4 - UDP_HLEN;
  for (size_t cut = 0; cut <= dlen; cut++) {
    struct csum p1, p2;
    csum_init(&p1);
    csum_init(&p2);
    csum_add(&p1, data, cut);
    csum_add(&p2, data + cut, dlen - cut);
    csum_append(&p1, &p2);
    uint8_t h[UDP_HLEN];
    struct udp_repr r = {.sport = 40000, .dport = 7, .len = (uint16_t)(UDP_HLEN + dlen)};
    udp_emit(&r, h, sizeof h);
    udp_set_checksum(h, &p1, A1, A2);
    assert_memory_equal(h, udp_frame + L4, UDP_HLEN);
  }
}

/* ---------------------------------------------------------------- tcp -- */

static void tcp_parse_syn_known(void **state) {
  (void)state;
  size_t n;
  uint8_t *s = l4_of(syn_frame, sizeof syn_frame, &n);
  struct tcp_repr t;
  assert_int_equal(tcp_parse_checked(&t, s, n, A1, A2), WIRE_OK);
  assert_int_equal(t.sport, 49152);
  assert_int_equal(t.dport, 80);
  assert_int_equal(t.seq, 0x11223344u);
  assert_int_equal(t.ack, 0);
  assert_int_equal(t.hlen, 40);
  assert_int_equal(t.flags, TCP_SYN);
  assert_int_equal(t.window, 64240);
  assert_int_equal(t.checksum, 0x3050);
  assert_int_equal(t.urgent, 0);
  assert_true(t.has_mss);
  assert_int_equal(t.mss, 1460);
  assert_true(t.has_sack_perm);
  assert_true(t.has_ts);
  assert_int_equal(t.ts_val, 0x01020304u);
  assert_int_equal(t.ts_ecr, 0);
  assert_true(t.has_wscale);
  assert_int_equal(t.wscale, 7);
  assert_int_equal(t.nsack, 0);
  assert_int_equal(tcp_parse_checked(&t, s, n, A2, A1 + 1), WIRE_ECSUM);
  free(s);
}

static void tcp_parse_sack_known(void **state) {
  (void)state;
  size_t n;
  uint8_t *s = l4_of(sack_frame, sizeof sack_frame, &n);
  struct tcp_repr t;
  assert_int_equal(tcp_parse_checked(&t, s, n, A2, A1), WIRE_OK);
  assert_int_equal(t.seq, 0xfffffff0u);
  assert_int_equal(t.ack, 0x11223345u);
  assert_int_equal(t.hlen, 52);
  assert_int_equal(t.flags, TCP_PSH | TCP_ACK);
  assert_int_equal(t.window, 501);
  assert_false(t.has_mss);
  assert_false(t.has_wscale);
  assert_false(t.has_sack_perm);
  assert_true(t.has_ts);
  assert_int_equal(t.ts_val, 1000);
  assert_int_equal(t.ts_ecr, 2000);
  assert_int_equal(t.nsack, 2);
  assert_int_equal(t.sack[0].left, 0x5000);
  assert_int_equal(t.sack[0].right, 0x6000);
  assert_int_equal(t.sack[1].left, 0x7000);
  assert_int_equal(t.sack[1].right, 0x8000);
  assert_int_equal(n - t.hlen, 7);
  assert_memory_equal(s + t.hlen, "abcdefg", 7);
  /* parse alone needs only the header */
  uint8_t *h = heap(s, t.hlen);
  struct tcp_repr u;
  assert_int_equal(tcp_parse(&u, h, t.hlen), WIRE_OK);
  assert_int_equal(u.nsack, 2);
  free(h);
  free(s);
}

static void tcp_truncated_every_length(void **state) {
  (void)state;
  struct tcp_repr t;
  for (size_t k = 0; k < TCP_HLEN; k++) {
    uint8_t *s = heap(syn_frame + L4, k);
    assert_int_equal(tcp_parse(&t, s, k), WIRE_ETRUNC);
    assert_int_equal(tcp_parse_checked(&t, s, k, A1, A2), WIRE_ETRUNC);
    free(s);
  }
  for (size_t k = TCP_HLEN; k < 40; k++) { /* options cut */
    uint8_t *s = heap(syn_frame + L4, k);
    assert_int_equal(tcp_parse(&t, s, k), WIRE_EHLEN);
    free(s);
  }
  for (size_t k = 52; k < sizeof sack_frame - L4; k++) { /* data cut */
    uint8_t *s = heap(sack_frame + L4, k);
    assert_int_equal(tcp_parse(&t, s, k), WIRE_OK);
    assert_int_equal(tcp_parse_checked(&t, s, k, A2, A1), WIRE_ECSUM);
    free(s);
  }
}

static void tcp_data_offset_checks(void **state) {
  (void)state;
  struct tcp_repr t;
  uint8_t b[60] = {0};
  for (unsigned off = 0; off < 16; off++) {
    b[12] = (uint8_t)(off << 4 | 0x0f); /* reserved bits set: ignored */
    int rc = tcp_parse(&t, b, sizeof b);
    if (off < 5) assert_int_equal(rc, WIRE_EHLEN);
    else {
      assert_int_equal(rc, WIRE_OK); /* zero option bytes are EOL */
      assert_int_equal(t.hlen, off * 4);
    }
    uint8_t *s = heap(b, 20); /* only 20 bytes there */
    assert_int_equal(tcp_parse(&t, s, 20), off == 5 ? WIRE_OK : WIRE_EHLEN);
    free(s);
  }
}

/* A 20-byte header with data offset covering the option bytes given
 * (padded with EOL to 4), in an exactly-sized heap buffer. */
static uint8_t *tcp_with_options(const uint8_t *opt, size_t olen, size_t *n) {
  size_t hl = TCP_HLEN + (olen + 3) / 4 * 4;
  uint8_t b[60] = {0};
  memcpy(b, syn_frame + L4, TCP_HLEN);
  b[12] = (uint8_t)(hl / 4 << 4);
  memcpy(b + TCP_HLEN, opt, olen);
  *n = hl;
  return heap(b, hl);
}

static int parse_opts(const uint8_t *opt, size_t olen, struct tcp_repr *t) {
  size_t n;
  uint8_t *b = tcp_with_options(opt, olen, &n);
  int rc = tcp_parse(t, b, n);
  free(b);
  return rc;
}

static void tcp_option_bad_lengths(void **state) {
  (void)state;
  struct tcp_repr t;
  /* zero and one length: would loop forever or overlap */
  const uint8_t zero[4] = {2, 0, 0, 0}, one[4] = {99, 1, 1, 1};
  assert_int_equal(parse_opts(zero, 4, &t), WIRE_EOPT);
  assert_int_equal(parse_opts(one, 4, &t), WIRE_EOPT);
  /* a length running past the header (by one byte) */
  const uint8_t past[4] = {1, 99, 4, 0}; /* NOP, kind 99 len 4 at offset 1: 1 + 4 > 4 */
  assert_int_equal(parse_opts(past, 4, &t), WIRE_EOPT);
  const uint8_t past_ts[12] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0}; /* TS len 10 needs 12 */
  assert_int_equal(parse_opts(past_ts, 11, &t), WIRE_OK); /* padded to 12 exactly */
  const uint8_t past_ts2[12] = {1, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0};
  assert_int_equal(parse_opts(past_ts2, 12, &t), WIRE_EOPT); /* 3 + 10 > 12 */
  /* a kind with no room for its length byte, at the very end */
  const uint8_t nolen[4] = {1, 1, 1, 2};
  assert_int_equal(parse_opts(nolen, 4, &t), WIRE_EOPT);
  /* known options with the wrong length */
  const uint8_t mss3[4] = {2, 3, 5, 1}, mss5[8] = {2, 5, 5, 180, 0}, ws2[4] = {3, 2, 1, 1},
                ws4[4] = {3, 4, 7, 0}, sp3[4] = {4, 3, 0, 1}, ts8[8] = {8, 8, 0, 0, 0, 0, 0, 0},
                sack2[4] = {5, 2, 1, 1}, sack9[12] = {5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1},
                sack6[8] = {5, 6, 0, 0, 0, 1, 1, 1};
  assert_int_equal(parse_opts(mss3, 4, &t), WIRE_EOPT);
  assert_int_equal(parse_opts(mss5, 8, &t), WIRE_EOPT);
  assert_int_equal(parse_opts(ws2, 4, &t), WIRE_EOPT);
  assert_int_equal(parse_opts(ws4, 4, &t), WIRE_EOPT);
  assert_int_equal(parse_opts(sp3, 4, &t), WIRE_EOPT);
  assert_int_equal(parse_opts(ts8, 8, &t), WIRE_EOPT);
  assert_int_equal(parse_opts(sack2, 4, &t), WIRE_EOPT);
  assert_int_equal(parse_opts(sack9, 12, &t), WIRE_EOPT);
  assert_int_equal(parse_opts(sack6, 8, &t), WIRE_EOPT);
}

static void tcp_option_unknown_skipped_and_eol(void **state) {
  (void)state;
  struct tcp_repr t;
  /* unknown kind 30 (MPTCP) len 6, then unaligned MSS, then kind 254 len 2 */
  const uint8_t u[16] = {30, 6, 1, 2, 3, 4, 2, 4, 0x05, 0xdc, 254, 2, 3, 3, 9, 0};
  assert_int_equal(parse_opts(u, 16, &t), WIRE_OK);
  assert_true(t.has_mss);
  assert_int_equal(t.mss, 1500);
  assert_true(t.has_wscale);
  assert_int_equal(t.wscale, 9); /* as on the wire, > 14 left to the caller */
  /* everything after EOL is ignored, even garbage */
  const uint8_t e[12] = {2, 4, 0x02, 0x18, 0, 0, 7, 0xff, 3, 3, 5, 0};
  assert_int_equal(parse_opts(e, 12, &t), WIRE_OK);
  assert_int_equal(t.mss, 0x218);
  assert_false(t.has_wscale);
  /* an option filling the whole 40 bytes */
  uint8_t big[40] = {77, 40};
  assert_int_equal(parse_opts(big, 40, &t), WIRE_OK);
  big[1] = 41;
  assert_int_equal(parse_opts(big, 40, &t), WIRE_EOPT);
  /* a repeated option: the later one wins */
  const uint8_t rep[8] = {2, 4, 0, 100, 2, 4, 0, 200};
  assert_int_equal(parse_opts(rep, 8, &t), WIRE_OK);
  assert_int_equal(t.mss, 200);
  /* 4 SACK blocks: the most that fit */
  uint8_t s4[36] = {1, 1, 5, 34};
  for (int i = 0; i < 8; i++) wire_put32(s4 + 4 + 4 * i, (uint32_t)(i + 1) * 100);
  assert_int_equal(parse_opts(s4, 36, &t), WIRE_OK);
  assert_int_equal(t.nsack, 4);
  assert_int_equal(t.sack[3].left, 700);
  assert_int_equal(t.sack[3].right, 800);
}

static void tcp_emit_reproduces_known(void **state) {
  (void)state;
  /* the SYN, options and checksum: byte for byte */
  struct tcp_repr syn = {.sport = 49152, .dport = 80, .seq = 0x11223344, .flags = TCP_SYN,
                         .window = 64240, .has_mss = 1, .mss = 1460, .has_sack_perm = 1,
                         .has_ts = 1, .ts_val = 0x01020304, .has_wscale = 1, .wscale = 7,
                         .hlen = 99, .checksum = 0xabcd};
  assert_int_equal(tcp_header_len(&syn), 40);
  size_t n = sizeof syn_frame - L4;
  uint8_t *b = malloc(n);
  assert_int_equal(tcp_emit_checksum(&syn, b, n, 0, A1, A2), 40);
  assert_memory_equal(b, syn_frame + L4, n);
  free(b);
  /* the data segment with SACK blocks; the data already in place */
  struct tcp_repr d = {.sport = 80, .dport = 49152, .seq = 0xfffffff0, .ack = 0x11223345,
                       .flags = TCP_PSH | TCP_ACK, .window = 501, .has_ts = 1, .ts_val = 1000,
                       .ts_ecr = 2000, .nsack = 2,
                       .sack = {{0x5000, 0x6000}, {0x7000, 0x8000}}};
  assert_int_equal(tcp_header_len(&d), 52);
  n = sizeof sack_frame - L4;
  b = malloc(n);
  memcpy(b + 52, "abcdefg", 7);
  assert_int_equal(tcp_emit_checksum(&d, b, n, 7, A2, A1), 52);
  assert_memory_equal(b, sack_frame + L4, n);
  assert_int_equal(tcp_emit_checksum(&d, b, n - 1, 7, A2, A1), WIRE_ENOSPC);
  assert_int_equal(tcp_emit_checksum(&d, b, 51, 0, A2, A1), WIRE_ENOSPC);
  /* tcp_emit leaves the checksum field 0 and writes exactly hlen bytes */
  memset(b, 0xee, n);
  assert_int_equal(tcp_emit(&d, b, 52), 52);
  assert_int_equal(wire_get16(b + 16), 0);
  assert_int_equal(b[52], 0xee);
  for (size_t cap = 0; cap < 52; cap++) assert_int_equal(tcp_emit(&d, b, cap), WIRE_ENOSPC);
  free(b);
}

/* Every combination of options emits, parses back the same, and is
 * aligned. */
static void tcp_emit_parse_roundtrip(void **state) {
  (void)state;
  xs_state = 31337;
  for (int i = 0; i < 4000; i++) {
    uint64_t x = xorshift(), y = xorshift();
    struct tcp_repr r = {.sport = (uint16_t)x, .dport = (uint16_t)(x >> 16),
                         .seq = (uint32_t)y, .ack = (uint32_t)(y >> 32),
                         .flags = (uint8_t)(x >> 32), .window = (uint16_t)(x >> 40),
                         .urgent = (uint16_t)(x >> 48)};
    unsigned m = (unsigned)(xorshift() & 31);
    r.has_mss = m & 1;
    r.mss = r.has_mss ? (uint16_t)xorshift() : 0;
    r.has_wscale = (m >> 1) & 1;
    r.wscale = r.has_wscale ? (uint8_t)(xorshift() % 15) : 0;
    r.has_sack_perm = (m >> 2) & 1;
    r.has_ts = (m >> 3) & 1;
    if (r.has_ts) {
      r.ts_val = (uint32_t)xorshift();
      r.ts_ecr = (uint32_t)xorshift();
    }
    r.nsack = (m >> 4) & 1 ? (uint8_t)(1 + xorshift() % 4) : 0;
    for (int k = 0; k < r.nsack; k++) {
      r.sack[k].left = (uint32_t)xorshift();
      r.sack[k].right = (uint32_t)xorshift();
    }
    size_t hl = tcp_header_len(&r), dl = (size_t)(xorshift() % 20);
    assert_true(hl >= TCP_HLEN && hl <= TCP_HLEN_MAX && hl % 4 == 0);
    uint8_t *b = malloc(hl + dl);
    for (size_t k = 0; k < dl; k++) b[hl + k] = (uint8_t)xorshift();
    assert_int_equal(tcp_emit_checksum(&r, b, hl + dl, dl, A1, A2), (int)hl);
    struct tcp_repr t;
    assert_int_equal(tcp_parse_checked(&t, b, hl + dl, A1, A2), WIRE_OK);
    assert_int_equal(t.hlen, hl);
    assert_int_equal(t.sport, r.sport);
    assert_int_equal(t.dport, r.dport);
    assert_int_equal(t.seq, r.seq);
    assert_int_equal(t.ack, r.ack);
    assert_int_equal(t.flags, r.flags);
    assert_int_equal(t.window, r.window);
    assert_int_equal(t.urgent, r.urgent);
    assert_int_equal(t.has_mss, r.has_mss);
    assert_int_equal(t.mss, r.mss);
    assert_int_equal(t.has_wscale, r.has_wscale);
    assert_int_equal(t.wscale, r.wscale);
    assert_int_equal(t.has_sack_perm, r.has_sack_perm);
    assert_int_equal(t.has_ts, r.has_ts);
    assert_int_equal(t.ts_val, r.ts_val);
    assert_int_equal(t.ts_ecr, r.ts_ecr);
    /* SACK blocks are cut to what fits beside the other options */
    size_t other = hl - TCP_HLEN - (t.nsack ? 4 + 8u * t.nsack : 0);
    assert_true(t.nsack <= r.nsack);
    if (t.nsack < r.nsack) assert_true(other + 4 + 8u * (t.nsack + 1u) > 40);
    for (int k = 0; k < t.nsack; k++) {
      assert_int_equal(t.sack[k].left, r.sack[k].left);
      assert_int_equal(t.sack[k].right, r.sack[k].right);
    }
    free(b);
  }
}

static void tcp_emit_sack_clamped(void **state) {
  (void)state;
  struct tcp_repr r = {.flags = TCP_ACK, .nsack = 4};
  assert_int_equal(tcp_header_len(&r), 20 + 4 + 32);
  r.has_ts = 1;
  assert_int_equal(tcp_header_len(&r), 20 + 12 + 4 + 24); /* RFC 2018: 3 with TS */
  r.has_mss = 1;
  r.has_wscale = 1;
  r.has_sack_perm = 1;
  assert_int_equal(tcp_header_len(&r), 60); /* 4 + 12 + 4 + 4 + 16 */
  uint8_t b[60];
  assert_int_equal(tcp_emit(&r, b, sizeof b), 60);
  struct tcp_repr t;
  assert_int_equal(tcp_parse(&t, b, sizeof b), WIRE_OK);
  assert_int_equal(t.nsack, 2);
  r.nsack = 0;
  assert_int_equal(tcp_header_len(&r), 40);
  struct tcp_repr plain = {0};
  assert_int_equal(tcp_header_len(&plain), 20);
}

/* Checksum over header and a payload summed apart equals the contiguous
 * one, and damage anywhere is caught. */
static void tcp_set_checksum_chain_and_damage(void **state) {
  (void)state;
  const uint8_t *seg = sack_frame + L4;
  size_t n = sizeof sack_frame - L4;
  uint8_t h[52];
  struct tcp_repr d = {.sport = 80, .dport = 49152, .seq = 0xfffffff0, .ack = 0x11223345,
                       .flags = TCP_PSH | TCP_ACK, .window = 501, .has_ts = 1, .ts_val = 1000,
                       .ts_ecr = 2000, .nsack = 2,
                       .sack = {{0x5000, 0x6000}, {0x7000, 0x8000}}};
  assert_int_equal(tcp_emit(&d, h, sizeof h), 52);
  struct csum c, c2;
  csum_init(&c);
  csum_add(&c, seg + 52, 3);
  csum_init(&c2);
  csum_add(&c2, seg + 55, 4);
  csum_append(&c, &c2);
  tcp_set_checksum(h, sizeof h, &c, A2, A1, (uint16_t)n);
  assert_memory_equal(h, seg, 52);
  for (size_t bit = 0; bit < 8 * n; bit++) {
    uint8_t *s = heap(seg, n);
    s[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    struct tcp_repr t;
    int rc = tcp_parse_checked(&t, s, n, A2, A1);
    assert_true(rc == WIRE_ECSUM || rc == WIRE_EHLEN || rc == WIRE_EOPT);
    free(s);
  }
}

static void seq_compare_wraps(void **state) {
  (void)state;
  assert_true(seq_lt(1, 2));
  assert_true(seq_lt(0xfffffff0u, 0x10)); /* across the wrap */
  assert_false(seq_lt(0x10, 0xfffffff0u));
  assert_true(seq_gt(0x10, 0xfffffff0u));
  assert_true(seq_leq(5, 5));
  assert_true(seq_geq(5, 5));
  assert_false(seq_lt(5, 5));
  assert_false(seq_gt(5, 5));
  assert_true(seq_lt(0, 0x7fffffff));
  assert_true(seq_gt(0, 0x80000001u)); /* more than 2^31 ahead is behind */
  assert_true(seq_leq(0xffffffffu, 0));
  assert_true(seq_geq(0, 0xffffffffu));
  xs_state = 5;
  for (int i = 0; i < 10000; i++) {
    uint32_t a = (uint32_t)xorshift(), d = (uint32_t)(1 + xorshift() % 0x7fffffff);
    assert_true(seq_lt(a, a + d));
    assert_true(seq_gt(a + d, a));
    assert_true(seq_leq(a, a + d) && seq_geq(a + d, a));
    assert_false(seq_geq(a, a + d));
  }
}

/* ------------------------------------------------------------- random -- */

static void random_buffers_never_crash(void **state) {
  (void)state;
  static const struct {
    const uint8_t *f;
    size_t n;
  } frames[] = {{udp_frame, sizeof udp_frame}, {syn_frame, sizeof syn_frame},
                {sack_frame, sizeof sack_frame}, {echo_frame, sizeof echo_frame},
                {unreach_frame, sizeof unreach_frame}};
  xs_state = 0xc0ffee;
  int tcp_ok = 0;
  for (int i = 0; i < 8000; i++) {
    uint8_t tmp[128];
    size_t n = (size_t)(xorshift() % 100);
    if (i % 3 == 0) {
      for (size_t k = 0; k < n; k++) tmp[k] = (uint8_t)xorshift();
    } else { /* a real transport message, cut and changed */
      size_t which = (size_t)(xorshift() % 5), max = frames[which].n - L4;
      if (n > max) n = max;
      memcpy(tmp, frames[which].f + L4, n);
      int flips = (int)(xorshift() % 4);
      for (int f = 0; f < flips && n; f++) tmp[xorshift() % n] = (uint8_t)xorshift();
    }
    uint8_t *b = heap(tmp, n);
    struct icmpv4_repr ic;
    struct ipv4_repr q;
    struct udp_repr u;
    struct tcp_repr t;
    int rc;
    rc = icmpv4_parse(&ic, b, n);
    assert_true(rc <= 0 && rc >= WIRE_EOPT);
    rc = icmpv4_parse_quote(&q, b, n);
    assert_true(rc <= 0 && rc >= WIRE_EOPT);
    if (rc == WIRE_OK) assert_true((size_t)ICMP_HLEN + q.hlen + ICMP_QUOTE_DATA <= n);
    (void)icmpv4_quote_len(b, n);
    rc = udp_parse(&u, b, n);
    assert_true(rc <= 0 && rc >= WIRE_EOPT);
    if (rc == WIRE_OK) assert_true(u.len >= UDP_HLEN && u.len <= n);
    rc = udp_parse_checked(&u, b, n, A1, A2);
    assert_true(rc <= 0 && rc >= WIRE_EOPT);
    rc = tcp_parse(&t, b, n);
    assert_true(rc <= 0 && rc >= WIRE_EOPT);
    if (rc == WIRE_OK) {
      tcp_ok++;
      assert_true(t.hlen >= TCP_HLEN && t.hlen <= n && t.nsack <= TCP_SACK_MAX);
    }
    rc = tcp_parse_checked(&t, b, n, A1, A2);
    assert_true(rc <= 0 && rc >= WIRE_EOPT);
    free(b);
  }
  assert_true(tcp_ok > 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(icmp_parse_echo_known),
      cmocka_unit_test(icmp_truncated_and_bad_checksum),
      cmocka_unit_test(icmp_emit_echo_matches_known),
      cmocka_unit_test(icmp_unreach_known_and_quote),
      cmocka_unit_test(icmp_quote_len_and_quote_errors),
      cmocka_unit_test(icmp_frag_needed_mtu),
      cmocka_unit_test(icmp_set_checksum_chain),
      cmocka_unit_test(udp_parse_known),
      cmocka_unit_test(udp_truncated_every_length),
      cmocka_unit_test(udp_length_field_checks),
      cmocka_unit_test(udp_checksum_zero_means_none),
      cmocka_unit_test(udp_bad_checksum),
      cmocka_unit_test(udp_emit_checksum_matches_known),
      cmocka_unit_test(udp_zero_checksum_sent_as_ffff),
      cmocka_unit_test(udp_set_checksum_chain),
      cmocka_unit_test(tcp_parse_syn_known),
      cmocka_unit_test(tcp_parse_sack_known),
      cmocka_unit_test(tcp_truncated_every_length),
      cmocka_unit_test(tcp_data_offset_checks),
      cmocka_unit_test(tcp_option_bad_lengths),
      cmocka_unit_test(tcp_option_unknown_skipped_and_eol),
      cmocka_unit_test(tcp_emit_reproduces_known),
      cmocka_unit_test(tcp_emit_parse_roundtrip),
      cmocka_unit_test(tcp_emit_sack_clamped),
      cmocka_unit_test(tcp_set_checksum_chain_and_damage),
      cmocka_unit_test(seq_compare_wraps),
      cmocka_unit_test(random_buffers_never_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
