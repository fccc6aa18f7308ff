/* BSD sockets on netconn (stack/sockets.h).
 *
 * The descriptor table belongs to the instance. A slot's life: used (a
 * netconn, calls in progress counted in refs), closing (close() ran: new
 * calls fail with EBADF, calls in progress are woken and, when the last
 * leaves, the netconn is deleted), free (closed_at says since when, for
 * the reuse delay). gen counts a slot's sockets: a thread that last saw
 * the slot under an older gen and uses it again is using a stale number.
 *
 * Readiness for select and poll comes from netconn's event callback (core
 * context): rcvevent counts items waiting, sendevent says the send buffer
 * has room, errevent that the connection ended. Waiters sleep on their own
 * semaphore, posted when an event makes one of their descriptors ready. */
#include "stack/sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "stack/api/api_priv.h"
#include "stack/netconn.h"
#include "stack/pbuf.h"
#include "stack/tcp.h"
#include "stack/udp.h"

/* <netinet/tcp.h> would clash with stack/tcp.h (struct tcp_info, the
 * state names); its option number is all sockets need from it. */
#ifndef TCP_NODELAY
#define TCP_NODELAY 1
#endif

#define USERS 8

struct sock {
  struct netconn *conn;
  uint32_t gen;
  uint8_t used, closing;
  int type;
  int refs;
  int rcvevent, sendevent, errevent;
  struct pbuf *lastdata; /* TCP: the rest of a buffer partly read */
  size_t lastoff;
  int nonblocking;
  stack_time_t rcvtimeo, sndtimeo;
  int so_error;
  stack_time_t closed_at;
  struct { struct stack_thread *t; uint32_t gen; } users[USERS];
};

struct waiter {
  struct waiter *next;
  struct stack_sem *sem;
  int nfds;
  fd_set *r, *w, *x;           /* select */
  struct pollfd *pfds;         /* poll */
  nfds_t npfds;
  int posted;
};

struct sock_table {
  struct sock *s;
  uint32_t n;
  struct waiter *waiters;
};

static const struct stack_port_ops *ops(struct stack *st) { return st->port.ops; }
static struct stack_thread *me(struct stack *st) {
  return ops(st)->thread_current ? ops(st)->thread_current(st->port.ctx) : NULL;
}

static struct sock_table *table(struct stack *st) {
  if (!st->socks) {
    struct sock_table *t = calloc(1, sizeof *t);
    if (!t || !(t->s = calloc(st->cfg.sock_max, sizeof *t->s))) {
      free(t);
      return NULL;
    }
    t->n = st->cfg.sock_max;
    st->socks = t;
  }
  return st->socks;
}

void sock_table_free(struct stack *st) {
  struct sock_table *t = st->socks;
  if (!t) return;
  /* sockets still open die with the instance (main context, so in core) */
  for (uint32_t i = 0; i < t->n; i++) {
    struct sock *s = &t->s[i];
    if (!s->used) continue;
    if (s->lastdata) pbuf_free(s->lastdata);
    struct api_msg m = {.conn = s->conn};
    api_do_delete(&m);
  }
  free(t->s);
  free(t);
  st->socks = NULL;
}

/* --------------------------------------------------------- readiness -- */

static int readable(const struct sock *s) { return s->rcvevent > 0 || s->lastdata || s->errevent; }
static int writable(const struct sock *s) { return s->sendevent || s->errevent; }

static int waiter_ready(struct sock_table *t, const struct waiter *w);

static void wake_waiters(struct stack *st) {
  struct sock_table *t = st->socks;
  for (struct waiter *w = t->waiters; w; w = w->next)
    if (!w->posted && waiter_ready(t, w)) {
      w->posted = 1;
      ops(st)->sem_post(st->port.ctx, w->sem);
    }
}

static void on_event(void *arg, struct netconn *conn, enum netconn_evt evt) {
  (void)conn;
  struct stack *st = ((struct netconn *)conn)->st;
  struct sock *s = arg;
  switch (evt) {
  case NETCONN_EVT_RCVPLUS: s->rcvevent++; break;
  case NETCONN_EVT_RCVMINUS: if (s->rcvevent > 0) s->rcvevent--; break;
  case NETCONN_EVT_SENDPLUS: s->sendevent = 1; break;
  case NETCONN_EVT_ERROR: s->errevent = 1; break;
  }
  if (st->socks && st->socks->waiters) wake_waiters(st);
}

