/* Internals shared by the bundle generator's files. */
#ifndef CAGEFS_BUNDLE_INTERNAL_H
#define CAGEFS_BUNDLE_INTERNAL_H

#include "cagefs/bundle.h"
#include "cagefs/hashset.h"
#include "cagefs/json.h"

struct pw_line { char *name; uid_t uid; gid_t gid; char *gecos, *home, *shell, *text; };
					/* text: whole line with '\n' */
struct gr_entry { char *name; gid_t gid; char *head; cage_strvec_t members; };
					/* head: "name:x:gid:" */

struct cage_bundle_ctx {
	const struct cage_paths *paths;
	char *skeleton;          /* real path */
	char *hostname;
	uid_t min_uid;
	cage_strvec_t excluded;
	struct cage_mp mp;
	cage_strvec_t mp_real;   /* realpath per cagefs.mp entry, "" if missing */
	struct cage_basehome bh;
	cage_json *seccomp;      /* linux.seccomp object */
	char *system_passwd;     /* the system accounts' passwd lines */
	struct pw_line *pw;      /* every passwd line (files database) */
	size_t npw;
	struct gr_entry *gr;     /* every group */
	size_t ngr;
	cage_hashset_t pw_by_name;  /* name -> index in pw */
	cage_hashset_t member_of;   /* user name -> index in groups_of */
	struct idx_list { size_t *v; size_t n, cap; } *groups_of; /* non-system groups listing the user */
	size_t ngroups_of;
	cage_hashset_t system_names; /* names of system accounts */
	cage_hashset_t mountpoints;  /* recorded in VAR/.mountpoints (for --update) */
	bool mountpoints_loaded;
};

bool bundle_is_system_id(const struct cage_bundle_ctx *c, unsigned id);
int bundle_load_accounts(struct cage_bundle_ctx *c, cage_err_t *err);
void bundle_free_accounts(struct cage_bundle_ctx *c);

#endif
