/* The manual's check 5, "Check cagefs users can enter cagefs": the first
 * two users with CageFS enabled log in, and what they run must answer
 * their name, from inside their own cage (docs/ARCHITECTURE.md §4.19).
 * The manual runs `su -l "$USER" -s /bin/bash -c "whoami"`; here the
 * command also prints its mount namespace, compared with the one of the
 * user's pin, since a login that ran uncaged answers "whoami" as well.
 * With pam_cagefs.so in su's session stack this is a real PAM login (the
 * way in of every service, §4.16); without it su would run the user
 * uncaged, and the entry of cagefs_enter_user (cage_enter) is taken
 * instead.  A cage the check had to build is dropped afterwards: the check
 * leaves nothing behind. */
#define _GNU_SOURCE
#include "sanity_internal.h"
#include "runtime/cage/cage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cagefs/cage.h"
#include "cagefs/cleanup.h"
#include "cagefs/users.h"

#define LOGIN_CMD "whoami; readlink /proc/self/ns/mnt"
#define LOGIN_TIMEOUT_MS 60000 /* a login that takes longer is taken for hung */
#define LOGIN_USERS 2          /* the manual: the first and the second one */
#define OUTPUT_MAX 4096

struct login {
	const char *user;
	bool via_pam;
	char out[OUTPUT_MAX]; /* stdout and stderr together, as the manual shows them */
	int status;           /* waitpid's; -1: timed out */
};

static const char *su_path(void)
{
	return access("/bin/su", X_OK) == 0 ? "/bin/su" : "/usr/bin/su";
}

/* In the child: the login, its stdout and stderr on FD, no stdin. */
static void __attribute__((noreturn)) login_child(const struct cage_paths *p, const struct login *l, int fd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	setpgid(0, 0);
	if (null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	if (l->via_pam) {
		execl(su_path(), "su", "-l", l->user, "-s", "/bin/bash", "-c", LOGIN_CMD, (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", su_path(), strerror(errno));
		_exit(127);
	}
	static char bash[] = "/bin/bash", dash_c[] = "-c", cmd[] = LOGIN_CMD;
	char *argv[] = {bash, dash_c, cmd, NULL};
	struct cage_enter_opts o = {.argv = argv, .on_behalf = true};
	cage_err_t e = {0};
	cage_enter(p, l->user, &o, &e);
	fprintf(stderr, "%s\n", e.msg);
	_exit(127);
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* Read the child's output until it closes it or the time is up. */
static bool collect(int fd, char *out, size_t size)
{
	size_t len = 0;
	long deadline = now_ms() + LOGIN_TIMEOUT_MS;
	for (;;) {
		struct pollfd w = {.fd = fd, .events = POLLIN};
		long left = deadline - now_ms();
		int r = left > 0 ? poll(&w, 1, (int)left) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		char buf[512];
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k <= 0)
			return true;
		size_t take = (size_t)k < size - 1 - len ? (size_t)k : size - 1 - len;
		memcpy(out + len, buf, take);
		len += take;
		out[len] = '\0';
	}
	return false;
}

static int run_login(const struct cage_paths *p, struct login *l, cage_err_t *err)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return cage_err_sys(err, errno, "pipe");
	pid_t pid = fork();
	if (pid == 0)
		login_child(p, l, pfd[1]);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return cage_err_sys(err, errno, "fork");
	}
	setpgid(pid, pid); /* both sides: no race with the child's own */
	bool done = collect(pfd[0], l->out, sizeof(l->out));
	close(pfd[0]);
	if (!done)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &l->status, 0) < 0 && errno == EINTR)
		;
	if (!done)
		l->status = -1;
	return 0;
}

/* The output on one line, for the report. */
static void one_line(char *s)
{
	size_t len = strlen(s);
	while (len && s[len - 1] == '\n')
		s[--len] = '\0';
	for (char *c = s; *c; c++)
		if (*c == '\n')
			*c = '|';
		else if ((unsigned char)*c < ' ')
			*c = '?';
}

