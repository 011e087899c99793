/* cagefsctl --sanity-check (manual: "Sanity Check"; docs/ARCHITECTURE.md
 * §4.19): the list of checks and the report.  The manual's checks come
 * first, in its order and words; ours follow.  Every check runs, whatever
 * the others answered: the report is for someone looking for the one thing
 * that is wrong. */
#define _GNU_SOURCE
#include "sanity_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FIRST: run before the login check, which may change what they look at
 * (an entry adopts a pin its record lost, §4.3; builds and drops a cage),
 * though reported in their place. */
#define FIRST true
static const struct {
	const char *id, *name;
	sanity_fn fn;
	bool first;
} checks[] = {
	{"mount-points", "Check cagefs mount points exists", sanity_mount_points, false},
	{"users-enabled", "Check cagefs users.enabled is a directory", sanity_users_enabled, false},
	{"users-disabled", "Check cagefs users.disabled is a directory", sanity_users_disabled, false},
	{"disable-etcfs", "Check cagefs disable.etcfs exists", sanity_disable_etcfs, false},
	{"users-enter", "Check cagefs users can enter cagefs", sanity_login, false},
	{"proxy-commands", "Check cagefs proxy commands configs are parsable", sanity_proxy_commands, false},
	{"virt-mp", "Check cagefs virt.mp files syntax", sanity_virt_mp, false},
	{"multiphp", "Check MultiPHP system default PHP version", sanity_multiphp, false},
	{"hidepid", "Check per-mount procfs hidepid works", sanity_hidepid, FIRST},
	{"protected-symlinks", "Check fs.protected_symlinks is on", sanity_protected_symlinks, false},
	{"protected-hardlinks", "Check fs.protected_hardlinks is on", sanity_protected_hardlinks, false},
	{"pam-stacks", "Check pam_cagefs.so is in the session stacks", sanity_pam_stacks, false},
	{"run-state", "Check no stale pin or state in the runtime directory", sanity_run_state, FIRST},
	{"skeleton-suids", "Check no setuid file in the skeleton that conf.d does not list",
	 sanity_skeleton_suids, false},
};
#define N_CHECKS (sizeof(checks) / sizeof(*checks))

void sanity_say(struct sanity_note *n, const char *fmt, ...)
{
	char *line = NULL;
	va_list ap;
	va_start(ap, fmt);
	int len = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (len < 0 || cage_strvec_push_owned(&n->lines, line) < 0)
		n->oom = true;
}

/* The note's lines, one string; NULL when out of memory. */
static char *note_text(const struct sanity_note *n)
{
	size_t len = 1;
	for (size_t i = 0; i < n->lines.n; i++)
		len += strlen(n->lines.v[i]) + 1;
	char *s = malloc(len), *w = s;
	for (size_t i = 0; s && i < n->lines.n; i++)
		w += sprintf(w, "%s%s", i ? "\n" : "", n->lines.v[i]);
	if (s)
		*w = '\0';
	return s;
}

static void run_one(const struct cage_paths *p, size_t i, struct cage_sanity_item *it)
{
	struct sanity_note n = {0};
	cage_err_t e = {0};
	int rc = checks[i].fn(p, &n, &e);
	it->id = checks[i].id;
	it->name = checks[i].name;
	it->result = rc < 0 ? CAGE_SANITY_INTERNAL_ERROR : (enum cage_sanity_result)rc;
	if (rc < 0)
		sanity_say(&n, "%s", e.msg[0] ? e.msg : "the check failed without saying why");
	if (n.oom)
		it->result = CAGE_SANITY_INTERNAL_ERROR;
	it->detail = n.oom ? strdup("out of memory") : note_text(&n);
	cage_strvec_free(&n.lines);
}

int cage_sanity_run(const struct cage_paths *p, struct cage_sanity_report *r, cage_err_t *err)
{
	r->n = 0;
	r->v = calloc(N_CHECKS, sizeof(*r->v));
	if (!r->v)
		return cage_err_sys(err, ENOMEM, "sanity check");
	r->n = N_CHECKS;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < N_CHECKS; i++)
			if (checks[i].first == !pass)
				run_one(p, i, &r->v[i]);
	for (size_t i = 0; i < N_CHECKS; i++)
		if (!r->v[i].detail) {
			cage_sanity_report_free(r);
			return cage_err_sys(err, ENOMEM, "sanity check");
		}
	return 0;
}

void cage_sanity_report_free(struct cage_sanity_report *r)
{
	for (size_t i = 0; r->v && i < r->n; i++)
		free(r->v[i].detail);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

const char *cage_sanity_word(enum cage_sanity_result res)
{
	switch (res) {
	case CAGE_SANITY_OK: return "OK";
	case CAGE_SANITY_FAILED: return "FAILED";
	case CAGE_SANITY_SKIPPED: return "SKIPPED";
	default: return "INTERNAL_TEST_ERROR";
	}
}

bool cage_sanity_passed(const struct cage_sanity_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].result != CAGE_SANITY_OK && r->v[i].result != CAGE_SANITY_SKIPPED)
			return false;
	return true;
}
