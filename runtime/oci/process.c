/* Becoming config.json's process.user, for a user's cage and an ordinary
 * bundle alike.  The order is runc's: the bounding set is cut while we
 * still hold CAP_SETPCAP; ids change with PR_SET_KEEPCAPS so the configured
 * sets can then be set exactly. */
#define _GNU_SOURCE
#include "oci_internal.h"

#include <errno.h>
#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

static int cut_bounding_set(uint64_t keep, cage_err_t *err)
{
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (!(keep & (1ULL << c)) && cap_drop_bound(c) < 0 && errno != EINVAL)
			return cage_err_sys(err, errno, "cannot drop capability %d from the bounding set",
					    (int)c);
	return 0;
}

static int set_ids(const struct cage_oci *oci, cage_err_t *err)
{
	if (setgroups(oci->ngids, oci->gids) < 0 && !(errno == EPERM && oci->ngids == 0))
		return cage_err_sys(err, errno, "cannot set the additional groups");
	if (setresgid(oci->gid, oci->gid, oci->gid) < 0)
		return cage_err_sys(err, errno, "cannot become gid %u", (unsigned)oci->gid);
	if (setresuid(oci->uid, oci->uid, oci->uid) < 0)
		return cage_err_sys(err, errno, "cannot become uid %u", (unsigned)oci->uid);
	return 0;
}

static int set_caps(const uint64_t *sets, cage_err_t *err)
{
	static const cap_flag_t flag_of[] = {[CAGE_CAP_EFFECTIVE] = CAP_EFFECTIVE,
					     [CAGE_CAP_PERMITTED] = CAP_PERMITTED,
					     [CAGE_CAP_INHERITABLE] = CAP_INHERITABLE};
	static const enum cage_cap_set kinds[] = {CAGE_CAP_EFFECTIVE, CAGE_CAP_PERMITTED,
						  CAGE_CAP_INHERITABLE};
	cap_t c = cap_init();
	if (!c)
		return cage_err_sys(err, errno, "cap_init");
	for (size_t k = 0; k < 3; k++)
		for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++)
			if (sets[kinds[k]] & (1ULL << v))
				cap_set_flag(c, flag_of[kinds[k]], 1, &v, CAP_SET);
	int rc = cap_set_proc(c);
	cap_free(c);
	if (rc < 0)
		return cage_err_sys(err, errno, "cannot set the capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return cage_err_sys(err, errno, "cannot clear the ambient capabilities");
	/* The kernel raises an ambient capability only if it is permitted and
	 * inheritable; crun's and runc's default config.json list ambient ones
	 * that are not inheritable, and both runtimes skip them: so do we. */
	uint64_t can = sets[CAGE_CAP_PERMITTED] & sets[CAGE_CAP_INHERITABLE];
	for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++)
		if ((sets[CAGE_CAP_AMBIENT] & can & (1ULL << v)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0)
			return cage_err_sys(err, errno, "cannot raise ambient capability %d", (int)v);
	return 0;
}

int cage_become_user(const struct cage_oci *oci, const uint64_t *caps, cage_err_t *err)
{
	if (cut_bounding_set(caps[CAGE_CAP_BOUNDING], err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || set_ids(oci, err) < 0 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err->msg[0] ? -1 : cage_err_sys(err, errno, "PR_SET_KEEPCAPS");
	return set_caps(caps, err);
}
