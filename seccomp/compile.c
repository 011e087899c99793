/* OCI `linux.seccomp` object -> libseccomp filter.
 *
 * One walk does both jobs, so they can never disagree about what a profile
 * means: compiling runs it twice, first only validating (all cage_seccomp_
 * load_json does), with guard.c checking for rule pairs libseccomp would loop
 * on, then adding the rules.  The semantics follow runc
 * and crun, because the same config.json must mean the same thing to them:
 *  - syscall names libseccomp does not know are skipped (debug log);
 *  - an entry whose action equals the default action is skipped;
 *  - errnoRet defaults to EPERM; defaultErrnoRet applies to defaultAction only;
 *  - conditions on distinct argument indexes are ANDed in one rule, but if an
 *    index repeats, every condition becomes a rule of its own (ORed), which
 *    is also the only form libseccomp accepts for repeated indexes.
 * Unknown keys are ignored (the runtime-spec requires it); a known key given
 * twice is an error because runtimes disagree on which copy wins. */
#include "cagefs/seccomp.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "profile.h"

#define PATH_MAX_LEN 96 /* "syscalls[4294967295].args[63].valueTwo" fits */

struct named {
	const char *name;
	uint32_t value;
};

static const struct named actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
};

static const struct named ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct named arches[] = {
	{ "SCMP_ARCH_X86", SCMP_ARCH_X86 },
	{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32 },
	{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
	{ "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
	{ "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
	{ "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
	{ "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
	{ "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
	{ "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", SCMP_ARCH_S390 },
	{ "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
	{ "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
	{ "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
	{ "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
#ifdef SCMP_ARCH_LOONGARCH64
	{ "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64 },
#endif
#ifdef SCMP_ARCH_M68K
	{ "SCMP_ARCH_M68K", SCMP_ARCH_M68K },
#endif
#ifdef SCMP_ARCH_SH
	{ "SCMP_ARCH_SH", SCMP_ARCH_SH },
	{ "SCMP_ARCH_SHEB", SCMP_ARCH_SHEB },
#endif
};

/* Filter flags map to libseccomp attributes set to 1 ... */
static const struct named flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB },
};
/* ... and, for a caller loading exported BPF itself, to seccomp(2) flags. */
static const struct named kernel_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
};

struct walk {
	bool build;          /* false: only validate */
	bool learn;          /* building the learning filter (cage_seccomp_compile_learning) */
	cage_seccomp_rule_fn each; /* not building: hand every rule to this */
	void *each_data;
	scmp_filter_ctx ctx; /* while building */
	struct cage_seccomp_guard *guard; /* while validating */
	uint32_t def_action;
	uint32_t init_action;  /* the filter's default: def_action, or NOTIFY when learning */
	bool sendmsg_ruled;    /* learning: sendmsg has a rule of its own */
	size_t rules;        /* libseccomp rules asked for so far */
	size_t added;        /* rules actually given to libseccomp */
	size_t entry;        /* index of the syscalls[] entry being walked */
	cage_err_t *err;
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct named *lookup(const struct named *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

int cage_seccomp_action_lookup(const char *name, uint32_t *value)
{
	const struct named *a = name ? lookup(actions, ARRAY_LEN(actions), name) : NULL;
	if (a)
		*value = a->value;
	return a ? 0 : -1;
}

uint32_t cage_seccomp_action_value(const char *name, const cage_json *ret)
{
	uint32_t v = SCMP_ACT_KILL_PROCESS;
	uint64_t data = EPERM; /* as get_action: runc and crun's default */
	cage_seccomp_action_lookup(name, &v);
	if (ret)
		cage_json_u64(ret, &data);
	if (v == SCMP_ACT_ERRNO(0) || v == SCMP_ACT_TRACE(0))
		v |= (uint32_t)data & 0xffff;
	return v;
}

int cage_seccomp_op_lookup(const char *name)
{
	const struct named *o = name ? lookup(ops, ARRAY_LEN(ops), name) : NULL;
	return o ? (int)o->value : -1;
}

const char *cage_seccomp_op_name(int op)
{
	for (size_t i = 0; i < ARRAY_LEN(ops); i++)
		if ((int)ops[i].value == op)
			return ops[i].name;
	return NULL;
}

/* "PATH: message"; the empty path is the object itself. */
__attribute__((format(printf, 3, 4)))
static int err_at(cage_err_t *err, const char *path, const char *fmt, ...)
{
	char msg[CAGE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cage_err_set(err, "%s: %s", *path ? path : "top level", msg);
}

/* Paths are for messages only: a path cut short at PATH_MAX_LEN is fine. */
__attribute__((format(printf, 2, 3)))
static void path_fmt(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, PATH_MAX_LEN, fmt, ap);
	va_end(ap);
}

static void path_key(char *buf, const char *parent, const char *key)
{
	path_fmt(buf, "%s%s%s", parent, *parent ? "." : "", key);
}

static void path_index(char *buf, const char *parent, size_t i)
{
	path_fmt(buf, "%s[%zu]", parent, i);
}

/* Find `key` in `obj` (NULL if absent); `path` is obj's path.  The tree
 * keeps duplicate keys, so they are seen here. */
static int member(const cage_json *obj, const char *path, const char *key, const cage_json **out,
		  cage_err_t *err)
{
	*out = NULL;
	for (size_t i = 0; i < cage_json_object_len(obj); i++) {
		if (strcmp(cage_json_object_key(obj, i), key) != 0)
			continue;
		if (*out) {
			char p[PATH_MAX_LEN];
			path_key(p, path, key);
			return err_at(err, p, "duplicate key");
		}
		*out = cage_json_object_value(obj, i);
	}
	return 0;
}

static int need_string(const cage_json *v, const char *path, cage_err_t *err)
{
	if (!v)
		return err_at(err, path, "missing");
	if (!cage_json_is(v, CAGE_JSON_STRING))
		return err_at(err, path, "expected a string");
	return 0;
}

/* JSON numbers are read from their text: argument values use the whole
 * uint64 range, beyond a long long. */
static int get_u64(const cage_json *v, const char *path, uint64_t max, uint64_t *out, cage_err_t *err)
{
	if (!v)
		return err_at(err, path, "missing");
	uint64_t x;
	int rc = cage_json_u64(v, &x);
	if (rc == -EINVAL)
		return err_at(err, path, "expected a non-negative integer");
	if (rc < 0 || x > max)
		return err_at(err, path, "%.40s is out of range (0..%" PRIu64 ")", cage_json_number(v), max);
	*out = x;
	return 0;
}

/* Read `akey` (and its errno `ekey`) of obj into a libseccomp action. */
static int get_action(const cage_json *obj, const char *path, const char *akey, const char *ekey,
		      uint32_t *out, cage_err_t *err)
{
	char apath[PATH_MAX_LEN], epath[PATH_MAX_LEN];
	const cage_json *a, *e;
	path_key(apath, path, akey);
	path_key(epath, path, ekey);
	if (member(obj, path, akey, &a, err) < 0 || member(obj, path, ekey, &e, err) < 0 ||
	    need_string(a, apath, err) < 0)
		return -1;
	if (strcmp(cage_json_string(a), "SCMP_ACT_NOTIFY") == 0)
		return err_at(err, apath, "SCMP_ACT_NOTIFY needs a seccomp agent; cagefs runs none");
	const struct named *act = lookup(actions, ARRAY_LEN(actions), cage_json_string(a));
	if (!act)
		return err_at(err, apath, "unknown action '%.64s'", cage_json_string(a));
	bool is_errno = act->value == SCMP_ACT_ERRNO(0);
	bool has_data = is_errno || act->value == SCMP_ACT_TRACE(0);
	uint64_t data = EPERM; /* runc and crun use EPERM when errnoRet is absent */
	if (e && !has_data)
		return err_at(err, epath, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one");
	/* libseccomp refuses errno values from 4095 (MAX_ERRNO) up. */
	if (e && get_u64(e, epath, is_errno ? 4094 : 0xffff, &data, err) < 0)
		return -1;
	*out = act->value | (has_data ? (uint32_t)data : 0);
	return 0;
}

static int get_strings(const cage_json *obj, const char *path, const char *key, bool required,
		       const cage_json **out, cage_err_t *err)
{
	char p[PATH_MAX_LEN], ip[PATH_MAX_LEN];
	path_key(p, path, key);
	if (member(obj, path, key, out, err) < 0)
		return -1;
	if (!*out || (!required && cage_json_is(*out, CAGE_JSON_NULL))) {
		*out = NULL;
		return required ? err_at(err, p, "missing") : 0;
	}
	if (!cage_json_is(*out, CAGE_JSON_ARRAY))
		return err_at(err, p, "expected an array of strings");
	for (size_t i = 0; i < cage_json_array_len(*out); i++) {
		const cage_json *s = cage_json_array_at((*out), i);
		path_index(ip, p, i);
		if (need_string(s, ip, err) < 0)
			return -1;
		if (!*cage_json_string(s))
			return err_at(err, ip, "empty string");
	}
	return 0;
}

static int walk_arches(struct walk *w, const cage_json *root)
{
	char p[PATH_MAX_LEN];
	const cage_json *list;
	if (get_strings(root, "", "architectures", false, &list, w->err) < 0)
		return -1;
	for (size_t i = 0; list && i < cage_json_array_len(list); i++) {
		const char *name = cage_json_string(cage_json_array_at(list, i));
		const struct named *arch = lookup(arches, ARRAY_LEN(arches), name);
		path_index(p, "architectures", i);
		if (!arch)
			return err_at(w->err, p, "unknown architecture '%.64s'", name);
		if (!w->build)
			continue;
		int rc = seccomp_arch_add(w->ctx, arch->value);
		if (rc < 0 && rc != -EEXIST)
			return err_at(w->err, p, "libseccomp cannot add %s: %s", name, strerror(-rc));
	}
	return 0;
}

static int walk_flags(struct walk *w, const cage_json *root)
{
	char p[PATH_MAX_LEN];
	const cage_json *list;
	if (get_strings(root, "", "flags", false, &list, w->err) < 0)
		return -1;
	for (size_t i = 0; list && i < cage_json_array_len(list); i++) {
		const char *name = cage_json_string(cage_json_array_at(list, i));
		const struct named *f = lookup(flags, ARRAY_LEN(flags), name);
		path_index(p, "flags", i);
		if (!f)
			return err_at(w->err, p, "unsupported flag '%.64s'", name);
		if (!w->build)
			continue;
		int rc = seccomp_attr_set(w->ctx, (enum scmp_filter_attr)f->value, 1);
		if (rc < 0)
			return err_at(w->err, p, "libseccomp cannot set %s: %s", name, strerror(-rc));
	}
	return 0;
}

/* listenerPath/listenerMetadata only matter to SCMP_ACT_NOTIFY, which is
 * refused; still check their types so a typo'd profile is not half-read. */
static int walk_listener(struct walk *w, const cage_json *root)
{
	static const char *const keys[] = { "listenerPath", "listenerMetadata" };
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		const cage_json *v;
		if (member(root, "", keys[i], &v, w->err) < 0)
			return -1;
		if (v && !cage_json_is(v, CAGE_JSON_STRING))
			return err_at(w->err, keys[i], "expected a string");
	}
	return 0;
}

static int parse_arg(const cage_json *a, const char *path, struct scmp_arg_cmp *c, cage_err_t *err)
{
	char p[PATH_MAX_LEN];
	const cage_json *idx, *val, *two, *op;
	uint64_t index, v1, v2 = 0;
	if (!cage_json_is(a, CAGE_JSON_OBJECT))
		return err_at(err, path, "expected an object");
	if (member(a, path, "index", &idx, err) < 0 || member(a, path, "value", &val, err) < 0 ||
	    member(a, path, "valueTwo", &two, err) < 0 || member(a, path, "op", &op, err) < 0)
		return -1;
	path_key(p, path, "index");
	if (get_u64(idx, p, 5, &index, err) < 0)
		return -1;
	path_key(p, path, "value");
	if (get_u64(val, p, UINT64_MAX, &v1, err) < 0)
		return -1;
	path_key(p, path, "valueTwo");
	if (two && get_u64(two, p, UINT64_MAX, &v2, err) < 0)
		return -1;
	path_key(p, path, "op");
	if (need_string(op, p, err) < 0)
		return -1;
	const struct named *o = lookup(ops, ARRAY_LEN(ops), cage_json_string(op));
	if (!o)
		return err_at(err, p, "unknown operator '%.64s'", cage_json_string(op));
	/* For MASKED_EQ value is the mask and valueTwo the datum, as in runc. */
	*c = (struct scmp_arg_cmp){ .arg = (unsigned)index, .op = (enum scmp_compare)o->value,
				    .datum_a = v1, .datum_b = v2 };
	return 0;
}

/* Fill conds from entry.args; *or_mode when an index repeats (see top). */
static int parse_args(const cage_json *e, const char *path, struct scmp_arg_cmp *conds, size_t *n,
		      bool *or_mode, cage_err_t *err)
{
	char p[PATH_MAX_LEN], ip[PATH_MAX_LEN];
	const cage_json *args;
	unsigned seen = 0;
	*n = 0;
	*or_mode = false;
	path_key(p, path, "args");
	if (member(e, path, "args", &args, err) < 0)
		return -1;
	if (!args || cage_json_is(args, CAGE_JSON_NULL))
		return 0;
	if (!cage_json_is(args, CAGE_JSON_ARRAY))
		return err_at(err, p, "expected an array of objects");
	if (cage_json_array_len(args) > CAGE_SECCOMP_MAX_ARGS)
		return err_at(err, p, "more than %d conditions", CAGE_SECCOMP_MAX_ARGS);
	for (size_t i = 0; i < cage_json_array_len(args); i++) {
		path_index(ip, p, i);
		if (parse_arg(cage_json_array_at(args, i), ip, &conds[i], err) < 0)
			return -1;
		if (seen & (1u << conds[i].arg))
			*or_mode = true;
		seen |= 1u << conds[i].arg;
	}
	*n = cage_json_array_len(args);
	return 0;
}

/* Learning mode (seccomp/README.md, "Learning mode"): a call the profile
 * refuses goes to the supervisor instead, which lets the kernel carry it
 * out as if there were no filter.  Allowed and logged calls stay as they
 * are.  sendmsg keeps its action: the entering process hands the filter's
 * listener to the supervisor with it, after the filter is loaded and before
 * anyone holds the listener, so a notified sendmsg would wait forever. */
static uint32_t learning_action(uint32_t action, int nr)
{
	if (action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG || nr == SCMP_SYS(sendmsg))
		return action;
	return SCMP_ACT_NOTIFY;
}

static int add_rules(struct walk *w, const char *path, const char *name, uint32_t action,
		     const struct scmp_arg_cmp *conds, size_t n, bool or_mode)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		cage_debug("seccomp: %s: syscall '%s' unknown to libseccomp, skipped", path, name);
		return 0;
	}
	action = w->learn ? learning_action(action, nr) : action;
	if (action == w->init_action) /* a denial that became NOTIFY, as the default did */
		return 0;
	w->sendmsg_ruled |= nr == SCMP_SYS(sendmsg);
	int rc = 0;
	if (!or_mode)
		rc = seccomp_rule_add_array(w->ctx, action, nr, (unsigned)n, n ? conds : NULL);
	for (size_t k = 0; or_mode && rc == 0 && k < n; k++)
		rc = seccomp_rule_add_array(w->ctx, action, nr, 1, &conds[k]);
	if (rc < 0)
		return err_at(w->err, path, "libseccomp refused the rule for '%.64s': %s", name,
			      strerror(-rc));
	w->added++;
	return 0;
}

/* Validation pass: hand multi-condition rules to the guard (guard.c). */
static int guard_entry(struct walk *w, const cage_json *names, const struct scmp_arg_cmp *conds, size_t n)
{
	if (n < 2)
		return 0;
	for (size_t j = 0; j < cage_json_array_len(names); j++) {
		const char *name = cage_json_string(cage_json_array_at(names, j));
		int nr = seccomp_syscall_resolve_name(name);
		if (nr != __NR_SCMP_ERROR &&
		    cage_seccomp_guard_add(w->guard, nr, name, w->entry, conds, n) < 0)
			return cage_err_sys(w->err, ENOMEM, "syscalls[%zu]", w->entry);
	}
	return 0;
}

/* Hand each rule of an entry to w->each: one per name, and in OR mode
 * one per condition (the rules libseccomp is given, see the top). */
static int each_rule(struct walk *w, const cage_json *names, uint32_t action, const struct scmp_arg_cmp *conds,
		     size_t n, bool or_mode)
{
	for (size_t j = 0; j < cage_json_array_len(names); j++) {
		const char *name = cage_json_string(cage_json_array_at(names, j));
		for (size_t k = 0; k < (or_mode ? n : 1); k++) {
			int rc = or_mode ? w->each(name, action, &conds[k], 1, w->each_data)
					 : w->each(name, action, conds, n, w->each_data);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int walk_entry(struct walk *w, const cage_json *e, const char *path)
{
	struct scmp_arg_cmp conds[CAGE_SECCOMP_MAX_ARGS];
	char p[PATH_MAX_LEN];
	const cage_json *names;
	uint32_t action;
	size_t n;
	bool or_mode;
	if (!cage_json_is(e, CAGE_JSON_OBJECT))
		return err_at(w->err, path, "expected an object");
	if (get_strings(e, path, "names", true, &names, w->err) < 0 ||
	    get_action(e, path, "action", "errnoRet", &action, w->err) < 0 ||
	    parse_args(e, path, conds, &n, &or_mode, w->err) < 0)
		return -1;
	path_key(p, path, "names");
	if (cage_json_array_len(names) == 0)
		return err_at(w->err, p, "empty array: at least one syscall name is required");
	/* Bound the work a profile can ask for before libseccomp does any. */
	size_t per_name = or_mode ? n : 1;
	if (cage_json_array_len(names) > (CAGE_SECCOMP_MAX_RULES - w->rules) / per_name)
		return err_at(w->err, path, "profile needs more than %d rules", CAGE_SECCOMP_MAX_RULES);
	w->rules += cage_json_array_len(names) * per_name;
	if (action == w->def_action) {
		if (w->build)
			cage_debug("seccomp: %s: action equals defaultAction, entry skipped", path);
		return 0;
	}
	if (w->each)
		return each_rule(w, names, action, conds, n, or_mode);
	if (!w->build)
		return guard_entry(w, names, conds, or_mode ? 1 : n);
	for (size_t j = 0; j < cage_json_array_len(names); j++) {
		char np[PATH_MAX_LEN];
		path_index(np, p, j);
		if (add_rules(w, np, cage_json_string(cage_json_array_at(names, j)), action, conds, n, or_mode) < 0)
			return -1;
	}
	return 0;
}

static int walk_syscalls(struct walk *w, const cage_json *root)
{
	char p[PATH_MAX_LEN];
	const cage_json *list;
	if (member(root, "", "syscalls", &list, w->err) < 0)
		return -1;
	if (!list || cage_json_is(list, CAGE_JSON_NULL))
		return 0;
	if (!cage_json_is(list, CAGE_JSON_ARRAY))
		return err_at(w->err, "syscalls", "expected an array of objects");
	for (size_t i = 0; i < cage_json_array_len(list); i++) {
		path_index(p, "syscalls", i);
		w->entry = i;
		if (walk_entry(w, cage_json_array_at(list, i), p) < 0)
			return -1;
	}
	return 0;
}

static int walk_pass(struct walk *w, const cage_json *root)
{
	if (!root || !cage_json_is(root, CAGE_JSON_OBJECT))
		return err_at(w->err, "", "expected an object");
	if (get_action(root, "", "defaultAction", "defaultErrnoRet", &w->def_action, w->err) < 0)
		return -1;
	w->init_action = w->learn ? learning_action(w->def_action, -1) : w->def_action;
	if (w->build && !(w->ctx = seccomp_init(w->init_action)))
		return err_at(w->err, "defaultAction", "libseccomp refused it");
	if (walk_arches(w, root) < 0 || walk_flags(w, root) < 0 || walk_listener(w, root) < 0 ||
	    walk_syscalls(w, root) < 0)
		return -1;
	/* Learning with a refusing default: sendmsg keeps it (learning_action). */
	if (w->build && w->init_action != w->def_action && !w->sendmsg_ruled &&
	    seccomp_rule_add(w->ctx, w->def_action, SCMP_SYS(sendmsg), 0) < 0)
		return err_at(w->err, "defaultAction", "libseccomp refused the rule for sendmsg");
	return 0;
}

/* Validate fully (guard included) before libseccomp sees a single rule. */
static int walk(const cage_json *root, scmp_filter_ctx *out, bool learn, cage_err_t *err)
{
	struct cage_seccomp_guard guard = { 0 };
	struct walk check = { .guard = &guard, .err = err };
	int rc = walk_pass(&check, root);
	if (rc == 0)
		rc = cage_seccomp_guard_check(&guard, err);
	cage_seccomp_guard_free(&guard);
	if (rc < 0 || !out)
		return rc;

	struct walk w = { .build = true, .learn = learn, .err = err };
	rc = walk_pass(&w, root);
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = w.ctx;
	if (rc < 0)
		return -1;
	/* A binary tree of syscall numbers: an allowed syscall walks a handful
	 * of comparisons instead of the whole deny list.  Not for a filter
	 * without rules: libseccomp <= 2.5.3 then ignores the default action
	 * (libseccomp issue #370), and there is nothing to sort anyway. */
	if (w.added && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		cage_debug("seccomp: libseccomp has no binary-tree optimization");
	*out = CAGE_STEAL_PTR(ctx);
	return 0;
}

int cage_seccomp_validate(const cage_json *profile, cage_err_t *err)
{
	return walk(profile, NULL, false, err);
}

int cage_seccomp_compile(const cage_json *profile, scmp_filter_ctx *out, cage_err_t *err)
{
	*out = NULL;
	return walk(profile, out, false, err);
}

int cage_seccomp_compile_learning(const cage_json *profile, scmp_filter_ctx *out, cage_err_t *err)
{
	*out = NULL;
	return walk(profile, out, true, err);
}

int cage_seccomp_each_rule(const cage_json *profile, cage_seccomp_rule_fn fn, void *data, cage_err_t *err)
{
	struct walk w = { .each = fn, .each_data = data, .err = err };
	return walk_pass(&w, profile);
}

int cage_seccomp_flags(const cage_json *profile, unsigned int *out, cage_err_t *err)
{
	char p[PATH_MAX_LEN];
	const cage_json *list;
	*out = 0;
	if (!profile || !cage_json_is(profile, CAGE_JSON_OBJECT))
		return err_at(err, "", "expected an object");
	if (get_strings(profile, "", "flags", false, &list, err) < 0)
		return -1;
	for (size_t i = 0; list && i < cage_json_array_len(list); i++) {
		const char *name = cage_json_string(cage_json_array_at(list, i));
		const struct named *f = lookup(kernel_flags, ARRAY_LEN(kernel_flags), name);
		path_index(p, "flags", i);
		if (!f)
			return err_at(err, p, "unsupported flag '%.64s'", name);
		*out |= f->value;
	}
	return 0;
}
