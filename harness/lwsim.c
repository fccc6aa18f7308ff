/* lwsim: the command line, git style: `lwsim <command> [options]`.
 *
 * Exit status: 0 every check passed, 1 a check failed, 2 usage or input
 * error, 3 internal error. Errors go to stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/demo.h"
#include "harness/demo_stack.h"
#include "harness/runner.h"
#include "harness/scenario.h"
#include "harness/sweep.h"
#include "reports/report.h"
#include "reports/util.h"
#include "sim/err.h"

enum { EXIT_PASS = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* How we were started: shown in replay commands, used to re-run ourselves. */
static const char *g_argv0 = "lwsim";

struct command {
  const char *name;
  const char *summary;
  const char *usage;
  int (*run)(int argc, char **argv);
};

static int wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
  return 0;
}

/* Parses an unsigned decimal option value; 0 on success. */
static int parse_u64(const char *opt, const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = s ? strtoull(s, &end, 10) : 0;
  if (!s || !*s || *end || errno || s[0] == '-') {
    fprintf(stderr, "lwsim: %s expects a non-negative integer, got '%s'\n", opt, s ? s : "");
    return -1;
  }
  *out = v;
  return 0;
}

static const char demo_usage[] =
    "usage: lwsim demo [--seed N] [--requests N] [--out DIR | --no-files]\n"
    "\n"
    "Runs the example networks and prints a summary of each with its trace hash.\n"
    "Kernel: a client and a server on an impaired link (rate, delay, jitter,\n"
    "loss, corruption, duplication, reordering) and three sensors on a segment\n"
    "with bursty loss; writes DIR/trace.jsonl, link.pcap, lan.pcap, client.pcap.\n"
    "Stack: four stack instances on a segment with loss and reordering ping each\n"
    "other and exchange UDP (fragmented when large) with an echo service;\n"
    "writes DIR/stack-trace.jsonl and DIR/stack.pcap.\n"
    "\n"
    "  --seed N       root seed of every random stream (default 1)\n"
    "  --requests N   requests the client makes (default 200)\n"
    "  --out DIR      output folder (default out/demo)\n"
    "  --no-files     write nothing; still compute the trace hash\n";

static int cmd_demo(int argc, char **argv) {
  struct lwsim_demo_opts o = {.seed = 1, .out_dir = "out/demo"};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    uint64_t v;
    if (strcmp(a, "--seed") == 0) {
      if (parse_u64(a, i + 1 < argc ? argv[++i] : NULL, &v)) return EXIT_USAGE;
      o.seed = v;
    } else if (strcmp(a, "--requests") == 0) {
      if (parse_u64(a, i + 1 < argc ? argv[++i] : NULL, &v) || v == 0 || v > 1000000) {
        fprintf(stderr, "lwsim demo: --requests expects 1..1000000\n");
        return EXIT_USAGE;
      }
      o.requests = (int)v;
    } else if (strcmp(a, "--out") == 0 && i + 1 < argc) {
      o.out_dir = argv[++i];
    } else if (strcmp(a, "--no-files") == 0) {
      o.out_dir = NULL;
    } else {
      fprintf(stderr, "lwsim demo: unknown or incomplete option '%s'\n\n%s", a, demo_usage);
      return EXIT_USAGE;
    }
  }
  struct lwsim_demo_result r;
  errno = 0;
  int rc = lwsim_demo_run(&o, &r);
  if (rc == SIM_EIO) {
    fprintf(stderr, "lwsim demo: cannot write to %s: %s\n", o.out_dir, strerror(errno));
    return EXIT_USAGE;
  }
  if (rc < 0) {
    fprintf(stderr, "lwsim demo: %s\n", sim_strerror(rc));
    return EXIT_INTERNAL;
  }
  printf("demo: seed %" PRIu64 ", %.3f s virtual\n", o.seed, (double)r.end_time / 1e9);
  printf("  requests answered   %d of %d (%d retransmissions)\n", r.completed,
         o.requests ? o.requests : 200, r.retransmissions);
  printf("  damaged frames      %d caught by checksums\n", r.bad_checksums);
  printf("  link drops          %" PRIu64 "\n", r.link_drops);
  printf("  sensor frames       %" PRIu64 " sent, %" PRIu64 " past the bursty loss\n",
         r.sensor_frames_in, r.sensor_frames_out);
  printf("  trace               %" PRIu64 " events, hash %016" PRIx64 "\n", r.trace_events,
         r.trace_hash);
  if (o.out_dir)
    printf("  files               %s/trace.jsonl, %s/link.pcap (%" PRIu64
           " frames), %s/lan.pcap, %s/client.pcap\n",
           o.out_dir, o.out_dir, r.pcap_frames, o.out_dir, o.out_dir);

  struct lwsim_demo_stack_result s;
  errno = 0;
  rc = lwsim_demo_stack_run(&o, &s);
  if (rc == SIM_EIO) {
    fprintf(stderr, "lwsim demo: cannot write to %s: %s\n", o.out_dir, strerror(errno));
    return EXIT_USAGE;
  }
  if (rc < 0) {
    fprintf(stderr, "lwsim demo: %s\n", sim_strerror(rc));
    return EXIT_INTERNAL;
  }
  printf("\nstack demo: 4 instances on a lossy, reordering segment, %.3f s virtual\n",
         (double)s.end_time / 1e9);
  printf("  pings answered      %d of %d\n", s.pings_answered, s.pings_sent);
  printf("  UDP echoes intact   %d of %d sent (%d damaged)\n", s.udp_echoed, s.udp_sent,
         s.udp_corrupt);
  printf("  fragments           %" PRIu64 " sent, %" PRIu64 " datagrams reassembled\n",
         s.fragments, s.reassembled);
  printf("  drops in stacks     %" PRIu64 ":", s.drops_total);
  for (int k = 0; k < STACK_DROP_COUNT; k++)
    if (s.drops[k]) printf(" %s %" PRIu64, stack_drop_name(k), s.drops[k]);
  printf("\n  trace               %" PRIu64 " events, hash %016" PRIx64 "\n", s.trace_events,
         s.trace_hash);
  if (o.out_dir)
    printf("  files               %s/stack-trace.jsonl, %s/stack.pcap (%" PRIu64 " frames)\n",
           o.out_dir, o.out_dir, s.pcap_frames);
  return EXIT_PASS;
}

