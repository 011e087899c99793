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
#include <stddef.h>
#include <time.h>
#include <seccomp.h>

#include "cagefs/error.h"
#include "cagefs/json.h"

/* Limits that keep hostile or broken input cheap to reject. */
#define CAGE_SECCOMP_MAX_RULES 4096   /* libseccomp rules one profile may ask for */
#define CAGE_SECCOMP_MAX_ARGS 64      /* conditions in one syscalls[] entry */
#define CAGE_SECCOMP_MAX_FILE (1 << 20) /* bytes in a profile file */

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

/* The line in PROFILE's text of what an error message of the validator
 * or the compiler (MSG, starting with a JSON path such as
 * "syscalls[3].args[0].op: ...") is about: the node the path names, or
 * the deepest one of it the tree has (the object a member is missing
 * from); 0 if not even the first step is there. */
unsigned cage_seccomp_error_line(const cage_json *profile, const char *msg);

/* Validate a tree that came from elsewhere (e.g. config.json's linux.seccomp
 * parsed by the spec reader).  Errors carry the JSON path only; prefix them. */
int cage_seccomp_validate(const cage_json *profile, cage_err_t *err);

/* Build (but do not load) a filter.  On success *out owns the context (free
 * with seccomp_release).  Load it last, right before execve: the filter
 * refuses setns/unshare/mount, which the runtime itself needs before that. */
int cage_seccomp_compile(const cage_json *profile, scmp_filter_ctx *out, cage_err_t *err);

/* The profile's "flags" as seccomp(2) SECCOMP_FILTER_FLAG_* bits, for a
 * caller that exports the filter (seccomp_export_bpf) and loads the BPF
 * itself: libseccomp applies them only in seccomp_load. */
int cage_seccomp_flags(const cage_json *profile, unsigned int *flags, cage_err_t *err);

/* The built-in default profile (seccomp/default.json, embedded at build time). */
int cage_seccomp_default(cage_json **out, cage_err_t *err);
/* Its JSON text, e.g. for `cagefsctl` to show or install it. */
const char *cage_seccomp_default_text(size_t *len);

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
};
/* PROFILE's filter, read from CACHE if that was compiled from the profile
 * as it was at CHANGED (the time it last changed: the cache carries it),
 * else compiled and written there. */
int cage_seccomp_prepare(const cage_json *profile, const char *cache, struct timespec changed,
			 struct cage_seccomp_prog *out, cage_err_t *err);
int cage_seccomp_load(const struct cage_seccomp_prog *p, cage_err_t *err);
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
