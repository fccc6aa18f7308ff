/* The example network behind `lwsim demo` (and scripts/demo).
 *
 * Two hosts, "client" and "server", on a point-to-point link with
 * impairments (rate, delay, jitter, loss, corruption, duplication,
 * reordering), and three "sensor" nodes on a shared segment with bursty
 * loss. The client runs a stop-and-wait request/reply protocol over
 * UDP/IPv4 frames with retransmission on timeout; the server answers every
 * intact request; the sensors broadcast readings. Every node is a vthread;
 * frames reach them through mailboxes fed by the media.
 *
 * The IP and UDP bytes are built here only so that captures dissect nicely:
 * this is a kernel demonstration, not the stack.
 */
#ifndef LWSIM_HARNESS_DEMO_H
#define LWSIM_HARNESS_DEMO_H

#include <stdint.h>

struct lwsim_demo_opts {
  uint64_t seed;
  const char *out_dir; /* NULL: no files, the trace hash is still computed */
  int requests;        /* 0: 200 */
};

struct lwsim_demo_result {
  uint64_t trace_hash;
  uint64_t trace_events;
  int64_t end_time;         /* virtual ns */
  int completed;            /* requests answered */
  int retransmissions;
  int bad_checksums;        /* corrupted frames caught by the receivers */
  uint64_t link_drops;      /* both directions, all causes */
  uint64_t sensor_frames_in;
  uint64_t sensor_frames_out;
  uint64_t pcap_frames;     /* records in link.pcap (0 without out_dir) */
};

/* Runs the demo. Returns 0, or a negative SIM_E* code when a file cannot be
 * written (errno tells why) or memory runs out. */
int lwsim_demo_run(const struct lwsim_demo_opts *opts, struct lwsim_demo_result *res);

#endif
