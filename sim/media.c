/* Media: links and segments as pipelines of impairment stages.
 *
 * A frame's journey (see media.h for what each stage does):
 *
 *   sim_port_send ─ capture, trace "tx" ─ run_set(sender tx)
 *        │  every surviving copy leaves the tx set at some arrival time
 *        ▼
 *   tx_arrive (inline when it leaves now, else an engine event)
 *        │  path still up?  for each receiving port, in attach order:
 *        ▼
 *   run_set(receiver rx) ─ deliver (an engine event at its arrival time)
 *        │  path still up, groups equal?  capture, trace "rx", callback
 *
 * Invariants:
 *   - A frame's bytes are immutable once shared (refs > 1); corruption
 *     copies first, so one receiver's damage never shows in another's copy.
 *   - Every scheduled hop is on the medium's in-flight list until its event
 *     runs, so freeing the medium frees exactly the frames still in flight.
 *   - All random draws of an impairment set come from that set's own stream,
 *     and a stage draws only when its probability is in (0, 1): configuring
 *     a stage on one set never shifts the draws of another.
 */
#include "sim/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/err.h"
#include "sim/pcap.h"
#include "sim/rng.h"
#include "sim/trace.h"

struct frame {
  uint32_t refs;
  uint32_t len;
  uint8_t data[];
};

/* One frame still serialising in a rate-limited queue. */
struct qentry {
  sim_time_t end;
  uint32_t bytes;
};

/* One impairment set: configuration, state and counters. */
struct iset {
  struct sim_impair imp;
  struct sim_media_counters cnt;
  struct sim_rng rng;
  int up;
  int ge_bad;              /* Gilbert-Elliott state: 1 = bad */
  sim_time_t last_arrival; /* jitter never reorders: arrivals are monotonic */
  /* Ring of frames in the queue, oldest first. */
  struct qentry *q;
  uint32_t q_cap, q_head, q_len;
  uint64_t q_bytes;
  sim_time_t q_end; /* when the last queued frame finishes serialising */
};

struct sim_port {
  struct sim_medium *m;
  char *node, *name;
  sim_rx_fn rx;
  void *user;
  uint32_t group;
  struct iset set[2]; /* [SIM_TX], [SIM_RX] */
  struct sim_pcap *pcap;
};

/* A frame between two stages, waiting for its engine event. */
struct hop {
  struct hop *prev, *next; /* the medium's in-flight list */
  struct sim_medium *m;
  struct frame *f;
  struct sim_port *from;
  struct sim_port *to; /* NULL: leaving the sender's tx set */
  sim_event_id ev;
};

struct sim_medium {
  struct sim_engine *e;
  enum sim_medium_kind kind;
  char *name;
  uint64_t seed;
  struct sim_trace *trace;
  struct sim_pcap *pcap;
  int up;
  struct sim_port **ports;
  size_t nports, cap_ports;
  struct hop inflight; /* list head (sentinel) */
};

static const char *const cause_names[SIM_CAUSE_COUNT] = {
    "down", "partition", "mtu", "queue", "loss", "burst", "corrupted", "duplicated", "reordered",
};

