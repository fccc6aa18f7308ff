/* report.html: one self-contained page (inline CSS and SVG, no script, no
 * fetch) that a person reads after a sweep.
 *
 * Sections: totals; the verdict table (scenarios x seeds); failure details
 * (failed checks, findings, the replay command, the packet timeline); the
 * conformance matrix (requirement -> scenarios -> verdict, with totals per
 * RFC); per scenario its checks over every seed, its runs and one packet
 * timeline. Passing runs stay one table row each, so a sweep of thousands
 * of runs still gives a page a browser opens quickly. Every string that comes from a
 * scenario or a run passes through esc(): a scenario named "<script>"
 * shows as text. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "reports/internal.h"
#include "reports/util.h"

static void esc(FILE *f, const char *s) { lwsim_report_xml_escape(f, s ? s : ""); }

/* "1.250 ms" style virtual time. */
static void fmt_time(char *buf, size_t cap, int64_t ns) {
  if (ns >= 1000000000) snprintf(buf, cap, "%.3f s", (double)ns / 1e9);
  else if (ns >= 1000000) snprintf(buf, cap, "%.3f ms", (double)ns / 1e6);
  else if (ns >= 1000) snprintf(buf, cap, "%.3f us", (double)ns / 1e3);
  else snprintf(buf, cap, "%" PRId64 " ns", ns);
}

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d232b;"
    "background:#f6f7f9}"
    "header{background:#1d2b3a;color:#fff;padding:18px 32px}"
    "header h1{margin:0;font-size:22px}header .sub{opacity:.75;font-size:13px}"
    "main{padding:8px 32px 48px;max-width:1400px}"
    "h2{margin:28px 0 10px;font-size:18px;border-bottom:2px solid #d8dde3;padding-bottom:4px}"
    "h3{font-size:15px;margin:18px 0 6px}"
    ".totals{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}"
    ".tot{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:10px 18px;"
    "min-width:90px}.tot b{display:block;font-size:24px}"
    "table{border-collapse:collapse;background:#fff;margin:6px 0 12px}"
    "th,td{border:1px solid #d8dde3;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eef1f4;font-weight:600}"
    ".pass{background:#dff3e4;color:#17612e}.fail{background:#fbe0e0;color:#9b1c1c}"
    ".error{background:#fdeccd;color:#8a4b00}.na{background:#eceff3;color:#555}"
    ".nc{background:#fff;color:#888}"
    "td.v a,td.v span{display:block;text-decoration:none;color:inherit;font-weight:600}"
    "code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#eef1f4;"
    "padding:1px 4px;border-radius:3px}"
    "pre{padding:8px;overflow-x:auto;white-space:pre-wrap}"
    ".run{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:8px 16px;"
    "margin:12px 0}"
    "details>summary{cursor:pointer;font-weight:600}"
    ".muted{color:#667}.svgwrap{overflow-x:auto;border:1px solid #d8dde3;background:#fff}"
    "svg text{font:11px ui-monospace,Menlo,Consolas,monospace}";

/* -------------------------------------------------------- timelines --- */

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Row of time t among the sorted unique times. */
static size_t row_of(const int64_t *times, size_t n, int64_t t) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

#define TL_LEFT 110
#define TL_COL 170
#define TL_TOP 46
#define TL_ROW 20

/* A sequence diagram: nodes as columns, frames as arrows going down in
 * virtual time (rows are the distinct times, in order), drops as red
 * crosses with their cause. */
