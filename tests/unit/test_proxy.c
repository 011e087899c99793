/* The proxy's pure parts, without root (docs/ARCHITECTURE.md §4.18): the
 * request protocol (proxy/protocol.c), the command files' syntax
 * (proxy/commands.c) and the argument rules (proxy/rules.c).  Each
 * refusal is checked for its message, not only for failing. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/proxy.h"
#include "tap.h"

/* ---- protocol ---- */

static size_t field(unsigned char *p, unsigned tag, const char *s, size_t n)
{
	p[0] = (unsigned char)tag;
	p[1] = (unsigned char)n, p[2] = (unsigned char)(n >> 8), p[3] = (unsigned char)(n >> 16), p[4] = 0;
	memcpy(p + 5, s, n);
	return 5 + n;
}

static const char *decode_err(const unsigned char *b, size_t n)
{
	static cage_err_t err;
	struct cage_proxy_req r;
	memset(&err, 0, sizeof(err));
	if (cage_proxy_req_decode(b, n, &r, &err) == 0) {
		cage_proxy_req_free(&r);
		return "decoded";
	}
	return r.alias || r.cwd || r.args.n ? "left a partial request" : err.msg;
}

static void test_protocol(void)
{
	struct cage_proxy_req r = {.alias = (char *)"PTEST", .cwd = (char *)"/home/a"};
	cage_strvec_push(&r.args, "-l");
	cage_strvec_push(&r.args, "");
	cage_strvec_push(&r.env, "TERM=xterm");
	char *body;
	size_t len;
	cage_err_t err = {0};
	ok(cage_proxy_req_encode(&r, &body, &len, &err) == 0, "a request encodes");
	struct cage_proxy_req d;
	ok(cage_proxy_req_decode(body, len, &d, &err) == 0, "... and decodes");
	is_str(d.alias, "PTEST", "... the alias");
	is_str(d.cwd, "/home/a", "... the cwd");
	ok(d.args.n == 2 && !strcmp(d.args.v[0], "-l") && !strcmp(d.args.v[1], ""), "... the arguments, an empty one too");
	is_str(d.env.n == 1 ? d.env.v[0] : NULL, "TERM=xterm", "... the environment offered");
	is_str(decode_err((unsigned char *)body, len - 1), "malformed request: a field of 10 bytes at byte 39 runs past the end",
	       "one byte short: the last field runs past the end");
	cage_proxy_req_free(&d);
	free(body);
	cage_strvec_free(&r.args);
	cage_strvec_free(&r.env);

	unsigned char b[64];
	size_t n = field(b, 1, "A", 1);
	is_str(decode_err(b, n), "malformed request: no cwd", "no cwd: refused");
	n += field(b + n, 3, "/", 1);
	is_str(decode_err(b, n), "decoded", "alias and cwd are enough");
	size_t m = n + field(b + n, 1, "B", 1);
	is_str(decode_err(b, m), "malformed request: a second alias", "a second alias: refused");
	m = n + field(b + n, 2, "a\0b", 3);
	is_str(decode_err(b, m), "malformed request: a NUL byte in an argument", "a NUL inside an argument: refused");
	m = n + field(b + n, 4, "NOEQ", 4);
	is_str(decode_err(b, m), "malformed request: an environment entry without '='", "an env entry without '='");
	m = n + field(b + n, 9, "x", 1);
	is_str(decode_err(b, m), "malformed request: unknown field 9", "an unknown field");
	is_str(decode_err(b, n + 3), "malformed request: truncated field at byte 12", "three stray bytes: truncated");

	unsigned char hdr[CAGE_PROXY_HDR_LEN];
	uint32_t bl;
	cage_proxy_hdr_encode(hdr, 100u << 20);
	ok(cage_proxy_hdr_decode(hdr, &bl, &err) < 0 && !strcmp(err.msg, "request too large: 104857600 bytes, the limit is 262144"),
	   "a header announcing 100 MB is refused before any of it is read");
	cage_proxy_hdr_encode(hdr, 10);
	ok(cage_proxy_hdr_decode(hdr, &bl, &err) == 0 && bl == 10, "a header of 10 bytes");
	hdr[4] = 2;
	ok(cage_proxy_hdr_decode(hdr, &bl, &err) < 0 && strstr(err.msg, "protocol version 2"), "another version is refused");
	memcpy(hdr, "GET ", 4);
	ok(cage_proxy_hdr_decode(hdr, &bl, &err) < 0 && strstr(err.msg, "not the proxyexec protocol"), "garbage is refused");

	struct cage_proxy_reply rep = {.kind = 'E', .value = 126}, back;
	snprintf(rep.msg, sizeof(rep.msg), "no");
	unsigned char out[CAGE_PROXY_HDR_LEN + CAGE_PROXY_MSG_MAX];
	size_t rn = cage_proxy_reply_encode(&rep, out);
	uint32_t ml;
	ok(rn == CAGE_PROXY_HDR_LEN + 2 && cage_proxy_reply_hdr_decode(out, &back, &ml, &err) == 0 && back.kind == 'E' &&
	   back.value == 126 && ml == 2, "a refusal's reply round-trips");
	out[0] = 'Q';
	ok(cage_proxy_reply_hdr_decode(out, &back, &ml, &err) < 0, "a reply of unknown kind is refused");
}

