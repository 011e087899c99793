/* cagefs_enter_user USER ["command" | prog args...]   (root)
 * cagefs_enter ["command" | prog args...]             (the calling user)
 * (manual: "Running Command Inside CageFS").  One source, two names: the
 * program looks at argv[0].  A single argument is a shell command line
 * (run with /bin/sh -c), several are a program and its arguments, none is a
 * login shell.  The command's exit status and signals are its own: this
 * process becomes the command (exec), nothing stands in between. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/cage.h"
#include "cagefs/log.h"
#include "cagefs/paths.h"
#include "cagefs/users.h"

static char sh_path[] = "/bin/sh", sh_c[] = "-c";
static char *shell_argv[4] = {sh_path, sh_c, NULL, NULL};

#ifndef CAGE_VERSION
#error "CAGE_VERSION comes from the file VERSION (Makefile)"
#endif

static void usage_text(FILE *out, bool as_user_arg)
{
	if (as_user_arg)
		fprintf(out, "Usage: cagefs_enter_user USER [\"command\" | program [args...]]\n"
			     "Run a command as USER inside USER's cage (root only); none: the login shell.\n");
	else
		fprintf(out, "Usage: cagefs_enter [\"command\" | program [args...]]\n"
			     "Run a command inside your own cage; none: your login shell.\n");
	fprintf(out, "One argument is a shell command line (/bin/sh -c), several are a program and its arguments.\n"
		     "  --help     print this help and exit\n"
		     "  --version  print the version and exit\n");
}

static int usage(const char *prog)
{
	bool as_user_arg = strstr(prog, "_user") != NULL;
	if (as_user_arg)
		fprintf(stderr, "%s: missing USER\n", prog);
	usage_text(stderr, as_user_arg);
	return 2;
}

/* --version and --help, first thing in main: they read nothing but argv
 * (not the environment, no file), print on stdout and exit 0.  The name
 * printed is one of the two constants, chosen as main chooses by argv[0]. */
static void info_options(int argc, char **argv)
{
	if (argc < 2 || !argv[0] || !argv[1])
		return;
	bool version = !strcmp(argv[1], "--version"), help = !strcmp(argv[1], "--help");
	if (!version && !help)
		return;
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	bool as_user_arg = strstr(base, "_user") != NULL;
	if (version)
		printf("%s %s\n", as_user_arg ? "cagefs_enter_user" : "cagefs_enter", CAGE_VERSION);
	else
		usage_text(stdout, as_user_arg);
	_exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1);
}

/* A setuid program started with fd 0, 1 or 2 closed would hand that number
 * to the next file it opens (a lock, a pid file) and later write messages
 * into it: make sure all three are open first. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(1);
}

/* A single argument is a shell command line, unless it is a bare program
 * name, which needs no shell (exec'd as sh -c would). */
static char **command(int argc, char **argv, int first)
{
	if (argc - first == 1 && strpbrk(argv[first], " \t\n;&|<>()$`\\\"'*?[]#~={}!")) {
		shell_argv[2] = argv[first];
		return shell_argv;
	}
	return argc > first ? argv + first : NULL;
}

int main(int argc, char **argv)
{
	info_options(argc, argv);
	/* Before anything is written: the caller's RLIMIT_FSIZE or a signal
	 * it set up must not cut this program short half way (§4.7). */
	struct cage_inherited inherited;
	cage_inherited_take(&inherited);
	ensure_std_fds();
	if (argc < 1 || !argv[0])
		return 2;
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	bool as_user_arg = strstr(prog, "_user") != NULL;
	cage_log_set_stderr(prog);
	int first = as_user_arg ? 2 : 1;
	if (argc < first)
		return usage(prog);
	struct cage_paths p;
	cage_paths_default(&p);
	uid_t ruid = getuid();
	if (as_user_arg && ruid != 0) {
		cage_error("only root may enter another user's cage");
		return 1;
	}
	/* In cagefs_enter the user is whoever called, never an argument. */
	struct cage_user u;
	cage_err_t err = {0};
	if ((as_user_arg ? cage_user_lookup(argv[1], &u, &err) : cage_user_lookup_uid(ruid, &u, &err)) < 0) {
		cage_error("%s", err.msg);
		return 1;
	}
	/* setuid: from here on nothing of this process is the caller's, so the
	 * caller cannot signal it half way (the uid is dropped at the end). */
	if (geteuid() == 0 && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		cage_error("cannot take root credentials");
		return 1;
	}
	/* Manual: for a user with CageFS disabled, cagefs_enter runs uncaged;
	 * when that cannot be decided, nothing runs (cage_enter). */
	struct cage_enter_opts o = {.argv = command(argc, argv, first), .login = argc == first,
				    .uncaged_ok = true, .on_behalf = as_user_arg, .user = &u,
				    .inherited = &inherited};
	cage_enter(&p, u.name, &o, &err);
	cage_error("%s", err.msg);
	return err.errnum == ENOENT ? 127 : 1;
}
