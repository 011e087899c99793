/* Reading config.json with yajl (docs/ARCHITECTURE.md §3): just what the
 * runtime needs, with every type checked, so a corrupted file is a clear
 * error. */
#define _GNU_SOURCE
#include "oci_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <yajl/yajl_tree.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

/* (Shared with runtime/container/spec.c through oci_internal.h.) */
yajl_val cage_json_get(yajl_val obj, const char *key, yajl_type type)
{
	const char *path[] = {key, NULL};
	return yajl_tree_get(obj, path, type); /* NULL-safe: a missing obj gives NULL */
}

#define get cage_json_get

/* The value of a node already checked to be a string. */
static const char *sval(yajl_val v)
{
	return v->u.string;
}

static int need_str(yajl_val obj, const char *key, char **out, const char *name, cage_err_t *err)
{
	yajl_val v = get(obj, key, yajl_t_string);
	if (!v)
		return cage_err_set(err, "%s: '%s' missing or not a string", name, key);
	*out = strdup(sval(v));
	return *out ? 0 : cage_err_sys(err, ENOMEM, "%s", name);
}

int cage_json_str_list(yajl_val arr, cage_strvec_t *out, const char *what, const char *name,
		       cage_err_t *err)
{
	if (!arr)
		return 0;
	if (!YAJL_IS_ARRAY(arr))
		return cage_err_set(err, "%s: %s is not an array", name, what);
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val s = arr->u.array.values[i];
		if (!YAJL_IS_STRING(s))
			return cage_err_set(err, "%s: %s[%zu] is not a string", name, what, i);
		if (cage_strvec_push(out, sval(s)) < 0)
			return cage_err_sys(err, ENOMEM, "%s", name);
	}
	return 0;
}

static int parse_mounts(yajl_val arr, struct cage_oci *oci, const char *name, cage_err_t *err)
{
	if (!arr || !YAJL_IS_ARRAY(arr))
		return cage_err_set(err, "%s: 'mounts' missing or not an array", name);
	oci->mounts = calloc(arr->u.array.len + 1, sizeof(*oci->mounts));
	if (!oci->mounts)
		return cage_err_sys(err, ENOMEM, "%s", name);
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val m = arr->u.array.values[i];
		struct cage_oci_mount *om = &oci->mounts[oci->nmounts++];
		if (!YAJL_IS_OBJECT(m) || need_str(m, "destination", &om->destination, name, err) < 0)
			return cage_err_prefix(err, "mounts[%zu]", i);
		yajl_val t = get(m, "type", yajl_t_string), s = get(m, "source", yajl_t_string);
		om->type = strdup(t ? sval(t) : "bind");
		om->source = strdup(s ? sval(s) : "none");
		if (!om->type || !om->source ||
		    cage_json_str_list(get(m, "options", yajl_t_any), &om->options, "mounts[].options", name, err) < 0)
			return cage_err_prefix(err, "mounts[%zu]", i);
		if (om->destination[0] != '/')
			return cage_err_set(err, "%s: mounts[%zu].destination is not absolute", name, i);
		om->bind = !strcmp(om->type, "bind") || cage_strvec_contains(&om->options, "bind") ||
			   cage_strvec_contains(&om->options, "rbind");
	}
	return 0;
}

static int parse_user(yajl_val proc, struct cage_oci *oci, const char *name, cage_err_t *err)
{
	yajl_val user = get(proc, "user", yajl_t_object);
	yajl_val uid = user ? get(user, "uid", yajl_t_number) : NULL;
	yajl_val gid = user ? get(user, "gid", yajl_t_number) : NULL;
	if (!uid || !gid || !YAJL_IS_INTEGER(uid) || !YAJL_IS_INTEGER(gid) ||
	    YAJL_GET_INTEGER(uid) < 0 || YAJL_GET_INTEGER(gid) < 0)
		return cage_err_set(err, "%s: process.user.uid/gid missing or invalid", name);
	oci->uid = (uid_t)YAJL_GET_INTEGER(uid);
	oci->gid = (gid_t)YAJL_GET_INTEGER(gid);
	yajl_val extra = get(user, "additionalGids", yajl_t_array);
	size_t n = extra ? extra->u.array.len : 0;
	oci->gids = calloc(n + 1, sizeof(gid_t));
	if (!oci->gids)
		return cage_err_sys(err, ENOMEM, "%s", name);
	for (size_t i = 0; i < n; i++) {
		yajl_val g = extra->u.array.values[i];
		if (!YAJL_IS_INTEGER(g) || YAJL_GET_INTEGER(g) < 0)
			return cage_err_set(err, "%s: additionalGids[%zu] invalid", name, i);
		oci->gids[oci->ngids++] = (gid_t)YAJL_GET_INTEGER(g);
	}
	return 0;
}

