/* cgroups of ordinary OCI containers: linux.cgroupsPath and the common
 * linux.resources (memory, pids, cpu, cpuset, hugetlb, unified), on a
 * unified (v2) host and on a v1 or hybrid one (docs/ARCHITECTURE.md §7:
 * this machine is hybrid).
 *
 * On v2 the controllers a limit needs are enabled in every ancestor's
 * cgroup.subtree_control; on a hybrid host the v2 tree is one hierarchy
 * more, with the controllers v1 left to it.
 *
 * An absolute cgroupsPath is taken from the root of each hierarchy, a
 * relative one from the runtime's own cgroup (runtime-spec lets the runtime
 * choose); with resources but no path, the container gets "cagefs-ID"
 * below the runtime's own cgroup.  Without either it stays where its
 * creator is, as a process started by hand would.
 *
 * The hierarchies are the runtime's own, read from /proc/self/cgroup (so a
 * host mounting cpu apart from cpuacct is found as it is).  The directories
 * the init was placed in, or that were made for it, are recorded in the
 * state directory ("cgroups"): exec joins them and delete empties and
 * removes them, whatever cgroup those commands run in.  A directory that
 * already holds processes is never taken (delete would kill them).  A
 * recorded directory is opened beneath the root of its hierarchy (openat2
 * RESOLVE_BENEATH), never accepted for starting with /sys/fs/cgroup: a
 * record such as /sys/fs/cgroup/../../home/u1/x cannot lead delete to kill
 * the processes a file elsewhere lists (docs/ARCHITECTURE.md §4.10). */
#define _GNU_SOURCE
#include "container_internal.h"

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

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"
#include "runtime/oci/cgroup.h"

#define CGROOT "/sys/fs/cgroup"

/* The container's directory in H: cgroupsPath from the hierarchy's root
 * (absolute) or from the runtime's own cgroup (relative, or cagefs-ID). */
static char *cgroup_dir(const struct cage_spec *s, const char *id, const struct cage_cg_hierarchy *h)
{
	char *dir = NULL;
	const char *p = s->cgroups_path;
	int rc = p && p[0] == '/' ? asprintf(&dir, "%s%s", h->mount, p)
	       : p ? asprintf(&dir, "%s%s/%s", h->mount, h->own, p)
		   : asprintf(&dir, "%s%s/cagefs-%s", h->mount, h->own, id);
	return rc < 0 ? NULL : dir;
}

/* Whether DIR holds a process (one that is not the container's, which
 * delete would then kill). */
static bool populated(const char *dir)
{
	char procs[16];
	cage_cg_read_list(dir, "cgroup.procs", procs, sizeof(procs));
	return procs[0] != '\0';
}

/* OURS: DIR is made here (so undo may remove it). */
static int place(const char *dir, const struct cage_cg_hierarchy *h, pid_t pid, const struct cg_knobs *ks,
		 bool *ours, cage_err_t *err)
{
	*ours = access(dir, F_OK) != 0;
	if (!*ours && populated(dir))
		return cage_err_set(err, "cgroup %s already holds processes: a container does not share "
				    "its cgroup (delete would kill them)", dir);
	if (cage_cg_mkdirs(h, dir, err) < 0 || (h->v2 && cage_cg_enable_down(dir, h, ks, err) < 0))
		return -1;
	for (size_t i = 0; i < ks->n; i++)
		if (cage_cg_holds(h, ks->k[i].ctrl) && cage_cg_write(dir, ks->k[i].file, ks->k[i].value, err) < 0)
			return -1;
	char text[32];
	snprintf(text, sizeof(text), "%d", pid);
	return cage_cg_write(dir, "cgroup.procs", text, err);
}

