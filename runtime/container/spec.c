/* config.json of an ordinary OCI bundle: what cage_oci_parse reads (root,
 * process, mounts, seccomp, masked paths) plus the fields only ordinary
 * bundles use: capabilities, rlimits, hooks, sysctl, namespace paths, id
 * mappings, devices, terminal, propagation, cgroups.  Every type is
 * checked; a field this runtime cannot honour is an error naming it. */
#define _GNU_SOURCE
#include "container_internal.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"
#include "runtime/oci/cgroup.h"

#define CFG "config.json"

#define get cage_json_get

static int get_int(const cage_json *obj, const char *key, long long min, long long max, long long *out,
		   const char *what, cage_err_t *err)
{
	const cage_json *v = get(obj, key, CAGE_JSON_ANY);
	if (!v)
		return 0;
	if (cage_json_int(v, min, max, out) < 0)
		return cage_err_set(err, CFG ": %s.%s is not an integer in [%lld, %lld]", what, key, min,
				    max);
	return 1;
}

static const char *const ns_names[CAGE_NS_KINDS] = {"user", "mount", "pid", "ipc", "uts", "network",
						   "cgroup"};
static const int ns_flags[CAGE_NS_KINDS] = {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWIPC,
					    CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWCGROUP};

int cage_ns_flag(enum cage_ns_kind k) { return ns_flags[k]; }

static int parse_namespaces(const cage_json *lx, struct cage_spec *s, cage_err_t *err)
{
	const cage_json *ns = get(lx, "namespaces", CAGE_JSON_ANY);
	if (ns && !cage_json_is(ns, CAGE_JSON_ARRAY))
		return cage_err_set(err, CFG ": linux.namespaces is not an array");
	for (size_t i = 0; i < cage_json_array_len(ns); i++) {
		const char *t = cage_json_string(get(cage_json_array_at(ns, i), "type", CAGE_JSON_STRING));
		const char *path = cage_json_string(get(cage_json_array_at(ns, i), "path", CAGE_JSON_STRING));
		int k = 0;
		while (t && k < CAGE_NS_KINDS && strcmp(t, ns_names[k]))
			k++;
		if (!t || k == CAGE_NS_KINDS)
			return cage_err_set(err, CFG ": linux.namespaces[%zu]: unsupported type", i);
		if (s->ns_listed[k])
			return cage_err_set(err, CFG ": linux.namespaces: %s listed twice", ns_names[k]);
		s->ns_listed[k] = true;
		if (path && path[0] && !(s->ns_path[k] = strdup(path)))
			return cage_err_sys(err, ENOMEM, CFG);
	}
	return 0;
}

static int parse_idmap(const cage_json *arr, char **out, const char *what, cage_err_t *err)
{
	if (!arr)
		return 0;
	size_t len = cage_json_array_len(arr);
	if (!cage_json_is(arr, CAGE_JSON_ARRAY) || len > 340)
		return cage_err_set(err, CFG ": linux.%s is not an array of at most 340 entries", what);
	size_t cap = len * 40 + 1, used = 0;
	if (!(*out = calloc(1, cap)))
		return cage_err_sys(err, ENOMEM, CFG);
	for (size_t i = 0; i < len; i++) {
		long long c = -1, h = -1, n = -1;
		const cage_json *m = cage_json_array_at(arr, i);
		if (get_int(m, "containerID", 0, UINT32_MAX - 1, &c, what, err) < 0 ||
		    get_int(m, "hostID", 0, UINT32_MAX - 1, &h, what, err) < 0 ||
		    get_int(m, "size", 1, UINT32_MAX, &n, what, err) < 0)
			return -1;
		if (c < 0 || h < 0 || n < 0)
			return cage_err_set(err, CFG ": linux.%s[%zu] needs containerID, hostID and size",
					    what, i);
		used += (size_t)snprintf(*out + used, cap - used, "%lld %lld %lld\n", c, h, n);
	}
	return 0;
}

