/* A setuid program's inherited limits and signals (cagefs/inherit.h). */
#define _GNU_SOURCE
#include "cagefs/inherit.h"

#include <string.h>

/* Open files: the runtime needs a few dozen; the caller's RLIMIT_NOFILE of
 * 3 would make the lock or the pin record fail half way. */
#define OWN_NOFILE 1024

static struct rlimit own_limit(int res, const struct rlimit *was)
{
	struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
	if (res == RLIMIT_CORE) /* a root process dumps no core; the hard limit
				 * stays, as it may not go back up */
		r = (struct rlimit){0, was->rlim_max};
	else if (res == RLIMIT_NOFILE) /* RLIM_INFINITY is refused here */
		r = (struct rlimit){OWN_NOFILE, was->rlim_max > OWN_NOFILE ? was->rlim_max : OWN_NOFILE};
	return r;
}

void cage_inherited_take(struct cage_inherited *in)
{
	memset(in, 0, sizeof(*in));
	for (int res = 0; res < RLIM_NLIMITS; res++) {
		if (getrlimit(res, &in->lim[res]) < 0)
			continue;
		in->lim_ok[res] = true;
		struct rlimit r = own_limit(res, &in->lim[res]);
		if (setrlimit(res, &r) < 0 && r.rlim_max != 0) {
			/* non-root: at least the soft limit up to the hard one */
			r = in->lim[res];
			r.rlim_cur = r.rlim_max;
			setrlimit(res, &r);
		}
	}
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, NULL, &in->mask);
	sigemptyset(&in->ignored);
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (int s = 1; s < NSIG; s++) {
		struct sigaction old;
		if (s == SIGKILL || s == SIGSTOP || sigaction(s, NULL, &old) < 0)
			continue;
		if (old.sa_handler == SIG_IGN)
			sigaddset(&in->ignored, s);
		sigaction(s, &dfl, NULL);
	}
	/* Where a limit could not be raised (no CAP_SYS_RESOURCE: a caller's
	 * hard limit stays), a write past it fails with EFBIG, an error we
	 * report, instead of killing us half way. */
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigaction(SIGXFSZ, &ign, NULL);
	sigaction(SIGXCPU, &ign, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	in->taken = true;
}

void cage_inherited_restore(const struct cage_inherited *in)
{
	if (!in || !in->taken)
		return;
	for (int res = 0; res < RLIM_NLIMITS; res++)
		if (in->lim_ok[res])
			setrlimit(res, &in->lim[res]);
	struct sigaction ign = {.sa_handler = SIG_IGN}, dfl = {.sa_handler = SIG_DFL};
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&in->ignored, s) == 1)
			sigaction(s, &ign, NULL);
		else if (s == SIGXFSZ || s == SIGXCPU)
			sigaction(s, &dfl, NULL);
	sigprocmask(SIG_SETMASK, &in->mask, NULL);
}
