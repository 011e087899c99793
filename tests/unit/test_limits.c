/* /etc/cagefs/limits.conf (cagefs/limits.h): what parses, to what, and
 * what each error says (no root). */
#define _GNU_SOURCE
#include <string.h>

#include "cagefs/limits.h"
#include "tap.h"

/* The effective limits of USER in TEXT, as "cpu memory pids io iops"
 * spelt as the file would; or "error: MESSAGE". */
static const char *limits_n(const char *text, size_t len, const char *user)
{
	static char out[CAGE_ERR_MSG_MAX + 16];
	struct cage_limits_file f;
	cage_err_t err = {0};
	if (cage_limits_parse_buf(&f, "limits.conf", text, len, &err) < 0) {
		snprintf(out, sizeof(out), "error: %s", err.msg);
		return out;
	}
	struct cage_limits l;
	cage_limits_of(&f, user, &l);
	out[0] = '\0';
	for (int k = 0; k < CAGE_LIMIT_KEYS; k++) {
		char v[32];
		cage_limit_format(k, l.v[k], v, sizeof(v));
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", k ? " " : "", v[0] ? v : "-");
	}
	cage_limits_file_free(&f);
	return out;
}

static const char *limits(const char *text, const char *user)
{
	return limits_n(text, strlen(text), user);
}

int main(void)
{
	const char *conf = "# plans\ndefault cpu=100% memory=1G pids=200\nalice memory=2G io=20M iops=max\n";
	is_str(limits(conf, "alice"), "100% 2G 200 20M -", "a user's line overrides the default's key by key");
	is_str(limits(conf, "bob"), "100% 1G 200 - -", "a user without a line gets the default's");
	is_str(limits("alice pids=max\n", "alice"), "- - - - -", "max alone: nothing limited");
	is_str(limits("default pids=5\nalice pids=max\n", "alice"), "- - - - -", "max lifts the default's limit");
	is_str(limits("\xEF\xBB\xBF" "alice\tcpu=250%  pids=7\r\n", "alice"), "250% - 7 - -",
	       "a byte order mark, tabs, runs of blanks and CRLF");
	is_str(limits("alice memory=1536M io=1025\n", "alice"), "- 1536M - 1025 -",
	       "sizes keep their exact value (1536M is not 1.5G, 1025 has no suffix)");
	is_str(limits("alice memory=8T\n", "alice"), "- 8T - - -", "T is 2^40");
	is_str(limits("alice memory=1024T\n", "alice"), "- 1024T - - -", "up to 2^50 bytes");
	is_str(limits("\n\nalice memory=1025T\n", "alice"),
	       "error: limits.conf:3: memory: '1025T' is not max or bytes (K, M, G, T; at least 1M)",
	       "past 2^50: an error naming the line");
	is_str(limits("alice memory=9999999999999999T\n", "x"),
	       "error: limits.conf:1: memory: '9999999999999999T' is not max or bytes (K, M, G, T; at least 1M)",
	       "a size that would overflow");
	is_str(limits("alice memory=99999999999999999\n", "x"),
	       "error: limits.conf:1: memory: '99999999999999999' is not max or bytes (K, M, G, T; at least 1M)",
	       "17 digits");
	is_str(limits("alice cpu=0%\n", "x"), "error: limits.conf:1: cpu: '0%' is not max or a percentage of one CPU "
	       "(1% to 100000%)", "cpu=0%%");
	is_str(limits("alice cpu=5%%\n", "x"), "error: limits.conf:1: cpu: '5%%' is not max or a percentage of one "
	       "CPU (1% to 100000%)", "cpu=5%%%%");
	is_str(limits("alice memory=1m\n", "x"), "error: limits.conf:1: memory: '1m' is not max or bytes (K, M, G, T; "
	       "at least 1M)", "suffixes are capitals");
	is_str(limits("alice pids=-1\n", "x"), "error: limits.conf:1: pids: '-1' is not max or a number of processes "
	       "(1 to 4194304)", "no negative numbers");
	is_str(limits("alice\n", "x"), "error: limits.conf:1: alice: no KEY=VALUE (cpu, memory, pids, io, iops)",
	       "a name alone");
	is_str(limits("alice pids=1 # vip\n", "x"), "error: limits.conf:1: '#' is not KEY=VALUE with KEY one of cpu, "
	       "memory, pids, io, iops", "'#' starts a comment only at the start of a line");
	is_str(limits("alice pids=1\nbob pids=2\nalice cpu=5%\n", "x"),
	       "error: limits.conf:3: alice already has its line (line 1)", "a name twice");
	is_str(limits("-alice pids=1\n", "x"), "error: limits.conf:1: '-alice' is not a user name or \"default\"",
	       "a name starting with '-'");
	is_str(limits("al=ice pids=1\n", "x"), "error: limits.conf:1: 'al=ice' is not a user name or \"default\"",
	       "a name with '='");
	is_str(limits_n("alice pids=1\0\n", 14, "x"), "error: limits.conf: holds a NUL byte: not a text file", "a NUL byte");
	return done_testing();
}
