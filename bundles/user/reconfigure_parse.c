/* Readers of other programs' configuration files, for --reconfigure-cagefs
 * (docs/ARCHITECTURE.md §4.21): only the one setting that names a unix
 * socket is taken from each.  Why they report and go on instead of stopping
 * at the first bad line (as our own parsers do): these files are not ours,
 * and one odd line in a 300-line my.cnf must not hide the socket of every
 * other service.  Each problem is "file:line: what is wrong"; no input
 * crashes them (tests/fuzz/fuzz_reconf.c). */
#define _GNU_SOURCE
#include "cagefs/reconfigure.h"
#include "runtime/core/textparse.h"
#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pctx {
	enum cage_svc svc;
	const char *file;
	unsigned line;
	struct cage_svc_socks *out;
	cage_strvec_t *problems;
	bool *configured;
	bool oom;
	char section[64]; /* current [section], lower case ("" before any) */
	bool in_section;
};

__attribute__((format(printf, 2, 3)))
static int problem(struct pctx *c, const char *fmt, ...)
{
	char what[512], *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (asprintf(&msg, "%s:%u: %s", c->file, c->line, what) < 0 ||
	    cage_strvec_push_owned(c->problems, msg) < 0)
		c->oom = true;
	return 0;
}

/* A socket setting that is there but unusable: no default is assumed. */
#define configured_problem(c, ...) (*(c)->configured = true, problem((c), __VA_ARGS__))

static bool slice_is(struct slice s, const char *word)
{
	return s.n == strlen(word) && strncasecmp(s.p, word, s.n) == 0;
}

static bool has_control_char(struct slice s)
{
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f)
			return true;
	return false;
}

/* The first word of s (up to a blank, or a quoted string with its quotes
 * removed); s is advanced past it.  false for an unterminated quote. */
static bool take_word(struct slice *s, struct slice *word)
{
	*word = (struct slice){ "", 0 };
	*s = trim(*s);
	if (s->n && (s->p[0] == '"' || s->p[0] == '\'')) {
		const char *end = memchr(s->p + 1, s->p[0], s->n - 1);
		if (!end)
			return false;
		*word = (struct slice){ s->p + 1, (size_t)(end - s->p - 1) };
		*s = (struct slice){ end + 1, s->n - (size_t)(end + 1 - s->p) };
		return true;
	}
	size_t i = 0;
	while (i < s->n && !is_blank(s->p[i]))
		i++;
	*word = (struct slice){ s->p, i };
	*s = (struct slice){ s->p + i, s->n - i };
	return true;
}

/* A value after '=': quoted, or bare up to a " #" comment (my.cnf allows
 * one there; a '#' inside a path stays). */
static bool take_value(struct slice s, struct slice *v)
{
	s = trim(s);
	if (s.n && (s.p[0] == '"' || s.p[0] == '\''))
		return take_word(&s, v);
	for (size_t i = 1; i < s.n; i++)
		if (s.p[i] == '#' && is_blank(s.p[i - 1])) {
			s.n = i;
			break;
		}
	*v = trim(s);
	return true;
}

/* An absolute socket path: appended to c->out, or reported. */
static int add_socket(struct pctx *c, struct slice path, const char *what)
{
	*c->configured = true;
	if (!path.n)
		return problem(c, "%s without a path", what);
	if (path.p[0] != '/')
		return problem(c, "%s '%.*s%s' is not an absolute path", what, SHOW(path));
	if (path.n >= PATH_MAX || has_control_char(path) || memmem(path.p, path.n, "/..", 3))
		return problem(c, "%s '%.*s%s': too long, a control character or '..'", what,
			       SHOW(path));
	_cleanup_free_ char *raw = strndup(path.p, path.n);
	char *norm = raw ? cage_path_normalize(raw) : NULL;
	char *src = NULL;
	if (!norm || asprintf(&src, "%s:%u", c->file, c->line) < 0) {
		free(norm);
		c->oom = true;
		return 0;
	}
	if (c->out->n == c->out->cap) {
		size_t cap = c->out->cap ? c->out->cap * 2 : 4;
		struct cage_svc_sock *v = reallocarray(c->out->v, cap, sizeof(*v));
		if (!v) {
			free(norm);
			free(src);
			c->oom = true;
			return 0;
		}
		c->out->v = v;
		c->out->cap = cap;
	}
	c->out->v[c->out->n++] = (struct cage_svc_sock){ c->svc, norm, src };
	return 0;
}

