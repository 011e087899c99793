/* walls: one attempt per call at a way out of a cage, for
 * tests/integration/walls.t (compiled statically there).  Each prints
 * "KEY=ok ..." or "KEY=ERRNONAME".
 *   walls fdserve SOCK DIR     (outside) send an fd of DIR to whoever connects to SOCK
 *   walls fdget SOCK NAME      connect to SOCK, take the fd, open NAME below it, list it
 *   walls fdopen N NAME        open NAME below the inherited fd N, list N
 *   walls alisten NAME SECS    listen on the abstract socket @NAME, answer "secret"
 *   walls aconnect NAME        connect to @NAME, read the answer
 *   walls ulisten PATH SECS    listen on the unix socket PATH, answer "unix"
 *   walls uconnect PATH        connect to PATH, read the answer
 *   walls tlisten PORT SECS    listen on 127.0.0.1:PORT, answer "tcp"
 *   walls tconnect PORT        connect to 127.0.0.1:PORT, read the answer
 *   walls subreaper CMD...     run CMD as a PR_SET_CHILD_SUBREAPER process's child
 *   walls steal SECS OUT       in the background, ignoring HUP, TTOU, TTIN: after SECS take the
 *                              foreground of the terminal on fd 0 and read a line; say so in OUT */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *ename(int e) { return strerrorname_np(e) ? strerrorname_np(e) : "EUNKNOWN"; }

static void try_below(const char *key, int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	char buf[256] = "";
	if (fd < 0) {
		printf("%s_open=%s\n", key, ename(errno));
	} else {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("%s_open=ok %s\n", key, buf);
	}
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		printf("%s_list=%s\n", key, ename(errno));
		return;
	}
	printf("%s_list=ok", key);
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.')
			printf(" %s", de->d_name);
	printf("\n");
}

static socklen_t unix_addr(struct sockaddr_un *a, const char *path, int abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path + abstract, sizeof(a->sun_path) - 1, "%s", path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + abstract + strlen(path) + !abstract);
}

static int fdserve(const char *sock, const char *dir)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, sock, 0);
	int s = socket(AF_UNIX, SOCK_STREAM, 0), d = open(dir, O_RDONLY | O_DIRECTORY);
	unlink(sock);
	if (s < 0 || d < 0 || bind(s, (void *)&a, len) < 0 || chmod(sock, 0777) < 0 || listen(s, 1) < 0)
		return perror("fdserve"), 1;
	printf("ready\n");
	fflush(stdout);
	int c = accept(s, NULL, NULL);
	char one = 'x', ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec io = {&one, 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &d, sizeof(int));
	return c < 0 || sendmsg(c, &m, 0) < 0;
}

static int fdget(const char *sock, const char *name)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, sock, 0);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(s, (void *)&a, len) < 0)
		return printf("fdget=%s\n", ename(errno)), 1;
	char one, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec io = {&one, 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	if (recvmsg(s, &m, 0) <= 0 || !CMSG_FIRSTHDR(&m))
		return printf("fdget=%s\n", ename(errno ? errno : EBADMSG)), 1;
	int fd;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
	printf("fdget=ok\n");
	try_below("passed", fd, name);
	return 0;
}

static int serve(int s, int secs, const char *answer)
{
	printf("ready\n");
	fflush(stdout);
	alarm((unsigned)secs);
	for (int c; (c = accept(s, NULL, NULL)) >= 0; close(c))
		if (write(c, answer, strlen(answer)) < 0)
			break;
	return 0;
}

static int alisten(const char *name, int secs)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name, 1);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(s, (void *)&a, len) < 0 || listen(s, 8) < 0)
		return printf("alisten=%s\n", ename(errno)), 1;
	return serve(s, secs, "secret\n");
}

