/* Unit tests for learning mode's seccomp side (seccomp/learn.c, the
 * learning filter of compile.c, the hand-over of load.c): a refused call
 * of a learning filter reaches whoever holds the listener, which can let
 * the kernel carry it out; with the listener gone it fails with ENOSYS;
 * what was seen is matched to the refusing rule, counted per program,
 * kept as JSON, and proposed as an override.  No root needed. */
#define _GNU_SOURCE
#include "tap.h"

#include <errno.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cagefs/denials.h"
#include "cagefs/seccomp.h"

static cage_json *default_profile(void)
{
	cage_json *v = NULL;
	cage_err_t err = {0};
	if (cage_seccomp_default(&v, &err) < 0)
		printf("# %s\n", err.msg);
	return v;
}

static int recv_fd(int sock)
{
	char c;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	if (recvmsg(sock, &m, 0) != 1 || !CMSG_FIRSTHDR(&m))
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
	return fd;
}

/* The child: load the learning filter of the default profile, handing
 * its listener over SOCK; then keyctl (refused by the profile), getpid
 * (allowed), and after the parent's go-ahead on GO, keyctl again. */
static void learner(int sock, int go)
{
	cage_json *prof = default_profile();
	struct cage_seccomp_prog p;
	cage_err_t err = {0};
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (!prof || cage_seccomp_prepare_learning(prof, sock, &p, &err) < 0 || cage_seccomp_load(&p, &err) < 0) {
		printf("# %s\n", err.msg);
		_exit(90);
	}
	long k1 = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	long g = syscall(SYS_getpid); /* notified, it would fail: nobody answers it */
	char c;
	if (read(go, &c, 1) != 1)
		_exit(91);
	long k2 = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	/* 0: first call carried out; second one failed with ENOSYS */
	_exit(k1 >= 0 && g > 0 && k2 < 0 && errno == ENOSYS ? 0 : 1);
}

static void test_learning_filter(void)
{
	int sv[2], go[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 || pipe(go) < 0) {
		ok(0, "socketpair");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		learner(sv[1], go[0]);
	}
	close(sv[1]);
	int listener = recv_fd(sv[0]);
	ok(listener >= 0, "loading a learning filter hands its listener over the supervisor's socket");
	struct seccomp_notif_sizes sizes;
	syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
	struct seccomp_notif *req = calloc(1, sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, sizes.seccomp_notif_resp);
	int rc = ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req);
	ok(rc == 0 && req->data.nr == SYS_keyctl && req->pid == (uint32_t)pid,
	   "keyctl, which the default profile refuses, is notified (nr %d, from the learner)", req->data.nr);
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	ok(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0, "... and let through with CONTINUE");
	close(listener); /* the supervisor is gone */
	(void)!write(go[1], "x", 1);
	int st;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "the learner's keyctl was carried out by the kernel, getpid never notified, and with the "
	   "listener gone the next keyctl fails with ENOSYS, no hang (status %d)", WEXITSTATUS(st));
	free(req);
	free(resp);
	close(sv[0]);
}

static void test_learning_compile(void)
{
	static const char allow_list[] =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},"
		"{\"names\": [\"uname\"], \"action\": \"SCMP_ACT_LOG\"}]}";
	cage_json *v = NULL;
	cage_err_t err = {0};
	scmp_filter_ctx ctx = NULL;
	ok(cage_seccomp_load_json(allow_list, strlen(allow_list), "t.json", &v, &err) == 0 &&
	   cage_seccomp_compile_learning(v, &ctx, &err) == 0,
	   "an allow-list profile (a refusing default, a refusal of its own, a log rule) compiles for learning: %s",
	   err.msg);
	if (ctx)
		seccomp_release(ctx);
	cage_json_free(v);
}

