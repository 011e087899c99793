/* Who is caged: modes, lists, exclusions, the minimum uid (see users.h). */
#define _GNU_SOURCE
#include "cagefs/users.h"

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
#include "cagefs/ini.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

#define DEFAULT_MIN_UID 1000

static char *etc_file(const struct cage_paths *p, const char *name)
{
	return cage_path_join(p->etc, name);
}

static bool exists(const struct cage_paths *p, const char *name)
{
	_cleanup_free_ char *f = etc_file(p, name);
	return f && access(f, F_OK) == 0;
}

/* Create or remove an empty marker file. */
static int set_marker(const struct cage_paths *p, const char *name, bool present, cage_err_t *err)
{
	_cleanup_free_ char *f = etc_file(p, name);
	if (!f)
		return cage_err_sys(err, ENOMEM, "path");
	if (!present)
		return unlink(f) < 0 && errno != ENOENT ? cage_err_sys(err, errno, "cannot remove %s", f) : 0;
	if (mkdir(p->etc, 0755) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create %s", p->etc);
	int fd = open(f, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return cage_err_sys(err, errno, "cannot create %s", f);
	close(fd);
	return 0;
}

static char *dupnull(const char *s) { return strdup(s ? s : ""); }

int cage_user_lookup(const char *name, struct cage_user *u, cage_err_t *err)
{
	memset(u, 0, sizeof(*u));
	struct passwd pw, *res = NULL;
	char buf[16384];
	int rc = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (rc != 0)
		return cage_err_sys(err, rc, "cannot look up user %s", name);
	if (!res)
		return cage_err_set(err, "%s: no such user", name);
	u->name = strdup(pw.pw_name);
	u->gecos = dupnull(pw.pw_gecos);
	u->home = dupnull(pw.pw_dir);
	u->shell = dupnull(pw.pw_shell);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	if (!u->name || !u->gecos || !u->home || !u->shell) {
		cage_user_free(u);
		return cage_err_sys(err, ENOMEM, "user %s", name);
	}
	return 0;
}

void cage_user_free(struct cage_user *u)
{
	free(u->name);
	free(u->gecos);
	free(u->home);
	free(u->shell);
	memset(u, 0, sizeof(*u));
}

void cage_user_prefix(uid_t uid, char out[3])
{
	snprintf(out, 3, "%02u", (unsigned)(uid % 100));
}

/* UID_MIN from /etc/login.defs, as useradd(8) uses it. */
static uid_t login_defs_uid_min(void)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/login.defs", "re");
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (strncmp(s, "UID_MIN", 7) || !isspace((unsigned char)s[7]))
			continue;
		char *end;
		unsigned long v = strtoul(s + 7, &end, 10);
		if (end != s + 7 && v > 0 && v < 0x7fffffff)
			return (uid_t)v;
	}
	return DEFAULT_MIN_UID;
}

int cage_min_uid(const struct cage_paths *p, uid_t *out, cage_err_t *err)
{
	struct cage_ini ini = {0};
	if (cage_ini_load_etc(p, &ini, err) < 0)
		return -1;
	const char *v = cage_ini_get(&ini, "min_uid");
	int rc = 0;
	if (!v) {
		*out = login_defs_uid_min();
	} else {
		char *end;
		unsigned long n = strtoul(v, &end, 10);
		if (*end || end == v || n == 0 || n > 0x7fffffff)
			rc = cage_err_set(err, "%s: min_uid must be a positive number, not '%s'", ini.file, v);
		else
			*out = (uid_t)n;
	}
	cage_ini_free(&ini);
	return rc;
}

int cage_set_min_uid(const struct cage_paths *p, uid_t uid, cage_err_t *err)
{
	if (uid == 0)
		return cage_err_set(err, "the minimum uid must be at least 1");
	char val[32];
	snprintf(val, sizeof(val), "%u", (unsigned)uid);
	return cage_ini_set_etc(p, "min_uid", val, err);
}

bool cage_mode_enable_all(const struct cage_paths *p) { return exists(p, "enable.all"); }

int cage_mode_set(const struct cage_paths *p, bool enable_all, cage_err_t *err)
{
	return set_marker(p, "enable.all", enable_all, err);
}

bool cage_global_enabled(const struct cage_paths *p) { return !exists(p, "cagefs.disabled"); }

int cage_global_set(const struct cage_paths *p, bool enabled, cage_err_t *err)
{
	return set_marker(p, "cagefs.disabled", !enabled, err);
}

static int load_exclude_file(int dfd, const char *name, cage_strvec_t *out, cage_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	if (cage_read_file_at(dfd, name, 16u << 20, &text, NULL, err) < 0)
		return -1;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t\r");
		size_t n = strcspn(line, " \t\r#");
		if (n && cage_strvec_push_n(out, line, n) < 0)
			return cage_err_sys(err, ENOMEM, "exclude");
	}
	return 0;
}

