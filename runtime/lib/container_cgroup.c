/* cgroups of ordinary OCI containers: linux.cgroupsPath and the common
 * linux.resources (memory, pids, cpu, cpuset), on a unified (v2) host and
 * on a v1 or hybrid one (DESIGN.md §7: this machine is hybrid).
 *
 * An absolute cgroupsPath is taken from the root of each hierarchy, a
 * relative one from the runtime's own cgroup (runtime-spec lets the runtime
 * choose); with resources but no path, the container gets "cagefs-ID"
 * below the runtime's own cgroup.  Without either it stays where its
 * creator is, as a process started by hand would.
 *
 * The hierarchies are the runtime's own, read from /proc/self/cgroup (so a
 * host mounting cpu apart from cpuacct is found as it is).  The directories
 * made are recorded in the state directory ("cgroups"): exec joins them and
 * delete empties and removes them, whatever cgroup those commands run in. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
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
		n = add(k, n, "cpu", "cpu.shares", shares);
	long long quota = res_int(res, "cpu", "quota", &set), period = res_int(res, "cpu", "period", &pset);
	if (v2 && (set || pset)) {
		k[n] = (struct knob){"", "cpu.max", ""};
		snprintf(k[n].value, sizeof(k->value), set && quota > 0 ? "%lld %lld" : "max %lld",
			 set && quota > 0 ? quota : (pset ? period : 100000), pset ? period : 100000);
		n++;
	} else {
		if (pset)
			n = add(k, n, "cpu", "cpu.cfs_period_us", period);
		if (set)
			n = add(k, n, "cpu", "cpu.cfs_quota_us", quota);
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

/* One hierarchy of this host, as /proc/self/cgroup lists it. */
struct hierarchy {
	char ctrls[128];          /* "memory", "cpu,cpuacct", "name=systemd", "" (v2) */
	char mount[256];          /* where it is mounted */
	char own[1024];           /* the runtime's cgroup in it */
};

static bool holds(const struct hierarchy *h, const char *ctrl)
{
	size_t n = strlen(ctrl);
	for (const char *c = h->ctrls; (c = strstr(c, ctrl)); c += n)
		if ((c == h->ctrls || c[-1] == ',') && (c[n] == '\0' || c[n] == ','))
			return true;
	return false;
}

/* The hierarchies the runtime is in: on a unified host the one v2 tree; on
 * a v1 or hybrid host the v1 controllers' trees, each mounted at
 * /sys/fs/cgroup/NAME (hybrid's v2 tree holds no controller we set). */
static size_t hierarchies(struct hierarchy *out, size_t max)
{
	bool v2 = unified();
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1400];
	size_t n = 0;
	while (f && n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || (c2 == c1 + 1) != v2)
			continue;
		*c2 = '\0';
		struct hierarchy *h = &out[n];
		snprintf(h->ctrls, sizeof(h->ctrls), "%s", c1 + 1);
		snprintf(h->own, sizeof(h->own), "%s", c2 + 1);
		const char *name = strncmp(h->ctrls, "name=", 5) ? h->ctrls : h->ctrls + 5;
		snprintf(h->mount, sizeof(h->mount), CGROOT "%s%s", v2 ? "" : "/", v2 ? "" : name);
		if (access(h->mount, F_OK) == 0)
			n++;
	}
	return n;
}

/* The container's directory in H: cgroupsPath from the hierarchy's root
 * (absolute) or from the runtime's own cgroup (relative, or cagefs-ID). */
static char *cgroup_dir(const struct cage_spec *s, const char *id, const struct hierarchy *h)
{
	char *dir = NULL;
	const char *p = s->cgroups_path;
	int rc = p && p[0] == '/' ? asprintf(&dir, "%s%s", h->mount, p)
	       : p ? asprintf(&dir, "%s%s/%s", h->mount, h->own, p)
		   : asprintf(&dir, "%s%s/cagefs-%s", h->mount, h->own, id);
	return rc < 0 ? NULL : dir;
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

static int place(const char *dir, const struct hierarchy *h, pid_t pid, const struct knob *k, size_t n,
		 cage_err_t *err)
{
	if (make_dirs(dir, err) < 0)
		return -1;
	if (holds(h, "cpuset") && !unified())
		inherit_cpuset(dir);
	for (size_t i = 0; i < n; i++)
		if (holds(h, k[i].ctrl) && write_file(dir, k[i].file, k[i].value, err) < 0)
			return -1;
	char text[32];
	snprintf(text, sizeof(text), "%d", pid);
	return write_file(dir, "cgroup.procs", text, err);
}

/* Every controller a limit needs must be there: a limit is never dropped
 * in silence. */
static int check_controllers(const struct hierarchy *h, size_t nh, const struct knob *k, size_t n,
			     cage_err_t *err)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < nh && !holds(&h[j], k[i].ctrl))
			j++;
		if (j == nh)
			return cage_err_set(err, "linux.resources: no cgroup hierarchy has the %s controller "
					    "(for %s)", k[i].ctrl, k[i].file);
	}
	return 0;
}

