/* Whether cagefs-runtime may believe its state directory
 * (docs/ARCHITECTURE.md §4.11, "State directory trust").
 *
 * What the state directory holds decides what root does: state.json names
 * the process `kill` and `delete --force` signal, the copy of config.json
 * holds the poststop hooks `delete` runs, and "cgroups" the cgroups whose
 * processes `delete` kills.  Whoever can write there chooses all three, so
 * ROOT (the --root option), every directory on the way to it, the
 * container's directory and every file read from it must be such that
 * only root — or the caller, who can only harm themselves — can change
 * them: owned by root (or the caller), not writable by group or others, no
 * symlink anywhere.  Each component is opened with O_NOFOLLOW from "/" and
 * checked on its fd, so nothing can be swapped between the check and the
 * use (one openat2 RESOLVE_NO_SYMLINKS for the whole path would refuse the
 * symlinks, but not tell the owner and mode of each directory on the way).  A sticky directory on the way (/tmp) is allowed when root owns it:
 * no one else can rename or remove what root owns in it.  What fails is
 * refused with errnum CAGE_ERR_UNTRUSTED, naming the path and the reason. */
#define _GNU_SOURCE
#include "container_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

static int refuse(cage_err_t *err, const char *path, const char *why)
{
	cage_err_set(err, "untrusted state directory: %s is %s", path, why);
	if (err)
		err->errnum = CAGE_ERR_UNTRUSTED;
	return -1;
}

/* E handed up to the caller's ERR. */
static int pass(cage_err_t *err, const cage_err_t *e)
{
	if (err)
		*err = *e;
	return -1;
}

/* Why ST (a directory or a file) is not to be believed, or NULL.  ON_WAY:
 * a directory above the state directory, which may be sticky. */
static const char *why_not(const struct stat *st, bool dir, bool on_way, char *buf, size_t size)
{
	uid_t me = geteuid();
	if (S_ISLNK(st->st_mode))
		return "a symlink";
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return dir ? "not a directory" : "not a regular file";
	if (st->st_uid != 0 && st->st_uid != me) {
		if (me == 0)
			snprintf(buf, size, "owned by uid %u, not by root", (unsigned)st->st_uid);
		else
			snprintf(buf, size, "owned by uid %u, neither root nor the caller (uid %u)",
				 (unsigned)st->st_uid, (unsigned)me);
		return buf;
	}
	bool sticky_ok = on_way && st->st_uid == 0 && (st->st_mode & S_ISVTX);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !sticky_ok) {
		snprintf(buf, size, "writable by its group or others (mode %04o)", (unsigned)(st->st_mode & 07777));
		return buf;
	}
	return NULL;
}

/* One component NAME beneath DIRFD (PATH in messages), never followed if
 * a symlink, made (0700) if missing and MAKE, and checked as a directory
 * (or, FILE, a regular file): an O_PATH fd.  A missing one is an error
 * with errnum ENOENT. */
static int step_any(int dirfd, const char *name, const char *path, bool on_way, bool make, bool file,
		    cage_err_t *err)
{
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && make && (mkdirat(dirfd, name, 0700) == 0 || errno == EEXIST))
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cage_err_sys(err, errno, "cannot open %s", path);
	struct stat st;
	char buf[128];
	const char *why = fstat(fd, &st) < 0 ? "not to be examined (fstat failed)"
					     : why_not(&st, !file, on_way, buf, sizeof(buf));
	if (why) {
		close(fd);
		return refuse(err, path, why);
	}
	return fd;
}

static int step(int dirfd, const char *name, const char *path, bool on_way, bool make, cage_err_t *err)
{
	return step_any(dirfd, name, path, on_way, make, false, err);
}

/* ROOT as an absolute path (a relative --root is taken from the cwd). */
static char *absolute(const char *root)
{
	char cwd[PATH_MAX];
	if (root[0] == '/')
		return strdup(root);
	return getcwd(cwd, sizeof(cwd)) ? cage_path_join(cwd, root) : NULL;
}

/* ROOT, walked from "/" (its last component made if missing and MAKE). */
static int open_root(const char *root, bool make, cage_err_t *err)
{
	_cleanup_free_ char *abs = absolute(root), *seen = abs ? calloc(1, strlen(abs) + 2) : NULL;
	if (!seen)
		return cage_err_sys(err, ENOMEM, "state directory %s", root);
	int cur = step(AT_FDCWD, "/", "/", true, false, err);
	for (char *save = NULL, *c = strtok_r(abs, "/", &save); cur >= 0 && c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		strcat(strcat(seen, "/"), c);
		bool last = !save || !*save;
		int next = !strcmp(c, "..") ? refuse(err, seen, "a '..' component")
					    : step(cur, c, seen, !last, make && last, err);
		close(cur);
		cur = next;
	}
	return cur;
}