/* Did the login answer USER from inside the cage of namespace NS? */
static bool answered(struct login *l, ino_t ns)
{
	char want[512];
	snprintf(want, sizeof(want), "%s\nmnt:[%llu]\n", l->user, (unsigned long long)ns);
	size_t wl = strlen(want), ol = strlen(l->out);
	return l->status == 0 && ns && ol >= wl && !strcmp(l->out + ol - wl, want) &&
	       (ol == wl || l->out[ol - wl - 1] == '\n');
}

static void report(struct login *l, bool ok, ino_t ns, struct sanity_note *n)
{
	const char *how = l->via_pam ? "su -l (PAM)" : "cagefs_enter_user";
	if (ok) {
		sanity_say(n, "%s: logged in through %s, in the user's cage", l->user, how);
		return;
	}
	one_line(l->out);
	char st[64];
	if (l->status == -1)
		snprintf(st, sizeof(st), "no answer in %d s", LOGIN_TIMEOUT_MS / 1000);
	else if (WIFEXITED(l->status))
		snprintf(st, sizeof(st), "exit status %d", WEXITSTATUS(l->status));
	else
		snprintf(st, sizeof(st), "killed by signal %d", WTERMSIG(l->status));
	sanity_say(n, "%s: through %s: %s, %s; output: %s", l->user, how, st,
		   ns ? "not answered from the user's cage" : "no cage of the user's", l->out);
}

/* Has USER a cage now?  Its recorded pin, or one whose record was lost
 * (which an entry adopts, §4.3: not a cage the check made). */
static bool has_cage(const struct cage_paths *p, const char *user)
{
	ino_t ns = 0;
	struct cage_pin_found *pins = NULL;
	size_t np = 0;
	cage_err_t e = {0};
	cage_ns_inode(p, user, &ns, &e);
	if (!ns && cage_pins_scan(user, &pins, &np, &e) < 0)
		return true; /* when in doubt, never drop it */
	free(pins);
	return ns || np;
}

/* One user: log in, compare, drop a cage this made.  1 ok, 0 failed. */
static int login_one(const struct cage_paths *p, const char *user, bool via_pam, struct sanity_note *n,
		     cage_err_t *err)
{
	struct login l = {.user = user, .via_pam = via_pam};
	ino_t after = 0;
	bool before = has_cage(p, user);
	if (run_login(p, &l, err) < 0)
		return -1;
	cage_ns_inode(p, user, &after, err);
	bool ok = answered(&l, after);
	report(&l, ok, after, n);
	cage_err_t e = {0};
	if (!before && after && cage_unmount(p, user, true, &e) < 0)
		sanity_say(n, "%s: cannot drop the cage the check built: %s", user, e.msg);
	return ok;
}

/* Is the module in the stack `su -l` uses (su-l where there is one)? */
static int su_has_module(cage_err_t *err)
{
	bool missing;
	char control[128];
	int r = sanity_pam_module("su-l", &missing, control, sizeof(control), err);
	return missing ? sanity_pam_module("su", &missing, control, sizeof(control), err) : r;
}

int sanity_login(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	cage_err_t e = {0};
	_cleanup_strvec_ cage_strvec_t enabled = {0};
	int on = cage_global_get(p, &e);
	if (on == 0) {
		sanity_say(n, "CageFS is disabled (cagefsctl --enable-cagefs)");
		return CAGE_SANITY_SKIPPED;
	}
	if (on < 0 || cage_users_list(p, &enabled, NULL, &e) < 0) {
		sanity_say(n, "who is caged cannot be told: %s", e.msg);
		return CAGE_SANITY_FAILED;
	}
	if (!enabled.n) {
		sanity_say(n, "no user with CageFS enabled");
		return CAGE_SANITY_SKIPPED;
	}
	int pam = su_has_module(err);
	if (pam < 0)
		return -1;
	int failed = 0;
	for (size_t i = 0; i < enabled.n && i < LOGIN_USERS; i++) {
		int r = login_one(p, enabled.v[i], pam == 1, n, err);
		if (r < 0)
			return -1;
		failed += !r;
	}
	return failed ? CAGE_SANITY_FAILED : CAGE_SANITY_OK;
}
