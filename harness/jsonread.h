/* Typed reading of JSON values with diagnostics: the validation half of the
 * scenario loader.
 *
 * Every reader takes the JSON Pointer (RFC 6901) of what it reads, and on a
 * mismatch records one diagnostic "found X, expected Y" under that path,
 * then returns -1 and leaves *out unchanged. Nothing stops at the first
 * error: the caller goes on reading, so a file's every problem is listed.
 * Nothing here prints.
 */
#ifndef LWSIM_HARNESS_JSONREAD_H
#define LWSIM_HARNESS_JSONREAD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim/engine.h"
#include "stack/wire/wire.h"

/* One diagnostic: a JSON Pointer ("" is the document) and a message. */
struct lwsim_diag {
  char *path;
  char *msg;
};

/* The diagnostics of one file, in the order they were found. */
struct lwsim_diags {
  char *file;
  struct lwsim_diag *v;
  size_t n, cap;
  int oom; /* an allocation failed: some diagnostics may be missing */
};

void lwsim_diags_init(struct lwsim_diags *d, const char *file);
void lwsim_diags_free(struct lwsim_diags *d);
void lwsim_diags_add(struct lwsim_diags *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "FILE: PATH: MSG" for diagnostic i into buf (the root path shows as "/"). */
void lwsim_diag_format(const struct lwsim_diags *d, size_t i, char *buf, size_t cap);

/* Paths: out = path + "/" + key (key escaped as RFC 6901 says: ~ -> ~0,
 * / -> ~1) or path + "/" + index. Truncated to LWSIM_PATH_MAX - 1 bytes. */
#define LWSIM_PATH_MAX 256
void lwsim_path_key(char out[LWSIM_PATH_MAX], const char *path, const char *key);
void lwsim_path_index(char out[LWSIM_PATH_MAX], const char *path, size_t index);

/* A short description of a value for "found ...": "the string \"abc\"",
 * "the number 1.5", "an object", "an array", "true", "null". */
void lwsim_json_describe(const cJSON *v, char *buf, size_t cap);

/* Levenshtein distance of two ASCII strings (case-sensitive). */
size_t lwsim_edit_distance(const char *a, const char *b);
/* The candidate closest to `word` if close enough to be a likely typo
 * (distance <= 2, and less than half of word's length), else NULL. */
const char *lwsim_did_you_mean(const char *word, const char *const *candidates, size_t n);

/* Checks that v is an object whose keys are all in `allowed` (NULL
 * terminated) and that no key appears twice; records each offender (with a
 * did-you-mean). Returns 0 when v is an object (even with bad keys: the
 * caller may read on), -1 when it is not. */
int lwsim_jr_object(struct lwsim_diags *d, const cJSON *v, const char *path,
                    const char *const *allowed);
int lwsim_jr_array(struct lwsim_diags *d, const cJSON *v, const char *path);

/* Field readers: look up `key` in object obj at `path`. Return 1 when the
 * key is present and valid (*out set), 0 when absent and not required
 * (*out untouched), -1 on an error (recorded; a missing required key
 * counts as an error, `what` describes what is expected there). */
int lwsim_jr_string(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                    int required, const char *what, const char **out);
/* A name: 1..max_len bytes of [A-Za-z0-9_.-], starting with a letter or
 * digit (names end up in file names and trace lines). */
int lwsim_jr_name(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, size_t max_len, const char **out);
int lwsim_jr_bool(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, int *out);
/* An integer in [min, max] (JSON numbers with a fraction are rejected). */
int lwsim_jr_int(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                 int required, int64_t min, int64_t max, int64_t *out);
/* A 64-bit unsigned integer: a JSON integer up to 2^53, or a string of
 * decimal digits for larger values. */
int lwsim_jr_u64(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                 int required, uint64_t *out);
/* A probability: a number in [0, 1]. */
int lwsim_jr_prob(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, double *out);
/* A duration >= 0: integer nanoseconds or a string (see lwsim_duration_parse). */
int lwsim_jr_duration(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                      int required, sim_time_t *out);
/* A rate in bit/s: an integer or a string "100Mbps" (bps, kbps, Mbps, Gbps). */
int lwsim_jr_rate(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, uint64_t *out);
int lwsim_jr_ip(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                int required, ip4_addr_t *out);
/* "10.0.0.1/24": address and prefix length 0..32. */
int lwsim_jr_cidr(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, ip4_addr_t *addr, int *prefix);
int lwsim_jr_mac(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                 int required, struct eth_addr *out);
/* One of `choices` (NULL terminated): *out is its index. */
int lwsim_jr_enum(struct lwsim_diags *d, const cJSON *obj, const char *path, const char *key,
                  int required, const char *const *choices, int *out);

/* Durations: "<number><unit>" with unit ns, us, ms or s and a decimal
 * number that may have a fraction ("1.5s", "250ms", "10us", "7ns"), or a
 * plain decimal integer of nanoseconds. Exact integer arithmetic (no
 * floating point): a value that is not a whole number of nanoseconds, is
 * negative, or overflows is rejected. 0 or -1. */
int lwsim_duration_parse(const char *s, sim_time_t *out);
/* Shortest exact form: "1.5s", "250ms", "0s". */
void lwsim_duration_format(sim_time_t t, char *buf, size_t cap);
/* "100Mbps" -> 100000000; 0 or -1. */
int lwsim_rate_parse(const char *s, uint64_t *out);
/* "02:00:00:00:00:01"; 0 or -1. */
int lwsim_mac_parse(const char *s, struct eth_addr *out);
/* "10.0.0.0/24"; 0 or -1. */
int lwsim_cidr_parse(const char *s, ip4_addr_t *addr, int *prefix);

#endif
