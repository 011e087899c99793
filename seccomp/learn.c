/* What learning mode saw (seccomp/README.md, "Learning mode"): each call
 * the enforcing profile would have refused, matched back to the rule that
 * refuses it, counted per program; kept as JSON between the supervisor and
 * cagefsctl --seccomp-report, and turned into a proposed override that
 * allows exactly those rules. */
#define _GNU_SOURCE
#include "cagefs/seccomp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/cleanup.h"

/* A hostile user can make calls under as many program names as she
 * likes: the record stays bounded, and says how much it dropped. */
#define MAX_SEEN 4096

/* The conditions in the override syntax, as an override writes them
 * ("a1&0xffffffff==0x5412 a0==3"): what the proposal's line says. */
static void rule_text(const struct scmp_arg_cmp *c, size_t n, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		char one[64];
		cage_seccomp_cond_format(&c[i], one, sizeof(one));
		int w = snprintf(buf + used, size - used, "%s%s", i ? " " : "", one);
		used += w > 0 ? (size_t)w : 0;
	}
}

static bool cond_holds(const struct scmp_arg_cmp *c, const uint64_t *args)
{
	uint64_t a = args[c->arg];
	switch (c->op) {
	case SCMP_CMP_NE: return a != c->datum_a;
	case SCMP_CMP_LT: return a < c->datum_a;
	case SCMP_CMP_LE: return a <= c->datum_a;
	case SCMP_CMP_EQ: return a == c->datum_a;
	case SCMP_CMP_GE: return a >= c->datum_a;
	case SCMP_CMP_GT: return a > c->datum_a;
	case SCMP_CMP_MASKED_EQ: return (a & c->datum_a) == c->datum_b;
	default: return false;
	}
}

struct match {
	uint32_t arch;
	int nr;
	const uint64_t *args;
	bool found;
	char rule[512], values[256];
};

/* The first refusing rule of the call's syscall whose conditions hold:
 * the one the learning filter notified for. */
static int match_rule(const char *name, uint32_t action, const struct scmp_arg_cmp *c, size_t n, void *data)
{
	struct match *m = data;
	if (m->found || action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG)
		return 0;
	if (seccomp_syscall_resolve_name_arch(m->arch, name) != m->nr)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].arg > 5 || !cond_holds(&c[i], m->args))
			return 0;
	m->found = true;
	rule_text(c, n, m->rule, sizeof(m->rule));
	size_t used = 0;
	for (size_t i = 0; i < n && used < sizeof(m->values); i++) {
		int w = snprintf(m->values + used, sizeof(m->values) - used, "%sa%u=0x%" PRIx64, i ? " " : "",
				 c[i].arg, m->args[c[i].arg]);
		used += w > 0 ? (size_t)w : 0;
	}
	return 0;
}

/* Printable ASCII only: a program name is the user's to choose, and it
 * goes into a report, a JSON file and a proposal an admin reads; a
 * newline in it must not become a line of the proposal. */
static char *escaped(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(len * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch >= 0x7f || ch == '\\' || ch == '"')
			o += sprintf(o, "\\x%02x", ch);
		else
			*o++ = (char)ch;
	}
	*o = '\0';
	return out;
}

/* A program's name as recorded: escaped, and bounded.  A hostile user
 * names her programs as long as a path may be (4095 bytes, each \xNN in
 * the record): 4096 of them made a record the report could not read
 * (larger than it reads), so --seccomp-report failed for the admin.  A
 * longer name keeps its head and tail around "\...", which escaped()
 * never writes (a backslash there always starts \xNN). */
static char *program_text(const char *program)
{
	size_t len = strlen(program), half = CAGE_SECCOMP_MAX_PROGRAM / 2;
	if (len <= CAGE_SECCOMP_MAX_PROGRAM)
		return escaped(program);
	_cleanup_free_ char *head = strndup(program, half), *h = head ? escaped(head) : NULL;
	_cleanup_free_ char *t = escaped(program + len - half);
	char *out = NULL;
	if (!h || !t || asprintf(&out, "%s\\...%s", h, t) < 0)
		return NULL;
	return out;
}

