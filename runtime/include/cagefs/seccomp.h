/* Seccomp profiles: the OCI runtime-spec `linux.seccomp` object (JSON, kept
 * as a cagefs/json.h tree) and its translation to a libseccomp filter.
 *
 * The same tree is what the bundle generator writes into config.json, so the
 * filter a cage gets from us is the one runc/crun would build from that file:
 * unknown syscall names are skipped, an action equal to the default action is
 * skipped, and several conditions on one argument index are ORed (one rule
 * each) while conditions on distinct indexes are ANDed — runc's and crun's
 * rules.  See seccomp/README.md for the default profile's rationale. */
#ifndef CAGEFS_SECCOMP_H
#define CAGEFS_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <seccomp.h>

#include "cagefs/error.h"
#include "cagefs/json.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"

/* Limits that keep hostile or broken input cheap to reject. */
#define CAGE_SECCOMP_MAX_RULES 4096   /* libseccomp rules one profile may ask for */
#define CAGE_SECCOMP_MAX_ARGS 64      /* conditions in one syscalls[] entry */
#define CAGE_SECCOMP_MAX_FILE (1 << 20) /* bytes in a profile file */
/* Bytes in a learning record (learn.c): what the supervisor can write
 * when a hostile user fills it (4096 entries, each program's name bounded
 * to CAGE_SECCOMP_MAX_PROGRAM bytes) stays below it, so the report can
 * always read what was written. */
#define CAGE_SECCOMP_MAX_RECORD (16 << 20)
#define CAGE_SECCOMP_MAX_PROGRAM 256 /* bytes of a program's name kept (head and tail) */

/* Parse `len` bytes of JSON (need not be NUL-terminated) and validate them
 * as an OCI seccomp object.  On success *out owns the tree (free it with
 * cage_json_free).  Errors name the profile and where the problem is:
 * "NAME:LINE:COL: ..." for syntax, "NAME:LINE: syscalls[3].action: ..." for
 * content.  Validation is the schema; libseccomp may still refuse a valid
 * profile at cage_seccomp_compile() time, so tools that check an admin's
 * profile should call both. */
int cage_seccomp_load_json(const char *text, size_t len, const char *name, cage_json **out,
			   cage_err_t *err);

/* Read a profile file (at most 1 MiB) and load it as above; errors are
 * named by `path`. */
int cage_seccomp_load_file(const char *path, cage_json **out, cage_err_t *err);
/* Its text alone (a regular file, at most 1 MiB), for a caller that
 * wants lines of it (cage_seccomp_error_line). */
int cage_seccomp_read_file(const char *path, char **text, size_t *len, cage_err_t *err);

/* The line in TEXT (the LEN bytes PROFILE was parsed from) of what an
 * error message of the validator or the compiler (MSG, starting with a
 * JSON path such as "syscalls[3].args[0].op: ...") is about: the node the
 * path names, or the deepest one of it the tree has (the object a member
 * is missing from); 0 if not even the first step is there. */
unsigned cage_seccomp_error_line(const cage_json *profile, const char *text, size_t len, const char *msg);

/* Validate a tree that came from elsewhere (e.g. config.json's linux.seccomp
 * parsed by the spec reader).  Errors carry the JSON path only; prefix them. */
int cage_seccomp_validate(const cage_json *profile, cage_err_t *err);

/* Build (but do not load) a filter.  On success *out owns the context (free
 * with seccomp_release).  Load it last, right before execve: the filter
 * refuses setns/unshare/mount, which the runtime itself needs before that. */
int cage_seccomp_compile(const cage_json *profile, scmp_filter_ctx *out, cage_err_t *err);

/* The learning filter of PROFILE (seccomp/README.md, "Learning mode"):
 * every call the profile refuses returns SCMP_ACT_NOTIFY instead, for a
 * supervisor to record and let through; allowed and logged calls, and
 * sendmsg (it hands the listener over), keep their action. */
