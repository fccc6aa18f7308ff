/* The stack part of `lwsim demo`: four stack instances ("h1".."h4",
 * 10.0.0.1-4/24) on a segment with 5 % loss, jitter and 10 % reordering.
 * Each pings the other three, ten times each, and sends 20 UDP datagrams
 * (64 to 8000 bytes, the large ones fragmented) to the next host's echo
 * service, checking every echoed byte. Writes DIR/stack.pcap and
 * DIR/stack-trace.jsonl when opts->out_dir is set. */
#ifndef LWSIM_HARNESS_DEMO_STACK_H
#define LWSIM_HARNESS_DEMO_STACK_H

#include <stdint.h>

#include "harness/demo.h"
#include "stack/stack.h"

struct lwsim_demo_stack_result {
  uint64_t trace_hash, trace_events;
  int64_t end_time;
  int pings_sent, pings_answered;
  int udp_sent, udp_echoed, udp_corrupt;
  uint64_t fragments, reassembled;
  uint64_t drops_total;
  uint64_t drops[STACK_DROP_COUNT];
  uint64_t pcap_frames;
};

/* 0, or a negative SIM_E* code (SIM_EIO: a file could not be written). */
int lwsim_demo_stack_run(const struct lwsim_demo_opts *opts, struct lwsim_demo_stack_result *r);

#endif
