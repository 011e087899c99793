/* Internals of the runtime (see cagefs/cage.h). */
#ifndef CAGEFS_CAGE_INTERNAL_H
#define CAGEFS_CAGE_INTERNAL_H

#include "cagefs/cage.h"
#include "cagefs/container.h"
#include <yajl/yajl_tree.h>

/* In a new mount namespace: build the cage's root from config.json and
 * pivot into it. */
int cage_build_root(const struct cage_oci *oci, cage_err_t *err);
struct cage_root_opts {
	bool foreign;             /* an ordinary bundle, not a cagefs skeleton: mount points
				   * are made in its rootfs, its root keeps suid and dev */
	const struct cage_device *devices; /* linux.devices, besides OCI's defaults */
	size_t ndevices;
	bool bind_devices;        /* in a user namespace: bind the host's nodes */
	unsigned long propagation; /* rootfsPropagation, applied after pivot_root */
	int (*before_pivot)(void *arg, cage_err_t *err); /* createContainer hooks */
	int (*after_pivot)(void *arg, cage_err_t *err);  /* sysctl, before /proc/sys is read-only */
	void *arg;
};
int cage_build_root_with(const struct cage_oci *oci, const struct cage_root_opts *o, cage_err_t *err);
int cage_apply_mounts(const struct cage_oci *oci, int rootfd, cage_err_t *err);
int cage_populate_dev(cage_err_t *err);
int cage_mask_paths(const struct cage_oci *oci, cage_err_t *err);

/* config.json readers (oci_config.c, container_spec.c): OBJ[KEY] of TYPE
 * or NULL (OBJ may be NULL); an optional array of strings appended to OUT,
 * errors "NAME: WHAT[i] is not a string". */
yajl_val cage_json_get(yajl_val obj, const char *key, yajl_type type);
int cage_json_str_list(yajl_val arr, cage_strvec_t *out, const char *what, const char *name,
		       cage_err_t *err);

/* A memfd holding LEN bytes of DATA, sealed against any change and
 * executable (proc.c); -1 with errno set on failure. */
int cage_sealed_memfd(const char *name, const void *data, size_t len);

/* Start time of PID (/proc/PID/stat field 22), 0 if dead or a zombie. */
unsigned long long cage_proc_start_time(pid_t pid);

/* Ordinary OCI containers (container_*.c). */
char *cage_ctr_dir(const char *root, const char *id);
char *cage_ctr_annotations_json(const void *annotations);
int cage_ctr_write_state(int dirfd, const struct cage_ctr_state *st, pid_t creator, cage_err_t *err);
int cage_ctr_pidfd(const struct cage_ctr_state *st);
int cage_ctr_kill_wait(const struct cage_ctr_state *st, const char *id, cage_err_t *err);
/* The container's directory, opened and flock()ed, and checked to be still
 * the one at its path (not deleted and made anew meanwhile): create, start
 * and delete of one id hold it, so they never interleave. */
int cage_ctr_lock(const char *root, const char *id, cage_err_t *err);
int cage_ctr_load_spec(const char *root, const char *id, const char *bundle, struct cage_spec *spec,
		       cage_err_t *err);
/* linux.cgroupsPath and linux.resources (container_cgroup.c). */
/* apply: make the container's cgroups, set the limits, put PID in, and
 * record the directories in the state directory DIRFD; join: put PID in
 * the recorded ones; remove: kill what is left in them and remove them. */
int cage_ctr_cgroup_apply(const struct cage_spec *s, const char *id, pid_t pid, int dirfd,
			  cage_err_t *err);
int cage_ctr_cgroup_join(int dirfd, pid_t pid, cage_err_t *err);
void cage_ctr_cgroup_remove(int dirfd);
/* Become process.user of OCI with exactly the capability sets CAPS
 * (indexed by enum cage_cap_set; all zero: none at all), bounding set
 * included, while still root. */
int cage_become_user(const struct cage_oci *oci, const uint64_t *caps, cage_err_t *err);
/* The process of config.json, applied to the calling process (the init
 * after `start`, or an `exec`): credentials, capabilities, rlimits,
 * no_new_privs, seccomp, cwd, env, then exec.  Returns only on failure. */
int cage_ctr_exec_process(const struct cage_spec *s, char *const *argv, int keep_fds, cage_err_t *err);

/* Pins (cage_pins.c): the process holding USER's namespaces. */
pid_t cage_pin_pid(const struct cage_paths *p, const char *user); /* 0: none */
int cage_pin_record(const struct cage_paths *p, const char *user, pid_t pid, cage_err_t *err);
int cage_pin_open(const struct cage_paths *p, const char *user, const char *type);
int cage_pin_pidfd(const struct cage_paths *p, const char *user); /* -1 if none */
int cage_pin_release(const struct cage_paths *p, const char *user, cage_err_t *err);
void cage_pin_sleep(const char *user) __attribute__((noreturn));
/* Where pins live: pin_cgroup= of cagefs.ini (default /cagefs/pins), a path
 * from the root of every cgroup hierarchy; "" leaves a pin in the cgroup
 * of the session that built the cage. */
int cage_pin_cgroup(const struct cage_paths *p, char *out, size_t size, cage_err_t *err);

#endif