int cage_seccomp_compile_learning(const cage_json *profile, scmp_filter_ctx *out, cage_err_t *err);

/* Every rule of a valid PROFILE as libseccomp is given it (runc's
 * semantics: one per name, and one per condition where an entry repeats
 * an argument index); entries whose action is the default are skipped.
 * FN returns 0 to go on, -1 to stop with ERR set. */
typedef int (*cage_seccomp_rule_fn)(const char *name, uint32_t action, const struct scmp_arg_cmp *conds,
				    size_t n, void *data);
int cage_seccomp_each_rule(const cage_json *profile, cage_seccomp_rule_fn fn, void *data, cage_err_t *err);

/* The profile's "flags" as seccomp(2) SECCOMP_FILTER_FLAG_* bits, for a
 * caller that exports the filter (seccomp_export_bpf) and loads the BPF
 * itself: libseccomp applies them only in seccomp_load. */
int cage_seccomp_flags(const cage_json *profile, unsigned int *flags, cage_err_t *err);

/* The built-in default profile (seccomp/default.json, embedded at build time). */
int cage_seccomp_default(cage_json **out, cage_err_t *err);
/* Its JSON text, e.g. for `cagefsctl` to show or install it. */
const char *cage_seccomp_default_text(size_t *len);

/* ---- per-user overrides (override.c, merge.c; docs/ARCHITECTURE.md §4.24) ----
 *
 * ETC/seccomp.d/USER adds to or takes away from the server's profile for
 * one user, a line per rule (seccomp/README.md, "Per-user overrides"):
 *   allow NAME [COND...]
 *   deny  NAME [COND...] [errno=ERRNO]     SCMP_ACT_ERRNO, EPERM by default
 *   kill  NAME [COND...]                   SCMP_ACT_KILL_PROCESS
 *   log   NAME [COND...]                   SCMP_ACT_LOG
 *   log-denials                            SECCOMP_FILTER_FLAG_LOG
 * COND: aN==V aN!=V aN<V aN<=V aN>V aN>=V aN&MASK==V (N 0..5, V decimal or
 * 0x hex).  The bundle generator merges it into the user's config.json. */
#define CAGE_SECCOMP_OVERRIDE_DIR "seccomp.d"        /* in ETC: the overrides */
#define CAGE_SECCOMP_PROPOSED_DIR "seccomp.proposed" /* in ETC: learning mode's proposals */
#define CAGE_SECCOMP_NAME_MAX 48 /* longer than any syscall name libseccomp knows */

enum cage_seccomp_verb { CAGE_SECCOMP_ALLOW, CAGE_SECCOMP_DENY, CAGE_SECCOMP_KILL, CAGE_SECCOMP_LOG };

struct cage_seccomp_rule {
	unsigned line;
	enum cage_seccomp_verb verb;
	unsigned errnum;                  /* deny: errno= (EPERM if not given) */
	char name[CAGE_SECCOMP_NAME_MAX]; /* known to libseccomp */
	unsigned nconds;
	/* ANDed, by argument index, each index once.  SCMP_CMP_MASKED_EQ:
	 * datum_a is the mask, datum_b the value (OCI value, valueTwo). */
	struct scmp_arg_cmp conds[6];
};

struct cage_seccomp_override {
	char *file;                       /* as errors name it */
	struct cage_seccomp_rule *rules;  /* in the file's order */
	size_t n;
	unsigned log_denials;             /* its line; 0: none */
};

/* Parse LEN bytes of TEXT named FILE.  Errors are "FILE:LINE: what" (at
 * most 64 bytes of the offending text quoted); on error *O is empty.  At
 * most CAGE_SECCOMP_MAX_RULES rules. */
int cage_seccomp_override_parse(const char *text, size_t len, const char *file,
				struct cage_seccomp_override *o, cage_err_t *err);
/* Read PATH (at most CAGE_SECCOMP_MAX_FILE bytes) and parse it.  It
 * decides a user's filter, so it must be a regular file owned by root and
 * writable by no one else, reached without a symlink; else it is refused.
 * *TEXT (may be NULL) gets the bytes read. */
