/* stack/wire/dhcp: DHCPv4 messages (RFC 2131 sec. 2, RFC 2132 options)
 * against real bytes.
 *
 * The DISCOVER and ACK below were built by hand and checked with tshark
 * (IP and UDP checksums "Good", every option decoded as intended). Their
 * long runs of zeros (the rest of chaddr, sname, file) are filled in by
 * build(); the bytes written out here are the rest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "stack/wire/dhcp.h"
#include "stack/wire/ipv4.h"
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

#define MAC 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
static const uint8_t mac[6] = {MAC};

/* DISCOVER from 02:00:00:00:00:01, xid 0x3903f326, broadcast flag:
 * IP 0.0.0.0 -> 255.255.255.255, UDP 68 -> 67, then the message head
 * (op .. the MAC in chaddr). */
static const uint8_t disc_head[28 + 34] = {
    0x45, 0x00, 0x01, 0x48, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x39, 0xa6, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0xff, 0x00, 0x44, 0x00, 0x43, 0x01, 0x34, 0x20, 0x85, /* IP, UDP */
    0x01, 0x01, 0x06, 0x00, 0x39, 0x03, 0xf3, 0x26, 0x00, 0x00, 0x80, 0x00, /* op..flags */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* ci yi si */
    0x00, 0x00, 0x00, 0x00, MAC,                                           /* gi, chaddr */
};
/* message type DISCOVER, client id (1, MAC), requested 192.168.1.100,
 * parameter request list (1 3 6 15), END; then pad to 300 bytes. */
static const uint8_t disc_opts[] = {
    0x35, 0x01, 0x01, 0x3d, 0x07, 0x01, MAC, 0x32, 0x04, 0xc0, 0xa8, 0x01, 0x64,
    0x37, 0x04, 0x01, 0x03, 0x06, 0x0f, 0xff,
};
#define DISC_LEN 300 /* the DHCP message */

/* ACK from 192.168.1.1 to 192.168.1.100 (UDP 67 -> 68), yiaddr
 * 192.168.1.100. */
static const uint8_t ack_head[28 + 34] = {
    0x45, 0x00, 0x01, 0x49, 0x00, 0x07, 0x40, 0x00, 0x40, 0x11, 0xb5, 0xe7, 0xc0, 0xa8, 0x01, 0x01,
    0xc0, 0xa8, 0x01, 0x64, 0x00, 0x43, 0x00, 0x44, 0x01, 0x35, 0xee, 0xfa, /* IP, UDP */
    0x02, 0x01, 0x06, 0x00, 0x39, 0x03, 0xf3, 0x26, 0x00, 0x00, 0x00, 0x00, /* op..flags */
    0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x64, 0x00, 0x00, 0x00, 0x00, /* ci yi si */
    0x00, 0x00, 0x00, 0x00, MAC,                                           /* gi, chaddr */
};
/* ACK, server id 192.168.1.1, lease 3600, T1 1800, T2 3150, mask
 * 255.255.255.0, routers .1 and .2, DNS 8.8.8.8 1.1.1.1, two pads, an
 * unknown option 200 (len 3), END; no padding after. */
static const uint8_t ack_opts[] = {
    0x35, 0x01, 0x05, 0x36, 0x04, 0xc0, 0xa8, 0x01, 0x01, 0x33, 0x04, 0x00, 0x00, 0x0e, 0x10,
    0x3a, 0x04, 0x00, 0x00, 0x07, 0x08, 0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e, 0x01, 0x04, 0xff,
    0xff, 0xff, 0x00, 0x03, 0x08, 0xc0, 0xa8, 0x01, 0x01, 0xc0, 0xa8, 0x01, 0x02, 0x06, 0x08,
    0x08, 0x08, 0x08, 0x08, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0xc8, 0x03, 0x01, 0x02, 0x03,
    0xff,
};
#define ACK_LEN (DHCP_OPTIONS_OFF + sizeof ack_opts)

