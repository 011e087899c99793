/* libFuzzer harness for the service configuration readers of
 * --reconfigure-cagefs (bundles/user/reconfigure_parse.c): the first byte
 * picks the service, the rest is its file.  Any input must give sockets
 * that are absolute, normalized paths with a "file:line" source, and
 * problems that all start with "file:<digits>: ". */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/reconfigure.h"
#include "cagefs/safefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_line_ref(const char *s, const char *file, char end)
{
	size_t n = strlen(file);
	CHECK(strncmp(s, file, n) == 0 && s[n] == ':');
	const char *p = s + n + 1;
	CHECK(*p >= '1' && *p <= '9');
	while (*p >= '0' && *p <= '9')
		p++;
	CHECK(*p == end);
}

static void check_sock(const struct cage_svc_sock *s, enum cage_svc svc)
{
	CHECK(s->svc == svc && s->path && s->path[0] == '/' && strlen(s->path) < PATH_MAX);
	char *norm = cage_path_normalize(s->path);
	CHECK(norm && strcmp(norm, s->path) == 0);
	free(norm);
	for (const char *q = s->path; *q; q++)
		CHECK((unsigned char)*q >= 0x20 && *q != 0x7f);
	check_line_ref(s->source, "f.conf", '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum cage_svc svc = (enum cage_svc)(data[0] % CAGE_SVC_COUNT);
	struct cage_svc_socks out = { 0 };
	cage_strvec_t problems = { 0 };
	bool configured = false;
	CHECK(cage_svc_parse(svc, "f.conf", (const char *)data + 1, size - 1, &out, &problems,
			     &configured) == 0);
	for (size_t i = 0; i < out.n; i++)
		check_sock(&out.v[i], svc);
	CHECK(!out.n || configured);
	for (size_t i = 0; i < problems.n; i++) {
		check_line_ref(problems.v[i], "f.conf", ':');
		CHECK(strchr(problems.v[i], ':')[1] != '\0');
	}
	cage_svc_socks_free(&out);
	cage_strvec_free(&problems);
	return 0;
}
