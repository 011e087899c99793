/* Per-user seccomp overrides: the file ETC/seccomp.d/USER, parsed
 * (cagefs/seccomp.h; docs/ARCHITECTURE.md §4.24; seccomp/README.md,
 * "Per-user overrides").  A line a rule, in words an administrator and
 * learning mode both write:
 *
 *   allow keyctl
 *   deny  getcwd errno=ENOSYS        # a trailing comment
 *   kill  ioctl a1&0xffffffff==0x5412
 *   log-denials
 *
 * It decides what one user's processes may ask of the kernel, so the
 * file must be root's own, every error names its line, and any input is
 * survived (tests/fuzz/fuzz_seccomp_override.c). */
#define _GNU_SOURCE
#include "cagefs/seccomp.h"
#include "runtime/core/textparse.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"

static const char *const verbs[] = {
	[CAGE_SECCOMP_ALLOW] = "allow", [CAGE_SECCOMP_DENY] = "deny",
	[CAGE_SECCOMP_KILL] = "kill", [CAGE_SECCOMP_LOG] = "log",
};
#define NVERBS (sizeof(verbs) / sizeof(*verbs))
#define LOG_DENIALS "log-denials"
#define COND_SYNTAX "aN==V, aN!=V, aN<V, aN<=V, aN>V, aN>=V or aN&MASK==V with N 0..5"

/* At most SHOW_MAX bytes of S for a message, control bytes shown as '?':
 * the text is an administrator's file, printed on a terminal. */
static const char *quote(struct slice s, char *buf, size_t size)
{
	size_t n = s.n > SHOW_MAX ? SHOW_MAX : s.n, j = 0;
	for (size_t i = 0; i < n && j + 4 < size; i++) {
		unsigned char c = (unsigned char)s.p[i];
		buf[j++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (s.n > n)
		j += (size_t)snprintf(buf + j, size - j, "...");
	buf[j] = '\0';
	return buf;
}
#define Q(s) quote((s), (char[SHOW_MAX + 8]){0}, SHOW_MAX + 8)

static bool is(struct slice s, const char *word)
{
	return s.n == strlen(word) && !memcmp(s.p, word, s.n);
}

/* A '#' at the start or after a blank begins a comment. */
static struct slice uncomment(struct slice s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] == '#' && (i == 0 || is_blank(s.p[i - 1])))
			return trim((struct slice){s.p, i});
	return trim(s);
}

