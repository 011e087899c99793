/* learnatk: what a hostile user runs in her cage while she is learning
 * (tests/integration/attack-seccomp-learn.t).  Compiled statically.
 *   learnatk fds                 every fd of this process that is a
 *                                seccomp listener or a socket ("none")
 *   learnatk comm NAME           set comm to NAME, then call getcwd
 *   learnatk threads N K         N threads, each calling getcwd K times or
 *                                until refused
 *   learnatk notify              install a filter of one's own with a
 *                                listener: "notify=ok" or the errno name
 *   learnatk syscall NR          call syscall NR: "syscall=ok" or errno
 *   learnatk stopme              raise SIGSTOP, then call getcwd (a
 *                                process stopped around its refused call)
 *   learnatk wait-getcwd FILE    wait until FILE exists, then call getcwd
 *                                (a process that lives on past learning)
 *   learnatk spray DIR N         N hard links of this program in DIR, each
 *                                named by 240 bytes of non-ASCII, each
 *                                run once to call getcwd: "spray=N"
 *   learnatk deep NAME           a copy of this program at a path longer
 *                                than PATH_MAX (18 directories of 250
 *                                bytes), run there as "comm NAME" */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *res(long rc)
{
	const char *e = strerrorname_np(errno);
	return rc >= 0 ? "ok" : e ? e : "?";
}

static long getcwd_raw(void)
{
	char buf[4096];
	errno = 0;
	return syscall(SYS_getcwd, buf, sizeof(buf));
}

static int fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int shown = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		char p[300], l[256];
		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(p, l, sizeof(l) - 1);
		if (n <= 0 || atoi(e->d_name) == dirfd(d))
			continue;
		l[n] = '\0';
		if (strstr(l, "seccomp") || strstr(l, "socket")) {
			printf("fd %s: %s\n", e->d_name, l);
			shown++;
		}
	}
	if (!shown)
		printf("none\n");
	return 0;
}

static long per_thread;
static void *worker(void *arg)
{
	int *refused = arg; /* the errno of its first refusal */
	for (long i = 0; i < per_thread; i++)
		if (getcwd_raw() < 0) {
			*refused = errno;
			break; /* refused: learning is over for this process */
		}
	return NULL;
}

/* "threads=ok", or the errno names the threads were refused with */
static int threads(int n, long k)
{
	pthread_t t[64];
	int refused[64] = {0};
	per_thread = k;
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, &refused[i]);
	char seen[256] = "";
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		const char *e = refused[i] ? strerrorname_np(refused[i]) : NULL;
		if (e && !strstr(seen, e))
			snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s", *seen ? "," : "", e);
	}
	printf("threads=%s\n", *seen ? seen : "ok");
	return 0;
}

static int notify(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = f };
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	errno = 0;
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	printf("notify=%s\n", res(rc));
	return 0;
}

static int spray(const char *self, const char *dir, int n)
{
	char name[4096], tail[241];
	for (int i = 0; i < 120; i++)
		memcpy(tail + 2 * i, "\xc3\xa9", 2);
	tail[240] = '\0';
	mkdir(dir, 0755);
	int ran = 0;
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/%d%s", dir, i, tail);
		if (link(self, name) < 0 && errno != EEXIST)
			continue;
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[] = { "x", "comm", "sprayed", NULL };
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			execv(name, argv);
			_exit(127);
		}
		int st;
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ran++;
	}
	printf("spray=%d\n", ran);
	return 0;
}

static int deep(const char *name)
{
	char d[251];
	memset(d, 'd', 250);
	d[250] = '\0';
	for (int i = 0; i < 18; i++)
		if ((mkdir(d, 0755) < 0 && errno != EEXIST) || chdir(d) < 0) {
			perror("deep");
			return 1;
		}
	int in = open("/proc/self/exe", O_RDONLY), out = open("x", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[65536];
	for (ssize_t n; in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0;)
		if (write(out, buf, (size_t)n) != n)
			return 1;
	close(in);
	close(out);
	char *argv[] = { "x", "comm", (char *)name, NULL };
	execv("./x", argv);
	perror("deep: exec");
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "fds"))
		return fds();
	if (argc >= 3 && !strcmp(argv[1], "comm")) {
		prctl(PR_SET_NAME, argv[2], 0, 0, 0);
		long rc = getcwd_raw();
		printf("getcwd=%s\n", res(rc));
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "threads"))
		return threads(atoi(argv[2]), atol(argv[3]));
	if (argc >= 2 && !strcmp(argv[1], "notify"))
		return notify();
	if (argc >= 3 && !strcmp(argv[1], "syscall")) {
		errno = 0;
		long rc = syscall(atol(argv[2]), 0, 0, 0, 0, 0, 0);
		printf("syscall=%s\n", res(rc));
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "stopme")) {
		raise(SIGSTOP);
		long rc = getcwd_raw();
		printf("getcwd=%s\n", res(rc));
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "wait-getcwd")) {
		struct stat st;
		while (stat(argv[2], &st) < 0)
			usleep(200000);
		long rc = getcwd_raw();
		printf("getcwd=%s\n", res(rc));
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "deep"))
		return deep(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "spray"))
		return spray(argv[0], argv[2], atoi(argv[3]));
	fprintf(stderr, "learnatk: unknown command\n");
	return 2;
}
