/* config.json: a real OCI runtime-spec document (docs/ARCHITECTURE.md §3),
 * read by our runtime and runnable by crun/runc, which is our
 * interoperability check. */
#define _GNU_SOURCE
#include "bundle_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cagefs/cleanup.h"
#include "cagefs/seccomp.h"

#define OCI_VERSION "1.0.2"

/* OCI runtimes' defaults (runc's spec template), docs/ARCHITECTURE.md §4.1. */
static const char *const masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware", "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static void str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void kv(yajl_gen g, const char *k, const char *v)
{
	str(g, k);
	str(g, v);
}

static void str_array(yajl_gen g, const char *key, const char *const *v, size_t n)
{
	str(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		str(g, v[i]);
	yajl_gen_array_close(g);
}

static bool in_group(const struct gr_entry *g, const char *user)
{
	for (size_t i = 0; i < g->members.n; i++)
		if (!strcmp(g->members.v[i], user))
			return true;
	return false;
}

static void gen_user(yajl_gen g, struct cage_bundle_ctx *c, const struct cage_user *u)
{
	str(g, "user");
	yajl_gen_map_open(g);
	str(g, "uid");
	yajl_gen_integer(g, u->uid);
	str(g, "gid");
	yajl_gen_integer(g, u->gid);
	str(g, "additionalGids");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < c->ngr; i++)
		if (c->gr[i].gid != u->gid && in_group(&c->gr[i], u->name))
			yajl_gen_integer(g, c->gr[i].gid);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

static void gen_process(yajl_gen g, struct cage_bundle_ctx *c, const struct cage_user *u)
{
	str(g, "process");
	yajl_gen_map_open(g);
	str(g, "terminal");
	yajl_gen_bool(g, 0);
	gen_user(g, c, u);
	const char *args[] = {u->shell[0] ? u->shell : "/bin/sh"};
	str_array(g, "args", args, 1);
	_cleanup_free_ char *home = NULL, *user = NULL, *logname = NULL, *shell = NULL;
	if (asprintf(&home, "HOME=%s", u->home) < 0 || asprintf(&user, "USER=%s", u->name) < 0 ||
	    asprintf(&logname, "LOGNAME=%s", u->name) < 0 || asprintf(&shell, "SHELL=%s", args[0]) < 0)
		return;
	const char *env[] = {"PATH=/usr/local/bin:/usr/bin:/bin", home, user, logname, shell,
			     "LANG=C.UTF-8"};
	str_array(g, "env", env, sizeof(env) / sizeof(*env));
	kv(g, "cwd", u->home);
	str(g, "capabilities");
	yajl_gen_map_open(g);
	static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
	for (size_t i = 0; i < 5; i++)
		str_array(g, sets[i], NULL, 0);
	yajl_gen_map_close(g);
	str(g, "noNewPrivileges");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
}

static void gen_mounts(yajl_gen g, const struct cage_mountplan *plan)
{
	str(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < plan->n; i++) {
		const struct cage_mount *m = &plan->m[i];
		if (m->optional && access(m->source, F_OK) != 0)
			continue;
		yajl_gen_map_open(g);
		kv(g, "destination", m->destination);
		kv(g, "type", m->type);
		kv(g, "source", m->source);
		str_array(g, "options", (const char *const *)m->options.v, m->options.n);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, struct cage_bundle_ctx *c)
{
	str(g, "linux");
	yajl_gen_map_open(g);
	str(g, "namespaces");
	yajl_gen_array_open(g);
	static const char *const ns[] = {"mount", "ipc", "uts"};
	for (size_t i = 0; i < 3; i++) {
		yajl_gen_map_open(g);
		kv(g, "type", ns[i]);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	str_array(g, "maskedPaths", masked_paths, sizeof(masked_paths) / sizeof(*masked_paths));
	str_array(g, "readonlyPaths", readonly_paths, sizeof(readonly_paths) / sizeof(*readonly_paths));
	/* Nothing mounted inside a cage may propagate back to the host. */
	kv(g, "rootfsPropagation", "private");
	if (c->seccomp) {
		str(g, "seccomp");
		cage_seccomp_gen(g, c->seccomp);
	}
	yajl_gen_map_close(g);
}

int cage_bundle_config_json(struct cage_bundle_ctx *c, const struct cage_user *u,
			    const struct cage_mountplan *plan, char **out, size_t *len,
			    cage_err_t *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		return cage_err_sys(err, ENOMEM, "config.json");
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	kv(g, "ociVersion", OCI_VERSION);
	gen_process(g, c, u);
	str(g, "root");
	yajl_gen_map_open(g);
	kv(g, "path", "rootfs"); /* a link to the skeleton (bundle.c) */
	str(g, "readonly");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
	kv(g, "hostname", c->hostname);
	gen_mounts(g, plan);
	gen_linux(g, c);
	yajl_gen_map_close(g);
	const unsigned char *buf;
	size_t n;
	int rc = 0;
	if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok || !(*out = strndup((const char *)buf, n)))
		rc = cage_err_set(err, "cannot generate config.json for %s", u->name);
	else
		*len = n;
	yajl_gen_free(g);
	return rc;
}
