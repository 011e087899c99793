/* Unit tests for merging a user's seccomp override into the server's
 * profile (seccomp/merge.c, describe.c; docs/ARCHITECTURE.md §4.24): each
 * merge rule on small profiles, written out exactly; the ORed entries of a
 * repeated index; seccomp/default.json's ioctl and personality rules; what
 * is kept of the profile; what libseccomp refuses, named by the line; the
 * profile described; and merged filters loaded for real in forked children
 * under no_new_privs (no root needed). */
#define _GNU_SOURCE
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/seccomp.h"

#define DA "\"defaultAction\":\"SCMP_ACT_ALLOW\""
#define ERRNO1 "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1"
#define EQ(i, v) "{\"index\":" #i ",\"value\":" #v ",\"op\":\"SCMP_CMP_EQ\"}"

/* ---- helpers ------------------------------------------------------------ */

static cage_err_t err;
static cage_strvec_t warnings;
static cage_json *def;

static cage_json *profile(const char *json)
{
	cage_json *v = NULL;
	if (cage_seccomp_load_json(json, strlen(json), "server", &v, &err) < 0)
		printf("#   %s\n", err.msg);
	return v;
}

static char *compact(const cage_json *v)
{
	cage_jgen *g = cage_jgen_new(0);
	char *s = NULL;
	cage_jgen_value(g, v);
	cage_jgen_finish(g, &s, NULL, NULL);
	cage_jgen_free(g);
	return s;
}

/* SERVER with the override TEXT (named "o"): the merged profile, or NULL
 * and err.msg; the warnings in `warnings`. */
static cage_json *merged(const cage_json *server, const char *text)
{
	struct cage_seccomp_override o;
	cage_json *out = NULL;
	cage_strvec_free(&warnings);
	cage_err_clear(&err);
	if (cage_seccomp_override_parse(text, strlen(text), "o", &o, &err) < 0)
		return NULL;
	int rc = cage_seccomp_merge(server, &o, &out, &warnings, &err);
	cage_seccomp_override_free(&o);
	return rc < 0 ? NULL : out;
}

/* The merged profile (KEY: its member KEY) of SERVER_JSON and TEXT,
 * compact; or the error. */
static char *after(const char *server_json, const char *text, const char *key)
{
	cage_json *server = profile(server_json), *m = merged(server, text);
	char *s = m ? compact(key ? cage_json_get(m, key, CAGE_JSON_ANY) : m) : strdup(err.msg);
	cage_json_free(m);
	cage_json_free(server);
	return s;
}

/* The default profile with TEXT, described. */
static char *default_described(const char *text)
{
	cage_json *m = merged(def, text);
	char *d = NULL;
	if (!m || cage_seccomp_describe(m, &d, &err) < 0)
		d = strdup(err.msg);
	cage_json_free(m);
	return d;
}

/* ---- the rules ---------------------------------------------------------- */

#define KEYRING "{" DA ",\"syscalls\":[{\"names\":[\"keyctl\",\"add_key\",\"request_key\"]," ERRNO1 "}," \
	"{\"names\":[\"keyctl\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[" EQ(0, 7) "]}," \
	"{\"names\":[\"uname\"]," ERRNO1 "}]}"

