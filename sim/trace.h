/* The canonical trace: one JSON object per line, and a running hash.
 *
 * Each event is written as
 *   {"t":<virtual ns>,"node":"<node>","kind":"<kind>",<fields in call order>}
 * with integers in decimal, strings JSON-escaped (only '"', '\\' and bytes
 * below 0x20 are escaped, as \" \\ and \u00XX) and byte strings as lowercase
 * hex. Nothing else goes in: no pointers, no wall-clock values, no floats,
 * so the bytes are the same in every build.
 *
 * The trace hash is FNV-1a 64 (offset basis 0xcbf29ce484222325, prime
 * 0x100000001b3) over every byte of every line, newlines included: exactly
 * the bytes of the trace file, so `lwsim`'s hash of a run can be checked
 * against the file. The hash is computed even when no file is written.
 *
 * Usage: sim_trace_begin(); any number of field calls; sim_trace_end().
 * Field keys are caller-chosen literals: they are written as given.
 */
#ifndef LWSIM_SIM_TRACE_H
#define LWSIM_SIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"

struct sim_trace;

/* Open a trace; path NULL keeps only the hash. SIM_EIO (errno tells why)
 * when the file cannot be created. */
int sim_trace_open(struct sim_trace **out, const char *path);
/* Flush, close and free t. Returns 0, or the first error since open:
 * SIM_EIO for a failed write, SIM_ENOMEM when a line could not be built. */
int sim_trace_close(struct sim_trace *t);

void sim_trace_begin(struct sim_trace *t, sim_time_t time, const char *node, const char *kind);
void sim_trace_int(struct sim_trace *t, const char *key, int64_t v);
void sim_trace_uint(struct sim_trace *t, const char *key, uint64_t v);
void sim_trace_str(struct sim_trace *t, const char *key, const char *v);
void sim_trace_hex(struct sim_trace *t, const char *key, const void *data, size_t n);
void sim_trace_end(struct sim_trace *t);

uint64_t sim_trace_hash(const struct sim_trace *t);
uint64_t sim_trace_events(const struct sim_trace *t);

/* FNV-1a 64 of a byte string continued from h (start with SIM_FNV_BASIS):
 * the trace hash's algorithm, exported for frame digests and tools. */
#define SIM_FNV_BASIS 0xcbf29ce484222325ULL
uint64_t sim_fnv1a64(uint64_t h, const void *data, size_t n);

#endif
