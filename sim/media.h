/* Media: opaque frames between attachment points (ports).
 *
 * A medium is a point-to-point link (exactly two ports) or a shared segment
 * (any number of ports; a frame sent by one reaches every other, like an
 * ideal switch flooding or a hub without collisions). sim/ knows nothing of
 * what a frame holds.
 *
 * Each port has two impairment sets, "tx" for frames it sends and "rx" for
 * frames delivered to it. A frame from A to B passes A's tx stages, then
 * B's rx stages, then reaches B's receive callback. On a link, "direction
 * A->B" is A's tx plus B's rx; on a segment each receiver's rx applies to
 * its own copy. Every stage is optional and configured by struct sim_impair;
 * the pipeline of one impairment set, in order:
 *
 *   1. up      port or medium down: drop (cause "down"); a partition between
 *              sender and receiver: drop ("partition")
 *   2. mtu     frame longer than max_frame bytes: drop ("mtu")
 *   3. queue   rate > 0: frames are serialised one at a time at `rate` bits
 *              per second behind a FIFO holding at most queue_frames frames
 *              and queue_bytes bytes (the frame being sent counts); a frame
 *              that does not fit is tail-dropped ("queue")
 *   4. loss    Bernoulli `loss` ("loss"), then the Gilbert-Elliott chain
 *              ("burst"): it moves good->bad with probability ge.p_enter and
 *              bad->good with ge.p_exit once per frame, then drops with
 *              ge.loss_good or ge.loss_bad by state
 *   5. corrupt with probability `corrupt`, flip corrupt_bits distinct
 *              random bits of the frame (counted "corrupted")
 *   6. dup     with probability `duplicate`, a second copy follows the
 *              first at the same arrival time ("duplicated")
 *   7. delay   arrival = end of serialisation + delay + uniform[0, jitter];
 *              jitter never reorders: an arrival is never before the
 *              previous one of the same impairment set
 *   8. reorder with probability `reorder`, the frame is held back an extra
 *              reorder_delay, letting later frames pass it ("reordered")
 *
 * Frames in flight when their path goes down are dropped at arrival
 * ("down"). Every random choice comes from the impairment set's own stream,
 * named "media/<medium>/<node>/<port>/tx" or ".../rx" and derived from the
 * root seed, so configuring one direction never shifts another's draws.
 *
 * Capture: a port capture records the frames the port sends (at send time)
 * and those delivered to it (at arrival, after every impairment, corrupted
 * bits included). A medium capture records every frame once, at send time,
 * as the sender gave it.
 *
 * Trace: when the medium has a trace, it writes one event per frame sent
 * ("tx"), delivered ("rx") and dropped ("drop", with the cause), each with
 * the port, length and an FNV-1a digest of the bytes.
 */
#ifndef LWSIM_SIM_MEDIA_H
#define LWSIM_SIM_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"

struct sim_pcap;
struct sim_trace;
struct sim_medium;
struct sim_port;

enum sim_medium_kind {
  SIM_MEDIUM_LINK,    /* point to point, two ports */
  SIM_MEDIUM_SEGMENT, /* shared, any number of ports */
};

/* Largest frame the media carry at all, whatever max_frame says. */
#define SIM_FRAME_MAX 65535u

/* One impairment set. Zero-initialised means a perfect wire: no delay,
 * infinite rate, no loss. */
struct sim_impair {
  sim_time_t delay;         /* propagation delay, ns (>= 0) */
  sim_time_t jitter;        /* extra delay uniform in [0, jitter] ns (>= 0) */
  uint64_t rate;            /* bits per second; 0 = no serialisation time */
  uint32_t queue_frames;    /* with rate: FIFO limit in frames; 0 = 1000 */
  uint32_t queue_bytes;     /* with rate: FIFO limit in bytes; 0 = none */
  double loss;              /* Bernoulli drop probability [0, 1] */
  struct {
    double p_enter;         /* good -> bad per frame; 0 disables the model */
    double p_exit;          /* bad -> good per frame */
    double loss_good;       /* drop probability in the good state */
    double loss_bad;        /* drop probability in the bad state */
  } ge;
  double corrupt;           /* probability of corrupting a frame */
  uint32_t corrupt_bits;    /* bits flipped per corrupted frame; 0 = 1 */
  double duplicate;         /* probability of delivering a frame twice */
  double reorder;           /* probability of holding a frame back */
  sim_time_t reorder_delay; /* how long it is held back, ns (> 0 if reorder) */
  uint32_t max_frame;       /* longest frame in bytes; 0 = SIM_FRAME_MAX */
};

