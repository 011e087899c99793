/* The request protocol between a caged wrapper and proxyexecd (see
 * cagefs/proxy.h; docs/ARCHITECTURE.md §4.18).  A small binary format with
 * hard limits, so the root daemon decodes what a user sends in one pass,
 * with no allocation it did not bound first.  Fuzzed:
 * tests/fuzz/fuzz_proxy_req.c. */
#define _GNU_SOURCE
#include "cagefs/proxy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char magic[4] = {'C', 'G', 'P', 'X'};

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

void cage_proxy_req_free(struct cage_proxy_req *r)
{
	free(r->alias);
	free(r->cwd);
	cage_strvec_free(&r->args);
	cage_strvec_free(&r->env);
	memset(r, 0, sizeof(*r));
}

void cage_proxy_hdr_encode(unsigned char hdr[CAGE_PROXY_HDR_LEN], uint32_t body_len)
{
	memcpy(hdr, magic, 4);
	hdr[4] = CAGE_PROXY_VERSION;
	hdr[5] = hdr[6] = hdr[7] = 0;
	put32(hdr + 8, body_len);
}

int cage_proxy_hdr_decode(const unsigned char hdr[CAGE_PROXY_HDR_LEN], uint32_t *body_len, cage_err_t *err)
{
	if (memcmp(hdr, magic, 4))
		return cage_err_set(err, "malformed request: not the proxyexec protocol");
	if (hdr[4] != CAGE_PROXY_VERSION || hdr[5] || hdr[6] || hdr[7])
		return cage_err_set(err, "malformed request: protocol version %u, this daemon speaks %u", hdr[4],
				    CAGE_PROXY_VERSION);
	*body_len = get32(hdr + 8);
	if (*body_len > CAGE_PROXY_BODY_MAX)
		return cage_err_set(err, "request too large: %u bytes, the limit is %u", *body_len,
				    CAGE_PROXY_BODY_MAX);
	return 0;
}

/* The limit on one field of TAG. */
static size_t field_max(unsigned tag)
{
	switch (tag) {
	case CAGE_PROXY_T_ALIAS:
		return CAGE_PROXY_PATH_MAX + 1; /* "@PATH" */
	case CAGE_PROXY_T_CWD:
		return CAGE_PROXY_PATH_MAX;
	case CAGE_PROXY_T_ENV:
		return 4096;
	default:
		return CAGE_PROXY_BODY_MAX;
	}
}

static const char *tag_name(unsigned tag)
{
	static const char *const names[] = {"?", "alias", "argument", "cwd", "environment entry"};
	return tag < sizeof(names) / sizeof(*names) ? names[tag] : "?";
}

/* One field's value into R; a NUL inside a string would make it mean one
 * thing to the checks and another to the program (docs/ARCHITECTURE.md
 * §4.12's reason, here for argv). */
static int take_field(struct cage_proxy_req *r, unsigned tag, const char *v, size_t n, cage_err_t *err)
{
	if (memchr(v, '\0', n))
		return cage_err_set(err, "malformed request: a NUL byte in an %s", tag_name(tag));
	if (n > field_max(tag))
		return cage_err_set(err, "malformed request: an %s of %zu bytes (at most %zu)", tag_name(tag), n,
				    field_max(tag));
	char **slot = tag == CAGE_PROXY_T_ALIAS ? &r->alias : &r->cwd;
	switch (tag) {
	case CAGE_PROXY_T_ALIAS:
	case CAGE_PROXY_T_CWD:
		if (*slot)
			return cage_err_set(err, "malformed request: a second %s", tag_name(tag));
		if (!(*slot = strndup(v, n)))
			return cage_err_sys(err, ENOMEM, "request");
		return 0;
	case CAGE_PROXY_T_ARG:
		if (r->args.n >= CAGE_PROXY_ARGS_MAX)
			return cage_err_set(err, "malformed request: more than %d arguments", CAGE_PROXY_ARGS_MAX);
		return cage_strvec_push_n(&r->args, v, n) < 0 ? cage_err_sys(err, ENOMEM, "request") : 0;
	case CAGE_PROXY_T_ENV:
		if (r->env.n >= CAGE_PROXY_ENV_MAX)
			return cage_err_set(err, "malformed request: more than %d environment entries",
					    CAGE_PROXY_ENV_MAX);
		if (!memchr(v, '=', n))
			return cage_err_set(err, "malformed request: an environment entry without '='");
		return cage_strvec_push_n(&r->env, v, n) < 0 ? cage_err_sys(err, ENOMEM, "request") : 0;
	default:
		return cage_err_set(err, "malformed request: unknown field %u", tag);
	}
}

