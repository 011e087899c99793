/* pam_cagefs.so: a PAM session module that puts every session of a caged
 * user in the user's cage (issue 11; manual: "PAM Configuration"):
 *
 *   session required pam_cagefs.so [MIN_UID [CAGEFS]] [min_uid=N] [cagefs=0|1] [debug] [-c CONTROLLERS]
 *
 * MIN_UID and CAGEFS are the manual's positional form (pam_lve.so 100 1):
 * users below MIN_UID pass untouched, CAGEFS 0 turns the module off.  Who
 * is caged is the library's decision (cage_user_decide), never this
 * module's.  A user who is not caged passes untouched, with PAM_SUCCESS (not
 * PAM_IGNORE: a session stack of this module alone would then deny).  A
 * caged user whose cage cannot be entered, or whose decision cannot be
 * made, is refused with PAM_PERM_DENIED (REFUSED below) and a pam_syslog
 * line: never an uncaged session (docs/ARCHITECTURE.md §4.16).  Runs
 * inside sshd, cron, su, sudo and vsftpd: no exit(), no openlog(), no state
 * kept in globals between open and close, no SIGCHLD of its own children
 * reaching the service (chld_hold); only pam_sm_* are exported.
 *
 * -c CONTROLLERS is pam_cgfs(8)'s option, two words as its synopsis has it:
 * the session gets a writable cgroup user/USER/N in each hierarchy named,
 * removed at close (cagefs/session_cgroup.h, §4.16).  The module only
 * parses it; what it means is the library's. */
#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/wait.h>

#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "cagefs/cage.h"
#include "cagefs/log.h"
#include "cagefs/paths.h"
#include "cagefs/session_cgroup.h"

#define PUBLIC __attribute__((visibility("default")))

struct options {
	unsigned long min_uid;
	bool cagefs;
	bool debug;
	const char *cgroups; /* -c's list, or NULL */
	char bad[256]; /* what is wrong with the first argument not understood */
};

#define CG_DATA "cagefs_session_cgroups"

/* Every refusal.  Not PAM_SESSION_ERR: sudo takes that one for a
 * non-fatal error and runs the command anyway (uncaged), while it, sshd,
 * cron, su and vsftpd all refuse the session on PAM_PERM_DENIED, the code
 * pam_limits gives for a session it will not allow (docs/ARCHITECTURE.md
 * §4.16, "Why PAM_PERM_DENIED"). */
#define REFUSED PAM_PERM_DENIED
#define USAGE "(pam_cagefs.so [MIN_UID [0|1]] [min_uid=N] [cagefs=0|1] [debug] [-c CONTROLLERS])"

static bool number(const char *s, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-')
		return false;
	*out = v;
	return true;
}

static void parse(int argc, const char **argv, struct options *o)
{
	*o = (struct options){.min_uid = 0, .cagefs = true};
	int positional = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		unsigned long v;
		if (!strcmp(a, "debug"))
			o->debug = true;
		else if (!strcmp(a, "-c") && i + 1 < argc && !o->cgroups)
			o->cgroups = argv[++i];
		else if (!strcmp(a, "-c") || !strncmp(a, "-c", 2)) {
			/* pam_cgfs(8)'s synopsis: -c and its list, two words */
			if (!o->bad[0])
				snprintf(o->bad, sizeof(o->bad), "%s", i + 1 == argc && !strcmp(a, "-c")
					 ? "-c needs a list of controllers (-c freezer,memory or -c all)"
					 : !strcmp(a, "-c") ? "-c given twice"
					 : "-c takes its list as the next word (-c freezer,memory), as in pam_cgfs(8)");
		}
		else if (!strncmp(a, "min_uid=", 8) && number(a + 8, &v))
			o->min_uid = v;
		else if (!strncmp(a, "cagefs=", 7) && number(a + 7, &v) && v <= 1)
			o->cagefs = v;
		else if (positional == 0 && number(a, &v) && ++positional)
			o->min_uid = v;
		else if (positional == 1 && number(a, &v) && v <= 1 && ++positional)
			o->cagefs = v;
		else if (!o->bad[0])
			snprintf(o->bad, sizeof(o->bad), "unknown option '%.120s' " USAGE, a);
	}
}

/* The library's messages go to pam_syslog while the module runs. */
static void to_pam_syslog(int prio, const char *msg, void *data)
{
	pam_syslog((pam_handle_t *)data, prio, "%s", msg);
}

static void drop_cgroups(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh, (void)status;
	cage_session_cg_free(data); /* fds and memory only: pam_end in a forked copy too */
}

