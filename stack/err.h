/* Error codes of the stack: 0 is success, failures are negative. */
#ifndef LWSIM_STACK_ERR_H
#define LWSIM_STACK_ERR_H

enum {
  STACK_OK = 0,
  STACK_ENOMEM = -1,        /* a pool or the heap is exhausted */
  STACK_EINVAL = -2,        /* a bad argument */
  STACK_ENOROUTE = -3,      /* no netif or gateway reaches the destination */
  STACK_EADDRINUSE = -4,    /* the local address and port are taken */
  STACK_ENOTCONN = -5,      /* needs a connected PCB */
  STACK_EMSGSIZE = -6,      /* too large to send */
  STACK_ENETDOWN = -7,      /* the netif or its link is down */
  STACK_ENOENT = -8,        /* no such object */
  STACK_EBUSY = -9,         /* in use */
  STACK_EAGAIN = -10,       /* try again later */
  STACK_ETIMEDOUT = -11,    /* timed out */
  STACK_ECONNRESET = -12,   /* reset by the peer */
  STACK_ECONNREFUSED = -13, /* refused by the peer */
  STACK_ECONNABORTED = -14, /* aborted locally */
  STACK_EISCONN = -15,      /* already connected */
  STACK_EINPROGRESS = -16,  /* underway: completion is reported later */
  STACK_ECLOSED = -17,      /* the connection or object is closed */
  STACK_EPERM = -18,        /* not allowed in this context */
  STACK_ERR_MIN = -18,
};

/* A short description ("pool or heap exhausted"), and the code's name
 * ("STACK_ENOMEM"); "unknown error" / "?" for other values. */
const char *stack_strerror(int err);
const char *stack_err_name(int err);

#endif
