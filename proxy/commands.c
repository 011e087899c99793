/* The command files (manual: "Executing By Proxy"): /etc/cagefs/
 * proxy.commands, custom.proxy.commands and any other *.proxy.commands,
 * one "ALIAS[:wrapper_name]=[username:]path_to_executable" a line.  The
 * line rules are every parser's (runtime/core/textparse.h); errors are
 * "file:line: what is wrong" and leave the table as it was
 * (docs/ARCHITECTURE.md §5).  Fuzzed: tests/fuzz/fuzz_proxy_cmds.c. */
#define _GNU_SOURCE
#include "cagefs/proxy.h"

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/hashset.h"
#include "cagefs/safefs.h"
#include "runtime/core/textparse.h"

#define CMDS_FILE_MAX ((size_t)16 << 20)
#define CMDS_MAX 100000 /* entries in all files: bounds the tables */

struct parser {
	struct cage_proxy_cmds *t;
	const char *file;
	unsigned line;
	cage_err_t *err;
	cage_hashset_t aliases, paths; /* -> index + 1 in t->c */
};

static bool name_char(char c, const char *extra)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c && strchr(extra, c));
}

static bool all_chars(struct slice s, const char *extra)
{
	for (size_t i = 0; i < s.n; i++)
		if (!name_char(s.p[i], extra))
			return false;
	return true;
}

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vline_err(p->err, p->file, p->line, fmt, ap);
	va_end(ap);
	return rc;
}

/* ALIAS: letters, digits, '_', '.', '-' (so "@PATH" in a request can
 * never name one). */
static int check_alias(struct parser *p, struct slice a)
{
	if (!a.n)
		return perr(p, "no ALIAS before '=' (ALIAS[:wrapper_name]=[username:]path)");
	if (a.n > CAGE_PROXY_NAME_MAX || !all_chars(a, "_.-"))
		return perr(p, "alias '%.*s%s' must be 1 to %d letters, digits, '_', '.' or '-'", SHOW(a),
			    CAGE_PROXY_NAME_MAX);
	return 0;
}

/* A wrapper is a file name in the safeprograms directory: one component. */
static int check_wrapper(struct parser *p, struct slice w)
{
	if (!w.n || w.n > CAGE_PROXY_NAME_MAX || !all_chars(w, "_.+-") || (w.n <= 2 && w.p[0] == '.' &&
	    (w.n == 1 || w.p[1] == '.')))
		return perr(p, "wrapper name '%.*s%s' must be a file name of 1 to %d letters, digits, '_', '.', "
			    "'+' or '-' (or noproceed)", SHOW(w), CAGE_PROXY_NAME_MAX);
	return 0;
}

static int check_user(struct parser *p, struct slice u)
{
	if (!u.n || u.n > 32 || u.p[0] == '-' || !all_chars(u, "_.-"))
		return perr(p, "username '%.*s%s' is not a user name", SHOW(u));
	return 0;
}

static int check_path(struct parser *p, struct slice s)
{
	if (!s.n || s.p[0] != '/')
		return perr(p, "path_to_executable '%.*s%s' must be an absolute path", SHOW(s));
	if (s.n > CAGE_PROXY_PATH_MAX)
		return perr(p, "path_to_executable is longer than %d bytes", CAGE_PROXY_PATH_MAX);
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] <= ' ' || s.p[i] == 0x7f)
			return perr(p, "path_to_executable '%.*s%s' holds a blank or a control character", SHOW(s));
	_cleanup_free_ char *raw = strndup(s.p, s.n);
	_cleanup_free_ char *norm = raw ? cage_path_normalize(raw) : NULL;
	if (!norm)
		return perr(p, "out of memory");
	if (strcmp(raw, norm) || !strcmp(norm, "/"))
		return perr(p, "path_to_executable '%s' is not a plain path (write it as '%s')", raw, norm);
	return 0;
}

static char *dup_slice(struct slice s)
{
	return s.n ? strndup(s.p, s.n) : NULL;
}

static int add(struct parser *p, struct slice alias, struct slice wrapper, struct slice user, struct slice path)
{
	struct cage_proxy_cmds *t = p->t;
	if (t->n >= CMDS_MAX)
		return perr(p, "more than %d proxied commands", CMDS_MAX);
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct cage_proxy_cmd *v = reallocarray(t->c, cap, sizeof(*v));
		if (!v)
			return perr(p, "out of memory");
		t->c = v;
		t->cap = cap;
	}
	bool noproceed = wrapper.n == 9 && !memcmp(wrapper.p, "noproceed", 9);
	struct cage_proxy_cmd c = {
		.alias = dup_slice(alias), .wrapper = noproceed ? NULL : dup_slice(wrapper),
		.noproceed = noproceed, .user = dup_slice(user), .path = dup_slice(path),
		.file = strdup(p->file), .line = p->line,
	};
	if (!c.alias || !c.path || !c.file || (wrapper.n && !noproceed && !c.wrapper) || (user.n && !c.user)) {
		free(c.alias), free(c.wrapper), free(c.user), free(c.path), free(c.file);
		return perr(p, "out of memory");
	}
	t->c[t->n++] = c;
	return 0;
}

