/* A profile for a person (cage_seccomp_describe; cagefsctl --seccomp-show):
 * the default action, then per action the syscalls, with their conditions
 * in the words of the override files (docs/ARCHITECTURE.md §4.24), so that
 * what a user's filter does can be read and an override line copied from
 * it.  Entries with the default action are left out: the runtime skips
 * them (compile.c), they change nothing. */
#define _GNU_SOURCE
#include "cagefs/seccomp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

#define WIDTH 78
#define DATA_MASK 0x0000ffffU /* SECCOMP_RET_DATA: an errno, a trace message */

/* "allow", "deny errno=EPERM (1)", "kill", "log"; the actions no override
 * line gives by their OCI names. */
static void action_label(uint32_t v, char *buf, size_t size)
{
	uint32_t data = v & DATA_MASK;
	const char *ename = strerrorname_np((int)data);
	if (v == SCMP_ACT_ALLOW)
		snprintf(buf, size, "allow");
	else if (v == SCMP_ACT_KILL_PROCESS)
		snprintf(buf, size, "kill");
	else if (v == SCMP_ACT_LOG)
		snprintf(buf, size, "log");
	else if ((v & ~DATA_MASK) == SCMP_ACT_ERRNO(0))
		snprintf(buf, size, "deny errno=%s (%u)", ename ? ename : "?", data);
	else if ((v & ~DATA_MASK) == SCMP_ACT_TRACE(0))
		snprintf(buf, size, "SCMP_ACT_TRACE (%u)", data);
	else if (v == SCMP_ACT_TRAP)
		snprintf(buf, size, "SCMP_ACT_TRAP");
	else
		snprintf(buf, size, "SCMP_ACT_KILL_THREAD");
}

static uint32_t entry_action(const cage_json *e)
{
	return cage_seccomp_action_value(cage_json_string(cage_json_get(e, "action", CAGE_JSON_STRING)),
					 cage_json_get(e, "errnoRet", CAGE_JSON_NUMBER));
}

/* The entry's conditions; *OR when an index repeats (one rule each). */
static unsigned entry_conds(const cage_json *e, struct scmp_arg_cmp *c, bool *or_mode)
{
	const cage_json *args = cage_json_get(e, "args", CAGE_JSON_ARRAY);
	unsigned n = 0, seen = 0;
	*or_mode = false;
	for (size_t i = 0; i < cage_json_array_len(args) && n < CAGE_SECCOMP_MAX_ARGS; i++, n++) {
		const cage_json *a = cage_json_array_at(args, i);
		uint64_t index = 0;
		int op = cage_seccomp_op_lookup(cage_json_string(cage_json_get(a, "op", CAGE_JSON_STRING)));
		c[n] = (struct scmp_arg_cmp){.op = op < 0 ? SCMP_CMP_EQ : (enum scmp_compare)op};
		cage_json_u64(cage_json_get(a, "index", CAGE_JSON_NUMBER), &index);
		cage_json_u64(cage_json_get(a, "value", CAGE_JSON_NUMBER), &c[n].datum_a);
		cage_json_u64(cage_json_get(a, "valueTwo", CAGE_JSON_NUMBER), &c[n].datum_b);
		c[n].arg = (unsigned)(index & 7);
		*or_mode |= (seen >> c[n].arg) & 1;
		seen |= 1u << c[n].arg;
	}
	return n;
}

/* Names, wrapped, after a two-space indent. */
struct wrap {
	FILE *out;
	size_t col;
};

static void wrap_word(struct wrap *w, const char *word)
{
	size_t n = strlen(word);
	if (w->col && w->col + 1 + n > WIDTH) {
		fputc('\n', w->out);
		w->col = 0;
	}
	w->col += (size_t)fprintf(w->out, "%s%s", w->col ? " " : "  ", word);
}

static void wrap_end(struct wrap *w)
{
	if (w->col)
		fputc('\n', w->out);
	w->col = 0;
}

/* "NAME COND..." for an ANDed rule, or NAME once per condition (ORed). */
static void cond_rules(FILE *out, const char *name, const struct scmp_arg_cmp *c, unsigned n, bool or_mode)
{
	char t[64];
	for (unsigned k = 0; k < (or_mode ? n : 1); k++) {
		fprintf(out, "  %s", name);
		for (unsigned i = or_mode ? k : 0; i < (or_mode ? k + 1 : n); i++) {
			cage_seccomp_cond_format(&c[i], t, sizeof(t));
			fprintf(out, " %s", t);
		}
		fputc('\n', out);
	}
}

