/* cagefs.mp and virt.mp (manual: "Mount Points", "Per user virtual mount
 * points", "Split by Username").
 *
 * Why so strict: every entry becomes a mount inside every cage.  A path
 * that silently meant something else ("..", a relative path, "/" itself)
 * would expose host directories, so each oddity stops the caller with
 * "file:line: what is wrong" and leaves the caller's list untouched.
 * cagefs.base.home.dirs lives in basehome.c. */
#define _GNU_SOURCE
#include "cagefs/mountcfg.h"
#include "runtime/core/textparse.h"
#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far above any real file; stops a runaway file from eating RAM. */
#define MP_MAX_FILE_SIZE ((size_t)16 << 20)
static struct slice skip1(struct slice s)
{
	return (struct slice){ s.p + 1, s.n - 1 };
}

/* Split s at its first ',' (if any) into the trimmed text before and after. */
static bool split_comma(struct slice s, struct slice *before, struct slice *after)
{
	const char *comma = memchr(s.p, ',', s.n);
	*before = trim((struct slice){ s.p, comma ? (size_t)(comma - s.p) : s.n });
	*after = comma ? trim((struct slice){ comma + 1, s.n - (size_t)(comma + 1 - s.p) })
		       : (struct slice){ NULL, 0 };
	return comma != NULL;
}

static bool has_control_char(struct slice s)
{
	for (size_t i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f)
			return true;
	return false;
}

/* ---- errors ---- */

struct ctx {
	const char *file;
	unsigned line;
	cage_err_t *err;
};

__attribute__((format(printf, 2, 3)))
static int perr(const struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vline_err(c->err, c->file, c->line, fmt, ap);
	va_end(ap);
	return rc;
}

static int oom(const struct ctx *c)
{
	perr(c, "out of memory");
	if (c->err)
		c->err->errnum = ENOMEM;
	return -1;
}

/* ---- duplicate detection without O(n^2): keys are owned by the entries ---- */

struct seen_slot {
	const char *key;
	const char *file; /* NULL: from a file parsed by an earlier call */
	unsigned line;
};
struct seen {
	struct seen_slot *slot;
	size_t mask, n;
};

static struct seen_slot *seen_find(const struct seen *s, const char *key)
{
	size_t h = hash_str(key) & s->mask;
	while (s->slot[h].key && strcmp(s->slot[h].key, key) != 0)
		h = (h + 1) & s->mask;
	return &s->slot[h];
}

/* Keep the load factor <= 1/2 so probing always finds an empty slot. */
static int seen_reserve(struct seen *s, size_t want)
{
	if (s->slot && want <= (s->mask + 1) / 2)
		return 0;
	size_t cap = 16;
	while (cap / 2 < want) {
		if (cap > SIZE_MAX / 4 / sizeof(struct seen_slot))
			return -1;
		cap *= 2;
	}
	struct seen old = *s;
	s->slot = calloc(cap, sizeof(*s->slot));
	if (!s->slot) {
		*s = old;
		return -1;
	}
	s->mask = cap - 1;
	for (size_t i = 0; old.slot && i <= old.mask; i++)
		if (old.slot[i].key)
			*seen_find(s, old.slot[i].key) = old.slot[i];
	free(old.slot);
	return 0;
}

/* 1: added; 0: already there (*first = where); -1: out of memory. */
static int seen_add(struct seen *s, struct seen_slot add, struct seen_slot *first)
{
	if (seen_reserve(s, s->n + 1) < 0)
		return -1;
	struct seen_slot *sl = seen_find(s, add.key);
	if (sl->key) {
		*first = *sl;
		return 0;
	}
	*sl = add;
	s->n++;
	return 1;
}

/* Keys of entries from earlier calls (their file name is not kept). */
#define seen_add_old(s, key, line) seen_add((s), (struct seen_slot){ (key), NULL, (line) }, \
					    &(struct seen_slot){ 0 })

static void seen_free(struct seen *s)
{
	free(s->slot);
	*s = (struct seen){ 0 };
}

/* Records key as defined on the current line.  0 if new; -1 if a
 * duplicate (reported, naming the first definition) or out of memory. */
static int seen_new(const struct ctx *c, struct seen *s, const char *what, const char *key)
{
	struct seen_slot first = { 0 };
	int r = seen_add(s, (struct seen_slot){ key, c->file, c->line }, &first);
	if (r != 0)
		return r < 0 ? oom(c) : 0;
	struct slice k = { key, strlen(key) };
	if (first.file)
		return perr(c, "duplicate %s '%.*s%s', first defined at %s:%u", what, SHOW(k),
			    first.file, first.line);
	return perr(c, "duplicate %s '%.*s%s', already defined at line %u of an earlier file", what,
		    SHOW(k), first.line);
}

