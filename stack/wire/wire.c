/* Shared bits of stack/wire/: error text, address formatting and parsing. */
#include "stack/wire/wire.h"

const char *wire_strerror(int err) {
  switch (err) {
  case WIRE_OK: return "ok";
  case WIRE_ETRUNC: return "truncated";
  case WIRE_EVERSION: return "wrong version or type";
  case WIRE_EHLEN: return "bad header length";
  case WIRE_ELEN: return "bad total length";
  case WIRE_ECSUM: return "bad checksum";
  case WIRE_EMALFORMED: return "malformed";
  case WIRE_ENOSPC: return "no space";
  case WIRE_EOPT: return "bad option";
  default: return "unknown error";
  }
}

/* Writes the decimal digits of v (0..255) at p; returns the position after. */
static char *put_octet(char *p, unsigned v) {
  if (v >= 100) *p++ = (char)('0' + v / 100);
  if (v >= 10) *p++ = (char)('0' + v / 10 % 10);
  *p++ = (char)('0' + v % 10);
  return p;
}

char *ip4_addr_format(ip4_addr_t a, char buf[IP4_ADDR_STRLEN]) {
  /* at most 4 * 3 digits + 3 dots + NUL = 16 bytes */
  char *p = buf;
  for (int shift = 24; shift >= 0; shift -= 8) {
    p = put_octet(p, a >> shift & 255u);
    if (shift) *p++ = '.';
  }
  *p = '\0';
  return buf;
}

int ip4_addr_parse(const char *s, ip4_addr_t *out) {
  uint32_t v = 0;
  for (int part = 0; part < 4; part++) {
    if (*s < '0' || *s > '9') return WIRE_EMALFORMED;
    unsigned n = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9') {
      n = n * 10 + (unsigned)(*s++ - '0');
      if (++digits > 3 || n > 255) return WIRE_EMALFORMED;
    }
    v = v << 8 | n;
    if (part < 3 && *s++ != '.') return WIRE_EMALFORMED;
  }
  if (*s) return WIRE_EMALFORMED;
  *out = v;
  return WIRE_OK;
}
