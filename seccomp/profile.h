/* Internal to seccomp/.  The public API is runtime/include/cagefs/seccomp.h. */
#ifndef CAGEFS_SECCOMP_PROFILE_H
#define CAGEFS_SECCOMP_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <seccomp.h>

#include "cagefs/error.h"
#include "cagefs/json.h"

/* seccomp/default.json, byte for byte (embed.sh writes default_profile.c). */
extern const char cage_seccomp_default_json[];
extern const size_t cage_seccomp_default_json_len;

/* compile.c's names, for merge.c and describe.c: an action's value (data
 * bits 0: SCMP_ACT_ERRNO(0)), an operator's; -1 for an unknown name. */
int cage_seccomp_action_lookup(const char *name, uint32_t *value);
/* The action NAME with its errno RET (a number or NULL) in a valid
 * profile, as libseccomp gets it. */
uint32_t cage_seccomp_action_value(const char *name, const cage_json *ret);
int cage_seccomp_op_lookup(const char *name);
const char *cage_seccomp_op_name(int op);

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
