/* A user's override merged into the server's profile (cagefs/seccomp.h,
 * cage_seccomp_merge; docs/ARCHITECTURE.md §4.24).
 *
 * The profile is seen as runc and crun compile it (compile.c): a list of
 * rules per syscall name.  The conditions of an entry on distinct indexes
 * are one rule (ANDed); if an entry repeats an index, each condition is a
 * rule of its own (ORed).  Each line of the override then
 *  1. takes out the rules of NAME it covers: without conditions every rule
 *     of NAME, whatever its action; with conditions the rules whose set of
 *     conditions is the line's (in an ORed entry, the one condition equal
 *     to the line's single one, for NAME only);
 *  2. adds its own rule, unless its action is the default action (which a
 *     rule cannot ask for: libseccomp refuses it, runc skips it).
 * The result is written back with consecutive rules of the same action and
 * conditions sharing an entry, so a profile the override leaves alone
 * comes out as compact as it went in; then libseccomp compiles it, and a
 * refusal names the line that added the rule. */
#define _GNU_SOURCE
#include "cagefs/seccomp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "profile.h"

/* The merged text is the server's profile (1 MiB at most) and the rules of
 * an override (4096 at most, a few hundred bytes each). */
#define MERGED_MAX (4 * (size_t)CAGE_SECCOMP_MAX_FILE)

struct item {
	const char *name;
	const char *action;       /* as written: SCMP_ACT_KILL is not SCMP_ACT_KILL_THREAD's text */
	uint32_t value;           /* with its errno: what libseccomp gets */
	bool has_ret;             /* errnoRet written */
	uint64_t ret;
	bool or_mode;             /* the conditions are rules of their own */
	const struct scmp_arg_cmp *c;
	unsigned n;
	uint64_t live;            /* or_mode: which of c are still rules */
	unsigned line;            /* the override's line that added it; 0: the server's */
};

struct merge {
	struct item *v;
	size_t n, cap;
	void **pools;             /* the server's conditions, an array per entry */
	size_t npools;
	size_t *first;            /* emitted entry -> its first item */
	size_t nfirst;
	uint32_t def;             /* the default action */
	bool split;               /* an ORed item may have to become single rules */
};

static void merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->npools; i++)
		free(m->pools[i]);
	free(m->pools);
	free(m->v);
	free(m->first);
}

static int push(struct merge *m, const struct item *it)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct item *v = reallocarray(m->v, cap, sizeof(*v));
		if (!v)
			return -1;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = *it;
	return 0;
}

static uint64_t u64_of(const cage_json *v)
{
	uint64_t x = 0;
	cage_json_u64(v, &x);
	return x;
}

/* ENTRY's conditions, kept for the life of the merge; *OR when an index
 * repeats. */
static int entry_conds(struct merge *m, const cage_json *args, struct scmp_arg_cmp **out, bool *or_mode)
{
	size_t n = cage_json_array_len(args);
	unsigned seen = 0;
	*out = NULL;
	*or_mode = false;
	if (!n)
		return 0;
	void **pools = reallocarray(m->pools, m->npools + 1, sizeof(*pools));
	if (!pools)
		return -1;
	m->pools = pools;
	struct scmp_arg_cmp *c = calloc(n, sizeof(*c));
	if (!c)
		return -1;
	m->pools[m->npools++] = c;
	for (size_t i = 0; i < n; i++) {
		const cage_json *a = cage_json_array_at(args, i);
		int op = cage_seccomp_op_lookup(cage_json_string(cage_json_get(a, "op", CAGE_JSON_STRING)));
		c[i] = (struct scmp_arg_cmp){
			.arg = (unsigned)u64_of(cage_json_get(a, "index", CAGE_JSON_NUMBER)) & 7,
			.op = op < 0 ? SCMP_CMP_EQ : (enum scmp_compare)op,
			.datum_a = u64_of(cage_json_get(a, "value", CAGE_JSON_NUMBER)),
			.datum_b = u64_of(cage_json_get(a, "valueTwo", CAGE_JSON_NUMBER)),
		};
		*or_mode |= (seen >> c[i].arg) & 1;
		seen |= 1u << c[i].arg;
	}
	*out = c;
	return 0;
}

