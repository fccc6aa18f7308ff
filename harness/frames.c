/* Frame summaries, the frame log and pattern matching. */
#include "harness/frames.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/trace.h"
#include "stack/wire/arp.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmpv4.h"
#include "stack/wire/ipv4.h"

/* The IPv4 payload's first bytes (first fragment only): ports or ICMP. */
static void parse_l4(const uint8_t *p, size_t len, struct lwsim_frame_info *fi) {
  if (fi->frag_off != 0) return;
  if ((fi->proto == IPV4_PROTO_UDP || fi->proto == IPV4_PROTO_TCP) && len >= 4) {
    fi->has_ports = 1;
    fi->sport = wire_get16(p);
    fi->dport = wire_get16(p + 2);
  } else if (fi->proto == IPV4_PROTO_ICMP && len >= 2) {
    fi->has_icmp = 1;
    fi->icmp_type = p[0];
    fi->icmp_code = p[1];
    if (len >= 8) {
      fi->icmp_id = wire_get16(p + 4);
      fi->icmp_seq = wire_get16(p + 6);
    }
  }
}

void lwsim_frame_parse(const uint8_t *frame, size_t len, struct lwsim_frame_info *fi) {
  memset(fi, 0, sizeof *fi);
  fi->len = (uint32_t)len;
  struct eth_repr eth;
  if (eth_parse(&eth, frame, len) != 0) return;
  fi->has_eth = 1;
  fi->dst = eth.dst;
  fi->src = eth.src;
  fi->eth_type = eth.type;
  const uint8_t *p = frame + ETH_HLEN;
  size_t n = len - ETH_HLEN;
  if (eth.type == ETH_TYPE_ARP) {
    struct arp_repr arp;
    if (arp_parse(&arp, p, n) != 0) return;
    fi->has_arp = 1;
    fi->arp_op = arp.op;
    fi->arp_spa = arp.spa;
    fi->arp_tpa = arp.tpa;
  } else if (eth.type == ETH_TYPE_IPV4) {
    struct ipv4_repr ip;
    /* checksums are not checked: a damaged frame is still worth matching */
    if (ipv4_parse(&ip, p, n, IPV4_PARSE_NO_CSUM) != 0) return;
    fi->has_ip = 1;
    fi->ip_src = ip.src;
    fi->ip_dst = ip.dst;
    fi->proto = ip.proto;
    fi->ttl = ip.ttl;
    fi->df = ip.df;
    fi->mf = ip.mf;
    fi->frag_off = ip.frag_off;
    size_t end = ip.total_len < n ? ip.total_len : n;
    parse_l4(p + ip.hlen, end - ip.hlen, fi);
  }
}

static const char *icmp_name(uint8_t type) {
  switch (type) {
  case ICMP_ECHO_REPLY: return "echo reply";
  case ICMP_DEST_UNREACH: return "unreachable";
  case ICMP_ECHO_REQUEST: return "echo request";
  case ICMP_TIME_EXCEEDED: return "time exceeded";
  default: return "type";
  }
}

void lwsim_frame_label(const struct lwsim_frame_info *fi, char *buf, size_t cap) {
  char a[16], b[16]; /* dotted quads */
  if (fi->has_arp) {
    if (fi->arp_op == 1)
      snprintf(buf, cap, "ARP who-has %s", ip4_addr_format(fi->arp_tpa, a));
    else
      snprintf(buf, cap, "ARP %s is-at", ip4_addr_format(fi->arp_spa, a));
  } else if (fi->has_ip) {
    ip4_addr_format(fi->ip_src, a);
    ip4_addr_format(fi->ip_dst, b);
    char frag[32] = "";
    if (fi->mf || fi->frag_off)
      snprintf(frag, sizeof frag, " frag %u%s", fi->frag_off, fi->mf ? "+" : "");
    if (fi->has_icmp && (fi->icmp_type == ICMP_ECHO_REQUEST || fi->icmp_type == ICMP_ECHO_REPLY))
      snprintf(buf, cap, "ICMP %s %s > %s seq %u", icmp_name(fi->icmp_type), a, b, fi->icmp_seq);
    else if (fi->has_icmp)
      snprintf(buf, cap, "ICMP %s/%u %s > %s", icmp_name(fi->icmp_type), fi->icmp_code, a, b);
    else if (fi->has_ports)
      snprintf(buf, cap, "%s %s:%u > %s:%u %u B", fi->proto == IPV4_PROTO_UDP ? "UDP" : "TCP", a,
               fi->sport, b, fi->dport, fi->len);
    else
      snprintf(buf, cap, "IPv4 proto %u %s > %s%s", fi->proto, a, b, frag);
    if (fi->has_icmp || fi->has_ports) {
      size_t n = strlen(buf);
      if (n < cap) snprintf(buf + n, cap - n, "%s", frag);
    }
  } else if (fi->has_eth) {
    snprintf(buf, cap, "ethertype 0x%04x %u B", fi->eth_type, fi->len);
  } else {
    snprintf(buf, cap, "runt %u B", fi->len);
  }
}

