/* Parsers for the administrator's configuration files (manual: "File System
 * Templates", "Excluding Files", "TMP Directories").  Every parser reports
 * "file:line: what is wrong" through cage_err_t and never crashes on any
 * input (tests/fuzz). */
#ifndef CAGEFS_CONFIG_H
#define CAGEFS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"

/* One [section] of a .cfg file in conf.d. */
struct cage_cfg_section {
	char *name;           /* text between [ and ] */
	char *comment;        /* comment= value or NULL */
	cage_strvec_t paths;  /* absolute, lexically normalized */
	cage_strvec_t devices;
	cage_strvec_t users;
	cage_strvec_t groups;
	char *file;           /* file it came from */
	unsigned line;        /* line of the [section] header */
};

struct cage_cfg {
	struct cage_cfg_section *sections;
	size_t n, cap;
};

/* Parse one .cfg buffer (may contain NULs: reported as an error).  Sections
 * are appended to cfg; on error nothing from this buffer is kept (cfg is as
 * before the call) and err says "file:line: what is wrong".  Format
 * (manual): "[name]" then key=value lines with keys comment, paths,
 * devices, users, groups (case sensitive); values of the list keys are
 * comma separated; blanks around names, keys, values and items are
 * trimmed, empty items (a trailing comma) skipped; blank lines and lines
 * starting with '#' or ';' ignored; CRLF and a leading UTF-8 BOM tolerated;
 * a list key may repeat (values accumulate); a repeated comment= replaces.
 * Paths and devices are lexically normalized (cage_path_normalize).
 * Errors: NUL byte (its line), key outside a section, unknown key, missing
 * '=' or ']', text after ']', empty key or section name, duplicate section
 * name (also against sections already in cfg; both locations reported), a
 * list key with no items ("paths=" or "paths= , ,"), a section with no
 * paths, devices, users or groups at all, relative path, path of PATH_MAX
 * bytes or more, device not under /dev/ (after normalizing), invalid
 * user/group name ([A-Za-z0-9_.][A-Za-z0-9_.-]*, optional trailing '$',
 * at most 32 bytes, not "." or ".."). */
int cage_cfg_parse_buf(struct cage_cfg *cfg, const char *file, const char *buf, size_t len,
		       cage_err_t *err);
/* At most 16 MiB (EFBIG). */
int cage_cfg_parse_file(struct cage_cfg *cfg, const char *path, cage_err_t *err);
/* Every "*.cfg" in dir in strcmp name order (a missing dir is an error).
 * Hidden files and anything that is not a regular file (after following
 * symlinks) are skipped with a cage_warn().  Stops at the first error;
 * then nothing from dir is kept. */
int cage_cfg_load_dir(struct cage_cfg *cfg, const char *dir, cage_err_t *err);
void cage_cfg_free(struct cage_cfg *cfg);
static inline void cage_cfg_freep(struct cage_cfg *cfg) { cage_cfg_free(cfg); }
#define _cleanup_cfg_ __attribute__((cleanup(cage_cfg_freep)))

/* black.list + custom.black.list: one absolute path or glob per line
 * ('#' comments, blank lines ignored; blanks trimmed, CRLF and BOM
 * tolerated).  Entries are lexically normalized; a relative entry, a NUL
 * byte or an entry of PATH_MAX bytes or more is a "file:line:" error, and
 * then nothing from that buffer is kept.  A plain path excludes itself and
 * everything below it at a component boundary ("/etc/ssh" covers
 * /etc/ssh/x, not /etc/sshd_config); a pattern with * ? [ is matched with
 * fnmatch(3) (FNM_PATHNAME) against the whole path and against each
 * ancestor.  Several files may be parsed into one list (they accumulate). */
struct cage_blacklist {
	cage_strvec_t prefixes;
	cage_strvec_t globs;
};
int cage_blacklist_parse_buf(struct cage_blacklist *bl, const char *file, const char *buf,
			     size_t len, cage_err_t *err);
/* A missing file is not an error (both lists are optional). */
int cage_blacklist_load(struct cage_blacklist *bl, const char *path, cage_err_t *err);
/* abspath is normalized lexically first; a relative path never matches.
 * Out of memory answers true (when in doubt, exclude). */
bool cage_blacklist_match(const struct cage_blacklist *bl, const char *abspath);
void cage_blacklist_free(struct cage_blacklist *bl);

#endif
