/* The panel events (cagefs-hook(8), docs/ARCHITECTURE.md §4.23).  Each
 * event is CageFS's whole part of what the panel did, and idempotent: it
 * compares with what is there and says "nothing to do" on a repeat, so a
 * panel may retry a hook that timed out without harm. */
#define _GNU_SOURCE
#include "cagefs/hooks.h"
#include "cagefs/learn.h"

#include <errno.h>
#include <sys/wait.h>
#include <signal.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/bundle.h"
#include "cagefs/cage.h"
#include "cagefs/cleanup.h"
#include "cagefs/lock.h"
#include "cagefs/proxy.h"
#include "cagefs/safefs.h"
#include "cagefs/seccomp.h"
#include "cagefs/skeleton.h"
#include "cagefs/users.h"

struct hook_event {
	const char *name;
	size_t nargs; /* after the user */
	int (*run)(const struct cage_paths *p, const char *user, char *const *args, struct cage_hook_report *r,
		   cage_err_t *err);
};

__attribute__((format(printf, 2, 3)))
static void said(struct cage_hook_report *r, const char *fmt, ...)
{
	size_t n = strlen(r->done);
	if (n && n + 2 < sizeof(r->done)) {
		memcpy(r->done + n, "; ", 3);
		n += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->done + n, sizeof(r->done) - n, fmt, ap);
	va_end(ap);
}

/* USER's bundle made or refreshed when USER is caged by the mode and
 * lists; an account CageFS does not apply to gets none. */
static int bundle_if_enabled(const struct cage_paths *p, const struct cage_user *u, bool *changed,
			     struct cage_hook_report *r, cage_err_t *err)
{
	*changed = false;
	struct cage_decision d;
	if (cage_user_status(p, u, &d, err) < 0)
		return -1;
	if (!d.caged) {
		said(r, "no bundle: %s", d.why);
		return 0;
	}
	struct cage_bundle_ctx *ctx = NULL;
	struct cage_bundle_result res = {0};
	if (cage_bundle_ctx_new(p, &ctx, err) < 0)
		return -1;
	int rc = cage_bundle_generate(ctx, u, false, &res, err);
	cage_bundle_ctx_free(ctx);
	if (rc < 0)
		return -1;
	*changed = res.changed;
	said(r, res.changed ? "bundle written (%zu files)" : "bundle up to date", res.files);
	r->changed |= res.changed;
	return 0;
}

static int ev_created(const struct cage_paths *p, const char *user, char *const *args,
		      struct cage_hook_report *r, cage_err_t *err)
{
	(void)args;
	struct cage_user u __attribute__((cleanup(cage_user_free))) = {0};
	bool changed;
	if (cage_user_lookup(user, &u, err) < 0)
		return -1;
	return bundle_if_enabled(p, &u, &changed, r, err);
}

/* An event about a name that is gone (user-deleted, user-renamed's OLD):
 * a name that is still an account is the panel's mistake, and acting on it
 * would drop a live account's cage and lift its suspension. */
static int gone(const char *event, const char *name, cage_err_t *err)
{
	errno = 0;
	struct passwd *pw = getpwnam(name);
	if (pw)
		return cage_err_set(err, "%s: %s is still an account (uid %u): call it after the account changed",
				    event, name, (unsigned)pw->pw_uid);
	if (errno && errno != ENOENT && errno != ESRCH && errno != EBADF && errno != EPERM)
		return cage_err_sys(err, errno, "%s: cannot tell whether %s is still an account", event, name);
	return 0;
}

/* Everything CageFS holds under NAME, the account's markers aside. */
static int drop_name(const struct cage_paths *p, const char *name, struct cage_hook_report *r, cage_err_t *err)
{
	int live = cage_forget(p, name, err);
	size_t removed = 0;
	if (live < 0 || cage_bundles_remove_user(p, name, NULL, &removed, err) < 0)
		return -1;
	int learned = cage_learn_forget(p, name, err); /* §4.25: a later account of the name inherits none */
	if (learned < 0)
		return -1;
	if (learned)
		said(r, "seccomp learning of %s ended and its record removed", name);
	if (live)
		said(r, "cage of %s dropped", name);
	if (removed)
		said(r, "%zu bundle%s of %s removed", removed, removed == 1 ? "" : "s", name);
	r->changed |= live || removed || learned;
	return 0;
}

