/* The frame log: every frame a node hands to a medium, with its send time,
 * sender and a parsed summary of its headers, so that checks can ask "was
 * a frame like this sent (by a time)?" and timelines can label arrows.
 *
 * Parsing uses stack/wire/ and never fails: fields it cannot read are
 * simply absent (the has_* flags), so malformed frames are logged too. */
#ifndef LWSIM_HARNESS_FRAMES_H
#define LWSIM_HARNESS_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "harness/scenario.h"
#include "sim/engine.h"
#include "stack/wire/wire.h"

struct lwsim_frame_info {
  uint32_t len;
  int has_eth;
  struct eth_addr dst, src;
  uint16_t eth_type;
  int has_arp;
  uint16_t arp_op;
  ip4_addr_t arp_spa, arp_tpa;
  int has_ip;
  ip4_addr_t ip_src, ip_dst;
  uint8_t proto, ttl;
  int df, mf;
  uint16_t frag_off; /* bytes */
  int has_ports;     /* UDP or TCP, first fragment */
  uint16_t sport, dport;
  int has_icmp;      /* first fragment */
  uint8_t icmp_type, icmp_code;
  uint16_t icmp_id, icmp_seq;
};

void lwsim_frame_parse(const uint8_t *frame, size_t len, struct lwsim_frame_info *out);
/* A short human label: "ARP who-has 10.0.0.2", "ICMP echo request
 * 10.0.0.1 > 10.0.0.2 seq 3", "UDP 10.0.0.1:49152 > 10.0.0.2:7 64 B". */
void lwsim_frame_label(const struct lwsim_frame_info *fi, char *buf, size_t cap);

struct lwsim_frame_rec {
  sim_time_t t;
  int node, netif, medium; /* scenario indices of the sender */
  uint64_t digest;         /* FNV-1a 64 of the bytes, as the media trace it */
  struct lwsim_frame_info info;
};

struct lwsim_framelog {
  struct lwsim_frame_rec *v;
  size_t n, cap;
  int oom; /* a record was lost to memory exhaustion */
};

void lwsim_framelog_add(struct lwsim_framelog *log, sim_time_t t, int node, int netif, int medium,
                        const uint8_t *frame, size_t len);
void lwsim_framelog_free(struct lwsim_framelog *log);

/* 1 when record r matches every field set in p. */
int lwsim_frame_match(const struct lwsim_frame_pattern *p, const struct lwsim_frame_rec *r);

#endif
