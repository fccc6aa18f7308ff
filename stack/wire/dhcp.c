/* DHCPv4 messages (RFC 2131 sec. 2) and options (RFC 2132). Field
 * offsets from RFC 2131 figure 1. */
#include "stack/wire/dhcp.h"

#include <string.h>

enum {
  OFF_OP = 0, OFF_HTYPE = 1, OFF_HLEN = 2, OFF_HOPS = 3, OFF_XID = 4, OFF_SECS = 8,
  OFF_FLAGS = 10, OFF_CIADDR = 12, OFF_YIADDR = 16, OFF_SIADDR = 20, OFF_GIADDR = 24,
  OFF_CHADDR = 28, OFF_SNAME = 44, OFF_FILE = 108, OFF_COOKIE = 236,
};

/* One option's value (n bytes at v, all inside the buffer) into r. */
static int take_option(struct dhcp_repr *r, uint8_t code, const uint8_t *v, size_t n) {
  switch (code) {
  case DHCP_OPT_MSG_TYPE:
    if (n != 1 || v[0] == 0) return WIRE_EOPT;
    r->msg_type = v[0];
    break;
  case DHCP_OPT_SUBNET_MASK:
    if (n != 4) return WIRE_EOPT;
    r->has_subnet_mask = 1;
    r->subnet_mask = wire_get32(v);
    break;
  case DHCP_OPT_ROUTER:
    if (n < 4 || n % 4) return WIRE_EOPT;
    r->has_router = 1;
    r->router = wire_get32(v);
    break;
  case DHCP_OPT_DNS:
    if (n < 4 || n % 4) return WIRE_EOPT;
    r->dns_count = 0;
    for (size_t i = 0; i < n / 4 && i < DHCP_DNS_MAX; i++)
      r->dns[r->dns_count++] = wire_get32(v + 4 * i);
    break;
  case DHCP_OPT_REQUESTED_IP:
    if (n != 4) return WIRE_EOPT;
    r->has_requested_ip = 1;
    r->requested_ip = wire_get32(v);
    break;
  case DHCP_OPT_LEASE_TIME:
    if (n != 4) return WIRE_EOPT;
    r->has_lease_time = 1;
    r->lease_time = wire_get32(v);
    break;
  case DHCP_OPT_SERVER_ID:
    if (n != 4) return WIRE_EOPT;
    r->has_server_id = 1;
    r->server_id = wire_get32(v);
    break;
  case DHCP_OPT_PARAM_REQ:
    if (n < 1) return WIRE_EOPT;
    r->prl_len = (uint8_t)(n < DHCP_PRL_MAX ? n : DHCP_PRL_MAX);
    memcpy(r->prl, v, r->prl_len);
    break;
  case DHCP_OPT_MAX_MSG_SIZE:
    if (n != 2) return WIRE_EOPT;
    r->has_max_msg_size = 1;
    r->max_msg_size = wire_get16(v);
    break;
  case DHCP_OPT_T1:
    if (n != 4) return WIRE_EOPT;
    r->has_t1 = 1;
    r->t1 = wire_get32(v);
    break;
  case DHCP_OPT_T2:
    if (n != 4) return WIRE_EOPT;
    r->has_t2 = 1;
    r->t2 = wire_get32(v);
    break;
  case DHCP_OPT_CLIENT_ID:
    if (n < 2 || n > DHCP_CLIENT_ID_MAX) return WIRE_EOPT;
    r->client_id_len = (uint8_t)n;
    memcpy(r->client_id, v, n);
    break;
  default:
    break; /* unknown (or overload, unsupported): skipped */
  }
  return WIRE_OK;
}

