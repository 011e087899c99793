/* cgroups of ordinary OCI containers: linux.cgroupsPath and the common
 * linux.resources (memory, pids, cpu, cpuset), on a unified (v2) host and
 * on a v1 or hybrid one (DESIGN.md §7: this machine is hybrid).
 *
 * An absolute cgroupsPath is taken from the root of each hierarchy, a
 * relative one from the runtime's own cgroup (runtime-spec lets the runtime
 * choose); with resources but no path, the container gets "cagefs-ID"
 * below the runtime's own cgroup.  Without either it stays where its
 * creator is, as a process started by hand would. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

#define CGROOT "/sys/fs/cgroup"

struct knob {
	const char *ctrl;         /* v1 hierarchy holding it ("" on v2) */
	const char *file;
	char value[64];
};

static bool unified(void)
{
	struct statfs f;
	return statfs(CGROOT, &f) == 0 && f.f_type == CGROUP2_SUPER_MAGIC;
}

static long long res_int(yajl_val res, const char *a, const char *b, bool *set)
{
	const char *path[] = {a, b, NULL};
	yajl_val v = yajl_tree_get(res, path, yajl_t_number);
	*set = v && YAJL_IS_INTEGER(v);
	return *set ? YAJL_GET_INTEGER(v) : 0;
}

static const char *res_str(yajl_val res, const char *a, const char *b)
{
	const char *path[] = {a, b, NULL};
	yajl_val v = yajl_tree_get(res, path, yajl_t_string);
	return v && v->u.string[0] ? v->u.string : NULL;
}

/* A number for FILE; negative means "no limit", spelt as the file wants. */
static size_t add(struct knob *k, size_t n, const char *ctrl, const char *file, long long v)
{
	k[n].ctrl = ctrl;
	k[n].file = file;
	if (v < 0)
		snprintf(k[n].value, sizeof(k[n].value), "%s",
			 strstr(file, "pids") || strstr(file, ".max") ? "max" : "-1");
	else
		snprintf(k[n].value, sizeof(k[n].value), "%lld", v);
	return n + 1;
}

static size_t memory_knobs(yajl_val res, bool v2, struct knob *k, size_t n)
{
	bool set, lset;
	long long limit = res_int(res, "memory", "limit", &lset);
	if (lset)
		n = add(k, n, "memory", v2 ? "memory.max" : "memory.limit_in_bytes", limit);
	long long v = res_int(res, "memory", "reservation", &set);
	if (set)
		n = add(k, n, "memory", v2 ? "memory.low" : "memory.soft_limit_in_bytes", v);
	v = res_int(res, "memory", "swap", &set);
	/* v1 limits memory+swap together; v2 limits swap alone. */
	if (set && !v2)
		n = add(k, n, "memory", "memory.memsw.limit_in_bytes", v);
	else if (set && lset && v > 0 && limit > 0)
		n = add(k, n, "memory", "memory.swap.max", v - limit);
	return n;
}

static size_t cpu_knobs(yajl_val res, bool v2, struct knob *k, size_t n)
{
	bool set, pset;
	long long shares = res_int(res, "cpu", "shares", &set);
	if (set && v2) /* runc's conversion of shares [2, 262144] to weight [1, 10000] */
		n = add(k, n, "", "cpu.weight", 1 + ((shares - 2) * 9999) / 262142);
	else if (set)
		n = add(k, n, "cpu,cpuacct", "cpu.shares", shares);
	long long quota = res_int(res, "cpu", "quota", &set), period = res_int(res, "cpu", "period", &pset);
	if (v2 && (set || pset)) {
		k[n] = (struct knob){"", "cpu.max", ""};
		snprintf(k[n].value, sizeof(k->value), set && quota > 0 ? "%lld %lld" : "max %lld",
			 set && quota > 0 ? quota : (pset ? period : 100000), pset ? period : 100000);
		n++;
	} else {
		if (pset)
			n = add(k, n, "cpu,cpuacct", "cpu.cfs_period_us", period);
		if (set)
			n = add(k, n, "cpu,cpuacct", "cpu.cfs_quota_us", quota);
	}
	const char *cpus = res_str(res, "cpu", "cpus"), *mems = res_str(res, "cpu", "mems");
	if (cpus)
		k[n] = (struct knob){"cpuset", "cpuset.cpus", ""}, snprintf(k[n++].value, 64, "%s", cpus);
	if (mems)
		k[n] = (struct knob){"cpuset", "cpuset.mems", ""}, snprintf(k[n++].value, 64, "%s", mems);
	return n;
}

