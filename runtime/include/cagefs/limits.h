/* Per-user resource limits: /etc/cagefs/limits.conf (issue 11; the stock
 * kernel's answer to CloudLinux LVE, docs/ARCHITECTURE.md §4.17).  Layer 2.
 *
 *   # NAME     KEY=VALUE ...          NAME: a user, or "default"
 *   default    cpu=100% memory=1G pids=200
 *   alice      memory=2G io=20M iops=max
 *
 * A user's limits are the default line's, each key overridden by the
 * user's own line; "max" there lifts a default.  This module only reads,
 * checks and edits the file; cgroups are applied by the cage layer
 * (cage_limits_join, cagefs/cage.h). */
#ifndef CAGEFS_LIMITS_H
#define CAGEFS_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "cagefs/error.h"
#include "cagefs/paths.h"

enum cage_limit_key {
	CAGE_LIMIT_CPU,    /* percent of one CPU: 50 is half a core, 200 two */
	CAGE_LIMIT_MEMORY, /* bytes of RAM (the cgroup's memory, not swap) */
	CAGE_LIMIT_PIDS,   /* processes and threads */
	CAGE_LIMIT_IO,     /* bytes per second, read and write each, per disk */
	CAGE_LIMIT_IOPS,   /* operations per second, read and write each, per disk */
	CAGE_LIMIT_KEYS
};

/* A value: > 0 a limit; CAGE_LIMIT_NONE "max" (no limit, lifting a
 * default); CAGE_LIMIT_UNSET not given. */
#define CAGE_LIMIT_UNSET 0
#define CAGE_LIMIT_NONE (-1)

struct cage_limits {
	long long v[CAGE_LIMIT_KEYS];
};

struct cage_limits_line {
	char *name;   /* a user, or "default" */
	unsigned line;
	struct cage_limits l;
};

struct cage_limits_file {
	char *file; /* its path, for messages */
	struct cage_limits_line *lines;
	size_t n;
};

#define CAGE_LIMITS_DEFAULT "default"
/* The file's size limit: a user per line, a hundred thousand users. */
#define CAGE_LIMITS_MAX_FILE_SIZE ((size_t)16 << 20)

/* Parse BUF (LEN bytes) named FILE.  Every problem is "FILE:LINE: ...":
 * an unknown key, a malformed or out-of-range value, a name twice; *F is
 * then empty. */
int cage_limits_parse_buf(struct cage_limits_file *f, const char *file, const char *buf, size_t len,
			  cage_err_t *err);
/* P->etc/limits.conf; a missing file is an empty one (nobody limited). */
int cage_limits_load(const struct cage_paths *p, struct cage_limits_file *f, cage_err_t *err);
void cage_limits_file_free(struct cage_limits_file *f);

/* USER's effective limits: the default line's, overridden key by key by
 * USER's line; "max" becomes UNSET (nothing to apply). */
void cage_limits_of(const struct cage_limits_file *f, const char *user, struct cage_limits *out);
/* Whether L limits anything. */
bool cage_limits_any(const struct cage_limits *l);

/* "cpu", "memory", ... */
const char *cage_limit_name(enum cage_limit_key k);
/* V as the file spells it: "50%", "1G", "200", "max"; "" for UNSET. */
void cage_limit_format(enum cage_limit_key k, long long v, char *buf, size_t size);

/* P->etc/limits.conf with NAME's line changed by ASSIGN ("KEY=VALUE";
 * "KEY=" drops the key, so the default applies again), in *TEXT (malloc'd):
 * every assignment checked, every other line kept byte for byte, a line
 * left empty dropped.  Nothing is written (cage_limits_change, cagefs/cage.h,
 * checks the result can be applied, then writes it). */
int cage_limits_edit(const struct cage_paths *p, const char *name, char *const *assign, size_t nassign,
		     char **text, cage_err_t *err);
/* TEXT, checked again, becomes P->etc/limits.conf atomically. */
int cage_limits_write(const struct cage_paths *p, const char *text, cage_err_t *err);

#endif