/* Every name of every entry of SERVER, an item each. */
static int load_server(struct merge *m, const cage_json *server)
{
	const cage_json *list = cage_json_get(server, "syscalls", CAGE_JSON_ARRAY);
	for (size_t i = 0; i < cage_json_array_len(list); i++) {
		const cage_json *e = cage_json_array_at(list, i);
		const cage_json *names = cage_json_get(e, "names", CAGE_JSON_ARRAY);
		const cage_json *ret = cage_json_get(e, "errnoRet", CAGE_JSON_NUMBER);
		struct item it = {
			.action = cage_json_string(cage_json_get(e, "action", CAGE_JSON_STRING)),
			.has_ret = ret != NULL, .ret = u64_of(ret),
			.n = (unsigned)cage_json_array_len(cage_json_get(e, "args", CAGE_JSON_ARRAY)),
		};
		struct scmp_arg_cmp *c;
		if (!it.action || entry_conds(m, cage_json_get(e, "args", CAGE_JSON_ARRAY), &c, &it.or_mode) < 0)
			return -1;
		it.c = c;
		it.value = cage_seccomp_action_value(it.action, ret);
		it.live = it.n >= 64 ? UINT64_MAX : (UINT64_C(1) << it.n) - 1;
		for (size_t j = 0; j < cage_json_array_len(names); j++) {
			it.name = cage_json_string(cage_json_array_at(names, j));
			if (it.name && push(m, &it) < 0)
				return -1;
		}
	}
	return 0;
}

static bool cond_equal(const struct scmp_arg_cmp *a, const struct scmp_arg_cmp *b)
{
	return a->arg == b->arg && a->op == b->op && a->datum_a == b->datum_a &&
	       (a->op != SCMP_CMP_MASKED_EQ || a->datum_b == b->datum_b);
}

/* An ANDed item with exactly R's conditions (as a set: indexes are
 * distinct on both sides). */
static bool same_set(const struct item *it, const struct cage_seccomp_rule *r)
{
	if (it->n != r->nconds)
		return false;
	for (unsigned i = 0; i < r->nconds; i++) {
		unsigned k = 0;
		while (k < it->n && !cond_equal(&it->c[k], &r->conds[i]))
			k++;
		if (k == it->n)
			return false;
	}
	return true;
}

/* Step 1 for one item: true if it is gone, whole. */
static bool take_out(struct merge *m, struct item *it, const struct cage_seccomp_rule *r, bool *removed)
{
	if (strcmp(it->name, r->name))
		return false;
	if (!r->nconds || (!it->or_mode && same_set(it, r)))
		return *removed = true;
	if (!it->or_mode || r->nconds != 1)
		return false;
	for (unsigned k = 0; k < it->n; k++)
		if ((it->live >> k & 1) && cond_equal(&it->c[k], &r->conds[0])) {
			it->live &= ~(UINT64_C(1) << k);
			*removed = m->split = true;
		}
	return it->live == 0;
}

/* An ORed item whose remaining conditions no longer repeat an index
 * would read as one ANDed rule: it becomes a single-condition rule each. */
static bool repeats(const struct item *it)
{
	unsigned seen = 0;
	for (unsigned k = 0; k < it->n; k++) {
		if (!(it->live >> k & 1))
			continue;
		if (seen >> it->c[k].arg & 1)
			return true;
		seen |= 1u << it->c[k].arg;
	}
	return false;
}

static int split_or_items(struct merge *m)
{
	struct merge out = {0};
	for (size_t i = 0; i < m->n; i++) {
		struct item it = m->v[i];
		if (!it.or_mode || repeats(&it)) {
			if (push(&out, &it) < 0)
				return free(out.v), -1;
			continue;
		}
		for (unsigned k = 0; k < it.n; k++) {
			struct item one = it;
			one.or_mode = false;
			one.c = &it.c[k];
			one.n = 1;
			if ((it.live >> k & 1) && push(&out, &one) < 0)
				return free(out.v), -1;
		}
	}
	free(m->v);
	m->v = out.v;
	m->n = out.n;
	m->cap = out.cap;
	m->split = false;
	return 0;
}

static const char *const verb_action[] = {
	[CAGE_SECCOMP_ALLOW] = "SCMP_ACT_ALLOW", [CAGE_SECCOMP_DENY] = "SCMP_ACT_ERRNO",
	[CAGE_SECCOMP_KILL] = "SCMP_ACT_KILL_PROCESS", [CAGE_SECCOMP_LOG] = "SCMP_ACT_LOG",
};

/* One line: step 1, then step 2.  1 if it changed nothing. */
static int apply(struct merge *m, const struct cage_seccomp_rule *r)
{
	bool removed = false;
	size_t w = 0;
	for (size_t i = 0; i < m->n; i++)
		if (!take_out(m, &m->v[i], r, &removed))
			m->v[w++] = m->v[i];
	m->n = w;
	if (m->split && split_or_items(m) < 0)
		return -1;
	struct item it = {
		.name = r->name, .action = verb_action[r->verb], .has_ret = r->verb == CAGE_SECCOMP_DENY,
		.ret = r->errnum, .c = r->conds, .n = r->nconds, .line = r->line,
	};
	cage_seccomp_action_lookup(it.action, &it.value);
	if (it.has_ret)
		it.value |= r->errnum;
	if (it.value == m->def)
		return removed ? 0 : 1;
	return push(m, &it);
}

