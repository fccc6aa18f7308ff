/* The TCP header (RFC 9293 sec. 3.1) with its options: MSS (RFC 9293
 * 3.7.1), window scale and timestamps (RFC 7323), SACK-permitted and SACK
 * blocks (RFC 2018). */
#ifndef LWSIM_STACK_WIRE_TCP_H
#define LWSIM_STACK_WIRE_TCP_H

#include "stack/wire/checksum.h"
#include "stack/wire/wire.h"

#define TCP_HLEN 20
#define TCP_HLEN_MAX 60

enum {
  TCP_FIN = 0x01,
  TCP_SYN = 0x02,
  TCP_RST = 0x04,
  TCP_PSH = 0x08,
  TCP_ACK = 0x10,
  TCP_URG = 0x20,
  TCP_ECE = 0x40,
  TCP_CWR = 0x80,
};

struct tcp_sack_block {
  uint32_t left, right;
};

struct tcp_repr {
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t hlen;  /* header bytes, options included */
  uint8_t flags;
  uint16_t window; /* as on the wire (unscaled) */
  uint16_t checksum;
  uint16_t urgent;
  /* options: present when the has_ flag is set */
  uint8_t has_mss, has_wscale, has_sack_perm, has_ts;
  uint16_t mss;
  uint8_t wscale;
  uint32_t ts_val, ts_ecr;
  uint8_t nsack;
  struct tcp_sack_block sack[4];
};

/* buf holds the segment's header and at least its options (len bytes):
 * WIRE_ETRUNC below 20 bytes, WIRE_EHLEN for a data offset < 5 or past
 * len, WIRE_EOPT for an option whose length is < 2 or runs past the
 * header (or a known option with the wrong length). Unknown options are
 * skipped by their length. The checksum is not checked here. */
int tcp_parse(struct tcp_repr *out, const uint8_t *buf, size_t len);
/* Header length emit will write: 20 + options, padded to 4. */
size_t tcp_header_len(const struct tcp_repr *r);
/* Writes the header with options (checksum field 0: see tcp_checksum_*);
 * returns its length or WIRE_ENOSPC. */
int tcp_emit(const struct tcp_repr *r, uint8_t *buf, size_t cap);
/* The checksum field's value from the running sum over header (checksum
 * field 0) and data. */
uint16_t tcp_checksum_finish(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len);
/* 1 when the running sum over the received segment checks out. */
int tcp_checksum_ok(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len);

/* Sequence number arithmetic modulo 2^32 (RFC 9293 sec. 3.4). */
static inline int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline int seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline int seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

#endif
