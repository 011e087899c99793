/* Unit tests for seccomp/ (profile parsing, validation, compilation) and,
 * for real, the default profile loaded into forked children: what it must
 * refuse is refused, and what a hosting user's shell needs still works.
 * No root needed (no_new_privs + seccomp); every refused call is made with
 * arguments that would be harmless if the filter let it through. */
#define _GNU_SOURCE
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/quota.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/log.h"
#include "cagefs/seccomp.h"

#define NOWHERE "/nonexistent-cagefs-seccomp-test"

/* ---- helpers ------------------------------------------------------------ */

static cage_json *load(const char *json, cage_err_t *err)
{
	cage_json *v = NULL;
	if (cage_seccomp_load_json(json, strlen(json), "t.json", &v, err) < 0)
		return NULL;
	return v;
}

/* Load + compile; NULL (and a failed assertion) if either fails. */
static scmp_filter_ctx build(const char *json, const char *what)
{
	cage_err_t err = { 0 };
	scmp_filter_ctx ctx = NULL;
	cage_json *v = load(json, &err);
	if (v && cage_seccomp_compile(v, &ctx, &err) == 0) {
		cage_json_free(v);
		return ctx;
	}
	ok(0, "%s builds", what);
	printf("#   %s\n", err.msg);
	if (v)
		cage_json_free(v);
	return NULL;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? 2 * cap : 16384;
			char *nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

/* seccomp/default.json from the source tree: tests run from the top
 * directory (make check), or find it next to build/tests/. */
static char *read_default_json(size_t *len)
{
	char *text = read_file("seccomp/default.json", len);
	if (text)
		return text;
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/../../seccomp/default.json", exe);
	return read_file(path, len);
}

static char logbuf[8192];

static void capture_log(int prio, const char *msg, void *data)
{
	(void)prio, (void)data;
	size_t used = strlen(logbuf);
	snprintf(logbuf + used, sizeof(logbuf) - used, "%s\n", msg);
}

static void log_capture_start(void)
{
	logbuf[0] = '\0';
	cage_log_set_callback(capture_log, NULL);
	cage_log_set_level(LOG_DEBUG);
}

static void log_capture_stop(void)
{
	cage_log_set_stderr("test_seccomp");
	cage_log_set_level(LOG_NOTICE);
}

/* ---- the embedded profile ----------------------------------------------- */

static void test_embedded(void)
{
	size_t flen = 0, elen = 0;
	char *file = read_default_json(&flen);
	const char *emb = cage_seccomp_default_text(&elen);
	ok(file != NULL, "seccomp/default.json is readable");
	ok(file && flen == elen && memcmp(file, emb, elen) == 0,
	   "embedded default profile equals seccomp/default.json byte for byte (else run seccomp/embed.sh)");
	free(file);

	cage_err_t err = { 0 };
	cage_json *def = NULL;
	is_int(cage_seccomp_default(&def, &err), 0, "default profile parses and validates");
	if (!def)
		printf("#   %s\n", err.msg);
	scmp_filter_ctx ctx = NULL;
	is_int(def ? cage_seccomp_compile(def, &ctx, &err) : -1, 0, "default profile compiles");

	/* A typo in default.json would be skipped silently at compile time;
	 * only names newer than this libseccomp may be unknown. */
	static const char *const newer[] = { "open_tree_attr", NULL };
	int bad = 0;
	const cage_json *sc = cage_json_get(def, "syscalls", CAGE_JSON_ARRAY);
	for (size_t i = 0; i < cage_json_array_len(sc); i++) {
		const cage_json *names = cage_json_get(cage_json_array_at(sc, i), "names", CAGE_JSON_ARRAY);
		for (size_t j = 0; j < cage_json_array_len(names); j++) {
			const char *n = cage_json_string(cage_json_array_at(names, j));
			int known = seccomp_syscall_resolve_name(n) != __NR_SCMP_ERROR;
			for (int k = 0; newer[k]; k++)
				known |= strcmp(n, newer[k]) == 0;
			if (!known) {
				printf("#   unknown syscall name in default.json: %s\n", n);
				bad++;
			}
		}
	}
	ok(sc && bad == 0, "every syscall name in default.json is known to libseccomp");

	FILE *f = tmpfile();
	struct stat st = { 0 };
	if (ctx && f && seccomp_export_bpf(ctx, fileno(f)) == 0)
		fstat(fileno(f), &st);
	long insns = (long)st.st_size / 8;
	printf("# default filter: %ld BPF instructions\n", insns);
	ok(insns > 0 && insns < 4096, "default filter fits the kernel's 4096-instruction limit");
	if (f)
		fclose(f);
	if (ctx)
		seccomp_release(ctx);
	if (def)
		cage_json_free(def);
}

/* ---- generator round trip ----------------------------------------------- */

static char *gen_text(const cage_json *v, int *rc)
{
	cage_jgen *g = cage_jgen_new(0);
	char *out = NULL;
	cage_jgen_value(g, v);
	*rc = cage_jgen_finish(g, &out, NULL, NULL);
	cage_jgen_free(g);
	return out;
}

static void test_gen(void)
{
	cage_err_t err = { 0 };
	cage_json *def = NULL, *again = NULL;
	int rc1 = -1, rc2 = -1;
	cage_seccomp_default(&def, &err);
	char *t1 = def ? gen_text(def, &rc1) : NULL;
	is_int(rc1, 0, "cage_jgen_value writes the default profile");
	if (t1)
		cage_seccomp_load_json(t1, strlen(t1), "gen.json", &again, &err);
	ok(again != NULL, "generated JSON loads again");
	char *t2 = again ? gen_text(again, &rc2) : NULL;
	ok(t1 && t2 && strcmp(t1, t2) == 0, "and generates the same text");
	free(t1);
	free(t2);
	if (again)
		cage_json_free(again);
	if (def)
		cage_json_free(def);

	/* uint64 values beyond long long survive the round trip. */
	const char *big = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpgid\"],"
			  "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":18446744073709551615,"
			  "\"op\":\"SCMP_CMP_EQ\"}]}]}";
	cage_json *v = load(big, &err);
	char *t3 = v ? gen_text(v, &rc1) : NULL;
	is_str(t3, big, "18446744073709551615 is written back unchanged");
	free(t3);
	if (v)
		cage_json_free(v);
	char *t4 = gen_text(NULL, &rc1);
	ok(rc1 < 0 && !t4, "gen of no tree fails");
}

/* ---- malformed profiles -------------------------------------------------- */

#define DA "\"defaultAction\":\"SCMP_ACT_ALLOW\""
#define E(body) "{" DA ",\"syscalls\":[" body "]}"
#define R "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\"}"

static const struct bad_case {
	const char *json, *want;
} bad_cases[] = {
	{ "[]", "t.json:1: top level: expected an object" },
	{ "{}", "t.json:1: defaultAction: missing" },
	{ "{\"defaultAction\":1}", "t.json:1: defaultAction: expected a string" },
	{ "{\"defaultAction\":\"SCMP_ACT_FOO\"}", "t.json:1: defaultAction: unknown action 'SCMP_ACT_FOO'" },
	{ "{" DA ",\"defaultErrnoRet\":1}",
	  "t.json:1: defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one" },
	{ "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}",
	  "t.json:1: defaultErrnoRet: expected a non-negative integer" },
	{ "{" DA "," DA "}", "t.json:1: defaultAction: duplicate key" },
	{ "{" DA ",\"syscalls\":{}}", "t.json:1: syscalls: expected an array of objects" },
	{ E("1"), "t.json:1: syscalls[0]: expected an object" },
	{ E(R "," R "," R ",{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_FOO\"}"),
	  "t.json:1: syscalls[3].action: unknown action 'SCMP_ACT_FOO'" },
	{ E("{\"names\":[\"mount\"]}"), "t.json:1: syscalls[0].action: missing" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_NOTIFY\"}"),
	  "t.json:1: syscalls[0].action: SCMP_ACT_NOTIFY needs a seccomp agent; cagefs runs none" },
	{ E("{\"action\":\"SCMP_ACT_ERRNO\"}"), "t.json:1: syscalls[0].names: missing" },
	{ E("{\"names\":\"mount\",\"action\":\"SCMP_ACT_ERRNO\"}"),
	  "t.json:1: syscalls[0].names: expected an array of strings" },
	{ E("{\"names\":[\"mount\",7],\"action\":\"SCMP_ACT_ERRNO\"}"),
	  "t.json:1: syscalls[0].names[1]: expected a string" },
	{ E("{\"names\":[],\"action\":\"SCMP_ACT_ERRNO\"}"),
	  "t.json:1: syscalls[0].names: empty array: at least one syscall name is required" },
	{ E("{\"names\":[\"\"],\"action\":\"SCMP_ACT_ERRNO\"}"), "t.json:1: syscalls[0].names[0]: empty string" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":1}"),
	  "t.json:1: syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":4095}"),
	  "t.json:1: syscalls[0].errnoRet: 4095 is out of range (0..4094)" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":65536}"),
	  "t.json:1: syscalls[0].errnoRet: 65536 is out of range (0..65535)" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":{}}"),
	  "t.json:1: syscalls[0].args: expected an array of objects" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[[]]}"),
	  "t.json:1: syscalls[0].args[0]: expected an object" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,"
	    "\"op\":\"SCMP_CMP_EQ\"},{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"),
	  "t.json:1: syscalls[0].args[1].index: 6 is out of range (0..5)" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"),
	  "t.json:1: syscalls[0].args[0].index: missing" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":\"0\",\"value\":1,"
	    "\"op\":\"SCMP_CMP_EQ\"}]}"),
	  "t.json:1: syscalls[0].args[0].index: expected a non-negative integer" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1.5,"
	    "\"op\":\"SCMP_CMP_EQ\"}]}"),
	  "t.json:1: syscalls[0].args[0].value: expected a non-negative integer" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":-1,"
	    "\"op\":\"SCMP_CMP_EQ\"}]}"),
	  "t.json:1: syscalls[0].args[0].value: expected a non-negative integer" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,"
	    "\"valueTwo\":18446744073709551616,\"op\":\"SCMP_CMP_EQ\"}]}"),
	  "t.json:1: syscalls[0].args[0].valueTwo: 18446744073709551616 is out of range (0..18446744073709551615)" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1}]}"),
	  "t.json:1: syscalls[0].args[0].op: missing" },
	{ E("{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,"
	    "\"op\":\"SCMP_CMP_FOO\"}]}"),
	  "t.json:1: syscalls[0].args[0].op: unknown operator 'SCMP_CMP_FOO'" },
	{ "{" DA ",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_Z80\"]}",
	  "t.json:1: architectures[1]: unknown architecture 'SCMP_ARCH_Z80'" },
	{ "{" DA ",\"architectures\":\"SCMP_ARCH_X86_64\"}", "t.json:1: architectures: expected an array of strings" },
	{ "{" DA ",\"flags\":[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
	  "t.json:1: flags[0]: unsupported flag 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'" },
	{ "{" DA ",\"listenerPath\":5}", "t.json:1: listenerPath: expected a string" },
	{ "{\n  " DA ",\n  x\n}", "t.json:3:3: lexical error: invalid char in json text." },
	{ "", "t.json:1:1: parse error: premature EOF" },
	{ "{\n\"a\":", "t.json:2:4: parse error: premature EOF" },
	{ "{" DA "} {}", "t.json:1:36: parse error: trailing garbage" },
	{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\\u0000x\"}", "t.json:1:40: string contains a NUL character" },
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		cage_err_t err = { 0 };
		cage_json *v = load(bad_cases[i].json, &err);
		is_str(v ? "(accepted)" : err.msg, bad_cases[i].want, "rejected: %s", bad_cases[i].want);
		if (v)
			cage_json_free(v);
	}

	cage_err_t err = { 0 };
	cage_json *v = NULL;
	char deep[200] = "{\"x\":";
	for (int i = 0; i < 70; i++)
		strcat(deep, "[");
	is_int(cage_seccomp_load_json(deep, strlen(deep), "t.json", &v, &err), -1, "deep nesting is refused");
	is_str(err.msg, "t.json:1:69: nested more than 64 levels deep", "  with its position");

	is_int(cage_seccomp_load_json("{}\0{}", 5, "t.json", &v, &err), -1, "a NUL byte is refused");
	is_str(err.msg, "t.json:1:3: NUL byte in the file", "  with its position");

	/* More than 64 conditions; then more rules than CAGE_SECCOMP_MAX_RULES. */
	size_t cap = 200000, used;
	char *big = malloc(cap);
	used = (size_t)snprintf(big, cap, "{" DA ",\"syscalls\":[{\"names\":[\"mount\"],"
				"\"action\":\"SCMP_ACT_ERRNO\",\"args\":[");
	for (int i = 0; i < 65; i++)
		used += (size_t)snprintf(big + used, cap - used, "%s{\"index\":0,\"value\":%d,\"op\":\"SCMP_CMP_EQ\"}",
					 i ? "," : "", i);
	snprintf(big + used, cap - used, "]}]}");
	v = load(big, &err);
	is_str(v ? "(accepted)" : err.msg, "t.json:1: syscalls[0].args: more than 64 conditions",
	       "65 conditions in one entry are refused");
	used = (size_t)snprintf(big, cap, "{" DA ",\"syscalls\":[{\"action\":\"SCMP_ACT_ERRNO\",\"names\":[");
	for (int i = 0; i < 4097; i++)
		used += (size_t)snprintf(big + used, cap - used, "%s\"mount\"", i ? "," : "");
	snprintf(big + used, cap - used, "]}]}");
	v = load(big, &err);
	is_str(v ? "(accepted)" : err.msg, "t.json:1: syscalls[0]: profile needs more than 4096 rules",
	       "4097 rules are refused");
	free(big);

	is_int(cage_seccomp_validate(NULL, &err), -1, "validate(NULL) fails");
	is_int(cage_seccomp_load_json(NULL, 0, NULL, &v, &err), -1, "load_json(NULL) fails");
	is_str(err.msg, "seccomp profile:1:1: parse error: premature EOF", "  naming a default profile name");
}

