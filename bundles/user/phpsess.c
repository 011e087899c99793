/* Where PHP keeps sessions and for how long (manual: "Cleanup PHP
 * sessions"): session.save_path and session.gc_maxlifetime of the host's
 * php.ini files, never of a user's own (docs/ARCHITECTURE.md §4.20).  Only
 * these two keys are read: the rest of an administrator's php.ini is PHP's
 * business, and a line this parser does not need is never an error. */
#define _GNU_SOURCE
#include "cagefs/tmpwatch.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"
#include "runtime/core/textparse.h"

#define PHP_INI_MAX (16u << 20)
#define MAX_SESS_DEPTH 16
/* Ten years: more is a typo, not a lifetime. */
#define MAX_LIFETIME (10L * 366 * 24 * 3600)

/* One PHP version's settings, from one php.ini or a php.ini and the
 * local.ini that extends it. */
struct php_ini {
	char *save_path; /* NULL: not set (PHP's default, /tmp) */
	long lifetime;
	unsigned depth;
};

/* A value after '=': "quoted" or 'quoted' (';' inside is text), else up to
 * a ';' comment; blanks trimmed.  Malformed quoting is an error. */
static int ini_value(struct slice v, const char *file, unsigned line, char **out, cage_err_t *err)
{
	v = trim(v);
	struct slice val = v;
	if (v.n && (v.p[0] == '"' || v.p[0] == '\'')) {
		const char *end = memchr(v.p + 1, v.p[0], v.n - 1);
		if (!end)
			return line_err(err, file, line, "unterminated quote in %.*s%s", SHOW(v));
		struct slice rest = trim((struct slice){end + 1, v.n - (size_t)(end + 1 - v.p)});
		if (rest.n && rest.p[0] != ';')
			return line_err(err, file, line, "text after the closing quote: %.*s%s", SHOW(rest));
		val = (struct slice){v.p + 1, (size_t)(end - v.p - 1)};
	} else {
		const char *semi = memchr(v.p, ';', v.n);
		if (semi)
			val = trim((struct slice){v.p, (size_t)(semi - v.p)});
	}
	if (memchr(val.p, '\0', val.n))
		return line_err(err, file, line, "NUL byte in a value");
	*out = strndup(val.p, val.n);
	return *out ? 0 : cage_err_sys(err, ENOMEM, "%s", file);
}

static int set_lifetime(struct php_ini *pi, const char *v, const char *file, unsigned line,
			cage_err_t *err)
{
	char *end = NULL;
	errno = 0;
	long n = v[0] >= '0' && v[0] <= '9' ? strtol(v, &end, 10) : -1;
	if (n <= 0 || *end || errno || n > MAX_LIFETIME)
		return line_err(err, file, line,
				"session.gc_maxlifetime must be a number of seconds from 1 to %ld: '%.64s'",
				MAX_LIFETIME, v);
	pi->lifetime = n;
	return 0;
}

/* "PATH", "N;PATH" or "N;MODE;PATH" (PHP's files handler): N levels of
 * sub-directories below PATH. */
static int set_save_path(struct php_ini *pi, const char *v, const char *file, unsigned line,
			 cage_err_t *err)
{
	const char *path = strrchr(v, ';');
	unsigned depth = 0;
	if (path) {
		char *end = NULL;
		errno = 0;
		unsigned long n = strtoul(v, &end, 10);
		if (end == v || (*end != ';') || errno || n > MAX_SESS_DEPTH)
			return line_err(err, file, line,
					"session.save_path: the depth before ';' must be 0 to %d: '%.64s'",
					MAX_SESS_DEPTH, v);
		depth = (unsigned)n;
		path++;
	} else {
		path = v;
	}
	char *norm = path[0] ? cage_path_normalize(path) : strdup("/tmp");
	if (!norm)
		return line_err(err, file, line, "session.save_path must be an absolute path: '%.64s'", v);
	free(pi->save_path);
	pi->save_path = norm;
	pi->depth = depth;
	return 0;
}

static int parse_into(struct php_ini *pi, const char *file, const char *buf, size_t len, cage_err_t *err)
{
	struct lines r;
	struct slice l;
	lines_init(&r, buf, len);
	while (lines_next(&r, &l)) {
		l = trim(l);
		const char *eq = l.n ? memchr(l.p, '=', l.n) : NULL;
		if (!eq || l.p[0] == ';' || l.p[0] == '#' || l.p[0] == '[')
			continue;
		struct slice key = trim((struct slice){l.p, (size_t)(eq - l.p)});
		bool path = key.n == 17 && !memcmp(key.p, "session.save_path", 17);
		bool life = key.n == 22 && !memcmp(key.p, "session.gc_maxlifetime", 22);
		if (!path && !life)
			continue;
		_cleanup_free_ char *v = NULL;
		if (ini_value((struct slice){eq + 1, l.n - (size_t)(eq + 1 - l.p)}, file, r.no, &v, err) < 0)
			return -1;
		if ((path ? set_save_path : set_lifetime)(pi, v, file, r.no, err) < 0)
			return -1;
	}
	return 0;
}

