/* tmpwatch's parsers (docs/ARCHITECTURE.md §4.20): the manual's tmpwatch
 * command line, the php.ini keys of PHP sessions, and where an in-cage
 * path lives below ~/.cagefs.  No root needed. */
#define _GNU_SOURCE
#include <string.h>
#include <stdlib.h>

#include "cagefs/tmpwatch.h"
#include "bundles/user/tmpwatch_internal.h"
#include "tap.h"

static void cmd(void)
{
	struct cage_tmpwatch_cmd c;
	cage_err_t e = {0};
	ok(cage_tmpwatch_cmd_parse(CAGE_TMPWATCH_DEFAULT, &c, &e) == 0 && c.max_age == 720 * 3600 && c.atime &&
	   c.mtime && c.ctime && c.nosymlinks && !c.nodirs, "the manual's -umclq 720: 720 hours, u m c l");
	ok(cage_tmpwatch_cmd_parse("tmpwatch --mtime --nodirs 30d", &c, &e) == 0 && c.max_age == 30 * 86400 &&
	   c.mtime && !c.atime && c.nodirs, "long options and a time in days");
	ok(cage_tmpwatch_cmd_parse("tmpwatch 12h", &c, &e) == 0 && c.max_age == 12 * 3600, "12h");
	static const char *const bad[][2] = {
		{"rm -rf /", "must start with tmpwatch"},
		{"/usr/sbin/tmpwatch -umc", "the time (hours) is missing"},
		{"tmpwatch -s 5", "option -s is not supported"},
		{"tmpwatch --exclude=/x 5", "option --exclude=/x is not supported"},
		{"tmpwatch 5 /tmp", "no directory may follow the time"},
		{"tmpwatch 5x", "must be hours"},
		{"tmpwatch -5", "option -5 is not supported"},
		{"tmpwatch 99999999999999999999", "must be hours"},
		{"", "must start with tmpwatch"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		cage_err_t be = {0};
		int rc = cage_tmpwatch_cmd_parse(bad[i][0], &c, &be);
		ok(rc < 0 && strstr(be.msg, bad[i][1]), "refused: '%s' (%s)", bad[i][0], be.msg);
	}
}

static struct cage_php_sessdirs parse(const char *text, int *rc, cage_err_t *e)
{
	struct cage_php_sessdirs s = {0};
	*rc = cage_php_ini_parse(&s, "php.ini", text, strlen(text), e);
	return s;
}

static void php(void)
{
	int rc;
	cage_err_t e = {0};
	struct cage_php_sessdirs s = parse("; comment\n[Session]\nsession.save_path = \"2;0700;/var/lib//php/s\" ; c\n"
					   "session.gc_maxlifetime=7200 ; two hours\nunrelated line\n", &rc, &e);
	ok(rc == 0 && s.n == 1 && !strcmp(s.d[0].path, "/var/lib/php/s") && s.d[0].depth == 2 &&
	   s.d[0].lifetime == 7200, "quoted N;MODE;path, comments, other lines ignored");
	const char *b = "session.save_path='/var/lib/php/s'\nsession.gc_maxlifetime = 60\n";
	cage_php_ini_parse(&s, "b.ini", b, strlen(b), &e);
	ok(s.n == 1 && s.d[0].lifetime == 60 && s.d[0].depth == 2, "the same directory: the least lifetime, the deepest spread");
	cage_php_sessdirs_free(&s);
	s = parse(";session.save_path = /x\n", &rc, &e);
	ok(rc == 0 && s.n == 1 && !strcmp(s.d[0].path, "/tmp") && s.d[0].lifetime == CAGE_PHP_GC_MAXLIFETIME,
	   "nothing set: /tmp, 1440 s");
	cage_php_sessdirs_free(&s);
	static const char *const bad[][2] = {
		{"session.gc_maxlifetime = 24min\n", "php.ini:1: session.gc_maxlifetime must be a number"},
		{"\nsession.gc_maxlifetime = 0\n", "php.ini:2: session.gc_maxlifetime must be"},
		{"session.gc_maxlifetime = -5\n", "must be a number of seconds"},
		{"session.save_path = \"/tmp\n", "php.ini:1: unterminated quote"},
		{"session.save_path = \"/tmp\" x\n", "text after the closing quote"},
		{"session.save_path = relative/dir\n", "must be an absolute path"},
		{"session.save_path = \"x;/tmp\"\n", "the depth before ';' must be"},
		{"session.save_path = \"99;/tmp\"\n", "the depth before ';' must be"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		cage_err_t be = {0};
		s = parse(bad[i][0], &rc, &be);
		ok(rc < 0 && s.n == 0 && strstr(be.msg, bad[i][1]), "refused: %s", be.msg);
		cage_php_sessdirs_free(&s);
	}
}

static void rel(void)
{
	static const char *const cases[][2] = {
		{"/tmp", "tmp"}, {"/var/tmp", "tmp"}, {"/var/tmp/sub", "tmp/sub"}, {"/tmp/../etc", "etc"},
		{"/tmpx", "tmpx"}, {"/dir1", "dir1"}, {"/var/cache/php-eaccelerator", "var/cache/php-eaccelerator"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *r = tw_cage_rel(cases[i][0]);
		is_str(r, cases[i][1], "%s lives at ~/.cagefs/%s", cases[i][0], cases[i][1]);
		free(r);
	}
	ok(!tw_cage_rel("/") && !tw_cage_rel("relative") && !tw_cage_rel("/.."), "/, a relative path: none");
}

int main(void)
{
	cmd();
	php();
	rel();
	return done_testing();
}
