/* cagefsctl --init / --update / --force / --reinit / --update-list.
 *
 * --update changes the skeleton in place, entry by entry, atomically (see
 * apply.c).  --init, --force and --reinit build a complete tree beside
 * it (SKELETON.cagefs-new) and only then rename or exchange it into place,
 * so a kill -9 at any moment leaves the previous skeleton (or none, for a
 * first --init) complete; the next --init resumes the half-built tree. */
#define _GNU_SOURCE
#include "skel_internal.h"
#include "cagefs/ini.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

#define STAGING_SUFFIX ".cagefs-new"
#define BACKUP_SUFFIX ".bak"
#define STAMP_NAME ".skeleton-updated"

/* The skeleton may be a symlink to another partition (manual: "Moving
 * cagefs-skeleton directory"): work on the directory it points to. */
char *cage_skeleton_realpath(const char *path, cage_err_t *err)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0) {
		if (errno == EINVAL || errno == ENOENT)
			return cage_path_normalize(path);
		cage_err_sys(err, errno, "cannot read %s", path);
		return NULL;
	}
	buf[n] = '\0';
	if (buf[0] == '/')
		return cage_path_normalize(buf);
	_cleanup_free_ char *dir = strdup(path);
	if (!dir)
		return NULL;
	*strrchr(dir, '/') = '\0';
	_cleanup_free_ char *joined = cage_path_join(dir[0] ? dir : "/", buf);
	return joined ? cage_path_normalize(joined) : NULL;
}

/* 1: a directory with entries; 0: missing or empty; -1: error. */
static int populated(const char *dir, cage_err_t *err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot open %s", dir);
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return 1;
	return 0;
}

static int apply_into(const struct skel_plan *plan, const char *dir, const struct cage_skel_opts *o,
		      struct cage_skel_stats *st, cage_err_t *err)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create %s", dir);
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cage_err_sys(err, errno, "cannot open %s", dir);
	if (fchown(fd, 0, 0) < 0 || fchmod(fd, 0755) < 0)
		return cage_err_sys(err, errno, "cannot set owner and mode of %s", dir);
	struct skel_apply_opts ao = {
		.hardlink = o->hardlink, .dont_clean = o->dont_clean, .progress = o->progress,
		.only = o->only,
	};
	return skel_apply(plan, fd, &ao, st, err);
}

