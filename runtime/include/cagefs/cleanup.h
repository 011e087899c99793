/* Scope-bound cleanup helpers (__attribute__((cleanup))),
 * docs/ARCHITECTURE.md §5. */
#ifndef CAGEFS_CLEANUP_H
#define CAGEFS_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

static inline void cage_freep(void *p) { free(*(void **)p); }
static inline void cage_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void cage_closedirp(DIR **d) { if (*d) closedir(*d); }
static inline void cage_fclosep(FILE **f) { if (*f) fclose(*f); }

#define _cleanup_free_ __attribute__((cleanup(cage_freep)))
#define _cleanup_close_ __attribute__((cleanup(cage_closep)))
#define _cleanup_closedir_ __attribute__((cleanup(cage_closedirp)))
#define _cleanup_fclose_ __attribute__((cleanup(cage_fclosep)))

/* Hand ownership out of a cleanup-scoped variable. */
#define CAGE_STEAL_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define CAGE_STEAL_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

#endif
