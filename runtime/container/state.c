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
#include <yajl/yajl_tree.h>

#include "cagefs/cleanup.h"
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

bool cage_ctr_exists(const char *root, const char *id)
{
	_cleanup_free_ char *d = cage_ctr_id_valid(id) ? cage_ctr_dir(root, id) : NULL;
	struct stat st;
	return d && lstat(d, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- JSON ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The annotations object (string values only, as the spec defines it). */
char *cage_ctr_annotations_json(const void *annotations)
{
	yajl_val a = (yajl_val)annotations;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputc('{', f);
	for (size_t i = 0, k = 0; a && YAJL_IS_OBJECT(a) && i < a->u.object.len; i++) {
		if (!YAJL_IS_STRING(a->u.object.values[i]))
			continue;
		fputs(k++ ? "," : "", f);
		json_str(f, a->u.object.keys[i]);
		fputc(':', f);
		json_str(f, a->u.object.values[i]->u.string);
	}
	fputc('}', f);
	return fclose(f) == 0 ? buf : (free(buf), NULL);
}

static const char *const status_names[] = {"creating", "created", "running", "stopped"};

char *cage_ctr_state_json(const char *id, const struct cage_ctr_state *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputs("{\"ociVersion\":\"1.0.2\",\"id\":", f);
	json_str(f, id);
	fprintf(f, ",\"status\":\"%s\"", status_names[st->status]);
	if (st->status != CAGE_CTR_STOPPED && st->pid > 0)
		fprintf(f, ",\"pid\":%d", st->pid);
	fputs(",\"bundle\":", f);
	json_str(f, st->bundle ? st->bundle : "");
	if (st->created) {
		fputs(",\"created\":", f);
		json_str(f, st->created);
	}
	fprintf(f, ",\"annotations\":%s}", st->annotations ? st->annotations : "{}");
	return fclose(f) == 0 ? buf : (free(buf), NULL);
}

/* ---- the state file ---- */

int cage_ctr_write_state(int dirfd, const struct cage_ctr_state *st, pid_t creator,
			 cage_err_t *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return cage_err_sys(err, ENOMEM, "state");
	fprintf(f, "{\"pid\":%d,\"startTime\":%llu,\"creator\":%d,\"creatorStartTime\":%llu,\"bundle\":",
		st->pid, st->start_time, creator, creator ? cage_proc_start_time(creator) : 0ULL);
	json_str(f, st->bundle);
	fputs(",\"created\":", f);
	json_str(f, st->created ? st->created : "");
	fprintf(f, ",\"annotations\":%s}\n", st->annotations ? st->annotations : "{}");
	if (fclose(f) != 0) {
		free(text);
		return cage_err_sys(err, ENOMEM, "state");
	}
	int rc = cage_write_atomic_at(dirfd, "state.json", text, len, 0600, err);
	free(text);
	return rc;
}

static long long num(yajl_val doc, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(doc, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static char *str(yajl_val doc, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(doc, path, yajl_t_string);
	return strdup(v ? v->u.string : "");
}

/* While its creator lives, a container is being created; then it is what
 * its init is (recorded as soon as it exists, so no init is ever lost). */
static enum cage_ctr_status derive_status(int dirfd, yajl_val doc, const struct cage_ctr_state *st)
{
	pid_t creator = (pid_t)num(doc, "creator");
	unsigned long long t = (unsigned long long)num(doc, "creatorStartTime");
	if (creator > 0 && t && cage_proc_start_time(creator) == t)
		return CAGE_CTR_CREATING;
	if (st->pid <= 0 || !st->start_time || cage_proc_start_time(st->pid) != st->start_time)
		return CAGE_CTR_STOPPED;
	return faccessat(dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ? CAGE_CTR_CREATED
									    : CAGE_CTR_RUNNING;
}

int cage_ctr_state(const char *root, const char *id, struct cage_ctr_state *st, cage_err_t *err)
{
	memset(st, 0, sizeof(*st));
	_cleanup_free_ char *dir = cage_ctr_dir(root, id);
	_cleanup_close_ int dfd = -1;
	if (!cage_ctr_id_valid(id) || !dir ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return cage_err_set(err, "container %s does not exist", id);
	_cleanup_free_ char *text = NULL;
	if (cage_read_file_at(dfd, "state.json", 1 << 20, &text, NULL, err) < 0) {
		/* A creator killed before its first write: nothing runs. */
		st->status = CAGE_CTR_STOPPED;
		cage_err_clear(err);
		return 0;
	}
	char ebuf[128];
	yajl_val doc = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!doc)
		return cage_err_set(err, "%s/state.json: %s", dir, ebuf);
	st->pid = (pid_t)num(doc, "pid");
	st->start_time = (unsigned long long)num(doc, "startTime");
	st->bundle = str(doc, "bundle");
	st->created = str(doc, "created");
	const char *apath[] = {"annotations", NULL};
	st->annotations = cage_ctr_annotations_json(yajl_tree_get(doc, apath, yajl_t_object));
	st->status = derive_status(dfd, doc, st);
	yajl_tree_free(doc);
	return 0;
}

void cage_ctr_state_free(struct cage_ctr_state *st)
{
	free(st->bundle);
	free(st->created);
	free(st->annotations);
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
int cage_ctr_load_spec(const char *root, const char *id, const char *bundle, struct cage_spec *spec,
		       cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_ctr_dir(root, id);
	_cleanup_free_ char *cfg = dir ? cage_path_join(dir, "config.json") : NULL;
	memset(spec, 0, sizeof(*spec)); /* freeable whatever happens */
	if (!cfg)
		return cage_err_sys(err, ENOMEM, "path");
	return cage_spec_load_config(cfg, bundle, spec, err);
}

/* What delete does to a stopped container before removing its directory:
 * its cgroups emptied and removed, then the poststop hooks. */
static void poststop(const char *root, const char *id, int dirfd, struct cage_ctr_state *st)
{
	cage_ctr_cgroup_remove(dirfd);
	_cleanup_spec_ struct cage_spec spec = {0};
	cage_err_t err = {0};
	if (cage_ctr_load_spec(root, id, st->bundle, &spec, &err) < 0) {
		cage_warn("container %s: poststop hooks not run: %s", id, err.msg);
		return;
	}
	_cleanup_free_ char *json = cage_ctr_state_json(id, st);
	if (json && cage_hooks_run(&spec, CAGE_HOOK_POSTSTOP, json, &err) < 0)
		cage_warn("container %s: %s", id, err.msg);
}

int cage_ctr_lock(const char *root, const char *id, cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_ctr_id_valid(id) ? cage_ctr_dir(root, id) : NULL;
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	struct stat held, now;
	if (fd >= 0 && flock(fd, LOCK_EX) == 0 && fstat(fd, &held) == 0 && stat(dir, &now) == 0 &&
	    held.st_ino == now.st_ino && held.st_dev == now.st_dev)
		return fd;
	if (fd >= 0)
		close(fd);
	return cage_err_set(err, "container %s does not exist", id);
}

int cage_ctr_delete(const char *root, const char *id, bool force, cage_err_t *err)
{
	_cleanup_ctr_state_ struct cage_ctr_state st = {0};
	/* Held until the directory is gone: a create still running finishes
	 * first, and no second create of the id can start meanwhile. */
	_cleanup_close_ int lock = cage_ctr_lock(root, id, err);
	if (lock < 0 || cage_ctr_state(root, id, &st, err) < 0)
		return -1;
	int rc = 0;
	if (st.status != CAGE_CTR_STOPPED && !force)
		rc = cage_err_set(err, "container %s is %s, not stopped: kill it first, or delete --force",
				  id, status_names[st.status]);
	else if (st.status != CAGE_CTR_STOPPED)
		rc = cage_ctr_kill_wait(&st, id, err);
	_cleanup_free_ char *dir = cage_ctr_dir(root, id);
	if (rc == 0 && dir) {
		st.status = CAGE_CTR_STOPPED;
		poststop(root, id, lock, &st);
		rc = cage_rm_rf(dir, err);
	}
	return rc;
}

int cage_ctr_list(const char *root, cage_strvec_t *ids, cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_path_join(root, "containers");
	_cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
	if (!d)
		return errno == ENOENT ? 0 : cage_err_sys(err, errno, "cannot read %s", dir);
	for (struct dirent *de; (de = readdir(d));)
		if (cage_ctr_id_valid(de->d_name) && de->d_type == DT_DIR &&
		    cage_strvec_push(ids, de->d_name) < 0)
			return cage_err_sys(err, ENOMEM, "list");
	cage_strvec_sort_unique(ids);
	return 0;
}
