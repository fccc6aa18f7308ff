/* A stack instance: the unit lwsim puts under test.
 *
 * Every byte of state (netifs, pools, timers, ARP cache, reassembly, PCBs,
 * statistics) hangs off one struct stack. stack/ has no mutable globals, so
 * any number of instances live in one process and never share anything.
 *
 * Context: the core is not thread safe. Every function of the raw API
 * (this header, netif.h, pbuf.h, udp.h, icmp.h) must be called in core
 * context: from the instance's port callbacks (timers, received frames) or
 * by the code driving the instance while nothing else does.
 */
#ifndef LWSIM_STACK_STACK_H
#define LWSIM_STACK_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "stack/err.h"
#include "stack/port.h"

struct stack;

/* The options, each with its default and why (stack_config_default()). A
 * zero field means "the default". */
struct stack_config {
  const char *name;           /* node name in logs and findings; "stack" */
  struct stack_port port;     /* required: the window out */

  /* Buffers. Pools grow on demand up to their limit, so an idle instance
   * costs little; the limits bound what a busy one may take. */
  uint32_t pbuf_pool;         /* packet buffers: 256, enough for a few full TCP windows */
  uint32_t pbuf_size;         /* bytes per buffer incl. header room: 1600, one
                                 Ethernet frame plus link header room */
  uint32_t max_netifs;        /* 4 */

  /* ARP (RFC 826). */
  uint32_t arp_entries;       /* cache size: 16 */
  uint32_t arp_queue;         /* packets held per unresolved entry: 4 */
  stack_time_t arp_max_age;   /* a resolved entry expires after: 300 s */
  stack_time_t arp_retry;     /* request interval while unresolved: 1 s */
  uint32_t arp_tries;         /* requests before giving up: 3 */

  /* IPv4 (RFC 791). */
  uint8_t ttl;                /* for locally sent datagrams: 64 */
  uint8_t ip_forward;         /* forward between netifs: 0 (a host) */
  uint32_t reass_datagrams;   /* datagrams reassembled at once: 8 */
  uint32_t reass_pbufs;       /* buffers reassembly may hold: 64 */
  stack_time_t reass_timeout; /* a datagram's fragments are dropped after: 15 s
                                 (RFC 791's suggested lower bound) */

  /* ICMP (RFC 792). Errors are rate-limited by a token bucket. */
  uint32_t icmp_rate;         /* error messages per second: 10 */
  uint32_t icmp_burst;        /* bucket depth: 10 */

  /* UDP (RFC 768). */
  uint32_t udp_pcbs;          /* 16 */
  uint16_t port_min, port_max; /* ephemeral ports: 49152..65535 (RFC 6335) */

  /* TCP (RFC 9293). */
  uint32_t tcp_pcbs;          /* connections and listeners: 16 */
  uint32_t tcp_snd_buf;       /* send buffer per connection: 64 KiB */
  uint32_t tcp_rcv_buf;       /* receive window per connection: 64 KiB */
  uint16_t tcp_mss;           /* largest segment payload offered: 1460 (and at
                                 most the netif MTU - 40) */
  uint32_t tcp_ooseq;         /* out-of-order segments held per connection: 64 */
  stack_time_t tcp_msl;       /* TIME-WAIT lasts 2 MSL: MSL 30 s */
  stack_time_t tcp_rto_init;  /* 1 s (RFC 6298 sec. 2.1) */
  stack_time_t tcp_rto_min;   /* 1 s (RFC 6298 sec. 2.4) */
  stack_time_t tcp_rto_max;   /* 60 s (RFC 6298 sec. 2.5) */
  uint32_t tcp_syn_retries;   /* SYN retransmissions before giving up: 6 */
  uint32_t tcp_max_retries;   /* data retransmissions (R2, RFC 1122 4.2.3.5): 12 */
  stack_time_t tcp_delack;    /* delayed ACK timer: 200 ms (RFC 5681 sec. 4.2) */
  stack_time_t tcp_keep_idle; /* keep-alive idle time: 2 h (RFC 1122 4.2.3.6) */
  stack_time_t tcp_keep_intvl; /* between keep-alive probes: 75 s */
  uint32_t tcp_keep_cnt;      /* unanswered probes before giving up: 9 */
  uint8_t tcp_no_wscale;      /* 1: do not offer window scaling (RFC 7323) */
  uint8_t tcp_no_sack;        /* 1: do not offer SACK (RFC 2018) */
  uint8_t tcp_no_ts;          /* 1: do not offer timestamps (RFC 7323) */

  /* The tcpip thread (stack/tcpip.h). */
  uint32_t tcpip_mbox;        /* messages its mailbox holds: 256 */
  uint8_t tcpip_core_locking; /* 1: application threads may take the core lock */

  /* BSD sockets (stack/sockets.h). */
  uint32_t sock_max;          /* descriptors: 16 */
  stack_time_t sock_reuse_delay; /* a closed descriptor number waits this long
                                    before it is handed out again: 0 */
};

/* Fill every field of c with its default (port and name left NULL). */
void stack_config_default(struct stack_config *c);

/* Create an instance. STACK_EINVAL when the port is missing, STACK_ENOMEM.
 * The config is copied (the name too). */
