/* The global cagefsctl lock (manual: --wait-lock). */
#ifndef CAGEFS_LOCK_H
#define CAGEFS_LOCK_H

#include <stdbool.h>
#include "cagefs/error.h"

/* Take an exclusive flock on `path` (created 0600 if missing).  If wait is
 * false and another process holds it, fail at once with a message naming the
 * holder's pid.  Returns the fd to keep open (closing releases the lock). */
int cage_lock_take(const char *path, bool wait, cage_err_t *err);

#endif
