/* Internals of the runtime (see cagefs/cage.h). */
#ifndef CAGEFS_CAGE_INTERNAL_H
#define CAGEFS_CAGE_INTERNAL_H

#include "cagefs/cage.h"

/* In a new mount namespace: build the cage's root from config.json and
 * pivot into it. */
int cage_build_root(const struct cage_oci *oci, cage_err_t *err);
int cage_apply_mounts(const struct cage_oci *oci, int rootfd, cage_err_t *err);
int cage_populate_dev(cage_err_t *err);
int cage_mask_paths(const struct cage_oci *oci, cage_err_t *err);

/* The holder process and its pins (cage_holder.c). */
int cage_holder_pid(const struct cage_paths *p, bool start, pid_t *pid, cage_err_t *err);
/* /proc/HOLDER/root/run/cagefs/pins/USER.TYPE into buf. */
void cage_pin_path(pid_t holder, const struct cage_paths *p, const char *user, const char *type,
		   char *buf, size_t size);
/* Pin the namespaces of `pid` (mnt, ipc, uts) as USER's.  */
int cage_pin(const struct cage_paths *p, pid_t holder, const char *user, pid_t pid, cage_err_t *err);
int cage_unpin(const struct cage_paths *p, pid_t holder, const char *user, cage_err_t *err);

#endif