const char *sim_media_cause_name(enum sim_media_cause c) {
  return (unsigned)c < SIM_CAUSE_COUNT ? cause_names[c] : "?";
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

/* ------------------------------------------------------------ frames -- */

static struct frame *frame_new(const void *data, size_t len) {
  struct frame *f = malloc(sizeof *f + len);
  if (!f) return NULL;
  f->refs = 1;
  f->len = (uint32_t)len;
  memcpy(f->data, data, len);
  return f;
}

static void frame_unref(struct frame *f) {
  if (f && --f->refs == 0) free(f);
}

/* A frame the caller may modify: f itself when unshared, else a copy (the
 * caller's reference moves to the copy). NULL when out of memory. */
static struct frame *frame_own(struct frame *f) {
  if (f->refs == 1) return f;
  struct frame *c = frame_new(f->data, f->len);
  if (c) frame_unref(f);
  return c;
}

static uint64_t frame_digest(const struct frame *f) {
  return sim_fnv1a64(SIM_FNV_BASIS, f->data, f->len);
}

/* ------------------------------------------------------------- trace -- */

static void trace_frame(struct sim_medium *m, struct sim_port *p, const char *kind,
                        const struct frame *f, const char *cause) {
  if (!m->trace) return;
  sim_trace_begin(m->trace, sim_engine_now(m->e), p->node, kind);
  sim_trace_str(m->trace, "medium", m->name);
  sim_trace_str(m->trace, "port", p->name);
  sim_trace_uint(m->trace, "len", f->len);
  sim_trace_uint(m->trace, "digest", frame_digest(f));
  if (cause) sim_trace_str(m->trace, "cause", cause);
  sim_trace_end(m->trace);
}

static void drop(struct sim_port *p, struct iset *s, const struct frame *f,
                 enum sim_media_cause c) {
  s->cnt.by_cause[c]++;
  trace_frame(p->m, p, "drop", f, cause_names[c]);
}

/* ------------------------------------------------------------ stages -- */

/* Serialisation time of len bytes at rate bits/s, rounded up. len is at
 * most SIM_FRAME_MAX, so len * 8e9 fits in 64 bits. */
static sim_time_t tx_time(uint64_t len, uint64_t rate) {
  return (sim_time_t)((len * 8u * 1000000000u + rate - 1) / rate);
}

/* Stage 3: returns the time the frame has left the queue, or -1 when it is
 * tail-dropped. */
static sim_time_t queue_stage(struct iset *s, sim_time_t now, uint32_t len) {
  while (s->q_len && s->q[s->q_head].end <= now) {
    s->q_bytes -= s->q[s->q_head].bytes;
    s->q_head = (s->q_head + 1) % s->q_cap;
    s->q_len--;
  }
  uint32_t max_frames = s->imp.queue_frames ? s->imp.queue_frames : 1000;
  if (s->q_len >= max_frames) return -1;
  if (s->imp.queue_bytes && s->q_bytes + len > s->imp.queue_bytes) return -1;
  if (s->q_len == s->q_cap) {
    uint32_t ncap = s->q_cap ? s->q_cap * 2 : 16;
    struct qentry *nq = malloc(sizeof *nq * ncap);
    if (!nq) return -1;
    for (uint32_t i = 0; i < s->q_len; i++) nq[i] = s->q[(s->q_head + i) % s->q_cap];
    free(s->q);
    s->q = nq;
    s->q_cap = ncap;
    s->q_head = 0;
  }
  sim_time_t start = s->q_len ? s->q_end : now;
  s->q_end = start + tx_time(len, s->imp.rate);
  s->q[(s->q_head + s->q_len) % s->q_cap] = (struct qentry){s->q_end, len};
  s->q_len++;
  s->q_bytes += len;
  return s->q_end;
}

/* Stage 5: flip n distinct bits of f (n clamped to its size). */
static void corrupt_bits(struct iset *s, struct frame *f) {
  uint64_t nbits = (uint64_t)f->len * 8;
  uint32_t n = s->imp.corrupt_bits ? s->imp.corrupt_bits : 1;
  if (n > nbits) n = (uint32_t)nbits;
  uint64_t small[16], *chosen = n <= 16 ? small : malloc(sizeof *chosen * n);
  if (!chosen) n = 1, chosen = small;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t b;
    int again;
    do { /* reject repeats: the bits flipped are distinct */
      b = sim_rng_below(&s->rng, nbits);
      again = 0;
      for (uint32_t j = 0; j < i; j++) again |= chosen[j] == b;
    } while (again);
    chosen[i] = b;
    f->data[b >> 3] ^= (uint8_t)(0x80u >> (b & 7));
  }
  if (chosen != small) free(chosen);
}

/* What leaves an impairment set: up to two copies, all at `at`. */
struct set_out {
  struct frame *f; /* NULL: dropped (already counted and traced) */
  int copies;
  sim_time_t at;
};

/* Run one impairment set on a frame entering it now. Takes the caller's
 * reference to f. `p` owns the set; `partner` is the other end, whose group
 * must match (NULL: no partition check at this set). */
