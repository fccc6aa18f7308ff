/* The tcpip thread: the threading model of the seed documents.
 *
 * The core is not thread safe. Once stack_tcpip_start() has run, one
 * thread of the instance, the tcpip thread, owns it: received frames, timer
 * expiries and API calls from application threads all arrive as messages
 * on its mailbox and run there, one after the other ("core context").
 * Application threads reach the core in one of two ways:
 *
 *   - message passing: tcpip_callback() posts a function to run in core
 *     context; tcpip_callback_wait() also waits for it to have run;
 *   - core locking (config tcpip_core_locking): stack_core_lock() makes
 *     the calling thread the core's owner until stack_core_unlock(); the
 *     tcpip thread takes the same lock around each message.
 *
 * Every raw-API entry point checks that it runs in core context: on the
 * tcpip thread, in a thread holding the core lock, or in the port's main
 * context (the simulator's events, which never interleave with a thread
 * inside the core). A call from anywhere else is reported through the port
 * as a "core_context" finding (entry point, thread) and still performed,
 * as on a device, so a scenario can watch what the race does.
 *
 * Needs a port with threads (the simulator's, with a scheduler).
 */
#ifndef LWSIM_STACK_TCPIP_H
#define LWSIM_STACK_TCPIP_H

#include "stack/stack.h"

typedef void (*tcpip_fn)(void *arg);

/* Start the tcpip thread (call once, before application threads use the
 * instance). STACK_EPERM without thread support in the port. */
int stack_tcpip_start(struct stack *st);
int stack_tcpip_running(const struct stack *st);

/* Run fn(arg) in core context, later. From any context; STACK_ENOMEM when
 * the mailbox is full (config tcpip_mbox). */
int tcpip_callback(struct stack *st, tcpip_fn fn, void *arg);
/* Run fn(arg) in core context and wait until it has run. From an
 * application thread (STACK_EPERM elsewhere); from the tcpip thread itself
 * it runs fn at once. */
int tcpip_callback_wait(struct stack *st, tcpip_fn fn, void *arg);

/* Core locking (only with config tcpip_core_locking): the calling thread
 * owns the core until it unlocks. Recursive locking is an error. */
int stack_core_lock(struct stack *st);
void stack_core_unlock(struct stack *st);

/* 1 when the caller may call the raw API now. */
int stack_in_core(struct stack *st);

#endif
