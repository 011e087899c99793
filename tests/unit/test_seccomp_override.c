/* Unit tests for per-user seccomp override files (seccomp/override.c,
 * check.c; docs/ARCHITECTURE.md §4.24): every error of the parser with its
 * line, what it reads back, the files' trust rules, the server's and a
 * user's profile from ETC, and --seccomp-check's findings.  The merge is
 * test_seccomp_merge.c's.  No root needed (what needs it is skipped). */
#define _GNU_SOURCE
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/seccomp.h"

/* ---- helpers ------------------------------------------------------------ */

static cage_err_t err;

/* TEXT parsed as the override "o": NULL (err.msg) on an error. */
static struct cage_seccomp_override *parse(const char *text)
{
	static struct cage_seccomp_override o;
	cage_seccomp_override_free(&o);
	cage_err_clear(&err);
	return cage_seccomp_override_parse(text, strlen(text), "o", &o, &err) < 0 ? NULL : &o;
}

static const char *refusal(const char *text)
{
	return parse(text) ? "(accepted)" : err.msg;
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

/* The built-in default profile (a tree of its own each time). */
static cage_json *def(void)
{
	cage_json *v = NULL;
	cage_seccomp_default(&v, NULL);
	return v;
}

/* ---- the parser ----------------------------------------------------------- */

static const struct {
	const char *text, *want;
} bad[] = {
	{ "permit keyctl", "o:1: unknown directive 'permit' (allow, deny, kill, log or log-denials)" },
	{ "\n# ok\nAllow keyctl", "o:3: unknown directive 'Allow' (allow, deny, kill, log or log-denials)" },
	{ "deny", "o:1: deny: no syscall name" },
	{ "allow   # nothing", "o:1: allow: no syscall name" },
	{ "allow keyctrl", "o:1: unknown syscall 'keyctrl'" },
	{ "kill aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "o:1: unknown syscall 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'" },
	{ "deny kill\x01", "o:1: unknown syscall 'kill?'" },
	{ "allow ioctl x1==2", "o:1: 'x1==2' is not a condition (aN==V, aN!=V, aN<V, aN<=V, aN>V, aN>=V or "
			       "aN&MASK==V with N 0..5)" },
	{ "allow ioctl a==2", "o:1: 'a==2' is not a condition (aN==V, aN!=V, aN<V, aN<=V, aN>V, aN>=V or "
			      "aN&MASK==V with N 0..5)" },
	{ "allow ioctl a6==2", "o:1: 'a6==2': argument a6 does not exist (a0..a5)" },
	{ "allow ioctl a10==2", "o:1: 'a10==2': argument a10 does not exist (a0..a5)" },
	{ "allow ioctl a01==2", "o:1: 'a01==2': argument a01 does not exist (a0..a5)" },
	{ "allow ioctl a1=2", "o:1: 'a1=2': unknown operator (aN==V, aN!=V, aN<V, aN<=V, aN>V, aN>=V or "
			      "aN&MASK==V with N 0..5)" },
	{ "allow ioctl a1=>2", "o:1: 'a1=>2': unknown operator (aN==V, aN!=V, aN<V, aN<=V, aN>V, aN>=V or "
			       "aN&MASK==V with N 0..5)" },
	{ "allow ioctl a1", "o:1: 'a1': unknown operator (aN==V, aN!=V, aN<V, aN<=V, aN>V, aN>=V or "
			    "aN&MASK==V with N 0..5)" },
	{ "allow ioctl a1==x", "o:1: 'a1==x': 'x' is not a number (decimal or 0x hex, 64 bits)" },
	{ "allow ioctl a1==", "o:1: 'a1==': '' is not a number (decimal or 0x hex, 64 bits)" },
	{ "allow ioctl a1<0x", "o:1: 'a1<0x': '0x' is not a number (decimal or 0x hex, 64 bits)" },
	{ "allow ioctl a1>=0x1g", "o:1: 'a1>=0x1g': '0x1g' is not a number (decimal or 0x hex, 64 bits)" },
	{ "allow ioctl a1!=-1", "o:1: 'a1!=-1': '-1' is not a number (decimal or 0x hex, 64 bits)" },
	{ "allow ioctl a1<=18446744073709551616",
	  "o:1: 'a1<=18446744073709551616': '18446744073709551616' is not a number (decimal or 0x hex, 64 bits)" },
	{ "allow ioctl a1>0x10000000000000000",
	  "o:1: 'a1>0x10000000000000000': '0x10000000000000000' is not a number (decimal or 0x hex, 64 bits)" },
	{ "allow ioctl a1&0xff", "o:1: 'a1&0xff': a mask needs ==V after it (aN&MASK==V)" },
	{ "allow ioctl a1&zz==1", "o:1: 'a1&zz==1': the mask 'zz' is not a number (decimal or 0x hex, 64 bits)" },
	{ "allow ioctl a1&0xff==", "o:1: 'a1&0xff==': '' is not a number (decimal or 0x hex, 64 bits)" },
	{ "allow ioctl a1&0xff!=1", "o:1: 'a1&0xff!=1': a mask needs ==V after it (aN&MASK==V)" },
	{ "deny ioctl a0==1 a0==2", "o:1: a0 is tested twice (the conditions of a line are ANDed: one per argument)" },
	{ "allow getcwd errno=ENOSYS", "o:1: errno= goes with deny only" },
	{ "kill getcwd errno=1", "o:1: errno= goes with deny only" },
	{ "deny getcwd errno=EPERM errno=ENOSYS", "o:1: errno= is given twice" },
	{ "deny getcwd errno=EFOO", "o:1: unknown errno 'EFOO' (a name such as EPERM or ENOSYS, or a number 1..4094)" },
	{ "deny getcwd errno=0", "o:1: unknown errno '0' (a name such as EPERM or ENOSYS, or a number 1..4094)" },
	{ "deny getcwd errno=4095", "o:1: unknown errno '4095' (a name such as EPERM or ENOSYS, or a number 1..4094)" },
	{ "deny getcwd errno=", "o:1: unknown errno '' (a name such as EPERM or ENOSYS, or a number 1..4094)" },
	{ "deny getcwd errno=eperm", "o:1: unknown errno 'eperm' (a name such as EPERM or ENOSYS, or a number 1..4094)" },
	{ "log-denials now", "o:1: log-denials takes nothing after it (got 'now')" },
	{ "log-denials\n\nlog-denials", "o:3: log-denials is already on line 1" },
	{ "allow keyctl\ndeny keyctl", "o:2: keyctl is already on line 1" },
	{ "deny ioctl a1==2 a0==1\nkill ioctl a0==0x1 a1==2", "o:2: ioctl with these conditions is already on line 1" },
	{ "deny ioctl a1&0xff==1\nlog ioctl a1&255==0x1", "o:2: ioctl with these conditions is already on line 1" },
	{ "allow keyctl\nallow add\0_key", "o:2: a NUL byte: not a text file" },
	{ "log#x uname", "o:1: unknown directive 'log#x' (allow, deny, kill, log or log-denials)" },
};

static void test_parse_errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		size_t len = strlen(bad[i].text);
		if (strstr(bad[i].want, "NUL"))
			len += 1 + strlen(bad[i].text + len + 1);
		struct cage_seccomp_override o;
		cage_err_clear(&err);
		int rc = cage_seccomp_override_parse(bad[i].text, len, "o", &o, &err);
		is_str(rc < 0 ? err.msg : "(accepted)", bad[i].want, "refused: %s", bad[i].want);
		ok(rc < 0 && o.n == 0 && !o.rules && !o.log_denials, "  and nothing is kept");
		cage_seccomp_override_free(&o);
	}
	/* 4096 rules at most (each a rule of its own: the conditions differ). */
	size_t cap = 4097 * 40, used = 0;
	char *big = malloc(cap);
	for (int i = 0; i <= 4096; i++)
		used += (size_t)snprintf(big + used, cap - used, "deny getpid a0==%d\n", i);
	is_str(refusal(big), "o:4097: more than 4096 rules", "the 4097th rule is refused");
	big[used - strlen("deny getpid a0==4096\n")] = '\0';
	ok(parse(big) && parse(big)->n == 4096, "4096 rules are fine");
	free(big);
	is_str(refusal("allow ioctl a1==1\nallow ioctl a1!=1\nallow ioctl a1==1 a2==1\nallow ioctl a1&1==1"),
	       "(accepted)", "one syscall, other conditions: other rules");
	is_str(refusal("allow ioctl a1==2\nallow fcntl a1==2"), "(accepted)", "the same conditions on other syscalls");
	is_str(refusal("deny ioctl a1==5 a1!=5"), "o:1: a1 is tested twice (the conditions of a line are ANDed: "
	       "one per argument)", "an index twice, whatever the operators");
}

