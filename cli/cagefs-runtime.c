/* cagefs-runtime: the OCI runtime command line (opencontainers runtime-tools
 * docs/command-line-interface.md), for two kinds of containers:
 *   - ordinary OCI bundles (create --bundle DIR ID, then start/state/kill/
 *     delete/exec ID): cagefs/container.h;
 *   - the cage of a hosting user, the ID being the user name and the bundle
 *     /var/cagefs/NN/USER: cagefs/cage.h.
 * Which of the two an ID names, and what state, kill, delete and list do,
 * is decided in the library (cage_rt_* in runtime/container/rtcmd.c); this
 * file parses the arguments and prints.
 *
 *   cagefs-runtime [--root DIR] create [--bundle DIR] [--pid-file F] [--console-socket FD|PATH] ID
 *                               start ID | state ID | kill [--signal SIG] ID [SIG]
 *                               delete [--force] ID | run [create's options] ID
 *                               exec ID CMD [ARGS...] | list
 * --root sets the state directory (default /run/cagefs). */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cagefs/cage.h"
#include "cagefs/cleanup.h"
#include "cagefs/container.h"
#include "cagefs/log.h"
#include "cagefs/proc.h"

/* Status 3: a state directory that is not root's own was refused
 * (docs/ARCHITECTURE.md §4.11); 1: any other error. */
static int fail(const cage_err_t *err)
{
	cage_error("%s", err->msg);
	return err->errnum == CAGE_ERR_UNTRUSTED ? 3 : 1;
}

#ifndef CAGE_VERSION
#error "CAGE_VERSION comes from the file VERSION (Makefile)"
#endif

static void usage_text(FILE *out)
{
	fprintf(out,
		"Usage: cagefs-runtime [--root DIR] COMMAND\n"
		"  create [-b|--bundle DIR] [--pid-file FILE] [--console-socket FD|PATH] ID\n"
		"  run    [-b|--bundle DIR] [--pid-file FILE] [--console-socket FD|PATH] ID\n"
		"  start ID | state ID | kill [-s|--signal SIG] ID [SIG] | delete [-f|--force] ID\n"
		"  exec ID CMD [ARGS...] | list\n"
		"ID: an ordinary container's id, or a hosting user's name (that user's cage)\n"
		"  --root DIR     the state directory (default /run/cagefs)\n"
		"  -h, --help     print this help and exit\n"
		"  --version      print the version and exit\n");
}

/* A usage error: the usage on stderr, exit status 2. */
static int usage(void)
{
	usage_text(stderr);
	return 2;
}

/* --help, -h and --version as the first argument: stdout, exit 0. */
static void info_options(int argc, char **argv)
{
	if (argc < 2)
		return;
	if (!strcmp(argv[1], "--version"))
		printf("cagefs-runtime %s\n", CAGE_VERSION);
	else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		usage_text(stdout);
	else
		return;
	exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1);
}

static int parse_signal(const char *sig)
{
	if (!sig)
		return SIGTERM;
	if (isdigit((unsigned char)sig[0])) {
		int n = atoi(sig);
		return n > 0 && n < NSIG ? n : -1;
	}
	const char *name = strncmp(sig, "SIG", 3) ? sig : sig + 3;
	for (int s = 1; s < NSIG; s++)
		if (sigabbrev_np(s) && !strcmp(name, sigabbrev_np(s)))
			return s;
	return -1;
}

/* --console-socket takes an fd (runtime-tools) or a socket path (runc). */
static int console_socket(const char *arg)
{
	if (isdigit((unsigned char)arg[0]))
		return atoi(arg);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || strlen(arg) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, arg);
	return connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? -1 : fd;
}

/* ---- the cages of hosting users ---- */

static int user_command(const struct cage_paths *p, const char *cmd, const char *id, char **rest)
{
	cage_err_t err = {0};
	if (!strcmp(cmd, "create"))
		return cage_ensure(p, id, &err) < 0 ? fail(&err) : 0;
	if (!strcmp(cmd, "start") || !strcmp(cmd, "run") || !strcmp(cmd, "exec")) {
		struct cage_enter_opts o = {.argv = !strcmp(cmd, "exec") ? rest : NULL};
		if (!strcmp(cmd, "exec") && !rest[0])
			return usage();
		cage_enter(p, id, &o, &err);
		return fail(&err);
	}
	return usage();
}

/* ---- ordinary OCI containers ---- */

static int ctr_command(const char *root, const char *cmd, const char *id, char **rest,
		       const struct cage_ctr_opts *o)
{
	cage_err_t err = {0};
	pid_t pid;
	if (!strcmp(cmd, "create"))
		return cage_ctr_create(root, id, o, &pid, &err) < 0 ? fail(&err) : 0;
	if (!strcmp(cmd, "run")) {
		int code = cage_ctr_run(root, id, o, &err);
		return code < 0 ? fail(&err) : code;
	}
	if (!strcmp(cmd, "start"))
		return cage_ctr_start(root, id, &err) < 0 ? fail(&err) : 0;
	if (!strcmp(cmd, "exec")) {
		int code = rest[0] ? cage_ctr_exec(root, id, rest, &err) : (usage(), -2);
		return code == -2 ? 2 : code < 0 ? fail(&err) : code;
	}
	return usage();
}

