/* The harness's Ethernet driver (see netdev.h). */
#include "harness/netdev.h"

#include <stdlib.h>

#include "stack/pbuf.h"

static void netdev_rx(void *user, struct sim_port *port, const uint8_t *frame, size_t len) {
  (void)port;
  struct lwsim_netdev *d = user;
  if (d->nif) stack_netif_input_frame(d->nif, frame, len);
}

/* Log, then hand the bytes to the medium. */
static int send_bytes(struct lwsim_netdev *d, const uint8_t *frame, size_t len) {
  lwsim_framelog_add(d->log, sim_engine_now(d->e), d->node, d->netif, d->medium, frame, len);
  return sim_port_send(d->port, frame, len) < 0 ? STACK_EMSGSIZE : STACK_OK;
}

static int netdev_output(struct stack_netif *nif, struct pbuf *p) {
  struct lwsim_netdev *d = stack_netif_driver(nif);
  if (!p->next) return send_bytes(d, p->payload, p->len);
  /* a chain: flatten it (the medium copies the bytes anyway) */
  uint8_t small[2048];
  uint8_t *buf = p->tot_len <= sizeof small ? small : malloc(p->tot_len);
  if (!buf) return STACK_ENOMEM;
  size_t n = pbuf_copy_out(p, buf, p->tot_len, 0);
  int rc = send_bytes(d, buf, n);
  if (buf != small) free(buf);
  return rc;
}

static void netdev_detach(struct stack_netif *nif) {
  struct lwsim_netdev *d = stack_netif_driver(nif);
  d->nif = NULL;
}

int lwsim_netdev_attach(struct lwsim_netdev *d, struct stack *st, struct sim_medium *m,
                        const char *node_name, const char *ifname, struct eth_addr mac,
                        uint16_t mtu) {
  d->nif = NULL;
  if (sim_port_new(&d->port, m, node_name, ifname, netdev_rx, d) < 0) return STACK_ENOMEM;
  struct stack_netif_config c = {.name = ifname,
                                 .mac = mac,
                                 .mtu = mtu,
                                 .output = netdev_output,
                                 .driver = d,
                                 .detach = netdev_detach};
  int rc = stack_netif_add(st, &c, &d->nif);
  if (rc < 0) d->nif = NULL;
  return rc;
}

int lwsim_netdev_inject(struct lwsim_netdev *d, const uint8_t *frame, size_t len) {
  return send_bytes(d, frame, len);
}
