#include "sim/err.h"

#include <stddef.h>

static const struct {
  int code;
  const char *name;
  const char *text;
} sim_errors[] = {
  {SIM_OK, "SIM_OK", "success"},
  {SIM_EPERM, "SIM_EPERM", "operation not permitted"},
  {SIM_ENOENT, "SIM_ENOENT", "no such object"},
  {SIM_EIO, "SIM_EIO", "input/output error"},
  {SIM_EAGAIN, "SIM_EAGAIN", "resource temporarily unavailable"},
  {SIM_ENOMEM, "SIM_ENOMEM", "out of memory or limit reached"},
  {SIM_EBUSY, "SIM_EBUSY", "object busy"},
  {SIM_EINVAL, "SIM_EINVAL", "invalid argument"},
  {SIM_EDEADLK, "SIM_EDEADLK", "deadlock: every thread blocked"},
  {SIM_ENOTSUP, "SIM_ENOTSUP", "not supported"},
  {SIM_ETIMEDOUT, "SIM_ETIMEDOUT", "timed out"},
  {SIM_ECANCELED, "SIM_ECANCELED", "canceled"},
};

static size_t sim_err_find(int err) {
  for (size_t i = 0; i < sizeof sim_errors / sizeof sim_errors[0]; i++)
    if (sim_errors[i].code == err) return i;
  return (size_t)-1;
}

const char *sim_strerror(int err) {
  size_t i = sim_err_find(err);
  return i == (size_t)-1 ? "unknown error" : sim_errors[i].text;
}

const char *sim_err_name(int err) {
  size_t i = sim_err_find(err);
  return i == (size_t)-1 ? "unknown error" : sim_errors[i].name;
}