/* ---- writing the merged profile ---- */

static bool same_conds(const struct item *a, const struct item *b)
{
	unsigned i = 0, j = 0;
	for (;;) {
		while (i < a->n && !(a->or_mode ? a->live >> i & 1 : 1))
			i++;
		while (j < b->n && !(b->or_mode ? b->live >> j & 1 : 1))
			j++;
		if (i == a->n || j == b->n)
			return i == a->n && j == b->n;
		if (!cond_equal(&a->c[i++], &b->c[j++]))
			return false;
	}
}

/* Consecutive items that can share one entry. */
static bool same_entry(const struct item *a, const struct item *b)
{
	return !strcmp(a->action, b->action) && a->value == b->value && a->has_ret == b->has_ret &&
	       a->ret == b->ret && a->or_mode == b->or_mode && same_conds(a, b);
}

static void emit_cond(cage_jgen *g, const struct scmp_arg_cmp *c)
{
	cage_jgen_map_open(g);
	cage_jgen_string(g, "index");
	cage_jgen_u64(g, c->arg);
	cage_jgen_string(g, "value");
	cage_jgen_u64(g, c->datum_a);
	if (c->op == SCMP_CMP_MASKED_EQ || c->datum_b) {
		cage_jgen_string(g, "valueTwo");
		cage_jgen_u64(g, c->datum_b);
	}
	cage_jgen_string(g, "op");
	cage_jgen_string(g, cage_seccomp_op_name(c->op));
	cage_jgen_map_close(g);
}

/* The entry of items [from, to), which share everything but the name. */
static void emit_entry(cage_jgen *g, const struct item *v, size_t from, size_t to)
{
	const struct item *it = &v[from];
	cage_jgen_map_open(g);
	cage_jgen_string(g, "names");
	cage_jgen_array_open(g);
	for (size_t i = from; i < to; i++)
		cage_jgen_string(g, v[i].name);
	cage_jgen_array_close(g);
	cage_jgen_string(g, "action");
	cage_jgen_string(g, it->action);
	if (it->has_ret) {
		cage_jgen_string(g, "errnoRet");
		cage_jgen_u64(g, it->ret);
	}
	if (it->n) {
		cage_jgen_string(g, "args");
		cage_jgen_array_open(g);
		for (unsigned k = 0; k < it->n; k++)
			if (!it->or_mode || (it->live >> k & 1))
				emit_cond(g, &it->c[k]);
		cage_jgen_array_close(g);
	}
	cage_jgen_map_close(g);
}

static int emit_syscalls(cage_jgen *g, struct merge *m)
{
	cage_jgen_string(g, "syscalls");
	cage_jgen_array_open(g);
	for (size_t i = 0, j; i < m->n; i = j) {
		for (j = i + 1; j < m->n && same_entry(&m->v[i], &m->v[j]);)
			j++;
		size_t *first = reallocarray(m->first, m->nfirst + 1, sizeof(*first));
		if (!first)
			return -1;
		m->first = first;
		m->first[m->nfirst++] = i;
		emit_entry(g, m->v, i, j);
	}
	cage_jgen_array_close(g);
	return 0;
}

/* FLAGS (an array or nothing) with SECCOMP_FILTER_FLAG_LOG: the kernel
 * logs the calls the filter refuses (seccomp(2)). */
static void emit_flags(cage_jgen *g, const cage_json *flags)
{
	static const char log_flag[] = "SECCOMP_FILTER_FLAG_LOG";
	bool has = false;
	cage_jgen_string(g, "flags");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < cage_json_array_len(flags); i++) {
		const cage_json *f = cage_json_array_at(flags, i);
		has |= cage_json_string(f) && !strcmp(cage_json_string(f), log_flag);
		cage_jgen_value(g, f);
	}
	if (!has)
		cage_jgen_string(g, log_flag);
	cage_jgen_array_close(g);
}

