/* libFuzzer harness for the kernel's seccomp audit lines read back
 * (seccomp/denials.c): any bytes are parsed without reading past them,
 * and what is taken from a line the user could shape (comm, exe) comes
 * out printable ASCII and NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/denials.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void printable(const char *s, size_t size)
{
	CHECK(memchr(s, '\0', size));
	for (; *s; s++)
		CHECK((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan sees a read past the line. */
	char *line = malloc(size ? size : 1);
	CHECK(line);
	memcpy(line, data, size);
	struct cage_denial d;
	if (cage_denial_parse(line, size, &d) == 1) {
		printable(d.comm, sizeof(d.comm));
		printable(d.exe, sizeof(d.exe));
	}
	(void)cage_denial_suppressed(line, size);
	char act[64];
	cage_denial_action((uint32_t)size * 2654435761u, act, sizeof(act));
	free(line);
	return 0;
}