static int list_all(const struct cage_paths *p)
{
	cage_err_t err = {0};
	_cleanup_strvec_ cage_strvec_t ids = {0};
	if (cage_rt_list(p, &ids, &err) < 0)
		return fail(&err);
	for (size_t k = 0; k < ids.n; k++)
		printf("%s\n", ids.v[k]);
	return 0;
}

static int state(const struct cage_paths *p, const char *id)
{
	cage_err_t err = {0};
	_cleanup_ctr_state_ struct cage_ctr_state st = {0};
	if (cage_rt_state(p, id, &st, &err) < 0)
		return fail(&err);
	_cleanup_free_ char *json = cage_ctr_state_json(id, &st);
	if (!json)
		return fprintf(stderr, "cagefs-runtime: cannot write the state of %s\n", id), 1;
	printf("%s\n", json);
	return 0;
}

/* --pid-file may be relative to the current directory (runc takes it so). */
static const char *absolute(const char *path)
{
	static char buf[8192];
	char cwd[4096];
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return path;
	snprintf(buf, sizeof(buf), "%s/%s", cwd, path);
	return buf;
}

struct cmdline {
	struct cage_ctr_opts o;
	const char *signal;
	const char *console;      /* --console-socket's argument */
	bool force, has_bundle;
	int i;                    /* first argument after the options */
};

/* The options of one command; returns -1 on an unknown one. */
static int command_options(int argc, char **argv, struct cmdline *c)
{
	for (; c->i < argc && argv[c->i][0] == '-'; c->i++) {
		const char *a = argv[c->i], *v = c->i + 1 < argc ? argv[c->i + 1] : NULL;
		if (!strcmp(a, "--force") || !strcmp(a, "-f")) {
			c->force = true;
			continue;
		}
		if (!v)
			return -1;
		if (!strcmp(a, "--bundle") || !strcmp(a, "-b"))
			c->o.bundle = v, c->has_bundle = true;
		else if (!strcmp(a, "--pid-file"))
			c->o.pid_file = absolute(v);
		else if (!strcmp(a, "--signal") || !strcmp(a, "-s"))
			c->signal = v;
		else if (!strcmp(a, "--console-socket"))
			c->console = v; /* connected after the re-exec (which would close it) */
		else
			return -1;
		c->i++;
	}
	return 0;
}

/* kill and delete: one library call for both kinds of container. */
static int kill_or_delete(const struct cage_paths *p, const char *cmd, const char *id, const struct cmdline *c,
			  char **rest)
{
	cage_err_t err = {0};
	if (!strcmp(cmd, "delete"))
		return cage_rt_delete(p, id, c->force, &err) < 0 ? fail(&err) : 0;
	int signo = parse_signal(c->signal ? c->signal : rest[0]);
	if (signo < 0)
		return fprintf(stderr, "cagefs-runtime: unknown signal %s\n", c->signal ? c->signal : rest[0]), 1;
	return cage_rt_kill(p, id, signo, &err) < 0 ? fail(&err) : 0;
}

int main(int argc, char **argv)
{
	info_options(argc, argv);
	cage_log_set_stderr("cagefs-runtime");
	struct cage_paths p;
	cage_paths_default(&p);
	struct cmdline c = {.o = {.console_socket = -1}, .i = 1};
	if (c.i + 1 < argc && !strcmp(argv[c.i], "--root")) {
		p.run = argv[c.i + 1];
		c.i += 2;
	}
	if (c.i >= argc)
		return usage();
	const char *cmd = argv[c.i++];
	if (!strcmp(cmd, "list"))
		return list_all(&p);
	static const char *const commands[] = {"create", "run", "start", "state", "kill", "delete", "exec"};
	bool known = false;
	for (size_t k = 0; k < sizeof(commands) / sizeof(*commands); k++)
		known |= !strcmp(cmd, commands[k]);
	if (!known)
		return fprintf(stderr, "cagefs-runtime: unknown command '%s'\n", cmd), usage();
	if (command_options(argc, argv, &c) < 0 || c.i >= argc)
		return usage();
	const char *id = argv[c.i++];
	char **rest = argv + c.i;
	/* exec's own arguments may look like options: only exec stops parsing here. */
	if (strcmp(cmd, "exec") && command_options(argc, argv, &c) < 0)
		return usage();
	rest = strcmp(cmd, "exec") ? argv + c.i : rest;
	if (!strcmp(cmd, "state"))
		return state(&p, id);
	if (!strcmp(cmd, "kill") || !strcmp(cmd, "delete"))
		return kill_or_delete(&p, cmd, id, &c, rest);
	bool creating = !strcmp(cmd, "create") || !strcmp(cmd, "run");
	enum cage_rt_kind kind;
	cage_err_t err = {0};
	if (cage_rt_which(&p, id, c.has_bundle, creating, &kind, &err) < 0)
		return fail(&err);
	bool ordinary = kind == CAGE_RT_CONTAINER;
	/* What enters an ordinary container's namespaces runs a sealed copy of
	 * this program, never the file on the host (CVE-2019-5736). */
	if (ordinary && (creating || !strcmp(cmd, "exec")))
		cage_reexec_sealed(argv);
	if (c.console && (c.o.console_socket = console_socket(c.console)) < 0)
		return fprintf(stderr, "cagefs-runtime: console socket %s: %m\n", c.console), 1;
	return ordinary ? ctr_command(p.run, cmd, id, rest, &c.o) : user_command(&p, cmd, id, rest);
}
