/* `start`, `run` and `exec` of ordinary OCI containers (see
 * cagefs/container.h; `create` is container.c). */
#define _GNU_SOURCE
#include "container_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

static void poststart(int dfd, const char *id, struct cage_ctr_state *st)
{
	_cleanup_spec_ struct cage_spec spec = {0};
	cage_err_t err = {0};
	st->status = CAGE_CTR_RUNNING;
	_cleanup_free_ char *json = cage_ctr_state_json(id, st);
	/* runtime-spec: a failed poststart hook is a warning, nothing more. */
	if (cage_ctr_load_spec(dfd, st->bundle, &spec, &err) < 0 ||
	    (json && cage_hooks_run(&spec, CAGE_HOOK_POSTSTART, json, &err) < 0))
		cage_warn("container %s: %s", id, err.msg);
}

/* One byte into exec.fifo lets the waiting init exec the process.  Then
 * wait until it has: the init's end of the fifo is close-on-exec, so a
 * reader of ours sees POLLHUP once no writer is left (runtime-spec: the
 * poststart hooks run after the process was executed). */
static int release_init(int dfd, const char *id, cage_err_t *err)
{
	_cleanup_close_ int hup = openat(dfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int fifo = openat(dfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0 || hup < 0) {
		int e = errno == ENXIO ? ESRCH : errno;
		if (fifo >= 0)
			close(fifo);
		return cage_err_sys(err, e, "container %s: no init waiting", id);
	}
	/* Unlinked first: once the byte is in, the container is running. */
	unlinkat(dfd, "exec.fifo", 0);
	ssize_t n = write(fifo, "1", 1);
	int e = errno;
	close(fifo);
	if (n != 1)
		return cage_err_sys(err, e, "container %s: cannot start", id);
	struct pollfd p = {.fd = hup, .events = 0}; /* POLLHUP only: never take the byte */
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	return 0;
}

int cage_ctr_start(const char *root, const char *id, cage_err_t *err)
{
	/* Two concurrent starts: the second finds the container running. */
	_cleanup_close_ int top = cage_ctr_top_of(root, id, err);
	_cleanup_close_ int dfd = top < 0 ? -1 : cage_ctr_lock_at(top, root, id, err);
	if (dfd < 0)
		return -1;
	_cleanup_ctr_state_ struct cage_ctr_state st = {0};
	if (cage_ctr_state_at(dfd, id, &st, err) < 0)
		return -1;
	int rc = 0;
	if (st.status != CAGE_CTR_CREATED)
		rc = cage_err_set(err, "container %s is not in the created state", id);
	if (rc == 0 && (rc = release_init(dfd, id, err)) == 0)
		poststart(dfd, id, &st);
	return rc;
}

/* ---- run ---- */

static volatile sig_atomic_t forward_to;

static void forward(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}

static void forward_signals(pid_t pid)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
	struct sigaction sa = {.sa_handler = forward, .sa_flags = SA_RESTART};
	forward_to = pid;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* As a subreaper we also inherit the container's orphans: reap them all
 * until the init itself is gone. */
static int wait_init(pid_t pid)
{
	for (;;) {
		int status;
		pid_t got = waitpid(-1, &status, 0);
		if (got == pid)
			return exit_code(status);
		if (got < 0 && errno != EINTR)
			return 255;
	}
}

int cage_ctr_run(const char *root, const char *id, const struct cage_ctr_opts *o, cage_err_t *err)
{
	struct cage_ctr_opts ko = *o;
	ko.keep_child = true;
	pid_t pid;
	if (cage_ctr_create(root, id, &ko, &pid, err) < 0)
		return -1;
	forward_signals(pid);
	if (cage_ctr_start(root, id, err) < 0) {
		cage_ctr_delete(root, id, true, NULL);
		return -1;
	}
	int code = wait_init(pid);
	forward_to = 0;
	cage_err_t derr = {0};
	if (cage_ctr_delete(root, id, true, &derr) < 0)
		cage_warn("%s", derr.msg);
	return code;
}

/* ---- exec ---- */

static int all_namespaces(const struct cage_spec *s)
{
	int flags = 0;
	for (int k = 0; k < CAGE_NS_KINDS; k++)
		flags |= s->ns_listed[k] ? cage_ns_flag(k) : 0;
	return flags;
}

/* In the child: join the init's namespaces (one setns on its pidfd), fork
 * once more so a pid namespace applies, become the process. */
static void __attribute__((noreturn)) exec_child(const struct cage_spec *s, const char *id, int pfd,
						  char *const *argv)
{
	cage_err_t err = {0};
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (setns(pfd, all_namespaces(s)) < 0) {
		fprintf(stderr, "cagefs-runtime: cannot join container %s: %s\n", id, strerror(errno));
		_exit(126);
	}
	close(pfd);
	pid_t pid = fork();
	if (pid == 0) {
		cage_ctr_exec_process(s, argv, 0, &err);
		fprintf(stderr, "cagefs-runtime: container %s: %s\n", id, err.msg);
		_exit(127);
	}
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	_exit(pid < 0 ? 126 : exit_code(status));
}

int cage_ctr_exec(const char *root, const char *id, char *const *argv, cage_err_t *err)
{
	_cleanup_ctr_state_ struct cage_ctr_state st = {0};
	_cleanup_spec_ struct cage_spec spec = {0};
	_cleanup_cgroups_ struct cage_ctr_cgroups cgs = {0};
	_cleanup_close_ int dfd = cage_ctr_open(root, id, err);
	if (dfd < 0 || cage_ctr_state_at(dfd, id, &st, err) < 0)
		return -1;
	int rc = st.status == CAGE_CTR_RUNNING || st.status == CAGE_CTR_CREATED
			 ? cage_ctr_load_spec(dfd, st.bundle, &spec, err)
			 : cage_err_set(err, "container %s is not running", id);
	_cleanup_close_ int pfd = rc == 0 ? cage_ctr_pidfd(&st) : -1;
	if (rc == 0 && pfd < 0)
		rc = cage_err_sys(err, errno, "container %s", id);
	pid_t child = -1;
	if (rc == 0 && (cage_ctr_cgroups_open(dfd, &cgs, err) < 0 || cage_ctr_cgroup_join(&cgs, getpid(), err) < 0))
		rc = cage_err_prefix(err, "container %s", id);
	/* No fd of the host's goes along into the container's namespaces. */
	cage_ctr_cgroups_close(&cgs);
	close(CAGE_STEAL_FD(dfd));
	if (rc == 0 && (child = fork()) == 0)
		exec_child(&spec, id, pfd, argv);
	if (rc == 0 && child < 0)
		rc = cage_err_sys(err, errno, "fork");
	int status = 0;
	while (rc == 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return rc < 0 ? -1 : exit_code(status);
}
