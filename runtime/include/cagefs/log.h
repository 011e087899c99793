/* Logging with pluggable sinks: stderr for CLIs, syslog for daemons, a
 * callback for the PAM module (pam_syslog; never openlog inside sshd). */
#ifndef CAGEFS_LOG_H
#define CAGEFS_LOG_H

#include <syslog.h>

typedef void (*cage_log_fn)(int prio, const char *msg, void *data);

enum cage_log_sink { CAGE_LOG_STDERR, CAGE_LOG_SYSLOG, CAGE_LOG_CALLBACK };

void cage_log_set_stderr(const char *progname);
void cage_log_set_syslog(const char *ident);
void cage_log_set_callback(cage_log_fn fn, void *data);
/* Messages with prio > level are dropped (default LOG_NOTICE; -v: LOG_INFO). */
void cage_log_set_level(int level);
void cage_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define cage_error(...) cage_log(LOG_ERR, __VA_ARGS__)
#define cage_warn(...) cage_log(LOG_WARNING, __VA_ARGS__)
#define cage_notice(...) cage_log(LOG_NOTICE, __VA_ARGS__)
#define cage_info(...) cage_log(LOG_INFO, __VA_ARGS__)
#define cage_debug(...) cage_log(LOG_DEBUG, __VA_ARGS__)

#endif
