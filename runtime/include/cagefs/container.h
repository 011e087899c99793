/* Ordinary OCI bundles (issue 4, item 4): the lifecycle of the OCI runtime
 * specification (create, start, state, kill, delete) for any bundle, so that
 * generic OCI tooling can drive cagefs-runtime as it drives runc or crun.
 *
 * A container lives in ROOT/containers/ID/ (root-only): state.json (what
 * `state` prints, plus the init's start time so a recycled pid is never
 * taken for it) and exec.fifo while it is "created".  The container's init
 * process waits, fully set up, reading that fifo; `start` writes one byte
 * to it, and it execs the user's process (the runc/crun protocol). */
#ifndef CAGEFS_CONTAINER_H
#define CAGEFS_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "cagefs/oci.h"
#include "cagefs/error.h"
#include "cagefs/json.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"

/* ---- the parts of config.json only ordinary bundles use ---- */
enum cage_hook_kind {
	CAGE_HOOK_PRESTART, CAGE_HOOK_CREATE_RUNTIME, CAGE_HOOK_CREATE_CONTAINER,
	CAGE_HOOK_START_CONTAINER, CAGE_HOOK_POSTSTART, CAGE_HOOK_POSTSTOP, CAGE_HOOK_KINDS
};
struct cage_hook {
	char *path;
	cage_strvec_t args, env;
	int timeout;              /* seconds, 0: none */
};
struct cage_rlimit {
	int resource;
	struct rlimit lim;
};
enum cage_ns_kind { CAGE_NS_USER, CAGE_NS_MNT, CAGE_NS_PID, CAGE_NS_IPC, CAGE_NS_UTS,
		    CAGE_NS_NET, CAGE_NS_CGROUP, CAGE_NS_KINDS };

struct cage_spec {
	struct cage_oci oci;      /* root, process, mounts, namespaces, seccomp... */
	char *bundle;             /* absolute */
	bool terminal;
	int umask;                /* -1: leave it */
	bool has_oom;
	int oom_score_adj;
	uint64_t caps[CAGE_CAP_SETS];
	struct cage_rlimit *rlimits;
	size_t nrlimits;
	struct cage_hook *hooks[CAGE_HOOK_KINDS];
	size_t nhooks[CAGE_HOOK_KINDS];
	cage_strvec_t sysctl;     /* "key=value" */
	bool ns_listed[CAGE_NS_KINDS];
	char *ns_path[CAGE_NS_KINDS]; /* join this namespace instead of creating one */
	bool ns_written[CAGE_NS_KINDS]; /* sysctl or hostname set in it */
	char *uid_map, *gid_map;  /* text for /proc/PID/{uid,gid}_map */
	struct cage_device *devices;
	size_t ndevices;
	unsigned long propagation; /* rootfsPropagation as MS_* flags, 0: private */
	char *cgroups_path;
	const cage_json *resources;   /* linux.resources (in oci.tree), or NULL */
	const cage_json *annotations; /* annotations (in oci.tree), or NULL */
};

/* config.json text: LEN bytes (no NUL needed after them); BUNDLE for
 * relative paths.  Everything this runtime cannot honour is an error
 * naming the field, never silently dropped. */
int cage_spec_parse(const char *text, size_t len, const char *bundle, struct cage_spec *s,
		    cage_err_t *err);
void cage_spec_free(struct cage_spec *s);
static inline void cage_spec_freep(struct cage_spec *s) { cage_spec_free(s); }
#define _cleanup_spec_ __attribute__((cleanup(cage_spec_freep)))
int cage_ns_flag(enum cage_ns_kind k);

/* ---- the lifecycle ---- */
struct cage_ctr_opts {
	const char *bundle;       /* NULL: the current directory */
	const char *pid_file;     /* NULL: none */
	int console_socket;       /* -1: none */
	bool keep_child;          /* `run`: the init stays our child, to wait for */
};