static int parse_caps(const cage_json *proc, struct cage_spec *s, cage_err_t *err)
{
	static const char *const sets[CAGE_CAP_SETS] = {"bounding", "effective", "inheritable",
							"permitted", "ambient"};
	const cage_json *caps = get(proc, "capabilities", CAGE_JSON_ANY);
	if (caps && !cage_json_is(caps, CAGE_JSON_OBJECT))
		return cage_err_set(err, CFG ": process.capabilities is not an object");
	for (int k = 0; caps && k < CAGE_CAP_SETS; k++) {
		_cleanup_strvec_ cage_strvec_t names = {0};
		char what[64];
		snprintf(what, sizeof(what), "process.capabilities.%s", sets[k]);
		if (cage_json_str_list(get(caps, sets[k], CAGE_JSON_ANY), &names, what, CFG, err) < 0)
			return -1;
		for (size_t i = 0; i < names.n; i++) {
			cap_value_t v;
			if (cap_from_name(names.v[i], &v) < 0 || v < 0 || v > 63)
				return cage_err_set(err, CFG ": %s: unknown capability %s", what, names.v[i]);
			/* Unknown to this kernel: runc and crun skip it with a warning. */
			if (v > CAP_LAST_CAP || !CAP_IS_SUPPORTED(v))
				continue;
			s->caps[k] |= 1ULL << v;
		}
	}
	return 0;
}

