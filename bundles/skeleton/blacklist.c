/* black.list / custom.black.list (manual: "Excluding Files").
 *
 * Why the rules below: the skeleton builder asks "is this path excluded?"
 * for every file it copies, so matching must be exact about component
 * boundaries ("/etc/ssh" must not also hide "/etc/sshd_config") and must
 * err on the side of excluding when it cannot decide (out of memory). */
#define _GNU_SOURCE
#include "cagefs/config.h"
#include "runtime/core/textparse.h"
#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BL_MAX_FILE_SIZE ((size_t)16 << 20)
/* ---- parsing ---- */

static void strvec_truncate(cage_strvec_t *sv, size_t n0)
{
	while (sv->n > n0)
		free(sv->v[--sv->n]);
	if (sv->v)
		sv->v[sv->n] = NULL;
}

static int out_of_memory(cage_err_t *err, const char *file, unsigned line)
{
	line_err(err, file, line, "out of memory");
	if (err)
		err->errnum = ENOMEM;
	return -1;
}

static int parse_entry(struct cage_blacklist *bl, const char *file, unsigned line, struct slice s,
		       cage_err_t *err)
{
	if (s.p[0] != '/')
		return line_err(err, file, line, "relative path '%.*s%s' (entries must start with '/')",
				SHOW(s));
	if (s.n >= PATH_MAX)
		return line_err(err, file, line, "path '%.*s%s' too long (%zu bytes, at most %d)",
				SHOW(s), s.n, PATH_MAX - 1);
	_cleanup_free_ char *raw = strndup(s.p, s.n);
	_cleanup_free_ char *norm = raw ? cage_path_normalize(raw) : NULL;
	if (!norm)
		return out_of_memory(err, file, line);
	/* Normalized like the paths it is matched against; for a glob this
	 * only collapses "//", "/./" and "x/.." which fnmatch would never
	 * match literally anyway. */
	cage_strvec_t *sv = strpbrk(norm, "*?[") ? &bl->globs : &bl->prefixes;
	if (cage_strvec_push_owned(sv, CAGE_STEAL_PTR(norm)) < 0)
		return out_of_memory(err, file, line);
	return 0;
}

static int parse_lines(struct cage_blacklist *bl, const char *file, const char *buf, size_t len,
		       cage_err_t *err)
{
	struct lines r;
	struct slice s;
	lines_init(&r, buf, len);
	while (lines_next(&r, &s)) {
		if (memchr(s.p, '\0', s.n))
			return line_err(err, file, r.no, "NUL byte in line (binary file?)");
		s = trim(s);
		if (!s.n || s.p[0] == '#')
			continue;
		if (parse_entry(bl, file, r.no, s, err) < 0)
			return -1;
	}
	return 0;
}

int cage_blacklist_parse_buf(struct cage_blacklist *bl, const char *file, const char *buf,
			     size_t len, cage_err_t *err)
{
	size_t np = bl->prefixes.n, ng = bl->globs.n;
	if (parse_lines(bl, file ? file : "<black.list>", buf, len, err) < 0) {
		/* All or nothing per file, like the other parsers. */
		strvec_truncate(&bl->prefixes, np);
		strvec_truncate(&bl->globs, ng);
		return -1;
	}
	return 0;
}

int cage_blacklist_load(struct cage_blacklist *bl, const char *path, cage_err_t *err)
{
	cage_err_t e = { 0 };
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (cage_read_file(path, BL_MAX_FILE_SIZE, &buf, &len, &e) < 0) {
		if (e.errnum == ENOENT)
			return 0;
		if (err)
			*err = e;
		return -1;
	}
	return cage_blacklist_parse_buf(bl, path, buf, len, err);
}

/* ---- matching ---- */

/* Already in cage_path_normalize() form?  Lets the common case skip a malloc. */
static bool is_normal(const char *p)
{
	for (const char *c = p; *c; c++) {
		if (*c != '/')
			continue;
		const char *q = c + 1;
		if (q[0] == '\0')
			return c == p;
		if (q[0] == '/')
			return false;
		if (q[0] == '.' && (q[1] == '/' || q[1] == '\0'))
			return false;
		if (q[0] == '.' && q[1] == '.' && (q[2] == '/' || q[2] == '\0'))
			return false;
	}
	return true;
}

/* prefix excludes itself and what is below it, at a component boundary. */
static bool is_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n) != 0)
		return false;
	/* prefix[n-1] == '/' only for "/" itself, which covers everything. */
	return path[n] == '\0' || path[n] == '/' || prefix[n - 1] == '/';
}

static bool any_glob(const cage_strvec_t *globs, const char *path)
{
	for (size_t i = 0; i < globs->n; i++)
		if (fnmatch(globs->v[i], path, FNM_PATHNAME) == 0)
			return true;
	return false;
}

/* The path itself, then each ancestor ("/a/b/c", "/a/b", "/a"): a glob that
 * matches a directory excludes everything below it, like a plain path. */
static bool glob_match(const cage_strvec_t *globs, const char *path)
{
	char stackbuf[PATH_MAX];
	_cleanup_free_ char *heap = NULL;
	size_t n = strlen(path);
	char *buf = stackbuf;
	if (n >= sizeof(stackbuf)) {
		buf = heap = malloc(n + 1);
		if (!buf)
			return true; /* cannot decide: exclude */
	}
	memcpy(buf, path, n + 1);
	for (;;) {
		if (any_glob(globs, buf))
			return true;
		char *slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return false;
		*slash = '\0';
	}
}

bool cage_blacklist_match(const struct cage_blacklist *bl, const char *abspath)
{
	if (!abspath || abspath[0] != '/')
		return false;
	_cleanup_free_ char *norm = NULL;
	if (!is_normal(abspath)) {
		norm = cage_path_normalize(abspath);
		if (!norm)
			return true; /* cannot decide: exclude */
		abspath = norm;
	}
	for (size_t i = 0; i < bl->prefixes.n; i++)
		if (is_under(abspath, bl->prefixes.v[i]))
			return true;
	return bl->globs.n && glob_match(&bl->globs, abspath);
}

void cage_blacklist_free(struct cage_blacklist *bl)
{
	if (!bl)
		return;
	cage_strvec_free(&bl->prefixes);
	cage_strvec_free(&bl->globs);
}
