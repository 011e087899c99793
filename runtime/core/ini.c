/* cagefs.ini (manual: "TMP Directories", tmpwatch_dirs=...).
 *
 * Why the round-trip care: cagefsctl --set-tmpwatch and friends rewrite this
 * file with cage_ini_set() + cage_ini_serialize(); whatever the serializer
 * writes must parse back to exactly the same keys and values, or a later
 * run would silently read a different setting. */
#define _GNU_SOURCE
#include "cagefs/ini.h"
#include "runtime/core/textparse.h"
#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INI_MAX_FILE_SIZE ((size_t)16 << 20)
#define BOM "\xEF\xBB\xBF"
/* ---- entries ---- */

static void entries_free(struct cage_ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		free(ini->e[i].key);
		free(ini->e[i].value);
	}
	free(ini->e);
	ini->e = NULL;
	ini->n = ini->cap = 0;
}

static int reserve(struct cage_ini *ini, size_t want)
{
	if (want <= ini->cap)
		return 0;
	size_t cap = ini->cap ? ini->cap : 8;
	while (cap < want) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	struct cage_ini_entry *e = reallocarray(ini->e, cap, sizeof(*e));
	if (!e)
		return -1;
	ini->e = e;
	ini->cap = cap;
	return 0;
}

/* Takes ownership of key and value (frees them on failure). */
static int push(struct cage_ini *ini, char *key, char *value, unsigned line)
{
	if (key && value && reserve(ini, ini->n + 1) == 0) {
		ini->e[ini->n++] = (struct cage_ini_entry){ key, value, line };
		return 0;
	}
	free(key);
	free(value);
	return -1;
}

/* ---- merging a parsed file into ini: later keys override, via a hash so
 * a (fuzzed) file with a million keys stays linear ---- */

static size_t *slot_of(size_t *slot, size_t mask, const struct cage_ini *ini, const char *key)
{
	size_t h = hash_str(key) & mask;
	while (slot[h] && strcmp(ini->e[slot[h] - 1].key, key) != 0)
		h = (h + 1) & mask;
	return &slot[h];
}

/* Moves every entry of src into ini; cannot fail half way (all memory is
 * reserved first), so ini is either fully updated or untouched. */
static int merge(struct cage_ini *ini, struct cage_ini *src)
{
	size_t want = ini->n + src->n, cap = 16;
	while (cap / 2 < want) {
		if (cap > SIZE_MAX / 4 / sizeof(size_t))
			return -1;
		cap *= 2;
	}
	_cleanup_free_ size_t *slot = calloc(cap, sizeof(*slot));
	if (!slot || reserve(ini, want) < 0)
		return -1;
	for (size_t i = 0; i < ini->n; i++)
		*slot_of(slot, cap - 1, ini, ini->e[i].key) = i + 1;
	for (size_t i = 0; i < src->n; i++) {
		struct cage_ini_entry *s = &src->e[i];
		size_t *sl = slot_of(slot, cap - 1, ini, s->key);
		if (*sl) {
			struct cage_ini_entry *d = &ini->e[*sl - 1];
			free(d->value);
			free(s->key);
			d->value = s->value;
			d->line = s->line;
		} else {
			ini->e[ini->n] = *s;
			*sl = ++ini->n;
		}
	}
	src->n = 0; /* entries now owned by ini */
	return 0;
}

/* ---- parsing ---- */

struct parser {
	const char *file;
	unsigned line;
	char *section; /* current [section] or NULL */
	struct cage_ini out;
	cage_err_t *err;
};

#define perr(p, ...) line_err((p)->err, (p)->file, (p)->line, __VA_ARGS__)

static int oom(struct parser *p)
{
	perr(p, "out of memory");
	if (p->err)
		p->err->errnum = ENOMEM;
	return -1;
}

static int parse_header(struct parser *p, struct slice s)
{
	const char *close = memchr(s.p, ']', s.n);
	if (!close)
		return perr(p, "missing ']' in section header '%.*s%s'", SHOW(s));
	struct slice after = trim((struct slice){ close + 1, s.n - (size_t)(close + 1 - s.p) });
	if (after.n)
		return perr(p, "unexpected text '%.*s%s' after ']'", SHOW(after));
	struct slice name = trim((struct slice){ s.p + 1, (size_t)(close - s.p - 1) });
	if (!name.n)
		return perr(p, "empty section name");
	char *nm = strndup(name.p, name.n);
	if (!nm)
		return oom(p);
	free(p->section);
	p->section = nm;
	return 0;
}