static void test_parse_good(void)
{
	const char *text = "\xEF\xBB\xBF# the override of alice\r\n"
			   "allow keyctl\r\n"
			   "  deny\tgetcwd   errno=ENOSYS # getcwd says ENOSYS\n"
			   "\n"
			   "deny uname errno=13\n"
			   "kill ioctl a1&0xFFFFFFFF==0x5412 a0>=3\n"
			   "log personality a0<=18446744073709551615\n"
			   "deny ptrace a0!=0x10 a5<9 a2>0\n"
			   "log-denials#not a comment? no: a comment needs a blank before it\n";
	ok(parse(text) == NULL, "'log-denials#...' is not log-denials and a comment");
	is_str(err.msg, "o:9: unknown directive 'log-denials#not' (allow, deny, kill, log or log-denials)",
	       "  (a '#' starts a comment at the start of a line or after a blank)");
	char *t = strdup(text);
	strcpy(strstr(t, "log-denials#"), "log-denials   # kernel logs\n");
	struct cage_seccomp_override *o = parse(t);
	ok(o != NULL, "a file with a BOM, CRLF, tabs, comments parses (%s)", o ? "" : err.msg);
	if (!o)
		return;
	is_int(o->n, 6, "six rules");
	is_int(o->log_denials, 9, "log-denials on line 9");
	const struct cage_seccomp_rule *r = o->rules;
	ok(r[0].line == 2 && r[0].verb == CAGE_SECCOMP_ALLOW && !strcmp(r[0].name, "keyctl") && !r[0].nconds,
	   "line 2: allow keyctl");
	ok(r[1].line == 3 && r[1].verb == CAGE_SECCOMP_DENY && r[1].errnum == ENOSYS, "line 3: deny getcwd errno=ENOSYS");
	ok(r[2].errnum == 13, "errno=13: a number");
	ok(r[3].verb == CAGE_SECCOMP_KILL && r[3].nconds == 2 && r[3].conds[0].arg == 0 &&
	   r[3].conds[0].op == SCMP_CMP_GE && r[3].conds[0].datum_a == 3 && r[3].conds[1].arg == 1 &&
	   r[3].conds[1].op == SCMP_CMP_MASKED_EQ && r[3].conds[1].datum_a == 0xffffffff &&
	   r[3].conds[1].datum_b == 0x5412, "kill ioctl: the conditions by index, MASK in datum_a, V in datum_b");
	ok(r[4].verb == CAGE_SECCOMP_LOG && r[4].conds[0].op == SCMP_CMP_LE && r[4].conds[0].datum_a == UINT64_MAX,
	   "log personality a0<=2^64-1");
	ok(r[5].nconds == 3 && r[5].conds[0].op == SCMP_CMP_NE && r[5].conds[1].op == SCMP_CMP_GT &&
	   r[5].conds[2].op == SCMP_CMP_LT && r[5].conds[2].arg == 5, "!=, >, < on a0, a2, a5");
	char *f = cage_seccomp_override_format(o);
	is_str(f, "log-denials\nallow keyctl\ndeny getcwd errno=ENOSYS\ndeny uname errno=EACCES\n"
	       "kill ioctl a0>=3 a1&0xffffffff==0x5412\nlog personality a0<=0xffffffffffffffff\n"
	       "deny ptrace a0!=0x10 a2>0 a5<9\n", "written back in the override syntax");
	struct cage_seccomp_override again;
	ok(f && cage_seccomp_override_parse(f, strlen(f), "o2", &again, &err) == 0 && again.n == 6 &&
	   !memcmp(again.rules[3].conds, o->rules[3].conds, sizeof(o->rules[3].conds)), "  which parses back the same");
	cage_seccomp_override_free(&again);
	free(f);
	free(t);
	o = parse("");
	ok(o && o->n == 0 && !o->log_denials, "an empty file: no rule");
	o = parse("deny getcwd");
	ok(o && o->rules[0].errnum == EPERM, "deny without errno=: EPERM");
	o = parse("deny getcwd errno=4094\ndeny uname errno=0xfe");
	ok(o && o->rules[0].errnum == 4094 && o->rules[1].errnum == 254, "errno=4094, errno=0xfe");
}

