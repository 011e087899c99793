/* Becoming config.json's process (ordinary OCI bundles): rlimits, umask,
 * process.user (runtime/oci/process.c), no_new_privs, seccomp, cwd, env,
 * exec.  As runc: without no_new_privs the seccomp filter is loaded while
 * CAP_SYS_ADMIN is still held, with it as the very last step. */
#define _GNU_SOURCE
#include "container_internal.h"

#include <errno.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cagefs/seccomp.h"

static int set_rlimits(const struct cage_spec *s, cage_err_t *err)
{
	for (size_t i = 0; i < s->nrlimits; i++)
		if (setrlimit(s->rlimits[i].resource, &s->rlimits[i].lim) < 0)
			return cage_err_sys(err, errno, "cannot set rlimit %d", s->rlimits[i].resource);
	return 0;
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
	if (!oci->no_new_privs && cage_seccomp_apply(s->oci.seccomp, err) < 0)
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
	if (oci->no_new_privs && cage_seccomp_apply(s->oci.seccomp, err) < 0)
		return -1;
	static char *no_env[] = {NULL};
	environ = oci->env.v ? oci->env.v : no_env;
	execvp(argv[0], argv);
	return cage_err_sys(err, errno, "cannot run %s", argv[0]);
}