static void test_load_file(void)
{
	char dir[] = "/tmp/test_seccomp.XXXXXX", path[64];
	cage_err_t err = { 0 };
	cage_json *v = NULL;
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/p.json", dir);
	FILE *f = fopen(path, "w");
	fputs("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [{\"names\": [\"mount\"]}]\n}\n", f);
	fclose(f);
	is_int(cage_seccomp_load_file(path, &v, &err), -1, "load_file refuses a bad profile");
	char want[160];
	snprintf(want, sizeof(want), "%s:3: syscalls[0].action: missing", path);
	is_str(err.msg, want, "  naming the file, the line and the JSON path");
	f = fopen(path, "w");
	fputs("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}\n", f);
	fclose(f);
	is_int(cage_seccomp_load_file(path, &v, &err), 0, "load_file reads a good profile");
	if (v)
		cage_json_free(v);
	is_int(cage_seccomp_load_file(dir, &v, &err), -1, "load_file refuses a directory");
	unlink(path);
	rmdir(dir);
	is_int(cage_seccomp_load_file(path, &v, &err), -1, "load_file of a missing file fails");
	is_int(err.errnum, ENOENT, "  with ENOENT");
}

/* ---- compile-time semantics without loading ----------------------------- */

static void test_compile_rules(void)
{
	cage_err_t err = { 0 };
	log_capture_start();
	scmp_filter_ctx ctx = build(E("{\"names\":[\"cagefs_no_such_syscall\",\"mount\"],\"action\":\"SCMP_ACT_ERRNO\"},"
				      "{\"names\":[\"getuid\"],\"action\":\"SCMP_ACT_ALLOW\"}"),
				    "profile with an unknown syscall");
	log_capture_stop();
	ok(ctx != NULL, "unknown syscall name is skipped, not an error");
	ok(strstr(logbuf, "syscalls[0].names[0]: syscall 'cagefs_no_such_syscall' unknown to libseccomp, skipped") != NULL,
	   "  and logged at debug level");
	ok(strstr(logbuf, "syscalls[1]: action equals defaultAction, entry skipped") != NULL,
	   "an entry with the default action is skipped (libseccomp would refuse it)");
	if (ctx)
		seccomp_release(ctx);

	/* Unknown keys are ignored (runtime-spec); null optional members too. */
	ctx = build("{" DA ",\"comment\":\"x\",\"syscalls\":null,\"architectures\":null,\"flags\":null}",
		    "unknown keys and nulls");
	ok(ctx != NULL, "unknown keys and null optional members are accepted");
	if (ctx)
		seccomp_release(ctx);
	ctx = build("{" DA ",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\","
		    "\"SECCOMP_FILTER_FLAG_TSYNC\"],\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_AARCH64\","
		    "\"SCMP_ARCH_PPC64LE\",\"SCMP_ARCH_MIPSEL64\",\"SCMP_ARCH_RISCV64\"]}",
		    "flags and architectures");
	ok(ctx != NULL, "filter flags and foreign (same-endian) architectures compile");
	if (ctx)
		seccomp_release(ctx);

	/* Two multi-condition rules for one syscall with an inequality among
	 * them are refused: libseccomp 2.5.4 can loop forever on those (guard.c). */
#define NE0 "{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_NE\"}"
#define GT1 "{\"index\":1,\"value\":5,\"op\":\"SCMP_CMP_GT\"}"
#define LT3 "{\"index\":3,\"value\":7,\"op\":\"SCMP_CMP_LT\"}"
#define EQ0 "{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}"
#define EQ3 "{\"index\":3,\"value\":7,\"op\":\"SCMP_CMP_EQ\"}"
#define ME1 "{\"index\":1,\"value\":15,\"valueTwo\":5,\"op\":\"SCMP_CMP_MASKED_EQ\"}"
#define GP(errno_, ...) "{\"names\":[\"getpriority\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":" \
	errno_ ",\"args\":[" __VA_ARGS__ "]}"
	const char *want = "t.json:1: syscalls[0] and syscalls[1] ('getpriority'): two rules with several "
			   "conditions for one syscall, one of them not an equality: libseccomp can loop "
			   "forever building that; use one multi-condition rule per syscall, or only "
			   "SCMP_CMP_EQ/SCMP_CMP_MASKED_EQ in them";
	cage_json *lp = load(E(GP("1", NE0 "," GT1) "," GP("2", LT3 "," NE0)), &err);
	is_str(lp ? "(accepted)" : err.msg, want, "a rule pair libseccomp loops on is refused");
	if (lp)
		cage_json_free(lp);
	lp = load(E(GP("1", EQ3 "," EQ0) "," GP("2", NE0 "," ME1)), &err);
	is_str(lp ? "(accepted)" : err.msg, want, "  whichever rule has the inequality");
	if (lp)
		cage_json_free(lp);
	ctx = build(E(GP("1", EQ0 "," ME1) "," GP("2", EQ3 "," EQ0) "," GP("4", NE0) "," GP("5", GT1)),
		    "equality-only pairs and single conditions");
	ok(ctx != NULL, "equality-only multi-condition rules next to single conditions are built");
	if (ctx)
		seccomp_release(ctx);
	ctx = build(E(GP("3", NE0 "," GT1 "," LT3) "," GP("3", NE0) "," GP("5", EQ3)),
		    "one multi-condition rule with inequalities");
	ok(ctx != NULL, "one multi-condition rule with inequalities next to single conditions is built");
	if (ctx)
		seccomp_release(ctx);

	unsigned int fl = 99;
	cage_json *fv = load("{" DA ",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}", &err);
	is_int(fv ? cage_seccomp_flags(fv, &fl, &err) : -1, 0, "cage_seccomp_flags reads the flags");
	is_int(fl, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW, "  as seccomp(2) bits");
	if (fv)
		cage_json_free(fv);
	fv = load("{" DA "}", &err);
	ok(fv && cage_seccomp_flags(fv, &fl, &err) == 0 && fl == 0, "  none when there are none");
	if (fv)
		cage_json_free(fv);

	/* compile() on a tree nobody validated reports the JSON path only. */
	const char *bogus = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],"
			    "\"action\":\"bogus\"}]}";
	cage_json *t = NULL;
	cage_json_parse(bogus, strlen(bogus), "t", SIZE_MAX, &t, NULL);
	ctx = NULL;
	is_int(t ? cage_seccomp_compile(t, &ctx, &err) : 0, -1, "compile() validates too");
	is_str(err.msg, "syscalls[0].action: unknown action 'bogus'", "  error has the JSON path");
	ok(ctx == NULL, "  and no filter is returned");
	if (t)
		cage_json_free(t);
}

