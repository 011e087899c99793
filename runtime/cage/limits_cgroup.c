/* A caged user's resource limits (cagefs/limits.h) on a stock kernel: one
 * cgroup per account, limits_cgroup/UID (cagefs.ini, default /cagefs/users)
 * from the root of each hierarchy holding a limited controller, which
 * every entry and every PAM session of the account moves into before it
 * joins the cage; so all of its sessions and cages share it, whatever
 * login name (of the uid's) they came by, and no user name can collide
 * with a cgroupfs file (docs/ARCHITECTURE.md §4.17).  The limits go through the same
 * linux.resources code as an ordinary bundle's (cgroup_knobs.c): v1, hybrid
 * and v2 alike. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/json.h"
#include "cagefs/limits.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"
#include "runtime/oci/cgroup.h"

#define CPU_PERIOD_US 100000

/* ---- the limits as linux.resources ---- */

/* "MAJ:MIN" of every disk a user's files can be on: each block device
 * with a size, but RAM disks (ram, zram).  Throttles are per device. */
static size_t disks(unsigned maj[], unsigned min[], size_t max)
{
	_cleanup_closedir_ DIR *d = opendir("/sys/block");
	size_t n = 0;
	for (struct dirent *de; d && n < max && (de = readdir(d));) {
		if (de->d_name[0] == '.' || !strncmp(de->d_name, "ram", 3) || !strncmp(de->d_name, "zram", 4))
			continue;
		char path[300], text[64] = "";
		unsigned long long size = 0;
		snprintf(path, sizeof(path), "/sys/block/%s/size", de->d_name);
		_cleanup_fclose_ FILE *s = fopen(path, "re");
		if (!s || fscanf(s, "%llu", &size) != 1 || size == 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dev", de->d_name);
		_cleanup_fclose_ FILE *f = fopen(path, "re");
		if (f && fgets(text, sizeof(text), f) && sscanf(text, "%u:%u", &maj[n], &min[n]) == 2)
			n++;
	}
	return n;
}

static void throttles(cage_jgen *g, const char *key, long long rate)
{
	unsigned maj[64], min[64];
	size_t n = disks(maj, min, 64);
	cage_jgen_string(g, key);
	cage_jgen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		cage_jgen_map_open(g);
		cage_jgen_string(g, "major");
		cage_jgen_int(g, maj[i]);
		cage_jgen_string(g, "minor");
		cage_jgen_int(g, min[i]);
		cage_jgen_string(g, "rate");
		cage_jgen_int(g, rate > 0 ? rate : 0); /* 0: no throttle */
		cage_jgen_map_close(g);
	}
	cage_jgen_array_close(g);
}

static void pair(cage_jgen *g, const char *obj, const char *key, long long v)
{
	cage_jgen_string(g, obj);
	cage_jgen_map_open(g);
	cage_jgen_string(g, key);
	cage_jgen_int(g, v);
	cage_jgen_map_close(g);
}

/* The keys of L that are SET (want true) or not (false), as a
 * linux.resources document; a key not set there means "no limit", so that
 * writing it lifts a limit an earlier line had. */
static int resources_of(const struct cage_limits *l, bool want, cage_json **out, cage_err_t *err)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
	const long long *v = l->v;
	cage_jgen_map_open(g);
	if ((v[CAGE_LIMIT_MEMORY] > 0) == want)
		pair(g, "memory", "limit", want ? v[CAGE_LIMIT_MEMORY] : -1);
	if ((v[CAGE_LIMIT_PIDS] > 0) == want)
		pair(g, "pids", "limit", want ? v[CAGE_LIMIT_PIDS] : -1);
	if ((v[CAGE_LIMIT_CPU] > 0) == want) {
		cage_jgen_string(g, "cpu");
		cage_jgen_map_open(g);
		cage_jgen_string(g, "period");
		cage_jgen_int(g, CPU_PERIOD_US);
		cage_jgen_string(g, "quota");
		cage_jgen_int(g, want ? v[CAGE_LIMIT_CPU] * (CPU_PERIOD_US / 100) : -1);
		cage_jgen_map_close(g);
	}
	bool io = (v[CAGE_LIMIT_IO] > 0) == want, iops = (v[CAGE_LIMIT_IOPS] > 0) == want;
	if (io || iops) {
		cage_jgen_string(g, "blockIO");
		cage_jgen_map_open(g);
		if (io) {
			throttles(g, "throttleReadBpsDevice", want ? v[CAGE_LIMIT_IO] : 0);
			throttles(g, "throttleWriteBpsDevice", want ? v[CAGE_LIMIT_IO] : 0);
		}
		if (iops) {
			throttles(g, "throttleReadIOPSDevice", want ? v[CAGE_LIMIT_IOPS] : 0);
			throttles(g, "throttleWriteIOPSDevice", want ? v[CAGE_LIMIT_IOPS] : 0);
		}
		cage_jgen_map_close(g);
	}
	cage_jgen_map_close(g);
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (cage_jgen_finish(g, &text, &len, err) < 0)
		return -1;
	return cage_json_parse(text, len, "limits", len + 1, out, err);
}

