/* The runtime: create or join a user's cage (issue 4; docs/ARCHITECTURE.md
 * §4.2, §4.3).
 *
 * One namespace set (mount, ipc, uts) per user, shared by all the user's
 * sessions.  The first entry creates it from /var/cagefs/NN/USER/config.json
 * and pins it; later entries setns() into it.  The pin is the process that
 * built the cage, asleep inside it (RUN/cages/USER.pid), so no mount per
 * user appears in the host's mount table (systemd#36856). */
#ifndef CAGEFS_CAGE_H
#define CAGEFS_CAGE_H

#include <stdbool.h>
#include <sys/types.h>
#include "cagefs/error.h"
#include "cagefs/inherit.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"
#include "cagefs/users.h"

/* ---- entering ---- */
struct cage_enter_opts {
	char *const *argv;        /* NULL: the login shell from config.json */
	bool as_root;             /* cagefsctl --enter: the administrator stays root, with
				   * root's capabilities and no seccomp filter, in the
				   * user's namespaces */
	bool login;               /* run argv[0] as a login shell ("-bash") */
	bool uncaged_ok;          /* a user CageFS definitely does not apply to runs
				   * uncaged, as themselves (cagefs_enter; manual) */
	bool on_behalf;           /* root runs this for the user (cagefs_enter_user):
				   * a command gets a session of its own; uncaged, also
				   * no fd, cwd or environment of root's */
	const struct cage_user *user; /* the caller looked the user up already
				   * (saves a passwd scan per entry), or NULL */
	const struct cage_inherited *inherited; /* a setuid caller's limits and signals,
				   * taken at its start (cage_inherited_take), given back
				   * to the program; NULL: nothing was taken */
};

/* Make sure USER's cage exists (create and pin it if not).  Twenty
 * concurrent callers end in one namespace (a lock per user).  Refused for
 * a user who is not caged, or when that cannot be decided. */
int cage_ensure(const struct cage_paths *p, const char *user, cage_err_t *err);
/* Every entry: decide whether USER is caged (cage_user_decide); if so,
 * join the cage (creating it first if needed), become the user, exec.  A
 * user who is definitely not caged runs uncaged with o->uncaged_ok, and is
 * refused without; when the decision cannot be made, the entry is refused
 * (fail closed).  Returns only on failure. */
int cage_enter(const struct cage_paths *p, const char *user, const struct cage_enter_opts *o,
	       cage_err_t *err);

/* The PAM module's entry (docs/ARCHITECTURE.md §4.16): the calling process
 * (a service's session process, root) moves into USER's cage, so that what
 * it starts next — the shell, the command, the cron job — runs there as
 * after cagefs_enter: it joins the mount, ipc and uts namespaces, and the
 * PID namespace for its children; takes the Landlock domain, no_new_privs
 * and the seccomp filter, which they inherit; stays root (the service
 * drops to the user itself).  1: joined; 0: USER is not caged (nothing
 * changed; the reason in WHY); -1: refused, the decision or the entry
 * failed (fail closed: the session must not go on). */
/* A service's session process (the PAM module) moves into USER's cage, as
 * an entry does, and stays root: 1 joined, 0 not caged (WHY says why;
 * untouched), -1 refused.  With CGROUPS (pam_cgfs(8)'s -c list) the
 * session's cgroups are made first (cagefs/session_cgroup.h), caged or
 * not, and *CG is what to close at the session's end. */
struct cage_session_cg;
int cage_session_join(const struct cage_paths *p, const char *user, const char *cgroups,
		      struct cage_session_cg **cg, char *why, size_t whysize, cage_err_t *err);

/* Users with a live (pinned) cage, sorted. */
int cage_list_live(const struct cage_paths *p, cage_strvec_t *out, cage_err_t *err);
/* Users with a live cage that holds a process of an SSH login, sorted
 * (manual: --list-logged-in): a process with the system's sshd, running
 * as root, among its ancestors, never one merely named sshd
 * (sessions.c, docs/ARCHITECTURE.md §4.14). */
int cage_list_logged_in(const struct cage_paths *p, cage_strvec_t *out, cage_err_t *err);
/* The inode of USER's pinned mount namespace, 0 if none. */
int cage_ns_inode(const struct cage_paths *p, const char *user, ino_t *ino, cage_err_t *err);
/* Unpin USER's cage; with kill, first SIGKILL every process inside it
 * (manual: --remount "will kill all current processes"). */
int cage_unmount(const struct cage_paths *p, const char *user, bool kill, cage_err_t *err);
/* An account that is gone (deleted, or renamed away from USER): its cage
 * dropped as cage_unmount(kill) does — only the processes inside USER's
 * cage, never another one —, and the runtime state of the name removed
 * (RUN/seccomp/USER.bpf, RUN/locks/USER).  1 if anything was there, 0 if
 * nothing was (a repeat), -1 on error. */
int cage_forget(const struct cage_paths *p, const char *user, cage_err_t *err);
/* Detach DIR and every mount below it inside USER's live cage: the number
 * of mounts detached (0: none, or no cage), -1 on error. */
int cage_unmount_dir(const struct cage_paths *p, const char *user, const char *dir, cage_err_t *err);
/* Is the process of PIDFD (pid PID here) in USER's live cage, its mount
 * and PID namespaces those of the cage's pin?  1 yes, 0 no (another
 * namespace, or no live cage), -1 if that cannot be told (the process is
 * gone: checked after the namespaces were read, so a pid reused meanwhile
 * is never taken for it).  The proxy's check of its caller (§4.18). */
int cage_pid_in_cage(const struct cage_paths *p, const char *user, int pidfd, pid_t pid, cage_err_t *err);
/* Processes whose mount namespace is USER's cage (not counting its pin). */
int cage_pids(const struct cage_paths *p, const char *user, pid_t **pids, size_t *n, cage_err_t *err);

/* ---- per-user limits (limits_cgroup.c, docs/ARCHITECTURE.md §4.17) ---- */

/* The limits of U's account (limits.conf's line of the uid's first name in
 * the passwd database, cagefs/limits.h) written to the account's cgroup
 * (limits_cgroup/UID) and the calling process moved into it, before it
 * joins the cage: 1 when moved, 0 when nothing is limited (nothing is
 * touched), -1 when a limit could not be applied (the file is broken, a
 * controller is missing): the entry is then refused, never run without
 * its limits. */
int cage_limits_join(const struct cage_paths *p, const struct cage_user *u, cage_err_t *err);
/* cagefsctl --set-limits NAME KEY=VALUE...: limits.conf edited
 * (cage_limits_edit), the result checked to be applicable here, written,
 * and applied (cage_limits_update).  NAME: a user of the passwd database,
 * or "default". */
int cage_limits_change(const struct cage_paths *p, const char *name, char *const *assign, size_t nassign,
		       cage_err_t *err);
/* After limits.conf changed for NAME (a user, or "default": every account
 * with a cgroup or a live cage): the values written to the account's
 * cgroup, limits lifted where a key is no longer limited, and the
 * processes of its live cages moved in (those of its uid, alive when
 * moved, not already below it).  Every account is tried; the first failure
 * is told. */
int cage_limits_update(const struct cage_paths *p, const char *name, cage_err_t *err);
/* What USER's cgroup holds now: bytes of memory and processes, -1 where
 * unknown (no cgroup, or no such controller). */
struct cage_limits_usage {
	long long memory, pids;
};
void cage_limits_usage(const struct cage_paths *p, const char *user, struct cage_limits_usage *out);


#endif
