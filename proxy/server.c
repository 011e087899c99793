/* proxyexecd's loop (docs/ARCHITECTURE.md §4.18): one process, one
 * poll(2) over the listening socket, the connections and the pidfds of
 * the commands running.  A request is read without blocking, within hard
 * limits of size, time and number (per uid and in all), so that a caller
 * who sends garbage, too much, too little or too many requests gets a
 * clear refusal while every other user is served.  Each complete request
 * is decided and run in a forked child (run.c); the daemon then relays
 * the caller's signals to it and sends back its exit status or signal. */
#define _GNU_SOURCE
#include "proxy_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

enum state { READ_HDR, READ_BODY, RUNNING };

struct conn {
	int fd;
	uid_t uid;
	pid_t pid;
	int pidfd;
	int fds[3];
	int nfds;
	enum state st;
	unsigned char hdr[CAGE_PROXY_HDR_LEN];
	size_t got;
	char *body;
	uint32_t body_len;
	uint64_t deadline;
	pid_t child;
	int child_pidfd, errpipe;
	bool hung_up;
};

struct server {
	const struct cage_proxy_server_opts *o;
	struct cage_proxy_cmds cmds;
	int lfd, sigfd;
	struct conn **c;
	size_t n;
	unsigned max_per_user, max_total, timeout_ms;
	bool stop;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void send_reply(int fd, char kind, int value, const char *msg)
{
	struct cage_proxy_reply r = {.kind = kind, .value = value};
	unsigned char buf[CAGE_PROXY_HDR_LEN + CAGE_PROXY_MSG_MAX];
	if (msg)
		snprintf(r.msg, sizeof(r.msg), "%s", msg);
	size_t n = cage_proxy_reply_encode(&r, buf);
	if (send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		cage_info("a reply was lost: %s", strerror(errno));
}

/* Status 126, as a shell says of a command it found but cannot run. */
static void refuse(struct conn *c, const char *why)
{
	cage_notice("uid=%u pid=%d refused: %s", (unsigned)c->uid, c->pid, why);
	send_reply(c->fd, 'E', 126, why);
}

/* The last close of a caller's socket with SO_LINGER set waits out the
 * linger time (attack-proxy.t: a TCP socket whose peer never reads, as
 * stdin): the loop, which serves everyone, must never make it.  A
 * grandchild keeps a copy of FDS until the loop's own are closed, then
 * exits; an exiting process's close does not linger.  Turning SO_LINGER
 * off first would not do: the caller can set it again through a copy it
 * keeps, and drop that copy just before ours. */
static void release_fds(const int *fds, int n)
{
	if (n <= 0)
		return;
	int gate[2] = {-1, -1};
	pid_t pid = pipe2(gate, O_CLOEXEC) == 0 ? fork() : -1;
	if (pid == 0) {
		close(gate[1]);
		if (fork() == 0) {
			char b;
			while (read(gate[0], &b, 1) < 0 && errno == EINTR)
				;
		}
		_exit(0);
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	if (gate[0] >= 0) {
		close(gate[0]);
		close(gate[1]);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static void conn_free(struct conn *c)
{
	close(c->fd);
	release_fds(c->fds, c->nfds);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->child_pidfd >= 0)
		close(c->child_pidfd);
	if (c->errpipe >= 0)
		close(c->errpipe);
	free(c->body);
	free(c);
}

static void drop(struct server *s, size_t i)
{
	conn_free(s->c[i]);
	s->c[i] = s->c[--s->n];
}

static unsigned count_uid(const struct server *s, uid_t uid)
{
	unsigned k = 0;
	for (size_t i = 0; i < s->n; i++)
		k += s->c[i]->uid == uid;
	return k;
}

/* The caller, as the kernel knows it: SO_PEERCRED and a pidfd of the
 * connecting process (SO_PEERPIDFD, kernel >= 6.5; else pidfd_open of
 * its pid, which run.c checks again after reading its namespaces). */
static int peer(struct conn *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -1;
	c->uid = cred.uid;
	c->pid = cred.pid;
	len = sizeof(c->pidfd);
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERPIDFD, &c->pidfd, &len) < 0)
		c->pidfd = (int)syscall(SYS_pidfd_open, cred.pid, 0);
	if (c->pidfd >= 0)
		fcntl(c->pidfd, F_SETFD, FD_CLOEXEC);
	return c->pidfd < 0 ? -1 : 0;
}

/* -1: nothing more to accept now. */
static int accept_one(struct server *s)
{
	int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -1;
	}
	*c = (struct conn){.fd = fd, .pidfd = -1, .child_pidfd = -1, .errpipe = -1,
			   .deadline = now_ms() + s->timeout_ms};
	char why[160];
	if (peer(c) < 0) {
		conn_free(c);
		return 0;
	}
	unsigned mine = count_uid(s, c->uid);
	if (mine >= s->max_per_user || s->n >= s->max_total) {
		snprintf(why, sizeof(why), mine >= s->max_per_user ?
			 "too many requests at once: %u of uid %u are running (the limit is %u)" :
			 "the proxy is busy: %u requests are running", mine >= s->max_per_user ? mine : (unsigned)s->n,
			 (unsigned)c->uid, s->max_per_user);
		refuse(c, why);
		conn_free(c);
		return 0;
	}
	s->c[s->n++] = c;
	return 0;
}

/* The header comes with the caller's three fds; anything else (none, a
 * fourth, a truncated control message) is refused. */
static int take_fds(struct conn *c, struct msghdr *m, char *why, size_t size)
{
	int bad = (m->msg_flags & MSG_CTRUNC) != 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		int n = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		int *fds = (int *)CMSG_DATA(cm);
		for (int i = 0; i < n; i++) {
			if (c->nfds < 3)
				c->fds[c->nfds++] = fds[i];
			else {
				release_fds(&fds[i], 1);
				bad = 1;
			}
		}
	}
	if (bad || (c->got == 0 && c->nfds != 3))
		snprintf(why, size, "malformed request: the header must come with exactly 3 descriptors "
			 "(stdin, stdout, stderr)");
	return bad || c->nfds != 3 ? -1 : 0;
}

