/* Facts about processes read from /proc. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/cleanup.h"

/* Field 22 of /proc/PID/stat (start time in clock ticks since boot): with
 * the pid it names one process for good, since a recycled pid starts later.
 * 0 for a dead or zombie process. */
unsigned long long cage_proc_start_time(pid_t pid)
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
	for (int field = 2; *s; s++)
		if (*s == ' ' && ++field == 22) {
			t = strtoull(s + 1, NULL, 10);
			break;
		}
	return t;
}
