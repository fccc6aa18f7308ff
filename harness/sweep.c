/* Sweeps (see sweep.h): planning and the pool of child processes. */
#include "harness/sweep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reports/util.h"

void lwsim_sweep_strings_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(char ***v, size_t *n, size_t *cap, const char *path) {
  if (!lwsim_grow((void **)v, cap, *n + 1, sizeof **v)) return -1;
  if (!((*v)[*n] = lwsim_strdup(path))) return -1;
  (*n)++;
  return 0;
}

/* The *.json files of a folder. */
static int add_dir(char ***v, size_t *n, size_t *cap, const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
    char *p = lwsim_path_join(dir, e->d_name);
    rc = p ? add_file(v, n, cap, p) : -1;
    free(p);
  }
  closedir(d);
  return rc;
}

int lwsim_sweep_files(char *const *paths, size_t np, char ***files, size_t *nfiles, char *err,
                      size_t cap) {
  char **v = NULL;
  size_t n = 0, vcap = 0;
  for (size_t i = 0; i < np; i++) {
    struct stat st;
    int rc;
    if (stat(paths[i], &st) < 0) {
      snprintf(err, cap, "%s: %s", paths[i], strerror(errno));
      lwsim_sweep_strings_free(v, n);
      return -1;
    }
    if (S_ISDIR(st.st_mode)) rc = add_dir(&v, &n, &vcap, paths[i]);
    else rc = add_file(&v, &n, &vcap, paths[i]);
    if (rc < 0) {
      snprintf(err, cap, "%s: %s", paths[i], strerror(errno ? errno : ENOMEM));
      lwsim_sweep_strings_free(v, n);
      return -1;
    }
  }
  if (n) qsort(v, n, sizeof *v, cmp_str);
  size_t u = 0;
  for (size_t i = 0; i < n; i++) {
    if (u && strcmp(v[u - 1], v[i]) == 0) free(v[i]);
    else v[u++] = v[i];
  }
  *files = v;
  *nfiles = u;
  return 0;
}

void lwsim_sweep_items_free(struct lwsim_sweep_item *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(items[i].file);
    free(items[i].dir);
  }
  free(items);
}

/* Unique folder names for the files: their stems, "-2", "-3" on clashes. */
static char **unique_stems(char *const *files, size_t n) {
  char **stems = calloc(n ? n : 1, sizeof *stems);
  if (!stems) return NULL;
  for (size_t i = 0; i < n; i++) {
    char *s = lwsim_path_stem(files[i]);
    for (int k = 2; s; k++) {
      int clash = 0;
      for (size_t j = 0; j < i && !clash; j++) clash = strcmp(stems[j], s) == 0;
      if (!clash) break;
      char *base = lwsim_path_stem(files[i]);
      free(s);
      s = base ? lwsim_aprintf("%s-%d", base, k) : NULL;
      free(base);
    }
    if (!s) {
      lwsim_sweep_strings_free(stems, i);
      return NULL;
    }
    stems[i] = s;
  }
  return stems;
}

int lwsim_sweep_plan(char *const *files, size_t nfiles, const uint64_t *seeds, size_t nseeds,
                     const uint64_t *dflt_seeds, unsigned shard_i, unsigned shard_n,
                     const char *out, struct lwsim_sweep_item **items, size_t *nitems) {
  size_t per = seeds ? nseeds : 1, total = nfiles * per, k = 0;
  struct lwsim_sweep_item *v = calloc(total ? total : 1, sizeof *v);
  char **stems = unique_stems(files, nfiles);
  if (!v || !stems) {
    free(v);
    if (stems) lwsim_sweep_strings_free(stems, nfiles);
    return -1;
  }
  for (size_t i = 0, idx = 0; i < nfiles; i++)
    for (size_t s = 0; s < per; s++, idx++) {
      if (shard_n && idx % shard_n != shard_i - 1) continue;
      uint64_t seed = seeds ? seeds[s] : dflt_seeds[i];
      v[k].file = lwsim_strdup(files[i]);
      v[k].seed = seed;
      v[k].dir = lwsim_aprintf("%s/runs/%s/seed-%" PRIu64, out, stems[i], seed);
      if (!v[k].file || !v[k].dir) {
        lwsim_sweep_items_free(v, k + 1);
        lwsim_sweep_strings_free(stems, nfiles);
        return -1;
      }
      k++;
    }
  lwsim_sweep_strings_free(stems, nfiles);
  *items = v;
  *nitems = k;
  return 0;
}

