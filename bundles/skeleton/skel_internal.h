/* Internal model of the skeleton builder: plan (what should be there, a pure
 * data structure computed from conf.d and the host), then apply. */
#ifndef CAGEFS_SKEL_INTERNAL_H
#define CAGEFS_SKEL_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>
#include "cagefs/config.h"
#include "cagefs/elf.h"
#include "cagefs/hashset.h"
#include "cagefs/skeleton.h"

struct skel_entry {
	char *path;         /* absolute path inside the skeleton == host path */
	struct stat st;     /* host lstat, or synthetic for generated entries */
	char *link;         /* symlink target */
	char *content;      /* generated regular file (passwd, group) */
	size_t content_len;
	bool keep_suid;     /* listed explicitly in a .cfg: setuid/setgid kept */
	bool synthetic;     /* directory created by us, not copied (e.g. /proc) */
	bool walked;        /* directory whose contents were added */
	bool followed;      /* symlink whose target was added */
};

struct skel_plan {
	struct skel_entry *e;
	size_t n, cap;
	cage_hashset_t index;       /* path -> position in e */
	struct cage_blacklist black;
	struct cage_ldpath ld;
	cage_strvec_t users, groups;
	size_t skipped_missing, skipped_black;
};

/* Build the plan from paths->etc (conf.d, black lists) and the mount points
 * recorded in paths->var.  Entries are sorted by
 * path, so every directory precedes its contents. */
int skel_plan_build(struct skel_plan *plan, const struct cage_paths *paths, const struct cage_skel_extra *extra,
		    size_t nextra, cage_err_t *err);
void skel_plan_free(struct skel_plan *plan);
/* The mode an entry must have in the skeleton (setuid/setgid dropped). */
mode_t skel_wanted_mode(const struct skel_entry *e);

/* passwd/group of the skeleton: root plus the users=/groups= entries. */
int skel_users_generate(struct skel_plan *plan, cage_err_t *err);
int skel_plan_add_generated(struct skel_plan *plan, const char *path, char *content, size_t len);

/* The path a symlink at linkpath with this target points to (normalized). */
char *skel_resolve_link(const char *linkpath, const char *target);
/* Worth reading as ELF: executable, or named like a shared library. */
bool skel_maybe_elf(const char *path, const struct stat *st);
/* Two components or fewer ("/usr/lib"): a symlink's target directory this
 * shallow is brought without what is below it. */
bool skel_is_shallow(const char *path);

/* --update-list: the entries that a list of paths covers (scope.c). */
struct skel_scope {
	bool *in;              /* per plan entry: covered (to be checked) */
	size_t n;              /* how many are */
	cage_hashset_t listed; /* the listed paths, as given and as the plan has them */
	cage_hashset_t above;  /* the directories above them */
};
int skel_scope_build(const struct skel_plan *plan, const cage_strvec_t *only, struct skel_scope *s,
		     cage_err_t *err);
/* At or below a listed path: may be removed when no longer planned. */
bool skel_scope_removable(const struct skel_scope *s, const char *path);
/* Above a listed path: cleaning looks inside, removing nothing else. */
bool skel_scope_above(const struct skel_scope *s, const char *path);
void skel_scope_free(struct skel_scope *s);

struct skel_apply_opts {
	bool hardlink, dont_clean, progress;
	const cage_strvec_t *only;
};
/* Make the tree at rootfd match the plan; count into st. */
int skel_apply(const struct skel_plan *plan, int rootfd, const struct skel_apply_opts *o,
	       struct cage_skel_stats *st, cage_err_t *err);

#endif
