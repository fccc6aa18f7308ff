/* Constant tables behind the scenario names (see catalog.h). */
#include "harness/catalog.h"

#include <stdio.h>
#include <string.h>

#include "harness/scenario.h"

/* ------------------------------------------- struct stack_config ----- */

#define U8(f, lo) {#f, offsetof(struct stack_config, f), LWSIM_CFG_U8, lo, 255}
#define U16(f, lo) {#f, offsetof(struct stack_config, f), LWSIM_CFG_U16, lo, 65535}
#define U32(f, lo, hi) {#f, offsetof(struct stack_config, f), LWSIM_CFG_U32, lo, hi}
#define TIME(f) {#f, offsetof(struct stack_config, f), LWSIM_CFG_TIME, 0, INT64_MAX}
#define FLAG(f) {#f, offsetof(struct stack_config, f), LWSIM_CFG_FLAG, 0, 1}

/* Upper bounds keep a scenario from asking for absurd memory; the stack
 * checks the rest. */
const struct lwsim_config_field lwsim_config_fields[] = {
    U32(pbuf_pool, 0, 1000000),
    U32(pbuf_size, 0, 65535),
    U32(max_netifs, 0, 64),
    U32(arp_entries, 0, 65536),
    U32(arp_queue, 0, 65536),
    TIME(arp_max_age),
    TIME(arp_retry),
    U32(arp_tries, 0, 1000),
    U8(ttl, 0),
    FLAG(ip_forward),
    U32(reass_datagrams, 0, 65536),
    U32(reass_pbufs, 0, 1000000),
    TIME(reass_timeout),
    U32(icmp_rate, 0, 1000000000),
    U32(icmp_burst, 0, 1000000000),
    U32(udp_pcbs, 0, 65536),
    U16(port_min, 0),
    U16(port_max, 0),
    U32(tcp_pcbs, 0, 65536),
    U32(tcp_snd_buf, 0, 1u << 30),
    U32(tcp_rcv_buf, 0, 1u << 30),
    U16(tcp_mss, 0),
    U32(tcp_ooseq, 0, 65536),
    TIME(tcp_msl),
    TIME(tcp_rto_init),
    TIME(tcp_rto_min),
    TIME(tcp_rto_max),
    U32(tcp_syn_retries, 0, 1000),
    U32(tcp_max_retries, 0, 1000),
    TIME(tcp_delack),
    TIME(tcp_keep_idle),
    TIME(tcp_keep_intvl),
    U32(tcp_keep_cnt, 0, 1000),
    FLAG(tcp_no_wscale),
    FLAG(tcp_no_sack),
};
const size_t lwsim_config_nfields = sizeof lwsim_config_fields / sizeof lwsim_config_fields[0];

void lwsim_config_apply(struct stack_config *c, size_t i, int64_t v) {
  const struct lwsim_config_field *f = &lwsim_config_fields[i];
  unsigned char *base = (unsigned char *)c + f->offset;
  switch (f->type) {
  case LWSIM_CFG_U8:
  case LWSIM_CFG_FLAG: {
    uint8_t x = (uint8_t)v;
    memcpy(base, &x, sizeof x);
    break;
  }
  case LWSIM_CFG_U16: {
    uint16_t x = (uint16_t)v;
    memcpy(base, &x, sizeof x);
    break;
  }
  case LWSIM_CFG_U32: {
    uint32_t x = (uint32_t)v;
    memcpy(base, &x, sizeof x);
    break;
  }
  case LWSIM_CFG_TIME: {
    stack_time_t x = v;
    memcpy(base, &x, sizeof x);
    break;
  }
  }
}

/* -------------------------------------------------- stack counters --- */

struct counter_def {
  const char *name;
  size_t offset; /* of a uint64_t in struct stack_stats */
};

