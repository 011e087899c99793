/* Learning mode's commands (cagefs/learn.h, docs/ARCHITECTURE.md §4.25):
 * start a supervisor, stop it, reach it from an entry, report what it saw.
 *
 * Where things are: the supervisor listens on RUN/seccomp-learn/USER.sock
 * (a root-only directory: only root processes, an entry before it drops
 * privileges or a PAM module, can hand it a filter); it writes what it saw
 * to VAR/seccomp-learn/USER.json; the report proposes
 * ETC/seccomp.proposed/USER. */
#define _GNU_SOURCE
#include "cagefs/learn.h"
#include "cage_internal.h"
#include "learn_internal.h"
#include "runtime/oci/oci_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"
#include "cagefs/users.h"

int learn_path(const struct cage_paths *p, enum learn_file f, const char *user, char *buf, size_t size)
{
	static const struct {
		const char *dir, *suffix; /* suffix NULL: the directory itself */
	} t[] = {
		[LEARN_DIR] = {"seccomp-learn", NULL},       [LEARN_SOCK] = {"seccomp-learn", ".sock"},
		[LEARN_RECORD_DIR] = {"seccomp-learn", NULL}, [LEARN_RECORD] = {"seccomp-learn", ".json"},
		[LEARN_PROPOSAL_DIR] = {"seccomp.proposed", NULL}, [LEARN_PROPOSAL] = {"seccomp.proposed", ""},
		[LEARN_OVERRIDE] = {"seccomp.d", ""},
	};
	const char *base = f <= LEARN_SOCK ? p->run : f <= LEARN_RECORD ? p->var : p->etc;
	int n = t[f].suffix ? snprintf(buf, size, "%s/%s/%s%s", base, t[f].dir, user, t[f].suffix)
			    : snprintf(buf, size, "%s/%s", base, t[f].dir);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The socket's address; -1 when the path does not fit (sun_path is 108
 * bytes: then that user cannot learn, and says so at start). */
static int sock_addr(const struct cage_paths *p, const char *user, struct sockaddr_un *a)
{
	*a = (struct sockaddr_un){ .sun_family = AF_UNIX };
	return learn_path(p, LEARN_SOCK, user, a->sun_path, sizeof(a->sun_path));
}

