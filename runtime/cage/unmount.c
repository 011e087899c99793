/* cagefsctl --unmount-dir DIR (manual, "Users" options): DIR and every
 * mount below it are detached inside one user's live cage, which stays.
 * The mounts are found in the cage's own mount table, read with libmount's
 * table API: a mount stacked on DIR, or one made below it (a %% directory
 * inside a shared one), goes too, newest first.  Never followed: a symlink
 * the user put at a mount point's path (UMOUNT_NOFOLLOW).
 * A file of its own, so that the entering programs, which never unmount,
 * are not linked with libmount (docs/ARCHITECTURE.md §4.13). */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libmount/libmount.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

/* Whether TARGET is DIR or below it. */
static bool at_or_below(const char *target, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(target, dir, n) && (target[n] == '\0' || target[n] == '/');
}

/* The number of mounts detached, -1 if the table cannot be read.  The table
 * is the pin's, read from the host's /proc before joining (paths relative to
 * the cage's root): inside, /proc is the cage's own, where this process, in
 * the host's PID namespace, has no /proc/self (§4.15). */
static int detach_all(pid_t pin, int nsfd, const char *dir)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", pin);
	struct libmnt_table *tab = mnt_new_table_from_file(path);
	if (!tab || setns(nsfd, CLONE_NEWNS) < 0) {
		mnt_unref_table(tab);
		return -1;
	}
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_BACKWARD);
	struct libmnt_fs *fs;
	int n = tab && it ? 0 : -1;
	while (n >= 0 && mnt_table_next_fs(tab, it, &fs) == 0) {
		const char *target = mnt_fs_get_target(fs);
		if (target && at_or_below(target, dir) && umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			n++;
	}
	mnt_free_iter(it);
	mnt_unref_table(tab);
	return n;
}

int cage_unmount_dir(const struct cage_paths *p, const char *user, const char *dir, cage_err_t *err)
{
	_cleanup_free_ char *norm = cage_path_normalize(dir);
	if (!norm || !strcmp(norm, "/"))
		return cage_err_set(err, "%s: not an absolute path below /", dir);
	pid_t pin = cage_pin_pid(p, user);
	_cleanup_close_ int fd = cage_pin_open(p, user, "mnt");
	if (fd < 0 || !pin)
		return 0;
	int sv[2];
	if (pipe2(sv, O_CLOEXEC) < 0)
		return cage_err_sys(err, errno, "pipe");
	pid_t child = fork();
	if (child == 0) {
		close(sv[0]);
		int n = detach_all(pin, fd, norm);
		_exit(write(sv[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	close(sv[1]);
	int n = -1;
	if (child > 0 && read(sv[0], &n, sizeof(n)) != sizeof(n))
		n = -1;
	close(sv[0]);
	while (child > 0 && waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (child < 0)
		return cage_err_sys(err, errno, "fork");
	return n < 0 ? cage_err_set(err, "cannot read the mount table of the cage of %s", user) : n;
}
