/* CageFS's own settings file, cagefs.ini (manual: "TMP Directories"), and
 * the parser behind it.  Errors are "file:line:"; no input crashes it
 * (tests/fuzz/fuzz_ini.c). */
#ifndef CAGEFS_INI_H
#define CAGEFS_INI_H

#include <stddef.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"

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
