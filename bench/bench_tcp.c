/* tcp_bulk: 100 MB from one stack instance to another over a point-to-point
 * link of 1 Gbit/s and 1 ms delay (MSS 1460, 4 MB buffers, a DropTail
 * queue of 100 frames), timed in wall seconds, beside the same transfer on
 * ns-3's own TCP in the same run (sim/ns3/bench_ref.cc: BulkSend to
 * PacketSink, timestamps off, no queue disc, PriorityQueueScheduler).
 * Then both again with 1 % of the data packets lost, for goodput in
 * simulated time (a sanity check of congestion control, not a race).
 *
 * Prints tcp_bulk_wall_s, tcp_bulk_sim_s, ns3_tcp_bulk_wall_s,
 * ns3_tcp_bulk_sim_s, the same with _loss1, goodputs, and
 * `ratio tcp_bulk_vs_ns3` (ns-3 wall / lwsim wall, best of REPS each). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/engine.h"
#include "sim/media.h"
#include "sim/ns3/bench_ref.h"
#include "stack/netif.h"
#include "stack/pbuf.h"
#include "stack/ports/sim/sim_port.h"
#include "stack/stack.h"
#include "stack/tcp.h"

#define BYTES (100ull * 1000 * 1000)
#define RATE 1000000000ull
#define DELAY (1 * SIM_MSEC)
#define BUF (4u << 20)
#define REPS 3

static double wall(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

struct bulk {
  struct sim_engine *e;
  struct tcp_pcb *tx, *rx;
  uint64_t written, received;
  int64_t done_ns;
  uint8_t chunk[65536];
};

static void pump(struct bulk *b) {
  while (b->written < BYTES) {
    uint32_t room = tcp_sndbuf(b->tx);
    if (room < 1460 && BYTES - b->written > room) break;
    uint64_t n = BYTES - b->written;
    if (n > room) n = room;
    if (n > sizeof b->chunk) n = sizeof b->chunk;
    if (tcp_write(b->tx, b->chunk, (size_t)n, 0) != 0) break;
    b->written += n;
  }
}

static void on_sent(void *arg, struct tcp_pcb *pcb, uint32_t len) {
  (void)pcb, (void)len;
  pump(arg);
}

static int on_connected(void *arg, struct tcp_pcb *pcb, int err) {
  (void)pcb, (void)err;
  pump(arg);
  return 0;
}

static int on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, int err) {
  (void)err;
  struct bulk *b = arg;
  if (!p) return 0;
  uint32_t n = p->tot_len;
  b->received += n;
  pbuf_free(p);
  tcp_recved(pcb, n);
  if (b->received >= BYTES && b->done_ns < 0) {
    b->done_ns = sim_engine_now(b->e);
    sim_engine_stop(b->e);
  }
  return 0;
}

static int on_accept(void *arg, struct tcp_pcb *pcb, int err) {
  (void)err;
  struct bulk *b = arg;
  b->rx = pcb;
  tcp_arg(pcb, b);
  tcp_recv(pcb, on_recv);
  return 0;
}

/* One transfer; returns simulated completion (ns) or -1. */
static int64_t lwsim_bulk(double loss) {
  struct bulk *b = calloc(1, sizeof *b);
  b->done_ns = -1;
  struct sim_engine *e;
  if (sim_engine_new(&e, NULL) < 0) abort();
  b->e = e;
  struct sim_medium *m;
  sim_medium_new(&m, e, SIM_MEDIUM_LINK, "p2p", 1, NULL);
  struct stack_sim_node *sn[2];
  struct stack *st[2];
  struct stack_netif *nif[2];
  for (int i = 0; i < 2; i++) {
    const char *name = i ? "sink" : "source";
    struct stack_config c;
    stack_config_default(&c);
    c.name = name;
    c.tcp_snd_buf = BUF;
    c.tcp_rcv_buf = BUF;
    c.tcp_ooseq = 4096;
    c.pbuf_pool = 8192;
    c.tcp_no_ts = 1; /* as on the ns-3 side (see sim/ns3/bench_ref.cc) */
    if (stack_sim_node_new(&sn[i], e, NULL, 1, name, NULL) < 0) abort();
    c.port = stack_sim_node_port(sn[i]);
    if (stack_new(&st[i], &c) < 0) abort();
    struct eth_addr mac = {{0x02, 0, 0, 0, 0, (uint8_t)(i + 1)}};
    if (stack_sim_eth_attach(sn[i], st[i], m, "eth0", mac, 1500, &nif[i]) < 0) abort();
    stack_netif_set_up(nif[i], 1);
    stack_netif_set_addr(nif[i], 0x0a010101u + (uint32_t)i, 0xffffff00u, 0);
    struct sim_impair imp = {.rate = RATE, .delay = DELAY, .queue_frames = 100};
    sim_port_set_impair(stack_sim_eth_port(nif[i]), SIM_TX, &imp);
  }
  if (loss > 0) {
    struct sim_impair rx = {.loss = loss};
    sim_port_set_impair(stack_sim_eth_port(nif[1]), SIM_RX, &rx);
  }
  struct tcp_pcb *l = tcp_new(st[1]);
  tcp_bind(l, 0, 9);
  tcp_listen(l, 1);
  tcp_arg(l, b);
  tcp_accept(l, on_accept);
  b->tx = tcp_new(st[0]);
  tcp_arg(b->tx, b);
  tcp_sent(b->tx, on_sent);
  tcp_connect(b->tx, 0x0a010102u, 9, on_connected);
  sim_engine_run_until(e, 600 * SIM_SEC);
  int64_t done = b->done_ns;
  if (getenv("LWSIM_BENCH_VERBOSE")) {
    const struct stack_stats *ss = stack_stats(st[0]);
    const struct sim_media_counters *mc = sim_port_counters(stack_sim_eth_port(nif[0]), SIM_TX);
    fprintf(stderr, "source: tx %llu rexmit %llu fast %llu timeouts %llu; queue drops %llu; sink rx %llu drops %llu\n",
            (unsigned long long)ss->tcp.tx, (unsigned long long)ss->tcp_retransmits,
            (unsigned long long)ss->tcp_fast_retransmits, (unsigned long long)ss->tcp_timeouts,
            (unsigned long long)mc->by_cause[SIM_CAUSE_QUEUE], (unsigned long long)stack_stats(st[1])->tcp.rx,
            (unsigned long long)stack_stats(st[1])->tcp.drop);
  }
  for (int i = 0; i < 2; i++) stack_free(st[i]);
  sim_medium_free(m);
  for (int i = 0; i < 2; i++) stack_sim_node_free(sn[i]);
  sim_engine_free(e);
  free(b);
  return done;
}

