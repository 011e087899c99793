/* Pinning a cage (docs/ARCHITECTURE.md §4.3): the process that built the
 * cage stays in it and holds its namespaces; RUN/cages/USER.pid names it
 * (with its start time, so a recycled pid is never taken for it).  Every
 * entry setns()es through a pidfd of it.  This adds no mount anywhere, so
 * the host's mount table gains nothing per user (systemd#36856), and a pin
 * that is killed (or a crash at any moment) just means the next entry
 * builds a new cage; processes already inside keep running.
 * The builder, a forked runtime (~250 KiB PSS), execs a tiny static program
 * (runtime/pin/cagefs-pin.c, compiled into the library) from a sealed memfd,
 * so a pin costs a few pages (~12 KiB) and no disk file is its exe.  Its pid
 * and start time survive the exec, so the record stays true.
 * A pin is moved out of the session that built the cage into a cgroup of
 * its own (cagefs.ini pin_cgroup=): left in the session's cgroup it would
 * keep that cgroup from being removed when the session ends (pam_cgfs
 * cleanup, a systemd session scope).
 * (Bind-mounting nsfs files into an older "holder" namespace was tried
 * first: on 6.x kernels namespace ids come from per-CPU batches, so the
 * kernel's loop check refuses such binds at random.) */
#define _GNU_SOURCE
#include "cage_internal.h"
#include "cagefs/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <dirent.h>

#include "cagefs/cleanup.h"
#include "cagefs/ini.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

static void pin_file(const struct cage_paths *p, const char *user, char *buf, size_t size)
{
	snprintf(buf, size, "%s/cages/%s.pid", p->run, user);
}

pid_t cage_pin_pid(const struct cage_paths *p, const char *user)
{
	char f[4096];
	_cleanup_free_ char *text = NULL;
	pin_file(p, user, f, sizeof(f));
	if (cage_read_file(f, 128, &text, NULL, NULL) < 0)
		return 0;
	long pid = 0;
	unsigned long long t = 0;
	if (sscanf(text, "%ld %llu", &pid, &t) != 2 || pid <= 1 || cage_proc_start_time((pid_t)pid) != t)
		return 0;
	return (pid_t)pid;
}

int cage_pin_record(const struct cage_paths *p, const char *user, pid_t pid, cage_err_t *err)
{
	char dir[4096], f[4096], text[64];
	snprintf(dir, sizeof(dir), "%s/cages", p->run);
	if ((mkdir(p->run, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST))
		return cage_err_sys(err, errno, "cannot create %s", dir);
	pin_file(p, user, f, sizeof(f));
	int n = snprintf(text, sizeof(text), "%d %llu\n", pid, cage_proc_start_time(pid));
	return cage_write_atomic(f, text, (size_t)n, 0600, err);
}

int cage_pin_open(const struct cage_paths *p, const char *user, const char *type)
{
	pid_t pid = cage_pin_pid(p, user);
	if (!pid) {
		errno = ENOENT;
		return -1;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, type);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* A pidfd of the pin, checked again after it was opened: a pid that died
 * and was reused between the check and the open is never taken for it. */
int cage_pin_pidfd(const struct cage_paths *p, const char *user)
{
	pid_t pid = cage_pin_pid(p, user);
	if (!pid) {
		errno = ENOENT;
		return -1;
	}
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0 && cage_pin_pid(p, user) != pid) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* What the kernel says of PID, for a pin: its real uid is 0 (no user can
 * make such a process), it is the first process of a PID namespace of its
 * own (NSpid ends in 1), and it runs the pin program from its sealed memfd;
 * then argv[0], which no one but root could have set, is "cage:USER".
 * Copies USER into NAME and returns true for a pin. */
static bool pin_identity(int procfd, const char *pid, char *name, size_t size)
{
	char path[320], buf[2048], exe[64];
	snprintf(path, sizeof(path), "%s/exe", pid);
	ssize_t n = readlinkat(procfd, path, exe, sizeof(exe) - 1);
	if (n <= 0 || (exe[n] = '\0', strcmp(exe, "/memfd:cagefs-pin (deleted)")))
		return false;
	snprintf(path, sizeof(path), "%s/status", pid);
	_cleanup_close_ int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *uid = strstr(buf, "\nUid:\t"), *nspid = strstr(buf, "\nNSpid:\t");
	char *eol = nspid ? strchr(nspid + 1, '\n') : NULL;
	/* "NSpid:\tHOSTPID\t1": two levels, first of the inner one */
	if (!uid || strncmp(uid + 6, "0\t", 2) || !nspid || !eol || eol - 2 <= nspid + 7 ||
	    strncmp(eol - 2, "\t1", 2))
		return false;
	close(fd);
	snprintf(path, sizeof(path), "%s/cmdline", pid);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 5 || memcmp(buf, "cage:", 5))
		return false;
	buf[n] = '\0';
	size_t len = strlen(buf + 5);
	if (!len || len >= size)
		return false;
	memcpy(name, buf + 5, len + 1);
	return true;
}

int cage_pins_scan(const char *user, struct cage_pin_found **out, size_t *count, cage_err_t *err)
{
	*out = NULL;
	*count = 0;
	_cleanup_closedir_ DIR *d = opendir("/proc");
	if (!d)
		return cage_err_sys(err, errno, "cannot read /proc");
	size_t cap = 0;
	for (struct dirent *de; (de = readdir(d));) {
		struct cage_pin_found f = {0};
		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    !pin_identity(dirfd(d), de->d_name, f.user, sizeof(f.user)) || (user && strcmp(user, f.user)))
			continue;
		f.pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (*count == cap) {
			cap = cap ? cap * 2 : 8;
			struct cage_pin_found *v = realloc(*out, cap * sizeof(*v));
			if (!v)
				return cage_err_sys(err, ENOMEM, "pins");
			*out = v;
		}
		(*out)[(*count)++] = f;
	}
	return 0;
}

