/* Reference workloads on ns-3's own scheduler, for bench/ only.
 *
 * Each function runs a workload natively in C++ on ns-3's Simulator with the
 * named scheduler ("ns3::MapScheduler", "ns3::PriorityQueueScheduler", ...)
 * and returns the final virtual time in nanoseconds, so the caller can check
 * that lwsim's engine did the same work. The caller times the call.
 * Returns -1 when the scheduler name is unknown.
 */
#ifndef LWSIM_NS3_BENCH_REF_H
#define LWSIM_NS3_BENCH_REF_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The delay sequence of the "pending" workload, shared by both sides:
 * SplitMix64 outputs mapped to [1, max] by a multiply-high. */
static inline uint64_t lwsim_bench_splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static inline int64_t lwsim_bench_delay(uint64_t *s, int64_t max) {
  return 1 + (int64_t)(((unsigned __int128)lwsim_bench_splitmix64(s) * (uint64_t)max) >> 64);
}

/* A chain of n events, each scheduling the next at +1 ns. */
int64_t lwsim_ns3ref_chain(uint64_t n, const char *scheduler);

/* n events with `pending` events outstanding at all times: each event, when
 * it runs, schedules one more at now + lwsim_bench_delay(&state, max_delay_ns)
 * with state starting at seed (the same sequence bench/ feeds lwsim). */
int64_t lwsim_ns3ref_pending(uint64_t n, uint32_t pending, uint64_t seed,
                             int64_t max_delay_ns, const char *scheduler);

/* 100 MB-style bulk transfer on ns-3's own TCP, the reference for
 * bench/'s tcp_bulk: BulkSendApplication to PacketSinkApplication over a
 * point-to-point link (rate_bps, delay_ns), MSS 1460, socket buffers of
 * buf bytes, timestamps off, no queue disc (the device's DropTail queue of
 * 100 packets), PriorityQueueScheduler; `loss` drops that fraction of the
 * packets arriving at the receiver (RateErrorModel, its own stream).
 * Returns the simulated time at which the sink had every byte (ns), or -1
 * when it did not finish within 600 simulated seconds. */
int64_t lwsim_ns3ref_tcp_bulk(uint64_t bytes, uint64_t rate_bps, int64_t delay_ns, uint32_t buf,
                              double loss, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
