/* The cgroup files linux.resources asks to write (container_cgroup_knobs.c),
 * and where they go (container_cgroup.c). */
#ifndef CAGEFS_CONTAINER_CGROUP_H
#define CAGEFS_CONTAINER_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#include "cagefs/error.h"

/* One write: FILE in the container's directory of the hierarchy holding
 * controller CTRL ("cgroup" for the core files every v2 tree has). */
struct cg_knob {
	char ctrl[32];
	char file[64];
	char value[256];
	bool v2_only;             /* from linux.resources.unified */
};

#define CG_KNOBS_MAX 32

struct cg_knobs {
	struct cg_knob k[CG_KNOBS_MAX];
	size_t n;
};

/* The writes RESOURCES (a yajl_val of linux.resources, or NULL) asks for,
 * named for cgroup v2 where the controller is in the comma list V2_CTRLS
 * and for v1 elsewhere.  Unknown or malformed values are an error; parts
 * cagefs-runtime does not apply are warned of when WARN. */
int cage_cg_knobs(const void *resources, const char *v2_ctrls, bool warn, struct cg_knobs *out,
		  cage_err_t *err);

/* Whether the comma list CTRLS names controller CTRL. */
bool cage_cg_listed(const char *ctrls, const char *ctrl);

#endif
