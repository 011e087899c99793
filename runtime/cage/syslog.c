/* A /dev/log in every cage (manual: "Syslog"; docs/ARCHITECTURE.md §4.22).
 *
 * The manual's way: the system logger listens in the skeleton too
 * (/etc/rsyslog.d/schroot.conf: $AddUnixListenSocket SKELETON/dev/log),
 * and that socket is the cage's /dev/log, so a user's cron jobs and
 * programs are logged; removing that file (and restarting the logger)
 * removes it from the cages.  A cage's /dev is a tmpfs of its own, which
 * covers the skeleton's dev/log: the socket is taken as a detached mount
 * before the root is built, and attached on the new /dev before
 * pivot_root.  No socket there: no /dev/log, and the cage is built as
 * ever. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

int cage_syslog_take(const char *root)
{
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* The skeleton is root's; still, no symlink is followed to a socket
	 * elsewhere. */
	_cleanup_close_ int sock = rootfd >= 0 ? cage_open_beneath(rootfd, "dev/log", O_PATH, 0, NULL) : -1;
	struct stat st;
	if (sock < 0 || fstat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -1;
	int tree = (int)syscall(SYS_open_tree, sock, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	struct mount_attr a = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
	if (tree >= 0 && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0) {
		close(tree);
		return -1;
	}
	return tree;
}

int cage_syslog_attach(void *arg, cage_err_t *err)
{
	(void)err;
	const struct cage_syslog *s = arg;
	if (s->tree < 0)
		return 0;
	_cleanup_close_ int dev = open(s->dev, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = dev >= 0 ? openat(dev, "log", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666) : -1;
	if (fd >= 0)
		close(fd);
	/* Logging is no reason to refuse a cage: said, and built without. */
	if (fd < 0 || syscall(SYS_move_mount, s->tree, "", dev, "log", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		cage_warn("the cage has no /dev/log: %s", strerror(errno));
	return 0;
}