/* ---- the user's cgroup ---- */

struct user_cg {
	struct cage_cg_hierarchy *h;
	size_t nh;
	struct cg_knobs set, lift; /* the limits, and the "no limit" of every other key */
	char base[256];            /* limits_cgroup= */
};

static void user_cg_free(struct user_cg *c)
{
	free(c->h);
}

static int knobs_of(const struct cage_limits *l, bool want, const char *v2_ctrls, struct cg_knobs *ks,
		    cage_err_t *err)
{
	_cleanup_json_ cage_json *res = NULL;
	if (resources_of(l, want, &res, err) < 0 || cage_cg_knobs(res, v2_ctrls, false, ks, err) < 0)
		return -1;
	return 0;
}

static int user_cg_init(const struct cage_paths *p, const struct cage_limits *l, struct user_cg *c,
			cage_err_t *err)
{
	*c = (struct user_cg){0};
	if (cage_ini_cgroup(p, "limits_cgroup", CAGE_LIMITS_CGROUP_DEFAULT, c->base, sizeof(c->base), err) < 0)
		return -1;
	if (!c->base[0])
		return cage_err_set(err, "limits_cgroup= is empty in cagefs.ini: users' limits have no cgroup");
	c->nh = cage_cg_hierarchies(&c->h);
	/* Files are named for v2 where the v2 tree holds the controller, and
	 * everywhere on a unified host (where a missing one is told so). */
	const char *v2_ctrls = "";
	bool unified = c->nh > 0;
	for (size_t i = 0; i < c->nh; i++) {
		v2_ctrls = c->h[i].v2 ? c->h[i].ctrls : v2_ctrls;
		unified &= c->h[i].v2;
	}
	v2_ctrls = unified ? "cpu,memory,pids,io" : v2_ctrls;
	if (knobs_of(l, true, v2_ctrls, &c->set, err) < 0 || knobs_of(l, false, v2_ctrls, &c->lift, err) < 0)
		return -1;
	if ((l->v[CAGE_LIMIT_IO] > 0 || l->v[CAGE_LIMIT_IOPS] > 0) && !disks((unsigned[1]){0}, (unsigned[1]){0}, 1))
		return cage_err_set(err, "io/iops: this host has no disk to throttle");
	return cage_cg_need_controllers(c->h, c->nh, &c->set, "limits.conf", err);
}

/* Whether H holds a controller one of KS's files belong to. */
static bool holds_any(const struct cage_cg_hierarchy *h, const struct cg_knobs *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		if (strcmp(ks->k[i].ctrl, "cgroup") && cage_cg_holds(h, ks->k[i].ctrl))
			return true;
	return false;
}

/* BASE/UID in H. */
static char *dir_of(const struct user_cg *c, const struct cage_cg_hierarchy *h, uid_t uid)
{
	char *dir = NULL;
	return asprintf(&dir, "%s%s/%u", h->mount, c->base, (unsigned)uid) < 0 ? NULL : dir;
}

/* The limits into DIR of H: every limit must be written; the lifts of
 * keys not limited are written where the hierarchy has them. */
static int write_knobs(const struct user_cg *c, const struct cage_cg_hierarchy *h, const char *dir, cage_err_t *err)
{
	for (size_t i = 0; i < c->set.n; i++)
		if (cage_cg_holds(h, c->set.k[i].ctrl) && cage_cg_write(dir, c->set.k[i].file, c->set.k[i].value, err) < 0)
			return cage_err_prefix(err, "limits");
	for (size_t i = 0; i < c->lift.n; i++)
		if (cage_cg_holds(h, c->lift.k[i].ctrl))
			cage_cg_write(dir, c->lift.k[i].file, c->lift.k[i].value, NULL);
	return 0;
}

/* Whether PID, held by PFD, is still alive, of real uid UID, and not
 * already in DIR or below it in H (a -c session cgroup of the account's
 * stays where it is).  Checked just before its move: a pid that ended and
 * was reused since the scan is never moved (the pidfd says it ended). */