int main(void) {
  double best = 1e300, best_ns3 = 1e300;
  int64_t sim = -1, sim_ns3 = -1;
  for (int r = 0; r < REPS; r++) {
    double t0 = wall();
    sim = lwsim_bulk(0);
    double dt = wall() - t0;
    if (dt < best) best = dt;
#ifdef LWSIM_BENCH_NS3
    t0 = wall();
    sim_ns3 = lwsim_ns3ref_tcp_bulk(BYTES, RATE, DELAY, BUF, 0, 1);
    dt = wall() - t0;
    if (dt < best_ns3) best_ns3 = dt;
#endif
  }
  printf("tcp_bulk_wall_s: %.3f s\n", best);
  printf("tcp_bulk_sim_s: %.3f s\n", (double)sim / 1e9);
  int64_t loss = lwsim_bulk(0.01);
  printf("tcp_bulk_loss1_goodput_mbps: %.1f Mbit/s\n",
         loss > 0 ? (double)BYTES * 8 / ((double)loss / 1e9) / 1e6 : 0.0);
#ifdef LWSIM_BENCH_NS3
  printf("ns3_tcp_bulk_wall_s: %.3f s\n", best_ns3);
  printf("ns3_tcp_bulk_sim_s: %.3f s\n", (double)sim_ns3 / 1e9);
  int64_t loss_ns3 = lwsim_ns3ref_tcp_bulk(BYTES, RATE, DELAY, BUF, 0.01, 1);
  printf("ns3_tcp_bulk_loss1_goodput_mbps: %.1f Mbit/s\n",
         loss_ns3 > 0 ? (double)BYTES * 8 / ((double)loss_ns3 / 1e9) / 1e6 : 0.0);
  printf("ratio tcp_bulk_vs_ns3: %.2f\n", sim > 0 && sim_ns3 > 0 ? best_ns3 / best : 0.0);
#else
  printf("ratio tcp_bulk_vs_ns3: unavailable (built without ns-3)\n");
#endif
  return 0;
}
