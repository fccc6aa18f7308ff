// Reference workloads on ns-3's scheduler (see bench_ref.h). Native C++ so
// that the comparison charges ns-3 nothing for crossing from C.
#include "bench_ref.h"

#include <ns3/applications-module.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>
#include <ns3/traffic-control-module.h>

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

namespace {

struct BulkState {
  uint64_t want = 0, got = 0;
  int64_t done_ns = -1;
};
BulkState g_bulk;

void OnSinkRx(ns3::Ptr<const ns3::Packet> p, const ns3::Address &) {
  g_bulk.got += p->GetSize();
  if (g_bulk.done_ns < 0 && g_bulk.got >= g_bulk.want) {
    g_bulk.done_ns = ns3::Simulator::Now().GetNanoSeconds();
    ns3::Simulator::Stop();
  }
}

}  // namespace

extern "C" int64_t lwsim_ns3ref_tcp_bulk(uint64_t bytes, uint64_t rate_bps, int64_t delay_ns,
                                         uint32_t buf, double loss, uint64_t seed) {
  using namespace ns3;
  if (bytes == 0 || rate_bps == 0 || delay_ns < 0 || loss < 0 || loss >= 1 ||
      !Setup("ns3::PriorityQueueScheduler"))
    return -1;
  RngSeedManager::SetSeed(static_cast<uint32_t>(seed ? seed : 1));
  RngSeedManager::SetRun(1);
  g_bulk = BulkState{};
  g_bulk.want = bytes;
  Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1460));
  Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(buf));
  Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(buf));
  Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));

  NodeContainer nodes;
  nodes.Create(2);
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate(rate_bps)));
  p2p.SetChannelAttribute("Delay", TimeValue(NanoSeconds(delay_ns)));
  NetDeviceContainer devs = p2p.Install(nodes);
  InternetStackHelper internet;
  internet.Install(nodes);
  Ipv4AddressHelper addr;
  addr.SetBase("10.1.1.0", "255.255.255.0");
  Ipv4InterfaceContainer ifs = addr.Assign(devs);
  TrafficControlHelper tch;
  tch.Uninstall(devs); /* only the device's DropTail queue remains */
  Ptr<RateErrorModel> em;
  if (loss > 0) {
    em = CreateObject<RateErrorModel>();
    em->SetAttribute("ErrorRate", DoubleValue(loss));
    em->SetAttribute("ErrorUnit", StringValue("ERROR_UNIT_PACKET"));
    em->AssignStreams(1000);
    devs.Get(1)->SetAttribute("ReceiveErrorModel", PointerValue(em));
  }
  internet.AssignStreams(nodes, 2000);

  BulkSendHelper source("ns3::TcpSocketFactory", InetSocketAddress(ifs.GetAddress(1), 9));
  source.SetAttribute("MaxBytes", UintegerValue(bytes));
  ApplicationContainer src = source.Install(nodes.Get(0));
  src.Start(Seconds(0.0));
  PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), 9));
  ApplicationContainer snk = sink.Install(nodes.Get(1));
  snk.Start(Seconds(0.0));
  snk.Get(0)->TraceConnectWithoutContext("Rx", MakeCallback(&OnSinkRx));

  Simulator::Stop(Seconds(600));
  Simulator::Run();
  int64_t done = g_bulk.done_ns;
  em = nullptr;
  Simulator::Destroy();
  return done;
}
