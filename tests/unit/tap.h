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

/* The description is a printf format; got may be NULL (a failure). */
__attribute__((format(printf, 3, 4), unused))
static int is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int cond = got && strcmp(got, want) == 0;
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   got: '%s'\n#   expected: '%s'\n", got ? got : "(null)", want);
	}
	fflush(stdout);
	return cond;
}
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
