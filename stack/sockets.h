/* BSD sockets over netconn, for application threads of an instance whose
 * tcpip thread runs. Every call takes the instance first; descriptors are
 * small integers from the instance's own table (config sock_max). The
 * types and constants are POSIX's (<sys/socket.h>, <netinet/in.h>,
 * <poll.h>, <fcntl.h>): AF_INET only, SOCK_STREAM and SOCK_DGRAM.
 *
 * Errors: -1 with errno set (EBADF, EAGAIN, ETIMEDOUT, ECONNRESET, ...).
 * In the simulator every vthread shares the process's errno, but threads
 * switch only inside blocking calls, so errno read right after a call is
 * that call's.
 *
 * Threads: one thread may send while another receives on the same socket
 * (full duplex). close() from one thread wakes the others blocked on the
 * socket (they fail with EBADF) and the socket is freed only when the last
 * of them has left. With config sock_reuse_delay a closed descriptor
 * number is not handed out again for that long; a thread using a number
 * after it was closed and given to a new socket it did not open is
 * reported as a "stale_descriptor" finding (the seed documents' s1/s2).
 */
#ifndef LWSIM_STACK_SOCKETS_H
#define LWSIM_STACK_SOCKETS_H

#include <netinet/in.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "stack/stack.h"

int sock_socket(struct stack *st, int domain, int type, int protocol);
int sock_bind(struct stack *st, int fd, const struct sockaddr *addr, socklen_t len);
int sock_listen(struct stack *st, int fd, int backlog);
int sock_accept(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len);
int sock_connect(struct stack *st, int fd, const struct sockaddr *addr, socklen_t len);
ssize_t sock_send(struct stack *st, int fd, const void *buf, size_t len, int flags);
ssize_t sock_sendto(struct stack *st, int fd, const void *buf, size_t len, int flags,
                    const struct sockaddr *to, socklen_t tolen);
ssize_t sock_sendmsg(struct stack *st, int fd, const struct msghdr *msg, int flags);
ssize_t sock_recv(struct stack *st, int fd, void *buf, size_t len, int flags);
ssize_t sock_recvfrom(struct stack *st, int fd, void *buf, size_t len, int flags,
                      struct sockaddr *from, socklen_t *fromlen);
ssize_t sock_recvmsg(struct stack *st, int fd, struct msghdr *msg, int flags);
int sock_shutdown(struct stack *st, int fd, int how);
int sock_close(struct stack *st, int fd);
int sock_getsockname(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len);
int sock_getpeername(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len);
/* SOL_SOCKET: SO_REUSEADDR, SO_RCVTIMEO, SO_SNDTIMEO, SO_KEEPALIVE,
 * SO_RCVBUF and SO_SNDBUF (read: the instance's buffer sizes), SO_ERROR,
 * SO_TYPE, SO_BROADCAST; IPPROTO_TCP: TCP_NODELAY. */
int sock_setsockopt(struct stack *st, int fd, int level, int name, const void *val, socklen_t len);
int sock_getsockopt(struct stack *st, int fd, int level, int name, void *val, socklen_t *len);
/* F_GETFL / F_SETFL with O_NONBLOCK. */
int sock_fcntl(struct stack *st, int fd, int cmd, int val);
int sock_select(struct stack *st, int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                struct timeval *timeout);
int sock_poll(struct stack *st, struct pollfd *fds, nfds_t nfds, int timeout_ms);

#endif
