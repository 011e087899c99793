/* Internals of learning mode (learn.c, supervise.c; docs/ARCHITECTURE.md
 * §4.25). */
#ifndef CAGEFS_LEARN_INTERNAL_H
#define CAGEFS_LEARN_INTERNAL_H

#include <stddef.h>
#include <time.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"

struct cage_oci;
struct cage_user;

enum learn_file {
	LEARN_DIR, LEARN_SOCK,                 /* under RUN */
	LEARN_RECORD_DIR, LEARN_RECORD,        /* under VAR */
	LEARN_PROPOSAL_DIR, LEARN_PROPOSAL, LEARN_OVERRIDE, /* under ETC */
};
int learn_path(const struct cage_paths *p, enum learn_file f, const char *user, char *buf, size_t size);

/* U's profile as entries load it, checked to compile for learning. */
int learn_profile(const struct cage_paths *p, const struct cage_user *u, struct cage_oci *oci,
		  struct timespec *mtime, cage_err_t *err);

/* Start the supervisor of U in the background on the listening socket
 * FD (the caller closes its copy), until UNTIL. */
int learn_supervise(const struct cage_paths *p, const struct cage_user *u, int fd, time_t until, cage_err_t *err);

#endif
