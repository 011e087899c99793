/* Symlink-safe path resolution and atomic writes (docs/ARCHITECTURE.md
 * §4.6, §4.8).
 * Why: a hosting user owns their home and can swap any component for a
 * symlink between our check and our use (runc CVE-2021-30465); resolving
 * every component relative to an fd with symlinks refused closes the race. */
#define _GNU_SOURCE
#include "cagefs/safefs.h"
#include "cagefs/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <unistd.h>

static int openat2_supported = -1; /* unknown until first try */

static int try_openat2(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	for (;;) {
		long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			return (int)fd;
		/* EAGAIN: a concurrent rename raced the lookup; retry. */
	}
}

/* Fallback for kernels < 5.6: walk one component at a time with O_NOFOLLOW. */
static int walk_nofollow(int dirfd, const char *path, int flags, mode_t mode)
{
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return -1;
	int cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return -1;
	char *save = NULL;
	char *part = strtok_r(copy, "/", &save);
	while (part) {
		char *next = strtok_r(NULL, "/", &save);
		if (strcmp(part, "..") == 0) {
			close(cur);
			errno = EXDEV;
			return -1;
		}
		int f = next ? (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			     : (flags | O_NOFOLLOW | O_CLOEXEC);
		int fd = openat(cur, part, f, mode);
		int saved = errno;
		close(cur);
		if (fd < 0) {
			errno = saved;
			return -1;
		}
		cur = fd;
		part = next;
	}
	return cur;
}

int cage_open_beneath(int dirfd, const char *path, int flags, mode_t mode, cage_err_t *err)
{
	while (*path == '/')
		path++;
	const char *rel = *path ? path : ".";
	int fd = -1;
	if (openat2_supported != 0) {
		fd = try_openat2(dirfd, rel, flags, mode);
		if (fd < 0 && errno == ENOSYS)
			openat2_supported = 0;
		else
			openat2_supported = 1;
	}
	if (openat2_supported == 0)
		fd = walk_nofollow(dirfd, rel, flags, mode);
	if (fd < 0) {
		int e = errno;
		if (e == ELOOP || e == EXDEV)
			return cage_err_sys(err, e, "refusing to follow a symlink or '..' in %s", rel);
		return cage_err_sys(err, e, "cannot open %s", rel);
	}
	return fd;
}

static bool bad_last_component(const char *base)
{
	return !*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0;
}

int cage_open_parent_beneath(int dirfd, const char *path, const char **base, cage_err_t *err)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (bad_last_component(*base))
		return cage_err_set(err, "invalid path %s", path);
	if (!slash)
		return cage_open_beneath(dirfd, ".", O_PATH | O_DIRECTORY, 0, err);
	_cleanup_free_ char *parent = strndup(path, (size_t)(slash - path));
	if (!parent)
		return cage_err_sys(err, ENOMEM, "path");
	return cage_open_beneath(dirfd, parent, O_PATH | O_DIRECTORY, 0, err);
}

int cage_mkdirs_beneath(int dirfd, const char *path, mode_t mode, bool want_read, cage_err_t *err)
{
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return cage_err_sys(err, ENOMEM, "path");
	int cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return cage_err_sys(err, errno, "dup");
	char *save = NULL;
	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			close(cur);
			return cage_err_set(err, "refusing '..' in %s", path);
		}
		if (mkdirat(cur, part, mode) < 0 && errno != EEXIST) {
			int e = errno;
			close(cur);
			return cage_err_sys(err, e, "cannot create directory %s in %s", part, path);
		}
		int fd = openat(cur, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(cur);
		if (fd < 0)
			return cage_err_sys(err, e, "refusing %s in %s: a symlink or not a directory",
					    part, path);
		cur = fd;
	}
	if (!want_read)
		return cur;
	int rfd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	close(cur);
	return rfd < 0 ? cage_err_sys(err, e, "cannot open %s", path) : rfd;
}

