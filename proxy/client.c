/* The caged side of a proxied call (docs/ARCHITECTURE.md §4.18): connect
 * to proxyexecd, send the request with our stdio as fds, pass on the
 * signals a terminal or a caller sends us, and return what the command
 * did.  Linked into the wrapper, a static program in the skeleton. */
#define _GNU_SOURCE
#include "cagefs/proxy.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cagefs/cleanup.h"

static volatile int conn_fd = -1;

/* One byte per signal; the daemon sends it to the command's group. */
static void forward(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (conn_fd >= 0 && send(conn_fd, &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		errno = saved;
	errno = saved;
}

static void forward_signals(void)
{
	static const int sigs[] = {SIGINT, SIGHUP, SIGTERM, SIGQUIT};
	struct sigaction sa = {.sa_handler = forward, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* What of our environment the daemon may keep: terminal type, locale. */
static int offer_env(cage_strvec_t *env)
{
	extern char **environ;
	for (char **e = environ; e && *e; e++)
		if ((!strncmp(*e, "TERM=", 5) || !strncmp(*e, "LANG=", 5) || !strncmp(*e, "LANGUAGE=", 9) ||
		     !strncmp(*e, "LC_", 3)) && strlen(*e) < 128 && env->n < 16 && cage_strvec_push(env, *e) < 0)
			return -1;
	return 0;
}

static int build(const char *alias, char *const *args, char **body, size_t *len, cage_err_t *err)
{
	struct cage_proxy_req r = {0};
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	r.alias = (char *)alias;
	r.cwd = cwd ? cwd : (char *)"";
	int rc = offer_env(&r.env);
	for (size_t i = 0; rc == 0 && args && args[i]; i++)
		rc = cage_strvec_push(&r.args, args[i]);
	rc = rc < 0 ? cage_err_sys(err, ENOMEM, "request") : cage_proxy_req_encode(&r, body, len, err);
	cage_strvec_free(&r.args);
	cage_strvec_free(&r.env);
	return rc;
}

static int connect_to(const char *path, cage_err_t *err)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s", path) >= (int)sizeof(a.sun_path))
		return cage_err_set(err, "socket path too long: %s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return cage_err_sys(err, e, "cannot reach proxyexecd at %s", path);
	}
	return fd;
}

/* The header with fds 0-2, then the body.  A daemon that refuses early
 * closes its end: the refusal is then read, not the EPIPE. */
static void send_request(int fd, const char *body, size_t len)
{
	unsigned char hdr[CAGE_PROXY_HDR_LEN];
	cage_proxy_hdr_encode(hdr, (uint32_t)len);
	int fds[3] = {0, 1, 2};
	char ctl[CMSG_SPACE(sizeof(fds))];
	memset(ctl, 0, sizeof(ctl));
	struct iovec iov = {hdr, sizeof(hdr)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	if (sendmsg(fd, &m, MSG_NOSIGNAL) != (ssize_t)sizeof(hdr))
		return;
	for (size_t off = 0; off < len;) {
		ssize_t n = send(fd, body + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

static int read_full(int fd, void *buf, size_t len)
{
	for (size_t got = 0; got < len;) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int cage_proxy_call(const char *socket_path, const char *alias, char *const *args, struct cage_proxy_reply *reply,
		    cage_err_t *err)
{
	_cleanup_free_ char *body = NULL;
	size_t len = 0;
	if (build(alias, args, &body, &len, err) < 0)
		return -1;
	int fd = connect_to(socket_path, err);
	if (fd < 0)
		return -1;
	conn_fd = fd;
	forward_signals();
	send_request(fd, body, len);
	unsigned char hdr[CAGE_PROXY_HDR_LEN];
	uint32_t mlen = 0;
	int rc = read_full(fd, hdr, sizeof(hdr)) < 0
		 ? cage_err_set(err, "proxyexecd closed the connection without an answer")
		 : cage_proxy_reply_hdr_decode(hdr, reply, &mlen, err);
	if (rc == 0 && mlen && read_full(fd, reply->msg, mlen) < 0)
		rc = cage_err_set(err, "proxyexecd closed the connection within its answer");
	conn_fd = -1;
	close(fd);
	return rc;
}
