/* libFuzzer harness for runtime/core/json.c: any input either parses or is
 * refused with "fuzz.json:..." and no tree; a tree is written back (compact
 * and pretty), both parse again into the same tree, and writing that again
 * gives the same text.  The accessors agree with each other on every node. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define MAX (1u << 20)

static const enum cage_json_type types[] = {CAGE_JSON_NULL, CAGE_JSON_BOOL, CAGE_JSON_NUMBER,
					    CAGE_JSON_STRING, CAGE_JSON_ARRAY, CAGE_JSON_OBJECT};

static enum cage_json_type type_of(const cage_json *v)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
		if (cage_json_is(v, types[i]))
			return types[i];
	__builtin_trap();
}

/* Integers: u64 and int agree where both apply. */
static void check_number(const cage_json *v)
{
	const char *text = cage_json_number(v);
	CHECK(text && *text);
	uint64_t u;
	long long i;
	int ru = cage_json_u64(v, &u), ri = cage_json_int(v, LLONG_MIN, LLONG_MAX, &i);
	if (ru == 0 && u <= LLONG_MAX)
		CHECK(ri == 0 && (uint64_t)i == u);
	if (ri == 0 && i >= 0 && text[0] != '-')
		CHECK(ru == 0 && u == (uint64_t)i);
	if (ri == 0)
		CHECK(cage_json_int(v, i, i, NULL) == 0);
}

/* Same tree: types, texts, members and their order.  Depth <= 64. */
static void same(const cage_json *a, const cage_json *b)
{
	enum cage_json_type t = type_of(a);
	CHECK(type_of(b) == t);
	switch (t) {
	case CAGE_JSON_BOOL:
		CHECK(cage_json_is_true(a) == cage_json_is_true(b));
		break;
	case CAGE_JSON_NUMBER:
		check_number(a);
		CHECK(!strcmp(cage_json_number(a), cage_json_number(b)));
		break;
	case CAGE_JSON_STRING:
		CHECK(!strcmp(cage_json_string(a), cage_json_string(b)));
		break;
	case CAGE_JSON_ARRAY:
		CHECK(cage_json_array_len(a) == cage_json_array_len(b));
		for (size_t i = 0; i < cage_json_array_len(a); i++)
			same(cage_json_array_at(a, i), cage_json_array_at(b, i));
		CHECK(!cage_json_array_at(a, cage_json_array_len(a)));
		break;
	case CAGE_JSON_OBJECT:
		CHECK(cage_json_object_len(a) == cage_json_object_len(b));
		for (size_t i = 0; i < cage_json_object_len(a); i++) {
			const char *k = cage_json_object_key(a, i);
			CHECK(!strcmp(k, cage_json_object_key(b, i)));
			same(cage_json_object_value(a, i), cage_json_object_value(b, i));
			CHECK(cage_json_get(a, k, CAGE_JSON_ANY) != NULL); /* the first of its name */
		}
		break;
	default:
		break;
	}
}

static char *gen(const cage_json *v, unsigned flags, size_t *len)
{
	cage_jgen *g = cage_jgen_new(flags);
	CHECK(g);
	cage_jgen_value(g, v);
	char *s = NULL;
	cage_err_t err = {0};
	CHECK(cage_jgen_finish(g, &s, len, &err) == 0);
	CHECK(strlen(s) == *len);
	cage_jgen_free(g);
	return s;
}

/* TEXT parses into a tree the same as V, which writes TEXT again. */
static void check_again(const cage_json *v, const char *text, size_t len, unsigned flags)
{
	cage_json *again = NULL;
	cage_err_t err = {0};
	CHECK(cage_json_parse(text, len, "again.json", SIZE_MAX, &again, &err) == 0);
	same(v, again);
	size_t len2;
	char *text2 = gen(again, flags, &len2);
	CHECK(len2 == len && !memcmp(text, text2, len));
	free(text2);
	cage_json_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cage_json *v = (cage_json *)1;
	cage_err_t err = {0};
	if (cage_json_parse((const char *)data, size, "fuzz.json", MAX, &v, &err) < 0) {
		CHECK(v == NULL);
		CHECK(!strncmp(err.msg, "fuzz.json:", 10)); /* NAME:LINE:COL: or NAME: */
		return 0;
	}
	CHECK(v != NULL);
	size_t len;
	char *text = gen(v, 0, &len);
	check_again(v, text, len, 0);
	free(text);
	text = gen(v, CAGE_JGEN_PRETTY, &len);
	check_again(v, text, len, CAGE_JGEN_PRETTY);
	free(text);
	cage_json_free(v);
	return 0;
}