int cage_open_in_root(int rootfd, const char *path, int flags, cage_err_t *err)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	while ((fd = syscall(SYS_openat2, rootfd, path[0] ? path : "/", &how, sizeof(how))) < 0 &&
	       errno == EAGAIN)
		; /* a concurrent rename raced the lookup */
	return fd < 0 ? cage_err_sys(err, errno, "%s", path) : (int)fd;
}

/* Make the last component of PREFIX (whose parent exists), in the root. */
static int mkdir_last_in_root(int rootfd, char *prefix, mode_t mode)
{
	char *slash = strrchr(prefix, '/');
	if (slash)
		*slash = '\0';
	int pfd = cage_open_in_root(rootfd, slash ? prefix : "", O_PATH | O_DIRECTORY, NULL);
	if (slash)
		*slash = '/';
	int rc = pfd < 0 ? -1 : mkdirat(pfd, slash ? slash + 1 : prefix, mode);
	int e = errno;
	if (pfd >= 0)
		close(pfd);
	errno = e;
	return rc < 0 && errno != EEXIST ? -1 : 0;
}

int cage_mkdirs_in_root(int rootfd, const char *path, mode_t mode, cage_err_t *err)
{
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return cage_err_sys(err, ENOMEM, "path");
	size_t n = strlen(copy);
	int fd = -1;
	/* Each prefix is resolved from the root again: a symlink met on the way
	 * is followed inside the root, never out of it. */
	for (size_t i = 1; i <= n; i++) {
		if ((copy[i] != '/' && copy[i] != '\0') || copy[i - 1] == '/')
			continue;
		char c = copy[i];
		copy[i] = '\0';
		fd = cage_open_in_root(rootfd, copy, O_PATH | O_DIRECTORY, NULL);
		if (fd < 0 && errno == ENOENT && mkdir_last_in_root(rootfd, copy, mode) == 0)
			fd = cage_open_in_root(rootfd, copy, O_PATH | O_DIRECTORY, NULL);
		if (fd < 0)
			return cage_err_sys(err, errno, "cannot create directory %s", copy);
		copy[i] = c;
		if (c)
			close(fd);
	}
	return fd >= 0 ? fd : cage_open_in_root(rootfd, "", O_PATH | O_DIRECTORY, err);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int cage_write_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			 cage_err_t *err)
{
	if (strchr(name, '/') || bad_last_component(name))
		return cage_err_set(err, "invalid file name %s", name);
	char tmp[64];
	int fd = -1;
	for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
		snprintf(tmp, sizeof(tmp), ".cagefs-tmp.%ld.%d", (long)getpid(), attempt);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return cage_err_sys(err, errno, "cannot create temporary file for %s", name);
	}
	if (fd < 0)
		return cage_err_set(err, "cannot create temporary file for %s", name);
	if (write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return cage_err_sys(err, e, "cannot write %s", name);
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return cage_err_sys(err, e, "cannot replace %s", name);
	}
	fsync(dirfd); /* durability of the rename; failure is not fatal */
	return 0;
}

int cage_write_atomic(const char *path, const void *data, size_t len, mode_t mode, cage_err_t *err)
{
	const char *slash = strrchr(path, '/');
	if (!slash || path[0] != '/')
		return cage_err_set(err, "not an absolute path: %s", path);
	_cleanup_free_ char *dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (!dir)
		return cage_err_sys(err, ENOMEM, "path");
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return cage_err_sys(err, errno, "cannot open directory %s", dir);
	if (cage_write_atomic_at(dfd, slash + 1, data, len, mode, err) < 0)
		return cage_err_prefix(err, "%s", dir);
	return 0;
}

