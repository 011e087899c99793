/* Internals of the cages of hosting users (see cagefs/cage.h). */
#ifndef CAGEFS_CAGE_INTERNAL_H
#define CAGEFS_CAGE_INTERNAL_H

#include <sys/types.h>
#include <time.h>
#include "cagefs/cage.h"
#include "cagefs/error.h"
#include "cagefs/paths.h"

struct cage_oci;
struct cage_user;
/* U's config.json (cage.c) into OCI, and the time it last changed. */
int cage_bundle_config(const struct cage_paths *p, const struct cage_user *u, struct cage_oci *oci,
		       struct timespec *mtime, cage_err_t *err);

/* Pins (pins.c): the process holding USER's namespaces. */
pid_t cage_pin_pid(const struct cage_paths *p, const char *user); /* 0: none */
int cage_pin_record(const struct cage_paths *p, const char *user, pid_t pid, cage_err_t *err);
int cage_pin_open(const struct cage_paths *p, const char *user, const char *type);
int cage_pin_pidfd(const struct cage_paths *p, const char *user); /* -1 if none */
int cage_pin_release(const struct cage_paths *p, const char *user, cage_err_t *err);
/* Every live pin on the host (of USER, or of anyone with NULL), recorded
 * or not, known by what only a pin can be (pins.c, pin_identity). */
struct cage_pin_found {
	pid_t pid;
	char user[256];
};
int cage_pins_scan(const char *user, struct cage_pin_found **out, size_t *n, cage_err_t *err);
int cage_pin_adopt(const struct cage_paths *p, const char *user, cage_err_t *err);
void cage_pin_sleep(const char *user) __attribute__((noreturn));
/* A cgroup path of cagefs.ini (KEY=, DFLT when absent): from the root of
 * every cgroup hierarchy; "" when set empty.  Where pins live is
 * pin_cgroup= (default /cagefs/pins; "" leaves a pin in the cgroup of the
 * session that built the cage, §4.5); users' limits, limits_cgroup=
 * (default /cagefs/users, §4.17). */
int cage_ini_cgroup(const struct cage_paths *p, const char *key, const char *dflt, char *out, size_t size,
		    cage_err_t *err);
#define CAGE_PIN_CGROUP_DEFAULT "/cagefs/pins"
#define CAGE_LIMITS_CGROUP_DEFAULT "/cagefs/users"

/* /dev/log in the cage (syslog.c, docs/ARCHITECTURE.md §4.22): the
 * skeleton's dev/log socket, taken as a detached mount before the root is
 * built (-1: none there), then attached on the cage's /dev before
 * pivot_root (a cage_root_opts.before_pivot). */
struct cage_syslog {
	int tree;
	char dev[4200]; /* ROOT/dev, the built root's (its tmpfs) */
};
int cage_syslog_take(const char *root);
int cage_syslog_attach(void *arg, cage_err_t *err);

/* The entry's relay (relay.c, docs/ARCHITECTURE.md §4.15). */
/* The fd (0-2) of our controlling terminal, or -1; FOREGROUND: whether our
 * group holds it now. */
int cage_controlling_tty(bool *foreground);
/* In the program's process: a group of its own, given TTY (-1: none), or a
 * session of its own. */
void cage_relay_child(int tty, bool new_session);
/* In the entering process: relay signals to CHILD and end as it ends.
 * FOR_ROOT: a login shell root ran for the user on root's terminal; what it
 * leaves in root's session on that terminal is ended with it. */
void cage_relay(pid_t child, int tty, bool new_session, bool for_root) __attribute__((noreturn));

/* The Landlock domain of an entry (walls.c): everything beneath "/" (the
 * cage's root), fds 0-2's files, abstract sockets of this domain only.
 * Nothing (0) on a kernel without Landlock. */
int cage_landlock_enter(cage_err_t *err);
int cage_landlock_abi(void); /* 0: none */
/* A directory on fds 0-2 (the caller's, outside the cage) becomes
 * /dev/null (the cage's): on a kernel without Landlock it would be a way
 * out, and no program reads a directory as its input. */
void cage_stdio_no_dirs(void);

#endif