static bool movable(int pfd, pid_t pid, uid_t uid, const struct cage_cg_hierarchy *h, const char *rel)
{
	char path[64], line[4352];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	_cleanup_fclose_ FILE *st = fopen(path, "re");
	unsigned ruid = ~0u;
	while (st && fgets(line, sizeof(line), st) && sscanf(line, "Uid: %u", &ruid) != 1)
		;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	_cleanup_fclose_ FILE *cg = fopen(path, "re");
	bool below = false;
	size_t n = strlen(rel);
	while (cg && fgets(line, sizeof(line), cg)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *at = c2 + 1;
		bool this_one = h->v2 ? c1[1] == '\0' : !strcmp(c1 + 1, h->ctrls);
		below |= this_one && !strncmp(at, rel, n) && (at[n] == '/' || at[n] == '\n');
	}
	return ruid == uid && !below && syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0) == 0;
}

/* PIDS (N of them) into DIR of H, each as movable() allows. */
static void move_pids(const struct cage_cg_hierarchy *h, const char *dir, const char *rel, uid_t uid,
		      const pid_t *pids, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		_cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pids[j], 0);
		char text[32];
		snprintf(text, sizeof(text), "%d", pids[j]);
		if (pfd >= 0 && movable(pfd, pids[j], uid, h, rel))
			cage_cg_write(dir, "cgroup.procs", text, NULL); /* one that ended meanwhile: no matter */
	}
}

/* The account's cgroup in every hierarchy holding a limited controller:
 * made, its limits written, and the caller (SELF) or the cage processes
 * PIDS (N of them) moved in. */
static int place(const struct user_cg *c, uid_t uid, bool self, const pid_t *pids, size_t n, cage_err_t *err)
{
	for (size_t i = 0; i < c->nh; i++) {
		const struct cage_cg_hierarchy *h = &c->h[i];
		if (!holds_any(h, &c->set))
			continue;
		_cleanup_free_ char *dir = dir_of(c, h, uid);
		if (!dir)
			return cage_err_sys(err, ENOMEM, "limits");
		if (cage_cg_mkdirs(h, dir, err) < 0 || (h->v2 && cage_cg_enable_down(dir, h, &c->set, err) < 0) ||
		    write_knobs(c, h, dir, err) < 0)
			return -1;
		if (self && cage_cg_write(dir, "cgroup.procs", "0", err) < 0)
			return -1;
		move_pids(h, dir, dir + strlen(h->mount), uid, pids, n);
	}
	return 0;
}

/* The name whose limits.conf line counts for UID: the passwd database's
 * first name for it, so a second login name of the same uid (useradd -o)
 * shares the account's limits and cgroup. */
static int account_name(uid_t uid, char *out, size_t size, cage_err_t *err)
{
	struct cage_user a;
	if (cage_user_lookup_uid(uid, &a, err) < 0)
		return cage_err_prefix(err, "uid %u", (unsigned)uid);
	snprintf(out, size, "%s", a.name);
	cage_user_free(&a);
	return 0;
}

/* Every entry asks this: the passwd lookup of the account's name is made
 * only when the file has a line a name could select (no file, or a
 * default line alone, costs one small read). */
static int limits_of_uid(const struct cage_paths *p, uid_t uid, struct cage_limits *l, cage_err_t *err)
{
	char name[256] = "";
	struct cage_limits_file f;
	if (cage_limits_load(p, &f, err) < 0)
		return -1;
	bool per_user = false;
	for (size_t i = 0; i < f.n; i++)
		per_user |= strcmp(f.lines[i].name, CAGE_LIMITS_DEFAULT) != 0;
	int rc = per_user ? account_name(uid, name, sizeof(name), err) : 0;
	if (rc == 0)
		cage_limits_of(&f, name[0] ? name : NULL, l);
	cage_limits_file_free(&f);
	return rc;
}

int cage_limits_join(const struct cage_paths *p, const struct cage_user *u, cage_err_t *err)
{
	struct cage_limits l;
	if (limits_of_uid(p, u->uid, &l, err) < 0)
		return cage_err_prefix(err, "limits not applied");
	if (!cage_limits_any(&l))
		return 0;
	struct user_cg c;
	int rc = user_cg_init(p, &l, &c, err);
	if (rc == 0)
		rc = place(&c, u->uid, true, NULL, 0, err);
	user_cg_free(&c);
	return rc < 0 ? cage_err_prefix(err, "limits not applied") : 1;
}

/* ---- cagefsctl --set-limits and --limits ---- */

