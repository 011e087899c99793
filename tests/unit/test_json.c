/* Unit tests for runtime/core/json.c (cagefs/json.h): the hardened parse
 * (limits, positions), the accessors (exact integers, the uint64 range) and
 * the generator (escaping, sticky errors, lossless subtrees).  No root. */
#define _GNU_SOURCE
#include "tap.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/json.h"

/* ---- helpers ------------------------------------------------------------ */

static cage_err_t err;

/* Parse LEN bytes (0: strlen) named "t"; NULL and err.msg on failure. */
static cage_json *parse_n(const char *text, size_t len)
{
	cage_json *t = NULL;
	cage_err_clear(&err);
	if (cage_json_parse(text, len ? len : strlen(text), "t", 1 << 20, &t, &err) < 0)
		return NULL;
	return t;
}

static cage_json *parse(const char *text)
{
	return parse_n(text, 0);
}

/* The error of parsing TEXT, or "(accepted)". */
static const char *refusal(const char *text, size_t len)
{
	cage_json *t = parse_n(text, len);
	if (t) {
		cage_json_free(t);
		return "(accepted)";
	}
	return err.msg;
}

/* V written compactly; NULL (and err.msg) if the generator refused. */
static char *gen(const cage_json *v, unsigned flags)
{
	cage_jgen *g = cage_jgen_new(flags);
	char *out = NULL;
	cage_jgen_value(g, v);
	cage_jgen_finish(g, &out, NULL, &err);
	cage_jgen_free(g);
	return out;
}

/* TEXT parsed and written back compactly. */
static char *round_trip(const char *text)
{
	cage_json *t = parse(text);
	char *out = t ? gen(t, 0) : NULL;
	cage_json_free(t);
	return out;
}

/* N nested arrays: "[[...]]". */
static char *nested(int n)
{
	char *s = malloc(2 * (size_t)n + 1);
	memset(s, '[', (size_t)n);
	memset(s + n, ']', (size_t)n);
	s[2 * n] = '\0';
	return s;
}

/* ---- parsing: limits and positions --------------------------------------- */

static void test_limits(void)
{
	char *s = nested(64);
	cage_json *t = parse(s);
	ok(t != NULL, "64 levels of nesting are accepted");
	char *back = t ? gen(t, 0) : NULL;
	is_str(back, s, "  and written back");
	free(back);
	cage_json_free(t);
	free(s);
	s = nested(65);
	is_str(refusal(s, 0), "t:1:65: nested more than 64 levels deep", "65 levels are refused, at the 65th");
	free(s);
	/* Objects count as arrays do. */
	char obj[512] = "";
	for (int i = 0; i < 65; i++)
		strcat(obj, "{\"a\":");
	is_str(refusal(obj, 0), "t:1:321: nested more than 64 levels deep", "65 levels of objects too");

	is_str(refusal("{\"a\":\n\"b\0c\"}", 12), "t:2:3: NUL byte in the file", "a raw NUL byte is refused, with its position");
	is_str(refusal("\0", 1), "t:1:1: NUL byte in the file", "  even alone");
	is_str(refusal("[\"ab\",\n \"a\\u0000b\"]", 0), "t:2:11: string contains a NUL character",
	       "an escaped NUL in a string is refused");
	is_str(refusal("{\"k\\u0000\": 1}", 0), "t:1:10: string contains a NUL character",
	       "an escaped NUL in a key is refused");
	ok(parse("[\"\\u0001\"]") != NULL, "other escaped control characters are read");

	cage_json *big = NULL;
	is_int(cage_json_parse("[1,2,3]", 7, "t", 6, &big, &err), -1, "input larger than the maximum is refused");
	is_str(err.msg, "t: larger than 6 bytes", "  saying so");
	is_int(cage_json_parse("[1,2,3]", 7, "t", 7, &big, &err), 0, "input of exactly the maximum is read");
	cage_json_free(big);
}

