/* The state of ordinary OCI containers (see cagefs/container.h): the state
 * file, the status derived from the live processes, kill, delete, list.
 *
 * The status is never stored, always derived, so that a runtime killed at
 * any moment leaves nothing that lies: a container whose init is gone is
 * "stopped", one whose creator died before the init was recorded is
 * "stopped" too, and `delete` cleans both up. */
#define _GNU_SOURCE
#include "container_internal.h"
#include "cagefs/proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/json.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

bool cage_ctr_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 128 || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	for (const char *c = id; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_.+-", *c))
			return false;
	return true;
}

char *cage_ctr_dir(const char *root, const char *id)
{
	char *d = NULL;
	return asprintf(&d, "%s/containers/%s", root, id) < 0 ? NULL : d;
}

/* ---- JSON ---- */

#define MAX_STATE (1 << 20)

int cage_ctr_annotations(const cage_json *annotations, cage_strvec_t *out)
{
	for (size_t i = 0; i < cage_json_object_len(annotations); i++) {
		const char *v = cage_json_string(cage_json_object_value(annotations, i));
		if (v && (cage_strvec_push(out, cage_json_object_key(annotations, i)) < 0 ||
			  cage_strvec_push(out, v) < 0))
			return -1;
	}
	return 0;
}

static void gen_str(cage_jgen *g, const char *key, const char *value)
{
	cage_jgen_string(g, key);
	cage_jgen_string(g, value);
}

static void gen_annotations(cage_jgen *g, const cage_strvec_t *a)
{
	cage_jgen_string(g, "annotations");
	cage_jgen_map_open(g);
	for (size_t i = 0; i + 1 < a->n; i += 2)
		gen_str(g, a->v[i], a->v[i + 1]);
	cage_jgen_map_close(g);
}

static const char *const status_names[] = {"creating", "created", "running", "stopped"};

char *cage_ctr_state_json(const char *id, const struct cage_ctr_state *st)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
	char *text = NULL;
	/* The keys in the order of the runtime-spec's example. */
	cage_jgen_map_open(g);
	gen_str(g, "ociVersion", "1.0.2");
	gen_str(g, "id", id);
	gen_str(g, "status", status_names[st->status]);
	if (st->status != CAGE_CTR_STOPPED && st->pid > 0) {
		cage_jgen_string(g, "pid");
		cage_jgen_int(g, st->pid);
	}
	gen_str(g, "bundle", st->bundle ? st->bundle : "");
	if (st->created)
		gen_str(g, "created", st->created);
	gen_annotations(g, &st->annotations);
	cage_jgen_map_close(g);
	return cage_jgen_finish(g, &text, NULL, NULL) == 0 ? text : NULL;
}

/* ---- the state file ---- */

int cage_ctr_write_state(int dirfd, const struct cage_ctr_state *st, pid_t creator,
			 cage_err_t *err)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
	_cleanup_free_ char *text = NULL;
	size_t len;
	cage_jgen_map_open(g);
	cage_jgen_string(g, "pid");
	cage_jgen_int(g, st->pid);
	cage_jgen_string(g, "startTime");
	cage_jgen_u64(g, st->start_time);
	cage_jgen_string(g, "creator");
	cage_jgen_int(g, creator);
	cage_jgen_string(g, "creatorStartTime");
	cage_jgen_u64(g, creator ? cage_proc_start_time(creator) : 0);
	gen_str(g, "bundle", st->bundle);
	gen_str(g, "created", st->created ? st->created : "");
	gen_annotations(g, &st->annotations);
	cage_jgen_map_close(g);
	if (cage_jgen_finish(g, &text, &len, err) < 0)
		return cage_err_prefix(err, "state");
	text[len] = '\n'; /* one line, as a text file has (finish left room for a NUL) */
	return cage_write_atomic_at(dirfd, "state.json", text, len + 1, 0600, err);
}

static long long num(const cage_json *doc, const char *key)
{
	long long v = 0;
	cage_json_int(cage_json_get(doc, key, CAGE_JSON_ANY), LLONG_MIN, LLONG_MAX, &v);
	return v;
}

static unsigned long long unum(const cage_json *doc, const char *key)
{
	uint64_t v = 0;
	cage_json_u64(cage_json_get(doc, key, CAGE_JSON_ANY), &v);
	return v;
}

static char *str(const cage_json *doc, const char *key)
{
	const char *v = cage_json_string(cage_json_get(doc, key, CAGE_JSON_STRING));
	return strdup(v ? v : "");
}

