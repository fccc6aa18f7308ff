/* Sweeps: every scenario x seed as its own child process (`lwsim run`),
 * several at once, results collected from each run folder in a fixed
 * order whatever order the children finish in.
 *
 * Work order (and so sharding): scenario files sorted by path (strcmp),
 * each with its seeds in the order given; shard I/N takes the items whose
 * index is I-1 modulo N. The same inputs give the same shards on every
 * machine, so CI jobs can split a sweep and `lwsim merge` join it.
 */
#ifndef LWSIM_HARNESS_SWEEP_H
#define LWSIM_HARNESS_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/report.h"

struct lwsim_sweep_item {
  char *file;
  uint64_t seed;
  char *dir; /* the run folder */
};

/* Expand paths (files, and folders: their *.json, not recursive) into a
 * sorted, duplicate-free list of files. -1 with err on a path that is
 * neither. */
int lwsim_sweep_files(char *const *paths, size_t n, char ***files, size_t *nfiles, char *err,
                      size_t cap);
void lwsim_sweep_strings_free(char **v, size_t n);

/* files x seeds (seeds NULL: one item per file with seed `dflt_seeds[i]`,
 * i.e. each scenario's own), sharded (shard_n 0: all), run folders
 * out/runs/<file stem>/seed-<seed> (stems made unique in file order). */
int lwsim_sweep_plan(char *const *files, size_t nfiles, const uint64_t *seeds, size_t nseeds,
                     const uint64_t *dflt_seeds, unsigned shard_i, unsigned shard_n,
                     const char *out, struct lwsim_sweep_item **items, size_t *nitems);
void lwsim_sweep_items_free(struct lwsim_sweep_item *items, size_t n);

struct lwsim_sweep_opts {
  const char *exe;   /* the program to run ("/proc/self/exe") */
  const char *argv0; /* its argv[0] (shown in replay commands) */
  unsigned jobs;     /* children at once (>= 1) */
  int trace, pcap, check_determinism;
  FILE *progress;    /* where progress goes (NULL: none) */
  int bar;           /* 1: a redrawn bar (a terminal), 0: one line per run */
  int color;
};

/* Run every item; runs[i] gets item i's record (read back from its
 * results.json, or an error record when the child produced none). 0, or
 * -1 with err when children cannot be started at all. */
int lwsim_sweep_run(const struct lwsim_sweep_item *items, size_t n,
                    const struct lwsim_sweep_opts *o, struct lwsim_report_run *runs, char *err,
                    size_t cap);

#endif