static int decode(const unsigned char *p, size_t len, struct cage_proxy_req *r, cage_err_t *err)
{
	if (len > CAGE_PROXY_BODY_MAX)
		return cage_err_set(err, "request too large: %zu bytes, the limit is %u", len, CAGE_PROXY_BODY_MAX);
	for (size_t pos = 0; pos < len;) {
		if (len - pos < 5)
			return cage_err_set(err, "malformed request: truncated field at byte %zu", pos);
		unsigned tag = p[pos];
		uint32_t n = get32(p + pos + 1);
		pos += 5;
		if (n > len - pos)
			return cage_err_set(err, "malformed request: a field of %u bytes at byte %zu runs past the end",
					    n, pos);
		if (take_field(r, tag, (const char *)p + pos, n, err) < 0)
			return -1;
		pos += n;
	}
	if (!r->alias || !r->alias[0])
		return cage_err_set(err, "malformed request: no alias");
	if (!r->cwd)
		return cage_err_set(err, "malformed request: no cwd");
	return 0;
}

int cage_proxy_req_decode(const void *body, size_t len, struct cage_proxy_req *r, cage_err_t *err)
{
	memset(r, 0, sizeof(*r));
	if (decode(body, len, r, err) < 0) {
		cage_proxy_req_free(r);
		return -1;
	}
	return 0;
}

struct out {
	char *buf;
	size_t len;
	bool over;
};

static void emit(struct out *o, unsigned tag, const char *s)
{
	size_t n = strlen(s);
	if (o->over || n > CAGE_PROXY_BODY_MAX || o->len + 5 + n > CAGE_PROXY_BODY_MAX) {
		o->over = true;
		return;
	}
	unsigned char *p = (unsigned char *)o->buf + o->len;
	p[0] = (unsigned char)tag;
	put32(p + 1, (uint32_t)n);
	memcpy(p + 5, s, n);
	o->len += 5 + n;
}

int cage_proxy_req_encode(const struct cage_proxy_req *r, char **body, size_t *len, cage_err_t *err)
{
	struct out o = {.buf = malloc(CAGE_PROXY_BODY_MAX)};
	if (!o.buf)
		return cage_err_sys(err, ENOMEM, "request");
	emit(&o, CAGE_PROXY_T_ALIAS, r->alias ? r->alias : "");
	emit(&o, CAGE_PROXY_T_CWD, r->cwd ? r->cwd : "");
	for (size_t i = 0; i < r->args.n; i++)
		emit(&o, CAGE_PROXY_T_ARG, r->args.v[i]);
	for (size_t i = 0; i < r->env.n; i++)
		emit(&o, CAGE_PROXY_T_ENV, r->env.v[i]);
	struct cage_proxy_req check;
	if (o.over) {
		free(o.buf);
		return cage_err_set(err, "the arguments are too long to pass (at most %u bytes in all)",
				    CAGE_PROXY_BODY_MAX);
	}
	/* What the daemon would refuse is refused here, with its words. */
	if (cage_proxy_req_decode(o.buf, o.len, &check, err) < 0) {
		free(o.buf);
		return -1;
	}
	cage_proxy_req_free(&check);
	*body = o.buf;
	*len = o.len;
	return 0;
}

size_t cage_proxy_reply_encode(const struct cage_proxy_reply *r, unsigned char *out)
{
	size_t n = r->kind == 'E' ? strnlen(r->msg, sizeof(r->msg) - 1) : 0;
	out[0] = (unsigned char)r->kind;
	out[1] = out[2] = out[3] = 0;
	put32(out + 4, (uint32_t)r->value);
	put32(out + 8, (uint32_t)n);
	memcpy(out + CAGE_PROXY_HDR_LEN, r->msg, n);
	return CAGE_PROXY_HDR_LEN + n;
}

int cage_proxy_reply_hdr_decode(const unsigned char hdr[CAGE_PROXY_HDR_LEN], struct cage_proxy_reply *r,
				uint32_t *msg_len, cage_err_t *err)
{
	memset(r, 0, sizeof(*r));
	r->kind = (char)hdr[0];
	r->value = (int32_t)get32(hdr + 4);
	*msg_len = get32(hdr + 8);
	if ((r->kind != 'X' && r->kind != 'S' && r->kind != 'E') || hdr[1] || hdr[2] || hdr[3] ||
	    *msg_len >= CAGE_PROXY_MSG_MAX || (r->kind != 'E' && *msg_len))
		return cage_err_set(err, "malformed reply from proxyexecd");
	return 0;
}
