/* Building a cage's filesystem in a fresh mount namespace (issue 4):
 * propagation made private first, the skeleton bound as the new root, every
 * mount of config.json attached through file descriptors, pivot_root, then
 * /dev nodes, masked and read-only paths.
 *
 * Why by fd: sources below a user's home (~/.cagefs/tmp, @ directories, the
 * home) are writable by the user, who can swap a component for a symlink
 * between a check and a mount (runc CVE-2021-30465).  Sources are opened
 * with openat2(RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS) and attached with
 * open_tree/move_mount; destinations are resolved beneath the new root. */
#define _GNU_SOURCE
#include "oci_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

static int sys_open_tree(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_move_mount(int from, const char *fp, int to, const char *tp, unsigned flags)
{
	return (int)syscall(SYS_move_mount, from, fp, to, tp, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *a)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, a, sizeof(*a));
}

/* The mount_setattr(2) form of what F sets and clears: the per-mount flags
 * (the others, e.g. sync, belong to a filesystem and a bind cannot change
 * them), the atime mode and the propagation. */
static struct mount_attr attr_of(const struct cage_mount_flags *f)
{
	static const struct { unsigned long ms; uint64_t attr; } per_mount[] = {
		{MS_RDONLY, MOUNT_ATTR_RDONLY}, {MS_NOSUID, MOUNT_ATTR_NOSUID},
		{MS_NODEV, MOUNT_ATTR_NODEV}, {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
		{MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
	};
	struct mount_attr a = {0};
	for (size_t i = 0; i < sizeof(per_mount) / sizeof(*per_mount); i++) {
		a.attr_set |= (f->set & per_mount[i].ms) ? per_mount[i].attr : 0;
		a.attr_clr |= (f->clear & per_mount[i].ms) ? per_mount[i].attr : 0;
	}
	/* The atime mode is one field: choosing one clears the others. */
	unsigned long atime = f->set & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME);
	if (atime) {
		a.attr_clr |= MOUNT_ATTR__ATIME;
		a.attr_set |= (atime & MS_NOATIME) ? MOUNT_ATTR_NOATIME
			      : (atime & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
	}
	a.propagation = f->propagation & ~(unsigned long)MS_REC;
	return a;
}

/* An empty file NAME in DIR to mount on (one already there will do; a
 * symlink there is not followed). */
static int create_file(int dir, const char *name)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	close(fd);
	return 0;
}

/* A destination missing in a tmpfs this cage mounted (/dev/pts in /dev) is
 * created; the skeleton itself is shared and is never written to here. */
static int make_dest(int rootfd, const char *dest, bool want_dir, cage_err_t *err)
{
	const char *base;
	_cleanup_close_ int parent = cage_open_parent_beneath(rootfd, dest, &base, err);
	uint64_t root_mnt, parent_mnt;
	if (parent < 0 || cage_mount_id(rootfd, "", &root_mnt) < 0 ||
	    cage_mount_id(parent, "", &parent_mnt) < 0 || root_mnt == parent_mnt)
		return cage_err_set(err, "mount point %s does not exist in the skeleton "
				    "(run cagefsctl --update-etc)", dest);
	int rc = want_dir ? mkdirat(parent, base, 0755) : create_file(parent, base);
	return rc < 0 && errno != EEXIST ? cage_err_sys(err, errno, "cannot create %s", dest) : 0;
}

/* The parent directory of PATH in an ordinary bundle's rootfs (made if
 * missing) and PATH's last component. */
static int foreign_parent(int rootfd, const char *path, const char **base, cage_err_t *err)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, ".."))
		return cage_err_set(err, "invalid path %s", path);
	_cleanup_free_ char *dir = strndup(path, slash ? (size_t)(slash - path) : 0);
	return dir ? cage_mkdirs_in_root(rootfd, dir, 0755, err) : cage_err_sys(err, ENOMEM, "path");
}

