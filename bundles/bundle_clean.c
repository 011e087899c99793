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
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

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

static int remove_path(const char *path, cage_err_t *err)
{
	_cleanup_free_ char *norm = cage_path_normalize(path);
	if (!norm || !strcmp(norm, "/"))
		return cage_err_set(err, "refusing to remove %s", path);
	char *slash = strrchr(norm, '/');
	*slash = '\0';
	_cleanup_close_ int dfd = open(norm[0] ? norm : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot open %s", norm);
	return cage_rm_rf_at(dfd, slash + 1, err);
}

int cage_remove_all(const struct cage_paths *p, cage_err_t *err)
{
	if (cage_global_set(p, false, err) < 0 || cage_mode_set(p, false, err) < 0)
		return -1;
	char target[4096];
	ssize_t n = readlink(p->skeleton, target, sizeof(target) - 1);
	if (n > 0) { /* a moved skeleton: remove where it lives, then the link */
		target[n] = '\0';
		_cleanup_free_ char *dir = strdup(p->skeleton);
		_cleanup_free_ char *abs = NULL;
		if (!dir)
			return cage_err_sys(err, ENOMEM, "path");
		*strrchr(dir, '/') = '\0';
		abs = target[0] == '/' ? strdup(target) : cage_path_join(dir, target);
		if (!abs || remove_path(abs, err) < 0)
			return -1;
	}
	static const char *const suffixes[] = {"", ".cagefs-new", ".bak"};
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *s = NULL;
		if (asprintf(&s, "%s%s", p->skeleton, suffixes[i]) < 0 || remove_path(s, err) < 0)
			return -1;
	}
	return remove_path(p->var, err);
}