static const struct { const char *name; int res; } rlimit_names[] = {
	{"RLIMIT_AS", RLIMIT_AS}, {"RLIMIT_CORE", RLIMIT_CORE}, {"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA}, {"RLIMIT_FSIZE", RLIMIT_FSIZE}, {"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE}, {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS}, {"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

/* A limit: 0..2^64-1 read exactly from the number's text (2^64-1 is
 * RLIM_INFINITY); a negative integer is unlimited too, as it always was
 * here; anything else (a fraction, 1e19, 2^64) is an error. */
static int rlim_value(const cage_json *v, rlim_t *out)
{
	uint64_t u;
	if (cage_json_u64(v, &u) == 0) {
		*out = (rlim_t)u;
		return 0;
	}
	if (cage_json_int(v, LLONG_MIN, -1, NULL) == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	return -1;
}

static int parse_rlimit(const cage_json *r, size_t i, struct cage_rlimit *out, cage_err_t *err)
{
	const char *t = cage_json_string(get(r, "type", CAGE_JSON_STRING));
	size_t k = 0, n = sizeof(rlimit_names) / sizeof(*rlimit_names);
	while (t && k < n && strcmp(t, rlimit_names[k].name))
		k++;
	if (!t || k == n)
		return cage_err_set(err, CFG ": process.rlimits[%zu].type missing or unknown", i);
	if (rlim_value(get(r, "hard", CAGE_JSON_ANY), &out->lim.rlim_max) < 0 ||
	    rlim_value(get(r, "soft", CAGE_JSON_ANY), &out->lim.rlim_cur) < 0)
		return cage_err_set(err, CFG ": process.rlimits[%zu] needs integer hard and soft", i);
	out->resource = rlimit_names[k].res;
	if (out->lim.rlim_cur > out->lim.rlim_max)
		return cage_err_set(err, CFG ": process.rlimits[%zu]: soft above hard", i);
	return 0;
}

static int parse_rlimits(const cage_json *proc, struct cage_spec *s, cage_err_t *err)
{
	const cage_json *arr = get(proc, "rlimits", CAGE_JSON_ANY);
	if (!arr)
		return 0;
	if (!cage_json_is(arr, CAGE_JSON_ARRAY))
		return cage_err_set(err, CFG ": process.rlimits is not an array");
	size_t n = cage_json_array_len(arr);
	s->rlimits = calloc(n + 1, sizeof(*s->rlimits));
	if (!s->rlimits)
		return cage_err_sys(err, ENOMEM, CFG);
	for (size_t i = 0; i < n; i++, s->nrlimits++)
		if (parse_rlimit(cage_json_array_at(arr, i), i, &s->rlimits[i], err) < 0)
			return -1;
	return 0;
}

static int parse_process_extra(const cage_json *doc, struct cage_spec *s, cage_err_t *err)
{
	const cage_json *proc = get(doc, "process", CAGE_JSON_OBJECT);
	long long v = -1;
	s->terminal = cage_json_is_true(get(proc, "terminal", CAGE_JSON_ANY));
	s->umask = -1;
	const cage_json *user = get(proc, "user", CAGE_JSON_OBJECT);
	if (get_int(user, "umask", 0, 0777, &v, "process.user", err) < 0)
		return -1;
	s->umask = (int)v;
	int has = get_int(proc, "oomScoreAdj", -1000, 1000, &v, "process", err);
	if (has < 0)
		return -1;
	s->has_oom = has;
	s->oom_score_adj = (int)v;
	if (get(proc, "apparmorProfile", CAGE_JSON_STRING) || get(proc, "selinuxLabel", CAGE_JSON_STRING))
		cage_warn(CFG ": process.apparmorProfile/selinuxLabel are not applied by cagefs-runtime");
	return parse_caps(proc, s, err) < 0 ? -1 : parse_rlimits(proc, s, err);
}

static int parse_hook(const cage_json *h, const char *what, struct cage_hook *out, cage_err_t *err)
{
	const char *path = cage_json_string(get(h, "path", CAGE_JSON_STRING));
	long long t = 0;
	if (!path || path[0] != '/')
		return cage_err_set(err, CFG ": %s: 'path' missing or not absolute", what);
	if (!(out->path = strdup(path)))
		return cage_err_sys(err, ENOMEM, CFG);
	if (cage_json_str_list(get(h, "args", CAGE_JSON_ANY), &out->args, what, CFG, err) < 0 ||
	    cage_json_str_list(get(h, "env", CAGE_JSON_ANY), &out->env, what, CFG, err) < 0 ||
	    get_int(h, "timeout", 1, INT_MAX, &t, what, err) < 0)
		return -1;
	out->timeout = (int)t;
	return 0;
}

static int parse_hooks(const cage_json *doc, struct cage_spec *s, cage_err_t *err)
{
	static const char *const kinds[CAGE_HOOK_KINDS] = {
		"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};
	const cage_json *hooks = get(doc, "hooks", CAGE_JSON_ANY);
	if (hooks && !cage_json_is(hooks, CAGE_JSON_OBJECT))
		return cage_err_set(err, CFG ": hooks is not an object");
	for (int k = 0; hooks && k < CAGE_HOOK_KINDS; k++) {
		const cage_json *arr = get(hooks, kinds[k], CAGE_JSON_ANY);
		if (!arr)
			continue;
		if (!cage_json_is(arr, CAGE_JSON_ARRAY))
			return cage_err_set(err, CFG ": hooks.%s is not an array", kinds[k]);
		size_t n = cage_json_array_len(arr);
		if (!(s->hooks[k] = calloc(n + 1, sizeof(struct cage_hook))))
			return cage_err_sys(err, ENOMEM, CFG);
		/* Counted before parsing: a half-parsed hook is freed with the rest. */
		for (size_t i = 0; i < n; i++) {
			char what[64];
			s->nhooks[k] = i + 1;
			snprintf(what, sizeof(what), "hooks.%s[%zu]", kinds[k], i);
			if (parse_hook(cage_json_array_at(arr, i), what, &s->hooks[k][i], err) < 0)
				return -1;
		}
	}
	return 0;
}

static int parse_device(const cage_json *d, size_t i, struct cage_device *out, cage_err_t *err)
{
	const char *path = cage_json_string(get(d, "path", CAGE_JSON_STRING));
	const char *t = cage_json_string(get(d, "type", CAGE_JSON_STRING));
	long long maj = 0, min = 0, mode = 0666, uid = 0, gid = 0;
	char what[48];
	snprintf(what, sizeof(what), "linux.devices[%zu]", i);
	if (!path || path[0] != '/' || !t)
		return cage_err_set(err, CFG ": %s needs an absolute path and a type", what);
	out->type = !strcmp(t, "c") || !strcmp(t, "u") ? S_IFCHR : !strcmp(t, "b") ? S_IFBLK
		  : !strcmp(t, "p") ? S_IFIFO : 0;
	if (!out->type)
		return cage_err_set(err, CFG ": %s.type '%s' is not c, u, b or p", what, t);
	if (get_int(d, "major", 0, 4095, &maj, what, err) < 0 ||
	    get_int(d, "minor", 0, 1048575, &min, what, err) < 0 ||
	    get_int(d, "fileMode", 0, 07777, &mode, what, err) < 0 ||
	    get_int(d, "uid", 0, UINT32_MAX - 1, &uid, what, err) < 0 ||
	    get_int(d, "gid", 0, UINT32_MAX - 1, &gid, what, err) < 0)
		return -1;
	out->major = (unsigned)maj;
	out->minor = (unsigned)min;
	out->mode = (mode_t)mode;
	out->uid = (uid_t)uid;
	out->gid = (gid_t)gid;
	out->path = strdup(path);
	return out->path ? 0 : cage_err_sys(err, ENOMEM, CFG);
}

static int parse_devices(const cage_json *lx, struct cage_spec *s, cage_err_t *err)
{
	const cage_json *arr = get(lx, "devices", CAGE_JSON_ANY);
	if (!arr)
		return 0;
	if (!cage_json_is(arr, CAGE_JSON_ARRAY))
		return cage_err_set(err, CFG ": linux.devices is not an array");
	size_t n = cage_json_array_len(arr);
	if (!(s->devices = calloc(n + 1, sizeof(*s->devices))))
		return cage_err_sys(err, ENOMEM, CFG);
	for (size_t i = 0; i < n; i++)
		if ((s->ndevices = i + 1, parse_device(cage_json_array_at(arr, i), i, &s->devices[i], err)) < 0)
			return -1;
	return 0;
}

static int parse_propagation(const cage_json *lx, struct cage_spec *s, cage_err_t *err)
{
	const char *p = cage_json_string(get(lx, "rootfsPropagation", CAGE_JSON_STRING));
	long flags = p ? cage_mount_propagation(p, err) : 0;
	if (flags < 0)
		return cage_err_prefix(err, CFG ": linux.rootfsPropagation");
	s->propagation = (unsigned long)flags;
	return 0;
}

static int parse_sysctl(const cage_json *lx, struct cage_spec *s, cage_err_t *err)
{
	const cage_json *obj = get(lx, "sysctl", CAGE_JSON_ANY);
	if (obj && !cage_json_is(obj, CAGE_JSON_OBJECT))
		return cage_err_set(err, CFG ": linux.sysctl is not an object");
	for (size_t i = 0; i < cage_json_object_len(obj); i++) {
		const char *v = cage_json_string(cage_json_object_value(obj, i));
		const char *k = cage_json_object_key(obj, i);
		char *kv = NULL;
		if (!v || !k[0] || strpbrk(k, "/=") || strstr(k, ".."))
			return cage_err_set(err, CFG ": linux.sysctl.%s is not a valid setting", k);
		if (asprintf(&kv, "%s=%s", k, v) < 0 || cage_strvec_push_owned(&s->sysctl, kv) < 0)
			return cage_err_sys(err, ENOMEM, CFG);
	}
	return 0;
}

/* A cgroup below the root of each hierarchy, named plainly: no empty,
 * "." or ".." component (it must stay inside, and never be the root or
 * the runtime's own cgroup, whose processes delete would kill), no control
 * character (the directories are recorded one per line). */
static bool cgroups_path_ok(const char *p)
{
	const char *c = p[0] == '/' ? p + 1 : p;
	if (!*c)
		return false;
	for (; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
		bool start = c == p || c[-1] == '/';
		size_t len = strcspn(c, "/");
		if (start && (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.')))
			return false;
	}
	return p[strlen(p) - 1] != '/';
}

/* Only settings of a namespace the container has of its own may be set:
 * anything else would change the host (runc's rule). */
static bool sysctl_allowed(struct cage_spec *s, const char *kv)
{
	static const struct { const char *prefix; enum cage_ns_kind ns; } ok[] = {
		{"net.", CAGE_NS_NET}, {"kernel.msgmax=", CAGE_NS_IPC}, {"kernel.msgmnb=", CAGE_NS_IPC},
		{"kernel.msgmni=", CAGE_NS_IPC}, {"kernel.sem=", CAGE_NS_IPC}, {"kernel.shmall=", CAGE_NS_IPC},
		{"kernel.shmmax=", CAGE_NS_IPC}, {"kernel.shmmni=", CAGE_NS_IPC},
		{"kernel.shm_rmid_forced=", CAGE_NS_IPC}, {"fs.mqueue.", CAGE_NS_IPC},
		{"kernel.hostname=", CAGE_NS_UTS}, {"kernel.domainname=", CAGE_NS_UTS}};
	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (!strncmp(kv, ok[i].prefix, strlen(ok[i].prefix))) {
			s->ns_written[ok[i].ns] = true; /* checked against the host's at create */
			return s->ns_listed[ok[i].ns];
		}
	return false;
}

static int parse_linux_extra(const cage_json *doc, struct cage_spec *s, cage_err_t *err)
{
	const cage_json *lx = get(doc, "linux", CAGE_JSON_OBJECT);
	const cage_json *cgv = get(lx, "cgroupsPath", CAGE_JSON_ANY);
	const char *cg = cage_json_string(cgv);
	if (cgv && !cg)
		return cage_err_set(err, CFG ": linux.cgroupsPath is not a string");
	if (cg && cg[0] && !cgroups_path_ok(cg))
		return cage_err_set(err, CFG ": linux.cgroupsPath is not a plain path below the root (no '.', "
				    "'..' or empty component, no control character)");
	if (cg && cg[0] && !(s->cgroups_path = strdup(cg)))
		return cage_err_sys(err, ENOMEM, CFG);
	s->resources = get(lx, "resources", CAGE_JSON_ANY);
	if (s->resources && !cage_json_is(s->resources, CAGE_JSON_OBJECT))
		return cage_err_set(err, CFG ": linux.resources is not an object");
	struct cg_knobs knobs; /* malformed limits are refused here, not at create */
	if (cage_cg_knobs(s->resources, "", false, &knobs, err) < 0)
		return -1;
	if (get(lx, "intelRdt", CAGE_JSON_ANY) || get(lx, "personality", CAGE_JSON_ANY) ||
	    get(lx, "timeOffsets", CAGE_JSON_ANY))
		return cage_err_set(err, CFG ": linux.intelRdt, personality and timeOffsets are not "
				    "supported by cagefs-runtime");
	if (parse_namespaces(lx, s, err) < 0 || parse_devices(lx, s, err) < 0 ||
	    parse_propagation(lx, s, err) < 0 || parse_sysctl(lx, s, err) < 0 ||
	    parse_idmap(get(lx, "uidMappings", CAGE_JSON_ANY), &s->uid_map, "uidMappings", err) < 0 ||
	    parse_idmap(get(lx, "gidMappings", CAGE_JSON_ANY), &s->gid_map, "gidMappings", err) < 0)
		return -1;
	if (s->ns_listed[CAGE_NS_USER] && !s->ns_path[CAGE_NS_USER] && (!s->uid_map || !s->gid_map))
		return cage_err_set(err, CFG ": a new user namespace needs linux.uidMappings and "
				    "linux.gidMappings");
	for (size_t i = 0; i < s->sysctl.n; i++)
		if (!sysctl_allowed(s, s->sysctl.v[i]))
			return cage_err_set(err, CFG ": linux.sysctl %s: not a setting of a namespace of "
					    "the container's own", s->sysctl.v[i]);
	if (s->oci.hostname && s->oci.hostname[0] && !s->ns_listed[CAGE_NS_UTS])
		return cage_err_set(err, CFG ": hostname needs a uts namespace");
	s->ns_written[CAGE_NS_UTS] |= s->oci.hostname && s->oci.hostname[0];
	return 0;
}

static int make_absolute(const char *bundle, char **path, cage_err_t *err)
{
	if ((*path)[0] == '/')
		return 0;
	char *abs = cage_path_join(bundle, *path);
	if (!abs)
		return cage_err_sys(err, ENOMEM, CFG);
	free(*path);
	*path = abs;
	return 0;
}

/* root.path and bind sources may be relative to the bundle (config.md). */
static int absolute_root(struct cage_spec *s, cage_err_t *err)
{
	for (size_t i = 0; i < s->oci.nmounts; i++)
		if (s->oci.mounts[i].bind && make_absolute(s->bundle, &s->oci.mounts[i].source, err) < 0)
			return -1;
	return make_absolute(s->bundle, &s->oci.root, err);
}


int cage_spec_parse(const char *text, size_t len, const char *bundle, struct cage_spec *s,
		    cage_err_t *err)
{
	memset(s, 0, sizeof(*s));
	if (!(s->bundle = strdup(bundle)))
		return cage_err_sys(err, ENOMEM, CFG);
	if (cage_oci_parse(text, len, CFG, &s->oci, err) < 0)
		return cage_err_prefix(err, "%s", bundle);
	const cage_json *doc = s->oci.tree;
	s->annotations = get(doc, "annotations", CAGE_JSON_OBJECT);
	if (absolute_root(s, err) < 0 || parse_process_extra(doc, s, err) < 0 ||
	    parse_hooks(doc, s, err) < 0 || parse_linux_extra(doc, s, err) < 0)
		return cage_err_prefix(err, "%s", bundle);
	return 0;
}

static void free_hook(struct cage_hook *h)
{
	free(h->path);
	cage_strvec_free(&h->args);
	cage_strvec_free(&h->env);
}

void cage_spec_free(struct cage_spec *s)
{
	for (int k = 0; k < CAGE_HOOK_KINDS; k++) {
		for (size_t i = 0; i < s->nhooks[k]; i++)
			free_hook(&s->hooks[k][i]);
		free(s->hooks[k]);
	}
	for (size_t i = 0; i < s->ndevices; i++)
		free(s->devices[i].path);
	for (int k = 0; k < CAGE_NS_KINDS; k++)
		free(s->ns_path[k]);
	free(s->devices);
	free(s->rlimits);
	free(s->uid_map);
	free(s->gid_map);
	free(s->cgroups_path);
	free(s->bundle);
	cage_strvec_free(&s->sysctl);
	cage_oci_free(&s->oci);
	memset(s, 0, sizeof(*s));
}
