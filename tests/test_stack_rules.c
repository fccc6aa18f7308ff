/* The stack's structural rules, checked on the real artefacts:
 *  - no writable global or static data in the stack library (every
 *    instance is independent), read off the object files' symbol tables;
 *  - nothing in stack/ outside stack/ports/ includes sim/, harness/ or
 *    reports/ (the stack could ship alone, to a device). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A symbol in a writable data section: .data, .bss, thread-local data, or
 * common. .data.rel.ro (constant tables of pointers, in PIE builds) is
 * read-only once relocated and allowed. */
static int writable_section(const char *sec) {
  if (strncmp(sec, ".data.rel.ro", 12) == 0) return 0;
  return strcmp(sec, ".data") == 0 || strncmp(sec, ".data.", 6) == 0 ||
         strcmp(sec, ".bss") == 0 || strncmp(sec, ".bss.", 5) == 0 ||
         strncmp(sec, ".tdata", 6) == 0 || strncmp(sec, ".tbss", 5) == 0 ||
         strcmp(sec, "*COM*") == 0;
}

static void no_writable_data_in_stack_library(void **state) {
  (void)state;
  if (system("command -v objdump >/dev/null 2>&1") != 0) {
    print_message("objdump not installed (binutils): skipping\n");
    skip();
  }
  FILE *p = popen("objdump -t " LWSIM_STACK_LIB, "r");
  assert_non_null(p);
  char line[512], obj[512] = "";
  int symbols = 0, bad = 0;
  while (fgets(line, sizeof line, p)) {
    if (strstr(line, "file format")) {
      snprintf(obj, sizeof obj, "%s", line);
      continue;
    }
    /* "0000000000000000 l     O .bss	0000000000000008 counter" */
    char addr[32], flags[16], sec[64];
    if (sscanf(line, "%31s %15[^.*]%63s", addr, flags, sec) != 3) continue;
    if (!strchr(flags, 'O')) continue; /* objects only, not functions or sections */
    /* a sanitizer's own bookkeeping (clang's ASan describes each global
     * in a writable object of its own) */
    if (strstr(line, "__asan") || strstr(line, "__odr_asan") || strstr(line, "__ubsan")) continue;
    symbols++;
    if (writable_section(sec)) {
      print_error("writable data in the stack library: %s   in %s", line, obj);
      bad++;
    }
  }
  assert_int_equal(pclose(p), 0);
  assert_true(symbols > 0); /* the scan saw the constant tables, so it works */
  assert_int_equal(bad, 0);
}

/* The scan itself must catch a writable global: compile one and look. */
static void the_scan_catches_a_global(void **state) {
  (void)state;
  if (system("command -v objdump >/dev/null 2>&1 && command -v cc >/dev/null 2>&1") != 0) skip();
  const char *dir = LWSIM_TEST_TMPDIR;
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "printf 'int counter; static int hidden = 3; int get(void){return counter+hidden++;}' "
           "> %s/g.c && cc -c -o %s/g.o %s/g.c && objdump -t %s/g.o",
           dir, dir, dir, dir);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  char line[512];
  int found = 0;
  while (fgets(line, sizeof line, p)) {
    char addr[32], flags[16], sec[64];
    if (sscanf(line, "%31s %15[^.*]%63s", addr, flags, sec) == 3 && strchr(flags, 'O') &&
        writable_section(sec))
      found++;
  }
  pclose(p);
  assert_int_equal(found, 2);
}

/* Include lines naming a forbidden folder, in one file. */
static int forbidden_includes(const char *path, int report) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[512];
  int bad = 0, n = 0;
  while (fgets(line, sizeof line, f)) {
    n++;
    const char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    if (*s != '#') continue;
    s++;
    while (*s == ' ' || *s == '\t') s++;
    if (strncmp(s, "include", 7) != 0) continue;
    if (strstr(s, "\"sim/") || strstr(s, "<sim/") || strstr(s, "\"harness/") ||
        strstr(s, "<harness/") || strstr(s, "\"reports/") || strstr(s, "<reports/")) {
      if (report) print_error("%s:%d: %s", path, n, line);
      bad++;
    }
  }
  fclose(f);
  return bad;
}

/* Walk dir; returns forbidden includes found, counts files seen. */
static int walk(const char *dir, int *files) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int bad = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat sb;
    if (stat(path, &sb) != 0) continue;
    if (S_ISDIR(sb.st_mode)) {
      if (strcmp(e->d_name, "ports") == 0) continue; /* the one place allowed */
      bad += walk(path, files);
    } else {
      size_t n = strlen(e->d_name);
      if (n > 2 && (strcmp(e->d_name + n - 2, ".c") == 0 || strcmp(e->d_name + n - 2, ".h") == 0)) {
        (*files)++;
        bad += forbidden_includes(path, 1);
      }
    }
  }
  closedir(d);
  return bad;
}

static void stack_includes_only_itself(void **state) {
  (void)state;
  int files = 0;
  int bad = walk(LWSIM_SOURCE_DIR "/stack", &files);
  assert_true(files >= 10); /* it really looked */
  assert_int_equal(bad, 0);
  /* ...and the check would notice: the sim port does include sim/ */
  assert_true(forbidden_includes(LWSIM_SOURCE_DIR "/stack/ports/sim/sim_port.h", 0) > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(no_writable_data_in_stack_library),
      cmocka_unit_test(the_scan_catches_a_global),
      cmocka_unit_test(stack_includes_only_itself),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
