/* Parsers for the mount configuration (manual: "Mount Points", "Per user
 * virtual mount points", "Split by Username", "Base Home Directory").
 * Errors are "file:line: what is wrong"; no input crashes them (fuzzed). */
#ifndef CAGEFS_MOUNTCFG_H
#define CAGEFS_MOUNTCFG_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "cagefs/error.h"

/* ---- /etc/cagefs/cagefs.mp ---- */
enum cage_mp_kind {
	CAGE_MP_SHARED,  /* "/path": the host directory, shared by every cage */
	CAGE_MP_PERUSER, /* "@/path,mode": a private copy per user (in ~/.cagefs/path) */
	CAGE_MP_SPLIT,   /* "%/path": only /path/USER is visible to USER */
};
struct cage_mp_entry {
	enum cage_mp_kind kind;
	char *path;      /* absolute, lexically normalized, not "/" */
	mode_t mode;     /* @ entries: octal permission (default 0700); else 0 */
	unsigned line;
};
struct cage_mp {
	struct cage_mp_entry *e;
	size_t n, cap;
};
/* Lines: '#' comments and blank lines ignored, surrounding whitespace
 * trimmed (also around the ','), CRLF and a UTF-8 BOM tolerated.  "@/path"
 * without a mode means 0700; a mode is 1 to 4 octal digits ("777", "1733").
 * Errors: relative path, "/" itself, '..' components, control characters,
 * paths of PATH_MAX bytes or more, @ with a bad mode, a ',' on a non-@ line,
 * NUL bytes, duplicate path whatever its kind (names the first line).
 * Entries are appended to mp (duplicates are checked against those already
 * there); on error mp is left as it was. */
int cage_mp_parse_buf(struct cage_mp *mp, const char *file, const char *buf, size_t len,
		      cage_err_t *err);
/* A missing file yields an empty list (not an error). */
int cage_mp_load(struct cage_mp *mp, const char *path, cage_err_t *err);
void cage_mp_free(struct cage_mp *mp);
/* The default cagefs.mp that --create-mp writes (a static string). */
const char *cage_mp_default_text(void);

/* ---- /var/cagefs/NN/USER/virt.mp ---- */
struct cage_virt_sub {
	char *name;     /* single path component, no '/', not "." or ".." */
	mode_t mode;    /* default 0755 */
	unsigned line;
};
struct cage_virt_dir {
	char *path;     /* absolute, normalized, not "/" */
	mode_t mode;    /* default 0755 */
	bool no_mount;  /* line started with '>': create in the bundle, do not mount */
	struct cage_virt_sub *subs;
	size_t nsubs, cap;
	unsigned line;
};
struct cage_virtmp {
	struct cage_virt_dir *d;
	size_t n, cap;
};
/* Format (manual): "virtdir[,mask]" or ">virtdir[,mask]" starts a virtual
 * directory (an absolute path, as in the manual's Plesk examples); following
 * "@subdir[,mask]" lines belong to it; '#' comments.  Masks as cagefs.mp
 * modes.  Errors (as --sanity-check expects): an empty file (only blanks
 * and comments counts as empty; reported at line 1), an @ line before any
 * virtual directory of this file, bad masks, relative/"/"/'..' directories,
 * sub names with '/', "." or "..", control characters or over 255 bytes,
 * a directory defined twice, a sub name twice in one directory, NUL bytes.
 * Appends to v; on error v is left as it was. */
int cage_virtmp_parse_buf(struct cage_virtmp *v, const char *file, const char *buf, size_t len,
			  cage_err_t *err);
/* A missing file yields an empty list (manual: no virt dirs for that user). */
int cage_virtmp_load(struct cage_virtmp *v, const char *path, cage_err_t *err);
void cage_virtmp_free(struct cage_virtmp *v);
static inline void cage_virtmp_freep(struct cage_virtmp *v) { cage_virtmp_free(v); }
#define _cleanup_virtmp_ __attribute__((cleanup(cage_virtmp_freep)))

/* ---- /etc/cagefs/cagefs.base.home.dirs ---- */
struct cage_basehome {
	bool mount_basedir;   /* "mount_basedir=1" line (must come first) */
	regex_t *re;          /* compiled POSIX extended regexes, in file order */
	char **pattern;
	size_t n, cap;
};
/* Each other non-blank, non-'#' line (trimmed) is a POSIX extended regex.
 * Errors: invalid regex (with regerror text), "mount_basedir=" other than
 * 0/1, not before every regex, or given twice; NUL bytes.  Also refused, so
 * that glibc's regcomp/regexec stay cheap (all found by fuzzing): regexes
 * over 4096 bytes, back-references, parentheses nested deeper than 32, a
 * repetition of something that can match "" ("(a*)*") or of a repetition
 * ("x**"), more than 32 anchors inside repetitions, and regexes whose
 * automaton (glibc copies the operand of "{m,n}" and '+') would exceed about
 * 1000 nodes, or 8000 for the whole file.
 * Appends to b; on error b is left as it was. */
int cage_basehome_parse_buf(struct cage_basehome *b, const char *file, const char *buf,
			    size_t len, cage_err_t *err);
/* A missing file yields no patterns (not an error). */
int cage_basehome_load(struct cage_basehome *b, const char *path, cage_err_t *err);
void cage_basehome_free(struct cage_basehome *b);

/* Where a home directory hangs in the cage (manual: "Base Home Directory").
 * *base is the directory that the cage shows as containing only this user
 * (e.g. "/home"), *mount the host directory bind-mounted into it (e.g.
 * "/home/alice"; with mount_basedir=1 the whole matched site directory).
 * Rules: the first regex that decides for home is used: it must match at
 * offset 0, and its match, trimmed of a trailing '/', must end at a
 * component boundary of home ("^/home" does not decide for /home2/bob).
 * Without mount_basedir the trimmed match is the base and mount is base
 * plus the next component of home (a match covering all of home leaves no
 * next component and does not decide); with mount_basedir, mount is the
 * trimmed match and base its parent.  No deciding regex (or no file, or b
 * NULL): base is the parent of home and mount is home.  Both malloc'd
 * (NULL on error).  Errors: a base (or mount) of "/" ("home directory
 * /alice cannot be caged: its base would be /"), a relative, "/", too long
 * or not normalized home. */
int cage_basehome_resolve(const struct cage_basehome *b, const char *home, char **base,
			  char **mount, cage_err_t *err);

#endif