/* ---- running under a filter --------------------------------------------- */

static int report_fd = -1, pty_fd = -1;
static unsigned long bad_persona;

static void report(int pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int pass, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dprintf(report_fd, "%d %s\n", pass, line);
}

/* Raw clone/clone3 that cannot run away if the filter lets them through. */
static long raw_clone(unsigned long flags)
{
	long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

static long t_clone_ns(unsigned long flag) { return raw_clone(flag); }

static long t_clone3(void)
{
	struct clone_args a = { .exit_signal = SIGCHLD };
	long r = syscall(SYS_clone3, &a, sizeof(a));
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

static long t_fork(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(7);
	int st = 0;
	if (p < 0 || waitpid(p, &st, 0) != p)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : -1;
}

static void *thread_fn(void *arg) { return arg; }

static long t_thread(void)
{
	pthread_t th;
	void *res = NULL;
	int rc = pthread_create(&th, NULL, thread_fn, (void *)0x42);
	if (rc) {
		errno = rc;
		return -1;
	}
	pthread_join(th, &res);
	return res == (void *)0x42 ? 0 : -1;
}

static long t_sti(void) { char c = ' '; return ioctl(pty_fd, TIOCSTI, &c); }
static long t_sti_high(void) { char c = ' '; return syscall(SYS_ioctl, pty_fd, (1UL << 32) | TIOCSTI, &c); }
static long t_linux(void) { char c = 0; return ioctl(pty_fd, TIOCLINUX, &c); }
static long t_setd(void) { int ld = 0; return ioctl(pty_fd, TIOCSETD, &ld); }
static long t_winsz(void) { struct winsize ws; return ioctl(pty_fd, TIOCGWINSZ, &ws); }

/* The personality rule set refuses everything but PER_LINUX, PER_LINUX32,
 * UNAME26, ADDR_NO_RANDOMIZE (and their combinations) and the 0xffffffff
 * query, judging the low 32 bits as the kernel does.  Sweep values with one
 * or two bits set or cleared, with and without high bits. */
static int persona_allowed(unsigned long x)
{
	uint32_t lo = (uint32_t)x;
	return lo == 0xffffffffu || (lo & ~0x60008u) == 0;
}

static int persona_try(unsigned long x)
{
	errno = 0;
	long r = syscall(SYS_personality, x);
	int allowed = r != -1;
	if (allowed && (uint32_t)x != 0xffffffffu)
		syscall(SYS_personality, 0UL);
	if (!allowed && errno != EPERM)
		return 0;
	return allowed == persona_allowed(x);
}

static long t_persona_sweep(void)
{
	static const unsigned long high[] = { 0, 1UL << 32, 0xffffffff00000000UL };
	for (int h = 0; h < 3; h++)
		for (int i = 0; i < 32; i++)
			for (int j = i; j < 32; j++) {
				unsigned long bits = (1UL << i) | (1UL << j);
				unsigned long v[] = { bits, 0xffffffffUL & ~bits, 0x60008UL & ~bits };
				for (int k = 0; k < 3; k++)
					if (!persona_try(v[k] | high[h])) {
						bad_persona = v[k] | high[h];
						errno = EBADE;
						return -1;
					}
			}
	return 0;
}

/* `sh -c` under the filter: fork, execve, a pipeline and a subshell. */
static long t_shell(void)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		char *argv[] = { (char *)"sh", (char *)"-c", (char *)"echo ok; (echo sub) | cat", NULL };
		char *envp[] = { (char *)"PATH=/usr/bin:/bin", NULL };
		execve("/bin/sh", argv, envp);
		_exit(127);
	}
	close(p[1]);
	char out[64] = "";
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(out) - 1 && (r = read(p[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)r;
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, "ok\nsub\n") == 0 ? 0 : -1;
}

static long t_quota(void)
{
	char buf[256];
	/* QCMD() overflows int for Q_GETQUOTA (0x800007 << 8). */
	int cmd = (int)(((unsigned)Q_GETQUOTA << SUBCMDSHIFT) | (USRQUOTA & SUBCMDMASK));
	return quotactl(cmd, NOWHERE, (int)getuid(), buf);
}

static long t_adjtimex(void) { struct timex tx = { 0 }; return adjtimex(&tx); }

#define SYS(...) syscall(__VA_ARGS__)
static long t_getpid(void) { return getpid(); }
static long t_mount(void) { return mount("none", NOWHERE, "tmpfs", 0, NULL); }
static long t_umount(void) { return umount2(NOWHERE, 0); }
static long t_chroot(void) { return chroot(NOWHERE); }
static long t_pivot(void) { return SYS(SYS_pivot_root, NOWHERE, NOWHERE); }
static long t_fsopen(void) { return SYS(SYS_fsopen, "cagefs-no-such-fs", 0); }
static long t_open_tree(void) { return SYS(SYS_open_tree, AT_FDCWD, NOWHERE, 0); }
static long t_unshare_user(void) { return unshare(CLONE_NEWUSER); }
static long t_unshare_0(void) { return unshare(0); }
static long t_setns(void) { return setns(-1, 0); }
static long t_keyctl(void) { return SYS(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0); }
static long t_add_key(void) { return SYS(SYS_add_key, "user", "cagefs-test", "x", 1, -2); }
static long t_bpf(void) { return SYS(SYS_bpf, 0, NULL, 0); }
static long t_perf(void) { return SYS(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long t_uffd(void) { return SYS(SYS_userfaultfd, 0); }
static long t_uring(void) { return SYS(SYS_io_uring_setup, 0, NULL); }
static long t_ptrace(void) { return SYS(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0); }
static long t_vm_readv(void) { return SYS(SYS_process_vm_readv, getppid(), NULL, 0, NULL, 0, 0); }
static long t_kcmp(void) { return SYS(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, 0, 0); }
static long t_persona_query(void) { return personality(0xffffffff); }
static long t_persona_rie(void) { return SYS(SYS_personality, (unsigned long)READ_IMPLIES_EXEC); }
static long t_persona_smuggle(void) { return SYS(SYS_personality, (1UL << 32) | READ_IMPLIES_EXEC); }
static long t_open_handle(void) { return SYS(SYS_open_by_handle_at, -1, NULL, 0); }
static long t_name_handle(void) { return SYS(SYS_name_to_handle_at, AT_FDCWD, "/", NULL, NULL, 0); }
static long t_init_module(void) { return SYS(SYS_init_module, NULL, 0, ""); }
static long t_finit_module(void) { return SYS(SYS_finit_module, -1, "", 0); }
static long t_delete_module(void) { return SYS(SYS_delete_module, "cagefs_no_such_module", O_NONBLOCK); }
static long t_kexec(void) { return SYS(SYS_kexec_load, 0UL, 1000UL, NULL, 0xdead0000UL); }
static long t_reboot(void) { return SYS(SYS_reboot, 0, 0, 0, NULL); }
static long t_sethostname(void) { return SYS(SYS_sethostname, NULL, 100000); }
static long t_settime(void) { return SYS(SYS_clock_settime, CLOCK_REALTIME, NULL); }
static long t_swapon(void) { return swapon(NOWHERE, 0); }
static long t_acct(void) { return acct(NOWHERE "/x"); }
static long t_syslog(void) { return SYS(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0); }
static long t_fanotify(void) { return SYS(SYS_fanotify_init, 0, O_RDONLY); }
#ifdef SYS_iopl
static long t_iopl(void) { return SYS(SYS_iopl, 0); }
#endif

static const struct check {
	const char *what;
	long (*fn)(void);
	int want; /* errno the call must fail with; 0: must succeed */
} checks[] = {
	{ "getpid works", t_getpid, 0 },
	{ "mount(2) fails with EPERM", t_mount, EPERM },
	{ "umount2 fails with EPERM", t_umount, EPERM },
	{ "chroot fails with EPERM", t_chroot, EPERM },
	{ "pivot_root fails with EPERM", t_pivot, EPERM },
	{ "fsopen fails with EPERM", t_fsopen, EPERM },
	{ "open_tree fails with EPERM", t_open_tree, EPERM },
	{ "unshare(CLONE_NEWUSER) fails with EPERM", t_unshare_user, EPERM },
	{ "unshare(0) fails with EPERM (denied entirely)", t_unshare_0, EPERM },
	{ "setns fails with EPERM", t_setns, EPERM },
	{ "plain fork() works", t_fork, 0 },
	{ "pthread_create works (glibc falls back from clone3 to clone)", t_thread, 0 },
	{ "clone3 fails with ENOSYS", t_clone3, ENOSYS },
	{ "ioctl(TIOCSTI) on a pty fails with EPERM", t_sti, EPERM },
	{ "ioctl(TIOCSTI) with high bits set fails with EPERM (CVE-2019-7303)", t_sti_high, EPERM },
	{ "ioctl(TIOCLINUX) fails with EPERM", t_linux, EPERM },
	{ "ioctl(TIOCSETD) fails with EPERM", t_setd, EPERM },
	{ "ioctl(TIOCGWINSZ) on the pty works", t_winsz, 0 },
	{ "keyctl fails with EPERM", t_keyctl, EPERM },
	{ "add_key fails with EPERM", t_add_key, EPERM },
	{ "bpf fails with EPERM", t_bpf, EPERM },
	{ "perf_event_open fails with EPERM", t_perf, EPERM },
	{ "userfaultfd fails with EPERM", t_uffd, EPERM },
	{ "io_uring_setup fails with ENOSYS", t_uring, ENOSYS },
	{ "ptrace(PTRACE_TRACEME) fails with EPERM", t_ptrace, EPERM },
	{ "process_vm_readv fails with EPERM", t_vm_readv, EPERM },
	{ "kcmp fails with EPERM", t_kcmp, EPERM },
	{ "personality(0xffffffff) works", t_persona_query, 0 },
	{ "personality(READ_IMPLIES_EXEC) fails with EPERM", t_persona_rie, EPERM },
	{ "personality(1<<32 | READ_IMPLIES_EXEC) fails with EPERM", t_persona_smuggle, EPERM },
	{ "personality sweep: only the allowed personas pass", t_persona_sweep, 0 },
	{ "open_by_handle_at fails with EPERM", t_open_handle, EPERM },
	{ "name_to_handle_at fails with EPERM", t_name_handle, EPERM },
	{ "init_module fails with EPERM", t_init_module, EPERM },
	{ "finit_module fails with EPERM", t_finit_module, EPERM },
	{ "delete_module fails with EPERM", t_delete_module, EPERM },
	{ "kexec_load fails with EPERM", t_kexec, EPERM },
	{ "reboot fails with EPERM", t_reboot, EPERM },
	{ "sethostname fails with EPERM", t_sethostname, EPERM },
	{ "clock_settime fails with EPERM", t_settime, EPERM },
	{ "swapon fails with EPERM", t_swapon, EPERM },
	{ "acct fails with EPERM", t_acct, EPERM },
	{ "syslog fails with EPERM", t_syslog, EPERM },
	{ "fanotify_init fails with EPERM", t_fanotify, EPERM },
#ifdef SYS_iopl
	{ "iopl fails with EPERM", t_iopl, EPERM },
#endif
	{ "quotactl(Q_GETQUOTA) is not refused (ENOENT for a missing path)", t_quota, ENOENT },
	{ "adjtimex read-only query works", t_adjtimex, 0 },
	{ "/bin/sh -c 'echo ok; (echo sub) | cat' works under the filter", t_shell, 0 },
};
#define N_CHECKS (sizeof(checks) / sizeof(checks[0]))

static void run_clone_checks(void)
{
	static const struct { const char *name; unsigned long flag; } ns[] = {
		{ "CLONE_NEWNS", CLONE_NEWNS },     { "CLONE_NEWCGROUP", CLONE_NEWCGROUP },
		{ "CLONE_NEWUTS", CLONE_NEWUTS },   { "CLONE_NEWIPC", CLONE_NEWIPC },
		{ "CLONE_NEWUSER", CLONE_NEWUSER }, { "CLONE_NEWPID", CLONE_NEWPID },
		{ "CLONE_NEWNET", CLONE_NEWNET },
	};
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		errno = 0;
		long r = t_clone_ns(ns[i].flag);
		report(r == -1 && errno == EPERM, "clone(%s) fails with EPERM (got %ld, %s)", ns[i].name, r,
		       strerrorname_np(errno) ? strerrorname_np(errno) : "0");
	}
}
#define N_CLONE_CHECKS 7

static int open_pty(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return -1;
	const char *name = ptsname(m);
	/* After setsid() the slave becomes our controlling terminal, so TIOCSTI
	 * would be allowed by the kernel itself: an EPERM is the filter's. */
	return name ? open(name, O_RDWR) : -1;
}

static void child_default(scmp_filter_ctx ctx)
{
	setsid();
	pty_fd = open_pty();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0) {
		report(0, "loading the filter failed: %s", strerror(errno));
		_exit(1);
	}
	report(1, "filter loaded (no_new_privs + seccomp_load)");
	for (size_t i = 0; i < N_CHECKS; i++) {
		errno = 0;
		long r = checks[i].fn();
		int e = errno;
		int pass = checks[i].want ? r == -1 && e == checks[i].want : r != -1;
		report(pass, "%s (got %ld, %s)", checks[i].what, r, e ? strerrorname_np(e) : "0");
		if (checks[i].fn == t_persona_sweep && !pass)
			report(0, "personality 0x%lx misjudged", bad_persona);
	}
	run_clone_checks();
	_exit(0);
}

/* Fork, run fn in the child with a pipe for its report lines, and turn the
 * lines into TAP.  `expect` lines must arrive and the child exit 0. */
static void in_child(void (*fn)(scmp_filter_ctx), scmp_filter_ctx ctx, int expect, const char *what)
{
	int p[2];
	if (pipe(p) < 0) {
		ok(0, "%s: pipe: %s", what, strerror(errno));
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		report_fd = p[1];
		fn(ctx);
		_exit(0);
	}
	close(p[1]);
	FILE *f = fdopen(p[0], "r");
	char line[600];
	int got = 0;
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		ok(line[0] == '1', "%s: %s", what, line + 2);
		got++;
	}
	if (f)
		fclose(f);
	int st = 0;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: child exited cleanly", what);
	is_int(got, expect, "%s: every check reported", what);
}

