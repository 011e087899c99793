/* The host's cgroup hierarchies, as the calling process is in them, on a
 * unified (v2), v1 or hybrid host (docs/ARCHITECTURE.md §7: this machine is
 * hybrid), and the few writes every user of them needs.  cgroupfs belongs
 * to root: no user can plant a symlink there, so paths are used as they
 * are. */
#define _GNU_SOURCE
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

#define CGROOT "/sys/fs/cgroup"

bool cage_cg_holds(const struct cage_cg_hierarchy *h, const char *ctrl)
{
	return strcmp(ctrl, "cgroup") ? cage_cg_listed(h->ctrls, ctrl) : h->v2;
}

void cage_cg_read_list(const char *dir, const char *file, char *out, size_t size)
{
	_cleanup_free_ char *path = cage_path_join(dir, file);
	_cleanup_close_ int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	ssize_t n = fd >= 0 ? read(fd, out, size - 1) : -1;
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	for (char *c = out; (c = strchr(c, ' ')); c++)
		*c = ',';
}

static bool is_cgroupfs(const char *path, bool v2)
{
	struct statfs f;
	return statfs(path, &f) == 0 && f.f_type == (v2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC);
}

/* One line "ID:CONTROLLERS:PATH" into H; false for a line to skip.  The
 * path is the caller's own cgroup, which a user with a delegated tree
 * names (and a name may hold ':'), so nothing of it is trusted: lines are
 * read whole, the controllers field must look like one, and the mount must
 * be a cgroupfs. */
static bool parse_line(char *line, bool uni, struct cage_cg_hierarchy *h)
{
	line[strcspn(line, "\n")] = '\0';
	char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || (uni && c2 != c1 + 1))
		return false;
	*c2 = '\0';
	const char *ctrls = c1 + 1, *own = c2 + 1;
	if (strspn(ctrls, "abcdefghijklmnopqrstuvwxyz0123456789_,=") != strlen(ctrls) || own[0] != '/' ||
	    strlen(own) >= sizeof(h->own) || strlen(ctrls) >= sizeof(h->ctrls) - 1)
		return false;
	h->v2 = c2 == c1 + 1;
	snprintf(h->own, sizeof(h->own), "%s", own);
	const char *name = strncmp(ctrls, "name=", 5) ? ctrls : ctrls + 5;
	if (h->v2)
		snprintf(h->mount, sizeof(h->mount), "%s", uni ? CGROOT : CGROOT "/unified");
	else
		snprintf(h->mount, sizeof(h->mount), CGROOT "/%s", name);
	if (!is_cgroupfs(h->mount, h->v2))
		return false;
	if (h->v2)
		cage_cg_read_list(h->mount, "cgroup.controllers", h->ctrls, sizeof(h->ctrls));
	else
		snprintf(h->ctrls, sizeof(h->ctrls), "%s", ctrls);
	return true;
}

/* On a unified host the one v2 tree; on a v1 host the controllers' trees,
 * each mounted at /sys/fs/cgroup/NAME; on a hybrid one those and the v2
 * tree at /sys/fs/cgroup/unified, with what controllers v1 left to it. */
size_t cage_cg_hierarchies(struct cage_cg_hierarchy **out)
{
	bool uni = is_cgroupfs(CGROOT, true);
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, n = 0;
	*out = f ? calloc(CAGE_CG_HIERARCHIES_MAX, sizeof(**out)) : NULL;
	while (*out && n < CAGE_CG_HIERARCHIES_MAX && getline(&line, &cap, f) > 0)
		n += parse_line(line, uni, &(*out)[n]);
	return n;
}

int cage_cg_write(const char *dir, const char *file, const char *value, cage_err_t *err)
{
	_cleanup_free_ char *path = cage_path_join(dir, file);
	_cleanup_close_ int fd = path ? open(path, O_WRONLY | O_CLOEXEC) : -1;
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		return cage_err_sys(err, errno, "cannot write %s to %s", value, path ? path : file);
	return 0;
}