/* IP + UDP + DHCP into out (zeroed first): head, zeros, the cookie, the
 * options, zeros up to 28 + dhcp_len. Returns the datagram's length. */
static size_t build(uint8_t *out, const uint8_t *head, const uint8_t *opts, size_t olen,
                    size_t dhcp_len) {
  memset(out, 0, 28 + dhcp_len);
  memcpy(out, head, 28 + 34);
  wire_put32(out + 28 + 236, DHCP_COOKIE);
  memcpy(out + 28 + DHCP_OPTIONS_OFF, opts, olen);
  return 28 + dhcp_len;
}

/* The DHCP message alone, in an exactly-sized heap buffer. */
static uint8_t *disc_msg(void) {
  uint8_t d[28 + DISC_LEN];
  build(d, disc_head, disc_opts, sizeof disc_opts, DISC_LEN);
  return heap(d + 28, DISC_LEN);
}

/* A message with the fixed part of the DISCOVER and the options given. */
static uint8_t *with_opts(const uint8_t *opts, size_t olen, size_t *n) {
  uint8_t d[28 + 600];
  assert_true(olen <= 600 - DHCP_OPTIONS_OFF);
  build(d, disc_head, opts, olen, DHCP_OPTIONS_OFF + olen);
  *n = DHCP_OPTIONS_OFF + olen;
  return heap(d + 28, *n);
}

static int parse_opts(const uint8_t *opts, size_t olen, struct dhcp_repr *r) {
  size_t n;
  uint8_t *m = with_opts(opts, olen, &n);
  int rc = dhcp_parse(r, m, n);
  free(m);
  return rc;
}

/* -------------------------------------------------------------- parse -- */

static void dhcp_parse_discover_known(void **state) {
  (void)state;
  uint8_t d[28 + DISC_LEN];
  size_t n = build(d, disc_head, disc_opts, sizeof disc_opts, DISC_LEN);
  uint8_t *b = heap(d, n);
  /* the whole datagram, as a stack would take it apart */
  struct ipv4_repr ip;
  assert_int_equal(ipv4_parse(&ip, b, n, 0), WIRE_OK);
  assert_int_equal(ip.src, IP4_ANY);
  assert_int_equal(ip.dst, IP4_BROADCAST);
  struct udp_repr u;
  assert_int_equal(udp_parse_checked(&u, b + 20, n - 20, ip.src, ip.dst), WIRE_OK);
  assert_int_equal(u.sport, DHCP_CLIENT_PORT);
  assert_int_equal(u.dport, DHCP_SERVER_PORT);
  struct dhcp_repr r;
  assert_int_equal(dhcp_parse(&r, b + 28, u.len - UDP_HLEN), WIRE_OK);
  assert_int_equal(r.op, DHCP_OP_REQUEST);
  assert_int_equal(r.htype, DHCP_HTYPE_ETHERNET);
  assert_int_equal(r.chaddr_len, 6);
  assert_int_equal(r.hops, 0);
  assert_int_equal(r.xid, 0x3903f326u);
  assert_int_equal(r.secs, 0);
  assert_int_equal(r.flags, DHCP_FLAG_BROADCAST);
  assert_int_equal(r.ciaddr, 0);
  assert_int_equal(r.yiaddr, 0);
  assert_memory_equal(r.chaddr, mac, 6);
  for (int i = 6; i < DHCP_CHADDR_LEN; i++) assert_int_equal(r.chaddr[i], 0);
  assert_int_equal(r.msg_type, DHCP_DISCOVER);
  assert_int_equal(r.client_id_len, 7);
  assert_int_equal(r.client_id[0], 1);
  assert_memory_equal(r.client_id + 1, mac, 6);
  assert_true(r.has_requested_ip);
  assert_int_equal(r.requested_ip, ip4_addr_make(192, 168, 1, 100));
  assert_int_equal(r.prl_len, 4);
  const uint8_t prl[4] = {1, 3, 6, 15};
  assert_memory_equal(r.prl, prl, 4);
  assert_false(r.has_server_id);
  assert_false(r.has_lease_time);
  assert_false(r.has_subnet_mask);
  assert_false(r.has_router);
  assert_int_equal(r.dns_count, 0);
  free(b);
}

