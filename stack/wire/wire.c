/* Shared bits of stack/wire/: error text, address formatting. */
#include "stack/wire/wire.h"

#include <stdio.h>

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

char *ip4_addr_format(ip4_addr_t a, char buf[16]) {
  snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16 & 255),
           (unsigned)(a >> 8 & 255), (unsigned)(a & 255));
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