/* ---- a custom profile: OR/AND conditions, ops, actions ------------------- */

static const char custom_profile[] = "{" DA ",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
	"\"syscalls\":["
	"{\"names\":[\"getpgid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":33,\"args\":["
	"{\"index\":0,\"value\":11111,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":22222,\"op\":\"SCMP_CMP_EQ\"}]},"
	"{\"names\":[\"getpriority\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":34,\"args\":["
	"{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":4242,\"op\":\"SCMP_CMP_EQ\"}]},"
	"{\"names\":[\"setpgid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":35,\"args\":["
	"{\"index\":1,\"value\":1000000,\"op\":\"SCMP_CMP_GE\"}]},"
	"{\"names\":[\"umask\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":36,\"args\":["
	"{\"index\":0,\"value\":18,\"op\":\"SCMP_CMP_NE\"}]},"
	"{\"names\":[\"getsid\"],\"action\":\"SCMP_ACT_ERRNO\"},"
	"{\"names\":[\"sysinfo\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0},"
	"{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_TRACE\"},"
	"{\"names\":[\"cagefs_no_such_syscall\",\"sched_yield\"],\"action\":\"SCMP_ACT_LOG\"},"
	"{\"names\":[\"getuid\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
	"{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_TRAP\"}"
	"]}";

