/* The entering process's side of a cage with a PID namespace of its own
 * (docs/ARCHITECTURE.md §4.15).  A process can join a PID namespace only
 * through its children, so an entry forks once after setns(): the child
 * becomes the user's program, and the entering process stays outside the
 * cage as its relay, so that whoever started the entry (a shell, cron,
 * sshd, a web server) still sees one process that ends as the program ends
 * and passes on what is sent to it.
 *
 * The program runs in a process group of its own, so a signal sent to the
 * caller's job reaches the relay once and is passed on once (to the
 * program's group, as it would reach a job), never twice.  When the relay's
 * group held the terminal, the program's group is given it, and the relay
 * mirrors a stop of the program (Ctrl-Z) so the caller's shell sees its job
 * stop, then hands the terminal back on `fg`. */
#define _GNU_SOURCE
#include "cage_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int cage_controlling_tty(bool *foreground)
{
	*foreground = false;
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd) && tcgetsid(fd) == getsid(0)) {
			*foreground = tcgetpgrp(fd) == getpgrp();
			return fd;
		}
	return -1;
}

/* tcsetpgrp from a background group raises SIGTTOU: blocked meanwhile. */
static void give_terminal(int tty, pid_t pgrp)
{
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	tcsetpgrp(tty, pgrp);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void cage_relay_child(int tty, bool new_session)
{
	if (new_session) {
		setsid();
		return;
	}
	setpgid(0, 0);
	if (tty >= 0)
		give_terminal(tty, getpid());
}

static volatile pid_t relay_pgrp;
static volatile bool relay_own_session, stop_sent;

static void forward(int sig)
{
	int e = errno;
	/* A program in a session of its own is an orphaned process group to
	 * the kernel, which drops SIGTSTP for those: it is stopped with
	 * SIGSTOP instead, and that stop is mirrored as a Ctrl-Z. */
	if (sig == SIGTSTP && relay_own_session) {
		sig = SIGSTOP;
		stop_sent = true;
	}
	/* its group, or itself in the instant before it made the group */
	if (relay_pgrp > 0 && kill(-relay_pgrp, sig) < 0)
		kill(relay_pgrp, sig);
	errno = e;
}

/* End as the program ended: its status, or death by its signal. */
static void mirror_end(int status)
{
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	int sig = WTERMSIG(status);
	signal(sig, SIG_DFL);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	kill(getpid(), sig);
	_exit(128 + sig);
}

/* The program stopped for job control: stop too, so the caller's shell
 * sees its job stopped; once continued, give the program the terminal if
 * the caller's shell gave it to us (`fg`), and continue it.  A group the
 * kernel calls orphaned is not stopped by these signals: then the program
 * is simply continued, as the job could never be. */
static void mirror_stop(pid_t child, int tty, int sig)
{
	if (tty >= 0 && tcgetpgrp(tty) == child)
		give_terminal(tty, getpgrp());
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	sigaction(sig, &dfl, &old);
	kill(getpid(), sig);
	sigaction(sig, &old, NULL);
	if (tty >= 0 && tcgetpgrp(tty) == getpgrp())
		give_terminal(tty, child);
	kill(-child, SIGCONT);
}

/* Processes of the cage (its /proc: the relay is in its mount namespace)
 * still in a session outside it (session id 0 there) with TTY as their
 * controlling terminal: SIGKILL through a pidfd (their /proc/PID dir),
 * the cage's pids being none of ours to kill(). */
static int kill_on_terminal(DIR *proc, dev_t tty)
{
	int killed = 0;
	for (struct dirent *de; (de = readdir(proc));) {
		char path[300], buf[512];
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/stat", de->d_name);
		int fd = openat(dirfd(proc), path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		char *p = n > 0 ? (buf[n] = '\0', strrchr(buf, ')')) : NULL;
		int sid = -1;
		unsigned tty_nr = 0;
		if (!p || sscanf(p + 2, "%*c %*d %*d %d %u", &sid, &tty_nr) != 2 || sid != 0 || tty_nr != (unsigned)tty)
			continue;
		int pfd = openat(dirfd(proc), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd >= 0 && syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) == 0)
			killed++;
		if (pfd >= 0)
			close(pfd);
	}
	return killed;
}

/* A login shell root ran for the user (cagefs_enter_user USER) shares
 * root's terminal and session, as with su -: what it leaves behind there
 * could later take that terminal's foreground (TIOCSPGRP) and read what root
 * types.  Ended with the shell, until none is left. */
static void end_leftovers(int tty)
{
	struct stat t;
	if (fstat(tty, &t) < 0)
		return;
	for (int round = 0; round < 50; round++) {
		DIR *d = opendir("/proc");
		int killed = d ? kill_on_terminal(d, t.st_rdev) : 0;
		if (d)
			closedir(d);
		if (!killed)
			break;
		usleep(10000);
	}
}

void cage_relay(pid_t child, int tty, bool new_session, bool for_root)
{
	static const int passed_on[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
					SIGALRM, SIGWINCH, SIGTSTP, SIGPWR, SIGXCPU};
	/* Whichever of the two runs first makes the group; a child making a
	 * session of its own must not be made a group leader first (setsid
	 * would fail). */
	if (!new_session)
		setpgid(child, child);
	relay_pgrp = child;
	relay_own_session = new_session;
	struct sigaction sa = {.sa_handler = forward, .sa_flags = SA_RESTART};
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(passed_on) / sizeof(*passed_on); i++)
		sigaction(passed_on[i], &sa, NULL);
	for (;;) {
		/* Seen before reaped: while the program is a zombie its pid (its
		 * group's id) cannot be reused, so nothing is passed on to a group
		 * that is no longer its own. */
		siginfo_t si = {0};
		if (waitid(P_PID, (id_t)child, &si, WEXITED | WSTOPPED | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (si.si_code == CLD_STOPPED) {
			siginfo_t stop;
			waitid(P_PID, (id_t)child, &stop, WSTOPPED | WNOHANG); /* consume the stop alone */
			int sig = si.si_status == SIGSTOP && stop_sent ? SIGTSTP : si.si_status;
			stop_sent = false;
			if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
				mirror_stop(child, tty, sig);
			continue;
		}
		relay_pgrp = 0;
		if (tty >= 0 && tcgetpgrp(tty) == child)
			give_terminal(tty, getpgrp());
		if (for_root && tty >= 0)
			end_leftovers(tty);
		int status = 0;
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		mirror_end(status);
	}
}