/* If the last component of PATH (under PARENT) is a symlink: the path it
 * points to, in the rootfs's terms; NULL otherwise. */
static char *link_target(int parent, const char *base, const char *path)
{
	char target[4096];
	ssize_t n = readlinkat(parent, base, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	char *out = NULL;
	if (target[0] == '/')
		return strdup(target);
	return asprintf(&out, "%.*s/%s", (int)(base - path - 1), path, target) < 0 ? NULL : out;
}

/* An ordinary bundle's rootfs is its own: a symlink in it is resolved
 * inside it (never out of it: RESOLVE_IN_ROOT), and a missing mount point
 * is created — at the end of a dangling symlink too — as runc and crun do. */
static int open_foreign_dest(int rootfd, const char *dest, bool want_dir, cage_err_t *err)
{
	int flags = O_PATH | (want_dir ? O_DIRECTORY : 0);
	_cleanup_free_ char *path = strdup(dest);
	if (!path)
		return cage_err_sys(err, ENOMEM, "%s", dest);
	for (int hops = 0; hops < 40; hops++) {
		int fd = cage_open_in_root(rootfd, path, flags, NULL);
		if (fd >= 0 || errno != ENOENT)
			return fd >= 0 ? fd : cage_err_sys(err, errno, "%s", dest);
		const char *base;
		_cleanup_close_ int parent = foreign_parent(rootfd, path, &base, err);
		if (parent < 0)
			return -1;
		char *next = link_target(parent, base, path);
		if (next) { /* dangling: make what it points to */
			free(path);
			path = next;
			continue;
		}
		int rc = want_dir ? mkdirat(parent, base, 0755) : create_file(parent, base);
		if (rc < 0 && errno != EEXIST)
			return cage_err_sys(err, errno, "cannot create %s", path);
		return cage_open_in_root(rootfd, path, flags, err);
	}
	return cage_err_set(err, "%s: too many levels of symbolic links", dest);
}

/* Destination beneath the new root: in a skeleton no symlink, no '..'
 * escape; in an ordinary bundle's rootfs, resolved inside it. */
static int open_dest(int rootfd, const char *dest, bool want_dir, bool foreign, cage_err_t *err)
{
	int flags = O_PATH | (want_dir ? O_DIRECTORY : 0);
	int fd = foreign ? open_foreign_dest(rootfd, dest, want_dir, err)
			 : cage_open_beneath(rootfd, dest, flags, 0, err);
	if (!foreign && fd < 0 && err && err->errnum == ENOENT && make_dest(rootfd, dest, want_dir, err) == 0)
		fd = cage_open_beneath(rootfd, dest, flags, 0, err);
	return fd < 0 ? cage_err_prefix(err, "mount point %s", dest) : fd;
}

static int bind_mount(int rootfd, const struct cage_oci_mount *m, const struct cage_mount_flags *f,
		      bool foreign, cage_err_t *err)
{
	/* A cage's sources may be under a user's home: no symlink is followed.
	 * An ordinary bundle's are the bundle author's (root's): as runc. */
	_cleanup_close_ int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int src = foreign ? open(m->source, O_PATH | O_CLOEXEC)
					  : cage_open_beneath(host, m->source, O_PATH, 0, err);
	if (src < 0 && foreign)
		return cage_err_sys(err, errno, "mount source %s", m->source);
	if (src < 0)
		return cage_err_prefix(err, "mount source %s", m->source);
	struct stat st;
	if (fstat(src, &st) < 0)
		return cage_err_sys(err, errno, "%s", m->source);
	unsigned rec = f->recursive ? AT_RECURSIVE : 0;
	_cleanup_close_ int tree = sys_open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | rec);
	if (tree < 0)
		return cage_err_sys(err, errno, "cannot clone %s", m->source);
	/* The propagation of the attached tree is set once it is attached
	 * (a detached clone is private already). */
	struct mount_attr a = attr_of(f), prop = {.propagation = a.propagation};
	a.propagation = 0;
	if ((a.attr_set || a.attr_clr) && sys_mount_setattr(tree, "", AT_EMPTY_PATH | rec, &a) < 0)
		return cage_err_sys(err, errno, "cannot set flags of %s", m->destination);
	_cleanup_close_ int dst = open_dest(rootfd, m->destination, S_ISDIR(st.st_mode), foreign, err);
	if (dst < 0)
		return -1;
	if (sys_move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return cage_err_sys(err, errno, "cannot mount %s on %s", m->source, m->destination);
	if (prop.propagation &&
	    sys_mount_setattr(tree, "", AT_EMPTY_PATH | ((f->propagation & MS_REC) ? AT_RECURSIVE : 0), &prop) < 0)
		return cage_err_sys(err, errno, "cannot set the propagation of %s", m->destination);
	return 0;
}

/* The propagation a new filesystem's options ask for, set on the mount now
 * at its destination (found again beneath the root: the fd mounted on is
 * the directory below it). */
static int set_propagation(int rootfd, const struct cage_oci_mount *m, const struct cage_mount_flags *f,
			   bool foreign, cage_err_t *err)
{
	if (!f->propagation)
		return 0;
	_cleanup_close_ int top = open_dest(rootfd, m->destination, true, foreign, err);
	struct mount_attr prop = {.propagation = f->propagation & ~(unsigned long)MS_REC};
	if (top < 0)
		return -1;
	if (sys_mount_setattr(top, "", AT_EMPTY_PATH | ((f->propagation & MS_REC) ? AT_RECURSIVE : 0), &prop) < 0)
		return cage_err_sys(err, errno, "cannot set the propagation of %s", m->destination);
	return 0;
}

/* proc, tmpfs, devpts, sysfs, overlay: mount(2) onto /proc/self/fd/N of a
 * destination resolved beneath the new root. */
static int fs_mount(int rootfd, const struct cage_oci_mount *m, const struct cage_mount_flags *f,
		    bool foreign, cage_err_t *err)
{
	_cleanup_close_ int dst = open_dest(rootfd, m->destination, true, foreign, err);
	if (dst < 0)
		return -1;
	char target[64];
	snprintf(target, sizeof(target), "/proc/self/fd/%d", dst);
	/* A "cgroup" mount is the host's hierarchies as they are: cgroup2 on a
	 * unified host, a bind of /sys/fs/cgroup on a v1 or hybrid one. */
	bool cgroup = foreign && !strcmp(m->type, "cgroup");
	struct statfs host_cg;
	bool v2 = cgroup && statfs("/sys/fs/cgroup", &host_cg) == 0 && host_cg.f_type == CGROUP2_SUPER_MAGIC;
	/* A new mount takes MS_RDONLY and the other flags directly. */
	if ((!cgroup || v2) &&
	    mount(m->source, target, cgroup ? "cgroup2" : m->type, f->set, f->data[0] ? f->data : NULL) == 0)
		return set_propagation(rootfd, m, f, foreign, err);
	int e = errno;
	/* sysfs needs a network namespace of our own: otherwise bind the
	 * host's, read-only as asked (runc does the same). */
	if (foreign && (!strcmp(m->type, "sysfs") || cgroup)) {
		struct cage_oci_mount b = *m;
		struct cage_mount_flags rf = *f;
		b.source = (char *)(cgroup ? "/sys/fs/cgroup" : "/sys");
		rf.recursive = true;
		return bind_mount(rootfd, &b, &rf, foreign, err);
	}
	return cage_err_sys(err, e, "cannot mount %s on %s", m->type, m->destination);
}

static int apply_mounts(const struct cage_oci *oci, int rootfd, bool foreign, cage_err_t *err)
{
	for (size_t i = 0; i < oci->nmounts; i++) {
		const struct cage_oci_mount *m = &oci->mounts[i];
		struct cage_mount_flags f;
		int rc = cage_mount_flags(m, &f, err);
		if (rc == 0)
			rc = m->bind ? bind_mount(rootfd, m, &f, foreign, err) : fs_mount(rootfd, m, &f, foreign, err);
		cage_mount_flags_free(&f);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The device nodes of a minimal /dev (OCI's default devices). */
static const struct { const char *name; unsigned maj, min; } devices[] = {
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9},
	{"tty", 5, 0},
};

static const struct { const char *name, *target; } dev_links[] = {
	{"ptmx", "pts/ptmx"}, {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
};

int cage_populate_dev(cage_err_t *err)
{
	_cleanup_close_ int dev = open("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dev < 0)
		return cage_err_sys(err, errno, "/dev");
	for (size_t i = 0; i < sizeof(devices) / sizeof(*devices); i++)
		if (mknodat(dev, devices[i].name, S_IFCHR | 0666, makedev(devices[i].maj, devices[i].min)) < 0 &&
		    errno != EEXIST)
			return cage_err_sys(err, errno, "cannot create /dev/%s", devices[i].name);
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(*dev_links); i++)
		if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0 && errno != EEXIST)
			return cage_err_sys(err, errno, "cannot create /dev/%s", dev_links[i].name);
	/* mknod obeys the umask: make the modes what programs expect. */
	for (size_t i = 0; i < sizeof(devices) / sizeof(*devices); i++) {
		char path[32];
		snprintf(path, sizeof(path), "/dev/%s", devices[i].name);
		chmod(path, 0666);
	}
	return 0;
}

/* OCI maskedPaths / readonlyPaths, applied inside the new root. */
int cage_mask_paths(const struct cage_oci *oci, cage_err_t *err)
{
	for (size_t i = 0; i < oci->masked.n; i++) {
		const char *p = oci->masked.v[i];
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		int rc = S_ISDIR(st.st_mode)
				 ? mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0")
				 : mount("/dev/null", p, NULL, MS_BIND, NULL);
		if (rc < 0)
			return cage_err_sys(err, errno, "cannot mask %s", p);
	}
	for (size_t i = 0; i < oci->readonly.n; i++) {
		const char *p = oci->readonly.v[i];
		if (access(p, F_OK) < 0)
			continue;
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			return cage_err_sys(err, errno, "cannot make %s read-only", p);
	}
	return 0;
}

/* One device node of an ordinary bundle, made beneath the new root before
 * pivot_root.  In a user namespace mknod is refused: the host's node at the
 * same path is bound instead (runc's rule). */
static int make_device(int rootfd, const struct cage_device *d, bool bind, cage_err_t *err)
{
	const char *base;
	_cleanup_close_ int parent = foreign_parent(rootfd, d->path, &base, err);
	if (parent < 0)
		return cage_err_prefix(err, "device %s", d->path);
	if (!bind) {
		unlinkat(parent, base, 0);
		/* The mode is set by mknod itself (umask 0), never by a chmod that
		 * a symlink swapped in meanwhile would send to the host. */
		mode_t old = umask(0);
		int rc = mknodat(parent, base, d->type | (d->mode & 07777), makedev(d->major, d->minor));
		umask(old);
		if (rc < 0)
			return cage_err_sys(err, errno, "cannot create device %s", d->path);
	} else {
		int f = create_file(parent, base);
		_cleanup_close_ int tree = sys_open_tree(AT_FDCWD, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		/* move_mount does not follow a symlink at base (no MOVE_MOUNT_T_SYMLINKS). */
		if (f < 0 || tree < 0 || sys_move_mount(tree, "", parent, base, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return cage_err_sys(err, errno, "cannot bind the host's %s", d->path);
		return 0;
	}
	if (fchownat(parent, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return cage_err_sys(err, errno, "cannot set the owner of %s", d->path);
	return 0;
}

static int foreign_devices(int rootfd, const struct cage_root_opts *o, cage_err_t *err)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(*devices); i++) {
		char path[32];
		snprintf(path, sizeof(path), "/dev/%s", devices[i].name);
		struct cage_device d = {.path = path, .type = S_IFCHR, .major = devices[i].maj,
					.minor = devices[i].min, .mode = 0666};
		if (make_device(rootfd, &d, o->bind_devices, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < o->ndevices; i++)
		if (make_device(rootfd, &o->devices[i], o->bind_devices, err) < 0)
			return -1;
	_cleanup_close_ int dev = cage_mkdirs_in_root(rootfd, "/dev", 0755, err);
	if (dev < 0)
		return cage_err_prefix(err, "/dev");
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(*dev_links); i++)
		if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0 && errno != EEXIST)
			return cage_err_sys(err, errno, "cannot create /dev/%s", dev_links[i].name);
	return 0;
}

/* Bind the root (pivot_root needs a mount point); a skeleton's root is
 * nosuid and nodev whatever it holds. */
static int bind_root(const struct cage_oci *oci, bool foreign, cage_err_t *err)
{
	_cleanup_close_ int skel = open(oci->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (skel < 0) {
		/* A user's bundle/rootfs links to the skeleton: name it. */
		int e = errno;
		char to[PATH_MAX];
		ssize_t n = readlink(oci->root, to, sizeof(to) - 1);
		to[n > 0 ? n : 0] = '\0';
		return cage_err_sys(err, e, "root %s%s%s", oci->root, n > 0 ? ", a link to " : "", to);
	}
	_cleanup_close_ int tree = sys_open_tree(skel, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
						  (foreign ? AT_RECURSIVE : 0));
	if (tree < 0)
		return cage_err_sys(err, errno, "cannot clone the root %s", oci->root);
	struct mount_attr a = {.attr_set = foreign ? 0 : MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
	if ((a.attr_set && sys_mount_setattr(tree, "", AT_EMPTY_PATH, &a) < 0) ||
	    sys_move_mount(tree, "", skel, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return cage_err_sys(err, errno, "cannot bind the root %s", oci->root);
	return 0;
}

/* The root becomes "/": bind it, mount the plan on it, pivot_root, and
 * detach the host's tree. */
int cage_build_root_with(const struct cage_oci *oci, const struct cage_root_opts *o, cage_err_t *err)
{
	/* Nothing we mount may propagate to the host (docs/ARCHITECTURE.md
	 * §4.2). */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return cage_err_sys(err, errno, "cannot make mounts private");
	if (bind_root(oci, o->foreign, err) < 0)
		return -1;
	_cleanup_close_ int root = open(oci->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return cage_err_sys(err, errno, "root %s", oci->root);
	if (apply_mounts(oci, root, o->foreign, err) < 0 ||
	    (o->foreign && foreign_devices(root, o, err) < 0) ||
	    (o->before_pivot && o->before_pivot(o->arg, err) < 0))
		return -1;
	if (fchdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		return cage_err_sys(err, errno, "pivot_root into %s", oci->root);
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return cage_err_sys(err, errno, "cannot detach the host's tree");
	if ((!o->foreign && cage_populate_dev(err) < 0) ||
	    (o->after_pivot && o->after_pivot(o->arg, err) < 0) || cage_mask_paths(oci, err) < 0)
		return -1;
	/* After the masks: a read-only root would refuse their mount points. */
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	if (oci->root_readonly && sys_mount_setattr(AT_FDCWD, "/", 0, &ro) < 0)
		return cage_err_sys(err, errno, "cannot make the root read-only");
	if (o->propagation && mount(NULL, "/", NULL, o->propagation, NULL) < 0)
		return cage_err_sys(err, errno, "cannot set the root's propagation");
	if (oci->hostname && sethostname(oci->hostname, strlen(oci->hostname)) < 0)
		return cage_err_sys(err, errno, "sethostname");
	return 0;
}

int cage_build_root(const struct cage_oci *oci, cage_err_t *err)
{
	struct cage_root_opts o = {0};
	return cage_build_root_with(oci, &o, err);
}
