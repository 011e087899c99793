/* Facts about processes and running a sealed copy of a program (core). */
#ifndef CAGEFS_PROC_H
#define CAGEFS_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* A memfd holding LEN bytes of DATA, sealed against any change and
 * executable; -1 with errno set on failure. */
int cage_sealed_memfd(const char *name, const void *data, size_t len);

/* Start time of PID (/proc/PID/stat field 22), 0 if dead or a zombie. */
unsigned long long cage_proc_start_time(pid_t pid);

/* Re-exec the running program from a sealed memfd copy of itself (once;
 * returns if it cannot).  Whatever then enters a container's namespaces
 * runs that copy: a container that reaches /proc/PID/exe of it can change
 * nothing on the host (runc CVE-2019-5736).  Call before anything else. */
void cage_reexec_sealed(char **argv);

#endif
