/* cagefsctl --set-limits and --limits: per-user resource limits
 * (docs/ARCHITECTURE.md §4.17).  What a limit is and where it goes is the
 * library's (cagefs/limits.h, cage_limits_change); this only parses and
 * prints. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cagefs/cage.h"
#include "cagefs/cleanup.h"
#include "cagefs/json.h"
#include "cagefs/limits.h"
#include "cagefsctl.h"

/* cagefsctl --set-limits USER|default KEY=VALUE ... */
int ctl_set_limits(struct ctl *c)
{
	const char *name = c->optval ? c->optval : c->nargs ? c->args[0] : NULL;
	char **assign = c->args + (c->optval ? 0 : 1);
	int n = c->nargs - (c->optval ? 0 : 1);
	if (!name)
		return cage_err_set(&c->err, "--set-limits needs a user name (or default) and KEY=VALUE "
				    "(cpu=50%% memory=1G pids=100 io=10M iops=500)");
	return cage_limits_change(&c->paths, name, assign, n > 0 ? (size_t)n : 0, &c->err);
}

/* A byte count as limits.conf spells sizes ("12M"), or "-". */
static void size_or_dash(long long v, char *buf, size_t size)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else if (v == 0)
		snprintf(buf, size, "0");
	else
		cage_limit_format(CAGE_LIMIT_MEMORY, v, buf, size);
}

static void print_row(const char *name, const struct cage_limits *l, const struct cage_limits_usage *u)
{
	printf("%-16s", name);
	for (int k = 0; k < CAGE_LIMIT_KEYS; k++) {
		char v[32];
		cage_limit_format(k, l->v[k], v, sizeof(v));
		printf(" %-8s", v[0] ? v : "-");
	}
	char mem[32] = "", pids[32] = "";
	size_or_dash(u->memory, mem, sizeof(mem));
	if (u->pids >= 0)
		snprintf(pids, sizeof(pids), "%lld", u->pids);
	printf(" %-8s %s\n", mem, pids[0] ? pids : "-");
}

static void json_row(cage_jgen *g, const char *name, const struct cage_limits *l,
		     const struct cage_limits_usage *u)
{
	cage_jgen_map_open(g);
	cage_jgen_string(g, "user");
	cage_jgen_string(g, name);
	for (int k = 0; k < CAGE_LIMIT_KEYS; k++) {
		cage_jgen_string(g, cage_limit_name(k));
		if (l->v[k] > 0)
			cage_jgen_int(g, l->v[k]);
		else
			cage_jgen_null(g);
	}
	cage_jgen_string(g, "usage");
	cage_jgen_map_open(g);
	cage_jgen_string(g, "memory");
	if (u->memory >= 0)
		cage_jgen_int(g, u->memory);
	else
		cage_jgen_null(g);
	cage_jgen_string(g, "pids");
	if (u->pids >= 0)
		cage_jgen_int(g, u->pids);
	else
		cage_jgen_null(g);
	cage_jgen_map_close(g);
	cage_jgen_map_close(g);
}

/* One row: the effective limits of NAME (the default line's own for
 * "default") and what its cgroup holds. */
static void row(struct ctl *c, cage_jgen *g, const struct cage_limits_file *f, const char *name)
{
	struct cage_limits l;
	struct cage_limits_usage u = {-1, -1};
	cage_limits_of(f, name, &l);
	if (strcmp(name, CAGE_LIMITS_DEFAULT))
		cage_limits_usage(&c->paths, name, &u);
	if (g)
		json_row(g, name, &l, &u);
	else
		print_row(name, &l, &u);
}

/* cagefsctl --limits [USER ...] [--json]: every line of limits.conf, or
 * the named users' effective limits; cpu in percent of one CPU, memory
 * and io in bytes (per second), in --json numbers and null for none. */
int ctl_limits(struct ctl *c)
{
	struct cage_limits_file f;
	if (cage_limits_load(&c->paths, &f, &c->err) < 0)
		return -1;
	_cleanup_jgen_ cage_jgen *g = c->json ? cage_jgen_new(0) : NULL;
	if (g)
		cage_jgen_array_open(g);
	else
		printf("%-16s %-8s %-8s %-8s %-8s %-8s %-8s %s\n", "USER", "CPU", "MEMORY", "PIDS", "IO", "IOPS",
		       "MEM-USED", "PROCS");
	int rc = 0;
	for (int i = -1; i < c->nargs; i++) {
		const char *name = i < 0 ? c->optval : c->args[i];
		struct cage_user u;
		if (!name)
			continue;
		if (strcmp(name, CAGE_LIMITS_DEFAULT) && cage_user_lookup(name, &u, &c->err) < 0) {
			rc = -1;
			break;
		}
		if (strcmp(name, CAGE_LIMITS_DEFAULT))
			cage_user_free(&u);
		row(c, g, &f, name);
	}
	for (size_t i = 0; rc == 0 && !c->optval && c->nargs == 0 && i < f.n; i++)
		row(c, g, &f, f.lines[i].name);
	cage_limits_file_free(&f);
	if (rc < 0 || !g)
		return rc;
	cage_jgen_array_close(g);
	_cleanup_free_ char *text = NULL;
	if (cage_jgen_finish(g, &text, NULL, &c->err) < 0)
		return -1;
	printf("%s\n", text);
	return 0;
}
