/* libFuzzer harness for black.list parsing and matching. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/config.h"
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

static void check_entries(const cage_strvec_t *sv)
{
	for (size_t i = 0; i < sv->n; i++) {
		char *norm = cage_path_normalize(sv->v[i]);
		CHECK(norm && strcmp(norm, sv->v[i]) == 0 && strlen(norm) < PATH_MAX);
		free(norm);
	}
}

/* Matching is linear in the number of entries (real lists hold dozens), so
 * a 1 MiB input with 300k entries gets only this many look-ups. */
#define MAX_QUERIES 64

/* A plain entry excludes itself and its children, written any which way. */
static void check_prefixes(const struct cage_blacklist *bl)
{
	for (size_t i = 0; i < bl->prefixes.n && i < MAX_QUERIES; i++) {
		const char *p = bl->prefixes.v[i];
		size_t n = strlen(p);
		char *child = malloc(n + 8);
		CHECK(child);
		memcpy(child, p, n);
		memcpy(child + n, "//./x/", 7);
		CHECK(cage_blacklist_match(bl, p));
		CHECK(cage_blacklist_match(bl, child));
		free(child);
	}
}

/* Every line of the input doubles as a path to look up. */
static void query_lines(const struct cage_blacklist *bl, const char *buf, size_t size)
{
	char *copy = malloc(size + 1);
	CHECK(copy);
	memcpy(copy, buf, size);
	copy[size] = '\0';
	char *save = NULL;
	size_t n = 0;
	for (char *l = strtok_r(copy, "\n", &save); l && n < MAX_QUERIES; l = strtok_r(NULL, "\n", &save), n++)
		(void)cage_blacklist_match(bl, l);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_blacklist bl = { 0 };
	cage_err_t err = { 0 };
	const char *buf = (const char *)data;
	CHECK(cage_blacklist_parse_buf(&bl, "black.list", "/etc/shadow\n/home/*/secret\n", 27,
				       &err) == 0);
	if (cage_blacklist_parse_buf(&bl, "custom.black.list", buf, size, &err) < 0) {
		check_err(&err, "custom.black.list");
		CHECK(bl.prefixes.n == 1 && bl.globs.n == 1);
	}
	check_entries(&bl.prefixes);
	check_entries(&bl.globs);
	check_prefixes(&bl);
	query_lines(&bl, buf, size);
	CHECK(cage_blacklist_match(&bl, "/home/u/secret/x"));
	CHECK(!cage_blacklist_match(&bl, "relative"));
	cage_blacklist_free(&bl);
	return 0;
}
