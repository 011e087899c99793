/* cagefsctl --seccomp-show, --seccomp-check, --seccomp-apply: per-user
 * seccomp overrides (docs/ARCHITECTURE.md §4.24).  What a user's filter is
 * and what a file means are the library's (cagefs/seccomp.h,
 * cagefs/bundle.h); this only parses and prints. */
#define _GNU_SOURCE
#include <stdio.h>

#include "cagefs/bundle.h"
#include "cagefs/log.h"
#include "cagefs/seccomp.h"
#include "cagefsctl.h"

/* cagefsctl --seccomp-show USER [--json] */
int ctl_seccomp_show(struct ctl *c)
{
	int rest;
	const char *user = ctl_user_arg(c, "seccomp-show", &rest);
	struct cage_seccomp_view v;
	if (!user)
		return -1;
	if (c->nargs > rest)
		return cage_err_set(&c->err, "--seccomp-show takes one user");
	if (cage_user_seccomp_show(&c->paths, user, c->json, &v, &c->err) < 0)
		return -1;
	printf("%s%s", v.text, c->json ? "\n" : "");
	if (c->json && v.stale)
		cage_warn("not applied yet: %s", v.stale);
	cage_seccomp_view_free(&v);
	return 0;
}

/* cagefsctl --seccomp-check [FILE...] */
int ctl_seccomp_check(struct ctl *c)
{
	struct cage_seccomp_report r;
	char **files = c->args;
	size_t n = (size_t)c->nargs;
	char *one[1];
	if (c->optval) { /* --seccomp-check=FILE: no other */
		one[0] = (char *)c->optval;
		files = one;
		n = 1;
	}
	if (cage_seccomp_check(&c->paths, files, n, &r, &c->err) < 0)
		return -1;
	for (size_t i = 0; i < r.n; i++) {
		if (r.v[i].kind == CAGE_SECCOMP_ERROR)
			cage_error("%s", r.v[i].text);
		else if (r.v[i].kind == CAGE_SECCOMP_WARNING)
			cage_warn("%s", r.v[i].text);
		else
			printf("%s\n", r.v[i].text);
		fflush(stdout); /* in the order found, stdout and stderr alike */
	}
	printf("seccomp-check: %zu file%s, %zu error%s, %zu warning%s\n", r.files, r.files == 1 ? "" : "s",
	       r.errors, r.errors == 1 ? "" : "s", r.warnings, r.warnings == 1 ? "" : "s");
	size_t errors = r.errors;
	cage_seccomp_report_free(&r);
	if (errors) /* said above, each with its file and line */
		c->exit_code = 1;
	return 0;
}

/* cagefsctl --seccomp-apply USER [FILE] */
int ctl_seccomp_apply(struct ctl *c)
{
	int rest;
	const char *user = ctl_user_arg(c, "seccomp-apply", &rest);
	struct cage_seccomp_applied a;
	if (!user)
		return -1;
	if (c->nargs > rest + 1)
		return cage_err_set(&c->err, "--seccomp-apply takes a user and at most one file");
	const char *file = c->nargs > rest ? c->args[rest] : NULL;
	int rc = cage_user_seccomp_apply(&c->paths, user, file, &a, &c->err);
	for (size_t i = 0; i < a.warnings.n; i++)
		cage_warn("%s", a.warnings.v[i]);
	if (rc == 0 && a.installed)
		printf("%s: %s installed from %s (%zu rule%s)\n", user, a.to, a.from, a.rules, a.rules == 1 ? "" : "s");
	else if (rc == 0)
		printf("%s: %s already holds %s\n", user, a.to, a.from);
	if (rc == 0 && a.bundle_changed)
		printf("%s: config.json written: every new entry gets the new filter; processes already running "
		       "keep theirs until they end (cagefsctl --remount %s ends them)\n", user, user);
	else if (rc == 0)
		printf("%s: config.json unchanged: it already has this filter\n", user);
	cage_seccomp_applied_free(&a);
	return rc;
}