/* ------------------------------------------------------------ shared --- */

/* Colour only on a terminal, and never with NO_COLOR set (no-color.org). */
static int use_color(FILE *f) {
  const char *nc = getenv("NO_COLOR");
  const char *term = getenv("TERM");
  return isatty(fileno(f)) && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
}

static const char *verdict_word(int v, int color) {
  if (!color) return v == LWSIM_VERDICT_PASS ? "PASS" : v == LWSIM_VERDICT_FAIL ? "FAIL" : "ERROR";
  return v == LWSIM_VERDICT_PASS   ? "\033[1;32mPASS\033[0m"
         : v == LWSIM_VERDICT_FAIL ? "\033[1;31mFAIL\033[0m"
                                   : "\033[1;33mERROR\033[0m";
}

/* An option's value: "--opt VALUE" or "--opt=VALUE". Returns the value
 * (advancing *i) when argv[*i] is that option, else NULL; *missing is set
 * when the option came without a value. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing) {
  size_t n = strlen(name);
  const char *a = argv[*i];
  if (strncmp(a, name, n) != 0) return NULL;
  if (a[n] == '=') return a + n + 1;
  if (a[n] != 0) return NULL;
  if (*i + 1 >= argc) {
    *missing = 1;
    return NULL;
  }
  return argv[++*i];
}

static void print_diags(const struct lwsim_diags *d) {
  char line[1400];
  for (size_t i = 0; i < d->n; i++) {
    lwsim_diag_format(d, i, line, sizeof line);
    fprintf(stderr, "%s\n", line);
  }
}

/* Load a scenario, printing its diagnostics; NULL when invalid. */
static struct lwsim_scenario *load_or_report(const char *path) {
  struct lwsim_diags d;
  lwsim_diags_init(&d, path);
  struct lwsim_scenario *sc = NULL;
  if (lwsim_scenario_load(path, &sc, &d) < 0) {
    print_diags(&d);
    fprintf(stderr, "%s: %zu error%s\n", path, d.n, d.n == 1 ? "" : "s");
  }
  lwsim_diags_free(&d);
  return sc;
}

/* A list of unsigned integers "1,5,9". */
static int parse_seed_list(const char *s, uint64_t **out, size_t *n) {
  *out = NULL;
  *n = 0;
  size_t cap = 0;
  const char *p = s;
  while (*p) {
    char *end;
    errno = 0;
    if (*p < '0' || *p > '9') return -1;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno || (*end && *end != ',')) return -1;
    if (!lwsim_grow((void **)out, &cap, *n + 1, sizeof **out)) return -1;
    (*out)[(*n)++] = v;
    p = *end ? end + 1 : end;
    if (*end == ',' && !*p) return -1;
  }
  return *n ? 0 : -1;
}

