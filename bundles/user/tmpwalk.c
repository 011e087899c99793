/* The walk of tmpwatch (docs/ARCHITECTURE.md §4.20), run by a child that
 * has already become the user: whatever a bug or a race could make it do,
 * the kernel lets it do only what the user could do anyway.  On top of
 * that, the user's tree is walked through directory fds only: every
 * directory is opened one component at a time below the previous one with
 * openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_XDEV), so a
 * directory swapped for a symlink mid-run is refused, not followed, and no
 * mount is entered; an entry is judged by statx(AT_SYMLINK_NOFOLLOW) and
 * removed by unlinkat() relative to its directory, so only that name goes
 * (a hardlink to someone else's file loses one name, the file is never
 * opened, truncated or changed). */
#define _GNU_SOURCE
#include "tmpwatch_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/hashset.h"
#include "cagefs/safefs.h"

/* Deeper trees are left alone: one fd and one DIR per level. */
#define MAX_DEPTH 200
/* Entries looked at per user and run: a tree made to cost more is the
 * user's problem, reported, and the run goes on to the next user. */
#define MAX_ENTRIES 5000000

struct walk {
	const struct cage_tmpwatch_cmd *cmd;
	time_t now;
	uint64_t mnt_id;   /* the mount of the directory being cleaned */
	dev_t dev;
	struct tw_report *rep;
	/* Directories walked in this run (inode numbers, one device): a user
	 * who renames a walked directory ahead of the walk (inotify tells
	 * when) makes it be walked again, as often as there are directories
	 * ahead (attack-tmpwatch.t); each is walked once, so the work stays
	 * linear in what the user owns. */
	cage_hashset_t seen;
	unsigned long entries;
	bool capped;
};

/* Whether the directory ST is walked for the first time in this run. */
static bool first_walk(struct walk *w, const struct statx *st)
{
	char key[32];
	snprintf(key, sizeof(key), "%llu", (unsigned long long)st->stx_ino);
	return cage_hash_add(&w->seen, key, 1) == 1;
}

char *tw_cage_rel(const char *path)
{
	_cleanup_free_ char *n = cage_path_normalize(path);
	if (!n || !strcmp(n, "/"))
		return NULL;
	static const char *const tmps[] = {"/tmp", "/var/tmp"};
	for (size_t i = 0; i < 2; i++) {
		size_t l = strlen(tmps[i]);
		if (!strncmp(n, tmps[i], l) && (n[l] == '/' || !n[l])) {
			char *r = NULL;
			return asprintf(&r, "tmp%s", n + l) < 0 ? NULL : r;
		}
	}
	return strdup(n + 1);
}

static void note(struct tw_report *rep, const char *fmt, ...)
{
	size_t used = strlen(rep->msg);
	if (used + 8 >= sizeof(rep->msg))
		return;
	if (used)
		used += (size_t)snprintf(rep->msg + used, sizeof(rep->msg) - used, "; ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rep->msg + used, sizeof(rep->msg) - used, fmt, ap);
	va_end(ap);
	rep->own = 1;
}

/* One directory below DFD, neither through a symlink nor onto another
 * mount.  Old kernels (no openat2): O_NOFOLLOW and a mount-id check. */
static int open_below(int dfd, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd;
	while ((fd = syscall(SYS_openat2, dfd, rel, &how, sizeof(how))) < 0 && errno == EAGAIN)
		;
	if (fd >= 0 || errno != ENOSYS)
		return (int)fd;
	int f = cage_open_beneath(dfd, rel, O_RDONLY | O_DIRECTORY, 0, NULL);
	uint64_t a, b;
	if (f >= 0 && (cage_mount_id(dfd, "", &a) < 0 || cage_mount_id(f, "", &b) < 0 || a != b)) {
		close(f);
		errno = EXDEV;
		return -1;
	}
	return f;
}

static time_t later(time_t a, time_t b) { return a > b ? a : b; }

/* tmpwatch(8): the latest of the chosen times (atime if none); for a
 * directory, -c means its mtime, and -M its mtime only. */
static bool is_old(const struct walk *w, const struct statx *st, bool dir)
{
	const struct cage_tmpwatch_cmd *c = w->cmd;
	time_t t = 0;
	bool atime = c->atime || !(c->mtime || c->ctime);
	if (dir && c->dirmtime)
		t = st->stx_mtime.tv_sec;
	else {
		if (atime)
			t = later(t, st->stx_atime.tv_sec);
		if (c->mtime || (dir && c->ctime))
			t = later(t, st->stx_mtime.tv_sec);
		if (c->ctime && !dir)
			t = later(t, st->stx_ctime.tv_sec);
	}
	return t < w->now - c->max_age;
}

/* AT_STATX_DONT_SYNC: a FUSE server of the user's is not asked. */
static int stat_entry(int dfd, const char *name, struct statx *st)
{
	return statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC,
		     STATX_BASIC_STATS | STATX_MNT_ID, st);
}