static void test_merge_rules(void)
{
	is_str(after(KEYRING, "allow keyctl", "syscalls"),
	       "[{\"names\":[\"add_key\",\"request_key\",\"uname\"]," ERRNO1 "}]",
	       "allow NAME: NAME leaves every entry, whatever its action; nothing added (the default allows); "
	       "the rules now next to each other share an entry");
	ok(warnings.n == 0, "  no warning: it changed something");
	is_str(after(KEYRING, "deny keyctl errno=ENOSYS", "syscalls"),
	       "[{\"names\":[\"add_key\",\"request_key\",\"uname\"]," ERRNO1 "},"
	       "{\"names\":[\"keyctl\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}]",
	       "deny NAME errno=ENOSYS: its rules out, one with errnoRet 38 in, at the end");
	is_str(after(KEYRING, "kill uname\nlog getpid a1>=0x10 a0==2", "syscalls"),
	       "[{\"names\":[\"keyctl\",\"add_key\",\"request_key\"]," ERRNO1 "},"
	       "{\"names\":[\"keyctl\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[" EQ(0, 7) "]},"
	       "{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
	       "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[" EQ(0, 2) ","
	       "{\"index\":1,\"value\":16,\"op\":\"SCMP_CMP_GE\"}]}]",
	       "kill: SCMP_ACT_KILL_PROCESS; log: SCMP_ACT_LOG with its conditions (ANDed: one entry)");
	is_str(after(KEYRING, "deny uname\ndeny getpid\ndeny getppid errno=1", "syscalls"),
	       "[{\"names\":[\"keyctl\",\"add_key\",\"request_key\"]," ERRNO1 "},"
	       "{\"names\":[\"keyctl\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[" EQ(0, 7) "]},"
	       "{\"names\":[\"uname\",\"getpid\",\"getppid\"]," ERRNO1 "}]",
	       "consecutive rules of the same action and conditions share one entry");
	is_str(after(KEYRING, "allow keyctl a0==7", "syscalls"),
	       "[{\"names\":[\"keyctl\",\"add_key\",\"request_key\",\"uname\"]," ERRNO1 "}]",
	       "allow NAME CONDS takes out only the rule with that condition set");
	is_str(after(KEYRING, "allow keyctl a0==8\nallow getpid", "syscalls"),
	       "[{\"names\":[\"keyctl\",\"add_key\",\"request_key\"]," ERRNO1 "},"
	       "{\"names\":[\"keyctl\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[" EQ(0, 7) "]},"
	       "{\"names\":[\"uname\"]," ERRNO1 "}]", "a rule with other conditions is left alone");
	is_int(warnings.n, 2, "  and two warnings");
	is_str(warnings.n == 2 ? warnings.v[0] : NULL, "o:1: 'allow keyctl a0==8' changes nothing: the profile has no rule "
	       "of keyctl with these conditions, and its default action is already that", "  for the condition");
	is_str(warnings.n == 2 ? warnings.v[1] : NULL, "o:2: 'allow getpid' changes nothing: the profile has no rule "
	       "of getpid, and its default action is already that", "  and for the allow of what is allowed");

	const char *and2 = "{" DA ",\"syscalls\":[{\"names\":[\"getpriority\",\"setpriority\"]," ERRNO1 ",\"args\":["
			   EQ(0, 1) "," EQ(1, 2) "]}]}";
	is_str(after(and2, "allow getpriority a1==2 a0==1", "syscalls"),
	       "[{\"names\":[\"setpriority\"]," ERRNO1 ",\"args\":[" EQ(0, 1) "," EQ(1, 2) "]}]",
	       "an ANDed entry: the same set, in any order, takes NAME out of it");
	is_str(after(and2, "allow getpriority a0==1", "syscalls"),
	       "[{\"names\":[\"getpriority\",\"setpriority\"]," ERRNO1 ",\"args\":[" EQ(0, 1) "," EQ(1, 2) "]}]",
	       "  a subset of its conditions does not");
	is_str(after(and2, "allow getpriority a0==1 a1==2 a2==3", "syscalls"),
	       "[{\"names\":[\"getpriority\",\"setpriority\"]," ERRNO1 ",\"args\":[" EQ(0, 1) "," EQ(1, 2) "]}]",
	       "  nor a superset");
	is_str(after(and2, "deny getpriority a0==1 a1==2 errno=ENOSYS", "syscalls"),
	       "[{\"names\":[\"setpriority\"]," ERRNO1 ",\"args\":[" EQ(0, 1) "," EQ(1, 2) "]},"
	       "{\"names\":[\"getpriority\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38,\"args\":["
	       EQ(0, 1) "," EQ(1, 2) "]}]", "deny with the same set replaces the rule (another errno)");
	const char *masked = "{" DA ",\"syscalls\":[{\"names\":[\"ioctl\"]," ERRNO1 ",\"args\":[{\"index\":1,"
			     "\"value\":255,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}";
	is_str(after(masked, "allow ioctl a1&255==4", "syscalls"),
	       "[{\"names\":[\"ioctl\"]," ERRNO1 ",\"args\":[{\"index\":1,\"value\":255,\"valueTwo\":3,"
	       "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]", "MASKED_EQ: another value is another condition");
	is_str(after(masked, "allow ioctl a1&0xff==3", "syscalls"), "[]", "  the same mask and value (0xff is 255) match");
}

/* An entry that repeats an index: each condition is a rule of its own
 * (runc, crun, compile.c), so one of them can be taken out for one name. */
