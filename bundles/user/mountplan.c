/* The mount plan of one user's cage, as pure data (docs/ARCHITECTURE.md §2:
 * plan, then execute; unit-tested without root).  Order matters: the
 * kernel's filesystems first, then /etc, then every other mount sorted by
 * destination so that a directory is mounted before what goes inside it. */
#define _GNU_SOURCE
#include "cagefs/bundle.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

/* Options of every mount a user can write to: no setuid, no devices. */
#define USER_RW "rbind", "nosuid", "nodev"
#define BUNDLE_RO "bind", "ro", "nosuid", "nodev", "noexec"

/* The end of add_mount's option list: a typed null pointer, as a variadic
 * argument must be (NULL may be a plain 0). */
#define OPTS_END ((const char *)NULL)

static int add_mount(struct cage_mountplan *p, const char *dest, const char *type,
		     const char *src, ...)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct cage_mount *m = realloc(p->m, cap * sizeof(*m));
		if (!m)
			return -1;
		p->m = m;
		p->cap = cap;
	}
	struct cage_mount *m = &p->m[p->n];
	memset(m, 0, sizeof(*m));
	m->destination = strdup(dest);
	m->type = strdup(type);
	m->source = strdup(src);
	p->n++;
	if (!m->destination || !m->type || !m->source)
		return -1;
	va_list ap;
	va_start(ap, src);
	for (const char *o; (o = va_arg(ap, const char *));)
		if (cage_strvec_push(&m->options, o) < 0) {
			va_end(ap);
			return -1;
		}
	va_end(ap);
	return 0;
}

static int add_prep(struct cage_mountplan *p, enum cage_prep_kind kind, const char *path,
		    const char *target, mode_t mode)
{
	if (p->nprep == p->capprep) {
		size_t cap = p->capprep ? p->capprep * 2 : 16;
		struct cage_prep *v = realloc(p->prep, cap * sizeof(*v));
		if (!v)
			return -1;
		p->prep = v;
		p->capprep = cap;
	}
	struct cage_prep *e = &p->prep[p->nprep++];
	e->kind = kind;
	e->mode = mode;
	while (*path == '/')
		path++;
	e->path = strdup(path);
	e->target = target ? strdup(target) : NULL;
	return e->path && (!target || e->target) ? 0 : -1;
}

static char *join(const char *a, const char *b)
{
	return cage_path_join(a, b);
}

