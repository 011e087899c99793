/* The learning supervisor (docs/ARCHITECTURE.md §4.25): a background
 * process of root that holds the listeners of the learning filters of one
 * user's entries, records each call they would have refused, and answers
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel then carries the call out
 * with the caller's own credentials, exactly as without a filter, so a
 * call the kernel refuses the user (mount without CAP_SYS_ADMIN) still
 * fails with the kernel's own error.  Nothing is read from the caller's
 * memory and nothing is decided on it, so the TOCTOU caveat of CONTINUE
 * does not apply.
 *
 * If it dies, every listener closes with it; the kernel then fails each
 * notified call with ENOSYS instead of waiting (never a hang, never a
 * call let through).  It ends at its deadline, on cagefsctl
 * --seccomp-learn-stop, or on SIGTERM, in this order: the socket goes
 * (new entries enforce again), the listeners close, the record is
 * written. */
#define _GNU_SOURCE
#include "learn_internal.h"
#include "cage_internal.h"
#include "runtime/oci/oci_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cagefs/bundle.h"
#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"
#include "cagefs/seccomp.h"
#include "cagefs/users.h"

/* Listeners at once: beyond it a new entry's hand-over is refused and its
 * refused calls fail with ENOSYS.  Waiting clients (entries between their
 * connect and their hand-over, a stopper) have room of their own, so that
 * many entries can never keep --seccomp-learn-stop out. */
#define MAX_LISTENERS 1024
#define MAX_FDS (MAX_LISTENERS + 1024)

enum kind { LISTEN, CLIENT, NOTIFY, STOPPER };

struct sup {
	const struct cage_paths *p;
	const struct cage_user *u;
	struct cage_oci oci;          /* the user's profile, reread when config.json changes */
	struct timespec mtime;
	struct cage_seccomp_record rec;
	bool dirty;
	time_t written;
	size_t written_len;           /* bytes of the record last written */
	struct pollfd fds[MAX_FDS];
	enum kind kind[MAX_FDS];
	size_t n, listeners;
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	dev_t sock_dev;
	ino_t sock_ino;
};

static volatile sig_atomic_t stop_asked;
static void on_term(int sig) { (void)sig; stop_asked = 1; }

static void add_fd(struct sup *s, int fd, enum kind k)
{
	if (s->n == MAX_FDS) {
		close(fd);
		return;
	}
	s->listeners += k == NOTIFY;
	s->fds[s->n] = (struct pollfd){ fd, POLLIN, 0 };
	s->kind[s->n++] = k;
}

static void drop_fd(struct sup *s, size_t i)
{
	s->listeners -= s->kind[i] == NOTIFY;
	close(s->fds[i].fd);
	s->fds[i] = s->fds[--s->n];
	s->kind[i] = s->kind[s->n];
}

static void write_record(struct sup *s)
{
	char path[4096];
	_cleanup_free_ char *json = NULL;
	size_t len = 0;
	cage_err_t err = {0};
	if (learn_path(s->p, LEARN_RECORD, s->u->name, path, sizeof(path)) < 0 ||
	    cage_seccomp_record_json(&s->rec, &json, &len, &err) < 0 ||
	    cage_write_atomic(path, json, len, 0600, &err) < 0)
		cage_warn("learning %s: the record is not written: %s", s->u->name, err.msg);
	s->written_len = len;
	s->dirty = false;
	s->written = time(NULL);
}

/* Only a root process can reach the socket (its directory is root's);
 * checked again, and a passed fd must be a seccomp listener. */
static bool is_listener(int fd)
{
	static const char want[] = "anon_inode:seccomp notify";
	char proc[64], link[64] = "";
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(proc, link, sizeof(link) - 1);
	return n == (ssize_t)strlen(want) && !memcmp(link, want, (size_t)n);
}

static void accept_client(struct sup *s, int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.uid != 0) {
		close(fd);
		return;
	}
	add_fd(s, fd, CLIENT);
}