static struct set_out run_set(struct sim_port *p, struct iset *s, struct frame *f,
                              const struct sim_port *partner) {
  struct sim_medium *m = p->m;
  sim_time_t now = sim_engine_now(m->e);
  struct set_out out = {NULL, 0, now};
  s->cnt.frames_in++;
  s->cnt.bytes_in += f->len;

  enum sim_media_cause cause;
  if (!m->up || !s->up) { cause = SIM_CAUSE_DOWN; goto dropped; }
  if (partner && partner->group != p->group) { cause = SIM_CAUSE_PARTITION; goto dropped; }
  uint32_t max_frame = s->imp.max_frame ? s->imp.max_frame : SIM_FRAME_MAX;
  if (f->len > max_frame) { cause = SIM_CAUSE_MTU; goto dropped; }
  sim_time_t t = now;
  if (s->imp.rate) {
    t = queue_stage(s, now, f->len);
    if (t < 0) { cause = SIM_CAUSE_QUEUE; goto dropped; }
  }
  if (sim_rng_bernoulli(&s->rng, s->imp.loss)) { cause = SIM_CAUSE_LOSS; goto dropped; }
  if (s->imp.ge.p_enter > 0) {
    if (!s->ge_bad) s->ge_bad = sim_rng_bernoulli(&s->rng, s->imp.ge.p_enter);
    else s->ge_bad = !sim_rng_bernoulli(&s->rng, s->imp.ge.p_exit);
    if (sim_rng_bernoulli(&s->rng, s->ge_bad ? s->imp.ge.loss_bad : s->imp.ge.loss_good)) {
      cause = SIM_CAUSE_BURST;
      goto dropped;
    }
  }
  if (sim_rng_bernoulli(&s->rng, s->imp.corrupt)) {
    struct frame *own = frame_own(f);
    if (own) {
      f = own;
      corrupt_bits(s, f);
      s->cnt.by_cause[SIM_CAUSE_CORRUPTED]++;
    }
  }
  out.copies = 1;
  if (sim_rng_bernoulli(&s->rng, s->imp.duplicate)) {
    out.copies = 2;
    s->cnt.by_cause[SIM_CAUSE_DUPLICATED]++;
  }
  t += s->imp.delay;
  if (s->imp.jitter > 0) t += (sim_time_t)sim_rng_below(&s->rng, (uint64_t)s->imp.jitter + 1);
  if (t < s->last_arrival) t = s->last_arrival;
  s->last_arrival = t;
  if (sim_rng_bernoulli(&s->rng, s->imp.reorder)) {
    t += s->imp.reorder_delay;
    s->cnt.by_cause[SIM_CAUSE_REORDERED]++;
  }
  s->cnt.frames_out += (uint64_t)out.copies;
  s->cnt.bytes_out += (uint64_t)out.copies * f->len;
  out.f = f;
  out.at = t;
  return out;

dropped:
  drop(p, s, f, cause);
  frame_unref(f);
  return out;
}

/* ------------------------------------------------------------- hops --- */

static void hop_event(struct sim_engine *e, void *arg);
static void tx_arrive(struct sim_medium *m, struct sim_port *from, struct frame *f);
static void deliver(struct sim_medium *m, struct sim_port *from, struct sim_port *to,
                    struct frame *f);

/* Continue f's journey at time `at`. Leaving a tx set at the current time
 * fans out inline; a delivery is always an engine event, so a receive
 * callback never runs inside the sender's sim_port_send (a zero-delay echo
 * loops through the queue, not the C stack). Takes one reference to f. */
static void hop_at(struct sim_medium *m, sim_time_t at, struct sim_port *from,
                   struct sim_port *to, struct frame *f) {
  if (!to && at == sim_engine_now(m->e)) {
    tx_arrive(m, from, f);
    return;
  }
  struct hop *h = malloc(sizeof *h);
  if (!h || sim_engine_at(m->e, at, hop_event, h, &h->ev) < 0) {
    free(h); /* out of memory: the frame is lost, as on a failing NIC */
    frame_unref(f);
    return;
  }
  h->m = m;
  h->f = f;
  h->from = from;
  h->to = to;
  h->next = &m->inflight;
  h->prev = m->inflight.prev;
  h->prev->next = h;
  m->inflight.prev = h;
}

static void hop_unlink(struct hop *h) {
  h->prev->next = h->next;
  h->next->prev = h->prev;
}

