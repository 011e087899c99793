/* Executing by proxy (manual: "Executing By Proxy"; docs/ARCHITECTURE.md
 * §4.18): selected commands run outside the cage for a caged caller.
 *
 * The administrator lists them in /etc/cagefs/proxy.commands and
 * custom.proxy.commands, one "ALIAS[:wrapper_name]=[username:]path" a
 * line.  A caged program talks to proxyexecd (root, outside every cage)
 * through a unix socket whose directory every cage binds; the daemon
 * knows the caller by SO_PEERCRED and a pidfd of it only, checks with the
 * library's one decision that the caller is caged and in its own cage,
 * and runs the command as the caller (or the configured user) with the
 * caller's stdio, its working directory mapped to the real path, and an
 * environment of its own making. */
#ifndef CAGEFS_PROXY_H
#define CAGEFS_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"

/* Where a caged program finds the daemon: RUN/proxy on the host, bound at
 * this path in every cage (bundles/user/mountplan.c). */
#define CAGE_PROXY_SOCKET_NAME "proxyexec.sock"
#define CAGE_PROXY_SOCKET_IN_CAGE CAGE_PROXY_DIR_IN_CAGE "/" CAGE_PROXY_SOCKET_NAME
/* Manual: wrappers live in /usr/share/cagefs/safeprograms; the default
 * one is cagefs.proxy.program. */
#define CAGE_PROXY_SAFEPROGRAMS "/usr/share/cagefs/safeprograms"
#define CAGE_PROXY_DEFAULT_WRAPPER "cagefs.proxy.program"

/* ---- the request protocol ----
 * Client -> daemon: a 12-byte header ("CGPX", version 1, three zero
 * bytes, the body's length as a little-endian u32) sent with exactly
 * three fds (the caller's stdin, stdout, stderr; SCM_RIGHTS), then the
 * body: fields of (tag u8, length u32 LE, bytes).  Then, while the
 * command runs, one byte per signal the caller got (SIGINT, SIGHUP,
 * SIGTERM, SIGQUIT); closing the connection is a hang-up.
 * Daemon -> client: one reply, a 12-byte header (kind u8 'X' exit status,
 * 'S' signal, 'E' refused; three zero bytes; value i32 LE; message length
 * u32 LE) and, for 'E', the message. */
#define CAGE_PROXY_HDR_LEN 12
#define CAGE_PROXY_VERSION 1
#define CAGE_PROXY_BODY_MAX (256u << 10) /* bytes of a request's body */
#define CAGE_PROXY_ARGS_MAX 4096         /* arguments */
#define CAGE_PROXY_ENV_MAX 64            /* environment entries offered */
#define CAGE_PROXY_NAME_MAX 64           /* an alias */
#define CAGE_PROXY_PATH_MAX 4096         /* a cwd or a wrapper's path */
#define CAGE_PROXY_MSG_MAX 1024          /* a reply's message */

enum cage_proxy_tag { CAGE_PROXY_T_ALIAS = 1, CAGE_PROXY_T_ARG = 2, CAGE_PROXY_T_CWD = 3, CAGE_PROXY_T_ENV = 4 };

struct cage_proxy_req {
	char *alias;        /* "NAME", or "@PATH": the alias whose default wrapper is at PATH */
	char *cwd;          /* the caller's cwd as the cage shows it */
	cage_strvec_t args; /* the arguments after argv[0] */
	cage_strvec_t env;  /* NAME=VALUE the caller offers; the daemon keeps few */
};
void cage_proxy_req_free(struct cage_proxy_req *r);

/* The body's length from a header; -1 (with why) for a wrong magic,
 * version or reserved byte, or a length over CAGE_PROXY_BODY_MAX. */
int cage_proxy_hdr_decode(const unsigned char hdr[CAGE_PROXY_HDR_LEN], uint32_t *body_len, cage_err_t *err);
void cage_proxy_hdr_encode(unsigned char hdr[CAGE_PROXY_HDR_LEN], uint32_t body_len);
/* Decode a body; any input either decodes into a request that satisfies
 * the limits above (one alias, one cwd, no NUL in any string) or is an
 * error, with R left empty (fuzzed: tests/fuzz/fuzz_proxy_req.c). */
int cage_proxy_req_decode(const void *body, size_t len, struct cage_proxy_req *r, cage_err_t *err);
/* The body of R (malloc'd); refuses what the decoder would refuse. */
int cage_proxy_req_encode(const struct cage_proxy_req *r, char **body, size_t *len, cage_err_t *err);