/* ------------------------------------------------------------ slots --- */

static int fail(int e) {
  errno = e;
  return -1;
}

static int errno_of(int rc) {
  switch (rc) {
  case STACK_ENOMEM: return ENOMEM;
  case STACK_EINVAL: return EINVAL;
  case STACK_ENOROUTE: return EHOSTUNREACH;
  case STACK_EADDRINUSE: return EADDRINUSE;
  case STACK_ENOTCONN: return ENOTCONN;
  case STACK_EMSGSIZE: return EMSGSIZE;
  case STACK_ENETDOWN: return ENETDOWN;
  case STACK_EAGAIN: return EAGAIN;
  case STACK_ETIMEDOUT: return ETIMEDOUT;
  case STACK_ECONNRESET: return ECONNRESET;
  case STACK_ECONNREFUSED: return ECONNREFUSED;
  case STACK_ECONNABORTED: return ECONNABORTED;
  case STACK_EISCONN: return EISCONN;
  case STACK_EINPROGRESS: return EINPROGRESS;
  case STACK_ECLOSED: return ENOTCONN;
  default: return EIO;
  }
}

/* The thread now knows slot s under its current gen. */
static void remember(struct stack *st, struct sock *s) {
  struct stack_thread *t = me(st);
  int free_i = -1;
  for (int i = 0; i < USERS; i++) {
    if (s->users[i].t == t) {
      s->users[i].gen = s->gen;
      return;
    }
    if (!s->users[i].t && free_i < 0) free_i = i;
  }
  if (free_i < 0) free_i = (int)(s->gen % USERS); /* forget someone */
  s->users[free_i].t = t;
  s->users[free_i].gen = s->gen;
}

/* Enter a call on fd: NULL (errno EBADF) when there is no such socket. */
static struct sock *enter(struct stack *st, int fd, const char *where) {
  struct sock_table *t = st->socks;
  if (!t || fd < 0 || (uint32_t)fd >= t->n || !t->s[fd].used || t->s[fd].closing) {
    errno = EBADF;
    return NULL;
  }
  struct sock *s = &t->s[fd];
  struct stack_thread *th = me(st);
  for (int i = 0; i < USERS; i++)
    if (s->users[i].t == th && s->users[i].gen != s->gen) {
      st_finding(st, "stale_descriptor", where,
                 "descriptor closed and reused by another socket since this thread used it");
      break;
    }
  remember(st, s);
  STACK_YIELD_POINT(&st->port, "socket_table");
  s->refs++;
  return s;
}

static void finish_close(struct stack *st, struct sock *s) {
  struct netconn *c = s->conn;
  struct pbuf *last = s->lastdata;
  s->lastdata = NULL;
  s->conn = NULL;
  s->used = 0;
  s->closing = 0;
  s->closed_at = stack_now(st);
  STACK_YIELD_POINT(&st->port, "socket_table");
  if (last) pbuf_free(last); /* buffers may be freed by any thread (see netconn.h) */
  netconn_delete(c);
}

static void leave(struct stack *st, struct sock *s) {
  if (--s->refs == 0 && s->closing) finish_close(st, s);
}

static int alloc_fd(struct stack *st, struct netconn *c, int type) {
  struct sock_table *t = table(st);
  if (!t) return -1;
  stack_time_t now = stack_now(st);
  for (uint32_t i = 0; i < t->n; i++) {
    struct sock *s = &t->s[i];
    if (s->used || (s->gen && now - s->closed_at < st->cfg.sock_reuse_delay)) continue;
    uint32_t gen = s->gen + 1;
    struct sock keep_users = *s;
    memset(s, 0, sizeof *s);
    memcpy(s->users, keep_users.users, sizeof s->users);
    s->gen = gen;
    s->used = 1;
    s->conn = c;
    s->type = type;
    s->sendevent = type == SOCK_DGRAM;
    STACK_YIELD_POINT(&st->port, "socket_table");
    netconn_set_event(c, on_event, s);
    remember(st, s);
    return (int)i;
  }
  return -1;
}

/* ------------------------------------------------------------ calls ---- */

