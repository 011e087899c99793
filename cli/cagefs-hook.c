/* cagefs-hook [--json] [--timeout SEC] EVENT USER [NEW]
 * The control panels' one entry point (cagefs-hook(8), docs/ARCHITECTURE.md
 * §4.23): it parses its arguments and calls cage_hook_run(); what each
 * event does is the library's.  Exit status: 0 done, 1 ours failed, 2
 * usage, 3 ours done but a hooks.d script failed. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/hooks.h"
#include "cagefs/json.h"
#include "cagefs/log.h"
#include "cagefs/paths.h"

#ifndef CAGE_VERSION
#error "CAGE_VERSION comes from the file VERSION (Makefile)"
#endif

static void usage(FILE *out)
{
	fprintf(out, "Usage: cagefs-hook [OPTIONS] EVENT USER [NEW]\n"
		     "Do CageFS's part of a control panel's event, then run /etc/cagefs/hooks.d/EVENT/*.\n"
		     "Events: user-created USER, user-deleted USER, user-renamed OLD NEW,\n"
		     "        user-modified USER, user-suspended USER, user-unsuspended USER,\n"
		     "        package-installed PACKAGE\n"
		     "  --json              print the report as one JSON object\n"
		     "  --timeout SEC       time each hooks.d script has (default 30)\n"
		     "  --help, --version\n"
		     "Exit status: 0 done, 1 CageFS's part failed, 2 usage, 3 a hooks.d script failed.\n");
}

static void print_json(const char *event, const char *user, int status, const struct cage_hook_report *r,
		       const cage_err_t *err)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
	cage_jgen_map_open(g);
	cage_jgen_string(g, "event"), cage_jgen_string(g, event);
	cage_jgen_string(g, "user"), cage_jgen_string(g, user);
	cage_jgen_string(g, "status"), cage_jgen_int(g, status);
	cage_jgen_string(g, "changed"), cage_jgen_bool(g, r->changed);
	cage_jgen_string(g, "done"), cage_jgen_string(g, r->done);
	cage_jgen_string(g, "error");
	if (status == CAGE_HOOK_EXIT_FAILED || status == CAGE_HOOK_EXIT_USAGE)
		cage_jgen_string(g, err->msg);
	else
		cage_jgen_null(g);
	cage_jgen_string(g, "scripts");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < r->nscripts; i++) {
		cage_jgen_map_open(g);
		cage_jgen_string(g, "name"), cage_jgen_string(g, r->scripts[i].name);
		cage_jgen_string(g, "ok"), cage_jgen_bool(g, !r->scripts[i].why[0]);
		cage_jgen_string(g, "error");
		if (r->scripts[i].why[0])
			cage_jgen_string(g, r->scripts[i].why);
		else
			cage_jgen_null(g);
		cage_jgen_map_close(g);
	}
	cage_jgen_array_close(g);
	cage_jgen_map_close(g);
	_cleanup_free_ char *text = NULL;
	if (cage_jgen_finish(g, &text, NULL, NULL) == 0)
		printf("%s\n", text);
}

static void print_text(int status, const struct cage_hook_report *r, const cage_err_t *err)
{
	if (r->done[0])
		printf("%s\n", r->done);
	if (status == CAGE_HOOK_EXIT_FAILED || status == CAGE_HOOK_EXIT_USAGE)
		cage_error("%s", err->msg);
	if (r->failed)
		fprintf(stderr, "cagefs-hook: %zu of %zu hooks.d script%s failed\n", r->failed, r->nscripts,
			r->nscripts == 1 ? "" : "s");
}

static unsigned timeout_arg(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	if (!v[0] || *end || n == 0 || n > 86400) {
		fprintf(stderr, "cagefs-hook: --timeout wants seconds from 1 to 86400, not '%s'\n", v);
		exit(CAGE_HOOK_EXIT_USAGE);
	}
	return (unsigned)n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'}, {"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {0},
	};
	bool json = false;
	unsigned timeout = 30;
	cage_log_set_stderr("cagefs-hook");
	for (int c; (c = getopt_long(argc, argv, "+", opts, NULL)) != -1;) {
		if (c == 'j')
			json = true;
		else if (c == 't')
			timeout = timeout_arg(optarg);
		else if (c == 'h')
			return usage(stdout), 0;
		else if (c == 'V')
			return printf("cagefs-hook %s\n", CAGE_VERSION), 0;
		else
			return usage(stderr), CAGE_HOOK_EXIT_USAGE;
	}
	if (argc - optind < 2)
		return usage(stderr), CAGE_HOOK_EXIT_USAGE;
	if (geteuid() != 0) {
		fprintf(stderr, "cagefs-hook: must be run as root\n");
		return CAGE_HOOK_EXIT_FAILED;
	}
	struct cage_paths p;
	cage_paths_default(&p);
	struct cage_hook_report r;
	cage_err_t err = {0};
	const char *event = argv[optind], *user = argv[optind + 1];
	int status = cage_hook_run(&p, event, user, argv + optind + 2, (size_t)(argc - optind - 2), timeout, &r,
				   &err);
	if (json)
		print_json(event, user, status, &r, &err);
	else
		print_text(status, &r, &err);
	cage_hook_report_free(&r);
	return status;
}