int cage_read_file_at(int dirfd, const char *name, size_t max, char **out, size_t *len,
		      cage_err_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cage_err_sys(err, errno, "cannot open %s", name);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return cage_err_sys(err, errno, "cannot stat %s", name);
	if (!S_ISREG(st.st_mode))
		return cage_err_set(err, "%s is not a regular file", name);
	size_t cap = 4096, used = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		return cage_err_sys(err, ENOMEM, "%s", name);
	for (;;) {
		if (used == cap) {
			if (cap >= max)
				return cage_err_sys(err, EFBIG, "%s", name);
			cap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb)
				return cage_err_sys(err, ENOMEM, "%s", name);
			buf = nb;
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cage_err_sys(err, errno, "cannot read %s", name);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*out = CAGE_STEAL_PTR(buf);
	if (len)
		*len = used;
	return 0;
}

int cage_read_file(const char *path, size_t max, char **out, size_t *len, cage_err_t *err)
{
	return cage_read_file_at(AT_FDCWD, path, max, out, len, err);
}

int cage_mount_id(int fd, const char *name, uint64_t *id)
{
	struct statx stx;
	if (statx(fd, name, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

int cage_is_mount_point_at(int dirfd, const char *name)
{
	uint64_t parent, child;
	if (cage_mount_id(dirfd, "", &parent) < 0 || cage_mount_id(dirfd, name, &child) < 0)
		return -1;
	return parent != child;
}

static int rm_children(int dfd, cage_err_t *err)
{
	int rfd = dup(dfd);
	if (rfd < 0)
		return cage_err_sys(err, errno, "dup");
	_cleanup_closedir_ DIR *d = fdopendir(rfd);
	if (!d) {
		close(rfd);
		return cage_err_sys(err, errno, "opendir");
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (cage_rm_rf_at(dfd, de->d_name, err) < 0)
			return -1;
	}
	return 0;
}

int cage_rm_rf_at(int dirfd, const char *name, cage_err_t *err)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return cage_err_sys(err, errno, "cannot remove %s", name);
	/* Never descend into a mount point: a bind mount of real data must not
	 * be emptied (docs/ARCHITECTURE.md §4.6: removal never crosses a
	 * mount). */
	if (cage_is_mount_point_at(dirfd, name) == 1)
		return cage_err_set(err, "%s is a mount point, not removing it", name);
	/* A directory: open it without following a symlink swapped in meanwhile. */
	_cleanup_close_ int dfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot open %s", name);
	if (rm_children(dfd, err) < 0)
		return cage_err_prefix(err, "%s", name);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return cage_err_sys(err, errno, "cannot remove directory %s", name);
	return 0;
}

int cage_rm_rf(const char *path, cage_err_t *err)
{
	_cleanup_free_ char *norm = cage_path_normalize(path);
	if (!norm || !strcmp(norm, "/"))
		return norm ? cage_err_set(err, "refusing to remove %s", path) : cage_err_sys(err, ENOMEM, "path");
	char *slash = strrchr(norm, '/');
	*slash = '\0';
	_cleanup_close_ int dfd = open(norm[0] ? norm : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot open %s", norm);
	return cage_rm_rf_at(dfd, slash + 1, err);
}

char *cage_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 0 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	char *out = NULL;
	if (asprintf(&out, "%.*s/%s", (int)la, a, b) < 0)
		return NULL;
	return out;
}

char *cage_path_normalize(const char *path)
{
	if (!path || path[0] != '/') {
		errno = EINVAL;
		return NULL;
	}
	size_t n = strlen(path);
	char *out = malloc(n + 2);
	if (!out)
		return NULL;
	size_t w = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *start = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - start);
		if (len == 0 || (len == 1 && start[0] == '.'))
			continue;
		if (len == 2 && start[0] == '.' && start[1] == '.') {
			while (w > 0 && out[w - 1] != '/')
				w--;
			if (w > 0)
				w--; /* drop the slash too */
			continue;
		}
		out[w++] = '/';
		memcpy(out + w, start, len);
		w += len;
	}
	if (w == 0)
		out[w++] = '/';
	out[w] = '\0';
	return out;
}