static void test_merge_or(void)
{
	const char *or3 = "{" DA ",\"syscalls\":[{\"names\":[\"ioctl\",\"fcntl\"]," ERRNO1 ",\"args\":["
			  EQ(1, 1) "," EQ(1, 2) "," EQ(1, 3) "]}]}";
	is_str(after(or3, "allow ioctl a1==2", "syscalls"),
	       "[{\"names\":[\"ioctl\"]," ERRNO1 ",\"args\":[" EQ(1, 1) "," EQ(1, 3) "]},"
	       "{\"names\":[\"fcntl\"]," ERRNO1 ",\"args\":[" EQ(1, 1) "," EQ(1, 2) "," EQ(1, 3) "]}]",
	       "ORed entry: the one condition goes for ioctl only; fcntl keeps all three");
	ok(warnings.n == 0, "  no warning");
	is_str(after(or3, "allow ioctl a1==2 a0==0", "syscalls"),
	       "[{\"names\":[\"ioctl\",\"fcntl\"]," ERRNO1 ",\"args\":[" EQ(1, 1) "," EQ(1, 2) "," EQ(1, 3) "]}]",
	       "  two conditions match no single ORed rule");
	is_str(after(or3, "allow ioctl a1==1\nallow ioctl a1==2\nallow ioctl a1==3", "syscalls"),
	       "[{\"names\":[\"fcntl\"]," ERRNO1 ",\"args\":[" EQ(1, 1) "," EQ(1, 2) "," EQ(1, 3) "]}]",
	       "  all three taken out: ioctl leaves the entry");
	is_str(after(or3, "allow ioctl", "syscalls"),
	       "[{\"names\":[\"fcntl\"]," ERRNO1 ",\"args\":[" EQ(1, 1) "," EQ(1, 2) "," EQ(1, 3) "]}]",
	       "  allow ioctl takes every rule of it");
	const char *mixed = "{" DA ",\"syscalls\":[{\"names\":[\"ioctl\"]," ERRNO1 ",\"args\":["
			    EQ(0, 1) "," EQ(0, 2) "," EQ(1, 3) "]}]}";
	is_str(after(mixed, "allow ioctl a0==2", "syscalls"),
	       "[{\"names\":[\"ioctl\"]," ERRNO1 ",\"args\":[" EQ(0, 1) "]},"
	       "{\"names\":[\"ioctl\"]," ERRNO1 ",\"args\":[" EQ(1, 3) "]}]",
	       "what is left no longer repeats an index: an entry per rule, never read as one ANDed rule");
	is_str(after(mixed, "allow ioctl a1==3", "syscalls"),
	       "[{\"names\":[\"ioctl\"]," ERRNO1 ",\"args\":[" EQ(0, 1) "," EQ(0, 2) "]}]",
	       "  while a0 still repeats, the entry stays ORed");
	cage_json *server = profile(or3), *m = merged(server, "allow ioctl a1==2");
	scmp_filter_ctx ctx = NULL;
	ok(m && cage_seccomp_compile(m, &ctx, &err) == 0, "the merged ORed profile compiles");
	if (ctx)
		seccomp_release(ctx);
	cage_json_free(m);
	cage_json_free(server);
}

/* seccomp/default.json: ioctl's three terminal rules and personality's 32
 * single-condition MASKED_EQ rules (seccomp/README.md). */
static void test_merge_default(void)
{
	char *plain = NULL;
	cage_seccomp_describe(def, &plain, &err);
	is_str(default_described("# nothing\n"), plain, "an override without rules: the default profile, rule for rule");
	char *d = default_described("allow ioctl a1&0xffffffff==0x5412");
	ok(d && !strstr(d, "0x5412") && strstr(d, "  ioctl a1&0xffffffff==0x541c\n  ioctl a1&0xffffffff==0x5423\n"),
	   "allow ioctl TIOCSTI: that rule goes, TIOCLINUX and TIOCSETD stay");
	free(d);
	d = default_described("allow ioctl a1==0x5412");
	ok(d && strstr(d, "0x5412"), "  a plain == is another condition than the mask: nothing goes");
	is_str(warnings.n ? warnings.v[0] : NULL, "o:1: 'allow ioctl a1==0x5412' changes nothing: the profile has no "
	       "rule of ioctl with these conditions, and its default action is already that", "  and a warning says so");
	free(d);
	d = default_described("allow personality a0&0xc00000==0x400000");
	size_t n = 0;
	for (const char *p = d; p && (p = strstr(p, "  personality ")); p++)
		n++;
	ok(d && !strstr(d, "a0&0xc00000==0x400000") && n == 31, "allow personality COND: one of its 32 rules goes (%zu left)", n);
	free(d);
	d = default_described("deny personality");
	ok(d && strstr(d, " personality") && !strstr(d, "personality a0"), "deny personality: its 32 rules become one");
	free(d);
	d = default_described("allow keyctl\nallow add_key\nallow request_key");
	ok(d && !strstr(d, "keyctl") && !strstr(d, "add_key") && !strstr(d, "request_key"), "the keyrings allowed");
	free(d);
	cage_json *m = merged(def, "allow keyctl");
	const cage_json *sc = cage_json_get(m, "syscalls", CAGE_JSON_ARRAY);
	ok(m && cage_json_array_len(sc) <= cage_json_array_len(cage_json_get(def, "syscalls", CAGE_JSON_ARRAY)),
	   "the merged default is no longer than the default (%zu entries)", cage_json_array_len(sc));
	cage_json_free(m);
	free(plain);
}

