#include "sim/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/err.h"

/* One line is built in buf, then hashed and written whole. */
struct sim_trace {
  FILE *f;
  int err; /* first write error, as a negative code */
  uint64_t hash;
  uint64_t events;
  char *buf;
  size_t len, cap;
};

uint64_t sim_fnv1a64(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

int sim_trace_open(struct sim_trace **out, const char *path) {
  *out = NULL;
  struct sim_trace *t = calloc(1, sizeof *t);
  if (!t) return SIM_ENOMEM;
  t->hash = SIM_FNV_BASIS;
  t->cap = 256;
  t->buf = malloc(t->cap);
  if (!t->buf) {
    free(t);
    return SIM_ENOMEM;
  }
  if (path) {
    t->f = fopen(path, "w");
    if (!t->f) {
      int e = errno;
      free(t->buf);
      free(t);
      errno = e;
      return SIM_EIO;
    }
  }
  *out = t;
  return SIM_OK;
}

int sim_trace_close(struct sim_trace *t) {
  if (!t) return SIM_OK;
  int err = t->err;
  if (t->f && fclose(t->f) != 0 && !err) err = SIM_EIO;
  free(t->buf);
  free(t);
  return err;
}

/* Grow buf to hold n more bytes; on failure the line is marked broken
 * (err set) and further appends are dropped. */
static int room(struct sim_trace *t, size_t n) {
  if (t->len + n <= t->cap) return 1;
  size_t cap = t->cap;
  while (cap < t->len + n) cap *= 2;
  char *b = realloc(t->buf, cap);
  if (!b) {
    if (!t->err) t->err = SIM_ENOMEM;
    return 0;
  }
  t->buf = b;
  t->cap = cap;
  return 1;
}

static void put(struct sim_trace *t, const char *s, size_t n) {
  if (!room(t, n)) return;
  memcpy(t->buf + t->len, s, n);
  t->len += n;
}

static void put_str(struct sim_trace *t, const char *s) {
  static const char hex[] = "0123456789abcdef";
  put(t, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if (*p == '"' || *p == '\\') {
      char esc[2] = {'\\', (char)*p};
      put(t, esc, 2);
    } else if (*p < 0x20) {
      char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
      put(t, esc, 6);
    } else {
      put(t, (const char *)p, 1);
    }
  }
  put(t, "\"", 1);
}

static void put_key(struct sim_trace *t, const char *key) {
  put(t, ",", 1);
  put_str(t, key);
  put(t, ":", 1);
}

void sim_trace_begin(struct sim_trace *t, sim_time_t time, const char *node, const char *kind) {
  char num[24];
  t->len = 0;
  put(t, "{\"t\":", 5);
  put(t, num, (size_t)snprintf(num, sizeof num, "%" PRId64, time));
  put_key(t, "node");
  put_str(t, node);
  put_key(t, "kind");
  put_str(t, kind);
}

void sim_trace_int(struct sim_trace *t, const char *key, int64_t v) {
  char num[24];
  put_key(t, key);
  put(t, num, (size_t)snprintf(num, sizeof num, "%" PRId64, v));
}

void sim_trace_uint(struct sim_trace *t, const char *key, uint64_t v) {
  char num[24];
  put_key(t, key);
  put(t, num, (size_t)snprintf(num, sizeof num, "%" PRIu64, v));
}

void sim_trace_str(struct sim_trace *t, const char *key, const char *v) {
  put_key(t, key);
  put_str(t, v);
}

void sim_trace_hex(struct sim_trace *t, const char *key, const void *data, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = data;
  put_key(t, key);
  put(t, "\"", 1);
  if (room(t, 2 * n)) {
    for (size_t i = 0; i < n; i++) {
      t->buf[t->len++] = hex[p[i] >> 4];
      t->buf[t->len++] = hex[p[i] & 15];
    }
  }
  put(t, "\"", 1);
}

void sim_trace_end(struct sim_trace *t) {
  put(t, "}\n", 2);
  t->hash = sim_fnv1a64(t->hash, t->buf, t->len);
  t->events++;
  if (t->f && fwrite(t->buf, 1, t->len, t->f) != t->len && !t->err) t->err = SIM_EIO;
  t->len = 0;
}

uint64_t sim_trace_hash(const struct sim_trace *t) { return t->hash; }
uint64_t sim_trace_events(const struct sim_trace *t) { return t->events; }