static void dhcp_parse_ack_known(void **state) {
  (void)state;
  uint8_t d[28 + ACK_LEN];
  size_t n = build(d, ack_head, ack_opts, sizeof ack_opts, ACK_LEN);
  uint8_t *b = heap(d, n);
  struct ipv4_repr ip;
  assert_int_equal(ipv4_parse(&ip, b, n, 0), WIRE_OK);
  struct udp_repr u;
  assert_int_equal(udp_parse_checked(&u, b + 20, n - 20, ip.src, ip.dst), WIRE_OK);
  struct dhcp_repr r;
  assert_int_equal(dhcp_parse(&r, b + 28, n - 28), WIRE_OK);
  assert_int_equal(r.op, DHCP_OP_REPLY);
  assert_int_equal(r.msg_type, DHCP_ACK);
  assert_int_equal(r.flags, 0);
  assert_int_equal(r.yiaddr, ip4_addr_make(192, 168, 1, 100));
  assert_true(r.has_server_id);
  assert_int_equal(r.server_id, ip4_addr_make(192, 168, 1, 1));
  assert_true(r.has_lease_time);
  assert_int_equal(r.lease_time, 3600);
  assert_true(r.has_t1);
  assert_int_equal(r.t1, 1800);
  assert_true(r.has_t2);
  assert_int_equal(r.t2, 3150);
  assert_true(r.has_subnet_mask);
  assert_int_equal(r.subnet_mask, ip4_addr_make(255, 255, 255, 0));
  assert_true(r.has_router);
  assert_int_equal(r.router, ip4_addr_make(192, 168, 1, 1)); /* the first */
  assert_int_equal(r.dns_count, 2);
  assert_int_equal(r.dns[0], ip4_addr_make(8, 8, 8, 8));
  assert_int_equal(r.dns[1], ip4_addr_make(1, 1, 1, 1));
  assert_int_equal(r.client_id_len, 0);
  assert_int_equal(r.prl_len, 0);
  assert_false(r.has_requested_ip);
  assert_false(r.has_max_msg_size);
  free(b);
}

static void dhcp_truncated_every_length(void **state) {
  (void)state;
  uint8_t *full = disc_msg();
  struct dhcp_repr r;
  for (size_t k = 0; k < DHCP_OPTIONS_OFF; k++) {
    uint8_t *m = heap(full, k);
    assert_int_equal(dhcp_parse(&r, m, k), WIRE_ETRUNC);
    free(m);
  }
  /* cut inside the options: an error exactly when the cut falls inside
   * an option (after its code byte, before its last value byte); cuts at
   * option boundaries are a message without END, which is tolerated */
  const size_t bounds[] = {0, 3, 12, 18, 24, 25};
  for (size_t k = DHCP_OPTIONS_OFF; k <= DHCP_OPTIONS_OFF + sizeof disc_opts; k++) {
    uint8_t *m = heap(full, k);
    int at_bound = 0;
    for (size_t i = 0; i < sizeof bounds / sizeof *bounds; i++)
      at_bound |= k - DHCP_OPTIONS_OFF == bounds[i];
    assert_int_equal(dhcp_parse(&r, m, k), at_bound ? WIRE_OK : WIRE_EOPT);
    free(m);
  }
  free(full);
}

