/* libFuzzer harness for cagefs.ini: parse, and for anything that parses,
 * serialize -> parse must give back the same keys and values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/config.h"

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

static void check_same(const struct cage_ini *a, const struct cage_ini *b)
{
	CHECK(a->n == b->n);
	for (size_t i = 0; i < a->n; i++) {
		const char *v = cage_ini_get(b, a->e[i].key);
		CHECK(v && strcmp(v, a->e[i].value) == 0);
	}
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
