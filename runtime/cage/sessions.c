/* Which live cages hold an SSH login (manual: cagefsctl --list-logged-in,
 * "list users that entered in CageFS via SSH"; docs/ARCHITECTURE.md §4.14).
 *
 * A process of a cage is in an SSH login if one of its ancestors is the
 * system's sshd running as root: a process whose real uid is 0 and whose
 * executable is /usr/sbin/sshd or /usr/lib/openssh/sshd-session (OpenSSH
 * 9.8 and later), compared by device and inode.  With privilege
 * separation that is the "sshd: USER [priv]" process above every session.
 * A name proves nothing: a user gives any process the name "sshd"
 * (PR_SET_NAME, a copy of a program called sshd), and can run the
 * real sshd binary as themselves; no user can start a process with real
 * uid 0, nor change the executable of one.
 *
 * The walk reads the host's /proc, so it goes on past the cage's first
 * process to the sshd outside the cage, whatever namespaces the cage has. */
#define _GNU_SOURCE
#include "cagefs/cage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"

/* Where Debian's OpenSSH puts the programs that run a session as root. */
static const char *const sshd_paths[] = {"/usr/sbin/sshd", "/usr/lib/openssh/sshd-session"};
#define N_SSHD (sizeof(sshd_paths) / sizeof(sshd_paths[0]))

/* An SSH login sits a few processes below sshd; a walk this long has
 * long left any session, and the bound keeps a user's chain of thousands
 * of processes from making every listing walk all of it. */
#define MAX_DEPTH 64

struct sshd_bins {
	struct stat st[N_SSHD];
	bool present[N_SSHD];
};

/* The parent pid of the process whose /proc directory DIR is, 0 if it is
 * gone.  The name in /proc/PID/stat may hold ')' and spaces: the fields
 * are read after the last ')'. */
static pid_t parent_of(int dir)
{
	char buf[512];
	_cleanup_close_ int fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "PID (NAME) S PPID ...": the name is at most 64 bytes, so the
	 * last ')' of the first 511 bytes is the one after it. */
	char *s = strrchr(buf, ')');
	if (!s || s[1] != ' ' || !s[2] || s[3] != ' ')
		return 0;
	char *end;
	long ppid = strtol(s + 4, &end, 10);
	return end != s + 4 && *end == ' ' && ppid > 0 ? (pid_t)ppid : 0;
}

/* The real uid of that process ("Uid:" of /proc/PID/status, whose name
 * line has newlines escaped), -1 if it cannot be read. */
static long real_uid(int dir)
{
	char buf[4096];
	_cleanup_close_ int fd = openat(dir, "status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *s = strstr(buf, "\nUid:\t");
	char *end;
	long uid = s ? strtol(s + 6, &end, 10) : -1;
	return s && end != s + 6 && uid >= 0 ? uid : -1;
}

/* The process is the system's sshd, running as root.  Its executable is
 * the binary by device and inode; or, after an upgrade replaced that
 * binary, the link reads "PATH (deleted)" for one of the paths, so that a
 * session that began before the upgrade still counts.  Either way only
 * root can have put that file there. */
static bool is_system_sshd(int dir, const struct sshd_bins *b)
{
	struct stat st;
	if (fstatat(dir, "exe", &st, 0) < 0)
		return false;
	bool match = false;
	for (size_t i = 0; i < N_SSHD && !match; i++)
		match = b->present[i] && st.st_dev == b->st[i].st_dev && st.st_ino == b->st[i].st_ino;
	if (!match) {
		char link[256];
		ssize_t n = readlinkat(dir, "exe", link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		for (size_t i = 0; i < N_SSHD && !match; i++) {
			size_t len = strlen(sshd_paths[i]);
			match = !strncmp(link, sshd_paths[i], len) && !strcmp(link + len, " (deleted)");
		}
	}
	return match && real_uid(dir) == 0;
}

/* PID has the system's sshd among its ancestors.  Each step holds the
 * parent's /proc directory open and then checks that the child still
 * names it as its parent: a directory fd stays with the process it was
 * opened on, so a pid reused meanwhile is never taken for an ancestor. */
static bool in_ssh_login(pid_t pid, const struct sshd_bins *b)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/%d", pid);
	_cleanup_close_ int cur = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int depth = 0; cur >= 0 && depth < MAX_DEPTH; depth++) {
		pid_t ppid = parent_of(cur);
		if (ppid <= 1)
			return false;
		snprintf(path, sizeof(path), "/proc/%d", ppid);
		int parent = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		bool same = parent >= 0 && parent_of(cur) == ppid;
		close(cur);
		cur = parent;
		if (!same)
			return false;
		if (is_system_sshd(cur, b))
			return true;
	}
	return false;
}

int cage_list_logged_in(const struct cage_paths *p, cage_strvec_t *out, cage_err_t *err)
{
	struct sshd_bins b = {0};
	for (size_t i = 0; i < N_SSHD; i++)
		b.present[i] = stat(sshd_paths[i], &b.st[i]) == 0;
	_cleanup_strvec_ cage_strvec_t live = {0};
	if (cage_list_live(p, &live, err) < 0)
		return -1;
	for (size_t i = 0; i < live.n; i++) {
		pid_t *pids;
		size_t n;
		bool ssh = false;
		if (cage_pids(p, live.v[i], &pids, &n, err) < 0)
			return -1;
		for (size_t k = 0; k < n && !ssh; k++)
			ssh = in_ssh_login(pids[k], &b);
		free(pids);
		if (ssh && cage_strvec_push(out, live.v[i]) < 0)
			return cage_err_sys(err, ENOMEM, "list");
	}
	return 0;
}
