/* The TCP header (RFC 9293 sec. 3.1, "Header Format") with its options
 * (RFC 9293 sec. 3.2, "Specific Option Definitions"): end of list, no-op,
 * MSS (RFC 9293 sec. 3.7.1), window scale and timestamps (RFC 7323 secs.
 * 2.2 and 3.2), SACK-permitted and SACK blocks (RFC 2018 secs. 2 and 3). */
#ifndef LWSIM_STACK_WIRE_TCP_H
#define LWSIM_STACK_WIRE_TCP_H

#include "stack/wire/checksum.h"
#include "stack/wire/wire.h"

#define TCP_HLEN 20     /* data offset 5 */
#define TCP_HLEN_MAX 60 /* data offset 15: at most 40 option bytes */
#define TCP_SACK_MAX 4  /* 2 + 4 * 8 = 34 <= 40 option bytes */

/* Control bits (RFC 9293 sec. 3.1; ECE and CWR from RFC 3168 sec. 6.1). */
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

/* Option kinds (RFC 9293 sec. 3.2 and the RFCs above). */
enum {
  TCP_OPT_EOL = 0,
  TCP_OPT_NOP = 1,
  TCP_OPT_MSS = 2,       /* length 4 */
  TCP_OPT_WSCALE = 3,    /* length 3 */
  TCP_OPT_SACK_PERM = 4, /* length 2 */
  TCP_OPT_SACK = 5,      /* length 2 + 8n, 1 <= n <= 4 */
  TCP_OPT_TS = 8,        /* length 10 */
};

/* One SACK block (RFC 2018 sec. 3): [left, right) in sequence space. */
struct tcp_sack_block {
  uint32_t left, right;
};

/* After a successful parse: TCP_HLEN <= hlen <= TCP_HLEN_MAX, hlen % 4
 * == 0, the options are [TCP_HLEN, hlen) and the data starts at hlen;
 * nsack <= TCP_SACK_MAX; an option absent has its has_ flag 0 and its
 * value 0. Values are as on the wire (no clamping: window scale > 14 is
 * for the caller to handle, RFC 7323 sec. 2.3). */
struct tcp_repr {
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t hlen;  /* header bytes, options included; emit ignores it */
  uint8_t flags; /* TCP_FIN ... TCP_CWR */
  uint16_t window; /* as on the wire (unscaled) */
  uint16_t checksum; /* as on the wire; emit ignores it */
  uint16_t urgent;
  /* options: present when the has_ flag is set */
  uint8_t has_mss, has_wscale, has_sack_perm, has_ts;
  uint16_t mss;
  uint8_t wscale;
  uint32_t ts_val, ts_ecr;
  uint8_t nsack; /* SACK blocks present (0 = no SACK option) */
  struct tcp_sack_block sack[TCP_SACK_MAX];
};

/* RFC 9293 sec. 3.1 and 3.2. buf holds the segment's header, options
 * included (len bytes; only the header, hlen bytes, is read, so len may
 * count data that is elsewhere): WIRE_ETRUNC below 20 bytes, WIRE_EHLEN
 * for a data offset < 5 or past len, WIRE_EOPT for an option whose
 * length is < 2 or runs past the header, or a known option with the
 * wrong length (RFC 9293 sec. 3.1, MUST-7: be prepared for an illegal
 * option length). Unknown options are skipped by their length (sec. 3.1,
 * MUST-6); options need not be aligned (sec. 3.2, MUST-64); parsing stops
 * at EOL; a later copy of an option replaces an earlier one. The checksum is not
 * checked here: see tcp_checksum_ok, or tcp_parse_checked. */
int tcp_parse(struct tcp_repr *out, const uint8_t *buf, size_t len);
/* tcp_parse on a whole segment of len bytes at buf (header and data,
 * len = IP total length - IP header length), then the checksum over the
 * pseudo-header and all len bytes (RFC 9293 sec. 3.1 "Checksum"):
 * WIRE_ECSUM if it fails, or WIRE_ELEN if len > 65535. */
int tcp_parse_checked(struct tcp_repr *out, const uint8_t *buf, size_t len, ip4_addr_t src,
                      ip4_addr_t dst);
/* Header length emit will write: 20 + the options, each group padded to
 * 4 bytes, at most 60 (SACK blocks that do not fit are left out). */
size_t tcp_header_len(const struct tcp_repr *r);
/* Writes exactly tcp_header_len(r) bytes: the header with its options
 * and a zero checksum field (see tcp_set_checksum, tcp_checksum_finish,
 * or tcp_emit_checksum). Returns that length or WIRE_ENOSPC. */
int tcp_emit(const struct tcp_repr *r, uint8_t *buf, size_t cap);
/* tcp_emit in front of data_len bytes already at buf + tcp_header_len(r),
 * and the checksum over pseudo-header, header and data. cap counts from
 * buf. Returns the header length or WIRE_ENOSPC (also when the segment
 * would exceed 65535 bytes). */
int tcp_emit_checksum(const struct tcp_repr *r, uint8_t *buf, size_t cap, size_t data_len,
                      ip4_addr_t src, ip4_addr_t dst);
/* For data not contiguous with the header (a chain): writes the checksum
 * field of the hlen-byte header at hdr given the running sum of the data
 * (summed from its own start); seg_len = hlen + data bytes. */
void tcp_set_checksum(uint8_t *hdr, size_t hlen, const struct csum *data, ip4_addr_t src,
                      ip4_addr_t dst, uint16_t seg_len);
/* The checksum field's value from the running sum over header (checksum
 * field 0) and data, adding the pseudo-header for len bytes. */
uint16_t tcp_checksum_finish(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len);
/* 1 when the running sum over the received segment (len bytes) checks
 * out, else 0. Adds the pseudo-header to *c. */
int tcp_checksum_ok(struct csum *c, ip4_addr_t src, ip4_addr_t dst, uint16_t len);

/* Sequence number arithmetic modulo 2^32 (RFC 9293 sec. 3.4): a is before
 * b when the signed 32-bit difference a - b is negative (meaningful for
 * numbers less than 2^31 apart). */
static inline int seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline int seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline int seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

#endif