static void test_syntax(void)
{
	is_str(refusal("{\n  \"a\": 1,\n  \"b\": x\n}", 0), "t:3:8: lexical error: invalid char in json text.",
	       "a syntax error on line 3 says LINE:COL");
	is_str(refusal("{\"a\" 1}", 0),
	       "t:1:6: parse error: object key and value must be separated by a colon (':')",
	       "yajl's message, first line only");
	is_str(refusal("", 0), "t:1:1: parse error: premature EOF", "empty input");
	is_str(refusal("{\n\"a\":", 0), "t:2:4: parse error: premature EOF", "truncated input: at its end");
	is_str(refusal("{} {}", 0), "t:1:4: parse error: trailing garbage", "a second document");
	is_str(refusal("[\"\xff\"]", 0), "t:1:3: lexical error: invalid bytes in UTF8 string.", "invalid UTF-8, at the bad byte");
	cage_json *t = NULL;
	is_int(cage_json_parse(NULL, 0, NULL, 10, &t, &err), -1, "NULL text is empty");
	is_str(err.msg, "JSON:1:1: parse error: premature EOF", "  and NULL name is \"JSON\"");
	t = parse("/* a comment */ [1, // another\n 2]");
	is_int(cage_json_array_len(t), 2, "comments are allowed");
	cage_json_free(t);
	t = parse("  7 ");
	ok(t && cage_json_int(t, 7, 7, NULL) == 0, "a scalar document is read");
	cage_json_free(t);
}

/* ---- reading --------------------------------------------------------------- */

static void test_accessors(void)
{
	cage_json *t = parse("{\"s\":\"x\",\"n\":null,\"t\":true,\"f\":false,\"a\":[1,\"2\"],\"o\":{\"k\":\"v\"},"
			     "\"s\":\"second\"}");
	ok(t && cage_json_is(t, CAGE_JSON_OBJECT) && cage_json_is(t, CAGE_JSON_ANY), "an object");
	is_str(cage_json_string(cage_json_get(t, "s", CAGE_JSON_STRING)), "x", "get: the first of duplicate keys");
	is_int(cage_json_object_len(t), 7, "  and both are kept");
	is_str(cage_json_object_key(t, 6), "s", "  in order");
	is_str(cage_json_string(cage_json_object_value(t, 6)), "second", "  with their values");
	ok(cage_json_get(t, "s", CAGE_JSON_NUMBER) == NULL, "get of another type: NULL");
	ok(cage_json_get(t, "nope", CAGE_JSON_ANY) == NULL, "get of a missing key: NULL");
	ok(cage_json_is(cage_json_get(t, "n", CAGE_JSON_ANY), CAGE_JSON_NULL), "null");
	ok(cage_json_is_true(cage_json_get(t, "t", CAGE_JSON_BOOL)), "true");
	ok(!cage_json_is_true(cage_json_get(t, "f", CAGE_JSON_BOOL)) && cage_json_get(t, "f", CAGE_JSON_BOOL),
	   "false");
	const cage_json *a = cage_json_get(t, "a", CAGE_JSON_ARRAY);
	is_int(cage_json_array_len(a), 2, "array length");
	is_str(cage_json_string(cage_json_array_at(a, 1)), "2", "array element");
	ok(cage_json_array_at(a, 2) == NULL, "past the end: NULL");
	ok(cage_json_array_len(t) == 0 && cage_json_object_len(a) == 0, "lengths of the other kind: 0");
	ok(cage_json_get(a, "x", CAGE_JSON_ANY) == NULL, "get on an array: NULL");
	is_str(cage_json_string(cage_json_get(cage_json_get(t, "o", CAGE_JSON_OBJECT), "k", CAGE_JSON_ANY)), "v",
	       "nested get");
	ok(!cage_json_is(NULL, CAGE_JSON_ANY) && !cage_json_get(NULL, "k", CAGE_JSON_ANY) &&
	   !cage_json_string(NULL) && !cage_json_number(NULL) && cage_json_array_len(NULL) == 0 &&
	   !cage_json_array_at(NULL, 0) && cage_json_object_len(NULL) == 0 && !cage_json_object_key(NULL, 0) &&
	   !cage_json_object_value(NULL, 0) && !cage_json_is_true(NULL) &&
	   cage_json_int(NULL, 0, 1, NULL) == -EINVAL && cage_json_u64(NULL, NULL) == -EINVAL,
	   "every accessor takes NULL");
	cage_json_free((cage_json *)a); /* not a root: nothing happens */
	cage_json_free(NULL);

	cage_strvec_t sv = {0};
	cage_err_t e = {0};
	ok(cage_json_str_list(NULL, &sv, "w", "n", &e) == 0 && sv.n == 0, "str_list of nothing");
	is_int(cage_json_str_list(a, &sv, "a", "t", &e), -1, "str_list of a non-string");
	is_str(e.msg, "t: a[0] is not a string", "  names the element");
	is_int(cage_json_str_list(t, &sv, "o", "t", &e), -1, "str_list of an object");
	is_str(e.msg, "t: o is not an array", "  says so");
	cage_strvec_free(&sv);
	cage_json_free(t);
}

