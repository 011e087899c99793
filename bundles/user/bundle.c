/* Generating a user's bundle (see cagefs/bundle.h).  Every write is atomic
 * (temp + rename) and skipped when the content is already right, so a
 * second run changes nothing.  Paths inside the user's home are created
 * relative to a directory fd without following symlinks
 * (docs/ARCHITECTURE.md §4.6). */
#define _GNU_SOURCE
#include "bundle_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"
#include "cagefs/seccomp.h"

char *cage_bundle_dir(const struct cage_paths *p, const char *user, uid_t uid)
{
	char prefix[3], *out = NULL;
	cage_user_prefix(uid, prefix);
	return asprintf(&out, "%s/%s/%s", p->var, prefix, user) < 0 ? NULL : out;
}

static char *realpath_or_self(const char *path)
{
	char *r = realpath(path, NULL);
	return r ? r : cage_path_normalize(path);
}

/* The host's real path of `path`, whose tail may not exist yet: the longest
 * existing prefix resolved, the rest appended (/var/run/screen -> /run/screen
 * on Debian), so mount destinations never cross a symlink. */
static char *canonical_path(const char *path)
{
	char *r = realpath(path, NULL);
	if (r || errno != ENOENT)
		return r ? r : strdup(path);
	_cleanup_free_ char *parent = strdup(path);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	if (!slash || slash == parent)
		return strdup(path);
	*slash = '\0';
	_cleanup_free_ char *head = canonical_path(parent);
	return head ? cage_path_join(head, slash + 1) : NULL;
}

static int load_mp(struct cage_bundle_ctx *c, cage_err_t *err)
{
	_cleanup_free_ char *mpf = cage_path_join(c->paths->etc, "cagefs.mp");
	_cleanup_free_ char *bhf = cage_path_join(c->paths->etc, "cagefs.base.home.dirs");
	if (!mpf || !bhf)
		return cage_err_sys(err, ENOMEM, "path");
	if (cage_mp_load(&c->mp, mpf, err) < 0 || cage_basehome_load(&c->bh, bhf, err) < 0)
		return -1;
	/* Shared directories are mounted at their real path (/var/run/x is
	 * /run/x on Debian); a missing one is skipped, not an error. */
	for (size_t i = 0; i < c->mp.n; i++) {
		char *r = c->mp.e[i].kind == CAGE_MP_SHARED ? realpath(c->mp.e[i].path, NULL)
							     : canonical_path(c->mp.e[i].path);
		if (!r && c->mp.e[i].kind == CAGE_MP_SHARED)
			cage_info("%s:%u: %s does not exist, not mounted", mpf, c->mp.e[i].line,
				  c->mp.e[i].path);
		if (cage_strvec_push_owned(&c->mp_real, r ? r : strdup("")) < 0)
			return cage_err_sys(err, ENOMEM, "path");
	}
	return 0;
}

