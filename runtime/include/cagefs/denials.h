/* The seccomp denials the kernel logged (seccomp/denials.c,
 * docs/ARCHITECTURE.md §4.25): for a user whose override says
 * log-denials, or a profile with SECCOMP_FILTER_FLAG_LOG, the kernel
 * writes an audit line for each refused call (rate limited by the kernel:
 * printk's 10 lines per 5 s, the rest counted as "callbacks suppressed").
 * This reads them back from the kernel's log and names the call. */
#ifndef CAGEFS_DENIALS_H
#define CAGEFS_DENIALS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "cagefs/error.h"

/* One "audit: type=1326" line. */
struct cage_denial {
	uid_t uid;
	pid_t pid;
	time_t when;        /* the audit timestamp (seconds since the epoch) */
	uint32_t arch;      /* AUDIT_ARCH_* */
	int nr;             /* the syscall's number */
	uint32_t code;      /* the seccomp action (SECCOMP_RET_*) */
	char comm[64];      /* printable ASCII, anything else as \xNN */
	char exe[512];
};

/* Parse one line of the kernel log (LEN bytes, a /dev/kmsg record or a
 * dmesg line): 1 and *D filled when it is a seccomp audit line, 0 when it
 * is some other line.  Any input is safe. */
int cage_denial_parse(const char *line, size_t len, struct cage_denial *d);
/* Lines the kernel's rate limit dropped ("N callbacks suppressed" of
 * kauditd); 0 for any other line. */
unsigned long cage_denial_suppressed(const char *line, size_t len);

/* Every record of the kernel log now in its ring buffer, oldest first
 * (/dev/kmsg; root).  FN gets each line; returns 0, or -1 with ERR. */
int cage_kmsg_each(int (*fn)(const char *line, size_t len, void *data), void *data, cage_err_t *err);

/* The denials of the kernel log summed per (uid, syscall, action,
 * program), of the users UIDS (all when NUIDS is 0), at most
 * CAGE_DENIALS_MAX rows; *SUPPRESSED: lines the kernel's rate limit
 * dropped (of anyone). */
#define CAGE_DENIALS_MAX 4096
struct cage_denial_sum {
	struct cage_denial d; /* d.when: the last one */
	time_t first;
	unsigned long count;
};
int cage_denials_collect(const uid_t *uids, size_t nuids, struct cage_denial_sum **out, size_t *n,
			 unsigned long *suppressed, cage_err_t *err);
/* The action of CODE in words ("errno EPERM", "killed (process)"). */
const char *cage_denial_action(uint32_t code, char *buf, size_t size);

#endif
