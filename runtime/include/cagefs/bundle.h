/* Per-user OCI bundles (manual: "Mount Points"; docs/ARCHITECTURE.md §3):
 *   /var/cagefs/NN/USER/config.json  OCI runtime-spec document of the cage
 *   /var/cagefs/NN/USER/etc/         passwd, group, custom.etc files; the
 *                                    cage's /etc is an overlay of this over
 *                                    the skeleton's /etc
 *   /var/cagefs/NN/USER/<base>/...   empty base directories that show only
 *                                    this user (home base, % and virt.mp dirs)
 *   /var/cagefs/NN/USER/virt.mp      the admin's per-user virtual mount points
 * The mount list is computed as data first (cage_mountplan_build, no root
 * and no filesystem access needed), then the bundle is written. */
#ifndef CAGEFS_BUNDLE_H
#define CAGEFS_BUNDLE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "cagefs/error.h"
#include "cagefs/json.h"
#include "cagefs/mountcfg.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"
#include "cagefs/users.h"

/* ---- the mount plan ---- */
struct cage_mount {
	char *destination, *type, *source;
	cage_strvec_t options;
	bool optional; /* skipped when the source does not exist (% entries) */
};

enum cage_prep_kind {
	CAGE_PREP_BUNDLE_DIR,     /* directory in the bundle (root-owned) */
	CAGE_PREP_BUNDLE_SYMLINK, /* symlink in the bundle (replicated home symlink) */
	CAGE_PREP_HOME_DIR,       /* directory below the user's home, user-owned,
				   * created without following symlinks */
};
struct cage_prep {
	enum cage_prep_kind kind;
	char *path;   /* BUNDLE_*: relative to the bundle; HOME_DIR: relative to home */
	char *target; /* symlink target */
	mode_t mode;
};

struct cage_mountplan {
	struct cage_mount *m;
	size_t n, cap;
	struct cage_prep *prep;
	size_t nprep, capprep;
	cage_strvec_t skel_dirs; /* mount points that must exist in the skeleton */
};

struct cage_mountplan_input {
	const char *user;
	const char *home;       /* as in passwd, normalized */
	const char *home_real;  /* with symlinks resolved (== home if none) */
	const char *bundle_dir; /* /var/cagefs/NN/USER */
	const char *skeleton;   /* the skeleton's real path */
	const struct cage_mp *mp;           /* cagefs.mp (may be NULL) */
	const struct cage_virtmp *virt;     /* virt.mp (may be NULL) */
	const struct cage_basehome *bh;     /* cagefs.base.home.dirs (may be NULL) */
	const cage_strvec_t *mp_real;       /* realpath of each cagefs.mp entry, "" if missing */
	const char *proxy_dir;  /* RUN/proxy, bound read-only at CAGE_PROXY_DIR_IN_CAGE
				 * (the proxy's socket, §4.18); NULL: none */
};

int cage_mountplan_build(const struct cage_mountplan_input *in, struct cage_mountplan *plan,
			 cage_err_t *err);
void cage_mountplan_free(struct cage_mountplan *plan);
static inline void cage_mountplan_freep(struct cage_mountplan *plan) { cage_mountplan_free(plan); }
#define _cleanup_mountplan_ __attribute__((cleanup(cage_mountplan_freep)))

/* ---- bundles ---- */
struct cage_bundle_ctx; /* configuration loaded once per command */

int cage_bundle_ctx_new(const struct cage_paths *p, struct cage_bundle_ctx **out, cage_err_t *err);
void cage_bundle_ctx_free(struct cage_bundle_ctx *c);

/* /var/cagefs/NN/USER (malloc'd). */
char *cage_bundle_dir(const struct cage_paths *p, const char *user, uid_t uid);

struct cage_bundle_result {
	bool changed;       /* something was written */
	size_t files;       /* files (re)written */
};
/* Look a user up in the passwd file read by the context (fast for batches),
 * falling back to NSS for accounts that are not in the file. */
int cage_bundle_ctx_user(struct cage_bundle_ctx *c, const char *name, struct cage_user *u,
			 cage_err_t *err);

/* Create or refresh USER's bundle; nothing is written when nothing changed
 * unless force.  The user must be cageable (caller checks). */
int cage_bundle_generate(struct cage_bundle_ctx *c, const struct cage_user *u, bool force,
			 struct cage_bundle_result *res, cage_err_t *err);

/* Per-user /etc contents from the passwd/group files: exposed for tests. */
int cage_bundle_etc_text(struct cage_bundle_ctx *c, const struct cage_user *u, char **passwd,
			 char **group, cage_err_t *err);

/* Write config.json text for a plan with the user's seccomp profile
 * SECCOMP (the server's, or it with the user's override merged in;
 * exposed for tests). */
int cage_bundle_config_json(struct cage_bundle_ctx *c, const struct cage_user *u,
			    const struct cage_mountplan *plan, const cage_json *seccomp, char **out,
			    size_t *len, cage_err_t *err);

/* VAR/.mountpoints: every skeleton mount point a bundle needs, one per line,
 * so that cagefsctl --update/--force keep them in the skeleton. */
#define CAGE_MOUNTPOINTS_FILE ".mountpoints"

/* ---- a user's seccomp filter (seccomp_user.c, docs/ARCHITECTURE.md §4.24) ---- */

/* cagefsctl --seccomp-show USER [--json]: the filter USER's entries get,
 * linux.seccomp of USER's config.json.  TEXT: described (which override
 * and server profile, then the rules per action), or with JSON the OCI
 * object itself.  STALE: NULL, or why the files now give another filter
 * than config.json's and the command that applies it (in TEXT too when
 * not JSON). */
struct cage_seccomp_view {
	char *text;
	char *stale;
};
int cage_user_seccomp_show(const struct cage_paths *p, const char *user, bool json, struct cage_seccomp_view *v,
			   cage_err_t *err);
void cage_seccomp_view_free(struct cage_seccomp_view *v);

/* cagefsctl --seccomp-apply USER [FILE]: FILE (default
 * ETC/seccomp.proposed/USER) checked as USER's override (read, merged with
 * the server's profile, compiled), and only then installed as
 * ETC/seccomp.d/USER (root's, 0644, atomically) and USER's bundle written
 * as --update-etc USER writes it.  Any error before the install changes
 * nothing. */
struct cage_seccomp_applied {
	char *from, *to;
	size_t rules;
	bool installed;         /* false: TO held these bytes already */
	bool bundle_changed;    /* config.json was written */
	cage_strvec_t warnings; /* the override's "changes nothing" lines */
};
int cage_user_seccomp_apply(const struct cage_paths *p, const char *user, const char *file,
			    struct cage_seccomp_applied *a, cage_err_t *err);
void cage_seccomp_applied_free(struct cage_seccomp_applied *a);

/* --clean-var-cagefs: remove bundles of users that no longer exist. */
int cage_bundles_clean(const struct cage_paths *p, size_t *removed, cage_err_t *err);
/* USER's bundles removed from every /var/cagefs/NN but KEEP_PREFIX's (NULL:
 * from all): a deleted or renamed account, or one whose uid changed.
 * *REMOVED counts them (0 on a repeat). */
int cage_bundles_remove_user(const struct cage_paths *p, const char *user, const char *keep_prefix,
			     size_t *removed, cage_err_t *err);
/* --remove-all: CageFS disabled (Disable All mode, cagefs.disabled), the
 * skeleton and /var/cagefs removed; /etc/cagefs is kept. */
int cage_remove_all(const struct cage_paths *p, cage_err_t *err);

#endif
