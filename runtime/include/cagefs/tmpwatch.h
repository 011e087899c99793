/* Cleaning the users' cage /tmp and PHP sessions (manual: "TMP Directories";
 * docs/ARCHITECTURE.md §4.20).
 *
 * Settings in cagefs.ini:
 *   tmpwatch_cmd=/usr/sbin/tmpwatch -umclq 720   (cagefsctl --set-tmpwatch)
 *   tmpwatch_dirs=/dir1,/dir2                    (more in-cage directories)
 *   clean_user_php_sessions=false                (no PHP session cleaning)
 * A user's in-cage path P lives at ~/.cagefs/tmp/REST when P is /tmp/REST
 * or /var/tmp/REST, else at ~/.cagefs/P.  Every user's tree is cleaned by a
 * child process that has become that user, through file descriptors only,
 * never following a symlink and never crossing a mount. */
#ifndef CAGEFS_TMPWATCH_H
#define CAGEFS_TMPWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"
#include "cagefs/users.h"

/* The manual's: files not accessed for 30 days, checked once a day. */
#define CAGE_TMPWATCH_DEFAULT "/usr/sbin/tmpwatch -umclq 720"
/* PHP's own default of session.gc_maxlifetime (seconds). */
#define CAGE_PHP_GC_MAXLIFETIME 1440
/* A user's cleaner that runs longer than this is killed (a FUSE mount that
 * hangs, a tree of millions of files): the next run goes on. */
#define CAGE_TMPWATCH_TIMEOUT 3600

/* The options of a tmpwatch command line that cagefs carries out itself
 * (tmpwatch(8)): which times say a file is in use (the latest of them
 * counts; atime if none is given), and what may be removed. */
struct cage_tmpwatch_cmd {
	time_t max_age;            /* seconds: the hours (or "Nd" days) */
	bool atime, mtime, ctime;  /* -u -m -c */
	bool dirmtime;             /* -M: directories by their mtime only */
	bool nosymlinks, nodirs;   /* -l -d: keep symlinks, keep empty directories */
	bool all;                  /* -a: sockets and fifos too */
	bool test;                 /* -t: remove nothing, count what would go */
};
/* Parse "PROGRAM [OPTIONS] TIME" (PROGRAM's name must be tmpwatch; no
 * directories: those are tmpwatch_dirs).  Options -x, -U, -X, -s are
 * refused: cagefs does not carry them out.  Pure; errors name the word. */
int cage_tmpwatch_cmd_parse(const char *line, struct cage_tmpwatch_cmd *out, cage_err_t *err);
/* Check LINE and store it as tmpwatch_cmd in cagefs.ini (--set-tmpwatch). */
int cage_tmpwatch_set(const struct cage_paths *p, const char *line, cage_err_t *err);

/* One directory of PHP sessions: its in-cage path, the lifetime of a
 * session there (the least of every php.ini naming it), and how many
 * levels of sub-directories PHP spreads them over ("N;/path"). */
struct cage_php_sessdir {
	char *path;
	long lifetime;
	unsigned depth;
};
struct cage_php_sessdirs {
	struct cage_php_sessdir *d;
	size_t n;
};
/* Add what one php.ini says (session.save_path, default /tmp;
 * session.gc_maxlifetime, default 1440).  Malformed values are errors
 * "FILE:LINE: ..."; then nothing is added.  Pure. */
int cage_php_ini_parse(struct cage_php_sessdirs *s, const char *file, const char *buf, size_t len,
		       cage_err_t *err);
/* Every php.ini of the host (the manual's and Debian's places): the
 * directories found, and one error line per file that could not be used
 * (in ERRORS; those files are skipped). */
int cage_php_sessdirs_load(struct cage_php_sessdirs *s, cage_strvec_t *errors, cage_err_t *err);
void cage_php_sessdirs_free(struct cage_php_sessdirs *s);

/* Everything a run needs, read once from cagefs.ini and the php.ini files. */
struct cage_tmpwatch_conf {
	struct cage_tmpwatch_cmd cmd;
	cage_strvec_t dirs;               /* in-cage directories: /tmp, the manual's, tmpwatch_dirs */
	bool php_sessions;                /* clean_user_php_sessions */
	struct cage_php_sessdirs sess;
	cage_strvec_t php_errors;         /* php.ini files skipped, "FILE:LINE: why" */
};
int cage_tmpwatch_conf_load(const struct cage_paths *p, struct cage_tmpwatch_conf *c, cage_err_t *err);
void cage_tmpwatch_conf_free(struct cage_tmpwatch_conf *c);

struct cage_tmpwatch_result {
	size_t files, dirs, sessions; /* removed (or, with -t, that would be) */
	size_t skipped;               /* entries that could not be removed or read */
};
/* Clean one user's tree as that user (fork, drop to the user's uid and
 * gid, no_new_privs).  A problem inside the user's home (~/.cagefs a
 * symlink, a cleaner the user stopped or killed) is marked
 * cage_err_user_own(); the result holds what was done before it. */
int cage_tmpwatch_user(const struct cage_tmpwatch_conf *c, const struct cage_user *u,
		       struct cage_tmpwatch_result *r, cage_err_t *err);

#endif