int cage_ctr_trust_root(const char *root, const char *below, bool file, cage_err_t *err)
{
	cage_err_t e = {0};
	_cleanup_free_ char *rest = below ? strdup(below) : NULL, *path = strdup(root);
	int fd = open_root(root, false, &e);
	for (char *save = NULL, *c = rest ? strtok_r(rest, "/", &save) : NULL; fd >= 0 && c;
	     c = strtok_r(NULL, "/", &save)) {
		char *longer = path ? cage_path_join(path, c) : NULL;
		free(path);
		path = longer;
		int next = path ? step_any(fd, c, path, false, false, file && !*save, &e) : cage_err_sys(&e, ENOMEM, "path");
		close(fd);
		fd = next;
	}
	if (fd >= 0)
		close(fd);
	/* What is not there yet holds nothing to believe. */
	return fd < 0 && e.errnum != ENOENT ? pass(err, &e) : 0;
}

int cage_ctr_topdir(const char *root, bool make, cage_err_t *err)
{
	_cleanup_close_ int r = open_root(root, make, err);
	_cleanup_free_ char *path = cage_path_join(root, "containers");
	if (r < 0 || !path)
		return r < 0 ? -1 : cage_err_sys(err, ENOMEM, "path");
	return step(r, "containers", path, false, make, err);
}

/* "container ID does not exist", with errnum ENOENT (callers tell it apart). */
static int no_such(cage_err_t *err, const char *id)
{
	cage_err_set(err, "container %s does not exist", id);
	if (err)
		err->errnum = ENOENT;
	return -1;
}

int cage_ctr_open_at(int top, const char *root, const char *id, cage_err_t *err)
{
	_cleanup_free_ char *path = cage_ctr_dir(root, id);
	if (!path)
		return cage_err_sys(err, ENOMEM, "path");
	if (!cage_ctr_id_valid(id))
		return no_such(err, id);
	cage_err_t e = {0};
	_cleanup_close_ int fd = step(top, id, path, false, false, &e);
	if (fd < 0)
		return e.errnum == ENOENT ? no_such(err, id) : pass(err, &e);
	/* Reopened through the checked fd: the very directory that was checked. */
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dfd < 0 ? cage_err_sys(err, errno, "cannot open %s", path) : dfd;
}

int cage_ctr_top_of(const char *root, const char *id, cage_err_t *err)
{
	cage_err_t e = {0};
	int top = cage_ctr_topdir(root, false, &e);
	return top >= 0 ? top : e.errnum == ENOENT ? no_such(err, id) : pass(err, &e);
}

int cage_ctr_open(const char *root, const char *id, cage_err_t *err)
{
	_cleanup_close_ int top = cage_ctr_top_of(root, id, err);
	return top < 0 ? -1 : cage_ctr_open_at(top, root, id, err);
}

/* At most MAX bytes of FD, NUL-terminated; -1 with errno (EFBIG: more). */
static int read_fd(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, used = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		return errno = ENOMEM, -1;
	for (;;) {
		if (used == cap) {
			if (cap >= max)
				return errno = EFBIG, -1;
			cap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb)
				return errno = ENOMEM, -1;
			buf = nb;
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR)
			return -1;
		used += n > 0 ? (size_t)n : 0;
	}
	buf[used] = '\0';
	*out = CAGE_STEAL_PTR(buf);
	if (len)
		*len = used;
	return 0;
}

int cage_ctr_read(int dirfd, const char *name, size_t max, char **out, size_t *len, cage_err_t *err)
{
	char dir[PATH_MAX] = "", fdpath[64], path[PATH_MAX + 256];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", dirfd);
	if (readlink(fdpath, dir, sizeof(dir) - 1) < 0)
		snprintf(dir, sizeof(dir), "(the container's directory)");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	char buf[128];
	if (fd < 0 && errno == ELOOP)
		return refuse(err, path, "a symlink");
	if (fd < 0 || fstat(fd, &st) < 0)
		return cage_err_sys(err, errno, "cannot open %s", path);
	const char *why = why_not(&st, false, false, buf, sizeof(buf));
	if (why)
		return refuse(err, path, why);
	return read_fd(fd, max, out, len) < 0 ? cage_err_sys(err, errno, "cannot read %s", path) : 0;
}
