/* Error object threaded through every libcagefs call (docs/ARCHITECTURE.md
 * §5).
 * Functions return a negative value on failure and fill *err; callers add
 * context with cage_err_prefix() and pass it up.  err may be NULL. */
#ifndef CAGEFS_ERROR_H
#define CAGEFS_ERROR_H

#include <stddef.h>

#define CAGE_ERR_MSG_MAX 1024

typedef struct cage_err {
	int errnum;                 /* errno-style cause, 0 if not a system error */
	char msg[CAGE_ERR_MSG_MAX]; /* human readable, without trailing newline */
	/* The problem is in what one user controls (their own home: a symlink
	 * planted at ~/.cagefs/tmp): that user's, not the administrator's
	 * command's.  A batch over many users reports it and goes on with
	 * success; the user's own entry still fails closed (issue 13, item 7).
	 * Set by cage_err_user_own(), kept by cage_err_prefix(). */
	int users_own;
} cage_err_t;

/* Set a message; always returns -1 so callers can `return cage_err_set(...)`. */
int cage_err_set(cage_err_t *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, with ": strerror(errnum)" appended and errnum recorded. */
int cage_err_sys(cage_err_t *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepend "context: " to an existing message. Returns -1. */
int cage_err_prefix(cage_err_t *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cage_err_clear(cage_err_t *err);
/* Mark ERR as the user's own problem (see users_own).  Returns -1. */
int cage_err_user_own(cage_err_t *err);

#endif