/* The session's cgroups (-c), remembered for close with pam_set_data. */
static int keep_cgroups(pam_handle_t *pamh, const char *user, struct cage_session_cg *cg, const struct options *o)
{
	if (pam_set_data(pamh, CG_DATA, cg, drop_cgroups) != PAM_SUCCESS) {
		cage_session_cg_close(cg);
		cage_session_cg_free(cg);
		pam_syslog(pamh, LOG_ERR, "%s: refused: pam_set_data failed", user);
		return REFUSED;
	}
	if (o->debug) {
		char where[1024];
		cage_session_cg_describe(cg, where, sizeof(where));
		pam_syslog(pamh, LOG_DEBUG, "%s: session cgroups %s", user, where);
	}
	return PAM_SUCCESS;
}

/* The library does it all, in its order (limits, -c cgroups, the cage). */
static int join(pam_handle_t *pamh, const char *user, const struct options *o)
{
	struct cage_paths p;
	cage_paths_default(&p);
	cage_err_t err = {0};
	char why[256] = "";
	struct cage_session_cg *cg = NULL;
	cage_log_set_callback(to_pam_syslog, pamh);
	int rc = cage_session_join(&p, user, o->cgroups, &cg, why, sizeof(why), &err);
	cage_log_set_callback(NULL, NULL); /* no pamh kept past this call */
	if (rc < 0) {
		pam_syslog(pamh, LOG_ERR, "%s", err.msg);
		return REFUSED;
	}
	if (o->debug)
		pam_syslog(pamh, LOG_DEBUG, rc ? "%s: in the cage" : "%s: not caged: %s", user, why);
	return cg ? keep_cgroups(pamh, user, cg, o) : PAM_SUCCESS; /* joined, or not caged: untouched */
}

/* The library forks while the module works (the cage's builder, the -c
 * helper) and reaps its own children; the service must not hear of them.
 * vsftpd's SIGCHLD handler reaps any child with wait(-1): it took the
 * builder, or blocked for good waiting for its pre-login process, which
 * waited for the login's answer (docs/ARCHITECTURE.md §4.16, vsftpd).  So
 * SIGCHLD is held while the module works; afterwards the one SIGCHLD
 * pending (a standard signal does not queue) is taken back unless one was
 * pending before, and raised again when a child of the service's own is
 * waiting, so no news of its children is lost. */
struct chld_hold {
	sigset_t old;
	bool was_pending;
};

static void chld_hold(struct chld_hold *h)
{
	sigset_t chld, pending;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	h->was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &h->old);
}

static void chld_release(const struct chld_hold *h)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	const struct timespec now = {0, 0};
	if (!h->was_pending && sigtimedwait(&chld, NULL, &now) == SIGCHLD) {
		siginfo_t si = {0};
		if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) == 0 && si.si_pid)
			raise(SIGCHLD); /* the service's own child: pending until the mask is back */
	}
	sigprocmask(SIG_SETMASK, &h->old, NULL);
}

PUBLIC int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	struct options o;
	parse(argc, argv, &o);
	const char *user = NULL;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user || !*user) {
		pam_syslog(pamh, LOG_ERR, "cannot tell the user: session refused");
		return REFUSED;
	}
	struct passwd pw, *found = NULL;
	char buf[4096];
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &found) != 0 || !found) {
		pam_syslog(pamh, LOG_ERR, "%s: not in the user database: session refused", user);
		return REFUSED;
	}
	if (pw.pw_uid == 0) /* root is never caged, even when the options are broken */
		return PAM_SUCCESS;
	if (o.bad[0]) {
		pam_syslog(pamh, LOG_ERR, "%s: refused: %s", user, o.bad);
		return REFUSED;
	}
	cage_err_t err = {0};
	if (o.cgroups && cage_session_cg_check(o.cgroups, &err) < 0) {
		pam_syslog(pamh, LOG_ERR, "%s: refused: %s", user, err.msg);
		return REFUSED;
	}
	if (!o.cagefs || pw.pw_uid < o.min_uid)
		return PAM_SUCCESS;
	struct chld_hold hold;
	chld_hold(&hold);
	int rc = join(pamh, user, &o);
	chld_release(&hold);
	return rc;
}

/* A process cannot leave a namespace: what is undone is the session's
 * cgroups (-c), which open remembered with pam_set_data. */
PUBLIC int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags, (void)argc, (void)argv;
	const void *cg = NULL;
	if (pam_get_data(pamh, CG_DATA, &cg) == PAM_SUCCESS && cg) {
		cage_session_cg_close((struct cage_session_cg *)cg);
		pam_set_data(pamh, CG_DATA, NULL, NULL); /* frees it */
	}
	return PAM_SUCCESS;
}
