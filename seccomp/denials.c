/* The kernel's seccomp audit lines read back (cagefs/denials.h).  A line
 * looks like
 *   audit: type=1326 audit(1796313768.615:140): auid=4294967295 uid=1001
 *   gid=1001 ses=4294967295 pid=21950 comm="php" exe="/usr/bin/php8.2"
 *   sig=0 arch=c000003e syscall=250 compat=0 ip=0x7f50cc52d829 code=0x50000
 * (one line; /dev/kmsg puts "PRIO,SEQ,USEC,FLAGS;" before it).  comm and
 * exe are the user's to choose: the kernel writes one in hex, unquoted,
 * when it holds a space, a quote or a control character; either way we
 * keep printable ASCII only. */
#define _GNU_SOURCE
#include "cagefs/denials.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/cleanup.h"

#define AUDIT_SECCOMP "audit: type=1326 audit("

static const char *find(const char *s, size_t len, const char *what)
{
	return memmem(s, len, what, strlen(what));
}

/* The value of KEY= in [p, end): its start and length, or NULL. */
static const char *value_of(const char *p, const char *end, const char *key, size_t *n)
{
	size_t k = strlen(key);
	for (const char *t = p; t && t < end;) {
		if ((size_t)(end - t) > k + 1 && !memcmp(t, key, k) && t[k] == '=' && (t == p || t[-1] == ' ')) {
			const char *v = t + k + 1;
			const char *stop = *v == '"' ? memchr(v + 1, '"', (size_t)(end - v - 1)) : memchr(v, ' ', (size_t)(end - v));
			if (*v == '"' && !stop)
				return NULL;
			*n = (size_t)((stop ? stop : end) - v) + (*v == '"');
			return v;
		}
		t = memchr(t, ' ', (size_t)(end - t));
		t = t ? t + 1 : NULL;
	}
	return NULL;
}

static bool number(const char *p, const char *end, const char *key, int base, unsigned long long *out)
{
	size_t n;
	const char *v = value_of(p, end, key, &n);
	char buf[32];
	if (!v || n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	char *e;
	errno = 0;
	*out = strtoull(buf, &e, base);
	return !errno && *e == '\0' && buf[0] != '-';
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void put_char(char *out, size_t size, size_t *o, unsigned char c)
{
	if (c >= 0x20 && c < 0x7f && c != '\\' && *o + 1 < size)
		out[(*o)++] = (char)c;
	else if (!(c >= 0x20 && c < 0x7f && c != '\\') && *o + 4 < size)
		*o += (size_t)snprintf(out + *o, size - *o, "\\x%02x", c);
}

/* "quoted" as it is, or hex decoded; printable ASCII out. */
static void text_of(const char *p, const char *end, const char *key, char *out, size_t size)
{
	size_t n, o = 0;
	const char *v = value_of(p, end, key, &n);
	out[0] = '\0';
	if (!v)
		return;
	bool hex = *v != '"' && n % 2 == 0;
	for (size_t i = 0; hex && i < n; i++)
		hex = hexval(v[i]) >= 0;
	if (*v == '"')
		for (size_t i = 1; i + 1 < n; i++)
			put_char(out, size, &o, (unsigned char)v[i]);
	else if (hex)
		for (size_t i = 0; i < n; i += 2)
			put_char(out, size, &o, (unsigned char)(hexval(v[i]) * 16 + hexval(v[i + 1])));
	else
		for (size_t i = 0; i < n; i++)
			put_char(out, size, &o, (unsigned char)v[i]);
	out[o] = '\0';
}

int cage_denial_parse(const char *line, size_t len, struct cage_denial *d)
{
	const char *start = find(line, len, AUDIT_SECCOMP);
	if (!start)
		return 0;
	const char *end = line + len, *nl = memchr(start, '\n', (size_t)(end - start));
	end = nl ? nl : end;
	const char *p = start + strlen(AUDIT_SECCOMP);
	unsigned long long uid, pid, arch, nr, code;
	long long when = 0;
	const char *e = p; /* the line is no C string: digits by hand, bounded */
	for (; e < end && *e >= '0' && *e <= '9' && when < 1LL << 40; e++)
		when = when * 10 + (*e - '0');
	if (e == p || e >= end || *e != '.')
		return 0;
	if (!number(p, end, "uid", 10, &uid) || !number(p, end, "pid", 10, &pid) ||
	    !number(p, end, "arch", 16, &arch) || !number(p, end, "syscall", 10, &nr) ||
	    !number(p, end, "code", 16, &code) || uid > UINT32_MAX || pid > INT32_MAX || arch > UINT32_MAX ||
	    nr > INT32_MAX || code > UINT32_MAX)
		return 0;
	*d = (struct cage_denial){ .uid = (uid_t)uid, .pid = (pid_t)pid, .when = (time_t)when,
				   .arch = (uint32_t)arch, .nr = (int)nr, .code = (uint32_t)code };
	text_of(p, end, "comm", d->comm, sizeof(d->comm));
	text_of(p, end, "exe", d->exe, sizeof(d->exe));
	return 1;
}

unsigned long cage_denial_suppressed(const char *line, size_t len)
{
	const char *k = find(line, len, "kauditd_printk_skb: ");
	if (!k)
		return 0;
	k += strlen("kauditd_printk_skb: ");
	char buf[24];
	size_t n = 0;
	while (k + n < line + len && n < sizeof(buf) - 1 && k[n] >= '0' && k[n] <= '9') {
		buf[n] = k[n];
		n++;
	}
	buf[n] = '\0';
	if (!n || !find(k, (size_t)(line + len - k), " callbacks suppressed"))
		return 0;
	return strtoul(buf, NULL, 10);
}

int cage_kmsg_each(int (*fn)(const char *line, size_t len, void *data), void *data, cage_err_t *err)
{
	_cleanup_close_ int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return cage_err_sys(err, errno, "/dev/kmsg");
	/* From the oldest record still in the ring buffer. */
	lseek(fd, 0, SEEK_DATA);
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EPIPE) /* overwritten while we read: go on */
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return cage_err_sys(err, errno, "/dev/kmsg");
		if (n == 0)
			return 0;
		if (fn(buf, (size_t)n, data) < 0)
			return -1;
	}
}

