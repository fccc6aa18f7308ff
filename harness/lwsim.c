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

#include "harness/demo.h"
#include "harness/demo_stack.h"
#include "sim/err.h"

enum { EXIT_PASS = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

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

static const struct command commands[] = {
    {"demo", "run the example network and write a pcap and a trace", demo_usage, cmd_demo},
};

static void usage(FILE *f) {
  fprintf(f, "usage: lwsim <command> [options]   (lwsim <command> --help for more)\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n  --version  print the version and the engines built in\n");
}

int main(int argc, char **argv) {
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
