/* Facts about processes read from /proc. */
#define _GNU_SOURCE
#include "cagefs/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3; older headers lack it */
#endif

/* MFD_EXEC keeps the memfd executable under vm.memfd_noexec=1 (and spares
 * the kernel's warning); kernels before 6.3 refuse the flag, and need none. */
int cage_sealed_memfd(const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	size_t done = 0;
	while (fd >= 0 && done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (fd >= 0 && (done < len ||
			fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

void cage_reexec_sealed(char **argv)
{
	char exe[64] = "";
	if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) > 0 && !strncmp(exe, "/memfd:", 7))
		return; /* this is the copy already */
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (src < 0 || fstat(src, &st) < 0 || st.st_size <= 0)
		return;
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, src, 0);
	if (map == MAP_FAILED)
		return;
	int fd = cage_sealed_memfd("cagefs-runtime", map, (size_t)st.st_size);
	munmap(map, (size_t)st.st_size);
	if (fd < 0)
		return;
	fexecve(fd, argv, environ);
	close(fd); /* (vm.memfd_noexec=2, say): go on as we are */
}
