/* The second wall of a cage: a Landlock domain per entry
 * (docs/ARCHITECTURE.md §4.15).  The PID namespace keeps every process
 * outside the cage out of sight; this keeps what a process in the cage
 * holds, but did not get from the cage, from leading out of it: a
 * directory fd of the host inherited from an uncaged caller, or passed in
 * over a unix socket by one of the user's uncaged processes (SCM_RIGHTS),
 * or a /proc/PID/root link should one be reachable.  The domain allows
 * every filesystem access beneath the cage's root — which is everything
 * the cage shows — and nothing anywhere else; the caller's terminal or log
 * file on fds 0-2 may be opened again (/dev/stdin, /dev/stderr).  Abstract
 * unix sockets are scoped to the domain: a process of this entry reaches
 * those made by this entry's processes only, never another user's (nor
 * the host's); the kernel gives them no owner to check.
 * On a kernel without Landlock the PID namespace stands alone. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cagefs/cleanup.h"

/* The kernel's ABI (include/uapi/linux/landlock.h), spelt out here because
 * Debian 12's headers predate ABI 5 and 6. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};
struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_ALL_V1 ((1ULL << 13) - 1)
#define LL_FS_REFER (1ULL << 13)    /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

int cage_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

static uint64_t fs_rights(int abi)
{
	uint64_t r = LL_FS_ALL_V1;
	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

static int add_rule(int ruleset, int fd, uint64_t allowed)
{
	struct ll_path_beneath pb = {.allowed_access = allowed, .parent_fd = fd};
	return (int)syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0);
}

/* fds 0-2 that are a file, a terminal or a FIFO: that file alone, for what
 * the fd could already do.  A directory gets nothing: it is the way out. */
static int allow_stdio(int ruleset, uint64_t rights, cage_err_t *err)
{
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
			continue;
		uint64_t file = rights & (LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV);
		if (add_rule(ruleset, fd, file) < 0 && errno != EBADFD) /* EBADFD: a pipe's internal fs */
			return cage_err_sys(err, errno, "landlock: fd %d", fd);
	}
	return 0;
}

void cage_stdio_no_dirs(void)
{
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0 && null != fd) {
			dup2(null, fd);
			close(null);
		}
	}
}

int cage_landlock_enter(cage_err_t *err)
{
	int abi = cage_landlock_abi();
	if (abi <= 0)
		return 0;
	struct ll_ruleset_attr attr = {.handled_access_fs = fs_rights(abi)};
	if (abi >= 6)
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET;
	_cleanup_close_ int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0)
		return cage_err_sys(err, errno, "landlock ruleset");
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || add_rule(rs, root, attr.handled_access_fs) < 0)
		return cage_err_sys(err, errno, "landlock: the cage's root");
	if (allow_stdio(rs, attr.handled_access_fs, err) < 0)
		return -1;
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		return cage_err_sys(err, errno, "landlock_restrict_self");
	return 0;
}
