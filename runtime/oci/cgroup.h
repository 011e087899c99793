/* cgroups: the host's hierarchies (cgroup.c), the files linux.resources
 * asks to write (runtime/container/cgroup_knobs.c) and where they go
 * (runtime/container/cgroup.c). */
#ifndef CAGEFS_CGROUP_H
#define CAGEFS_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cagefs/error.h"
#include "cagefs/json.h"

/* One write: FILE in the container's directory of the hierarchy holding
 * controller CTRL ("cgroup" for the core files every v2 tree has). */
struct cg_knob {
	char ctrl[32];
	char file[64];
	char value[256];
	bool v2_only;             /* from linux.resources.unified */
};

#define CG_KNOBS_MAX 64

struct cg_knobs {
	struct cg_knob k[CG_KNOBS_MAX];
	size_t n;
};

/* The writes RESOURCES (linux.resources, or NULL) asks for,
 * named for cgroup v2 where the controller is in the comma list V2_CTRLS
 * and for v1 elsewhere.  Unknown or malformed values are an error; parts
 * cagefs-runtime does not apply are warned of when WARN. */
int cage_cg_knobs(const cage_json *resources, const char *v2_ctrls, bool warn, struct cg_knobs *out,
		  cage_err_t *err);

/* Whether the comma list CTRLS names controller CTRL. */
bool cage_cg_listed(const char *ctrls, const char *ctrl);

/* One hierarchy of this host, as /proc/self/cgroup lists it. */
struct cage_cg_hierarchy {
	bool v2;
	char ctrls[256];          /* "memory", "cpu,cpuacct", "name=systemd"; v2: its controllers */
	char mount[256];          /* where it is mounted */
	char own[4096];           /* the calling process's cgroup in it (PATH_MAX) */
};

#define CAGE_CG_HIERARCHIES_MAX 32

/* The hierarchies the calling process is in (at most
 * CAGE_CG_HIERARCHIES_MAX), in a malloc'd array (NULL and 0: none). */
size_t cage_cg_hierarchies(struct cage_cg_hierarchy **out);
/* Whether H has controller CTRL ("cgroup": the core files of any v2 tree). */
bool cage_cg_holds(const struct cage_cg_hierarchy *h, const char *ctrl);
/* A space-separated cgroup file (cgroup.controllers, subtree_control) of
 * DIR as a comma list ("" if unreadable). */
void cage_cg_read_list(const char *dir, const char *file, char *out, size_t size);
int cage_cg_write(const char *dir, const char *file, const char *value, cage_err_t *err);
/* mkdir -p DIR in H; a new v1 cpuset directory gets its parent's cpus and
 * mems (it is empty, and nothing could join it, otherwise). */
int cage_cg_mkdirs(const struct cage_cg_hierarchy *h, const char *dir, cage_err_t *err);
/* mkdir DIR in H (its parent must exist), cpuset filled as above; *MADE
 * tells whether this call made it (false: it was there already). */
int cage_cg_mkdir_one(const struct cage_cg_hierarchy *h, const char *dir, bool *made, cage_err_t *err);
/* Move PID into PATH (from the root of each hierarchy PID's mover is in),
 * made if missing: every hierarchy is tried; the first failure is told. */
int cage_cg_move(const char *path, pid_t pid, cage_err_t *err);

/* v2: enable in cgroup.subtree_control, from the root of H's tree down to
 * DIR's parent, every controller KS writes to. */
int cage_cg_enable_down(const char *dir, const struct cage_cg_hierarchy *h, const struct cg_knobs *ks,
			cage_err_t *err);
/* Every controller KS writes to is on one of the NH hierarchies H (and a
 * v2-only knob on v2): a limit is never dropped in silence.  WHAT names
 * the limits in the message. */
int cage_cg_need_controllers(const struct cage_cg_hierarchy *h, size_t nh, const struct cg_knobs *ks,
			     const char *what, cage_err_t *err);

#endif
