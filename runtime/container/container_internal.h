/* Internals of ordinary OCI containers (see cagefs/container.h). */
#ifndef CAGEFS_CONTAINER_INTERNAL_H
#define CAGEFS_CONTAINER_INTERNAL_H

#include "cagefs/container.h"
#include "runtime/oci/oci_internal.h"

char *cage_ctr_dir(const char *root, const char *id);
/* The string-valued members of ANNOTATIONS (the only kind the spec
 * defines; NULL: none) appended to OUT as key, value; -1 on ENOMEM. */
int cage_ctr_annotations(const cage_json *annotations, cage_strvec_t *out);
int cage_ctr_write_state(int dirfd, const struct cage_ctr_state *st, pid_t creator, cage_err_t *err);
int cage_ctr_pidfd(const struct cage_ctr_state *st);
int cage_ctr_kill_wait(const struct cage_ctr_state *st, const char *id, cage_err_t *err);
/* The container's directory, opened and flock()ed, and checked to be still
 * the one at its path (not deleted and made anew meanwhile): create, start
 * and delete of one id hold it, so they never interleave. */
int cage_ctr_lock(const char *root, const char *id, cage_err_t *err);
int cage_ctr_load_spec(const char *root, const char *id, const char *bundle, struct cage_spec *spec,
		       cage_err_t *err);
/* linux.cgroupsPath and linux.resources (cgroup.c). */
/* apply: make the container's cgroups, set the limits, put PID in, and
 * record the directories in the state directory DIRFD; join: put PID in
 * the recorded ones; remove: kill what is left in them and remove them. */
int cage_ctr_cgroup_apply(const struct cage_spec *s, const char *id, pid_t pid, int dirfd,
			  cage_err_t *err);
int cage_ctr_cgroup_join(int dirfd, pid_t pid, cage_err_t *err);
void cage_ctr_cgroup_remove(int dirfd);
/* The process of config.json, applied to the calling process (the init
 * after `start`, or an `exec`): credentials, capabilities, rlimits,
 * no_new_privs, seccomp, cwd, env, then exec.  Returns only on failure. */
int cage_ctr_exec_process(const struct cage_spec *s, char *const *argv, int keep_fds, cage_err_t *err);

#endif
