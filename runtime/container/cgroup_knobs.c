/* linux.resources of an ordinary OCI bundle, turned into the cgroup files
 * to write: memory, pids, cpu, cpuset, hugepageLimits, blockIO throttles and (v2) unified;
 * a caged user's limits (runtime/cage/limits_cgroup.c) come here as such a document.
 * A controller's files are named as its hierarchy wants them: the same
 * limit is memory.limit_in_bytes on v1 and memory.max on v2, and on a
 * hybrid host (docs/ARCHITECTURE.md §7) hugetlb is on v2 while the rest is
 * on v1. */
#define _GNU_SOURCE
#include "runtime/oci/cgroup.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>

#include "cagefs/json.h"
#include "cagefs/log.h"

#define RES "config.json: linux.resources"

bool cage_cg_listed(const char *ctrls, const char *ctrl)
{
	size_t n = strlen(ctrl);
	for (const char *c = ctrls; n && (c = strstr(c, ctrl)); c += n)
		if ((c == ctrls || c[-1] == ',') && (c[n] == '\0' || c[n] == ','))
			return true;
	return false;
}

/* RES.A.B (RES.A is an object), or NULL. */
static const cage_json *res_get(const cage_json *res, const char *a, const char *b,
				enum cage_json_type type)
{
	return cage_json_get(cage_json_get(res, a, CAGE_JSON_OBJECT), b, type);
}

static long long res_int(const cage_json *res, const char *a, const char *b, bool *set)
{
	long long v = 0;
	*set = cage_json_int(res_get(res, a, b, CAGE_JSON_NUMBER), LLONG_MIN, LLONG_MAX, &v) == 0;
	return v;
}

static const char *res_str(const cage_json *res, const char *a, const char *b)
{
	const char *s = cage_json_string(res_get(res, a, b, CAGE_JSON_STRING));
	return s && s[0] ? s : NULL;
}

static struct cg_knob *next(struct cg_knobs *ks, const char *ctrl, const char *file, cage_err_t *err)
{
	if (ks->n == CG_KNOBS_MAX) {
		cage_err_set(err, RES ": more than %d cgroup settings", CG_KNOBS_MAX);
		return NULL;
	}
	struct cg_knob *k = &ks->k[ks->n++];
	*k = (struct cg_knob){.v2_only = false};
	snprintf(k->ctrl, sizeof(k->ctrl), "%s", ctrl);
	snprintf(k->file, sizeof(k->file), "%s", file);
	return k;
}

/* A number for FILE; negative means "no limit", spelt as the file wants:
 * "max" on v2 and in pids.max, -1 in the other v1 files. */
static int add(struct cg_knobs *ks, const char *ctrl, const char *file, long long v, cage_err_t *err)
{
	struct cg_knob *k = next(ks, ctrl, file, err);
	if (!k)
		return -1;
	bool v1 = strstr(file, "_in_bytes") || strstr(file, "_us") || !strcmp(file, "cpu.shares");
	if (v < 0)
		snprintf(k->value, sizeof(k->value), "%s", v1 ? "-1" : "max");
	else
		snprintf(k->value, sizeof(k->value), "%lld", v);
	return 0;
}

static int add_str(struct cg_knobs *ks, const char *ctrl, const char *file, const char *v, cage_err_t *err)
{
	struct cg_knob *k = next(ks, ctrl, file, err);
	if (!k)
		return -1;
	if (snprintf(k->value, sizeof(k->value), "%s", v) >= (int)sizeof(k->value))
		return cage_err_set(err, RES ": the value for %s is too long", file);
	return 0;
}

/* v1 limits memory+swap together (memsw); v2 limits swap alone, so the
 * spec's memory+swap becomes swap - limit there, which needs a limit. */
static int swap_knob(long long swap, bool lset, long long limit, bool v2, struct cg_knobs *ks, cage_err_t *err)
{
	if (!v2)
		return add(ks, "memory", "memory.memsw.limit_in_bytes", swap, err);
	if (swap == 0)
		return 0; /* not set */
	if (swap < 0)
		return add(ks, "memory", "memory.swap.max", -1, err);
	if (!lset || limit <= 0)
		return cage_err_set(err, RES ".memory.swap needs a memory.limit on cgroup v2");
	if (swap < limit)
		return cage_err_set(err, RES ".memory.swap (memory and swap together) is below memory.limit");
	return add(ks, "memory", "memory.swap.max", swap - limit, err);
}

