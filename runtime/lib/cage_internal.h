/* Internals of the runtime (see cagefs/cage.h). */
#ifndef CAGEFS_CAGE_INTERNAL_H
#define CAGEFS_CAGE_INTERNAL_H

#include "cagefs/cage.h"

/* In a new mount namespace: build the cage's root from config.json and
 * pivot into it. */
int cage_build_root(const struct cage_oci *oci, cage_err_t *err);
int cage_apply_mounts(const struct cage_oci *oci, int rootfd, cage_err_t *err);
int cage_populate_dev(cage_err_t *err);
int cage_mask_paths(const struct cage_oci *oci, cage_err_t *err);

/* Pins (cage_pins.c): the process holding USER's namespaces. */
pid_t cage_pin_pid(const struct cage_paths *p, const char *user); /* 0: none */
int cage_pin_record(const struct cage_paths *p, const char *user, pid_t pid, cage_err_t *err);
int cage_pin_open(const struct cage_paths *p, const char *user, const char *type);
int cage_pin_pidfd(const struct cage_paths *p, const char *user); /* -1 if none */
int cage_pin_release(const struct cage_paths *p, const char *user, cage_err_t *err);
void cage_pin_sleep(const char *user) __attribute__((noreturn));

#endif
