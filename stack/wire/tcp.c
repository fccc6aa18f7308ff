/* The TCP header and options (RFC 9293 secs. 3.1 and 3.2). */
#include "stack/wire/tcp.h"

#include "stack/wire/ipv4.h"

/* Options [0, n) of a header at o (n <= 40). Invariant: i <= n, and no
 * byte at or past n is read; an option's length is checked against n
 * before its value is. */
static int parse_options(struct tcp_repr *r, const uint8_t *o, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t kind = o[i];
    if (kind == TCP_OPT_EOL) break;
    if (kind == TCP_OPT_NOP) {
      i++;
      continue;
    }
    if (n - i < 2) return WIRE_EOPT; /* no room for the length byte */
    uint8_t len = o[i + 1];
    if (len < 2 || len > n - i) return WIRE_EOPT;
    const uint8_t *v = o + i + 2;
    switch (kind) {
    case TCP_OPT_MSS: /* RFC 9293 sec. 3.2 */
      if (len != 4) return WIRE_EOPT;
      r->has_mss = 1;
      r->mss = wire_get16(v);
      break;
    case TCP_OPT_WSCALE: /* RFC 7323 sec. 2.2 */
      if (len != 3) return WIRE_EOPT;
      r->has_wscale = 1;
      r->wscale = v[0];
      break;
    case TCP_OPT_SACK_PERM: /* RFC 2018 sec. 2 */
      if (len != 2) return WIRE_EOPT;
      r->has_sack_perm = 1;
      break;
    case TCP_OPT_SACK: { /* RFC 2018 sec. 3; n <= 40 bounds the count to 4 */
      if (len < 10 || (len - 2) % 8) return WIRE_EOPT;
      int k = (len - 2) / 8;
      if (k > TCP_SACK_MAX) k = TCP_SACK_MAX;
      for (int b = 0; b < k; b++) {
        r->sack[b].left = wire_get32(v + 8 * b);
        r->sack[b].right = wire_get32(v + 8 * b + 4);
      }
      r->nsack = (uint8_t)k;
      break;
    }
    case TCP_OPT_TS: /* RFC 7323 sec. 3.2 */
      if (len != 10) return WIRE_EOPT;
      r->has_ts = 1;
      r->ts_val = wire_get32(v);
      r->ts_ecr = wire_get32(v + 4);
      break;
    default:
      break; /* unknown: skipped by its length (RFC 9293 sec. 3.1, MUST-6) */
    }
    i += len;
  }
  return WIRE_OK;
}

int tcp_parse(struct tcp_repr *out, const uint8_t *buf, size_t len) {
  if (len < TCP_HLEN) return WIRE_ETRUNC;
  unsigned hlen = (unsigned)(buf[12] >> 4) * 4;
  if (hlen < TCP_HLEN || hlen > len) return WIRE_EHLEN;
  *out = (struct tcp_repr){0};
  out->sport = wire_get16(buf);
  out->dport = wire_get16(buf + 2);
  out->seq = wire_get32(buf + 4);
  out->ack = wire_get32(buf + 8);
  out->hlen = (uint8_t)hlen;
  out->flags = buf[13];
  out->window = wire_get16(buf + 14);
  out->checksum = wire_get16(buf + 16);
  out->urgent = wire_get16(buf + 18);
  return parse_options(out, buf + TCP_HLEN, hlen - TCP_HLEN);
}

int tcp_parse_checked(struct tcp_repr *out, const uint8_t *buf, size_t len, ip4_addr_t src,
                      ip4_addr_t dst) {
  int rc = tcp_parse(out, buf, len);
  if (rc < 0) return rc;
  if (len > 65535) return WIRE_ELEN;
  struct csum c;
  csum_init(&c);
  csum_add(&c, buf, len);
  return tcp_checksum_ok(&c, src, dst, (uint16_t)len) ? WIRE_OK : WIRE_ECSUM;
}

/* Option bytes before the SACK option. */
static size_t fixed_options_len(const struct tcp_repr *r) {
  size_t n = 0;
  if (r->has_mss) n += 4;
  if (r->has_ts) n += 12;
  else if (r->has_sack_perm) n += 4;
  if (r->has_wscale) n += 4;
  return n; /* at most 20 */
}

/* SACK blocks that fit beside the other options in 40 bytes (RFC 2018
 * sec. 3: with timestamps, at most 3). */
static int sack_blocks(const struct tcp_repr *r) {
  if (!r->nsack) return 0;
  size_t room = TCP_HLEN_MAX - TCP_HLEN - fixed_options_len(r) - 4;
  int max = (int)(room / 8);
  if (max > TCP_SACK_MAX) max = TCP_SACK_MAX;
  return r->nsack > max ? max : r->nsack;
}