/* The writes linux.resources asks for; what is not honoured is said
 * (when warn).  "devices" is not among them: a container has only the
 * nodes of linux.devices and OCI's defaults, and no CAP_MKNOD unless given. */
static size_t knobs_of(yajl_val res, bool v2, struct knob *k, bool warn)
{
	bool set;
	size_t n = 0;
	if (!res)
		return 0;
	n = memory_knobs(res, v2, k, n);
	long long pids = res_int(res, "pids", "limit", &set);
	if (set)
		n = add(k, n, "pids", "pids.max", pids > 0 ? pids : -1);
	n = cpu_knobs(res, v2, k, n);
	static const char *const unsupported[] = {"blockIO", "hugepageLimits", "network", "rdma", "unified"};
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(*unsupported); i++) {
		const char *path[] = {unsupported[i], NULL};
		if (warn && yajl_tree_get(res, path, yajl_t_any))
			cage_warn("config.json: linux.resources.%s is not applied by cagefs-runtime",
				  unsupported[i]);
	}
	return n;
}

/* The runtime's own cgroup in HIERARCHY ("" for v2), from /proc/self/cgroup. */
static char *own_cgroup(const char *hierarchy)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		if (!strcmp(c1 + 1, hierarchy))
			return strdup(c2 + 1);
	}
	return strdup("/");
}

/* The container's directory in HIERARCHY, or NULL when it gets none. */
static char *cgroup_dir(const struct cage_spec *s, const char *id, const char *hierarchy, bool any)
{
	_cleanup_free_ char *rel = NULL;
	const char *p = s->cgroups_path;
	if (!p && !any)
		return NULL;
	if (!p && asprintf(&rel, "cagefs-%s", id) < 0)
		return NULL;
	p = p ? p : rel;
	_cleanup_free_ char *own = p[0] == '/' ? strdup("") : own_cgroup(hierarchy);
	char *dir = NULL;
	const char *mnt = hierarchy[0] ? hierarchy : "";
	if (!own || asprintf(&dir, CGROOT "%s%s%s/%s", mnt[0] ? "/" : "", mnt, own, p) < 0)
		return NULL;
	return dir;
}

static int write_file(const char *dir, const char *file, const char *value, cage_err_t *err)
{
	_cleanup_free_ char *path = cage_path_join(dir, file);
	_cleanup_close_ int fd = path ? open(path, O_WRONLY | O_CLOEXEC) : -1;
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		return cage_err_sys(err, errno, "cannot write %s to %s", value, path ? path : file);
	return 0;
}

