/* Internal to seccomp/.  The public API is runtime/include/cagefs/seccomp.h. */
#ifndef CAGEFS_SECCOMP_PROFILE_H
#define CAGEFS_SECCOMP_PROFILE_H

#include <stddef.h>
#include <seccomp.h>

#include "cagefs/error.h"

/* seccomp/default.json, byte for byte (embed.sh writes default_profile.c). */
extern const char cage_seccomp_default_json[];
extern const size_t cage_seccomp_default_json_len;

/* guard.c: the multi-condition rules of a profile, checked for combinations
 * libseccomp loops forever on before any rule reaches it. */
struct cage_seccomp_guard_rule;
struct cage_seccomp_guard {
	struct cage_seccomp_guard_rule *v;
	size_t n, cap;
};
/* Record one rule (conds as given, distinct indexes); -1 on ENOMEM. */
int cage_seccomp_guard_add(struct cage_seccomp_guard *g, int nr, const char *name, size_t entry,
			   const struct scmp_arg_cmp *conds, size_t n);
int cage_seccomp_guard_check(struct cage_seccomp_guard *g, cage_err_t *err);
void cage_seccomp_guard_free(struct cage_seccomp_guard *g);

#endif
