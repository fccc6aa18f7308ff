/* DHCPv4 messages (RFC 2131 sec. 2, "Protocol Summary", figure 1 and
 * table 1) and the options a client and server need (RFC 2132).
 *
 * The message is the UDP payload: the fixed BOOTP fields (236 bytes: op,
 * htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr,
 * chaddr, sname, file), the magic cookie 99.130.83.99 (RFC 2131 sec. 3),
 * then tagged options (RFC 2132 sec. 2): pad (0) and end (255) are one
 * byte, every other option is code, length, value.
 *
 * Not supported: options carried in sname/file (option overload, RFC 2132
 * sec. 9.3: the fields are skipped), and long options split in pieces
 * (RFC 3396: a later copy of an option replaces an earlier one).
 */
#ifndef LWSIM_STACK_WIRE_DHCP_H
#define LWSIM_STACK_WIRE_DHCP_H

#include "stack/wire/wire.h"

#define DHCP_SERVER_PORT 67 /* RFC 2131 sec. 4.1 */
#define DHCP_CLIENT_PORT 68
#define DHCP_FIXED_LEN 236     /* op .. file */
#define DHCP_COOKIE 0x63825363u /* 99.130.83.99 */
#define DHCP_OPTIONS_OFF 240   /* after the cookie: the shortest message */
#define DHCP_MIN_EMIT_LEN 300  /* BOOTP's size (RFC 951 vend field; RFC 1542 sec. 2.1) */
#define DHCP_OP_REQUEST 1      /* BOOTREQUEST */
#define DHCP_OP_REPLY 2        /* BOOTREPLY */
#define DHCP_HTYPE_ETHERNET 1
#define DHCP_FLAG_BROADCAST 0x8000 /* RFC 2131 sec. 2, figure 2 */
#define DHCP_LEASE_INFINITE 0xffffffffu /* RFC 2131 sec. 3.3 */
#define DHCP_CHADDR_LEN 16
#define DHCP_DNS_MAX 4
#define DHCP_PRL_MAX 32
#define DHCP_CLIENT_ID_MAX 64

/* Message types, option 53 (RFC 2132 sec. 9.6). */
enum {
  DHCP_DISCOVER = 1,
  DHCP_OFFER = 2,
  DHCP_REQUEST = 3,
  DHCP_DECLINE = 4,
  DHCP_ACK = 5,
  DHCP_NAK = 6,
  DHCP_RELEASE = 7,
  DHCP_INFORM = 8,
};

/* Option codes (RFC 2132; section in brackets). */
enum {
  DHCP_OPT_PAD = 0,           /* [3.1] one byte */
  DHCP_OPT_SUBNET_MASK = 1,   /* [3.3] 4 */
  DHCP_OPT_ROUTER = 3,        /* [3.5] 4n, n >= 1 */
  DHCP_OPT_DNS = 6,           /* [3.8] 4n, n >= 1 */
  DHCP_OPT_REQUESTED_IP = 50, /* [9.1] 4 */
  DHCP_OPT_LEASE_TIME = 51,   /* [9.2] 4, seconds */
  DHCP_OPT_OVERLOAD = 52,     /* [9.3] not supported: ignored */
  DHCP_OPT_MSG_TYPE = 53,     /* [9.6] 1 */
  DHCP_OPT_SERVER_ID = 54,    /* [9.7] 4 */
  DHCP_OPT_PARAM_REQ = 55,    /* [9.8] n >= 1 codes */
  DHCP_OPT_MAX_MSG_SIZE = 57, /* [9.10] 2, >= 576 */
  DHCP_OPT_T1 = 58,           /* [9.11] 4, seconds */
  DHCP_OPT_T2 = 59,           /* [9.12] 4, seconds */
  DHCP_OPT_CLIENT_ID = 61,    /* [9.14] n >= 2: type, then id */
  DHCP_OPT_END = 255,         /* [3.2] one byte */
};

/* A DHCP message. Fixed fields as in RFC 2131 table 1; an option is
 * present when its has_ flag is set (msg_type: when non-zero; the lists:
 * when their count is non-zero), its value is 0 otherwise. Invariants:
 * dns_count <= DHCP_DNS_MAX, prl_len <= DHCP_PRL_MAX, client_id_len <=
 * DHCP_CLIENT_ID_MAX, chaddr_len (the hlen field) <= DHCP_CHADDR_LEN. */
struct dhcp_repr {
  uint8_t op, htype, chaddr_len, hops; /* chaddr_len is BOOTP's 'hlen' */
  uint32_t xid;
  uint16_t secs, flags;
  ip4_addr_t ciaddr, yiaddr, siaddr, giaddr;
  uint8_t chaddr[DHCP_CHADDR_LEN];

  uint8_t msg_type; /* DHCP_DISCOVER..., 0 = absent */
  uint8_t has_subnet_mask, has_router, has_requested_ip, has_lease_time, has_server_id,
      has_t1, has_t2, has_max_msg_size;
  ip4_addr_t subnet_mask;
  ip4_addr_t router; /* the first router listed */
  ip4_addr_t requested_ip;
  ip4_addr_t server_id;
  uint32_t lease_time, t1, t2; /* seconds */
  uint16_t max_msg_size;
  uint8_t dns_count; /* the first DHCP_DNS_MAX servers listed */
  ip4_addr_t dns[DHCP_DNS_MAX];
  uint8_t prl_len; /* parameter request list: the first DHCP_PRL_MAX codes */
  uint8_t prl[DHCP_PRL_MAX];
  uint8_t client_id_len; /* 0 = absent; type byte included */
  uint8_t client_id[DHCP_CLIENT_ID_MAX];
};

/* RFC 2131 sec. 2 and RFC 2132. buf is the UDP payload (len bytes).
 * Errors: WIRE_ETRUNC below 240 bytes (fixed fields and cookie);
 * WIRE_EMALFORMED for an op other than 1 or 2, or hlen > 16;
 * WIRE_EVERSION for a wrong magic cookie; WIRE_EOPT for an option whose
 * length byte or value runs past len, a known option with a length it
 * cannot have (a message type of 0 included), or a client identifier
 * longer than DHCP_CLIENT_ID_MAX. Unknown options are skipped by their
 * length. The options end at END or at the end of the buffer (a missing
 * END is tolerated); bytes after END are not read. Whether the options a
 * message type needs are there is for the caller to decide. */
int dhcp_parse(struct dhcp_repr *out, const uint8_t *buf, size_t len);
/* Bytes dhcp_emit writes: fixed fields, cookie, the options present, END,
 * and zero padding up to DHCP_MIN_EMIT_LEN. */
size_t dhcp_emit_len(const struct dhcp_repr *r);
/* Writes the message: sname and file zero, options in the order 53, 61,
 * 50, 54, 57, 1, 3, 6, 51, 58, 59, 55, then END (RFC 2131 sec. 4.1: "the
 * last option must always be the 'end' option") and pad bytes. Counts
 * beyond the arrays are clamped to them. Returns dhcp_emit_len(r) or
 * WIRE_ENOSPC. */
int dhcp_emit(const struct dhcp_repr *r, uint8_t *buf, size_t cap);

#endif
