/* --clean-var-cagefs and --remove-all (manual: option table, "Uninstalling").
 * Removal goes through cage_rm_rf_at: no symlink is followed and nothing
 * mounted is crossed, so no real file under a bind mount can be lost. */
#define _GNU_SOURCE
#include "cagefs/bundle.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"
#include "cagefs/skeleton.h"

static bool is_prefix_dir(const char *name)
{
	return isdigit((unsigned char)name[0]) && isdigit((unsigned char)name[1]) && !name[2];
}

/* A bundle belongs to a user that exists and has this prefix. */
static bool bundle_owner_exists(const char *prefix, const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return false;
	char want[3];
	cage_user_prefix(pw->pw_uid, want);
	return !strcmp(want, prefix);
}

static int clean_prefix(int varfd, const char *prefix, size_t *removed, cage_err_t *err)
{
	_cleanup_close_ int pfd = openat(varfd, prefix, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = pfd >= 0 ? dup(pfd) : -1;
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cage_err_sys(err, errno, "cannot read %s", prefix);
	}
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.' || bundle_owner_exists(prefix, de->d_name))
			continue;
		if (cage_rm_rf_at(pfd, de->d_name, err) < 0)
			return cage_err_prefix(err, "%s", prefix);
		cage_notice("removed %s/%s (no such user)", prefix, de->d_name);
		(*removed)++;
	}
	return 0;
}

int cage_bundles_clean(const struct cage_paths *p, size_t *removed, cage_err_t *err)
{
	*removed = 0;
	_cleanup_close_ int varfd = open(p->var, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (varfd < 0)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot open %s", p->var);
	int fd = dup(varfd);
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cage_err_sys(err, errno, "cannot read %s", p->var);
	}
	for (struct dirent *de; (de = readdir(d));)
		if (is_prefix_dir(de->d_name) && clean_prefix(varfd, de->d_name, removed, err) < 0)
			return cage_err_prefix(err, "%s", p->var);
	return 0;
}

/* PREFIX/USER removed when it is there and PREFIX is not KEEP. */
static int remove_in_prefix(int varfd, const char *prefix, const char *user, const char *keep, size_t *removed,
			    cage_err_t *err)
{
	if (keep && !strcmp(prefix, keep))
		return 0;
	_cleanup_close_ int pfd = openat(varfd, prefix, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (pfd < 0 || fstatat(pfd, user, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (cage_rm_rf_at(pfd, user, err) < 0)
		return cage_err_prefix(err, "%s/%s", prefix, user);
	(*removed)++;
	return 0;
}

/* Every prefix is looked in: a deleted account's uid is no longer known,
 * and a changed uid left the bundle under the old one's prefix. */
int cage_bundles_remove_user(const struct cage_paths *p, const char *user, const char *keep_prefix,
			     size_t *removed, cage_err_t *err)
{
	*removed = 0;
	if (!user[0] || user[0] == '.' || strchr(user, '/'))
		return cage_err_set(err, "'%.64s' is not a user name", user);
	_cleanup_close_ int varfd = open(p->var, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (varfd < 0)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot open %s", p->var);
	int fd = dup(varfd);
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cage_err_sys(err, errno, "cannot read %s", p->var);
	}
	for (struct dirent *de; (de = readdir(d));)
		if (is_prefix_dir(de->d_name) &&
		    remove_in_prefix(varfd, de->d_name, user, keep_prefix, removed, err) < 0)
			return cage_err_prefix(err, "%s", p->var);
	return 0;
}

int cage_remove_all(const struct cage_paths *p, cage_err_t *err)
{
	if (cage_global_set(p, false, err) < 0 || cage_mode_set(p, false, err) < 0)
		return -1;
	/* A moved skeleton: remove where it lives, then the link (below). */
	_cleanup_free_ char *real = cage_skeleton_realpath(p->skeleton, err);
	_cleanup_free_ char *norm = cage_path_normalize(p->skeleton);
	if (!real || !norm)
		return err && err->msg[0] ? -1 : cage_err_sys(err, ENOMEM, "path");
	if (strcmp(real, norm) && cage_rm_rf(real, err) < 0)
		return -1;
	static const char *const suffixes[] = {"", ".cagefs-new", ".bak"};
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *s = NULL;
		if (asprintf(&s, "%s%s", p->skeleton, suffixes[i]) < 0 || cage_rm_rf(s, err) < 0)
			return -1;
	}
	return cage_rm_rf(p->var, err);
}
