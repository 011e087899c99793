/* Shared-library closure of ELF programs, so that a program listed in a
 * conf.d file really runs inside the skeleton (issue 2). */
#ifndef CAGEFS_ELF_H
#define CAGEFS_ELF_H

#include <stdbool.h>
#include "cagefs/error.h"
#include "cagefs/strvec.h"

struct cage_elf_info {
	bool is_elf;
	bool is_dynamic;
	int elfclass;           /* ELFCLASS32 / ELFCLASS64 */
	int machine;            /* e_machine */
	char *interp;           /* PT_INTERP or NULL */
	cage_strvec_t needed;   /* DT_NEEDED, in order */
	cage_strvec_t rpath;    /* DT_RPATH entries ($ORIGIN unexpanded) */
	cage_strvec_t runpath;  /* DT_RUNPATH entries */
};

/* Read headers of one file.  A non-ELF file is not an error (is_elf=false).
 * A truncated or malformed ELF is an error naming the file.  Only the ELF
 * header, program headers, PT_INTERP, PT_DYNAMIC and the strings they name
 * are read (pread); every offset is checked against the file size.
 * *info is always initialised; free it with cage_elf_info_free. */
int cage_elf_read(const char *path, struct cage_elf_info *info, cage_err_t *err);
/* The same parser over a buffer holding a whole file (fuzzing, tests); name
 * is used in error messages. */
int cage_elf_parse_mem(const void *data, size_t len, const char *name,
		       struct cage_elf_info *info, cage_err_t *err);
void cage_elf_info_free(struct cage_elf_info *info);

/* Library search configuration: /etc/ld.so.conf (with include globs) plus
 * the trusted default directories, in ld.so's order. */
struct cage_elf_cache; /* private to elf.c */
struct cage_ldpath {
	cage_strvec_t dirs;
	/* Parsed libraries by path, shared by every cage_elf_closure call with
	 * this lp and the same root (the skeleton builder asks for thousands of
	 * programs needing the same few libraries).  Created by
	 * cage_ldpath_load; NULL (e.g. a hand-filled lp) means no caching.
	 * Load a fresh lp after changing files under root.  Not thread-safe. */
	struct cage_elf_cache *cache;
};
/* root: "" or "/" for the host, or a directory to treat as root (tests).
 * A missing ld.so.conf is not an error; bad lines are warnings. */
int cage_ldpath_load(struct cage_ldpath *lp, const char *root, cage_err_t *err);
void cage_ldpath_free(struct cage_ldpath *lp);

/* Append to *out the paths of the interpreter and every library `path`
 * needs, recursively, each once per call, as ld.so would open them: not
 * canonical (e.g. /lib/x86_64-linux-gnu/libc.so.6 through the /lib symlink,
 * or $ORIGIN/../lib/x.so); the caller canonicalizes.  `path` itself is not
 * appended.
 * Libraries that cannot be found are reported through cage_warn and skipped
 * (ld.so would fail too; the program still gets what exists).  Matching
 * follows ld.so: RPATH (if no RUNPATH) of the loading object and its loaders,
 * RUNPATH, ld.so.conf dirs (standing in for ld.so.cache), defaults;
 * $ORIGIN/$LIB/$PLATFORM expanded; a NEEDED with a '/' is a path; a
 * candidate must have the same ELF class and machine.  With a root, every
 * lookup resolves symlinks inside root (openat2 RESOLVE_IN_ROOT) and the
 * reported paths are without the root prefix.  path not being ELF (a script)
 * appends nothing and is not an error; path unreadable or malformed is. */
int cage_elf_closure(const struct cage_ldpath *lp, const char *root, const char *path,
		     cage_strvec_t *out, cage_err_t *err);

#endif