/* The conformance catalog: --conformance, else docs/conformance here,
 * else next to the scenarios' folder. */
static const char *pick_conformance(const char *given, const char *first_input, char *buf,
                                    size_t cap) {
  if (given) return given;
  struct stat st;
  if (stat("docs/conformance", &st) == 0 && S_ISDIR(st.st_mode)) return "docs/conformance";
  if (!first_input) return NULL;
  char *dir = lwsim_path_dir(first_input);
  if (!dir) return NULL;
  snprintf(buf, cap, "%s/../docs/conformance", dir);
  free(dir);
  return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

/* Exit status of a set of verdicts: any error 3, else any fail 1, else 0. */
static int exit_of(const struct lwsim_report_run *runs, size_t n) {
  int code = EXIT_PASS;
  for (size_t i = 0; i < n; i++) {
    if (runs[i].verdict == LWSIM_VERDICT_ERROR) return EXIT_INTERNAL;
    if (runs[i].verdict == LWSIM_VERDICT_FAIL) code = EXIT_CHECK;
  }
  return code;
}

/* ---------------------------------------------------------- validate --- */

static const char validate_usage[] =
    "usage: lwsim validate FILE|DIR...\n"
    "\n"
    "Checks scenario files (a folder: its *.json files) against format 1 and\n"
    "lists every problem as FILE: /json/path: found X, expected Y.\n"
    "Exit status 0 when every file is valid, 2 otherwise.\n";

static int cmd_validate(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "lwsim validate: no files given\n\n%s", validate_usage);
    return EXIT_USAGE;
  }
  for (int i = 1; i < argc; i++)
    if (argv[i][0] == '-') {
      fprintf(stderr, "lwsim validate: unknown option '%s'\n\n%s", argv[i], validate_usage);
      return EXIT_USAGE;
    }
  char err[512], **files;
  size_t n;
  if (lwsim_sweep_files(argv + 1, (size_t)argc - 1, &files, &n, err, sizeof err) < 0) {
    fprintf(stderr, "lwsim validate: %s\n", err);
    return EXIT_USAGE;
  }
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    struct lwsim_scenario *sc = load_or_report(files[i]);
    if (!sc) {
      bad++;
      continue;
    }
    printf("%s: valid: \"%s\", %zu nodes, %zu media, %zu apps, %zu actions, %zu checks\n", files[i],
           sc->name, sc->nnodes, sc->nmedia, sc->napps, sc->nactions, sc->nchecks);
    lwsim_scenario_free(sc);
  }
  if (n == 0) fprintf(stderr, "lwsim validate: no scenario files found\n");
  lwsim_sweep_strings_free(files, n);
  return bad || n == 0 ? EXIT_USAGE : EXIT_PASS;
}

/* --------------------------------------------------------------- run --- */

static const char run_usage[] =
    "usage: lwsim run FILE [--seed N] [--out DIR] [--trace] [--pcap]\n"
    "                 [--check-determinism] [--quiet]\n"
    "\n"
    "Runs one scenario and prints its verdict and run folder. The folder gets\n"
    "results.json and scenario.json, and trace.jsonl and one pcap per medium\n"
    "when asked or when the run fails.\n"
    "\n"
    "  --seed N               root seed (default: the scenario's \"seed\", else 1)\n"
    "  --out DIR              run folder (default out/run/<file stem>/seed-<N>)\n"
    "  --trace                keep trace.jsonl even when the run passes\n"
    "  --pcap                 write <medium>.pcap even when the run passes\n"
    "  --check-determinism    run twice; a different trace fails the run\n"
    "  --quiet                print only the verdict line\n"
    "\n"
    "Exit status: 0 every check passed, 1 a check failed, 2 usage or input\n"
    "error, 3 internal error.\n";

static void print_run(const struct lwsim_report_run *r, int quiet) {
  int color = use_color(stdout);
  size_t failed = lwsim_report_failed_checks(r);
  printf("%s %s seed %" PRIu64 ": %zu/%zu checks passed, trace %016" PRIx64 ", %s\n",
         verdict_word(r->verdict, color), r->scenario ? r->scenario : "?", r->seed,
         r->nchecks - failed, r->nchecks, r->trace_hash, r->dir ? r->dir : "(no folder)");
  if (quiet || r->verdict == LWSIM_VERDICT_PASS) return;
  for (size_t i = 0; i < r->nchecks; i++)
    if (r->checks[i].verdict != LWSIM_VERDICT_PASS)
      printf("  failed: %s: %s\n", r->checks[i].name, r->checks[i].detail);
  if (r->error) printf("  error: %s\n", r->error);
  printf("  replay: %s\n", r->replay ? r->replay : "");
}