static int ev_deleted(const struct cage_paths *p, const char *user, char *const *args,
		      struct cage_hook_report *r, cage_err_t *err)
{
	(void)args;
	int markers;
	if (gone("user-deleted", user, err) < 0 || drop_name(p, user, r, err) < 0 || (markers = cage_user_markers_move(p, user, NULL, err)) < 0)
		return -1;
	if (markers)
		said(r, "%d marker%s of %s removed", markers, markers == 1 ? "" : "s", user);
	int filter = cage_seccomp_override_move(p, user, NULL, err);
	if (filter < 0)
		return -1;
	if (filter)
		said(r, "seccomp override of %s removed", user);
	r->changed |= markers > 0 || filter > 0;
	if (!r->changed)
		said(r, "nothing of %s left: nothing to do", user);
	return 0;
}

/* OLD's cage holds only OLD's processes (it is OLD's namespaces), so
 * dropping it kills nothing of another user; NEW is made as if created. */
static int ev_renamed(const struct cage_paths *p, const char *old, char *const *args,
		      struct cage_hook_report *r, cage_err_t *err)
{
	const char *new = args[0];
	struct cage_user u __attribute__((cleanup(cage_user_free))) = {0};
	bool changed;
	if (!strcmp(old, new))
		return cage_err_set(err, "user-renamed: the old and the new name are both %s", old);
	if (gone("user-renamed", old, err) < 0 || cage_user_lookup(new, &u, err) < 0 ||
	    drop_name(p, old, r, err) < 0)
		return -1;
	int markers = cage_user_markers_move(p, old, new, err);
	if (markers < 0)
		return -1;
	if (markers)
		said(r, "%d marker%s renamed to %s", markers, markers == 1 ? "" : "s", new);
	int filter = cage_seccomp_override_move(p, old, new, err);
	if (filter < 0)
		return -1;
	if (filter)
		said(r, "seccomp override renamed to %s", new);
	r->changed |= markers > 0 || filter > 0;
	return bundle_if_enabled(p, &u, &changed, r, err);
}

/* A changed home, uid or groups changes the bundle; a live cage was built
 * from the old one, so it is dropped and the next entry builds the new. */
static int ev_modified(const struct cage_paths *p, const char *user, char *const *args,
		       struct cage_hook_report *r, cage_err_t *err)
{
	(void)args;
	struct cage_user u __attribute__((cleanup(cage_user_free))) = {0};
	char prefix[3];
	size_t removed = 0;
	bool changed;
	if (cage_user_lookup(user, &u, err) < 0)
		return -1;
	cage_user_prefix(u.uid, prefix);
	if (cage_bundles_remove_user(p, user, prefix, &removed, err) < 0)
		return -1;
	if (removed)
		said(r, "bundle under the old uid removed");
	r->changed |= removed > 0;
	if (bundle_if_enabled(p, &u, &changed, r, err) < 0)
		return -1;
	ino_t ns = 0;
	if ((changed || removed) && cage_ns_inode(p, user, &ns, err) == 0 && ns) {
		if (cage_unmount(p, user, true, err) < 0)
			return -1;
		said(r, "cage dropped (the next entry builds it anew)");
	}
	return 0;
}

/* Every process of USER's uid is sent SIGKILL, in rounds, by a child that
 * is that uid: kill(-1) then reaches exactly what the account may signal,
 * never root's or another user's.  Root and system accounts (below the
 * minimum uid) are never killed so.  1: some were killed. */
static int kill_account(const struct cage_paths *p, const char *user, cage_err_t *err)
{
	struct cage_user u;
	uid_t min_uid;
	if (cage_user_lookup(user, &u, err) < 0)
		return -1;
	uid_t uid = u.uid;
	gid_t gid = u.gid;
	cage_user_free(&u);
	if (uid == 0 || cage_min_uid(p, &min_uid, err) < 0 || uid < min_uid)
		return uid == 0 ? cage_err_set(err, "%s is root: not suspended by killing", user) : 0;
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
			_exit(2);
		int any = 0;
		for (int round = 0; round < 100 && kill(-1, SIGKILL) == 0; round++) {
			any = 1;
			usleep(10000);
		}
		_exit(any);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return cage_err_set(err, "cannot kill the processes of %s", user);
	return WEXITSTATUS(st);
}

static int ev_suspended(const struct cage_paths *p, const char *user, char *const *args,
			struct cage_hook_report *r, cage_err_t *err)
{
	(void)args;
	int set = cage_user_set_suspended(p, user, true, err);
	ino_t ns = 0;
	if (set < 0 || cage_ns_inode(p, user, &ns, err) < 0)
		return -1;
	said(r, set ? "%s suspended" : "%s was suspended already", user);
	/* Killed even on a repeat: a cage left by a failed first call must go.
	 * Then every process of the account's uid, in the cage or out of it
	 * (an uncaged user's, an entry under way when the marker was
	 * written), and once more any cage such an entry built meanwhile. */
	if (ns && cage_unmount(p, user, true, err) < 0)
		return -1;
	if (ns)
		said(r, "cage killed");
	ino_t again = 0;
	if (kill_account(p, user, err) < 0 || cage_ns_inode(p, user, &again, err) < 0 ||
	    (again && cage_unmount(p, user, true, err) < 0))
		return -1;
	r->changed = set || ns; /* a zombie still counts for kill(): not said */
	return 0;
}