/* ---- shared value checks ---- */

/* The manual's notation ("777", "0755", "1733"): 1 to 4 octal digits, so at
 * most 07777.  No sign, no "0o", no decimal: a typo must not become a mode. */
static bool parse_mode(struct slice s, mode_t *mode)
{
	if (s.n < 1 || s.n > 4)
		return false;
	mode_t m = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '7')
			return false;
		m = m * 8 + (mode_t)(s.p[i] - '0');
	}
	*mode = m;
	return true;
}

/* `word` is what the manual calls it: "permission notation" / "mask". */
static int take_mode(const struct ctx *c, const char *word, bool given, struct slice s,
		     mode_t *mode)
{
	if (given && !parse_mode(s, mode))
		return perr(c, "invalid %s '%.*s%s' (1 to 4 octal digits, e.g. 755)", word, SHOW(s));
	return 0;
}

static bool has_dotdot(struct slice s)
{
	for (size_t i = 0; i + 1 < s.n; i++)
		if (s.p[i] == '.' && s.p[i + 1] == '.' && (i == 0 || s.p[i - 1] == '/') &&
		    (i + 2 == s.n || s.p[i + 2] == '/'))
			return true;
	return false;
}

/* An absolute host path to mount: returned normalized (malloc'd), or NULL
 * with the error set.  ".." is refused rather than resolved: the admin
 * should see the real path in the file that decides what cages contain. */
static char *take_path(const struct ctx *c, struct slice s, const char *what)
{
	if (!s.n) {
		perr(c, "missing %s path", what);
		return NULL;
	}
	if (s.p[0] != '/') {
		perr(c, "relative %s path '%.*s%s' (must start with '/')", what, SHOW(s));
		return NULL;
	}
	if (s.n >= PATH_MAX) {
		perr(c, "%s path '%.*s%s' too long (%zu bytes, at most %d)", what, SHOW(s), s.n,
		     PATH_MAX - 1);
		return NULL;
	}
	if (has_control_char(s)) {
		perr(c, "control character in %s path '%.*s%s'", what, SHOW(s));
		return NULL;
	}
	if (has_dotdot(s)) {
		perr(c, "'..' in %s path '%.*s%s' (write the real path)", what, SHOW(s));
		return NULL;
	}
	_cleanup_free_ char *raw = strndup(s.p, s.n);
	char *norm = raw ? cage_path_normalize(raw) : NULL;
	if (!norm) {
		oom(c);
		return NULL;
	}
	if (strcmp(norm, "/") == 0) {
		free(norm);
		perr(c, "'/' itself cannot be a %s", what);
		return NULL;
	}
	return norm;
}

/* Make room for one more element in arr (n used of cap); 0 or -1. */
#define GROW(arr, n, cap)                                                          \
	({                                                                         \
		int _r = 0;                                                        \
		if ((n) == (cap)) {                                                \
			size_t _c = (cap) ? (cap) * 2 : 8;                         \
			__typeof__(arr) _p = reallocarray((arr), _c, sizeof(*(arr))); \
			if (_p) {                                                  \
				(arr) = _p;                                        \
				(cap) = _c;                                        \
			} else {                                                   \
				_r = -1;                                           \
			}                                                          \
		}                                                                  \
		_r;                                                                \
	})

/* ---- cagefs.mp ---- */

struct mp_parser {
	struct ctx c;
	struct cage_mp *mp;
	struct seen paths;
};

static int mp_add(struct mp_parser *p, enum cage_mp_kind kind, char *path, mode_t mode)
{
	if (GROW(p->mp->e, p->mp->n, p->mp->cap) < 0) {
		free(path);
		return oom(&p->c);
	}
	if (seen_new(&p->c, &p->paths, "mount point", path) < 0) {
		free(path);
		return -1;
	}
	p->mp->e[p->mp->n++] = (struct cage_mp_entry){
		.kind = kind, .path = path, .mode = mode, .line = p->c.line,
	};
	return 0;
}

