/* config.json's mount options, read with libmount's own tables: the Linux
 * mount flags (MNT_LINUX_MAP: ro/rw, nosuid/suid, atime options, bind and
 * rbind, propagation...) and the options only mount(8) acts on
 * (MNT_USERSPACE_MAP: defaults, noauto, x-*...), so an option means here
 * what it means to mount(8); what neither table knows is the filesystem's
 * own ("mode=755", "size=64k") and goes to mount(2) as data.
 *
 * libmount is loaded with dlopen() the first time options are read, which
 * happens when a root is built, never when an entry joins a live cage.
 * Linked into cagefs_enter it would load four shared objects and run
 * libselinux's constructor on every login and cron job, about 0.7 million
 * instructions for nothing (docs/ARCHITECTURE.md §4.13). */
#define _GNU_SOURCE
#include "oci_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <libmount/libmount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "cagefs/cleanup.h"

typedef const struct libmnt_optmap *(*optmap_fn)(int id);

/* libmount's table ID (MNT_LINUX_MAP or MNT_USERSPACE_MAP). */
static const struct libmnt_optmap *optmap(int id, cage_err_t *err)
{
	static optmap_fn get;
	if (!get) {
		void *lib = dlopen("libmount.so.1", RTLD_NOW | RTLD_LOCAL);
		get = lib ? (optmap_fn)dlsym(lib, "mnt_get_builtin_optmap") : NULL;
	}
	const struct libmnt_optmap *map = get ? get(id) : NULL;
	if (!map)
		cage_err_set(err, "cannot read libmount's table of mount options (libmount.so.1: %s)",
			     get ? "no table" : dlerror());
	return map;
}

/* The entry of MAP for option OPT ("name" or "name=value"), or NULL.
 * An entry "name=" or "name[=]" takes a value, "x-" is a prefix. */
static const struct libmnt_optmap *lookup(const struct libmnt_optmap *map, const char *opt)
{
	size_t n = strcspn(opt, "=");
	for (; map->name; map++) {
		size_t k = strcspn(map->name, "=[");
		if ((map->mask & MNT_PREFIX) ? !strncmp(opt, map->name, k)
					     : k == n && !strncmp(opt, map->name, n) &&
						       (opt[n] != '=' || map->name[k]))
			return map;
	}
	return NULL;
}

#define PROPAGATION (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE)

/* One option of the Linux table into F. */
static int linux_option(const struct libmnt_optmap *e, const char *opt, struct cage_mount_flags *f,
			cage_err_t *err)
{
	unsigned long id = (unsigned long)(unsigned)e->id;
	if (id & (MS_REMOUNT | MS_MOVE))
		return cage_err_set(err, "option '%s' has no meaning in config.json", opt);
	if (id & PROPAGATION) {
		f->propagation = id;
	} else if (id & MS_BIND) {
		f->recursive |= (id & MS_REC) != 0;
	} else if (e->mask & MNT_INVERT) {
		f->clear |= id;
		f->set &= ~id;
	} else {
		f->set |= id;
		f->clear &= ~id;
	}
	return 0;
}

/* Options of the userspace table are mount(8)'s business: the harmless
 * ones (defaults, noauto, nofail, x-*) are dropped; those that ask it to do
 * something (loop, encryption, verity.*, helper) cannot be honoured here. */
static int userspace_option(const struct libmnt_optmap *e, const char *opt, cage_err_t *err)
{
	static const char *const acts[] = {"loop", "offset", "sizelimit", "encryption", "verity.",
					   "helper", "uhelper"};
	for (size_t i = 0; i < sizeof(acts) / sizeof(*acts); i++)
		if (!strncmp(e->name, acts[i], strlen(acts[i])))
			return cage_err_set(err, "option '%s' needs mount(8) itself; it cannot be applied here",
					    opt);
	return 0;
}

static int add_data(char **data, size_t *used, const char *opt)
{
	size_t n = strlen(opt);
	char *d = realloc(*data, *used + n + 2);
	if (!d)
		return -1;
	if (*used)
		d[(*used)++] = ',';
	memcpy(d + *used, opt, n + 1);
	*used += n;
	*data = d;
	return 0;
}

int cage_mount_flags(const struct cage_oci_mount *m, struct cage_mount_flags *f, cage_err_t *err)
{
	*f = (struct cage_mount_flags){.data = strdup("")};
	const struct libmnt_optmap *lx = optmap(MNT_LINUX_MAP, err);
	const struct libmnt_optmap *us = lx ? optmap(MNT_USERSPACE_MAP, err) : NULL;
	size_t used = 0;
	if (!f->data || !us)
		return f->data ? -1 : cage_err_sys(err, ENOMEM, "mount options");
	for (size_t i = 0; i < m->options.n; i++) {
		const char *o = m->options.v[i];
		const struct libmnt_optmap *e;
		int rc = 0;
		if (!o[0])
			continue;
		if ((e = lookup(lx, o)))
			rc = linux_option(e, o, f, err);
		else if ((e = lookup(us, o)))
			rc = userspace_option(e, o, err);
		else if (add_data(&f->data, &used, o) < 0)
			rc = cage_err_sys(err, ENOMEM, "mount options");
		if (rc < 0)
			return cage_err_prefix(err, "mount on %s", m->destination);
	}
	return 0;
}

void cage_mount_flags_free(struct cage_mount_flags *f)
{
	free(f->data);
	f->data = NULL;
}

long cage_mount_propagation(const char *name, cage_err_t *err)
{
	const struct libmnt_optmap *lx = optmap(MNT_LINUX_MAP, err);
	const struct libmnt_optmap *e = lx ? lookup(lx, name) : NULL;
	if (!lx)
		return -1;
	if (!e || !((unsigned)e->id & PROPAGATION) || strchr(name, '='))
		return cage_err_set(err, "'%s' is not a mount propagation", name);
	return (long)(unsigned)e->id;
}
