/* libFuzzer harness for tmpwatch's parsers (docs/ARCHITECTURE.md §4.20):
 * a php.ini's session keys (an error names php.ini:LINE and adds nothing;
 * success adds one absolute directory with a lifetime), and the same
 * bytes as a tmpwatch command line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/tmpwatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_php_sessdirs s = {0};
	cage_err_t err = {0};
	if (cage_php_ini_parse(&s, "php.ini", (const char *)data, size, &err) < 0) {
		CHECK(s.n == 0 && strncmp(err.msg, "php.ini:", 8) == 0 && err.msg[8] >= '0' && err.msg[8] <= '9');
	} else {
		CHECK(s.n == 1 && s.d[0].path[0] == '/' && s.d[0].lifetime > 0 && s.d[0].depth <= 16);
	}
	cage_php_sessdirs_free(&s);
	char *line = malloc(size + 1);
	CHECK(line);
	memcpy(line, data, size);
	line[size] = '\0';
	struct cage_tmpwatch_cmd c;
	cage_err_t e2 = {0};
	if (cage_tmpwatch_cmd_parse(line, &c, &e2) == 0)
		CHECK(c.max_age >= 0);
	else
		CHECK(e2.msg[0]);
	free(line);
	return 0;
}
