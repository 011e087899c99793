/* Creating, joining and leaving cages (see cagefs/cage.h). */
#define _GNU_SOURCE
#include "cage_internal.h"
#include "cagefs/session_cgroup.h"
#include "runtime/oci/oci_internal.h"

#include <dirent.h>
#include <grp.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/bundle.h"
#include "cagefs/cleanup.h"
#include "cagefs/learn.h"
#include "cagefs/lock.h"
#include "cagefs/log.h"
#include "runtime/oci/cgroup.h"
#include "cagefs/safefs.h"
#include "cagefs/seccomp.h"
#include "cagefs/users.h"

int cage_bundle_config(const struct cage_paths *p, const struct cage_user *u, struct cage_oci *oci,
		       struct timespec *mtime, cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_bundle_dir(p, u->name, u->uid);
	_cleanup_free_ char *cfg = dir ? cage_path_join(dir, "config.json") : NULL;
	if (!cfg)
		return cage_err_sys(err, ENOMEM, "path");
	struct stat st;
	if (stat(cfg, &st) < 0)
		return cage_err_set(err, "%s has no bundle (%s): enable the user with cagefsctl --enable",
				    u->name, cfg);
	if (mtime)
		*mtime = st.st_mtim;
	return cage_oci_load(cfg, oci, err);
}

/* The decision for U (bundles/user/users.c): 1 caged, 0 not (said in
 * D), -1 refused because it could not be made (fail closed) or because
 * the account is suspended. */
static int decide(const struct cage_paths *p, const struct cage_user *u, struct cage_decision *d,
		  cage_err_t *err)
{
	int caged = cage_user_decide(p, u, d, err);
	if (caged < 0 && d->suspended)
		return cage_err_prefix(err, "%s: refused", u->name);
	if (caged < 0)
		return cage_err_prefix(err, "%s: refused: cannot tell whether CageFS applies to this user",
				       u->name);
	return caged;
}

/* The pin: the first process of the cage's PID namespace (so the cage's
 * /proc shows the cage alone, and the cage ends with it), in the new mount,
 * ipc and uts namespaces.  It builds the root, says "ok", and becomes the
 * pin only when the entry answers "recorded"; anything else (the entry was
 * killed half way, by a caller's limit or signal) and it exits, taking the
 * cage with it: no pin lives that no record names. */
static int pin_build(const struct cage_oci *oci, const char *user, int report)
{
	cage_err_t err = {0};
	struct cage_syslog log = {.tree = cage_syslog_take(oci->root)};
	snprintf(log.dev, sizeof(log.dev), "%s/dev", oci->root);
	struct cage_root_opts o = {.before_pivot = cage_syslog_attach, .arg = &log};
	if (cage_build_root_with(oci, &o, &err) == 0)
		snprintf(err.msg, sizeof(err.msg), "ok");
	if (log.tree >= 0)
		close(log.tree);
	if (send(report, err.msg, strlen(err.msg) + 1, MSG_NOSIGNAL) < 0 || strcmp(err.msg, "ok"))
		return 1;
	char reply[16] = "";
	if (recv(report, reply, sizeof(reply) - 1, 0) <= 0 || strcmp(reply, "recorded"))
		return 1;
	cage_pin_sleep(user);
}

/* Forked by the entry: leaves the entry's session first (the caller's
 * Ctrl-C must not reach a half-built cage), moves to pin_cgroup before
 * anything is charged (§4.5), makes the namespaces and forks the pin into
 * them, says the pin's pid, and exits, so the pin is no child of the
 * user's program. */
static int builder(const struct cage_oci *oci, const char *user, const char *pin_cgroup, int report)
{
	setsid();
	cage_err_t err = {0};
	if (pin_cgroup[0] && cage_cg_move(pin_cgroup, getpid(), &err) < 0)
		cage_warn("the cage of %s stays pinned in this session's cgroup: %s", user, err.msg);
	err = (cage_err_t){0};
	int flags = (oci->namespaces & (CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS)) | CLONE_NEWPID;
	pid_t pin = -1;
	if (unshare(flags) < 0)
		cage_err_sys(&err, errno, "unshare");
	else if ((pin = fork()) == 0)
		_exit(pin_build(oci, user, report));
	else if (pin < 0)
		cage_err_sys(&err, errno, "fork");
	else
		snprintf(err.msg, sizeof(err.msg), "pid %d", pin);
	return send(report, err.msg, strlen(err.msg) + 1, MSG_NOSIGNAL) < 0 || pin < 0;
}

