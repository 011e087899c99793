/* cagefs-runtime: the runtime's command line, in the shape of the OCI
 * runtime command line, with a user name as the container id (each user
 * has one cage; its bundle is /var/cagefs/NN/USER):
 *   cagefs-runtime [--root DIR] create ID | start ID | run ID | exec ID CMD...
 *                               | state ID | kill ID [SIGNAL] | delete ID | list
 * --root sets the state directory (default /run/cagefs). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/bundle.h"
#include "cagefs/cage.h"
#include "cagefs/log.h"
#include "cagefs/users.h"

static int fail(const cage_err_t *err)
{
	cage_error("%s", err->msg);
	return 1;
}

static int state(const struct cage_paths *p, const char *id)
{
	cage_err_t err = {0};
	ino_t ino;
	struct cage_user u;
	if (cage_user_lookup(id, &u, &err) < 0 || cage_ns_inode(p, id, &ino, &err) < 0)
		return fail(&err);
	char *bundle = cage_bundle_dir(p, u.name, u.uid);
	pid_t *pids;
	size_t n;
	if (cage_pids(p, id, &pids, &n, &err) < 0)
		return fail(&err);
	/* OCI state: "created" = namespaces exist, nothing runs in them. */
	const char *status = !ino ? "stopped" : n ? "running" : "created";
	printf("{\"ociVersion\":\"1.0.2\",\"id\":\"%s\",\"status\":\"%s\",\"pid\":%d,\"bundle\":\"%s\"}\n",
	       id, status, n ? pids[0] : 0, bundle ? bundle : "");
	free(pids);
	free(bundle);
	cage_user_free(&u);
	return ino ? 0 : 1;
}

static int kill_cage(const struct cage_paths *p, const char *id, const char *sig)
{
	cage_err_t err = {0};
	int signo = sig ? atoi(sig) : SIGTERM;
	if (sig && !signo) {
		for (int s = 1; s < NSIG; s++)
			if (sigabbrev_np(s) && (!strcmp(sig, sigabbrev_np(s)) ||
						(!strncmp(sig, "SIG", 3) && !strcmp(sig + 3, sigabbrev_np(s)))))
				signo = s;
	}
	if (signo <= 0 || signo >= NSIG)
		return fprintf(stderr, "cagefs-runtime: unknown signal %s\n", sig), 1;
	pid_t *pids;
	size_t n;
	if (cage_pids(p, id, &pids, &n, &err) < 0)
		return fail(&err);
	for (size_t i = 0; i < n; i++)
		kill(pids[i], signo);
	free(pids);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: cagefs-runtime [--root DIR] create|start|run|exec|state|kill|delete ID"
			" [ARGS...] | list\n");
	return 2;
}

int main(int argc, char **argv)
{
	cage_log_set_stderr("cagefs-runtime");
	struct cage_paths p;
	cage_paths_default(&p);
	int i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "--root")) {
		p.run = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return usage();
	const char *cmd = argv[i++], *id = i < argc ? argv[i++] : NULL;
	cage_err_t err = {0};
	if (!strcmp(cmd, "list")) {
		cage_strvec_t live = {0};
		if (cage_list_live(&p, &live, &err) < 0)
			return fail(&err);
		for (size_t k = 0; k < live.n; k++)
			printf("%s\n", live.v[k]);
		cage_strvec_free(&live);
		return 0;
	}
	if (!id)
		return usage();
	if (!strcmp(cmd, "create"))
		return cage_ensure(&p, id, &err) < 0 ? fail(&err) : 0;
	if (!strcmp(cmd, "state"))
		return state(&p, id);
	if (!strcmp(cmd, "kill"))
		return kill_cage(&p, id, i < argc ? argv[i] : NULL);
	if (!strcmp(cmd, "delete"))
		return cage_unmount(&p, id, true, &err) < 0 ? fail(&err) : 0;
	if (!strcmp(cmd, "start") || !strcmp(cmd, "run") || !strcmp(cmd, "exec")) {
		struct cage_enter_opts o = {.argv = !strcmp(cmd, "exec") ? argv + i : NULL};
		if (!strcmp(cmd, "exec") && i >= argc)
			return usage();
		cage_enter(&p, id, &o, &err);
		return fail(&err);
	}
	return usage();
}
