/* Seccomp learning mode (seccomp/README.md "Learning mode",
 * docs/ARCHITECTURE.md §4.25): for a set time, every new entry into one
 * user's cage gets a filter in which each call the profile refuses goes to
 * a supervisor, which records it and lets the kernel carry it out as if
 * there were no filter.  Then cagefsctl --seccomp-report turns the record
 * into a proposed override. */
#ifndef CAGEFS_LEARN_H
#define CAGEFS_LEARN_H

#include <stdbool.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/seccomp.h"

#define CAGE_LEARN_MAX_SECONDS (7 * 24 * 3600)

/* Start learning for USER (who must be caged, with a seccomp filter) for
 * SECONDS: a supervisor process is left running in the background; *UNTIL
 * is when it ends by itself. */
int cage_learn_start(const struct cage_paths *p, const char *user, unsigned seconds, time_t *until,
		     cage_err_t *err);
/* End USER's learning now; returns once the record is written. */
int cage_learn_stop(const struct cage_paths *p, const char *user, cage_err_t *err);
/* The entering side: a connection to USER's supervisor, or -1 when USER
 * is not learning (then the enforcing filter is loaded, as always). */
int cage_learn_connect(const struct cage_paths *p, const char *user);

/* What USER's last (or current) learning saw, in REC; *ACTIVE whether it
 * is still going on.  When anything was seen, the proposed override is
 * written to ETC/seccomp.proposed/USER and its path put in *PROPOSAL. */
int cage_learn_report(const struct cage_paths *p, const char *user, struct cage_seccomp_record *rec, bool *active,
		      char **proposal, cage_err_t *err);

/* NAME's account is gone (cagefs-hook user-deleted, user-renamed's old
 * name): its learning stops, its record and proposal are removed, so an
 * account that takes the name later inherits none of it.  1 when there
 * was something, 0 when not, -1 with ERR. */
int cage_learn_forget(const struct cage_paths *p, const char *name, cage_err_t *err);

#endif