/* The same directory named by several versions: the least lifetime (the
 * manual's rule), the deepest spread. */
static int add_dir(struct cage_php_sessdirs *s, const struct php_ini *pi, cage_err_t *err)
{
	const char *path = pi->save_path ? pi->save_path : "/tmp";
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->d[i].path, path))
			continue;
		if (pi->lifetime < s->d[i].lifetime)
			s->d[i].lifetime = pi->lifetime;
		if (pi->depth > s->d[i].depth)
			s->d[i].depth = pi->depth;
		return 0;
	}
	struct cage_php_sessdir *d = realloc(s->d, (s->n + 1) * sizeof(*d));
	char *p = strdup(path);
	if (!d || !p) {
		free(p);
		if (d)
			s->d = d;
		return cage_err_sys(err, ENOMEM, "php.ini");
	}
	s->d = d;
	s->d[s->n++] = (struct cage_php_sessdir){.path = p, .lifetime = pi->lifetime, .depth = pi->depth};
	return 0;
}

int cage_php_ini_parse(struct cage_php_sessdirs *s, const char *file, const char *buf, size_t len,
		       cage_err_t *err)
{
	struct php_ini pi = {.lifetime = CAGE_PHP_GC_MAXLIFETIME};
	int rc = parse_into(&pi, file, buf, len, err);
	if (rc == 0)
		rc = add_dir(s, &pi, err);
	free(pi.save_path);
	return rc;
}

/* One PHP version: its files in order, later ones overriding (a missing
 * extra file is fine; the first must exist).  A malformed file is pushed
 * to ERRORS and the version skipped. */
static int load_version(struct cage_php_sessdirs *s, const char *const *files, size_t n,
			cage_strvec_t *errors, cage_err_t *err)
{
	struct php_ini pi = {.lifetime = CAGE_PHP_GC_MAXLIFETIME};
	cage_err_t e = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		_cleanup_free_ char *buf = NULL;
		size_t len = 0;
		if (i > 0 && access(files[i], F_OK) < 0)
			continue;
		if (cage_read_file(files[i], PHP_INI_MAX, &buf, &len, &e) < 0 ||
		    parse_into(&pi, files[i], buf, len, &e) < 0)
			rc = -1;
	}
	if (rc < 0)
		rc = cage_strvec_push(errors, e.msg) < 0 ? cage_err_sys(err, ENOMEM, "php.ini") : 0;
	else
		rc = add_dir(s, &pi, err);
	free(pi.save_path);
	return rc;
}

/* The manual's places (alt-php, ea-php with its local.ini, EasyApache 3)
 * and Debian's (/etc/php/VERSION/SAPI/php.ini). */
static const char *const ini_globs[] = {
	"/etc/php/*/*/php.ini", "/opt/alt/php*/etc/php.ini", "/opt/cpanel/ea-php*/root/etc/php.ini",
	"/usr/local/lib/php.ini",
};

int cage_php_sessdirs_load(struct cage_php_sessdirs *s, cage_strvec_t *errors, cage_err_t *err)
{
	for (size_t g = 0; g < sizeof(ini_globs) / sizeof(*ini_globs); g++) {
		glob_t gl = {0};
		if (glob(ini_globs[g], 0, NULL, &gl) != 0) {
			globfree(&gl);
			continue;
		}
		int rc = 0;
		for (size_t i = 0; rc == 0 && i < gl.gl_pathc; i++) {
			_cleanup_free_ char *local = NULL;
			const char *ini = gl.gl_pathv[i];
			size_t l = strlen(ini);
			/* ea-php: php.d/local.ini beside php.ini overrides it. */
			if (strstr(ini, "/ea-php") && asprintf(&local, "%.*sphp.d/local.ini", (int)(l - 7), ini) < 0)
				rc = cage_err_sys(err, ENOMEM, "php.ini");
			const char *files[2] = {ini, local};
			if (rc == 0)
				rc = load_version(s, files, local ? 2 : 1, errors, err);
		}
		globfree(&gl);
		if (rc < 0)
			return -1;
	}
	return 0;
}

void cage_php_sessdirs_free(struct cage_php_sessdirs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->d[i].path);
	free(s->d);
	s->d = NULL;
	s->n = 0;
}