static int stamp(const struct cage_paths *p, cage_err_t *err)
{
	if (mkdir(p->var, 0751) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create %s", p->var);
	_cleanup_free_ char *f = cage_path_join(p->var, STAMP_NAME);
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld\n", (long long)time(NULL));
	return f ? cage_write_atomic(f, buf, (size_t)n, 0644, err) : cage_err_sys(err, ENOMEM, "path");
}

/* First --init, or resuming one that was interrupted. */
static int build_init(const struct skel_plan *plan, const char *real, const char *staging,
		      const struct cage_skel_opts *o, struct cage_skel_stats *st, cage_err_t *err)
{
	int have = populated(real, err);
	if (have < 0)
		return -1;
	if (have) {
		st->existed = true; /* the caller says so: --update is what updates it */
		return populated(staging, err) > 0 ? cage_rm_rf(staging, err) : 0;
	}
	if (populated(staging, err) > 0)
		cage_notice("resuming an interrupted build in %s", staging);
	if (apply_into(plan, staging, o, st, err) < 0)
		return -1;
	/* rename(2) replaces an empty directory, e.g. one the admin made for a
	 * moved skeleton. */
	if (rename(staging, real) < 0)
		return cage_err_sys(err, errno, "cannot rename %s to %s", staging, real);
	return 0;
}

static int build_fresh(const struct skel_plan *plan, const char *real, const char *staging,
		       const struct cage_skel_opts *o, struct cage_skel_stats *st, cage_err_t *err)
{
	if (cage_rm_rf(staging, err) < 0 || apply_into(plan, staging, o, st, err) < 0)
		return -1;
	if (populated(real, err) <= 0) {
		if (rename(staging, real) < 0)
			return cage_err_sys(err, errno, "cannot rename %s to %s", staging, real);
		return 0;
	}
	if (renameat2(AT_FDCWD, staging, AT_FDCWD, real, RENAME_EXCHANGE) < 0)
		return cage_err_sys(err, errno, "cannot swap in the new skeleton %s", real);
	if (o->mode == CAGE_SKEL_FORCE)
		return cage_rm_rf(staging, err);
	_cleanup_free_ char *bak = NULL;
	if (asprintf(&bak, "%s" BACKUP_SUFFIX, real) < 0)
		return cage_err_sys(err, ENOMEM, "path");
	if (cage_rm_rf(bak, err) < 0)
		return -1;
	if (rename(staging, bak) < 0)
		return cage_err_sys(err, errno, "cannot keep the backup %s", bak);
	cage_notice("previous skeleton kept in %s", bak);
	return 0;
}

static int build_update(const struct skel_plan *plan, const char *real, const char *staging,
			const struct cage_skel_opts *o, struct cage_skel_stats *st, cage_err_t *err)
{
	int have = populated(real, err);
	if (have <= 0)
		return have < 0 ? -1 : cage_err_set(err, "no skeleton at %s: run cagefsctl --init first", real);
	/* A tree left by an interrupted --force/--reinit is of no use now. */
	if (populated(staging, err) > 0 && cage_rm_rf(staging, err) < 0)
		return -1;
	return apply_into(plan, real, o, st, err);
}

int cage_skeleton_build(const struct cage_skel_opts *o, struct cage_skel_stats *st, cage_err_t *err)
{
	memset(st, 0, sizeof(*st));
	_cleanup_free_ char *real = cage_skeleton_realpath(o->paths->skeleton, err);
	_cleanup_free_ char *staging = NULL;
	if (!real || asprintf(&staging, "%s" STAGING_SUFFIX, real) < 0)
		return err && err->msg[0] ? -1 : cage_err_sys(err, ENOMEM, "path");
	if (!strcmp(real, "/"))
		return cage_err_set(err, "refusing to use / as the skeleton");
	struct skel_plan plan = {0};
	int rc = skel_plan_build(&plan, o->paths, o->extra, o->nextra, err);
	if (rc == 0) {
		cage_info("%zu entries planned (%zu listed paths not on this host, %zu black-listed)",
			  plan.n, plan.skipped_missing, plan.skipped_black);
		switch (o->mode) {
		case CAGE_SKEL_INIT:
			rc = build_init(&plan, real, staging, o, st, err);
			break;
		case CAGE_SKEL_UPDATE:
			rc = build_update(&plan, real, staging, o, st, err);
			break;
		case CAGE_SKEL_FORCE:
		case CAGE_SKEL_REINIT:
			rc = build_fresh(&plan, real, staging, o, st, err);
			break;
		}
	}
	skel_plan_free(&plan);
	if (rc == 0 && (st->added || st->updated || st->removed || o->mode != CAGE_SKEL_INIT))
		rc = stamp(o->paths, err);
	return rc;
}

/* ---- --print-suids ---- */

static FILE *suid_out;
static size_t suid_prefix;
static uint64_t suid_mnt;

static int print_suid(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)ftw;
	/* Do not wander into something mounted on the skeleton. */
	uint64_t mnt;
	if (flag == FTW_D && cage_mount_id(AT_FDCWD, path, &mnt) == 0 && mnt != suid_mnt)
		return FTW_SKIP_SUBTREE;
	if (flag == FTW_F && S_ISREG(sb->st_mode) && (sb->st_mode & (S_ISUID | S_ISGID)))
		fprintf(suid_out, "%s\n", path + suid_prefix);
	return 0;
}

int cage_skeleton_print_suids(const struct cage_paths *p, FILE *out, cage_err_t *err)
{
	_cleanup_free_ char *real = cage_skeleton_realpath(p->skeleton, err);
	if (!real)
		return -1;
	if (populated(real, err) <= 0)
		return cage_err_set(err, "no skeleton at %s: run cagefsctl --init first", real);
	suid_out = out;
	suid_prefix = strlen(real);
	if (cage_mount_id(AT_FDCWD, real, &suid_mnt) < 0)
		return cage_err_sys(err, errno, "cannot stat %s", real);
	if (nftw(real, print_suid, 64, FTW_PHYS | FTW_ACTIONRETVAL) < 0)
		return cage_err_sys(err, errno, "cannot walk %s", real);
	return 0;
}

/* ---- update period (manual: --set-update-period, --force-update) ---- */

int cage_skeleton_set_update_period(const struct cage_paths *p, long days, cage_err_t *err)
{
	if (days < 0 || days > 3650)
		return cage_err_set(err, "update period must be 0..3650 days, not %ld", days);
	char val[32];
	snprintf(val, sizeof(val), "%ld", days);
	return cage_ini_set_etc(p, "update_period", val, err);
}

int cage_skeleton_update_due(const struct cage_paths *p, cage_err_t *err)
{
	struct cage_ini ini = {0};
	if (cage_ini_load_etc(p, &ini, err) < 0)
		return -1;
	const char *v = cage_ini_get(&ini, "update_period");
	char *end = NULL;
	long days = v ? strtol(v, &end, 10) : 1;
	int rc = v && (*end || days < 0) ? cage_err_set(err, "%s: update_period must be a number of days", ini.file)
					 : 0;
	cage_ini_free(&ini);
	if (rc < 0)
		return -1;
	_cleanup_free_ char *stampf = cage_path_join(p->var, STAMP_NAME);
	_cleanup_free_ char *text = NULL;
	if (!stampf)
		return cage_err_sys(err, ENOMEM, "path");
	if (cage_read_file(stampf, 64, &text, NULL, NULL) < 0)
		return 1; /* never updated */
	long long last = strtoll(text, NULL, 10);
	return (long long)time(NULL) - last >= (long long)days * 86400;
}