/* "section.key" without printf: a key may be longer than INT_MAX in theory. */
static char *full_key(const char *section, struct slice key)
{
	size_t sn = section ? strlen(section) + 1 : 0;
	char *k = malloc(sn + key.n + 1);
	if (!k)
		return NULL;
	if (section) {
		memcpy(k, section, sn - 1);
		k[sn - 1] = '.';
	}
	memcpy(k + sn, key.p, key.n);
	k[sn + key.n] = '\0';
	return k;
}

static int parse_pair(struct parser *p, struct slice s)
{
	const char *eq = memchr(s.p, '=', s.n);
	if (!eq)
		return perr(p, "expected key=value or [section], found '%.*s%s'", SHOW(s));
	struct slice key = trim((struct slice){ s.p, (size_t)(eq - s.p) });
	struct slice val = trim((struct slice){ eq + 1, s.n - (size_t)(eq + 1 - s.p) });
	if (!key.n)
		return perr(p, "missing key before '='");
	if (push(&p->out, full_key(p->section, key), strndup(val.p, val.n), p->line) < 0)
		return oom(p);
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
		if (!s.n || s.p[0] == '#' || s.p[0] == ';')
			continue;
		if ((s.p[0] == '[' ? parse_header(p, s) : parse_pair(p, s)) < 0)
			return -1;
	}
	return 0;
}

int cage_ini_parse_buf(struct cage_ini *ini, const char *file, const char *buf, size_t len,
		       cage_err_t *err)
{
	struct parser p = { .file = file ? file : "<cagefs.ini>", .err = err };
	int r = parse_lines(&p, buf, len);
	char *f = r < 0 ? NULL : strdup(p.file);
	if (r == 0 && (!f || merge(ini, &p.out) < 0)) {
		free(f);
		r = oom(&p);
	}
	if (r == 0) {
		free(ini->file);
		ini->file = f;
	}
	entries_free(&p.out);
	free(p.section);
	return r;
}

int cage_ini_load(struct cage_ini *ini, const char *path, cage_err_t *err)
{
	cage_err_t e = { 0 };
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (cage_read_file(path, INI_MAX_FILE_SIZE, &buf, &len, &e) == 0)
		return cage_ini_parse_buf(ini, path, buf, len, err);
	if (e.errnum != ENOENT) {
		if (err)
			*err = e;
		return -1;
	}
	/* Remember the path anyway: a later save writes the file there. */
	char *f = strdup(path);
	if (!f)
		return cage_err_sys(err, ENOMEM, "%s", path);
	free(ini->file);
	ini->file = f;
	return 0;
}

/* ---- access ---- */

static struct cage_ini_entry *find(const struct cage_ini *ini, const char *key)
{
	for (size_t i = 0; i < ini->n; i++)
		if (strcmp(ini->e[i].key, key) == 0)
			return &ini->e[i];
	return NULL;
}

const char *cage_ini_get(const struct cage_ini *ini, const char *key)
{
	const struct cage_ini_entry *e = find(ini, key);
	return e ? e->value : NULL;
}

/* Could this be written as a line and read back unchanged? */
static bool storable(const char *s, bool is_key)
{
	size_t n = strlen(s);
	if (strpbrk(s, "\n\r") || (n && (is_blank(s[0]) || is_blank(s[n - 1]))))
		return false;
	if (!is_key)
		return true;
	return n && !strchr(s, '=') && !strchr("[#;", s[0]);
}

