/* libFuzzer harness for per-user seccomp overrides (seccomp/override.c,
 * merge.c; docs/ARCHITECTURE.md §4.24).  Properties: any input parses or
 * fails with "fuzz.override:LINE: ..." and keeps nothing; what parses is
 * written back in the override syntax and parses to the same rules; it
 * merges into the default profile, or fails naming the file, and what is
 * merged validates again and can be described. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/log.h"
#include "cagefs/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define NAME "fuzz.override"

static cage_json *def;

/* libseccomp 2.5.4 leaks inside itself on some rule sets (see
 * fuzz_seccomp.c); nothing of ours passes through it. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libseccomp.so\n";
}

static void quiet(int prio, const char *msg, void *data)
{
	(void)prio, (void)data;
	CHECK(msg && *msg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	cage_log_set_callback(quiet, NULL);
	cage_log_set_level(LOG_DEBUG);
	cage_err_t err = {0};
	CHECK(cage_seccomp_default(&def, &err) == 0);
	return 0;
}

/* "fuzz.override:LINE: what". */
static void check_line_err(const cage_err_t *err)
{
	const char *p = err->msg;
	CHECK(!strncmp(p, NAME ":", sizeof(NAME)));
	p += sizeof(NAME);
	CHECK(*p >= '1' && *p <= '9');
	while (*p >= '0' && *p <= '9')
		p++;
	CHECK(p[0] == ':' && p[1] == ' ' && p[2]);
}

static void same_rules(const struct cage_seccomp_override *a, const struct cage_seccomp_override *b)
{
	CHECK(a->n == b->n && !a->log_denials == !b->log_denials);
	for (size_t i = 0; i < a->n; i++) {
		const struct cage_seccomp_rule *x = &a->rules[i], *y = &b->rules[i];
		CHECK(x->verb == y->verb && x->errnum == y->errnum && !strcmp(x->name, y->name));
		CHECK(x->nconds == y->nconds && x->nconds <= 6);
		for (unsigned k = 0; k < x->nconds; k++) {
			CHECK(x->conds[k].arg == y->conds[k].arg && x->conds[k].op == y->conds[k].op);
			CHECK(x->conds[k].datum_a == y->conds[k].datum_a && x->conds[k].datum_b == y->conds[k].datum_b);
			CHECK(k == 0 || x->conds[k - 1].arg < x->conds[k].arg); /* by index, each once */
		}
	}
}

static void round_trip(const struct cage_seccomp_override *o)
{
	char *text = cage_seccomp_override_format(o);
	struct cage_seccomp_override again;
	cage_err_t err = {0};
	CHECK(text);
	CHECK(cage_seccomp_override_parse(text, strlen(text), "again", &again, &err) == 0);
	same_rules(o, &again);
	cage_seccomp_override_free(&again);
	free(text);
}

static void merge(const struct cage_seccomp_override *o)
{
	cage_json *out = NULL;
	cage_strvec_t warnings = {0};
	cage_err_t err = {0};
	if (cage_seccomp_merge(def, o, &out, &warnings, &err) < 0) {
		CHECK(!out && !strncmp(err.msg, NAME, sizeof(NAME) - 1));
	} else {
		char *d = NULL;
		CHECK(out && cage_seccomp_validate(out, &err) == 0);
		CHECK(cage_seccomp_describe(out, &d, &err) == 0 && d);
		free(d);
		for (size_t i = 0; i < warnings.n; i++)
			CHECK(!strncmp(warnings.v[i], NAME ":", sizeof(NAME)) && strstr(warnings.v[i], "changes nothing"));
	}
	cage_json_free(out);
	cage_strvec_free(&warnings);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_seccomp_override o;
	cage_err_t err = {0};
	if (cage_seccomp_override_parse((const char *)data, size, NAME, &o, &err) < 0) {
		check_line_err(&err);
		CHECK(o.n == 0 && !o.rules && !o.log_denials);
	} else {
		round_trip(&o);
		merge(&o);
	}
	cage_seccomp_override_free(&o);
	return 0;
}
