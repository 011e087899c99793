/* Event hooks for control panels (cagefs-hook(8), docs/ARCHITECTURE.md
 * §4.23): one call per event a panel reports, each doing CageFS's part of
 * it and idempotent (the second call finds it done and changes nothing),
 * then the administrator's scripts of ETC/hooks.d/EVENT/ in name order,
 * each with a timeout. */
#ifndef CAGEFS_HOOKS_H
#define CAGEFS_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"

/* cagefs-hook's exit statuses, which a panel tells apart. */
enum {
	CAGE_HOOK_EXIT_OK = 0,      /* ours done, every script succeeded */
	CAGE_HOOK_EXIT_FAILED = 1,  /* ours failed (the scripts still ran) */
	CAGE_HOOK_EXIT_USAGE = 2,   /* unknown event, wrong arguments: nothing done */
	CAGE_HOOK_EXIT_SCRIPTS = 3, /* ours done, a hooks.d script failed or hung */
};

struct cage_hook_script {
	char *name;
	char why[256]; /* "" when it succeeded, else what went wrong */
};

struct cage_hook_report {
	char done[CAGE_ERR_MSG_MAX]; /* what our part did, in words */
	bool changed;                /* false: it was done already (a repeat) */
	bool ours_failed;            /* our part failed: err says why */
	struct cage_hook_script *scripts;
	size_t nscripts, failed;
};
void cage_hook_report_free(struct cage_hook_report *r);

/* Is EVENT known, with the right number of arguments after the user?
 * 0 yes; -1 with the usage in ERR. */
int cage_hook_check(const char *event, size_t nargs, cage_err_t *err);
/* Our part of EVENT for USER (ARGS: user-renamed's NEW), under
 * cagefsctl's lock (waited for), then the scripts (TIMEOUT seconds each),
 * which run without it, so that they may call cagefsctl.  The exit status
 * cagefs-hook gives (CAGE_HOOK_EXIT_*); ERR: why our part failed. */
int cage_hook_run(const struct cage_paths *p, const char *event, const char *user, char *const *args,
		  size_t nargs, unsigned timeout, struct cage_hook_report *r, cage_err_t *err);
/* The runner alone: ETC/hooks.d/EVENT/'s scripts with ARGV (EVENT USER
 * ARGS...), appended to R.  Only regular executable files owned by root
 * and writable by no one else run; any other entry (but dot-files) is a
 * failure, as is a non-zero status, a signal or the timeout (the script's
 * process group is killed). */
void cage_hook_scripts(const struct cage_paths *p, const char *event, char *const *argv, unsigned timeout,
		       struct cage_hook_report *r);

#endif
