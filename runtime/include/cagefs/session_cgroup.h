/* Session cgroups with the semantics of pam_cgfs(8), for the PAM module's
 * `-c CONTROLLERS` (issue 11; docs/ARCHITECTURE.md §4.16).  Layer 4.
 *
 * For each hierarchy named, the calling process (a service's session
 * process, root) gets a writable cgroup user/USER/N below its current
 * cgroup there (N the first number free in every hierarchy named), owned by
 * the user, and moves into it; or keeps the systemd session scope
 * (user.slice/user-UID.slice/session-N.scope) it already is in, chowned to
 * the user.  At close it moves back and what it made is removed, where
 * empty — never a directory it did not make. */
#ifndef CAGEFS_SESSION_CGROUP_H
#define CAGEFS_SESSION_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

#include "cagefs/error.h"

struct cage_session_cg;

/* Whether LIST is a -c list pam_cgfs(8) accepts: kernel controller names
 * (memory), named hierarchies (name=systemd; the manual's example spells
 * it named=systemd, taken too), or all alone.  -1 with the problem in ERR. */
int cage_session_cg_check(const char *list, cage_err_t *err);

/* Make and join the session's cgroups of LIST for USER (uid, gid), before
 * anything that takes the process's view of /sys/fs/cgroup away (the cage
 * join: its mount namespace and Landlock domain).  *OUT: what to hand to
 * cage_session_cg_close and cage_session_cg_free.  On failure nothing made
 * is left and the process is where it was. */
int cage_session_cg_open(const char *list, const char *user, uid_t uid, gid_t gid,
			 struct cage_session_cg **out, cage_err_t *err);

/* The directories the session is in, comma-separated (for a debug line). */
void cage_session_cg_describe(const struct cage_session_cg *s, char *buf, size_t size);

/* Session end: the process moves back to the cgroups it came from, and the
 * directories open made are removed where empty (by a helper started at
 * open outside the cage: inside it, Landlock forbids the rmdir).  Waits a
 * few seconds at most.  Works from inside the cage (fds opened at open). */
void cage_session_cg_close(struct cage_session_cg *s);

/* fds closed, memory freed; nothing moved or removed (a forked copy of the
 * session process ending, pam_end). */
void cage_session_cg_free(struct cage_session_cg *s);

#endif
