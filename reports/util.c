/* Strings, arrays, files and paths (see util.h). */
#include "reports/util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *lwsim_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

char *lwsim_aprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *s = malloc((size_t)n + 1);
  if (!s) return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

void *lwsim_grow(void **v, size_t *cap, size_t need, size_t size) {
  if (need <= *cap && *v) return *v;
  size_t ncap = *cap ? *cap : 4;
  while (ncap < need) ncap *= 2;
  void *nv = realloc(*v, ncap * size);
  if (!nv) return NULL;
  *v = nv;
  *cap = ncap;
  return nv;
}

char *lwsim_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  int err = ferror(f);
  fclose(f);
  if (!buf) {
    errno = ENOMEM;
    return NULL;
  }
  if (err) {
    free(buf);
    errno = EIO;
    return NULL;
  }
  buf[n] = 0;
  if (len) *len = n;
  return buf;
}

int lwsim_close_file(FILE *f) {
  int rc = fflush(f) != 0 || ferror(f) ? -1 : 0;
  int e = errno;
  if (fclose(f) != 0 && rc == 0) return -1;
  if (rc) errno = e ? e : EIO;
  return rc;
}

int lwsim_write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  fwrite(data, 1, len, f);
  return lwsim_close_file(f);
}

int lwsim_mkdirs(const char *path) {
  char *p = lwsim_strdup(path);
  if (!p) return -1;
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0755) < 0 && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
  free(p);
  return rc;
}

char *lwsim_path_join(const char *a, const char *b) {
  if (b[0] == '/' || !a[0]) return lwsim_strdup(b);
  size_t la = strlen(a);
  return lwsim_aprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *lwsim_path_dir(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return lwsim_strdup(".");
  if (slash == path) return lwsim_strdup("/");
  char *d = malloc((size_t)(slash - path) + 1);
  if (!d) return NULL;
  memcpy(d, path, (size_t)(slash - path));
  d[slash - path] = 0;
  return d;
}

char *lwsim_path_stem(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
  char *s = malloc(n + 1);
  if (!s) return NULL;
  memcpy(s, base, n);
  s[n] = 0;
  return s;
}

char *lwsim_path_relative(const char *path, const char *base) {
  char rp[PATH_MAX], rb[PATH_MAX];
  if (!realpath(path, rp) || !realpath(base, rb)) return lwsim_strdup(path);
  if (strcmp(rb, "/") == 0) return lwsim_strdup(rp);
  /* common leading components */
  size_t i = 0, last = 0;
  while (rp[i] && rp[i] == rb[i]) {
    if (rp[i] == '/') last = i;
    i++;
  }
  if (!rb[i] && (rp[i] == '/' || !rp[i])) last = i; /* base is a prefix folder of path */
  if (!rp[i] && !rb[i]) return lwsim_strdup(".");
  /* one ".." per remaining component of base */
  size_t ups = 0;
  for (const char *s = rb + last; *s; s++)
    if (*s == '/') ups++;
  if (ups > 8) return lwsim_strdup(path); /* far apart: keep the path given */
  const char *rest = rp[last] == '/' ? rp + last + 1 : rp + last;
  size_t cap = ups * 3 + strlen(rest) + 2;
  char *out = malloc(cap);
  if (!out) return NULL;
  out[0] = 0;
  for (size_t k = 0; k < ups; k++) strcat(out, "../");
  strcat(out, rest);
  if (!out[0]) strcpy(out, ".");
  size_t n = strlen(out);
  if (n > 1 && out[n - 1] == '/') out[n - 1] = 0;
  return out;
}
