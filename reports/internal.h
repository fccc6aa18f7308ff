/* Internal to lwsim_reports: helpers shared by its files. */
#ifndef LWSIM_REPORTS_INTERNAL_H
#define LWSIM_REPORTS_INTERNAL_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "reports/jsonw.h"
#include "reports/report.h"

/* "seed": a number up to 2^53, else a decimal string; read: either. */
void lwsim_report_write_seed(struct lwsim_jsonw *w, uint64_t seed);
int lwsim_report_read_seed(const cJSON *o, uint64_t *seed);
/* A run record from its JSON object (results.json). */
int lwsim_report_run_from_json(struct lwsim_report_run *r, const cJSON *o, char *err, size_t cap);

#endif
