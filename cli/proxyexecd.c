/* proxyexecd [--foreground] [--socket PATH] [--max-per-user N] [-v]
 * The daemon that runs proxied commands outside the cages (manual:
 * "Executing By Proxy"; docs/ARCHITECTURE.md §4.18).  It parses its
 * options and calls cage_proxy_serve(); everything it decides is the
 * library's.  Logs to syslog (a daemon may openlog; the library used by
 * the PAM module never does). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/log.h"
#include "cagefs/paths.h"
#include "cagefs/proxy.h"

#ifndef CAGE_VERSION
#error "CAGE_VERSION comes from the file VERSION (Makefile)"
#endif

static void usage(FILE *out)
{
	fprintf(out, "Usage: proxyexecd [OPTIONS]\n"
		     "Run the commands of /etc/cagefs/*.proxy.commands outside the cage for caged users.\n"
		     "  --foreground        stay in the foreground (default: become a daemon)\n"
		     "  --socket PATH       listen on PATH (default: " CAGE_DEFAULT_RUN "/proxy/"
		     CAGE_PROXY_SOCKET_NAME ", bound in every cage)\n"
		     "  --max-per-user N    requests of one user at once (default 16)\n"
		     "  --timeout-ms N      time a request has to arrive whole (default 10000)\n"
		     "  -v, --verbose       log informational messages too\n"
		     "  --help, --version\n");
}

static int daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") < 0)
		return -1;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
	close(fd);
	return 0;
}

static unsigned number(const char *opt, const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (!v[0] || *end || n == 0 || n > 100000) {
		fprintf(stderr, "proxyexecd: %s wants a number from 1 to 100000, not '%s'\n", opt, v);
		exit(2);
	}
	return (unsigned)n;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"foreground", no_argument, NULL, 'f'}, {"socket", required_argument, NULL, 's'},
		{"max-per-user", required_argument, NULL, 'm'}, {"timeout-ms", required_argument, NULL, 't'},
		{"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
	struct cage_paths paths;
	cage_paths_default(&paths);
	struct cage_proxy_server_opts o = {.paths = &paths};
	bool foreground = false;
	for (int c; (c = getopt_long(argc, argv, "v", longopts, NULL)) != -1;) {
		switch (c) {
		case 'f': foreground = true; break;
		case 's':
			if (optarg[0] != '/') {
				fprintf(stderr, "proxyexecd: --socket wants an absolute path\n");
				return 2;
			}
			o.socket = optarg;
			break;
		case 'm': o.max_per_user = number("--max-per-user", optarg); break;
		case 't': o.request_timeout_ms = number("--timeout-ms", optarg); break;
		case 'v': cage_log_set_level(LOG_INFO); break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("proxyexecd %s\n", CAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "proxyexecd: must run as root\n");
		return 1;
	}
	cage_log_set_syslog("proxyexecd");
	if (!foreground && daemonize() < 0) {
		perror("proxyexecd");
		return 1;
	}
	cage_err_t err = {0};
	if (cage_proxy_serve(&o, &err) < 0) {
		cage_error("%s", err.msg);
		fprintf(stderr, "proxyexecd: %s\n", err.msg);
		return 1;
	}
	return 0;
}
