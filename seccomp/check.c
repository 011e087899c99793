/* The server's profile, a user's own (the server's with ETC/seccomp.d/USER
 * merged in), and cagefsctl --seccomp-check (cagefsctl(8);
 * docs/ARCHITECTURE.md §4.24).  The bundle generator and the check read
 * the files the same way, so the check says what --update-etc will do. */
#define _GNU_SOURCE
#include "cagefs/seccomp.h"

#include <dirent.h>
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
#include "cagefs/safefs.h"

#define SERVER_FILE "seccomp.json"

int cage_seccomp_server_profile(const struct cage_paths *p, cage_json **out, char **path, cage_err_t *err)
{
	*out = NULL;
	if (path)
		*path = NULL;
	_cleanup_free_ char *f = cage_path_join(p->etc, SERVER_FILE);
	struct stat st;
	if (!f)
		return cage_err_sys(err, ENOMEM, "path");
	/* Only a file that is not there means the default: one that cannot
	 * be read is an error, or every cage would get another filter than
	 * the administrator chose. */
	if (lstat(f, &st) < 0 && errno == ENOENT)
		return cage_seccomp_default(out, err);
	if (cage_seccomp_load_file(f, out, err) < 0)
		return -1;
	if (path)
		*path = CAGE_STEAL_PTR(f);
	return 0;
}

/* ETC/seccomp.d, checked like the files in it (root's, written by no one
 * else: whoever could rename files in it would choose users' filters);
 * -1 with errno ENOENT (no error set) when there is none. */
static int open_dir(const struct cage_paths *p, char **dir, cage_err_t *err)
{
	struct stat st;
	if (!(*dir = cage_path_join(p->etc, CAGE_SECCOMP_OVERRIDE_DIR)))
		return cage_err_sys(err, ENOMEM, "path");
	int fd = open(*dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd < 0)
		return cage_err_sys(err, errno, "%s", *dir);
	if (fstat(fd, &st) == 0 && st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH)))
		return fd;
	close(fd);
	errno = EPERM;
	return cage_err_set(err, "%s: owned by uid %u, mode %04o: refused (it holds the users' seccomp "
			    "overrides; it must be root's, writable by root only)", *dir, (unsigned)st.st_uid,
			    (unsigned)(st.st_mode & 07777));
}

/* A login name as a file of seccomp.d: one component, no dot file. */
static bool file_name_ok(const char *user)
{
	return user && *user && user[0] != '.' && !strchr(user, '/') && strlen(user) < 256;
}

