/* Seccomp profiles as JSON: parse (with positions for syntax errors), the
 * embedded default profile, and writing a profile into a yajl generator.
 * Validation and compilation are in compile.c. */
#include "cagefs/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "cagefs/cleanup.h"
#include "profile.h"

/* yajl_tree_parse reports neither where a syntax error is nor refuses deep
 * nesting (yajl_tree_free recurses once per level), and it reads a string
 * with an escaped NUL into a C string that silently ends early — so
 * "mount\u0000x" would be read as "mount" here and as something else by
 * runc.  A first streaming pass over the exact bytes checks all three. */
struct prepass {
	int depth;
	const char *why; /* set when a callback stops the parse */
};

static int pp_open(void *ctx)
{
	struct prepass *p = ctx;
	if (++p->depth <= CAGE_SECCOMP_MAX_DEPTH)
		return 1;
	p->why = "nested more than 64 levels deep";
	return 0;
}

static int pp_close(void *ctx)
{
	((struct prepass *)ctx)->depth--;
	return 1;
}

static int pp_string(void *ctx, const unsigned char *s, size_t len)
{
	if (!memchr(s, '\0', len))
		return 1;
	((struct prepass *)ctx)->why = "string contains a NUL character";
	return 0;
}

static int pp_number(void *ctx, const char *s, size_t len)
{
	(void)ctx, (void)s, (void)len; /* as yajl_tree: raw text, no overflow check */
	return 1;
}

static const yajl_callbacks pp_callbacks = {
	.yajl_number = pp_number,
	.yajl_string = pp_string,
	.yajl_start_map = pp_open,
	.yajl_map_key = pp_string,
	.yajl_end_map = pp_close,
	.yajl_start_array = pp_open,
	.yajl_end_array = pp_close,
};

