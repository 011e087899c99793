/* Who is caged: modes, lists, exclusions, the minimum uid (see users.h). */
#define _GNU_SOURCE
#include "cagefs/users.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
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

/* 1 if P->etc/NAME exists, 0 if it does not; -1 when that cannot be told
 * (a list directory that is a file, an I/O error): callers deciding
 * whether someone is caged refuse then (docs/ARCHITECTURE.md §3). */
static int marker(const struct cage_paths *p, const char *name, cage_err_t *err)
{
	_cleanup_free_ char *f = etc_file(p, name);
	struct stat st;
	if (!f)
		return cage_err_sys(err, ENOMEM, "path");
	if (lstat(f, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot tell whether %s exists", f);
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

static int user_from_pw(const struct passwd *pw, struct cage_user *u, cage_err_t *err)
{
	u->name = strdup(pw->pw_name);
	u->gecos = dupnull(pw->pw_gecos);
	u->home = dupnull(pw->pw_dir);
	u->shell = dupnull(pw->pw_shell);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	if (!u->name || !u->gecos || !u->home || !u->shell) {
		cage_user_free(u);
		return cage_err_sys(err, ENOMEM, "user %s", pw->pw_name);
	}
	return 0;
}

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
	return user_from_pw(&pw, u, err);
}

int cage_user_lookup_uid(uid_t uid, struct cage_user *u, cage_err_t *err)
{
	memset(u, 0, sizeof(*u));
	struct passwd pw, *res = NULL;
	char buf[16384];
	int rc = getpwuid_r(uid, &pw, buf, sizeof(buf), &res);
	if (rc != 0)
		return cage_err_sys(err, rc, "cannot look up uid %u", (unsigned)uid);
	if (!res)
		return cage_err_set(err, "uid %u: no such user", (unsigned)uid);
	return user_from_pw(&pw, u, err);
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

#define LOGIN_DEFS "/etc/login.defs"

/* UID_MIN from /etc/login.defs, as useradd(8) uses it; the default when
 * the file or the setting is missing.  A file that is there but cannot be
 * read is an error: the caller of the setuid cagefs_enter chooses its
 * rlimits, and a uid read against the wrong minimum runs uncaged. */
static int login_defs_uid_min(uid_t *out, cage_err_t *err)
{
	_cleanup_fclose_ FILE *f = fopen(LOGIN_DEFS, "re");
	char line[512];
	*out = DEFAULT_MIN_UID;
	if (!f)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot read %s", LOGIN_DEFS);
	errno = 0;
	while (fgets(line, sizeof(line), f)) {
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (strncmp(s, "UID_MIN", 7) || !isspace((unsigned char)s[7]))
			continue;
		char *end;
		unsigned long v = strtoul(s + 7, &end, 10);
		if (end != s + 7 && v > 0 && v < 0x7fffffff) {
			*out = (uid_t)v;
			return 0;
		}
	}
	return ferror(f) ? cage_err_sys(err, errno ? errno : EIO, "cannot read %s", LOGIN_DEFS) : 0;
}

int cage_min_uid(const struct cage_paths *p, uid_t *out, cage_err_t *err)
{
	struct cage_ini ini = {0};
	if (cage_ini_load_etc(p, &ini, err) < 0)
		return -1;
	const struct cage_ini_entry *e = cage_ini_entry(&ini, "min_uid");
	int rc = 0;
	if (!e) {
		rc = login_defs_uid_min(out, err);
	} else {
		char *end;
		unsigned long n = strtoul(e->value, &end, 10);
		if (*end || end == e->value || e->value[0] == '-' || n == 0 || n > 0x7fffffff)
			rc = cage_err_set(err, "%s:%u: min_uid must be a positive number, not '%.64s'", ini.file,
					  e->line, e->value);
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

int cage_mode_get(const struct cage_paths *p, cage_err_t *err) { return marker(p, "enable.all", err); }

int cage_mode_set(const struct cage_paths *p, bool enable_all, cage_err_t *err)
{
	return set_marker(p, "enable.all", enable_all, err);
}

int cage_global_get(const struct cage_paths *p, cage_err_t *err)
{
	int off = marker(p, "cagefs.disabled", err);
	return off < 0 ? -1 : !off;
}

int cage_global_set(const struct cage_paths *p, bool enabled, cage_err_t *err)
{
	return set_marker(p, "cagefs.disabled", !enabled, err);
}

/* The names FILE lists, one per line ('#' starts a comment); *found is
 * set when WHO is among them. */
static int load_exclude_file(int dfd, const char *file, const char *who, cage_strvec_t *out,
			     bool *found, cage_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	if (cage_read_file_at(dfd, file, 16u << 20, &text, NULL, err) < 0)
		return -1;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t\r");
		size_t n = strcspn(line, " \t\r#");
		if (n && who && strlen(who) == n && !strncmp(line, who, n))
			*found = true;
		if (n && out && cage_strvec_push_n(out, line, n) < 0)
			return cage_err_sys(err, ENOMEM, "exclude");
	}
	return 0;
}

/* Every file of P->etc/exclude (manual: "Excluding Users"): the names into
 * OUT (may be NULL), and the first file naming WHO (if not NULL) into
 * WHERE.  A missing directory excludes nobody; one that cannot be read is
 * an error. */
static int exclude_scan(const struct cage_paths *p, const char *who, cage_strvec_t *out, char *where,
			size_t size, cage_err_t *err)
{
	_cleanup_free_ char *dir = etc_file(p, "exclude");
	_cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
	if (!d)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot read %s", dir);
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		bool found = false;
		if (de->d_name[0] == '.')
			continue;
		if (load_exclude_file(dirfd(d), de->d_name, who, out, &found, err) < 0)
			return cage_err_prefix(err, "%s", dir);
		if (found && where && !where[0])
			snprintf(where, size, "%s/%s", dir, de->d_name);
	}
	if (errno)
		return cage_err_sys(err, errno, "cannot read %s", dir);
	if (out)
		cage_strvec_sort_unique(out);
	return 0;
}

int cage_exclude_load(const struct cage_paths *p, cage_strvec_t *out, cage_err_t *err)
{
	return exclude_scan(p, NULL, out, NULL, 0, err);
}

/* Root and the system accounts (below MIN_UID, and nobody) are never
 * caged: true, with the reason in WHY. */
static bool system_account(const struct cage_user *u, uid_t min_uid, char *why, size_t size)
{
	if (u->uid == 0)
		snprintf(why, size, "root is never caged");
	else if (u->uid < min_uid || u->uid == 65534)
		snprintf(why, size, "uid %u is below the minimum uid %u (a system account; see "
			 "cagefsctl --set-min-uid)", (unsigned)u->uid, (unsigned)min_uid);
	else
		return false;
	return true;
}

int cage_user_cageable(const struct cage_paths *p, const struct cage_user *u, uid_t min_uid,
		       const cage_strvec_t *excluded, cage_err_t *err)
{
	char why[256];
	if (system_account(u, min_uid, why, sizeof(why)))
		return cage_err_set(err, "%s: %s", u->name, why);
	if (excluded && cage_strvec_contains(excluded, u->name))
		return cage_err_set(err, "%s: excluded in %s/exclude", u->name, p->etc);
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

int cage_user_enabled(const struct cage_paths *p, const char *name, cage_err_t *err)
{
	if (!valid_name(name))
		return cage_err_set(err, "'%.64s' is not a user name CageFS can record", name);
	int all = cage_mode_get(p, err);
	_cleanup_free_ char *rel = NULL;
	if (all < 0)
		return -1;
	if (asprintf(&rel, "users.%s/%s", all ? "disabled" : "enabled", name) < 0)
		return cage_err_sys(err, ENOMEM, "path");
	int listed = marker(p, rel, err);
	return listed < 0 ? -1 : all ? !listed : listed;
}

__attribute__((format(printf, 2, 3)))
static int not_caged(struct cage_decision *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	d->caged = false;
	return 0;
}

/* The order matters only for the reason given: each rule is a definite
 * answer, and any file that cannot be read is an error, never a "no". */
int cage_user_status(const struct cage_paths *p, const struct cage_user *u, struct cage_decision *d,
		     cage_err_t *err)
{
	*d = (struct cage_decision){0};
	if (u->uid == 0)
		return not_caged(d, "root is never caged");
	uid_t min_uid;
	if (cage_min_uid(p, &min_uid, err) < 0)
		return -1;
	if (system_account(u, min_uid, d->why, sizeof(d->why)))
		return 0;
	char where[4096] = "";
	if (exclude_scan(p, u->name, NULL, where, sizeof(where), err) < 0)
		return -1;
	if (where[0])
		return not_caged(d, "excluded in %s", where);
	int enabled = cage_user_enabled(p, u->name, err);
	if (enabled <= 0)
		return enabled < 0 ? -1 : not_caged(d, "CageFS is disabled for %s (cagefsctl --enable %s "
						    "enables it)", u->name, u->name);
	d->caged = true;
	return 1;
}

/* users.suspended/NAME: a definite state, so a name no marker can hold is
 * an error (never read as "not suspended"). */
static char *suspended_rel(const char *name, cage_err_t *err)
{
	char *rel = NULL;
	if (!valid_name(name)) {
		cage_err_set(err, "'%.64s' is not a user name CageFS can record", name);
		return NULL;
	}
	if (asprintf(&rel, "users.suspended/%s", name) < 0) {
		cage_err_sys(err, ENOMEM, "path");
		return NULL;
	}
	return rel;
}

int cage_user_suspended(const struct cage_paths *p, const char *name, cage_err_t *err)
{
	_cleanup_free_ char *rel = suspended_rel(name, err);
	return rel ? marker(p, rel, err) : -1;
}

int cage_user_set_suspended(const struct cage_paths *p, const char *name, bool suspended, cage_err_t *err)
{
	_cleanup_free_ char *rel = suspended_rel(name, err);
	_cleanup_free_ char *dir = etc_file(p, "users.suspended");
	if (!rel || !dir)
		return rel ? cage_err_sys(err, ENOMEM, "path") : -1;
	int was = marker(p, rel, err);
	if (was < 0 || was == suspended)
		return was < 0 ? -1 : 0;
	if (suspended && (mkdir(p->etc, 0755) < 0 && errno != EEXIST))
		return cage_err_sys(err, errno, "cannot create %s", p->etc);
	if (suspended && (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return cage_err_sys(err, errno, "cannot create %s", dir);
	return set_marker(p, rel, suspended, err) < 0 ? -1 : 1;
}

/* One list's marker of NAME: removed, or renamed to NEW_NAME. */
static int marker_move(const struct cage_paths *p, const char *list, const char *name, const char *new_name,
		       cage_err_t *err)
{
	_cleanup_free_ char *from = NULL, *to = NULL;
	if (asprintf(&from, "%s/%s/%s", p->etc, list, name) < 0 ||
	    (new_name && asprintf(&to, "%s/%s/%s", p->etc, list, new_name) < 0))
		return cage_err_sys(err, ENOMEM, "path");
	int rc = to ? rename(from, to) : unlink(from);
	if (rc == 0)
		return 1;
	return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot %s %s", to ? "rename" : "remove", from);
}

int cage_user_markers_move(const struct cage_paths *p, const char *name, const char *new_name,
			   cage_err_t *err)
{
	if (!valid_name(name) || (new_name && !valid_name(new_name)))
		return cage_err_set(err, "'%.64s' is not a user name CageFS can record",
				    valid_name(name) ? new_name : name);
	static const char *const lists[] = {"users.enabled", "users.disabled", "users.suspended"};
	int moved = 0;
	for (size_t i = 0; i < 3; i++) {
		int r = marker_move(p, lists[i], name, new_name, err);
		if (r < 0)
			return -1;
		moved += r;
	}
	return moved;
}

/* Suspension comes before every other rule, the global switch included: a
 * suspended account must not run at all, and "not caged" would let
 * cagefs_enter run it uncaged.  So it is a refusal (-1), for every way in. */
static int refuse_suspended(const struct cage_paths *p, const struct cage_user *u, struct cage_decision *d,
			    cage_err_t *err)
{
	/* Another name of the same uid (an FTP or mail login made with
	 * useradd -o) is the same account: the uid's own name's suspension
	 * is its suspension too. */
	_cleanup_free_ char *canon = NULL;
	struct passwd *pw = getpwuid(u->uid);
	if (pw && strcmp(pw->pw_name, u->name) && !(canon = strdup(pw->pw_name)))
		return cage_err_sys(err, ENOMEM, "name");
	const char *name = u->name;
	int s = cage_user_suspended(p, name, err);
	if (s == 0 && canon)
		s = cage_user_suspended(p, name = canon, err);
	if (s == 0)
		return 0;
	if (s > 0) {
		d->suspended = true;
		snprintf(d->why, sizeof(d->why), "the account is suspended");
		cage_err_set(err, "%s is suspended (%s/users.suspended/%s)", u->name, p->etc, name);
	}
	return -1;
}

int cage_user_decide(const struct cage_paths *p, const struct cage_user *u, struct cage_decision *d,
		     cage_err_t *err)
{
	*d = (struct cage_decision){0};
	if (u->uid == 0)
		return not_caged(d, "root is never caged");
	if (refuse_suspended(p, u, d, err) < 0)
		return -1;
	int on = cage_global_get(p, err);
	if (on <= 0)
		return on < 0 ? -1 : not_caged(d, "CageFS is disabled for every user (%s/cagefs.disabled; "
					       "cagefsctl --enable-cagefs turns it on)", p->etc);
	return cage_user_status(p, u, d, err);
}

int cage_user_set_enabled(const struct cage_paths *p, const char *name, bool enabled,
			  cage_err_t *err)
{
	if (!valid_name(name))
		return cage_err_set(err, "invalid user name '%s'", name);
	int all = cage_mode_get(p, err);
	if (all < 0)
		return -1;
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
	int all = cage_mode_get(p, err);
	if (all < 0)
		return -1;
	_cleanup_strvec_ cage_strvec_t listed = {0};
	_cleanup_free_ char *dir = etc_file(p, all ? "users.disabled" : "users.enabled");
	_cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
	if (!d && errno != ENOENT)
		return cage_err_sys(err, errno, "cannot read %s", dir);
	for (struct dirent *de; d && (de = readdir(d));)
		if (de->d_name[0] != '.' && cage_strvec_push(&listed, de->d_name) < 0)
			return cage_err_sys(err, ENOMEM, "list");
	cage_strvec_sort_unique(&listed);
	int rc = 0;
	setpwent();
	for (struct passwd *pw; rc == 0 && (pw = getpwent());) {
		struct cage_user u = {.name = pw->pw_name, .uid = pw->pw_uid};
		if (cage_user_cageable(p, &u, min_uid, &excluded, NULL) < 0)
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
