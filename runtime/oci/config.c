/* Reading config.json (docs/ARCHITECTURE.md §3), parsed by cagefs/json.h:
 * just what the runtime needs, with every type checked, so a corrupted
 * file is a clear error. */
#define _GNU_SOURCE
#include "oci_internal.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

/* As much as cage_oci_load reads. */
#define MAX_CONFIG (8u << 20)

#define get cage_json_get

static int need_str(const cage_json *obj, const char *key, char **out, const char *name, cage_err_t *err)
{
	const char *v = cage_json_string(get(obj, key, CAGE_JSON_STRING));
	if (!v)
		return cage_err_set(err, "%s: '%s' missing or not a string", name, key);
	*out = strdup(v);
	return *out ? 0 : cage_err_sys(err, ENOMEM, "%s", name);
}

static int parse_mounts(const cage_json *arr, struct cage_oci *oci, const char *name, cage_err_t *err)
{
	if (!cage_json_is(arr, CAGE_JSON_ARRAY))
		return cage_err_set(err, "%s: 'mounts' missing or not an array", name);
	size_t n = cage_json_array_len(arr);
	oci->mounts = calloc(n + 1, sizeof(*oci->mounts));
	if (!oci->mounts)
		return cage_err_sys(err, ENOMEM, "%s", name);
	for (size_t i = 0; i < n; i++) {
		const cage_json *m = cage_json_array_at(arr, i);
		struct cage_oci_mount *om = &oci->mounts[oci->nmounts++];
		if (!cage_json_is(m, CAGE_JSON_OBJECT) || need_str(m, "destination", &om->destination, name, err) < 0)
			return cage_err_prefix(err, "mounts[%zu]", i);
		const char *t = cage_json_string(get(m, "type", CAGE_JSON_STRING));
		const char *s = cage_json_string(get(m, "source", CAGE_JSON_STRING));
		om->type = strdup(t ? t : "bind");
		om->source = strdup(s ? s : "none");
		if (!om->type || !om->source ||
		    cage_json_str_list(get(m, "options", CAGE_JSON_ANY), &om->options, "mounts[].options", name, err) < 0)
			return cage_err_prefix(err, "mounts[%zu]", i);
		if (om->destination[0] != '/')
			return cage_err_set(err, "%s: mounts[%zu].destination is not absolute", name, i);
		om->bind = !strcmp(om->type, "bind") || cage_strvec_contains(&om->options, "bind") ||
			   cage_strvec_contains(&om->options, "rbind");
	}
	return 0;
}

#define ID_MAX 4294967294LL /* the largest uid or gid: (uid_t)-1 is no id */

static int parse_user(const cage_json *proc, struct cage_oci *oci, const char *name, cage_err_t *err)
{
	const cage_json *user = get(proc, "user", CAGE_JSON_OBJECT);
	long long uid, gid;
	/* Ids are 32 bits, and (uid_t)-1 means "no id": a larger number would
	 * be cut to another id (4294967296 is root). */
	if (cage_json_int(get(user, "uid", CAGE_JSON_ANY), 0, ID_MAX, &uid) < 0 ||
	    cage_json_int(get(user, "gid", CAGE_JSON_ANY), 0, ID_MAX, &gid) < 0)
		return cage_err_set(err, "%s: process.user.uid/gid missing or invalid", name);
	oci->uid = (uid_t)uid;
	oci->gid = (gid_t)gid;
	const cage_json *extra = get(user, "additionalGids", CAGE_JSON_ARRAY);
	size_t n = cage_json_array_len(extra);
	oci->gids = calloc(n + 1, sizeof(gid_t));
	if (!oci->gids)
		return cage_err_sys(err, ENOMEM, "%s", name);
	for (size_t i = 0; i < n; i++) {
		long long g;
		if (cage_json_int(cage_json_array_at(extra, i), 0, ID_MAX, &g) < 0)
			return cage_err_set(err, "%s: additionalGids[%zu] invalid", name, i);
		oci->gids[oci->ngids++] = (gid_t)g;
	}
	return 0;
}

static int parse_process(const cage_json *doc, struct cage_oci *oci, const char *name, cage_err_t *err)
{
	const cage_json *proc = get(doc, "process", CAGE_JSON_OBJECT);
	if (!proc)
		return cage_err_set(err, "%s: 'process' missing", name);
	if (parse_user(proc, oci, name, err) < 0 ||
	    cage_json_str_list(get(proc, "args", CAGE_JSON_ANY), &oci->args, "process.args", name, err) < 0 ||
	    cage_json_str_list(get(proc, "env", CAGE_JSON_ANY), &oci->env, "process.env", name, err) < 0 ||
	    need_str(proc, "cwd", &oci->cwd, name, err) < 0)
		return -1;
	oci->no_new_privs = cage_json_is_true(get(proc, "noNewPrivileges", CAGE_JSON_ANY));
	return 0;
}

