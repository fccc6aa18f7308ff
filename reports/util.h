/* Small helpers shared by lwsim_reports and the harness: strings, growing
 * arrays, files and paths. Errors: NULL or -1 with errno set. */
#ifndef LWSIM_REPORTS_UTIL_H
#define LWSIM_REPORTS_UTIL_H

#include <stddef.h>
#include <stdio.h>

char *lwsim_strdup(const char *s);
/* printf into a new string. */
char *lwsim_aprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Make room for `need` elements of `size` bytes in *v (capacity *cap,
 * doubled as needed). Returns *v, or NULL (the old array kept). */
void *lwsim_grow(void **v, size_t *cap, size_t need, size_t size);

/* The whole file, NUL-terminated (len without the NUL). */
char *lwsim_read_file(const char *path, size_t *len);
int lwsim_write_file(const char *path, const void *data, size_t len);
/* fflush + ferror + fclose: 0, or -1 with errno. */
int lwsim_close_file(FILE *f);

/* mkdir -p. */
int lwsim_mkdirs(const char *path);
/* a + "/" + b (b absolute: b). */
char *lwsim_path_join(const char *a, const char *b);
/* The folder part of a path ("." when none). */
char *lwsim_path_dir(const char *path);
/* The last component without its extension ("scenarios/ping.json" -> "ping"). */
char *lwsim_path_stem(const char *path);
/* `path` relative to folder `base` when both resolve (realpath) and path
 * lies under base or beside it; else path itself. */
char *lwsim_path_relative(const char *path, const char *base);

#endif