/* Every rule with action V: the names without conditions first. */
static void action_group(FILE *out, const cage_json *list, uint32_t v)
{
	struct scmp_arg_cmp c[CAGE_SECCOMP_MAX_ARGS];
	struct wrap w = {out, 0};
	bool or_mode;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < cage_json_array_len(list); i++) {
			const cage_json *e = cage_json_array_at(list, i);
			const cage_json *names = cage_json_get(e, "names", CAGE_JSON_ARRAY);
			unsigned n = entry_conds(e, c, &or_mode);
			if (entry_action(e) != v || (pass == 0) != (n == 0))
				continue;
			for (size_t j = 0; j < cage_json_array_len(names); j++) {
				const char *name = cage_json_string(cage_json_array_at(names, j));
				if (!name || seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
					continue;
				if (pass == 0)
					wrap_word(&w, name);
				else
					cond_rules(out, name, c, n, or_mode);
			}
		}
		wrap_end(&w);
	}
}

/* The actions of the rules, each once, in the order they first appear. */
static size_t actions_of(const cage_json *list, uint32_t def, uint32_t *v, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < cage_json_array_len(list); i++) {
		uint32_t a = entry_action(cage_json_array_at(list, i));
		size_t k = 0;
		while (k < n && v[k] != a)
			k++;
		if (k == n && a != def && n < max)
			v[n++] = a;
	}
	return n;
}

static void strings(FILE *out, const char *label, const cage_json *list, const char *note)
{
	if (!cage_json_array_len(list))
		return;
	fprintf(out, "%s:", label);
	for (size_t i = 0; i < cage_json_array_len(list); i++)
		fprintf(out, " %s", cage_json_string(cage_json_array_at(list, i)));
	fprintf(out, "%s\n", note);
}

/* Names this libseccomp does not know: the filter skips them. */
static void unknown(FILE *out, const cage_json *list)
{
	struct wrap w = {out, 0};
	bool said = false;
	for (size_t i = 0; i < cage_json_array_len(list); i++) {
		const cage_json *names = cage_json_get(cage_json_array_at(list, i), "names", CAGE_JSON_ARRAY);
		for (size_t j = 0; j < cage_json_array_len(names); j++) {
			const char *name = cage_json_string(cage_json_array_at(names, j));
			if (!name || seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR)
				continue;
			if (!said)
				fprintf(out, "unknown to this libseccomp, skipped:\n");
			said = true;
			wrap_word(&w, name);
		}
	}
	wrap_end(&w);
}

int cage_seccomp_describe(const cage_json *profile, char **text, cage_err_t *err)
{
	*text = NULL;
	if (cage_seccomp_validate(profile, err) < 0)
		return -1;
	char label[64];
	size_t len = 0;
	FILE *out = open_memstream(text, &len);
	if (!out)
		return cage_err_sys(err, errno, "seccomp profile");
	uint32_t def = cage_seccomp_action_value(cage_json_string(cage_json_get(profile, "defaultAction",
										    CAGE_JSON_STRING)),
						 cage_json_get(profile, "defaultErrnoRet", CAGE_JSON_NUMBER));
	action_label(def, label, sizeof(label));
	fprintf(out, "default action: %s\n", label);
	strings(out, "architectures", cage_json_get(profile, "architectures", CAGE_JSON_ARRAY), "");
	const cage_json *flags = cage_json_get(profile, "flags", CAGE_JSON_ARRAY), *list;
	bool logs = false;
	for (size_t i = 0; i < cage_json_array_len(flags); i++)
		logs |= !strcmp(cage_json_string(cage_json_array_at(flags, i)), "SECCOMP_FILTER_FLAG_LOG");
	strings(out, "flags", flags, logs ? " (log-denials: the kernel logs the calls refused)" : "");
	list = cage_json_get(profile, "syscalls", CAGE_JSON_ARRAY);
	uint32_t acts[64];
	size_t nacts = actions_of(list, def, acts, 64);
	for (size_t a = 0; a < nacts; a++) {
		action_label(acts[a], label, sizeof(label));
		fprintf(out, "%s:\n", label);
		action_group(out, list, acts[a]);
	}
	unknown(out, list);
	if (fclose(out) != 0) {
		free(*text);
		*text = NULL;
		return cage_err_sys(err, ENOMEM, "seccomp profile");
	}
	return 0;
}