int cage_bundle_ctx_new(const struct cage_paths *p, struct cage_bundle_ctx **out, cage_err_t *err)
{
	struct cage_bundle_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return cage_err_sys(err, ENOMEM, "memory");
	c->paths = p;
	char host[HOST_NAME_MAX + 1] = "localhost";
	gethostname(host, sizeof(host) - 1);
	c->hostname = strdup(host);
	c->skeleton = realpath_or_self(p->skeleton);
	if (!c->hostname || !c->skeleton) {
		cage_bundle_ctx_free(c);
		return cage_err_sys(err, ENOMEM, "memory");
	}
	if (cage_min_uid(p, &c->min_uid, err) < 0 || cage_exclude_load(p, &c->excluded, err) < 0 ||
	    load_mp(c, err) < 0 || cage_seccomp_server_profile(p, &c->seccomp, NULL, err) < 0 || bundle_load_accounts(c, err) < 0) {
		cage_bundle_ctx_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void cage_bundle_ctx_free(struct cage_bundle_ctx *c)
{
	if (!c)
		return;
	free(c->skeleton);
	free(c->hostname);
	cage_strvec_free(&c->excluded);
	cage_mp_free(&c->mp);
	cage_strvec_free(&c->mp_real);
	cage_basehome_free(&c->bh);
	cage_json_free(c->seccomp);
	bundle_free_accounts(c);
	cage_hash_free(&c->mountpoints);
	free(c);
}

/* ---- writing ---- */

/* Write dirfd/name atomically unless it already holds exactly data. */
static int write_if_changed(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
			    bool force, struct cage_bundle_result *res, cage_err_t *err)
{
	_cleanup_free_ char *old = NULL;
	size_t oldlen = 0;
	struct stat st;
	if (!force && cage_read_file_at(dirfd, name, len + 1, &old, &oldlen, NULL) == 0 &&
	    oldlen == len && !memcmp(old, data, len) && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (st.st_mode & 07777) == mode)
		return 0;
	if (cage_write_atomic_at(dirfd, name, data, len, mode, err) < 0)
		return -1;
	res->changed = true;
	res->files++;
	return 0;
}

static int open_dir_fd(const char *path, cage_err_t *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? cage_err_sys(err, errno, "cannot open %s", path) : fd;
}

/* BUNDLE/rootfs -> the skeleton: the bundle names its root "rootfs", as
 * runtime-spec's bundle.md wants (the root inside the bundle directory;
 * the runtime-tools validator checks it), and the one skeleton is shared by
 * every bundle.  The bundle directory is root's alone (0700), so no user
 * can swap the link.  Replaced atomically when the skeleton moved. */
static int link_rootfs(int bfd, const char *skeleton, struct cage_bundle_result *res, cage_err_t *err)
{
	char cur[PATH_MAX];
	ssize_t n = readlinkat(bfd, "rootfs", cur, sizeof(cur) - 1);
	if (n >= 0 && (size_t)n == strlen(skeleton) && !memcmp(cur, skeleton, (size_t)n))
		return 0;
	unlinkat(bfd, "rootfs.new", 0);
	if (symlinkat(skeleton, bfd, "rootfs.new") < 0 || renameat(bfd, "rootfs.new", bfd, "rootfs") < 0) {
		int e = errno;
		unlinkat(bfd, "rootfs.new", 0);
		return cage_err_sys(err, e, "cannot link rootfs to %s", skeleton);
	}
	res->changed = true;
	res->files++;
	return 0;
}

/* /var/cagefs/NN/USER: root-only; the cage sees its parts through mounts. */
static int make_bundle_dir(struct cage_bundle_ctx *c, const char *user, uid_t uid, cage_err_t *err)
{
	char prefix[3];
	cage_user_prefix(uid, prefix);
	if (mkdir(c->paths->var, 0751) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create %s", c->paths->var);
	_cleanup_close_ int var = open_dir_fd(c->paths->var, err);
	if (var < 0)
		return -1;
	_cleanup_free_ char *rel = NULL;
	if (asprintf(&rel, "%s/%s", prefix, user) < 0)
		return cage_err_sys(err, ENOMEM, "path");
	int fd = cage_mkdirs_beneath(var, rel, 0700, true, err);
	if (fd < 0)
		return cage_err_prefix(err, "%s", c->paths->var);
	if (fchmod(fd, 0700) < 0) {
		close(fd);
		return cage_err_sys(err, errno, "cannot chmod %s/%s", c->paths->var, rel);
	}
	return fd;
}

/* ---- custom.etc/USER (manual: "Custom /etc files per customer") ---- */

static int sync_custom_dir(int src, int dst, cage_strvec_t *keep, const char *prefix, bool force,
			   struct cage_bundle_result *res, cage_err_t *err);

static int sync_custom_entry(int src, int dst, const char *name, cage_strvec_t *keep,
			     const char *prefix, bool force, struct cage_bundle_result *res,
			     cage_err_t *err)
{
	struct stat st;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	_cleanup_free_ char *rel = NULL;
	if (asprintf(&rel, "%s%s", prefix, name) < 0 || cage_strvec_push(keep, rel) < 0)
		return cage_err_sys(err, ENOMEM, "path");
	if (S_ISREG(st.st_mode)) {
		_cleanup_free_ char *data = NULL;
		size_t len;
		if (cage_read_file_at(src, name, 16u << 20, &data, &len, err) < 0)
			return -1;
		return write_if_changed(dst, name, data, len, st.st_mode & 0777, force, res, err);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX], cur[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return cage_err_sys(err, errno, "cannot read link %s", rel);
		target[n] = '\0';
		ssize_t m = readlinkat(dst, name, cur, sizeof(cur) - 1);
		if (m == n && !memcmp(cur, target, (size_t)n))
			return 0;
		cage_rm_rf_at(dst, name, NULL);
		if (symlinkat(target, dst, name) < 0)
			return cage_err_sys(err, errno, "cannot create link %s", rel);
		res->changed = true;
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0; /* devices, fifos: not for a cage's /etc */
	if (mkdirat(dst, name, st.st_mode & 0777) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create %s", rel);
	_cleanup_close_ int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s < 0 || d < 0)
		return cage_err_sys(err, errno, "cannot open %s", rel);
	_cleanup_free_ char *sub = NULL;
	if (asprintf(&sub, "%s/", rel) < 0)
		return cage_err_sys(err, ENOMEM, "path");
	return sync_custom_dir(s, d, keep, sub, force, res, err);
}

static int sync_custom_dir(int src, int dst, cage_strvec_t *keep, const char *prefix, bool force,
			   struct cage_bundle_result *res, cage_err_t *err)
{
	int fd = dup(src);
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cage_err_sys(err, errno, "cannot read custom.etc");
	}
	for (struct dirent *de; (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (sync_custom_entry(src, dst, de->d_name, keep, prefix, force, res, err) < 0)
			return -1;
	}
	return 0;
}

/* Remove from the bundle's etc/ what is neither generated nor custom. */
static int prune_etc(int dst, const cage_strvec_t *keep, const char *prefix,
		     struct cage_bundle_result *res, cage_err_t *err)
{
	int fd = dup(dst);
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cage_err_sys(err, errno, "cannot read etc/");
	}
	for (struct dirent *de; (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *rel = NULL;
		if (asprintf(&rel, "%s%s", prefix, de->d_name) < 0)
			return cage_err_sys(err, ENOMEM, "path");
		if (!cage_strvec_contains(keep, rel)) {
			if (cage_rm_rf_at(dst, de->d_name, err) < 0)
				return -1;
			res->changed = true;
			continue;
		}
		if (de->d_type != DT_DIR)
			continue;
		_cleanup_close_ int sub = openat(dst, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_free_ char *p2 = NULL;
		if (sub < 0 || asprintf(&p2, "%s/", rel) < 0 || prune_etc(sub, keep, p2, res, err) < 0)
			return sub < 0 ? cage_err_sys(err, errno, "cannot open %s", rel) : -1;
	}
	return 0;
}

static int write_etc(struct cage_bundle_ctx *c, const struct cage_user *u, int bfd, bool force,
		     struct cage_bundle_result *res, cage_err_t *err)
{
	if (mkdirat(bfd, "etc", 0755) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create etc/");
	_cleanup_close_ int etc = openat(bfd, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (etc < 0)
		return cage_err_sys(err, errno, "cannot open etc/");
	_cleanup_strvec_ cage_strvec_t keep = {0};
	_cleanup_free_ char *custom = NULL;
	if (asprintf(&custom, "%s/custom.etc/%s", c->paths->etc, u->name) < 0)
		return cage_err_sys(err, ENOMEM, "path");
	_cleanup_close_ int cfd = open(custom, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cfd >= 0 && sync_custom_dir(cfd, etc, &keep, "", force, res, err) < 0)
		return cage_err_prefix(err, "%s", custom);
	/* passwd and group are ours: a custom.etc file of that name is replaced. */
	_cleanup_free_ char *pw = NULL, *gr = NULL;
	if (cage_bundle_etc_text(c, u, &pw, &gr, err) < 0 ||
	    write_if_changed(etc, "passwd", pw, strlen(pw), 0644, force, res, err) < 0 ||
	    write_if_changed(etc, "group", gr, strlen(gr), 0644, force, res, err) < 0)
		return -1;
	if (cage_strvec_push(&keep, "passwd") < 0 || cage_strvec_push(&keep, "group") < 0)
		return cage_err_sys(err, ENOMEM, "path");
	return prune_etc(etc, &keep, "", res, err);
}

/* ---- directories the mounts need ---- */

static int prep_bundle(int bfd, const struct cage_prep *pr, struct cage_bundle_result *res,
		       cage_err_t *err)
{
	if (pr->kind == CAGE_PREP_BUNDLE_SYMLINK) {
		char cur[PATH_MAX];
		const char *base;
		_cleanup_close_ int dfd = cage_open_parent_beneath(bfd, pr->path, &base, err);
		if (dfd < 0)
			return -1;
		ssize_t n = readlinkat(dfd, base, cur, sizeof(cur) - 1);
		if (n >= 0 && (size_t)n == strlen(pr->target) && !memcmp(cur, pr->target, (size_t)n))
			return 0;
		cage_rm_rf_at(dfd, base, NULL);
		if (symlinkat(pr->target, dfd, base) < 0)
			return cage_err_sys(err, errno, "cannot create symlink %s", pr->path);
		res->changed = true;
		return 0;
	}
	_cleanup_close_ int fd = cage_mkdirs_beneath(bfd, pr->path, 0755, true, err);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return fd < 0 ? -1 : cage_err_sys(err, errno, "%s", pr->path);
	if ((st.st_mode & 07777) != pr->mode) {
		if (fchmod(fd, pr->mode) < 0)
			return cage_err_sys(err, errno, "cannot chmod %s", pr->path);
		res->changed = true;
	}
	return 0;
}

/* Below the home directory the user owns everything and may have planted
 * symlinks: each component is opened with O_NOFOLLOW relative to the one
 * before it, and ownership is set through the fd (runc CVE-2021-30465). */
static int prep_home(int homefd, const struct cage_user *u, const struct cage_prep *pr,
		     struct cage_bundle_result *res, cage_err_t *err)
{
	_cleanup_close_ int fd = cage_mkdirs_beneath(homefd, pr->path, 0700, true, err);
	struct stat st;
	if (fd < 0)
		return cage_err_prefix(err, "~/%s", pr->path);
	if (fstat(fd, &st) < 0)
		return cage_err_sys(err, errno, "~/%s", pr->path);
	if (st.st_uid != u->uid || st.st_gid != u->gid) {
		if (fchown(fd, u->uid, u->gid) < 0)
			return cage_err_sys(err, errno, "cannot chown ~/%s", pr->path);
		res->changed = true;
	}
	if ((st.st_mode & 07777) != pr->mode) {
		if (fchmod(fd, pr->mode) < 0)
			return cage_err_sys(err, errno, "cannot chmod ~/%s", pr->path);
		res->changed = true;
	}
	return 0;
}

static int open_home(const char *home_real, cage_err_t *err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return cage_err_sys(err, errno, "/");
	int fd = cage_open_beneath(root, home_real, O_RDONLY | O_DIRECTORY, 0, err);
	return fd < 0 ? cage_err_prefix(err, "home directory %s", home_real) : fd;
}

static int run_preps(const struct cage_mountplan *plan, int bfd, const struct cage_user *u,
		     const char *home_real, struct cage_bundle_result *res, cage_err_t *err)
{
	_cleanup_close_ int homefd = -1;
	for (size_t i = 0; i < plan->nprep; i++) {
		const struct cage_prep *pr = &plan->prep[i];
		if (pr->kind != CAGE_PREP_HOME_DIR) {
			if (prep_bundle(bfd, pr, res, err) < 0)
				return -1;
			continue;
		}
		if (homefd < 0 && (homefd = open_home(home_real, err)) < 0)
			return -1;
		/* Below the home, what is there is the user's doing: a
		 * planted symlink fails this user, not a batch (issue 13). */
		if (prep_home(homefd, u, pr, res, err) < 0)
			return cage_err_user_own(err);
	}
	return 0;
}

static int load_mountpoints(struct cage_bundle_ctx *c, const char *file, cage_err_t *err)
{
	_cleanup_free_ char *text = NULL;
	c->mountpoints_loaded = true;
	if (cage_read_file(file, 64u << 20, &text, NULL, NULL) < 0)
		return 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (l[0] == '/' && cage_hash_add(&c->mountpoints, l, 1) < 0)
			return cage_err_sys(err, ENOMEM, "%s", file);
	return 0;
}

static int save_mountpoints(struct cage_bundle_ctx *c, const char *file, cage_err_t *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return cage_err_sys(err, errno, "memory");
	for (size_t i = 0; i < c->mountpoints.cap; i++)
		if (c->mountpoints.slots[i].key)
			fprintf(out, "%s\n", c->mountpoints.slots[i].key);
	fclose(out);
	int rc = cage_write_atomic(file, buf, len, 0644, err);
	free(buf);
	return rc;
}

/* Remember the skeleton mount points this plan needs (see bundle.h). */
static int record_mountpoints(struct cage_bundle_ctx *c, const struct cage_mountplan *plan,
			      cage_err_t *err)
{
	_cleanup_free_ char *file = cage_path_join(c->paths->var, CAGE_MOUNTPOINTS_FILE);
	if (!file)
		return cage_err_sys(err, ENOMEM, "path");
	if (!c->mountpoints_loaded && load_mountpoints(c, file, err) < 0)
		return -1;
	bool added = false;
	for (size_t i = 0; i < plan->skel_dirs.n; i++) {
		int r = cage_hash_add(&c->mountpoints, plan->skel_dirs.v[i], 1);
		if (r < 0)
			return cage_err_sys(err, ENOMEM, "%s", file);
		added |= r == 1;
	}
	return added ? save_mountpoints(c, file, err) : 0;
}

/* Mount points must exist in the (read-only, shared) skeleton: create the
 * missing ones; --update keeps them (they are part of its plan). */
static int skeleton_mountpoints(struct cage_bundle_ctx *c, const struct cage_mountplan *plan,
				cage_err_t *err)
{
	if (record_mountpoints(c, plan, err) < 0)
		return -1;
	_cleanup_close_ int skel = open_dir_fd(c->skeleton, err);
	if (skel < 0)
		return cage_err_prefix(err, "no skeleton (run cagefsctl --init)");
	for (size_t i = 0; i < plan->skel_dirs.n; i++) {
		const char *d = plan->skel_dirs.v[i];
		struct stat st;
		if (fstatat(skel, d + 1, &st, 0) == 0 && S_ISDIR(st.st_mode))
			continue;
		_cleanup_close_ int fd = cage_mkdirs_beneath(skel, d, 0755, false, err);
		if (fd < 0)
			return cage_err_prefix(err, "mount point %s in the skeleton", d);
		cage_info("created mount point %s in the skeleton", d);
	}
	return 0;
}

int cage_bundle_generate(struct cage_bundle_ctx *c, const struct cage_user *u, bool force,
			 struct cage_bundle_result *res, cage_err_t *err)
{
	memset(res, 0, sizeof(*res));
	_cleanup_free_ char *home = cage_path_normalize(u->home);
	_cleanup_free_ char *home_real = home ? realpath_or_self(home) : NULL;
	_cleanup_free_ char *dir = cage_bundle_dir(c->paths, u->name, u->uid);
	_cleanup_free_ char *virtf = dir ? cage_path_join(dir, "virt.mp") : NULL;
	if (!home || !home_real || !virtf)
		return cage_err_set(err, "%s: invalid home directory '%s'", u->name, u->home);
	_cleanup_virtmp_ struct cage_virtmp virt = {0};
	_cleanup_mountplan_ struct cage_mountplan plan = {0};
	_cleanup_free_ char *json = NULL;
	size_t len = 0;
	/* The user's own filter first, before anything is written: a broken
	 * override fails this user and leaves the config.json they have,
	 * never a cage without their filter (docs/ARCHITECTURE.md §4.24). */
	_cleanup_json_ cage_json *own = NULL;
	_cleanup_strvec_ cage_strvec_t warnings = {0};
	if (cage_seccomp_user_profile(c->paths, c->seccomp, u->name, &own, &warnings, err) < 0)
		return cage_err_prefix(err, "%s", u->name);
	for (size_t i = 0; i < warnings.n; i++)
		cage_info("%s", warnings.v[i]);
	_cleanup_close_ int bfd = make_bundle_dir(c, u->name, u->uid, err);
	if (bfd < 0 || cage_virtmp_load(&virt, virtf, err) < 0)
		return cage_err_prefix(err, "%s", u->name);
	_cleanup_free_ char *proxy_dir = cage_path_join(c->paths->run, CAGE_PROXY_DIR);
	if (!proxy_dir || cage_proxy_dir_make(c->paths) < 0)
		return cage_err_sys(err, proxy_dir ? errno : ENOMEM, "%s: the proxy's directory in %s", u->name,
				    c->paths->run);
	struct cage_mountplan_input in = {
		.user = u->name, .home = home, .home_real = home_real, .bundle_dir = dir,
		.skeleton = c->skeleton, .mp = &c->mp, .virt = &virt, .bh = &c->bh,
		.mp_real = &c->mp_real, .proxy_dir = proxy_dir,
	};
	if (cage_mountplan_build(&in, &plan, err) < 0 || write_etc(c, u, bfd, force, res, err) < 0 ||
	    run_preps(&plan, bfd, u, home_real, res, err) < 0 || skeleton_mountpoints(c, &plan, err) < 0 ||
	    link_rootfs(bfd, c->skeleton, res, err) < 0 || cage_bundle_config_json(c, u, &plan, own ? own : c->seccomp, &json, &len, err) < 0 ||
	    write_if_changed(bfd, "config.json", json, len, 0600, force, res, err) < 0)
		return cage_err_prefix(err, "%s", u->name);
	return 0;
}