static void dhcp_rejects_bad_fixed_fields(void **state) {
  (void)state;
  struct dhcp_repr r;
  struct {
    size_t off;
    uint8_t val;
    int want;
  } cases[] = {
      {0, 0, WIRE_EMALFORMED},     {0, 3, WIRE_EMALFORMED},     {2, 17, WIRE_EMALFORMED},
      {2, 255, WIRE_EMALFORMED},   {236, 98, WIRE_EVERSION},    {237, 0, WIRE_EVERSION},
      {239, 0x64, WIRE_EVERSION},  {2, 16, WIRE_OK},            {1, 6, WIRE_OK}, /* htype kept */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    uint8_t *m = disc_msg();
    m[cases[i].off] = cases[i].val;
    assert_int_equal(dhcp_parse(&r, m, DISC_LEN), cases[i].want);
    free(m);
  }
  /* a plain BOOTP message (no cookie) is not DHCP */
  uint8_t *m = disc_msg();
  memset(m + 236, 0, 4);
  assert_int_equal(dhcp_parse(&r, m, DISC_LEN), WIRE_EVERSION);
  free(m);
}

static void dhcp_option_runs_past_buffer(void **state) {
  (void)state;
  struct dhcp_repr r;
  const uint8_t nolen[] = {0x35, 0x01, 0x01, 0x33};       /* code, no length byte */
  const uint8_t short_val[] = {0x35, 0x01, 0x01, 0x33, 4, 0, 0, 0}; /* 3 of 4 */
  const uint8_t unknown_long[] = {200, 10, 1, 2, 3};     /* unknown, still checked */
  const uint8_t len255[] = {43, 255, 0, 0, 0};
  assert_int_equal(parse_opts(nolen, sizeof nolen, &r), WIRE_EOPT);
  assert_int_equal(parse_opts(short_val, sizeof short_val, &r), WIRE_EOPT);
  assert_int_equal(parse_opts(unknown_long, sizeof unknown_long, &r), WIRE_EOPT);
  assert_int_equal(parse_opts(len255, sizeof len255, &r), WIRE_EOPT);
  /* exactly at the end is fine */
  const uint8_t exact[] = {0x35, 0x01, 0x03, 200, 3, 1, 2, 3};
  assert_int_equal(parse_opts(exact, sizeof exact, &r), WIRE_OK);
  assert_int_equal(r.msg_type, DHCP_REQUEST);
}

static void dhcp_known_option_wrong_length(void **state) {
  (void)state;
  struct dhcp_repr r;
  static const uint8_t bad[][8] = {
      {53, 0},             {53, 2, 1, 1},     {53, 1, 0},          /* type 0 */
      {1, 3, 255, 255, 0}, {1, 5, 1, 2, 3, 4, 5},                  /* mask */
      {3, 0},              {3, 3, 1, 2, 3},   {3, 6, 1, 2, 3, 4, 5, 6}, /* router */
      {6, 2, 8, 8},        {6, 5, 8, 8, 8, 8, 1},                  /* dns */
      {50, 2, 1, 1},       {51, 3, 0, 0, 0},                     /* requested, lease */
      {54, 3, 1, 2, 3},    {55, 0},                                /* server id, prl */
      {57, 1, 2},          {58, 2, 0, 0},      {59, 5, 0, 0, 0, 0, 0}, /* max size, T1, T2 */
      {61, 0},             {61, 1, 1},                             /* client id < 2 */
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    size_t olen = 2u + bad[i][1];
    assert_int_equal(parse_opts(bad[i], olen, &r), WIRE_EOPT);
  }
  /* a client id longer than we keep is refused, not cut */
  uint8_t cid[2 + DHCP_CLIENT_ID_MAX + 1] = {61, DHCP_CLIENT_ID_MAX + 1, 0};
  assert_int_equal(parse_opts(cid, sizeof cid, &r), WIRE_EOPT);
  cid[1] = DHCP_CLIENT_ID_MAX;
  for (size_t i = 2; i < sizeof cid - 1; i++) cid[i] = (uint8_t)i;
  assert_int_equal(parse_opts(cid, sizeof cid - 1, &r), WIRE_OK);
  assert_int_equal(r.client_id_len, DHCP_CLIENT_ID_MAX);
  assert_memory_equal(r.client_id, cid + 2, DHCP_CLIENT_ID_MAX);
}