/* Adopt a pin of USER that has no record (its record was removed, say):
 * a second cage is never built beside a live one.  1 if one was adopted. */
int cage_pin_adopt(const struct cage_paths *p, const char *user, cage_err_t *err)
{
	struct cage_pin_found *found;
	size_t n;
	if (cage_pins_scan(user, &found, &n, err) < 0)
		return -1;
	int rc = n ? cage_pin_record(p, user, found[0].pid, err) : 0;
	free(found);
	return rc < 0 ? -1 : n ? 1 : 0;
}

/* SIGKILL through PFD, then wait until the pin is gone: a pin that is
 * dying but not dead still looks like one, and the next entry (under the
 * same lock) must not adopt it. */
static int pin_end(int pfd, const char *user, cage_err_t *err)
{
	if (pfd < 0)
		return 0;
	if (syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) < 0)
		return errno == ESRCH ? 0 : cage_err_sys(err, errno, "cannot end the cage of %s", user);
	struct pollfd w = {.fd = pfd, .events = POLLIN};
	while (poll(&w, 1, 10000) < 0 && errno == EINTR)
		;
	return 0;
}

static int pin_kill(pid_t pid, const char *user, cage_err_t *err)
{
	_cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return pin_end(pfd, user, err);
}

/* The recorded pin and any pin of USER without a record: killing a pin
 * ends its PID namespace, so every process in that cage with it. */
int cage_pin_release(const struct cage_paths *p, const char *user, cage_err_t *err)
{
	_cleanup_close_ int pfd = cage_pin_pidfd(p, user);
	char f[4096];
	pin_file(p, user, f, sizeof(f));
	if (pin_end(pfd, user, err) < 0)
		return -1;
	struct cage_pin_found *found;
	size_t n;
	if (cage_pins_scan(user, &found, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = pin_kill(found[i].pid, user, err);
	free(found);
	if (rc == 0 && unlink(f) < 0 && errno != ENOENT)
		return cage_err_sys(err, errno, "cannot remove %s", f);
	return rc;
}

/* Absolute, no empty, "." or ".." component, nothing a cgroup name needs
 * quoting for. */
static bool cgroup_path_ok(const char *v)
{
	size_t n = strlen(v);
	return v[0] == '/' && n > 1 && n < 200 && v[n - 1] != '/' && !strstr(v, "//") && !strstr(v, "/.") &&
	       strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == n;
}

int cage_ini_cgroup(const struct cage_paths *p, const char *key, const char *dflt, char *out, size_t size,
		    cage_err_t *err)
{
	struct cage_ini ini = {0};
	if (cage_ini_load_etc(p, &ini, err) < 0)
		return -1;
	const struct cage_ini_entry *e = cage_ini_entry(&ini, key);
	const char *v = e ? e->value : dflt;
	int rc = 0;
	if ((v[0] && !cgroup_path_ok(v)) || strlen(v) >= size)
		rc = cage_err_set(err, "%s:%u: %s must be empty or an absolute cgroup path (letters, "
				  "digits, '-', '_', '.', no '.' after a '/'), not '%s'", ini.file, e ? e->line : 0,
				  key, v);
	else
		snprintf(out, size, "%s", v);
	cage_ini_free(&ini);
	return rc;
}

/* The bytes of runtime/pin/cagefs-pin (build/gen/pin_blob.c). */
extern const unsigned char cage_pin_blob[];
extern const size_t cage_pin_blob_len;

/* Become the pin program: a few pages instead of a forked runtime.
 * Returns only if that failed. */
static void pin_exec(char *name)
{
	/* Sealed: nothing (not even root through /proc/PIN/exe) can change the
	 * code a pin runs.  Under vm.memfd_noexec=2 the builder sleeps as it is. */
	int fd = cage_sealed_memfd("cagefs-pin", cage_pin_blob, cage_pin_blob_len);
	if (fd < 0)
		return;
	char *argv[] = {name, NULL};
	char *envp[] = {NULL};
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	close(fd);
}

/* The builder becomes the pin: nothing open, no signal from a session
 * (only SIGKILL ends it), asleep for as long as the cage lives.  It then
 * execs the pin program; should that fail, it sleeps as it is: a cage is
 * never left unpinned. */
void cage_pin_sleep(const char *user)
{
	char name[64];
	snprintf(name, sizeof(name), "cage:%s", user);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_IGN);
	setsid();
	syscall(SYS_close_range, 0, ~0U, 0);
	pin_exec(name);
	for (;;)
		pause();
}
