/* Is a process in a user's own cage?  Asked by proxyexecd of every caller
 * (docs/ARCHITECTURE.md §4.18): a user's process outside the cage, or in
 * another user's, must not get what the proxy gives a caged caller. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cagefs/cleanup.h"

/* The namespace TYPE of PID and of USER's pin, as nsfs inodes. */
static int same_ns(const struct cage_paths *p, const char *user, pid_t pid, const char *type, cage_err_t *err)
{
	char path[64];
	struct stat mine, pin;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, type);
	if (stat(path, &mine) < 0)
		return cage_err_sys(err, errno, "cannot read the %s namespace of process %d", type, pid);
	_cleanup_close_ int fd = cage_pin_open(p, user, type);
	if (fd < 0)
		return 0; /* no live cage: nobody is in it */
	if (fstat(fd, &pin) < 0)
		return cage_err_sys(err, errno, "the cage of %s", user);
	return mine.st_dev == pin.st_dev && mine.st_ino == pin.st_ino;
}

int cage_pid_in_cage(const struct cage_paths *p, const char *user, int pidfd, pid_t pid, cage_err_t *err)
{
	int mnt = same_ns(p, user, pid, "mnt", err);
	int pidns = mnt > 0 ? same_ns(p, user, pid, "pid", err) : mnt;
	if (pidns < 0)
		return -1;
	/* PID named PIDFD's process while we looked: a pid that ended and was
	 * reused meanwhile is never taken for the caller. */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return cage_err_sys(err, errno, "the calling process %d is gone", pid);
	return pidns;
}
