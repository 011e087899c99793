/* Apply a skeleton plan to a tree, in place (docs/ARCHITECTURE.md §4.8
 * "Idempotent and atomic"): every entry that differs is built under a
 * temporary name in its directory and renamed over the old one, so a
 * kill -9 at any moment leaves each file either old or new, never
 * half-written, and live cages keep working.  Leftover temporaries are
 * removed by the next run.  Entries are applied in path order (directories
 * first); removals come last. */
#define _GNU_SOURCE
#include "skel_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

#define TMP_PREFIX ".cagefs-new."

struct apply {
	const struct skel_plan *plan;
	const struct skel_apply_opts *o;
	struct cage_skel_stats *st;
	int rootfd;
	char *parent;     /* cached parent directory path and fd */
	int parentfd;
	unsigned seq;
	struct skel_scope scope; /* --update-list */
	size_t total, done;      /* entries to check, checked */
	struct timespec last_progress;
};

static void progress(struct apply *a, bool final)
{
	if (!a->o->progress)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - a->last_progress.tv_sec) * 1000 +
		  (now.tv_nsec - a->last_progress.tv_nsec) / 1000000;
	if (!final && ms < 200)
		return;
	a->last_progress = now;
	fprintf(stderr, "\r%zu/%zu entries checked, %zu added, %zu updated, %.1f MiB copied%s",
		a->done, a->total, a->st->added, a->st->updated,
		(double)a->st->bytes / (1024.0 * 1024.0), final ? "\n" : "");
}

/* ---- scope of --update-list (scope.c) ---- */

static bool in_scope(const struct apply *a, size_t i)
{
	return !a->o->only || a->scope.in[i];
}

/* ---- directories ---- */

static int parent_fd(struct apply *a, const char *path, const char **base, cage_err_t *err)
{
	const char *slash = strrchr(path, '/');
	*base = slash + 1;
	size_t len = (size_t)(slash - path);
	if (len == 0)
		return a->rootfd;
	if (a->parent && strlen(a->parent) == len && !strncmp(a->parent, path, len))
		return a->parentfd;
	free(a->parent);
	if (a->parentfd >= 0)
		close(a->parentfd);
	a->parent = strndup(path, len);
	a->parentfd = a->parent ? cage_open_beneath(a->rootfd, a->parent, O_PATH | O_DIRECTORY, 0, err)
				: -1;
	if (a->parentfd < 0) {
		free(a->parent);
		a->parent = NULL;
		return -1;
	}
	return a->parentfd;
}

static void forget_parent(struct apply *a)
{
	free(a->parent);
	a->parent = NULL;
	if (a->parentfd >= 0)
		close(a->parentfd);
	a->parentfd = -1;
}

/* ---- comparing ---- */

static bool same_link(int dfd, const char *base, const char *want)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dfd, base, buf, sizeof(buf) - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return !strcmp(buf, want);
}

static bool same_content(int dfd, const char *base, const struct skel_entry *e)
{
	_cleanup_close_ int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	_cleanup_free_ char *data = malloc(e->content_len + 1);
	if (!data)
		return false;
	ssize_t n = pread(fd, data, e->content_len + 1, 0);
	return n == (ssize_t)e->content_len && !memcmp(data, e->content, e->content_len);
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Does the existing entry `cur` already match e?  For directories only the
 * type matters here (metadata is fixed in place, children are kept). */
static bool is_same(const struct skel_entry *e, const struct stat *cur, int dfd, const char *base)
{
	if ((cur->st_mode & S_IFMT) != (e->st.st_mode & S_IFMT))
		return false;
	if (S_ISDIR(cur->st_mode))
		return true;
	if (cur->st_uid != e->st.st_uid || cur->st_gid != e->st.st_gid)
		return false;
	if (S_ISLNK(cur->st_mode))
		return e->link && same_link(dfd, base, e->link);
	if ((cur->st_mode & 07777) != skel_wanted_mode(e))
		return false;
	if (S_ISCHR(cur->st_mode) || S_ISBLK(cur->st_mode))
		return cur->st_rdev == e->st.st_rdev;
	if (e->content)
		return cur->st_size == (off_t)e->content_len && same_content(dfd, base, e);
	if (cur->st_dev == e->st.st_dev && cur->st_ino == e->st.st_ino)
		return true; /* -k: the very same inode */
	return cur->st_size == e->st.st_size && same_time(&cur->st_mtim, &e->st.st_mtim);
}

/* ---- creating ---- */

static int copy_data(int in, int out, off_t size, uint64_t *bytes)
{
	off_t left = size;
	while (left > 0) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP))
			n = sendfile(out, in, NULL, (size_t)left);
		if (n < 0)
			return -1;
		if (n == 0)
			break; /* file shrank meanwhile */
		left -= n;
		*bytes += (uint64_t)n;
	}
	return 0;
}

