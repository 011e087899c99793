/* tmpwatch (manual: "TMP Directories"; docs/ARCHITECTURE.md §4.20): the
 * settings, and one child per user that becomes the user before it looks
 * at anything in the user's home (tmpwalk.c does the walk).  Root never
 * removes anything inside a user-writable tree (§4.6): a child with the
 * user's uid and gid, no supplementary groups, no capabilities,
 * no_new_privs and not dumpable does, so even a mistake here could only do
 * what the user may do to their own files. */
#define _GNU_SOURCE
#include "tmpwatch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/ini.h"
#include "cagefs/safefs.h"

/* ---- the tmpwatch command line (tmpwatch(8)) ---- */

static int short_opts(const char *w, struct cage_tmpwatch_cmd *c, cage_err_t *err)
{
	for (const char *p = w + 1; *p; p++) {
		switch (*p) {
		case 'u': c->atime = true; break;
		case 'm': c->mtime = true; break;
		case 'c': c->ctime = true; break;
		case 'M': c->dirmtime = true; break;
		case 'l': c->nosymlinks = true; break;
		case 'd': c->nodirs = true; break;
		case 'a': c->all = true; break;
		case 'q': case 'v': case 'f': break; /* output, and root's -f: moot as the user */
		default:
			return cage_err_set(err, "tmpwatch option -%c is not supported (only -u -m -c -M -l -d -a -q -v -f)",
					    *p);
		}
	}
	return 0;
}

static const struct { const char *name; char opt; } long_opts[] = {
	{"atime", 'u'}, {"mtime", 'm'}, {"ctime", 'c'}, {"dirmtime", 'M'}, {"nosymlinks", 'l'},
	{"nodirs", 'd'}, {"all", 'a'}, {"quiet", 'q'}, {"verbose", 'v'}, {"force", 'f'},
};

static int one_option(const char *w, struct cage_tmpwatch_cmd *c, cage_err_t *err)
{
	if (w[1] != '-')
		return short_opts(w, c, err);
	for (size_t i = 0; i < sizeof(long_opts) / sizeof(*long_opts); i++)
		if (!strcmp(w + 2, long_opts[i].name)) {
			char s[3] = {'-', long_opts[i].opt, 0};
			return short_opts(s, c, err);
		}
	return cage_err_set(err, "tmpwatch option %s is not supported", w);
}

/* "720", "720h" or "30d". */
static int parse_time(const char *w, time_t *out, cage_err_t *err)
{
	char *end = NULL;
	errno = 0;
	long n = w[0] >= '0' && w[0] <= '9' ? strtol(w, &end, 10) : -1;
	long unit = end && !strcmp(end, "d") ? 86400 : 3600;
	if (n < 0 || errno || (end && *end && strcmp(end, "h") && strcmp(end, "d")) || n > 100L * 366 * 24)
		return cage_err_set(err, "tmpwatch time must be hours (720, 720h) or days (30d): '%.64s'", w);
	*out = (time_t)n * unit;
	return 0;
}