struct cage_proxy_reply {
	char kind; /* 'X' exit status, 'S' killed by signal, 'E' refused */
	int32_t value;
	char msg[CAGE_PROXY_MSG_MAX];
};
/* Encode a reply into OUT (at least CAGE_PROXY_HDR_LEN + CAGE_PROXY_MSG_MAX bytes); its length. */
size_t cage_proxy_reply_encode(const struct cage_proxy_reply *r, unsigned char *out);
/* Decode a reply header: the message length still to read, -1 if malformed. */
int cage_proxy_reply_hdr_decode(const unsigned char hdr[CAGE_PROXY_HDR_LEN], struct cage_proxy_reply *r,
				uint32_t *msg_len, cage_err_t *err);

/* ---- the command files ---- */
struct cage_proxy_cmd {
	char *alias;
	char *wrapper;   /* NULL: the default wrapper */
	bool noproceed;  /* "noproceed": no wrapper of its own (manual) */
	char *user;      /* NULL: the caller */
	char *path;      /* absolute, normalized */
	char *file;      /* where it was defined, for messages */
	unsigned line;
};
struct cage_proxy_cmds {
	struct cage_proxy_cmd *c;
	size_t n, cap;
};
/* Parse one file's text, appending to T.  Errors are "FILE:LINE: ..."
 * (bad syntax, an alias already defined here or in a file parsed before,
 * two wrappers at one path); on error T is left as it was.  No file
 * access (fuzzed: tests/fuzz/fuzz_proxy_cmds.c). */
int cage_proxy_cmds_parse_buf(struct cage_proxy_cmds *t, const char *file, const char *buf, size_t len,
			      cage_err_t *err);
/* ETC/proxy.commands, then ETC/custom.proxy.commands, then any other
 * ETC/ *.proxy.commands in name order (missing files are no error); then
 * every path must be an executable regular file that only root can
 * change, and every user must exist ("FILE:LINE: ..." otherwise). */
int cage_proxy_cmds_load(const struct cage_paths *p, struct cage_proxy_cmds *t, cage_err_t *err);
void cage_proxy_cmds_free(struct cage_proxy_cmds *t);
const struct cage_proxy_cmd *cage_proxy_cmds_find(const struct cage_proxy_cmds *t, const char *alias);

/* What cagefsctl --update installs in the skeleton: the default wrapper
 * and every named one under CAGE_PROXY_SAFEPROGRAMS, and at each proxied
 * path (not noproceed) a copy of its wrapper. */
struct cage_proxy_wrapper {
	char *dest;   /* path in the skeleton */
	char *source; /* host file to copy */
};
int cage_proxy_wrappers(const struct cage_paths *p, struct cage_proxy_wrapper **out, size_t *n, cage_err_t *err);
void cage_proxy_wrappers_free(struct cage_proxy_wrapper *w, size_t n);
/* cagefsctl --init/--update/--force-update: the skeleton build with the
 * wrappers of the command files in it (cage_skeleton_build, O's extra
 * replaced).  A command file in error stops it ("FILE:LINE: ..."). */
struct cage_skel_opts;
struct cage_skel_stats;
int cage_proxy_skeleton_build(const struct cage_skel_opts *o, struct cage_skel_stats *st, cage_err_t *err);

/* ---- argument rules (docs/ARCHITECTURE.md §4.18) ----
 * Per program (the basename of the command's path): crontab, sendmail,
 * passwd.  ARGS are the caller's; OUT gets the arguments to run with
 * (after argv[0]); *FILE_ARG is set to the one argument naming a file the
 * daemon must open for the caller (crontab FILE), or NULL.  AS_OTHER: the
 * command runs as a user other than the caller (crontab -u CALLER is then
 * added).  0 allowed, -1 refused (why in err).  Programs without rules:
 * the arguments pass as they are. */
int cage_proxy_rules(const char *path, const char *caller, bool as_other, const cage_strvec_t *args,
		     cage_strvec_t *out, const char **file_arg, cage_err_t *err);

/* ---- the daemon ---- */
struct cage_proxy_server_opts {
	const struct cage_paths *paths;
	const char *socket;      /* NULL: RUN/proxy/proxyexec.sock */
	unsigned max_per_user;   /* concurrent requests of one uid (0: 16) */
	unsigned max_total;      /* connections at once (0: 1024) */
	unsigned request_timeout_ms; /* a request must be complete by then (0: 10 s) */
};
/* Bind the socket and serve until SIGTERM or SIGINT; SIGHUP reloads the
 * command files.  Returns 0 on a clean stop, -1 if it could not start. */
int cage_proxy_serve(const struct cage_proxy_server_opts *o, cage_err_t *err);

/* ---- the client (the wrapper in the cage) ----
 * Send ALIAS with ARGS to the daemon at SOCKET, pass our stdio, relay
 * SIGINT/SIGHUP/SIGTERM/SIGQUIT, and return what the command did.  -1:
 * the daemon could not be reached or spoke wrongly (err). */
int cage_proxy_call(const char *socket, const char *alias, char *const *args, struct cage_proxy_reply *reply,
		    cage_err_t *err);

#endif