/* Why a frame did not arrive, or what happened to it on the way. */
enum sim_media_cause {
  SIM_CAUSE_DOWN,
  SIM_CAUSE_PARTITION,
  SIM_CAUSE_MTU,
  SIM_CAUSE_QUEUE,
  SIM_CAUSE_LOSS,
  SIM_CAUSE_BURST,
  SIM_CAUSE_DROPS_END, /* causes below are not drops */
  SIM_CAUSE_CORRUPTED = SIM_CAUSE_DROPS_END,
  SIM_CAUSE_DUPLICATED,
  SIM_CAUSE_REORDERED,
  SIM_CAUSE_COUNT,
};
/* "down", "partition", "mtu", "queue", "loss", "burst", "corrupted",
 * "duplicated", "reordered". */
const char *sim_media_cause_name(enum sim_media_cause c);

/* Counters of one impairment set. */
struct sim_media_counters {
  uint64_t frames_in, bytes_in;   /* entered the stages */
  uint64_t frames_out, bytes_out; /* left them (duplicates included) */
  uint64_t by_cause[SIM_CAUSE_COUNT];
};

/* Receive callback: called from an engine event (main context) at the
 * arrival time. `frame` is valid only during the call. */
typedef void (*sim_rx_fn)(void *user, struct sim_port *port, const uint8_t *frame, size_t len);

/* seed is the run's root seed (streams derive from it and the names); trace
 * may be NULL. The name is copied. */
int sim_medium_new(struct sim_medium **out, struct sim_engine *e, enum sim_medium_kind kind,
                   const char *name, uint64_t seed, struct sim_trace *trace);
/* Frees the medium, its ports and every frame in flight (never delivered). */
void sim_medium_free(struct sim_medium *m);
const char *sim_medium_name(const struct sim_medium *m);

/* Attach a port. `node` names the owner in the trace (e.g. "client"), name
 * the port ("eth0"); both copied. SIM_EBUSY on a link that has two ports. */
int sim_port_new(struct sim_port **out, struct sim_medium *m, const char *node, const char *name,
                 sim_rx_fn rx, void *user);
const char *sim_port_name(const struct sim_port *p);
const char *sim_port_node(const struct sim_port *p);

/* Hand a frame to the medium (it is copied). Returns 0 whether or not the
 * frame will arrive: drops are counted, not reported, as on a real wire.
 * SIM_EINVAL for len 0 or len > SIM_FRAME_MAX. */
int sim_port_send(struct sim_port *p, const void *frame, size_t len);

enum sim_dir { SIM_TX, SIM_RX };
/* Replace an impairment set; applies to frames entering it from now on.
 * SIM_EINVAL (nothing changed) for a probability outside [0, 1], a negative
 * time, reorder > 0 without reorder_delay > 0, or max_frame > SIM_FRAME_MAX. */
int sim_port_set_impair(struct sim_port *p, enum sim_dir d, const struct sim_impair *imp);
const struct sim_impair *sim_port_impair(const struct sim_port *p, enum sim_dir d);
const struct sim_media_counters *sim_port_counters(const struct sim_port *p, enum sim_dir d);

/* Up/down: a port's direction, a whole port, or the whole medium. A frame
 * passes only while the medium, the sender's tx and the receiver's rx are
 * all up. */
void sim_port_set_up(struct sim_port *p, enum sim_dir d, int up);
void sim_medium_set_up(struct sim_medium *m, int up);
int sim_medium_is_up(const struct sim_medium *m);

/* Partitions: each port is in group 0 until set; frames cross only between
 * ports of the same group. heal puts every port back in group 0. */
void sim_port_set_group(struct sim_port *p, uint32_t group);
void sim_medium_heal(struct sim_medium *m);

/* Capture (see above). The writer is not owned: close it after the medium
 * is freed or capture is switched off (NULL). */
void sim_port_capture(struct sim_port *p, struct sim_pcap *pcap);
void sim_medium_capture(struct sim_medium *m, struct sim_pcap *pcap);

#endif
