/* libFuzzer harness for the virt.mp parser: any input must either parse
 * into virtual directories that satisfy the documented invariants, or fail
 * with a "file:line: ..." message and leave the cage_virtmp untouched. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/mountcfg.h"
#include "cagefs/safefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

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

static void check_sub(const struct cage_virt_sub *s, unsigned dir_line)
{
	size_t n = strlen(s->name);
	CHECK(n > 0 && n <= NAME_MAX && !strchr(s->name, '/'));
	CHECK(strcmp(s->name, ".") != 0 && strcmp(s->name, "..") != 0);
	CHECK(s->mode <= 07777 && s->line > dir_line);
}

static void check_dir(const struct cage_virt_dir *d)
{
	CHECK(d->path && d->path[0] == '/' && d->path[1] && strlen(d->path) < PATH_MAX);
	char *norm = cage_path_normalize(d->path);
	CHECK(norm && strcmp(norm, d->path) == 0);
	free(norm);
	CHECK(d->mode <= 07777 && d->line > 0 && d->nsubs <= d->cap);
	for (size_t i = 0; i < d->nsubs; i++) {
		check_sub(&d->subs[i], d->line);
		/* no duplicate names within one directory (checked on small lists) */
		for (size_t j = 0; d->nsubs < 64 && j < i; j++)
			CHECK(strcmp(d->subs[i].name, d->subs[j].name) != 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_virtmp v = { 0 };
	cage_err_t err = { 0 };
	const char *buf = (const char *)data;
	if (cage_virtmp_parse_buf(&v, "virt.mp", buf, size, &err) < 0) {
		check_err(&err, "virt.mp");
		CHECK(v.n == 0);
	} else {
		size_t n = v.n;
		CHECK(n > 0); /* an empty file is an error */
		for (size_t i = 0; i < n; i++) {
			check_dir(&v.d[i]);
			CHECK(i == 0 || v.d[i].line > v.d[i - 1].line);
		}
		int r = cage_virtmp_parse_buf(&v, "b.mp", buf, size, &err);
		CHECK(r < 0 && strstr(err.msg, "duplicate virtual directory"));
		check_err(&err, "b.mp");
		CHECK(v.n == n);
	}
	cage_virtmp_free(&v);
	CHECK(v.n == 0 && v.d == NULL);
	return 0;
}
