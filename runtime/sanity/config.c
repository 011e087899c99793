/* The manual's checks of the configuration ("Sanity Check", checks 1-4,
 * 6-8; docs/ARCHITECTURE.md §4.19).  Each reads through the same parser
 * the system itself uses, so "OK" means the system reads it too. */
#define _GNU_SOURCE
#include "sanity_internal.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cagefs/cleanup.h"
#include "cagefs/mountcfg.h"
#include "cagefs/proxy.h"
#include "cagefs/safefs.h"

/* 1. Every directory cagefs.mp names exists on the host (manual).  "@"
 * entries are each user's own, made under the home at the first entry: no
 * host directory to look for.  A missing shared or split directory is
 * silently left out of every cage (bundles/user/bundle.c), which is what
 * this check is there to show. */
int sanity_mount_points(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	_cleanup_free_ char *f = cage_path_join(p->etc, "cagefs.mp");
	struct stat st;
	if (!f)
		return cage_err_sys(err, ENOMEM, "path");
	if (stat(f, &st) < 0 && errno == ENOENT) {
		sanity_say(n, "no %s (cagefsctl --create-mp writes the default)", f);
		return CAGE_SANITY_SKIPPED;
	}
	struct cage_mp mp = {0};
	cage_err_t e = {0};
	if (cage_mp_load(&mp, f, &e) < 0) {
		sanity_say(n, "%s", e.msg);
		return CAGE_SANITY_FAILED;
	}
	int rc = CAGE_SANITY_OK;
	for (size_t i = 0; i < mp.n; i++) {
		const struct cage_mp_entry *m = &mp.e[i];
		if (m->kind == CAGE_MP_PERUSER)
			continue;
		int r = stat(m->path, &st);
		if (r == 0 && S_ISDIR(st.st_mode))
			continue;
		sanity_say(n, "%s:%u: %s %s", f, m->line, m->path,
			   r == 0 ? "is not a directory" : errno == ENOENT ? "does not exist" : strerror(errno));
		rc = CAGE_SANITY_FAILED;
	}
	cage_mp_free(&mp);
	return rc;
}

/* 2, 3. A list that is a file makes every decision an error (fail closed,
 * docs/ARCHITECTURE.md §3): no caged user can log in.  Absent is fine. */
static int list_is_dir(const struct cage_paths *p, const char *name, struct sanity_note *n, cage_err_t *err)
{
	_cleanup_free_ char *f = cage_path_join(p->etc, name);
	struct stat st;
	if (!f)
		return cage_err_sys(err, ENOMEM, "path");
	if (lstat(f, &st) < 0) {
		if (errno != ENOENT)
			return cage_err_sys(err, errno, "cannot stat %s", f);
		sanity_say(n, "%s does not exist (no user listed)", f);
		return CAGE_SANITY_OK;
	}
	if (S_ISDIR(st.st_mode))
		return CAGE_SANITY_OK;
	sanity_say(n, "%s is not a directory: no decision can be made, every caged login is refused", f);
	return CAGE_SANITY_FAILED;
}

int sanity_users_enabled(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	return list_is_dir(p, "users.enabled", n, err);
}

int sanity_users_disabled(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	return list_is_dir(p, "users.disabled", n, err);
}

/* 4. In CloudLinux's CageFS etc.safe/disable.etcfs turns off the users'
 * own /etc.  cagefs never does (every cage has its /etc, §3): the file
 * asks for what this system does not do, so it is reported. */
int sanity_disable_etcfs(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	_cleanup_free_ char *f = cage_path_join(p->etc, "etc.safe/disable.etcfs");
	struct stat st;
	if (!f)
		return cage_err_sys(err, ENOMEM, "path");
	if (lstat(f, &st) < 0) {
		if (errno != ENOENT)
			return cage_err_sys(err, errno, "cannot stat %s", f);
		return CAGE_SANITY_OK;
	}
	sanity_say(n, "%s exists: it would turn off the users' own /etc; cagefs keeps every cage's "
		   "/etc regardless, remove the file", f);
	return CAGE_SANITY_FAILED;
}