/* 1: more to read; 0: the request is complete; -1: refused or gone (WHY
 * says which, "" if the caller just left). */
static int read_hdr(struct server *s, struct conn *c, char *why, size_t size)
{
	char ctl[CMSG_SPACE(8 * sizeof(int))];
	struct iovec iov = {c->hdr + c->got, CAGE_PROXY_HDR_LEN - c->got};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(c->fd, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n <= 0) {
		snprintf(why, size, "%s", c->got ? "truncated request: the caller left within the header" : "");
		return -1;
	}
	bool first = c->got == 0;
	if (first && take_fds(c, &m, why, size) < 0)
		return -1;
	if (!first && m.msg_controllen && take_fds(c, &m, why, size) < 0)
		return -1;
	c->got += (size_t)n;
	if (c->got < CAGE_PROXY_HDR_LEN)
		return 1;
	cage_err_t e = {0};
	if (cage_proxy_hdr_decode(c->hdr, &c->body_len, &e) < 0) {
		snprintf(why, size, "%s", e.msg);
		return -1;
	}
	c->body = malloc(c->body_len ? c->body_len : 1);
	if (!c->body) {
		snprintf(why, size, "out of memory");
		return -1;
	}
	(void)s;
	c->st = READ_BODY;
	c->got = 0;
	return c->body_len ? 1 : 0;
}

static int read_body(struct conn *c, char *why, size_t size)
{
	ssize_t n = recv(c->fd, c->body + c->got, c->body_len - c->got, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n <= 0) {
		snprintf(why, size, "truncated request: the caller left after %zu of %u bytes", c->got, c->body_len);
		return -1;
	}
	c->got += (size_t)n;
	return c->got < c->body_len ? 1 : 0;
}

/* The child: decide and exec (run.c); a refusal goes back through ERR's
 * pipe, which exec closes. */
static void child(struct server *s, struct conn *c, const struct cage_proxy_req *req, int err_w)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct proxy_job j = {.uid = c->uid, .pid = c->pid, .pidfd = c->pidfd, .req = req};
	memcpy(j.fds, c->fds, sizeof(j.fds));
	cage_err_t err = {0};
	proxy_run(s->o->paths, &s->cmds, &j, &err);
	ssize_t w = write(err_w, err.msg, strnlen(err.msg, sizeof(err.msg)));
	_exit(w < 0 ? 127 : 126);
}