static int mp_line(struct mp_parser *p, struct slice s)
{
	enum cage_mp_kind kind = s.p[0] == '@' ? CAGE_MP_PERUSER
			       : s.p[0] == '%' ? CAGE_MP_SPLIT : CAGE_MP_SHARED;
	if (kind != CAGE_MP_SHARED)
		s = skip1(s);
	struct slice path, mode_text;
	bool has_mode = split_comma(s, &path, &mode_text);
	if (has_mode && kind != CAGE_MP_PERUSER)
		return perr(&p->c, "unexpected ',' in '%.*s%s' (a mode is only allowed on "
				   "'@/path,mode' lines)", SHOW(s));
	mode_t mode = kind == CAGE_MP_PERUSER ? 0700 : 0;
	char *norm = take_path(&p->c, path, "mount point");
	if (!norm)
		return -1;
	if (take_mode(&p->c, "mode", has_mode, mode_text, &mode) < 0) {
		free(norm);
		return -1;
	}
	return mp_add(p, kind, norm, mode);
}

static int mp_lines(struct mp_parser *p, const char *buf, size_t len)
{
	for (size_t i = 0; i < p->mp->n; i++) /* earlier files count for duplicates */
		if (seen_add_old(&p->paths, p->mp->e[i].path, p->mp->e[i].line) < 0)
			return oom(&p->c);
	struct lines r;
	struct slice s;
	lines_init(&r, buf, len);
	while (lines_next(&r, &s)) {
		p->c.line = r.no;
		if (memchr(s.p, '\0', s.n))
			return perr(&p->c, "NUL byte in line (binary file?)");
		s = trim(s);
		if (!s.n || s.p[0] == '#')
			continue;
		if (mp_line(p, s) < 0)
			return -1;
	}
	return 0;
}

static void mp_truncate(struct cage_mp *mp, size_t n0)
{
	while (mp->n > n0)
		free(mp->e[--mp->n].path);
}

int cage_mp_parse_buf(struct cage_mp *mp, const char *file, const char *buf, size_t len,
		      cage_err_t *err)
{
	struct mp_parser p = { .c = { .file = file ? file : "<cagefs.mp>", .err = err }, .mp = mp };
	size_t n0 = mp->n;
	int r = mp_lines(&p, buf, len);
	seen_free(&p.paths);
	if (r < 0)
		mp_truncate(mp, n0);
	return r;
}

/* Reads path; 1 if it does not exist (then *buf stays NULL), 0 if read. */
static int read_optional(const char *path, char **buf, size_t *len, cage_err_t *err)
{
	cage_err_t e = { 0 };
	if (cage_read_file(path, MP_MAX_FILE_SIZE, buf, len, &e) == 0)
		return 0;
	if (e.errnum == ENOENT)
		return 1;
	if (err)
		*err = e;
	return -1;
}

