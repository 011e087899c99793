#include "cagefs/lock.h"
#include "cagefs/cleanup.h"
#include "cagefs/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* The pid inside the lock file is informational (for the error message);
 * the flock is the lock, so a holder killed with -9 releases it at once. */
static void write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) < 0)
		cage_debug("cannot record pid in lock file");
}

static long read_pid(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	return n > 0 ? strtol(buf, NULL, 10) : 0;
}

int cage_lock_take(const char *path, bool wait, cage_err_t *err)
{
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return cage_err_sys(err, errno, "cannot open lock file %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return cage_err_sys(err, errno, "cannot lock %s", path);
		if (!wait)
			return cage_err_set(err,
					    "another cagefsctl (pid %ld) is running; "
					    "use --wait-lock to wait for it", read_pid(fd));
		cage_info("waiting for another cagefsctl (pid %ld) to finish", read_pid(fd));
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return cage_err_sys(err, errno, "cannot lock %s", path);
	}
	write_pid(fd);
	return CAGE_STEAL_FD(fd);
}