int cage_learn_connect(const struct cage_paths *p, const char *user)
{
	struct sockaddr_un a;
	if (sock_addr(p, user, &a) < 0)
		return -1;
	/* Non-blocking: a supervisor that is not accepting must not hold up a
	 * login; the entry then gets the enforcing filter. */
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	struct timeval t = { .tv_sec = 2 };
	if (fcntl(fd, F_SETFL, 0) < 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof(t)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The user's filter as their entries get it, checked to compile for
 * learning (an entry must never find out it cannot). */
int learn_profile(const struct cage_paths *p, const struct cage_user *u, struct cage_oci *oci,
		  struct timespec *mtime, cage_err_t *err)
{
	if (cage_bundle_config(p, u, oci, mtime, err) < 0)
		return -1;
	if (!oci->seccomp)
		return cage_err_set(err, "%s: the cage has no seccomp filter (config.json has no linux.seccomp): "
				    "nothing to learn", u->name);
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	if (cage_seccomp_compile_learning(oci->seccomp, &ctx, err) < 0)
		return cage_err_prefix(err, "%s: learning filter", u->name);
	return 0;
}

/* Bound and listening before the command returns: an entry right after
 * it is queued, not turned away.  Bound under a temporary name and
 * renamed, so an entry never connects to a half-made socket. */
static int listen_on(const struct cage_paths *p, const char *user, cage_err_t *err)
{
	struct sockaddr_un a, tmp = { .sun_family = AF_UNIX };
	char dir[4096];
	if (sock_addr(p, user, &a) < 0 || learn_path(p, LEARN_DIR, user, dir, sizeof(dir)) < 0 ||
	    snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s/.new.%d", dir, getpid()) >= (int)sizeof(tmp.sun_path))
		return cage_err_set(err, "%s: the socket path under %s is too long", user, p->run);
	if (mkdir(p->run, 0755) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "%s", p->run);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "%s", dir);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	unlink(tmp.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&tmp, sizeof(tmp)) < 0 || listen(fd, 128) < 0 ||
	    rename(tmp.sun_path, a.sun_path) < 0) {
		int e = errno;
		unlink(tmp.sun_path);
		if (fd >= 0)
			close(fd);
		return cage_err_sys(err, e, "%s", a.sun_path);
	}
	return fd;
}

static int learning_now(const struct cage_paths *p, const char *user)
{
	int fd = cage_learn_connect(p, user);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int start_for(const struct cage_paths *p, const struct cage_user *u, unsigned seconds, time_t *until,
		     cage_err_t *err)
{
	struct cage_decision d;
	int caged = cage_user_decide(p, u, &d, err);
	if (caged <= 0)
		return caged < 0 ? -1 : cage_err_set(err, "%s is not caged: %s", u->name, d.why);
	_cleanup_oci_ struct cage_oci oci = {0};
	struct timespec mtime;
	if (learn_profile(p, u, &oci, &mtime, err) < 0)
		return -1;
	if (learning_now(p, u->name))
		return cage_err_set(err, "%s is already in learning mode (cagefsctl --seccomp-learn-stop %s ends it)",
				    u->name, u->name);
	int fd = listen_on(p, u->name, err);
	if (fd < 0)
		return -1;
	*until = time(NULL) + seconds;
	int rc = learn_supervise(p, u, fd, *until, err);
	struct sockaddr_un a;
	if (rc < 0 && sock_addr(p, u->name, &a) == 0)
		unlink(a.sun_path);
	close(fd);
	return rc;
}

int cage_learn_start(const struct cage_paths *p, const char *user, unsigned seconds, time_t *until,
		     cage_err_t *err)
{
	if (seconds == 0 || seconds > CAGE_LEARN_MAX_SECONDS)
		return cage_err_set(err, "learning lasts 1 to %d seconds", CAGE_LEARN_MAX_SECONDS);
	struct cage_user u;
	if (cage_user_lookup(user, &u, err) < 0)
		return -1;
	int rc = start_for(p, &u, seconds, until, err);
	cage_user_free(&u);
	return rc;
}

int cage_learn_stop(const struct cage_paths *p, const char *user, cage_err_t *err)
{
	int fd = cage_learn_connect(p, user);
	if (fd < 0)
		return cage_err_set(err, "%s is not in learning mode", user);
	char cmd = 'S', got;
	if (send(fd, &cmd, 1, MSG_NOSIGNAL) != 1) {
		close(fd);
		return cage_err_sys(err, errno, "%s: cannot reach the learning supervisor", user);
	}
	/* The supervisor closes this connection last, after the record. */
	struct pollfd pf = { fd, POLLIN, 0 };
	int rc = poll(&pf, 1, 10000);
	ssize_t n = rc > 0 ? recv(fd, &got, 1, 0) : -1;
	int e = errno;
	close(fd);
	/* A supervisor with no room for one more client closes the connection
	 * unread: a reset (or an end of file had it closed before our 'S'),
	 * while it goes on.  Said as such, never as "ended" (1100 entries of
	 * a user that never exit filled it, attack-seccomp-learn.t); and an
	 * end is believed only once its socket is gone, which an ending
	 * supervisor removes first. */
	if (rc > 0 && n < 0)
		return cage_err_sys(err, e, "%s: the learning supervisor dropped the stop (too busy?): try again", user);
	if (n != 0)
		return cage_err_set(err, "%s: the learning supervisor did not end within 10 s", user);
	if (learning_now(p, user))
		return cage_err_set(err, "%s: the learning supervisor is still running: try again", user);
	return 0;
}

static int read_optional(const char *path, size_t max, char **out, size_t *len, cage_err_t *err)
{
	*out = NULL;
	*len = 0;
	struct stat st;
	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	return cage_read_file(path, max, out, len, err);
}

static int write_proposal(const struct cage_paths *p, const char *user, const struct cage_seccomp_record *rec,
			  char **where, cage_err_t *err)
{
	char path[4096], dir[4096];
	_cleanup_free_ char *cur = NULL, *text = NULL;
	size_t len;
	if (learn_path(p, LEARN_OVERRIDE, user, path, sizeof(path)) < 0 ||
	    learn_path(p, LEARN_PROPOSAL_DIR, user, dir, sizeof(dir)) < 0)
		return cage_err_set(err, "%s: path too long", user);
	if (read_optional(path, CAGE_SECCOMP_MAX_FILE, &cur, &len, err) < 0 ||
	    cage_seccomp_proposal(rec, user, cur, len, &text, err) < 0)
		return -1;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "%s", dir);
	if (learn_path(p, LEARN_PROPOSAL, user, path, sizeof(path)) < 0 ||
	    cage_write_atomic(path, text, strlen(text), 0644, err) < 0)
		return -1;
	*where = strdup(path);
	return *where ? 0 : cage_err_sys(err, ENOMEM, "path");
}

int cage_learn_report(const struct cage_paths *p, const char *user, struct cage_seccomp_record *rec, bool *active,
		      char **proposal, cage_err_t *err)
{
	char path[4096];
	_cleanup_free_ char *text = NULL;
	size_t len;
	*proposal = NULL;
	*rec = (struct cage_seccomp_record){0};
	if (learn_path(p, LEARN_RECORD, user, path, sizeof(path)) < 0)
		return cage_err_set(err, "%s: path too long", user);
	/* The record's own bound, not a profile's: what the supervisor wrote
	 * for a user who filled it is up to CAGE_SECCOMP_MAX_RECORD. */
	if (read_optional(path, CAGE_SECCOMP_MAX_RECORD, &text, &len, err) < 0)
		return -1;
	if (!text)
		return cage_err_set(err, "%s has no learning record: start one with cagefsctl --seccomp-learn %s",
				    user, user);
	if (cage_seccomp_record_parse(text, len, path, rec, err) < 0)
		return -1;
	*active = learning_now(p, user);
	if (rec->n && write_proposal(p, user, rec, proposal, err) < 0) {
		cage_seccomp_record_free(rec);
		return -1;
	}
	return 0;
}

int cage_learn_forget(const struct cage_paths *p, const char *name, cage_err_t *err)
{
	int found = learning_now(p, name);
	if (found && cage_learn_stop(p, name, err) < 0)
		return -1;
	static const enum learn_file files[] = { LEARN_RECORD, LEARN_PROPOSAL };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4096];
		if (learn_path(p, files[i], name, path, sizeof(path)) < 0)
			return cage_err_set(err, "%s: path too long", name);
		if (unlink(path) == 0)
			found = 1;
		else if (errno != ENOENT)
			return cage_err_sys(err, errno, "%s", path);
	}
	return found;
}