int sock_socket(struct stack *st, int domain, int type, int protocol) {
  (void)protocol;
  if (domain != AF_INET) return fail(EAFNOSUPPORT);
  if (type != SOCK_STREAM && type != SOCK_DGRAM) return fail(EPROTOTYPE);
  if (!stack_tcpip_running(st)) return fail(ENETDOWN);
  if (!table(st)) return fail(ENOMEM);
  struct netconn *c = netconn_new(st, type == SOCK_STREAM ? NETCONN_TCP : NETCONN_UDP);
  if (!c) return fail(ENOBUFS);
  int fd = alloc_fd(st, c, type);
  if (fd < 0) {
    netconn_delete(c);
    return fail(EMFILE);
  }
  return fd;
}

static int addr_in(const struct sockaddr *a, socklen_t len, ip4_addr_t *ip, uint16_t *port) {
  if (!a || len < (socklen_t)sizeof(struct sockaddr_in) || a->sa_family != AF_INET) return 0;
  const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)a;
  *ip = ntohl(in->sin_addr.s_addr);
  *port = ntohs(in->sin_port);
  return 1;
}

static void addr_out(struct sockaddr *a, socklen_t *len, ip4_addr_t ip, uint16_t port) {
  if (!a || !len) return;
  struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(port),
                           .sin_addr.s_addr = htonl(ip)};
  socklen_t n = *len < (socklen_t)sizeof in ? *len : (socklen_t)sizeof in;
  memcpy(a, &in, n);
  *len = sizeof in;
}

#define ENTER(fd, where)                                                                          \
  struct sock *s = enter(st, (fd), (where));                                                       \
  if (!s) return -1

static int done(struct stack *st, struct sock *s, int rc) {
  leave(st, s);
  return rc < 0 ? fail(errno_of(rc)) : rc;
}

int sock_bind(struct stack *st, int fd, const struct sockaddr *addr, socklen_t len) {
  ENTER(fd, "bind");
  ip4_addr_t ip;
  uint16_t port;
  if (!addr_in(addr, len, &ip, &port)) return done(st, s, STACK_EINVAL);
  return done(st, s, netconn_bind(s->conn, ip, port));
}

int sock_listen(struct stack *st, int fd, int backlog) {
  ENTER(fd, "listen");
  if (s->type != SOCK_STREAM) {
    leave(st, s);
    return fail(EOPNOTSUPP);
  }
  return done(st, s, netconn_listen(s->conn, backlog));
}

int sock_accept(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len) {
  ENTER(fd, "accept");
  netconn_set_nonblocking(s->conn, s->nonblocking);
  netconn_set_recvtimeout(s->conn, s->rcvtimeo);
  struct netconn *nc;
  int rc = netconn_accept(s->conn, &nc);
  if (rc < 0) return done(st, s, s->closing ? STACK_ECLOSED : rc);
  int nfd = alloc_fd(st, nc, SOCK_STREAM);
  if (nfd < 0) {
    netconn_delete(nc);
    leave(st, s);
    return fail(EMFILE);
  }
  st->socks->s[nfd].sendevent = 1;
  ip4_addr_t ip;
  uint16_t port;
  if (netconn_addr(nc, 0, &ip, &port) == STACK_OK) addr_out(addr, len, ip, port);
  leave(st, s);
  return nfd;
}

int sock_connect(struct stack *st, int fd, const struct sockaddr *addr, socklen_t len) {
  ENTER(fd, "connect");
  ip4_addr_t ip;
  uint16_t port;
  if (!addr_in(addr, len, &ip, &port)) return done(st, s, STACK_EINVAL);
  netconn_set_nonblocking(s->conn, s->nonblocking);
  return done(st, s, netconn_connect(s->conn, ip, port));
}

ssize_t sock_sendto(struct stack *st, int fd, const void *buf, size_t len, int flags,
                    const struct sockaddr *to, socklen_t tolen) {
  ENTER(fd, "send");
  int nb = s->nonblocking || (flags & MSG_DONTWAIT);
  if (s->type == SOCK_DGRAM) {
    ip4_addr_t ip = 0;
    uint16_t port = 0;
    if (to && !addr_in(to, tolen, &ip, &port)) return done(st, s, STACK_EINVAL);
    int rc = to ? netconn_sendto(s->conn, buf, len, ip, port) : netconn_send(s->conn, buf, len);
    return (ssize_t)done(st, s, rc < 0 ? rc : (int)len);
  }
  netconn_set_nonblocking(s->conn, nb);
  size_t written = 0;
  int rc = netconn_write(s->conn, buf, len, &written);
  if (rc < 0 && s->closing) rc = STACK_ECLOSED;
  leave(st, s);
  if (rc < 0) {
    if (s->closing || rc == STACK_ECLOSED) return fail(EBADF);
    return fail(errno_of(rc));
  }
  return (ssize_t)written;
}

