/* Session cgroups with pam_cgfs(8)'s semantics, for pam_cagefs.so's -c
 * (issue 11; docs/ARCHITECTURE.md §4.16).
 *
 * pam_cgfs(8): "The cgroup created user/$user/n will be for the nth
 * session under cgroup kernel controller hierarchy"; a systemd session
 * scope the process is already in (user.slice/user-UID.slice/
 * session-N.scope, UID the user's) is kept and chowned instead; "all" with
 * other controllers is an error.  Unlike pam_cgfs, the session's cgroup is
 * made below the process's current cgroup, not after moving it to the
 * hierarchy's root: a service run in a cgroup of its own (a container's
 * delegated tree, a service unit) keeps containing and accounting its
 * sessions, and nothing is ever made above where the service was put.  A
 * current cgroup that is itself a session's (it holds /user/: su - from a
 * session) gives way to the base that session was made in, as in pam_cgfs,
 * so su does not nest user/a/0/user/b/0.
 *
 * The hierarchies are the process's own, from /proc/self/cgroup
 * (runtime/oci/cgroup.c: v1, hybrid, unified).  Removal at close cannot be
 * done by the session process itself once it has joined a cage: its
 * Landlock domain forbids every rmdir outside the cage (§4.15).  So open
 * starts a helper, outside the cage and outside the session's cgroups,
 * that waits for the session to end (a pipe closing) and removes then what
 * open made, where empty; close moves the process back (a cgroup.procs
 * opened at open) and waits for the helper. */
#define _GNU_SOURCE
#include "cagefs/session_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"
#include "cagefs/strvec.h"
#include "runtime/oci/cgroup.h"

#define MAX_SESSIONS 100000 /* N is looked for below this */

struct sess_h {
	char dir[4096];  /* the session's cgroup: mount + path */
	char rel[600];   /* user/USER/N, below base (made here) */
	int base;        /* the directory user/ is in; -1: a systemd scope kept */
	int back;        /* cgroup.procs of where the process was (O_WRONLY) */
	int parents;     /* of user/USER and user/, how many this session made */
	int made;        /* 1: N made; 2: and user/USER; 3: and user/ */
};

struct cage_session_cg {
	size_t n;
	struct sess_h h[CAGE_CG_HIERARCHIES_MAX];
	int go;   /* write end: closed at close, and the helper removes */
	int done; /* read end: EOF once the helper is finished */
};

static bool all_of(const char *s, const char *chars)
{
	return *s && strspn(s, chars) == strlen(s);
}

#define LOWER "abcdefghijklmnopqrstuvwxyz0123456789_"
#define NAMED LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-"

/* One item of the list, as it is matched against /proc/self/cgroup
 * ("memory", "name=systemd"), into OUT. */
static int parse_item(const char *item, char *out, size_t size, cage_err_t *err)
{
	const char *named = !strncmp(item, "name=", 5) ? item + 5 : !strncmp(item, "named=", 6) ? item + 6 : NULL;
	if (!*item)
		return cage_err_set(err, "an empty controller name");
	if (named ? !all_of(named, NAMED) || strlen(named) > 64 : !all_of(item, LOWER) || strlen(item) > 31)
		return cage_err_set(err, "'%s' is not a controller name (kernel controllers such as memory, "
				    "named hierarchies as name=NAME, or all)", item);
	snprintf(out, size, named ? "name=%s" : "%s", named ? named : item);
	return 0;
}

static int parse_list(const char *list, cage_strvec_t *names, bool *all, cage_err_t *err)
{
	*all = false;
	if (!list || !*list)
		return cage_err_set(err, "-c needs a list of controllers (-c freezer,memory or -c all)");
	for (const char *p = list;; p++) {
		size_t n = strcspn(p, ",");
		char item[80], name[80];
		if (n >= sizeof(item))
			return cage_err_set(err, "-c %s: a controller name too long", list);
		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		if (!strcmp(item, "all"))
			*all = true;
		else if (parse_item(item, name, sizeof(name), err) < 0)
			return cage_err_prefix(err, "-c %s", list);
		else if (!cage_strvec_contains(names, name) && cage_strvec_push(names, name) < 0)
			return cage_err_sys(err, ENOMEM, "-c");
		p += n;
		if (!*p)
			break;
	}
	/* pam_cgfs(8): "Specifying 'all' and other controllers explicitly
	 * returns PAM_SESSION_ERR." */
	if (*all && (names->n || strcmp(list, "all")))
		return cage_err_set(err, "-c %s: 'all' cannot be given with other controllers (pam_cgfs(8))", list);
	return 0;
}

