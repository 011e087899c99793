/* libFuzzer harness for the conf.d .cfg parser: any input must either parse
 * into sections that satisfy the documented invariants, or fail with a
 * "file:line: ..." message and leave the cage_cfg untouched. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/config.h"
#include "cagefs/safefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

/* "file:<digits>: <text>" */
static void check_err(const cage_err_t *err, const char *file)
{
	size_t n = strlen(file);
	CHECK(strncmp(err->msg, file, n) == 0 && err->msg[n] == ':');
	const char *p = err->msg + n + 1;
	CHECK(*p >= '0' && *p <= '9');
	while (*p >= '0' && *p <= '9')
		p++;
	CHECK(p[0] == ':' && p[1] == ' ' && p[2]);
}

static void check_paths(const cage_strvec_t *sv, bool device)
{
	for (size_t i = 0; i < sv->n; i++) {
		const char *s = sv->v[i];
		CHECK(s[0] == '/' && strlen(s) < PATH_MAX);
		char *norm = cage_path_normalize(s);
		CHECK(norm && strcmp(norm, s) == 0);
		free(norm);
		CHECK(!device || strncmp(s, "/dev/", 5) == 0);
	}
	CHECK(!sv->n || sv->v[sv->n] == NULL);
}

static void check_names(const cage_strvec_t *sv)
{
	for (size_t i = 0; i < sv->n; i++) {
		size_t n = strlen(sv->v[i]);
		CHECK(n > 0 && n <= 32 && sv->v[i][0] != '-');
		CHECK(strspn(sv->v[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789_.-$") == n);
	}
}

static void check_section(const struct cage_cfg_section *s, const char *file)
{
	CHECK(s->name && s->name[0] && s->name[0] != ' ' && s->name[strlen(s->name) - 1] != ' ');
	CHECK(s->file && strcmp(s->file, file) == 0 && s->line > 0);
	CHECK(s->paths.n || s->devices.n || s->users.n || s->groups.n);
	check_paths(&s->paths, false);
	check_paths(&s->devices, true);
	check_names(&s->users);
	check_names(&s->groups);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_cfg cfg = { 0 };
	cage_err_t err = { 0 };
	const char *buf = (const char *)data;
	if (cage_cfg_parse_buf(&cfg, "a.cfg", buf, size, &err) < 0) {
		check_err(&err, "a.cfg");
		CHECK(cfg.n == 0);
	} else {
		size_t n = cfg.n;
		for (size_t i = 0; i < n; i++)
			check_section(&cfg.sections[i], "a.cfg");
		/* The same text again: its first section is now a duplicate. */
		int r = cage_cfg_parse_buf(&cfg, "b.cfg", buf, size, &err);
		CHECK(n ? r < 0 && strstr(err.msg, "duplicate section") : r == 0);
		if (r < 0)
			check_err(&err, "b.cfg");
		CHECK(cfg.n == n);
	}
	cage_cfg_free(&cfg);
	return 0;
}