static const char *last_component(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The proc, dev, sys mounts of every cage (OCI defaults, plus hidepid). */
static int system_mounts(struct cage_mountplan *p)
{
	int rc = 0;
	/* A private procfs instance: the user sees only their own processes
	 * (hidepid=invisible, kernel >= 5.8 per-mount options;
	 * docs/ARCHITECTURE.md §4.1). */
	rc |= add_mount(p, "/proc", "proc", "proc", "nosuid", "noexec", "nodev",
			"hidepid=invisible", OPTS_END);
	rc |= add_mount(p, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755",
			"size=65536k", OPTS_END);
	rc |= add_mount(p, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance",
			"ptmxmode=0666", "mode=0620", "gid=5", OPTS_END);
	rc |= add_mount(p, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777",
			"size=65536k", OPTS_END);
	rc |= add_mount(p, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro", OPTS_END);
	return rc;
}

static int etc_mount(struct cage_mountplan *p, const struct cage_mountplan_input *in)
{
	_cleanup_free_ char *upper = join(in->bundle_dir, "etc");
	_cleanup_free_ char *lower = join(in->skeleton, "etc");
	_cleanup_free_ char *opt = NULL;
	if (!upper || !lower || asprintf(&opt, "lowerdir=%s:%s", upper, lower) < 0)
		return -1;
	/* Two lower layers and no upper: a read-only merge, the user's files first. */
	return add_mount(p, "/etc", "overlay", "overlay", opt, "nosuid", "nodev", OPTS_END);
}

/* An empty directory from the bundle shown at `dir`, holding only `leaf`. */
static int base_dir_mount(struct cage_mountplan *p, const char *dir, const char *leaf,
			  const char *host_src, bool optional, const struct cage_mountplan_input *in)
{
	_cleanup_free_ char *bsrc = join(in->bundle_dir, dir);
	_cleanup_free_ char *rel = join(dir, leaf);
	_cleanup_free_ char *dest = join(dir, leaf);
	if (!bsrc || !rel || !dest)
		return -1;
	if (add_prep(p, CAGE_PREP_BUNDLE_DIR, rel, NULL, 0755) < 0 ||
	    add_mount(p, dir, "bind", bsrc, BUNDLE_RO, OPTS_END) < 0)
		return -1;
	if (!host_src)
		return 0;
	if (add_mount(p, dest, "bind", host_src, USER_RW, OPTS_END) < 0)
		return -1;
	p->m[p->n - 1].optional = optional;
	return 0;
}

static int home_mounts(struct cage_mountplan *p, const struct cage_mountplan_input *in,
		       cage_err_t *err)
{
	_cleanup_free_ char *base = NULL, *mnt = NULL;
	static const struct cage_basehome no_rules;
	if (cage_basehome_resolve(in->bh ? in->bh : &no_rules, in->home_real, &base, &mnt, err) < 0)
		return -1;
	if (base_dir_mount(p, base, last_component(mnt), mnt, false, in) < 0)
		return cage_err_sys(err, ENOMEM, "mount plan");
	if (!strcmp(in->home, in->home_real))
		return 0;
	/* Manual: "Mounting user's home directory": a symlinked home (say
	 * /home/u -> /home2/u) is replicated, so both paths work inside. */
	_cleanup_free_ char *lbase = NULL, *lmnt = NULL;
	static const struct cage_basehome none;
	if (cage_basehome_resolve(&none, in->home, &lbase, &lmnt, err) < 0)
		return -1;
	if (!strcmp(lbase, base))
		return 0;
	_cleanup_free_ char *bsrc = join(in->bundle_dir, lbase);
	_cleanup_free_ char *link = join(lbase, last_component(in->home));
	if (!bsrc || !link || add_prep(p, CAGE_PREP_BUNDLE_DIR, lbase, NULL, 0755) < 0 ||
	    add_prep(p, CAGE_PREP_BUNDLE_SYMLINK, link, in->home_real, 0777) < 0 ||
	    add_mount(p, lbase, "bind", bsrc, BUNDLE_RO, OPTS_END) < 0)
		return cage_err_sys(err, ENOMEM, "mount plan");
	return 0;
}

/* /tmp and /var/tmp: ~/.cagefs/tmp (manual: "TMP Directories"). */
static int tmp_mounts(struct cage_mountplan *p, const struct cage_mountplan_input *in)
{
	_cleanup_free_ char *src = join(in->home_real, ".cagefs/tmp");
	if (!src || add_prep(p, CAGE_PREP_HOME_DIR, ".cagefs", NULL, 0700) < 0 ||
	    add_prep(p, CAGE_PREP_HOME_DIR, ".cagefs/tmp", NULL, 0700) < 0)
		return -1;
	if (add_mount(p, "/tmp", "bind", src, USER_RW, OPTS_END) < 0)
		return -1;
	return add_mount(p, "/var/tmp", "bind", src, USER_RW, OPTS_END);
}

static int mp_entry(struct cage_mountplan *p, const struct cage_mountplan_input *in, size_t i)
{
	const struct cage_mp_entry *e = &in->mp->e[i];
	const char *real = in->mp_real && i < in->mp_real->n ? in->mp_real->v[i] : e->path;
	if (!strcmp(e->path, "/proc") || !strcmp(e->path, "/dev/pts"))
		return 0; /* the manual lists them; every cage has its own anyway */
	switch (e->kind) {
	case CAGE_MP_SHARED:
		return real[0] ? add_mount(p, real, "bind", real, USER_RW, OPTS_END) : 0;
	case CAGE_MP_PERUSER: {
		_cleanup_free_ char *rel = join(".cagefs", e->path);
		_cleanup_free_ char *src = rel ? join(in->home_real, rel) : NULL;
		if (!src)
			return -1;
		/* Every component below ~/.cagefs, then the directory itself. */
		for (char *s = strchr(rel + strlen(".cagefs") + 1, '/'); s; s = strchr(s + 1, '/')) {
			*s = '\0';
			int rc = add_prep(p, CAGE_PREP_HOME_DIR, rel, NULL, 0700);
			*s = '/';
			if (rc < 0)
				return -1;
		}
		if (add_prep(p, CAGE_PREP_HOME_DIR, rel, NULL, e->mode) < 0)
			return -1;
		return add_mount(p, real[0] ? real : e->path, "bind", src, USER_RW, OPTS_END);
	}
	case CAGE_MP_SPLIT: {
		_cleanup_free_ char *src = join(real[0] ? real : e->path, in->user);
		/* Users without a sub-directory there just see an empty one. */
		return src ? base_dir_mount(p, real[0] ? real : e->path, in->user, src, true, in) : -1;
	}
	}
	return 0;
}

static int virt_mounts(struct cage_mountplan *p, const struct cage_mountplan_input *in)
{
	for (size_t i = 0; in->virt && i < in->virt->n; i++) {
		const struct cage_virt_dir *d = &in->virt->d[i];
		_cleanup_free_ char *bsrc = join(in->bundle_dir, d->path);
		if (!bsrc || add_prep(p, CAGE_PREP_BUNDLE_DIR, d->path, NULL, d->mode) < 0)
			return -1;
		/* '>': the directory lies inside another bundle directory (the
		 * home base), which is mounted already (manual: virt.mp). */
		if (!d->no_mount && add_mount(p, d->path, "bind", bsrc, BUNDLE_RO, OPTS_END) < 0)
			return -1;
		for (size_t k = 0; k < d->nsubs; k++) {
			_cleanup_free_ char *dest = join(d->path, d->subs[k].name);
			if (!dest || add_prep(p, CAGE_PREP_BUNDLE_DIR, dest, NULL, d->subs[k].mode) < 0 ||
			    add_mount(p, dest, "bind", dest, USER_RW, OPTS_END) < 0)
				return -1;
		}
	}
	return 0;
}

/* Stable insertion sort by destination (plans are a few dozen mounts): a
 * directory sorts before what is below it, and among equal destinations the
 * later entry stays later, i.e. on top. */
static void sort_by_destination(struct cage_mount *m, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct cage_mount cur = m[i];
		size_t j = i;
		for (; j > 0 && strcmp(m[j - 1].destination, cur.destination) > 0; j--)
			m[j] = m[j - 1];
		m[j] = cur;
	}
}

static bool below_other_mount(const struct cage_mountplan *p, size_t upto, const char *dest)
{
	for (size_t i = 0; i < upto; i++) {
		size_t n = strlen(p->m[i].destination);
		if (!strncmp(p->m[i].destination, dest, n) && dest[n] == '/')
			return true;
	}
	return false;
}

static int collect_skel_dirs(struct cage_mountplan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (!below_other_mount(p, i, p->m[i].destination) &&
		    cage_strvec_push(&p->skel_dirs, p->m[i].destination) < 0)
			return -1;
	cage_strvec_sort_unique(&p->skel_dirs);
	return 0;
}

int cage_mountplan_build(const struct cage_mountplan_input *in, struct cage_mountplan *p,
			 cage_err_t *err)
{
	memset(p, 0, sizeof(*p));
	if (system_mounts(p) < 0 || etc_mount(p, in) < 0)
		return cage_err_sys(err, ENOMEM, "mount plan");
	size_t fixed = p->n;
	if (home_mounts(p, in, err) < 0)
		return -1;
	if (tmp_mounts(p, in) < 0)
		return cage_err_sys(err, ENOMEM, "mount plan");
	for (size_t i = 0; in->mp && i < in->mp->n; i++)
		if (mp_entry(p, in, i) < 0)
			return cage_err_sys(err, ENOMEM, "mount plan");
	if (virt_mounts(p, in) < 0)
		return cage_err_sys(err, ENOMEM, "mount plan");
	/* proxyexecd's socket (docs/ARCHITECTURE.md §4.18): its directory,
	 * so a daemon that replaces its socket is seen at once; read-only,
	 * since connecting needs no write to the directory. */
	if (in->proxy_dir && add_mount(p, CAGE_PROXY_DIR_IN_CAGE, "bind", in->proxy_dir, BUNDLE_RO, OPTS_END) < 0)
		return cage_err_sys(err, ENOMEM, "mount plan");
	sort_by_destination(p->m + fixed, p->n - fixed);
	return collect_skel_dirs(p) < 0 ? cage_err_sys(err, ENOMEM, "mount plan") : 0;
}

void cage_mountplan_free(struct cage_mountplan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->m[i].destination);
		free(p->m[i].type);
		free(p->m[i].source);
		cage_strvec_free(&p->m[i].options);
	}
	for (size_t i = 0; i < p->nprep; i++) {
		free(p->prep[i].path);
		free(p->prep[i].target);
	}
	free(p->m);
	free(p->prep);
	cage_strvec_free(&p->skel_dirs);
	memset(p, 0, sizeof(*p));
}