int cage_session_cg_check(const char *list, cage_err_t *err)
{
	_cleanup_strvec_ cage_strvec_t names = {0};
	bool all;
	return parse_list(list, &names, &all, err);
}

/* OWN ends in user.slice/user-UID.slice/session-N.scope: systemd made this
 * session a scope of its own, which pam_cgfs(8) keeps. */
static bool systemd_scope(const char *own, uid_t uid)
{
	char tail[128];
	snprintf(tail, sizeof(tail), "/user.slice/user-%u.slice/session-", (unsigned)uid);
	const char *t = strstr(own, tail);
	if (!t)
		return false;
	const char *scope = t + strlen(tail);
	size_t n = strlen(scope);
	return n > 6 && !strchr(scope, '/') && !strcmp(scope + n - 6, ".scope");
}

/* The cgroup user/ is made in: OWN, or the base of the session OWN is in. */
static void base_of(const char *own, char *out, size_t size)
{
	const char *u = !strncmp(own, "/user/", 6) ? own : strstr(own, "/user/");
	snprintf(out, size, "%.*s", (int)(u ? u - own : (long)strlen(own)), own);
}

/* The user gets what pam_cgfs(8) gives: the directory, and the files that
 * move processes in and (v2) hand controllers down (cgroup v2's delegation:
 * cgroup.procs, cgroup.threads, cgroup.subtree_control). */
static int give(const char *dir, bool v2, uid_t uid, gid_t gid, cage_err_t *err)
{
	static const char *const v1[] = {"cgroup.procs", "tasks", NULL};
	static const char *const v2f[] = {"cgroup.procs", "cgroup.threads", "cgroup.subtree_control", NULL};
	if (chown(dir, uid, gid) < 0)
		return cage_err_sys(err, errno, "cannot chown cgroup %s", dir);
	for (const char *const *f = v2 ? v2f : v1; *f; f++) {
		_cleanup_free_ char *p = cage_path_join(dir, *f);
		if (!p || (chown(p, uid, gid) < 0 && errno != ENOENT))
			return cage_err_sys(err, p ? errno : ENOMEM, "cannot chown %s", p ? p : *f);
	}
	return 0;
}

/* rmdir what H made, deepest first; stops at the first that stays (busy,
 * or holding another session's).  Async-signal-safe: run by the helper. */
