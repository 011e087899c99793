/* Becoming config.json's process (ordinary OCI bundles): rlimits, umask,
 * capability sets, groups and ids, no_new_privs, seccomp, cwd, env, exec.
 * The order is runc's: the bounding set is cut while we still hold
 * CAP_SETPCAP; ids change with PR_SET_KEEPCAPS so the configured sets can
 * then be set exactly; without no_new_privs the seccomp filter is loaded
 * while CAP_SYS_ADMIN is still held, with it as the very last step. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <errno.h>
#include <grp.h>
#include <linux/close_range.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "cagefs/seccomp.h"

static int set_rlimits(const struct cage_spec *s, cage_err_t *err)
{
	for (size_t i = 0; i < s->nrlimits; i++)
		if (setrlimit(s->rlimits[i].resource, &s->rlimits[i].lim) < 0)
			return cage_err_sys(err, errno, "cannot set rlimit %d", s->rlimits[i].resource);
	return 0;
}

static int load_seccomp(const struct cage_spec *s, cage_err_t *err)
{
	if (!s->oci.seccomp)
		return 0;
	scmp_filter_ctx ctx = NULL;
	if (cage_seccomp_compile((yajl_val)s->oci.seccomp, &ctx, err) < 0)
		return -1;
	int rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc < 0 ? cage_err_sys(err, -rc, "cannot load the seccomp filter") : 0;
}

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

int cage_ctr_exec_process(const struct cage_spec *s, char *const *argv, int keep_fds, cage_err_t *err)
{
	const struct cage_oci *oci = &s->oci;
	if (!argv || !argv[0])
		argv = oci->args.v;
	if (!argv || !argv[0])
		return cage_err_set(err, "config.json: process.args is empty");
	if (set_rlimits(s, err) < 0)
		return -1;
	if (s->umask >= 0)
		umask((mode_t)s->umask);
	if (!oci->no_new_privs && load_seccomp(s, err) < 0)
		return -1;
	if (cage_become_user(oci, s->caps, err) < 0)
		return -1;
	if (oci->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return cage_err_sys(err, errno, "no_new_privs");
	/* A session of its own: a process on the caller's terminal could push
	 * input into it with TIOCSTI (CVE-2016-7545 class); with a terminal,
	 * setup_console made the session already. */
	setsid();
	if (chdir(oci->cwd) < 0)
		return cage_err_sys(err, errno, "cannot change to the working directory %s", oci->cwd);
	/* Only stdio and LISTEN_FDS reach the process (CVE-2024-21626). */
	syscall(SYS_close_range, 3 + keep_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	if (oci->no_new_privs && load_seccomp(s, err) < 0)
		return -1;
	static char *no_env[] = {NULL};
	environ = oci->env.v ? oci->env.v : no_env;
	execvp(argv[0], argv);
	return cage_err_sys(err, errno, "cannot run %s", argv[0]);
}