static void hop_event(struct sim_engine *e, void *arg) {
  (void)e;
  struct hop h = *(struct hop *)arg;
  hop_unlink(arg);
  free(arg);
  if (h.to) deliver(h.m, h.from, h.to, h.f);
  else tx_arrive(h.m, h.from, h.f);
}

/* Fan a frame that left from's tx set out to every receiver's rx set. */
static void tx_arrive(struct sim_medium *m, struct sim_port *from, struct frame *f) {
  struct iset *tx = &from->set[SIM_TX];
  if (!m->up || !tx->up) {
    drop(from, tx, f, SIM_CAUSE_DOWN);
    frame_unref(f);
    return;
  }
  for (size_t i = 0; i < m->nports; i++) {
    struct sim_port *to = m->ports[i];
    if (to == from) continue;
    f->refs++;
    struct set_out o = run_set(to, &to->set[SIM_RX], f, from);
    if (!o.f) continue;
    if (o.copies == 2) {
      o.f->refs++;
      hop_at(m, o.at, from, to, o.f);
    }
    hop_at(m, o.at, from, to, o.f);
  }
  frame_unref(f);
}

static void deliver(struct sim_medium *m, struct sim_port *from, struct sim_port *to,
                    struct frame *f) {
  struct iset *rx = &to->set[SIM_RX];
  if (!m->up || !from->set[SIM_TX].up || !rx->up) {
    drop(to, rx, f, SIM_CAUSE_DOWN);
  } else if (from->group != to->group) {
    drop(to, rx, f, SIM_CAUSE_PARTITION);
  } else {
    if (to->pcap) sim_pcap_write(to->pcap, sim_engine_now(m->e), f->data, f->len);
    trace_frame(m, to, "rx", f, NULL);
    if (to->rx) to->rx(to->user, to, f->data, f->len);
  }
  frame_unref(f);
}

/* ------------------------------------------------------------ public -- */

int sim_medium_new(struct sim_medium **out, struct sim_engine *e, enum sim_medium_kind kind,
                   const char *name, uint64_t seed, struct sim_trace *trace) {
  *out = NULL;
  if (!e || !name || (kind != SIM_MEDIUM_LINK && kind != SIM_MEDIUM_SEGMENT)) return SIM_EINVAL;
  struct sim_medium *m = calloc(1, sizeof *m);
  if (!m || !(m->name = dup_str(name))) {
    free(m);
    return SIM_ENOMEM;
  }
  m->e = e;
  m->kind = kind;
  m->seed = seed;
  m->trace = trace;
  m->up = 1;
  m->inflight.next = m->inflight.prev = &m->inflight;
  *out = m;
  return SIM_OK;
}

void sim_medium_free(struct sim_medium *m) {
  if (!m) return;
  while (m->inflight.next != &m->inflight) {
    struct hop *h = m->inflight.next;
    sim_engine_cancel(m->e, h->ev);
    hop_unlink(h);
    frame_unref(h->f);
    free(h);
  }
  for (size_t i = 0; i < m->nports; i++) {
    struct sim_port *p = m->ports[i];
    free(p->set[SIM_TX].q);
    free(p->set[SIM_RX].q);
    free(p->node);
    free(p->name);
    free(p);
  }
  free(m->ports);
  free(m->name);
  free(m);
}

const char *sim_medium_name(const struct sim_medium *m) { return m->name; }

static void iset_init(struct iset *s, const struct sim_medium *m, const struct sim_port *p,
                      const char *dir) {
  /* "media/<medium>/<node>/<port>/<dir>": unique per set on a medium */
  size_t n = strlen(m->name) + strlen(p->node) + strlen(p->name) + 16;
  char *stream = malloc(n);
  if (stream) {
    snprintf(stream, n, "media/%s/%s/%s/%s", m->name, p->node, p->name, dir);
    sim_rng_init(&s->rng, m->seed, stream);
  } else {
    sim_rng_init(&s->rng, m->seed, dir);
  }
  free(stream);
  s->up = 1;
}

