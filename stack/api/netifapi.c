/* netifapi (stack/netifapi.h): one message per call, run in core context
 * by tcpip_callback_wait. */
#include "stack/netifapi.h"

#include "stack/core/priv.h"
#include "stack/tcpip.h"

enum op { ADD, REMOVE, SET_UP, SET_LINK, SET_ADDR, DHCP_START, DHCP_STOP, DHCP_RENEW, DHCP_RELEASE };

struct msg {
  enum op op;
  struct stack *st;
  struct stack_netif *nif;
  const struct stack_netif_config *cfg;
  struct stack_netif **out;
  ip4_addr_t addr, mask, gw;
  int on, rc;
};

static void run(void *arg) {
  struct msg *m = arg;
  switch (m->op) {
  case ADD: m->rc = stack_netif_add(m->st, m->cfg, m->out); break;
  case REMOVE: stack_netif_remove(m->nif); break;
  case SET_UP: stack_netif_set_up(m->nif, m->on); break;
  case SET_LINK: stack_netif_set_link(m->nif, m->on); break;
  case SET_ADDR: m->rc = stack_netif_set_addr(m->nif, m->addr, m->mask, m->gw); break;
  case DHCP_START: m->rc = dhcp_start(m->nif, 0); break;
  case DHCP_STOP: dhcp_stop(m->nif); break;
  case DHCP_RENEW: m->rc = dhcp_renew(m->nif); break;
  case DHCP_RELEASE: m->rc = dhcp_release(m->nif); break;
  }
}

static int call(struct stack *st, struct msg *m) {
  m->st = st;
  int rc = tcpip_callback_wait(st, run, m);
  return rc < 0 ? rc : m->rc;
}

int netifapi_netif_add(struct stack *st, const struct stack_netif_config *c, struct stack_netif **out) {
  struct msg m = {.op = ADD, .cfg = c, .out = out};
  return call(st, &m);
}
int netifapi_netif_remove(struct stack_netif *nif) {
  struct msg m = {.op = REMOVE, .nif = nif};
  return call(nif->st, &m);
}
int netifapi_netif_set_up(struct stack_netif *nif, int up) {
  struct msg m = {.op = SET_UP, .nif = nif, .on = up};
  return call(nif->st, &m);
}
int netifapi_netif_set_link(struct stack_netif *nif, int up) {
  struct msg m = {.op = SET_LINK, .nif = nif, .on = up};
  return call(nif->st, &m);
}
int netifapi_netif_set_addr(struct stack_netif *nif, ip4_addr_t addr, ip4_addr_t mask, ip4_addr_t gw) {
  struct msg m = {.op = SET_ADDR, .nif = nif, .addr = addr, .mask = mask, .gw = gw};
  return call(nif->st, &m);
}
int netifapi_dhcp_start(struct stack_netif *nif) {
  struct msg m = {.op = DHCP_START, .nif = nif};
  return call(nif->st, &m);
}
int netifapi_dhcp_stop(struct stack_netif *nif) {
  struct msg m = {.op = DHCP_STOP, .nif = nif};
  return call(nif->st, &m);
}
int netifapi_dhcp_renew(struct stack_netif *nif) {
  struct msg m = {.op = DHCP_RENEW, .nif = nif};
  return call(nif->st, &m);
}
int netifapi_dhcp_release(struct stack_netif *nif) {
  struct msg m = {.op = DHCP_RELEASE, .nif = nif};
  return call(nif->st, &m);
}
