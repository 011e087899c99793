/* libFuzzer harness for the command files' parser (proxy/commands.c):
 * any input either parses into commands that satisfy the documented
 * syntax, or fails with "file:line: ..." and leaves the table untouched;
 * the same text again collides with itself across files. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/proxy.h"
#include "cagefs/safefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_err(const cage_err_t *err, const char *file)
{
	size_t n = strlen(file);
	CHECK(strncmp(err->msg, file, n) == 0 && err->msg[n] == ':');
	const char *p = err->msg + n + 1;
	CHECK(*p >= '1' && *p <= '9');
	while (*p >= '0' && *p <= '9')
		p++;
	CHECK(p[0] == ':' && p[1] == ' ' && p[2]);
}

static void check_cmd(const struct cage_proxy_cmd *c)
{
	CHECK(c->alias && c->alias[0] && strlen(c->alias) <= CAGE_PROXY_NAME_MAX && c->alias[0] != '@');
	CHECK(c->path && c->path[0] == '/' && c->path[1]);
	char *norm = cage_path_normalize(c->path);
	CHECK(norm && !strcmp(norm, c->path));
	free(norm);
	CHECK(!(c->noproceed && c->wrapper));
	CHECK(!c->wrapper || (!strchr(c->wrapper, '/') && strcmp(c->wrapper, "..") && strcmp(c->wrapper, ".")));
	CHECK(!c->user || (c->user[0] && c->user[0] != '-' && !strchr(c->user, ':')));
	CHECK(c->line > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_proxy_cmds t = {0};
	cage_err_t err = {0};
	const char *buf = (const char *)data;
	if (cage_proxy_cmds_parse_buf(&t, "a.commands", buf, size, &err) < 0) {
		check_err(&err, "a.commands");
		CHECK(t.n == 0);
	} else {
		size_t n = t.n;
		for (size_t i = 0; i < n; i++) {
			check_cmd(&t.c[i]);
			CHECK(cage_proxy_cmds_find(&t, t.c[i].alias) == &t.c[i]);
		}
		int r = cage_proxy_cmds_parse_buf(&t, "b.commands", buf, size, &err);
		CHECK(n ? r < 0 && strstr(err.msg, "already") : r == 0);
		if (r < 0)
			check_err(&err, "b.commands");
		CHECK(t.n == n);
	}
	cage_proxy_cmds_free(&t);
	CHECK(t.n == 0 && t.c == NULL);
	return 0;
}
