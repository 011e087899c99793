/* What a setuid program inherits from its caller and must not trust
 * (core; docs/ARCHITECTURE.md §4.7): resource limits, signal dispositions
 * and the signal mask.  Taken away first thing, so the caller cannot stop
 * the program half way (a small RLIMIT_FSIZE raises SIGXFSZ in the middle
 * of a record), and given back to the user's program right before it is
 * started, so the caller's own limits (ulimit -n, nohup) still apply to it. */
#ifndef CAGEFS_INHERIT_H
#define CAGEFS_INHERIT_H

#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>

struct cage_inherited {
	bool taken;
	struct rlimit lim[RLIM_NLIMITS];
	bool lim_ok[RLIM_NLIMITS];
	sigset_t mask;
	sigset_t ignored;
};

/* Save the caller's limits and signals in IN, then run with our own:
 * every limit unlimited but core dumps (none) and open files (enough),
 * every signal at its default action but SIGXFSZ and SIGXCPU (ignored: a
 * limit that stayed low fails a write with EFBIG instead of killing), none
 * blocked.  Raising a hard limit needs CAP_SYS_RESOURCE; without it, the
 * soft limit goes up to the hard one. */
void cage_inherited_take(struct cage_inherited *in);
/* Give IN back to this process: the caller's limits (while still root, so
 * hard limits can go back up), its signal mask and its ignored signals
 * (exec keeps them, as nohup expects).  Nothing happens if not taken. */
void cage_inherited_restore(const struct cage_inherited *in);

#endif
