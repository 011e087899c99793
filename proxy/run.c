/* One proxied command, in a child of proxyexecd (docs/ARCHITECTURE.md
 * §4.18): who is calling (the kernel's word), is that user caged and is
 * the caller in that user's own cage (the library's decision and the
 * cage's pin), which command (the command files), with which arguments
 * (rules.c), in which directory (the caller's, mapped to the real path
 * inside the caller's home, no symlink followed), then exec.  Every
 * decision is logged.  Runs in a forked child so that a slow lookup (NSS,
 * LDAP) never stalls the daemon's loop, and so that opening the caller's
 * files with the caller's file-system ids touches no other request. */
#define _GNU_SOURCE
#include "proxy_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include "cagefs/cage.h"
#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"
#include "cagefs/users.h"

/* What the caller sent, fit for one log line: a control character, a
 * backslash and (QUOTE) a quote become \xNN, so nothing a caller sends
 * ends a quoted argv or starts a line of its own. */
static const char *esc(char *out, size_t size, const char *s, bool quote)
{
	size_t n = 0;
	for (; s && *s && n + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '\\' || (quote && c == '\''))
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

void proxy_audit(uid_t uid, const char *user, const char *alias, const cage_strvec_t *args, const char *as,
		 const char *decision)
{
	char argv[768] = "", e[768], a[256], d[CAGE_ERR_MSG_MAX + 16];
	size_t n = 0;
	for (size_t i = 0; args && i < args->n && n < sizeof(argv) - 8; i++) {
		int w = snprintf(argv + n, sizeof(argv) - n, "%s'%s'", i ? " " : "", esc(e, sizeof(e), args->v[i], true));
		n = w < 0 ? n : n + (size_t)w >= sizeof(argv) ? sizeof(argv) - 1 : n + (size_t)w;
	}
	if (n >= sizeof(argv) - 8)
		snprintf(argv + sizeof(argv) - 8, 8, " ...");
	syslog(LOG_NOTICE | LOG_AUTHPRIV, "uid=%u user=%s alias=%s argv=[%s] as=%s decision=%s", (unsigned)uid,
	       user ? user : "?", alias ? esc(a, sizeof(a), alias, true) : "?", argv, as ? as : "?",
	       esc(d, sizeof(d), decision, false));
}

/* Manual: with /etc/cagefs/proxy.disable.duid present, the proxy does not
 * traverse the users database for other names of a uid (LDAP). */
static bool duid_disabled(const struct cage_paths *p)
{
	_cleanup_free_ char *f = cage_path_join(p->etc, "proxy.disable.duid");
	return !f || access(f, F_OK) == 0;
}

/* Another name of UID whose cage the caller is in (duplicate uids). */
static int other_name(const struct cage_paths *p, const struct proxy_job *j, const char *first,
		      struct cage_user *u, cage_err_t *err)
{
	_cleanup_strvec_ cage_strvec_t names = {0};
	setpwent();
	for (struct passwd *pw; (pw = getpwent());)
		if (pw->pw_uid == j->uid && strcmp(pw->pw_name, first) && cage_strvec_push(&names, pw->pw_name) < 0)
			break;
	endpwent();
	for (size_t i = 0; i < names.n; i++) {
		int in = cage_pid_in_cage(p, names.v[i], j->pidfd, j->pid, err);
		if (in < 0)
			return -1;
		if (in > 0)
			return cage_user_lookup(names.v[i], u, err) < 0 ? -1 : 1;
	}
	return 0;
}

/* The user the caller is: the one of its uid whose cage it is in. */
static int identify(const struct cage_paths *p, const struct proxy_job *j, struct cage_user *u, cage_err_t *err)
{
	if (cage_user_lookup_uid(j->uid, u, err) < 0)
		return -1;
	int in = cage_pid_in_cage(p, u->name, j->pidfd, j->pid, err);
	if (in == 0 && !duid_disabled(p)) {
		struct cage_user other;
		in = other_name(p, j, u->name, &other, err);
		if (in > 0) {
			cage_user_free(u);
			*u = other;
		}
	}
	if (in < 0)
		return -1;
	if (in == 0)
		return cage_err_set(err, "uid %u (%s) is not calling from inside its own cage: the proxy serves "
				    "caged users from their cage only", (unsigned)j->uid, u->name);
	struct cage_decision d;
	int caged = cage_user_decide(p, u, &d, err);
	if (caged < 0)
		return d.suspended ? cage_err_prefix(err, "%s: refused", u->name)
				   : cage_err_prefix(err, "%s: refused: cannot tell whether CageFS applies", u->name);
	return caged ? 0 : cage_err_set(err, "%s is not caged (%s): run the program itself", u->name, d.why);
}

/* The path below HOME that the in-cage path PATH names, or NULL if it is
 * not inside the home.  The cage shows the home at its passwd path (and a
 * symlinked home at its real path too: bundles/user/mountplan.c). */
static const char *below(const char *path, const char *home)
{
	size_t n = strlen(home);
	if (strncmp(path, home, n) || (path[n] && path[n] != '/'))
		return NULL;
	return path + n + (path[n] == '/');
}

struct tree {
	int homefd;   /* the caller's home, O_PATH */
	char *home, *home_real;
};

static const char *in_tree(const struct tree *t, const char *norm)
{
	const char *rel = below(norm, t->home);
	return rel ? rel : t->home_real ? below(norm, t->home_real) : NULL;
}

/* Open the in-cage path PATH (absolute, or relative to CWD) inside the
 * caller's home, without following any symlink and never out of it
 * (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, docs/ARCHITECTURE.md
 * §4.6): a symlink swapped in at any moment makes it fail. */
static int open_in_tree(const struct tree *t, const char *cwd, const char *path, int flags, const char *what,
			cage_err_t *err)
{
	_cleanup_free_ char *abs = path[0] == '/' ? strdup(path) : cage_path_join(cwd, path);
	_cleanup_free_ char *norm = abs && abs[0] == '/' ? cage_path_normalize(abs) : NULL;
	if (!norm)
		return cage_err_set(err, "the %s '%s' is not a path in your cage", what, path);
	const char *rel = in_tree(t, norm);
	if (!rel)
		return cage_err_set(err, "the %s %s is outside your home %s: refused", what, norm, t->home);
	int fd = rel[0] ? cage_open_beneath(t->homefd, rel, flags, 0, err) : fcntl(t->homefd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return cage_err_prefix(err, "the %s %s (no symlink may be on the way)", what, norm);
	return fd;
}

/* The file a rule lets the command read (crontab FILE): a regular file,
 * opened as the caller (fs ids), passed as the command's stdin. */
static int open_file_arg(const struct tree *t, const char *cwd, const char *file, cage_err_t *err)
{
	_cleanup_close_ int fd = open_in_tree(t, cwd, file, O_RDONLY | O_NOCTTY | O_NONBLOCK, "file", err);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return cage_err_set(err, "the file %s is not a regular file", file);
	fcntl(fd, F_SETFL, 0);
	return CAGE_STEAL_FD(fd);
}

static int tree_open(const struct cage_user *u, struct tree *t, cage_err_t *err)
{
	t->home = cage_path_normalize(u->home);
	t->home_real = realpath(u->home, NULL);
	if (!t->home)
		return cage_err_set(err, "%s has no usable home (%s)", u->name, u->home);
	t->homefd = open(t->home, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return t->homefd < 0 ? cage_err_sys(err, errno, "the home of %s, %s", u->name, t->home) : 0;
}

static bool env_value_ok(const char *v)
{
	size_t n = strlen(v);
	return n && n <= 64 && strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@:+-") == n;
}

/* A command as the caller keeps the caller's terminal type and locale
 * (plain values: no path a library would load); as another user it gets
 * a fixed environment and nothing of the caller's. */
static int build_env(const struct cage_user *caller, const struct cage_user *as, bool as_other,
		     const cage_strvec_t *offered, cage_strvec_t *env, cage_err_t *err)
{
	char *v;
	int rc = 0;
	rc |= asprintf(&v, "HOME=%s", as->home) < 0 ? -1 : cage_strvec_push_owned(env, v);
	rc |= asprintf(&v, "USER=%s", as->name) < 0 ? -1 : cage_strvec_push_owned(env, v);
	rc |= asprintf(&v, "LOGNAME=%s", as->name) < 0 ? -1 : cage_strvec_push_owned(env, v);
	rc |= asprintf(&v, "SHELL=%s", as_other ? "/bin/sh" : as->shell) < 0 ? -1 : cage_strvec_push_owned(env, v);
	rc |= cage_strvec_push(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	rc |= asprintf(&v, "PROXYEXEC_UID=%u", (unsigned)caller->uid) < 0 ? -1 : cage_strvec_push_owned(env, v);
	rc |= asprintf(&v, "PROXYEXEC_USER=%s", caller->name) < 0 ? -1 : cage_strvec_push_owned(env, v);
	for (size_t i = 0; !as_other && offered && i < offered->n; i++) {
		const char *e = offered->v[i], *eq = strchr(e, '=');
		size_t k = (size_t)(eq - e);
		bool name_ok = (k == 4 && !strncmp(e, "TERM", 4)) || (k == 4 && !strncmp(e, "LANG", 4)) ||
			       (k == 8 && !strncmp(e, "LANGUAGE", 8)) || (k > 3 && k < 20 && !strncmp(e, "LC_", 3) &&
			       strspn(e + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == k - 3);
		if (name_ok && env_value_ok(eq + 1))
			rc |= cage_strvec_push(env, e);
	}
	return rc ? cage_err_sys(err, ENOMEM, "environment") : 0;
}

struct plan {
	const struct cage_proxy_cmd *cmd;
	struct cage_user caller, as;
	bool as_other;
	cage_strvec_t argv, env;
	struct tree tree;
	int cwdfd, stdinfd;
};

static void plan_free(struct plan *pl)
{
	cage_user_free(&pl->caller);
	if (pl->as_other)
		cage_user_free(&pl->as);
	cage_strvec_free(&pl->argv);
	cage_strvec_free(&pl->env);
	free(pl->tree.home);
	free(pl->tree.home_real);
	if (pl->tree.homefd >= 0)
		close(pl->tree.homefd);
	if (pl->cwdfd >= 0)
		close(pl->cwdfd);
	if (pl->stdinfd >= 0)
		close(pl->stdinfd);
}

/* The caller's files are opened with the caller's file-system ids and
 * groups, so root's reading of a name the caller gave never reaches what
 * the caller could not read (a hard link to /etc/shadow in the home). */
static int as_caller_fs(const struct cage_user *u, bool on, cage_err_t *err)
{
	if (!on) {
		setfsuid(0);
		setfsgid(0);
		return 0;
	}
	if (initgroups(u->name, u->gid) < 0)
		return cage_err_sys(err, errno, "cannot take the groups of %s", u->name);
	setfsgid(u->gid);
	setfsuid(u->uid);
	return 0;
}

static int prepare_files(const struct proxy_job *j, struct plan *pl, const char *file_arg, cage_err_t *err)
{
	if (as_caller_fs(&pl->caller, true, err) < 0 || tree_open(&pl->caller, &pl->tree, err) < 0)
		return -1;
	const char *cwd = j->req->cwd;
	if (cwd[0] != '/')
		return cage_err_set(err, "the working directory '%s' is not a path in your cage", cwd);
	pl->cwdfd = open_in_tree(&pl->tree, "/", cwd, O_PATH | O_DIRECTORY, "working directory", err);
	if (pl->cwdfd < 0)
		return -1;
	if (file_arg && (pl->stdinfd = open_file_arg(&pl->tree, cwd, file_arg, err)) < 0)
		return -1;
	return as_caller_fs(&pl->caller, false, err);
}

static int plan_build(const struct cage_paths *p, const struct cage_proxy_cmds *t, const struct proxy_job *j,
		      struct plan *pl, cage_err_t *err)
{
	if (identify(p, j, &pl->caller, err) < 0)
		return -1;
	pl->cmd = cage_proxy_cmds_find(t, j->req->alias);
	if (!pl->cmd)
		return cage_err_set(err, "no proxied command %s '%s' (see /etc/cagefs/*.proxy.commands)",
				    j->req->alias[0] == '@' ? "at" : "named", j->req->alias + (j->req->alias[0] == '@'));
	pl->as = pl->caller;
	if (pl->cmd->user) {
		if (cage_user_lookup(pl->cmd->user, &pl->as, err) < 0)
			return -1;
		pl->as_other = true;
	}
	const char *file_arg = NULL;
	if (cage_strvec_push(&pl->argv, pl->cmd->path) < 0)
		return cage_err_sys(err, ENOMEM, "arguments");
	if (cage_proxy_rules(pl->cmd->path, pl->caller.name, pl->as_other && pl->as.uid != pl->caller.uid,
			     &j->req->args, &pl->argv, &file_arg, err) < 0)
		return -1;
	return prepare_files(j, pl, file_arg, err) < 0 ? -1
	       : build_env(&pl->caller, &pl->as, pl->as_other, &j->req->env, &pl->env, err);
}

/* A directory among the caller's fds (a cage's root, say) would be a way
 * into the cage's tree for a command outside it, root's included; no
 * program reads a directory as its input (as §4.15 does in the cage). */
static int no_dir(int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);
	/* An O_PATH fd reads nothing, but root reopens it (/proc/self/fd/0)
	 * with root's rights: a file the caller could not read. */
	if (fl >= 0 && !(fl & O_PATH) && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		return fd;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	return null >= 0 ? null : fd;
}

/* Become the command: a session of its own (nothing of the daemon's
 * terminal or group), the caller's stdio (or the file as stdin), the
 * command's user, the mapped directory, no fd of ours, default signals. */
static int exec_plan(const struct proxy_job *j, struct plan *pl, cage_err_t *err)
{
	setsid();
	int in = pl->stdinfd >= 0 ? pl->stdinfd : no_dir(j->fds[0]);
	if (dup2(in, 0) < 0 || dup2(no_dir(j->fds[1]), 1) < 0 || dup2(no_dir(j->fds[2]), 2) < 0)
		return cage_err_sys(err, errno, "cannot pass your stdio");
	if (initgroups(pl->as.name, pl->as.gid) < 0 || setresgid(pl->as.gid, pl->as.gid, pl->as.gid) < 0 ||
	    setresuid(pl->as.uid, pl->as.uid, pl->as.uid) < 0)
		return cage_err_sys(err, errno, "cannot become %s", pl->as.name);
	/* After the ids change: the directory must be the user's to enter. */
	if (fchdir(pl->cwdfd) < 0)
		return cage_err_sys(err, errno, "cannot enter your working directory as %s", pl->as.name);
	umask(022);
	sigset_t none;
	sigemptyset(&none);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(pl->cmd->path, pl->argv.v, pl->env.v);
	return cage_err_sys(err, errno, "cannot run %s", pl->cmd->path);
}

int proxy_run(const struct cage_paths *p, const struct cage_proxy_cmds *t, const struct proxy_job *j,
	      cage_err_t *err)
{
	struct plan pl = {.tree.homefd = -1, .cwdfd = -1, .stdinfd = -1};
	int rc = plan_build(p, t, j, &pl, err);
	/* The command works for the caller: it counts against the caller's
	 * limits, as what runs in the cage does (docs/ARCHITECTURE.md §4.17);
	 * limits that cannot be applied refuse it. */
	if (rc == 0 && cage_limits_join(p, &pl.caller, err) < 0)
		rc = -1;
	const char *as = pl.cmd ? (pl.cmd->user ? pl.cmd->user : pl.caller.name) : NULL;
	char decision[CAGE_ERR_MSG_MAX + 16];
	snprintf(decision, sizeof(decision), "%s%s", rc < 0 ? "refused: " : "allowed", rc < 0 && err ? err->msg : "");
	proxy_audit(j->uid, pl.caller.name, j->req->alias, &j->req->args, as, decision);
	if (rc == 0)
		exec_plan(j, &pl, err);
	plan_free(&pl);
	return -1;
}
