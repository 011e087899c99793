/* cagefsctl --reconfigure-cagefs [--json] (docs/ARCHITECTURE.md §4.21).
 * The library decides and writes cagefs.mp; this prints one line a
 * socket, the configuration problems (file:line) on stderr, and a summary.
 * Live cages are left alone: --remount-all ends every caged process, which
 * is the administrator's moment to choose, so it is named, not run. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "cagefs/json.h"
#include "cagefs/log.h"
#include "cagefs/reconfigure.h"
#include "cagefsctl.h"

static void print_text(const struct cage_reconf *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct cage_reconf_item *it = &r->v[i];
		if (it->action == CAGE_RECONF_ADDED)
			printf("added %s: %s\n", it->dir, it->why);
		else
			printf("%s %s (%s socket %s, %s): %s\n", cage_reconf_action_word(it->action),
			       it->dir, cage_svc_title(it->sock.svc), it->sock.path, it->sock.source,
			       it->why);
	}
	if (!r->n)
		printf("no service with a unix socket found (MariaDB/MySQL, PostgreSQL, PHP-FPM, "
		       "Redis, Memcached)\n");
}

static void json_item(cage_jgen *g, const struct cage_reconf_item *it)
{
	const char *kv[][2] = {
		{ "service", cage_svc_name(it->sock.svc) }, { "socket", it->sock.path },
		{ "source", it->sock.source }, { "directory", it->dir },
		{ "action", cage_reconf_action_word(it->action) }, { "reason", it->why },
	};
	cage_jgen_map_open(g);
	for (size_t k = 0; k < sizeof(kv) / sizeof(*kv); k++) {
		cage_jgen_string(g, kv[k][0]);
		cage_jgen_string(g, kv[k][1]);
	}
	cage_jgen_map_close(g);
}

static int print_json(const struct cage_reconf *r, bool ok, cage_err_t *err)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(CAGE_JGEN_PRETTY);
	cage_jgen_map_open(g);
	cage_jgen_string(g, "file");
	cage_jgen_string(g, r->mp_path);
	cage_jgen_string(g, "changed");
	cage_jgen_bool(g, r->changed);
	cage_jgen_string(g, "created");
	cage_jgen_bool(g, r->created && r->changed);
	cage_jgen_string(g, "remount_needed");
	cage_jgen_bool(g, r->changed);
	cage_jgen_string(g, "ok");
	cage_jgen_bool(g, ok);
	cage_jgen_string(g, "sockets");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < r->n; i++)
		json_item(g, &r->v[i]);
	cage_jgen_array_close(g);
	cage_jgen_string(g, "problems");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < r->problems.n; i++)
		cage_jgen_string(g, r->problems.v[i]);
	cage_jgen_array_close(g);
	cage_jgen_map_close(g);
	_cleanup_free_ char *text = NULL;
	if (cage_jgen_finish(g, &text, NULL, err) < 0)
		return -1;
	printf("%s\n", text);
	return 0;
}

static void print_summary(const struct cage_reconf *r)
{
	size_t count[CAGE_RECONF_CONFLICT + 1] = { 0 };
	for (size_t i = 0; i < r->n; i++)
		count[r->v[i].action]++;
	printf("reconfigure-cagefs: %zu added, %zu already shared, %zu refused, %zu per-user, "
	       "%zu conflicting, %zu configuration problem%s\n", count[CAGE_RECONF_ADDED],
	       count[CAGE_RECONF_COVERED], count[CAGE_RECONF_REFUSED], count[CAGE_RECONF_PERUSER],
	       count[CAGE_RECONF_CONFLICT], r->problems.n, r->problems.n == 1 ? "" : "s");
	if (r->changed)
		printf("%s %s; run cagefsctl --remount-all to apply it to live cages\n",
		       r->created ? "created" : "changed", r->mp_path);
	else
		printf("%s not changed\n", r->mp_path);
}

int ctl_reconfigure(struct ctl *c)
{
	struct cage_reconf r;
	if (cage_reconfigure(&c->paths, &r, &c->err) < 0) {
		cage_reconf_free(&r);
		return -1;
	}
	/* A refused or conflicting socket, or a bad line, needs the
	 * administrator: status 1, though everything else was done. */
	bool ok = r.problems.n == 0;
	for (size_t i = 0; i < r.n; i++)
		ok &= r.v[i].action != CAGE_RECONF_REFUSED && r.v[i].action != CAGE_RECONF_CONFLICT;
	for (size_t i = 0; i < r.problems.n; i++)
		cage_warn("%s", r.problems.v[i]);
	int rc = 0;
	if (c->json) {
		rc = print_json(&r, ok, &c->err);
	} else {
		print_text(&r);
		print_summary(&r);
	}
	c->exit_code = ok ? 0 : 1;
	cage_reconf_free(&r);
	fflush(stdout);
	return rc;
}
