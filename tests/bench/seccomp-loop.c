/* seccomp-loop getpid|ioctl|keyctl N: N raw system calls in a tight loop, in 10
 * batches, then one line "NS FILTERS SSB": nanoseconds per call (the
 * median batch's: a preemption spoils one batch, not the figure), the
 * process's number of seccomp filters (Seccomp_filters in
 * /proc/self/status: 0 means no filter is loaded at all) and its
 * Speculation_Store_Bypass state.
 *
 * tests/bench/seccomp compiles it statically at bench time
 * (gcc -static -O2) and runs it inside cages with different seccomp
 * profiles and outside any cage.  getpid is a call no profile mentions;
 * ioctl(FIONREAD) on /dev/null is one the default profile has argument
 * rules for (TIOCSTI and friends), so the filter is run for every call;
 * keyctl is one it refuses (learning mode's round trip, tests/bench/seccomp).
 *
 * seccomp-loop --load-fd FD PROG ARGS...: load the raw BPF program read
 * from FD (a cage's compiled filter, /run/cagefs/seccomp/USER.bpf) under
 * no_new_privs, then exec PROG: a filter without the rest of a cage. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void status(char *filters, char *ssb, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	snprintf(filters, len, "?");
	snprintf(ssb, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "Seccomp_filters:", 16))
			snprintf(filters, len, "%s", line + 16 + strspn(line + 16, " \t"));
		else if (!strncmp(line, "Speculation_Store_Bypass:", 25))
			snprintf(ssb, len, "%s", line + 25 + strspn(line + 25, " \t"));
	}
	fclose(f);
	/* one word: "thread vulnerable" -> "thread-vulnerable" */
	for (char *p = ssb; *p; p++)
		if (*p == ' ')
			*p = '-';
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int load_and_exec(int fd, char **argv)
{
	static struct sock_filter insns[BPF_MAXINSNS];
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size % sizeof(*insns) ||
	    st.st_size > (off_t)sizeof(insns) || pread(fd, insns, st.st_size, 0) != st.st_size) {
		fprintf(stderr, "seccomp-loop: fd %d holds no BPF program\n", fd);
		return 2;
	}
	close(fd);
	struct sock_fprog prog = {.len = (unsigned short)(st.st_size / sizeof(*insns)), .filter = insns};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		perror("seccomp-loop: seccomp");
		return 2;
	}
	execvp(argv[0], argv);
	perror(argv[0]);
	return 127;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "--load-fd"))
		return load_and_exec(atoi(argv[2]), argv + 3);
	if (argc != 3 || (strcmp(argv[1], "getpid") && strcmp(argv[1], "ioctl") && strcmp(argv[1], "keyctl"))) {
		fprintf(stderr, "usage: %s getpid|ioctl|keyctl N | --load-fd FD PROG ARGS...\n", argv[0]);
		return 2;
	}
	long n = atol(argv[2]);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (n <= 0 || fd < 0) {
		fprintf(stderr, "%s: bad count or no /dev/null\n", argv[0]);
		return 2;
	}
	enum { BATCHES = 10 };
	long per = n / BATCHES > 0 ? n / BATCHES : 1;
	double b[BATCHES];
	int avail;
	for (int k = 0; k < BATCHES; k++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (argv[1][0] == 'g')
			for (long i = 0; i < per; i++)
				syscall(SYS_getpid);
		else if (argv[1][0] == 'k') /* refused by the default profile */
			for (long i = 0; i < per; i++)
				syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* the session keyring */, 0);
		else
			for (long i = 0; i < per; i++)
				syscall(SYS_ioctl, fd, FIONREAD, &avail);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		b[k] = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)per;
	}
	qsort(b, BATCHES, sizeof(*b), cmp);
	double ns = (b[BATCHES / 2 - 1] + b[BATCHES / 2]) / 2;
	char filters[64], ssb[64];
	status(filters, ssb, sizeof(filters));
	printf("%.2f %s %s\n", ns, filters, ssb);
	return 0;
}
