/* JSON: one hardened parser and one generator (cagefs/json.h,
 * docs/ARCHITECTURE.md §4.12).  The only file of the library that includes
 * a yajl header: every reader and writer of JSON gets the same limits, the
 * same error positions and the same escaping.
 *
 * The tree is built by yajl's streaming parser in one pass, in our own
 * callbacks, not by yajl_tree_parse: the callbacks are where the limits are
 * checked (a depth count, a NUL in a decoded string or key), so a second
 * pass over the text is not needed, and the nodes go to an arena freed in
 * one sweep (yajl_tree_free recurses once per level of nesting, a stack a
 * hostile file could exhaust). */
#define _GNU_SOURCE
#include "cagefs/json.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#define XSTR(x) #x
#define STR(x) XSTR(x)
#define TOO_DEEP "nested more than " STR(CAGE_JSON_MAX_DEPTH) " levels deep"

struct cage_json {
	unsigned char type;       /* enum cage_json_type */
	bool int_ok;              /* a number: i holds its exact value */
	bool root;                /* the node cage_json_parse returned */
	unsigned off;             /* just past its token in the text (a container's: its bracket) */
	size_t len;               /* string: bytes; number: text; array, object: members */
	long long i;              /* an integer; a boolean: 0 or 1 */
	union {
		char *s;          /* string; number: its text */
		struct cage_json **v; /* array, object: the values */
	} u;
	char **keys;              /* object: the keys, as many as values */
};

/* ---- the arena a tree lives in ---- */

struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
	size_t next_size;
};

#define CHUNK_MAX (8u << 20)

static void *arena_alloc(struct arena *a, size_t n, size_t align)
{
	struct chunk *c = a->head;
	if (c) {
		size_t at = (c->used + align - 1) & ~(align - 1);
		if (at <= c->size && n <= c->size - at) {
			c->used = at + n;
			return (char *)c->data + at;
		}
	}
	size_t size = n > a->next_size ? n : a->next_size;
	if (size > SIZE_MAX - sizeof(*c) || !(c = malloc(sizeof(*c) + size)))
		return NULL;
	*c = (struct chunk){.next = a->head, .size = size, .used = n};
	a->head = c;
	if (a->next_size < CHUNK_MAX)
		a->next_size *= 2;
	return c->data;
}

static void arena_free(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
}

/* What cage_json_parse hands out: the root node, with the arena's chunks
 * (the doc itself is in one of them). */
struct doc {
	struct chunk *chunks;
	struct cage_json root;
};

void cage_json_free(cage_json *tree)
{
	if (tree && tree->root)
		arena_free(((struct doc *)((char *)tree - offsetof(struct doc, root)))->chunks);
}

/* ---- building the tree in yajl's callbacks ---- */

struct member {
	char *key;                /* NULL in an array */
	struct cage_json *v;
};

struct builder {
	struct arena arena;
	/* The members of every open container, in document order; a
	 * container's are moved into the arena when it closes. */
	struct member *pend;
	size_t npend, cap;
	struct frame {
		struct cage_json *node;
		size_t start;     /* its first member in pend */
	} frames[CAGE_JSON_MAX_DEPTH];
	int depth;
	char *key;                /* the key just read, for the value that follows */
	struct cage_json *top;
	const char *why;          /* set when a callback stops the parse */
	/* Where each node is: the whole text is parsed in one chunk, so
	 * yajl's count of bytes consumed is, inside a callback, the offset
	 * just past the token it reports (NULL: not the text's offsets). */
	yajl_handle h;
};

static const char NOMEM[] = "out of memory";

static int stop(struct builder *b, const char *why)
{
	b->why = why;
	return 0;
}

static int attach(struct builder *b, struct cage_json *v)
{
	if (b->depth == 0) {
		b->top = v;
		return 1;
	}
	if (b->npend == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct member *p = realloc(b->pend, cap * sizeof(*p));
		if (!p)
			return stop(b, NOMEM);
		b->pend = p;
		b->cap = cap;
	}
	b->pend[b->npend++] = (struct member){b->key, v};
	b->key = NULL;
	return 1;
}

