// Reference workloads on ns-3's scheduler (see bench_ref.h). Native C++ so
// that the comparison charges ns-3 nothing for crossing from C.
#include "bench_ref.h"

#include <ns3/core-module.h>

#include <cstdlib>

namespace {

struct Workload {
  uint64_t remaining = 0;
  uint64_t rng = 0;
  int64_t max_delay = 1;
};

Workload g_work;  // ns-3 events are free functions; one run at a time

int64_t NextDelay() { return lwsim_bench_delay(&g_work.rng, g_work.max_delay); }

void ChainEvent() {
  if (--g_work.remaining > 0) ns3::Simulator::Schedule(ns3::NanoSeconds(1), &ChainEvent);
}

void PendingEvent() {
  if (--g_work.remaining > 0) ns3::Simulator::Schedule(ns3::NanoSeconds(NextDelay()), &PendingEvent);
  else ns3::Simulator::Stop();
}

bool Setup(const char *scheduler) {
  // ns-3 reads these at start-up; an unknown NS_LOG component aborts.
  unsetenv("NS_LOG");
  unsetenv("NS_GLOBAL_VALUE");
  unsetenv("NS_ATTRIBUTE_DEFAULT");
  ns3::ObjectFactory f;
  ns3::TypeId tid;
  if (!ns3::TypeId::LookupByNameFailSafe(scheduler, &tid)) return false;
  f.SetTypeId(tid);
  ns3::Simulator::SetScheduler(f);
  return true;
}

int64_t Finish() {
  int64_t t = ns3::Simulator::Now().GetNanoSeconds();
  ns3::Simulator::Destroy();
  return t;
}

}  // namespace

extern "C" int64_t lwsim_ns3ref_chain(uint64_t n, const char *scheduler) {
  if (n == 0 || !Setup(scheduler)) return -1;
  g_work.remaining = n;
  ns3::Simulator::Schedule(ns3::NanoSeconds(1), &ChainEvent);
  ns3::Simulator::Run();
  return Finish();
}

extern "C" int64_t lwsim_ns3ref_pending(uint64_t n, uint32_t pending, uint64_t seed,
                                        int64_t max_delay_ns, const char *scheduler) {
  if (n < pending || pending == 0 || max_delay_ns < 1 || !Setup(scheduler)) return -1;
  g_work.remaining = n;
  g_work.rng = seed;
  g_work.max_delay = max_delay_ns;
  for (uint32_t i = 0; i < pending; i++)
    ns3::Simulator::Schedule(ns3::NanoSeconds(NextDelay()), &PendingEvent);
  ns3::Simulator::Run();
  return Finish();
}
