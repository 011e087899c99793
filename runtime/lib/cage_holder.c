/* The pin holder (DESIGN.md §4): one process, started on demand, sitting in
 * a private mount namespace with a tmpfs at RUN/pins.  Each user's
 * namespaces are pinned by bind-mounting their nsfs files there, inside the
 * holder's namespace, so the host's mount table gains nothing per user
 * (systemd#36856), and every entry reaches them as
 * /proc/HOLDER/root/RUN/pins/USER.{mnt,ipc,uts}.  If the holder dies, the
 * pins go with it and the next entry starts a new holder and new cages;
 * processes already inside keep running. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/lock.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

#ifndef CAGE_SBINDIR
#define CAGE_SBINDIR "/usr/sbin"
#endif

static const char *const ns_types[] = {"mnt", "ipc", "uts"};

static char *run_file(const struct cage_paths *p, const char *name)
{
	return cage_path_join(p->run, name);
}

/* Field 22 of /proc/PID/stat: tells a live holder from a recycled pid;
 * 0 for a dead or zombie process. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *s = strrchr(buf, ')');
	if (!s || s[1] != ' ' || s[2] == 'Z' || s[2] == 'X')
		return 0;
	unsigned long long t = 0;
	for (int field = 2; s && *s; s++)
		if (*s == ' ' && ++field == 22) {
			t = strtoull(s + 1, NULL, 10);
			break;
		}
	return t;
}

static pid_t read_pidfile(const struct cage_paths *p)
{
	_cleanup_free_ char *f = run_file(p, "holder.pid");
	_cleanup_free_ char *text = NULL;
	if (!f || cage_read_file(f, 128, &text, NULL, NULL) < 0)
		return 0;
	long pid = 0;
	unsigned long long t = 0;
	if (sscanf(text, "%ld %llu", &pid, &t) != 2 || pid <= 1 || start_time((pid_t)pid) != t)
		return 0;
	return (pid_t)pid;
}

int cage_holder_main(const struct cage_paths *p)
{
	/* Signals from a terminal or a session must not end the holder. */
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGTERM)
			signal(s, SIG_IGN);
	setsid();
	_cleanup_free_ char *pins = run_file(p, "pins");
	if (!pins || unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("cagefs-pins", pins, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
		return 1;
	if (chdir("/") < 0)
		return 1;
	/* Tell the starter we are ready: fd 3 is its pipe. */
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(3, pid, (size_t)n) != n)
		return 1;
	close(3);
	int devnull = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3 && devnull >= 0; fd++)
		dup2(devnull, fd);
	for (;;)
		pause();
}

static const char *runtime_binary(void)
{
	const char *b = secure_getenv("CAGEFS_RUNTIME");
	return b && b[0] == '/' ? b : CAGE_SBINDIR "/cagefs-runtime";
}

/* The holder may be started by the setuid cagefs_enter on behalf of any
 * user: it must owe that user nothing: no uid the user could signal it
 * with, no rlimit the user chose (RLIMIT_CPU would kill it), no fd. */
static void sanitize_for_holder(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		_exit(126);
	umask(022);
	static const int unlimited[] = {RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_AS,
					RLIMIT_NPROC, RLIMIT_STACK};
	struct rlimit inf = {RLIM_INFINITY, RLIM_INFINITY}, files = {1024, 1024};
	for (size_t i = 0; i < sizeof(unlimited) / sizeof(*unlimited); i++)
		setrlimit(unlimited[i], &inf);
	setrlimit(RLIMIT_NOFILE, &files);
}