int cage_tmpwatch_cmd_parse(const char *line, struct cage_tmpwatch_cmd *out, cage_err_t *err)
{
	_cleanup_free_ char *copy = strdup(line ? line : "");
	if (!copy)
		return cage_err_sys(err, ENOMEM, "tmpwatch");
	struct cage_tmpwatch_cmd c = {0};
	char *save = NULL;
	const char *prog = strtok_r(copy, " \t", &save);
	const char *base = prog ? strrchr(prog, '/') : NULL;
	base = base ? base + 1 : prog;
	if (!base || strcmp(base, "tmpwatch"))
		return cage_err_set(err, "a tmpwatch command must start with tmpwatch (e.g. '%s'): '%.64s'",
				    CAGE_TMPWATCH_DEFAULT, line ? line : "");
	bool have_time = false;
	for (char *w = strtok_r(NULL, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (have_time)
			return cage_err_set(err, "tmpwatch: no directory may follow the time (the directories "
					    "are /tmp and tmpwatch_dirs of cagefs.ini): '%.64s'", w);
		if (w[0] == '-' && w[1]) {
			if (one_option(w, &c, err) < 0)
				return -1;
		} else if (parse_time(w, &c.max_age, err) < 0) {
			return -1;
		} else {
			have_time = true;
		}
	}
	if (!have_time)
		return cage_err_set(err, "tmpwatch: the time (hours) is missing: '%.64s'", line);
	*out = c;
	return 0;
}

int cage_tmpwatch_set(const struct cage_paths *p, const char *line, cage_err_t *err)
{
	struct cage_tmpwatch_cmd c;
	if (cage_tmpwatch_cmd_parse(line, &c, err) < 0)
		return -1;
	return cage_ini_set_etc(p, "tmpwatch_cmd", line, err);
}

/* ---- settings ---- */

static int ini_error(const struct cage_ini *ini, const char *key, cage_err_t *err)
{
	const struct cage_ini_entry *e = cage_ini_entry(ini, key);
	return cage_err_prefix(err, "%s:%u: %s", ini->file, e ? e->line : 0, key);
}

/* tmpwatch_dirs=/dir1,/dir2: in-cage absolute paths. */
static int load_dirs(const struct cage_ini *ini, cage_strvec_t *dirs, cage_err_t *err)
{
	static const char *const always[] = {"/tmp", "/var/cache/php-eaccelerator"};
	for (size_t i = 0; i < 2; i++)
		if (cage_strvec_push(dirs, always[i]) < 0)
			return cage_err_sys(err, ENOMEM, "tmpwatch_dirs");
	const char *v = cage_ini_get(ini, "tmpwatch_dirs");
	_cleanup_free_ char *copy = strdup(v ? v : "");
	char *save = NULL;
	if (!copy)
		return cage_err_sys(err, ENOMEM, "tmpwatch_dirs");
	for (char *d = strtok_r(copy, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
		while (*d == ' ' || *d == '\t')
			d++;
		for (char *e = d + strlen(d); e > d && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if (!*d)
			continue;
		/* Resolved below ~/.cagefs later, so ".." cannot leave it. */
		_cleanup_free_ char *rel = tw_cage_rel(d);
		if (d[0] != '/' || !rel)
			return cage_err_set(err, "%s:%u: tmpwatch_dirs: '%.64s' is not an absolute directory "
					    "of the cage (nor /)", ini->file,
					    cage_ini_entry(ini, "tmpwatch_dirs")->line, d);
		if (cage_strvec_push(dirs, d) < 0)
			return cage_err_sys(err, ENOMEM, "tmpwatch_dirs");
	}
	return 0;
}

static int load_bool(const struct cage_ini *ini, const char *key, bool dflt, bool *out, cage_err_t *err)
{
	const char *v = cage_ini_get(ini, key);
	static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
	*out = dflt;
	for (size_t i = 0; v && i < 4; i++) {
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*out = !strcasecmp(v, yes[i]);
			return 0;
		}
	}
	return v ? cage_err_set(err, "%s:%u: %s must be true or false: '%.64s'", ini->file,
				cage_ini_entry(ini, key)->line, key, v) : 0;
}

int cage_tmpwatch_conf_load(const struct cage_paths *p, struct cage_tmpwatch_conf *c, cage_err_t *err)
{
	memset(c, 0, sizeof(*c));
	struct cage_ini ini = {0};
	int rc = cage_ini_load_etc(p, &ini, err);
	if (rc == 0) {
		const char *cmd = cage_ini_get(&ini, "tmpwatch_cmd");
		if (cage_tmpwatch_cmd_parse(cmd ? cmd : CAGE_TMPWATCH_DEFAULT, &c->cmd, err) < 0)
			rc = ini_error(&ini, "tmpwatch_cmd", err);
	}
	if (rc == 0)
		rc = load_dirs(&ini, &c->dirs, err);
	if (rc == 0)
		rc = load_bool(&ini, "clean_user_php_sessions", true, &c->php_sessions, err);
	if (rc == 0 && c->php_sessions)
		rc = cage_php_sessdirs_load(&c->sess, &c->php_errors, err);
	cage_ini_free(&ini);
	if (rc < 0)
		cage_tmpwatch_conf_free(c);
	return rc;
}

void cage_tmpwatch_conf_free(struct cage_tmpwatch_conf *c)
{
	cage_strvec_free(&c->dirs);
	cage_php_sessdirs_free(&c->sess);
	cage_strvec_free(&c->php_errors);
}

/* ---- one user ---- */

/* The child: become the user for good, then walk.  Only the report pipe
 * (fd 3) is kept, and /dev/null as 0-2: no fd of root's (the lock, config
 * dirs, root's terminal or log) reaches it. */
static void child_main(const struct cage_tmpwatch_conf *c, const struct cage_user *u, int out)
{
	struct tw_report rep = {0};
	/* Root's stdin, stdout and stderr (a terminal, a log) are not the
	 * user's: /dev/null replaces them. */
	if (dup2(out, 3) < 0)
		_exit(120);
	int null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
	    syscall(SYS_close_range, 4, ~0U, 0) < 0)
		_exit(120);
	if (setgroups(0, NULL) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || chdir("/") < 0) {
		snprintf(rep.msg, sizeof(rep.msg), "cannot become uid %u gid %u: %s", (unsigned)u->uid,
			 (unsigned)u->gid, strerror(errno));
	} else {
		umask(077);
		tw_clean_home(c, u->home, time(NULL), &rep);
	}
	ssize_t n = write(3, &rep, sizeof(rep));
	_exit(n == (ssize_t)sizeof(rep) ? 0 : 121);
}

/* Wait for the child, killing it if the user stops it (a stopped cleaner
 * would hold up every user after this one) or it runs too long.  Returns
 * the wait status, or -1 with WHY set. */
static int wait_child(pid_t pid, const char **why)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	time_t start = time(NULL);
	for (;;) {
		struct pollfd x = {.fd = pfd, .events = POLLIN};
		if (pfd >= 0)
			poll(&x, 1, 1000);
		else
			usleep(100000);
		siginfo_t si = {0};
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WSTOPPED | WNOHANG) == 0 && si.si_pid == pid) {
			if (si.si_code == CLD_STOPPED) {
				*why = "stopped by a signal (killed)";
				break;
			}
			if (pfd >= 0)
				close(pfd);
			return si.si_code == CLD_EXITED ? W_EXITCODE(si.si_status, 0) : si.si_status;
		}
		if (time(NULL) - start > CAGE_TMPWATCH_TIMEOUT) {
			*why = "ran longer than an hour (killed)";
			break;
		}
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (pfd >= 0)
		close(pfd);
	return -1;
}