static int set_meta(int fd, const struct stat *st, mode_t mode)
{
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	/* chown before chmod: chown clears setuid bits we may want to keep. */
	if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, mode) < 0)
		return -1;
	return futimens(fd, times);
}

static int make_copy(struct apply *a, const struct skel_entry *e, int dfd, const char *tmp)
{
	_cleanup_close_ int in = open(e->path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	if (in < 0 || fstat(in, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	_cleanup_close_ int out = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0 || copy_data(in, out, st.st_size, &a->st->bytes) < 0)
		return -1;
	struct skel_entry now = *e;
	now.st = st;
	return set_meta(out, &st, skel_wanted_mode(&now));
}

static bool can_hardlink(const struct apply *a, const struct skel_entry *e)
{
	return a->o->hardlink && !e->content && skel_wanted_mode(e) == (e->st.st_mode & 07777);
}

static int make_file(struct apply *a, const struct skel_entry *e, int dfd, const char *tmp)
{
	if (e->content) {
		_cleanup_close_ int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, e->content, e->content_len) != (ssize_t)e->content_len)
			return -1;
		return fchmod(fd, skel_wanted_mode(e));
	}
	if (can_hardlink(a, e)) {
		if (linkat(AT_FDCWD, e->path, dfd, tmp, 0) == 0)
			return 0;
		if (errno != EXDEV && errno != EPERM && errno != EMLINK)
			return -1;
	}
	return make_copy(a, e, dfd, tmp);
}

static int make_other(const struct skel_entry *e, int dfd, const char *tmp)
{
	const struct stat *st = &e->st;
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	if (S_ISLNK(st->st_mode)) {
		if (symlinkat(e->link, dfd, tmp) < 0 ||
		    fchownat(dfd, tmp, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		return utimensat(dfd, tmp, times, AT_SYMLINK_NOFOLLOW);
	}
	if (S_ISDIR(st->st_mode)) {
		if (mkdirat(dfd, tmp, 0700) < 0 || fchownat(dfd, tmp, st->st_uid, st->st_gid, 0) < 0)
			return -1;
		return fchmodat(dfd, tmp, skel_wanted_mode(e), 0);
	}
	/* device node */
	if (mknodat(dfd, tmp, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0 ||
	    fchownat(dfd, tmp, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(dfd, tmp, skel_wanted_mode(e), 0) < 0)
		return -1;
	return utimensat(dfd, tmp, times, AT_SYMLINK_NOFOLLOW);
}

/* Put the new entry in place.  A type change between directory and
 * non-directory cannot be a plain rename: exchange, then remove the old. */
static int install(int dfd, const char *tmp, const char *base, bool exists, bool type_changed,
		   cage_err_t *err)
{
	if (!type_changed || !exists) {
		if (renameat(dfd, tmp, dfd, base) == 0)
			return 0;
		return cage_err_sys(err, errno, "cannot rename into %s", base);
	}
	if (renameat2(dfd, tmp, dfd, base, RENAME_EXCHANGE) < 0)
		return cage_err_sys(err, errno, "cannot exchange %s", base);
	return cage_rm_rf_at(dfd, tmp, err);
}

static int replace(struct apply *a, const struct skel_entry *e, int dfd, const char *base,
		   const struct stat *cur, cage_err_t *err)
{
	char tmp[64];
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%ld.%u", (long)getpid(), a->seq++);
	int rc = S_ISREG(e->st.st_mode) ? make_file(a, e, dfd, tmp) : make_other(e, dfd, tmp);
	if (rc < 0) {
		int saved = errno;
		cage_rm_rf_at(dfd, tmp, NULL);
		/* A source that vanished since planning is not an error. */
		if (saved == ENOENT) {
			cage_info("vanished while copying, skipped: %s", e->path);
			return 0;
		}
		return cage_err_sys(err, saved, "cannot create %s", e->path);
	}
	bool type_changed = cur && (cur->st_mode & S_IFMT) != (e->st.st_mode & S_IFMT);
	if (install(dfd, tmp, base, cur != NULL, type_changed, err) < 0) {
		cage_rm_rf_at(dfd, tmp, NULL);
		return cage_err_prefix(err, "%s", e->path);
	}
	if (cur)
		a->st->updated++;
	else
		a->st->added++;
	cage_info("%s %s", cur ? "updated" : "added", e->path);
	return 0;
}

static int fix_dir_meta(struct apply *a, const struct skel_entry *e, int dfd, const char *base,
			const struct stat *cur, cage_err_t *err)
{
	mode_t want = skel_wanted_mode(e);
	if ((cur->st_mode & 07777) == want && cur->st_uid == e->st.st_uid && cur->st_gid == e->st.st_gid)
		return 0;
	_cleanup_close_ int fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, e->st.st_uid, e->st.st_gid) < 0 || fchmod(fd, want) < 0)
		return cage_err_sys(err, errno, "cannot set owner and mode of %s", e->path);
	a->st->updated++;
	cage_info("updated %s (owner/mode)", e->path);
	return 0;
}

static int apply_entry(struct apply *a, const struct skel_entry *e, cage_err_t *err)
{
	const char *base;
	int dfd = parent_fd(a, e->path, &base, err);
	if (dfd < 0)
		return cage_err_prefix(err, "%s", e->path);
	struct stat cur;
	bool exists = fstatat(dfd, base, &cur, AT_SYMLINK_NOFOLLOW) == 0;
	if (!exists && errno != ENOENT)
		return cage_err_sys(err, errno, "cannot stat %s in the skeleton", e->path);
	if (exists && is_same(e, &cur, dfd, base))
		return S_ISDIR(cur.st_mode) ? fix_dir_meta(a, e, dfd, base, &cur, err) : 0;
	if (exists && S_ISDIR(cur.st_mode))
		forget_parent(a); /* a cached fd may point below what we replace */
	return replace(a, e, dfd, base, exists ? &cur : NULL, err);
}

/* ---- removing what is no longer listed ---- */

static int clean_dir(struct apply *a, int dfd, const char *path, cage_err_t *err);

static int clean_entry(struct apply *a, int dfd, const char *path, const char *name,
		       unsigned char type, cage_err_t *err)
{
	_cleanup_free_ char *child = cage_path_join(path, name);
	if (!child)
		return cage_err_sys(err, ENOMEM, "path");
	bool stale_tmp = !strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX));
	bool removable = !a->o->only || skel_scope_removable(&a->scope, child);
	/* --update-list: what is above a listed path is looked into, not removed. */
	bool keep = cage_hash_get(&a->plan->index, child, NULL) ||
		    (!removable && skel_scope_above(&a->scope, child));
	if (!stale_tmp && keep) {
		if (type != DT_DIR || cage_is_mount_point_at(dfd, name) != 0)
			return 0; /* never clean inside something mounted on the skeleton */
		_cleanup_close_ int cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		return cfd < 0 ? 0 : clean_dir(a, cfd, child, err);
	}
	if (!stale_tmp && (a->o->dont_clean || !removable))
		return 0;
	/* The system logger's socket in the skeleton (manual: "Syslog",
	 * docs/ARCHITECTURE.md §4.22) is the logger's, never ours to remove. */
	if (type == DT_SOCK && !strcmp(child, "/dev/log"))
		return 0;
	if (cage_rm_rf_at(dfd, name, err) < 0)
		return cage_err_prefix(err, "removing %s", child);
	if (!stale_tmp) {
		a->st->removed++;
		cage_info("removed %s", child);
	}
	return 0;
}