int cage_seccomp_override_read(const char *path, struct cage_seccomp_override *o, char **text,
			       size_t *len, cage_err_t *err);
/* The same for NAME in the directory DIRFD, PATH naming it in messages. */
int cage_seccomp_override_read_at(int dirfd, const char *name, const char *path,
				  struct cage_seccomp_override *o, char **text, size_t *len, cage_err_t *err);
void cage_seccomp_override_free(struct cage_seccomp_override *o);
/* O in the override syntax, one line per rule (log-denials first): what
 * it parses back to.  malloc'd; NULL on ENOMEM. */
char *cage_seccomp_override_format(const struct cage_seccomp_override *o);
/* One condition as the override syntax writes it ("a1&0xffffffff==0x5412"),
 * and a whole rule's line ("deny ioctl a1==0x5412 errno=EPERM"). */
void cage_seccomp_cond_format(const struct scmp_arg_cmp *c, char *buf, size_t size);
#define CAGE_SECCOMP_RULE_TEXT_MAX 512 /* fits any rule's line */
void cage_seccomp_rule_format(const struct cage_seccomp_rule *r, char *buf, size_t size);

/* SERVER (a valid profile) with O applied, line by line: a line first
 * takes out the rules of NAME it covers (without conditions, every rule of
 * NAME; with them, the rules whose conditions are the same set), then adds
 * its own unless its action is the default one.  *OUT owns the result, a
 * valid profile (every other key of SERVER kept) that libseccomp compiled.
 * "changes nothing" warnings are appended to WARNINGS (may be NULL).
 * Errors name O's file, and its line when a line is the cause. */
int cage_seccomp_merge(const cage_json *server, const struct cage_seccomp_override *o, cage_json **out,
		       cage_strvec_t *warnings, cage_err_t *err);

/* The server's profile: ETC/seccomp.json if it exists (unreadable or
 * broken is an error, never the default in silence), else the built-in
 * default.  *PATH (may be NULL) gets the file's path, or NULL for the
 * default. */
int cage_seccomp_server_profile(const struct cage_paths *p, cage_json **out, char **path, cage_err_t *err);
/* ETC/seccomp.d/USER merged into SERVER; *OUT is NULL when USER has no
 * override (then SERVER is the user's profile as it is). */
int cage_seccomp_user_profile(const struct cage_paths *p, const cage_json *server, const char *user,
			      cage_json **out, cage_strvec_t *warnings, cage_err_t *err);

/* A user's override follows the account (cagefs-hook, §4.23): removed
 * with it (NEW_NAME NULL), so that a new account of the same name does not
 * inherit a filter meant for another, or renamed to NEW_NAME (whose own,
 * if any, is replaced).  1 if it went or moved, 0 if there was none. */
int cage_seccomp_override_move(const struct cage_paths *p, const char *name, const char *new_name,
			       cage_err_t *err);

/* PROFILE for a person: the default action, then per action the syscalls
 * and their conditions in the override syntax.  malloc'd text. */
int cage_seccomp_describe(const cage_json *profile, char **text, cage_err_t *err);

/* cagefsctl --seccomp-check: each of FILES (none: ETC/seccomp.json if
 * present and every file of ETC/seccomp.d) checked as a JSON profile (a
 * name ending in .json, or text starting with '{') or as an override
 * merged with the server's profile.  What is found goes to R, in order;
 * -1 only when the check itself could not be made. */
enum cage_seccomp_finding { CAGE_SECCOMP_OK, CAGE_SECCOMP_WARNING, CAGE_SECCOMP_ERROR };
struct cage_seccomp_report {
	struct cage_seccomp_line { enum cage_seccomp_finding kind; char *text; } *v;
	size_t n, cap;
	size_t files, warnings, errors;
};
int cage_seccomp_check(const struct cage_paths *p, char *const *files, size_t nfiles,
		       struct cage_seccomp_report *r, cage_err_t *err);