static void timeline_svg(FILE *f, const struct lwsim_report_timeline *t) {
  if (!t->n || !t->ncolumns) {
    fputs("<p class=\"muted\">No frames on the timeline.</p>\n", f);
    return;
  }
  int64_t *times = malloc(2 * t->n * sizeof *times);
  if (!times) return;
  size_t nt = 0;
  for (size_t i = 0; i < t->n; i++) {
    times[nt++] = t->v[i].t0;
    times[nt++] = t->v[i].t1;
  }
  qsort(times, nt, sizeof *times, cmp_i64);
  size_t u = 0;
  for (size_t i = 0; i < nt; i++)
    if (u == 0 || times[u - 1] != times[i]) times[u++] = times[i];
  int width = TL_LEFT + (int)t->ncolumns * TL_COL + 20;
  int height = TL_TOP + (int)u * TL_ROW + 20;
  fputs("<div class=\"svgwrap\">", f);
  fprintf(f,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"packet timeline\">\n",
          width, height, width, height);
  fputs("<defs><marker id=\"ah\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
        "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" "
        "fill=\"#2b5c8a\"/></marker></defs>\n",
        f);
  for (size_t c = 0; c < t->ncolumns; c++) {
    int x = TL_LEFT + (int)c * TL_COL + TL_COL / 2;
    fprintf(f, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">", x);
    esc(f, t->columns[c]);
    fprintf(f, "</text><line x1=\"%d\" y1=\"28\" x2=\"%d\" y2=\"%d\" stroke=\"#aab4bf\" "
               "stroke-dasharray=\"3,3\"/>\n",
            x, x, height - 10);
  }
  for (size_t r = 0; r < u; r++) {
    char tb[32];
    fmt_time(tb, sizeof tb, times[r]);
    fprintf(f, "<text x=\"6\" y=\"%d\" fill=\"#667\">%s</text>\n", TL_TOP + (int)r * TL_ROW + 4,
            tb);
  }
  for (size_t i = 0; i < t->n; i++) {
    const struct lwsim_report_tl_event *e = &t->v[i];
    int x0 = TL_LEFT + e->from * TL_COL + TL_COL / 2;
    int y0 = TL_TOP + (int)row_of(times, u, e->t0) * TL_ROW;
    int y1 = TL_TOP + (int)row_of(times, u, e->t1) * TL_ROW;
    int x1 = e->to >= 0 ? TL_LEFT + e->to * TL_COL + TL_COL / 2 : x0 + 50;
    if (e->dropped) {
      int xm = e->to >= 0 ? (x0 + x1) / 2 : x1; /* a drop on the wire: halfway */
      fprintf(f, "<g><title>");
      esc(f, e->label);
      fputs(" dropped: ", f);
      esc(f, e->cause);
      fprintf(f, "</title><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c0392b\" "
                 "stroke-dasharray=\"4,3\"/>",
              x0, y0, xm, y1);
      fprintf(f, "<path d=\"M%d,%dl8,8M%d,%dl-8,8\" stroke=\"#c0392b\" stroke-width=\"2\"/>",
              xm - 4, y1 - 4, xm + 4, y1 - 4);
      fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"#c0392b\">", xm + 7, y1 + 4);
      esc(f, e->cause);
      fputs("</text></g>\n", f);
    } else {
      fprintf(f, "<g><title>");
      esc(f, e->label);
      fprintf(f, "</title><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#2b5c8a\" "
                 "marker-end=\"url(#ah)\"/></g>\n",
              x0, y0, x1, y1);
    }
    int lx = (x0 + (e->dropped && e->to < 0 ? x0 + 50 : x1)) / 2;
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#334\">", lx,
            (y0 + y1) / 2 - 3);
    esc(f, e->label);
    fputs("</text>\n", f);
  }
  fputs("</svg></div>\n", f);
  if (t->total > t->n)
    fprintf(f, "<p class=\"muted\">The first %zu of %zu frames.</p>\n", t->n, t->total);
  free(times);
}

/* ----------------------------------------------------------- pieces --- */

static const char *vclass(int v) {
  return v == LWSIM_VERDICT_PASS ? "pass" : v == LWSIM_VERDICT_FAIL ? "fail" : "error";
}

