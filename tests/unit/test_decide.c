/* The one decision "is this user caged?" (cage_user_decide, bundles/user/
 * users.c), without root: every rule that says no, and every file that
 * cannot be read, which must be an error (fail closed) and never a "no". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/users.h"
#include "tap.h"

static char etc[64];
static struct cage_paths paths;

static void put(const char *name, const char *text)
{
	char f[256];
	snprintf(f, sizeof(f), "%s/%s", etc, name);
	FILE *fp = fopen(f, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
		perror(f), exit(2);
}

static void rm(const char *name)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", etc, name);
	if (system(cmd) != 0)
		exit(2);
}

static void dir(const char *name)
{
	char f[256];
	snprintf(f, sizeof(f), "%s/%s", etc, name);
	if (mkdir(f, 0755) < 0 && errno != EEXIST)
		perror(f), exit(2);
}

/* The decision for NAME/UID: the return value, and the reason or error. */
static int decide(const char *name, uid_t uid, char *msg, size_t size)
{
	struct cage_user u = {.name = (char *)name, .uid = uid};
	struct cage_decision d;
	cage_err_t err = {0};
	int rc = cage_user_decide(&paths, &u, &d, &err);
	snprintf(msg, size, "%s", rc < 0 ? err.msg : rc ? "" : d.why);
	if (rc >= 0 && (d.caged != (rc == 1)))
		return 99; /* d.caged must agree with the return value */
	return rc;
}

#define expect(name, uid, want_rc, want_msg, ...)                                  \
	do {                                                                       \
		char m_[1200], w_[1200];                                           \
		snprintf(w_, sizeof(w_), "%s", want_msg);                          \
		int r_ = decide(name, uid, m_, sizeof(m_));                        \
		const char *got_ = m_;                                             \
		is_int(r_, want_rc, __VA_ARGS__);                                  \
		is_str(got_, w_, "... %s", want_rc < 0 ? "the error names the file" : \
			   want_rc ? "no reason" : "the reason says why");          \
	} while (0)