static void remove_made(const struct sess_h *h)
{
	char rel[sizeof(h->rel)];
	memcpy(rel, h->rel, sizeof(rel));
	for (int i = 0; i < h->made; i++) {
		int tries = 0;
		while (unlinkat(h->base, rel, AT_REMOVEDIR) < 0) {
			if (errno != EBUSY || ++tries > 100)
				return;
			/* its last processes are still exiting */
			nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
		}
		char *slash = strrchr(rel, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The helper: a grandchild (no child of the service's to reap), in the
 * cgroups the process had before the move, with only its own fds. */
static void helper(struct cage_session_cg *s, int go_r, int done_w)
{
	int keep[CAGE_CG_HIERARCHIES_MAX + 2], nk = 0;
	keep[nk++] = go_r;
	keep[nk++] = done_w;
	for (size_t i = 0; i < s->n; i++)
		if (s->h[i].base >= 0)
			keep[nk++] = s->h[i].base;
	qsort(keep, nk, sizeof(int), cmp_int);
	int from = 0;
	for (int i = 0; i < nk; i++) {
		if (keep[i] > from)
			close_range(from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	close_range(from, ~0U, 0);
	setsid(); /* no terminal's hangup */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char c;
	while (read(go_r, &c, 1) != 0 && (errno == EINTR || errno == EAGAIN))
		;
	for (size_t i = s->n; i-- > 0;)
		if (s->h[i].base >= 0)
			remove_made(&s->h[i]);
	_exit(0);
}

static int start_helper(struct cage_session_cg *s, cage_err_t *err)
{
	int go[2], done[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return cage_err_sys(err, errno, "pipe");
	if (pipe2(done, O_CLOEXEC) < 0) {
		close(go[0]), close(go[1]);
		return cage_err_sys(err, errno, "pipe");
	}
	pid_t c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0)
			helper(s, go[0], done[1]);
		_exit(g < 0);
	}
	int st = 0;
	if (c > 0)
		while (waitpid(c, &st, 0) < 0 && errno == EINTR)
			;
	close(go[0]), close(done[1]);
	s->go = go[1], s->done = done[0];
	if (c < 0 || (WIFEXITED(st) && WEXITSTATUS(st)))
		return cage_err_sys(err, c < 0 ? errno : EAGAIN, "cannot start the session cgroups' helper");
	return 0;
}

/* Make user/USER/IDX in every hierarchy of S that is not a kept scope;
 * 1: IDX is taken somewhere (what this made for it is removed again). */
static int make_index(struct cage_session_cg *s, const struct cage_cg_hierarchy *hs, const size_t *which,
		      const char *user, unsigned idx, cage_err_t *err)
{
	for (size_t i = 0; i < s->n; i++) {
		struct sess_h *h = &s->h[i];
		if (h->base < 0)
			continue;
		char top[4096];
		snprintf(top, sizeof(top), "%s", h->dir); /* the base, for now */
		bool made_user = false, made_u = false, made_n = false;
		snprintf(h->rel, sizeof(h->rel), "user/%s/%u", user, idx);
		char d1[4200], d2[4400], d3[4600];
		snprintf(d1, sizeof(d1), "%s/user", top);
		snprintf(d2, sizeof(d2), "%s/%s", d1, user);
		snprintf(d3, sizeof(d3), "%s/%u", d2, idx);
		const struct cage_cg_hierarchy *hh = &hs[which[i]];
		if (cage_cg_mkdir_one(hh, d1, &made_user, err) < 0 || cage_cg_mkdir_one(hh, d2, &made_u, err) < 0)
			return -1;
		/* made once, for whichever N: removed at close if empty */
		h->parents = made_user ? 2 : made_u ? 1 : h->parents;
		if (cage_cg_mkdir_one(hh, d3, &made_n, err) < 0)
			return -1;
		h->made = made_n ? 1 + h->parents : 0;
		if (!made_n) { /* taken: this round's Ns go, the parents stay for the next N */
			for (size_t j = 0; j < i; j++)
				if (s->h[j].base >= 0 && s->h[j].made && unlinkat(s->h[j].base, s->h[j].rel, AT_REMOVEDIR) == 0)
					s->h[j].made = 0;
			return 1;
		}
	}
	return 0;
}

void cage_session_cg_free(struct cage_session_cg *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (s->h[i].base >= 0)
			close(s->h[i].base);
		if (s->h[i].back >= 0)
			close(s->h[i].back);
	}
	if (s->go >= 0)
		close(s->go);
	if (s->done >= 0)
		close(s->done);
	free(s);
}

void cage_session_cg_close(struct cage_session_cg *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->h[i].back >= 0 && write(s->h[i].back, "0", 1) < 0) {
			/* left where it is: its cgroup stays, the rest goes */
		}
	if (s->go >= 0)
		close(s->go);
	s->go = -1;
	char c;
	struct pollfd p = {.fd = s->done, .events = POLLIN};
	for (int t = 0; s->done >= 0 && t < 50 && poll(&p, 1, 100) >= 0; t++)
		if (p.revents && read(s->done, &c, 1) <= 0)
			break;
}

void cage_session_cg_describe(const struct cage_session_cg *s, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; s && i < s->n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? "," : "", s->h[i].dir);
}

/* Which hierarchies LIST names (indices into HS), each once. */
static int select_hierarchies(const cage_strvec_t *names, bool all, const struct cage_cg_hierarchy *hs,
			      size_t nh, size_t *which, size_t *n, cage_err_t *err)
{
	*n = 0;
	for (size_t i = 0; all && i < nh; i++)
		which[(*n)++] = i;
	for (size_t k = 0; k < names->n; k++) {
		size_t i = 0;
		while (i < nh && !cage_cg_listed(hs[i].ctrls, names->v[k]))
			i++;
		if (i == nh)
			return cage_err_set(err, "-c: no cgroup hierarchy of this process has the %s controller",
					    names->v[k]);
		bool dup = false;
		for (size_t j = 0; j < *n; j++)
			dup |= which[j] == i;
		if (!dup)
			which[(*n)++] = i;
	}
	if (!*n)
		return cage_err_set(err, "-c: no cgroup hierarchy found in /proc/self/cgroup");
	return 0;
}

static int open_session(const char *list, const char *user, uid_t uid, gid_t gid, struct cage_session_cg *s,
			cage_err_t *err)
{
	_cleanup_strvec_ cage_strvec_t names = {0};
	bool all;
	if (parse_list(list, &names, &all, err) < 0)
		return -1;
	if (!*user || strchr(user, '/') || user[0] == '.' || strchr(user, '\n') || strlen(user) > 256)
		return cage_err_set(err, "a user name that cannot name a cgroup");
	_cleanup_free_ struct cage_cg_hierarchy *hs = NULL;
	size_t nh = cage_cg_hierarchies(&hs), which[CAGE_CG_HIERARCHIES_MAX];
	if (select_hierarchies(&names, all, hs, nh, which, &s->n, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct cage_cg_hierarchy *h = &hs[which[i]];
		struct sess_h *o = &s->h[i];
		char base[4096];
		bool scope = systemd_scope(h->own, uid);
		base_of(h->own, base, sizeof(base));
		if (snprintf(o->dir, sizeof(o->dir), "%s%s", h->mount, scope ? h->own : strcmp(base, "/") ? base : "") >=
		    (int)sizeof(o->dir) - 700) /* room for /user/USER/N */
			return cage_err_set(err, "cgroup path too long: %s", h->own);
		if (scope)
			continue; /* kept: nothing to make, move or remove */
		o->base = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		char own[4400];
		snprintf(own, sizeof(own), "%s%s/cgroup.procs", h->mount, strcmp(h->own, "/") ? h->own : "");
		o->back = open(own, O_WRONLY | O_CLOEXEC);
		if (o->base < 0 || o->back < 0)
			return cage_err_sys(err, errno, "cannot open cgroup %s", o->base < 0 ? o->dir : own);
	}
	/* The same N in every hierarchy, the first one free in all. */
	unsigned idx = 0;
	int rc;
	while ((rc = make_index(s, hs, which, user, idx, err)) == 1 && ++idx < MAX_SESSIONS)
		;
	if (rc != 0)
		return rc < 0 ? -1 : cage_err_set(err, "no free session number below user/%s", user);
	for (size_t i = 0; i < s->n; i++)
		if (s->h[i].base >= 0)
			snprintf(s->h[i].dir + strlen(s->h[i].dir), sizeof(s->h[i].dir) - strlen(s->h[i].dir), "/%s",
				 s->h[i].rel);
	/* The helper starts before the move: it stays in the cgroups the
	 * process came from, so it never keeps the session's busy. */
	if (start_helper(s, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct sess_h *o = &s->h[i];
		if (give(o->dir, hs[which[i]].v2, uid, gid, err) < 0 ||
		    (o->base >= 0 && cage_cg_write(o->dir, "cgroup.procs", "0", err) < 0))
			return -1;
	}
	return 0;
}

int cage_session_cg_open(const char *list, const char *user, uid_t uid, gid_t gid,
			 struct cage_session_cg **out, cage_err_t *err)
{
	struct cage_session_cg *s = calloc(1, sizeof(*s));
	*out = NULL;
	if (!s)
		return cage_err_sys(err, ENOMEM, "session cgroups");
	s->go = s->done = -1;
	for (size_t i = 0; i < CAGE_CG_HIERARCHIES_MAX; i++)
		s->h[i].base = s->h[i].back = -1;
	if (open_session(list, user, uid, gid, s, err) < 0) {
		if (s->go < 0) /* no helper yet: what was made goes now */
			for (size_t i = s->n; i-- > 0;)
				if (s->h[i].base >= 0)
					remove_made(&s->h[i]);
		cage_session_cg_close(s);
		cage_session_cg_free(s);
		return -1;
	}
	*out = s;
	return 0;
}
