/* /etc/cagefs/limits.conf: per-user resource limits (cagefs/limits.h,
 * docs/ARCHITECTURE.md §4.17).  Read at every entry into a cage, so a
 * broken file must say exactly where it is broken, and an edit by
 * cagefsctl --set-limits must never leave a half-written file or lose a
 * line it was not asked to change. */
#define _GNU_SOURCE
#include "cagefs/limits.h"
#include "runtime/core/textparse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

#define LIMITS_FILE "limits.conf"

/* What each key takes: the unit suffixes it accepts and its range.  The
 * ranges keep every value a cgroup file takes: cpu.max's quota is the
 * percentage times 1000 µs, and a memory limit under 1 MiB would only
 * make every login die at once. */
static const struct key_rule {
	const char *name;
	bool percent, sizes;
	long long min, max;
	const char *unit;
} rules[CAGE_LIMIT_KEYS] = {
	[CAGE_LIMIT_CPU] = {"cpu", true, false, 1, 100000, "a percentage of one CPU (1% to 100000%)"},
	[CAGE_LIMIT_MEMORY] = {"memory", false, true, 1LL << 20, 1LL << 50, "bytes (K, M, G, T; at least 1M)"},
	[CAGE_LIMIT_PIDS] = {"pids", false, false, 1, 4194304, "a number of processes (1 to 4194304)"},
	[CAGE_LIMIT_IO] = {"io", false, true, 1024, 1LL << 50, "bytes per second (K, M, G, T; at least 1K)"},
	[CAGE_LIMIT_IOPS] = {"iops", false, false, 1, 1LL << 31, "operations per second (1 to 2147483648)"},
};

const char *cage_limit_name(enum cage_limit_key k)
{
	return k < CAGE_LIMIT_KEYS ? rules[k].name : "?";
}

void cage_limit_format(enum cage_limit_key k, long long v, char *buf, size_t size)
{
	static const char suffix[] = "KMGT";
	if (v == CAGE_LIMIT_UNSET)
		snprintf(buf, size, "%s", "");
	else if (v == CAGE_LIMIT_NONE)
		snprintf(buf, size, "max");
	else if (rules[k].percent)
		snprintf(buf, size, "%lld%%", v);
	else {
		int s = -1;
		while (rules[k].sizes && s < 3 && v % 1024 == 0 && v >= 1024) {
			v /= 1024;
			s++;
		}
		snprintf(buf, size, "%lld%.*s", v, s >= 0, s >= 0 ? &suffix[s] : "");
	}
}

static int key_of(struct slice k)
{
	for (int i = 0; i < CAGE_LIMIT_KEYS; i++)
		if (strlen(rules[i].name) == k.n && !memcmp(rules[i].name, k.p, k.n))
			return i;
	return -1;
}

/* "max", or digits with the key's suffix; *OUT in the key's unit. */
static bool value_of(const struct key_rule *r, struct slice v, long long *out)
{
	if (v.n == 3 && !memcmp(v.p, "max", 3)) {
		*out = CAGE_LIMIT_NONE;
		return true;
	}
	size_t d = 0; /* a slice: not NUL-terminated */
	while (d < v.n && v.p[d] >= '0' && v.p[d] <= '9')
		d++;
	if (d == 0 || d > 16) /* 16 digits: no overflow below */
		return false;
	long long n = 0;
	for (size_t i = 0; i < d; i++)
		n = n * 10 + (v.p[i] - '0');
	const char *unit = r->percent ? "%" : r->sizes ? "KMGT" : "";
	if (d < v.n) {
		const char *u = v.n - d == 1 ? memchr(unit, v.p[d], strlen(unit)) : NULL;
		if (!u)
			return false;
		int shift = r->sizes ? 10 * (int)(u - unit + 1) : 0;
		if (n > r->max >> shift)
			return false;
		n <<= shift;
	} else if (r->percent)
		return false;
	if (n < r->min || n > r->max)
		return false;
	*out = n;
	return true;
}

/* A user name as useradd allows it, or "default": nothing the line's own
 * syntax needs ('=', blanks, '#'). */
static bool name_ok(struct slice s)
{
	if (!s.n || s.n > 64 || s.p[0] == '-' || s.p[0] == '.')
		return false;
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] <= ' ' || (unsigned char)s.p[i] >= 0x7f || strchr("=#:/,", s.p[i]))
			return false;
	return true;
}

