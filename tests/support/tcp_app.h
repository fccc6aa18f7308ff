/* A TCP test application on the raw API: each end sends `to_send` bytes of
 * a pattern that depends on its side and the byte's position, checks every
 * byte it receives against the other side's pattern, and closes once it
 * has sent everything and seen the peer's FIN. Used by the TCP tests and
 * the bulk benchmark. */
#ifndef LWSIM_TESTS_TCP_APP_H
#define LWSIM_TESTS_TCP_APP_H

#include <stdint.h>

#include "stack/tcp.h"

struct tcp_app {
  struct tcp_pcb *pcb;
  int side;          /* 0 or 1: whose pattern we send */
  uint64_t to_send;  /* bytes to send in all */
  uint64_t sent;     /* written into the send buffer so far */
  uint64_t acked;
  uint64_t received; /* in order, checked */
  uint64_t corrupt;  /* bytes that did not match the pattern */
  int got_fin, closed, connected, err, errors;
  int close_when_done; /* 1: tcp_close after sending all and the peer's FIN */
  int hold;            /* 1: do not tcp_recved (the window closes) */
  struct tcp_app *accept_into; /* for a listener: the app the new PCB gets */
};

static inline uint8_t tcp_app_byte(int side, uint64_t i) {
  uint64_t x = i * 0x9e3779b97f4a7c15ull + (uint64_t)side * 0x632be59bd9b4e019ull;
  return (uint8_t)(x >> 56);
}

/* Attach app to pcb (callbacks and arg) and start sending if connected. */
void tcp_app_attach(struct tcp_app *app, struct tcp_pcb *pcb);
/* Listener: every accepted connection is attached to accept_into. */
void tcp_app_listen(struct tcp_app *listener_app, struct tcp_pcb *listener);
/* Active open, attaching app. */
int tcp_app_connect(struct tcp_app *app, struct tcp_pcb *pcb, ip4_addr_t addr, uint16_t port);
/* Write as much as the send buffer takes. */
void tcp_app_pump(struct tcp_app *app);
/* Everything sent, acknowledged, received and closed. */
int tcp_app_done(const struct tcp_app *app, uint64_t expect_rx);

#endif