static void test_record(void)
{
	cage_json *prof = default_profile();
	struct cage_seccomp_record r = {0};
	uint64_t sti[6] = {0, 0xffffffff00005412ull}, none[6] = {0};
	cage_seccomp_record_call(&r, prof, SCMP_ARCH_X86_64, SCMP_SYS(ioctl), sti, "/usr/bin/x", 10);
	cage_seccomp_record_call(&r, prof, SCMP_ARCH_X86_64, SCMP_SYS(ioctl), sti, "/usr/bin/x", 20);
	cage_seccomp_record_call(&r, prof, SCMP_ARCH_X86_64, SCMP_SYS(keyctl), none, "/bin/php\nallow ptrace", 30);
	cage_seccomp_record_call(&r, prof, SCMP_ARCH_X86_64, SCMP_SYS(keyctl), none, "/bin/perl", 31);
	ok(r.n == 3, "three (rule, program) pairs from four calls (%zu)", r.n);
	if (r.n != 3)
		return;
	is_str(r.v[0].rule, "a1&0xffffffff==0x5412", "TIOCSTI matches the default profile's MASKED_EQ rule, upper bits ignored");
	is_str(r.v[0].values, "a1=0xffffffff00005412", "... the argument as it was called");
	ok(r.v[0].count == 2 && r.v[0].first == 10 && r.v[0].last == 20, "... counted twice, first and last time");
	is_str(r.v[1].rule, "", "keyctl: refused whatever its arguments");
	is_str(r.v[1].program, "/bin/php\\x0aallow ptrace", "a program's name is escaped (no newline reaches a report)");

	char *json = NULL;
	size_t len;
	cage_err_t err = {0};
	struct cage_seccomp_record back;
	r.started = 5;
	r.until = 65;
	ok(cage_seccomp_record_json(&r, &json, &len, &err) == 0 &&
	   cage_seccomp_record_parse(json, len, "rec.json", &back, &err) == 0 && back.n == 3 &&
	   back.until == 65 && !strcmp(back.v[1].program, r.v[1].program) && back.v[0].count == 2,
	   "the record survives its JSON round trip");
	cage_seccomp_record_free(&back);
	free(json);
	ok(cage_seccomp_record_parse("{\"seen\": 3}", 11, "rec.json", &back, &err) < 0 &&
	   !strcmp(err.msg, "rec.json: not a learning record"), "a malformed record: %s", err.msg);
	ok(cage_seccomp_record_parse("{", 1, "rec.json", &back, &err) < 0 && !strncmp(err.msg, "rec.json:1:", 11),
	   "broken JSON: %s", err.msg);

	static const char cur[] = "# mine\ndeny keyctl errno=ENOSYS # old\nallow personality\n";
	char *prop = NULL;
	ok(cage_seccomp_proposal(&r, "alice", cur, strlen(cur), &prop, &err) == 0, "a proposal is made");
	ok(prop && strstr(prop, "\nallow ioctl a1&0xffffffff==0x5412\n") && strstr(prop, "\nallow keyctl\n"),
	   "... allowing exactly the rules seen");
	ok(prop && strstr(prop, "# replaced by a learned rule below: deny keyctl errno=ENOSYS # old\n") &&
	   strstr(prop, "\nallow personality\n") && strstr(prop, "\n# mine\n"),
	   "... the current override kept, its line for a learned rule commented out");
	ok(prop && strstr(prop, "# learned: 2 calls by \"/bin/php\\x0aallow ptrace\" (1), \"/bin/perl\" (1)\n"),
	   "... saying who made the calls, each name quoted");
	ok(prop && !strstr(prop, "\nallow ptrace"), "... and a program's name never becomes a line");
	free(prop);
	cage_seccomp_record_free(&r);

	for (int i = 0; i < 5000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "/p%d", i);
		cage_seccomp_record_call(&r, prof, SCMP_ARCH_X86_64, SCMP_SYS(keyctl), none, name, 1);
	}
	ok(r.n == 4096 && r.dropped == 904, "the record is bounded: 4096 entries, the rest counted as dropped (%zu, %llu)",
	   r.n, (unsigned long long)r.dropped);
	cage_seccomp_record_free(&r);

	/* A hostile user's worst: 4096 programs named by 4095 bytes each
	 * written \xNN.  The record must stay readable by the report. */
	char *longest = malloc(4096);
	memset(longest, 0xff, 4095);
	longest[4095] = '\0';
	for (int i = 0; longest && i < 4096; i++) {
		snprintf(longest, 10, "/%08x", (unsigned)i);
		longest[9] = (char)0xff;
		cage_seccomp_record_call(&r, prof, SCMP_ARCH_X86_64, SCMP_SYS(keyctl), none, longest, 1);
	}
	free(longest);
	ok(r.n == 4096 && r.v[0].program && strlen(r.v[0].program) <= 4 * CAGE_SECCOMP_MAX_PROGRAM + 4 &&
	   strstr(r.v[0].program, "\\..."), "a long program name is kept cut in the middle at \\... (%zu bytes)",
	   r.v[0].program ? strlen(r.v[0].program) : 0);
	json = NULL;
	len = 0;
	int made = cage_seccomp_record_json(&r, &json, &len, &err);
	ok(made == 0 && len < CAGE_SECCOMP_MAX_RECORD &&
	   cage_seccomp_record_parse(json, len, "rec.json", &back, &err) == 0 && back.n == 4096,
	   "the fullest record a user can make (%zu bytes) is below what the report reads, and parses", len);
	cage_seccomp_record_free(&back);
	free(json);
	cage_seccomp_record_free(&r);

	/* A syscall number libseccomp has no name for. */
	cage_seccomp_record_call(&r, prof, SCMP_ARCH_X86_64, 1000, none, "/x", 1);
	prop = NULL;
	ok(r.n == 1 && !strcmp(r.v[0].syscall, "syscall#1000") &&
	   cage_seccomp_proposal(&r, "alice", NULL, 0, &prop, &err) == 0 && !strstr(prop, "\nallow ") &&
	   strstr(prop, "\n# not proposed: syscall#1000 has no name an override can allow\n"),
	   "an unknown syscall number is recorded, and proposed as a comment, never as an allow line");
	free(prop);
	cage_seccomp_record_free(&r);
	cage_json_free(prof);
}

