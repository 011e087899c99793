/* cagefsctl's options about live cages (manual: option table "Users"):
 * --enter, --list, --list-logged-in, --remount[-all], --unmount[-all],
 * --unmount-dir, --mount-skel, --unmount-skel. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/cage.h"
#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/users.h"
#include "cagefsctl.h"

static char root_shell[] = "/bin/bash";

int ctl_enter(struct ctl *c)
{
	int rest;
	const char *user = ctl_user_arg(c, "enter", &rest);
	if (!user)
		return -1;
	char **argv = c->nargs > rest ? c->args + rest : NULL;
	char *shell[] = {root_shell, NULL};
	struct cage_enter_opts o = {.argv = argv ? argv : shell, .as_root = true};
	cage_enter(&c->paths, user, &o, &c->err);
	return -1; /* returns only on failure */
}

int ctl_list_cages(struct ctl *c)
{
	_cleanup_strvec_ cage_strvec_t live = {0};
	if (cage_list_live(&c->paths, &live, &c->err) < 0)
		return -1;
	for (size_t i = 0; i < live.n; i++)
		printf("%s\n", live.v[i]);
	return 0;
}

/* What counts as an SSH login is the library's (cage_list_logged_in). */
int ctl_list_logged_in(struct ctl *c)
{
	_cleanup_strvec_ cage_strvec_t users = {0};
	if (cage_list_logged_in(&c->paths, &users, &c->err) < 0)
		return -1;
	for (size_t i = 0; i < users.n; i++)
		printf("%s\n", users.v[i]);
	return 0;
}

/* Apply fn to the named users, or to every live cage if none is named. */
static int each_cage(struct ctl *c, bool all, const char *what,
		     int (*fn)(struct ctl *c, const char *user, cage_err_t *err))
{
	_cleanup_strvec_ cage_strvec_t live = {0};
	char **names = c->args;
	size_t n = (size_t)c->nargs;
	if (all || !n) {
		if (!all)
			return cage_err_set(&c->err, "--%s needs one or more user names", what);
		if (cage_list_live(&c->paths, &live, &c->err) < 0)
			return -1;
		names = live.v;
		n = live.n;
	}
	size_t failed = 0;
	for (size_t i = 0; i < n; i++) {
		cage_err_t e = {0};
		if (fn(c, names[i], &e) < 0) {
			cage_error("%s: %s", names[i], e.msg);
			failed++;
		}
	}
	printf("%s: %zu cage%s, %zu failed\n", what, n, n == 1 ? "" : "s", failed);
	return failed ? cage_err_set(&c->err, "%s failed for %zu user(s)", what, failed) : 0;
}

static int do_unmount(struct ctl *c, const char *user, cage_err_t *err)
{
	return cage_unmount(&c->paths, user, false, err);
}

/* Manual: remounting "will kill all current processes and reset mount
 * points"; the next entry builds the cage from the current bundle. */
static int do_remount(struct ctl *c, const char *user, cage_err_t *err)
{
	return cage_unmount(&c->paths, user, true, err);
}

static int do_unmount_dir(struct ctl *c, const char *user, cage_err_t *err)
{
	int n = cage_unmount_dir(&c->paths, user, c->optval, err);
	if (n > 0)
		printf("%s: %d mount%s detached\n", user, n, n == 1 ? "" : "s");
	return n < 0 ? -1 : 0;
}

int ctl_unmount(struct ctl *c) { return each_cage(c, false, "unmount", do_unmount); }
int ctl_unmount_all(struct ctl *c) { return each_cage(c, true, "unmount-all", do_unmount); }
int ctl_remount(struct ctl *c) { return each_cage(c, false, "remount", do_remount); }

/* The bundles made again with their virt.mp, then the live cages of those
 * users ended, so the next entry builds them with the new mounts. */
int ctl_remount_virtmp(struct ctl *c)
{
	int rc = ctl_create_virt_mp(c);
	if (rc < 0)
		cage_error("%s", c->err.msg);
	return each_cage(c, false, "remount-virtmp", do_remount) < 0 || rc < 0 ? -1 : 0;
}

int ctl_remount_all(struct ctl *c)
{
	/* cagefs.mp may have changed: bundles first, then every live cage. */
	int saved = c->nargs;
	c->nargs = 0;
	int rc = ctl_update_etc(c);
	c->nargs = saved;
	if (rc < 0)
		cage_error("%s", c->err.msg);
	return each_cage(c, true, "remount-all", do_remount) < 0 || rc < 0 ? -1 : 0;
}

int ctl_unmount_dir(struct ctl *c)
{
	if (!c->optval && c->nargs) {
		c->optval = c->args[0];
		c->args++;
		c->nargs--;
	}
	if (!c->optval || c->optval[0] != '/')
		return cage_err_set(&c->err, "--unmount-dir needs an absolute directory");
	c->nargs = 0;
	return each_cage(c, true, "unmount-dir", do_unmount_dir);
}

/* In this implementation nothing is mounted on the host's skeleton: each
 * cage binds it in its own namespace (docs/ARCHITECTURE.md §4.2). */
int ctl_mount_skel(struct ctl *c)
{
	(void)c;
	printf("nothing to do: the skeleton is mounted inside each cage, never on the host\n");
	return 0;
}