/* ---- reading the file: only root's own ------------------------------------ */

static char dir[64];

static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror("write");
		fchmod(fd, mode);
		close(fd);
	}
	return path;
}

static const char *read_refusal(const char *path)
{
	struct cage_seccomp_override o;
	cage_err_clear(&err);
	int rc = cage_seccomp_override_read(path, &o, NULL, NULL, &err);
	cage_seccomp_override_free(&o);
	return rc < 0 ? err.msg : "(accepted)";
}

static void test_read(void)
{
	char want[256];
	const char *p = write_file("alice", "allow keyctl\n", 0644);
	if (geteuid() == 0) {
		is_str(read_refusal(p), "(accepted)", "root's file, mode 0644: read");
		if (chown(p, 1, 0) == 0) {
			snprintf(want, sizeof(want), "%s: owned by uid 1, not by root: refused (an override decides a "
				 "user's seccomp filter)", p);
			is_str(read_refusal(p), want, "a file of another owner is refused");
		}
	} else {
		snprintf(want, sizeof(want), "%s: owned by uid %u, not by root: refused (an override decides a "
			 "user's seccomp filter)", p, geteuid());
		is_str(read_refusal(p), want, "a file not root's is refused (not run as root)");
		ok(1, "# SKIP root's own file needs root");
	}
	char owner[64];
	snprintf(owner, sizeof(owner), "owned by uid %u, not by root", geteuid());
	p = write_file("alice", "allow keyctl\n", 0666);
	snprintf(want, sizeof(want), "%s: %s: refused (an override decides a user's seccomp filter)", p,
		 geteuid() == 0 ? "writable by others (mode 0666)" : owner);
	is_str(read_refusal(p), want, "a world-writable file is refused");
	p = write_file("alice", "allow keyctl\n", 0620);
	snprintf(want, sizeof(want), "%s: %s: refused (an override decides a user's seccomp filter)", p,
		 geteuid() == 0 ? "writable by its group (mode 0620)" : owner);
	is_str(read_refusal(p), want, "a group-writable file is refused");
	char link[128];
	snprintf(link, sizeof(link), "%s/bob", dir);
	unlink(link);
	if (symlink("alice", link) < 0)
		perror("symlink");
	snprintf(want, sizeof(want), "%s: a symlink: refused (an override decides a user's seccomp filter)", link);
	is_str(read_refusal(link), want, "a symlink is refused, whatever it points to");
	snprintf(want, sizeof(want), "%s: not a regular file: refused (an override decides a user's seccomp filter)", dir);
	is_str(read_refusal(dir), want, "a directory is refused");
	snprintf(link, sizeof(link), "%s/fifo", dir);
	mkfifo(link, 0600);
	snprintf(want, sizeof(want), "%s: not a regular file: refused (an override decides a user's seccomp filter)", link);
	is_str(read_refusal(link), want, "a FIFO is refused, without waiting for a writer");
	snprintf(link, sizeof(link), "%s/none", dir);
	snprintf(want, sizeof(want), "%s: No such file or directory", link);
	is_str(read_refusal(link), want, "a missing file");
	if (geteuid() == 0) {
		char *big = malloc((1 << 20) + 2);
		memset(big, '#', (1 << 20) + 1);
		big[(1 << 20) + 1] = '\0';
		p = write_file("alice", big, 0644);
		snprintf(want, sizeof(want), "%s: larger than 1048576 bytes", p);
		is_str(read_refusal(p), want, "a file over 1 MiB is refused");
		big[1 << 20] = '\0';
		p = write_file("alice", big, 0644);
		is_str(read_refusal(p), "(accepted)", "1 MiB of comment is fine");
		free(big);
		p = write_file("alice", "allow keyctl\ndeny nosuch\n", 0644);
		snprintf(want, sizeof(want), "%s:2: unknown syscall 'nosuch'", p);
		is_str(read_refusal(p), want, "errors name the file's path and line");
	} else {
		ok(1, "# SKIP needs root");
		ok(1, "# SKIP needs root");
		ok(1, "# SKIP needs root");
	}
}

