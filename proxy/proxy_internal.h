/* Internals of the proxy (see cagefs/proxy.h; docs/ARCHITECTURE.md §4.18). */
#ifndef CAGEFS_PROXY_INTERNAL_H
#define CAGEFS_PROXY_INTERNAL_H

#include <sys/types.h>
#include "cagefs/proxy.h"

/* One request as the daemon received it: who sent it is the kernel's
 * word (SO_PEERCRED, a pidfd of the connecting process), never the
 * request's. */
struct proxy_job {
	uid_t uid;
	pid_t pid;
	int pidfd;
	int fds[3]; /* the caller's stdin, stdout, stderr */
	const struct cage_proxy_req *req;
};

/* In a child forked by the daemon: identify the caller, decide, log the
 * decision, and exec the command.  Returns only when it is refused (the
 * reason in err, for the caller). */
int proxy_run(const struct cage_paths *p, const struct cage_proxy_cmds *t, const struct proxy_job *j,
	      cage_err_t *err);

/* Audit: one syslog line per decision (uid, user, alias, argv, decision). */
void proxy_audit(uid_t uid, const char *user, const char *alias, const cage_strvec_t *args, const char *as,
		 const char *decision);

#endif