/* ------------------------------------------------------------ children -- */

/* In the child: output to DIR/run.log, then exec `lwsim run`. */
static void child(const struct lwsim_sweep_item *it, const struct lwsim_sweep_opts *o) {
  char seed[24];
  snprintf(seed, sizeof seed, "%" PRIu64, it->seed);
  char *log = lwsim_path_join(it->dir, "run.log");
  int fd = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  const char *argv[16];
  int n = 0;
  argv[n++] = o->argv0;
  argv[n++] = "run";
  argv[n++] = it->file;
  argv[n++] = "--seed";
  argv[n++] = seed;
  argv[n++] = "--out";
  argv[n++] = it->dir;
  if (o->trace) argv[n++] = "--trace";
  if (o->pcap) argv[n++] = "--pcap";
  if (o->check_determinism) argv[n++] = "--check-determinism";
  argv[n] = NULL;
  setenv("NO_COLOR", "1", 1);
  execv(o->exe, (char *const *)argv);
  fprintf(stderr, "lwsim sweep: cannot run %s: %s\n", o->exe, strerror(errno));
  _exit(3);
}

/* An error record for a run that left no usable results.json. */
static void error_record(const struct lwsim_sweep_item *it, const char *why, const char *argv0,
                         struct lwsim_report_run *r) {
  lwsim_report_run_init(r);
  char *stem = lwsim_path_stem(it->file);
  lwsim_report_set(&r->scenario, stem ? stem : it->file);
  free(stem);
  lwsim_report_set(&r->file, it->file);
  lwsim_report_set(&r->dir, it->dir);
  lwsim_report_set(&r->engine, "builtin");
  r->seed = it->seed;
  r->verdict = LWSIM_VERDICT_ERROR;
  char *log = lwsim_path_join(it->dir, "run.log");
  size_t len = 0;
  char *text = log ? lwsim_read_file(log, &len) : NULL;
  /* the log's last line usually says what went wrong */
  while (text && len && (text[len - 1] == '\n')) text[--len] = 0;
  const char *last = text ? strrchr(text, '\n') : NULL;
  last = last ? last + 1 : text;
  char *msg = lwsim_aprintf("%s%s%s", why, last && *last ? ": " : "", last ? last : "");
  lwsim_report_set(&r->error, msg ? msg : why);
  free(msg);
  free(text);
  free(log);
  char *q = lwsim_aprintf("%s run %s --seed %" PRIu64, argv0, it->file, it->seed);
  lwsim_report_set(&r->replay, q);
  free(q);
}

