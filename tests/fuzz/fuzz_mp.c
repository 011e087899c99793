/* libFuzzer harness for the cagefs.mp parser: any input must either parse
 * into entries that satisfy the documented invariants, or fail with a
 * "file:line: ..." message and leave the cage_mp untouched. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/mountcfg.h"
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

static void check_entry(const struct cage_mp_entry *e)
{
	const char *s = e->path;
	CHECK(s && s[0] == '/' && s[1] && strlen(s) < PATH_MAX);
	char *norm = cage_path_normalize(s);
	CHECK(norm && strcmp(norm, s) == 0);
	free(norm);
	for (const char *q = s; *q; q++)
		CHECK((unsigned char)*q >= 0x20 && *q != 0x7f && *q != ',');
	CHECK(e->line > 0);
	if (e->kind == CAGE_MP_PERUSER)
		CHECK(e->mode <= 07777);
	else
		CHECK(e->mode == 0 && (e->kind == CAGE_MP_SHARED || e->kind == CAGE_MP_SPLIT));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_mp mp = { 0 };
	cage_err_t err = { 0 };
	const char *buf = (const char *)data;
	if (cage_mp_parse_buf(&mp, "a.mp", buf, size, &err) < 0) {
		check_err(&err, "a.mp");
		CHECK(mp.n == 0);
	} else {
		size_t n = mp.n;
		for (size_t i = 0; i < n; i++) {
			check_entry(&mp.e[i]);
			CHECK(i == 0 || mp.e[i].line > mp.e[i - 1].line);
		}
		/* The same text again: its first entry is now a duplicate. */
		int r = cage_mp_parse_buf(&mp, "b.mp", buf, size, &err);
		CHECK(n ? r < 0 && strstr(err.msg, "duplicate mount point") : r == 0);
		if (r < 0)
			check_err(&err, "b.mp");
		CHECK(mp.n == n);
	}
	cage_mp_free(&mp);
	CHECK(mp.n == 0 && mp.e == NULL);
	return 0;
}
