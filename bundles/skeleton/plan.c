/* Skeleton plan: from conf.d and the black lists, compute every entry the
 * skeleton must hold, as plain data (docs/ARCHITECTURE.md §2: plan, then
 * execute).
 *
 * Paths are replicated canonically: a path component that is a symlink on
 * the host (Debian's merged /usr: /lib -> usr/lib) becomes the same symlink
 * in the skeleton and the walk continues at its target, so every entry's
 * parents are real directories and the apply step never has to write
 * through a symlink. */
#define _GNU_SOURCE
#include "skel_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/bundle.h"
#include "cagefs/safefs.h"

#define MAX_LINK_DEPTH 40

static int add_path(struct skel_plan *p, const char *path, bool explicit, bool recurse, int depth);

/* Returns the entry index (>= 0); *fresh tells whether it was new. */
static ssize_t plan_add(struct skel_plan *p, const char *path, const struct stat *st, bool *fresh)
{
	uintptr_t pos;
	if (cage_hash_get(&p->index, path, &pos)) {
		*fresh = false;
		return (ssize_t)pos;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4096;
		struct skel_entry *e = realloc(p->e, cap * sizeof(*e));
		if (!e)
			return -1;
		p->e = e;
		p->cap = cap;
	}
	struct skel_entry *e = &p->e[p->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path || cage_hash_add(&p->index, path, p->n) < 0) {
		free(e->path);
		return -1;
	}
	e->st = *st;
	*fresh = true;
	return (ssize_t)p->n++;
}

bool skel_maybe_elf(const char *path, const struct stat *st)
{
	return (st->st_mode & 0111) || strstr(path, ".so");
}

static int add_elf_closure(struct skel_plan *p, const char *path)
{
	cage_err_t err = {0};
	_cleanup_strvec_ cage_strvec_t deps = {0};
	if (cage_elf_closure(&p->ld, "/", path, &deps, &err) < 0) {
		cage_info("%s: not following libraries: %s", path, err.msg);
		return 0;
	}
	for (size_t i = 0; i < deps.n; i++)
		if (add_path(p, deps.v[i], false, false, 0) < 0)
			return -1;
	return 0;
}

char *skel_resolve_link(const char *linkpath, const char *target)
{
	if (target[0] == '/')
		return cage_path_normalize(target);
	_cleanup_free_ char *dir = strdup(linkpath);
	if (!dir)
		return NULL;
	char *slash = strrchr(dir, '/');
	*(slash == dir ? slash + 1 : slash) = '\0';
	_cleanup_free_ char *joined = cage_path_join(dir, target);
	return joined ? cage_path_normalize(joined) : NULL;
}

static char *read_link(const char *path, const struct stat *st)
{
	size_t size = st->st_size > 0 && st->st_size < PATH_MAX ? (size_t)st->st_size + 1 : PATH_MAX;
	char *buf = malloc(size);
	if (!buf)
		return NULL;
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Two components or fewer ("/usr", "/usr/lib"): a symlink found inside a
 * listed tree that points at such a directory must not drag all of it in. */
bool skel_is_shallow(const char *path)
{
	int slashes = 0;
	for (const char *s = path; *s; s++)
		slashes += *s == '/';
	return slashes <= 2;
}

/* follow: bring the target too (a listed or found symlink); not for a
 * symlink met as an intermediate component, where the walk goes on below. */
static int add_symlink(struct skel_plan *p, const char *path, const struct stat *st, int depth,
		       bool follow)
{
	bool fresh;
	ssize_t i = plan_add(p, path, st, &fresh);
	if (i < 0)
		return -1;
	if (fresh) {
		p->e[i].link = read_link(path, st);
		if (!p->e[i].link) {
			cage_warn("cannot read symlink %s", path);
			return 0;
		}
	}
	if (!follow || p->e[i].followed || !p->e[i].link)
		return 0;
	p->e[i].followed = true;
	const char *target = p->e[i].link;
	_cleanup_free_ char *resolved = skel_resolve_link(path, target);
	if (!resolved)
		return -1;
	return add_path(p, resolved, false, !skel_is_shallow(resolved), depth + 1);
}

static int add_tree(struct skel_plan *p, const char *dir, int depth);

static int add_leaf(struct skel_plan *p, const char *path, const struct stat *st, bool explicit,
		    bool recurse, int depth)
{
	bool fresh;
	ssize_t i;
	if (S_ISLNK(st->st_mode))
		return add_symlink(p, path, st, depth, true);
	if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode)) {
		cage_info("skipping %s: not a file, directory or symlink (devices go in devices=)", path);
		return 0;
	}
	if ((i = plan_add(p, path, st, &fresh)) < 0)
		return -1;
	if (S_ISREG(st->st_mode)) {
		p->e[i].keep_suid |= explicit;
		return fresh && skel_maybe_elf(path, st) ? add_elf_closure(p, path) : 0;
	}
	if (!recurse || p->e[i].walked)
		return 0;
	p->e[i].walked = true;
	return add_tree(p, path, depth);
}