static const struct { const char *type; int flag; } ns_types[] = {
	{"mount", CLONE_NEWNS}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
	{"pid", CLONE_NEWPID}, {"network", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP},
};

static int parse_linux(const cage_json *doc, struct cage_oci *oci, const char *name, cage_err_t *err)
{
	const cage_json *lx = get(doc, "linux", CAGE_JSON_OBJECT);
	const cage_json *ns = get(lx, "namespaces", CAGE_JSON_ARRAY);
	for (size_t i = 0; i < cage_json_array_len(ns); i++) {
		const char *t = cage_json_string(get(cage_json_array_at(ns, i), "type", CAGE_JSON_STRING));
		for (size_t k = 0; t && k < sizeof(ns_types) / sizeof(*ns_types); k++)
			if (!strcmp(t, ns_types[k].type))
				oci->namespaces |= ns_types[k].flag;
	}
	if (!(oci->namespaces & CLONE_NEWNS))
		return cage_err_set(err, "%s: linux.namespaces must include a mount namespace", name);
	oci->seccomp = get(lx, "seccomp", CAGE_JSON_OBJECT);
	if (lx && (cage_json_str_list(get(lx, "maskedPaths", CAGE_JSON_ANY), &oci->masked, "maskedPaths", name, err) < 0 ||
		   cage_json_str_list(get(lx, "readonlyPaths", CAGE_JSON_ANY), &oci->readonly, "readonlyPaths", name, err) < 0))
		return -1;
	return 0;
}

static int parse_doc(const cage_json *doc, struct cage_oci *oci, const char *name, cage_err_t *err)
{
	if (!cage_json_is(doc, CAGE_JSON_OBJECT))
		return cage_err_set(err, "%s: not a JSON object", name);
	const cage_json *root = get(doc, "root", CAGE_JSON_OBJECT);
	if (!root || need_str(root, "path", &oci->root, name, err) < 0)
		return cage_err_set(err, "%s: 'root.path' missing", name);
	oci->root_readonly = cage_json_is_true(get(root, "readonly", CAGE_JSON_ANY));
	const char *host = cage_json_string(get(doc, "hostname", CAGE_JSON_STRING));
	if (host && !(oci->hostname = strdup(host)))
		return cage_err_sys(err, ENOMEM, "%s", name);
	if (parse_process(doc, oci, name, err) < 0 || parse_linux(doc, oci, name, err) < 0 ||
	    parse_mounts(get(doc, "mounts", CAGE_JSON_ANY), oci, name, err) < 0)
		return -1;
	return 0;
}

int cage_oci_parse(const char *text, size_t len, const char *name, struct cage_oci *oci,
		   cage_err_t *err)
{
	memset(oci, 0, sizeof(*oci));
	if (cage_json_parse(text, len, name, MAX_CONFIG, &oci->tree, err) < 0 ||
	    parse_doc(oci->tree, oci, name, err) < 0) {
		cage_oci_free(oci); /* as it was: nothing to free */
		return -1;
	}
	return 0;
}

int cage_oci_load(const char *path, struct cage_oci *oci, cage_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	memset(oci, 0, sizeof(*oci));
	if (cage_read_file(path, MAX_CONFIG, &text, &len, err) < 0)
		return -1;
	if (cage_oci_parse(text, len, path, oci, err) < 0)
		return -1;
	if (oci->root[0] == '/')
		return 0;
	/* A relative root.path is the bundle's (the directory of config.json,
	 * named absolutely: never the caller's cwd, which a setuid caller's
	 * user chooses). */
	if (path[0] != '/')
		return cage_err_set(err, "%s: a relative root.path needs the bundle's absolute path", path);
	_cleanup_free_ char *dir = strdup(path);
	char *abs = NULL;
	if (dir)
		*strrchr(dir, '/') = '\0';
	if (!dir || asprintf(&abs, "%s/%s", dir, oci->root) < 0)
		return cage_err_sys(err, ENOMEM, "%s", path);
	free(oci->root);
	oci->root = abs;
	return 0;
}

void cage_oci_free(struct cage_oci *oci)
{
	for (size_t i = 0; i < oci->nmounts; i++) {
		free(oci->mounts[i].destination);
		free(oci->mounts[i].type);
		free(oci->mounts[i].source);
		cage_strvec_free(&oci->mounts[i].options);
	}
	free(oci->mounts);
	free(oci->root);
	free(oci->hostname);
	free(oci->gids);
	free(oci->cwd);
	cage_strvec_free(&oci->args);
	cage_strvec_free(&oci->env);
	cage_strvec_free(&oci->masked);
	cage_strvec_free(&oci->readonly);
	cage_json_free(oci->tree);
	memset(oci, 0, sizeof(*oci));
}
