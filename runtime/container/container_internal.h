/* Internals of ordinary OCI containers (see cagefs/container.h). */
#ifndef CAGEFS_CONTAINER_INTERNAL_H
#define CAGEFS_CONTAINER_INTERNAL_H

#include "cagefs/container.h"
#include "runtime/oci/oci_internal.h"

char *cage_ctr_dir(const char *root, const char *id);
/* The state directory is believed only if it is root's own (trust.c,
 * docs/ARCHITECTURE.md §4.11): every directory from "/" to ROOT, ROOT,
 * ROOT/containers, a container's directory and the files read from it are
 * opened with no symlink followed and must be owned by root (or the
 * caller) and not writable by group or others; otherwise the error has
 * errnum CAGE_ERR_UNTRUSTED.  A missing one: errnum ENOENT. */
/* ROOT, and then BELOW in it (a relative path of directories, the last a
 * regular file if FILE; NULL: nothing), as far as they exist (0 if not
 * there at all). */
int cage_ctr_trust_root(const char *root, const char *below, bool file, cage_err_t *err);
/* ROOT/containers (O_PATH); MAKE: ROOT's last component and it made 0700. */
int cage_ctr_topdir(const char *root, bool make, cage_err_t *err);
/* The directory of container ID (O_RDONLY) in TOP, or in ROOT/containers;
 * "container ID does not exist" with errnum ENOENT. */
int cage_ctr_open_at(int top, const char *root, const char *id, cage_err_t *err);
/* ROOT/containers for a command on container ID: missing, it is "container
 * ID does not exist" (errnum ENOENT). */
int cage_ctr_top_of(const char *root, const char *id, cage_err_t *err);
int cage_ctr_open(const char *root, const char *id, cage_err_t *err);
/* File NAME of a container's directory DIRFD: a regular file, checked as
 * above, at most MAX bytes, NUL-terminated. */
int cage_ctr_read(int dirfd, const char *name, size_t max, char **out, size_t *len, cage_err_t *err);
/* The state of the container whose directory is DIRFD. */
int cage_ctr_state_at(int dirfd, const char *id, struct cage_ctr_state *st, cage_err_t *err);
/* The string-valued members of ANNOTATIONS (the only kind the spec
 * defines; NULL: none) appended to OUT as key, value; -1 on ENOMEM. */
int cage_ctr_annotations(const cage_json *annotations, cage_strvec_t *out);
int cage_ctr_write_state(int dirfd, const struct cage_ctr_state *st, pid_t creator, cage_err_t *err);
int cage_ctr_pidfd(const struct cage_ctr_state *st);
int cage_ctr_kill_wait(const struct cage_ctr_state *st, const char *id, cage_err_t *err);
/* The container's directory in TOP, opened (cage_ctr_open_at) and
 * flock()ed, and checked to be still the one at its path (not deleted and
 * made anew meanwhile): create, start and delete of one id hold it, so
 * they never interleave. */
int cage_ctr_lock_at(int top, const char *root, const char *id, cage_err_t *err);
/* The copy of config.json in the container's directory DIRFD. */
int cage_ctr_load_spec(int dirfd, const char *bundle, struct cage_spec *spec, cage_err_t *err);
/* linux.cgroupsPath and linux.resources (cgroup.c). */
/* apply: make the container's cgroups, set the limits, put PID in, and
 * record the directories in the state directory DIRFD. */
int cage_ctr_cgroup_apply(const struct cage_spec *s, const char *id, pid_t pid, int dirfd,
			  cage_err_t *err);
/* The recorded directories, each opened beneath the root of its hierarchy
 * (never found by comparing strings), so a record cannot name anything
 * outside it, nor the root itself. */
struct cage_ctr_cgroup {
	char *path;               /* as recorded, for messages */
	int dir;                  /* the cgroup's directory */
	int parent;               /* its parent, for rmdir */
	char *name;               /* its name in the parent */
};
struct cage_ctr_cgroups {
	struct cage_ctr_cgroup *v;
	size_t n;
};
int cage_ctr_cgroups_open(int dirfd, struct cage_ctr_cgroups *cgs, cage_err_t *err);
void cage_ctr_cgroups_close(struct cage_ctr_cgroups *cgs);
static inline void cage_ctr_cgroups_closep(struct cage_ctr_cgroups *c) { cage_ctr_cgroups_close(c); }
#define _cleanup_cgroups_ __attribute__((cleanup(cage_ctr_cgroups_closep)))
/* join: put PID in them; remove: kill what is left in them, remove them. */
int cage_ctr_cgroup_join(const struct cage_ctr_cgroups *cgs, pid_t pid, cage_err_t *err);
void cage_ctr_cgroup_remove(const struct cage_ctr_cgroups *cgs);
/* The process of config.json, applied to the calling process (the init
 * after `start`, or an `exec`): credentials, capabilities, rlimits,
 * no_new_privs, seccomp, cwd, env, then exec.  Returns only on failure. */
int cage_ctr_exec_process(const struct cage_spec *s, char *const *argv, int keep_fds, cage_err_t *err);

#endif