int main(void)
{
	snprintf(etc, sizeof(etc), "/tmp/test_decide.XXXXXX");
	if (!mkdtemp(etc))
		return perror("mkdtemp"), 2;
	paths = (struct cage_paths){.etc = etc, .skeleton = "/nonexistent", .var = "/nonexistent",
				    .run = "/nonexistent"};
	char buf[1200];
	put("cagefs.ini", "min_uid=1000\n");

	/* ---- definite answers ---- */
	expect("alice", 1500, 0, "CageFS is disabled for alice (cagefsctl --enable alice enables it)",
	       "Disable All mode, alice not listed: not caged");
	dir("users.enabled");
	put("users.enabled/alice", "");
	expect("alice", 1500, 1, "", "Disable All mode, users.enabled/alice: caged");
	put("enable.all", "");
	expect("alice", 1500, 1, "", "Enable All mode, not in users.disabled: caged");
	dir("users.disabled");
	put("users.disabled/alice", "");
	expect("alice", 1500, 0, "CageFS is disabled for alice (cagefsctl --enable alice enables it)",
	       "Enable All mode, users.disabled/alice: not caged");
	rm("users.disabled/alice");
	expect("root", 0, 0, "root is never caged", "root: not caged, whatever the mode");
	expect("daemon", 999, 0,
	       "uid 999 is below the minimum uid 1000 (a system account; see cagefsctl --set-min-uid)",
	       "a uid below min_uid: not caged");
	expect("nobody", 65534, 0,
	       "uid 65534 is below the minimum uid 1000 (a system account; see cagefsctl --set-min-uid)",
	       "nobody: not caged");
	dir("exclude");
	put("exclude/panel", "# panel accounts\nbob\nalice   # the admin\n");
	snprintf(buf, sizeof(buf), "excluded in %s/exclude/panel", etc);
	expect("alice", 1500, 0, buf, "listed in an exclude file: not caged, the file named");
	expect("carol", 1502, 1, "", "a user no exclude file lists: caged");
	rm("exclude/panel");
	put("cagefs.disabled", "");
	snprintf(buf, sizeof(buf), "CageFS is disabled for every user (%s/cagefs.disabled; cagefsctl "
		 "--enable-cagefs turns it on)", etc);
	expect("alice", 1500, 0, buf, "CageFS switched off: not caged");
	{
		struct cage_user u = {.name = (char *)"alice", .uid = 1500};
		struct cage_decision d;
		cage_err_t err = {0};
		is_int(cage_user_status(&paths, &u, &d, &err), 1,
		       "... but alice's own status (--user-status) is still enabled");
	}
	rm("cagefs.disabled");
	expect("alice", 1500, 1, "", "switched on again: caged");

	/* ---- no answer: errors naming the file, never "not caged" ---- */
	put("cagefs.ini", "# settings\nmin_uid\n");
	snprintf(buf, sizeof(buf), "%s/cagefs.ini:2: expected key=value or [section], found 'min_uid'", etc);
	expect("alice", 1500, -1, buf, "a malformed cagefs.ini: no decision");
	expect("bob", 1501, -1, buf, "... for a user who would not be caged either");
	put("cagefs.ini", "update_period=1\nmin_uid = 10x0\n");
	snprintf(buf, sizeof(buf), "%s/cagefs.ini:2: min_uid must be a positive number, not '10x0'", etc);
	expect("alice", 1500, -1, buf, "min_uid not a number: no decision");
	put("cagefs.ini", "min_uid=-5\n");
	snprintf(buf, sizeof(buf), "%s/cagefs.ini:1: min_uid must be a positive number, not '-5'", etc);
	expect("alice", 1500, -1, buf, "a negative min_uid: no decision");
	put("cagefs.ini", "min_uid=1000\n");
	rm("exclude");
	put("exclude", "bob\n");
	snprintf(buf, sizeof(buf), "cannot read %s/exclude: Not a directory", etc);
	expect("alice", 1500, -1, buf, "exclude is a file, not a directory: no decision");
	rm("exclude");
	dir("exclude");
	dir("exclude/sub");
	snprintf(buf, sizeof(buf), "%s/exclude: sub is not a regular file", etc);
	expect("alice", 1500, -1, buf, "something unreadable in exclude/: no decision");
	rm("exclude");
	rm("users.disabled");
	put("users.disabled", "alice\n");
	snprintf(buf, sizeof(buf), "cannot tell whether %s/users.disabled/alice exists: Not a directory", etc);
	expect("alice", 1500, -1, buf, "Enable All, users.disabled is a file: no decision (not 'caged')");
	rm("enable.all");
	rm("users.enabled");
	put("users.enabled", "alice\n");
	snprintf(buf, sizeof(buf), "cannot tell whether %s/users.enabled/alice exists: Not a directory", etc);
	expect("alice", 1500, -1, buf, "Disable All, users.enabled is a file: no decision (not 'disabled')");
	rm("users.enabled");
	expect("a/b", 1503, -1, "'a/b' is not a user name CageFS can record",
	       "a name no list can hold: no decision");

	/* Suspended (issue 13): a refusal, never "not caged" (which would let
	 * cagefs_enter run the user uncaged), whatever the lists or the
	 * global switch say; lifted, the lists decide again. */
	char before[1200];
	int rc0 = decide("alice", 1500, before, sizeof(before));
	dir("users.suspended");
	put("users.suspended/alice", "");
	char susp[300];
	snprintf(susp, sizeof(susp), "alice is suspended (%s/users.suspended/alice)", etc);
	expect("alice", 1500, -1, susp, "a suspended user: refused");
	put("cagefs.disabled", "");
	expect("alice", 1500, -1, susp, "... with CageFS switched off too");
	rm("cagefs.disabled");
	rm("users.suspended/alice");
	expect("alice", 1500, rc0, before, "unsuspended: the lists decide as before");

	/* The configuration directory itself unusable. */
	paths.etc = "/dev/null";
	expect("alice", 1500, -1,
	       "cannot tell whether /dev/null/users.suspended/alice exists: Not a directory",
	       "/etc/cagefs not a directory: no decision");
	paths.etc = etc;
	rm("");
	return done_testing();
}