/* The offset just past the token a callback reports.  Only the offset:
 * a line is counted when one is asked for (cage_json_line), so a parse
 * pays one call per node for it, not a pass over the text. */
static unsigned token_end(struct builder *b)
{
	size_t end = b->h ? yajl_get_bytes_consumed(b->h) : 0;
	return end > UINT_MAX ? UINT_MAX : (unsigned)end;
}

static struct cage_json *add(struct builder *b, enum cage_json_type type)
{
	struct cage_json *v = arena_alloc(&b->arena, sizeof(*v), alignof(struct cage_json));
	if (!v) {
		stop(b, NOMEM);
		return NULL;
	}
	*v = (struct cage_json){.type = (unsigned char)type, .off = token_end(b)};
	return attach(b, v) ? v : NULL;
}

static char *copy(struct builder *b, const char *s, size_t len)
{
	char *d = arena_alloc(&b->arena, len + 1, 1);
	if (!d)
		return stop(b, NOMEM), NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* The exact value of an integer's text (-?DIGITS, as the lexer passed it),
 * or false for a fraction, an exponent or a value beyond 64 bits. */
static bool integer(const char *s, size_t len, long long *out)
{
	bool neg = len && s[0] == '-';
	unsigned long long x = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	if (len == (size_t)neg)
		return false;
	for (size_t i = neg; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (lim - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = !neg ? (long long)x : x > LLONG_MAX ? LLONG_MIN : -(long long)x;
	return true;
}

static int cb_null(void *ctx)
{
	return add(ctx, CAGE_JSON_NULL) != NULL;
}

static int cb_bool(void *ctx, int v)
{
	struct cage_json *n = add(ctx, CAGE_JSON_BOOL);
	if (n)
		n->i = v != 0;
	return n != NULL;
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	struct cage_json *n = add(ctx, CAGE_JSON_NUMBER);
	if (!n || !(n->u.s = copy(ctx, s, len)))
		return 0;
	n->len = len;
	n->int_ok = integer(s, len, &n->i);
	return 1;
}

/* A decoded "\u0000" would end the C string early: "mount\u0000x" read as
 * "mount" here and as something else by another runtime. */
static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	if (memchr(s, '\0', len))
		return stop(ctx, "string contains a NUL character");
	struct cage_json *n = add(ctx, CAGE_JSON_STRING);
	if (!n || !(n->u.s = copy(ctx, (const char *)s, len)))
		return 0;
	n->len = len;
	return 1;
}

static int cb_key(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;
	if (memchr(s, '\0', len))
		return stop(b, "string contains a NUL character");
	return (b->key = copy(b, (const char *)s, len)) != NULL;
}

static int open_container(struct builder *b, enum cage_json_type type)
{
	if (b->depth == CAGE_JSON_MAX_DEPTH)
		return stop(b, TOO_DEEP);
	struct cage_json *n = add(b, type);
	if (!n)
		return 0;
	b->frames[b->depth++] = (struct frame){n, b->npend};
	return 1;
}

static int close_container(struct builder *b)
{
	struct frame f = b->frames[--b->depth];
	size_t n = b->npend - f.start;
	struct cage_json *c = f.node;
	c->len = n;
	b->npend = f.start;
	if (!n)
		return 1;
	if (n > SIZE_MAX / sizeof(void *) ||
	    !(c->u.v = arena_alloc(&b->arena, n * sizeof(*c->u.v), alignof(struct cage_json *))))
		return stop(b, NOMEM);
	if (c->type == CAGE_JSON_OBJECT &&
	    !(c->keys = arena_alloc(&b->arena, n * sizeof(*c->keys), alignof(char *))))
		return stop(b, NOMEM);
	for (size_t i = 0; i < n; i++) {
		c->u.v[i] = b->pend[f.start + i].v;
		if (c->keys)
			c->keys[i] = b->pend[f.start + i].key;
	}
	return 1;
}

static int cb_start_map(void *ctx) { return open_container(ctx, CAGE_JSON_OBJECT); }
static int cb_start_array(void *ctx) { return open_container(ctx, CAGE_JSON_ARRAY); }
static int cb_end(void *ctx) { return close_container(ctx); }

static const yajl_callbacks callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_bool,
	.yajl_number = cb_number, /* the text: integers and uint64 read exactly */
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_key,
	.yajl_end_map = cb_end,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = cb_end,
};

/* ---- parsing ---- */

__attribute__((format(printf, 5, 6)))
static int err_at(cage_err_t *err, const char *name, const char *text, size_t off, const char *fmt, ...)
{
	size_t line = 1, col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cage_err_set(err, "%s:%zu:%zu: %s", name, line, col, msg);
}

/* yajl's message, first line only (it may add the text and a caret). */
static int syntax_error(yajl_handle h, const char *text, size_t len, const char *name, size_t off,
			cage_err_t *err)
{
	unsigned char *e = yajl_get_error(h, 0, (const unsigned char *)text, len);
	const char *m = e ? (const char *)e : "parse error";
	int n = (int)strcspn(m, "\n");
	/* yajl stops just past the byte it choked on (or at the end). */
	err_at(err, name, text, off > len ? len : off ? off - 1 : 0, "%.*s", n, m);
	if (e)
		yajl_free_error(h, e);
	return -1;
}

static int run_parser(struct builder *b, const char *text, size_t len, const char *name, cage_err_t *err)
{
	yajl_handle h = yajl_alloc(&callbacks, NULL, b);
	if (!h)
		return cage_err_sys(err, ENOMEM, "%s", name);
	b->h = h;
	yajl_config(h, yajl_allow_comments, 1); /* as yajl_tree_parse, which we replace */
	size_t off = len;
	yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
	if (st != yajl_status_ok)
		off = yajl_get_bytes_consumed(h);
	b->h = NULL; /* the last chunk's offsets are not the text's */
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	int rc = 0;
	if (st != yajl_status_ok && b->why == NOMEM)
		rc = cage_err_sys(err, ENOMEM, "%s", name);
	else if (st != yajl_status_ok && b->why)
		rc = err_at(err, name, text, off > len ? len : off ? off - 1 : 0, "%s", b->why);
	else if (st != yajl_status_ok)
		rc = syntax_error(h, text, len, name, off, err);
	yajl_free(h);
	return rc;
}

int cage_json_parse(const char *text, size_t len, const char *name, size_t max, cage_json **out,
		    cage_err_t *err)
{
	*out = NULL;
	if (!name)
		name = "JSON";
	if (!text) {
		text = "";
		len = 0;
	}
	if (len > max)
		return cage_err_set(err, "%s: larger than %zu bytes", name, max);
	const char *nul = memchr(text, '\0', len);
	if (nul)
		return err_at(err, name, text, (size_t)(nul - text), "NUL byte in the file");
	/* Room for the nodes of a typical document in the first chunk. */
	struct builder b = {.arena.next_size = len < CHUNK_MAX / 4 ? 4 * len + 4096 : CHUNK_MAX};
	int rc = run_parser(&b, text, len, name, err);
	free(b.pend);
	struct doc *d = rc == 0 ? arena_alloc(&b.arena, sizeof(*d), alignof(struct doc)) : NULL;
	if (!d || !b.top) {
		arena_free(b.arena.head);
		return rc < 0 ? -1 : cage_err_sys(err, ENOMEM, "%s", name);
	}
	d->root = *b.top; /* nothing points at the top node: it may move */
	d->root.root = true;
	d->chunks = b.arena.head;
	*out = &d->root;
	return 0;
}

/* ---- reading the tree ---- */

bool cage_json_is(const cage_json *v, enum cage_json_type type)
{
	return v && (type == CAGE_JSON_ANY || v->type == type);
}

bool cage_json_is_true(const cage_json *v)
{
	return v && v->type == CAGE_JSON_BOOL && v->i;
}

const cage_json *cage_json_get(const cage_json *obj, const char *key, enum cage_json_type type)
{
	if (!obj || obj->type != CAGE_JSON_OBJECT || !key)
		return NULL;
	for (size_t i = 0; i < obj->len; i++)
		if (!strcmp(obj->keys[i], key))
			return cage_json_is(obj->u.v[i], type) ? obj->u.v[i] : NULL;
	return NULL;
}

unsigned cage_json_line(const cage_json *v, const char *text, size_t len)
{
	if (!v || !text)
		return 0;
	/* The token's last byte: a string cannot span lines. */
	size_t end = v->off > len ? len : v->off ? v->off - 1 : 0;
	unsigned line = 1;
	for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + end - p))); p++)
		line++;
	return line;
}

