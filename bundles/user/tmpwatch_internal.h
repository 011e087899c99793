/* Between the parent side of tmpwatch (tmpwatch.c, root) and the walk a
 * child runs once it has become the user (tmpwalk.c). */
#ifndef CAGEFS_TMPWATCH_INTERNAL_H
#define CAGEFS_TMPWATCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "cagefs/tmpwatch.h"

/* What the child reports through its pipe: one write, well below
 * PIPE_BUF, so it arrives whole or not at all. */
struct tw_report {
	struct cage_tmpwatch_result r;
	int done;        /* 1: the child got to the end */
	int own;         /* 1: msg is about what the user controls */
	char msg[1024];  /* problems met, "; "-separated */
};

/* The in-cage path P as a path below ~/.cagefs (no leading '/'):
 * /tmp/REST and /var/tmp/REST are tmp/REST, anything else P itself.
 * NULL if P is not absolute or names ~/.cagefs itself. */
char *tw_cage_rel(const char *path);

/* In the child, as the user: clean every directory of C below HOME.
 * Fills REP (own problems in rep->msg).  Never follows a symlink, never
 * leaves the mount of the directory it cleans, never opens a file. */
void tw_clean_home(const struct cage_tmpwatch_conf *c, const char *home, time_t now,
		   struct tw_report *rep);

#endif