/* An alias is unique within all files; a path has at most one wrapper
 * (manual: aliases that share a program say noproceed). */
static int check_unique(struct parser *p, const char *alias, const char *path, bool noproceed)
{
	uintptr_t i;
	if (cage_hash_get(&p->aliases, alias, &i))
		return perr(p, "alias %s is already defined at %s:%u", alias, p->t->c[i - 1].file,
			    p->t->c[i - 1].line);
	if (!noproceed && cage_hash_get(&p->paths, path, &i))
		return perr(p, "%s already gets the wrapper of %s (%s:%u); an alias that shares its program "
			    "says noproceed", path, p->t->c[i - 1].alias, p->t->c[i - 1].file, p->t->c[i - 1].line);
	return 0;
}

static int index_last(struct parser *p)
{
	const struct cage_proxy_cmd *c = &p->t->c[p->t->n - 1];
	if (cage_hash_add(&p->aliases, c->alias, p->t->n) < 0 ||
	    (!c->noproceed && cage_hash_add(&p->paths, c->path, p->t->n) < 0))
		return perr(p, "out of memory");
	return 0;
}

static int parse_line(struct parser *p, struct slice s)
{
	const char *eq = memchr(s.p, '=', s.n);
	if (!eq)
		return perr(p, "'%.*s%s' is not ALIAS[:wrapper_name]=[username:]path", SHOW(s));
	struct slice left = trim((struct slice){s.p, (size_t)(eq - s.p)});
	struct slice right = trim((struct slice){eq + 1, s.n - (size_t)(eq + 1 - s.p)});
	const char *colon = memchr(left.p, ':', left.n);
	struct slice alias = colon ? trim((struct slice){left.p, (size_t)(colon - left.p)}) : left;
	struct slice wrapper = colon ? trim((struct slice){colon + 1, left.n - (size_t)(colon + 1 - left.p)})
				     : (struct slice){NULL, 0};
	struct slice user = {NULL, 0}, path = right;
	if (right.n && right.p[0] != '/') {
		const char *uc = memchr(right.p, ':', right.n);
		if (!uc)
			return perr(p, "'%.*s%s' is neither an absolute path nor username:path", SHOW(right));
		user = trim((struct slice){right.p, (size_t)(uc - right.p)});
		path = trim((struct slice){uc + 1, right.n - (size_t)(uc + 1 - right.p)});
	}
	if (check_alias(p, alias) < 0 || (colon && check_wrapper(p, wrapper) < 0) ||
	    (user.p && check_user(p, user) < 0) || check_path(p, path) < 0)
		return -1;
	bool noproceed = wrapper.n == 9 && !memcmp(wrapper.p, "noproceed", 9);
	_cleanup_free_ char *a = strndup(alias.p, alias.n), *pa = strndup(path.p, path.n);
	if (!a || !pa)
		return perr(p, "out of memory");
	if (check_unique(p, a, pa, noproceed) < 0 || add(p, alias, wrapper, user, path) < 0)
		return -1;
	return index_last(p);
}

static int parse_lines(struct parser *p, const char *buf, size_t len)
{
	for (size_t i = 0; i < p->t->n; i++) { /* earlier files count for collisions */
		const struct cage_proxy_cmd *c = &p->t->c[i];
		if (cage_hash_add(&p->aliases, c->alias, i + 1) < 0 ||
		    (!c->noproceed && cage_hash_add(&p->paths, c->path, i + 1) < 0))
			return perr(p, "out of memory");
	}
	struct lines r;
	struct slice s;
	lines_init(&r, buf, len);
	while (lines_next(&r, &s)) {
		p->line = r.no;
		if (memchr(s.p, '\0', s.n))
			return perr(p, "NUL byte in line (binary file?)");
		s = trim(s);
		if (!s.n || s.p[0] == '#')
			continue;
		if (parse_line(p, s) < 0)
			return -1;
	}
	return 0;
}

static void cmd_free(struct cage_proxy_cmd *c)
{
	free(c->alias);
	free(c->wrapper);
	free(c->user);
	free(c->path);
	free(c->file);
}

static void truncate_to(struct cage_proxy_cmds *t, size_t n)
{
	while (t->n > n)
		cmd_free(&t->c[--t->n]);
}