static int cmd_run(int argc, char **argv) {
  struct lwsim_run_opts o = {.prog = "lwsim"};
  const char *file = NULL, *out = NULL;
  int quiet = 0;
  for (int i = 1; i < argc; i++) {
    int missing = 0;
    const char *v;
    if ((v = opt_value(argc, argv, &i, "--seed", &missing))) {
      if (parse_u64("--seed", v, &o.seed)) return EXIT_USAGE;
      o.seed_given = 1;
    } else if ((v = opt_value(argc, argv, &i, "--out", &missing))) {
      out = v;
    } else if (missing) {
      fprintf(stderr, "lwsim run: %s needs a value\n", argv[i]);
      return EXIT_USAGE;
    } else if (strcmp(argv[i], "--trace") == 0) {
      o.trace = 1;
    } else if (strcmp(argv[i], "--pcap") == 0) {
      o.pcap = 1;
    } else if (strcmp(argv[i], "--check-determinism") == 0) {
      o.check_determinism = 1;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      quiet = 1;
    } else if (argv[i][0] == '-' || file) {
      fprintf(stderr, "lwsim run: unexpected argument '%s'\n\n%s", argv[i], run_usage);
      return EXIT_USAGE;
    } else {
      file = argv[i];
    }
  }
  if (!file) {
    fprintf(stderr, "lwsim run: no scenario file given\n\n%s", run_usage);
    return EXIT_USAGE;
  }
  struct lwsim_scenario *sc = load_or_report(file);
  if (!sc) return EXIT_USAGE;
  char *dflt = NULL;
  if (!out) {
    char *stem = lwsim_path_stem(file);
    dflt = stem ? lwsim_aprintf("out/run/%s/seed-%" PRIu64, stem, o.seed_given ? o.seed : sc->seed)
                : NULL;
    free(stem);
    if (!dflt) {
      lwsim_scenario_free(sc);
      fprintf(stderr, "lwsim run: out of memory\n");
      return EXIT_INTERNAL;
    }
    out = dflt;
  }
  o.out_dir = out;
  o.prog = g_argv0;
  struct lwsim_report_run r;
  char err[1024];
  int rc = lwsim_run_scenario(sc, &o, &r, err, sizeof err);
  lwsim_scenario_free(sc);
  int code;
  if (rc == LWSIM_RUN_EINPUT || rc == LWSIM_RUN_EIO) {
    fprintf(stderr, "lwsim run: %s\n", err);
    code = EXIT_USAGE;
  } else if (rc < 0) {
    fprintf(stderr, "lwsim run: internal error: %s\n", err);
    code = EXIT_INTERNAL;
  } else {
    print_run(&r, quiet);
    code = r.verdict == LWSIM_VERDICT_PASS ? EXIT_PASS : EXIT_CHECK;
  }
  lwsim_report_run_free(&r);
  free(dflt);
  return code;
}

/* ---------------------------------------------------- suite outputs --- */

/* junit.xml, summary.json and report.html into dir. */
static int write_suite(const char *dir, struct lwsim_report_run *runs, size_t n,
                       const char *shard, const char *conf_dir, const char *title) {
  struct lwsim_conformance conf;
  char err[512];
  if (lwsim_conformance_load(&conf, conf_dir, err, sizeof err) < 0) {
    fprintf(stderr, "lwsim: conformance catalog: %s\n", err);
    return EXIT_USAGE;
  }
  struct lwsim_report_suite s = {.title = title ? title : "lwsim suite",
                                 .tool = "lwsim " LWSIM_VERSION,
                                 .shard = shard,
                                 .runs = runs,
                                 .nruns = n,
                                 .conformance = &conf,
                                 .timeline_pass_limit = 120};
  char *junit = lwsim_path_join(dir, "junit.xml");
  char *summary = lwsim_path_join(dir, "summary.json");
  char *html = lwsim_path_join(dir, "report.html");
  int code = EXIT_PASS;
  if (!junit || !summary || !html) {
    fprintf(stderr, "lwsim: out of memory\n");
    code = EXIT_INTERNAL;
  } else if (lwsim_mkdirs(dir) < 0 || lwsim_report_write_junit(&s, junit) < 0 ||
             lwsim_report_write_summary(&s, summary) < 0 ||
             lwsim_report_write_html(&s, html) < 0) {
    fprintf(stderr, "lwsim: cannot write the reports in %s: %s\n", dir, strerror(errno));
    code = EXIT_USAGE;
  }
  free(junit);
  free(summary);
  free(html);
  lwsim_conformance_free(&conf);
  return code;
}

