#include "cagefs/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum cage_log_sink sink = CAGE_LOG_STDERR;
static const char *prog = "cagefs";
static cage_log_fn callback;
static void *callback_data;
static int max_level = LOG_NOTICE;

void cage_log_set_stderr(const char *progname)
{
	sink = CAGE_LOG_STDERR;
	prog = progname ? progname : "cagefs";
}

void cage_log_set_syslog(const char *ident)
{
	sink = CAGE_LOG_SYSLOG;
	openlog(ident ? ident : "cagefs", LOG_PID, LOG_DAEMON);
}

void cage_log_set_callback(cage_log_fn fn, void *data)
{
	sink = CAGE_LOG_CALLBACK;
	callback = fn;
	callback_data = data;
}

void cage_log_set_level(int level) { max_level = level; }

static const char *prio_word(int prio)
{
	if (prio <= LOG_ERR)
		return "error: ";
	if (prio == LOG_WARNING)
		return "warning: ";
	return "";
}

void cage_log(int prio, const char *fmt, ...)
{
	if (prio > max_level)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	switch (sink) {
	case CAGE_LOG_SYSLOG:
		syslog(prio, "%s", msg);
		break;
	case CAGE_LOG_CALLBACK:
		if (callback)
			callback(prio, msg, callback_data);
		break;
	case CAGE_LOG_STDERR:
	default:
		/* Informational lines are the tool's normal output: no prefix. */
		if (prio >= LOG_NOTICE)
			fprintf(stderr, "%s\n", msg);
		else
			fprintf(stderr, "%s: %s%s\n", prog, prio_word(prio), msg);
		break;
	}
}