/* Is there any command file at all?  ETC/proxy.commands or ETC/ *.proxy.commands. */
static int proxy_files(const struct cage_paths *p, cage_err_t *err)
{
	_cleanup_free_ char *pat = cage_path_join(p->etc, "*proxy.commands");
	if (!pat)
		return cage_err_sys(err, ENOMEM, "path");
	glob_t g;
	int rc = glob(pat, GLOB_NOSORT, NULL, &g);
	size_t found = rc == 0 ? g.gl_pathc : 0;
	if (rc == 0)
		globfree(&g);
	else if (rc != GLOB_NOMATCH)
		return cage_err_set(err, "cannot list %s", pat);
	return found > 0;
}

/* 6. The command files, loaded as proxyexecd loads them (manual: "Executing
 * by proxy"): the syntax, that every program is there and only root can
 * change it, every user exists, and every wrapper is there. */
int sanity_proxy_commands(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	int any = proxy_files(p, err);
	if (any < 0)
		return -1;
	if (!any) {
		sanity_say(n, "no proxy.commands file in %s: nothing runs by proxy", p->etc);
		return CAGE_SANITY_SKIPPED;
	}
	struct cage_proxy_cmds t = {0};
	struct cage_proxy_wrapper *w = NULL;
	size_t nw = 0;
	cage_err_t e = {0};
	/* The wrappers too: cagefsctl --update stops on a missing one. */
	if (cage_proxy_cmds_load(p, &t, &e) < 0 || cage_proxy_wrappers(p, &w, &nw, &e) < 0) {
		cage_proxy_cmds_free(&t);
		sanity_say(n, "%s", e.msg);
		return CAGE_SANITY_FAILED;
	}
	cage_proxy_wrappers_free(w, nw);
	cage_proxy_cmds_free(&t);
	return CAGE_SANITY_OK;
}

/* One VAR/NN/USER/virt.mp: 1 when there is one, 0 when not; errors noted. */
static int virt_one(const char *userdir, struct sanity_note *n, bool *bad)
{
	_cleanup_free_ char *f = cage_path_join(userdir, "virt.mp");
	struct stat st;
	if (!f) {
		n->oom = true;
		return 0;
	}
	if (lstat(f, &st) < 0)
		return 0;
	_cleanup_virtmp_ struct cage_virtmp v = {0};
	cage_err_t e = {0};
	if (cage_virtmp_load(&v, f, &e) < 0) {
		sanity_say(n, "%s", e.msg);
		*bad = true;
	}
	return 1;
}

/* Two digits: the NN of VAR/NN/USER. */
static bool is_prefix_dir(const char *name)
{
	return strlen(name) == 2 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9';
}

static int virt_prefix(const char *dir, struct sanity_note *n, bool *bad, size_t *count)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *u = cage_path_join(dir, de->d_name);
		if (!u)
			return -1;
		*count += (size_t)virt_one(u, n, bad);
	}
	return 0;
}

/* 7. Every VAR/NN/USER/virt.mp parses (manual: not empty, no "@" line
 * before a directory; the parser checks the rest of the syntax too). */
int sanity_virt_mp(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	_cleanup_closedir_ DIR *d = opendir(p->var);
	if (!d && errno != ENOENT)
		return cage_err_sys(err, errno, "cannot read %s", p->var);
	bool bad = false;
	size_t count = 0;
	for (struct dirent *de; d && (de = readdir(d));) {
		if (!is_prefix_dir(de->d_name))
			continue;
		_cleanup_free_ char *sub = cage_path_join(p->var, de->d_name);
		if (!sub || virt_prefix(sub, n, &bad, &count) < 0)
			return cage_err_sys(err, ENOMEM, "path");
	}
	if (bad)
		return CAGE_SANITY_FAILED;
	if (!count) {
		sanity_say(n, "no virt.mp file under %s", p->var);
		return CAGE_SANITY_SKIPPED;
	}
	return CAGE_SANITY_OK;
}

/* 8. cPanel's MultiPHP and PHP Selector are CloudLinux's (cagefsctl
 * --help: "not provided by this implementation"): nothing to check. */
int sanity_multiphp(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	(void)p;
	(void)err;
	sanity_say(n, "PHP Selector and cPanel's MultiPHP are CloudLinux's, not provided by this implementation");
	return CAGE_SANITY_SKIPPED;
}