/* While its creator lives, a container is being created; then it is what
 * its init is (recorded as soon as it exists, so no init is ever lost). */
static enum cage_ctr_status derive_status(int dirfd, const cage_json *doc, const struct cage_ctr_state *st)
{
	pid_t creator = (pid_t)num(doc, "creator");
	unsigned long long t = unum(doc, "creatorStartTime");
	if (creator > 0 && t && cage_proc_start_time(creator) == t)
		return CAGE_CTR_CREATING;
	if (st->pid <= 0 || !st->start_time || cage_proc_start_time(st->pid) != st->start_time)
		return CAGE_CTR_STOPPED;
	return faccessat(dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ? CAGE_CTR_CREATED
									    : CAGE_CTR_RUNNING;
}

int cage_ctr_state_at(int dirfd, const char *id, struct cage_ctr_state *st, cage_err_t *err)
{
	memset(st, 0, sizeof(*st));
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ cage_json *doc = NULL;
	size_t len;
	cage_err_t e = {0};
	if (cage_ctr_read(dirfd, "state.json", MAX_STATE, &text, &len, &e) < 0) {
		/* A creator killed before its first write: nothing runs.  Any
		 * other failure is said: a state never read is never "stopped". */
		if (e.errnum != ENOENT) {
			if (err)
				*err = e;
			return -1;
		}
		st->status = CAGE_CTR_STOPPED;
		return 0;
	}
	char name[200];
	snprintf(name, sizeof(name), "container %s: state.json", id);
	if (cage_json_parse(text, len, name, MAX_STATE, &doc, err) < 0)
		return -1;
	st->pid = (pid_t)num(doc, "pid");
	st->start_time = unum(doc, "startTime");
	st->bundle = str(doc, "bundle");
	st->created = str(doc, "created");
	if (!st->bundle || !st->created ||
	    cage_ctr_annotations(cage_json_get(doc, "annotations", CAGE_JSON_OBJECT), &st->annotations) < 0) {
		cage_ctr_state_free(st);
		return cage_err_sys(err, ENOMEM, "state");
	}
	st->status = derive_status(dirfd, doc, st);
	return 0;
}

int cage_ctr_state(const char *root, const char *id, struct cage_ctr_state *st, cage_err_t *err)
{
	memset(st, 0, sizeof(*st));
	_cleanup_close_ int dfd = cage_ctr_open(root, id, err);
	return dfd < 0 ? -1 : cage_ctr_state_at(dfd, id, st, err);
}

void cage_ctr_state_free(struct cage_ctr_state *st)
{
	free(st->bundle);
	free(st->created);
	cage_strvec_free(&st->annotations);
	memset(st, 0, sizeof(*st));
}

/* A pidfd of the container's init, checked to be that process still. */
int cage_ctr_pidfd(const struct cage_ctr_state *st)
{
	int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd >= 0 && cage_proc_start_time(st->pid) != st->start_time) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

int cage_ctr_kill(const char *root, const char *id, int sig, cage_err_t *err)
{
	_cleanup_ctr_state_ struct cage_ctr_state st = {0};
	if (cage_ctr_state(root, id, &st, err) < 0)
		return -1;
	int rc = 0;
	if (st.status != CAGE_CTR_CREATED && st.status != CAGE_CTR_RUNNING)
		rc = cage_err_set(err, "container %s is not running (%s)", id, status_names[st.status]);
	_cleanup_close_ int pfd = rc == 0 ? cage_ctr_pidfd(&st) : -1;
	if (rc == 0 && (pfd < 0 || syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0))
		rc = cage_err_sys(err, errno, "cannot signal container %s", id);
	return rc;
}

/* SIGKILL the init and wait until it is gone (a pidfd polls readable then). */
int cage_ctr_kill_wait(const struct cage_ctr_state *st, const char *id, cage_err_t *err)
{
	_cleanup_close_ int pfd = cage_ctr_pidfd(st);
	if (pfd < 0)
		return 0; /* gone already */
	if (syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return cage_err_sys(err, errno, "cannot kill container %s", id);
	struct pollfd p = {.fd = pfd, .events = POLLIN};
	while (poll(&p, 1, 10000) < 0 && errno == EINTR)
		;
	return 0;
}

/* The config as it was at create time (the copy in the state directory):
 * the bundle may have changed or be gone since. */
int cage_ctr_load_spec(int dirfd, const char *bundle, struct cage_spec *spec, cage_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	memset(spec, 0, sizeof(*spec)); /* freeable whatever happens */
	if (cage_ctr_read(dirfd, "config.json", 8u << 20, &text, &len, err) < 0)
		return -1;
	return cage_spec_parse(text, len, bundle, spec, err);
}

int cage_ctr_lock_at(int top, const char *root, const char *id, cage_err_t *err)
{
	int fd = cage_ctr_open_at(top, root, id, err);
	struct stat held, now;
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX) == 0 && fstat(fd, &held) == 0 && fstatat(top, id, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    held.st_ino == now.st_ino && held.st_dev == now.st_dev)
		return fd;
	close(fd);
	return cage_err_set(err, "container %s does not exist", id);
}

/* What delete acts on, all read and checked before it acts on any: the
 * poststop hooks (a config that cannot be read is a warning, as it always
 * was; one that is not to be believed stops the delete) and the cgroups. */
static int delete_plan(int dirfd, const char *id, const struct cage_ctr_state *st, struct cage_spec *spec,
		       bool *hooks, struct cage_ctr_cgroups *cgs, cage_err_t *err)
{
	cage_err_t e = {0};
	*hooks = cage_ctr_load_spec(dirfd, st->bundle, spec, &e) == 0;
	if (!*hooks && e.errnum == CAGE_ERR_UNTRUSTED) {
		if (err)
			*err = e;
		return -1;
	}
	if (!*hooks)
		cage_warn("container %s: poststop hooks not run: %s", id, e.msg);
	return cage_ctr_cgroups_open(dirfd, cgs, err) < 0 ? cage_err_prefix(err, "container %s", id) : 0;
}

/* What delete does to a stopped container before removing its directory:
 * its cgroups emptied and removed, then the poststop hooks. */
static void poststop(const char *id, const struct cage_spec *spec, bool hooks, const struct cage_ctr_cgroups *cgs,
		     const struct cage_ctr_state *st)
{
	cage_ctr_cgroup_remove(cgs);
	cage_err_t err = {0};
	_cleanup_free_ char *json = hooks ? cage_ctr_state_json(id, st) : NULL;
	if (json && cage_hooks_run(spec, CAGE_HOOK_POSTSTOP, json, &err) < 0)
		cage_warn("container %s: %s", id, err.msg);
}

int cage_ctr_delete(const char *root, const char *id, bool force, cage_err_t *err)
{
	_cleanup_ctr_state_ struct cage_ctr_state st = {0};
	_cleanup_spec_ struct cage_spec spec = {0};
	_cleanup_cgroups_ struct cage_ctr_cgroups cgs = {0};
	bool hooks = false;
	_cleanup_close_ int top = cage_ctr_top_of(root, id, err);
	if (top < 0)
		return -1;
	/* Held until the directory is gone: a create still running finishes
	 * first, and no second create of the id can start meanwhile. */
	_cleanup_close_ int lock = cage_ctr_lock_at(top, root, id, err);
	if (lock < 0 || cage_ctr_state_at(lock, id, &st, err) < 0)
		return -1;
	if (st.status != CAGE_CTR_STOPPED && !force)
		return cage_err_set(err, "container %s is %s, not stopped: kill it first, or delete --force",
				    id, status_names[st.status]);
	if (delete_plan(lock, id, &st, &spec, &hooks, &cgs, err) < 0)
		return -1;
	if (st.status != CAGE_CTR_STOPPED && cage_ctr_kill_wait(&st, id, err) < 0)
		return -1;
	st.status = CAGE_CTR_STOPPED;
	poststop(id, &spec, hooks, &cgs, &st);
	return cage_rm_rf_at(top, id, err);
}

int cage_ctr_list(const char *root, cage_strvec_t *ids, cage_err_t *err)
{
	cage_err_t e = {0};
	_cleanup_close_ int top = cage_ctr_topdir(root, false, &e);
	_cleanup_closedir_ DIR *d = NULL;
	if (top < 0) {
		if (e.errnum != ENOENT && err)
			*err = e;
		return e.errnum == ENOENT ? 0 : -1;
	}
	int fd = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return cage_err_sys(err, errno, "cannot read %s/containers", root);
	}
	for (struct dirent *de; (de = readdir(d));)
		if (cage_ctr_id_valid(de->d_name) && de->d_type == DT_DIR &&
		    cage_strvec_push(ids, de->d_name) < 0)
			return cage_err_sys(err, ENOMEM, "list");
	cage_strvec_sort_unique(ids);
	return 0;
}