/* Everything of the profile but its rules is kept; log-denials adds the flag. */
static void test_merge_keys(void)
{
	const char *full = "{\"comment\":\"ours\",\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
			   "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
			   "\"listenerPath\":\"/x\",\"syscalls\":[{\"names\":[\"read\",\"write\",\"getcwd\"],"
			   "\"action\":\"SCMP_ACT_ALLOW\"}]}";
	is_str(after(full, "log-denials\ndeny getcwd errno=ENOSYS\nallow exit_group\ndeny uname", NULL),
	       "{\"comment\":\"ours\",\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
	       "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\","
	       "\"SECCOMP_FILTER_FLAG_LOG\"],\"listenerPath\":\"/x\",\"syscalls\":[{\"names\":[\"read\",\"write\"],"
	       "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	       "{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}",
	       "an allow list: deny with the default's errno only takes out, allow adds; every other key kept");
	is_int(warnings.n, 0, "  no warning");
	is_str(after("{" DA ",\"flags\":null}", "log-denials", NULL),
	       "{" DA ",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"]}", "log-denials: flags null becomes the flag");
	is_str(after("{" DA "}", "log-denials", NULL), "{" DA ",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"]}",
	       "  no flags: added");
	is_str(after("{" DA ",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"]}", "log-denials", NULL),
	       "{" DA ",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"]}", "  already there: not twice");
	is_str(after("{" DA "}", "deny uname", NULL),
	       "{" DA ",\"syscalls\":[{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}",
	       "a profile without syscalls gets them");
	is_str(after("{" DA ",\"syscalls\":[{\"names\":[\"uname\"]," ERRNO1 "}]}", "allow uname", NULL),
	       "{" DA ",\"syscalls\":[]}", "every rule taken out: an empty list");
}

/* What libseccomp (or guard.c) refuses is named by the line that made it. */
static void test_merge_refused(void)
{
	cage_json *server = profile("{" DA "}");
	ok(!merged(server, "deny getpriority a0!=2 a1>5\n\ndeny getpriority a0!=2 a3<7"),
	   "a rule pair libseccomp 2.5.4 loops on is refused");
	is_str(err.msg, "o:3: the merged profile is refused: syscalls[0] and syscalls[1] ('getpriority'): two rules "
	       "with several conditions for one syscall, one of them not an equality: libseccomp can loop forever "
	       "building that; use one multi-condition rule per syscall, or only SCMP_CMP_EQ/SCMP_CMP_MASKED_EQ in them",
	       "  naming the later line");
	cage_json_free(server);
	size_t cap = 4096 * 40, used = 0;
	char *big = malloc(cap);
	for (int i = 0; i < 4000; i++)
		used += (size_t)snprintf(big + used, cap - used, "deny getpid a0==%d\n", i);
	ok(!merged(def, big), "the server's rules and 4000 more are more than libseccomp may be asked for");
	ok(!strncmp(err.msg, "o:", 2) && strstr(err.msg, ": the merged profile is refused: syscalls[") &&
	   strstr(err.msg, "]: profile needs more than 4096 rules"), "  naming a line of the override (%s)", err.msg);
	free(big);
	cage_json *broken = NULL;
	const char *bogus = "{\"defaultAction\":\"SCMP_ACT_NOPE\"}";
	cage_json_parse(bogus, strlen(bogus), "b", 1 << 20, &broken, NULL);
	ok(!merged(broken, "allow keyctl"), "a server profile that does not validate is refused");
	is_str(err.msg, "the server's seccomp profile: defaultAction: unknown action 'SCMP_ACT_NOPE'", "  saying so");
	cage_json_free(broken);
}

/* ---- described ---------------------------------------------------------- */