static int add_tree(struct skel_plan *p, const char *dir, int depth)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d) {
		cage_warn("cannot read directory %s: %s", dir, strerror(errno));
		return 0;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *child = cage_path_join(dir, de->d_name);
		if (!child)
			return -1;
		if (cage_blacklist_match(&p->black, child)) {
			p->skipped_black++;
			continue;
		}
		struct stat st;
		if (lstat(child, &st) < 0)
			continue; /* vanished meanwhile */
		if (add_leaf(p, child, &st, false, true, depth) < 0)
			return -1;
	}
	return 0;
}

/* Shared libraries are named by thousands of programs: once a path is in
 * the plan with everything this request needs, skip the walk. */
static bool already_done(struct skel_plan *p, const char *norm, bool explicit, bool recurse)
{
	uintptr_t pos;
	if (!cage_hash_get(&p->index, norm, &pos))
		return false;
	struct skel_entry *e = &p->e[pos];
	if (S_ISREG(e->st.st_mode) && !e->synthetic) {
		e->keep_suid |= explicit;
		return true;
	}
	return S_ISDIR(e->st.st_mode) && !e->synthetic && (e->walked || !recurse);
}

/* Walk `path` component by component on the host (see the file comment). */
static int add_path(struct skel_plan *p, const char *path, bool explicit, bool recurse, int depth)
{
	if (depth > MAX_LINK_DEPTH) {
		cage_warn("too many levels of symbolic links at %s", path);
		return 0;
	}
	_cleanup_free_ char *norm = cage_path_normalize(path);
	if (!norm)
		return -1;
	if (cage_blacklist_match(&p->black, norm)) {
		p->skipped_black++;
		cage_info("black-listed: %s", norm);
		return 0;
	}
	if (!strcmp(norm, "/")) {
		cage_warn("refusing to copy the whole root directory into the skeleton");
		return 0;
	}
	if (already_done(p, norm, explicit, recurse))
		return 0;
	for (char *s = norm + 1; ; s++) {
		if (*s && *s != '/')
			continue;
		bool last = !*s;
		char saved = *s;
		*s = '\0';
		struct stat st;
		if (lstat(norm, &st) < 0) {
			p->skipped_missing++;
			cage_info("not on this host, skipped: %s", norm);
			return 0;
		}
		if (last)
			return add_leaf(p, norm, &st, explicit, recurse, depth);
		if (S_ISLNK(st.st_mode)) {
			if (add_symlink(p, norm, &st, depth, false) < 0)
				return -1;
			_cleanup_free_ char *target = read_link(norm, &st);
			_cleanup_free_ char *resolved = target ? skel_resolve_link(norm, target) : NULL;
			*s = saved;
			_cleanup_free_ char *rest = resolved ? cage_path_join(resolved, s) : NULL;
			return rest ? add_path(p, rest, explicit, recurse, depth + 1) : 0;
		}
		bool fresh;
		if (plan_add(p, norm, &st, &fresh) < 0)
			return -1;
		*s = saved;
	}
}

static int add_device(struct skel_plan *p, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		cage_info("device not on this host, skipped: %s", path);
		return 0;
	}
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
		cage_warn("%s is not a device node, skipped", path);
		return 0;
	}
	if (add_path(p, "/dev", false, false, 0) < 0)
		return -1;
	bool fresh;
	return plan_add(p, path, &st, &fresh) < 0 ? -1 : 0;
}

/* Mount points the runtime needs inside every cage. */
static const struct { const char *path; mode_t mode; } base_dirs[] = {
	{"/dev", 0755}, {"/dev/pts", 0755}, {"/dev/shm", 01777}, {"/etc", 0755},
	{"/home", 0755}, {"/proc", 0555}, {"/run", 0755}, {"/sys", 0555},
	{"/tmp", 01777}, {"/usr", 0755}, {"/var", 0755}, {"/var/tmp", 01777},
};