static void print_totals(const char *what, const struct lwsim_report_run *runs, size_t n,
                         const char *dir) {
  size_t pass = 0, fail = 0, error = 0;
  for (size_t i = 0; i < n; i++) {
    pass += runs[i].verdict == LWSIM_VERDICT_PASS;
    fail += runs[i].verdict == LWSIM_VERDICT_FAIL;
    error += runs[i].verdict == LWSIM_VERDICT_ERROR;
  }
  int color = use_color(stdout);
  printf("%s %s: %zu runs, %zu passed, %zu failed, %zu errors\n",
         verdict_word(error ? LWSIM_VERDICT_ERROR : fail ? LWSIM_VERDICT_FAIL : LWSIM_VERDICT_PASS,
                      color),
         what, n, pass, fail, error);
  for (size_t i = 0; i < n; i++)
    if (runs[i].verdict != LWSIM_VERDICT_PASS)
      printf("  %s %s seed %" PRIu64 ": %s\n", verdict_word(runs[i].verdict, color),
             runs[i].file ? runs[i].file : "?", runs[i].seed,
             runs[i].replay ? runs[i].replay : "");
  printf("report: %s/report.html (junit.xml, summary.json beside it)\n", dir);
}

/* ------------------------------------------------------------- sweep --- */

static const char sweep_usage[] =
    "usage: lwsim sweep DIR|FILE... [--seeds N | --seed-list A,B,...] [--jobs N]\n"
    "                   [--shard I/N] [--out DIR] [--trace] [--pcap]\n"
    "                   [--check-determinism] [--conformance DIR] [--title TEXT]\n"
    "\n"
    "Runs every scenario (a folder: its *.json files) with every seed, each run\n"
    "in its own process, several at once, and writes junit.xml, summary.json and\n"
    "report.html in DIR (run folders in DIR/runs/<scenario>/seed-<N>).\n"
    "\n"
    "  --seeds N           seeds 1..N (default: each scenario's own seed)\n"
    "  --seed-list A,B     exactly these seeds\n"
    "  --jobs N            runs at once (default: the number of CPUs)\n"
    "  --shard I/N         only the I-th of N deterministic slices (1 <= I <= N);\n"
    "                      join the slices' folders with `lwsim merge`\n"
    "  --out DIR           output folder (default out/sweep)\n"
    "  --trace, --pcap     keep traces / write captures for every run\n"
    "  --check-determinism run each twice; a different trace fails it\n"
    "  --conformance DIR   requirement catalog (default docs/conformance)\n"
    "  --title TEXT        the report's title\n"
    "\n"
    "Exit status: 0 every run passed, 1 a check failed, 2 usage or input error\n"
    "(nothing is run when a scenario is invalid), 3 a run hit an internal error.\n";

struct sweep_args {
  char **paths;
  size_t npaths;
  uint64_t *seeds;
  size_t nseeds;
  unsigned jobs, shard_i, shard_n;
  const char *out, *conformance, *title;
  int trace, pcap, check_determinism;
};