/* "[name]": records the section; false (reported) when malformed. */
static bool section_line(struct pctx *c, struct slice s)
{
	if (s.p[s.n - 1] != ']') {
		problem(c, "section header '%.*s%s' lacks its closing ']'", SHOW(s));
		c->in_section = false;
		return false;
	}
	struct slice name = trim((struct slice){ s.p + 1, s.n - 2 });
	size_t n = name.n < sizeof(c->section) - 1 ? name.n : sizeof(c->section) - 1;
	for (size_t i = 0; i < n; i++)
		c->section[i] = (char)tolower((unsigned char)name.p[i]);
	c->section[n] = '\0';
	c->in_section = true;
	return true;
}

/* "key [= value]" split at '='; key trimmed, '-' read as '_' by callers. */
static bool split_eq(struct slice s, struct slice *key, struct slice *val)
{
	const char *eq = memchr(s.p, '=', s.n);
	*key = trim((struct slice){ s.p, eq ? (size_t)(eq - s.p) : s.n });
	*val = eq ? (struct slice){ eq + 1, s.n - (size_t)(eq + 1 - s.p) } : (struct slice){ "", 0 };
	return eq != NULL;
}

static bool key_is(struct slice key, const char *want)
{
	if (key.n != strlen(want))
		return false;
	for (size_t i = 0; i < key.n; i++) {
		char k = key.p[i] == '-' ? '_' : (char)tolower((unsigned char)key.p[i]);
		if (k != want[i])
			return false;
	}
	return true;
}

/* ---- MariaDB/MySQL option files ---- */

/* Groups the server or its clients read (mysqld --print-defaults). */
static bool mysql_group(const char *g)
{
	static const char *const groups[] = { "mysqld", "mariadb", "mariadbd", "server",
					      "mysqld_safe", "client", "client-server",
					      "client-mariadb", "mysql" };
	for (size_t i = 0; i < sizeof(groups) / sizeof(*groups); i++)
		if (strcmp(g, groups[i]) == 0)
			return true;
	return false;
}

static int mysql_line(struct pctx *c, struct slice s)
{
	if (s.p[0] == '!') /* !include(dir): every *.cnf below /etc/mysql is read anyway */
		return 0;
	if (s.p[0] == '[')
		return section_line(c, s), 0;
	struct slice key, val;
	bool has_eq = split_eq(s, &key, &val);
	if (!c->in_section)
		return problem(c, "option '%.*s%s' before any [group] (mysqld refuses this)",
			       SHOW(key));
	if (!key_is(key, "socket") || !mysql_group(c->section))
		return 0;
	if (!has_eq || !take_value(val, &val))
		return configured_problem(c, "socket needs '= /path/to/mysqld.sock'");
	return add_socket(c, val, "socket");
}

/* ---- PostgreSQL postgresql.conf ---- */

static int pg_dirs(struct pctx *c, struct slice v)
{
	*c->configured = true;
	while (v.n) {
		const char *comma = memchr(v.p, ',', v.n);
		size_t n = comma ? (size_t)(comma - v.p) : v.n;
		struct slice d = trim((struct slice){ v.p, n });
		v = comma ? (struct slice){ comma + 1, v.n - n - 1 } : (struct slice){ "", 0 };
		if (d.n && d.p[0] != '@') /* '@': abstract namespace, no directory */
			add_socket(c, d, "unix_socket_directories entry");
	}
	return 0;
}

/* "name [=] value [# comment]", value bare or '...' (postgresql.conf(5)). */
static int pg_line(struct pctx *c, struct slice s)
{
	size_t i = 0;
	while (i < s.n && (isalnum((unsigned char)s.p[i]) || s.p[i] == '_' || s.p[i] == '.'))
		i++;
	struct slice key = { s.p, i }, rest = trim((struct slice){ s.p + i, s.n - i });
	if (!key.n)
		return problem(c, "expected 'name = value', got '%.*s%s'", SHOW(s));
	if (!key_is(key, "unix_socket_directories") && !key_is(key, "unix_socket_directory"))
		return 0;
	if (rest.n && rest.p[0] == '=')
		rest = trim((struct slice){ rest.p + 1, rest.n - 1 });
	struct slice v;
	if (rest.n && rest.p[0] == '\'') {
		if (!take_word(&rest, &v))
			return configured_problem(c, "unterminated quote in %.*s", (int)key.n, key.p);
	} else {
		size_t n = 0;
		while (n < rest.n && !is_blank(rest.p[n]) && rest.p[n] != '#')
			n++;
		v = (struct slice){ rest.p, n };
	}
	return pg_dirs(c, v);
}

/* ---- PHP-FPM pool files (ini) ---- */