/* Decimal, or 0x hex; the whole uint64 range, nothing beyond. */
static bool number(struct slice s, uint64_t *out)
{
	uint64_t x = 0;
	bool hex = s.n > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X');
	size_t i = hex ? 2 : 0;
	if (i == s.n)
		return false;
	for (; i < s.n; i++) {
		char c = s.p[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			   : hex && c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			   : hex && c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99;
		unsigned base = hex ? 16 : 10;
		if (d >= base || x > (UINT64_MAX - d) / base)
			return false;
		x = x * base + d;
	}
	*out = x;
	return true;
}

/* errno=: a name glibc knows (EPERM, ENOSYS, ...) or 1..4094 (libseccomp
 * refuses 4095 up, MAX_ERRNO). */
static bool errno_value(struct slice s, unsigned *out)
{
	uint64_t v;
	if (number(s, &v)) {
		*out = (unsigned)v;
		return v >= 1 && v <= 4094;
	}
	for (int e = 1; e <= 4094; e++) {
		const char *name = strerrorname_np(e);
		if (name && is(s, name)) {
			*out = (unsigned)e;
			return true;
		}
	}
	return false;
}

struct parse {
	struct cage_seccomp_override *o;
	unsigned line;
	cage_err_t *err;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parse *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vline_err(ps->err, ps->o->file, ps->line, fmt, ap);
	va_end(ap);
	return rc;
}

/* "aN" and what follows it: the operator and the value(s). */
static int cond_parse(struct parse *ps, struct slice w, struct scmp_arg_cmp *c)
{
	static const struct { const char *text; enum scmp_compare op; } ops[] = {
		{"==", SCMP_CMP_EQ}, {"!=", SCMP_CMP_NE}, {"<=", SCMP_CMP_LE},
		{">=", SCMP_CMP_GE}, {"<", SCMP_CMP_LT}, {">", SCMP_CMP_GT},
	};
	size_t i = 1;
	while (i < w.n && i < 4 && w.p[i] >= '0' && w.p[i] <= '9')
		i++;
	if (w.n < 2 || w.p[0] != 'a' || i == 1)
		return fail(ps, "'%s' is not a condition (%s)", Q(w), COND_SYNTAX);
	unsigned index = (unsigned)(w.p[1] - '0'); /* a slice: no strtoul past its end */
	if (i - 1 > 1 || index > 5)
		return fail(ps, "'%s': argument a%.*s does not exist (a0..a5)", Q(w), (int)(i - 1), w.p + 1);
	struct slice rest = {w.p + i, w.n - i}, v;
	*c = (struct scmp_arg_cmp){.arg = index};
	if (rest.n && rest.p[0] == '&') {
		const char *eq = memmem(rest.p, rest.n, "==", 2);
		struct slice mask = {rest.p + 1, eq ? (size_t)(eq - rest.p) - 1 : 0};
		if (!eq)
			return fail(ps, "'%s': a mask needs ==V after it (aN&MASK==V)", Q(w));
		if (!number(mask, &c->datum_a))
			return fail(ps, "'%s': the mask '%s' is not a number (decimal or 0x hex, 64 bits)", Q(w),
				    Q(mask));
		c->op = SCMP_CMP_MASKED_EQ;
		v = (struct slice){eq + 2, rest.n - (size_t)(eq + 2 - rest.p)};
		if (!number(v, &c->datum_b))
			return fail(ps, "'%s': '%s' is not a number (decimal or 0x hex, 64 bits)", Q(w), Q(v));
		return 0;
	}
	size_t k = 0;
	while (k < sizeof(ops) / sizeof(*ops) &&
	       (rest.n < strlen(ops[k].text) || memcmp(rest.p, ops[k].text, strlen(ops[k].text))))
		k++;
	if (k == sizeof(ops) / sizeof(*ops))
		return fail(ps, "'%s': unknown operator (%s)", Q(w), COND_SYNTAX);
	c->op = ops[k].op;
	v = (struct slice){rest.p + strlen(ops[k].text), rest.n - strlen(ops[k].text)};
	if (!number(v, &c->datum_a))
		return fail(ps, "'%s': '%s' is not a number (decimal or 0x hex, 64 bits)", Q(w), Q(v));
	return 0;
}

/* Add C to R's conditions, kept in index order; an index once. */
static int cond_add(struct parse *ps, struct cage_seccomp_rule *r, const struct scmp_arg_cmp *c)
{
	for (unsigned i = 0; i < r->nconds; i++)
		if (r->conds[i].arg == c->arg)
			return fail(ps, "a%u is tested twice (the conditions of a line are ANDed: one per argument)",
				    c->arg);
	unsigned j = r->nconds++;
	while (j > 0 && r->conds[j - 1].arg > c->arg) {
		r->conds[j] = r->conds[j - 1];
		j--;
	}
	r->conds[j] = *c;
	return 0;
}

static bool cond_equal(const struct scmp_arg_cmp *a, const struct scmp_arg_cmp *b)
{
	return a->arg == b->arg && a->op == b->op && a->datum_a == b->datum_a &&
	       (a->op != SCMP_CMP_MASKED_EQ || a->datum_b == b->datum_b);
}

/* Same syscall, same set of conditions (both kept in index order). */
static bool same_target(const struct cage_seccomp_rule *a, const struct cage_seccomp_rule *b)
{
	if (strcmp(a->name, b->name) || a->nconds != b->nconds)
		return false;
	for (unsigned i = 0; i < a->nconds; i++)
		if (!cond_equal(&a->conds[i], &b->conds[i]))
			return false;
	return true;
}

static int rule_args(struct parse *ps, struct cage_seccomp_rule *r, struct slice s)
{
	bool errno_seen = false;
	for (struct slice w; next_word(&s, &w);) {
		if (w.n >= 6 && !memcmp(w.p, "errno=", 6)) {
			struct slice v = {w.p + 6, w.n - 6};
			if (r->verb != CAGE_SECCOMP_DENY)
				return fail(ps, "errno= goes with deny only");
			if (errno_seen)
				return fail(ps, "errno= is given twice");
			if (!errno_value(v, &r->errnum))
				return fail(ps, "unknown errno '%s' (a name such as EPERM or ENOSYS, or a number "
					    "1..4094)", Q(v));
			errno_seen = true;
			continue;
		}
		struct scmp_arg_cmp c;
		if (cond_parse(ps, w, &c) < 0 || cond_add(ps, r, &c) < 0)
			return -1;
	}
	return 0;
}

static int add_rule(struct parse *ps, const struct cage_seccomp_rule *r)
{
	struct cage_seccomp_override *o = ps->o;
	for (size_t i = 0; i < o->n; i++)
		if (same_target(&o->rules[i], r))
			return fail(ps, "%s%s is already on line %u", r->name,
				    r->nconds ? " with these conditions" : "", o->rules[i].line);
	if (o->n == CAGE_SECCOMP_MAX_RULES)
		return fail(ps, "more than %d rules", CAGE_SECCOMP_MAX_RULES);
	struct cage_seccomp_rule *grown = reallocarray(o->rules, o->n + 1, sizeof(*grown));
	if (!grown)
		return cage_err_sys(ps->err, ENOMEM, "%s", o->file);
	o->rules = grown;
	o->rules[o->n++] = *r;
	return 0;
}

static int parse_line(struct parse *ps, struct slice s)
{
	struct slice verb, name;
	next_word(&s, &verb);
	if (is(verb, LOG_DENIALS)) {
		if (trim(s).n)
			return fail(ps, "log-denials takes nothing after it (got '%s')", Q(trim(s)));
		if (ps->o->log_denials)
			return fail(ps, "log-denials is already on line %u", ps->o->log_denials);
		ps->o->log_denials = ps->line;
		return 0;
	}
	struct cage_seccomp_rule r = {.line = ps->line, .errnum = EPERM};
	while (r.verb < NVERBS && !is(verb, verbs[r.verb]))
		r.verb++;
	if (r.verb == NVERBS)
		return fail(ps, "unknown directive '%s' (allow, deny, kill, log or log-denials)", Q(verb));
	if (!next_word(&s, &name))
		return fail(ps, "%s: no syscall name", verbs[r.verb]);
	if (name.n >= sizeof(r.name))
		return fail(ps, "unknown syscall '%s'", Q(name));
	memcpy(r.name, name.p, name.n);
	if (seccomp_syscall_resolve_name(r.name) == __NR_SCMP_ERROR)
		return fail(ps, "unknown syscall '%s'", Q(name));
	if (rule_args(ps, &r, s) < 0)
		return -1;
	return add_rule(ps, &r);
}

int cage_seccomp_override_parse(const char *text, size_t len, const char *file,
				struct cage_seccomp_override *o, cage_err_t *err)
{
	*o = (struct cage_seccomp_override){.file = strdup(file ? file : "override")};
	if (!o->file)
		return cage_err_sys(err, ENOMEM, "%s", file);
	struct parse ps = {.o = o, .err = err};
	struct lines r;
	int rc = 0;
	lines_init(&r, text, len);
	for (struct slice s; rc == 0 && lines_next(&r, &s);) {
		ps.line = r.no;
		if (memchr(s.p, '\0', s.n))
			rc = fail(&ps, "a NUL byte: not a text file");
		else if ((s = uncomment(s)).n)
			rc = parse_line(&ps, s);
	}
	if (rc == 0)
		return 0;
	char *keep = CAGE_STEAL_PTR(o->file); /* all or nothing, but the name */
	cage_seccomp_override_free(o);
	o->file = keep;
	return -1;
}

void cage_seccomp_override_free(struct cage_seccomp_override *o)
{
	free(o->file);
	free(o->rules);
	*o = (struct cage_seccomp_override){0};
}

/* ---- reading the file ---- */

/* Why the file at FD may not decide a user's filter, or NULL. */
static const char *untrusted(const struct stat *st, char *buf, size_t size)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_uid != 0)
		snprintf(buf, size, "owned by uid %u, not by root", (unsigned)st->st_uid);
	else if (st->st_mode & (S_IWGRP | S_IWOTH))
		snprintf(buf, size, "writable by %s (mode %04o)", st->st_mode & S_IWOTH ? "others" : "its group",
			 (unsigned)(st->st_mode & 07777));
	else
		return NULL;
	return buf;
}