static void seen_free(struct cage_seccomp_seen *s)
{
	free(s->syscall);
	free(s->rule);
	free(s->values);
	free(s->program);
}

void cage_seccomp_record_free(struct cage_seccomp_record *r)
{
	for (size_t i = 0; i < r->n; i++)
		seen_free(&r->v[i]);
	free(r->v);
	*r = (struct cage_seccomp_record){0};
}

static struct cage_seccomp_seen *find(struct cage_seccomp_record *r, const char *sys, const char *rule,
				      const char *program)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].syscall, sys) && !strcmp(r->v[i].rule, rule) &&
		    !strcmp(r->v[i].program, program))
			return &r->v[i];
	return NULL;
}

/* Add S (its strings taken over) to R, or count it as dropped; -1 (S
 * still the caller's) when out of memory. */
static int record_put(struct cage_seccomp_record *r, struct cage_seccomp_seen *s)
{
	if (r->n == MAX_SEEN) {
		r->dropped += s->count;
		seen_free(s);
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct cage_seccomp_seen *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *s;
	return 0;
}

int cage_seccomp_record_call(struct cage_seccomp_record *r, const cage_json *profile, uint32_t arch, int nr,
			     const uint64_t args[6], const char *program, time_t now)
{
	struct match m = { .arch = arch, .nr = nr, .args = args };
	cage_err_t ignored = {0};
	if (profile)
		cage_seccomp_each_rule(profile, match_rule, &m, &ignored);
	char *name = seccomp_syscall_resolve_num_arch(arch, nr);
	char unknown[32];
	snprintf(unknown, sizeof(unknown), "syscall#%d", nr);
	_cleanup_free_ char *prog = program_text(program && *program ? program : "?");
	const char *sys = name ? name : unknown;
	struct cage_seccomp_seen *seen = prog ? find(r, sys, m.rule, prog) : NULL;
	if (seen) {
		seen->count++;
		seen->last = now;
		free(name);
		return 0;
	}
	struct cage_seccomp_seen s = { .syscall = strdup(sys), .rule = strdup(m.rule), .values = strdup(m.values),
				       .program = CAGE_STEAL_PTR(prog), .count = 1, .first = now, .last = now };
	free(name);
	if (!s.syscall || !s.rule || !s.values || !s.program || record_put(r, &s) < 0) {
		seen_free(&s);
		return -1;
	}
	return 0;
}

/* ---- the record as JSON ---- */

int cage_seccomp_record_json(const struct cage_seccomp_record *r, char **out, size_t *len, cage_err_t *err)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(CAGE_JGEN_PRETTY);
	cage_jgen_map_open(g);
	cage_jgen_string(g, "started");
	cage_jgen_int(g, (long long)r->started);
	cage_jgen_string(g, "until");
	cage_jgen_int(g, (long long)r->until);
	cage_jgen_string(g, "dropped");
	cage_jgen_u64(g, r->dropped);
	cage_jgen_string(g, "seen");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < r->n; i++) {
		const struct cage_seccomp_seen *s = &r->v[i];
		cage_jgen_map_open(g);
		cage_jgen_string(g, "syscall");
		cage_jgen_string(g, s->syscall);
		cage_jgen_string(g, "rule");
		cage_jgen_string(g, s->rule);
		cage_jgen_string(g, "args");
		cage_jgen_string(g, s->values);
		cage_jgen_string(g, "program");
		cage_jgen_string(g, s->program);
		cage_jgen_string(g, "count");
		cage_jgen_u64(g, s->count);
		cage_jgen_string(g, "first");
		cage_jgen_int(g, (long long)s->first);
		cage_jgen_string(g, "last");
		cage_jgen_int(g, (long long)s->last);
		cage_jgen_map_close(g);
	}
	cage_jgen_array_close(g);
	cage_jgen_map_close(g);
	return cage_jgen_finish(g, out, len, err);
}

static int get_time(const cage_json *o, const char *key, time_t *out)
{
	long long v; /* up to the year 9999: every time gmtime can show */
	if (cage_json_int(cage_json_get(o, key, CAGE_JSON_NUMBER), 0, 253402300799LL, &v) < 0)
		return -1;
	*out = (time_t)v;
	return 0;
}