/* ---- the server's profile and a user's, from ETC -------------------------- */

static struct cage_paths paths;

static const char *user_refusal(const char *user, cage_json **out)
{
	cage_json *server = NULL;
	cage_err_clear(&err);
	*out = NULL;
	if (cage_seccomp_server_profile(&paths, &server, NULL, &err) < 0)
		return err.msg;
	int rc = cage_seccomp_user_profile(&paths, server, user, out, NULL, &err);
	cage_json_free(server);
	return rc < 0 ? err.msg : *out ? "(merged)" : "(none)";
}

static void test_files(void)
{
	char want[300], sub[100], *path = NULL;
	cage_json *v = NULL;
	paths = (struct cage_paths){.etc = dir};
	snprintf(sub, sizeof(sub), "%s/seccomp.d", dir);
	unlink(write_file("alice", "", 0644));
	rmdir(sub);
	ok(cage_seccomp_server_profile(&paths, &v, &path, &err) == 0 && v && !path,
	   "no seccomp.json: the built-in default, no path");
	is_str(compact(v), compact(def()), "  which is default.json");
	cage_json_free(v);
	const char *f = write_file("seccomp.json", "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [\n"
				   "    {\"names\": [\"uname\"], \"action\": \"SCMP_ACT_KIL\"}\n  ]\n}\n", 0644);
	snprintf(want, sizeof(want), "%s:4: syscalls[0].action: unknown action 'SCMP_ACT_KIL'", f);
	ok(cage_seccomp_server_profile(&paths, &v, &path, &err) == -1 && !v, "a broken seccomp.json is an error");
	is_str(err.msg, want, "  naming its line, never the default in silence");
	write_file("seccomp.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}", 0644);
	ok(cage_seccomp_server_profile(&paths, &v, &path, &err) == 0 && path && !strcmp(path, f) &&
	   cage_json_get(v, "syscalls", CAGE_JSON_ANY) == NULL, "seccomp.json replaces the default, its path given");
	free(path);
	cage_json_free(v);
	unlink(f);

	is_str(user_refusal("alice", &v), "(none)", "no seccomp.d: no override, the server's profile as it is");
	mkdir(sub, 0755);
	if (geteuid() == 0)
		snprintf(want, sizeof(want), "(none)");
	else
		snprintf(want, sizeof(want), "%s: owned by uid %u, mode 0755: refused (it holds the users' seccomp "
			 "overrides; it must be root's, writable by root only)", sub, geteuid());
	is_str(user_refusal("alice", &v), want, "seccomp.d without alice's file: none (not root's: refused)");
	snprintf(want, sizeof(want), "'../alice' cannot name a file of %s/seccomp.d", dir);
	is_str(user_refusal("../alice", &v), want, "a name with a '/' is refused");
	snprintf(want, sizeof(want), "'.x' cannot name a file of %s/seccomp.d", dir);
	is_str(user_refusal(".x", &v), want, "a dot file is no user's");
	if (geteuid() != 0) {
		for (int i = 0; i < 5; i++)
			ok(1, "# SKIP the override files must be root's");
		return;
	}
	write_file("seccomp.d/alice", "allow keyctl\n\ndeny uname errno=nosuch\n", 0644);
	snprintf(want, sizeof(want), "%s/seccomp.d/alice:3: unknown errno 'nosuch' (a name such as EPERM or ENOSYS, "
		 "or a number 1..4094)", dir);
	is_str(user_refusal("alice", &v), want, "a broken override is an error naming its path and line");
	write_file("seccomp.d/alice", "allow keyctl\n", 0644);
	is_str(user_refusal("alice", &v), "(merged)", "alice's override is merged into the server's profile");
	ok(!strstr(compact(v), "\"keyctl\""), "  (keyctl is no longer denied)");
	cage_json_free(v);
	chmod(sub, 0777);
	snprintf(want, sizeof(want), "%s: owned by uid 0, mode 0777: refused (it holds the users' seccomp overrides; "
		 "it must be root's, writable by root only)", sub);
	is_str(user_refusal("alice", &v), want, "a seccomp.d anyone can write is refused");
	chmod(sub, 0755);
	char link[128];
	snprintf(link, sizeof(link), "%s/seccomp.d/bob", dir);
	if (symlink("alice", link) < 0)
		perror("symlink");
	snprintf(want, sizeof(want), "%s: a symlink: refused (an override decides a user's seccomp filter)", link);
	is_str(user_refusal("bob", &v), want, "bob's override, a symlink to alice's, is refused");
	unlink(link);
}