/* ---- the sums cagefsctl --seccomp-denials prints ---- */

struct collect {
	const uid_t *uids;
	size_t nuids;
	struct cage_denial_sum *v;
	size_t n, cap;
	unsigned long suppressed;
	bool oom;
};

static bool wanted(const struct collect *c, uid_t uid)
{
	for (size_t i = 0; i < c->nuids; i++)
		if (c->uids[i] == uid)
			return true;
	return c->nuids == 0;
}

static struct cage_denial_sum *slot(struct collect *c, const struct cage_denial *d)
{
	for (size_t i = 0; i < c->n; i++) {
		struct cage_denial_sum *s = &c->v[i];
		if (s->d.uid == d->uid && s->d.arch == d->arch && s->d.nr == d->nr && s->d.code == d->code &&
		    !strcmp(s->d.exe, d->exe) && !strcmp(s->d.comm, d->comm))
			return s;
	}
	if (c->n == CAGE_DENIALS_MAX)
		return NULL;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct cage_denial_sum *v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			c->oom = true;
			return NULL;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n] = (struct cage_denial_sum){ .d = *d };
	return &c->v[c->n++];
}

static int add_line(const char *line, size_t len, void *data)
{
	struct collect *c = data;
	struct cage_denial d;
	c->suppressed += cage_denial_suppressed(line, len);
	if (!cage_denial_parse(line, len, &d) || !wanted(c, d.uid))
		return 0;
	struct cage_denial_sum *s = slot(c, &d);
	if (!s)
		return c->oom ? -1 : 0;
	s->count++;
	s->first = s->count == 1 ? d.when : s->first;
	s->d.when = d.when;
	return 0;
}

int cage_denials_collect(const uid_t *uids, size_t nuids, struct cage_denial_sum **out, size_t *n,
			 unsigned long *suppressed, cage_err_t *err)
{
	struct collect c = { .uids = uids, .nuids = nuids };
	int rc = cage_kmsg_each(add_line, &c, err);
	if (rc < 0 || c.oom) {
		free(c.v);
		return rc < 0 ? -1 : cage_err_sys(err, ENOMEM, "kernel log");
	}
	*out = c.v;
	*n = c.n;
	*suppressed = c.suppressed;
	return 0;
}

const char *cage_denial_action(uint32_t code, char *buf, size_t size)
{
	/* The kernel logs the action without its data: no errno number. */
	uint32_t act = code & 0xffff0000u;
	snprintf(buf, size, "%s", act == 0x00050000u ? "refused (errno)" : act == 0x80000000u ? "killed (process)"
				  : act == 0 ? "killed (thread)" : act == 0x00030000u ? "trapped (SIGSYS)"
				  : act == 0x7ffc0000u ? "logged, allowed" : act == 0x7fc00000u ? "notified"
				  : act == 0x7ff00000u ? "traced" : "?");
	return buf;
}