void cage_seccomp_report_free(struct cage_seccomp_report *r);
/* ---- what learning mode saw (learn.c) ---- */

/* Calls of one program that one refusing rule matched.  Strings are
 * printable ASCII (anything else is written \xNN). */
struct cage_seccomp_seen {
	char *syscall;     /* "getcwd" */
	char *rule;        /* the rule's conditions, override syntax ("" none) */
	char *values;      /* the arguments it matched on, first call ("a1=0x5412") */
	char *program;     /* the caller's executable (at most CAGE_SECCOMP_MAX_PROGRAM
			    * bytes of it, a longer one cut in the middle at "\...") */
	unsigned long long count;
	time_t first, last;
};
struct cage_seccomp_record {
	struct cage_seccomp_seen *v;
	size_t n, cap;
	uint64_t dropped;  /* calls beyond the record's bound */
	time_t started, until;
};
/* Count one call (AUDIT_ARCH ARCH, syscall NR, ARGS) by PROGRAM that
 * PROFILE refuses, under the rule that refuses it.  -1: out of memory. */
int cage_seccomp_record_call(struct cage_seccomp_record *r, const cage_json *profile, uint32_t arch, int nr,
			     const uint64_t args[6], const char *program, time_t now);
int cage_seccomp_record_json(const struct cage_seccomp_record *r, char **out, size_t *len, cage_err_t *err);
int cage_seccomp_record_parse(const char *text, size_t len, const char *name, struct cage_seccomp_record *r,
			      cage_err_t *err);
void cage_seccomp_record_free(struct cage_seccomp_record *r);
/* The override USER's admin may install: CURRENT (the override in force,
 * LEN bytes, may be NULL) with its lines for the learned rules commented
 * out, then "allow SYSCALL CONDITIONS" for each rule seen. */
int cage_seccomp_proposal(const struct cage_seccomp_record *r, const char *user, const char *current,
			  size_t len, char **out, cage_err_t *err);

/* ---- loading (load.c) ---- */

/* Compile PROFILE (NULL: no filter) and load it into the calling process
 * now: the last step before exec (it refuses what the runtime still needs). */
int cage_seccomp_apply(const cage_json *profile, cage_err_t *err);

/* A filter ready to load: exported BPF, or a libseccomp context when the
 * BPF could not be cached (see load.c). */
struct cage_seccomp_prog {
	struct sock_fprog prog;
	void *buf;
	unsigned int flags;       /* the profile's SECCOMP_FILTER_FLAG_* */
	scmp_filter_ctx ctx;
	bool learning;            /* ctx is a learning filter; its listener goes to learn_sock */
	int learn_sock;           /* a learning supervisor (runtime/cage/learn.c) */
};
/* PROFILE's filter, read from CACHE if that was compiled from the profile
 * as it was at CHANGED (the time it last changed: the cache carries it),
 * else compiled and written there. */
int cage_seccomp_prepare(const cage_json *profile, const char *cache, struct timespec changed,
			 struct cage_seccomp_prog *out, cage_err_t *err);
/* The learning filter of PROFILE, never cached; loading it hands the
 * filter's listener to the supervisor connected at SOCK (taken over). */
int cage_seccomp_prepare_learning(const cage_json *profile, int sock, struct cage_seccomp_prog *out,
				  cage_err_t *err);
int cage_seccomp_load(struct cage_seccomp_prog *p, cage_err_t *err);
void cage_seccomp_prog_free(struct cage_seccomp_prog *p);
static inline void cage_seccomp_prog_freep(struct cage_seccomp_prog *p) { cage_seccomp_prog_free(p); }
#define _cleanup_seccomp_prog_ __attribute__((cleanup(cage_seccomp_prog_freep)))

static inline void cage_seccomp_ctx_freep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_seccomp_ctx_ __attribute__((cleanup(cage_seccomp_ctx_freep)))

#endif
