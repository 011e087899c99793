/* cagefsctl --seccomp-learn, --seccomp-learn-stop, --seccomp-report:
 * seccomp learning mode; --seccomp-denials: what the kernel logged (cagefs/learn.h, docs/ARCHITECTURE.md §4.25).
 * What learning is and where its files are is the library's; this only
 * parses and prints. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cagefs/cleanup.h"
#include "cagefs/denials.h"
#include "cagefs/json.h"
#include "cagefs/learn.h"
#include "cagefs/users.h"
#include "cagefsctl.h"

#define DEFAULT_SECONDS 600

static void utc(time_t t, char *buf, size_t size)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

/* cagefsctl --seccomp-learn USER [SECONDS] */
int ctl_seccomp_learn(struct ctl *c)
{
	int at;
	const char *user = ctl_user_arg(c, "seccomp-learn", &at);
	if (!user)
		return -1;
	unsigned long secs = DEFAULT_SECONDS;
	if (c->nargs > at) {
		char *end;
		errno = 0;
		secs = strtoul(c->args[at], &end, 10);
		if (errno || *end || !*c->args[at] || secs == 0 || secs > CAGE_LEARN_MAX_SECONDS)
			return cage_err_set(&c->err, "--seccomp-learn: '%s' is not a number of seconds (1 to %d)",
					    c->args[at], CAGE_LEARN_MAX_SECONDS);
	}
	if (c->nargs > at + 1)
		return cage_err_set(&c->err, "--seccomp-learn takes one user and a number of seconds");
	time_t until;
	if (cage_learn_start(&c->paths, user, (unsigned)secs, &until, &c->err) < 0)
		return -1;
	char when[64];
	utc(until, when, sizeof(when));
	printf("%s: learning until %s (%lu s): every new entry of %s gets a filter that allows and records\n"
	       "what the profile refuses; running processes keep theirs.\n"
	       "Report and proposed override: cagefsctl --seccomp-report %s\n",
	       user, when, secs, user, user);
	return 0;
}

/* cagefsctl --seccomp-learn-stop USER */
int ctl_seccomp_learn_stop(struct ctl *c)
{
	const char *user = ctl_user_arg(c, "seccomp-learn-stop", NULL);
	if (!user || cage_learn_stop(&c->paths, user, &c->err) < 0)
		return -1;
	printf("%s: learning ended; new entries get the enforcing filter\n", user);
	return 0;
}

static void print_report(const char *user, const struct cage_seccomp_record *r, bool active, const char *proposal)
{
	char from[64], to[64];
	utc(r->started, from, sizeof(from));
	utc(r->until, to, sizeof(to));
	printf("%s: learning from %s to %s (%s)\n", user, from, to, active ? "still learning" : "ended");
	if (!r->n) {
		printf("Nothing the profile refuses was called: no change to propose.\n");
		return;
	}
	printf("%8s  %-16s %-28s %-18s %s\n", "CALLS", "SYSCALL", "RULE", "ARGUMENTS", "PROGRAM");
	for (size_t i = 0; i < r->n; i++) {
		const struct cage_seccomp_seen *s = &r->v[i];
		printf("%8llu  %-16s %-28s %-18s %s\n", s->count, s->syscall, *s->rule ? s->rule : "(every call)",
		       *s->values ? s->values : "-", s->program);
	}
	if (r->dropped)
		printf("%8llu  more calls not recorded (too many distinct programs)\n", (unsigned long long)r->dropped);
	printf("Proposed override: %s\nReview it, then apply it with: cagefsctl --seccomp-apply %s\n", proposal, user);
}

static int print_json(struct ctl *c, const char *user, const struct cage_seccomp_record *r, bool active,
		      const char *proposal)
{
	_cleanup_free_ char *text = NULL, *out = NULL;
	_cleanup_json_ cage_json *tree = NULL;
	size_t len;
	if (cage_seccomp_record_json(r, &text, &len, &c->err) < 0 ||
	    cage_json_parse(text, len, "record", len, &tree, &c->err) < 0)
		return -1;
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
	cage_jgen_map_open(g);
	cage_jgen_string(g, "user");
	cage_jgen_string(g, user);
	cage_jgen_string(g, "learning");
	cage_jgen_bool(g, active);
	cage_jgen_string(g, "proposal");
	if (proposal)
		cage_jgen_string(g, proposal);
	else
		cage_jgen_null(g);
	cage_jgen_string(g, "record");
	cage_jgen_value(g, tree);
	cage_jgen_map_close(g);
	if (cage_jgen_finish(g, &out, &len, &c->err) < 0)
		return -1;
	printf("%s\n", out);
	return 0;
}

