/* probe [PID]: what a process can see and do, one "key=value" line per fact.
 * The integration tests compile it statically at test time
 * (gcc -static -O2 -o probe tests/probe.c) and run it inside a cage through
 * every entry path.  Facts: ids, capabilities, no_new_privs, seccomp, open
 * fds, cwd, root, mount namespace; then attempts, each made in a child
 * process so one cannot affect the next, reported as "ok" or the errno name
 * (mount=EPERM).  PID is the process to try PTRACE_ATTACH on.
 * probe --call NAME...: only the named system calls, each in a child, the
 * same way (keyctl=ok, getcwd=ENOSYS, uname=signal31): what a seccomp
 * filter lets through (tests/integration/seccomp-override.t). */
#define _GNU_SOURCE
#include <dirent.h>
#include <linux/keyctl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *ename(int e)
{
	const char *n = e ? strerrorname_np(e) : "ok";
	return n ? n : "EUNKNOWN";
}

/* The lines of /proc/self/status we report, under their own names. */
static void status_fields(void)
{
	static const char *const keys[] = {"CapEff", "CapPrm", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"};
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");
	if (!f) {
		printf("status=%s\n", ename(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			if (!strcmp(line, keys[i])) {
				char *v = colon + 1;
				v += strspn(v, " \t");
				v[strcspn(v, "\n")] = '\0';
				printf("%s=%s\n", keys[i], v);
			}
	}
	fclose(f);
}

static void fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		printf("fds=%s\n", ename(errno));
		return;
	}
	int self = dirfd(d), n = 0;
	int v[1024];
	for (struct dirent *de; (de = readdir(d)) && n < 1024;) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		if (fd != self)
			v[n++] = fd;
	}
	closedir(d);
	/* readdir order is fd order on procfs, but sort anyway. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	printf("fds=");
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", v[i]);
	printf("\n");
}

static pid_t ptrace_target;

/* Should it succeed (run as root outside a cage), undo it at once. */
static int do_mount(void)
{
	if (mount("none", "/tmp", "tmpfs", 0, NULL) < 0)
		return -1;
	umount2("/tmp", MNT_DETACH);
	return 0;
}
static int do_userns(void) { return unshare(CLONE_NEWUSER); }
static int do_mntns(void) { return unshare(CLONE_NEWNS); }
static int do_setuid(void) { return setuid(0); }
static int do_tiocsti(void)
{
	char c = ' ';
	return ioctl(0, TIOCSTI, &c);
}
static int do_ptrace(void)
{
	if (ptrace(PTRACE_ATTACH, ptrace_target, NULL, NULL) < 0)
		return -1;
	ptrace(PTRACE_DETACH, ptrace_target, NULL, NULL);
	return 0;
}

/* A new session keyring: harmless, and the keyrings' syscall itself. */
static int do_keyctl(void) { return syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 ? -1 : 0; }
static int do_add_key(void)
{
	return syscall(SYS_add_key, "user", "cagefs-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING) < 0 ? -1 : 0;
}
static int do_getcwd(void)
{
	char buf[PATH_MAX];
	return syscall(SYS_getcwd, buf, sizeof(buf)) < 0 ? -1 : 0;
}
static int do_uname(void)
{
	struct utsname u;
	return uname(&u);
}

/* Run fn in a child; the child exits with errno (0 on success). */
static void attempt(const char *key, int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		printf("%s=fork:%s\n", key, ename(errno));
		return;
	}
	if (pid == 0)
		_exit(fn() == 0 ? 0 : (errno ? errno : 255));
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st))
		printf("%s=%s\n", key, ename(WEXITSTATUS(st)));
	else
		printf("%s=signal%d\n", key, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static const struct {
	const char *name;
	int (*fn)(void);
} calls[] = {
	{"keyctl", do_keyctl}, {"add_key", do_add_key}, {"getcwd", do_getcwd}, {"uname", do_uname},
	{"mount", do_mount}, {"tiocsti", do_tiocsti},
};

/* probe --call NAME...: each named call, "NAME=result"; 2 for an unknown one. */
static int call_only(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		size_t k = 0;
		while (k < sizeof(calls) / sizeof(*calls) && strcmp(calls[k].name, argv[i]))
			k++;
		if (k == sizeof(calls) / sizeof(*calls)) {
			fprintf(stderr, "probe: no call %s\n", argv[i]);
			return 2;
		}
		attempt(calls[k].name, calls[k].fn);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--call"))
		return call_only(argc, argv);
	/* Facts first: nothing opened yet but stdio. */
	fds();
	printf("pid=%d\n", getpid());
	printf("uid=%u\neuid=%u\ngid=%u\negid=%u\n", getuid(), geteuid(), getgid(), getegid());
	gid_t g[NGROUPS_MAX];
	int ng = getgroups(NGROUPS_MAX, g);
	printf("groups=");
	for (int i = 0; i < ng; i++)
		printf("%s%u", i ? "," : "", g[i]);
	printf("\n");
	status_fields();
	char buf[PATH_MAX];
	printf("cwd=%s\n", getcwd(buf, sizeof(buf)) ? buf : ename(errno));
	ssize_t n = readlink("/proc/self/root", buf, sizeof(buf) - 1);
	printf("root=%s\n", n >= 0 ? (buf[n] = '\0', buf) : ename(errno));
	struct stat st;
	if (stat("/proc/self/ns/mnt", &st) == 0)
		printf("mntns=%lu\n", (unsigned long)st.st_ino);
	else
		printf("mntns=%s\n", ename(errno));

	/* Masked paths. */
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		printf("kcore=%s\n", ename(errno));
	else if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
		printf("kcore=devnull\n");
	else
		printf("kcore=OPENED\n");
	if (fd >= 0)
		close(fd);
	fd = open("/proc/keys", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		printf("keys=%s\n", ename(errno));
	else {
		long total = 0;
		char b[4096];
		while ((n = read(fd, b, sizeof(b))) > 0)
			total += n;
		printf("keys=%ld\n", total);
		close(fd);
	}
	DIR *d = opendir("/sys/firmware");
	if (!d)
		printf("firmware=%s\n", ename(errno));
	else {
		int count = 0;
		for (struct dirent *de; (de = readdir(d));)
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				count++;
		printf("firmware=%d\n", count);
		closedir(d);
	}

	/* Attempts. */
	attempt("mount", do_mount);
	attempt("unshare_mnt", do_mntns);
	attempt("unshare_user", do_userns);
	attempt("setuid0", do_setuid);
	attempt("tiocsti", do_tiocsti);
	if (argc > 1 && (ptrace_target = (pid_t)atoi(argv[1])) > 0)
		attempt("ptrace", do_ptrace);
	else
		printf("ptrace=nopid\n");
	return 0;
}
