/* JSON (docs/ARCHITECTURE.md §4.12): the one module that reads and writes
 * it: runtime/core/json.c is the only file of the library that calls the
 * JSON library underneath, and no header shows it.
 *
 * Parsing is hardened, because JSON comes from files an administrator or a
 * bundle's author writes (config.json, seccomp profiles) and from state
 * files: a size limit, a nesting limit, no NUL byte anywhere (raw, or
 * "\u0000" in a string or a key, which a C string would silently cut
 * short), and syntax errors that say where: "NAME:LINE:COL: message".
 *
 * The tree is read-only and keeps everything a document says: object
 * members in their order, duplicate keys included (a reader that must
 * refuse them can see them), and every number's text, so integers are read
 * exactly (the full uint64 range too) and a subtree is written back
 * byte for byte what it was. */
#ifndef CAGEFS_JSON_H
#define CAGEFS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cagefs/error.h"
#include "cagefs/strvec.h"

/* Deepest nesting of arrays and objects parsed or generated. */
#define CAGE_JSON_MAX_DEPTH 64

typedef struct cage_json cage_json;

enum cage_json_type {
	CAGE_JSON_ANY,            /* cage_json_get: whatever the member is */
	CAGE_JSON_NULL,
	CAGE_JSON_BOOL,
	CAGE_JSON_NUMBER,
	CAGE_JSON_STRING,
	CAGE_JSON_ARRAY,
	CAGE_JSON_OBJECT,
};

/* Parse LEN bytes of TEXT (need not be NUL-terminated; NULL is empty).
 * On success *OUT owns the tree (cage_json_free).  Errors are named by
 * NAME (NULL: "JSON"): "NAME: larger than MAX bytes", "NAME:LINE:COL: NUL
 * byte in the file", "NAME:LINE:COL: string contains a NUL character",
 * "NAME:LINE:COL: nested more than 64 levels deep", and for a syntax
 * error "NAME:LINE:COL: " and the parser's message ("parse error: premature
 * EOF").  Comments are allowed, as they always were. */
int cage_json_parse(const char *text, size_t len, const char *name, size_t max, cage_json **out,
		    cage_err_t *err);
/* Free a tree cage_json_parse returned (NULL is fine; a node inside a
 * tree is not freed on its own). */
void cage_json_free(cage_json *tree);

static inline void cage_json_freep(cage_json **v) { cage_json_free(*v); }
#define _cleanup_json_ __attribute__((cleanup(cage_json_freep)))

/* Every accessor takes NULL (and a node of another type) and answers
 * "no": NULL, 0, false or -EINVAL. */
bool cage_json_is(const cage_json *v, enum cage_json_type type); /* ANY: v != NULL */
bool cage_json_is_true(const cage_json *v);
/* The first member KEY of OBJ, if it has TYPE. */
const cage_json *cage_json_get(const cage_json *obj, const char *key, enum cage_json_type type);
const char *cage_json_string(const cage_json *v);
/* The line (from 1) of V in TEXT, the LEN bytes it was parsed from: of a
 * scalar's token, of a container's opening bracket; 0 for NULL.  For
 * messages that name a place in an administrator's file (a seccomp
 * profile's content errors, docs/ARCHITECTURE.md §4.12). */
unsigned cage_json_line(const cage_json *v, const char *text, size_t len);
/* A number's text as written ("1.50", "18446744073709551615"). */
const char *cage_json_number(const cage_json *v);
/* An integer (no fraction, no exponent) in [MIN, MAX]: 0 and *OUT (OUT
 * may be NULL); -ERANGE for an integer outside (or beyond 64 bits);
 * -EINVAL for anything else. */
int cage_json_int(const cage_json *v, long long min, long long max, long long *out);
/* A non-negative integer written with digits only (no sign, fraction or
 * exponent), read exactly: 0; -ERANGE above UINT64_MAX; -EINVAL otherwise. */
int cage_json_u64(const cage_json *v, uint64_t *out);
size_t cage_json_array_len(const cage_json *arr);
const cage_json *cage_json_array_at(const cage_json *arr, size_t i);
size_t cage_json_object_len(const cage_json *obj);
const char *cage_json_object_key(const cage_json *obj, size_t i);
const cage_json *cage_json_object_value(const cage_json *obj, size_t i);

/* An optional array of strings (ARR NULL: nothing) appended to OUT;
 * errors "NAME: WHAT is not an array", "NAME: WHAT[i] is not a string". */
int cage_json_str_list(const cage_json *arr, cage_strvec_t *out, const char *what, const char *name,
		       cage_err_t *err);

/* ---- writing ---- */

/* A generator.  Errors are sticky: after the first one (or when
 * cage_jgen_new failed and returned NULL) every call does nothing and
 * cage_jgen_finish reports it, so a caller writes a whole document and
 * checks once.  Strings must be valid UTF-8; control characters, '"' and
 * '\\' are escaped.  Nesting is limited to CAGE_JSON_MAX_DEPTH, so that
 * whatever is written can be parsed again. */
typedef struct cage_jgen cage_jgen;
#define CAGE_JGEN_PRETTY 1u       /* newlines, two-space indents */

cage_jgen *cage_jgen_new(unsigned flags);
void cage_jgen_free(cage_jgen *g);
void cage_jgen_map_open(cage_jgen *g);
void cage_jgen_map_close(cage_jgen *g);
void cage_jgen_array_open(cage_jgen *g);
void cage_jgen_array_close(cage_jgen *g);
void cage_jgen_string(cage_jgen *g, const char *s); /* a value, or a key in a map */
void cage_jgen_int(cage_jgen *g, long long v);
void cage_jgen_u64(cage_jgen *g, uint64_t v);
void cage_jgen_bool(cage_jgen *g, bool v);
void cage_jgen_null(cage_jgen *g);
/* TEXT as it is, checked to be a JSON number. */
void cage_jgen_number(cage_jgen *g, const char *text);
/* A tree or subtree, losslessly: members in order, numbers' text. */
void cage_jgen_value(cage_jgen *g, const cage_json *v);
/* The document, complete, as a malloc'd NUL-terminated *OUT (*LEN bytes,
 * LEN may be NULL); or -1 and "JSON generator: what went wrong". */
int cage_jgen_finish(cage_jgen *g, char **out, size_t *len, cage_err_t *err);

static inline void cage_jgen_freep(cage_jgen **g) { cage_jgen_free(*g); }
#define _cleanup_jgen_ __attribute__((cleanup(cage_jgen_freep)))

#endif
