/* Lets ctest run one cmocka test case per ctest test.
 *
 * Every test binary is linked with -Wl,--wrap=_cmocka_run_group_tests, so
 * its cmocka_run_group_tests() call lands here first. When LWSIM_TEST_FILTER
 * is set (tests/CMakeLists.txt sets it to one case's name for each ctest
 * test), only the cases matching it run; unset, the binary runs everything,
 * as a plain cmocka binary does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

int __real__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
                                   const size_t num_tests, CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown);

int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
                                   const size_t num_tests, CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown);

int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
                                   const size_t num_tests, CMFixtureFunction group_setup,
                                   CMFixtureFunction group_teardown) {
  const char *filter = getenv("LWSIM_TEST_FILTER");
  if (filter && *filter) cmocka_set_test_filter(filter);
  return __real__cmocka_run_group_tests(group_name, tests, num_tests, group_setup,
                                        group_teardown);
}