int cage_ctr_cgroup_apply(const struct cage_spec *s, const char *id, pid_t pid, int dirfd,
			  cage_err_t *err)
{
	struct knob k[16];
	struct hierarchy h[16];
	bool v2 = unified();
	size_t n = knobs_of((yajl_val)s->resources, v2, k, true);
	if (!s->cgroups_path && !n)
		return 0; /* stays in its creator's cgroup */
	size_t nh = hierarchies(h, 16);
	if (check_controllers(h, nh, k, n, err) < 0)
		return -1;
	cage_strvec_t made = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < nh; i++) {
		bool needed = false;
		for (size_t j = 0; j < n; j++)
			needed |= holds(&h[i], k[j].ctrl);
		char *dir = cgroup_dir(s, id, &h[i]);
		cage_err_t perr = {0};
		/* The hierarchies a limit lives in must work; the others are placement. */
		if (!dir)
			rc = cage_err_sys(err, ENOMEM, "cgroup");
		else if (place(dir, &h[i], pid, k, n, needed ? err : &perr) < 0 && needed)
			rc = -1;
		if (dir && (rc == 0 || needed))
			cage_strvec_push(&made, dir);
		free(dir);
	}
	/* Recorded even on failure, so that undo removes what was made. */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	for (size_t i = 0; f && i < made.n; i++)
		fprintf(f, "%s\n", made.v[i]);
	if (f)
		fclose(f);
	if (text && cage_write_atomic_at(dirfd, "cgroups", text, len, 0600, rc < 0 ? NULL : err) < 0)
		rc = -1;
	free(text);
	cage_strvec_free(&made);
	return rc;
}

/* The directories recorded at create (none: no file, or an empty one). */
static int recorded(int dirfd, cage_strvec_t *dirs)
{
	_cleanup_free_ char *text = NULL;
	if (cage_read_file_at(dirfd, "cgroups", 1 << 20, &text, NULL, NULL) < 0)
		return 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, CGROOT "/", sizeof(CGROOT)) && cage_strvec_push(dirs, l) < 0)
			return -1;
	return 0;
}

int cage_ctr_cgroup_join(int dirfd, pid_t pid, cage_err_t *err)
{
	_cleanup_strvec_ cage_strvec_t dirs = {0};
	char text[32];
	snprintf(text, sizeof(text), "%d", pid);
	if (recorded(dirfd, &dirs) < 0)
		return cage_err_sys(err, ENOMEM, "cgroups");
	for (size_t i = 0; i < dirs.n; i++)
		if (write_file(dirs.v[i], "cgroup.procs", text, err) < 0)
			return -1;
	return 0;
}

/* SIGKILL whatever is left in DIR (processes the container forked, which
 * a container without a pid namespace of its own does not take along). */
static void empty_cgroup(const char *dir)
{
	_cleanup_free_ char *procs = cage_path_join(dir, "cgroup.procs");
	for (int round = 0; procs && round < 50; round++) {
		_cleanup_fclose_ FILE *f = fopen(procs, "re");
		long pid;
		int n = 0;
		while (f && fscanf(f, "%ld", &pid) == 1)
			n += kill((pid_t)pid, SIGKILL) == 0;
		if (!n)
			return;
		usleep(20000);
	}
}

void cage_ctr_cgroup_remove(int dirfd)
{
	_cleanup_strvec_ cage_strvec_t dirs = {0};
	if (recorded(dirfd, &dirs) < 0)
		return;
	for (size_t i = 0; i < dirs.n; i++) {
		empty_cgroup(dirs.v[i]);
		for (int tries = 0; rmdir(dirs.v[i]) < 0 && errno == EBUSY && tries < 50; tries++)
			usleep(20000); /* the last of them are still exiting */
	}
}