static void dhcp_unknown_options_and_pad_skipped(void **state) {
  (void)state;
  struct dhcp_repr r;
  const uint8_t o[] = {0, 0, 0,                      /* pads */
                       12, 4, 'h', 'o', 's', 't',    /* host name: not kept */
                       52, 1, 3,                     /* overload: ignored */
                       0, 53, 1, 8,                  /* INFORM */
                       224, 0,                       /* unknown, empty */
                       81, 3, 0, 0, 0,               /* FQDN: skipped */
                       57, 2, 0x05, 0xdc,            /* max message size 1500 */
                       255};
  assert_int_equal(parse_opts(o, sizeof o, &r), WIRE_OK);
  assert_int_equal(r.msg_type, DHCP_INFORM);
  assert_true(r.has_max_msg_size);
  assert_int_equal(r.max_msg_size, 1500);
}

static void dhcp_end_stops_parsing(void **state) {
  (void)state;
  struct dhcp_repr r;
  /* garbage after END is never looked at */
  const uint8_t o[] = {53, 1, 2, 255, 53, 0, 1, 200, 99};
  assert_int_equal(parse_opts(o, sizeof o, &r), WIRE_OK);
  assert_int_equal(r.msg_type, DHCP_OFFER);
  /* no options at all, no END */
  assert_int_equal(parse_opts(o, 0, &r), WIRE_OK);
  assert_int_equal(r.msg_type, 0);
  /* only pads */
  const uint8_t pads[7] = {0};
  assert_int_equal(parse_opts(pads, sizeof pads, &r), WIRE_OK);
}

static void dhcp_lists_clamped_and_repeats(void **state) {
  (void)state;
  struct dhcp_repr r;
  uint8_t dns[2 + 24] = {6, 24};
  for (int i = 0; i < 24; i++) dns[2 + i] = (uint8_t)(i / 4 + 1);
  assert_int_equal(parse_opts(dns, sizeof dns, &r), WIRE_OK);
  assert_int_equal(r.dns_count, DHCP_DNS_MAX);
  assert_int_equal(r.dns[3], ip4_addr_make(4, 4, 4, 4));
  uint8_t prl[2 + 40] = {55, 40};
  for (int i = 0; i < 40; i++) prl[2 + i] = (uint8_t)(i + 1);
  assert_int_equal(parse_opts(prl, sizeof prl, &r), WIRE_OK);
  assert_int_equal(r.prl_len, DHCP_PRL_MAX);
  assert_int_equal(r.prl[DHCP_PRL_MAX - 1], DHCP_PRL_MAX);
  /* a repeated option: the later copy wins */
  const uint8_t rep[] = {53, 1, 1, 6, 4, 1, 1, 1, 1, 6, 8, 9, 9, 9, 9, 8, 8, 8, 8, 53, 1, 3, 255};
  assert_int_equal(parse_opts(rep, sizeof rep, &r), WIRE_OK);
  assert_int_equal(r.msg_type, DHCP_REQUEST);
  assert_int_equal(r.dns_count, 2);
  assert_int_equal(r.dns[0], ip4_addr_make(9, 9, 9, 9));
}

/* --------------------------------------------------------------- emit -- */

static struct dhcp_repr discover_repr(void) {
  struct dhcp_repr r = {.op = DHCP_OP_REQUEST, .htype = DHCP_HTYPE_ETHERNET, .chaddr_len = 6,
                        .xid = 0x3903f326, .flags = DHCP_FLAG_BROADCAST, .msg_type = DHCP_DISCOVER,
                        .client_id_len = 7, .has_requested_ip = 1,
                        .requested_ip = ip4_addr_make(192, 168, 1, 100), .prl_len = 4,
                        .prl = {1, 3, 6, 15}};
  memcpy(r.chaddr, mac, 6);
  r.client_id[0] = 1;
  memcpy(r.client_id + 1, mac, 6);
  return r;
}