int dhcp_parse(struct dhcp_repr *out, const uint8_t *buf, size_t len) {
  if (len < DHCP_OPTIONS_OFF) return WIRE_ETRUNC;
  if (buf[OFF_OP] != DHCP_OP_REQUEST && buf[OFF_OP] != DHCP_OP_REPLY) return WIRE_EMALFORMED;
  if (buf[OFF_HLEN] > DHCP_CHADDR_LEN) return WIRE_EMALFORMED;
  if (wire_get32(buf + OFF_COOKIE) != DHCP_COOKIE) return WIRE_EVERSION;
  *out = (struct dhcp_repr){0};
  out->op = buf[OFF_OP];
  out->htype = buf[OFF_HTYPE];
  out->chaddr_len = buf[OFF_HLEN];
  out->hops = buf[OFF_HOPS];
  out->xid = wire_get32(buf + OFF_XID);
  out->secs = wire_get16(buf + OFF_SECS);
  out->flags = wire_get16(buf + OFF_FLAGS);
  out->ciaddr = wire_get32(buf + OFF_CIADDR);
  out->yiaddr = wire_get32(buf + OFF_YIADDR);
  out->siaddr = wire_get32(buf + OFF_SIADDR);
  out->giaddr = wire_get32(buf + OFF_GIADDR);
  memcpy(out->chaddr, buf + OFF_CHADDR, DHCP_CHADDR_LEN);
  /* Invariant: DHCP_OPTIONS_OFF <= i <= len; a value is read only after
   * its length has been checked against len - i. */
  size_t i = DHCP_OPTIONS_OFF;
  while (i < len) {
    uint8_t code = buf[i];
    if (code == DHCP_OPT_END) break;
    if (code == DHCP_OPT_PAD) {
      i++;
      continue;
    }
    if (len - i < 2) return WIRE_EOPT; /* no length byte */
    size_t n = buf[i + 1];
    if (n > len - i - 2) return WIRE_EOPT; /* value runs past the buffer */
    int rc = take_option(out, code, buf + i + 2, n);
    if (rc < 0) return rc;
    i += 2 + n;
  }
  return WIRE_OK;
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* Entries of each list that emit writes: the counts, clamped to the arrays. */
static size_t dns_count(const struct dhcp_repr *r) { return min_size(r->dns_count, DHCP_DNS_MAX); }
static size_t prl_len(const struct dhcp_repr *r) { return min_size(r->prl_len, DHCP_PRL_MAX); }
static size_t cid_len(const struct dhcp_repr *r) {
  return min_size(r->client_id_len, DHCP_CLIENT_ID_MAX);
}

/* Bytes of options, END included. */
static size_t options_len(const struct dhcp_repr *r) {
  size_t n = 1; /* END */
  if (r->msg_type) n += 3;
  if (cid_len(r)) n += 2 + cid_len(r);
  if (r->has_requested_ip) n += 6;
  if (r->has_server_id) n += 6;
  if (r->has_max_msg_size) n += 4;
  if (r->has_subnet_mask) n += 6;
  if (r->has_router) n += 6;
  if (dns_count(r)) n += 2 + 4 * dns_count(r);
  if (r->has_lease_time) n += 6;
  if (r->has_t1) n += 6;
  if (r->has_t2) n += 6;
  if (prl_len(r)) n += 2 + prl_len(r);
  return n;
}

size_t dhcp_emit_len(const struct dhcp_repr *r) {
  size_t n = DHCP_OPTIONS_OFF + options_len(r);
  return n < DHCP_MIN_EMIT_LEN ? DHCP_MIN_EMIT_LEN : n;
}

/* Writes code, length 4, a 32-bit value at o; returns the position after. */
static uint8_t *put_opt32(uint8_t *o, uint8_t code, uint32_t v) {
  o[0] = code;
  o[1] = 4;
  wire_put32(o + 2, v);
  return o + 6;
}

int dhcp_emit(const struct dhcp_repr *r, uint8_t *buf, size_t cap) {
  size_t total = dhcp_emit_len(r);
  if (cap < total) return WIRE_ENOSPC;
  memset(buf, 0, total); /* sname, file and the padding after END */
  buf[OFF_OP] = r->op;
  buf[OFF_HTYPE] = r->htype;
  buf[OFF_HLEN] = r->chaddr_len;
  buf[OFF_HOPS] = r->hops;
  wire_put32(buf + OFF_XID, r->xid);
  wire_put16(buf + OFF_SECS, r->secs);
  wire_put16(buf + OFF_FLAGS, r->flags);
  wire_put32(buf + OFF_CIADDR, r->ciaddr);
  wire_put32(buf + OFF_YIADDR, r->yiaddr);
  wire_put32(buf + OFF_SIADDR, r->siaddr);
  wire_put32(buf + OFF_GIADDR, r->giaddr);
  memcpy(buf + OFF_CHADDR, r->chaddr, DHCP_CHADDR_LEN);
  wire_put32(buf + OFF_COOKIE, DHCP_COOKIE);
  uint8_t *o = buf + DHCP_OPTIONS_OFF;
  if (r->msg_type) {
    o[0] = DHCP_OPT_MSG_TYPE, o[1] = 1, o[2] = r->msg_type;
    o += 3;
  }
  if (cid_len(r)) {
    o[0] = DHCP_OPT_CLIENT_ID, o[1] = (uint8_t)cid_len(r);
    memcpy(o + 2, r->client_id, cid_len(r));
    o += 2 + cid_len(r);
  }
  if (r->has_requested_ip) o = put_opt32(o, DHCP_OPT_REQUESTED_IP, r->requested_ip);
  if (r->has_server_id) o = put_opt32(o, DHCP_OPT_SERVER_ID, r->server_id);
  if (r->has_max_msg_size) {
    o[0] = DHCP_OPT_MAX_MSG_SIZE, o[1] = 2;
    wire_put16(o + 2, r->max_msg_size);
    o += 4;
  }
  if (r->has_subnet_mask) o = put_opt32(o, DHCP_OPT_SUBNET_MASK, r->subnet_mask);
  if (r->has_router) o = put_opt32(o, DHCP_OPT_ROUTER, r->router);
  if (dns_count(r)) {
    o[0] = DHCP_OPT_DNS, o[1] = (uint8_t)(4 * dns_count(r));
    o += 2;
    for (size_t i = 0; i < dns_count(r); i++, o += 4) wire_put32(o, r->dns[i]);
  }
  if (r->has_lease_time) o = put_opt32(o, DHCP_OPT_LEASE_TIME, r->lease_time);
  if (r->has_t1) o = put_opt32(o, DHCP_OPT_T1, r->t1);
  if (r->has_t2) o = put_opt32(o, DHCP_OPT_T2, r->t2);
  if (prl_len(r)) {
    o[0] = DHCP_OPT_PARAM_REQ, o[1] = (uint8_t)prl_len(r);
    memcpy(o + 2, r->prl, prl_len(r));
    o += 2 + prl_len(r);
  }
  *o = DHCP_OPT_END; /* o == buf + DHCP_OPTIONS_OFF + options_len(r) - 1 */
  return (int)total;
}