static int emit(struct merge *m, const cage_json *server, bool log_denials, char **text, size_t *len,
		cage_err_t *err)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
	bool had_syscalls = false, had_flags = false;
	int rc = 0;
	cage_jgen_map_open(g);
	for (size_t i = 0; rc == 0 && i < cage_json_object_len(server); i++) {
		const char *k = cage_json_object_key(server, i);
		const cage_json *v = cage_json_object_value(server, i);
		if (!strcmp(k, "syscalls") && !had_syscalls) {
			had_syscalls = true;
			rc = emit_syscalls(g, m);
		} else if (!strcmp(k, "flags") && log_denials && !had_flags) {
			had_flags = true;
			emit_flags(g, v);
		} else {
			cage_jgen_string(g, k);
			cage_jgen_value(g, v);
		}
	}
	if (rc == 0 && !had_syscalls && m->n)
		rc = emit_syscalls(g, m);
	if (log_denials && !had_flags)
		emit_flags(g, NULL);
	cage_jgen_map_close(g);
	if (rc < 0)
		return cage_err_sys(err, ENOMEM, "seccomp profile");
	return cage_jgen_finish(g, text, len, err);
}

/* ---- errors ---- */

/* The override's line behind an error about "syscalls[I]" (".names[J]")
 * of the merged profile: of the rule named, else the last line among the
 * entries named (a pair libseccomp cannot take was made by the later
 * line); 0 if every rule named is the server's. */
static unsigned line_of(const struct merge *m, const char *msg)
{
	unsigned line = 0;
	for (const char *p = msg; (p = strstr(p, "syscalls[")); p++) {
		char *end;
		unsigned long i = strtoul(p + 9, &end, 10), j;
		if (*end != ']' || i >= m->nfirst)
			continue;
		size_t from = m->first[i], to = i + 1 < m->nfirst ? m->first[i + 1] : m->n;
		if (sscanf(end, "].names[%lu]", &j) == 1 && j < to - from && m->v[from + j].line)
			return m->v[from + j].line;
		for (size_t k = from; k < to; k++)
			line = m->v[k].line > line ? m->v[k].line : line;
	}
	return line;
}

static int refused(const struct merge *m, const char *file, const cage_err_t *why, cage_err_t *err)
{
	unsigned line = line_of(m, why->msg);
	if (line)
		return cage_err_set(err, "%s:%u: the merged profile is refused: %s", file, line, why->msg);
	return cage_err_set(err, "%s: the merged profile is refused: %s", file, why->msg);
}

/* A line that took nothing out and added nothing: most likely a mistake
 * (an allow of what the profile allows anyway, a condition that matches
 * none of the profile's rules), but harmless, so a warning. */
static char *nothing(const struct cage_seccomp_override *o, const struct cage_seccomp_rule *r)
{
	char line[CAGE_SECCOMP_RULE_TEXT_MAX], *msg = NULL;
	cage_seccomp_rule_format(r, line, sizeof(line));
	if (asprintf(&msg, "%s:%u: '%s' changes nothing: the profile has no rule of %s%s, and its default "
		     "action is already that", o->file, r->line, line, r->name,
		     r->nconds ? " with these conditions" : "") < 0)
		return NULL;
	return msg;
}

int cage_seccomp_merge(const cage_json *server, const struct cage_seccomp_override *o, cage_json **out,
		       cage_strvec_t *warnings, cage_err_t *err)
{
	*out = NULL;
	struct merge m = {0};
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int rc = cage_seccomp_validate(server, err) < 0 ? cage_err_prefix(err, "the server's seccomp profile") : 0;
	const cage_json *def = cage_json_get(server, "defaultAction", CAGE_JSON_STRING);
	if (rc == 0) {
		m.def = cage_seccomp_action_value(cage_json_string(def), cage_json_get(server, "defaultErrnoRet", CAGE_JSON_NUMBER));
		rc = load_server(&m, server) < 0 ? cage_err_sys(err, ENOMEM, "%s", o->file) : 0;
	}
	for (size_t i = 0; rc == 0 && i < o->n; i++) {
		const struct cage_seccomp_rule *r = &o->rules[i];
		int changed = apply(&m, r);
		if (changed < 0)
			rc = cage_err_sys(err, ENOMEM, "%s", o->file);
		else if (changed == 1 && warnings && cage_strvec_push_owned(warnings, nothing(o, r)) < 0)
			rc = cage_err_sys(err, ENOMEM, "%s", o->file);
	}
	if (rc == 0)
		rc = emit(&m, server, o->log_denials != 0, &text, &len, err);
	_cleanup_json_ cage_json *tree = NULL;
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	cage_err_t why = {0};
	if (rc == 0 && (cage_json_parse(text, len, o->file, MERGED_MAX, &tree, &why) < 0 ||
			cage_seccomp_compile(tree, &ctx, &why) < 0))
		rc = refused(&m, o->file, &why, err);
	merge_free(&m);
	if (rc == 0)
		*out = CAGE_STEAL_PTR(tree);
	return rc;
}
