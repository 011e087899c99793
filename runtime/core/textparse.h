/* Line-oriented parsing shared by every configuration parser of libcagefs
 * (conf.d, black lists, cagefs.ini, cagefs.mp, virt.mp, base home dirs):
 * one set of rules for lines, blanks, a UTF-8 BOM and "file:line:" errors. */
#ifndef CAGEFS_TEXTPARSE_H
#define CAGEFS_TEXTPARSE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cagefs/error.h"

/* Quote at most this much of an offending text: a 1 MiB line must not push
 * the "file:line:" part out of the fixed-size error message. */
#define SHOW_MAX 64
#define SHOW(s) (int)((s).n > SHOW_MAX ? SHOW_MAX : (s).n), (s).p, ((s).n > SHOW_MAX ? "..." : "")

/* A piece of the input buffer; never NUL-terminated. */
struct slice {
	const char *p;
	size_t n;
};

struct lines {
	const char *buf;
	size_t len, pos;
	unsigned no;
};

static inline void lines_init(struct lines *r, const char *buf, size_t len)
{
	*r = (struct lines){ .buf = buf, .len = buf ? len : 0 };
	/* Windows editors like to start UTF-8 files with a byte order mark. */
	if (r->len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
}

/* The next line without its '\n' (a final line may lack one). */
static inline bool lines_next(struct lines *r, struct slice *out)
{
	if (r->pos >= r->len)
		return false;
	const char *p = r->buf + r->pos;
	size_t rest = r->len - r->pos;
	const char *nl = memchr(p, '\n', rest);
	size_t n = nl ? (size_t)(nl - p) : rest;
	r->pos += n + (nl != NULL);
	r->no++;
	*out = (struct slice){ p, n };
	return true;
}

/* Not isspace(): that is locale dependent and would eat 0xA0 in Latin-1. */
static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline struct slice trim(struct slice s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* The next blank-separated word of *S into *W, *S left after it; false
 * when none is left. */
static inline bool next_word(struct slice *s, struct slice *w)
{
	*s = trim(*s);
	if (!s->n)
		return false;
	size_t n = 0;
	while (n < s->n && !is_blank(s->p[n]))
		n++;
	*w = (struct slice){s->p, n};
	*s = (struct slice){s->p + n, s->n - n};
	return true;
}

/* "file:line: message" into err; always -1. */
__attribute__((format(printf, 4, 0)))
static inline int vline_err(cage_err_t *err, const char *file, unsigned line, const char *fmt,
			    va_list ap)
{
	if (!err)
		return -1;
	char what[CAGE_ERR_MSG_MAX];
	vsnprintf(what, sizeof(what), fmt, ap);
	return cage_err_set(err, "%s:%u: %s", file, line, what);
}

__attribute__((format(printf, 4, 5)))
static inline int line_err(cage_err_t *err, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vline_err(err, file, line, fmt, ap);
	va_end(ap);
	return rc;
}

/* FNV-1a, for the parsers' duplicate-detection tables. */
static inline size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

#endif
