/* cagefs.base.home.dirs (manual: "Base Home Directory") and where a home
 * directory hangs inside the cage.
 *
 * Why it matters: the cage shows the base directory as containing only the
 * user's own entry.  A base that is too high ("/") or too low (the home
 * itself, leaving the names in /home visible) would either hide the system or
 * expose other users' names, so resolution is exact and errs out rather
 * than guess. */
#define _GNU_SOURCE
#include "cagefs/mountcfg.h"
#include "runtime/core/textparse.h"
#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BH_MAX_FILE_SIZE ((size_t)16 << 20)
/* A base home regex is a short path prefix ("^/var/www/vhosts/[^/]+" is
 * about 20 nodes); these bounds keep a broken file from making regcomp()
 * take seconds or gigabytes (see re_problem()). */
#define RE_MAX_LEN 4096
#define RE_MAX_NODES 1000
#define RE_MAX_TOTAL_NODES 8000
#define RE_MAX_DEPTH 32
#define RE_MAX_LOOPED_ANCHORS 32
struct parser {
	struct cage_basehome *b;
	const char *file;
	unsigned line;
	unsigned basedir_line; /* of a mount_basedir= line in this file, 0 if none */
	size_t nodes;          /* estimated size of the regexes of this file */
	cage_err_t *err;
};

__attribute__((format(printf, 2, 3)))
static int perr(const struct parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vline_err(p->err, p->file, p->line, fmt, ap);
	va_end(ap);
	return rc;
}

static int oom(const struct parser *p)
{
	perr(p, "out of memory");
	if (p->err)
		p->err->errnum = ENOMEM;
	return -1;
}

/* ---- what glibc's regcomp would make of a pattern ----
 * Found by fuzzing: regcomp copies the operand of every bounded repetition
 * and of '+' ("((x{99}){99}){99}" costs gigabytes), and its epsilon
 * closures blow up, up to exponentially, when a repetition applies to
 * something that can match the empty string ("($x*)+", "(a*)*") or follows
 * another ("$x***", undefined in POSIX anyway).  Its matcher backtracks on
 * back-references.  A base home pattern needs none of these. */

static size_t sat(size_t v)
{
	return v > RE_MAX_NODES ? RE_MAX_NODES + 1 : v;
}

/* Index just past the bracket expression starting at re[i] == '['. */
static size_t skip_bracket(const char *re, size_t n, size_t i)
{
	i++;
	if (i < n && re[i] == '^')
		i++;
	if (i < n && re[i] == ']') /* a leading ']' is a literal */
		i++;
	while (i < n && re[i] != ']') {
		if (re[i] == '[' && i + 1 < n && strchr(":.=", re[i + 1])) {
			/* [:class:], [.coll.], [=equiv=]: may contain ']' */
			const char end[2] = { re[i + 1], ']' };
			const char *e = memmem(re + i + 2, n - i - 2, end, 2);
			if (!e)
				return n;
			i = (size_t)(e - re) + 2;
			continue;
		}
		i++;
	}
	return i < n ? i + 1 : n;
}

static size_t read_num(const char *re, size_t n, size_t *i, bool *any)
{
	size_t v = 0;
	*any = false;
	for (; *i < n && re[*i] >= '0' && re[*i] <= '9'; ++*i) {
		v = sat(v * 10 + (size_t)(re[*i] - '0'));
		*any = true;
	}
	return v;
}

/* A repetition at re[i]: '*', '+', '?', "{m}", "{m,}", "{,n}", "{m,n}".
 * Sets how many copies of its operand glibc builds (an upper bound),
 * whether the result can match "", and where it ends; false if none. */
static bool repetition(const char *re, size_t n, size_t i, size_t *copies, bool *null,
		       size_t *end)
{
	*end = i + 1;
	*copies = re[i] == '+' ? 2 : 1;
	*null = re[i] != '+';
	if (re[i] == '*' || re[i] == '+' || re[i] == '?')
		return true;
	if (re[i] != '{')
		return false;
	bool any_lo, any_hi = false;
	size_t j = i + 1;
	size_t lo = read_num(re, n, &j, &any_lo), hi = lo + 1;
	if (j < n && re[j] == ',') {
		j++;
		size_t h = read_num(re, n, &j, &any_hi);
		if (any_hi)
			hi = h;
	}
	if ((!any_lo && !any_hi) || j >= n || re[j] != '}')
		return false; /* not an interval: glibc reports or takes it literally */
	*end = j + 1;
	*copies = sat((lo > hi ? lo : hi) + 1);
	*null = lo == 0;
	return true;
}

