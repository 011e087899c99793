/* cagefsctl --sanity-check [--json] (manual: "Sanity Check";
 * docs/ARCHITECTURE.md §4.19).  The checks are the library's
 * (cagefs/sanity.h); this prints them, one line a check,
 * "NAME ... RESULT", with what the check says indented below, or the
 * same as one JSON document for a panel.  Exit status 1 when a check is
 * neither OK nor SKIPPED (the manual: "ret code >0"), else 0. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "cagefs/json.h"
#include "cagefs/sanity.h"
#include "cagefsctl.h"

static void print_text(const struct cage_sanity_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct cage_sanity_item *it = &r->v[i];
		printf("%s ... %s\n", it->name, cage_sanity_word(it->result));
		for (const char *s = it->detail; *s;) {
			size_t len = strcspn(s, "\n");
			printf("    %.*s\n", (int)len, s);
			s += len + (s[len] == '\n');
		}
	}
}

static int print_json(const struct cage_sanity_report *r, cage_err_t *err)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(CAGE_JGEN_PRETTY);
	cage_jgen_map_open(g);
	cage_jgen_string(g, "passed");
	cage_jgen_bool(g, cage_sanity_passed(r));
	cage_jgen_string(g, "checks");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < r->n; i++) {
		cage_jgen_map_open(g);
		cage_jgen_string(g, "id");
		cage_jgen_string(g, r->v[i].id);
		cage_jgen_string(g, "name");
		cage_jgen_string(g, r->v[i].name);
		cage_jgen_string(g, "result");
		cage_jgen_string(g, cage_sanity_word(r->v[i].result));
		cage_jgen_string(g, "detail");
		cage_jgen_string(g, r->v[i].detail);
		cage_jgen_map_close(g);
	}
	cage_jgen_array_close(g);
	cage_jgen_map_close(g);
	_cleanup_free_ char *text = NULL;
	if (cage_jgen_finish(g, &text, NULL, err) < 0)
		return -1;
	printf("%s\n", text);
	return 0;
}

int ctl_sanity_check(struct ctl *c)
{
	struct cage_sanity_report r;
	if (cage_sanity_run(&c->paths, &r, &c->err) < 0)
		return -1;
	int rc = 0;
	if (c->json)
		rc = print_json(&r, &c->err);
	else
		print_text(&r);
	c->exit_code = cage_sanity_passed(&r) ? 0 : 1;
	cage_sanity_report_free(&r);
	fflush(stdout);
	return rc;
}