static void test_describe(void)
{
	cage_json *p = profile("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
			       "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
			       "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":["
			       "{\"names\":[\"read\",\"write\",\"nosuchcall\"],\"action\":\"SCMP_ACT_ALLOW\"},"
			       "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[" EQ(1, 1) "," EQ(1, 21522) "]},"
			       "{\"names\":[\"fcntl\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[" EQ(0, 3) ","
			       "{\"index\":1,\"value\":8,\"op\":\"SCMP_CMP_LT\"}]},"
			       "{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
			       "{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},"
			       "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
			       "{\"names\":[\"open\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	char *d = NULL;
	is_int(cage_seccomp_describe(p, &d, &err), 0, "describe");
	is_str(d, "default action: deny errno=ENOSYS (38)\n"
	       "architectures: SCMP_ARCH_X86_64 SCMP_ARCH_X86\n"
	       "flags: SECCOMP_FILTER_FLAG_LOG (log-denials: the kernel logs the calls refused)\n"
	       "allow:\n  read write open\n  ioctl a1==1\n  ioctl a1==0x5412\n"
	       "log:\n  fcntl a0==3 a1<8\n"
	       "deny errno=EACCES (13):\n  uname\n"
	       "kill:\n  kill\n"
	       "unknown to this libseccomp, skipped:\n  nosuchcall\n",
	       "per action, names first, then the rules with conditions (ORed: a line each); the default's "
	       "own action left out");
	free(d);
	cage_json_free(p);
}

/* ---- for real: merged filters in forked children ----------------------------- */

/* Run FN under PROFILE (no_new_privs, no root): its exit status, or
 * 1000 + the signal that killed it. */
static int under(const cage_json *profile, int (*fn)(void))
{
	scmp_filter_ctx ctx = NULL;
	if (!profile || cage_seccomp_compile(profile, &ctx, &err) < 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (seccomp_load(ctx) < 0)
			_exit(254);
		_exit(fn());
	}
	seccomp_release(ctx);
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) ? 1000 + WTERMSIG(st) : WEXITSTATUS(st);
}

static int errno_of(long rc) { return rc < 0 ? errno : 0; }
static int call_keyctl(void)
{
	return errno_of(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}
static int call_getcwd(void)
{
	char b[256];
	return errno_of(syscall(SYS_getcwd, b, sizeof(b)));
}
static int call_uname(void) { return errno_of(syscall(SYS_uname, NULL)) == EFAULT ? 0 : 1; }
static int call_tiocsti(void)
{
	int fd = open("/dev/null", O_RDONLY);
	char c = 'x';
	return errno_of(ioctl(fd, TIOCSTI, &c));
}
static int call_tioclinux(void)
{
	int fd = open("/dev/null", O_RDONLY);
	char c = 0;
	return errno_of(ioctl(fd, TIOCLINUX, &c));
}

static void test_kernel(void)
{
	cage_json *m = merged(def, "allow keyctl\ndeny getcwd errno=ENOSYS\nkill uname\n"
			      "allow ioctl a1&0xffffffff==0x5412");
	ok(m != NULL, "the default with an override merges (%s)", m ? "" : err.msg);
	is_int(under(def, call_keyctl), EPERM, "the default profile: keyctl fails with EPERM");
	int k = under(m, call_keyctl);
	ok(k != EPERM && k >= 0 && k < 256, "allow keyctl: keyctl reaches the kernel (errno %d, not EPERM)", k);
	is_int(under(def, call_getcwd), 0, "the default: getcwd works");
	is_int(under(m, call_getcwd), ENOSYS, "deny getcwd errno=ENOSYS: ENOSYS");
	is_int(under(def, call_uname), 0, "the default: uname works");
	is_int(under(m, call_uname), 1000 + SIGSYS, "kill uname: killed by SIGSYS");
	is_int(under(def, call_tiocsti), EPERM, "the default: TIOCSTI is EPERM");
	is_int(under(m, call_tiocsti), ENOTTY, "allow ioctl a1&0xffffffff==0x5412: TIOCSTI reaches the tty layer (ENOTTY)");
	is_int(under(m, call_tioclinux), EPERM, "  TIOCLINUX still EPERM");
	cage_json_free(m);
}

int main(void)
{
	cage_err_t e = {0};
	if (cage_seccomp_default(&def, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}
	test_merge_rules();
	test_merge_or();
	test_merge_default();
	test_merge_keys();
	test_merge_refused();
	test_describe();
	test_kernel();
	cage_json_free(def);
	cage_strvec_free(&warnings);
	return done_testing();
}