/* An atom, a group, or either with its repetition. */
struct re_item {
	size_t size;    /* estimated automaton nodes; 0: no item */
	size_t anchors; /* anchor nodes among them */
	bool null;      /* can match "" */
	bool rep;       /* ends with a repetition */
};

/* One nesting level: a group, or the whole pattern. */
struct re_level {
	size_t size, anchors; /* so far, including `last` */
	struct re_item last;  /* the latest item of the current branch */
	bool seq_null;        /* the items of this branch before `last` can match "" */
	bool alt_null;        /* an earlier branch ('|') can */
};

struct re_scan {
	struct re_level lv[RE_MAX_DEPTH + 1];
	size_t depth;
	size_t looped; /* anchors inside repetitions, copies counted */
};

static bool branch_null(const struct re_level *l)
{
	return l->seq_null && (!l->last.size || l->last.null);
}

static void add_item(struct re_level *l, struct re_item it)
{
	l->seq_null = branch_null(l);
	l->last = it;
	l->size = sat(l->size + it.size);
	l->anchors = sat(l->anchors + it.anchors);
}

static void close_group(struct re_scan *sc)
{
	const struct re_level *l = &sc->lv[sc->depth--];
	add_item(&sc->lv[sc->depth], (struct re_item){
		.size = sat(l->size + 1), .anchors = l->anchors,
		.null = l->alt_null || branch_null(l),
	});
}

static const char *repeat_last(struct re_scan *sc, size_t copies, bool null)
{
	struct re_level *l = &sc->lv[sc->depth];
	if (l->last.rep)
		return "two repetitions in a row (like 'x**' or 'a{2}{3}'; undefined in POSIX)";
	if (l->last.null)
		return "a repetition of something that can match the empty string (like '(a*)*')";
	l->size = sat(l->size + sat(l->last.size * copies));
	l->anchors = sat(l->anchors + sat(l->last.anchors * copies));
	l->last = (struct re_item){
		.size = sat(l->last.size * copies), .anchors = sat(l->last.anchors * copies),
		.null = null, .rep = true,
	};
	sc->looped = sat(sc->looped + l->last.anchors);
	if (sc->looped > RE_MAX_LOOPED_ANCHORS)
		return "too many anchors ('^', '$', '\\b', ...) inside repetitions";
	return NULL;
}

/* Anchors and GNU word boundaries match "" (and are what glibc handles
 * worst inside repetitions). */
static struct re_item atom(bool anchor)
{
	return (struct re_item){ .size = 1, .anchors = anchor, .null = anchor };
}

/* Handles re[i]; sets *end past it.  Returns why the pattern is refused. */
static const char *scan_one(struct re_scan *sc, const char *re, size_t n, size_t i, size_t *end)
{
	struct re_level *l = &sc->lv[sc->depth];
	size_t copies;
	bool null;
	*end = i + 1;
	if (re[i] == '(') {
		if (sc->depth == RE_MAX_DEPTH)
			return "parentheses nested too deeply";
		sc->lv[++sc->depth] = (struct re_level){ .seq_null = true };
		return NULL;
	}
	if (re[i] == ')' && sc->depth) {
		close_group(sc);
		return NULL;
	}
	if (re[i] == '|') {
		*l = (struct re_level){ .size = sat(l->size + 1), .anchors = l->anchors,
					.seq_null = true, .alt_null = l->alt_null || branch_null(l) };
		return NULL;
	}
	if (l->last.size && repetition(re, n, i, &copies, &null, end))
		return repeat_last(sc, copies, null);
	if (re[i] == '\\' && i + 1 < n) {
		if (re[i + 1] >= '1' && re[i + 1] <= '9')
			return "back-references are not supported";
		*end = i + 2;
		add_item(l, atom(re[i + 1] && strchr("bB<>`'", re[i + 1])));
		return NULL;
	}
	*end = re[i] == '[' ? skip_bracket(re, n, i) : *end;
	add_item(l, atom(re[i] == '^' || re[i] == '$'));
	return NULL;
}

/* Returns why a pattern is refused, or NULL and its estimated size. */
static const char *re_problem(const char *re, size_t n, size_t *nodes)
{
	static const char too_big[] = "too complex (bounded repetitions expand too much)";
	struct re_scan sc = { .lv[0] = { .seq_null = true } };
	for (size_t i = 0, end = 0; i < n; i = end) {
		const char *why = scan_one(&sc, re, n, i, &end);
		if (why)
			return why;
		if (sc.lv[sc.depth].size > RE_MAX_NODES)
			return too_big;
	}
	size_t total = 0;
	for (size_t k = 0; k <= sc.depth; k++) /* unclosed groups: regcomp reports them */
		total += sc.lv[k].size;
	*nodes = total;
	return total > RE_MAX_NODES ? too_big : NULL;
}