static void dhcp_emit_reproduces_discover(void **state) {
  (void)state;
  struct dhcp_repr r = discover_repr();
  assert_int_equal(dhcp_emit_len(&r), DISC_LEN);
  uint8_t *b = malloc(DISC_LEN);
  memset(b, 0xee, DISC_LEN); /* emit clears what it does not set */
  assert_int_equal(dhcp_emit(&r, b, DISC_LEN), DISC_LEN);
  uint8_t *want = disc_msg();
  assert_memory_equal(b, want, DISC_LEN);
  /* and the UDP checksum over it, as tshark checked it */
  uint8_t *u = malloc(UDP_HLEN + DISC_LEN);
  memcpy(u + UDP_HLEN, b, DISC_LEN);
  struct udp_repr ur = {.sport = DHCP_CLIENT_PORT, .dport = DHCP_SERVER_PORT,
                        .len = UDP_HLEN + DISC_LEN};
  assert_int_equal(udp_emit_checksum(&ur, u, UDP_HLEN + DISC_LEN, IP4_ANY, IP4_BROADCAST),
                   UDP_HLEN);
  assert_memory_equal(u, disc_head + 20, UDP_HLEN);
  free(u);
  free(want);
  free(b);
}

static void dhcp_emit_parse_roundtrip(void **state) {
  (void)state;
  xs_state = 777;
  for (int i = 0; i < 2000; i++) {
    struct dhcp_repr r = {0};
    r.op = (uint8_t)(1 + xorshift() % 2);
    r.htype = (uint8_t)xorshift();
    r.chaddr_len = (uint8_t)(xorshift() % 17);
    r.hops = (uint8_t)xorshift();
    r.xid = (uint32_t)xorshift();
    r.secs = (uint16_t)xorshift();
    r.flags = (uint16_t)xorshift();
    r.ciaddr = (uint32_t)xorshift();
    r.yiaddr = (uint32_t)xorshift();
    r.siaddr = (uint32_t)xorshift();
    r.giaddr = (uint32_t)xorshift();
    for (int k = 0; k < DHCP_CHADDR_LEN; k++) r.chaddr[k] = (uint8_t)xorshift();
    uint64_t m = xorshift();
    r.msg_type = m & 1 ? (uint8_t)(1 + xorshift() % 8) : 0;
#define MAYBE(bit, flag, field, expr) \
  if (m >> (bit) & 1) {               \
    r.flag = 1;                       \
    r.field = (expr);                 \
  }
    MAYBE(1, has_subnet_mask, subnet_mask, (uint32_t)xorshift())
    MAYBE(2, has_router, router, (uint32_t)xorshift())
    MAYBE(3, has_requested_ip, requested_ip, (uint32_t)xorshift())
    MAYBE(4, has_lease_time, lease_time, (uint32_t)xorshift())
    MAYBE(5, has_server_id, server_id, (uint32_t)xorshift())
    MAYBE(6, has_t1, t1, (uint32_t)xorshift())
    MAYBE(7, has_t2, t2, (uint32_t)xorshift())
    MAYBE(8, has_max_msg_size, max_msg_size, (uint16_t)xorshift())
#undef MAYBE
    r.dns_count = (uint8_t)(xorshift() % (DHCP_DNS_MAX + 1));
    for (int k = 0; k < r.dns_count; k++) r.dns[k] = (uint32_t)xorshift();
    r.prl_len = (uint8_t)(xorshift() % (DHCP_PRL_MAX + 1));
    for (int k = 0; k < r.prl_len; k++) r.prl[k] = (uint8_t)xorshift();
    r.client_id_len = (uint8_t)(xorshift() % (DHCP_CLIENT_ID_MAX + 1));
    if (r.client_id_len == 1) r.client_id_len = 2;
    for (int k = 0; k < r.client_id_len; k++) r.client_id[k] = (uint8_t)xorshift();

    size_t n = dhcp_emit_len(&r);
    assert_true(n >= DHCP_MIN_EMIT_LEN);
    uint8_t *b = malloc(n);
    assert_int_equal(dhcp_emit(&r, b, n), (int)n);
    assert_int_equal(dhcp_emit(&r, b, n - 1), WIRE_ENOSPC);
    struct dhcp_repr back;
    assert_int_equal(dhcp_parse(&back, b, n), WIRE_OK);
    /* every field is a byte, a uint16/32 or an array: compare member by
     * member (no padding compared) */
    assert_int_equal(back.op, r.op);
    assert_int_equal(back.htype, r.htype);
    assert_int_equal(back.chaddr_len, r.chaddr_len);
    assert_int_equal(back.hops, r.hops);
    assert_int_equal(back.xid, r.xid);
    assert_int_equal(back.secs, r.secs);
    assert_int_equal(back.flags, r.flags);
    assert_int_equal(back.ciaddr, r.ciaddr);
    assert_int_equal(back.yiaddr, r.yiaddr);
    assert_int_equal(back.siaddr, r.siaddr);
    assert_int_equal(back.giaddr, r.giaddr);
    assert_memory_equal(back.chaddr, r.chaddr, DHCP_CHADDR_LEN);
    assert_int_equal(back.msg_type, r.msg_type);
    assert_int_equal(back.has_subnet_mask, r.has_subnet_mask);
    assert_int_equal(back.subnet_mask, r.subnet_mask);
    assert_int_equal(back.has_router, r.has_router);
    assert_int_equal(back.router, r.router);
    assert_int_equal(back.has_requested_ip, r.has_requested_ip);
    assert_int_equal(back.requested_ip, r.requested_ip);
    assert_int_equal(back.has_lease_time, r.has_lease_time);
    assert_int_equal(back.lease_time, r.lease_time);
    assert_int_equal(back.has_server_id, r.has_server_id);
    assert_int_equal(back.server_id, r.server_id);
    assert_int_equal(back.has_t1, r.has_t1);
    assert_int_equal(back.t1, r.t1);
    assert_int_equal(back.has_t2, r.has_t2);
    assert_int_equal(back.t2, r.t2);
    assert_int_equal(back.has_max_msg_size, r.has_max_msg_size);
    assert_int_equal(back.max_msg_size, r.max_msg_size);
    assert_int_equal(back.dns_count, r.dns_count);
    for (int k = 0; k < r.dns_count; k++) assert_int_equal(back.dns[k], r.dns[k]);
    assert_int_equal(back.prl_len, r.prl_len);
    assert_memory_equal(back.prl, r.prl, r.prl_len);
    assert_int_equal(back.client_id_len, r.client_id_len);
    assert_memory_equal(back.client_id, r.client_id, r.client_id_len);
    free(b);
  }
}

