#include "cagefs/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vset(cage_err_t *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int cage_err_set(cage_err_t *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	err->errnum = 0;
	err->users_own = 0;
	return -1;
}

int cage_err_sys(cage_err_t *err, int errnum, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	size_t used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, ": %s", strerror(errnum));
	err->errnum = errnum;
	err->users_own = 0;
	return -1;
}

int cage_err_prefix(cage_err_t *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	char prefix[CAGE_ERR_MSG_MAX], old[CAGE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation is fine: the most specific context comes first. */
	size_t used = strnlen(prefix, sizeof(err->msg) - 1);
	memcpy(err->msg, prefix, used);
	size_t room = sizeof(err->msg) - used;
	if (room > 3) {
		memcpy(err->msg + used, ": ", 2);
		size_t rest = strnlen(old, room - 3);
		memcpy(err->msg + used + 2, old, rest);
		used += 2 + rest;
	}
	err->msg[used] = '\0';
	return -1;
}

void cage_err_clear(cage_err_t *err)
{
	if (err) {
		err->errnum = 0;
		err->users_own = 0;
		err->msg[0] = '\0';
	}
}

int cage_err_user_own(cage_err_t *err)
{
	if (err)
		err->users_own = 1;
	return -1;
}