/* A client's one message: 'F' with a listener, or 'S' (stop). */
static void read_client(struct sup *s, size_t i)
{
	char cmd = 0;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} u;
	struct iovec iov = { &cmd, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n = recvmsg(s->fds[i].fd, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	int passed = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); n > 0 && c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
			if (passed < 0 && cmd == 'F' && is_listener(fd))
				passed = fd;
			else
				close(fd);
		}
	}
	if (n == 1 && cmd == 'S') {
		stop_asked = 1;
		s->kind[i] = STOPPER; /* closed last: the stopper waits for that */
		s->fds[i].events = 0;
		return;
	}
	drop_fd(s, i);
	if (passed >= 0 && s->listeners == MAX_LISTENERS) {
		cage_warn("learning %s: more than %d entries at once, one refused", s->u->name, MAX_LISTENERS);
		close(passed);
	} else if (passed >= 0) {
		add_fd(s, passed, NOTIFY);
	}
}

/* The user changed the profile meanwhile (--seccomp-apply): match calls
 * against what new entries get. */
static void reread_profile(struct sup *s)
{
	_cleanup_free_ char *dir = cage_bundle_dir(s->p, s->u->name, s->u->uid);
	_cleanup_free_ char *cfg = dir ? cage_path_join(dir, "config.json") : NULL;
	struct stat st;
	if (!cfg || stat(cfg, &st) < 0 || (st.st_mtim.tv_sec == s->mtime.tv_sec && st.st_mtim.tv_nsec == s->mtime.tv_nsec))
		return;
	struct cage_oci fresh = {0};
	cage_err_t err = {0};
	if (learn_profile(s->p, s->u, &fresh, &s->mtime, &err) < 0) {
		cage_oci_free(&fresh);
		return;
	}
	cage_oci_free(&s->oci);
	s->oci = fresh;
}

/* The caller's executable as the host sees it, or its name.
 *
 * The name (comm) is the caller's to set (PR_SET_NAME), and the kernel
 * cannot show the executable of a user who runs it from a path longer
 * than PATH_MAX (readlink: ENAMETOOLONG): such a program was recorded as
 * "/usr/bin/php", or whatever it named itself.  So the name is shown as
 * "[comm: NAME]", never as a path (what readlink gives starts with '/'). */
static void program_of(pid_t pid, char *buf, size_t size)
{
	char proc[64], comm[64];
	snprintf(proc, sizeof(proc), "/proc/%d/exe", pid);
	ssize_t n = readlink(proc, buf, size - 1);
	if (n > 0) {
		buf[n] = '\0';
		return;
	}
	snprintf(proc, sizeof(proc), "/proc/%d/comm", pid);
	_cleanup_close_ int fd = open(proc, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
	comm[n > 0 ? n : 0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(buf, size, "[comm: %s]", comm);
}

static void answer(struct sup *s, size_t i)
{
	int fd = s->fds[i].fd;
	memset(s->req, 0, s->sizes.seccomp_notif);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, s->req) < 0) {
		if (errno != ENOENT && errno != EINTR)
			drop_fd(s, i);
		return;
	}
	char prog[4096];
	program_of((pid_t)s->req->pid, prog, sizeof(prog));
	/* The pid was still the caller's while we read it. */
	bool valid = ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &s->req->id) == 0;
	memset(s->resp, 0, s->sizes.seccomp_notif_resp);
	s->resp->id = s->req->id;
	s->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, s->resp);
	reread_profile(s);
	if (cage_seccomp_record_call(&s->rec, s->oci.seccomp, s->req->data.arch, s->req->data.nr,
				     (const uint64_t *)s->req->data.args, valid ? prog : "?", time(NULL)) < 0)
		cage_warn("learning %s: out of memory, a call not recorded", s->u->name);
	s->dirty = true;
}

static void on_event(struct sup *s, size_t i)
{
	short ev = s->fds[i].revents;
	if (s->kind[i] == LISTEN && (ev & POLLIN))
		accept_client(s, s->fds[i].fd);
	else if (s->kind[i] == CLIENT && (ev & (POLLIN | POLLHUP | POLLERR)))
		read_client(s, i);
	else if (s->kind[i] == NOTIFY && (ev & POLLIN))
		answer(s, i);
	else if (s->kind[i] == NOTIFY && (ev & (POLLHUP | POLLERR | POLLNVAL)))
		drop_fd(s, i); /* every process of that filter has ended */
}

