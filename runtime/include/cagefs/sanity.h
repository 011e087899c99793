/* cagefsctl --sanity-check (manual: "Sanity Check"; docs/ARCHITECTURE.md
 * §4.19): the manual's eight checks of the configuration, and what a stock
 * kernel needs besides, each answering OK, FAILED, SKIPPED (does not apply
 * here, or cannot be performed: not a problem) or INTERNAL_TEST_ERROR (the
 * checker itself broke).  The checks only look, with one exception: the
 * login check logs two users in, and drops a cage it had to build. */
#ifndef CAGEFS_SANITY_H
#define CAGEFS_SANITY_H

#include <stdbool.h>
#include <stddef.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"

enum cage_sanity_result {
	CAGE_SANITY_OK,
	CAGE_SANITY_FAILED,
	CAGE_SANITY_SKIPPED,
	CAGE_SANITY_INTERNAL_ERROR,
};

struct cage_sanity_item {
	const char *id;   /* short, stable, for panels ("mount-points") */
	const char *name; /* the manual's words ("Check cagefs mount points exists") */
	enum cage_sanity_result result;
	char *detail;     /* why, one problem a line; "" when there is nothing to say */
};

struct cage_sanity_report {
	struct cage_sanity_item *v;
	size_t n;
};

/* Run every check, in the manual's order, then ours.  -1 only when the
 * report itself cannot be made (memory); a check that breaks is its own
 * INTERNAL_TEST_ERROR and the others still run. */
int cage_sanity_run(const struct cage_paths *p, struct cage_sanity_report *r, cage_err_t *err);
void cage_sanity_report_free(struct cage_sanity_report *r);
/* "OK", "FAILED", "SKIPPED", "INTERNAL_TEST_ERROR". */
const char *cage_sanity_word(enum cage_sanity_result res);
/* The manual: the checker ends with a status > 0 when a check is neither
 * OK nor SKIPPED.  True when every check is OK or SKIPPED. */
bool cage_sanity_passed(const struct cage_sanity_report *r);

#endif