int cage_mp_load(struct cage_mp *mp, const char *path, cage_err_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_optional(path, &buf, &len, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	return cage_mp_parse_buf(mp, path, buf, len, err);
}

void cage_mp_free(struct cage_mp *mp)
{
	if (!mp)
		return;
	mp_truncate(mp, 0);
	free(mp->e);
	*mp = (struct cage_mp){ 0 };
}

/* ---- virt.mp ---- */

struct virt_parser {
	struct ctx c;
	struct cage_virtmp *v;
	struct seen dirs;
	struct seen subs; /* of the current directory only */
	size_t n0;        /* directories before this file: '@' may not attach to them */
};

static int virt_add_dir(struct virt_parser *p, char *path, mode_t mode, bool no_mount)
{
	if (GROW(p->v->d, p->v->n, p->v->cap) < 0) {
		free(path);
		return oom(&p->c);
	}
	if (seen_new(&p->c, &p->dirs, "virtual directory", path) < 0) {
		free(path);
		return -1;
	}
	p->v->d[p->v->n++] = (struct cage_virt_dir){
		.path = path, .mode = mode, .no_mount = no_mount, .line = p->c.line,
	};
	seen_free(&p->subs);
	return 0;
}

/* "virtdir[,mask]" or ">virtdir[,mask]". */
static int virt_dir_line(struct virt_parser *p, struct slice s)
{
	bool no_mount = s.p[0] == '>';
	if (no_mount)
		s = skip1(s);
	struct slice path, mask;
	bool has_mask = split_comma(s, &path, &mask);
	mode_t mode = 0755;
	char *norm = take_path(&p->c, path, "virtual directory");
	if (!norm)
		return -1;
	if (take_mode(&p->c, "mask", has_mask, mask, &mode) < 0) {
		free(norm);
		return -1;
	}
	return virt_add_dir(p, norm, mode, no_mount);
}

/* A sub directory becomes one path component below the virtual directory:
 * '/', "." or ".." would let it point anywhere. */
static int check_sub_name(const struct ctx *c, struct slice name)
{
	if (!name.n)
		return perr(c, "missing sub directory name after '@'");
	if (memchr(name.p, '/', name.n))
		return perr(c, "sub directory name '%.*s%s' contains '/' (one path component only)",
			    SHOW(name));
	if ((name.n == 1 && name.p[0] == '.') || (name.n == 2 && !memcmp(name.p, "..", 2)))
		return perr(c, "invalid sub directory name '%.*s'", (int)name.n, name.p);
	if (name.n > NAME_MAX)
		return perr(c, "sub directory name '%.*s%s' too long (%zu bytes, at most %d)",
			    SHOW(name), name.n, NAME_MAX);
	if (has_control_char(name))
		return perr(c, "control character in sub directory name '%.*s%s'", SHOW(name));
	return 0;
}

static int virt_add_sub(struct virt_parser *p, struct cage_virt_dir *d, char *name, mode_t mode)
{
	if (GROW(d->subs, d->nsubs, d->cap) < 0) {
		free(name);
		return oom(&p->c);
	}
	if (seen_new(&p->c, &p->subs, "sub directory", name) < 0) {
		free(name);
		return -1;
	}
	d->subs[d->nsubs++] = (struct cage_virt_sub){ .name = name, .mode = mode, .line = p->c.line };
	return 0;
}

/* "@subdir[,mask]": belongs to the latest virtual directory of this file. */
static int virt_sub_line(struct virt_parser *p, struct slice s)
{
	if (p->v->n == p->n0)
		return perr(&p->c, "'%.*s%s' before any virtual directory (an '@subdir' line must "
				   "follow a 'virtdir[,mask]' line)", SHOW(s));
	struct slice name, mask;
	bool has_mask = split_comma(skip1(s), &name, &mask);
	mode_t mode = 0755;
	if (check_sub_name(&p->c, name) < 0 || take_mode(&p->c, "mask", has_mask, mask, &mode) < 0)
		return -1;
	char *nm = strndup(name.p, name.n);
	if (!nm)
		return oom(&p->c);
	return virt_add_sub(p, &p->v->d[p->v->n - 1], nm, mode);
}

static int virt_lines(struct virt_parser *p, const char *buf, size_t len)
{
	for (size_t i = 0; i < p->v->n; i++)
		if (seen_add_old(&p->dirs, p->v->d[i].path, p->v->d[i].line) < 0)
			return oom(&p->c);
	struct lines r;
	struct slice s;
	lines_init(&r, buf, len);
	while (lines_next(&r, &s)) {
		p->c.line = r.no;
		if (memchr(s.p, '\0', s.n))
			return perr(&p->c, "NUL byte in line (binary file?)");
		s = trim(s);
		if (!s.n || s.p[0] == '#')
			continue;
		if ((s.p[0] == '@' ? virt_sub_line(p, s) : virt_dir_line(p, s)) < 0)
			return -1;
	}
	/* The sanity check's rule: an existing virt.mp must define something;
	 * a user who needs no virtual directories has no virt.mp at all. */
	p->c.line = 1;
	if (p->v->n == p->n0)
		return perr(&p->c, "empty file (no virtual directory defined; remove the file if "
				   "the user needs none)");
	return 0;
}

static void virt_dir_free(struct cage_virt_dir *d)
{
	for (size_t i = 0; i < d->nsubs; i++)
		free(d->subs[i].name);
	free(d->subs);
	free(d->path);
}

static void virt_truncate(struct cage_virtmp *v, size_t n0)
{
	while (v->n > n0)
		virt_dir_free(&v->d[--v->n]);
}

int cage_virtmp_parse_buf(struct cage_virtmp *v, const char *file, const char *buf, size_t len,
			  cage_err_t *err)
{
	struct virt_parser p = {
		.c = { .file = file ? file : "<virt.mp>", .err = err }, .v = v, .n0 = v->n,
	};
	int r = virt_lines(&p, buf, len);
	seen_free(&p.dirs);
	seen_free(&p.subs);
	if (r < 0)
		virt_truncate(v, p.n0);
	return r;
}

int cage_virtmp_load(struct cage_virtmp *v, const char *path, cage_err_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_optional(path, &buf, &len, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	return cage_virtmp_parse_buf(v, path, buf, len, err);
}

void cage_virtmp_free(struct cage_virtmp *v)
{
	if (!v)
		return;
	virt_truncate(v, 0);
	free(v->d);
	*v = (struct cage_virtmp){ 0 };
}