static void dhcp_emit_len_and_nospc(void **state) {
  (void)state;
  struct dhcp_repr r = {.op = DHCP_OP_REQUEST};
  assert_int_equal(dhcp_emit_len(&r), DHCP_MIN_EMIT_LEN); /* just END, padded */
  uint8_t *b = malloc(DHCP_MIN_EMIT_LEN);
  assert_int_equal(dhcp_emit(&r, b, DHCP_MIN_EMIT_LEN), DHCP_MIN_EMIT_LEN);
  assert_int_equal(b[DHCP_OPTIONS_OFF], DHCP_OPT_END);
  for (size_t i = DHCP_OPTIONS_OFF + 1; i < DHCP_MIN_EMIT_LEN; i++) assert_int_equal(b[i], 0);
  for (size_t cap = 0; cap < DHCP_MIN_EMIT_LEN; cap += 7)
    assert_int_equal(dhcp_emit(&r, b, cap), WIRE_ENOSPC);
  free(b);
  /* everything at once goes past 300 */
  struct dhcp_repr big = discover_repr();
  big.has_subnet_mask = big.has_router = big.has_lease_time = big.has_server_id = 1;
  big.has_t1 = big.has_t2 = big.has_max_msg_size = 1;
  big.dns_count = 4;
  big.prl_len = DHCP_PRL_MAX;
  big.client_id_len = DHCP_CLIENT_ID_MAX;
  size_t want = DHCP_OPTIONS_OFF + 3 + (2 + DHCP_CLIENT_ID_MAX) + 6 + 6 + 4 + 6 + 6 + (2 + 16) +
                6 + 6 + 6 + (2 + DHCP_PRL_MAX) + 1;
  assert_int_equal(dhcp_emit_len(&big), want);
  b = malloc(want);
  assert_int_equal(dhcp_emit(&big, b, want), (int)want);
  assert_int_equal(b[want - 1], DHCP_OPT_END);
  assert_int_equal(dhcp_emit(&big, b, want - 1), WIRE_ENOSPC);
  free(b);
  /* counts beyond the arrays are clamped, not overrun */
  big.dns_count = 200;
  big.prl_len = 200;
  big.client_id_len = 200;
  assert_int_equal(dhcp_emit_len(&big), want);
}

