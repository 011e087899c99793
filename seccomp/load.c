/* Loading a profile's filter into the calling process, for the cages of
 * hosting users (from a per-user cache of the compiled BPF) and ordinary
 * bundles (compiled on the spot).
 *
 * Why a cache: compiling the profile with libseccomp costs more than the
 * rest of a join, and every login of a user loads the same filter.  The
 * caller names the cache file and the time its profile last changed; the
 * cache carries that time and is used while the profile still has it. */
#define _GNU_SOURCE
#include "cagefs/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"

/* The caller of the setuid cagefs_enter chooses our rlimits: with a small
 * RLIMIT_FSIZE the exported filter could be cut short and cached.  The
 * cache is written only when file size is unlimited. */
static bool may_write_cache(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_FSIZE, &r) < 0)
		return false;
	if (r.rlim_cur != r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_FSIZE, &r);
	}
	return r.rlim_cur == RLIM_INFINITY;
}

static int read_bpf(int fd, struct cage_seccomp_prog *out)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size > 1 << 20)
		return -1;
	out->buf = malloc((size_t)st.st_size);
	if (!out->buf || pread(fd, out->buf, (size_t)st.st_size, 0) != st.st_size)
		return -1;
	out->prog.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	out->prog.filter = out->buf;
	return 0;
}

/* Compile, export into CACHE (a temp renamed over it) and read it back:
 * what is loaded is byte for byte what the next entry will read.  The
 * cache takes the time of the profile it was compiled from (CHANGED), not
 * the time of writing: a profile changed while this one compiled has
 * another time, so the next entry compiles that one instead of taking
 * this cache for it. */
static int compile_bpf(const cage_json *profile, const char *cache, struct timespec changed,
		       struct cage_seccomp_prog *out, cage_err_t *err)
{
	scmp_filter_ctx ctx = NULL;
	if (cage_seccomp_compile(profile, &ctx, err) < 0)
		return -1;
	if (!may_write_cache()) {
		out->ctx = ctx; /* loaded by libseccomp itself, nothing cached */
		return 0;
	}
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.%d", cache, getpid());
	_cleanup_close_ int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	const struct timespec times[2] = {changed, changed};
	if (rc == 0 && futimens(fd, times) < 0)
		rc = -errno;
	if (rc < 0 || read_bpf(fd, out) < 0) {
		unlink(tmp);
		return cage_err_sys(err, rc < 0 ? -rc : EINVAL, "cannot compile the seccomp filter");
	}
	if (rename(tmp, cache) < 0)
		unlink(tmp); /* the filter in hand is good; only the cache is lost */
	return 0;
}

int cage_seccomp_prepare(const cage_json *profile, const char *cache, struct timespec changed,
			 struct cage_seccomp_prog *out, cage_err_t *err)
{
	*out = (struct cage_seccomp_prog){0};
	if (!profile)
		return 0;
	if (cage_seccomp_flags(profile, &out->flags, err) < 0)
		return -1;
	_cleanup_close_ int fd = open(cache, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	bool current = fd >= 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec == changed.tv_sec &&
		       st.st_mtim.tv_nsec == changed.tv_nsec;
	if (current && read_bpf(fd, out) == 0)
		return 0;
	free(out->buf);
	out->buf = NULL;
	return compile_bpf(profile, cache, changed, out, err);
}

int cage_seccomp_prepare_learning(const cage_json *profile, int sock, struct cage_seccomp_prog *out,
				  cage_err_t *err)
{
	*out = (struct cage_seccomp_prog){ .learning = true, .learn_sock = sock };
	return cage_seccomp_compile_learning(profile, &out->ctx, err);
}

/* Give the loaded filter's listener to the supervisor, then drop ours at
 * once: while this process (or a child forked before exec, the PAM case)
 * held it, a notification could wait on a reader that is never coming
 * once the supervisor is gone.  A listener nobody holds makes the kernel
 * answer ENOSYS: the call is still refused, never let through. */
static int hand_over(struct cage_seccomp_prog *p, cage_err_t *err)
{
	int fd = seccomp_notify_fd(p->ctx);
	if (fd < 0)
		return cage_err_set(err, "learning: the seccomp filter has no listener");
	char cmd = 'F';
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = {0};
	struct iovec iov = { &cmd, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n = sendmsg(p->learn_sock, &m, MSG_NOSIGNAL);
	int e = errno;
	close(fd);
	close(p->learn_sock);
	p->learn_sock = -1;
	if (n != 1)
		cage_warn("learning: the supervisor is gone (%s); refused calls fail with ENOSYS", strerror(e));
	return 0;
}

int cage_seccomp_load(struct cage_seccomp_prog *p, cage_err_t *err)
{
	if (p->ctx) {
		int rc = seccomp_load(p->ctx);
		if (rc < 0)
			return cage_err_sys(err, -rc, "cannot load the seccomp filter");
		return p->learning ? hand_over(p, err) : 0;
	}
	if (!p->buf)
		return 0;
	/* seccomp(2), not prctl: the profile's flags (SECCOMP_FILTER_FLAG_*)
	 * apply to exported BPF only if given here. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &p->prog) < 0)
		return cage_err_sys(err, errno, "cannot load the seccomp filter");
	return 0;
}

void cage_seccomp_prog_free(struct cage_seccomp_prog *p)
{
	if (p->learning && p->learn_sock >= 0)
		close(p->learn_sock); /* not loaded: the supervisor sees a hang-up */
	free(p->buf);
	if (p->ctx)
		seccomp_release(p->ctx);
	*p = (struct cage_seccomp_prog){0};
}

int cage_seccomp_apply(const cage_json *profile, cage_err_t *err)
{
	_cleanup_seccomp_ctx_ scmp_filter_ctx ctx = NULL;
	if (!profile)
		return 0;
	if (cage_seccomp_compile(profile, &ctx, err) < 0)
		return -1;
	int rc = seccomp_load(ctx);
	return rc < 0 ? cage_err_sys(err, -rc, "cannot load the seccomp filter") : 0;
}