/* Accounts with a cgroup under BASE in some hierarchy, or a live cage. */
static int limited_uids(const struct cage_paths *p, const struct user_cg *c, cage_strvec_t *out, cage_err_t *err)
{
	_cleanup_strvec_ cage_strvec_t live = {0};
	if (cage_list_live(p, &live, err) < 0)
		return -1;
	for (size_t i = 0; i < live.n; i++) {
		struct cage_user u;
		char text[32];
		if (cage_user_lookup(live.v[i], &u, NULL) < 0)
			continue; /* a cage of a user deleted since */
		snprintf(text, sizeof(text), "%u", (unsigned)u.uid);
		cage_user_free(&u);
		if (cage_strvec_push(out, text) < 0)
			return cage_err_sys(err, ENOMEM, "limits");
	}
	for (size_t i = 0; i < c->nh; i++) {
		_cleanup_free_ char *dir = NULL;
		if (asprintf(&dir, "%s%s", c->h[i].mount, c->base) < 0)
			return cage_err_sys(err, ENOMEM, "limits");
		_cleanup_closedir_ DIR *d = opendir(dir);
		for (struct dirent *de; d && (de = readdir(d));) {
			struct cage_user u;
			if (de->d_type != DT_DIR || strspn(de->d_name, "0123456789") != strlen(de->d_name) ||
			    cage_user_lookup_uid((uid_t)strtoul(de->d_name, NULL, 10), &u, NULL) < 0)
				continue; /* not an account's, or one deleted since: nobody to limit */
			cage_user_free(&u);
			if (cage_strvec_push(out, de->d_name) < 0)
				return cage_err_sys(err, ENOMEM, "limits");
		}
	}
	cage_strvec_sort_unique(out);
	return 0;
}

/* The processes of every live cage of UID (each login name of it has its
 * own cage), in *PIDS. */
static int cage_pids_of_uid(const struct cage_paths *p, uid_t uid, pid_t **pids, size_t *n, cage_err_t *err)
{
	*pids = NULL;
	*n = 0;
	_cleanup_strvec_ cage_strvec_t live = {0};
	if (cage_list_live(p, &live, err) < 0)
		return -1;
	for (size_t i = 0; i < live.n; i++) {
		struct cage_user u;
		if (cage_user_lookup(live.v[i], &u, NULL) < 0)
			continue;
		bool same = u.uid == uid;
		cage_user_free(&u);
		pid_t *more = NULL;
		size_t m = 0;
		if (!same || cage_pids(p, live.v[i], &more, &m, err) < 0 || !m) {
			free(more);
			continue;
		}
		pid_t *all = realloc(*pids, (*n + m) * sizeof(pid_t));
		if (!all) {
			free(more);
			return cage_err_sys(err, ENOMEM, "limits");
		}
		memcpy(all + *n, more, m * sizeof(pid_t));
		*pids = all;
		*n += m;
		free(more);
	}
	return 0;
}

/* UID's cgroup brought to its limits: made where a limit needs it, lifted
 * where it is left over, and its live cages' processes moved in (those
 * of its uid only: root's --enter shell in the cage stays root's). */
static int update_uid(const struct cage_paths *p, uid_t uid, cage_err_t *err)
{
	struct cage_limits l;
	struct user_cg c;
	if (limits_of_uid(p, uid, &l, err) < 0)
		return -1;
	int rc = user_cg_init(p, &l, &c, err);
	for (size_t i = 0; rc == 0 && i < c.nh; i++) {
		_cleanup_free_ char *dir = dir_of(&c, &c.h[i], uid);
		if (dir && !holds_any(&c.h[i], &c.set) && access(dir, F_OK) == 0)
			rc = write_knobs(&c, &c.h[i], dir, err);
	}
	pid_t *pids = NULL;
	size_t n = 0;
	if (rc == 0 && cage_limits_any(&l))
		rc = cage_pids_of_uid(p, uid, &pids, &n, err);
	if (rc == 0 && cage_limits_any(&l))
		rc = place(&c, uid, false, pids, n, err);
	free(pids);
	user_cg_free(&c);
	return rc < 0 ? cage_err_prefix(err, "uid %u", (unsigned)uid) : 0;
}

