/* The streaming JSON writer (see jsonw.h). */
#include "reports/jsonw.h"

#include <inttypes.h>

void lwsim_jsonw_init(struct lwsim_jsonw *w, FILE *f) {
  w->f = f;
  w->depth = 0;
  w->count[0] = 0;
}

void lwsim_jsonw_quote(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\t': fputs("\\t", f); break;
    case '\r': fputs("\\r", f); break;
    default:
      if (*p < 0x20) fprintf(f, "\\u%04x", *p);
      else fputc(*p, f);
    }
  }
  fputc('"', f);
}

static void indent(struct lwsim_jsonw *w) {
  for (int i = 0; i < w->depth; i++) fputs("  ", w->f);
}

/* Separator, newline, indent and key before a member. */
static void member(struct lwsim_jsonw *w, const char *key) {
  if (w->depth > 0) {
    fputs(w->count[w->depth] ? ",\n" : "\n", w->f);
    indent(w);
  }
  w->count[w->depth]++;
  if (key) {
    lwsim_jsonw_quote(w->f, key);
    fputs(": ", w->f);
  }
}

static void open_level(struct lwsim_jsonw *w, const char *key, char c) {
  member(w, key);
  fputc(c, w->f);
  if (w->depth + 1 < LWSIM_JSONW_DEPTH) w->depth++;
  w->count[w->depth] = 0;
}

static void close_level(struct lwsim_jsonw *w, char c) {
  int had = w->count[w->depth];
  if (w->depth > 0) w->depth--;
  if (had) {
    fputc('\n', w->f);
    indent(w);
  }
  fputc(c, w->f);
  if (w->depth == 0) fputc('\n', w->f);
}

void lwsim_jsonw_object(struct lwsim_jsonw *w, const char *key) { open_level(w, key, '{'); }
void lwsim_jsonw_array(struct lwsim_jsonw *w, const char *key) { open_level(w, key, '['); }
void lwsim_jsonw_end_object(struct lwsim_jsonw *w) { close_level(w, '}'); }
void lwsim_jsonw_end_array(struct lwsim_jsonw *w) { close_level(w, ']'); }

void lwsim_jsonw_str(struct lwsim_jsonw *w, const char *key, const char *v) {
  member(w, key);
  if (v) lwsim_jsonw_quote(w->f, v);
  else fputs("null", w->f);
}

void lwsim_jsonw_u64(struct lwsim_jsonw *w, const char *key, uint64_t v) {
  member(w, key);
  fprintf(w->f, "%" PRIu64, v);
}

void lwsim_jsonw_i64(struct lwsim_jsonw *w, const char *key, int64_t v) {
  member(w, key);
  fprintf(w->f, "%" PRId64, v);
}

void lwsim_jsonw_bool(struct lwsim_jsonw *w, const char *key, int v) {
  member(w, key);
  fputs(v ? "true" : "false", w->f);
}