ssize_t sock_send(struct stack *st, int fd, const void *buf, size_t len, int flags) {
  return sock_sendto(st, fd, buf, len, flags, NULL, 0);
}

ssize_t sock_sendmsg(struct stack *st, int fd, const struct msghdr *msg, int flags) {
  size_t total = 0;
  for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++) total += msg->msg_iov[i].iov_len;
  uint8_t *flat = malloc(total ? total : 1);
  if (!flat) return fail(ENOMEM);
  size_t off = 0;
  for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++) {
    memcpy(flat + off, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
    off += msg->msg_iov[i].iov_len;
  }
  ssize_t n = sock_sendto(st, fd, flat, total, flags, msg->msg_name, msg->msg_namelen);
  free(flat);
  return n;
}

ssize_t sock_recvfrom(struct stack *st, int fd, void *buf, size_t len, int flags,
                      struct sockaddr *from, socklen_t *fromlen) {
  ENTER(fd, "recv");
  netconn_set_nonblocking(s->conn, s->nonblocking || (flags & MSG_DONTWAIT));
  netconn_set_recvtimeout(s->conn, s->rcvtimeo);
  struct pbuf *p = s->lastdata;
  size_t off = s->lastoff;
  ip4_addr_t ip = 0;
  uint16_t port = 0;
  if (!p) {
    int rc = netconn_recv_from(s->conn, &p, &ip, &port);
    if (rc == STACK_ECLOSED && !s->closing && !netconn_err(s->conn)) {
      leave(st, s);
      return 0; /* end of stream */
    }
    if (rc < 0) {
      leave(st, s);
      return fail(s->closing ? EBADF : errno_of(rc == STACK_ECLOSED ? netconn_err(s->conn) : rc));
    }
    off = 0;
  }
  size_t n = pbuf_copy_out(p, buf, len, off);
  if (s->type == SOCK_STREAM && off + n < p->tot_len && !(flags & MSG_PEEK)) {
    s->lastdata = p; /* the rest for the next call */
    s->lastoff = off + n;
  } else if (flags & MSG_PEEK) {
    s->lastdata = p;
    s->lastoff = off;
  } else {
    s->lastdata = NULL;
    s->lastoff = 0;
    pbuf_free(p);
  }
  if (s->type == SOCK_DGRAM) addr_out(from, fromlen, ip, port);
  leave(st, s);
  return (ssize_t)n;
}

ssize_t sock_recv(struct stack *st, int fd, void *buf, size_t len, int flags) {
  return sock_recvfrom(st, fd, buf, len, flags, NULL, NULL);
}

ssize_t sock_recvmsg(struct stack *st, int fd, struct msghdr *msg, int flags) {
  size_t total = 0;
  for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++) total += msg->msg_iov[i].iov_len;
  uint8_t *flat = malloc(total ? total : 1);
  if (!flat) return fail(ENOMEM);
  ssize_t n = sock_recvfrom(st, fd, flat, total, flags, msg->msg_name, &msg->msg_namelen);
  size_t off = 0;
  for (size_t i = 0; n > 0 && i < (size_t)msg->msg_iovlen && off < (size_t)n; i++) {
    size_t k = msg->msg_iov[i].iov_len < (size_t)n - off ? msg->msg_iov[i].iov_len : (size_t)n - off;
    memcpy(msg->msg_iov[i].iov_base, flat + off, k);
    off += k;
  }
  free(flat);
  return n;
}

int sock_shutdown(struct stack *st, int fd, int how) {
  ENTER(fd, "shutdown");
  return done(st, s, netconn_shutdown(s->conn, how == SHUT_RD || how == SHUT_RDWR,
                                      how == SHUT_WR || how == SHUT_RDWR));
}

int sock_close(struct stack *st, int fd) {
  ENTER(fd, "close");
  s->closing = 1;
  s->gen++; /* later users of the number hold a stale descriptor */
  remember(st, s); /* ...except the closer, who knows */
  netconn_close(s->conn); /* wakes threads blocked on it */
  leave(st, s);           /* the last one out deletes */
  return 0;
}