int cage_seccomp_user_profile(const struct cage_paths *p, const cage_json *server, const char *user,
			      cage_json **out, cage_strvec_t *warnings, cage_err_t *err)
{
	*out = NULL;
	if (!file_name_ok(user))
		return cage_err_set(err, "'%.64s' cannot name a file of %s/%s", user ? user : "", p->etc,
				    CAGE_SECCOMP_OVERRIDE_DIR);
	_cleanup_free_ char *dir = NULL, *path = NULL;
	_cleanup_close_ int dfd = open_dir(p, &dir, err);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	struct stat st;
	if (fstatat(dfd, user, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return 0;
	if (!(path = cage_path_join(dir, user)))
		return cage_err_sys(err, ENOMEM, "path");
	struct cage_seccomp_override o;
	if (cage_seccomp_override_read_at(dfd, user, path, &o, NULL, NULL, err) < 0)
		return -1;
	int rc = cage_seccomp_merge(server, &o, out, warnings, err);
	cage_seccomp_override_free(&o);
	return rc;
}

int cage_seccomp_override_move(const struct cage_paths *p, const char *name, const char *new_name,
			       cage_err_t *err)
{
	if (!file_name_ok(name) || (new_name && !file_name_ok(new_name)))
		return cage_err_set(err, "'%.64s' cannot name a file of %s/%s", file_name_ok(name) ? new_name : name,
				    p->etc, CAGE_SECCOMP_OVERRIDE_DIR);
	_cleanup_free_ char *from = NULL, *to = NULL;
	if (asprintf(&from, "%s/%s/%s", p->etc, CAGE_SECCOMP_OVERRIDE_DIR, name) < 0 ||
	    (new_name && asprintf(&to, "%s/%s/%s", p->etc, CAGE_SECCOMP_OVERRIDE_DIR, new_name) < 0))
		return cage_err_sys(err, ENOMEM, "path");
	if ((to ? rename(from, to) : unlink(from)) == 0)
		return 1;
	return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot %s %s", to ? "rename" : "remove", from);
}

/* ---- cagefsctl --seccomp-check ---- */

__attribute__((format(printf, 3, 4)))
static int found(struct cage_seccomp_report *r, enum cage_seccomp_finding kind, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct cage_seccomp_line *v = reallocarray(r->v, cap, sizeof(*v));
		if (!v) {
			free(text);
			return -1;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (struct cage_seccomp_line){kind, text};
	r->warnings += kind == CAGE_SECCOMP_WARNING;
	r->errors += kind == CAGE_SECCOMP_ERROR;
	return 0;
}

void cage_seccomp_report_free(struct cage_seccomp_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].text);
	free(r->v);
	*r = (struct cage_seccomp_report){0};
}

/* Names libseccomp does not know are skipped when the filter is built, as
 * runc and crun skip them: fine for a newer kernel's calls, but a typo
 * ("keyctrl") would deny nothing, so the check says so. */
static int unknown_names(struct cage_seccomp_report *r, const char *path, const cage_json *profile,
			 const char *text, size_t len)
{
	const cage_json *list = cage_json_get(profile, "syscalls", CAGE_JSON_ARRAY);
	for (size_t i = 0; i < cage_json_array_len(list); i++) {
		const cage_json *names = cage_json_get(cage_json_array_at(list, i), "names", CAGE_JSON_ARRAY);
		for (size_t j = 0; j < cage_json_array_len(names); j++) {
			const cage_json *n = cage_json_array_at(names, j);
			if (seccomp_syscall_resolve_name(cage_json_string(n)) != __NR_SCMP_ERROR)
				continue;
			if (found(r, CAGE_SECCOMP_WARNING, "%s:%u: syscalls[%zu].names[%zu]: unknown syscall '%.64s' "
				  "(skipped, as runc and crun skip it)", path, cage_json_line(n, text, len), i, j,
				  cage_json_string(n)) < 0)
				return -1;
		}
	}
	return 0;
}

static int check_json(struct cage_seccomp_report *r, const char *path)
{
	_cleanup_json_ cage_json *prof = NULL;
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	cage_err_t e = {0};
	if (cage_seccomp_read_file(path, &text, &len, &e) < 0 ||
	    cage_seccomp_load_json(text, len, path, &prof, &e) < 0)
		return found(r, CAGE_SECCOMP_ERROR, "%s", e.msg);
	if (unknown_names(r, path, prof, text, len) < 0)
		return -1;
	/* What libseccomp refuses is named by its JSON path: give its line. */
	if (cage_seccomp_compile(prof, &ctx, &e) < 0)
		return found(r, CAGE_SECCOMP_ERROR, "%s:%u: %s", path, cage_seccomp_error_line(prof, text, len, e.msg),
			     e.msg);
	return found(r, CAGE_SECCOMP_OK, "%s: ok (a JSON profile)", path);
}

struct server {
	bool tried;
	cage_json *profile;
};

/* The server's profile, loaded at the first override that needs it. */
static int server_get(const struct cage_paths *p, struct cage_seccomp_report *r, struct server *s)
{
	cage_err_t e = {0};
	if (s->tried)
		return s->profile ? 0 : 1;
	s->tried = true;
	if (cage_seccomp_server_profile(p, &s->profile, NULL, &e) == 0)
		return 0;
	return found(r, CAGE_SECCOMP_ERROR, "%s", e.msg) < 0 ? -1 : 1;
}

static int check_override(const struct cage_paths *p, struct cage_seccomp_report *r, struct server *s,
			  int dirfd, const char *name, const char *path)
{
	struct cage_seccomp_override o;
	cage_err_t e = {0};
	if (cage_seccomp_override_read_at(dirfd, name, path, &o, NULL, NULL, &e) < 0)
		return found(r, CAGE_SECCOMP_ERROR, "%s", e.msg);
	_cleanup_strvec_ cage_strvec_t warnings = {0};
	_cleanup_json_ cage_json *merged = NULL;
	int rc = server_get(p, r, s);
	if (rc == 1)
		rc = found(r, CAGE_SECCOMP_ERROR, "%s: not merged: the server's profile is broken (above)", path);
	else if (rc == 0 && cage_seccomp_merge(s->profile, &o, &merged, &warnings, &e) < 0)
		rc = found(r, CAGE_SECCOMP_ERROR, "%s", e.msg);
	else if (rc == 0)
		rc = found(r, CAGE_SECCOMP_OK, "%s: ok (an override: %zu rule%s%s)", path, o.n, o.n == 1 ? "" : "s",
			   o.log_denials ? ", log-denials" : "");
	for (size_t i = 0; rc == 0 && i < warnings.n; i++)
		rc = found(r, CAGE_SECCOMP_WARNING, "%s", warnings.v[i]);
	cage_seccomp_override_free(&o);
	return rc;
}

/* A JSON profile by its name, or by its first character that is not
 * blank (a byte order mark skipped); anything else is an override. */
static bool looks_json(const char *path)
{
	size_t n = strlen(path);
	if (n >= 5 && !strcmp(path + n - 5, ".json"))
		return true;
	char buf[4096];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	ssize_t got = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	size_t i = got >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	while (got > 0 && i < (size_t)got && strchr(" \t\r\n", buf[i]))
		i++;
	return got > 0 && i < (size_t)got && buf[i] == '{';
}

/* Every override of ETC/seccomp.d, by name; a dot file (an editor's) is
 * none: the bundle generator reads only ETC/seccomp.d/USER. */
static int check_dir(const struct cage_paths *p, struct cage_seccomp_report *r, struct server *s)
{
	_cleanup_free_ char *dir = NULL;
	cage_err_t e = {0};
	int dfd = open_dir(p, &dir, &e);
	if (dfd < 0)
		return errno == ENOENT ? 0 : found(r, CAGE_SECCOMP_ERROR, "%s", e.msg);
	struct dirent **names = NULL;
	int n = scandirat(dfd, ".", &names, NULL, alphasort);
	int rc = n < 0 ? found(r, CAGE_SECCOMP_ERROR, "%s: %s", dir, strerror(errno)) : 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		_cleanup_free_ char *path = cage_path_join(dir, name);
		if (rc == 0 && name[0] != '.') {
			r->files++;
			rc = path ? check_override(p, r, s, dfd, name, path) : -1;
			if (rc == 0 && !getpwnam(name))
				rc = found(r, CAGE_SECCOMP_WARNING, "%s: no user %.64s on this system: it applies to no one",
					   path, name);
		}
		free(names[i]);
	}
	free(names);
	close(dfd);
	return rc;
}

