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

#include "cagefs/cleanup.h"
#include "cagefs/json.h"

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

static void kv(cage_jgen *g, const char *k, const char *v)
{
	cage_jgen_string(g, k);
	cage_jgen_string(g, v);
}

static void str_array(cage_jgen *g, const char *key, const char *const *v, size_t n)
{
	cage_jgen_string(g, key);
	cage_jgen_array_open(g);
	for (size_t i = 0; i < n; i++)
		cage_jgen_string(g, v[i]);
	cage_jgen_array_close(g);
}

static bool in_group(const struct gr_entry *g, const char *user)
{
	for (size_t i = 0; i < g->members.n; i++)
		if (!strcmp(g->members.v[i], user))
			return true;
	return false;
}

static void gen_user(cage_jgen *g, struct cage_bundle_ctx *c, const struct cage_user *u)
{
	cage_jgen_string(g, "user");
	cage_jgen_map_open(g);
	cage_jgen_string(g, "uid");
	cage_jgen_int(g, u->uid);
	cage_jgen_string(g, "gid");
	cage_jgen_int(g, u->gid);
	cage_jgen_string(g, "additionalGids");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < c->ngr; i++)
		if (c->gr[i].gid != u->gid && in_group(&c->gr[i], u->name))
			cage_jgen_int(g, c->gr[i].gid);
	cage_jgen_array_close(g);
	cage_jgen_map_close(g);
}

static void gen_process(cage_jgen *g, struct cage_bundle_ctx *c, const struct cage_user *u)
{
	cage_jgen_string(g, "process");
	cage_jgen_map_open(g);
	cage_jgen_string(g, "terminal");
	cage_jgen_bool(g, false);
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
	cage_jgen_string(g, "capabilities");
	cage_jgen_map_open(g);
	static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
	for (size_t i = 0; i < 5; i++)
		str_array(g, sets[i], NULL, 0);
	cage_jgen_map_close(g);
	cage_jgen_string(g, "noNewPrivileges");
	cage_jgen_bool(g, true);
	cage_jgen_map_close(g);
}

static void gen_mounts(cage_jgen *g, const struct cage_mountplan *plan)
{
	cage_jgen_string(g, "mounts");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < plan->n; i++) {
		const struct cage_mount *m = &plan->m[i];
		if (m->optional && access(m->source, F_OK) != 0)
			continue;
		cage_jgen_map_open(g);
		kv(g, "destination", m->destination);
		kv(g, "type", m->type);
		kv(g, "source", m->source);
		str_array(g, "options", (const char *const *)m->options.v, m->options.n);
		cage_jgen_map_close(g);
	}
	cage_jgen_array_close(g);
}

static void gen_linux(cage_jgen *g, const cage_json *seccomp)
{
	cage_jgen_string(g, "linux");
	cage_jgen_map_open(g);
	cage_jgen_string(g, "namespaces");
	cage_jgen_array_open(g);
	/* pid: the cage's processes see only one another (§4.15) */
	static const char *const ns[] = {"pid", "mount", "ipc", "uts"};
	for (size_t i = 0; i < 4; i++) {
		cage_jgen_map_open(g);
		kv(g, "type", ns[i]);
		cage_jgen_map_close(g);
	}
	cage_jgen_array_close(g);
	str_array(g, "maskedPaths", masked_paths, sizeof(masked_paths) / sizeof(*masked_paths));
	str_array(g, "readonlyPaths", readonly_paths, sizeof(readonly_paths) / sizeof(*readonly_paths));
	/* Nothing mounted inside a cage may propagate back to the host. */
	kv(g, "rootfsPropagation", "private");
	if (seccomp) {
		cage_jgen_string(g, "seccomp");
		cage_jgen_value(g, seccomp);
	}
	cage_jgen_map_close(g);
}

int cage_bundle_config_json(struct cage_bundle_ctx *c, const struct cage_user *u,
			    const struct cage_mountplan *plan, const cage_json *seccomp, char **out,
			    size_t *len, cage_err_t *err)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(CAGE_JGEN_PRETTY);
	cage_jgen_map_open(g);
	kv(g, "ociVersion", OCI_VERSION);
	gen_process(g, c, u);
	cage_jgen_string(g, "root");
	cage_jgen_map_open(g);
	kv(g, "path", "rootfs"); /* a link to the skeleton (bundle.c) */
	cage_jgen_string(g, "readonly");
	cage_jgen_bool(g, true);
	cage_jgen_map_close(g);
	kv(g, "hostname", c->hostname);
	gen_mounts(g, plan);
	gen_linux(g, seccomp);
	cage_jgen_map_close(g);
	if (cage_jgen_finish(g, out, len, err) < 0)
		return cage_err_prefix(err, "cannot generate config.json for %s", u->name);
	return 0;
}