/* Debian's merged /usr and /var/run -> /run: scripts say /sbin/x, /lib/y or
 * /var/run/z, so the skeleton has the host's symlinks, whatever the conf.d
 * lists. */
static const char *const usr_merge_links[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
					       "/var/run", "/var/lock"};

static int add_usr_merge_links(struct skel_plan *p)
{
	for (size_t i = 0; i < sizeof(usr_merge_links) / sizeof(*usr_merge_links); i++) {
		struct stat st;
		if (lstat(usr_merge_links[i], &st) == 0 && S_ISLNK(st.st_mode) &&
		    add_symlink(p, usr_merge_links[i], &st, 0, false) < 0)
			return -1;
	}
	return 0;
}

static int add_base_dirs(struct skel_plan *p)
{
	if (add_usr_merge_links(p) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(base_dirs) / sizeof(*base_dirs); i++) {
		struct stat st = {.st_mode = S_IFDIR | base_dirs[i].mode};
		bool fresh;
		ssize_t k = plan_add(p, base_dirs[i].path, &st, &fresh);
		if (k < 0)
			return -1;
		if (fresh)
			p->e[k].synthetic = true;
	}
	return 0;
}

/* A mount point of the cages: an empty directory, whatever the black list
 * says (/home is black-listed: its contents never enter).  Symlinked host
 * components are replicated like any path; missing ones are made up. */
static int add_mountpoint(struct skel_plan *p, const char *path, int depth)
{
	_cleanup_free_ char *norm = cage_path_normalize(path);
	if (!norm)
		return -1;
	if (!strcmp(norm, "/") || depth > MAX_LINK_DEPTH)
		return 0;
	for (char *s = norm + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char saved = *s;
		*s = '\0';
		struct stat st;
		bool found = lstat(norm, &st) == 0;
		if (found && S_ISLNK(st.st_mode)) {
			if (add_symlink(p, norm, &st, depth, false) < 0)
				return -1;
			_cleanup_free_ char *target = realpath(norm, NULL);
			*s = saved;
			_cleanup_free_ char *rest = target ? cage_path_join(target, s) : NULL;
			return rest ? add_mountpoint(p, rest, depth + 1) : 0;
		}
		if (!found || !S_ISDIR(st.st_mode))
			st = (struct stat){.st_mode = S_IFDIR | 0755};
		bool fresh;
		if (plan_add(p, norm, &st, &fresh) < 0)
			return -1;
		*s = saved;
		if (!saved)
			return 0;
	}
}

static int add_mountpoints(struct skel_plan *p, const char *var_dir)
{
	_cleanup_free_ char *file = cage_path_join(var_dir, CAGE_MOUNTPOINTS_FILE);
	_cleanup_free_ char *text = NULL;
	if (!file)
		return -1;
	if (cage_read_file(file, 64u << 20, &text, NULL, NULL) < 0)
		return 0; /* no bundle yet */
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (l[0] == '/' && add_mountpoint(p, l, 0) < 0)
			return -1;
	return 0;
}

int skel_plan_add_generated(struct skel_plan *p, const char *path, char *content, size_t len)
{
	struct stat st = {.st_mode = S_IFREG | 0644, .st_size = (off_t)len};
	bool fresh;
	ssize_t i = plan_add(p, path, &st, &fresh);
	if (i < 0) {
		free(content);
		return -1;
	}
	free(p->e[i].content);
	p->e[i].st = st;
	p->e[i].content = content;
	p->e[i].content_len = len;
	p->e[i].synthetic = true;
	return 0;
}

/* X->dest gets the bytes of the host's X->source, mode 0755, whatever
 * conf.d put there (a symlink to the real program, say): the wrapper
 * that stands in for a proxied command (docs/ARCHITECTURE.md §4.18). */