/* ---- command files ---- */

static const char *parse(struct cage_proxy_cmds *t, const char *file, const char *text)
{
	static cage_err_t err;
	memset(&err, 0, sizeof(err));
	return cage_proxy_cmds_parse_buf(t, file, text, strlen(text), &err) == 0 ? "ok" : err.msg;
}

static void test_commands(void)
{
	struct cage_proxy_cmds t = {0};
	is_str(parse(&t, "proxy.commands", "\xEF\xBB\xBF# Debian\r\nSENDMAIL=/usr/sbin/sendmail\r\n"
		   "CRONTAB_LIST:cagefs.proxy.crontab=root:/usr/bin/crontab\n"
		   "  CRONTAB_SAVE : noproceed = root : /usr/bin/crontab  \n\nPASSWD=/usr/bin/passwd"), "ok",
	       "the manual's examples parse (BOM, CRLF, comments, blanks around the separators)");
	ok(t.n == 4, "... four commands");
	const struct cage_proxy_cmd *c = cage_proxy_cmds_find(&t, "CRONTAB_LIST");
	ok(c && !strcmp(c->wrapper, "cagefs.proxy.crontab") && !strcmp(c->user, "root") &&
	   !strcmp(c->path, "/usr/bin/crontab") && c->line == 3, "CRONTAB_LIST: wrapper, user, path, line");
	c = cage_proxy_cmds_find(&t, "CRONTAB_SAVE");
	ok(c && c->noproceed && !c->wrapper && !strcmp(c->user, "root"), "CRONTAB_SAVE: noproceed, root");
	c = cage_proxy_cmds_find(&t, "SENDMAIL");
	ok(c && !c->user && !c->wrapper && !c->noproceed, "SENDMAIL: the caller, the default wrapper");
	ok(cage_proxy_cmds_find(&t, "@/usr/sbin/sendmail") == c, "@/usr/sbin/sendmail finds the alias whose default wrapper is there");
	ok(!cage_proxy_cmds_find(&t, "@/usr/bin/crontab"), "@/usr/bin/crontab finds nothing (its wrapper is a named one)");
	is_str(parse(&t, "custom.proxy.commands", "# mine\nPASSWD=/usr/local/bin/passwd\n"),
	       "custom.proxy.commands:2: alias PASSWD is already defined at proxy.commands:6",
	       "an alias defined again in another file names both places");
	ok(t.n == 4, "... and the table is as it was");
	is_str(parse(&t, "custom.proxy.commands", "OTHER=/usr/sbin/sendmail\n"),
	       "custom.proxy.commands:1: /usr/sbin/sendmail already gets the wrapper of SENDMAIL (proxy.commands:2); an "
	       "alias that shares its program says noproceed", "two wrappers at one path");
	is_str(parse(&t, "custom.proxy.commands", "OTHER:noproceed=/usr/sbin/sendmail\nX=/bin/x\n"), "ok",
	       "... fine with noproceed");
	ok(t.n == 6, "... appended");
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"NOEQUALS", "f:1: 'NOEQUALS' is not ALIAS[:wrapper_name]=[username:]path"},
		{"=/bin/x", "f:1: no ALIAS before '='"},
		{"A B=/bin/x", "f:1: alias 'A B' must be 1 to 64 letters"},
		{"@A=/bin/x", "f:1: alias '@A' must be"},
		{"A:=/bin/x", "f:1: wrapper name '' must be a file name"},
		{"A:../x=/bin/x", "f:1: wrapper name '../x' must be a file name"},
		{"A:..=/bin/x", "f:1: wrapper name '..' must be"},
		{"A=bin/x", "f:1: 'bin/x' is neither an absolute path nor username:path"},
		{"A=root:bin/x", "f:1: path_to_executable 'bin/x' must be an absolute path"},
		{"A=-r:/bin/x", "f:1: username '-r' is not a user name"},
		{"A=/bin/../etc/x", "f:1: path_to_executable '/bin/../etc/x' is not a plain path (write it as '/etc/x')"},
		{"A=/bin/a b", "f:1: path_to_executable '/bin/a b' holds a blank"},
		{"A=/", "f:1: path_to_executable '/' is not a plain path"},
		{"# one\n\nA=/bin/x\nA=/bin/y", "f:4: alias A is already defined at f:3"},
		{"A=/bin/x\0", "f:1: NUL byte in line"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct cage_proxy_cmds e = {0};
		cage_err_t err = {0};
		size_t len = strlen(bad[i].text) + (strchr(bad[i].text, '\0') && i == sizeof(bad) / sizeof(*bad) - 1);
		int rc = cage_proxy_cmds_parse_buf(&e, "f", bad[i].text, len, &err);
		ok(rc < 0 && !strncmp(err.msg, bad[i].want, strlen(bad[i].want)) && e.n == 0, "refused: %s", bad[i].want);
		if (rc == 0 || strncmp(err.msg, bad[i].want, strlen(bad[i].want)))
			printf("#   got: %s\n", rc == 0 ? "(parsed)" : err.msg);
		cage_proxy_cmds_free(&e);
	}
	cage_proxy_cmds_free(&t);
}