/* A v1 cpuset directory with no cpus or mems (new, or left so by a crash
 * or a concurrent creator between its mkdir and the copy) gets its
 * parent's: nothing could join it otherwise. */
static void fill_cpuset(const char *dir)
{
	for (const char *const *f = (const char *const[]){"cpuset.cpus", "cpuset.mems", NULL}; *f; f++) {
		char own[256], ppath[4200], buf[256] = "";
		cage_cg_read_list(dir, *f, own, sizeof(own));
		if (own[0])
			continue;
		snprintf(ppath, sizeof(ppath), "%s/..", dir);
		cage_cg_read_list(ppath, *f, buf, sizeof(buf));
		if (buf[0])
			cage_cg_write(dir, *f, buf, NULL);
	}
}

int cage_cg_mkdir_one(const struct cage_cg_hierarchy *h, const char *dir, bool *made, cage_err_t *err)
{
	*made = mkdir(dir, 0755) == 0;
	if (!*made && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create cgroup %s", dir);
	if (!h->v2 && cage_cg_holds(h, "cpuset"))
		fill_cpuset(dir);
	return 0;
}

int cage_cg_mkdirs(const struct cage_cg_hierarchy *h, const char *dir, cage_err_t *err)
{
	bool cpuset = !h->v2 && cage_cg_holds(h, "cpuset");
	char p[4096];
	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return cage_err_set(err, "cgroup path too long");
	for (char *s = strchr(p + strlen(h->mount), '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return cage_err_sys(err, errno, "cannot create cgroup %s", p);
		if (cpuset && strlen(p) > strlen(h->mount))
			fill_cpuset(p);
		if (!s)
			return 0;
		*s = '/';
	}
}

int cage_cg_move(const char *path, pid_t pid, cage_err_t *err)
{
	_cleanup_free_ struct cage_cg_hierarchy *h = NULL;
	size_t nh = cage_cg_hierarchies(&h);
	char text[32];
	snprintf(text, sizeof(text), "%d", pid);
	int rc = 0;
	for (size_t i = 0; i < nh; i++) {
		_cleanup_free_ char *dir = NULL;
		if (asprintf(&dir, "%s%s", h[i].mount, path) < 0)
			return cage_err_sys(err, ENOMEM, "cgroup");
		cage_err_t e = {0};
		if ((cage_cg_mkdirs(&h[i], dir, &e) < 0 || cage_cg_write(dir, "cgroup.procs", text, &e) < 0) &&
		    rc == 0)
			rc = cage_err_set(err, "%s", e.msg);
	}
	return rc;
}

/* v2 hands a controller down only where every ancestor has it in
 * cgroup.subtree_control: enable what the knobs need from the root of the
 * tree to DIR's parent (DIR itself will hold the process, and a v2 cgroup
 * with processes cannot hand controllers on). */
int cage_cg_enable_down(const char *dir, const struct cage_cg_hierarchy *h, const struct cg_knobs *ks,
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

/* Every controller a limit needs must be there: a limit is never dropped
 * in silence. */
int cage_cg_need_controllers(const struct cage_cg_hierarchy *h, size_t nh, const struct cg_knobs *ks,
			     const char *what, cage_err_t *err)
{
	for (size_t i = 0; i < ks->n; i++) {
		const struct cg_knob *k = &ks->k[i];
		size_t j = 0;
		while (j < nh && !cage_cg_holds(&h[j], k->ctrl))
			j++;
		if (j == nh)
			return cage_err_set(err, "%s: no cgroup hierarchy has the %s controller "
					    "(for %s)", what, k->ctrl, k->file);
		if (k->v2_only && !h[j].v2)
			return cage_err_set(err, "linux.resources.unified: %s needs the %s controller on "
					    "cgroup v2, and this host has it on v1", k->file, k->ctrl);
	}
	return 0;
}