int cage_exclude_load(const struct cage_paths *p, cage_strvec_t *out, cage_err_t *err)
{
	_cleanup_free_ char *dir = etc_file(p, "exclude");
	_cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
	if (!d)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot read %s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (load_exclude_file(dirfd(d), de->d_name, out, err) < 0)
			return cage_err_prefix(err, "%s", dir);
	}
	cage_strvec_sort_unique(out);
	return 0;
}

int cage_user_cageable(const struct cage_paths *p, const struct cage_user *u, uid_t min_uid,
		       const cage_strvec_t *excluded, cage_err_t *err)
{
	(void)p;
	if (u->uid == 0)
		return cage_err_set(err, "%s: root is never caged", u->name);
	if (u->uid < min_uid || u->uid == 65534)
		return cage_err_set(err, "%s: uid %u is below the minimum uid %u (a system account; "
				    "see --set-min-uid)", u->name, (unsigned)u->uid, (unsigned)min_uid);
	if (excluded && cage_strvec_contains(excluded, u->name))
		return cage_err_set(err, "%s: excluded in /etc/cagefs/exclude", u->name);
	return 0;
}

static bool valid_name(const char *name)
{
	if (!name[0] || name[0] == '.' || name[0] == '-' || strlen(name) > 255)
		return false;
	return !strpbrk(name, "/\n");
}

static int cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *list_file(const struct cage_paths *p, bool enabled_list, const char *name)
{
	char *f = NULL;
	if (asprintf(&f, "%s/users.%s/%s", p->etc, enabled_list ? "enabled" : "disabled", name) < 0)
		return NULL;
	return f;
}

bool cage_user_is_enabled(const struct cage_paths *p, const char *name)
{
	if (!valid_name(name))
		return false;
	bool all = cage_mode_enable_all(p);
	_cleanup_free_ char *f = list_file(p, !all, name);
	bool listed = f && access(f, F_OK) == 0;
	return all ? !listed : listed;
}

int cage_user_set_enabled(const struct cage_paths *p, const char *name, bool enabled,
			  cage_err_t *err)
{
	if (!valid_name(name))
		return cage_err_set(err, "invalid user name '%s'", name);
	bool all = cage_mode_enable_all(p);
	/* Enable All keeps a list of the disabled, Disable All of the enabled. */
	const char *sub = all ? "users.disabled" : "users.enabled";
	_cleanup_free_ char *dir = etc_file(p, sub);
	_cleanup_free_ char *rel = NULL;
	if (!dir || asprintf(&rel, "%s/%s", sub, name) < 0)
		return cage_err_sys(err, ENOMEM, "path");
	if ((mkdir(p->etc, 0755) < 0 && errno != EEXIST) || (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return cage_err_sys(err, errno, "cannot create %s", dir);
	return set_marker(p, rel, all ? !enabled : enabled, err);
}

int cage_users_list(const struct cage_paths *p, cage_strvec_t *enabled, cage_strvec_t *disabled,
		    cage_err_t *err)
{
	uid_t min_uid;
	_cleanup_strvec_ cage_strvec_t excluded = {0};
	if (cage_min_uid(p, &min_uid, err) < 0 || cage_exclude_load(p, &excluded, err) < 0)
		return -1;
	bool all = cage_mode_enable_all(p);
	_cleanup_strvec_ cage_strvec_t listed = {0};
	_cleanup_free_ char *dir = etc_file(p, all ? "users.disabled" : "users.enabled");
	_cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
	for (struct dirent *de; d && (de = readdir(d));)
		if (de->d_name[0] != '.' && cage_strvec_push(&listed, de->d_name) < 0)
			return cage_err_sys(err, ENOMEM, "list");
	cage_strvec_sort_unique(&listed);
	int rc = 0;
	setpwent();
	for (struct passwd *pw; rc == 0 && (pw = getpwent());) {
		if (pw->pw_uid < min_uid || pw->pw_uid == 0 || pw->pw_uid == 65534 || cage_strvec_contains(&excluded, pw->pw_name))
			continue;
		bool on = all != (bsearch(&pw->pw_name, listed.v, listed.n, sizeof(char *), cmp_ptr) != NULL);
		cage_strvec_t *out = on ? enabled : disabled;
		if (out && cage_strvec_push(out, pw->pw_name) < 0)
			rc = cage_err_sys(err, ENOMEM, "list");
	}
	endpwent();
	if (enabled)
		cage_strvec_sort_unique(enabled);
	if (disabled)
		cage_strvec_sort_unique(disabled);
	return rc;
}
