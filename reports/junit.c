/* JUnit XML: one <testsuite> per scenario file, one <testcase> per seed.
 *
 * The layout follows what CI servers (Jenkins, GitLab, GitHub actions)
 * read: failures carry a short message attribute and, as text, every
 * failed check with its detail and the command that replays the run.
 * Times are 0: a run's wall time is not part of its (deterministic)
 * result. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "reports/internal.h"
#include "reports/util.h"

void lwsim_report_xml_escape(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&#39;", f); break;
    case '\n':
    case '\t':
    case '\r': fputc(*p, f); break;
    default:
      /* XML 1.0 has no other control characters, even escaped */
      if (*p < 0x20) fputc('?', f);
      else fputc(*p, f);
    }
  }
}

void lwsim_report_totals(const struct lwsim_report_suite *s, struct lwsim_report_totals *t) {
  memset(t, 0, sizeof *t);
  t->runs = s->nruns;
  for (size_t i = 0; i < s->nruns; i++) {
    const struct lwsim_report_run *r = &s->runs[i];
    if (r->verdict == LWSIM_VERDICT_PASS) t->pass++;
    else if (r->verdict == LWSIM_VERDICT_FAIL) t->fail++;
    else t->error++;
    int seen = 0;
    for (size_t k = 0; k < i && !seen; k++)
      seen = strcmp(s->runs[k].file ? s->runs[k].file : "", r->file ? r->file : "") == 0;
    t->scenarios += !seen;
  }
}

static int same_file(const struct lwsim_report_run *a, const struct lwsim_report_run *b) {
  return strcmp(a->file ? a->file : "", b->file ? b->file : "") == 0;
}

static void testcase(FILE *f, const struct lwsim_report_run *r) {
  fprintf(f, "    <testcase classname=\"lwsim.");
  lwsim_report_xml_escape(f, r->scenario);
  fprintf(f, "\" name=\"seed %" PRIu64 "\" time=\"0\">\n", r->seed);
  if (r->verdict != LWSIM_VERDICT_PASS) {
    const char *tag = r->verdict == LWSIM_VERDICT_FAIL ? "failure" : "error";
    fprintf(f, "      <%s message=\"", tag);
    if (r->verdict == LWSIM_VERDICT_FAIL)
      fprintf(f, "%zu of %zu checks failed", lwsim_report_failed_checks(r), r->nchecks);
    else
      lwsim_report_xml_escape(f, r->error ? r->error : "internal error");
    fprintf(f, "\" type=\"%s\">", r->verdict == LWSIM_VERDICT_FAIL ? "check" : "error");
    for (size_t i = 0; i < r->nchecks; i++) {
      if (r->checks[i].verdict == LWSIM_VERDICT_PASS) continue;
      fputs("FAILED ", f);
      lwsim_report_xml_escape(f, r->checks[i].name);
      fputs(": ", f);
      lwsim_report_xml_escape(f, r->checks[i].detail);
      fputc('\n', f);
    }
    if (r->error) {
      fputs("error: ", f);
      lwsim_report_xml_escape(f, r->error);
      fputc('\n', f);
    }
    fputs("replay: ", f);
    lwsim_report_xml_escape(f, r->replay);
    fprintf(f, "\n</%s>\n", tag);
  }
  fprintf(f, "      <system-out>trace hash %016" PRIx64 ", %zu checks; run folder ", r->trace_hash,
          r->nchecks);
  lwsim_report_xml_escape(f, r->dir ? r->dir : "-");
  fputs("; replay: ", f);
  lwsim_report_xml_escape(f, r->replay);
  fputs("</system-out>\n    </testcase>\n", f);
}

int lwsim_report_junit(const struct lwsim_report_suite *s, FILE *f) {
  struct lwsim_report_totals t;
  lwsim_report_totals(s, &t);
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fprintf(f, "<testsuites name=\"");
  lwsim_report_xml_escape(f, s->title ? s->title : "lwsim");
  fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"0\">\n", t.runs, t.fail,
          t.error);
  for (size_t i = 0; i < s->nruns;) {
    size_t j = i, fail = 0, err = 0;
    for (; j < s->nruns && same_file(&s->runs[i], &s->runs[j]); j++) {
      fail += s->runs[j].verdict == LWSIM_VERDICT_FAIL;
      err += s->runs[j].verdict == LWSIM_VERDICT_ERROR;
    }
    fputs("  <testsuite name=\"", f);
    lwsim_report_xml_escape(f, s->runs[i].scenario);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"0\" file=\"", j - i, fail,
            err);
    lwsim_report_xml_escape(f, s->runs[i].file);
    fputs("\">\n", f);
    for (size_t k = i; k < j; k++) testcase(f, &s->runs[k]);
    fputs("  </testsuite>\n", f);
    i = j;
  }
  fputs("</testsuites>\n", f);
  return ferror(f) ? -1 : 0;
}

int lwsim_report_write_junit(const struct lwsim_report_suite *s, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  lwsim_report_junit(s, f);
  return lwsim_close_file(f);
}