static int parse_sweep(int argc, char **argv, struct sweep_args *a) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  a->jobs = cpus > 0 ? (unsigned)cpus : 1;
  a->out = "out/sweep";
  for (int i = 1; i < argc; i++) {
    int missing = 0;
    const char *v;
    uint64_t x;
    if ((v = opt_value(argc, argv, &i, "--seeds", &missing))) {
      if (parse_u64("--seeds", v, &x) || x == 0 || x > 1000000 || a->seeds) {
        fprintf(stderr, "lwsim sweep: --seeds expects 1..1000000 (and not with --seed-list)\n");
        return -1;
      }
      a->seeds = malloc(x * sizeof *a->seeds);
      if (!a->seeds) return -1;
      for (uint64_t k = 0; k < x; k++) a->seeds[k] = k + 1;
      a->nseeds = x;
    } else if ((v = opt_value(argc, argv, &i, "--seed-list", &missing))) {
      if (a->seeds || parse_seed_list(v, &a->seeds, &a->nseeds) < 0) {
        fprintf(stderr, "lwsim sweep: --seed-list expects numbers like 1,5,9 (and not with "
                        "--seeds)\n");
        return -1;
      }
    } else if ((v = opt_value(argc, argv, &i, "--jobs", &missing))) {
      if (parse_u64("--jobs", v, &x) || x == 0 || x > 1024) {
        fprintf(stderr, "lwsim sweep: --jobs expects 1..1024\n");
        return -1;
      }
      a->jobs = (unsigned)x;
    } else if ((v = opt_value(argc, argv, &i, "--shard", &missing))) {
      unsigned si, sn;
      char extra;
      if (sscanf(v, "%u/%u%c", &si, &sn, &extra) != 2 || sn == 0 || si == 0 || si > sn) {
        fprintf(stderr, "lwsim sweep: --shard expects I/N with 1 <= I <= N, got '%s'\n", v);
        return -1;
      }
      a->shard_i = si;
      a->shard_n = sn;
    } else if ((v = opt_value(argc, argv, &i, "--out", &missing))) {
      a->out = v;
    } else if ((v = opt_value(argc, argv, &i, "--conformance", &missing))) {
      a->conformance = v;
    } else if ((v = opt_value(argc, argv, &i, "--title", &missing))) {
      a->title = v;
    } else if (missing) {
      fprintf(stderr, "lwsim sweep: %s needs a value\n", argv[i]);
      return -1;
    } else if (strcmp(argv[i], "--trace") == 0) {
      a->trace = 1;
    } else if (strcmp(argv[i], "--pcap") == 0) {
      a->pcap = 1;
    } else if (strcmp(argv[i], "--check-determinism") == 0) {
      a->check_determinism = 1;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "lwsim sweep: unknown option '%s'\n\n%s", argv[i], sweep_usage);
      return -1;
    } else {
      a->paths[a->npaths++] = argv[i];
    }
  }
  if (!a->npaths) {
    fprintf(stderr, "lwsim sweep: no scenarios given\n\n%s", sweep_usage);
    return -1;
  }
  return 0;
}

/* Validate every file first (nothing runs when one is invalid) and note
 * each scenario's own seed. */
static int validate_all(char **files, size_t n, uint64_t *dflt) {
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    struct lwsim_scenario *sc = load_or_report(files[i]);
    if (!sc) {
      bad = 1;
      continue;
    }
    if (sc->engine != LWSIM_ENGINE_BUILTIN) {
      fprintf(stderr, "%s: ns-3 engine not built in yet (use \"engine\": \"builtin\")\n", files[i]);
      bad = 1;
    }
    dflt[i] = sc->seed;
    lwsim_scenario_free(sc);
  }
  return bad ? -1 : 0;
}

static int cmd_sweep(int argc, char **argv) {
  struct sweep_args a = {0};
  a.paths = calloc((size_t)argc, sizeof *a.paths);
  char **files = NULL, err[512], shard[32];
  size_t nfiles = 0, nitems = 0;
  uint64_t *dflt = NULL;
  struct lwsim_sweep_item *items = NULL;
  struct lwsim_report_run *runs = NULL;
  int code = EXIT_USAGE;
  if (!a.paths || parse_sweep(argc, argv, &a) < 0) goto out;
  if (lwsim_sweep_files(a.paths, a.npaths, &files, &nfiles, err, sizeof err) < 0) {
    fprintf(stderr, "lwsim sweep: %s\n", err);
    goto out;
  }
  if (!nfiles) {
    fprintf(stderr, "lwsim sweep: no scenario files found\n");
    goto out;
  }
  dflt = calloc(nfiles, sizeof *dflt);
  if (!dflt || validate_all(files, nfiles, dflt) < 0) goto out;
  code = EXIT_INTERNAL;
  if (lwsim_sweep_plan(files, nfiles, a.seeds, a.nseeds, dflt, a.shard_i, a.shard_n, a.out,
                       &items, &nitems) < 0 ||
      !(runs = calloc(nitems ? nitems : 1, sizeof *runs))) {
    fprintf(stderr, "lwsim sweep: out of memory\n");
    goto out;
  }
  struct lwsim_sweep_opts so = {.exe = "/proc/self/exe",
                                .argv0 = g_argv0,
                                .jobs = a.jobs,
                                .trace = a.trace,
                                .pcap = a.pcap,
                                .check_determinism = a.check_determinism,
                                .progress = stderr,
                                .bar = isatty(fileno(stderr)),
                                .color = use_color(stderr)};
  if (access(so.exe, X_OK) != 0) so.exe = g_argv0;
  if (lwsim_sweep_run(items, nitems, &so, runs, err, sizeof err) < 0) {
    fprintf(stderr, "lwsim sweep: %s\n", err);
    goto out;
  }
  if (a.shard_n) snprintf(shard, sizeof shard, "%u/%u", a.shard_i, a.shard_n);
  char cbuf[1024];
  const char *conf = pick_conformance(a.conformance, files[0], cbuf, sizeof cbuf);
  code = write_suite(a.out, runs, nitems, a.shard_n ? shard : NULL, conf, a.title);
  if (code == EXIT_PASS) {
    print_totals("sweep", runs, nitems, a.out);
    code = exit_of(runs, nitems);
  }
out:
  for (size_t i = 0; runs && i < nitems; i++) lwsim_report_run_free(&runs[i]);
  free(runs);
  lwsim_sweep_items_free(items, nitems);
  lwsim_sweep_strings_free(files, nfiles);
  free(dflt);
  free(a.seeds);
  free(a.paths);
  return code;
}

