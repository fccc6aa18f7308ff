/* lwsim_reports: the result model of runs and suites, and its outputs:
 * results.json (one run), summary.json, JUnit XML and a self-contained
 * report.html (verdicts, failure details, packet timelines, the
 * conformance matrix).
 *
 * The model is plain data (strings and integers), independent of the
 * simulator: the harness fills it after a run, a sweep reads it back from
 * each run folder, `lwsim merge` from several sweeps. Every output is a
 * function of the model only (no wall clock, no addresses), so the same
 * runs give byte-identical files.
 *
 * Errors: functions return 0, or -1 with errno set (ENOMEM, or the I/O
 * error); readers also fill a message buffer. Nothing here prints.
 */
#ifndef LWSIM_REPORTS_REPORT_H
#define LWSIM_REPORTS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum lwsim_verdict { LWSIM_VERDICT_PASS, LWSIM_VERDICT_FAIL, LWSIM_VERDICT_ERROR };
/* "pass", "fail", "error". */
const char *lwsim_verdict_name(int verdict);
/* The verdict named s, or -1. */
int lwsim_verdict_parse(const char *s);

/* An ordered list of named counters. */
struct lwsim_report_kv {
  char *name;
  uint64_t value;
};
struct lwsim_report_kvs {
  struct lwsim_report_kv *v;
  size_t n, cap;
};
int lwsim_report_kvs_add(struct lwsim_report_kvs *k, const char *name, uint64_t value);
/* The value of name, or `dflt`. */
uint64_t lwsim_report_kvs_get(const struct lwsim_report_kvs *k, const char *name, uint64_t dflt);

struct lwsim_report_check {
  char *name, *kind, *detail;
  int verdict; /* pass or fail */
};

struct lwsim_report_finding {
  char *kind, *node, *where, *detail;
  int64_t time; /* virtual ns */
};

struct lwsim_report_node {
  char *name;
  struct lwsim_report_kvs stats; /* every stack counter, "drops.<cause>" included */
};

/* The counters of one impairment set: a port's tx or rx. */
struct lwsim_report_port {
  char *medium, *node, *port, *dir;
  struct lwsim_report_kvs counters; /* frames/bytes in/out and per cause */
};

struct lwsim_report_app {
  char *name, *kind, *node;
  struct lwsim_report_kvs results;
};

/* A frame on the packet timeline: from column `from` at t0 to column `to`
 * at t1 (delivered), or dropped at t1 (`cause`): to is then the intended
 * receiver, or -1 when it was dropped before leaving the sender. */
struct lwsim_report_tl_event {
  int64_t t0, t1;
  int from, to;
  int dropped;
  char *label, *cause;
};
struct lwsim_report_timeline {
  char **columns; /* node names */
  size_t ncolumns;
  struct lwsim_report_tl_event *v;
  size_t n;
  size_t total; /* frames in the run (n may be fewer: the timeline is capped) */
};

struct lwsim_report_run {
  char *scenario, *file, *engine, *description;
  char *dir;    /* the run folder (as the writer of the record saw it) */
  char *replay; /* the command that replays the run exactly */
  char *error;  /* why the verdict is "error" (NULL otherwise) */
  uint64_t seed, trace_hash;
  int64_t virtual_time; /* ns */
  int verdict;
  char **requirements;
  size_t nrequirements;
  char **tags;
  size_t ntags;
  struct lwsim_report_check *checks;
  size_t nchecks;
  struct lwsim_report_finding *findings;
  size_t nfindings;
  struct lwsim_report_node *nodes;
  size_t nnodes;
  struct lwsim_report_port *ports;
  size_t nports;
  struct lwsim_report_app *apps;
  size_t napps;
  struct lwsim_report_timeline timeline;
  char **files; /* what the run folder holds (trace, pcaps) */
  size_t nfiles;
};

/* Zero a run / free everything it holds (and zero it again). */
void lwsim_report_run_init(struct lwsim_report_run *r);
void lwsim_report_run_free(struct lwsim_report_run *r);