const char *cage_json_string(const cage_json *v)
{
	return v && v->type == CAGE_JSON_STRING ? v->u.s : NULL;
}

const char *cage_json_number(const cage_json *v)
{
	return v && v->type == CAGE_JSON_NUMBER ? v->u.s : NULL;
}

int cage_json_int(const cage_json *v, long long min, long long max, long long *out)
{
	if (!v || v->type != CAGE_JSON_NUMBER)
		return -EINVAL;
	if (!v->int_ok)
		return strpbrk(v->u.s, ".eE") ? -EINVAL : -ERANGE;
	if (v->i < min || v->i > max)
		return -ERANGE;
	if (out)
		*out = v->i;
	return 0;
}

int cage_json_u64(const cage_json *v, uint64_t *out)
{
	if (!v || v->type != CAGE_JSON_NUMBER || strspn(v->u.s, "0123456789") != v->len)
		return -EINVAL;
	uint64_t x = 0;
	for (size_t i = 0; i < v->len; i++) {
		unsigned d = (unsigned)(v->u.s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
	}
	if (out)
		*out = x;
	return 0;
}

size_t cage_json_array_len(const cage_json *arr)
{
	return arr && arr->type == CAGE_JSON_ARRAY ? arr->len : 0;
}

const cage_json *cage_json_array_at(const cage_json *arr, size_t i)
{
	return i < cage_json_array_len(arr) ? arr->u.v[i] : NULL;
}

size_t cage_json_object_len(const cage_json *obj)
{
	return obj && obj->type == CAGE_JSON_OBJECT ? obj->len : 0;
}

const char *cage_json_object_key(const cage_json *obj, size_t i)
{
	return i < cage_json_object_len(obj) ? obj->keys[i] : NULL;
}

const cage_json *cage_json_object_value(const cage_json *obj, size_t i)
{
	return i < cage_json_object_len(obj) ? obj->u.v[i] : NULL;
}

int cage_json_str_list(const cage_json *arr, cage_strvec_t *out, const char *what, const char *name,
		       cage_err_t *err)
{
	if (!arr)
		return 0;
	if (arr->type != CAGE_JSON_ARRAY)
		return cage_err_set(err, "%s: %s is not an array", name, what);
	for (size_t i = 0; i < arr->len; i++) {
		const char *s = cage_json_string(arr->u.v[i]);
		if (!s)
			return cage_err_set(err, "%s: %s[%zu] is not a string", name, what, i);
		if (cage_strvec_push(out, s) < 0)
			return cage_err_sys(err, ENOMEM, "%s", name);
	}
	return 0;
}

/* ---- the generator ---- */

struct cage_jgen {
	yajl_gen y;
	int depth;
	bool map[CAGE_JSON_MAX_DEPTH];      /* the container open at each level is a map */
	bool has_key[CAGE_JSON_MAX_DEPTH];  /* ... and its next item is a key's value */
	bool done;                          /* the document's value is complete */
	const char *why;                    /* the first error */
};

cage_jgen *cage_jgen_new(unsigned flags)
{
	cage_jgen *g = calloc(1, sizeof(*g));
	if (!g || !(g->y = yajl_gen_alloc(NULL))) {
		free(g);
		return NULL;
	}
	yajl_gen_config(g->y, yajl_gen_validate_utf8, 1);
	if (flags & CAGE_JGEN_PRETTY) {
		yajl_gen_config(g->y, yajl_gen_beautify, 1);
		yajl_gen_config(g->y, yajl_gen_indent_string, "  ");
	}
	return g;
}

void cage_jgen_free(cage_jgen *g)
{
	if (!g)
		return;
	yajl_gen_free(g->y);
	free(g);
}

static bool fail(cage_jgen *g, const char *why)
{
	if (!g->why)
		g->why = why;
	return false;
}

static bool yajl_ok(cage_jgen *g, yajl_gen_status st)
{
	switch (st) {
	case yajl_gen_status_ok:
		return true;
	case yajl_gen_invalid_string:
		return fail(g, "a string that is not valid UTF-8");
	case yajl_max_depth_exceeded:
		return fail(g, TOO_DEEP);
	default:
		return fail(g, "yajl refused a value");
	}
}

/* A key is due: in a map whose last item was a value (or none). */
static bool key_due(const cage_jgen *g)
{
	return g->depth > 0 && g->map[g->depth - 1] && !g->has_key[g->depth - 1];
}

/* Whether a value may come now. */
static bool value_ok(cage_jgen *g)
{
	if (!g || g->why)
		return false;
	if (g->depth == 0 && g->done)
		return fail(g, "a second value after the whole document");
	return key_due(g) ? fail(g, "a map key that is not a string") : true;
}

/* A value is complete: the map it is in wants a key again. */
static void value_done(cage_jgen *g)
{
	if (g->depth == 0)
		g->done = true;
	else
		g->has_key[g->depth - 1] = false;
}

static void open_level(cage_jgen *g, bool map)
{
	if (!value_ok(g))
		return;
	if (g->depth == CAGE_JSON_MAX_DEPTH) {
		fail(g, TOO_DEEP);
		return;
	}
	if (!yajl_ok(g, map ? yajl_gen_map_open(g->y) : yajl_gen_array_open(g->y)))
		return;
	g->map[g->depth] = map;
	g->has_key[g->depth] = false;
	g->depth++;
}

static void close_level(cage_jgen *g, bool map)
{
	if (!g || g->why)
		return;
	if (g->depth == 0 || g->map[g->depth - 1] != map) {
		fail(g, map ? "a map closed that is not open" : "an array closed that is not open");
		return;
	}
	if (map && g->has_key[g->depth - 1]) {
		fail(g, "a map key without a value");
		return;
	}
	if (!yajl_ok(g, map ? yajl_gen_map_close(g->y) : yajl_gen_array_close(g->y)))
		return;
	g->depth--;
	value_done(g);
}

void cage_jgen_map_open(cage_jgen *g) { open_level(g, true); }
void cage_jgen_map_close(cage_jgen *g) { close_level(g, true); }
void cage_jgen_array_open(cage_jgen *g) { open_level(g, false); }
void cage_jgen_array_close(cage_jgen *g) { close_level(g, false); }

static void string_n(cage_jgen *g, const char *s, size_t len)
{
	if (!g || g->why)
		return;
	bool key = key_due(g);
	if (!key && !value_ok(g))
		return;
	if (!yajl_ok(g, yajl_gen_string(g->y, (const unsigned char *)s, len)))
		return;
	if (key)
		g->has_key[g->depth - 1] = true;
	else
		value_done(g);
}

void cage_jgen_string(cage_jgen *g, const char *s)
{
	if (g && !s)
		fail(g, "a NULL string");
	else
		string_n(g, s, s ? strlen(s) : 0);
}

/* A number whose text is known to be one. */
static void number_n(cage_jgen *g, const char *s, size_t len)
{
	if (value_ok(g) && yajl_ok(g, yajl_gen_number(g->y, s, len)))
		value_done(g);
}

void cage_jgen_int(cage_jgen *g, long long v)
{
	if (value_ok(g) && yajl_ok(g, yajl_gen_integer(g->y, v)))
		value_done(g);
}

void cage_jgen_u64(cage_jgen *g, uint64_t v)
{
	char buf[24];
	number_n(g, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRIu64, v));
}