static int read_fd(int fd, const char *path, char **out, size_t *len, cage_err_t *err)
{
	struct stat st;
	char why[64];
	const char *bad;
	if (fstat(fd, &st) < 0)
		return cage_err_sys(err, errno, "%s", path);
	if ((bad = untrusted(&st, why, sizeof(why))))
		return cage_err_set(err, "%s: %s: refused (an override decides a user's seccomp filter)", path, bad);
	if (st.st_size > CAGE_SECCOMP_MAX_FILE)
		return cage_err_set(err, "%s: larger than %d bytes", path, CAGE_SECCOMP_MAX_FILE);
	_cleanup_free_ char *buf = malloc((size_t)CAGE_SECCOMP_MAX_FILE + 1);
	size_t n = 0;
	if (!buf)
		return cage_err_sys(err, ENOMEM, "%s", path);
	for (ssize_t r; n <= (size_t)CAGE_SECCOMP_MAX_FILE; n += (size_t)r) {
		r = read(fd, buf + n, (size_t)CAGE_SECCOMP_MAX_FILE + 1 - n);
		if (r < 0 && errno == EINTR)
			r = 0;
		else if (r < 0)
			return cage_err_sys(err, errno, "%s", path);
		else if (r == 0)
			break;
	}
	if (n > (size_t)CAGE_SECCOMP_MAX_FILE) /* it grew while being read */
		return cage_err_set(err, "%s: larger than %d bytes", path, CAGE_SECCOMP_MAX_FILE);
	buf[n] = '\0';
	*out = CAGE_STEAL_PTR(buf);
	*len = n;
	return 0;
}