void lwsim_framelog_add(struct lwsim_framelog *log, sim_time_t t, int node, int netif, int medium,
                        const uint8_t *frame, size_t len) {
  if (log->n == log->cap) {
    size_t cap = log->cap ? log->cap * 2 : 256;
    struct lwsim_frame_rec *v = realloc(log->v, cap * sizeof *v);
    if (!v) {
      log->oom = 1;
      return;
    }
    log->v = v;
    log->cap = cap;
  }
  struct lwsim_frame_rec *r = &log->v[log->n++];
  r->t = t;
  r->node = node;
  r->netif = netif;
  r->medium = medium;
  r->digest = sim_fnv1a64(SIM_FNV_BASIS, frame, len);
  lwsim_frame_parse(frame, len, &r->info);
}

void lwsim_framelog_free(struct lwsim_framelog *log) {
  free(log->v);
  memset(log, 0, sizeof *log);
}

/* Field tests, one per pattern bit: each returns 1 when the frame agrees. */
static int match_l2(const struct lwsim_frame_pattern *p, const struct lwsim_frame_info *f) {
  if ((p->set & LWSIM_PAT_ETH_TYPE) && (!f->has_eth || f->eth_type != p->eth_type)) return 0;
  if ((p->set & LWSIM_PAT_ETH_DST) && (!f->has_eth || !eth_addr_eq(&f->dst, &p->eth_dst)))
    return 0;
  if ((p->set & LWSIM_PAT_ETH_SRC) && (!f->has_eth || !eth_addr_eq(&f->src, &p->eth_src)))
    return 0;
  if ((p->set & LWSIM_PAT_ARP_OP) && (!f->has_arp || f->arp_op != p->arp_op)) return 0;
  if ((p->set & LWSIM_PAT_ARP_TARGET) && (!f->has_arp || f->arp_tpa != p->arp_target)) return 0;
  return 1;
}

static int match_ip(const struct lwsim_frame_pattern *p, const struct lwsim_frame_info *f) {
  const uint32_t ip_bits = LWSIM_PAT_IP_SRC | LWSIM_PAT_IP_DST | LWSIM_PAT_PROTO | LWSIM_PAT_TTL |
                           LWSIM_PAT_FRAGMENT | LWSIM_PAT_DF | LWSIM_PAT_SRC_PORT |
                           LWSIM_PAT_DST_PORT | LWSIM_PAT_ICMP_TYPE | LWSIM_PAT_ICMP_CODE;
  if (!(p->set & ip_bits)) return 1;
  if (!f->has_ip) return 0;
  if ((p->set & LWSIM_PAT_IP_SRC) && (f->ip_src & p->ip_src_mask) != p->ip_src) return 0;
  if ((p->set & LWSIM_PAT_IP_DST) && (f->ip_dst & p->ip_dst_mask) != p->ip_dst) return 0;
  if ((p->set & LWSIM_PAT_PROTO) && f->proto != p->proto) return 0;
  if ((p->set & LWSIM_PAT_TTL) && f->ttl != p->ttl) return 0;
  if ((p->set & LWSIM_PAT_FRAGMENT) && ((f->mf || f->frag_off) != !!p->fragment)) return 0;
  if ((p->set & LWSIM_PAT_DF) && (f->df != !!p->df)) return 0;
  if ((p->set & LWSIM_PAT_SRC_PORT) && (!f->has_ports || f->sport != p->src_port)) return 0;
  if ((p->set & LWSIM_PAT_DST_PORT) && (!f->has_ports || f->dport != p->dst_port)) return 0;
  if ((p->set & LWSIM_PAT_ICMP_TYPE) && (!f->has_icmp || f->icmp_type != p->icmp_type)) return 0;
  if ((p->set & LWSIM_PAT_ICMP_CODE) && (!f->has_icmp || f->icmp_code != p->icmp_code)) return 0;
  return 1;
}

int lwsim_frame_match(const struct lwsim_frame_pattern *p, const struct lwsim_frame_rec *r) {
  if ((p->set & LWSIM_PAT_NODE) && r->node != p->node) return 0;
  if ((p->set & LWSIM_PAT_NETIF) && r->netif != p->netif) return 0;
  if ((p->set & LWSIM_PAT_MEDIUM) && r->medium != p->medium) return 0;
  if ((p->set & LWSIM_PAT_MIN_LEN) && r->info.len < p->min_len) return 0;
  if ((p->set & LWSIM_PAT_MAX_LEN) && r->info.len > p->max_len) return 0;
  return match_l2(p, &r->info) && match_ip(p, &r->info);
}