static int memory_knobs(const cage_json *res, bool v2, struct cg_knobs *ks, cage_err_t *err)
{
	bool set, lset;
	long long limit = res_int(res, "memory", "limit", &lset);
	if (lset && add(ks, "memory", v2 ? "memory.max" : "memory.limit_in_bytes", limit, err) < 0)
		return -1;
	long long v = res_int(res, "memory", "reservation", &set);
	if (set && add(ks, "memory", v2 ? "memory.low" : "memory.soft_limit_in_bytes", v, err) < 0)
		return -1;
	v = res_int(res, "memory", "swap", &set);
	return set ? swap_knob(v, lset, limit, v2, ks, err) : 0;
}

static int cpu_max(const cage_json *res, struct cg_knobs *ks, cage_err_t *err)
{
	bool qset, pset;
	long long quota = res_int(res, "cpu", "quota", &qset), period = res_int(res, "cpu", "period", &pset);
	if (!qset && !pset)
		return 0;
	char v[64];
	if (qset && quota > 0)
		snprintf(v, sizeof(v), "%lld %lld", quota, pset ? period : 100000);
	else
		snprintf(v, sizeof(v), "max %lld", pset ? period : 100000);
	return add_str(ks, "cpu", "cpu.max", v, err);
}

static int cpu_knobs(const cage_json *res, bool v2, struct cg_knobs *ks, cage_err_t *err)
{
	bool set;
	long long shares = res_int(res, "cpu", "shares", &set);
	/* runc's conversion of shares [2, 262144] to weight [1, 10000] */
	if (set && v2 && add(ks, "cpu", "cpu.weight", 1 + ((shares - 2) * 9999) / 262142, err) < 0)
		return -1;
	if (set && !v2 && add(ks, "cpu", "cpu.shares", shares, err) < 0)
		return -1;
	if (v2 && cpu_max(res, ks, err) < 0)
		return -1;
	long long v = res_int(res, "cpu", "period", &set);
	if (!v2 && set && add(ks, "cpu", "cpu.cfs_period_us", v, err) < 0)
		return -1;
	v = res_int(res, "cpu", "quota", &set);
	if (!v2 && set && add(ks, "cpu", "cpu.cfs_quota_us", v, err) < 0)
		return -1;
	/* cpuset.cpus and cpuset.mems are named alike on v1 and v2 */
	const char *cpus = res_str(res, "cpu", "cpus"), *mems = res_str(res, "cpu", "mems");
	if (cpus && add_str(ks, "cpuset", "cpuset.cpus", cpus, err) < 0)
		return -1;
	return mems ? add_str(ks, "cpuset", "cpuset.mems", mems, err) : 0;
}

/* "2MB", "1GB", "64KB": the page size is part of a file name, so nothing
 * else is let through (no '/', no ".."). */
static bool page_size_ok(const char *s)
{
	size_t d = 0;
	while (isdigit((unsigned char)s[d]))
		d++;
	return d > 0 && d < 8 && strchr("KMG", s[d]) && s[d] && s[d + 1] == 'B' && s[d + 2] == '\0';
}

static int hugetlb_knobs(const cage_json *res, bool v2, struct cg_knobs *ks, cage_err_t *err)
{
	const cage_json *a = cage_json_get(res, "hugepageLimits", CAGE_JSON_ANY);
	if (a && !cage_json_is(a, CAGE_JSON_ARRAY))
		return cage_err_set(err, RES ".hugepageLimits is not an array");
	for (size_t i = 0; i < cage_json_array_len(a); i++) {
		const cage_json *h = cage_json_array_at(a, i);
		const char *s = cage_json_string(cage_json_get(h, "pageSize", CAGE_JSON_STRING));
		long long l;
		if (!s || !page_size_ok(s) || cage_json_int(cage_json_get(h, "limit", CAGE_JSON_ANY), 0, LLONG_MAX, &l) < 0)
			return cage_err_set(err, RES ".hugepageLimits[%zu] needs a pageSize like \"2MB\" and "
					    "a limit of 0 or more", i);
		char file[64];
		snprintf(file, sizeof(file), "hugetlb.%s.%s", s, v2 ? "max" : "limit_in_bytes");
		if (add(ks, "hugetlb", file, l, err) < 0)
			return -1;
	}
	return 0;
}

