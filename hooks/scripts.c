/* The administrator's scripts of ETC/hooks.d/EVENT/ (cagefs-hook(8),
 * docs/ARCHITECTURE.md §4.23): run after our part, in name order, each in
 * a process group of its own with a timeout, so that one hung or failing
 * script is reported and neither stops the others nor hangs the panel. */
#define _GNU_SOURCE
#include "cagefs/hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"
#include "cagefs/strvec.h"

static void add(struct cage_hook_report *r, const char *name, const char *why)
{
	struct cage_hook_script *s = realloc(r->scripts, (r->nscripts + 1) * sizeof(*s));
	if (!s)
		return;
	r->scripts = s;
	s[r->nscripts] = (struct cage_hook_script){.name = strdup(name)};
	snprintf(s[r->nscripts].why, sizeof(s->why), "%s", why);
	r->nscripts++;
	if (why[0]) {
		r->failed++;
		cage_warn("hooks.d script %s: %s", name, why);
	}
}

/* Root runs it: a file someone else may write is someone else's code. */
static const char *unsafe(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return "cannot be examined";
	if (!S_ISREG(st.st_mode))
		return "refused: not a regular file";
	if (st.st_uid != 0)
		return "refused: not owned by root";
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return "refused: writable by group or others";
	if (!(st.st_mode & S_IXUSR))
		return "refused: not executable";
	return NULL;
}

static pid_t start(const char *path, char *const *argv)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	setpgid(0, 0);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* stdout is the panel's (the --json report): scripts talk on stderr. */
	if (null < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0)
		_exit(126);
	/* argv[0] is the script's path, as a shell would give it. */
	size_t n = 0;
	while (argv[n])
		n++;
	char **a = calloc(n + 2, sizeof(char *));
	if (!a)
		_exit(126);
	a[0] = (char *)path;
	memcpy(a + 1, argv, n * sizeof(char *));
	execv(path, a);
	_exit(127);
}

/* Wait TIMEOUT seconds for PID; then its whole group is killed. */
static void wait_for(pid_t pid, unsigned timeout, char *why, size_t size)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pf = {.fd = pfd, .events = POLLIN};
	int ready = pfd < 0 ? 0 : poll(&pf, 1, (int)(timeout * 1000));
	if (pfd >= 0)
		close(pfd);
	if (ready <= 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (ready <= 0)
		snprintf(why, size, "timed out after %u s: killed", timeout);
	else if (WIFSIGNALED(st))
		snprintf(why, size, "killed by signal %d", WTERMSIG(st));
	else if (WEXITSTATUS(st))
		snprintf(why, size, "exit status %d", WEXITSTATUS(st));
}

/* A daemon a script started (setsid, double fork) leaves its group but,
 * cagefs-hook being a subreaper while scripts run, not us: whatever is
 * still our child once the script is done is ended, so nothing of a script
 * outlives it, holds the panel's stderr open, or runs unbounded.  Orphans
 * of what is killed come to us in turn: rounds until none is left. */
static void end_leftovers(void)
{
	for (int round = 0; round < 100; round++) {
		bool any = false;
		_cleanup_closedir_ DIR *d = opendir("/proc");
		for (struct dirent *de; d && (de = readdir(d));) {
			char path[64], buf[512];
			long pid = strtol(de->d_name, NULL, 10);
			snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
			_cleanup_close_ int fd = pid > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
			ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
			if (n <= 0)
				continue;
			buf[n] = '\0';
			const char *rp = strrchr(buf, ')'); /* the name may hold anything */
			int ppid = 0;
			if (rp && sscanf(rp + 1, " %*c %d", &ppid) == 1 && ppid == getpid()) {
				kill((pid_t)pid, SIGKILL);
				any = true;
			}
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!any)
			return;
		usleep(10000);
	}
}

static void run_one(const char *dir, int dirfd, const char *name, char *const *argv, unsigned timeout,
		    struct cage_hook_report *r)
{
	const char *bad = unsafe(dirfd, name);
	_cleanup_free_ char *path = cage_path_join(dir, name);
	char why[256] = "";
	if (bad || !path) {
		add(r, name, bad ? bad : "out of memory");
		return;
	}
	pid_t pid = start(path, argv);
	if (pid < 0)
		snprintf(why, sizeof(why), "cannot start: %s", strerror(errno));
	else
		wait_for(pid, timeout, why, sizeof(why));
	end_leftovers();
	add(r, name, why);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void cage_hook_scripts(const struct cage_paths *p, const char *event, char *const *argv, unsigned timeout,
		       struct cage_hook_report *r)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/hooks.d/%s", p->etc, event) < 0)
		return;
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d) {
		if (errno != ENOENT)
			add(r, dir, "cannot read the directory");
		return;
	}
	/* A directory someone else may write holds someone else's code. */
	struct stat st;
	if (fstat(dirfd(d), &st) < 0 || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		add(r, dir, "refused: the directory is not root's, or writable by group or others");
		return;
	}
	_cleanup_strvec_ cage_strvec_t names = {0};
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.' && cage_strvec_push(&names, de->d_name) < 0)
			add(r, de->d_name, "out of memory");
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), by_name);
	int was = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &was, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	for (size_t i = 0; i < names.n; i++)
		run_one(dir, dirfd(d), names.v[i], argv, timeout, r);
	prctl(PR_SET_CHILD_SUBREAPER, was, 0, 0, 0);
}