/* The pin's parent once the builder is gone: init, or a root process (a
 * container's init, a root subreaper).  A user's PR_SET_CHILD_SUBREAPER
 * process would get it instead (the kernel gives orphans to the nearest
 * subreaper above them): refused, the pin must be no user's child. */
static int pin_parent_ok(pid_t pin, const char *user, cage_err_t *err)
{
	char path[64], buf[1024];
	long ppid = -1, uid = -1;
	for (int step = 0; step < 2; step++) {
		snprintf(path, sizeof(path), "/proc/%ld/status", step ? ppid : (long)pin);
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		buf[n > 0 ? n : 0] = '\0';
		char *f = strstr(buf, step ? "\nUid:\t" : "\nPPid:\t");
		if (f)
			*(step ? &uid : &ppid) = strtol(f + 6, NULL, 10);
		if (ppid == 1 || (step && uid == 0))
			return 0;
	}
	return cage_err_set(err, "cannot build the cage of %s: its pin would be a child of process %ld "
			    "(uid %ld), a child subreaper; enter from a login instead", user, ppid, uid);
}

/* The builder's two messages: "pid N" (or why not), then the pin's "ok"
 * (or why not).  The pin's host pid, or -1. */
static pid_t pin_reported(int sock, const char *user, cage_err_t *err)
{
	char msg[CAGE_ERR_MSG_MAX] = "";
	ssize_t n = recv(sock, msg, sizeof(msg) - 1, 0);
	long pid = 0;
	if (n <= 0 || sscanf(msg, "pid %ld", &pid) != 1 || pid <= 1)
		return cage_err_set(err, "cannot build the cage of %s: %s", user, n > 0 ? msg : "builder died");
	n = recv(sock, msg, sizeof(msg) - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	if (n <= 0 || strcmp(msg, "ok"))
		return cage_err_set(err, "cannot build the cage of %s: %s", user, n > 0 ? msg : "builder died");
	return (pid_t)pid;
}

static int create_cage(const struct cage_paths *p, const char *user, const struct cage_oci *oci,
		       cage_err_t *err)
{
	/* A broken pin_cgroup must not stop every first login: said, and the
	 * pin stays where it is. */
	char pin_cgroup[256] = "";
	cage_err_t cerr = {0};
	if (cage_ini_cgroup(p, "pin_cgroup", CAGE_PIN_CGROUP_DEFAULT, pin_cgroup, sizeof(pin_cgroup), &cerr) < 0)
		cage_warn("%s; the cage of %s stays pinned in this session's cgroup", cerr.msg, user);
	/* Every cage binds the proxy's directory (§4.18); /run is empty
	 * after a reboot until a cage or proxyexecd makes it. */
	if (cage_proxy_dir_make(p) < 0)
		return cage_err_sys(err, errno, "cannot create the proxy's directory in %s", p->run);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cage_err_sys(err, errno, "socketpair");
	pid_t child = fork();
	if (child == 0) {
		close(sv[0]);
		_exit(builder(oci, user, pin_cgroup, sv[1]));
	}
	close(sv[1]);
	if (child < 0) {
		close(sv[0]);
		return cage_err_sys(err, errno, "fork");
	}
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	pid_t pin = pin_reported(sv[0], user, err);
	int rc = pin < 0 || pin_parent_ok(pin, user, err) < 0 || cage_pin_record(p, user, pin, err) < 0 ? -1 : 0;
	if (rc == 0 && send(sv[0], "recorded", 9, MSG_NOSIGNAL) < 0)
		rc = cage_err_sys(err, errno, "the pin of %s", user);
	close(sv[0]); /* without "recorded", the pin exits */
	return rc;
}

static int user_lock(const struct cage_paths *p, const char *user, cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_path_join(p->run, "locks");
	_cleanup_free_ char *f = dir ? cage_path_join(dir, user) : NULL;
	if (!f)
		return cage_err_sys(err, ENOMEM, "path");
	if ((mkdir(p->run, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST))
		return cage_err_sys(err, errno, "cannot create %s", dir);
	return cage_lock_take(f, true, err);
}

/* OCI: the user's config.json as the caller read it already, or NULL to
 * read it here (an entry reads it anyway: not twice per creation). */
static int ensure(const struct cage_paths *p, const struct cage_user *u, const struct cage_oci *oci,
		  cage_err_t *err)
{
	if (cage_pin_pid(p, u->name))
		return 0; /* the common case: join without a lock */
	_cleanup_close_ int lock = user_lock(p, u->name, err);
	if (lock < 0)
		return -1;
	if (cage_pin_pid(p, u->name))
		return 0; /* built by whoever held the lock before us */
	int adopted = cage_pin_adopt(p, u->name, err);
	if (adopted != 0)
		return adopted < 0 ? -1 : 0;
	if (oci)
		return create_cage(p, u->name, oci, err);
	_cleanup_oci_ struct cage_oci own = {0};
	if (cage_bundle_config(p, u, &own, NULL, err) < 0)
		return -1;
	return create_cage(p, u->name, &own, err);
}

int cage_ensure(const struct cage_paths *p, const char *user, cage_err_t *err)
{
	struct cage_user u;
	struct cage_decision d;
	if (cage_user_lookup(user, &u, err) < 0)
		return -1;
	int caged = decide(p, &u, &d, err);
	int rc = caged < 0 ? -1 : !caged ? cage_err_set(err, "%s is not caged: %s", user, d.why) : ensure(p, &u, NULL, err);
	cage_user_free(&u);
	return rc;
}

/* ---- joining ---- */

/* A hosting user keeps no capability at all, bounding set included. */
static int drop_to_user(const struct cage_oci *oci, cage_err_t *err)
{
	static const uint64_t none[CAGE_CAP_SETS];
	return cage_become_user(oci, none, err);
}

/* The compiled filter of a bundle, cached in RUN/seccomp/USER.bpf while
 * config.json has the time the cache was compiled for (seccomp/load.c);
 * while the user is in learning mode, the learning filter (§4.25). */
static int prepare_seccomp(const struct cage_paths *p, const char *user, const struct cage_oci *oci,
			   struct timespec config_mtime, struct cage_seccomp_prog *out, cage_err_t *err)
{
	int learn = oci->seccomp ? cage_learn_connect(p, user) : -1;
	if (learn >= 0)
		return cage_seccomp_prepare_learning(oci->seccomp, learn, out, err);
	char dir[4096], cache[4160];
	snprintf(dir, sizeof(dir), "%s/seccomp", p->run);
	snprintf(cache, sizeof(cache), "%s/%s.bpf", dir, user);
	if (oci->seccomp && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create %s", dir);
	return cage_seccomp_prepare(oci->seccomp, cache, config_mtime, out, err);
}

/* The caller's TERM is the one thing of its environment a program keeps. */
static void push_term(cage_strvec_t *env)
{
	const char *term = getenv("TERM");
	char *t = NULL;
	if (term && asprintf(&t, "TERM=%s", term) >= 0)
		cage_strvec_push_owned(env, t);
}

static char **build_env(const struct cage_oci *oci, bool as_root)
{
	static cage_strvec_t env; /* lives until exec */
	for (size_t i = 0; i < oci->env.n; i++)
		if (!as_root || strncmp(oci->env.v[i], "HOME=", 5))
			cage_strvec_push(&env, oci->env.v[i]);
	push_term(&env);
	if (as_root)
		cage_strvec_push(&env, "HOME=/root");
	if (!env.v)
		cage_strvec_push(&env, "PATH=/usr/bin:/bin");
	return env.v;
}

/* A pidfd of USER's pin, building the cage from OCI first if there is none. */
static int pin_pidfd(const struct cage_paths *p, const struct cage_user *u, const struct cage_oci *oci,
		     cage_err_t *err)
{
	int pfd = cage_pin_pidfd(p, u->name); /* the common case: the cage is there */
	if (pfd >= 0)
		return pfd;
	if (ensure(p, u, oci, err) < 0)
		return -1;
	pfd = cage_pin_pidfd(p, u->name);
	return pfd >= 0 ? pfd : cage_err_set(err, "the cage of %s is gone (unmounted meanwhile?)", u->name);
}

/* One setns() on the pin's pidfd joins all four namespaces at once: the
 * pin cannot die, nor its pid be reused, half way (kernel >= 5.8).  The
 * PID namespace is the one for children: the program is forked. */
static int join_namespaces(int pfd, const char *user, cage_err_t *err)
{
	if (setns(pfd, CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID) < 0)
		return cage_err_sys(err, errno, "cannot join the cage of %s", user);
	return 0;
}

/* argv, or the login shell SHELL ("-bash" when LOGIN): exec'd, so returns
 * only on failure. */
static int exec_command(char *const *argv, const char *shell, bool login, cage_err_t *err)
{
	char *own[2] = {(char *)shell, NULL};
	char **args = (char **)(argv && argv[0] ? argv : own);
	const char *path = args[0];
	_cleanup_free_ char *dash = NULL;
	if (!path || !path[0])
		return cage_err_set(err, "nothing to run");
	if (login && asprintf(&dash, "-%s", strrchr(path, '/') ? strrchr(path, '/') + 1 : path) >= 0)
		args[0] = dash;
	execvp(path, args);
	int e = errno;
	args[0] = (char *)path;
	return cage_err_sys(err, e, "cannot run %s", path);
}

/* A command root runs for a user (cagefs_enter_user: su -c's case) loses
 * root's terminal as its controlling terminal, so nothing it leaves behind
 * can push input into root's shell (TIOCSTI) or take the terminal's
 * foreground (TIOCSPGRP): both work only on one's controlling terminal.  A
 * new session does it; a process group leader (a shell's job) cannot make
 * one, and gives the terminal up with TIOCNOTTY, staying in root's job so
 * Ctrl-C still reaches it.  A session leader has no one's terminal to
 * protect.  A login shell keeps the terminal, as with su -. */
static void own_session(const struct cage_enter_opts *o)
{
	if (!o->on_behalf || !o->argv || !o->argv[0] || getsid(0) == getpid() || setsid() >= 0)
		return;
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0) {
		ioctl(tty, TIOCNOTTY);
		close(tty);
	}
}

/* The environment of a user's program that root started: the user's own
 * names, a plain PATH and the terminal type, nothing of root's. */
static char **user_env(const struct cage_user *u)
{
	static cage_strvec_t env; /* lives until exec */
	char *v = NULL;
	if (asprintf(&v, "HOME=%s", u->home) >= 0)
		cage_strvec_push_owned(&env, v);
	if (asprintf(&v, "USER=%s", u->name) >= 0)
		cage_strvec_push_owned(&env, v);
	if (asprintf(&v, "LOGNAME=%s", u->name) >= 0)
		cage_strvec_push_owned(&env, v);
	if (asprintf(&v, "SHELL=%s", u->shell) >= 0)
		cage_strvec_push_owned(&env, v);
	cage_strvec_push(&env, "PATH=/usr/local/bin:/usr/bin:/bin");
	push_term(&env);
	return env.v;
}

/* Manual ("Running Command Inside CageFS"): a user whose CageFS is
 * disabled runs the command without a cage, as themselves, with every
 * privilege of ours gone.  Run by root for the user (cagefs_enter_user),
 * it gets nothing of root's either: no open file, not root's working
 * directory but the user's home, not root's environment, not root's
 * terminal session (own_session) — what the caged path gives too. */
static int run_uncaged(const struct cage_user *u, const struct cage_enter_opts *o, const char *why,
		       cage_err_t *err)
{
	cage_notice("CageFS does not apply to %s (%s): running without a cage", u->name, why);
	cage_inherited_restore(o->inherited); /* while root: hard limits go back up */
	if (geteuid() == 0 && initgroups(u->name, u->gid) < 0)
		return cage_err_sys(err, errno, "cannot take the groups of %s", u->name);
	if (setresgid(u->gid, u->gid, u->gid) < 0 || setresuid(u->uid, u->uid, u->uid) < 0)
		return cage_err_sys(err, errno, "cannot become %s", u->name);
	if (o->on_behalf) {
		syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
		if (chdir(u->home) < 0 && chdir("/") < 0)
			return cage_err_sys(err, errno, "chdir");
		environ = user_env(u);
		own_session(o);
	}
	return exec_command(o->argv, u->shell, o->login, err);
}

/* What every way into U's cage does first (an entry, a PAM session): read
 * its config.json into OCI, take a pidfd of its pin (building the cage if
 * there is none), make the seccomp filter ready in FILTER when FILTERED,
 * and join its namespaces.  A root process joining a user's cage must not
 * be inspectable by the user before it has dropped everything
 * (CVE-2016-8649 class): non-dumpable first. */
static int join_cage(const struct cage_paths *p, const struct cage_user *u, bool filtered, struct cage_oci *oci,
		     struct cage_seccomp_prog *filter, cage_err_t *err)
{
	struct timespec mtime = {0};
	if (cage_bundle_config(p, u, oci, &mtime, err) < 0)
		return -1;
	_cleanup_close_ int pfd = pin_pidfd(p, u, oci, err);
	if (pfd < 0 || (filtered && prepare_seccomp(p, u->name, oci, mtime, filter, err) < 0))
		return -1;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return join_namespaces(pfd, u->name, err);
}

/* The entering process, once the program is forked: it stays outside
 * the cage's PID namespace as the relay (relay.c), holding nothing — no fd
 * but the caller's stdio, no privilege: the user's (or, for cagefsctl
 * --enter, root's) own process that only waits. */
static void become_relay(const struct cage_user *u, const struct cage_enter_opts *o, pid_t child, int tty,
			 bool new_session)
{
	syscall(SYS_close_range, 3, ~0U, 0);
	if (!o->as_root && (setgroups(0, NULL) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
			    setresuid(u->uid, u->uid, u->uid) < 0))
		cage_warn("the relay of %s stays root", u->name);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	cage_relay(child, tty, new_session, o->on_behalf && !o->as_root && !new_session);
}

/* In the cage's PID namespace: the caller's limits back, drop to the user
 * (or stay root for cagefsctl --enter), the walls, exec.  Returns only on
 * failure. */
static int start_program(const struct cage_user *u, const struct cage_oci *oci, const struct cage_enter_opts *o,
			 struct cage_seccomp_prog *filter, cage_err_t *err)
{
	cage_inherited_restore(o->inherited); /* while root: hard limits go back up */
	int rc = o->as_root ? 0 : drop_to_user(oci, err);
	if (rc == 0 && (oci->no_new_privs || !o->as_root) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		rc = cage_err_sys(err, errno, "no_new_privs");
	if (rc == 0 && chdir(o->as_root ? "/" : oci->cwd) < 0 && chdir("/") < 0)
		rc = cage_err_sys(err, errno, "chdir");
	char *const *argv = o->argv && o->argv[0] ? o->argv : oci->args.v;
	if (rc == 0 && (!argv || !argv[0]))
		rc = cage_err_set(err, "nothing to run for %s", u->name);
	if (rc == 0 && !o->as_root) {
		cage_stdio_no_dirs();
		rc = cage_landlock_enter(err);
	}
	if (rc == 0 && !o->as_root)
		rc = cage_seccomp_load(filter, err);
	if (rc < 0)
		return -1;
	/* The program ends with its relay (killed by SIGKILL, say). */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* No fd of ours may reach the user's program (CVE-2024-21626). */
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	environ = build_env(oci, o->as_root);
	exec_command(argv, NULL, o->login, err);
	return cage_err_prefix(err, "in the cage of %s", u->name);
}

/* Join U's cage and start the program in it (start_program); this process
 * becomes its relay.  Returns only on failure. */
static int enter_cage(const struct cage_paths *p, const struct cage_user *u,
		      const struct cage_enter_opts *o, cage_err_t *err)
{
	_cleanup_oci_ struct cage_oci oci = {0};
	_cleanup_seccomp_prog_ struct cage_seccomp_prog filter = {0};
	/* The user's limits cgroup before the join (§4.17): the relay and
	 * the program are both counted; root's own entry is not limited. */
	if (!o->as_root && cage_limits_join(p, u, err) < 0)
		return cage_err_prefix(err, "%s", u->name);
	if (join_cage(p, u, !o->as_root, &oci, &filter, err) < 0)
		return -1;
	/* A command root runs for a user (cagefs_enter_user: su -c's case)
	 * gets a session of its own, so nothing it leaves behind can push input
	 * into root's terminal (TIOCSTI) or take its foreground (TIOCSPGRP):
	 * both work only on one's controlling terminal.  A login shell keeps
	 * the terminal, as with su -. */
	bool new_session = o->on_behalf && o->argv && o->argv[0], foreground = false;
	int tty = new_session ? -1 : cage_controlling_tty(&foreground);
	pid_t child = fork();
	if (child < 0)
		return cage_err_sys(err, errno, "cannot start in the cage of %s (did it end meanwhile?)", u->name);
	if (child > 0)
		become_relay(u, o, child, tty, new_session);
	cage_relay_child(foreground ? tty : -1, new_session);
	return start_program(u, &oci, o, &filter, err);
}

int cage_enter(const struct cage_paths *p, const char *user, const struct cage_enter_opts *o,
	       cage_err_t *err)
{
	struct cage_user own;
	const struct cage_user *u = o->user;
	if (!u && cage_user_lookup(user, &own, err) < 0)
		return -1;
	u = u ? u : &own;
	struct cage_decision d;
	int caged = decide(p, u, &d, err);
	if (caged > 0)
		enter_cage(p, u, o, err);
	else if (caged == 0 && o->uncaged_ok)
		run_uncaged(u, o, d.why, err);
	else if (caged == 0)
		cage_err_set(err, "%s is not caged: %s", u->name, d.why);
	if (u == &own)
		cage_user_free(&own);
	return -1;
}

/* ---- a session process moves in (the PAM module) ---- */

static int join_session(const struct cage_paths *p, const struct cage_user *u, cage_err_t *err)
{
	_cleanup_oci_ struct cage_oci oci = {0};
	_cleanup_seccomp_prog_ struct cage_seccomp_prog filter = {0};
	if (join_cage(p, u, true, &oci, &filter, err) < 0)
		return -1;
	cage_stdio_no_dirs();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return cage_err_sys(err, errno, "no_new_privs");
	if (cage_landlock_enter(err) < 0 || cage_seccomp_load(&filter, err) < 0)
		return -1;
	return 1;
}

/* The order is the point (docs/ARCHITECTURE.md §4.16, §4.17): the user's
 * limits cgroup first, so that a session's -c cgroups are made below it;
 * both before the join, which takes /sys/fs/cgroup out of the process's
 * view (its mount namespace) and out of its reach (Landlock). */
int cage_session_join(const struct cage_paths *p, const char *user, const char *cgroups,
		      struct cage_session_cg **cg, char *why, size_t whysize, cage_err_t *err)
{
	*cg = NULL;
	struct cage_user u;
	if (cage_user_lookup(user, &u, err) < 0)
		return -1;
	struct cage_decision d;
	int rc = decide(p, &u, &d, err);
	if (rc > 0 && cage_limits_join(p, &u, err) < 0)
		rc = -1;
	if (rc >= 0 && cgroups && cage_session_cg_open(cgroups, user, u.uid, u.gid, cg, err) < 0)
		rc = cage_err_prefix(err, "cannot make the session's cgroups");
	if (rc > 0 && join_session(p, &u, err) < 0) {
		rc = -1;
		if (*cg) { /* no session: its cgroups go */
			cage_session_cg_close(*cg);
			cage_session_cg_free(*cg);
			*cg = NULL;
		}
	}
	if (rc == 0 && why)
		snprintf(why, whysize, "%s", d.why);
	cage_user_free(&u);
	return rc < 0 ? cage_err_prefix(err, "%s: refused", user) : rc;
}

/* ---- listing and unmounting ---- */

int cage_list_live(const struct cage_paths *p, cage_strvec_t *out, cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_path_join(p->run, "cages");
	_cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
	if (!d && errno != ENOENT)
		return cage_err_sys(err, errno, "cannot read %s", dir);
	for (struct dirent *de; d && (de = readdir(d));) {
		size_t n = strlen(de->d_name);
		if (n <= 4 || strcmp(de->d_name + n - 4, ".pid"))
			continue;
		de->d_name[n - 4] = '\0';
		if (cage_pin_pid(p, de->d_name) && cage_strvec_push(out, de->d_name) < 0)
			return cage_err_sys(err, ENOMEM, "list");
	}
	/* and pins no record names (§4.3): --unmount-all must reach them too */
	struct cage_pin_found *found;
	size_t n;
	if (cage_pins_scan(NULL, &found, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (cage_strvec_push(out, found[i].user) < 0) {
			free(found);
			return cage_err_sys(err, ENOMEM, "list");
		}
	free(found);
	cage_strvec_sort_unique(out);
	return 0;
}

int cage_ns_inode(const struct cage_paths *p, const char *user, ino_t *ino, cage_err_t *err)
{
	(void)err;
	*ino = 0;
	_cleanup_close_ int fd = cage_pin_open(p, user, "mnt");
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0)
		*ino = st.st_ino;
	return 0;
}

/* Every process is looked at (the kernel keeps no list of a namespace's
 * members), so this costs per process on the host: readlinkat() of the ns
 * link, relative to /proc, is the cheapest test (a stat() would make the
 * kernel set up an nsfs inode for each). */
int cage_pids(const struct cage_paths *p, const char *user, pid_t **pids, size_t *n, cage_err_t *err)
{
	ino_t ns;
	*pids = NULL;
	*n = 0;
	if (cage_ns_inode(p, user, &ns, err) < 0 || !ns)
		return ns ? -1 : 0;
	char want[64];
	int wlen = snprintf(want, sizeof(want), "mnt:[%llu]", (unsigned long long)ns);
	_cleanup_closedir_ DIR *d = opendir("/proc");
	size_t cap = 0;
	/* The pin is the cage's anchor, not one of the user's processes. */
	pid_t pin = cage_pin_pid(p, user);
	for (struct dirent *de; d && (de = readdir(d));) {
		char path[64], link[64];
		long pid = strtol(de->d_name, NULL, 10);
		snprintf(path, sizeof(path), "%ld/ns/mnt", pid);
		if (pid <= 0 || pid == pin || readlinkat(dirfd(d), path, link, sizeof(link)) != wlen ||
		    memcmp(link, want, (size_t)wlen))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			pid_t *v = realloc(*pids, cap * sizeof(pid_t));
			if (!v)
				return cage_err_sys(err, ENOMEM, "pids");
			*pids = v;
		}
		(*pids)[(*n)++] = (pid_t)pid;
	}
	return 0;
}

/* SIGKILL PID if, once a pidfd holds it, it is still in the mount
 * namespace NS: a pid that ended and was reused since the scan is never
 * killed. */
static int kill_in_ns(pid_t pid, ino_t ns)
{
	_cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	if (pfd < 0 || stat(path, &st) < 0 || st.st_ino != ns)
		return 0;
	return syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) == 0;
}

/* A pin of USER, recorded or not. */
static bool has_pin(const struct cage_paths *p, const char *user)
{
	if (cage_pin_pid(p, user))
		return true;
	struct cage_pin_found *found = NULL;
	size_t n = 0;
	cage_err_t e = {0};
	cage_pins_scan(user, &found, &n, &e);
	free(found);
	return n > 0;
}

int cage_unmount(const struct cage_paths *p, const char *user, bool kill_them, cage_err_t *err)
{
	if (!has_pin(p, user))
		return 0;
	_cleanup_close_ int lock = user_lock(p, user, err);
	if (lock < 0)
		return -1;
	ino_t ns = 0;
	cage_ns_inode(p, user, &ns, err);
	if (kill_them && ns) {
		/* Kill until none is left: a process may fork while we scan. */
		for (int round = 0; round < 20; round++) {
			pid_t *pids;
			size_t n;
			if (cage_pids(p, user, &pids, &n, err) < 0)
				return -1;
			size_t killed = 0;
			for (size_t i = 0; i < n; i++)
				killed += kill_in_ns(pids[i], ns);
			free(pids);
			if (!killed)
				break;
			usleep(10000);
		}
	}
	return cage_pin_release(p, user, err);
}

/* RUN/DIR/USER.SUFFIX removed: 1 if it was there. */
static int remove_state(const struct cage_paths *p, const char *dir, const char *user, const char *suffix,
			cage_err_t *err)
{
	char f[4352];
	snprintf(f, sizeof(f), "%s/%s/%s%s", p->run, dir, user, suffix);
	if (unlink(f) == 0)
		return 1;
	return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot remove %s", f);
}

/* The lock file goes last, once nothing of the cage is left to lock: an
 * account that is gone has no entry that could be waiting on it. */
int cage_forget(const struct cage_paths *p, const char *user, cage_err_t *err)
{
	if (!user[0] || strchr(user, '/') || user[0] == '.')
		return cage_err_set(err, "'%.64s' is not a user name", user);
	int live = has_pin(p, user);
	if (cage_unmount(p, user, true, err) < 0)
		return -1;
	int bpf = remove_state(p, "seccomp", user, ".bpf", err);
	int lock = bpf < 0 ? -1 : remove_state(p, "locks", user, "", err);
	return lock < 0 ? -1 : (live || bpf || lock);
}
