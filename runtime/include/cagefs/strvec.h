/* A growable NULL-terminated vector of owned strings. */
#ifndef CAGEFS_STRVEC_H
#define CAGEFS_STRVEC_H

#include <stddef.h>
#include <stdbool.h>

typedef struct cage_strvec {
	char **v;     /* always NULL-terminated when n > 0 */
	size_t n, cap;
} cage_strvec_t;

/* Returns 0, or -1 with errno=ENOMEM. */
int cage_strvec_push(cage_strvec_t *sv, const char *s);
int cage_strvec_push_n(cage_strvec_t *sv, const char *s, size_t len);
int cage_strvec_push_owned(cage_strvec_t *sv, char *s); /* frees s on failure */
bool cage_strvec_contains(const cage_strvec_t *sv, const char *s);
void cage_strvec_sort_unique(cage_strvec_t *sv);
void cage_strvec_free(cage_strvec_t *sv);

static inline void cage_strvec_freep(cage_strvec_t *sv) { cage_strvec_free(sv); }
#define _cleanup_strvec_ __attribute__((cleanup(cage_strvec_freep)))

#endif