int cage_seccomp_override_read_at(int dirfd, const char *name, const char *path,
				  struct cage_seccomp_override *o, char **text, size_t *len, cage_err_t *err)
{
	*o = (struct cage_seccomp_override){0};
	if (text)
		*text = NULL;
	/* O_NOFOLLOW: a symlink would let whoever owns its target choose;
	 * O_NONBLOCK: a FIFO must not hang the command. */
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ELOOP)
		return cage_err_set(err, "%s: a symlink: refused (an override decides a user's seccomp filter)", path);
	if (fd < 0)
		return cage_err_sys(err, errno, "%s", path);
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	if (read_fd(fd, path, &buf, &n, err) < 0 || cage_seccomp_override_parse(buf, n, path, o, err) < 0)
		return -1;
	if (text)
		*text = CAGE_STEAL_PTR(buf);
	if (len)
		*len = n;
	return 0;
}

int cage_seccomp_override_read(const char *path, struct cage_seccomp_override *o, char **text,
			       size_t *len, cage_err_t *err)
{
	return cage_seccomp_override_read_at(AT_FDCWD, path, path, o, text, len, err);
}

/* ---- writing it back ---- */

/* Hex where a value is a bit pattern or large, decimal for small counts. */
static int value_format(uint64_t v, char *buf, size_t size)
{
	return snprintf(buf, size, v > 9 ? "0x%" PRIx64 : "%" PRIu64, v);
}

void cage_seccomp_cond_format(const struct scmp_arg_cmp *c, char *buf, size_t size)
{
	static const char *const ops[] = {
		[SCMP_CMP_NE] = "!=", [SCMP_CMP_LT] = "<", [SCMP_CMP_LE] = "<=", [SCMP_CMP_EQ] = "==",
		[SCMP_CMP_GE] = ">=", [SCMP_CMP_GT] = ">",
	};
	char a[24], b[24];
	value_format(c->datum_a, a, sizeof(a));
	value_format(c->datum_b, b, sizeof(b));
	if (c->op == SCMP_CMP_MASKED_EQ)
		snprintf(buf, size, "a%u&%s==%s", c->arg, a, b);
	else if (c->op > 0 && c->op < SCMP_CMP_MASKED_EQ)
		snprintf(buf, size, "a%u%s%s", c->arg, ops[c->op], a);
	else
		snprintf(buf, size, "a%u?%s", c->arg, a);
}

void cage_seccomp_rule_format(const struct cage_seccomp_rule *r, char *buf, size_t size)
{
	char cond[64];
	size_t n = (size_t)snprintf(buf, size, "%s %s", verbs[r->verb], r->name);
	for (unsigned k = 0; k < r->nconds && n < size; k++) {
		cage_seccomp_cond_format(&r->conds[k], cond, sizeof(cond));
		n += (size_t)snprintf(buf + n, size - n, " %s", cond);
	}
	/* EPERM goes without saying: it is what deny means without errno=. */
	bool say = r->verb == CAGE_SECCOMP_DENY && r->errnum != EPERM;
	const char *ename = say ? strerrorname_np((int)r->errnum) : NULL;
	if (n < size && ename)
		snprintf(buf + n, size - n, " errno=%s", ename);
	else if (n < size && say)
		snprintf(buf + n, size - n, " errno=%u", r->errnum);
}

char *cage_seccomp_override_format(const struct cage_seccomp_override *o)
{
	char *out = NULL, line[CAGE_SECCOMP_RULE_TEXT_MAX];
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	if (!m)
		return NULL;
	if (o->log_denials)
		fprintf(m, LOG_DENIALS "\n");
	for (size_t i = 0; i < o->n; i++) {
		cage_seccomp_rule_format(&o->rules[i], line, sizeof(line));
		fprintf(m, "%s\n", line);
	}
	if (fclose(m) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