int sim_port_new(struct sim_port **out, struct sim_medium *m, const char *node, const char *name,
                 sim_rx_fn rx, void *user) {
  *out = NULL;
  if (!m || !node || !name) return SIM_EINVAL;
  if (m->kind == SIM_MEDIUM_LINK && m->nports == 2) return SIM_EBUSY;
  if (m->nports == m->cap_ports) {
    size_t ncap = m->cap_ports ? m->cap_ports * 2 : 4;
    struct sim_port **np = realloc(m->ports, sizeof *np * ncap);
    if (!np) return SIM_ENOMEM;
    m->ports = np;
    m->cap_ports = ncap;
  }
  struct sim_port *p = calloc(1, sizeof *p);
  if (!p) return SIM_ENOMEM;
  p->node = dup_str(node);
  p->name = dup_str(name);
  if (!p->node || !p->name) {
    free(p->node);
    free(p->name);
    free(p);
    return SIM_ENOMEM;
  }
  p->m = m;
  p->rx = rx;
  p->user = user;
  iset_init(&p->set[SIM_TX], m, p, "tx");
  iset_init(&p->set[SIM_RX], m, p, "rx");
  m->ports[m->nports++] = p;
  *out = p;
  return SIM_OK;
}

const char *sim_port_name(const struct sim_port *p) { return p->name; }
const char *sim_port_node(const struct sim_port *p) { return p->node; }

int sim_port_send(struct sim_port *p, const void *frame, size_t len) {
  if (!p || !frame || len == 0 || len > SIM_FRAME_MAX) return SIM_EINVAL;
  struct sim_medium *m = p->m;
  struct frame *f = frame_new(frame, len);
  if (!f) return SIM_ENOMEM;
  sim_time_t now = sim_engine_now(m->e);
  if (m->pcap) sim_pcap_write(m->pcap, now, f->data, f->len);
  if (p->pcap) sim_pcap_write(p->pcap, now, f->data, f->len);
  trace_frame(m, p, "tx", f, NULL);
  struct set_out o = run_set(p, &p->set[SIM_TX], f, NULL);
  if (!o.f) return SIM_OK;
  if (o.copies == 2) {
    o.f->refs++;
    hop_at(m, o.at, p, NULL, o.f);
  }
  hop_at(m, o.at, p, NULL, o.f);
  return SIM_OK;
}

static int prob_ok(double p) { return p >= 0.0 && p <= 1.0; } /* false for NaN */

int sim_port_set_impair(struct sim_port *p, enum sim_dir d, const struct sim_impair *imp) {
  if (!p || !imp || (d != SIM_TX && d != SIM_RX)) return SIM_EINVAL;
  if (imp->delay < 0 || imp->jitter < 0 || imp->reorder_delay < 0) return SIM_EINVAL;
  if (!prob_ok(imp->loss) || !prob_ok(imp->corrupt) || !prob_ok(imp->duplicate) ||
      !prob_ok(imp->reorder) || !prob_ok(imp->ge.p_enter) || !prob_ok(imp->ge.p_exit) ||
      !prob_ok(imp->ge.loss_good) || !prob_ok(imp->ge.loss_bad))
    return SIM_EINVAL;
  if (imp->reorder > 0 && imp->reorder_delay <= 0) return SIM_EINVAL;
  if (imp->max_frame > SIM_FRAME_MAX) return SIM_EINVAL;
  struct iset *s = &p->set[d];
  s->imp = *imp;
  if (imp->ge.p_enter <= 0) s->ge_bad = 0;
  return SIM_OK;
}

const struct sim_impair *sim_port_impair(const struct sim_port *p, enum sim_dir d) {
  return &p->set[d].imp;
}

const struct sim_media_counters *sim_port_counters(const struct sim_port *p, enum sim_dir d) {
  return &p->set[d].cnt;
}

void sim_port_set_up(struct sim_port *p, enum sim_dir d, int up) { p->set[d].up = !!up; }
void sim_medium_set_up(struct sim_medium *m, int up) { m->up = !!up; }
int sim_medium_is_up(const struct sim_medium *m) { return m->up; }

void sim_port_set_group(struct sim_port *p, uint32_t group) { p->group = group; }

void sim_medium_heal(struct sim_medium *m) {
  for (size_t i = 0; i < m->nports; i++) m->ports[i]->group = 0;
}

void sim_port_capture(struct sim_port *p, struct sim_pcap *pcap) { p->pcap = pcap; }
void sim_medium_capture(struct sim_medium *m, struct sim_pcap *pcap) { m->pcap = pcap; }
