/* The names a scenario may use, with how to reach each thing they name:
 * stack configuration fields, stack counters, medium counters, app kinds
 * and their parameters and results. Constant tables; the loader validates
 * against them and the runner reads through them, so the two never
 * disagree. */
#ifndef LWSIM_HARNESS_CATALOG_H
#define LWSIM_HARNESS_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "sim/media.h"
#include "stack/stack.h"

/* ------------------------------------------- struct stack_config ----- */

enum lwsim_cfg_type { LWSIM_CFG_U8, LWSIM_CFG_U16, LWSIM_CFG_U32, LWSIM_CFG_TIME, LWSIM_CFG_FLAG };

struct lwsim_config_field {
  const char *name; /* the struct field's own (snake_case) name */
  size_t offset;
  enum lwsim_cfg_type type;
  int64_t min, max; /* accepted values (0 always means "the default") */
};
extern const struct lwsim_config_field lwsim_config_fields[];
extern const size_t lwsim_config_nfields;
/* Set field i of c to v (v already checked against min..max). */
void lwsim_config_apply(struct stack_config *c, size_t i, int64_t v);

/* -------------------------------------------------- stack counters --- */

/* Counters of struct stack_stats by name: "eth.rx", "udp.drop",
 * "ip_forwarded", ..., then "drops.<cause>" for every stack_drop_name(). */
size_t lwsim_counter_count(void);
/* The name of counter i into buf; returns buf. */
const char *lwsim_counter_name(size_t i, char *buf, size_t cap);
uint64_t lwsim_counter_value(const struct stack_stats *s, size_t i);

/* ------------------------------------------------- medium counters --- */

/* "frames_in", "bytes_in", "frames_out", "bytes_out", then every cause
 * name (sim_media_cause_name). */
#define LWSIM_MEDIUM_COUNTERS (4 + SIM_CAUSE_COUNT)
const char *lwsim_medium_counter_name(size_t i);
uint64_t lwsim_medium_counter_value(const struct sim_media_counters *c, size_t i);

/* -------------------------------------------------------- app kinds --- */

struct lwsim_app_kind {
  const char *name;            /* "ping" */
  const char *summary;
  const char *const *keys;     /* keys allowed besides the common ones */
  const char *const *required; /* keys that must be given */
  const char *const *results;  /* result fields, in report order */
  uint32_t size_min, size_max, size_default;
};
/* Indexed by enum lwsim_app_kind_id (harness/scenario.h). */
extern const struct lwsim_app_kind lwsim_app_kinds[];
size_t lwsim_app_result_count(int kind);
int lwsim_app_result_index(int kind, const char *name);

#endif
