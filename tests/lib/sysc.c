/* sysc NAME...: make each named system call once, the raw way (no libc
 * wrapper that could answer by itself), and print NAME=ok or NAME=ERRNO.
 * Compiled statically by the tests that need it (seccomp-learn.t). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static long call(const char *name)
{
	char buf[4096];
	if (!strcmp(name, "getcwd"))
		return syscall(SYS_getcwd, buf, sizeof(buf));
	if (!strcmp(name, "mount"))
		return syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL);
	if (!strcmp(name, "keyctl"))
		return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	if (!strcmp(name, "tiocsti"))
		return syscall(SYS_ioctl, 0, TIOCSTI, " ");
	if (!strcmp(name, "uname"))
		return syscall(SYS_uname, buf);
	errno = EINVAL;
	return -2;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		errno = 0;
		long rc = call(argv[i]);
		const char *e = strerrorname_np(errno);
		printf("%s=%s\n", argv[i], rc == -2 ? "unknown" : rc >= 0 ? "ok" : e ? e : "?");
	}
	return 0;
}
