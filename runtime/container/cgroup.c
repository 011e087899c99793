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
 * already holds processes is never taken (delete would kill them). */
#define _GNU_SOURCE
#include "container_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* v2 hands a controller down only where every ancestor has it in
 * cgroup.subtree_control: enable what the knobs need from the root of the
 * tree to DIR's parent (DIR itself will hold the process, and a v2 cgroup
 * with processes cannot hand controllers on). */
static int enable_down(const char *dir, const struct cage_cg_hierarchy *h, const struct cg_knobs *ks,
		       cage_err_t *err)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + strlen(h->mount); *s == '/'; s = strchr(s + 1, '/')) {
		*s = '\0';
		char on[256];
		cage_cg_read_list(p, "cgroup.subtree_control", on, sizeof(on));
		for (size_t i = 0; i < ks->n; i++) {
			const char *c = ks->k[i].ctrl;
			if (!strcmp(c, "cgroup") || !cage_cg_holds(h, c) || cage_cg_listed(on, c))
				continue;
			char plus[40];
			snprintf(plus, sizeof(plus), "+%s", c);
			if (cage_cg_write(p, "cgroup.subtree_control", plus, NULL) < 0)
				return cage_err_sys(err, errno, "cannot enable the %s controller below %s%s", c, p,
						    errno == EBUSY ? " (a cgroup v2 directory holding processes "
						    "cannot hand controllers down)" : "");
			cage_cg_read_list(p, "cgroup.subtree_control", on, sizeof(on));
		}
		*s = '/';
		if (!strchr(s + 1, '/'))
			break;
	}
	return 0;
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
	if (cage_cg_mkdirs(h, dir, err) < 0 || (h->v2 && enable_down(dir, h, ks, err) < 0))
		return -1;
	for (size_t i = 0; i < ks->n; i++)
		if (cage_cg_holds(h, ks->k[i].ctrl) && cage_cg_write(dir, ks->k[i].file, ks->k[i].value, err) < 0)
			return -1;
	char text[32];
	snprintf(text, sizeof(text), "%d", pid);
	return cage_cg_write(dir, "cgroup.procs", text, err);
}

/* Every controller a limit needs must be there: a limit is never dropped
 * in silence. */
static int check_controllers(const struct cage_cg_hierarchy *h, size_t nh, const struct cg_knobs *ks,
			     cage_err_t *err)
{
	for (size_t i = 0; i < ks->n; i++) {
		const struct cg_knob *k = &ks->k[i];
		size_t j = 0;
		while (j < nh && !cage_cg_holds(&h[j], k->ctrl))
			j++;
		if (j == nh)
			return cage_err_set(err, "linux.resources: no cgroup hierarchy has the %s controller "
					    "(for %s)", k->ctrl, k->file);
		if (k->v2_only && !h[j].v2)
			return cage_err_set(err, "linux.resources.unified: %s needs the %s controller on "
					    "cgroup v2, and this host has it on v1", k->file, k->ctrl);
	}
	return 0;
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
	if (check_controllers(h, nh, &ks, err) < 0)
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

/* The directories recorded at create (none: no file, or an empty one). */
static int recorded(int dirfd, cage_strvec_t *dirs)
{
	_cleanup_free_ char *text = NULL;
	/* Read only if root's own (trust.c): none otherwise, nothing acted on. */
	if (cage_ctr_read(dirfd, "cgroups", 1 << 20, &text, NULL, NULL) < 0)
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
		if (cage_cg_write(dirs.v[i], "cgroup.procs", text, err) < 0)
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