/* "$pool" is the only variable php-fpm expands in a pool's listen. */
static int fpm_listen(struct pctx *c, struct slice v)
{
	*c->configured = true;
	if (!v.n)
		return problem(c, "listen without an address");
	if (v.p[0] != '/') /* "127.0.0.1:9000", "[::1]:9000", "9000": TCP */
		return 0;
	char buf[PATH_MAX];
	size_t o = 0;
	for (size_t i = 0; i < v.n && o < sizeof(buf) - 1; i++) {
		if (v.p[i] == '$' && v.n - i >= 5 && memcmp(v.p + i, "$pool", 5) == 0) {
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s", c->section);
			o = o < sizeof(buf) ? o : sizeof(buf) - 1;
			i += 4;
		} else if (v.p[i] == '$') {
			return problem(c, "listen '%.*s%s': only $pool can be expanded", SHOW(v));
		} else {
			buf[o++] = v.p[i];
		}
	}
	buf[o] = '\0';
	return add_socket(c, (struct slice){ buf, o }, "listen");
}

static int fpm_line(struct pctx *c, struct slice s)
{
	if (s.p[0] == '[')
		return section_line(c, s), 0;
	struct slice key, val;
	if (!split_eq(s, &key, &val))
		return problem(c, "expected 'name = value', got '%.*s%s'", SHOW(s));
	if (!slice_is(key, "listen"))
		return 0;
	if (!c->in_section || strcmp(c->section, "global") == 0)
		return configured_problem(c, "listen outside a [pool] section");
	if (!take_value(val, &val))
		return configured_problem(c, "unterminated quote in listen");
	return fpm_listen(c, val);
}

/* ---- Redis redis.conf ---- */

static int redis_line(struct pctx *c, struct slice s)
{
	struct slice key, path;
	take_word(&s, &key);
	if (!slice_is(key, "unixsocket"))
		return 0;
	if (!take_word(&s, &path))
		return configured_problem(c, "unterminated quote in unixsocket");
	return add_socket(c, path, "unixsocket");
}

/* ---- Memcached /etc/memcached*.conf (one option a line, Debian) ---- */

static int memcached_line(struct pctx *c, struct slice s)
{
	struct slice opt, path;
	take_word(&s, &opt);
	if (opt.n > 14 && strncmp(opt.p, "--unix-socket=", 14) == 0)
		return add_socket(c, (struct slice){ opt.p + 14, opt.n - 14 }, "--unix-socket");
	if (!slice_is(opt, "-s") && !slice_is(opt, "--unix-socket"))
		return 0;
	if (!take_word(&s, &path))
		return configured_problem(c, "unterminated quote after -s");
	return add_socket(c, path, "-s");
}

/* ---- the common loop ---- */

typedef int (*line_fn)(struct pctx *, struct slice);

static bool is_comment(enum cage_svc svc, char ch)
{
	return ch == '#' || (ch == ';' && (svc == CAGE_SVC_MYSQL || svc == CAGE_SVC_PHPFPM));
}

int cage_svc_parse(enum cage_svc svc, const char *file, const char *buf, size_t len,
		   struct cage_svc_socks *out, cage_strvec_t *problems, bool *configured)
{
	static const line_fn fns[CAGE_SVC_COUNT] = { mysql_line, pg_line, fpm_line, redis_line,
						     memcached_line };
	bool dummy = false;
	struct pctx c = { .svc = svc, .file = file ? file : "<config>", .out = out,
			  .problems = problems, .configured = configured ? configured : &dummy };
	if ((unsigned)svc >= CAGE_SVC_COUNT)
		return -1;
	struct lines r;
	struct slice s;
	lines_init(&r, buf, len);
	while (lines_next(&r, &s) && !c.oom) {
		c.line = r.no;
		if (memchr(s.p, '\0', s.n)) {
			problem(&c, "NUL byte in line (binary file?)");
			continue;
		}
		s = trim(s);
		if (s.n && !is_comment(svc, s.p[0]))
			fns[svc](&c, s);
	}
	if (c.oom)
		errno = ENOMEM;
	return c.oom ? -1 : 0;
}

void cage_svc_socks_free(struct cage_svc_socks *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].source);
	}
	free(s->v);
	*s = (struct cage_svc_socks){ 0 };
}

const char *cage_svc_name(enum cage_svc svc)
{
	static const char *const n[] = { "mysql", "postgresql", "php-fpm", "redis", "memcached" };
	return (unsigned)svc < CAGE_SVC_COUNT ? n[svc] : "?";
}

const char *cage_svc_title(enum cage_svc svc)
{
	static const char *const n[] = { "MariaDB/MySQL", "PostgreSQL", "PHP-FPM", "Redis",
					 "Memcached" };
	return (unsigned)svc < CAGE_SVC_COUNT ? n[svc] : "?";
}