#define PROTO(p)                                                                          \
  {#p ".rx", offsetof(struct stack_stats, p.rx)}, {#p ".tx", offsetof(struct stack_stats, p.tx)}, \
      {#p ".drop", offsetof(struct stack_stats, p.drop)}
#define PLAIN(f) {#f, offsetof(struct stack_stats, f)}

static const struct counter_def counters[] = {
    PROTO(eth), PROTO(arp), PROTO(ip), PROTO(icmp), PROTO(udp), PROTO(tcp),
    PLAIN(ip_forwarded), PLAIN(ip_frag_out), PLAIN(ip_reassembled),
    PLAIN(tcp_active_opens), PLAIN(tcp_passive_opens), PLAIN(tcp_resets_sent),
    PLAIN(tcp_retransmits), PLAIN(tcp_fast_retransmits), PLAIN(tcp_timeouts),
    PLAIN(tcp_challenge_acks),
};
#define NPLAIN (sizeof counters / sizeof counters[0])

size_t lwsim_counter_count(void) { return NPLAIN + STACK_DROP_COUNT; }

const char *lwsim_counter_name(size_t i, char *buf, size_t cap) {
  if (i < NPLAIN) snprintf(buf, cap, "%s", counters[i].name);
  else snprintf(buf, cap, "drops.%s", stack_drop_name((enum stack_drop)(i - NPLAIN)));
  return buf;
}

uint64_t lwsim_counter_value(const struct stack_stats *s, size_t i) {
  if (i >= NPLAIN) return s->drops[i - NPLAIN];
  uint64_t v;
  memcpy(&v, (const unsigned char *)s + counters[i].offset, sizeof v);
  return v;
}

/* ------------------------------------------------- medium counters --- */

static const char *const medium_plain[] = {"frames_in", "bytes_in", "frames_out", "bytes_out"};

const char *lwsim_medium_counter_name(size_t i) {
  if (i < 4) return medium_plain[i];
  return sim_media_cause_name((enum sim_media_cause)(i - 4));
}

uint64_t lwsim_medium_counter_value(const struct sim_media_counters *c, size_t i) {
  switch (i) {
  case 0: return c->frames_in;
  case 1: return c->bytes_in;
  case 2: return c->frames_out;
  case 3: return c->bytes_out;
  default: return i - 4 < SIM_CAUSE_COUNT ? c->by_cause[i - 4] : 0;
  }
}

/* -------------------------------------------------------- app kinds --- */

static const char *const ping_keys[] = {"target", "count", "interval", "size", NULL};
static const char *const ping_req[] = {"target", NULL};
static const char *const ping_res[] = {"sent",   "received",   "lost",       "duplicates",
                                       "errors", "rtt_min_ns", "rtt_max_ns", "rtt_avg_ns",
                                       NULL};

static const char *const server_keys[] = {"port", NULL};
static const char *const server_req[] = {"port", NULL};
static const char *const server_res[] = {"received", "echoed", "bytes", NULL};

static const char *const client_keys[] = {"target", "port",       "count", "size",
                                          "interval", "local_port", "ttl", NULL};
static const char *const client_req[] = {"target", "port", NULL};
static const char *const client_res[] = {"sent",       "echoed", "lost",         "corrupt",
                                         "duplicates", "errors", "bytes_echoed", NULL};

static const char *const sender_keys[] = {"target",     "port", "count",     "size", "interval",
                                          "local_port", "ttl",  "broadcast", NULL};
static const char *const sender_req[] = {"target", "port", NULL};
static const char *const sender_res[] = {"sent", "errors", "bytes", NULL};

static const char *const sink_keys[] = {"port", NULL};
static const char *const sink_req[] = {"port", NULL};
static const char *const sink_res[] = {"received", "intact", "corrupt", "bytes", NULL};

/* UDP payloads carry a 6-byte header (sequence number, app tag) that
 * receivers check the rest of the bytes against. */
const struct lwsim_app_kind lwsim_app_kinds[] = {
    [LWSIM_APP_PING] = {"ping", "ICMP echo requests to a target", ping_keys, ping_req, ping_res,
                        0, 65507, 56},
    [LWSIM_APP_UDP_ECHO_SERVER] = {"udp_echo_server", "echoes every UDP datagram to its sender",
                                   server_keys, server_req, server_res, 0, 0, 0},
    [LWSIM_APP_UDP_CLIENT] = {"udp_client", "sends datagrams and checks their echoes byte by byte",
                              client_keys, client_req, client_res, 8, 65507, 64},
    [LWSIM_APP_UDP_SENDER] = {"udp_sender", "sends datagrams one way", sender_keys, sender_req,
                              sender_res, 8, 65507, 64},
    [LWSIM_APP_UDP_SINK] = {"udp_sink", "counts and checks datagrams received on a port",
                            sink_keys, sink_req, sink_res, 0, 0, 0},
};

size_t lwsim_app_result_count(int kind) {
  size_t n = 0;
  while (lwsim_app_kinds[kind].results[n]) n++;
  return n;
}

int lwsim_app_result_index(int kind, const char *name) {
  for (int i = 0; lwsim_app_kinds[kind].results[i]; i++)
    if (strcmp(lwsim_app_kinds[kind].results[i], name) == 0) return i;
  return -1;
}