static int clean_dir(struct apply *a, int dfd, const char *path, cage_err_t *err)
{
	int rfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return cage_err_sys(err, errno, "cannot read %s", path);
	_cleanup_closedir_ DIR *d = fdopendir(rfd);
	if (!d) {
		close(rfd);
		return cage_err_sys(err, errno, "cannot read %s", path);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		unsigned char type = de->d_type;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		}
		if (clean_entry(a, dfd, path, de->d_name, type, err) < 0)
			return -1;
	}
	return 0;
}

int skel_apply(const struct skel_plan *plan, int rootfd, const struct skel_apply_opts *o,
	       struct cage_skel_stats *st, cage_err_t *err)
{
	struct apply a = {.plan = plan, .o = o, .st = st, .rootfd = rootfd, .parentfd = -1};
	clock_gettime(CLOCK_MONOTONIC, &a.last_progress);
	int rc = -1;
	if (o->only && skel_scope_build(plan, o->only, &a.scope, err) < 0)
		return -1;
	/* The entries checked: every one planned, or those the list covers. */
	a.total = st->entries = o->only ? a.scope.n : plan->n;
	for (size_t i = 0; i < plan->n; i++) {
		if (!in_scope(&a, i))
			continue;
		if (apply_entry(&a, &plan->e[i], err) < 0)
			goto out;
		if ((a.done++ & 255) == 0)
			progress(&a, false);
	}
	forget_parent(&a);
	if (clean_dir(&a, rootfd, "/", err) < 0)
		goto out;
	syncfs(rootfd); /* one flush instead of an fsync per file */
	rc = 0;
out:
	progress(&a, true);
	forget_parent(&a);
	skel_scope_free(&a.scope);
	return rc;
}