int stack_new(struct stack **out, const struct stack_config *c);

/* Free the instance and everything it holds: netifs, PCBs, queued packets;
 * its timers are cancelled. */
void stack_free(struct stack *st);

const char *stack_name(const struct stack *st);
const struct stack_config *stack_config(const struct stack *st);
stack_time_t stack_now(const struct stack *st);

/* Heap bytes the instance holds outside its pools (the instance itself,
 * netifs, tables), and bytes held by pool objects now. */
size_t stack_heap_bytes(const struct stack *st);
size_t stack_pool_bytes(const struct stack *st);

/* Timers running now (for leak checks: an idle instance with no netif has
 * none). */
uint32_t stack_timers_active(const struct stack *st);

/* ------------------------------------------------------------ stats --- */

/* Why a packet was dropped. Every drop is counted under exactly one cause. */
enum stack_drop {
  STACK_DROP_ETH_SHORT,        /* frame shorter than an Ethernet header */
  STACK_DROP_ETH_TYPE,         /* unknown ethertype */
  STACK_DROP_ETH_DST,          /* not our MAC, not broadcast */
  STACK_DROP_ARP_MALFORMED,    /* bad ARP packet */
  STACK_DROP_ARP_TABLE_FULL,   /* no cache entry could be had */
  STACK_DROP_ARP_QUEUE_FULL,   /* too many packets waiting on one entry */
  STACK_DROP_ARP_UNRESOLVED,   /* the address never answered */
  STACK_DROP_IP_SHORT,         /* truncated header or total length beyond frame */
  STACK_DROP_IP_VERSION,       /* not version 4 */
  STACK_DROP_IP_HLEN,          /* header length < 20 or beyond the packet */
  STACK_DROP_IP_CHECKSUM,      /* bad header checksum */
  STACK_DROP_IP_SRC,           /* source is broadcast or multicast */
  STACK_DROP_IP_NOT_OURS,      /* not for us and not forwarding */
  STACK_DROP_IP_TTL,           /* TTL expired while forwarding */
  STACK_DROP_IP_NO_ROUTE,      /* no route to the destination */
  STACK_DROP_IP_PROTO,         /* no handler for the protocol */
  STACK_DROP_IP_FRAG_BAD,      /* fragment with bad offset or length */
  STACK_DROP_IP_FRAG_OVERLAP,  /* fragment overlapping another: datagram dropped */
  STACK_DROP_IP_FRAG_DUP,      /* a copy of a fragment already held */
  STACK_DROP_IP_REASS_FULL,    /* reassembly limits reached */
  STACK_DROP_IP_REASS_TIMEOUT, /* fragments of an incomplete datagram, timed out */
  STACK_DROP_IP_DF,            /* needs fragmenting but DF is set */
  STACK_DROP_ICMP_MALFORMED,   /* bad length or type-specific fields */
  STACK_DROP_ICMP_CHECKSUM,    /* bad ICMP checksum */
  STACK_DROP_ICMP_RATE,        /* error message suppressed by the rate limit */
  STACK_DROP_UDP_MALFORMED,    /* bad UDP length */
  STACK_DROP_UDP_CHECKSUM,     /* bad UDP checksum */
  STACK_DROP_UDP_NO_PCB,       /* no PCB listens on the port */
  STACK_DROP_TCP_MALFORMED,    /* bad header length or options */
  STACK_DROP_TCP_CHECKSUM,     /* bad TCP checksum */
  STACK_DROP_TCP_NO_PCB,       /* no connection or listener: answered with RST */
  STACK_DROP_TCP_SEQ,          /* not acceptable (outside the window), or an
                                  RST/SYN answered with a challenge ACK */
  STACK_DROP_TCP_BACKLOG,      /* SYN to a listener whose backlog is full */
  STACK_DROP_TCP_OOSEQ_FULL,   /* out-of-order queue full */
  STACK_DROP_TCP_STATE,        /* not valid in the connection's state */
  STACK_DROP_TCP_PAWS,         /* an old timestamp (RFC 7323 PAWS) */
  STACK_DROP_POOL_EMPTY,       /* a buffer could not be allocated */
  STACK_DROP_NETIF_DOWN,       /* the netif or its link is down */
  STACK_DROP_NETIF_REMOVED,    /* queued on a netif that was removed */
  STACK_DROP_TCPIP_MBOX,       /* the tcpip thread's mailbox was full */
  STACK_DROP_COUNT,
};
/* "eth_short", "ip_checksum", ...: the cause's snake-case name. */
const char *stack_drop_name(enum stack_drop d);

/* Per protocol: packets received (handed to it, valid or not), sent, and
 * dropped (the sum of its causes). */
struct stack_proto_stats {
  uint64_t rx, tx, drop;
};
struct stack_stats {
  struct stack_proto_stats eth, arp, ip, icmp, udp, tcp;
  uint64_t ip_forwarded, ip_frag_out, ip_reassembled;
  uint64_t tcp_active_opens, tcp_passive_opens, tcp_resets_sent, tcp_retransmits,
      tcp_fast_retransmits, tcp_timeouts, tcp_challenge_acks;
  uint64_t drops[STACK_DROP_COUNT];
};
const struct stack_stats *stack_stats(const struct stack *st);

#endif