static void test_denials(void)
{
	static const char kmsg[] = "6,1234,31846670331,-;audit: type=1326 audit(1796313768.615:140): auid=4294967295 "
				   "uid=2301 gid=2301 ses=4294967295 pid=21950 comm=\"php\" exe=\"/usr/bin/php8.2\" "
				   "sig=0 arch=c000003e syscall=250 compat=0 ip=0x7f50cc52d829 code=0x50000\n";
	struct cage_denial d;
	ok(cage_denial_parse(kmsg, strlen(kmsg), &d) == 1 && d.uid == 2301 && d.pid == 21950 && d.nr == 250 &&
	   d.arch == 0xc000003e && d.code == 0x50000 && d.when == 1796313768 && !strcmp(d.comm, "php") &&
	   !strcmp(d.exe, "/usr/bin/php8.2"), "a /dev/kmsg seccomp audit line: uid, pid, syscall, arch, action, time, programs");
	char act[64];
	is_str(cage_denial_action(d.code, act, sizeof(act)), "refused (errno)", "... its action in words");
	/* the kernel writes comm/exe in hex when they hold a space, a quote, a control character */
	static const char hex[] = "[ 1.0] audit: type=1326 audit(17.5:1): uid=7 pid=9 comm=610A62 exe=2F6120225C "
				  "arch=c000003e syscall=79 code=0x80000000";
	ok(cage_denial_parse(hex, strlen(hex), &d) == 1 && !strcmp(d.comm, "a\\x0ab") && !strcmp(d.exe, "/a \"\\x5c"),
	   "hex-encoded names are decoded and kept printable (%s, %s)", d.comm, d.exe);
	is_str(cage_denial_action(d.code, act, sizeof(act)), "killed (process)", "... SECCOMP_RET_KILL_PROCESS");
	static const char other[] = "audit: type=1400 audit(1.0:1): apparmor=\"DENIED\" uid=0 pid=1";
	ok(cage_denial_parse(other, strlen(other), &d) == 0, "another audit line is not a denial");
	static const char cut[] = "audit: type=1326 audit(1796313768.615:140): uid=2301 pid=1 arch=c000003e syscall=2";
	ok(cage_denial_parse(cut, strlen(cut), &d) == 0, "a line cut short (no code=) is not taken");
	static const char supp[] = "4,99,1,-;kauditd_printk_skb: 12 callbacks suppressed\n";
	ok(cage_denial_suppressed(supp, strlen(supp)) == 12 && cage_denial_suppressed(kmsg, strlen(kmsg)) == 0,
	   "the kernel's rate limit: 12 lines suppressed");
}

int main(void)
{
	test_denials();
	test_learning_compile();
	test_record();
	test_learning_filter();
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