/* A cleaner the user stopped or killed, or trouble met inside the home,
 * is the user's own (a warning for a batch); one that could not become
 * the user is not. */
static int report_error(const struct tw_report *rep, int status, const char *why, const struct cage_user *u,
			cage_err_t *err)
{
	if (!why && WIFSIGNALED(status))
		why = strsignal(WTERMSIG(status));
	if (why) {
		cage_err_set(err, "%s: the cleaner stopped early: %s", u->name, why);
		return cage_err_user_own(err);
	}
	if (!rep->done)
		return cage_err_set(err, "%s: %s", u->name, rep->msg[0] ? rep->msg : "the cleaner failed");
	cage_err_set(err, "%s: %s", u->name, rep->msg);
	return cage_err_user_own(err);
}

int cage_tmpwatch_user(const struct cage_tmpwatch_conf *c, const struct cage_user *u,
		       struct cage_tmpwatch_result *r, cage_err_t *err)
{
	memset(r, 0, sizeof(*r));
	if (u->uid == 0 || u->gid == 0)
		return cage_err_set(err, "%s: refusing to clean as uid or gid 0", u->name);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return cage_err_sys(err, errno, "%s: pipe", u->name);
	fflush(NULL); /* nothing buffered is written twice */
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return cage_err_sys(err, errno, "%s: fork", u->name);
	}
	if (pid == 0)
		child_main(c, u, fds[1]);
	close(fds[1]);
	const char *why = NULL;
	int status = wait_child(pid, &why);
	struct tw_report rep = {0};
	if (read(fds[0], &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		memset(&rep, 0, sizeof(rep));
	close(fds[0]);
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	*r = rep.r;
	if (why || status != 0 || !rep.done || rep.own)
		return report_error(&rep, status, why, u, err);
	return 0;
}