static int parse_process(yajl_val doc, struct cage_oci *oci, const char *name, cage_err_t *err)
{
	yajl_val proc = get(doc, "process", yajl_t_object);
	if (!proc)
		return cage_err_set(err, "%s: 'process' missing", name);
	if (parse_user(proc, oci, name, err) < 0 ||
	    cage_json_str_list(get(proc, "args", yajl_t_any), &oci->args, "process.args", name, err) < 0 ||
	    cage_json_str_list(get(proc, "env", yajl_t_any), &oci->env, "process.env", name, err) < 0 ||
	    need_str(proc, "cwd", &oci->cwd, name, err) < 0)
		return -1;
	oci->no_new_privs = YAJL_IS_TRUE(get(proc, "noNewPrivileges", yajl_t_any));
	return 0;
}

static const struct { const char *type; int flag; } ns_types[] = {
	{"mount", CLONE_NEWNS}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
	{"pid", CLONE_NEWPID}, {"network", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP},
};

static int parse_linux(yajl_val doc, struct cage_oci *oci, const char *name, cage_err_t *err)
{
	yajl_val lx = get(doc, "linux", yajl_t_object);
	yajl_val ns = lx ? get(lx, "namespaces", yajl_t_array) : NULL;
	for (size_t i = 0; ns && i < ns->u.array.len; i++) {
		yajl_val t = get(ns->u.array.values[i], "type", yajl_t_string);
		for (size_t k = 0; t && k < sizeof(ns_types) / sizeof(*ns_types); k++)
			if (!strcmp(sval(t), ns_types[k].type))
				oci->namespaces |= ns_types[k].flag;
	}
	if (!(oci->namespaces & CLONE_NEWNS))
		return cage_err_set(err, "%s: linux.namespaces must include a mount namespace", name);
	oci->seccomp = lx ? get(lx, "seccomp", yajl_t_object) : NULL;
	if (lx && (cage_json_str_list(get(lx, "maskedPaths", yajl_t_any), &oci->masked, "maskedPaths", name, err) < 0 ||
		   cage_json_str_list(get(lx, "readonlyPaths", yajl_t_any), &oci->readonly, "readonlyPaths", name, err) < 0))
		return -1;
	return 0;
}

int cage_oci_parse(const char *text, size_t len, const char *name, struct cage_oci *oci,
		   cage_err_t *err)
{
	memset(oci, 0, sizeof(*oci));
	char ebuf[256] = "";
	(void)len;
	yajl_val doc = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!doc || !YAJL_IS_OBJECT(doc)) {
		if (doc)
			yajl_tree_free(doc);
		char *nl = strchr(ebuf, '\n');
		if (nl)
			*nl = '\0';
		return cage_err_set(err, "%s: not a valid JSON object: %s", name, ebuf[0] ? ebuf : "empty");
	}
	oci->tree = doc;
	yajl_val root = get(doc, "root", yajl_t_object);
	if (!root || need_str(root, "path", &oci->root, name, err) < 0)
		return cage_err_set(err, "%s: 'root.path' missing", name);
	oci->root_readonly = YAJL_IS_TRUE(get(root, "readonly", yajl_t_any));
	yajl_val host = get(doc, "hostname", yajl_t_string);
	if (host && !(oci->hostname = strdup(sval(host))))
		return cage_err_sys(err, ENOMEM, "%s", name);
	if (parse_process(doc, oci, name, err) < 0 || parse_linux(doc, oci, name, err) < 0 ||
	    parse_mounts(get(doc, "mounts", yajl_t_any), oci, name, err) < 0)
		return -1;
	return 0;
}

int cage_oci_load(const char *path, struct cage_oci *oci, cage_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	memset(oci, 0, sizeof(*oci));
	if (cage_read_file(path, 8u << 20, &text, &len, err) < 0)
		return -1;
	if (memchr(text, '\0', len))
		return cage_err_set(err, "%s: NUL byte in the file", path);
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
	if (oci->tree)
		yajl_tree_free(oci->tree);
	memset(oci, 0, sizeof(*oci));
}