/* "KEY=VALUE" into L; the message (without "file:line: ") in WHY. */
static bool assignment(struct slice a, struct cage_limits *l, bool allow_empty, char *why, size_t size)
{
	const char *eq = memchr(a.p, '=', a.n);
	struct slice k = {a.p, eq ? (size_t)(eq - a.p) : a.n};
	int key = key_of(k);
	if (!eq || key < 0) {
		snprintf(why, size, "'%.*s%s' is not KEY=VALUE with KEY one of cpu, memory, pids, io, iops",
			 SHOW(a));
		return false;
	}
	struct slice v = {eq + 1, a.n - k.n - 1};
	if (!v.n && allow_empty) {
		l->v[key] = CAGE_LIMIT_UNSET;
		return true;
	}
	if (!value_of(&rules[key], v, &l->v[key])) {
		snprintf(why, size, "%s: '%.*s%s' is not max or %s", rules[key].name, SHOW(v), rules[key].unit);
		return false;
	}
	return true;
}

static int find(const struct cage_limits_file *f, const char *name, size_t n)
{
	for (size_t i = 0; i < f->n; i++)
		if (strlen(f->lines[i].name) == n && !memcmp(f->lines[i].name, name, n))
			return (int)i;
	return -1;
}

static int parse_line(struct cage_limits_file *f, struct slice s, unsigned no, cage_err_t *err)
{
	struct slice name, a;
	next_word(&s, &name);
	if (!name_ok(name))
		return line_err(err, f->file, no, "'%.*s%s' is not a user name or \"default\"", SHOW(name));
	int seen = find(f, name.p, name.n);
	if (seen >= 0)
		return line_err(err, f->file, no, "%.*s%s already has its line (line %u)", SHOW(name),
				f->lines[seen].line);
	struct cage_limits_line l = {.line = no};
	char why[256];
	bool any = false;
	while (next_word(&s, &a)) {
		if (!assignment(a, &l.l, false, why, sizeof(why)))
			return line_err(err, f->file, no, "%s", why);
		any = true;
	}
	if (!any)
		return line_err(err, f->file, no, "%.*s%s: no KEY=VALUE (cpu, memory, pids, io, iops)", SHOW(name));
	struct cage_limits_line *grown = reallocarray(f->lines, f->n + 1, sizeof(*grown));
	if (!grown || !(l.name = strndup(name.p, name.n))) {
		f->lines = grown ? grown : f->lines;
		return cage_err_sys(err, ENOMEM, "%s", f->file);
	}
	f->lines = grown;
	f->lines[f->n++] = l;
	return 0;
}

int cage_limits_parse_buf(struct cage_limits_file *f, const char *file, const char *buf, size_t len,
			  cage_err_t *err)
{
	*f = (struct cage_limits_file){.file = strdup(file)};
	if (!f->file)
		return cage_err_sys(err, ENOMEM, "%s", file);
	if (memchr(buf, '\0', len)) {
		cage_limits_file_free(f);
		return cage_err_set(err, "%s: holds a NUL byte: not a text file", file);
	}
	struct lines r;
	lines_init(&r, buf, len);
	for (struct slice s; lines_next(&r, &s);) {
		s = trim(s);
		if (s.n && s.p[0] != '#' && parse_line(f, s, r.no, err) < 0) {
			cage_limits_file_free(f); /* all or nothing */
			return -1;
		}
	}
	return 0;
}

static char *limits_path(const struct cage_paths *p)
{
	return cage_path_join(p->etc, LIMITS_FILE);
}

/* The file's text (NULL, 0 when there is none). */
static int read_text(const char *path, char **text, size_t *len, cage_err_t *err)
{
	*text = NULL;
	*len = 0;
	cage_err_t e = {0};
	if (cage_read_file(path, CAGE_LIMITS_MAX_FILE_SIZE, text, len, &e) == 0 || e.errnum == ENOENT)
		return 0;
	return cage_err_set(err, "%s", e.msg);
}

int cage_limits_load(const struct cage_paths *p, struct cage_limits_file *f, cage_err_t *err)
{
	*f = (struct cage_limits_file){0};
	_cleanup_free_ char *path = limits_path(p), *text = NULL;
	size_t len;
	if (!path)
		return cage_err_sys(err, ENOMEM, "limits");
	if (read_text(path, &text, &len, err) < 0)
		return -1;
	return cage_limits_parse_buf(f, path, text ? text : "", len, err);
}

void cage_limits_file_free(struct cage_limits_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->lines[i].name);
	free(f->lines);
	free(f->file);
	*f = (struct cage_limits_file){0};
}