static void read_answer(const char *key, int s)
{
	char buf[64] = "";
	ssize_t n = read(s, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("%s=ok %s\n", key, buf);
}

static int aconnect(const char *name)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, name, 1);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(s, (void *)&a, len) < 0)
		return printf("aconnect=%s\n", ename(errno)), 1;
	read_answer("aconnect", s);
	return 0;
}

static int ulisten(const char *path, int secs)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, path, 0);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(path);
	if (bind(s, (void *)&a, len) < 0 || chmod(path, 0777) < 0 || listen(s, 8) < 0)
		return printf("ulisten=%s\n", ename(errno)), 1;
	return serve(s, secs, "unix\n");
}

static int uconnect(const char *path)
{
	struct sockaddr_un a;
	socklen_t len = unix_addr(&a, path, 0);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(s, (void *)&a, len) < 0)
		return printf("uconnect=%s\n", ename(errno)), 1;
	read_answer("uconnect", s);
	return 0;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int tlisten(int port, int secs)
{
	struct sockaddr_in a = loopback(port);
	int s = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(s, (void *)&a, sizeof(a)) < 0 || listen(s, 8) < 0)
		return printf("tlisten=%s\n", ename(errno)), 1;
	return serve(s, secs, "tcp\n");
}

static int tconnect(int port)
{
	struct sockaddr_in a = loopback(port);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(s, (void *)&a, sizeof(a)) < 0)
		return printf("tconnect=%s\n", ename(errno)), 1;
	read_answer("tconnect", s);
	return 0;
}

static int subreaper(char **cmd)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return perror("prctl"), 1;
	pid_t c = fork();
	if (c == 0) {
		execv(cmd[0], cmd);
		_exit(127);
	}
	int st = 0;
	waitpid(c, &st, 0);
	/* Whoever else became our child: an orphan the kernel gave us.  Reap
	 * those that ended, then list those still alive. */
	usleep(300000);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	char path[64], buf[4096] = "";
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", getpid(), getpid());
	FILE *f = fopen(path, "re");
	if (f && !fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("status=%d alive_children=%s\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), buf);
	return 0;
}

static int steal(int secs, const char *out)
{
	signal(SIGHUP, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	if (fork() > 0)
		return 0;
	sleep((unsigned)secs);
	FILE *o = fopen(out, "w");
	if (!o)
		return 1;
	setvbuf(o, NULL, _IOLBF, 0);
	if (tcsetpgrp(0, getpgrp()) < 0)
		return fprintf(o, "tcsetpgrp=%s\n", ename(errno)), 1;
	char line[256] = "";
	ssize_t n = read(0, line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	fprintf(o, "tcsetpgrp=ok read=%s\n", line);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *c = argc > 1 ? argv[1] : "";
	if (!strcmp(c, "fdserve") && argc == 4)
		return fdserve(argv[2], argv[3]);
	if (!strcmp(c, "fdget") && argc == 4)
		return fdget(argv[2], argv[3]);
	if (!strcmp(c, "fdopen") && argc == 4)
		return try_below("inherited", atoi(argv[2]), argv[3]), 0;
	if (!strcmp(c, "alisten") && argc == 4)
		return alisten(argv[2], atoi(argv[3]));
	if (!strcmp(c, "aconnect") && argc == 3)
		return aconnect(argv[2]);
	if (!strcmp(c, "ulisten") && argc == 4)
		return ulisten(argv[2], atoi(argv[3]));
	if (!strcmp(c, "uconnect") && argc == 3)
		return uconnect(argv[2]);
	if (!strcmp(c, "tlisten") && argc == 4)
		return tlisten(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(c, "tconnect") && argc == 3)
		return tconnect(atoi(argv[2]));
	if (!strcmp(c, "steal") && argc == 4)
		return steal(atoi(argv[2]), argv[3]);
	if (!strcmp(c, "subreaper") && argc > 2)
		return subreaper(argv + 2);
	fprintf(stderr, "usage: see the comment at the top of tests/walls.c\n");
	return 2;
}
