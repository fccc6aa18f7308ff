#include "stack/wire/tcp.h"

#include "stack/wire/ipv4.h"

enum { OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WSCALE = 3, OPT_SACK_PERM = 4, OPT_SACK = 5,
       OPT_TS = 8 };

static int parse_options(struct tcp_repr *r, const uint8_t *o, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t kind = o[i];
    if (kind == OPT_EOL) break;
    if (kind == OPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= n) return WIRE_EOPT;
    uint8_t len = o[i + 1];
    if (len < 2 || i + len > n) return WIRE_EOPT;
    const uint8_t *v = o + i + 2;
    switch (kind) {
    case OPT_MSS:
      if (len != 4) return WIRE_EOPT;
      r->has_mss = 1;
      r->mss = wire_get16(v);
      break;
    case OPT_WSCALE:
      if (len != 3) return WIRE_EOPT;
      r->has_wscale = 1;
      r->wscale = v[0];
      break;
    case OPT_SACK_PERM:
      if (len != 2) return WIRE_EOPT;
      r->has_sack_perm = 1;
      break;
    case OPT_SACK:
      if ((len - 2) % 8 || len < 10) return WIRE_EOPT;
      for (int k = 0; k < (len - 2) / 8 && k < 4; k++) {
        r->sack[k].left = wire_get32(v + 8 * k);
        r->sack[k].right = wire_get32(v + 8 * k + 4);
        r->nsack = (uint8_t)(k + 1);
      }
      break;
    case OPT_TS:
      if (len != 10) return WIRE_EOPT;
      r->has_ts = 1;
      r->ts_val = wire_get32(v);
      r->ts_ecr = wire_get32(v + 4);
      break;
    default:
      break; /* unknown: skipped by its length */
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

/* SACK blocks that fit beside the other options in 40 bytes. */
static int sack_blocks(const struct tcp_repr *r) {
  int max = r->has_ts ? 3 : 4;
  return r->nsack > max ? max : r->nsack;
}

/* Options are laid out aligned, as RFC 7323 appendix A suggests: MSS (4),
 * then SACK-permitted and/or timestamps (12, or 4 for SACK-permitted
 * alone), window scale (4), SACK blocks (4 + 8 per block), each padded
 * with NOPs to a 4-byte boundary. */
size_t tcp_header_len(const struct tcp_repr *r) {
  size_t n = TCP_HLEN;
  if (r->has_mss) n += 4;
  if (r->has_ts) n += 12;
  else if (r->has_sack_perm) n += 4;
  if (r->has_wscale) n += 4;
  if (r->nsack) n += 4 + 8u * (size_t)sack_blocks(r);
  return n;
}

int tcp_emit(const struct tcp_repr *r, uint8_t *buf, size_t cap) {
  size_t hlen = tcp_header_len(r);
  if (hlen > TCP_HLEN_MAX || cap < hlen) return WIRE_ENOSPC;
  wire_put16(buf, r->sport);
  wire_put16(buf + 2, r->dport);
  wire_put32(buf + 4, r->seq);
  wire_put32(buf + 8, r->ack);
  buf[12] = (uint8_t)(hlen / 4 << 4);
  buf[13] = r->flags;
  wire_put16(buf + 14, r->window);
  wire_put16(buf + 16, 0);
  wire_put16(buf + 18, r->urgent);
  uint8_t *o = buf + TCP_HLEN;
  if (r->has_mss) {
    o[0] = OPT_MSS, o[1] = 4;
    wire_put16(o + 2, r->mss);
    o += 4;
  }
  if (r->has_sack_perm && r->has_ts) {
    o[0] = OPT_SACK_PERM, o[1] = 2, o[2] = OPT_TS, o[3] = 10;
    wire_put32(o + 4, r->ts_val);
    wire_put32(o + 8, r->ts_ecr);
    o += 12;
  } else if (r->has_ts) {
    o[0] = OPT_NOP, o[1] = OPT_NOP, o[2] = OPT_TS, o[3] = 10;
    wire_put32(o + 4, r->ts_val);
    wire_put32(o + 8, r->ts_ecr);
    o += 12;
  } else if (r->has_sack_perm) {
    o[0] = OPT_NOP, o[1] = OPT_NOP, o[2] = OPT_SACK_PERM, o[3] = 2;
    o += 4;
  }
  if (r->has_wscale) {
    o[0] = OPT_NOP, o[1] = OPT_WSCALE, o[2] = 3, o[3] = r->wscale;
    o += 4;
  }
  if (r->nsack) {
    int k = sack_blocks(r);
    o[0] = OPT_NOP, o[1] = OPT_NOP, o[2] = OPT_SACK, o[3] = (uint8_t)(2 + 8 * k);
    o += 4;
    for (int i = 0; i < k; i++, o += 8) {
      wire_put32(o, r->sack[i].left);
      wire_put32(o + 4, r->sack[i].right);
    }
  }
  return (int)hlen;
}

uint16_t tcp_checksum_finish(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len) {
  csum_pseudo(c, src, dst, IPV4_PROTO_TCP, len);
  return csum_finish(c);
}

int tcp_checksum_ok(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len) {
  csum_pseudo(c, src, dst, IPV4_PROTO_TCP, len);
  return csum_fold(c) == 0xffff;
}
