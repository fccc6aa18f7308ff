/* The runner: builds the world of a loaded scenario, runs it to its
 * duration on virtual time, evaluates the checks and fills a run record
 * (reports/report.h).
 *
 * Determinism: everything random comes from streams derived from the run's
 * seed (media "media/<medium>/<node>/<port>/tx|rx", nodes "node/<name>");
 * events at equal times run in the order they were scheduled: app starts
 * (in file order), then actions (in file order); no wall clock, no
 * addresses reach the trace. The same scenario and seed give the same
 * trace hash in every run and build.
 *
 * With an output folder the run leaves there: scenario.json (the file's
 * bytes), results.json, trace.jsonl (kept with `trace` or when the run did
 * not pass) and one <medium>.pcap per medium (with `pcap`, or when the run
 * did not pass: the run is then repeated with captures on, which also
 * proves it replays to the same hash).
 */
#ifndef LWSIM_HARNESS_RUNNER_H
#define LWSIM_HARNESS_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "harness/scenario.h"
#include "reports/report.h"

enum {
  LWSIM_RUN_OK = 0,
  LWSIM_RUN_EINPUT = -1,    /* the scenario cannot run as written (message says why) */
  LWSIM_RUN_EIO = -2,       /* the output folder cannot be written */
  LWSIM_RUN_EINTERNAL = -3, /* out of memory or a broken invariant */
};

struct lwsim_run_opts {
  uint64_t seed;
  int seed_given;          /* else the scenario's own "seed" */
  const char *out_dir;     /* NULL: write nothing (the hash is still computed) */
  int trace;               /* keep trace.jsonl even when the run passes */
  int pcap;                /* write captures even when the run passes */
  int check_determinism;   /* run twice; a different trace fails the run */
  const char *prog;        /* program name in the replay command ("lwsim") */
  size_t timeline_max;     /* frames on the timeline (0: 300) */
  size_t timeline_always;  /* passing runs with at most this many frames get a
                              timeline too (0: 120) */
};

/* Run sc. Returns LWSIM_RUN_OK with *out filled (verdict pass or fail), or
 * a negative LWSIM_RUN_E* code with err set; *out then holds what is known
 * (verdict error) and, with an output folder, results.json says so too.
 * The caller frees *out (lwsim_report_run_free). */
int lwsim_run_scenario(const struct lwsim_scenario *sc, const struct lwsim_run_opts *o,
                       struct lwsim_report_run *out, char *err, size_t cap);

/* "the runs diverge at trace line N: first run ..., second run ..." for
 * two trace files, into buf. */
void lwsim_trace_first_difference(const char *a, const char *b, char *buf, size_t cap);

/* Shell-quote s (single quotes when it holds anything but [A-Za-z0-9_./:=+-]). */
char *lwsim_shell_quote(const char *s);

#endif