static bool same_mount(const struct walk *w, const struct statx *st)
{
	if (st->stx_mask & STATX_MNT_ID)
		return st->stx_mnt_id == w->mnt_id;
	return makedev(st->stx_dev_major, st->stx_dev_minor) == w->dev;
}

/* A directory fd still names what was judged by stat_entry: a swap in
 * between (rename, symlink) is a skip, never a walk of something else. */
static int open_checked(int dfd, const char *name, const struct statx *st)
{
	int fd = open_below(dfd, name);
	struct stat now;
	if (fd >= 0 && (fstat(fd, &now) < 0 || now.st_ino != st->stx_ino ||
			now.st_dev != makedev(st->stx_dev_major, st->stx_dev_minor))) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/* Calls FN for each entry of DFD with its statx; DFD stays open. */
typedef void (*entry_fn)(struct walk *w, int dfd, const char *name, const struct statx *st,
			 unsigned depth, long arg);
static void each_entry(struct walk *w, int dfd, unsigned depth, long arg, entry_fn fn)
{
	int fd = dup(dfd);
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		w->rep->r.skipped++;
		return;
	}
	for (struct dirent *de; (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (++w->entries > MAX_ENTRIES) {
			if (!w->capped)
				note(w->rep, "more than %d entries in one run: the rest is left for the next run",
				     MAX_ENTRIES);
			w->capped = true;
			return;
		}
		struct statx st;
		if (stat_entry(dfd, de->d_name, &st) < 0) {
			w->rep->r.skipped += errno != ENOENT;
			continue;
		}
		if (same_mount(w, &st)) /* a mount point is never touched */
			fn(w, dfd, de->d_name, &st, depth, arg);
	}
}

static void remove_entry(struct walk *w, int dfd, const char *name, int flags, size_t *count)
{
	if (unlinkat(dfd, name, flags) == 0)
		(*count)++;
	else if (errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
		w->rep->r.skipped++;
}

static void tmp_entry(struct walk *w, int dfd, const char *name, const struct statx *st,
		      unsigned depth, long arg);

static void tmp_dir(struct walk *w, int dfd, const char *name, const struct statx *st, unsigned depth)
{
	/* tmpwatch(8) skips a lost+found of root's: fsck's place. */
	if (depth >= MAX_DEPTH || (!strcmp(name, "lost+found") && st->stx_uid == 0)) {
		w->rep->r.skipped += depth >= MAX_DEPTH;
		return;
	}
	if (!first_walk(w, st))
		return; /* not even opened again: see struct walk */
	_cleanup_close_ int sub = open_checked(dfd, name, st);
	if (sub < 0) {
		w->rep->r.skipped += errno != ENOENT;
		return;
	}
	each_entry(w, sub, depth + 1, 0, tmp_entry);
	/* Judged by its times before the walk (the walk changes them);
	 * rmdir removes it only if it is empty now. */
	if (!w->cmd->nodirs && is_old(w, st, true))
		remove_entry(w, dfd, name, AT_REMOVEDIR, &w->rep->r.dirs);
}

static void tmp_entry(struct walk *w, int dfd, const char *name, const struct statx *st,
		      unsigned depth, long arg)
{
	(void)arg;
	mode_t t = st->stx_mode & S_IFMT;
	if (t == S_IFDIR) {
		tmp_dir(w, dfd, name, st, depth);
		return;
	}
	bool kind_ok = t == S_IFREG || (t == S_IFLNK && !w->cmd->nosymlinks) ||
		       (w->cmd->all && (t == S_IFSOCK || t == S_IFIFO));
	if (kind_ok && is_old(w, st, false))
		remove_entry(w, dfd, name, 0, &w->rep->r.files);
}

/* PHP sessions: regular files sess_* whose ctime is older than their
 * lifetime (the manual's rule), in the directory and DEPTH levels below. */
static void sess_entry(struct walk *w, int dfd, const char *name, const struct statx *st,
		       unsigned depth, long lifetime)
{
	mode_t t = st->stx_mode & S_IFMT;
	if (t == S_IFDIR && depth > 0) {
		if (!first_walk(w, st))
			return;
		_cleanup_close_ int sub = open_checked(dfd, name, st);
		if (sub < 0)
			w->rep->r.skipped += errno != ENOENT;
		else
			each_entry(w, sub, depth - 1, lifetime, sess_entry);
		return;
	}
	if (t == S_IFREG && !strncmp(name, "sess_", 5) && st->stx_ctime.tv_sec < w->now - lifetime)
		remove_entry(w, dfd, name, 0, &w->rep->r.sessions);
}

/* Open ~/.cagefs/REL for a walk; a missing one is nothing to do. */
static int open_top(struct walk *w, int cagefd, const char *rel)
{
	int fd = open_below(cagefd, rel);
	if (fd < 0) {
		if (errno != ENOENT)
			note(w->rep, "~/.cagefs/%s: %s", rel,
			     errno == ELOOP || errno == ENOTDIR ? "a symlink or not a directory (never followed): not cleaned"
			     : errno == EXDEV ? "on another mount (not cleaned)" : strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || cage_mount_id(fd, "", &w->mnt_id) < 0) {
		note(w->rep, "~/.cagefs/%s: %s", rel, strerror(errno));
		close(fd);
		return -1;
	}
	w->dev = st.st_dev;
	return fd;
}

static void clean_tmp_dirs(struct walk *w, const struct cage_tmpwatch_conf *c, int cagefd)
{
	for (size_t i = 0; i < c->dirs.n; i++) {
		_cleanup_free_ char *rel = tw_cage_rel(c->dirs.v[i]);
		_cleanup_close_ int fd = rel ? open_top(w, cagefd, rel) : -1;
		if (fd >= 0)
			each_entry(w, fd, 0, 0, tmp_entry);
	}
}

static void clean_sessions(struct walk *w, const struct cage_tmpwatch_conf *c, int cagefd)
{
	for (size_t i = 0; c->php_sessions && i < c->sess.n; i++) {
		const struct cage_php_sessdir *s = &c->sess.d[i];
		_cleanup_free_ char *rel = tw_cage_rel(s->path);
		_cleanup_close_ int fd = rel ? open_top(w, cagefd, rel) : -1;
		if (fd >= 0)
			each_entry(w, fd, s->depth, s->lifetime, sess_entry);
	}
}

/* ~/.cagefs, reached from "/" without a symlink below the home's own
 * path (resolved first: the directories above a home are root's). */
static int open_cagefs(const char *home, struct tw_report *rep)
{
	_cleanup_free_ char *real = realpath(home, NULL);
	if (!real)
		return -1; /* no home, nothing to clean */
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int homefd = root >= 0 ? cage_open_beneath(root, real, O_PATH | O_DIRECTORY, 0, NULL) : -1;
	if (homefd < 0)
		return -1;
	int fd = openat(homefd, ".cagefs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		note(rep, "~/.cagefs: %s", errno == ELOOP || errno == ENOTDIR
			 ? "a symlink or not a directory (never followed): nothing below it was cleaned" : strerror(errno));
	return fd;
}

void tw_clean_home(const struct cage_tmpwatch_conf *c, const char *home, time_t now,
		   struct tw_report *rep)
{
	struct walk w = {.cmd = &c->cmd, .now = now, .rep = rep};
	_cleanup_close_ int cagefd = open_cagefs(home, rep);
	if (cagefd >= 0) {
		clean_tmp_dirs(&w, c, cagefd);
		cage_hash_free(&w.seen); /* each pass walks each directory once */
		w.seen = (cage_hashset_t){0};
		clean_sessions(&w, c, cagefd);
	}
	cage_hash_free(&w.seen);
	rep->done = 1;
}
