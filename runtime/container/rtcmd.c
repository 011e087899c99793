/* cagefs-runtime's commands (see cagefs/container.h): what an id names,
 * and state, kill, delete and list, for an ordinary container and a
 * hosting user's cage alike, decided here so that the front-end only
 * parses its arguments (docs/ARCHITECTURE.md §2: one library call per
 * action).
 *
 * Two rules hold for every command.  The state directory is believed only
 * if it is root's own (trust.c, §4.11): a user who wrote it would choose
 * the processes root signals and the hooks root runs.  And what cannot be
 * told is said, never guessed: a caller who may not read the state gets an
 * error, not "stopped" or a silent success. */
#define _GNU_SOURCE
#include "container_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/bundle.h"
#include "cagefs/cage.h"
#include "cagefs/cleanup.h"
#include "cagefs/users.h"

/* 1: ID is an ordinary container's, 0: it is not, -1: that cannot be told
 * (the state directory cannot be read, or is not to be believed). */
static int is_container(const char *root, const char *id, cage_err_t *err)
{
	cage_err_t e = {0};
	_cleanup_close_ int fd = cage_ctr_id_valid(id) ? cage_ctr_open(root, id, &e) : -1;
	if (fd >= 0 || !cage_ctr_id_valid(id) || e.errnum == ENOENT)
		return fd >= 0;
	if (e.errnum != CAGE_ERR_UNTRUSTED)
		cage_err_prefix(&e, "cannot tell whether %s is a container", id);
	if (e.errnum == EACCES && geteuid() != 0) {
		size_t n = strlen(e.msg);
		snprintf(e.msg + n, sizeof(e.msg) - n, " (the runtime's state is root's)");
	}
	if (err)
		*err = e;
	return -1;
}

int cage_rt_which(const struct cage_paths *p, const char *id, bool with_bundle, bool creating,
		  enum cage_rt_kind *kind, cage_err_t *err)
{
	if (cage_ctr_trust_root(p->run, NULL, false, err) < 0)
		return -1;
	int ctr = is_container(p->run, id, err);
	struct cage_user u;
	if (ctr < 0)
		return -1;
	bool user = !ctr && cage_user_lookup(id, &u, NULL) == 0;
	if (user)
		cage_user_free(&u);
	*kind = ctr || (!user && (with_bundle || creating)) ? CAGE_RT_CONTAINER : CAGE_RT_CAGE;
	/* A container named like a user would hide that user's cage from
	 * every command: the name stays the user's. */
	if (user && with_bundle)
		return cage_err_set(err, "%s is a user's name (the id of that user's cage): give the container "
				    "another id", id);
	if (!ctr && !user && !with_bundle && !creating)
		return cage_err_set(err, "no container and no user named %s", id);
	/* A user's pin record is read from the state directory too. */
	char pin[300];
	snprintf(pin, sizeof(pin), "cages/%s.pid", id);
	return *kind == CAGE_RT_CAGE ? cage_ctr_trust_root(p->run, pin, true, err) : 0;
}

/* The cages of hosting users are root's: their pins and namespaces cannot
 * be looked at by anyone else, who would only ever see "no cage". */
static int need_root(const char *user, const char *what, cage_err_t *err)
{
	return geteuid() == 0 ? 0 : cage_err_set(err, "the cage of %s is root's: only root can %s", user, what);
}

/* OCI state of a user's cage: "created" while nothing runs in it. */
static int cage_state(const struct cage_paths *p, const char *user, struct cage_ctr_state *st, cage_err_t *err)
{
	struct cage_user u;
	ino_t ino;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	if (need_root(user, "tell its state", err) < 0 || cage_user_lookup(user, &u, err) < 0)
		return -1;
	st->bundle = cage_bundle_dir(p, u.name, u.uid);
	cage_user_free(&u);
	if (!st->bundle)
		return cage_err_sys(err, ENOMEM, "state");
	if (cage_ns_inode(p, user, &ino, err) < 0 || cage_pids(p, user, &pids, &n, err) < 0)
		return -1;
	st->status = !ino ? CAGE_CTR_STOPPED : n ? CAGE_CTR_RUNNING : CAGE_CTR_CREATED;
	st->pid = n ? pids[0] : 0;
	return 0;
}

/* SIG to the user's processes in the cage (never its pin).  As the
 * runtime-spec asks, an error for a cage that is not there ("stopped"),
 * none for one where nothing runs ("created": nothing to signal). */
static int cage_kill(const struct cage_paths *p, const char *user, int sig, cage_err_t *err)
{
	ino_t ino;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int e = 0;
	if (need_root(user, "signal the processes in it", err) < 0 || cage_ns_inode(p, user, &ino, err) < 0)
		return -1;
	if (!ino)
		return cage_err_set(err, "the cage of %s is not running (stopped)", user);
	if (cage_pids(p, user, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			e = errno;
	return e ? cage_err_sys(err, e, "cannot signal every process in the cage of %s", user) : 0;
}

int cage_rt_state(const struct cage_paths *p, const char *id, struct cage_ctr_state *st, cage_err_t *err)
{
	enum cage_rt_kind k;
	memset(st, 0, sizeof(*st));
	if (cage_rt_which(p, id, false, false, &k, err) < 0)
		return -1;
	return k == CAGE_RT_CONTAINER ? cage_ctr_state(p->run, id, st, err) : cage_state(p, id, st, err);
}

int cage_rt_kill(const struct cage_paths *p, const char *id, int sig, cage_err_t *err)
{
	enum cage_rt_kind k;
	if (cage_rt_which(p, id, false, false, &k, err) < 0)
		return -1;
	return k == CAGE_RT_CONTAINER ? cage_ctr_kill(p->run, id, sig, err) : cage_kill(p, id, sig, err);
}

int cage_rt_delete(const struct cage_paths *p, const char *id, bool force, cage_err_t *err)
{
	enum cage_rt_kind k;
	if (cage_rt_which(p, id, false, false, &k, err) < 0)
		return -1;
	if (k == CAGE_RT_CONTAINER)
		return cage_ctr_delete(p->run, id, force, err);
	/* manual: --remount "will kill all current processes"; so does delete. */
	return need_root(id, "delete it", err) < 0 ? -1 : cage_unmount(p, id, true, err);
}

int cage_rt_list(const struct cage_paths *p, cage_strvec_t *ids, cage_err_t *err)
{
	if (cage_ctr_trust_root(p->run, "cages", false, err) < 0)
		return -1;
	if (cage_list_live(p, ids, err) < 0 || cage_ctr_list(p->run, ids, err) < 0)
		return -1;
	cage_strvec_sort_unique(ids);
	return 0;
}