void cage_jgen_bool(cage_jgen *g, bool v)
{
	if (value_ok(g) && yajl_ok(g, yajl_gen_bool(g->y, v)))
		value_done(g);
}

void cage_jgen_null(cage_jgen *g)
{
	if (value_ok(g) && yajl_ok(g, yajl_gen_null(g->y)))
		value_done(g);
}

static const char *digits(const char *p)
{
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (RFC 8259). */
static bool is_number(const char *s)
{
	const char *p = s + (*s == '-');
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		p = digits(p);
	else
		return false;
	if (*p == '.' && digits(p + 1) == p + 1)
		return false;
	if (*p == '.')
		p = digits(p + 1);
	if (*p == 'e' || *p == 'E') {
		p += 1 + (p[1] == '+' || p[1] == '-');
		if (digits(p) == p)
			return false;
		p = digits(p);
	}
	return *p == '\0';
}

void cage_jgen_number(cage_jgen *g, const char *text)
{
	if (g && (!text || !is_number(text)))
		fail(g, "a number that is not a JSON number");
	else
		number_n(g, text, text ? strlen(text) : 0);
}

/* Recursion is bounded: open_level refuses a level past the limit, and
 * nothing is written after an error. */
void cage_jgen_value(cage_jgen *g, const cage_json *v)
{
	if (!g || g->why)
		return;
	if (!v) {
		fail(g, "no value");
		return;
	}
	switch (v->type) {
	case CAGE_JSON_NULL:
		cage_jgen_null(g);
		break;
	case CAGE_JSON_BOOL:
		cage_jgen_bool(g, v->i);
		break;
	case CAGE_JSON_NUMBER:
		number_n(g, v->u.s, v->len); /* the text as written: nothing lost */
		break;
	case CAGE_JSON_STRING:
		string_n(g, v->u.s, v->len);
		break;
	case CAGE_JSON_ARRAY:
		cage_jgen_array_open(g);
		for (size_t i = 0; i < v->len; i++)
			cage_jgen_value(g, v->u.v[i]);
		cage_jgen_array_close(g);
		break;
	case CAGE_JSON_OBJECT:
		cage_jgen_map_open(g);
		for (size_t i = 0; i < v->len; i++) {
			cage_jgen_string(g, v->keys[i]);
			cage_jgen_value(g, v->u.v[i]);
		}
		cage_jgen_map_close(g);
		break;
	default:
		fail(g, "not a JSON value");
	}
}

int cage_jgen_finish(cage_jgen *g, char **out, size_t *len, cage_err_t *err)
{
	*out = NULL;
	if (!g)
		return cage_err_sys(err, ENOMEM, "JSON generator");
	if (g->why || !g->done) /* not made sticky: the caller may go on */
		return cage_err_set(err, "JSON generator: %s", g->why ? g->why : "the document is not complete");
	const unsigned char *buf;
	size_t n;
	if (yajl_gen_get_buf(g->y, &buf, &n) != yajl_gen_status_ok)
		return cage_err_set(err, "JSON generator: no buffer");
	if (!(*out = malloc(n + 1)))
		return cage_err_sys(err, ENOMEM, "JSON generator");
	memcpy(*out, buf, n);
	(*out)[n] = '\0';
	if (len)
		*len = n;
	return 0;
}
