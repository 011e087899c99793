/* Shared between cagefsctl's argument parser and its action handlers. */
#ifndef CAGEFSCTL_H
#define CAGEFSCTL_H

#include <stdbool.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/skeleton.h"
#include "cagefs/strvec.h"

struct ctl {
	struct cage_paths paths;
	cage_err_t err;
	bool verbose, wait_lock, do_not_ask, dont_clean, hardlink, json, update_list;
	const char *optval; /* --option=VALUE of the action, if any */
	char **args;        /* positional arguments (users, packages, ...) */
	int nargs;
	int lockfd;
	int exit_code;
};

struct ctl_action {
	const char *name;  /* long option without "--" */
	int short_opt;     /* 0 if none */
	int (*run)(struct ctl *c);
	bool needs_root, takes_lock;
	const char *group; /* heading in --help */
	const char *help;
};

/* A batch over users (docs/ARCHITECTURE.md §5): a problem in a user's own
 * home (err.users_own) is that user's: a warning, counted apart in
 * ATTENTION ("USER: reason"), and the batch still succeeds (issue 13,
 * item 7).  REMOVALS adds what tmpwatch removed to the summary. */
struct ctl_batch {
	const char *what;
	size_t total, changed, unchanged, failed;
	cage_strvec_t attention;
	bool removals;
	size_t files, dirs, sessions;
};
/* Print the summary (or --json); -1 with c->err set if any user failed. */
int ctl_batch_end(struct ctl *c, struct ctl_batch *b);
void ctl_batch_attention(struct ctl_batch *b, const char *user, const char *msg);

/* The one user an action takes: --OPT=USER or the first argument; *REST
 * (may be NULL) is the index of the first argument after it.  NULL, with
 * "--OPT needs a user name" in c->err, when there is none. */
const char *ctl_user_arg(struct ctl *c, const char *opt, int *rest);

/* Parse argv; returns the action to run, or NULL with c->exit_code set
 * (after --help, or a usage error already reported). */
const struct ctl_action *ctl_parse(struct ctl *c, int argc, char **argv);

int ctl_skeleton(struct ctl *c, enum cage_skel_mode mode, const char *what);
int ctl_cron_update(struct ctl *c);
int ctl_set_update_period(struct ctl *c);
int ctl_print_suids(struct ctl *c);
int ctl_addrpm(struct ctl *c, bool add);
int ctl_list_rpm(struct ctl *c);
int ctl_enable(struct ctl *c);
int ctl_disable(struct ctl *c);
int ctl_update_etc(struct ctl *c);
int ctl_force_update_etc(struct ctl *c);
int ctl_enable_all(struct ctl *c);
int ctl_disable_all(struct ctl *c);
int ctl_toggle_mode(struct ctl *c);
int ctl_display_user_mode(struct ctl *c);
int ctl_list_enabled(struct ctl *c);
int ctl_list_disabled(struct ctl *c);
int ctl_user_status(struct ctl *c);
int ctl_getprefix(struct ctl *c);
int ctl_set_min_uid(struct ctl *c);
int ctl_get_min_uid(struct ctl *c);
int ctl_enable_cagefs(struct ctl *c);
int ctl_disable_cagefs(struct ctl *c);
int ctl_cagefs_status(struct ctl *c);
int ctl_create_mp(struct ctl *c);
int ctl_clean_var_cagefs(struct ctl *c);
int ctl_remove_all(struct ctl *c);
int ctl_enter(struct ctl *c);
int ctl_list_cages(struct ctl *c);
int ctl_list_logged_in(struct ctl *c);
int ctl_unmount(struct ctl *c);
int ctl_unmount_all(struct ctl *c);
int ctl_remount(struct ctl *c);
int ctl_remount_all(struct ctl *c);
int ctl_unmount_dir(struct ctl *c);
int ctl_mount_skel(struct ctl *c);
int ctl_seccomp_learn(struct ctl *c);
int ctl_seccomp_learn_stop(struct ctl *c);
int ctl_seccomp_report(struct ctl *c);
int ctl_seccomp_denials(struct ctl *c);
int ctl_set_limits(struct ctl *c);
int ctl_create_virt_mp(struct ctl *c);
int ctl_create_virt_mp_all(struct ctl *c);
int ctl_remount_virtmp(struct ctl *c);
int ctl_limits(struct ctl *c);
int ctl_sanity_check(struct ctl *c);
int ctl_set_tmpwatch(struct ctl *c);
int ctl_tmpwatch(struct ctl *c);
int ctl_reconfigure(struct ctl *c);
int ctl_seccomp_show(struct ctl *c);
int ctl_seccomp_check(struct ctl *c);
int ctl_seccomp_apply(struct ctl *c);

#endif