static void loop(struct sup *s, time_t until)
{
	while (!stop_asked) {
		time_t now = time(NULL);
		if (now >= until)
			break;
		/* Once a second, and no faster than 256 KiB a second: a user who
		 * fills the record (up to CAGE_SECCOMP_MAX_RECORD) with a flood of
		 * new calls would otherwise have root rewrite megabytes a second
		 * for as long as learning lasts.  The last record is written at
		 * the end whatever the pace. */
		if (s->dirty && now > s->written + (time_t)(s->written_len >> 18))
			write_record(s);
		long wait = until - now > 1 ? 1000 : (long)(until - now) * 1000;
		int rc = poll(s->fds, s->n, (int)wait);
		for (size_t i = s->n; rc > 0 && i-- > 0;)
			if (s->fds[i].revents)
				on_event(s, i);
	}
}

/* The socket first: from then on new entries get the enforcing filter. */
static void finish(struct sup *s)
{
	struct stat st;
	char sock[4096];
	if (learn_path(s->p, LEARN_SOCK, s->u->name, sock, sizeof(sock)) == 0 && lstat(sock, &st) == 0 &&
	    st.st_dev == s->sock_dev && st.st_ino == s->sock_ino)
		unlink(sock);
	for (size_t i = s->n; i-- > 0;)
		if (s->kind[i] != STOPPER)
			drop_fd(s, i);
	write_record(s);
	for (size_t i = s->n; i-- > 0;)
		drop_fd(s, i);
}

static int sup_init(struct sup *s, int fd, time_t until, cage_err_t *err)
{
	char sock[4096], dir[4096];
	struct stat st;
	if (learn_path(s->p, LEARN_SOCK, s->u->name, sock, sizeof(sock)) < 0 || lstat(sock, &st) < 0)
		return cage_err_sys(err, errno, "%s", sock);
	s->sock_dev = st.st_dev;
	s->sock_ino = st.st_ino;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &s->sizes) < 0)
		return cage_err_sys(err, errno, "this kernel has no seccomp user notification");
	s->req = calloc(1, s->sizes.seccomp_notif);
	s->resp = calloc(1, s->sizes.seccomp_notif_resp);
	if (!s->req || !s->resp)
		return cage_err_sys(err, ENOMEM, "learning");
	if (learn_profile(s->p, s->u, &s->oci, &s->mtime, err) < 0)
		return -1;
	if (learn_path(s->p, LEARN_RECORD_DIR, s->u->name, dir, sizeof(dir)) < 0)
		return cage_err_set(err, "path too long");
	if ((mkdir(s->p->var, 0755) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST))
		return cage_err_sys(err, errno, "%s", dir);
	s->rec.started = time(NULL);
	s->rec.until = until;
	add_fd(s, fd, LISTEN);
	return 0;
}

static void sup_free(struct sup *s)
{
	cage_oci_free(&s->oci);
	cage_seccomp_record_free(&s->rec);
	free(s->req);
	free(s->resp);
}

/* The background process: a session of its own, nothing of the admin's
 * command (no terminal, no lock fd), SIGTERM ends it cleanly. */
static void detach(int keep)
{
	/* Room for its table: a soft limit of 1024 would turn entries away
	 * (safely: they get ENOSYS) long before MAX_FDS. */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < MAX_FDS + 16) {
		nofile.rlim_cur = nofile.rlim_max < MAX_FDS + 16 ? nofile.rlim_max : MAX_FDS + 16;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	setsid();
	if (chdir("/") < 0)
		_exit(1);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < 3 && null >= 0; i++)
		dup2(null, i);
	if (dup2(keep, 3) < 0)
		_exit(1);
	syscall(SYS_close_range, 4, ~0U, 0);
	prctl(PR_SET_NAME, "cagefs-learn", 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

int learn_supervise(const struct cage_paths *p, const struct cage_user *u, int fd, time_t until, cage_err_t *err)
{
	struct sup s = { .p = p, .u = u };
	/* Set up before the fork, so that the admin's command reports what
	 * went wrong; the record exists from the start. */
	if (sup_init(&s, fd, until, err) < 0) {
		sup_free(&s);
		return -1;
	}
	write_record(&s);
	pid_t pid = fork();
	if (pid < 0) {
		sup_free(&s);
		return cage_err_sys(err, errno, "cannot start the learning supervisor");
	}
	if (pid > 0) {
		sup_free(&s);
		return 0;
	}
	detach(fd);
	s.fds[0].fd = 3;
	loop(&s, until);
	finish(&s);
	_exit(0);
}