/* ------------------------------------------------------------ replay --- */

static const char replay_usage[] =
    "usage: lwsim replay DIR\n"
    "\n"
    "Runs a run folder's scenario (its copy, DIR/scenario.json) again with the\n"
    "recorded seed, writes the new run to DIR/replay/, and checks that the trace\n"
    "hash matches DIR/results.json. When it does not, names the first trace line\n"
    "that differs (if DIR/trace.jsonl was kept).\n"
    "\n"
    "Exit status: 0 the hash matches and the run passes, 1 the hash differs or\n"
    "the run fails (as recorded), 2 usage or input error, 3 internal error.\n";

static int cmd_replay(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fprintf(stderr, "lwsim replay: expects exactly one run folder\n\n%s", replay_usage);
    return EXIT_USAGE;
  }
  const char *dir = argv[1];
  char err[1024];
  struct lwsim_report_run rec, now;
  char *res = lwsim_path_join(dir, "results.json"), *copy = lwsim_path_join(dir, "scenario.json");
  char *out = lwsim_path_join(dir, "replay");
  int code = EXIT_USAGE;
  lwsim_report_run_init(&now);
  if (!res || !copy || !out || lwsim_report_run_read(&rec, res, err, sizeof err) < 0) {
    fprintf(stderr, "lwsim replay: %s\n", res ? err : "out of memory");
    free(res);
    free(copy);
    free(out);
    return EXIT_USAGE;
  }
  struct lwsim_scenario *sc = load_or_report(copy);
  if (sc && rec.file && lwsim_report_set(&sc->file, rec.file) < 0) code = EXIT_INTERNAL;
  if (sc && code == EXIT_USAGE) {
    struct lwsim_run_opts o = {.seed = rec.seed, .seed_given = 1, .out_dir = out, .trace = 1,
                               .prog = g_argv0};
    int rc = lwsim_run_scenario(sc, &o, &now, err, sizeof err);
    if (rc < 0) {
      fprintf(stderr, "lwsim replay: %s\n", err);
      code = rc == LWSIM_RUN_EINTERNAL ? EXIT_INTERNAL : EXIT_USAGE;
    } else if (now.trace_hash == rec.trace_hash) {
      printf("replay %s: trace hash %016" PRIx64 " matches; verdict %s (recorded %s); %s\n", dir,
             now.trace_hash, lwsim_verdict_name(now.verdict), lwsim_verdict_name(rec.verdict), out);
      code = now.verdict == LWSIM_VERDICT_PASS ? EXIT_PASS : EXIT_CHECK;
    } else {
      printf("replay %s: trace hash %016" PRIx64 " differs from the recorded %016" PRIx64 "\n", dir,
             now.trace_hash, rec.trace_hash);
      char *t1 = lwsim_path_join(dir, "trace.jsonl"), *t2 = lwsim_path_join(out, "trace.jsonl");
      if (t1 && t2 && access(t1, R_OK) == 0) {
        char diff[1024];
        lwsim_trace_first_difference(t1, t2, diff, sizeof diff);
        printf("  %s\n", diff);
      }
      free(t1);
      free(t2);
      code = EXIT_CHECK;
    }
  }
  lwsim_scenario_free(sc);
  lwsim_report_run_free(&rec);
  lwsim_report_run_free(&now);
  free(res);
  free(copy);
  free(out);
  return code;
}

/* ------------------------------------------------------------- merge --- */

static const char merge_usage[] =
    "usage: lwsim merge DIR... --out DIR [--conformance DIR] [--title TEXT]\n"
    "\n"
    "Joins the output folders of sweeps (e.g. the shards of `lwsim sweep\n"
    "--shard I/N`): reads each DIR/summary.json and the run folders it lists,\n"
    "and writes one junit.xml, summary.json and report.html in --out.\n"
    "\n"
    "Exit status: as for sweep, over all the runs joined.\n";