static int start(struct server *s, struct conn *c, char *why, size_t size)
{
	struct cage_proxy_req req;
	cage_err_t e = {0};
	if (cage_proxy_req_decode(c->body, c->body_len, &req, &e) < 0) {
		snprintf(why, size, "%s", e.msg);
		return -1;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		cage_proxy_req_free(&req);
		snprintf(why, size, "the proxy cannot start a command now: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		child(s, c, &req, pipefd[1]);
	}
	close(pipefd[1]);
	cage_proxy_req_free(&req);
	c->errpipe = pipefd[0];
	if (pid < 0 || (c->child_pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
		snprintf(why, size, "the proxy cannot start a command now: %s", strerror(errno));
		return -1;
	}
	fcntl(c->child_pidfd, F_SETFD, FD_CLOEXEC);
	c->child = pid;
	c->st = RUNNING;
	/* The caller's fds are the child's now; ours go (never as the last
	 * close: the child may have ended already). */
	release_fds(c->fds, c->nfds);
	c->nfds = 0;
	free(c->body);
	c->body = NULL;
	return 0;
}

/* Only what a terminal would send; one byte per signal. */
static void relay_signals(struct conn *c)
{
	unsigned char b[64];
	ssize_t n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* the caller hung up: so does the command's terminal */
		c->hung_up = true;
		kill(-c->child, SIGHUP);
		kill(-c->child, SIGCONT);
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (b[i] == SIGINT || b[i] == SIGHUP || b[i] == SIGTERM || b[i] == SIGQUIT)
			if (kill(-c->child, b[i]) < 0)
				syscall(SYS_pidfd_send_signal, c->child_pidfd, b[i], NULL, 0);
}

static void finish(struct conn *c)
{
	siginfo_t si = {0};
	if (waitid(P_PIDFD, (id_t)c->child_pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
		return;
	char msg[CAGE_PROXY_MSG_MAX] = "";
	ssize_t n = read(c->errpipe, msg, sizeof(msg) - 1);
	if (n > 0) {
		msg[n] = '\0';
		send_reply(c->fd, 'E', 126, msg);
	} else if (si.si_code == CLD_EXITED) {
		send_reply(c->fd, 'X', si.si_status, NULL);
	} else {
		send_reply(c->fd, 'S', si.si_status, NULL);
	}
	close(c->child_pidfd);
	c->child_pidfd = -1;
}

/* One connection's event.  false: it is done (dropped by the caller). */
static bool step(struct server *s, struct conn *c, short rev, bool child_ready)
{
	char why[CAGE_PROXY_MSG_MAX] = "";
	int r = 1;
	if (c->st == RUNNING) {
		if (rev && !c->hung_up)
			relay_signals(c);
		if (child_ready)
			finish(c);
		return c->child_pidfd >= 0;
	}
	if (!rev)
		return true;
	if (c->st == READ_HDR)
		r = read_hdr(s, c, why, sizeof(why));
	if (r >= 0 && c->st == READ_BODY && (r == 0 || c->body_len))
		r = r == 0 ? 0 : read_body(c, why, sizeof(why));
	if (r == 0 && start(s, c, why, sizeof(why)) == 0)
		return true;
	if (r == 1)
		return true;
	if (why[0])
		refuse(c, why);
	return false;
}

static void expire(struct server *s, uint64_t now)
{
	for (size_t i = 0; i < s->n;) {
		struct conn *c = s->c[i];
		if (c->st != RUNNING && now >= c->deadline) {
			char why[128];
			snprintf(why, sizeof(why), "truncated request: not complete after %u ms", s->timeout_ms);
			refuse(c, why);
			drop(s, i);
		} else {
			i++;
		}
	}
}

static void on_signal(struct server *s)
{
	struct signalfd_siginfo si;
	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			cage_err_t e = {0};
			if (cage_proxy_cmds_load(s->o->paths, &s->cmds, &e) < 0)
				cage_error("reload refused, the commands stay as they were: %s", e.msg);
			else
				cage_notice("reloaded: %zu proxied commands", s->cmds.n);
		} else {
			s->stop = true;
		}
	}
}

static int wait_events(struct server *s)
{
	size_t cap = 2 + 2 * s->n;
	struct pollfd *pfd = calloc(cap, sizeof(*pfd));
	if (!pfd)
		return -1;
	pfd[0] = (struct pollfd){.fd = s->n < s->max_total + 64 ? s->lfd : -1, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = s->sigfd, .events = POLLIN};
	uint64_t now = now_ms(), next = now + 60000;
	for (size_t i = 0; i < s->n; i++) {
		struct conn *c = s->c[i];
		pfd[2 + 2 * i] = (struct pollfd){.fd = c->hung_up ? -1 : c->fd, .events = POLLIN};
		pfd[3 + 2 * i] = (struct pollfd){.fd = c->child_pidfd, .events = POLLIN};
		if (c->st != RUNNING && c->deadline < next)
			next = c->deadline;
	}
	int rc = poll(pfd, cap, next > now ? (int)(next - now) : 0);
	if (rc < 0 && errno != EINTR) {
		free(pfd);
		return -1;
	}
	if (rc > 0 && pfd[1].revents)
		on_signal(s);
	size_t n = s->n; /* the connections polled; accept adds after them */
	for (size_t i = n; i-- > 0;)
		if (!step(s, s->c[i], pfd[2 + 2 * i].revents, pfd[3 + 2 * i].revents != 0))
			drop(s, i);
	for (int k = 0; rc > 0 && pfd[0].revents && k < 64; k++)
		if (accept_one(s) < 0)
			break;
	expire(s, now_ms());
	free(pfd);
	return 0;
}

/* RUN/proxy: root's, 0755, so that only root can put a socket there;
 * every cage binds it read-only at CAGE_PROXY_DIR_IN_CAGE. */
static int socket_path(const struct cage_proxy_server_opts *o, char *out, size_t size, cage_err_t *err)
{
	if (o->socket) {
		if (snprintf(out, size, "%s", o->socket) >= (int)size)
			return cage_err_set(err, "socket path too long: %s", o->socket);
		return 0;
	}
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	if (snprintf(dir, sizeof(dir), "%s/%s", o->paths->run, CAGE_PROXY_DIR) >= (int)sizeof(dir))
		return cage_err_set(err, "socket path too long under %s", o->paths->run);
	if (cage_proxy_dir_make(o->paths) < 0)
		return cage_err_sys(err, errno, "cannot create %s", dir);
	if (snprintf(out, size, "%s/%s", dir, CAGE_PROXY_SOCKET_NAME) >= (int)size)
		return cage_err_set(err, "socket path too long under %s", o->paths->run);
	return 0;
}

/* One daemon per socket (a lock beside it); the socket is bound under a
 * temporary name, opened to everyone, and renamed over the old one, so a
 * cage never sees a moment without it. */
static int listen_on(const char *path, int *lock, cage_err_t *err)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char lockf[sizeof(a.sun_path) + 8], tmp[sizeof(a.sun_path)];
	snprintf(lockf, sizeof(lockf), "%s.lock", path);
	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return cage_err_set(err, "socket path too long: %s", path);
	*lock = open(lockf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*lock < 0 || flock(*lock, LOCK_EX | LOCK_NB) < 0)
		return cage_err_sys(err, errno, "another proxyexecd serves %s (%s)", path, lockf);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", tmp);
	unlink(tmp);
	/* The socket is made 0666 by bind itself: a chmod by path could be
	 * sent elsewhere by a symlink in a directory others can write. */
	mode_t um = umask(0111);
	int b = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(um);
	if (b < 0 || listen(fd, 512) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return cage_err_sys(err, e, "cannot listen on %s", path);
	}
	return fd;
}

static int signals(cage_err_t *err)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return cage_err_sys(err, errno, "sigprocmask");
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? cage_err_sys(err, errno, "signalfd") : fd;
}

