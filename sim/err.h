/* Error codes shared by every sim/ module.
 *
 * Functions that can fail return 0 (or a non-negative count) on success and
 * one of these negative codes on failure, libuv style. The values equal the
 * negated Linux errno of the same name so they read naturally in a debugger,
 * but callers compare against the names, never the numbers.
 */
#ifndef LWSIM_SIM_ERR_H
#define LWSIM_SIM_ERR_H

#define SIM_OK          0
#define SIM_EPERM      (-1)   /* not allowed from here (e.g. mutex not owned) */
#define SIM_ENOENT     (-2)   /* no such object: event already ran or was cancelled */
#define SIM_EIO        (-5)   /* a file could not be opened or written (errno tells) */
#define SIM_EAGAIN    (-11)   /* would block: try-variant found nothing / full */
#define SIM_ENOMEM    (-12)   /* allocation failed or a configured limit reached */
#define SIM_EBUSY     (-16)   /* object in use */
#define SIM_EINVAL    (-22)   /* bad argument: negative delay, time in the past, ... */
#define SIM_EDEADLK   (-35)   /* every vthread blocked with nothing left to run */
#define SIM_ENOTSUP   (-95)   /* backend or build cannot do this */
#define SIM_ETIMEDOUT (-110)  /* a wait ran out of virtual time */
#define SIM_ECANCELED (-125)  /* the wait was abandoned (thread killed, object freed) */

/* Short description ("invalid argument") and name ("SIM_EINVAL") of a code;
 * never NULL, "unknown error" for codes not listed above. */
const char *sim_strerror(int err);
const char *sim_err_name(int err);

#endif
