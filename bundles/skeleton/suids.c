/* Setuid and setgid files in the skeleton that conf.d does not list
 * (cagefsctl --sanity-check, docs/ARCHITECTURE.md §4.19).  The builder
 * keeps a setuid or setgid bit only on a file a .cfg names itself, and
 * only the bit the host's file has (plan.c, keep_suid; §1: "no setuid
 * programs" unless the administrator lists them); a bit found anywhere
 * else was put there behind the builder's back, and is a way to root from
 * inside every cage. */
#define _GNU_SOURCE
#include "skel_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

/* nftw has no context argument: one walk at a time (cagefsctl is
 * single-threaded). */
static struct {
	const struct skel_plan *plan;
	cage_strvec_t *out;
	size_t prefix;
	uint64_t mnt;
	int failed;
} walk;

/* The builder gives a file the bits of skel_wanted_mode(): setuid and
 * setgid only where a .cfg lists the file and the host's file has them.
 * Any other bit was not the builder's. */
static bool planned(const char *path, mode_t mode)
{
	uintptr_t pos;
	mode_t bits = mode & (S_ISUID | S_ISGID);
	return cage_hash_get(&walk.plan->index, path, &pos) &&
	       (skel_wanted_mode(&walk.plan->e[pos]) & bits) == bits;
}

static int visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)ftw;
	uint64_t mnt;
	/* Something mounted on the skeleton is not the skeleton's (as --print-suids). */
	if (flag == FTW_D && cage_mount_id(AT_FDCWD, path, &mnt) == 0 && mnt != walk.mnt)
		return FTW_SKIP_SUBTREE;
	if (flag != FTW_F || !S_ISREG(sb->st_mode) || !(sb->st_mode & (S_ISUID | S_ISGID)))
		return FTW_CONTINUE;
	const char *rel = path + walk.prefix;
	if (!planned(rel, sb->st_mode) && cage_strvec_push(walk.out, rel) < 0) {
		walk.failed = ENOMEM;
		return FTW_STOP;
	}
	return FTW_CONTINUE;
}

int cage_skeleton_unlisted_suids(const struct cage_paths *p, cage_strvec_t *out, cage_err_t *err)
{
	_cleanup_free_ char *real = cage_skeleton_realpath(p->skeleton, err);
	if (!real)
		return -1;
	struct skel_plan plan = {0};
	if (skel_plan_build(&plan, p, NULL, 0, err) < 0)
		return cage_err_prefix(err, "cannot tell which files conf.d lists");
	int rc = 0;
	walk.plan = &plan;
	walk.out = out;
	walk.prefix = strlen(real);
	walk.failed = 0;
	if (cage_mount_id(AT_FDCWD, real, &walk.mnt) < 0)
		rc = cage_err_sys(err, errno, "cannot stat %s", real);
	else if (nftw(real, visit, 64, FTW_PHYS | FTW_ACTIONRETVAL) < 0)
		rc = cage_err_sys(err, errno, "cannot walk %s", real);
	else if (walk.failed)
		rc = cage_err_sys(err, walk.failed, "setuid files");
	skel_plan_free(&plan);
	walk.plan = NULL;
	return rc;
}