/* What the supervisor writes is printable ASCII (escaped()): anything
 * else did not come from it, and must not reach a proposal's lines. */
static bool printable(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v >= 0x7f)
			return false;
	return true;
}

static int seen_of(const cage_json *o, struct cage_seccomp_seen *s)
{
	static const char *const keys[] = { "syscall", "rule", "args", "program" };
	char **fields[] = { &s->syscall, &s->rule, &s->values, &s->program };
	for (size_t k = 0; k < 4; k++) {
		const char *v = cage_json_string(cage_json_get(o, keys[k], CAGE_JSON_STRING));
		if (!v || !printable(v) || !(*fields[k] = strdup(v)))
			return -1;
	}
	uint64_t count;
	if (cage_json_u64(cage_json_get(o, "count", CAGE_JSON_NUMBER), &count) < 0 || get_time(o, "first", &s->first) < 0 ||
	    get_time(o, "last", &s->last) < 0)
		return -1;
	s->count = count;
	return 0;
}

int cage_seccomp_record_parse(const char *text, size_t len, const char *name, struct cage_seccomp_record *r,
			      cage_err_t *err)
{
	*r = (struct cage_seccomp_record){0};
	_cleanup_json_ cage_json *t = NULL;
	if (cage_json_parse(text, len, name, CAGE_SECCOMP_MAX_RECORD, &t, err) < 0)
		return -1;
	const cage_json *seen = cage_json_get(t, "seen", CAGE_JSON_ARRAY);
	if (!seen || get_time(t, "started", &r->started) < 0 || get_time(t, "until", &r->until) < 0 ||
	    cage_json_u64(cage_json_get(t, "dropped", CAGE_JSON_NUMBER), &r->dropped) < 0)
		return cage_err_set(err, "%s: not a learning record", name);
	for (size_t i = 0; i < cage_json_array_len(seen); i++) {
		struct cage_seccomp_seen s = {0};
		if (seen_of(cage_json_array_at(seen, i), &s) < 0 || record_put(r, &s) < 0) {
			seen_free(&s);
			cage_seccomp_record_free(r);
			return cage_err_set(err, "%s: seen[%zu]: not a call learning mode records", name, i);
		}
	}
	return 0;
}

/* ---- the proposal ---- */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3)))
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0 || b->oom) {
		b->oom = true;
		free(n < 0 ? NULL : s);
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			free(s);
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, (size_t)n + 1);
	b->len += (size_t)n;
	free(s);
}

/* Is R (a rule of the current override) the learned rule SYSCALL RULE,
 * whatever its verb?  The same conditions as a set, both written by
 * cage_seccomp_cond_format.  Such a line is commented out in the proposal:
 * the learned one replaces it, and an override may not give one rule
 * twice. */
static bool same_rule(const struct cage_seccomp_rule *r, const char *sys, const char *rule)
{
	if (strcmp(r->name, sys))
		return false;
	size_t words = *rule ? 1 : 0;
	for (const char *p = rule; *p; p++)
		words += *p == ' ';
	if (words != r->nconds)
		return false;
	for (unsigned k = 0; k < r->nconds; k++) {
		char one[64];
		cage_seccomp_cond_format(&r->conds[k], one, sizeof(one));
		size_t n = strlen(one);
		bool found = false;
		for (const char *p = rule; *p && !found; p = strchr(p, ' ') ? strchr(p, ' ') + 1 : p + strlen(p))
			found = !strncmp(p, one, n) && (p[n] == ' ' || p[n] == '\0');
		if (!found)
			return false;
	}
	return true;
}

static bool replaced(const struct cage_seccomp_record *r, const struct cage_seccomp_override *o, unsigned line)
{
	for (size_t k = 0; k < o->n; k++)
		for (size_t i = 0; o->rules[k].line == line && i < r->n; i++)
			if (same_rule(&o->rules[k], r->v[i].syscall, r->v[i].rule))
				return true;
	return false;
}

/* The current override, line for line, its lines for learned rules
 * commented out; it must parse (the bundle of its user fails otherwise). */