static int cmp_runs(const void *a, const void *b) {
  const struct lwsim_report_run *x = a, *y = b;
  int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
  if (c) return c;
  return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* Appends the runs listed by dir/summary.json to *runs. */
static int merge_one(const char *dir, struct lwsim_report_run **runs, size_t *n, size_t *cap) {
  char err[1024], **dirs = NULL;
  size_t nd = 0;
  char *summary = lwsim_path_join(dir, "summary.json");
  if (!summary || lwsim_report_summary_dirs(summary, &dirs, &nd, err, sizeof err) < 0) {
    fprintf(stderr, "lwsim merge: %s\n", summary ? err : "out of memory");
    free(summary);
    return -1;
  }
  free(summary);
  int rc = 0;
  for (size_t i = 0; i < nd && rc == 0; i++) {
    char *res = lwsim_path_join(dirs[i], "results.json");
    if (!res || !lwsim_grow((void **)runs, cap, *n + 1, sizeof **runs) ||
        lwsim_report_run_read(&(*runs)[*n], res, err, sizeof err) < 0) {
      fprintf(stderr, "lwsim merge: %s\n", res ? err : "out of memory");
      rc = -1;
    } else {
      (*n)++;
    }
    free(res);
  }
  lwsim_sweep_strings_free(dirs, nd);
  return rc;
}

static int cmd_merge(int argc, char **argv) {
  const char *out = NULL, *conformance = NULL, *title = NULL;
  struct lwsim_report_run *runs = NULL;
  size_t n = 0, cap = 0, ndirs = 0;
  int code = EXIT_USAGE;
  for (int i = 1; i < argc; i++) {
    int missing = 0;
    const char *v;
    if ((v = opt_value(argc, argv, &i, "--out", &missing))) out = v;
    else if ((v = opt_value(argc, argv, &i, "--conformance", &missing))) conformance = v;
    else if ((v = opt_value(argc, argv, &i, "--title", &missing))) title = v;
    else if (missing || argv[i][0] == '-') {
      fprintf(stderr, "lwsim merge: bad argument '%s'\n\n%s", argv[i], merge_usage);
      goto out;
    } else if (merge_one(argv[i], &runs, &n, &cap) < 0) {
      goto out;
    } else {
      ndirs++;
    }
  }
  if (!out || !ndirs) {
    fprintf(stderr, "lwsim merge: needs at least one folder and --out DIR\n\n%s", merge_usage);
    goto out;
  }
  if (n > 1) qsort(runs, n, sizeof *runs, cmp_runs);
  for (size_t i = 1; i < n; i++)
    if (cmp_runs(&runs[i - 1], &runs[i]) == 0) {
      fprintf(stderr, "lwsim merge: %s seed %" PRIu64 " appears twice (overlapping shards?)\n",
              runs[i].file ? runs[i].file : "?", runs[i].seed);
      goto out;
    }
  char cbuf[1024];
  code = write_suite(out, runs, n, NULL, pick_conformance(conformance, runs && n ? runs[0].file : NULL, cbuf, sizeof cbuf), title);
  if (code == EXIT_PASS) {
    print_totals("merge", runs, n, out);
    code = exit_of(runs, n);
  }
out:
  for (size_t i = 0; i < n; i++) lwsim_report_run_free(&runs[i]);
  free(runs);
  return code;
}

static const struct command commands[] = {
    {"validate", "check scenario files and list every problem", validate_usage, cmd_validate},
    {"run", "run one scenario and print its verdict", run_usage, cmd_run},
    {"sweep", "run scenarios x seeds in parallel; JUnit, JSON and HTML reports", sweep_usage,
     cmd_sweep},
    {"replay", "re-run a run folder and check its trace hash", replay_usage, cmd_replay},
    {"merge", "join sweep (shard) outputs into one report", merge_usage, cmd_merge},
    {"demo", "run the example network and write a pcap and a trace", demo_usage, cmd_demo},
};

static void usage(FILE *f) {
  fprintf(f, "usage: lwsim <command> [options]   (lwsim <command> --help for more)\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n  --version  print the version and the engines built in\n");
}

int main(int argc, char **argv) {
  if (argc > 0 && argv[0] && argv[0][0]) g_argv0 = argv[0];
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("lwsim %s\nengines: builtin%s\n", LWSIM_VERSION, LWSIM_HAVE_NS3 ? ", ns3 (ns-3 3.37)" : " (ns-3 not built in)");
    return EXIT_PASS;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return EXIT_PASS;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(argv[1], commands[i].name) != 0) continue;
    if (wants_help(argc - 1, argv + 1)) {
      fputs(commands[i].usage, stdout);
      return EXIT_PASS;
    }
    return commands[i].run(argc - 1, argv + 1);
  }
  fprintf(stderr, "lwsim: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return EXIT_USAGE;
}