int sock_getsockname(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len) {
  ENTER(fd, "getsockname");
  ip4_addr_t ip;
  uint16_t port;
  int rc = netconn_addr(s->conn, 1, &ip, &port);
  if (rc == STACK_OK) addr_out(addr, len, ip, port);
  return done(st, s, rc);
}

int sock_getpeername(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len) {
  ENTER(fd, "getpeername");
  ip4_addr_t ip;
  uint16_t port;
  int rc = netconn_addr(s->conn, 0, &ip, &port);
  if (rc == STACK_OK) addr_out(addr, len, ip, port);
  return done(st, s, rc);
}

/* Options that live on the PCB are set in core context. */
struct opt_msg {
  struct netconn *conn;
  int name, on;
};
static void set_pcb_opt(void *arg) {
  struct opt_msg *m = arg;
  if (m->conn->tcp) {
    if (m->name == SO_REUSEADDR) tcp_set_reuseaddr(m->conn->tcp, m->on);
    if (m->name == SO_KEEPALIVE) tcp_keepalive(m->conn->tcp, m->on);
    if (m->name == TCP_NODELAY) tcp_nagle(m->conn->tcp, !m->on);
  } else if (m->conn->udp && m->name == SO_BROADCAST) {
    udp_set_broadcast(m->conn->udp, m->on);
  }
}

static stack_time_t tv_ns(const struct timeval *tv) {
  return (stack_time_t)tv->tv_sec * STACK_SEC + (stack_time_t)tv->tv_usec * STACK_USEC;
}

int sock_setsockopt(struct stack *st, int fd, int level, int name, const void *val, socklen_t len) {
  ENTER(fd, "setsockopt");
  int rc = STACK_OK;
  if ((level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO))) {
    if (len < (socklen_t)sizeof(struct timeval)) rc = STACK_EINVAL;
    else if (name == SO_RCVTIMEO) s->rcvtimeo = tv_ns(val);
    else s->sndtimeo = tv_ns(val);
  } else if ((level == SOL_SOCKET && (name == SO_REUSEADDR || name == SO_KEEPALIVE ||
                                      name == SO_BROADCAST)) ||
             (level == IPPROTO_TCP && name == TCP_NODELAY)) {
    if (len < (socklen_t)sizeof(int)) rc = STACK_EINVAL;
    else {
      struct opt_msg m = {s->conn, name, *(const int *)val != 0};
      rc = tcpip_callback_wait(st, set_pcb_opt, &m);
    }
  } else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF)) {
    rc = STACK_OK; /* buffer sizes are the instance's (config tcp_rcv_buf, tcp_snd_buf) */
  } else {
    leave(st, s);
    return fail(ENOPROTOOPT);
  }
  return done(st, s, rc);
}

int sock_getsockopt(struct stack *st, int fd, int level, int name, void *val, socklen_t *len) {
  ENTER(fd, "getsockopt");
  int v = 0;
  if (level == SOL_SOCKET && name == SO_ERROR) {
    v = netconn_err(s->conn) ? errno_of(netconn_err(s->conn)) : 0;
  } else if (level == SOL_SOCKET && name == SO_TYPE) {
    v = s->type;
  } else if (level == SOL_SOCKET && name == SO_RCVBUF) {
    v = (int)st->cfg.tcp_rcv_buf;
  } else if (level == SOL_SOCKET && name == SO_SNDBUF) {
    v = (int)st->cfg.tcp_snd_buf;
  } else if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
    stack_time_t t = name == SO_RCVTIMEO ? s->rcvtimeo : s->sndtimeo;
    struct timeval tv = {.tv_sec = t / STACK_SEC, .tv_usec = (t % STACK_SEC) / STACK_USEC};
    socklen_t n = *len < (socklen_t)sizeof tv ? *len : (socklen_t)sizeof tv;
    memcpy(val, &tv, n);
    *len = sizeof tv;
    leave(st, s);
    return 0;
  } else {
    leave(st, s);
    return fail(ENOPROTOOPT);
  }
  socklen_t n = *len < (socklen_t)sizeof v ? *len : (socklen_t)sizeof v;
  memcpy(val, &v, n);
  *len = sizeof v;
  leave(st, s);
  return 0;
}