void cage_limits_of(const struct cage_limits_file *f, const char *user, struct cage_limits *out)
{
	*out = (struct cage_limits){{0}};
	int d = find(f, CAGE_LIMITS_DEFAULT, strlen(CAGE_LIMITS_DEFAULT));
	int u = user && strcmp(user, CAGE_LIMITS_DEFAULT) ? find(f, user, strlen(user)) : -1;
	for (int k = 0; k < CAGE_LIMIT_KEYS; k++) {
		long long v = u >= 0 && f->lines[u].l.v[k] != CAGE_LIMIT_UNSET ? f->lines[u].l.v[k]
			    : d >= 0 ? f->lines[d].l.v[k] : CAGE_LIMIT_UNSET;
		out->v[k] = v == CAGE_LIMIT_NONE ? CAGE_LIMIT_UNSET : v;
	}
}

bool cage_limits_any(const struct cage_limits *l)
{
	for (int k = 0; k < CAGE_LIMIT_KEYS; k++)
		if (l->v[k] > 0)
			return true;
	return false;
}

/* ---- cagefsctl --set-limits ---- */

/* "NAME key=value ..." in key order, with a newline; NULL if L is empty. */
static char *format_line(const char *name, const struct cage_limits *l)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	if (!m)
		return NULL;
	fprintf(m, "%s", name);
	bool any = false;
	for (int k = 0; k < CAGE_LIMIT_KEYS; k++) {
		char v[32];
		cage_limit_format(k, l->v[k], v, sizeof(v));
		if (v[0])
			fprintf(m, " %s=%s", rules[k].name, v);
		any |= v[0] != '\0';
	}
	fputc('\n', m);
	fclose(m);
	if (!any) {
		free(out);
		return strdup("");
	}
	return out;
}

/* OLD with line number NO replaced by LINE ("" drops it; NO 0 appends);
 * every other line as it was, a last one given its newline. */
static char *splice(const char *old, size_t len, unsigned no, const char *line)
{
	char *out = NULL;
	size_t olen = 0;
	FILE *m = open_memstream(&out, &olen);
	if (!m)
		return NULL;
	struct lines r;
	lines_init(&r, old, len);
	fwrite(old, 1, r.pos, m); /* a byte order mark stays */
	for (struct slice s; lines_next(&r, &s);) {
		if (r.no == no)
			fputs(line, m);
		else
			fprintf(m, "%.*s\n", (int)s.n, s.p);
	}
	if (no == 0)
		fputs(line, m);
	fclose(m);
	return out;
}

/* NAME's line after ASSIGN, checked: "" when nothing is left. */
static char *changed_line(const struct cage_limits_file *f, const char *name, char *const *assign,
			  size_t nassign, unsigned *no, cage_err_t *err)
{
	int i = find(f, name, strlen(name));
	struct cage_limits l = i >= 0 ? f->lines[i].l : (struct cage_limits){{0}};
	*no = i >= 0 ? f->lines[i].line : 0;
	char why[256];
	for (size_t a = 0; a < nassign; a++)
		if (!assignment((struct slice){assign[a], strlen(assign[a])}, &l, true, why, sizeof(why))) {
			cage_err_set(err, "%s", why);
			return NULL;
		}
	char *line = format_line(name, &l);
	if (!line)
		cage_err_sys(err, ENOMEM, "limits");
	return line;
}

int cage_limits_edit(const struct cage_paths *p, const char *name, char *const *assign, size_t nassign,
		     char **text, cage_err_t *err)
{
	*text = NULL;
	if (!name_ok((struct slice){name, strlen(name)}))
		return cage_err_set(err, "'%.64s' is not a user name or \"default\"", name);
	if (nassign == 0)
		return cage_err_set(err, "no KEY=VALUE to set (cpu, memory, pids, io, iops)");
	_cleanup_free_ char *path = limits_path(p), *old = NULL, *line = NULL;
	size_t len;
	if (!path)
		return cage_err_sys(err, ENOMEM, "limits");
	if (read_text(path, &old, &len, err) < 0)
		return -1;
	struct cage_limits_file f;
	unsigned no = 0;
	int rc = cage_limits_parse_buf(&f, path, old ? old : "", len, err);
	if (rc == 0 && !(line = changed_line(&f, name, assign, nassign, &no, err)))
		rc = -1;
	cage_limits_file_free(&f);
	if (rc == 0 && !(*text = splice(old ? old : "", len, no, line)))
		rc = cage_err_sys(err, ENOMEM, "limits");
	return rc < 0 ? cage_err_prefix(err, "%s left as it was", path) : 0;
}

int cage_limits_write(const struct cage_paths *p, const char *text, cage_err_t *err)
{
	_cleanup_free_ char *path = limits_path(p);
	struct cage_limits_file check;
	if (!path)
		return cage_err_sys(err, ENOMEM, "limits");
	int rc = cage_limits_parse_buf(&check, path, text, strlen(text), err); /* what is written reads back */
	cage_limits_file_free(&check);
	return rc < 0 ? -1 : cage_write_atomic(path, text, strlen(text), 0644, err);
}
