/* ICMP (RFC 792): the stack answers echo requests itself and sends
 * destination-unreachable and time-exceeded errors (rate-limited, config
 * icmp_rate and icmp_burst). Applications ping through the functions here.
 */
#ifndef LWSIM_STACK_ICMP_H
#define LWSIM_STACK_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "stack/stack.h"
#include "stack/wire/wire.h"

/* Called for every echo reply received (core context); payload is valid
 * only during the call. */
typedef void (*stack_icmp_echo_fn)(void *arg, ip4_addr_t from, uint16_t id, uint16_t seq,
                                   const uint8_t *payload, size_t len, uint8_t ttl);
void stack_icmp_on_echo_reply(struct stack *st, stack_icmp_echo_fn fn, void *arg);

/* Send an echo request with len payload bytes (a counting pattern). */
int stack_icmp_echo(struct stack *st, ip4_addr_t dst, uint16_t id, uint16_t seq, size_t len);

#endif