/* ---- argument rules ---- */

static const char *rules(const char *path, bool as_other, const char *const *args, const char **file)
{
	static char out[2048], fcopy[256];
	cage_strvec_t in = {0}, res = {0};
	cage_err_t err = {0};
	const char *f = NULL;
	for (size_t i = 0; args[i]; i++)
		cage_strvec_push(&in, args[i]);
	if (cage_proxy_rules(path, "alice", as_other, &in, &res, &f, &err) < 0) {
		snprintf(out, sizeof(out), "refused: %s", err.msg);
	} else {
		out[0] = '\0';
		for (size_t i = 0; i < res.n; i++)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "", res.v[i]);
	}
	if (file) { /* F points into IN, freed below */
		snprintf(fcopy, sizeof(fcopy), "%s", f ? f : "");
		*file = f ? fcopy : NULL;
	}
	cage_strvec_free(&in);
	cage_strvec_free(&res);
	return out;
}

#define A(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_rules(void)
{
	const char *file;
	is_str(rules("/usr/bin/crontab", true, A("-l"), NULL), "-u alice -l", "crontab -l as root: -u alice -l");
	is_str(rules("/usr/bin/crontab", false, A("-r"), NULL), "-r", "crontab -r as the caller: no -u");
	is_str(rules("/usr/bin/crontab", true, A("my.cron"), &file), "-u alice -", "crontab FILE: read from stdin...");
	is_str(file, "my.cron", "... the file for the daemon to open for the caller");
	is_str(rules("/usr/bin/crontab", true, A("-u", "bob", "-l"), NULL),
	       "refused: crontab -u: a proxied crontab is always your own", "crontab -u bob: refused");
	is_str(rules("/usr/bin/crontab", true, A("-ubob"), NULL), "refused: crontab -u: a proxied crontab is always your own",
	       "crontab -ubob: refused");
	is_str(rules("/usr/bin/crontab", true, A("-e"), NULL),
	       "refused: crontab -e: edit with the crontab of your cage, which saves through -", "crontab -e: refused");
	is_str(rules("/usr/bin/crontab", true, A("-i"), NULL), "refused: crontab: option -i is not allowed", "crontab -i: refused");
	is_str(rules("/usr/bin/crontab", true, A("a", "b"), NULL),
	       "refused: crontab: give exactly one of -l, -r, - or FILE (got 2 arguments)", "crontab with two files: refused");
	is_str(rules("/usr/sbin/sendmail", false, A("-t", "-i", "-f", "a@b", "-Fme", "x@y"), NULL), "-t -i -f a@b -Fme x@y",
	       "sendmail -t -i -f ADDR -FNAME RCPT: allowed");
	is_str(rules("/usr/sbin/sendmail", false, A("-be"), NULL),
	       "refused: sendmail: option -be is not allowed (only message submission; -be is expansion test mode)",
	       "sendmail -be: refused");
	is_str(rules("/usr/sbin/exim4", false, A("-C", "/home/a/x"), NULL),
	       "refused: sendmail: option -C is not allowed (only message submission; -C names another configuration)",
	       "exim4 -C FILE: refused");
	is_str(rules("/usr/sbin/sendmail", false, A("-bh", "1.2.3.4"), NULL),
	       "refused: sendmail: option -bh is not allowed (only message submission)", "sendmail -bh: refused");
	is_str(rules("/usr/sbin/sendmail", false, A("-f"), NULL), "refused: sendmail: option -f needs a value",
	       "sendmail -f without a value: refused");
	is_str(rules("/usr/sbin/sendmail", false, A("--", "-be"), NULL), "-- -be", "after --, -be is an address");
	is_str(rules("/usr/sbin/exim4", false, A("-N", "-be", "${run{/bin/id}}"), NULL),
	       "refused: sendmail: option -N is not allowed (only message submission)",
	       "exim4 -N -be: refused (exim's -N takes no value: -be would be expansion test mode)");
	is_str(rules("/usr/sbin/exim4", false, A("-B", "-be", "${run{/bin/id}}"), NULL),
	       "refused: sendmail: the value of -B may not start with '-' (-be)",
	       "exim4 -B -be: a separate value never starts with '-'");
	is_str(rules("/usr/bin/passwd", false, A("-S"), NULL), "-S", "passwd -S: allowed");
	is_str(rules("/usr/bin/passwd", false, A("alice"), NULL), "alice", "passwd alice (herself): allowed");
	is_str(rules("/usr/bin/passwd", false, A("bob"), NULL),
	       "refused: passwd: bob is not allowed (your own password only; -S shows its status)", "passwd bob: refused");
	is_str(rules("/usr/bin/passwd", true, A("-S"), NULL),
	       "refused: passwd runs as the caller only (as another user it would not ask for the current password)",
	       "passwd as root: refused");
	is_str(rules("/usr/local/bin/panel", true, A("--any", "thing"), NULL), "--any thing",
	       "a program without rules gets its arguments as they are");
}

int main(void)
{
	test_protocol();
	test_commands();
	test_rules();
	return done_testing();
}
