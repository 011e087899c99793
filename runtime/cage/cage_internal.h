/* Internals of the cages of hosting users (see cagefs/cage.h). */
#ifndef CAGEFS_CAGE_INTERNAL_H
#define CAGEFS_CAGE_INTERNAL_H

#include <sys/types.h>
#include "cagefs/cage.h"
#include "cagefs/error.h"
#include "cagefs/paths.h"

/* Pins (pins.c): the process holding USER's namespaces. */
pid_t cage_pin_pid(const struct cage_paths *p, const char *user); /* 0: none */
int cage_pin_record(const struct cage_paths *p, const char *user, pid_t pid, cage_err_t *err);
int cage_pin_open(const struct cage_paths *p, const char *user, const char *type);
int cage_pin_pidfd(const struct cage_paths *p, const char *user); /* -1 if none */
int cage_pin_release(const struct cage_paths *p, const char *user, cage_err_t *err);
void cage_pin_sleep(const char *user) __attribute__((noreturn));
/* Where pins live: pin_cgroup= of cagefs.ini (default /cagefs/pins), a path
 * from the root of every cgroup hierarchy; "" leaves a pin in the cgroup
 * of the session that built the cage. */
int cage_pin_cgroup(const struct cage_paths *p, char *out, size_t size, cage_err_t *err);

#endif
