/* Internals of the OCI layer of the runtime, shared by the cages of hosting
 * users (runtime/cage) and ordinary bundles (runtime/container): building a
 * root from config.json and becoming its process.user. */
#ifndef CAGEFS_OCI_INTERNAL_H
#define CAGEFS_OCI_INTERNAL_H

#include "cagefs/oci.h"

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
int cage_populate_dev(cage_err_t *err);
int cage_mask_paths(const struct cage_oci *oci, cage_err_t *err);

/* A mount's options as mount(2) and mount_setattr(2) take them, read with
 * libmount's tables (mountopts.c): the MS_* flags set and cleared, the
 * propagation (MS_PRIVATE... | MS_REC, 0: none), rbind, and the options
 * no table knows, for the filesystem (comma-joined, "" if none).  An
 * option mount(8) must act on itself (loop, remount) is an error. */
struct cage_mount_flags {
	unsigned long set, clear, propagation;
	bool recursive;
	char *data;
};
int cage_mount_flags(const struct cage_oci_mount *m, struct cage_mount_flags *f, cage_err_t *err);
void cage_mount_flags_free(struct cage_mount_flags *f);
/* MS_* (| MS_REC) of a propagation name ("rprivate"), or -1 and err. */
long cage_mount_propagation(const char *name, cage_err_t *err);

/* Become process.user of OCI with exactly the capability sets CAPS
 * (indexed by enum cage_cap_set; all zero: none at all), bounding set
 * included, while still root. */
int cage_become_user(const struct cage_oci *oci, const uint64_t *caps, cage_err_t *err);
#endif