static int put_current(struct buf *b, const struct cage_seccomp_record *r, const char *cur, size_t len,
		       cage_err_t *err)
{
	struct cage_seccomp_override o = {0};
	if (cage_seccomp_override_parse(cur, len, "the current override", &o, err) < 0) {
		cage_seccomp_override_free(&o); /* it keeps its name on errors */
		return cage_err_prefix(err, "no proposal");
	}
	unsigned line = 1;
	for (size_t pos = 0; pos < len; line++) {
		const char *nl = memchr(cur + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - cur - pos) : len - pos;
		put(b, "%s%.*s\n", replaced(r, &o, line) ? "# replaced by a learned rule below: " : "", (int)n, cur + pos);
		pos += n + 1;
	}
	cage_seccomp_override_free(&o);
	return 0;
}

/* One "allow" per rule seen, with who made the calls.
 *
 * Each program's name is quoted: escaped() writes every '"' in it as
 * \x22, so a name cannot end its quotes early.  Unquoted, a program the
 * user named "/home/alice/x (1), /usr/sbin/sshd" read as two callers,
 * sshd among them, in the line the admin decides on.
 *
 * A syscall libseccomp has no name for (the record says "syscall#N": the
 * user can call any number) gets no "allow" line: an override names its
 * syscalls, and "allow syscall#451" is an unknown syscall to it, so one
 * such call made the whole proposal impossible to install. */
static void put_rule(struct buf *b, const struct cage_seccomp_record *r, size_t first)
{
	const struct cage_seccomp_seen *s = &r->v[first];
	unsigned long long total = 0;
	for (size_t i = first; i < r->n; i++)
		if (!strcmp(r->v[i].syscall, s->syscall) && !strcmp(r->v[i].rule, s->rule))
			total += r->v[i].count;
	put(b, "\n# learned: %llu call%s by", total, total == 1 ? "" : "s");
	size_t shown = 0;
	for (size_t i = first; i < r->n && shown < 5; i++)
		if (!strcmp(r->v[i].syscall, s->syscall) && !strcmp(r->v[i].rule, s->rule))
			put(b, "%s \"%s\" (%llu)", shown++ ? "," : "", r->v[i].program, r->v[i].count);
	if (*s->values)
		put(b, "; e.g. %s", s->values);
	if (seccomp_syscall_resolve_name(s->syscall) == __NR_SCMP_ERROR)
		put(b, "\n# not proposed: %s has no name an override can allow\n", s->syscall);
	else
		put(b, "\nallow %s%s%s\n", s->syscall, *s->rule ? " " : "", s->rule);
}

int cage_seccomp_proposal(const struct cage_seccomp_record *r, const char *user, const char *current,
			  size_t len, char **out, cage_err_t *err)
{
	struct buf b = {0};
	char from[32] = "?", to[32] = "?";
	struct tm tm;
	if (gmtime_r(&r->started, &tm))
		strftime(from, sizeof(from), "%Y-%m-%d %H:%M", &tm);
	if (gmtime_r(&r->until, &tm))
		strftime(to, sizeof(to), "%Y-%m-%d %H:%M", &tm);
	put(&b, "# Proposed for %s by cagefsctl --seccomp-report from learning mode\n"
		"# (%s to %s UTC): the rules the profile refused that were used.\n"
		"# Review it, then install it with: cagefsctl --seccomp-apply %s\n",
	    user, from, to, user);
	if (r->dropped)
		put(&b, "# %llu more calls were not recorded (too many distinct programs)\n",
		    (unsigned long long)r->dropped);
	if (current && len && put_current(&b, r, current, len, err) < 0) {
		free(b.p);
		return -1;
	}
	for (size_t i = 0; i < r->n; i++) {
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(r->v[j].syscall, r->v[i].syscall) && !strcmp(r->v[j].rule, r->v[i].rule);
		if (!dup)
			put_rule(&b, r, i);
	}
	if (b.oom) {
		free(b.p);
		return cage_err_sys(err, ENOMEM, "proposal");
	}
	/* What --seccomp-apply will read: never propose what it refuses. */
	struct cage_seccomp_override check = {0};
	int rc = cage_seccomp_override_parse(b.p, b.len, "the proposal", &check, err);
	cage_seccomp_override_free(&check);
	if (rc < 0) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	return 0;
}
