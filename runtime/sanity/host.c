/* Checks of the host around the cages (docs/ARCHITECTURE.md §4.19): the
 * PAM stacks, the runtime directory, the skeleton's setuid files. */
#define _GNU_SOURCE
#include "sanity_internal.h"
#include "runtime/cage/cage_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"
#include "cagefs/skeleton.h"
#include "cagefs/users.h"

/* The services a hosting user logs in or runs jobs through, where Debian
 * and RHEL name them (contrib/pam/pam.d has a line for each). */
static const char *const services[] = {
	"sshd", "su", "su-l", "cron", "crond", "sudo", "sudo-i", "vsftpd", "proftpd",
};

int sanity_pam_stacks(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	(void)p;
	size_t present = 0, bad = 0;
	for (size_t i = 0; i < sizeof(services) / sizeof(*services); i++) {
		bool missing;
		char control[128];
		int r = sanity_pam_module(services[i], &missing, control, sizeof(control), err);
		if (r < 0)
			return -1;
		present += !missing;
		if (missing || r == 1)
			continue;
		bad++;
		if (control[0])
			sanity_say(n, "%s/%s: pam_cagefs.so is '%s' in the session stack: a session it refuses "
				   "goes on uncaged (use required)", SANITY_PAM_DIR, services[i], control);
		else
			sanity_say(n, "%s/%s: pam_cagefs.so is not in the session stack: caged users log in "
				   "uncaged (contrib/pam)", SANITY_PAM_DIR, services[i]);
	}
	if (!present) {
		sanity_say(n, "none of the services a user logs in through has a stack in %s", SANITY_PAM_DIR);
		return CAGE_SANITY_SKIPPED;
	}
	return bad ? CAGE_SANITY_FAILED : CAGE_SANITY_OK;
}

/* RUN/cages holds one record per live pin, USER.pid, naming it. */
static int check_records(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_path_join(p->run, "cages");
	_cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
	if (!d && errno != ENOENT)
		return cage_err_sys(err, errno, "cannot read %s", dir ? dir : p->run);
	for (struct dirent *de; d && (de = readdir(d));) {
		size_t len = strlen(de->d_name);
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (len <= 4 || strcmp(de->d_name + len - 4, ".pid")) {
			sanity_say(n, "%s/%s: not a record of a pin (left over by a crash?)", dir, de->d_name);
			continue;
		}
		de->d_name[len - 4] = '\0';
		if (!cage_pin_pid(p, de->d_name))
			sanity_say(n, "%s/%s.pid: its pin is gone (a stale record)", dir, de->d_name);
	}
	return 0;
}

/* A pin must be named by its record, and be of a user who is caged now
 * (the user's own status: CageFS switched off globally keeps the cages,
 * --disable-cagefs does not end them). */
static void check_pin(const struct cage_paths *p, const struct cage_pin_found *pin, struct sanity_note *n)
{
	struct cage_user u;
	struct cage_decision d;
	cage_err_t e = {0};
	if (cage_pin_pid(p, pin->user) != pin->pid)
		sanity_say(n, "pin %d of %s: no record names it (cagefsctl --unmount %s ends it)", pin->pid,
			   pin->user, pin->user);
	if (cage_user_lookup(pin->user, &u, &e) < 0) {
		sanity_say(n, "pin %d of %s: no such user now (%s)", pin->pid, pin->user, e.msg);
		return;
	}
	/* When that cannot be told, the configuration is what is wrong (the
	 * lists' checks say so), not the pin. */
	if (cage_user_status(p, &u, &d, &e) == 0 && !d.caged)
		sanity_say(n, "pin %d of %s: the user is not caged (%s), the cage lives on", pin->pid, pin->user,
			   d.why);
	cage_user_free(&u);
}

/* No stale pin or state: records without a pin, pins without a record or
 * of a user who is not caged.  The locks (RUN/locks) and the compiled
 * filters (RUN/seccomp) are not looked at: a lock file holds nothing, and
 * a filter is taken only while it matches its user's config.json (§4.9). */
int sanity_run_state(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	if (check_records(p, n, err) < 0)
		return -1;
	struct cage_pin_found *pins;
	size_t np;
	if (cage_pins_scan(NULL, &pins, &np, err) < 0)
		return -1;
	for (size_t i = 0; i < np; i++)
		check_pin(p, &pins[i], n);
	free(pins);
	return n->lines.n ? CAGE_SANITY_FAILED : CAGE_SANITY_OK;
}

/* No setuid or setgid file in the skeleton that conf.d does not list
 * (the builder drops the bit from any other, bundles/skeleton/suids.c). */
int sanity_skeleton_suids(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	_cleanup_free_ char *real = cage_skeleton_realpath(p->skeleton, err);
	struct stat st;
	if (!real)
		return -1;
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		sanity_say(n, "no skeleton at %s (cagefsctl --init)", real);
		return CAGE_SANITY_SKIPPED;
	}
	_cleanup_strvec_ cage_strvec_t found = {0};
	if (cage_skeleton_unlisted_suids(p, &found, err) < 0)
		return -1;
	for (size_t i = 0; i < found.n; i++)
		sanity_say(n, "%s%s: setuid or setgid, and not as conf.d lists it from the host "
			   "(cagefsctl --update clears the bit)", real, found.v[i]);
	return found.n ? CAGE_SANITY_FAILED : CAGE_SANITY_OK;
}