/* Each node knows where it is: the line of a scalar's token, of a
 * container's bracket. */
static void test_lines(void)
{
	const char *text = "// a comment\n{\n  \"a\": [\n    1,\n    \"two\", 3\n  ],\n  \"b\":\n\n"
			   "  {\"c\": null}, \"d\": 12345\n}\n";
	size_t n = strlen(text);
	cage_json *t = parse(text);
	const cage_json *a = cage_json_get(t, "a", CAGE_JSON_ARRAY);
	is_int(cage_json_line(t, text, n), 2, "line of the top object: its '{'");
	is_int(cage_json_line(a, text, n), 3, "line of an array: its '['");
	is_int(cage_json_line(cage_json_array_at(a, 0), text, n), 4, "line of a number");
	is_int(cage_json_line(cage_json_array_at(a, 1), text, n), 5, "line of a string");
	is_int(cage_json_line(cage_json_array_at(a, 2), text, n), 5, "  and of the next value on that line");
	const cage_json *b = cage_json_get(t, "b", CAGE_JSON_OBJECT);
	is_int(cage_json_line(b, text, n), 9, "a value two lines below its key: the value's line");
	is_int(cage_json_line(cage_json_get(b, "c", CAGE_JSON_ANY), text, n), 9, "null");
	is_int(cage_json_line(cage_json_get(t, "d", CAGE_JSON_ANY), text, n), 9, "a number at the end of a line");
	is_int(cage_json_line(NULL, text, n), 0, "NULL: 0");
	is_int(cage_json_line(t, NULL, 0), 0, "no text: 0");
	is_int(cage_json_line(cage_json_get(t, "d", CAGE_JSON_ANY), text, 20), 3, "a text shorter than the tree's: "
	       "counted to its end");
	cage_json_free(t);
	t = parse("\"x\"");
	is_int(cage_json_line(t, "\"x\"", 3), 1, "a document that is one string: line 1");
	cage_json_free(t);
}

static int int_of(const char *text, long long min, long long max, long long *out)
{
	cage_json *t = parse(text);
	int rc = t ? cage_json_int(t, min, max, out) : -999;
	cage_json_free(t);
	return rc;
}

static int u64_of(const char *text, uint64_t *out)
{
	cage_json *t = parse(text);
	int rc = t ? cage_json_u64(t, out) : -999;
	cage_json_free(t);
	return rc;
}

