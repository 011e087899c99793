/* libFuzzer harness for seccomp profiles: parse + validate + compile (never
 * load).  Properties: a refusal names the profile and says what is wrong; a
 * profile that loads also validates, writes back to JSON that loads again
 * and writes the same text, and compiles or fails with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/log.h"
#include "cagefs/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void quiet(int prio, const char *msg, void *data)
{
	(void)prio, (void)data;
	CHECK(msg && *msg);
}

/* libseccomp 2.5.4 itself leaks a few hundred bytes when overlapping range
 * rules are added for a 32-bit arch (e.g. LE on arg 0 then NE+LE on arg 0
 * with SCMP_ARCH_X86): every frame of that allocation is inside libseccomp,
 * after seccomp_release.  Our own allocations never pass through it, so this
 * suppression hides nothing of ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libseccomp.so\n";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* Debug messages (skipped syscalls) are formatted but not printed. */
	cage_log_set_callback(quiet, NULL);
	cage_log_set_level(LOG_DEBUG);
	return 0;
}

/* "fuzz.json: PATH: what" or "fuzz.json:LINE:COL: what". */
static void check_err(const cage_err_t *err)
{
	static const char name[] = "fuzz.json";
	CHECK(strncmp(err->msg, name, sizeof(name) - 1) == 0);
	const char *p = err->msg + sizeof(name) - 1;
	CHECK(*p == ':');
	CHECK(strlen(p) > 3);
}

static char *gen_text(const cage_json *v)
{
	cage_jgen *g = cage_jgen_new(0);
	CHECK(g);
	cage_jgen_value(g, v);
	char *s = NULL;
	CHECK(cage_jgen_finish(g, &s, NULL, NULL) == 0);
	cage_jgen_free(g);
	return s;
}

static void round_trip(const cage_json *v)
{
	char *t1 = gen_text(v);
	cage_json *again = NULL;
	cage_err_t err = { 0 };
	CHECK(cage_seccomp_load_json(t1, strlen(t1), "fuzz.json", &again, &err) == 0);
	char *t2 = gen_text(again);
	CHECK(strcmp(t1, t2) == 0);
	free(t1);
	free(t2);
	cage_json_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cage_json *v = NULL;
	cage_err_t err = { 0 };
	if (cage_seccomp_load_json((const char *)data, size, "fuzz.json", &v, &err) < 0) {
		CHECK(v == NULL);
		check_err(&err);
		return 0;
	}
	CHECK(v != NULL);
	CHECK(cage_seccomp_validate(v, &err) == 0);
	round_trip(v);
	unsigned int flags = 0;
	CHECK(cage_seccomp_flags(v, &flags, &err) == 0);
	CHECK((flags & ~7u) == 0);
	scmp_filter_ctx ctx = NULL;
	if (cage_seccomp_compile(v, &ctx, &err) == 0) {
		CHECK(ctx != NULL);
		seccomp_release(ctx);
	} else {
		CHECK(ctx == NULL && err.msg[0]);
	}
	cage_json_free(v);
	return 0;
}