/* cagefsctl --seccomp-report USER [--json] */
int ctl_seccomp_report(struct ctl *c)
{
	const char *user = ctl_user_arg(c, "seccomp-report", NULL);
	struct cage_seccomp_record r;
	bool active;
	_cleanup_free_ char *proposal = NULL;
	if (!user || cage_learn_report(&c->paths, user, &r, &active, &proposal, &c->err) < 0)
		return -1;
	int rc = c->json ? print_json(c, user, &r, active, proposal) : 0;
	if (!c->json)
		print_report(user, &r, active, proposal);
	cage_seccomp_record_free(&r);
	return rc;
}

/* ---- cagefsctl --seccomp-denials [USER...] [--json] ---- */

static void denial_row(cage_jgen *g, const struct cage_denial_sum *s)
{
	struct cage_user u;
	cage_err_t ignored = {0};
	char who[64], act[64], first[64], last[64];
	char *sys = seccomp_syscall_resolve_num_arch(s->d.arch, s->d.nr);
	if (cage_user_lookup_uid(s->d.uid, &u, &ignored) == 0) {
		snprintf(who, sizeof(who), "%s", u.name);
		cage_user_free(&u);
	} else {
		snprintf(who, sizeof(who), "uid %u", (unsigned)s->d.uid);
	}
	cage_denial_action(s->d.code, act, sizeof(act));
	utc(s->first, first, sizeof(first));
	utc(s->d.when, last, sizeof(last));
	if (!g) {
		printf("%-16s %-16s %-18s %6lu  %s  %s (%s)\n", who, sys ? sys : "?", act, s->count, last,
		       s->d.exe, s->d.comm);
	} else {
		cage_jgen_map_open(g);
		const char *kv[][2] = { { "user", who }, { "syscall", sys ? sys : "?" }, { "action", act },
					{ "first", first }, { "last", last }, { "exe", s->d.exe }, { "comm", s->d.comm } };
		for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
			cage_jgen_string(g, kv[i][0]);
			cage_jgen_string(g, kv[i][1]);
		}
		cage_jgen_string(g, "uid");
		cage_jgen_int(g, s->d.uid);
		cage_jgen_string(g, "count");
		cage_jgen_u64(g, s->count);
		cage_jgen_map_close(g);
	}
	free(sys);
}

int ctl_seccomp_denials(struct ctl *c)
{
	uid_t uids[256];
	size_t nuids = 0, n;
	unsigned long suppressed;
	_cleanup_free_ struct cage_denial_sum *v = NULL;
	for (int i = 0; i < c->nargs && nuids < 256; i++) {
		struct cage_user u;
		if (cage_user_lookup(c->args[i], &u, &c->err) < 0)
			return -1;
		uids[nuids++] = u.uid;
		cage_user_free(&u);
	}
	if (cage_denials_collect(uids, nuids, &v, &n, &suppressed, &c->err) < 0)
		return -1;
	_cleanup_jgen_ cage_jgen *g = c->json ? cage_jgen_new(0) : NULL;
	if (g) {
		cage_jgen_map_open(g);
		cage_jgen_string(g, "suppressed");
		cage_jgen_u64(g, suppressed);
		cage_jgen_string(g, "denials");
		cage_jgen_array_open(g);
	} else if (n) {
		printf("%-16s %-16s %-18s %6s  %-23s  %s\n", "USER", "SYSCALL", "ACTION", "COUNT", "LAST", "PROGRAM");
	}
	for (size_t i = 0; i < n; i++)
		denial_row(g, &v[i]);
	if (g) {
		_cleanup_free_ char *out = NULL;
		cage_jgen_array_close(g);
		cage_jgen_map_close(g);
		if (cage_jgen_finish(g, &out, NULL, &c->err) < 0)
			return -1;
		printf("%s\n", out);
	} else if (!n) {
		printf("No seccomp denial in the kernel log%s.\n", nuids ? " for these users" : "");
	}
	if (!g && suppressed)
		printf("The kernel's rate limit dropped %lu audit lines: counts are a lower bound.\n", suppressed);
	return 0;
}