static int add_extra(struct skel_plan *p, const struct cage_skel_extra *x, cage_err_t *err)
{
	_cleanup_free_ char *dir = strdup(x->dest);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (!slash || x->dest[0] != '/' || !slash[1])
		return cage_err_set(err, "%s: not a file path for the skeleton", x->dest);
	*slash = '\0';
	char *content = NULL;
	size_t len = 0;
	if (cage_read_file(x->source, 64u << 20, &content, &len, err) < 0)
		return -1;
	struct stat st = {.st_mode = S_IFREG | 0755, .st_size = (off_t)len};
	bool fresh;
	ssize_t i = dir[0] && add_mountpoint(p, dir, 0) < 0 ? -1 : plan_add(p, x->dest, &st, &fresh);
	if (i < 0) {
		free(content);
		return cage_err_sys(err, ENOMEM, "skeleton plan");
	}
	struct skel_entry *e = &p->e[i];
	free(e->content);
	free(e->link);
	*e = (struct skel_entry){.path = e->path, .st = st, .content = content, .content_len = len, .synthetic = true};
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct skel_entry *)a)->path, ((const struct skel_entry *)b)->path);
}

static int sort_and_index(struct skel_plan *p)
{
	qsort(p->e, p->n, sizeof(*p->e), cmp_entry);
	cage_hash_free(&p->index);
	for (size_t i = 0; i < p->n; i++)
		if (cage_hash_add(&p->index, p->e[i].path, i) < 0)
			return -1;
	return 0;
}

static int load_black_lists(struct skel_plan *p, const char *etc_dir, cage_err_t *err)
{
	static const char *const names[] = {"black.list", "custom.black.list"};
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *f = cage_path_join(etc_dir, names[i]);
		if (!f)
			return cage_err_sys(err, ENOMEM, "path");
		if (cage_blacklist_load(&p->black, f, err) < 0)
			return -1;
	}
	return 0;
}

static int add_section(struct skel_plan *p, const struct cage_cfg_section *s)
{
	for (size_t i = 0; i < s->paths.n; i++)
		if (add_path(p, s->paths.v[i], true, true, 0) < 0)
			return -1;
	for (size_t i = 0; i < s->devices.n; i++)
		if (add_device(p, s->devices.v[i]) < 0)
			return -1;
	for (size_t i = 0; i < s->users.n; i++)
		if (cage_strvec_push(&p->users, s->users.v[i]) < 0)
			return -1;
	for (size_t i = 0; i < s->groups.n; i++)
		if (cage_strvec_push(&p->groups, s->groups.v[i]) < 0)
			return -1;
	return 0;
}

int skel_plan_build(struct skel_plan *p, const struct cage_paths *paths, const struct cage_skel_extra *extra,
		    size_t nextra, cage_err_t *err)
{
	const char *etc_dir = paths->etc;
	_cleanup_cfg_ struct cage_cfg cfg = {0};
	_cleanup_free_ char *confd = cage_path_join(etc_dir, "conf.d");
	if (!confd)
		return cage_err_sys(err, ENOMEM, "path");
	if (load_black_lists(p, etc_dir, err) < 0 || cage_ldpath_load(&p->ld, "/", err) < 0 ||
	    cage_cfg_load_dir(&cfg, confd, err) < 0)
		return -1;
	for (size_t i = 0; i < cfg.n; i++)
		if (add_section(p, &cfg.sections[i]) < 0)
			return cage_err_sys(err, errno ? errno : ENOMEM, "%s:%u: [%s]", cfg.sections[i].file,
					    cfg.sections[i].line, cfg.sections[i].name);
	for (size_t i = 0; i < nextra; i++)
		if (add_extra(p, &extra[i], err) < 0)
			return -1;
	if (add_base_dirs(p) < 0 || add_mountpoints(p, paths->var) < 0 ||
	    skel_users_generate(p, err) < 0 || sort_and_index(p) < 0)
		return err && err->msg[0] ? -1 : cage_err_sys(err, ENOMEM, "building the skeleton plan");
	return 0;
}

mode_t skel_wanted_mode(const struct skel_entry *e)
{
	mode_t m = e->st.st_mode & 07777;
	if (S_ISDIR(e->st.st_mode) || e->keep_suid)
		return m;
	return m & ~(mode_t)(S_ISUID | S_ISGID);
}

void skel_plan_free(struct skel_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->e[i].path);
		free(p->e[i].link);
		free(p->e[i].content);
	}
	free(p->e);
	cage_hash_free(&p->index);
	cage_blacklist_free(&p->black);
	cage_ldpath_free(&p->ld);
	cage_strvec_free(&p->users);
	cage_strvec_free(&p->groups);
	memset(p, 0, sizeof(*p));
}
