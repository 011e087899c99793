/* cagefsctl: the administrator's command line (manual: "Command-line Tools").
 * It only parses arguments and calls one libcagefs function per action. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/error.h"
#include "cagefs/proxy.h"
#include "cagefs/lock.h"
#include "cagefs/log.h"
#include "cagefs/paths.h"
#include "cagefs/safefs.h"
#include "cagefs/skeleton.h"
#include "cagefsctl.h"

static int print_stats(struct ctl *c, const char *what, const struct cage_skel_stats *st)
{
	if (st->existed)
		printf("%s: the skeleton already exists at %s; nothing done "
		       "(use cagefsctl --update to update it)\n", what, c->paths.skeleton);
	else if (!st->added && !st->updated && !st->removed)
		printf("%s: nothing to do, skeleton is up to date (%zu entries checked)\n", what,
		       st->entries);
	else
		printf("%s: %zu added, %zu updated, %zu removed, %.1f MiB copied (%zu entries)\n", what,
		       st->added, st->updated, st->removed, (double)st->bytes / (1024.0 * 1024.0),
		       st->entries);
	return 0;
}

static int read_update_list(cage_strvec_t *out, cage_err_t *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	int rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		_cleanup_free_ char *norm = line[0] == '/' ? cage_path_normalize(line) : NULL;
		if (!norm || (size_t)n != strlen(line))
			rc = cage_err_set(err, "<stdin>:%u: not an absolute path: %s", lineno, line);
		else if (cage_strvec_push(out, norm) < 0)
			rc = cage_err_sys(err, ENOMEM, "<stdin>");
	}
	free(line);
	if (rc == 0 && out->n == 0)
		rc = cage_err_set(err, "--update-list: no paths on standard input");
	return rc;
}

int ctl_skeleton(struct ctl *c, enum cage_skel_mode mode, const char *what)
{
	_cleanup_strvec_ cage_strvec_t only = {0};
	if (c->update_list && read_update_list(&only, &c->err) < 0)
		return -1;
	struct cage_skel_opts o = {
		.paths = &c->paths, .mode = mode, .hardlink = c->hardlink,
		.dont_clean = c->dont_clean, .progress = isatty(2) && !c->verbose,
		.only = c->update_list ? &only : NULL,
	};
	struct cage_skel_stats st;
	if (cage_proxy_skeleton_build(&o, &st, &c->err) < 0)
		return -1;
	return print_stats(c, what, &st);
}

int ctl_cron_update(struct ctl *c)
{
	int due = cage_skeleton_update_due(&c->paths, &c->err);
	if (due < 0)
		return -1;
	if (!due) {
		printf("skeleton update not due yet (see --set-update-period); use --force-update\n");
		return 0;
	}
	return ctl_skeleton(c, CAGE_SKEL_UPDATE, "update");
}

int ctl_set_update_period(struct ctl *c)
{
	const char *v = c->optval ? c->optval : (c->nargs ? c->args[0] : NULL);
	char *end = NULL;
	long days = v ? strtol(v, &end, 10) : -1;
	if (!v || *end || end == v)
		return cage_err_set(&c->err, "--set-update-period needs a number of days");
	if (cage_skeleton_set_update_period(&c->paths, days, &c->err) < 0)
		return -1;
	printf("update period set to %ld day%s\n", days, days == 1 ? "" : "s");
	return 0;
}

int ctl_print_suids(struct ctl *c)
{
	return cage_skeleton_print_suids(&c->paths, stdout, &c->err);
}

int ctl_addrpm(struct ctl *c, bool add)
{
	if (c->nargs == 0 && !c->optval)
		return cage_err_set(&c->err, "%s needs a package name", add ? "--addrpm" : "--delrpm");
	int rc = 0;
	for (int i = -1; i < c->nargs; i++) {
		const char *pkg = i < 0 ? c->optval : c->args[i];
		if (!pkg)
			continue;
		cage_err_t e = {0};
		if ((add ? cage_pkg_add(&c->paths, pkg, &e) : cage_pkg_del(&c->paths, pkg, &e)) < 0) {
			cage_error("%s", e.msg);
			rc = -1;
		}
	}
	return rc < 0 ? cage_err_set(&c->err, "some packages failed (see above)") : 0;
}

int ctl_list_rpm(struct ctl *c)
{
	return cage_pkg_list(&c->paths, stdout, &c->err);
}

static int take_lock(struct ctl *c)
{
	if (mkdir(c->paths.run, 0700) < 0 && errno != EEXIST)
		return cage_err_sys(&c->err, errno, "cannot create %s", c->paths.run);
	_cleanup_free_ char *f = cage_path_join(c->paths.run, "cagefsctl.lock");
	if (!f)
		return cage_err_sys(&c->err, ENOMEM, "path");
	c->lockfd = cage_lock_take(f, c->wait_lock, &c->err);
	return c->lockfd < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct ctl c = {.lockfd = -1};
	cage_log_set_stderr("cagefsctl");
	cage_paths_default(&c.paths);
	const struct ctl_action *a = ctl_parse(&c, argc, argv);
	if (!a)
		return c.exit_code;
	if (c.verbose)
		cage_log_set_level(LOG_INFO);
	if (a->needs_root && geteuid() != 0) {
		cage_error("%s must be run as root", a->name);
		return 1;
	}
	if (a->takes_lock && take_lock(&c) < 0) {
		cage_error("%s", c.err.msg);
		return 1;
	}
	if (a->run(&c) < 0) {
		cage_error("%s", c.err.msg[0] ? c.err.msg : "failed");
		return c.exit_code ? c.exit_code : 1;
	}
	return c.exit_code;
}
