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

/* cagefs.ini: "key=value" lines, optional [section] headers (keys are then
 * "section.key"), '#'/';' comments, blanks trimmed, CRLF and BOM tolerated.
 * Later keys override earlier ones (also across parse calls; the entry keeps
 * its place and takes the later line).  Errors ("file:line:"): NUL byte,
 * line without '=', empty key, bad [section (missing ']', text after it,
 * empty name); then ini is unchanged.  On success ini->file = file. */
struct cage_ini_entry { char *key; char *value; unsigned line; };
struct cage_ini {
	struct cage_ini_entry *e;
	size_t n, cap;
	char *file;
};
int cage_ini_parse_buf(struct cage_ini *ini, const char *file, const char *buf, size_t len,
		       cage_err_t *err);
/* Missing file -> empty ini, not an error. */
int cage_ini_load(struct cage_ini *ini, const char *path, cage_err_t *err);
const char *cage_ini_get(const struct cage_ini *ini, const char *key);
/* Set (replace or append).  -1 with errno EINVAL for a key or value that
 * could not be read back unchanged (empty key, '=' in key, key starting
 * with '[' '#' ';', newline, leading/trailing blanks), ENOMEM.
 * Serialize (malloc'd, NULL on ENOMEM): comments and blank lines are not
 * preserved; keys without a section first, then one [section] block per
 * section in order of first appearance, keys in their order.  Parsing the
 * result gives back exactly the same keys and values. */
int cage_ini_set(struct cage_ini *ini, const char *key, const char *value);
char *cage_ini_serialize(const struct cage_ini *ini);
void cage_ini_free(struct cage_ini *ini);
/* The entry of KEY (its value and line), or NULL. */
const struct cage_ini_entry *cage_ini_entry(const struct cage_ini *ini, const char *key);

/* CageFS's own settings file, P->etc/cagefs.ini (manual): load it (a
 * missing file is empty; ini->file names it for messages), or set one key
 * and write it back atomically. */
int cage_ini_load_etc(const struct cage_paths *p, struct cage_ini *ini, cage_err_t *err);
int cage_ini_set_etc(const struct cage_paths *p, const char *key, const char *value, cage_err_t *err);

#endif
