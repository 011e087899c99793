/* config.json (OCI runtime-spec) as the runtime needs it, for the cages of
 * hosting users and for ordinary bundles alike: root, process, mounts,
 * namespaces, masked and read-only paths, seccomp.  Read with every type
 * checked, so a corrupted file is a clear error naming the field. */
#ifndef CAGEFS_OCI_H
#define CAGEFS_OCI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "cagefs/error.h"
#include "cagefs/json.h"
#include "cagefs/strvec.h"

struct cage_oci_mount {
	char *destination, *type, *source;
	cage_strvec_t options;    /* as written; read when the root is built */
	bool bind;                /* type "bind", or a "bind"/"rbind" option */
};
struct cage_oci {
	char *root;               /* root.path */
	bool root_readonly;
	char *hostname;
	uid_t uid;
	gid_t gid;
	gid_t *gids;
	size_t ngids;
	cage_strvec_t args, env;
	char *cwd;
	bool no_new_privs;
	struct cage_oci_mount *mounts;
	size_t nmounts;
	cage_strvec_t masked, readonly;
	int namespaces;           /* CLONE_NEW* flags listed */
	const cage_json *seccomp; /* linux.seccomp (in tree), or NULL */
	cage_json *tree;          /* the parsed document */
};
int cage_oci_load(const char *path, struct cage_oci *oci, cage_err_t *err);
int cage_oci_parse(const char *text, size_t len, const char *name, struct cage_oci *oci,
		   cage_err_t *err);
void cage_oci_free(struct cage_oci *oci);
/* A scope-bound struct cage_oci (zero it at its declaration). */
static inline void cage_oci_freep(struct cage_oci *oci) { cage_oci_free(oci); }
#define _cleanup_oci_ __attribute__((cleanup(cage_oci_freep)))

struct cage_device {
	char *path;
	mode_t type;              /* S_IFCHR, S_IFBLK or S_IFIFO */
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

/* The capability sets of process.capabilities, as bit masks. */
enum cage_cap_set { CAGE_CAP_BOUNDING, CAGE_CAP_EFFECTIVE, CAGE_CAP_INHERITABLE,
		    CAGE_CAP_PERMITTED, CAGE_CAP_AMBIENT, CAGE_CAP_SETS };

#endif