/* ------------------------------------------------------------- random -- */

static void random_buffers_never_crash(void **state) {
  (void)state;
  xs_state = 0xd1cf;
  uint8_t *disc = disc_msg();
  uint8_t ack[28 + ACK_LEN];
  build(ack, ack_head, ack_opts, sizeof ack_opts, ACK_LEN);
  int ok = 0;
  for (int i = 0; i < 4000; i++) {
    uint8_t tmp[400];
    size_t n;
    if (i % 4 == 0) { /* random bytes behind a valid fixed part */
      n = DHCP_OPTIONS_OFF + (size_t)(xorshift() % 100);
      memcpy(tmp, disc, DHCP_OPTIONS_OFF);
      for (size_t k = DHCP_OPTIONS_OFF; k < n; k++) tmp[k] = (uint8_t)xorshift();
    } else if (i % 4 == 1) { /* fully random */
      n = (size_t)(xorshift() % sizeof tmp);
      for (size_t k = 0; k < n; k++) tmp[k] = (uint8_t)xorshift();
    } else { /* a real message, cut, with option bytes changed */
      const uint8_t *src = i % 4 == 2 ? disc : ack + 28;
      size_t max = i % 4 == 2 ? DISC_LEN : ACK_LEN;
      n = DHCP_OPTIONS_OFF + (size_t)(xorshift() % (max - DHCP_OPTIONS_OFF + 1));
      memcpy(tmp, src, n);
      int flips = (int)(xorshift() % 4);
      for (int f = 0; f < flips && n > DHCP_OPTIONS_OFF; f++)
        tmp[DHCP_OPTIONS_OFF + xorshift() % (n - DHCP_OPTIONS_OFF)] = (uint8_t)xorshift();
    }
    uint8_t *b = heap(tmp, n);
    struct dhcp_repr r;
    int rc = dhcp_parse(&r, b, n);
    assert_true(rc <= 0 && rc >= WIRE_EOPT);
    if (rc == WIRE_OK) {
      ok++;
      assert_true(r.dns_count <= DHCP_DNS_MAX && r.prl_len <= DHCP_PRL_MAX &&
                  r.client_id_len <= DHCP_CLIENT_ID_MAX && r.chaddr_len <= DHCP_CHADDR_LEN);
    }
    free(b);
  }
  assert_true(ok > 100);
  free(disc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dhcp_parse_discover_known),
      cmocka_unit_test(dhcp_parse_ack_known),
      cmocka_unit_test(dhcp_truncated_every_length),
      cmocka_unit_test(dhcp_rejects_bad_fixed_fields),
      cmocka_unit_test(dhcp_option_runs_past_buffer),
      cmocka_unit_test(dhcp_known_option_wrong_length),
      cmocka_unit_test(dhcp_unknown_options_and_pad_skipped),
      cmocka_unit_test(dhcp_end_stops_parsing),
      cmocka_unit_test(dhcp_lists_clamped_and_repeats),
      cmocka_unit_test(dhcp_emit_reproduces_discover),
      cmocka_unit_test(dhcp_emit_parse_roundtrip),
      cmocka_unit_test(dhcp_emit_len_and_nospc),
      cmocka_unit_test(random_buffers_never_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