/* ---- parsing ---- */

static int grow(struct cage_basehome *b)
{
	if (b->n < b->cap)
		return 0;
	size_t cap = b->cap ? b->cap * 2 : 4;
	regex_t *re = reallocarray(b->re, cap, sizeof(*re));
	if (!re)
		return -1;
	b->re = re;
	char **pat = reallocarray(b->pattern, cap, sizeof(*pat));
	if (!pat)
		return -1;
	b->pattern = pat;
	b->cap = cap;
	return 0;
}

static int compile(struct parser *p, struct slice s, regex_t *re)
{
	if (s.n > RE_MAX_LEN)
		return perr(p, "regular expression '%.*s%s' too long (%zu bytes, at most %d)", SHOW(s),
			    s.n, RE_MAX_LEN);
	size_t nodes = 0;
	const char *why = re_problem(s.p, s.n, &nodes);
	if (why)
		return perr(p, "regular expression '%.*s%s' refused: %s", SHOW(s), why);
	/* Bounds the whole file's compile time, and the per-home work of
	 * trying every pattern in turn. */
	p->nodes += nodes + 1;
	if (p->nodes > RE_MAX_TOTAL_NODES)
		return perr(p, "too many or too complex regular expressions (more than %d automaton "
			       "nodes in the file)", RE_MAX_TOTAL_NODES);
	_cleanup_free_ char *text = strndup(s.p, s.n);
	if (!text)
		return oom(p);
	int rc = regcomp(re, text, REG_EXTENDED);
	if (rc == 0)
		return 0;
	char msg[256];
	regerror(rc, re, msg, sizeof(msg));
	return perr(p, "invalid regular expression '%.*s%s': %s", SHOW(s), msg);
}

static int add_regex(struct parser *p, struct slice s)
{
	struct cage_basehome *b = p->b;
	if (grow(b) < 0)
		return oom(p);
	char *pat = strndup(s.p, s.n);
	if (!pat)
		return oom(p);
	if (compile(p, s, &b->re[b->n]) < 0) {
		free(pat);
		return -1;
	}
	b->pattern[b->n++] = pat;
	return 0;
}

#define BASEDIR_KEY "mount_basedir"
#define BASEDIR_KEY_LEN (sizeof(BASEDIR_KEY) - 1)

/* "mount_basedir=0|1"; the manual puts it "at the top", and a setting that
 * changed the meaning of patterns above it would be easy to misread. */
static int set_basedir(struct parser *p, struct slice s)
{
	struct slice rest = trim((struct slice){ s.p + BASEDIR_KEY_LEN, s.n - BASEDIR_KEY_LEN });
	if (!rest.n || rest.p[0] != '=')
		return perr(p, "expected 'mount_basedir=0' or 'mount_basedir=1', found '%.*s%s'",
			    SHOW(s));
	struct slice val = trim((struct slice){ rest.p + 1, rest.n - 1 });
	if (val.n != 1 || (val.p[0] != '0' && val.p[0] != '1'))
		return perr(p, "invalid mount_basedir value '%.*s%s' (expected 0 or 1)", SHOW(val));
	if (p->basedir_line)
		return perr(p, "mount_basedir set twice, first at %s:%u", p->file, p->basedir_line);
	if (p->b->n)
		return perr(p, "mount_basedir= must come before any regular expression "
			       "(at the top of the file)");
	p->b->mount_basedir = val.p[0] == '1';
	p->basedir_line = p->line;
	return 0;
}

static int parse_lines(struct parser *p, const char *buf, size_t len)
{
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
		/* No home starts with a letter: such a line cannot be a pattern. */
		bool setting = s.n >= BASEDIR_KEY_LEN && !memcmp(s.p, BASEDIR_KEY, BASEDIR_KEY_LEN);
		if ((setting ? set_basedir(p, s) : add_regex(p, s)) < 0)
			return -1;
	}
	return 0;
}

static void truncate_patterns(struct cage_basehome *b, size_t n0)
{
	while (b->n > n0) {
		b->n--;
		regfree(&b->re[b->n]);
		free(b->pattern[b->n]);
	}
}

int cage_basehome_parse_buf(struct cage_basehome *b, const char *file, const char *buf,
			    size_t len, cage_err_t *err)
{
	struct parser p = { .b = b, .file = file ? file : "<cagefs.base.home.dirs>", .err = err };
	size_t n0 = b->n;
	bool basedir0 = b->mount_basedir;
	if (parse_lines(&p, buf, len) < 0) {
		truncate_patterns(b, n0);
		b->mount_basedir = basedir0;
		return -1;
	}
	return 0;
}