static int check_server(const struct cage_paths *p, struct cage_seccomp_report *r)
{
	_cleanup_free_ char *f = cage_path_join(p->etc, SERVER_FILE);
	struct stat st;
	if (!f)
		return -1;
	if (lstat(f, &st) < 0 && errno == ENOENT)
		return found(r, CAGE_SECCOMP_OK, "%s: none: the server's profile is the built-in default", f);
	r->files++;
	return check_json(r, f);
}

int cage_seccomp_check(const struct cage_paths *p, char *const *files, size_t nfiles,
		       struct cage_seccomp_report *r, cage_err_t *err)
{
	*r = (struct cage_seccomp_report){0};
	struct server s = {0};
	int rc = 0;
	if (!nfiles)
		rc = check_server(p, r) < 0 || check_dir(p, r, &s) < 0 ? -1 : 0;
	for (size_t i = 0; rc == 0 && i < nfiles; i++) {
		r->files++;
		rc = looks_json(files[i]) ? check_json(r, files[i])
					  : check_override(p, r, &s, AT_FDCWD, files[i], files[i]);
	}
	cage_json_free(s.profile);
	if (rc < 0) {
		cage_seccomp_report_free(r);
		return cage_err_sys(err, ENOMEM, "seccomp check");
	}
	return 0;
}