static void expect_errno(long r, int want, const char *what)
{
	int e = errno;
	int pass = want ? r == -1 && e == want : r != -1;
	report(pass, "%s (got %ld, %s)", what, r, e ? strerrorname_np(e) : "0");
}

static int dies_by_sigsys(long nr)
{
	pid_t p = fork();
	if (p == 0) {
		syscall(nr, NULL, 0);
		_exit(0);
	}
	int st = 0;
	waitpid(p, &st, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS;
}

static void child_custom(scmp_filter_ctx ctx)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0) {
		report(0, "loading the filter failed: %s", strerror(errno));
		_exit(1);
	}
	errno = 0;
	expect_errno(getpgid(11111), EDOM, "repeated index ORs: first value refused");
	errno = 0;
	expect_errno(getpgid(22222), EDOM, "repeated index ORs: second value refused");
	errno = 0;
	expect_errno(getpgid(0), 0, "repeated index ORs: other values pass");
	errno = 0;
	expect_errno(syscall(SYS_getpriority, 2, 4242), ERANGE, "distinct indexes AND: both match -> refused");
	errno = 0;
	long r = syscall(SYS_getpriority, 0, 4242);
	report(!(r == -1 && errno == ERANGE), "distinct indexes AND: one match -> not refused");
	errno = 0;
	expect_errno(setpgid(0, 1000001), EDEADLK, "SCMP_CMP_GE refuses values above");
	errno = 0;
	expect_errno(setpgid(0, 0), 0, "SCMP_CMP_GE passes values below");
	errno = 0;
	expect_errno(syscall(SYS_umask, 077), ENAMETOOLONG, "SCMP_CMP_NE refuses other values");
	errno = 0;
	expect_errno(syscall(SYS_umask, 022), 0, "SCMP_CMP_NE passes the value");
	errno = 0;
	expect_errno(syscall(SYS_getsid, 0), EPERM, "SCMP_ACT_ERRNO without errnoRet gives EPERM");
	struct sysinfo si;
	memset(&si, 0xab, sizeof(si));
	errno = 0;
	r = sysinfo(&si);
	report(r == 0 && si.uptime == (long)0xababababababababUL, "errnoRet 0 returns success without running the call");
	errno = 0;
	expect_errno(syscall(SYS_getppid), ENOSYS, "SCMP_ACT_TRACE with no tracer gives ENOSYS");
	errno = 0;
	expect_errno(sched_yield(), 0, "SCMP_ACT_LOG lets the call run");
	errno = 0;
	expect_errno(syscall(SYS_getuid), 0, "ALLOW entry under an ALLOW default changes nothing");
	report(dies_by_sigsys(SYS_getcwd), "SCMP_ACT_KILL_PROCESS kills with SIGSYS");
	report(dies_by_sigsys(SYS_uname), "SCMP_ACT_TRAP raises SIGSYS");
	_exit(0);
}
#define N_CUSTOM_CHECKS 16

