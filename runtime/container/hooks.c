/* OCI hooks (config.json "hooks"): each runs with the container's state
 * JSON on its stdin, its own args and env, and an optional timeout.  The
 * caller decides what a failure means (runtime-spec "Lifecycle": a failed
 * createRuntime/createContainer/startContainer hook stops the container, a
 * failed poststart/poststop hook is only a warning). */
#define _GNU_SOURCE
#include "cagefs/container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/cleanup.h"

static void exec_hook(const struct cage_hook *h, int in)
{
	char *default_argv[] = {h->path, NULL}, *no_env[] = {NULL};
	if (dup2(in, 0) < 0)
		_exit(126);
	/* A hook gets stdio and nothing else of ours (CVE-2024-21626 class). */
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	signal(SIGPIPE, SIG_DFL);
	execve(h->path, h->args.n ? h->args.v : default_argv, h->env.n ? h->env.v : no_env);
	_exit(127);
}

/* Wait for PID, at most TIMEOUT seconds (0: no limit); kill it past that. */
static int wait_hook(pid_t pid, int timeout, int *status)
{
	_cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (timeout > 0 && pfd >= 0) {
		struct pollfd p = {.fd = pfd, .events = POLLIN};
		int n;
		while ((n = poll(&p, 1, timeout * 1000)) < 0 && errno == EINTR)
			;
		if (n == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return -1;
		}
	}
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -2;
	return 0;
}

static int run_hook(const struct cage_hook *h, const char *state, cage_err_t *err)
{
	int in[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return cage_err_sys(err, errno, "pipe");
	pid_t pid = fork();
	if (pid == 0)
		exec_hook(h, in[0]);
	close(in[0]);
	if (pid < 0) {
		close(in[1]);
		return cage_err_sys(err, errno, "fork");
	}
	/* A hook that does not read its stdin must not kill us with SIGPIPE. */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	for (size_t off = 0, len = strlen(state); off < len;) {
		ssize_t n = write(in[1], state + off, len - off);
		if (n <= 0 && errno != EINTR)
			break;
		off += n > 0 ? (size_t)n : 0;
	}
	close(in[1]);
	signal(SIGPIPE, old);
	int status = 0, rc = wait_hook(pid, h->timeout, &status);
	if (rc == -1)
		return cage_err_set(err, "hook %s timed out after %d s", h->path, h->timeout);
	if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return cage_err_set(err, "hook %s failed (%s %d)", h->path,
				    WIFEXITED(status) ? "exit status" : "signal",
				    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

int cage_hooks_run(const struct cage_spec *s, enum cage_hook_kind kind, const char *state_json,
		   cage_err_t *err)
{
	for (size_t i = 0; i < s->nhooks[kind]; i++)
		if (run_hook(&s->hooks[kind][i], state_json, err) < 0)
			return -1;
	return 0;
}
