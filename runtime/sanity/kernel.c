/* What a stock kernel must give cagefs (docs/ARCHITECTURE.md §4.1, §4.19):
 * procfs mounted per cage with hidepid=invisible, and the link protections
 * root's work in users' trees relies on. */
#define _GNU_SOURCE
#include "sanity_internal.h"
#include "runtime/cage/cage_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

#define HIDEPID "hidepid=invisible"

/* The super options of the topmost procfs mounted at /proc in the mount
 * table FILE (a mountinfo), into OUT; 0 found, -1 not. */
static int proc_options(const char *file, char *out, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char line[4096];
	int found = -1;
	while (f && fgets(line, sizeof(line), f)) {
		char mnt[256], fstype[64], super[1024];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1 || strcmp(mnt, "/proc") ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2 || strcmp(fstype, "proc"))
			continue;
		snprintf(out, size, "%s", super);
		found = 0;
	}
	return found;
}

static bool has_option(const char *opts, const char *opt)
{
	size_t len = strlen(opt);
	for (const char *s = opts; (s = strstr(s, opt)); s += len)
		if ((s == opts || s[-1] == ',') && (s[len] == ',' || s[len] == '\0'))
			return true;
	return false;
}

/* In a child, in a mount namespace of its own: a procfs with hidepid=
 * invisible over /proc, its options read back, and then, as nobody, a
 * process of root's looked for.  What went wrong is written to FD. */
static void __attribute__((noreturn)) probe_child(int fd, pid_t root_pid)
{
	char opts[1024] = "", path[64];
	const char *why = NULL;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		why = "cannot make a mount namespace to try it in";
	else if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, HIDEPID) < 0)
		why = "the kernel refuses to mount procfs with hidepid=invisible (Linux 5.8 or later needed)";
	else if (proc_options("/proc/self/mountinfo", opts, sizeof(opts)) < 0 || !has_option(opts, HIDEPID))
		why = "the kernel ignored hidepid=invisible on a new procfs mount";
	else if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		why = "cannot become nobody to try it";
	else if (snprintf(path, sizeof(path), "/proc/%d", root_pid), access(path, F_OK) == 0)
		why = "a process of root's is visible to nobody in a procfs mounted with hidepid=invisible";
	if (why && write(fd, why, strlen(why)) < 0)
		_exit(2);
	_exit(why ? 1 : 0);
}

/* The kernel gives a new procfs mount its own hidepid=invisible, and the
 * host's /proc keeps its options: 1 yes, 0 no (said in N), -1 error. */
static int probe_kernel(struct sanity_note *n, cage_err_t *err)
{
	char before[1024] = "", after[1024] = "", why[512] = "";
	proc_options("/proc/self/mountinfo", before, sizeof(before));
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return cage_err_sys(err, errno, "pipe");
	pid_t me = getpid(), pid = fork();
	if (pid == 0)
		probe_child(pfd[1], me);
	close(pfd[1]);
	ssize_t len = pid < 0 ? 0 : read(pfd[0], why, sizeof(why) - 1);
	close(pfd[0]);
	int status = 0;
	if (pid < 0)
		return cage_err_sys(err, errno, "fork");
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	why[len > 0 ? len : 0] = '\0';
	proc_options("/proc/self/mountinfo", after, sizeof(after));
	if (strcmp(before, after))
		sanity_say(n, "mounting a procfs with hidepid=invisible changed the options of this /proc "
			   "(%s, was %s): procfs options are not per mount", after, before);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		sanity_say(n, "%s", why[0] ? why : "the probe of hidepid=invisible died");
	return n->lines.n == 0;
}

/* Every live cage's /proc is the cage's own procfs with hidepid=invisible
 * (runtime/oci/rootfs.c): something that remounted it shows every process
 * of the cage to every entry.  Problems in N; -1 on error. */
static int check_cages(struct sanity_note *n, size_t *count, cage_err_t *err)
{
	struct cage_pin_found *pins;
	size_t np;
	if (cage_pins_scan(NULL, &pins, &np, err) < 0)
		return -1;
	for (size_t i = 0; i < np; i++) {
		char file[64], opts[1024];
		snprintf(file, sizeof(file), "/proc/%d/mountinfo", pins[i].pid);
		if (proc_options(file, opts, sizeof(opts)) < 0)
			sanity_say(n, "the cage of %s (pin %d) has no procfs at /proc", pins[i].user, pins[i].pid);
		else if (!has_option(opts, HIDEPID))
			sanity_say(n, "the cage of %s (pin %d) has /proc mounted without %s (%s)", pins[i].user,
				   pins[i].pid, HIDEPID, opts);
	}
	*count = np;
	free(pins);
	return 0;
}

int sanity_hidepid(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	(void)p;
	size_t cages = 0;
	int ok = probe_kernel(n, err);
	if (ok < 0 || check_cages(n, &cages, err) < 0)
		return -1;
	if (n->lines.n)
		return CAGE_SANITY_FAILED;
	sanity_say(n, "a new procfs mount takes hidepid=invisible; %zu live cage%s checked", cages,
		   cages == 1 ? "" : "s");
	return CAGE_SANITY_OK;
}

/* /proc/sys/fs/NAME must read 1 (or more).  Why each matters is WHY. */
static int sysctl_on(const char *name, const char *why, struct sanity_note *n)
{
	char file[128];
	_cleanup_free_ char *text = NULL;
	cage_err_t e = {0};
	snprintf(file, sizeof(file), "/proc/sys/fs/%s", name);
	if (cage_read_file(file, 64, &text, NULL, &e) < 0) {
		sanity_say(n, "%s", e.msg);
		return CAGE_SANITY_FAILED;
	}
	char *end = NULL;
	long v = strtol(text, &end, 10);
	if (end != text && v >= 1)
		return CAGE_SANITY_OK;
	text[strcspn(text, "\n")] = '\0';
	sanity_say(n, "fs.%s is %s: %s; set fs.%s=1 (sysctl, /etc/sysctl.d)", name, text, why, name);
	return CAGE_SANITY_FAILED;
}

int sanity_protected_symlinks(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	(void)p;
	(void)err;
	return sysctl_on("protected_symlinks",
			 "root follows a symlink a user planted in a sticky world-writable directory "
			 "(/tmp, a cage's /tmp)", n);
}

int sanity_protected_hardlinks(const struct cage_paths *p, struct sanity_note *n, cage_err_t *err)
{
	(void)p;
	(void)err;
	return sysctl_on("protected_hardlinks",
			 "a user can hardlink a file of root's (a setuid program, /etc/shadow) into "
			 "a tree root then works in", n);
}