int cage_basehome_load(struct cage_basehome *b, const char *path, cage_err_t *err)
{
	cage_err_t e = { 0 };
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (cage_read_file(path, BH_MAX_FILE_SIZE, &buf, &len, &e) < 0) {
		if (e.errnum == ENOENT)
			return 0;
		if (err)
			*err = e;
		return -1;
	}
	return cage_basehome_parse_buf(b, path, buf, len, err);
}

void cage_basehome_free(struct cage_basehome *b)
{
	if (!b)
		return;
	truncate_patterns(b, 0);
	free(b->re);
	free(b->pattern);
	*b = (struct cage_basehome){ 0 };
}

/* ---- resolution ----
 * base and mount are both prefixes of the (normalized) home, ending at a
 * component boundary, so they are computed as lengths; 0 stands for "/". */

static size_t parent_len(const char *home, size_t len)
{
	while (len > 0 && home[len - 1] != '/')
		len--;
	return len ? len - 1 : 0;
}

/* Length of home up to the end of the component that starts at home[at]. */
static size_t component_end(const char *home, size_t at)
{
	const char *slash = strchr(home + at, '/');
	return slash ? (size_t)(slash - home) : strlen(home);
}

/* Whether pattern i decides for home: it matches at offset 0 and the match
 * (minus a trailing '/') ends at a component boundary.  "^/home" must not
 * make "/ho" + "me2/bob" out of /home2/bob: such a match is no match. */
static bool regex_decides(const regex_t *re, const char *home, size_t *end)
{
	regmatch_t m;
	if (regexec(re, home, 1, &m, 0) != 0 || m.rm_so != 0)
		return false;
	size_t e = (size_t)m.rm_eo;
	if (e > 0 && home[e - 1] == '/')
		e--;
	if (home[e] != '/' && home[e] != '\0')
		return false;
	*end = e;
	return true;
}

/* Fills *blen and *mlen from the first deciding pattern; false if none. */
static bool match_rule(const struct cage_basehome *b, const char *home, size_t *blen, size_t *mlen)
{
	for (size_t i = 0; b && i < b->n; i++) {
		size_t end;
		if (!regex_decides(&b->re[i], home, &end))
			continue;
		if (b->mount_basedir) {
			*mlen = end;
			*blen = parent_len(home, end);
			return true;
		}
		/* Without a next component the home would be its own base,
		 * leaving nothing to show; such a pattern does not apply. */
		if (home[end] == '\0')
			continue;
		*blen = end;
		*mlen = component_end(home, end + 1);
		return true;
	}
	return false;
}

static int check_home(const char *home, cage_err_t *err)
{
	if (!home || home[0] != '/')
		return cage_err_set(err, "home directory %s is not an absolute path",
				    home ? home : "(none)");
	if (strlen(home) >= PATH_MAX)
		return cage_err_set(err, "home directory %.64s... is too long", home);
	if (strcmp(home, "/") == 0)
		return cage_err_set(err, "home directory / cannot be caged: it is the root directory");
	_cleanup_free_ char *norm = cage_path_normalize(home);
	if (!norm)
		return cage_err_sys(err, errno, "home directory %s", home);
	if (strcmp(norm, home) != 0)
		return cage_err_set(err, "home directory %s is not normalized (expected %s)", home,
				    norm);
	return 0;
}

int cage_basehome_resolve(const struct cage_basehome *b, const char *home, char **base,
			  char **mount, cage_err_t *err)
{
	*base = *mount = NULL;
	if (check_home(home, err) < 0)
		return -1;
	size_t blen = 0, mlen = 0;
	if (!match_rule(b, home, &blen, &mlen)) {
		mlen = strlen(home);
		blen = parent_len(home, mlen);
	}
	/* blen == 0: the base is "/" (which the cage cannot show as holding
	 * only this user); mlen == 0: the match was "/" itself. */
	if (blen == 0 || mlen == 0)
		return cage_err_set(err, "home directory %s cannot be caged: its base would be /",
				    home);
	_cleanup_free_ char *bs = strndup(home, blen);
	_cleanup_free_ char *ms = strndup(home, mlen);
	if (!bs || !ms)
		return cage_err_sys(err, ENOMEM, "home directory %s", home);
	*base = CAGE_STEAL_PTR(bs);
	*mount = CAGE_STEAL_PTR(ms);
	return 0;
}
