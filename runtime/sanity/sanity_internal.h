/* Internals of the sanity check (see cagefs/sanity.h). */
#ifndef CAGEFS_SANITY_INTERNAL_H
#define CAGEFS_SANITY_INTERNAL_H

#include <stdbool.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/sanity.h"
#include "cagefs/strvec.h"

/* What a check has to say: one problem (or remark) a line. */
struct sanity_note {
	cage_strvec_t lines;
	bool oom;
};
void sanity_say(struct sanity_note *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A check: CAGE_SANITY_OK, _FAILED or _SKIPPED (the note says why), or -1
 * when the check itself broke (ERR says how): INTERNAL_TEST_ERROR. */
typedef int (*sanity_fn)(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);

/* The manual's checks (config.c, login.c). */
int sanity_mount_points(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_users_enabled(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_users_disabled(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_disable_etcfs(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_login(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_proxy_commands(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_virt_mp(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_multiphp(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
/* What a stock kernel needs (kernel.c, host.c). */
int sanity_hidepid(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_protected_symlinks(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_protected_hardlinks(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_pam_stacks(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_run_state(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);
int sanity_skeleton_suids(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err);

/* pam.c: how pam_cagefs.so stands in SERVICE's session stack (/etc/pam.d,
 * through @include, include and substack): 1 there with a control that
 * refuses the session when it refuses (required, requisite), 0 not there
 * or only optional/sufficient (CONTROL says which), -1 when the stack
 * cannot be read.  SERVICE missing: 0 with *missing set. */
int sanity_pam_module(const char *service, bool *missing, char *control, size_t size, cage_err_t *err);
#define SANITY_PAM_DIR "/etc/pam.d"

#endif
