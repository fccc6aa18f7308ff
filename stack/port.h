/* The port layer: the stack's only window out.
 *
 * Nothing in stack/ outside stack/ports/ calls the OS or the simulator; it
 * calls through a struct stack_port that the embedder hands to stack_new().
 * stack/ports/sim/ binds it to sim/ (virtual time, vthreads, named random
 * streams, findings into the run's results); a port for a real OS would
 * bind it to clocks, threads and a TAP device.
 *
 * Every function gets the port's ctx first. Times are nanoseconds on the
 * port's clock. Blocking calls (sem_wait, mutex_lock, mbox_fetch/post with
 * a timeout) may be made only from a port thread; timeouts: < 0 forever,
 * 0 try, > 0 nanoseconds; they return STACK_ETIMEDOUT or STACK_EAGAIN.
 */
#ifndef LWSIM_STACK_PORT_H
#define LWSIM_STACK_PORT_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t stack_time_t;
#define STACK_USEC ((stack_time_t)1000)
#define STACK_MSEC ((stack_time_t)1000000)
#define STACK_SEC ((stack_time_t)1000000000)
#define STACK_WAIT_FOREVER ((stack_time_t)-1)

typedef void (*stack_port_fn)(void *arg);

/* A timer as the port sees it: the caller owns the memory (it is embedded
 * in the object the timer belongs to) and keeps it valid while the timer
 * is pending; the port calls fn(arg) and keeps its own id in `handle`. */
struct stack_port_timer {
  stack_port_fn fn;
  void *arg;
  uint64_t handle;
};

struct stack_thread;
struct stack_sem;
struct stack_mutex;
struct stack_mbox;

enum stack_log_level { STACK_LOG_DEBUG, STACK_LOG_INFO, STACK_LOG_WARN, STACK_LOG_ERROR };

/* Something a test may want to know happened: a use after free, a core
 * entry point called outside core context, a stale descriptor. In the
 * simulator it is recorded as data (the run's findings), never an abort. */
struct stack_finding {
  const char *kind;   /* "use_after_free", "double_free", "core_context", ... */
  const char *where;  /* entry point or object, e.g. "pbuf_free" */
  const char *detail; /* free text, may be NULL */
};

struct stack_port_ops {
  /* Time and timers. timer_start calls t->fn(t->arg) once at absolute
   * time `at` (>= now) in core context; timer_cancel returns STACK_ENOENT
   * when the timer already ran or was cancelled. */
  stack_time_t (*now)(void *ctx);
  int (*timer_start)(void *ctx, stack_time_t at, struct stack_port_timer *t);
  int (*timer_cancel)(void *ctx, struct stack_port_timer *t);

  /* 64 random bits from the instance's own stream. */
  uint64_t (*random)(void *ctx);

  void (*log)(void *ctx, enum stack_log_level level, const char *msg);
  void (*finding)(void *ctx, const struct stack_finding *f);

  /* A named place where threads may interleave (STACK_YIELD_POINT). */
  void (*yield_point)(void *ctx, const char *name);

  /* Threads and synchronisation, for the tcpip thread and the sequential
   * APIs. May be NULL in a port that only drives the raw API. */
  int (*thread_new)(void *ctx, const char *name, void *(*fn)(void *), void *arg,
                    struct stack_thread **out);
  struct stack_thread *(*thread_current)(void *ctx);
  int (*sem_new)(void *ctx, const char *name, uint32_t initial, struct stack_sem **out);
  void (*sem_free)(void *ctx, struct stack_sem *s);
  int (*sem_wait)(void *ctx, struct stack_sem *s, stack_time_t timeout);
  void (*sem_post)(void *ctx, struct stack_sem *s);
  int (*mutex_new)(void *ctx, const char *name, struct stack_mutex **out);
  void (*mutex_free)(void *ctx, struct stack_mutex *m);
  int (*mutex_lock)(void *ctx, struct stack_mutex *m, stack_time_t timeout);
  void (*mutex_unlock)(void *ctx, struct stack_mutex *m);
  int (*mbox_new)(void *ctx, const char *name, uint32_t capacity, struct stack_mbox **out);
  void (*mbox_free)(void *ctx, struct stack_mbox *b);
  int (*mbox_post)(void *ctx, struct stack_mbox *b, void *msg, stack_time_t timeout);
  int (*mbox_fetch)(void *ctx, struct stack_mbox *b, void **msg, stack_time_t timeout);
};

struct stack_port {
  const struct stack_port_ops *ops;
  void *ctx;
};

/* Yield points compile to nothing unless the build defines
 * STACK_PORT_YIELD_POINTS (the simulator build does). `port` is a
 * const struct stack_port *. */
#ifdef STACK_PORT_YIELD_POINTS
#define STACK_YIELD_POINT(port, name)                                                    \
  do {                                                                                   \
    if ((port)->ops->yield_point) (port)->ops->yield_point((port)->ctx, (name));         \
  } while (0)
#else
#define STACK_YIELD_POINT(port, name) ((void)(port))
#endif

#endif
