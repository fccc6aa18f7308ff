/* A small streaming JSON writer with a fixed layout (two-space indent,
 * keys in call order, integers only as the caller gives them): the same
 * calls always give the same bytes. Internal to lwsim_reports. */
#ifndef LWSIM_REPORTS_JSONW_H
#define LWSIM_REPORTS_JSONW_H

#include <stdint.h>
#include <stdio.h>

#define LWSIM_JSONW_DEPTH 32

struct lwsim_jsonw {
  FILE *f;
  int depth;
  int count[LWSIM_JSONW_DEPTH]; /* members written at each level */
};

void lwsim_jsonw_init(struct lwsim_jsonw *w, FILE *f);
/* key is NULL inside arrays (and for the document's root). */
void lwsim_jsonw_object(struct lwsim_jsonw *w, const char *key);
void lwsim_jsonw_array(struct lwsim_jsonw *w, const char *key);
void lwsim_jsonw_end_object(struct lwsim_jsonw *w);
void lwsim_jsonw_end_array(struct lwsim_jsonw *w);
void lwsim_jsonw_str(struct lwsim_jsonw *w, const char *key, const char *v); /* NULL: null */
void lwsim_jsonw_u64(struct lwsim_jsonw *w, const char *key, uint64_t v);
void lwsim_jsonw_i64(struct lwsim_jsonw *w, const char *key, int64_t v);
void lwsim_jsonw_bool(struct lwsim_jsonw *w, const char *key, int v);
/* A JSON string literal for s (quotes included). */
void lwsim_jsonw_quote(FILE *f, const char *s);

#endif
