/* A caged user's resource limits (cagefs/limits.h) on a stock kernel: one
 * cgroup per user, limits_cgroup/USER (cagefs.ini, default /cagefs/users)
 * from the root of each hierarchy holding a limited controller, which
 * every entry and every PAM session of the user moves into before it joins
 * the cage; so all of a user's sessions and cages share it
 * (docs/ARCHITECTURE.md §4.17).  The limits go through the same
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

/* BASE/USER in H; NULL if USER cannot be a cgroup's name. */
static char *dir_of(const struct user_cg *c, const struct cage_cg_hierarchy *h, const char *user)
{
	char *dir = NULL;
	if (!user[0] || user[0] == '.' || strchr(user, '/') || asprintf(&dir, "%s%s/%s", h->mount, c->base, user) < 0)
		return NULL;
	return dir;
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

/* The user's cgroup in every hierarchy holding a limited controller: made,
 * its limits written, and PIDS (N of them; 0 is the caller) moved in. */
static int place(const struct user_cg *c, const char *user, const pid_t *pids, size_t n, cage_err_t *err)
{
	for (size_t i = 0; i < c->nh; i++) {
		const struct cage_cg_hierarchy *h = &c->h[i];
		if (!holds_any(h, &c->set))
			continue;
		_cleanup_free_ char *dir = dir_of(c, h, user);
		if (!dir)
			return cage_err_set(err, "'%.64s' cannot name a cgroup", user);
		if (cage_cg_mkdirs(h, dir, err) < 0 || (h->v2 && cage_cg_enable_down(dir, h, &c->set, err) < 0) ||
		    write_knobs(c, h, dir, err) < 0)
			return -1;
		for (size_t j = 0; j < n; j++) {
			char text[32];
			snprintf(text, sizeof(text), "%d", pids[j]);
			/* a process of the cage that ended meanwhile is no error */
			cage_err_t e = {0};
			if (cage_cg_write(dir, "cgroup.procs", text, &e) < 0 && (pids[j] == 0 || e.errnum != ESRCH))
				return cage_err_set(err, "%s", e.msg);
		}
	}
	return 0;
}

int cage_limits_join(const struct cage_paths *p, const char *user, cage_err_t *err)
{
	struct cage_limits_file f;
	struct cage_limits l;
	int rc = cage_limits_load(p, &f, err);
	if (rc == 0)
		cage_limits_of(&f, user, &l);
	cage_limits_file_free(&f);
	if (rc < 0)
		return cage_err_prefix(err, "limits not applied");
	if (!cage_limits_any(&l))
		return 0;
	struct user_cg c;
	rc = user_cg_init(p, &l, &c, err);
	if (rc == 0)
		rc = place(&c, user, (pid_t[]){0}, 1, err);
	user_cg_free(&c);
	return rc < 0 ? cage_err_prefix(err, "limits not applied") : 1;
}

/* ---- cagefsctl --set-limits and --limits ---- */

/* Users with a cgroup under BASE in some hierarchy, or a live cage. */
static int limited_users(const struct cage_paths *p, const struct user_cg *c, cage_strvec_t *out, cage_err_t *err)
{
	if (cage_list_live(p, out, err) < 0)
		return -1;
	for (size_t i = 0; i < c->nh; i++) {
		_cleanup_free_ char *dir = NULL;
		if (asprintf(&dir, "%s%s", c->h[i].mount, c->base) < 0)
			return cage_err_sys(err, ENOMEM, "limits");
		_cleanup_closedir_ DIR *d = opendir(dir);
		for (struct dirent *de; d && (de = readdir(d));)
			if (de->d_type == DT_DIR && de->d_name[0] != '.' && cage_strvec_push(out, de->d_name) < 0)
				return cage_err_sys(err, ENOMEM, "limits");
	}
	cage_strvec_sort_unique(out);
	return 0;
}

/* USER's cgroup brought to L: made where a limit needs it, lifted where
 * it is left over, and a live cage's processes moved in. */
static int update_user(const struct cage_paths *p, const struct cage_limits *l, const char *user, cage_err_t *err)
{
	struct user_cg c;
	int rc = user_cg_init(p, l, &c, err);
	for (size_t i = 0; rc == 0 && i < c.nh; i++) {
		_cleanup_free_ char *dir = dir_of(&c, &c.h[i], user);
		if (dir && !holds_any(&c.h[i], &c.set) && access(dir, F_OK) == 0)
			rc = write_knobs(&c, &c.h[i], dir, err);
	}
	pid_t *pids = NULL;
	size_t n = 0;
	if (rc == 0 && cage_limits_any(l) && cage_pids(p, user, &pids, &n, err) < 0)
		rc = -1;
	if (rc == 0 && cage_limits_any(l))
		rc = place(&c, user, pids, n, err);
	free(pids);
	user_cg_free(&c);
	return rc < 0 ? cage_err_prefix(err, "%s", user) : 0;
}

int cage_limits_update(const struct cage_paths *p, const char *name, cage_err_t *err)
{
	struct cage_limits_file f;
	if (cage_limits_load(p, &f, err) < 0)
		return -1;
	cage_strvec_t users = {0};
	int rc = 0;
	if (strcmp(name, CAGE_LIMITS_DEFAULT))
		rc = cage_strvec_push(&users, name) < 0 ? cage_err_sys(err, ENOMEM, "limits") : 0;
	else {
		struct user_cg all;
		struct cage_limits none = {{0}};
		rc = user_cg_init(p, &none, &all, err) < 0 ? -1 : limited_users(p, &all, &users, err);
		user_cg_free(&all);
	}
	for (size_t i = 0; i < users.n; i++) {
		struct cage_limits l;
		cage_limits_of(&f, users.v[i], &l);
		cage_err_t e = {0};
		if (update_user(p, &l, users.v[i], &e) < 0 && rc == 0)
			rc = cage_err_set(err, "%s", e.msg);
	}
	cage_strvec_free(&users);
	cage_limits_file_free(&f);
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
	struct user_cg c;
	struct cage_limits none = {{0}};
	if (user_cg_init(p, &none, &c, NULL) == 0)
		for (size_t i = 0; i < c.nh; i++) {
			_cleanup_free_ char *dir = dir_of(&c, &c.h[i], user);
			if (!dir || access(dir, F_OK) < 0)
				continue;
			if (cage_cg_holds(&c.h[i], "memory"))
				out->memory = read_number(dir, c.h[i].v2 ? "memory.current" : "memory.usage_in_bytes");
			if (cage_cg_holds(&c.h[i], "pids"))
				out->pids = read_number(dir, "pids.current");
		}
	user_cg_free(&c);
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
	user_cg_free(&c);
	return rc;
}

int cage_limits_change(const struct cage_paths *p, const char *name, char *const *assign, size_t nassign,
		       cage_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	if (strcmp(name, CAGE_LIMITS_DEFAULT)) {
		struct cage_user u;
		if (cage_user_lookup(name, &u, err) < 0)
			return -1;
		cage_user_free(&u);
	}
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