int cage_limits_update(const struct cage_paths *p, const char *name, cage_err_t *err)
{
	cage_strvec_t uids = {0};
	int rc = 0;
	if (strcmp(name, CAGE_LIMITS_DEFAULT)) {
		struct cage_user u;
		char text[32];
		if (cage_user_lookup(name, &u, err) < 0)
			return -1;
		snprintf(text, sizeof(text), "%u", (unsigned)u.uid);
		cage_user_free(&u);
		rc = cage_strvec_push(&uids, text) < 0 ? cage_err_sys(err, ENOMEM, "limits") : 0;
	} else {
		struct user_cg all;
		struct cage_limits none = {{0}};
		rc = user_cg_init(p, &none, &all, err) < 0 ? -1 : limited_uids(p, &all, &uids, err);
		user_cg_free(&all);
	}
	for (size_t i = 0; i < uids.n; i++) {
		cage_err_t e = {0};
		if (update_uid(p, (uid_t)strtoul(uids.v[i], NULL, 10), &e) < 0 && rc == 0)
			rc = cage_err_set(err, "%s", e.msg);
	}
	cage_strvec_free(&uids);
	return rc;
}

static long long read_number(const char *dir, const char *file)
{
	char text[64];
	cage_cg_read_list(dir, file, text, sizeof(text));
	char *end;
	long long v = strtoll(text, &end, 10);
	return text[0] && end != text ? v : -1;
}

void cage_limits_usage(const struct cage_paths *p, const char *user, struct cage_limits_usage *out)
{
	*out = (struct cage_limits_usage){-1, -1};
	struct cage_user u;
	struct user_cg c;
	struct cage_limits none = {{0}};
	if (cage_user_lookup(user, &u, NULL) < 0)
		return;
	if (user_cg_init(p, &none, &c, NULL) == 0)
		for (size_t i = 0; i < c.nh; i++) {
			_cleanup_free_ char *dir = dir_of(&c, &c.h[i], u.uid);
			if (!dir || access(dir, F_OK) < 0)
				continue;
			if (cage_cg_holds(&c.h[i], "memory"))
				out->memory = read_number(dir, c.h[i].v2 ? "memory.current" : "memory.usage_in_bytes");
			if (cage_cg_holds(&c.h[i], "pids"))
				out->pids = read_number(dir, "pids.current");
		}
	user_cg_free(&c);
	cage_user_free(&u);
}

/* NAME's new limits must be applicable on this host (its controllers, a
 * disk for io) before they are written: a limit that cannot be applied
 * refuses the user's every entry (cage_limits_join). */
static int applicable(const struct cage_paths *p, const char *text, const char *name, cage_err_t *err)
{
	struct cage_limits_file f;
	struct cage_limits l;
	struct user_cg c;
	if (cage_limits_parse_buf(&f, "limits.conf", text, strlen(text), err) < 0)
		return -1;
	cage_limits_of(&f, name, &l);
	cage_limits_file_free(&f);
	int rc = user_cg_init(p, &l, &c, err);
	/* v1's blkio throttles what the user's processes submit: reads and
	 * direct I/O.  Buffered writes reach the disk later through the
	 * kernel's writeback, in the root cgroup: not throttled there. */
	bool v1_io = false;
	for (size_t i = 0; rc == 0 && i < c.set.n; i++)
		v1_io |= !strcmp(c.set.k[i].ctrl, "blkio");
	if (v1_io)
		cage_warn("io/iops on cgroup v1 (blkio, as on this host) throttle reads and direct I/O only: "
			  "buffered writes are written back by the kernel outside the user's cgroup");
	user_cg_free(&c);
	return rc;
}

/* A second login name of a uid (useradd -o) has no limits of its own: the
 * account's are those of the uid's first name. */
static int account_of(const char *name, cage_err_t *err)
{
	struct cage_user u;
	char first[256];
	if (cage_user_lookup(name, &u, err) < 0)
		return -1;
	int rc = account_name(u.uid, first, sizeof(first), err);
	if (rc == 0 && strcmp(first, u.name))
		rc = cage_err_set(err, "%s has uid %u, whose account is %s: limits are the account's, set them "
				  "for %s", u.name, (unsigned)u.uid, first, first);
	cage_user_free(&u);
	return rc;
}

int cage_limits_change(const struct cage_paths *p, const char *name, char *const *assign, size_t nassign,
		       cage_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	if (strcmp(name, CAGE_LIMITS_DEFAULT) && account_of(name, err) < 0)
		return -1;
	if (cage_limits_edit(p, name, assign, nassign, &text, err) < 0)
		return -1;
	if (applicable(p, text, name, err) < 0)
		return cage_err_prefix(err, "limits.conf left as it was");
	if (cage_limits_write(p, text, err) < 0)
		return -1;
	if (cage_limits_update(p, name, err) < 0)
		return cage_err_prefix(err, "limits.conf written, but not applied to every live cgroup");
	return 0;
}