/* A new v1 cpuset is empty, and nothing can join it: copy the parent's. */
static void inherit_cpuset(const char *dir)
{
	for (const char *const *f = (const char *const[]){"cpuset.cpus", "cpuset.mems", NULL}; *f; f++) {
		char ppath[4200], buf[256] = "";
		snprintf(ppath, sizeof(ppath), "%s/../%s", dir, *f);
		_cleanup_close_ int fd = open(ppath, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (n > 0) {
			buf[n] = '\0';
			write_file(dir, *f, buf, NULL);
		}
	}
}

static bool path_safe(const char *p)
{
	return !p || (!strstr(p, "/../") && strncmp(p, "../", 3) && strcmp(p, "..") &&
		      (strlen(p) < 3 || strcmp(p + strlen(p) - 3, "/..")));
}

/* The v1 hierarchies this host has, named as in /proc/self/cgroup. */
static const char *const v1_hierarchies[] = {"memory", "pids", "cpu,cpuacct", "cpuset", NULL};

/* mkdir -p (cgroupfs belongs to root: no symlink can be planted there). */
static int make_dirs(const char *dir, cage_err_t *err)
{
	char p[4096];
	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return cage_err_set(err, "cgroup path too long");
	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return cage_err_sys(err, errno, "cannot create cgroup %s", p);
		if (!s)
			return 0;
		*s = '/';
	}
}

static int place(const char *dir, const char *hierarchy, pid_t pid, const struct knob *k, size_t n,
		 cage_err_t *err)
{
	if (make_dirs(dir, err) < 0)
		return -1;
	if (!strcmp(hierarchy, "cpuset"))
		inherit_cpuset(dir);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(k[i].ctrl, hierarchy) || !hierarchy[0])
			if (write_file(dir, k[i].file, k[i].value, err) < 0)
				return -1;
	char text[32];
	snprintf(text, sizeof(text), "%d", pid);
	return write_file(dir, "cgroup.procs", text, err);
}

int cage_ctr_cgroup_apply(const struct cage_spec *s, const char *id, pid_t pid, cage_err_t *err)
{
	struct knob k[16];
	bool v2 = unified();
	if (!path_safe(s->cgroups_path))
		return cage_err_set(err, "config.json: linux.cgroupsPath %s leaves the hierarchy",
				    s->cgroups_path);
	size_t n = knobs_of((yajl_val)s->resources, v2, k, true);
	if (v2) {
		_cleanup_free_ char *dir = cgroup_dir(s, id, "", n > 0);
		return dir ? place(dir, "", pid, k, n, err) : 0;
	}
	for (const char *const *h = v1_hierarchies; *h; h++) {
		bool needed = false;
		for (size_t i = 0; i < n; i++)
			needed |= !strcmp(k[i].ctrl, *h);
		_cleanup_free_ char *dir = cgroup_dir(s, id, *h, n > 0);
		char mnt[64];
		snprintf(mnt, sizeof(mnt), CGROOT "/%s", *h);
		if (!dir || access(mnt, F_OK) < 0)
			continue;
		/* Only the hierarchies a limit lives in must work; the others are placement. */
		cage_err_t perr = {0};
		if (place(dir, *h, pid, k, n, needed ? err : &perr) < 0 && needed)
			return -1;
	}
	return 0;
}

int cage_ctr_cgroup_join(const struct cage_spec *s, const char *id, pid_t pid, cage_err_t *err)
{
	(void)err;
	bool v2 = unified();
	struct knob k[16];
	size_t n = knobs_of((yajl_val)s->resources, v2, k, false);
	char text[32];
	snprintf(text, sizeof(text), "%d", pid);
	for (const char *const *h = v2 ? (const char *const[]){"", NULL} : v1_hierarchies; *h; h++) {
		_cleanup_free_ char *dir = cgroup_dir(s, id, *h, n > 0);
		if (dir && access(dir, F_OK) == 0 && write_file(dir, "cgroup.procs", text, err) < 0)
			return -1;
	}
	return 0;
}

void cage_ctr_cgroup_remove(const struct cage_spec *s, const char *id)
{
	bool v2 = unified();
	struct knob k[16];
	size_t n = s->oci.tree ? knobs_of((yajl_val)s->resources, v2, k, false) : 0;
	for (const char *const *h = v2 ? (const char *const[]){"", NULL} : v1_hierarchies; *h; h++) {
		_cleanup_free_ char *dir = s->oci.tree ? cgroup_dir(s, id, *h, n > 0) : NULL;
		if (dir)
			rmdir(dir);
	}
}
