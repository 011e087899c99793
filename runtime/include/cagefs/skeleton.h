/* The skeleton: the read-only root filesystem of safe files every cage is
 * made from (manual: "File System Templates", "Excluding Files"). */
#ifndef CAGEFS_SKELETON_H
#define CAGEFS_SKELETON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"

enum cage_skel_mode {
	CAGE_SKEL_INIT,   /* create if missing; finish an interrupted --init */
	CAGE_SKEL_UPDATE, /* incremental, in place, each entry replaced atomically */
	CAGE_SKEL_FORCE,  /* rebuild from scratch, swap in, no backup */
	CAGE_SKEL_REINIT, /* rebuild from scratch, swap in, keep SKELETON.bak */
};

/* A file the skeleton gets from elsewhere than conf.d: at DEST, a copy of
 * the host's SOURCE, executable, in place of whatever conf.d put at DEST
 * (the proxy's wrappers, docs/ARCHITECTURE.md §4.18). */
struct cage_skel_extra {
	const char *dest;
	const char *source;
};

struct cage_skel_opts {
	const struct cage_paths *paths;
	enum cage_skel_mode mode;
	bool hardlink;   /* -k: hardlink host files where the filesystem allows */
	bool dont_clean; /* -d: never delete from the skeleton */
	bool progress;   /* files and bytes on stderr (a terminal) */
	const cage_strvec_t *only; /* --update-list: restrict to these paths */
	const struct cage_skel_extra *extra; /* files copied in (may be NULL) */
	size_t nextra;
};

struct cage_skel_stats {
	size_t entries;  /* entries checked: the whole plan, or what --update-list covers */
	size_t added, updated, removed;
	uint64_t bytes;
	bool existed;    /* --init found a skeleton already there and did nothing */
};

/* Where the skeleton really is: the target of a symlinked skeleton path
 * (manual: "Moving cagefs-skeleton directory"), else the path itself. */
char *cage_skeleton_realpath(const char *path, cage_err_t *err);

int cage_skeleton_build(const struct cage_skel_opts *o, struct cage_skel_stats *st, cage_err_t *err);
/* --print-suids: every setuid/setgid file left in the skeleton. */
int cage_skeleton_print_suids(const struct cage_paths *p, FILE *out, cage_err_t *err);
/* --sanity-check: the setuid/setgid files of the skeleton whose bit the
 * builder did not give (it keeps one only on a file a conf.d file names
 * itself, and only where the host's file has it), as paths in the
 * skeleton, appended to OUT in walk order. */
int cage_skeleton_unlisted_suids(const struct cage_paths *p, cage_strvec_t *out, cage_err_t *err);

/* --addrpm / --delrpm / --list-rpm: a package's file list (dpkg -L or
 * rpm -ql) becomes conf.d/PKG.cfg, marked as generated. */
int cage_pkg_add(const struct cage_paths *p, const char *pkg, cage_err_t *err);
int cage_pkg_del(const struct cage_paths *p, const char *pkg, cage_err_t *err);
int cage_pkg_list(const struct cage_paths *p, FILE *out, cage_err_t *err);

/* Update period (days) kept in cagefs.ini as update_period (default 1). */
int cage_skeleton_set_update_period(const struct cage_paths *p, long days, cage_err_t *err);
/* 1 if an automatic update is due, 0 if not, -1 on error. */
int cage_skeleton_update_due(const struct cage_paths *p, cage_err_t *err);

#endif
