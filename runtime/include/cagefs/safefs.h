/* Symlink-safe filesystem primitives (docs/ARCHITECTURE.md §4.6, runc
 * CVE-2021-30465).
 * Every path below a directory that someone else can write is resolved
 * relative to a trusted dirfd without following any symlink. */
#ifndef CAGEFS_SAFEFS_H
#define CAGEFS_SAFEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "cagefs/error.h"

/* Open `path` (relative; leading '/' ignored) beneath dirfd.  No component
 * may be a symlink, ".." may not escape, magic links refused.  Uses openat2
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS and falls back to
 * a component-by-component O_NOFOLLOW walk on kernels without openat2.
 * flags are open(2) flags for the last component (O_CLOEXEC is forced). */
int cage_open_beneath(int dirfd, const char *path, int flags, mode_t mode, cage_err_t *err);

/* Like cage_open_beneath for the parent of `path`; stores the last component
 * (pointer into path) in *base.  Refuses "", ".", "..", trailing '/'. */
int cage_open_parent_beneath(int dirfd, const char *path, const char **base, cage_err_t *err);

/* mkdir -p beneath dirfd without following symlinks; new directories get
 * `mode` (umask applies).  Returns an O_PATH|O_DIRECTORY fd of the result
 * (or a regular O_DIRECTORY fd if want_read). */
int cage_mkdirs_beneath(int dirfd, const char *path, mode_t mode, bool want_read, cage_err_t *err);

/* Open PATH in the tree of rootfd as if rootfd were "/" (openat2
 * RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS): symlinks and ".." are followed
 * but never leave it.  For trees that are one container's own (an ordinary
 * bundle's rootfs), where symlinks are normal; never for a user-writable
 * tree that is mounted elsewhere (use cage_open_beneath). */
int cage_open_in_root(int rootfd, const char *path, int flags, cage_err_t *err);
/* mkdir -p in rootfd's tree, resolved the same way; an O_PATH fd of it. */
int cage_mkdirs_in_root(int rootfd, const char *path, mode_t mode, cage_err_t *err);

/* Atomically replace dirfd/name with data: write a temp in the same directory,
 * fchmod, fsync, rename, fsync dir.  `name` must be a single component. */
int cage_write_atomic_at(int dirfd, const char *name, const void *data, size_t len,
			 mode_t mode, cage_err_t *err);
/* Path form: parent opened with cage_open_beneath(AT_FDCWD-rooted "/"). The
 * parent directory must be trusted (root-owned config/state dirs). */
int cage_write_atomic(const char *path, const void *data, size_t len, mode_t mode, cage_err_t *err);

/* Read a whole regular file (at most max bytes, else EFBIG).  *out is
 * NUL-terminated (not counted in *len). */
int cage_read_file(const char *path, size_t max, char **out, size_t *len, cage_err_t *err);
int cage_read_file_at(int dirfd, const char *name, size_t max, char **out, size_t *len,
		      cage_err_t *err);

/* The mount id (statx STATX_MNT_ID) of dirfd/name, not following a final
 * symlink; name "" means dirfd itself. */
int cage_mount_id(int dirfd, const char *name, uint64_t *id);
/* 1 if dirfd/name is on another mount than dirfd, 0 if not, -1 on error. */
int cage_is_mount_point_at(int dirfd, const char *name);

/* Remove a tree beneath dirfd without following symlinks (unlinkat only)
 * and without crossing into another mount (refused with an error). */
int cage_rm_rf_at(int dirfd, const char *name, cage_err_t *err);
/* The same for an absolute path (its parent is opened normally: for
 * root-owned trees only).  A missing path is not an error; "/" is refused. */
int cage_rm_rf(const char *path, cage_err_t *err);

/* Join two path pieces with exactly one '/'; returns malloc'd or NULL. */
char *cage_path_join(const char *a, const char *b);
/* Lexically normalize an absolute path: collapse '//' and '.', resolve '..'
 * lexically (never above '/').  Returns malloc'd or NULL (EINVAL if not absolute). */
char *cage_path_normalize(const char *path);

#endif