static void header(FILE *f, const struct lwsim_report_suite *s, const struct lwsim_report_totals *t) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
        f);
  esc(f, s->title ? s->title : "lwsim report");
  fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>", css);
  esc(f, s->title ? s->title : "lwsim report");
  fputs("</h1><div class=\"sub\">", f);
  esc(f, s->tool ? s->tool : "lwsim");
  if (s->shard) {
    fputs(" &middot; shard ", f);
    esc(f, s->shard);
  }
  fputs(" &middot; virtual time, deterministic: every run replays from its seed</div></header>\n"
        "<main>\n<section id=\"totals\"><div class=\"totals\">",
        f);
  fprintf(f,
          "<div class=\"tot\"><b>%zu</b>runs</div><div class=\"tot\"><b>%zu</b>scenarios</div>"
          "<div class=\"tot pass\"><b>%zu</b>passed</div><div class=\"tot fail\"><b>%zu</b>failed"
          "</div><div class=\"tot error\"><b>%zu</b>errors</div>",
          t->runs, t->scenarios, t->pass, t->fail, t->error);
  fputs("</div></section>\n", f);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int same_file(const struct lwsim_report_run *a, const struct lwsim_report_run *b) {
  return strcmp(a->file ? a->file : "", b->file ? b->file : "") == 0;
}

/* Scenarios x seeds. */
static void verdict_table(FILE *f, const struct lwsim_report_suite *s) {
  fputs("<section id=\"verdicts\"><h2>Verdicts</h2>\n", f);
  if (!s->nruns) {
    fputs("<p class=\"muted\">No runs.</p></section>\n", f);
    return;
  }
  uint64_t *seeds = malloc(s->nruns * sizeof *seeds);
  if (!seeds) return;
  for (size_t i = 0; i < s->nruns; i++) seeds[i] = s->runs[i].seed;
  qsort(seeds, s->nruns, sizeof *seeds, cmp_u64);
  size_t ns = 0;
  for (size_t i = 0; i < s->nruns; i++)
    if (ns == 0 || seeds[ns - 1] != seeds[i]) seeds[ns++] = seeds[i];
  fputs("<table><tr><th>scenario</th>", f);
  for (size_t k = 0; k < ns; k++) fprintf(f, "<th>seed %" PRIu64 "</th>", seeds[k]);
  fputs("</tr>\n", f);
  for (size_t i = 0; i < s->nruns; i++) {
    int first = 1;
    for (size_t j = 0; j < i && first; j++) first = !same_file(&s->runs[i], &s->runs[j]);
    if (!first) continue;
    fputs("<tr><td>", f);
    esc(f, s->runs[i].scenario);
    fputs("<br><span class=\"muted\">", f);
    esc(f, s->runs[i].file);
    fputs("</span></td>", f);
    for (size_t k = 0; k < ns; k++) {
      const struct lwsim_report_run *r = NULL;
      size_t idx = 0;
      for (size_t j = i; j < s->nruns && !r; j++)
        if (same_file(&s->runs[i], &s->runs[j]) && s->runs[j].seed == seeds[k]) {
          r = &s->runs[j];
          idx = j;
        }
      if (!r) fputs("<td class=\"nc\"></td>", f);
      else /* a failure links to its details, a pass to its scenario */
        fprintf(f, "<td class=\"v %s\"><a href=\"#%s-%zu\" title=\"trace %016" PRIx64 "\">%s</a></td>",
                vclass(r->verdict), r->verdict == LWSIM_VERDICT_PASS ? "scenario" : "failure",
                r->verdict == LWSIM_VERDICT_PASS ? i : idx, r->trace_hash,
                lwsim_verdict_name(r->verdict));
    }
    fputs("</tr>\n", f);
  }
  fputs("</table></section>\n", f);
  free(seeds);
}

