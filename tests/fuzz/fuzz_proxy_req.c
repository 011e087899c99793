/* libFuzzer harness for proxyexecd's request decoder (proxy/protocol.c),
 * the first code of the root daemon a user's bytes reach: any input
 * either decodes into a request within the documented limits, which
 * encodes back to the same bytes' meaning, or is refused with a message
 * and leaves the request empty.  The header is fuzzed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_req(const struct cage_proxy_req *r)
{
	CHECK(r->alias && r->alias[0] && strlen(r->alias) <= CAGE_PROXY_PATH_MAX + 1);
	CHECK(r->cwd && strlen(r->cwd) <= CAGE_PROXY_PATH_MAX);
	CHECK(r->args.n <= CAGE_PROXY_ARGS_MAX && r->env.n <= CAGE_PROXY_ENV_MAX);
	for (size_t i = 0; i < r->env.n; i++)
		CHECK(strchr(r->env.v[i], '='));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cage_err_t err = {0};
	if (size >= CAGE_PROXY_HDR_LEN) {
		uint32_t n = 0;
		if (cage_proxy_hdr_decode(data, &n, &err) == 0)
			CHECK(n <= CAGE_PROXY_BODY_MAX && !memcmp(data, "CGPX", 4));
		else
			CHECK(err.msg[0]);
	}
	struct cage_proxy_req r;
	if (cage_proxy_req_decode(data, size, &r, &err) < 0) {
		CHECK(err.msg[0] && !r.alias && !r.cwd && r.args.n == 0 && r.env.n == 0);
		return 0;
	}
	check_req(&r);
	char *body = NULL;
	size_t len = 0;
	CHECK(cage_proxy_req_encode(&r, &body, &len, &err) == 0 && len <= size);
	struct cage_proxy_req again;
	CHECK(cage_proxy_req_decode(body, len, &again, &err) == 0);
	CHECK(!strcmp(again.alias, r.alias) && !strcmp(again.cwd, r.cwd) && again.args.n == r.args.n &&
	      again.env.n == r.env.n);
	for (size_t i = 0; i < r.args.n; i++)
		CHECK(!strcmp(again.args.v[i], r.args.v[i]));
	cage_proxy_req_free(&again);
	cage_proxy_req_free(&r);
	free(body);
	return 0;
}