/* Appenders: each copies its strings; NULL on ENOMEM. */
int lwsim_report_set(char **field, const char *value);
int lwsim_report_add_string(char ***v, size_t *n, const char *s);
struct lwsim_report_check *lwsim_report_add_check(struct lwsim_report_run *r, const char *name,
                                                  const char *kind, int verdict,
                                                  const char *detail);
struct lwsim_report_finding *lwsim_report_add_finding(struct lwsim_report_run *r,
                                                      const char *kind, const char *node,
                                                      const char *where, const char *detail,
                                                      int64_t time);
struct lwsim_report_node *lwsim_report_add_node(struct lwsim_report_run *r, const char *name);
struct lwsim_report_port *lwsim_report_add_port(struct lwsim_report_run *r, const char *medium,
                                                const char *node, const char *port,
                                                const char *dir);
struct lwsim_report_app *lwsim_report_add_app(struct lwsim_report_run *r, const char *name,
                                              const char *kind, const char *node);
int lwsim_report_tl_column(struct lwsim_report_timeline *t, const char *name);
struct lwsim_report_tl_event *lwsim_report_tl_add(struct lwsim_report_timeline *t, int64_t t0,
                                                  int64_t t1, int from, int to, int dropped,
                                                  const char *label, const char *cause);

/* The number of checks of r that did not pass. */
size_t lwsim_report_failed_checks(const struct lwsim_report_run *r);

/* results.json: write r to path / read it back (err: a message). */
int lwsim_report_run_write(const struct lwsim_report_run *r, const char *path);
int lwsim_report_run_read(struct lwsim_report_run *r, const char *path, char *err, size_t cap);

/* ------------------------------------------------------------ suites --- */

/* One requirement of the conformance catalog (docs/conformance/). */
struct lwsim_conformance_req {
  char *id;  /* "RFC9293:MUST-1": the document's "rfc", a colon, the entry's "id" */
  char *rfc; /* "RFC9293" */
  char *text, *status, *reason;
};
struct lwsim_conformance {
  struct lwsim_conformance_req *v;
  size_t n;
};
/* Read every *.json in dir (sorted by name). A missing dir is no error (an
 * empty catalog); a malformed file is (err names it). */
int lwsim_conformance_load(struct lwsim_conformance *c, const char *dir, char *err, size_t cap);
void lwsim_conformance_free(struct lwsim_conformance *c);

struct lwsim_report_suite {
  const char *title;   /* "lwsim suite" */
  const char *tool;    /* "lwsim 0.1.0" */
  const char *shard;   /* "1/4", or NULL */
  struct lwsim_report_run *runs; /* in a deterministic order */
  size_t nruns;
  const struct lwsim_conformance *conformance; /* may be NULL */
  /* Runs whose timelines report.html draws when they passed: at most this
   * many frames (failed runs always get theirs). */
  size_t timeline_pass_limit;
};

struct lwsim_report_totals {
  size_t runs, pass, fail, error, scenarios;
};
void lwsim_report_totals(const struct lwsim_report_suite *s, struct lwsim_report_totals *t);

/* JUnit XML: a <testsuite> per scenario, a <testcase> per scenario x seed,
 * failures with the failed checks and the replay command. */
int lwsim_report_write_junit(const struct lwsim_report_suite *s, const char *path);
int lwsim_report_junit(const struct lwsim_report_suite *s, FILE *f);
/* summary.json: totals and one entry per run (with its folder, relative
 * to the summary's own folder when it lies under it). */
int lwsim_report_write_summary(const struct lwsim_report_suite *s, const char *path);
/* report.html, self-contained. */
int lwsim_report_write_html(const struct lwsim_report_suite *s, const char *path);
int lwsim_report_html(const struct lwsim_report_suite *s, FILE *f);

/* summary.json back: the run folders it lists, resolved against the
 * summary's folder (caller frees each and the array). */
int lwsim_report_summary_dirs(const char *path, char ***dirs, size_t *n, char *err, size_t cap);

/* Escapers (write s to f): XML/HTML text and attribute values. */
void lwsim_report_xml_escape(FILE *f, const char *s);

#endif
