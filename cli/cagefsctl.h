/* Shared between cagefsctl's argument parser and its action handlers. */
#ifndef CAGEFSCTL_H
#define CAGEFSCTL_H

#include <stdbool.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/skeleton.h"

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

/* Parse argv; returns the action to run, or NULL with c->exit_code set
 * (after --help, or a usage error already reported). */
const struct ctl_action *ctl_parse(struct ctl *c, int argc, char **argv);

int ctl_skeleton(struct ctl *c, enum cage_skel_mode mode, const char *what);
int ctl_cron_update(struct ctl *c);
int ctl_set_update_period(struct ctl *c);
int ctl_print_suids(struct ctl *c);
int ctl_addrpm(struct ctl *c, bool add);
int ctl_list_rpm(struct ctl *c);

#endif