int cage_ini_set(struct cage_ini *ini, const char *key, const char *value)
{
	if (!key || !value || !storable(key, true) || !storable(value, false)) {
		errno = EINVAL;
		return -1;
	}
	char *v = strdup(value);
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	struct cage_ini_entry *e = find(ini, key);
	if (e) {
		free(e->value);
		e->value = v;
		return 0;
	}
	if (push(ini, strdup(key), v, 0) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ---- serializing ---- */

/* Where to split key into "[sec]" + "rest=": any dot such that the header
 * and the line read back as the same key (a section name may hold '.' and
 * '=', so the dot the parser joined at is not always the first one).  The
 * split the parser made is always valid, so 0 (no section) is only
 * returned for keys that are fine on a line of their own.  Linear: the
 * ']' and '=' limits are found once. */
static size_t section_len(const char *key)
{
	size_t n = strlen(key);
	const char *eq = strrchr(key, '='), *br = strchr(key, ']');
	size_t lo = eq ? (size_t)(eq - key) + 1 : 1; /* no '=' in rest */
	size_t hi = br ? (size_t)(br - key) : n;      /* no ']' in sec */
	if (is_blank(key[0]))
		return 0;
	for (size_t i = lo; i < hi && i + 1 < n; i++) {
		if (key[i] != '.' || is_blank(key[i - 1]))
			continue;
		if (!is_blank(key[i + 1]) && !strchr("[#;", key[i + 1]))
			return i;
	}
	return 0;
}

struct ser {
	const char *sec;
	size_t seclen, idx, rank;
};

static int by_section(const void *a, const void *b)
{
	const struct ser *x = a, *y = b;
	size_t n = x->seclen < y->seclen ? x->seclen : y->seclen;
	int c = memcmp(x->sec, y->sec, n);
	if (c == 0 && x->seclen != y->seclen)
		c = x->seclen < y->seclen ? -1 : 1;
	if (c == 0 && x->idx != y->idx)
		c = x->idx < y->idx ? -1 : 1;
	return c;
}

static int by_rank(const void *a, const void *b)
{
	const struct ser *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Group entries by section, groups in order of first appearance, entries
 * in their own order; unsectioned keys (seclen 0) form the first group. */
static struct ser *plan(const struct cage_ini *ini)
{
	struct ser *s = calloc(ini->n ? ini->n : 1, sizeof(*s));
	if (!s)
		return NULL;
	for (size_t i = 0; i < ini->n; i++)
		s[i] = (struct ser){ ini->e[i].key, section_len(ini->e[i].key), i, 0 };
	qsort(s, ini->n, sizeof(*s), by_section);
	for (size_t i = 0; i < ini->n; i++) {
		bool same = i && s[i].seclen == s[i - 1].seclen &&
			    memcmp(s[i].sec, s[i - 1].sec, s[i].seclen) == 0;
		s[i].rank = !s[i].seclen ? 0 : same ? s[i - 1].rank : s[i].idx + 1;
	}
	qsort(s, ini->n, sizeof(*s), by_rank);
	return s;
}

static void emit(FILE *f, const struct cage_ini *ini, const struct ser *s, const struct ser *prev)
{
	const struct cage_ini_entry *e = &ini->e[s->idx];
	if (s->seclen && (!prev || prev->rank != s->rank)) {
		fputs(prev ? "\n[" : "[", f);
		fwrite(s->sec, 1, s->seclen, f);
		fputs("]\n", f);
	}
	/* The parser drops a BOM at the very start of the file; a key that
	 * itself begins with one needs a second to survive. */
	if (!prev && !s->seclen && strncmp(e->key, BOM, 3) == 0)
		fputs(BOM, f);
	fprintf(f, "%s=%s\n", e->key + (s->seclen ? s->seclen + 1 : 0), e->value);
}

char *cage_ini_serialize(const struct cage_ini *ini)
{
	_cleanup_free_ struct ser *s = plan(ini);
	if (!s)
		return NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < ini->n; i++)
		emit(f, ini, &s[i], i ? &s[i - 1] : NULL);
	bool failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		free(out);
		return NULL;
	}
	return out;
}

void cage_ini_free(struct cage_ini *ini)
{
	if (!ini)
		return;
	entries_free(ini);
	free(ini->file);
	ini->file = NULL;
}

const struct cage_ini_entry *cage_ini_entry(const struct cage_ini *ini, const char *key)
{
	return find(ini, key);
}

int cage_ini_load_etc(const struct cage_paths *p, struct cage_ini *ini, cage_err_t *err)
{
	_cleanup_free_ char *file = cage_path_join(p->etc, "cagefs.ini");
	if (!file)
		return cage_err_sys(err, ENOMEM, "path");
	return cage_ini_load(ini, file, err);
}

int cage_ini_set_etc(const struct cage_paths *p, const char *key, const char *value, cage_err_t *err)
{
	struct cage_ini ini = {0};
	if (cage_ini_load_etc(p, &ini, err) < 0)
		return -1;
	int rc = cage_ini_set(&ini, key, value) < 0 ? cage_err_sys(err, ENOMEM, "%s", ini.file) : 0;
	_cleanup_free_ char *text = rc == 0 ? cage_ini_serialize(&ini) : NULL;
	if (rc == 0)
		rc = text ? cage_write_atomic(ini.file, text, strlen(text), 0644, err)
			  : cage_err_sys(err, ENOMEM, "%s", ini.file);
	cage_ini_free(&ini);
	return rc;
}