enum cage_ctr_status { CAGE_CTR_CREATING, CAGE_CTR_CREATED, CAGE_CTR_RUNNING, CAGE_CTR_STOPPED };
struct cage_ctr_state {
	enum cage_ctr_status status;
	pid_t pid;
	unsigned long long start_time;
	char *bundle;
	char *created;            /* RFC 3339 */
	cage_strvec_t annotations; /* key, value, key, value...: those with string values */
};

/* err->errnum of a refusal to believe a state directory that is not
 * root's own (docs/ARCHITECTURE.md §4.11); not an errno value.
 * cagefs-runtime exits with status 3 for it. */
#define CAGE_ERR_UNTRUSTED 0x10000

/* Container ids: [A-Za-z0-9_.+-], 1..128 characters, not "." or "..". */
bool cage_ctr_id_valid(const char *id);
/* Create ID from the bundle; *pid is its init (host pid). */
int cage_ctr_create(const char *root, const char *id, const struct cage_ctr_opts *o, pid_t *pid,
		    cage_err_t *err);
int cage_ctr_start(const char *root, const char *id, cage_err_t *err);
int cage_ctr_state(const char *root, const char *id, struct cage_ctr_state *st, cage_err_t *err);
void cage_ctr_state_free(struct cage_ctr_state *st);
static inline void cage_ctr_state_freep(struct cage_ctr_state *st) { cage_ctr_state_free(st); }
#define _cleanup_ctr_state_ __attribute__((cleanup(cage_ctr_state_freep)))
/* The OCI state JSON (one line, no newline). */
char *cage_ctr_state_json(const char *id, const struct cage_ctr_state *st);
int cage_ctr_kill(const char *root, const char *id, int sig, cage_err_t *err);
/* Delete a stopped container (force: kill it first). */
int cage_ctr_delete(const char *root, const char *id, bool force, cage_err_t *err);
int cage_ctr_list(const char *root, cage_strvec_t *ids, cage_err_t *err);
/* create + start + wait + delete: the exit status of the process (128+N
 * for signal N), or -1. */
int cage_ctr_run(const char *root, const char *id, const struct cage_ctr_opts *o, cage_err_t *err);
/* Run ARGV inside running container ID with its process settings and
 * wait: the exit status as above, or -1. */
int cage_ctr_exec(const char *root, const char *id, char *const *argv, cage_err_t *err);

/* ---- cagefs-runtime's commands (rtcmd.c) ----
 * One call per command, for an ordinary container (state in P->run) and a
 * hosting user's cage alike.  Each first checks that P->run is root's own
 * (above).  The cages of hosting users are root's: as anyone else, state,
 * kill and delete of one are refused, never answered with a guess. */
enum cage_rt_kind { CAGE_RT_CONTAINER, CAGE_RT_CAGE };
/* What ID names: an ordinary container if one has that id; else the cage
 * of the hosting user of that name; else, with --bundle (WITH_BUNDLE) or
 * for create and run (CREATING), a container to be made.  A new container
 * may not take a user's name.  An error when it names nothing, or when
 * that cannot be told. */
int cage_rt_which(const struct cage_paths *p, const char *id, bool with_bundle, bool creating,
		  enum cage_rt_kind *kind, cage_err_t *err);
int cage_rt_state(const struct cage_paths *p, const char *id, struct cage_ctr_state *st, cage_err_t *err);
int cage_rt_kill(const struct cage_paths *p, const char *id, int sig, cage_err_t *err);
int cage_rt_delete(const struct cage_paths *p, const char *id, bool force, cage_err_t *err);
/* The users with a live cage and the ordinary containers, sorted. */
int cage_rt_list(const struct cage_paths *p, cage_strvec_t *ids, cage_err_t *err);

/* Hooks (runtime/container/hooks.c): run every hook of one kind with the state on
 * stdin; the first failure stops the rest and is returned. */
int cage_hooks_run(const struct cage_spec *s, enum cage_hook_kind kind, const char *state_json,
		   cage_err_t *err);

#endif