static int ev_unsuspended(const struct cage_paths *p, const char *user, char *const *args,
			  struct cage_hook_report *r, cage_err_t *err)
{
	(void)args;
	int set = cage_user_set_suspended(p, user, false, err);
	if (set < 0)
		return -1;
	said(r, set ? "%s unsuspended" : "%s was not suspended", user);
	r->changed = set;
	return 0;
}

/* cagefsctl --update's call: the skeleton follows the host's packages. */
static int ev_package(const struct cage_paths *p, const char *pkg, char *const *args,
		      struct cage_hook_report *r, cage_err_t *err)
{
	(void)pkg;
	(void)args;
	if (access(p->skeleton, F_OK) < 0) {
		said(r, "no skeleton at %s (cagefsctl --init makes it): nothing to update", p->skeleton);
		return 0;
	}
	struct cage_skel_opts o = {.paths = p, .mode = CAGE_SKEL_UPDATE};
	struct cage_skel_stats st = {0};
	if (cage_proxy_skeleton_build(&o, &st, err) < 0)
		return -1;
	r->changed = st.added || st.updated || st.removed;
	said(r, r->changed ? "skeleton updated: %zu added, %zu updated, %zu removed"
			   : "skeleton up to date%.0zu%.0zu%.0zu", st.added, st.updated, st.removed);
	return 0;
}

static const struct hook_event events[] = {
	{"user-created", 0, ev_created},     {"user-deleted", 0, ev_deleted},
	{"user-renamed", 1, ev_renamed},     {"user-modified", 0, ev_modified},
	{"user-suspended", 0, ev_suspended}, {"user-unsuspended", 0, ev_unsuspended},
	{"package-installed", 0, ev_package},
};

static const struct hook_event *find_event(const char *name)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (!strcmp(events[i].name, name))
			return &events[i];
	return NULL;
}

int cage_hook_check(const char *event, size_t nargs, cage_err_t *err)
{
	const struct hook_event *e = find_event(event);
	if (!e)
		return cage_err_set(err, "unknown event '%.64s' (user-created, user-deleted, user-renamed, "
				    "user-modified, user-suspended, user-unsuspended, package-installed)", event);
	if (nargs != e->nargs)
		return cage_err_set(err, "%s takes %s", event, e->nargs ? "OLD NEW" : "one user name");
	return 0;
}

/* Ours under cagefsctl's lock, so it never races a cagefsctl command. */
static int run_ours(const struct cage_paths *p, const struct hook_event *e, const char *user,
		    char *const *args, struct cage_hook_report *r, cage_err_t *err)
{
	_cleanup_free_ char *lockf = cage_path_join(p->run, "cagefsctl.lock");
	if (!lockf)
		return cage_err_sys(err, ENOMEM, "path");
	if (mkdir(p->run, 0755) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create %s", p->run);
	_cleanup_close_ int lock = cage_lock_take(lockf, true, err);
	if (lock < 0)
		return -1;
	return e->run(p, user, args, r, err);
}

int cage_hook_run(const struct cage_paths *p, const char *event, const char *user, char *const *args,
		  size_t nargs, unsigned timeout, struct cage_hook_report *r, cage_err_t *err)
{
	*r = (struct cage_hook_report){0};
	if (cage_hook_check(event, nargs, err) < 0)
		return CAGE_HOOK_EXIT_USAGE;
	r->ours_failed = run_ours(p, find_event(event), user, args, r, err) < 0;
	_cleanup_strvec_ cage_strvec_t argv = {0};
	if (cage_strvec_push(&argv, event) < 0 || cage_strvec_push(&argv, user) < 0)
		return cage_err_sys(err, ENOMEM, "argv"), CAGE_HOOK_EXIT_FAILED;
	for (size_t i = 0; i < nargs; i++)
		if (cage_strvec_push(&argv, args[i]) < 0)
			return cage_err_sys(err, ENOMEM, "argv"), CAGE_HOOK_EXIT_FAILED;
	cage_hook_scripts(p, event, argv.v, timeout, r);
	if (r->ours_failed)
		return CAGE_HOOK_EXIT_FAILED;
	return r->failed ? CAGE_HOOK_EXIT_SCRIPTS : CAGE_HOOK_EXIT_OK;
}

void cage_hook_report_free(struct cage_hook_report *r)
{
	for (size_t i = 0; i < r->nscripts; i++)
		free(r->scripts[i].name);
	free(r->scripts);
	r->scripts = NULL;
	r->nscripts = r->failed = 0;
}
