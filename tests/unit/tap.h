/* Minimal TAP producer for the C unit tests (no root needed). */
#ifndef CAGEFS_TAP_H
#define CAGEFS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3), unused))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define is_str(got, want, ...) \
	(ok((got) && strcmp((got), (want)) == 0, __VA_ARGS__) || \
	 (printf("#   got: '%s'\n#   expected: '%s'\n", (got) ? (got) : "(null)", (want)), 0))
#define is_int(got, want, ...) \
	(ok((long)(got) == (long)(want), __VA_ARGS__) || \
	 (printf("#   got: %ld\n#   expected: %ld\n", (long)(got), (long)(want)), 0))

__attribute__((unused))
static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
