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
 * "NAME:LINE:COL: ..." for syntax, "NAME: syscalls[3].action: ..." for
 * content.  Validation is the schema; libseccomp may still refuse a valid
 * profile at cage_seccomp_compile() time, so tools that check an admin's
 * profile should call both. */
int cage_seccomp_load_json(const char *text, size_t len, const char *name, cage_json **out,
			   cage_err_t *err);

/* Read a profile file (at most 1 MiB) and load it as above; errors are
 * named by `path`. */
int cage_seccomp_load_file(const char *path, cage_json **out, cage_err_t *err);

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