static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* yajl's message without its trailing newline (it may span lines). */
static void first_line(char *dst, size_t size, const char *src)
{
	size_t n = strcspn(src, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int prepass(const char *text, size_t len, const char *name, cage_err_t *err)
{
	struct prepass p = { 0 };
	yajl_handle h = yajl_alloc(&pp_callbacks, NULL, &p);
	if (!h)
		return cage_err_sys(err, ENOMEM, "%s", name);
	yajl_config(h, yajl_allow_comments, 1); /* as yajl_tree_parse does */
	const unsigned char *u = (const unsigned char *)text;
	size_t off = len;
	yajl_status st = yajl_parse(h, u, len);
	if (st != yajl_status_ok)
		off = yajl_get_bytes_consumed(h);
	else
		st = yajl_complete_parse(h);
	if (st == yajl_status_ok) {
		yajl_free(h);
		return 0;
	}
	char msg[256];
	if (p.why) {
		snprintf(msg, sizeof(msg), "%s", p.why);
	} else {
		unsigned char *e = yajl_get_error(h, 0, u, len);
		first_line(msg, sizeof(msg), e ? (const char *)e : "parse error");
		if (e)
			yajl_free_error(h, e);
	}
	yajl_free(h);
	/* yajl stops just past the byte it choked on (or at the end). */
	size_t line, col;
	line_col(text, off > len ? len : off ? off - 1 : 0, &line, &col);
	return cage_err_set(err, "%s:%zu:%zu: %s", name, line, col, msg);
}

int cage_seccomp_load_json(const char *text, size_t len, const char *name, yajl_val *out,
			   cage_err_t *err)
{
	*out = NULL;
	if (!name)
		name = "seccomp profile";
	if (!text)
		len = 0;
	const char *nul = len ? memchr(text, '\0', len) : NULL;
	if (nul) {
		size_t line, col;
		line_col(text, (size_t)(nul - text), &line, &col);
		return cage_err_set(err, "%s:%zu:%zu: NUL byte in the file", name, line, col);
	}
	if (prepass(len ? text : "", len, name, err) < 0)
		return -1;
	/* yajl_tree_parse wants a C string. */
	_cleanup_free_ char *buf = malloc(len + 1);
	if (!buf)
		return cage_err_sys(err, ENOMEM, "%s", name);
	if (len)
		memcpy(buf, text, len);
	buf[len] = '\0';
	char ebuf[256] = "";
	_cleanup_seccomp_json_ yajl_val tree = yajl_tree_parse(buf, ebuf, sizeof(ebuf));
	if (!tree) {
		char msg[256];
		first_line(msg, sizeof(msg), *ebuf ? ebuf : "out of memory");
		return cage_err_set(err, "%s: %s", name, msg);
	}
	if (cage_seccomp_validate(tree, err) < 0)
		return cage_err_prefix(err, "%s", name);
	*out = CAGE_STEAL_PTR(tree);
	return 0;
}

int cage_seccomp_load_file(const char *path, yajl_val *out, cage_err_t *err)
{
	*out = NULL;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return cage_err_sys(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return cage_err_set(err, "%s: not a regular file", path);
	if (st.st_size > CAGE_SECCOMP_MAX_FILE)
		return cage_err_set(err, "%s: larger than %d bytes", path, CAGE_SECCOMP_MAX_FILE);
	_cleanup_free_ char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return cage_err_sys(err, ENOMEM, "%s", path);
	size_t len = 0;
	for (;;) {
		/* Read to EOF, not to st_size: the file may change under us. */
		ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cage_err_sys(err, errno, "%s", path);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > (size_t)st.st_size)
			return cage_err_set(err, "%s: file grew while being read", path);
	}
	return cage_seccomp_load_json(buf, len, path, out, err);
}

const char *cage_seccomp_default_text(size_t *len)
{
	if (len)
		*len = cage_seccomp_default_json_len;
	return cage_seccomp_default_json;
}

int cage_seccomp_default(yajl_val *out, cage_err_t *err)
{
	return cage_seccomp_load_json(cage_seccomp_default_json, cage_seccomp_default_json_len,
				      "default.json", out, err);
}

static int gen_string(yajl_gen g, const char *s)
{
	return yajl_gen_string(g, (const unsigned char *)s, strlen(s)) == yajl_gen_status_ok ? 0 : -1;
}

static int gen_value(yajl_gen g, yajl_val v, int depth);

static int gen_object(yajl_gen g, yajl_val v, int depth)
{
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		return -1;
	for (size_t i = 0; i < v->u.object.len; i++)
		if (gen_string(g, v->u.object.keys[i]) < 0 ||
		    gen_value(g, v->u.object.values[i], depth + 1) < 0)
			return -1;
	return yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : -1;
}

static int gen_array(yajl_gen g, yajl_val v, int depth)
{
	if (yajl_gen_array_open(g) != yajl_gen_status_ok)
		return -1;
	for (size_t i = 0; i < v->u.array.len; i++)
		if (gen_value(g, v->u.array.values[i], depth + 1) < 0)
			return -1;
	return yajl_gen_array_close(g) == yajl_gen_status_ok ? 0 : -1;
}

static int gen_value(yajl_gen g, yajl_val v, int depth)
{
	yajl_gen_status st;
	if (depth > CAGE_SECCOMP_MAX_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	errno = EINVAL;
	if (!v)
		return -1;
	switch (v->type) {
	case yajl_t_object:
		return gen_object(g, v, depth);
	case yajl_t_array:
		return gen_array(g, v, depth);
	case yajl_t_string:
		return gen_string(g, v->u.string);
	case yajl_t_number:
		/* The original text: uint64 values survive, 1.0 stays 1.0. */
		st = yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
		break;
	case yajl_t_true:
	case yajl_t_false:
		st = yajl_gen_bool(g, v->type == yajl_t_true);
		break;
	case yajl_t_null:
		st = yajl_gen_null(g);
		break;
	default:
		return -1;
	}
	return st == yajl_gen_status_ok ? 0 : -1;
}

int cage_seccomp_gen(yajl_gen g, yajl_val profile)
{
	int saved = errno;
	if (gen_value(g, profile, 1) < 0)
		return -1;
	errno = saved;
	return 0;
}