int cage_proxy_cmds_parse_buf(struct cage_proxy_cmds *t, const char *file, const char *buf, size_t len,
			      cage_err_t *err)
{
	struct parser p = {.t = t, .file = file ? file : "<proxy.commands>", .err = err};
	size_t n0 = t->n;
	int rc = parse_lines(&p, buf, len);
	cage_hash_free(&p.aliases);
	cage_hash_free(&p.paths);
	if (rc < 0)
		truncate_to(t, n0);
	return rc;
}

void cage_proxy_cmds_free(struct cage_proxy_cmds *t)
{
	truncate_to(t, 0);
	free(t->c);
	memset(t, 0, sizeof(*t));
}

const struct cage_proxy_cmd *cage_proxy_cmds_find(const struct cage_proxy_cmds *t, const char *alias)
{
	bool by_path = alias[0] == '@';
	for (size_t i = 0; i < t->n; i++) {
		const struct cage_proxy_cmd *c = &t->c[i];
		/* "@PATH" is what the default wrapper sends: only an alias
		 * whose default wrapper stands at PATH answers to it. */
		if (by_path ? !c->wrapper && !c->noproceed && !strcmp(c->path, alias + 1) : !strcmp(c->alias, alias))
			return c;
	}
	return NULL;
}

/* ---- loading from /etc/cagefs ---- */

/* The program runs as root or as the caller outside every cage: a file a
 * user could change would be theirs to run as root (fail closed). */
static int check_program(const struct cage_proxy_cmd *c, cage_err_t *err)
{
	struct stat st;
	if (stat(c->path, &st) < 0)
		return cage_err_sys(err, errno, "%s:%u: %s", c->file, c->line, c->path);
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return cage_err_set(err, "%s:%u: %s is not an executable file", c->file, c->line, c->path);
	if (st.st_uid != 0 || (st.st_mode & 022))
		return cage_err_set(err, "%s:%u: %s can be changed by someone other than root (owner %u, mode "
				    "%o): refused", c->file, c->line, c->path, st.st_uid, st.st_mode & 07777);
	if (c->user && !getpwnam(c->user))
		return cage_err_set(err, "%s:%u: no such user: %s", c->file, c->line, c->user);
	return 0;
}

static int load_file(struct cage_proxy_cmds *t, const char *dir, const char *name, cage_err_t *err)
{
	_cleanup_free_ char *f = cage_path_join(dir, name), *text = NULL;
	size_t len = 0;
	cage_err_t e = {0};
	if (!f)
		return cage_err_sys(err, ENOMEM, "path");
	if (cage_read_file(f, CMDS_FILE_MAX, &text, &len, &e) < 0) {
		if (e.errnum == ENOENT)
			return 0;
		if (err)
			*err = e;
		return -1;
	}
	return cage_proxy_cmds_parse_buf(t, f, text, len, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Manual: every ETC/NAME.proxy.commands; proxy.commands and
 * custom.proxy.commands first, the others in name order. */
static int other_files(const char *etc, cage_strvec_t *out, cage_err_t *err)
{
	_cleanup_closedir_ DIR *d = opendir(etc);
	if (!d)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot read %s", etc);
	static const char suffix[] = ".proxy.commands";
	for (struct dirent *de; (de = readdir(d));) {
		size_t n = strlen(de->d_name);
		if (n > sizeof(suffix) - 1 && !strcmp(de->d_name + n - (sizeof(suffix) - 1), suffix) &&
		    strcmp(de->d_name, "custom.proxy.commands") && cage_strvec_push(out, de->d_name) < 0)
			return cage_err_sys(err, ENOMEM, "list");
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return 0;
}

int cage_proxy_cmds_load(const struct cage_paths *p, struct cage_proxy_cmds *t, cage_err_t *err)
{
	_cleanup_strvec_ cage_strvec_t others = {0};
	struct cage_proxy_cmds own = {0};
	int rc = load_file(&own, p->etc, "proxy.commands", err) < 0 ||
		 load_file(&own, p->etc, "custom.proxy.commands", err) < 0 || other_files(p->etc, &others, err) < 0
		 ? -1 : 0;
	for (size_t i = 0; rc == 0 && i < others.n; i++)
		if (strcmp(others.v[i], "proxy.commands"))
			rc = load_file(&own, p->etc, others.v[i], err);
	for (size_t i = 0; rc == 0 && i < own.n; i++)
		rc = check_program(&own.c[i], err);
	if (rc < 0) {
		cage_proxy_cmds_free(&own);
		return -1;
	}
	cage_proxy_cmds_free(t);
	*t = own;
	return 0;
}