/* Options are laid out aligned, as RFC 7323 appendix A suggests: MSS (4),
 * then SACK-permitted and/or timestamps (12, or 4 for SACK-permitted
 * alone), window scale (4), SACK blocks (4 + 8 per block), each padded
 * with NOPs to a 4-byte boundary; so no EOL is needed. */
size_t tcp_header_len(const struct tcp_repr *r) {
  size_t n = TCP_HLEN + fixed_options_len(r);
  int k = sack_blocks(r);
  if (k) n += 4 + 8u * (size_t)k;
  return n;
}

int tcp_emit(const struct tcp_repr *r, uint8_t *buf, size_t cap) {
  size_t hlen = tcp_header_len(r);
  if (cap < hlen) return WIRE_ENOSPC;
  wire_put16(buf, r->sport);
  wire_put16(buf + 2, r->dport);
  wire_put32(buf + 4, r->seq);
  wire_put32(buf + 8, r->ack);
  buf[12] = (uint8_t)(hlen / 4 << 4); /* data offset; reserved bits 0 */
  buf[13] = r->flags;
  wire_put16(buf + 14, r->window);
  wire_put16(buf + 16, 0);
  wire_put16(buf + 18, r->urgent);
  uint8_t *o = buf + TCP_HLEN;
  if (r->has_mss) {
    o[0] = TCP_OPT_MSS, o[1] = 4;
    wire_put16(o + 2, r->mss);
    o += 4;
  }
  if (r->has_sack_perm && r->has_ts) {
    o[0] = TCP_OPT_SACK_PERM, o[1] = 2, o[2] = TCP_OPT_TS, o[3] = 10;
    wire_put32(o + 4, r->ts_val);
    wire_put32(o + 8, r->ts_ecr);
    o += 12;
  } else if (r->has_ts) {
    o[0] = TCP_OPT_NOP, o[1] = TCP_OPT_NOP, o[2] = TCP_OPT_TS, o[3] = 10;
    wire_put32(o + 4, r->ts_val);
    wire_put32(o + 8, r->ts_ecr);
    o += 12;
  } else if (r->has_sack_perm) {
    o[0] = TCP_OPT_NOP, o[1] = TCP_OPT_NOP, o[2] = TCP_OPT_SACK_PERM, o[3] = 2;
    o += 4;
  }
  if (r->has_wscale) {
    o[0] = TCP_OPT_NOP, o[1] = TCP_OPT_WSCALE, o[2] = 3, o[3] = r->wscale;
    o += 4;
  }
  int k = sack_blocks(r);
  if (k) {
    o[0] = TCP_OPT_NOP, o[1] = TCP_OPT_NOP, o[2] = TCP_OPT_SACK, o[3] = (uint8_t)(2 + 8 * k);
    o += 4;
    for (int i = 0; i < k; i++, o += 8) {
      wire_put32(o, r->sack[i].left);
      wire_put32(o + 4, r->sack[i].right);
    }
  }
  return (int)hlen; /* o == buf + hlen */
}

int tcp_emit_checksum(const struct tcp_repr *r, uint8_t *buf, size_t cap, size_t data_len,
                      ip4_addr_t src, ip4_addr_t dst) {
  size_t hlen = tcp_header_len(r);
  if (cap < hlen || data_len > cap - hlen || hlen + data_len > 65535) return WIRE_ENOSPC;
  tcp_emit(r, buf, cap);
  struct csum c;
  csum_init(&c);
  csum_add(&c, buf, hlen + data_len);
  wire_put16(buf + 16, tcp_checksum_finish(&c, src, dst, (uint16_t)(hlen + data_len)));
  return (int)hlen;
}

void tcp_set_checksum(uint8_t *hdr, size_t hlen, const struct csum *data, ip4_addr_t src,
                      ip4_addr_t dst, uint16_t seg_len) {
  struct csum c;
  csum_init(&c);
  wire_put16(hdr + 16, 0);
  csum_add(&c, hdr, hlen);
  csum_append(&c, data);
  wire_put16(hdr + 16, tcp_checksum_finish(&c, src, dst, seg_len));
}

uint16_t tcp_checksum_finish(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len) {
  csum_pseudo(c, src, dst, IPV4_PROTO_TCP, len);
  return csum_finish(c);
}

int tcp_checksum_ok(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len) {
  csum_pseudo(c, src, dst, IPV4_PROTO_TCP, len);
  return csum_fold(c) == 0xffff;
}