static int spawn_holder(const struct cage_paths *p, pid_t *out, cage_err_t *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return cage_err_sys(err, errno, "pipe");
	pid_t child = fork();
	if (child < 0)
		return cage_err_sys(err, errno, "fork");
	if (child == 0) {
		/* Double fork: the holder is nobody's child but init's. */
		if (fork() != 0)
			_exit(0);
		sanitize_for_holder();
		dup2(fds[1], 3);
		syscall(SYS_close_range, 4, ~0U, 0);
		const char *bin = runtime_binary();
		char *const env[] = {(char *)(uintptr_t)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
		execle(bin, "cagefs-runtime", "holder", (char *)NULL, env);
		_exit(127);
	}
	close(fds[1]);
	waitpid(child, NULL, 0);
	char buf[32] = "";
	ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	long pid = n > 0 ? strtol(buf, NULL, 10) : 0;
	if (pid <= 1)
		return cage_err_set(err, "cannot start the cage holder (%s holder)", runtime_binary());
	_cleanup_free_ char *f = run_file(p, "holder.pid");
	char text[64];
	int len = snprintf(text, sizeof(text), "%ld %llu\n", pid, start_time((pid_t)pid));
	if (!f || cage_write_atomic(f, text, (size_t)len, 0600, err) < 0)
		return -1;
	*out = (pid_t)pid;
	return 0;
}

int cage_holder_pid(const struct cage_paths *p, bool start, pid_t *pid, cage_err_t *err)
{
	*pid = read_pidfile(p);
	if (*pid || !start)
		return 0;
	if (mkdir(p->run, 0700) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create %s", p->run);
	_cleanup_free_ char *pins = run_file(p, "pins");
	_cleanup_free_ char *lockf = run_file(p, "holder.lock");
	if (!pins || !lockf || (mkdir(pins, 0700) < 0 && errno != EEXIST))
		return cage_err_sys(err, errno ? errno : ENOMEM, "cannot create %s", pins);
	_cleanup_close_ int lock = cage_lock_take(lockf, true, err);
	if (lock < 0)
		return -1;
	*pid = read_pidfile(p); /* someone else may have started it meanwhile */
	return *pid ? 0 : spawn_holder(p, pid, err);
}

void cage_pin_path(pid_t holder, const struct cage_paths *p, const char *user, const char *type,
		   char *buf, size_t size)
{
	snprintf(buf, size, "/proc/%d/root%s/pins/%s.%s", holder, p->run, user, type);
}

/* Run fn in a child that has joined the holder's mount namespace. */
static int in_holder(pid_t holder, int (*fn)(const struct cage_paths *, const char *, pid_t),
		     const struct cage_paths *p, const char *user, pid_t arg, cage_err_t *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", holder);
	_cleanup_close_ int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return cage_err_sys(err, errno, "cannot open the holder's namespace");
	pid_t child = fork();
	if (child < 0)
		return cage_err_sys(err, errno, "fork");
	if (child == 0)
		_exit(setns(ns, CLONE_NEWNS) < 0 ? 126 : fn(p, user, arg));
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return cage_err_set(err, "cannot %s the namespaces of %s (status %d)",
				    arg ? "pin" : "unpin", user, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

static int do_pin(const struct cage_paths *p, const char *user, pid_t pid)
{
	for (size_t i = 0; i < 3; i++) {
		char src[64], dst[4096];
		snprintf(src, sizeof(src), "/proc/%d/ns/%s", pid, ns_types[i]);
		snprintf(dst, sizeof(dst), "%s/pins/%s.%s", p->run, user, ns_types[i]);
		int fd = open(dst, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return 1;
		close(fd);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			return 2;
	}
	return 0;
}

static int do_unpin(const struct cage_paths *p, const char *user, pid_t unused)
{
	(void)unused;
	int rc = 0;
	/* mnt last: a half-unpinned cage is then still found and finished. */
	for (size_t i = 3; i-- > 0;) {
		char dst[4096];
		snprintf(dst, sizeof(dst), "%s/pins/%s.%s", p->run, user, ns_types[i]);
		while (umount2(dst, MNT_DETACH) == 0)
			;
		if (unlink(dst) < 0 && errno != ENOENT)
			rc = 1;
	}
	return rc;
}

int cage_pin(const struct cage_paths *p, pid_t holder, const char *user, pid_t pid, cage_err_t *err)
{
	return in_holder(holder, do_pin, p, user, pid, err);
}

int cage_unpin(const struct cage_paths *p, pid_t holder, const char *user, cage_err_t *err)
{
	return in_holder(holder, do_unpin, p, user, 0, err);
}