/* Each connection holds up to seven fds (the socket, three of the
 * caller's, two pidfds, a pipe). */
static void raise_fd_limit(unsigned max_total)
{
	struct rlimit rl = {.rlim_cur = 8 * (rlim_t)max_total + 64, .rlim_max = 8 * (rlim_t)max_total + 64};
	struct rlimit cur;
	if (getrlimit(RLIMIT_NOFILE, &cur) == 0 && cur.rlim_cur < rl.rlim_cur)
		setrlimit(RLIMIT_NOFILE, &rl);
}

int cage_proxy_serve(const struct cage_proxy_server_opts *o, cage_err_t *err)
{
	struct server s = {.o = o, .lfd = -1, .sigfd = -1, .max_per_user = o->max_per_user ? o->max_per_user : 16,
			   .max_total = o->max_total ? o->max_total : 1024,
			   .timeout_ms = o->request_timeout_ms ? o->request_timeout_ms : 10000};
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	_cleanup_close_ int lock = -1;
	if (cage_proxy_cmds_load(o->paths, &s.cmds, err) < 0)
		return cage_err_prefix(err, "not starting");
	raise_fd_limit(s.max_total);
	s.c = calloc(s.max_total + 1, sizeof(*s.c));
	int rc = !s.c ? cage_err_sys(err, ENOMEM, "connections") : socket_path(o, path, sizeof(path), err);
	if (rc == 0 && (s.lfd = listen_on(path, &lock, err)) < 0)
		rc = -1;
	if (rc == 0 && (s.sigfd = signals(err)) < 0)
		rc = -1;
	if (rc == 0)
		cage_notice("serving %zu proxied commands on %s", s.cmds.n, path);
	while (rc == 0 && !s.stop)
		if (wait_events(&s) < 0)
			rc = cage_err_sys(err, errno, "poll");
	while (s.n)
		drop(&s, s.n - 1);
	if (s.lfd >= 0)
		close(s.lfd);
	if (s.sigfd >= 0)
		close(s.sigfd);
	free(s.c);
	cage_proxy_cmds_free(&s.cmds);
	return rc;
}