int sock_fcntl(struct stack *st, int fd, int cmd, int val) {
  ENTER(fd, "fcntl");
  int rc = 0;
  if (cmd == F_GETFL) rc = s->nonblocking ? O_NONBLOCK : 0;
  else if (cmd == F_SETFL) s->nonblocking = (val & O_NONBLOCK) != 0;
  else {
    leave(st, s);
    return fail(EINVAL);
  }
  leave(st, s);
  return rc;
}

/* ----------------------------------------------------- select and poll -- */

static int scan_select(struct sock_table *t, int nfds, fd_set *r, fd_set *w, fd_set *x,
                       fd_set *or_, fd_set *ow, fd_set *ox) {
  int n = 0;
  for (int fd = 0; fd < nfds && (uint32_t)fd < t->n; fd++) {
    struct sock *s = &t->s[fd];
    if (!s->used) continue;
    if (r && FD_ISSET(fd, r) && readable(s)) { if (or_) FD_SET(fd, or_); n++; }
    if (w && FD_ISSET(fd, w) && writable(s)) { if (ow) FD_SET(fd, ow); n++; }
    if (x && FD_ISSET(fd, x) && s->errevent) { if (ox) FD_SET(fd, ox); n++; }
  }
  return n;
}

static int scan_poll(struct sock_table *t, struct pollfd *p, nfds_t np, int write) {
  int n = 0;
  for (nfds_t i = 0; i < np; i++) {
    short re = 0;
    if (p[i].fd < 0 || (uint32_t)p[i].fd >= t->n || !t->s[p[i].fd].used) re = POLLNVAL;
    else {
      struct sock *s = &t->s[p[i].fd];
      if ((p[i].events & POLLIN) && readable(s)) re |= POLLIN;
      if ((p[i].events & POLLOUT) && writable(s)) re |= POLLOUT;
      if (s->errevent) re |= POLLHUP;
    }
    if (write) p[i].revents = re;
    n += re != 0;
  }
  return n;
}

static int waiter_ready(struct sock_table *t, const struct waiter *w) {
  if (w->pfds) return scan_poll(t, w->pfds, w->npfds, 0) > 0;
  return scan_select(t, w->nfds, w->r, w->w, w->x, NULL, NULL, NULL) > 0;
}

/* Wait until waiter w is posted or timeout (ns, < 0 forever) passes. */
static int wait_ready(struct stack *st, struct waiter *w, stack_time_t timeout) {
  struct sock_table *t = st->socks;
  if (ops(st)->sem_new(st->port.ctx, "select", 0, &w->sem) != STACK_OK) return STACK_ENOMEM;
  w->next = t->waiters;
  t->waiters = w;
  STACK_YIELD_POINT(&st->port, "select_wait");
  int rc = ops(st)->sem_wait(st->port.ctx, w->sem, timeout);
  for (struct waiter **pp = &t->waiters; *pp; pp = &(*pp)->next)
    if (*pp == w) {
      *pp = w->next;
      break;
    }
  ops(st)->sem_free(st->port.ctx, w->sem);
  return rc;
}

int sock_select(struct stack *st, int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                struct timeval *timeout) {
  struct sock_table *t = table(st);
  if (!t) return fail(ENOMEM);
  fd_set r, w, x;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_ZERO(&x);
  int n = scan_select(t, nfds, readfds, writefds, exceptfds, &r, &w, &x);
  if (!n && !(timeout && timeout->tv_sec == 0 && timeout->tv_usec == 0)) {
    struct waiter wt = {.nfds = nfds, .r = readfds, .w = writefds, .x = exceptfds};
    wait_ready(st, &wt, timeout ? tv_ns(timeout) : STACK_WAIT_FOREVER);
    n = scan_select(t, nfds, readfds, writefds, exceptfds, &r, &w, &x);
  }
  if (readfds) *readfds = r;
  if (writefds) *writefds = w;
  if (exceptfds) *exceptfds = x;
  return n;
}

int sock_poll(struct stack *st, struct pollfd *fds, nfds_t nfds, int timeout_ms) {
  struct sock_table *t = table(st);
  if (!t) return fail(ENOMEM);
  int n = scan_poll(t, fds, nfds, 1);
  if (!n && timeout_ms != 0) {
    struct waiter wt = {.pfds = fds, .npfds = nfds};
    wait_ready(st, &wt, timeout_ms < 0 ? STACK_WAIT_FOREVER : (stack_time_t)timeout_ms * STACK_MSEC);
    n = scan_poll(t, fds, nfds, 1);
  }
  return n;
}
