/* libFuzzer harness for cagefs.ini: parse, and for anything that parses,
 * serialize -> parse must give back the same keys and values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/ini.h"

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

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct cage_ini_entry *)a)->key, ((const struct cage_ini_entry *)b)->key);
}

/* Same keys with the same values.  Sorted copies, not cage_ini_get() per
 * key: that is linear, and a 1 MiB input holds ~100k keys. */
static void check_same(const struct cage_ini *a, const struct cage_ini *b)
{
	CHECK(a->n == b->n);
	if (!a->n)
		return;
	struct cage_ini_entry *x = malloc(a->n * sizeof(*x)), *y = malloc(b->n * sizeof(*y));
	CHECK(x && y);
	memcpy(x, a->e, a->n * sizeof(*x));
	memcpy(y, b->e, b->n * sizeof(*y));
	qsort(x, a->n, sizeof(*x), by_key);
	qsort(y, b->n, sizeof(*y), by_key);
	for (size_t i = 0; i < a->n; i++) {
		CHECK(strcmp(x[i].key, y[i].key) == 0 && strcmp(x[i].value, y[i].value) == 0);
		CHECK(i == 0 || strcmp(x[i - 1].key, x[i].key) != 0); /* keys are unique */
	}
	free(x);
	free(y);
}

static void round_trip(const struct cage_ini *ini)
{
	char *text = cage_ini_serialize(ini);
	CHECK(text);
	struct cage_ini again = { 0 };
	cage_err_t err = { 0 };
	CHECK(cage_ini_parse_buf(&again, "out.ini", text, strlen(text), &err) == 0);
	check_same(ini, &again);
	char *text2 = cage_ini_serialize(&again);
	CHECK(text2 && strcmp(text, text2) == 0);
	free(text);
	free(text2);
	cage_ini_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_ini ini = { 0 };
	cage_err_t err = { 0 };
	if (cage_ini_parse_buf(&ini, "cagefs.ini", (const char *)data, size, &err) < 0) {
		check_err(&err, "cagefs.ini");
		CHECK(ini.n == 0 && ini.file == NULL);
	} else {
		CHECK(ini.file && strcmp(ini.file, "cagefs.ini") == 0);
		round_trip(&ini);
		CHECK(cage_ini_set(&ini, "tmpwatch_dirs", "/dir1,/dir2") == 0);
		CHECK(strcmp(cage_ini_get(&ini, "tmpwatch_dirs"), "/dir1,/dir2") == 0);
		CHECK(cage_ini_set(&ini, "x.y", "") == 0);
		CHECK(cage_ini_set(&ini, "bad\nkey", "v") < 0);
		round_trip(&ini);
	}
	cage_ini_free(&ini);
	return 0;
}