static void test_numbers(void)
{
	long long v = 0;
	ok(int_of("9223372036854775807", LLONG_MIN, LLONG_MAX, &v) == 0 && v == LLONG_MAX, "int: LLONG_MAX");
	ok(int_of("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v) == 0 && v == LLONG_MIN, "int: LLONG_MIN");
	is_int(int_of("9223372036854775808", LLONG_MIN, LLONG_MAX, &v), -ERANGE, "int: LLONG_MAX + 1 is out of range");
	is_int(int_of("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v), -ERANGE, "int: LLONG_MIN - 1 is out of range");
	ok(int_of("5", 0, 5, &v) == 0 && v == 5, "int: the upper bound is in");
	is_int(int_of("6", 0, 5, &v), -ERANGE, "int: above it is out");
	ok(int_of("-3", -3, 0, &v) == 0 && v == -3, "int: the lower bound is in");
	is_int(int_of("-4", -3, 0, &v), -ERANGE, "int: below it is out");
	ok(int_of("-0", 0, 0, &v) == 0 && v == 0, "int: -0 is 0");
	is_int(int_of("1.0", LLONG_MIN, LLONG_MAX, &v), -EINVAL, "int: 1.0 is not an integer");
	is_int(int_of("1e2", LLONG_MIN, LLONG_MAX, &v), -EINVAL, "int: 1e2 is not an integer");
	is_int(int_of("\"1\"", LLONG_MIN, LLONG_MAX, &v), -EINVAL, "int: a string is not one");
	v = 42;
	int_of("7.5", 0, 10, &v);
	is_int(v, 42, "int: *out is left alone on failure");

	uint64_t u = 0;
	ok(u64_of("18446744073709551615", &u) == 0 && u == UINT64_MAX, "u64: 2^64-1 exactly");
	ok(u64_of("9223372036854775809", &u) == 0 && u == 9223372036854775809ULL, "u64: above LLONG_MAX, exactly");
	is_int(u64_of("18446744073709551616", &u), -ERANGE, "u64: 2^64 is out of range");
	is_int(u64_of("99999999999999999999999", &u), -ERANGE, "u64: far beyond too");
	ok(u64_of("0", &u) == 0 && u == 0, "u64: 0");
	is_int(u64_of("-1", &u), -EINVAL, "u64: -1 is not a non-negative integer");
	is_int(u64_of("-0", &u), -EINVAL, "u64: nor is -0 (digits only)");
	is_int(u64_of("1.5", &u), -EINVAL, "u64: nor 1.5");
	is_int(u64_of("1e3", &u), -EINVAL, "u64: nor 1e3");
	is_int(u64_of("true", &u), -EINVAL, "u64: nor true");
	cage_json *t = parse("[1.50, 1E+3, -0.0e-0]");
	is_str(cage_json_number(cage_json_array_at(t, 0)), "1.50", "a number's text is kept");
	is_str(cage_json_number(cage_json_array_at(t, 2)), "-0.0e-0", "  however it is written");
	cage_json_free(t);
}

/* ---- writing --------------------------------------------------------------- */

static char *gen_string(const char *s)
{
	cage_jgen *g = cage_jgen_new(0);
	char *out = NULL;
	cage_jgen_string(g, s);
	cage_jgen_finish(g, &out, NULL, &err);
	cage_jgen_free(g);
	return out;
}

static void test_escaping(void)
{
	const char *raw = "a\x01\x1f\b\f\n\r\t\"\\/\x7f é€😀";
	char *out = gen_string(raw);
	is_str(out, "\"a\\u0001\\u001F\\b\\f\\n\\r\\t\\\"\\\\/\x7f é€😀\"",
	       "control characters, quotes and backslashes are escaped; '/', DEL and UTF-8 are not");
	cage_json *t = out ? parse(out) : NULL;
	is_str(cage_json_string(t), raw, "and read back as they were");
	cage_json_free(t);
	free(out);
	out = gen_string("a\xff");
	ok(!out, "a string that is not UTF-8 is refused");
	is_str(err.msg, "JSON generator: a string that is not valid UTF-8", "  saying so");
	out = gen_string("\xe2\x82");
	ok(!out, "  so is a truncated sequence");
	char *back = round_trip("[\"\\u00e9\\ud83d\\ude00\\u0041\"]");
	is_str(back, "[\"é😀A\"]", "\\u escapes are read (surrogate pairs too) and written as UTF-8");
	free(back);
}

static void test_generator(void)
{
	cage_jgen *g = cage_jgen_new(0);
	char *out = NULL;
	size_t len = 0;
	cage_jgen_map_open(g);
	cage_jgen_string(g, "i");
	cage_jgen_int(g, LLONG_MIN);
	cage_jgen_string(g, "u");
	cage_jgen_u64(g, UINT64_MAX);
	cage_jgen_string(g, "b");
	cage_jgen_bool(g, true);
	cage_jgen_string(g, "n");
	cage_jgen_null(g);
	cage_jgen_string(g, "r");
	cage_jgen_number(g, "-1.5e+10");
	cage_jgen_string(g, "a");
	cage_jgen_array_open(g);
	cage_jgen_array_close(g);
	cage_jgen_map_close(g);
	is_int(cage_jgen_finish(g, &out, &len, &err), 0, "a document of every kind of value");
	is_str(out, "{\"i\":-9223372036854775808,\"u\":18446744073709551615,\"b\":true,\"n\":null,"
		    "\"r\":-1.5e+10,\"a\":[]}", "  written compactly");
	is_int(len, out ? strlen(out) : 0, "  its length");
	free(out);
	cage_jgen_free(g);

	g = cage_jgen_new(0);
	cage_jgen_map_open(g);
	is_int(cage_jgen_finish(g, &out, NULL, &err), -1, "an open map is not a document");
	is_str(err.msg, "JSON generator: the document is not complete", "  saying so");
	cage_jgen_int(g, 1);
	cage_jgen_map_close(g);
	cage_jgen_finish(g, &out, NULL, &err);
	is_str(err.msg, "JSON generator: a map key that is not a string", "a number as a key is refused");
	cage_jgen_string(g, "k");
	cage_jgen_map_close(g);
	cage_jgen_finish(g, &out, NULL, &err);
	is_str(err.msg, "JSON generator: a map key that is not a string", "  and the error sticks");
	cage_jgen_free(g);

	g = cage_jgen_new(0);
	cage_jgen_map_open(g);
	cage_jgen_string(g, "k");
	cage_jgen_map_close(g);
	cage_jgen_finish(g, &out, NULL, &err);
	is_str(err.msg, "JSON generator: a map key without a value", "a key without its value");
	cage_jgen_free(g);
	g = cage_jgen_new(0);
	cage_jgen_array_open(g);
	cage_jgen_map_close(g);
	cage_jgen_finish(g, &out, NULL, &err);
	is_str(err.msg, "JSON generator: a map closed that is not open", "closing the wrong kind");
	cage_jgen_free(g);
	g = cage_jgen_new(0);
	cage_jgen_null(g);
	cage_jgen_null(g);
	cage_jgen_finish(g, &out, NULL, &err);
	is_str(err.msg, "JSON generator: a second value after the whole document", "two documents");
	cage_jgen_free(g);
	g = cage_jgen_new(0);
	cage_jgen_number(g, "01");
	cage_jgen_finish(g, &out, NULL, &err);
	is_str(err.msg, "JSON generator: a number that is not a JSON number", "a raw number is checked");
	cage_jgen_free(g);
	g = cage_jgen_new(0);
	cage_jgen_string(g, NULL);
	cage_jgen_finish(g, &out, NULL, &err);
	is_str(err.msg, "JSON generator: a NULL string", "a NULL string");
	cage_jgen_free(g);
	g = cage_jgen_new(0);
	for (int i = 0; i < 65; i++)
		cage_jgen_array_open(g);
	cage_jgen_finish(g, &out, NULL, &err);
	is_str(err.msg, "JSON generator: nested more than 64 levels deep", "the generator's nesting is bounded too");
	cage_jgen_free(g);

	cage_jgen_map_open(NULL);
	cage_jgen_string(NULL, "x");
	is_int(cage_jgen_finish(NULL, &out, NULL, &err), -1, "a generator that could not be made fails at finish");
	is_int(err.errnum, ENOMEM, "  with ENOMEM");

	/* A subtree inside a document: its depth counts from where it goes. */
	char *s = nested(64);
	cage_json *t = parse(s);
	g = cage_jgen_new(0);
	cage_jgen_array_open(g);
	cage_jgen_value(g, t);
	cage_jgen_array_close(g);
	is_int(cage_jgen_finish(g, &out, NULL, &err), -1, "64 levels inside one more are refused");
	cage_jgen_free(g);
	cage_json_free(t);
	free(s);

	t = parse("{\"a\":[1,{}],\"b\":{\"c\":\"d\"},\"e\":[]}");
	out = gen(t, CAGE_JGEN_PRETTY);
	is_str(out, "{\n  \"a\": [\n    1,\n    {\n\n    }\n  ],\n  \"b\": {\n    \"c\": \"d\"\n  },\n  \"e\": [\n\n  ]\n}\n",
	       "pretty: two-space indents, as config.json has always been written");
	free(out);
	cage_json_free(t);
}

static void test_round_trip(void)
{
	const char *doc = "{\"n\":[0,-0,1.50,1E+3,-2.5e-7,18446744073709551615,18446744073709551616,"
			  "123456789012345678901234567890],\"s\":[\"\",\"x\",\"é\"],\"l\":[true,false,null],"
			  "\"dup\":1,\"dup\":2,\"o\":{\"\":{},\"x\":[[[]]]}}";
	char *back = round_trip(doc);
	is_str(back, doc, "a subtree is written back losslessly: number texts, key order, duplicate keys");
	free(back);
	cage_json *t = parse(doc);
	const cage_json *o = cage_json_get(t, "o", CAGE_JSON_OBJECT);
	back = gen(o, 0);
	is_str(back, "{\"\":{},\"x\":[[[]]]}", "  any subtree of it too");
	free(back);
	cage_json_free(t);
}

int main(void)
{
	test_limits();
	test_syntax();
	test_accessors();
	test_lines();
	test_numbers();
	test_escaping();
	test_generator();
	test_round_trip();
	return done_testing();
}