/* blockIO's throttles: one write per device, "MAJ:MIN RATE" into v1's
 * blkio.throttle.* files (0 lifts it) or "MAJ:MIN rbps=RATE" into v2's
 * io.max ("max" lifts it; io.max keeps the keys a write does not name). */
static int throttle_knobs(const cage_json *res, bool v2, struct cg_knobs *ks, cage_err_t *err)
{
	static const char *const kind[][3] = {
		{"throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps"},
		{"throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps"},
		{"throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops"},
		{"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops"}};
	const cage_json *bio = cage_json_get(res, "blockIO", CAGE_JSON_ANY);
	if (bio && !cage_json_is(bio, CAGE_JSON_OBJECT))
		return cage_err_set(err, RES ".blockIO is not an object");
	for (size_t t = 0; t < sizeof(kind) / sizeof(*kind); t++) {
		const cage_json *a = cage_json_get(bio, kind[t][0], CAGE_JSON_ANY);
		if (a && !cage_json_is(a, CAGE_JSON_ARRAY))
			return cage_err_set(err, RES ".blockIO.%s is not an array", kind[t][0]);
		for (size_t i = 0; i < cage_json_array_len(a); i++) {
			const cage_json *d = cage_json_array_at(a, i);
			long long maj, min, rate;
			if (cage_json_int(cage_json_get(d, "major", CAGE_JSON_ANY), 0, 4095, &maj) < 0 ||
			    cage_json_int(cage_json_get(d, "minor", CAGE_JSON_ANY), 0, 1048575, &min) < 0 ||
			    cage_json_int(cage_json_get(d, "rate", CAGE_JSON_ANY), 0, LLONG_MAX, &rate) < 0)
				return cage_err_set(err, RES ".blockIO.%s[%zu] needs a major, a minor and a rate "
						    "of 0 or more", kind[t][0], i);
			char v[96];
			if (!v2)
				snprintf(v, sizeof(v), "%lld:%lld %lld", maj, min, rate);
			else if (rate)
				snprintf(v, sizeof(v), "%lld:%lld %s=%lld", maj, min, kind[t][2], rate);
			else
				snprintf(v, sizeof(v), "%lld:%lld %s=max", maj, min, kind[t][2]);
			if (add_str(ks, v2 ? "io" : "blkio", v2 ? "io.max" : kind[t][1], v, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* A key of linux.resources.unified: "CONTROLLER.NAME", never one of the
 * files that move processes or change the tree (cgroup.procs,
 * cgroup.subtree_control, ...): only cgroup.max.* of the core files. */
static bool unified_key_ok(const char *k, char *ctrl, size_t size)
{
	size_t n = strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (n == 0 || n >= size || k[n] != '.' || !k[n + 1] || strlen(k) >= 64 ||
	    strspn(k + n + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") !=
		    strlen(k + n + 1) || strstr(k, ".."))
		return false;
	snprintf(ctrl, size, "%.*s", (int)n, k);
	return strcmp(ctrl, "cgroup") || !strncmp(k, "cgroup.max.", 11);
}

static int unified_knobs(const cage_json *res, struct cg_knobs *ks, cage_err_t *err)
{
	const cage_json *u = cage_json_get(res, "unified", CAGE_JSON_ANY);
	if (u && !cage_json_is(u, CAGE_JSON_OBJECT))
		return cage_err_set(err, RES ".unified is not an object");
	for (size_t i = 0; i < cage_json_object_len(u); i++) {
		const char *key = cage_json_object_key(u, i);
		const char *v = cage_json_string(cage_json_object_value(u, i));
		char ctrl[32];
		if (!unified_key_ok(key, ctrl, sizeof(ctrl)))
			return cage_err_set(err, RES ".unified: \"%s\" is not a cgroup v2 file cagefs-runtime "
					    "may write", key);
		if (!v)
			return cage_err_set(err, RES ".unified.%s is not a string", key);
		if (add_str(ks, ctrl, key, v, err) < 0)
			return -1;
		ks->k[ks->n - 1].v2_only = true;
	}
	return 0;
}

/* A known field of the wrong type is an error, not a limit dropped in
 * silence (a string "1G", 1.5e9, or a number beyond int64). */
static int check_types(const cage_json *res, cage_err_t *err)
{
	static const struct { const char *a, *b; bool str; } f[] = {
		{"memory", "limit", false}, {"memory", "reservation", false}, {"memory", "swap", false},
		{"pids", "limit", false}, {"cpu", "shares", false}, {"cpu", "quota", false},
		{"cpu", "period", false}, {"cpu", "cpus", true}, {"cpu", "mems", true}};
	for (size_t i = 0; i < sizeof(f) / sizeof(*f); i++) {
		const cage_json *o = cage_json_get(res, f[i].a, CAGE_JSON_ANY);
		if (o && !cage_json_is(o, CAGE_JSON_OBJECT))
			return cage_err_set(err, RES ".%s is not an object", f[i].a);
		const cage_json *v = cage_json_get(o, f[i].b, CAGE_JSON_ANY);
		if (v && (f[i].str ? !cage_json_is(v, CAGE_JSON_STRING)
				   : cage_json_int(v, LLONG_MIN, LLONG_MAX, NULL) < 0))
			return cage_err_set(err, RES ".%s.%s is not %s", f[i].a, f[i].b,
					    f[i].str ? "a string" : "an integer in the 64-bit range");
	}
	return 0;
}

int cage_cg_knobs(const cage_json *res, const char *v2_ctrls, bool warn, struct cg_knobs *out,
		  cage_err_t *err)
{
	out->n = 0;
	if (!res)
		return 0;
	bool set;
	long long pids = res_int(res, "pids", "limit", &set);
	if (check_types(res, err) < 0 || memory_knobs(res, cage_cg_listed(v2_ctrls, "memory"), out, err) < 0 ||
	    (set && add(out, "pids", "pids.max", pids > 0 ? pids : -1, err) < 0) ||
	    cpu_knobs(res, cage_cg_listed(v2_ctrls, "cpu"), out, err) < 0 ||
	    hugetlb_knobs(res, cage_cg_listed(v2_ctrls, "hugetlb"), out, err) < 0 ||
	    throttle_knobs(res, cage_cg_listed(v2_ctrls, "io"), out, err) < 0 ||
	    unified_knobs(res, out, err) < 0)
		return -1;
	/* "devices" is not among them: a container has only the nodes of
	 * linux.devices and OCI's defaults, and no CAP_MKNOD unless given. */
	static const char *const unapplied[][2] = {
		{"blockIO", "weight"}, {"blockIO", "leafWeight"}, {"blockIO", "weightDevice"}, {"network", NULL}, {"rdma", NULL}, {"memory", "kernel"}, {"memory", "kernelTCP"},
		{"memory", "swappiness"}, {"memory", "disableOOMKiller"}, {"memory", "useHierarchy"},
		{"memory", "checkBeforeUpdate"}, {"cpu", "realtimeRuntime"}, {"cpu", "realtimePeriod"},
		{"cpu", "idle"}, {"cpu", "burst"}};
	for (size_t i = 0; warn && i < sizeof(unapplied) / sizeof(*unapplied); i++) {
		const cage_json *a = cage_json_get(res, unapplied[i][0], CAGE_JSON_ANY);
		if (unapplied[i][1] ? cage_json_get(a, unapplied[i][1], CAGE_JSON_ANY) != NULL : a != NULL)
			cage_warn(RES ".%s%s%s is not applied by cagefs-runtime", unapplied[i][0],
				  unapplied[i][1] ? "." : "", unapplied[i][1] ? unapplied[i][1] : "");
	}
	return 0;
}
