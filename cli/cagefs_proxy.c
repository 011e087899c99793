/* cagefs.proxy.program: the wrapper that stands in the skeleton at each
 * proxied command's path (manual: "Executing By Proxy", the default
 * wrapper).  Run as that path, it asks proxyexecd for the alias whose
 * wrapper is there ("@PATH", its own /proc/self/exe); run by its own name
 * (from a named wrapper), its first argument is the alias.  It exits as
 * the command did: its status, or death by the same signal; 126 with the
 * daemon's reason when refused, 125 when the daemon cannot be reached. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cagefs/proxy.h"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* fds 0-2 go to the daemon: a closed one is /dev/null, never a socket
 * or file we open later. */
static void stdio_open(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(125);
}

int main(int argc, char **argv)
{
	static char alias[PATH_MAX + 2] = "@";
	const char *name = argc > 0 && argv[0] ? base_name(argv[0]) : CAGE_PROXY_DEFAULT_WRAPPER;
	char *const *args = argv + (argc > 0);
	stdio_open();
	if (!strcmp(name, CAGE_PROXY_DEFAULT_WRAPPER)) {
		if (argc < 2 || !strcmp(argv[1], "--help") || argv[1][0] == '-') {
			fprintf(argc < 2 || argv[1][0] == '-' ? stderr : stdout,
				"Usage: %s ALIAS [ARGS...]\nRun the proxied command ALIAS (/etc/cagefs/*.proxy.commands) "
				"outside the cage, through proxyexecd.\n", name);
			return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
		}
		snprintf(alias, sizeof(alias), "%s", argv[1]);
		args = argv + 2;
	} else {
		ssize_t n = readlink("/proc/self/exe", alias + 1, sizeof(alias) - 2);
		if (n <= 0) {
			fprintf(stderr, "%s: cannot tell which command this wrapper stands for\n", name);
			return 125;
		}
		alias[n + 1] = '\0';
	}
	const char *sock = getenv("CAGEFS_PROXY_SOCKET");
	struct cage_proxy_reply r;
	cage_err_t err = {0};
	if (cage_proxy_call(sock && sock[0] == '/' ? sock : CAGE_PROXY_SOCKET_IN_CAGE, alias, args, &r, &err) < 0) {
		fprintf(stderr, "%s: %s\n", name, err.msg);
		return 125;
	}
	if (r.kind == 'E')
		fprintf(stderr, "%s: refused: %s\n", name, r.msg);
	if (r.kind == 'S') {
		/* Die as the command died, without a core of ours. */
		struct rlimit none = {0, 0};
		setrlimit(RLIMIT_CORE, &none);
		signal(r.value, SIG_DFL);
		raise(r.value);
		return 128 + (r.value & 0x7f);
	}
	return r.value & 0xff;
}
