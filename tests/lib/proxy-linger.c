/* attack-proxy.t's helper, run in a cage: hands proxyexecd a TCP socket
 * whose close blocks (SO_LINGER, unsent data, a peer that never reads) as
 * the caller's stdin, then leaves before the request is whole, so that the
 * daemon's drop of the connection is the socket's last close.
 *   linger PROXYSOCK HOLD_SECONDS */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int hold = atoi(argv[2]);
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(in);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || c < 0 || bind(l, (void *)&in, sizeof(in)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (void *)&in, &len) < 0 || connect(c, (void *)&in, sizeof(in)) < 0)
		return perror("tcp"), 1;
	int a = accept(l, NULL, NULL); /* held, never read */
	fcntl(c, F_SETFL, O_NONBLOCK);
	static char buf[65536];
	while (write(c, buf, sizeof(buf)) > 0)
		;
	struct linger lg = {1, hold};
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	struct sockaddr_un u = {.sun_family = AF_UNIX};
	snprintf(u.sun_path, sizeof(u.sun_path), "%s", argv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(s, (void *)&u, sizeof(u)) < 0)
		return perror("connect"), 1;
	int fds[3] = {c, 1, 2};
	char ctl[CMSG_SPACE(sizeof(fds))] = {0};
	struct iovec iov = {"CGPX", 4};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	if (sendmsg(s, &m, 0) != 4)
		return perror("sendmsg"), 1;
	close(c);
	usleep(200000);
	close(s); /* the daemon drops the half request: its close is the last */
	printf("armed\n");
	fflush(stdout);
	sleep(hold);
	close(a);
	return 0;
}