int cage_ctr_cgroup_apply(const struct cage_spec *s, const char *id, pid_t pid, int dirfd,
			  cage_err_t *err)
{
	_cleanup_free_ struct cage_cg_hierarchy *h = NULL;
	size_t nh = cage_cg_hierarchies(&h);
	const char *v2_ctrls = "";
	for (size_t i = 0; i < nh; i++)
		v2_ctrls = h[i].v2 ? h[i].ctrls : v2_ctrls;
	struct cg_knobs ks;
	if (cage_cg_knobs(s->resources, v2_ctrls, true, &ks, err) < 0)
		return -1;
	if (!s->cgroups_path && !ks.n)
		return 0; /* stays in its creator's cgroup */
	if (cage_cg_need_controllers(h, nh, &ks, "linux.resources", err) < 0)
		return -1;
	cage_strvec_t made = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < nh; i++) {
		bool needed = false;
		for (size_t j = 0; j < ks.n; j++)
			needed |= cage_cg_holds(&h[i], ks.k[j].ctrl);
		char *dir = cgroup_dir(s, id, &h[i]);
		cage_err_t perr = {0};
		bool ours = false, placed = false;
		/* The hierarchies a limit lives in must work; the others are placement. */
		if (!dir)
			rc = cage_err_sys(err, ENOMEM, "cgroup");
		else if (!(placed = place(dir, &h[i], pid, &ks, &ours, needed ? err : &perr) == 0) && needed)
			rc = -1;
		/* Recorded: where the init went, and what was made here (for undo). */
		if (dir && (placed || ours))
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

/* ---- the recorded directories ---- */

static bool is_cgroupfs(int fd)
{
	struct statfs f;
	return fstatfs(fd, &f) == 0 && (f.f_type == CGROUP_SUPER_MAGIC || f.f_type == CGROUP2_SUPER_MAGIC);
}

/* The root of the hierarchy recorded PATH is in (an O_PATH fd), and in
 * *REL the rest of PATH, below that root.  /sys/fs/cgroup is itself the
 * hierarchy on a unified host; on a v1 or hybrid one it holds a mount per
 * hierarchy, named by PATH's next component. */
static int hierarchy_of(const char *path, const char **rel, cage_err_t *err)
{
	static const char prefix[] = CGROOT "/";
	if (strncmp(path, prefix, sizeof(prefix) - 1))
		return cage_err_set(err, "not below " CGROOT);
	_cleanup_close_ int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int top = slash < 0 ? -1 : cage_open_beneath(slash, CGROOT, O_PATH | O_DIRECTORY, 0, err);
	*rel = path + sizeof(prefix) - 1;
	if (top < 0 || is_cgroupfs(top))
		return top < 0 ? -1 : CAGE_STEAL_FD(top);
	char name[256];
	size_t n = strcspn(*rel, "/");
	if (n >= sizeof(name))
		return cage_err_set(err, "no cgroup hierarchy is named so");
	snprintf(name, sizeof(name), "%.*s", (int)n, *rel);
	*rel += n;
	_cleanup_close_ int h = cage_open_beneath(top, name, O_PATH | O_DIRECTORY, 0, err);
	if (h >= 0 && !is_cgroupfs(h))
		return cage_err_set(err, CGROOT "/%s is not a cgroup hierarchy", name);
	return h < 0 ? -1 : CAGE_STEAL_FD(h);
}

/* One recorded directory, opened beneath the root of its hierarchy with
 * openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS
 * (cage_open_beneath): "..", a symlink or a magic link cannot take it out
 * of the hierarchy, and its last component is a real name, so it is never
 * the hierarchy's root either (delete would kill every process there). */
static int open_one(const char *path, struct cage_ctr_cgroup *cg, cage_err_t *err)
{
	const char *rel = NULL, *base = NULL;
	_cleanup_close_ int h = hierarchy_of(path, &rel, err);
	cg->parent = h < 0 ? -1 : cage_open_parent_beneath(h, rel, &base, err);
	if (cg->parent < 0)
		return -1;
	cg->dir = openat(cg->parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cg->dir < 0)
		return cage_err_sys(err, errno, "cannot open it");
	if (!is_cgroupfs(cg->dir))
		return cage_err_set(err, "not a cgroup");
	return (cg->name = strdup(base)) && (cg->path = strdup(path)) ? 0 : cage_err_sys(err, ENOMEM, "cgroup");
}

int cage_ctr_cgroups_open(int dirfd, struct cage_ctr_cgroups *cgs, cage_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	cage_err_t e = {0};
	memset(cgs, 0, sizeof(*cgs));
	if (cage_ctr_read(dirfd, "cgroups", 1 << 20, &text, NULL, &e) < 0) {
		if (e.errnum != ENOENT && err)
			*err = e;
		return e.errnum == ENOENT ? 0 : -1; /* none recorded */
	}
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct cage_ctr_cgroup *v = realloc(cgs->v, (cgs->n + 1) * sizeof(*v));
		if (!v) {
			cage_ctr_cgroups_close(cgs);
			return cage_err_sys(err, ENOMEM, "cgroups");
		}
		cgs->v = v;
		v[cgs->n++] = (struct cage_ctr_cgroup){.dir = -1, .parent = -1};
		if (open_one(l, &v[cgs->n - 1], err) < 0) {
			cage_err_prefix(err, "recorded cgroup %s", l);
			cage_ctr_cgroups_close(cgs);
			return -1;
		}
	}
	return 0;
}

void cage_ctr_cgroups_close(struct cage_ctr_cgroups *cgs)
{
	for (size_t i = 0; i < cgs->n; i++) {
		struct cage_ctr_cgroup *cg = &cgs->v[i];
		if (cg->dir >= 0)
			close(cg->dir);
		if (cg->parent >= 0)
			close(cg->parent);
		free(cg->path);
		free(cg->name);
	}
	free(cgs->v);
	memset(cgs, 0, sizeof(*cgs));
}

int cage_ctr_cgroup_join(const struct cage_ctr_cgroups *cgs, pid_t pid, cage_err_t *err)
{
	char text[32];
	snprintf(text, sizeof(text), "%d", pid);
	for (size_t i = 0; i < cgs->n; i++) {
		_cleanup_close_ int fd = openat(cgs->v[i].dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, text, strlen(text)) < 0)
			return cage_err_sys(err, errno, "cannot join cgroup %s", cgs->v[i].path);
	}
	return 0;
}

/* SIGKILL whatever is left in DIR (processes the container forked, which
 * a container without a pid namespace of its own does not take along). */
static void empty_cgroup(int dir)
{
	for (int round = 0; round < 50; round++) {
		int fd = openat(dir, "cgroup.procs", O_RDONLY | O_CLOEXEC);
		_cleanup_fclose_ FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
		long pid;
		int n = 0;
		if (fd >= 0 && !f)
			close(fd);
		while (f && fscanf(f, "%ld", &pid) == 1)
			n += kill((pid_t)pid, SIGKILL) == 0;
		if (!n)
			return;
		usleep(20000);
	}
}

void cage_ctr_cgroup_remove(const struct cage_ctr_cgroups *cgs)
{
	for (size_t i = 0; i < cgs->n; i++) {
		const struct cage_ctr_cgroup *cg = &cgs->v[i];
		empty_cgroup(cg->dir);
		for (int tries = 0; unlinkat(cg->parent, cg->name, AT_REMOVEDIR) < 0 && errno == EBUSY && tries < 50;
		     tries++)
			usleep(20000); /* the last of them are still exiting */
	}
}