/* Read item i's results after its child exited with `status`. */
static void collect(const struct lwsim_sweep_item *it, int status, const char *argv0,
                    struct lwsim_report_run *r) {
  char why[128];
  if (WIFSIGNALED(status)) {
    snprintf(why, sizeof why, "the run was killed by signal %d", WTERMSIG(status));
    error_record(it, why, argv0, r);
    return;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 3;
  char *path = lwsim_path_join(it->dir, "results.json");
  char err[512];
  int rc = path ? lwsim_report_run_read(r, path, err, sizeof err) : -1;
  free(path);
  if (rc < 0) {
    snprintf(why, sizeof why, "the run exited with status %d and left no results", code);
    error_record(it, why, argv0, r);
    return;
  }
  lwsim_report_set(&r->dir, it->dir);
  /* the exit status and the record must agree; if not, trust neither */
  int expect = r->verdict == LWSIM_VERDICT_PASS ? 0 : r->verdict == LWSIM_VERDICT_FAIL ? 1 : -1;
  if (expect >= 0 && code != expect) {
    r->verdict = LWSIM_VERDICT_ERROR;
    snprintf(why, sizeof why, "exit status %d does not match the recorded verdict", code);
    lwsim_report_set(&r->error, why);
  }
}

struct progress {
  size_t done, pass, fail, error, total;
};

static void show(const struct lwsim_sweep_opts *o, struct progress *p,
                 const struct lwsim_sweep_item *it, const struct lwsim_report_run *r) {
  if (!o->progress) return;
  const char *v = lwsim_verdict_name(r->verdict);
  const char *col = !o->color ? "" : r->verdict == LWSIM_VERDICT_PASS ? "\033[32m" : "\033[31m";
  const char *off = o->color ? "\033[0m" : "";
  if (!o->bar) {
    fprintf(o->progress, "[%zu/%zu] %s%s%s %s seed %" PRIu64 "\n", p->done, p->total, col, v, off,
            it->file, it->seed);
  } else {
    const int width = 30;
    int fill = p->total ? (int)(p->done * (size_t)width / p->total) : width;
    fprintf(o->progress, "\r[%.*s%*s] %zu/%zu  pass %zu  fail %zu  error %zu  \033[K", fill,
            "##############################", width - fill, "", p->done, p->total, p->pass,
            p->fail, p->error);
    if (r->verdict != LWSIM_VERDICT_PASS)
      fprintf(o->progress, "\r\033[K%s%s%s %s seed %" PRIu64 "\n", col, v, off, it->file, it->seed);
    if (p->done == p->total) fputc('\n', o->progress);
  }
  fflush(o->progress);
}

int lwsim_sweep_run(const struct lwsim_sweep_item *items, size_t n,
                    const struct lwsim_sweep_opts *o, struct lwsim_report_run *runs, char *err,
                    size_t cap) {
  pid_t *pids = calloc(n ? n : 1, sizeof *pids);
  if (!pids) {
    snprintf(err, cap, "out of memory");
    return -1;
  }
  struct progress p = {0, 0, 0, 0, n};
  size_t next = 0, running = 0;
  unsigned jobs = o->jobs ? o->jobs : 1;
  int rc = 0;
  while (p.done < n) {
    while (rc == 0 && next < n && running < jobs) {
      const struct lwsim_sweep_item *it = &items[next];
      if (lwsim_mkdirs(it->dir) < 0) {
        snprintf(err, cap, "cannot create %s: %s", it->dir, strerror(errno));
        rc = -1;
        break;
      }
      /* a stale record from an earlier sweep must not pass for this run's */
      char *stale = lwsim_path_join(it->dir, "results.json");
      if (stale) unlink(stale);
      free(stale);
      fflush(NULL);
      pid_t pid = fork();
      if (pid < 0) {
        snprintf(err, cap, "cannot start a run: %s", strerror(errno));
        rc = -1;
        break;
      }
      if (pid == 0) child(it, o);
      pids[next++] = pid;
      running++;
    }
    if (running == 0) break; /* nothing started and nothing left to wait for */
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      snprintf(err, cap, "waiting for runs: %s", strerror(errno));
      rc = -1;
      break;
    }
    size_t i = 0;
    while (i < next && pids[i] != pid) i++;
    if (i == next) continue; /* not one of ours */
    pids[i] = 0;
    running--;
    collect(&items[i], status, o->argv0, &runs[i]);
    p.done++;
    p.pass += runs[i].verdict == LWSIM_VERDICT_PASS;
    p.fail += runs[i].verdict == LWSIM_VERDICT_FAIL;
    p.error += runs[i].verdict == LWSIM_VERDICT_ERROR;
    show(o, &p, &items[i], &runs[i]);
  }
  /* after a failure to start: wait for the children already running */
  for (size_t i = 0; i < next; i++)
    if (pids[i]) {
      int status;
      waitpid(pids[i], &status, 0);
      collect(&items[i], status, o->argv0, &runs[i]);
    }
  for (size_t i = next; i < n; i++) error_record(&items[i], "not run", o->argv0, &runs[i]);
  free(pids);
  return rc;
}