/* ---- cagefsctl --seccomp-check -------------------------------------------- */

static char *report(char *const *files, size_t n)
{
	struct cage_seccomp_report r;
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	if (cage_seccomp_check(&paths, files, n, &r, &err) < 0)
		fprintf(m, "failed: %s\n", err.msg);
	static const char *const kinds[] = {"ok", "warning", "error"};
	for (size_t i = 0; i < r.n; i++)
		fprintf(m, "%s: %s\n", kinds[r.v[i].kind], r.v[i].text);
	fprintf(m, "%zu files, %zu warnings, %zu errors\n", r.files, r.warnings, r.errors);
	cage_seccomp_report_free(&r);
	fclose(m);
	return out;
}

static void test_check(void)
{
	char want[2048], a[100], b[100], c[100];
	snprintf(a, sizeof(a), "%s/p.json", dir);
	snprintf(b, sizeof(b), "%s/profile", dir);
	snprintf(c, sizeof(c), "%s/bad", dir);
	write_file("p.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [\n"
		   "  {\"names\": [\"mount\", \"mountt\"], \"action\": \"SCMP_ACT_ERRNO\",\n"
		   "   \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQUAL\"}]}]}\n", 0644);
	write_file("profile", "\n  {\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"architectures\": [\n"
		   "\"SCMP_ARCH_X86_64\",\n\"SCMP_ARCH_PPC64\"],\n \"syscalls\": [\n"
		   "  {\"names\": [\"mount\", \"mountt\"], \"action\": \"SCMP_ACT_ERRNO\"}]}\n", 0644);
	write_file("bad", "allow keyctl\nallow getpid\ndeny getcwd a7==1\n", 0644);
	char *files[] = {a, b, c};
	char third[200];
	if (geteuid() == 0)
		snprintf(third, sizeof(third), "%s:3: 'a7==1': argument a7 does not exist (a0..a5)", c);
	else
		snprintf(third, sizeof(third), "%s: owned by uid %u, not by root: refused (an override decides a "
			 "user's seccomp filter)", c, geteuid());
	snprintf(want, sizeof(want), "error: %s:4: syscalls[0].args[0].op: unknown operator 'SCMP_CMP_EQUAL'\n"
		 "warning: %s:7: syscalls[0].names[1]: unknown syscall 'mountt' (skipped, as runc and crun skip it)\n"
		 "error: %s:5: architectures[1]: libseccomp cannot add SCMP_ARCH_PPC64: Numerical argument out of domain\n"
		 "error: %s\n3 files, 1 warnings, 3 errors\n", a, b, b, third);
	is_str(report(files, 3), want, "a JSON profile by its name, another by its '{', an override: every finding "
	       "with its line");
	if (geteuid() != 0) {
		ok(1, "# SKIP the override files must be root's");
		return;
	}
	write_file("seccomp.d/alice", "allow keyctl\nallow getpid\n", 0644);
	write_file("seccomp.d/.alice.swp", "garbage", 0644);
	write_file("seccomp.d/nosuchuser-cagefs", "log-denials\n", 0644);
	write_file("seccomp.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"keyctl\"], "
		   "\"action\": \"SCMP_ACT_ERRNO\"}]}\n", 0644);
	const char *root = getpwuid(0) ? getpwuid(0)->pw_name : "root";
	char rootfile[64];
	snprintf(rootfile, sizeof(rootfile), "seccomp.d/%s", root);
	write_file(rootfile, "kill uname\n", 0666);
	snprintf(want, sizeof(want), "ok: %s/seccomp.json: ok (a JSON profile)\n"
		 "ok: %s/seccomp.d/alice: ok (an override: 2 rules)\n"
		 "warning: %s/seccomp.d/alice:2: 'allow getpid' changes nothing: the profile has no rule of getpid, "
		 "and its default action is already that\n"
		 "warning: %s/seccomp.d/alice: no user alice on this system: it applies to no one\n"
		 "ok: %s/seccomp.d/nosuchuser-cagefs: ok (an override: 0 rules, log-denials)\n"
		 "warning: %s/seccomp.d/nosuchuser-cagefs: no user nosuchuser-cagefs on this system: it applies to no one\n"
		 "error: %s/seccomp.d/%s: writable by others (mode 0666): refused (an override decides a user's seccomp "
		 "filter)\n4 files, 3 warnings, 1 errors\n", dir, dir, dir, dir, dir, dir, dir, root);
	char *got = report(NULL, 0);
	if (getpwnam("alice")) { /* a machine with a real alice: no warning for her */
		char *w = strstr(want, "warning: ");
		w = strstr(w + 1, "warning: ");
		memmove(w, strchr(w, '\n') + 1, strlen(strchr(w, '\n') + 1) + 1);
		w = strstr(want, "4 files, 3 warnings");
		w[10] = '2';
	}
	is_str(got, want, "no FILE: seccomp.json and every file of seccomp.d but dot files, in name order");
	unlink(write_file(rootfile, "", 0644));
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_seccomp_override.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_parse_errors();
	test_parse_good();
	test_read();
	test_files();
	test_check();
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	return done_testing();
}