/* A profile without rules (no binary-tree optimization, see compile.c). */
static void child_minimal(scmp_filter_ctx ctx)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0) {
		report(0, "loading the filter failed: %s", strerror(errno));
		_exit(1);
	}
	errno = 0;
	expect_errno(syscall(SYS_getpid), 0, "a filter with no rules allows everything");
	_exit(0);
}

int main(void)
{
	test_embedded();
	test_gen();
	test_bad();
	test_load_file();
	test_compile_rules();

	scmp_filter_ctx def = NULL;
	cage_err_t err = { 0 };
	cage_json *v = NULL;
	if (cage_seccomp_default(&v, &err) == 0 && cage_seccomp_compile(v, &def, &err) == 0)
		in_child(child_default, def, 1 + (int)N_CHECKS + N_CLONE_CHECKS, "default profile");
	else
		ok(0, "default profile builds: %s", err.msg);
	if (def)
		seccomp_release(def);
	if (v)
		cage_json_free(v);

	scmp_filter_ctx custom = build(custom_profile, "custom profile");
	if (custom) {
		in_child(child_custom, custom, N_CUSTOM_CHECKS, "custom profile");
		seccomp_release(custom);
	}
	scmp_filter_ctx minimal = build("{" DA "}", "minimal profile");
	if (minimal) {
		in_child(child_minimal, minimal, 1, "minimal profile");
		seccomp_release(minimal);
	}
	return done_testing();
}