static void checks_table(FILE *f, const struct lwsim_report_run *r, int failed_only) {
  fputs("<table><tr><th>check</th><th>kind</th><th>verdict</th><th>detail</th></tr>\n", f);
  for (size_t i = 0; i < r->nchecks; i++) {
    const struct lwsim_report_check *c = &r->checks[i];
    if (failed_only && c->verdict == LWSIM_VERDICT_PASS) continue;
    fputs("<tr><td>", f);
    esc(f, c->name);
    fputs("</td><td>", f);
    esc(f, c->kind);
    fprintf(f, "</td><td class=\"%s\">%s</td><td>", vclass(c->verdict),
            lwsim_verdict_name(c->verdict));
    esc(f, c->detail);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void findings_table(FILE *f, const struct lwsim_report_run *r) {
  if (!r->nfindings) return;
  fputs("<h3>Findings</h3><table><tr><th>time</th><th>node</th><th>kind</th><th>where</th>"
        "<th>detail</th></tr>\n",
        f);
  for (size_t i = 0; i < r->nfindings; i++) {
    const struct lwsim_report_finding *x = &r->findings[i];
    char tb[32];
    fmt_time(tb, sizeof tb, x->time);
    fprintf(f, "<tr><td>%s</td><td>", tb);
    esc(f, x->node);
    fputs("</td><td>", f);
    esc(f, x->kind);
    fputs("</td><td>", f);
    esc(f, x->where);
    fputs("</td><td>", f);
    esc(f, x->detail);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void apps_table(FILE *f, const struct lwsim_report_run *r) {
  if (!r->napps) return;
  fputs("<h3>Applications</h3><table><tr><th>app</th><th>kind</th><th>node</th><th>results</th>"
        "</tr>\n",
        f);
  for (size_t i = 0; i < r->napps; i++) {
    const struct lwsim_report_app *a = &r->apps[i];
    fputs("<tr><td>", f);
    esc(f, a->name);
    fputs("</td><td>", f);
    esc(f, a->kind);
    fputs("</td><td>", f);
    esc(f, a->node);
    fputs("</td><td>", f);
    for (size_t k = 0; k < a->results.n; k++) {
      if (k) fputs(", ", f);
      esc(f, a->results.v[k].name);
      fprintf(f, " %" PRIu64, a->results.v[k].value);
    }
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void run_heading(FILE *f, const struct lwsim_report_run *r, size_t idx) {
  fprintf(f, "<h3 id=\"failure-%zu\"><span class=\"%s\">&nbsp;%s&nbsp;</span> ", idx,
          vclass(r->verdict), lwsim_verdict_name(r->verdict));
  esc(f, r->scenario);
  fprintf(f, ", seed %" PRIu64 "</h3>\n", r->seed);
}

static void run_facts(FILE *f, const struct lwsim_report_run *r) {
  char tb[32];
  fmt_time(tb, sizeof tb, r->virtual_time);
  fprintf(f, "<p class=\"muted\">trace hash <code>%016" PRIx64 "</code> &middot; %s virtual "
             "&middot; folder <code>",
          r->trace_hash, tb);
  esc(f, r->dir ? r->dir : "-");
  fputs("</code></p>\n<p>replay: <code>", f);
  esc(f, r->replay);
  fputs("</code></p>\n", f);
}

static void failures(FILE *f, const struct lwsim_report_suite *s, const struct lwsim_report_totals *t) {
  fputs("<section id=\"failures\"><h2>Failures</h2>\n", f);
  if (!t->fail && !t->error) fputs("<p>None: every check of every run passed.</p>\n", f);
  for (size_t i = 0; i < s->nruns; i++) {
    const struct lwsim_report_run *r = &s->runs[i];
    if (r->verdict == LWSIM_VERDICT_PASS) continue;
    fputs("<div class=\"run\">", f);
    run_heading(f, r, i);
    if (r->error) {
      fputs("<pre>", f);
      esc(f, r->error);
      fputs("</pre>\n", f);
    }
    if (r->nchecks) checks_table(f, r, 1);
    run_facts(f, r);
    findings_table(f, r);
    fputs("<h3>Packet timeline</h3>\n", f);
    timeline_svg(f, &r->timeline);
    fputs("</div>\n", f);
  }
  fputs("</section>\n", f);
}

/* --------------------------------------------------- conformance ------ */

/* Compare with digit runs as numbers: RFC791 < RFC1122. */
static int natural_cmp(const char *a, const char *b) {
  while (*a && *b) {
    if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
      char *ea, *eb;
      unsigned long long x = strtoull(a, &ea, 10), y = strtoull(b, &eb, 10);
      if (x != y) return x < y ? -1 : 1;
      a = ea;
      b = eb;
      continue;
    }
    if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
    a++;
    b++;
  }
  return *a ? 1 : *b ? -1 : 0;
}

struct req_row {
  const char *id;
  const struct lwsim_conformance_req *doc; /* NULL: named by scenarios only */
};

static int cmp_rows(const void *a, const void *b) {
  return natural_cmp(((const struct req_row *)a)->id, ((const struct req_row *)b)->id);
}

/* The RFC part of an id ("RFC791" of "RFC791:3.2") into buf. */
static void rfc_of(const char *id, char *buf, size_t cap) {
  const char *colon = strchr(id, ':');
  size_t n = colon ? (size_t)(colon - id) : strlen(id);
  if (n >= cap) n = cap - 1;
  memcpy(buf, id, n);
  buf[n] = 0;
}

static int run_covers(const struct lwsim_report_run *r, const char *id) {
  for (size_t i = 0; i < r->nrequirements; i++)
    if (strcmp(r->requirements[i], id) == 0) return 1;
  return 0;
}

/* Rows: every catalog requirement, then ids only scenarios name. */
static struct req_row *req_rows(const struct lwsim_report_suite *s, size_t *n) {
  size_t cap = (s->conformance ? s->conformance->n : 0) + 16, k = 0;
  struct req_row *rows = malloc(cap * sizeof *rows);
  if (!rows) return NULL;
  for (size_t i = 0; s->conformance && i < s->conformance->n; i++)
    rows[k++] = (struct req_row){s->conformance->v[i].id, &s->conformance->v[i]};
  for (size_t i = 0; i < s->nruns; i++)
    for (size_t q = 0; q < s->runs[i].nrequirements; q++) {
      const char *id = s->runs[i].requirements[q];
      int seen = 0;
      for (size_t j = 0; j < k && !seen; j++) seen = strcmp(rows[j].id, id) == 0;
      if (seen) continue;
      if (k == cap && !lwsim_grow((void **)&rows, &cap, k + 1, sizeof *rows)) {
        free(rows);
        return NULL;
      }
      rows[k++] = (struct req_row){id, NULL};
    }
  qsort(rows, k, sizeof *rows, cmp_rows);
  *n = k;
  return rows;
}

enum { REQ_PASS, REQ_FAIL, REQ_NOT_COVERED, REQ_NA };

/* Verdict of one requirement over every run of every scenario naming it;
 * lists those scenarios (once each) into f when f is not NULL. */
static int req_verdict(FILE *f, const struct lwsim_report_suite *s, const struct req_row *row) {
  int covered = 0, failed = 0;
  for (size_t i = 0; i < s->nruns; i++) {
    const struct lwsim_report_run *r = &s->runs[i];
    if (!run_covers(r, row->id)) continue;
    covered = 1;
    failed |= r->verdict != LWSIM_VERDICT_PASS;
    int first = 1;
    for (size_t j = 0; j < i && first; j++)
      first = !(same_file(r, &s->runs[j]) && run_covers(&s->runs[j], row->id));
    if (f && first) {
      fprintf(f, "<a href=\"#scenario-%zu\">", i);
      esc(f, r->scenario);
      fputs("</a> ", f);
    }
  }
  if (covered) return failed ? REQ_FAIL : REQ_PASS;
  if (row->doc && strcmp(row->doc->status, "not_applicable") == 0) return REQ_NA;
  return REQ_NOT_COVERED;
}

static void rfc_table(FILE *f, const struct lwsim_report_suite *s, const struct req_row *rows,
                      size_t from, size_t to, const char *rfc) {
  size_t cnt[4] = {0};
  for (size_t i = from; i < to; i++) cnt[req_verdict(NULL, s, &rows[i])]++;
  fputs("<h3>", f);
  esc(f, rfc);
  fprintf(f, "</h3><p class=\"muted\">%zu requirements: %zu pass, %zu fail, %zu not covered, "
             "%zu not applicable</p>\n",
          to - from, cnt[REQ_PASS], cnt[REQ_FAIL], cnt[REQ_NOT_COVERED], cnt[REQ_NA]);
  fputs("<table><tr><th>requirement</th><th>text</th><th>scenarios</th><th>verdict</th></tr>\n", f);
  static const char *const names[] = {"pass", "fail", "not covered", "not applicable"};
  static const char *const classes[] = {"pass", "fail", "nc", "na"};
  for (size_t i = from; i < to; i++) {
    const struct req_row *row = &rows[i];
    fputs("<tr><td><code>", f);
    esc(f, row->id);
    fputs("</code></td><td>", f);
    if (row->doc) {
      esc(f, row->doc->text);
      if (row->doc->reason[0]) {
        fputs("<br><span class=\"muted\">", f);
        esc(f, row->doc->reason);
        fputs("</span>", f);
      }
    } else {
      fputs("<span class=\"muted\">(named by scenarios)</span>", f);
    }
    fputs("</td><td>", f);
    int v = req_verdict(f, s, row);
    fprintf(f, "</td><td class=\"v %s\"><span>%s</span></td></tr>\n", classes[v], names[v]);
  }
  fputs("</table>\n", f);
}

static void conformance(FILE *f, const struct lwsim_report_suite *s) {
  fputs("<section id=\"conformance\"><h2>Conformance matrix</h2>\n", f);
  size_t n = 0;
  struct req_row *rows = req_rows(s, &n);
  if (!n) fputs("<p class=\"muted\">No requirement ids in these scenarios.</p>\n", f);
  for (size_t i = 0; rows && i < n;) {
    char rfc[64], other[64];
    rfc_of(rows[i].id, rfc, sizeof rfc);
    size_t j = i + 1;
    for (; j < n; j++) {
      rfc_of(rows[j].id, other, sizeof other);
      if (strcmp(rfc, other) != 0) break;
    }
    rfc_table(f, s, rows, i, j, rfc);
    i = j;
  }
  free(rows);
  fputs("</section>\n", f);
}

/* ------------------------------------------------------- scenarios --- */

/* How many runs of file `first`'s scenario passed check k (by name). */
static void check_rate(const struct lwsim_report_suite *s, size_t first, const char *name,
                       size_t *pass, size_t *total) {
  *pass = *total = 0;
  for (size_t j = first; j < s->nruns; j++) {
    const struct lwsim_report_run *r = &s->runs[j];
    if (!same_file(r, &s->runs[first])) continue;
    for (size_t k = 0; k < r->nchecks; k++)
      if (strcmp(r->checks[k].name, name) == 0) {
        (*total)++;
        *pass += r->checks[k].verdict == LWSIM_VERDICT_PASS;
        break;
      }
  }
}

static void scenario_checks(FILE *f, const struct lwsim_report_suite *s, size_t first) {
  const struct lwsim_report_run *r = &s->runs[first];
  if (!r->nchecks) return;
  fputs("<table><tr><th>check</th><th>kind</th><th>passed</th><th>detail (first seed)</th></tr>\n",
        f);
  for (size_t i = 0; i < r->nchecks; i++) {
    size_t pass, total;
    check_rate(s, first, r->checks[i].name, &pass, &total);
    fputs("<tr><td>", f);
    esc(f, r->checks[i].name);
    fputs("</td><td>", f);
    esc(f, r->checks[i].kind);
    fprintf(f, "</td><td class=\"%s\">%zu/%zu</td><td>", pass == total ? "pass" : "fail", pass,
            total);
    esc(f, r->checks[i].detail);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void scenario_runs(FILE *f, const struct lwsim_report_suite *s, size_t first) {
  fputs("<table><tr><th>seed</th><th>verdict</th><th>trace hash</th><th>virtual time</th>"
        "<th>folder</th></tr>\n",
        f);
  for (size_t j = first; j < s->nruns; j++) {
    const struct lwsim_report_run *r = &s->runs[j];
    if (!same_file(r, &s->runs[first])) continue;
    char tb[32];
    fmt_time(tb, sizeof tb, r->virtual_time);
    fprintf(f, "<tr id=\"run-%zu\"><td>%" PRIu64 "</td><td class=\"v %s\">", j, r->seed,
            vclass(r->verdict));
    if (r->verdict == LWSIM_VERDICT_PASS) fputs("<span>pass</span>", f);
    else fprintf(f, "<a href=\"#failure-%zu\">%s</a>", j, lwsim_verdict_name(r->verdict));
    fprintf(f, "</td><td><code>%016" PRIx64 "</code></td><td>%s</td><td><code>", r->trace_hash,
            tb);
    esc(f, r->dir ? r->dir : "-");
    fputs("</code></td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void scenario_meta(FILE *f, const struct lwsim_report_run *r) {
  if (r->description) {
    fputs("<p>", f);
    esc(f, r->description);
    fputs("</p>\n", f);
  }
  fputs("<p class=\"muted\">file <code>", f);
  esc(f, r->file);
  fputs("</code>", f);
  if (r->ntags) fputs(" &middot; tags", f);
  for (size_t i = 0; i < r->ntags; i++) {
    fputs(" <code>", f);
    esc(f, r->tags[i]);
    fputs("</code>", f);
  }
  if (r->nrequirements) fputs(" &middot; requirements", f);
  for (size_t i = 0; i < r->nrequirements; i++) {
    fputs(" <code>", f);
    esc(f, r->requirements[i]);
    fputs("</code>", f);
  }
  fputs("</p>\n", f);
}

/* One block per scenario: what it is, its checks over all seeds, every
 * run, and (when small) the first run's packet timeline. */
static void scenarios(FILE *f, const struct lwsim_report_suite *s) {
  fputs("<section id=\"scenarios\"><h2>Scenarios</h2>\n", f);
  for (size_t i = 0; i < s->nruns; i++) {
    int first = 1;
    for (size_t j = 0; j < i && first; j++) first = !same_file(&s->runs[i], &s->runs[j]);
    if (!first) continue;
    const struct lwsim_report_run *r = &s->runs[i];
    int all_pass = 1;
    for (size_t j = i; j < s->nruns; j++)
      if (same_file(r, &s->runs[j])) all_pass &= s->runs[j].verdict == LWSIM_VERDICT_PASS;
    fprintf(f, "<details class=\"run\" id=\"scenario-%zu\"%s><summary><span class=\"%s\">"
               "&nbsp;%s&nbsp;</span> ",
            i, all_pass ? "" : " open", all_pass ? "pass" : "fail", all_pass ? "pass" : "fail");
    esc(f, r->scenario);
    fputs("</summary>\n", f);
    scenario_meta(f, r);
    scenario_checks(f, s, i);
    scenario_runs(f, s, i);
    apps_table(f, r);
    if (r->verdict == LWSIM_VERDICT_PASS && r->timeline.n &&
        r->timeline.total <= s->timeline_pass_limit) {
      fprintf(f, "<h3>Packet timeline, seed %" PRIu64 "</h3>\n", r->seed);
      timeline_svg(f, &r->timeline);
    }
    fputs("</details>\n", f);
  }
  fputs("</section>\n", f);
}

int lwsim_report_html(const struct lwsim_report_suite *s, FILE *f) {
  struct lwsim_report_totals t;
  lwsim_report_totals(s, &t);
  header(f, s, &t);
  verdict_table(f, s);
  failures(f, s, &t);
  conformance(f, s);
  scenarios(f, s);
  fputs("</main>\n</body>\n</html>\n", f);
  return ferror(f) ? -1 : 0;
}

int lwsim_report_write_html(const struct lwsim_report_suite *s, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  lwsim_report_html(s, f);
  return lwsim_close_file(f);
}
