/* Unit tests for the mount configuration parsers (bundles/user/mountcfg.c, basehome.c):
 * cagefs.mp, virt.mp, cagefs.base.home.dirs and base home resolution.  The
 * manual's examples are used verbatim.  No root needed; the load tests work
 * in a mkdtemp directory. */
#define _GNU_SOURCE
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/mountcfg.h"
#include "cagefs/safefs.h"

/* manual, "Mount Points" */
static const char manual_mp[] =
	"/var/lib/mysql\n"
	"/var/lib/dav\n"
	"/var/www/cgi-bin\n"
	"/var/spool\n"
	"/dev/pts\n"
	"/usr/local/apache/domlogs\n"
	"/proc\n"
	"/opt\n"
	"@/var/spool/cron,700\n"
	"@/var/run/screen,777\n";

/* manual, "Per user virtual mount points" (Plesk 11.5, cltest1 and cltest2) */
static const char plesk_virt1[] =
	">/var/www/vhosts/system,0755\n"
	"@cltest1-addon.com,0755\n"
	"@cltest1.com,0755\n"
	"@sub1.cltest1.com,0755\n";
static const char plesk_virt2[] =
	">/var/www/vhosts/system\n"
	"@cltest2-addon.com\n"
	"@cltest2.com\n";

/* manual, "Base Home Directory" */
static const char manual_bh1[] = "^/home/\n^/var/www/users/\n";
static const char manual_bh2[] = "mount_basedir=1\n^/var/www/vhosts/[^/]+\n";

static cage_err_t err;

/* len: the text's length, or 0 for strlen (texts with NUL bytes pass it) */
static int mp_str_n(struct cage_mp *mp, const char *text, size_t len)
{
	cage_err_clear(&err);
	return cage_mp_parse_buf(mp, "cagefs.mp", text, len ? len : strlen(text), &err);
}

static int virt_str_n(struct cage_virtmp *v, const char *text, size_t len)
{
	cage_err_clear(&err);
	return cage_virtmp_parse_buf(v, "virt.mp", text, len ? len : strlen(text), &err);
}

static int bh_str_n(struct cage_basehome *b, const char *text, size_t len)
{
	cage_err_clear(&err);
	return cage_basehome_parse_buf(b, "base.home.dirs", text, len ? len : strlen(text), &err);
}

#define mp_str(mp, text) mp_str_n((mp), (text), 0)
#define virt_str(v, text) virt_str_n((v), (text), 0)
#define bh_str(b, text) bh_str_n((b), (text), 0)
/* A string literal's length including embedded NUL bytes. */
#define LIT(s) s, sizeof(s) - 1

/* The parse must fail with exactly `want` as message; nothing is kept. */
static void mp_bad_n(const char *text, size_t len, const char *want)
{
	struct cage_mp mp = { 0 };
	ok(mp_str_n(&mp, text, len) < 0 && mp.n == 0, "cagefs.mp rejects %s", want);
	is_str(err.msg, want, "  message");
	cage_mp_free(&mp);
}

static void virt_bad_n(const char *text, size_t len, const char *want)
{
	struct cage_virtmp v = { 0 };
	ok(virt_str_n(&v, text, len) < 0 && v.n == 0, "virt.mp rejects %s", want);
	is_str(err.msg, want, "  message");
	cage_virtmp_free(&v);
}

/* For messages that quote regerror() text: compare the prefix only. */
static void bh_bad_n(const char *text, size_t len, const char *want_prefix)
{
	struct cage_basehome b = { 0 };
	ok(bh_str_n(&b, text, len) < 0 && b.n == 0 && !b.mount_basedir, "base.home.dirs rejects %s",
	   want_prefix);
	ok(strncmp(err.msg, want_prefix, strlen(want_prefix)) == 0, "  message starts right");
	if (strncmp(err.msg, want_prefix, strlen(want_prefix)) != 0)
		printf("#   got: '%s'\n", err.msg);
	cage_basehome_free(&b);
}

#define mp_bad(text, want) mp_bad_n((text), 0, (want))
#define virt_bad(text, want) virt_bad_n((text), 0, (want))
#define bh_bad(text, want) bh_bad_n((text), 0, (want))

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ---- cagefs.mp ---- */

static void test_mp_manual(void)
{
	struct cage_mp mp = { 0 };
	ok(mp_str(&mp, manual_mp) == 0, "manual's cagefs.mp example parses");
	is_int(mp.n, 10, "  10 entries");
	if (mp.n != 10)
		return;
	is_str(mp.e[0].path, "/var/lib/mysql", "  first path");
	is_int(mp.e[0].kind, CAGE_MP_SHARED, "  shared");
	is_int(mp.e[0].mode, 0, "  shared has no mode");
	is_str(mp.e[4].path, "/dev/pts", "  /dev/pts kept in the model");
	is_str(mp.e[6].path, "/proc", "  /proc kept in the model");
	is_str(mp.e[8].path, "/var/spool/cron", "  @ path without '@'");
	is_int(mp.e[8].kind, CAGE_MP_PERUSER, "  per-user");
	is_int(mp.e[8].mode, 0700, "  mode 700 is octal");
	is_int(mp.e[9].mode, 0777, "  mode 777 is octal");
	is_int(mp.e[9].line, 10, "  line numbers");
	cage_mp_free(&mp);
	is_int(mp.n, 0, "free resets");
	cage_mp_free(&mp);
	cage_mp_free(NULL);
	ok(1, "double free and free(NULL) are fine");
}

static void test_mp_default(void)
{
	struct cage_mp mp = { 0 };
	const char *text = cage_mp_default_text();
	ok(text && strstr(text, "# "), "default text is commented");
	ok(mp_str(&mp, text) == 0, "default text parses: %s", err.msg);
	ok(mp.n >= 4, "  has entries (%zu)", mp.n);
	bool proc = false, mysql_data = false, sock = false, peruser = false;
	for (size_t i = 0; i < mp.n; i++) {
		proc |= !strcmp(mp.e[i].path, "/proc") || !strcmp(mp.e[i].path, "/dev/pts");
		mysql_data |= !strcmp(mp.e[i].path, "/var/lib/mysql");
		sock |= !strcmp(mp.e[i].path, "/var/run/mysqld");
		peruser |= mp.e[i].kind == CAGE_MP_PERUSER && !strcmp(mp.e[i].path, "/var/run/screen") &&
			   mp.e[i].mode == 0777;
	}
	ok(!proc, "  no /proc or /dev/pts (the runtime handles them)");
	ok(!mysql_data, "  MySQL data directory not shared");
	ok(sock, "  MySQL socket directory shared");
	ok(peruser, "  @/var/run/screen,777");
	cage_mp_free(&mp);
}

static void test_mp_syntax(void)
{
	struct cage_mp mp = { 0 };
	const char *text = "\xEF\xBB\xBF# comment\r\n"
			   "\r\n"
			   "   \t\n"
			   "  /a/./b//c/  \r\n"
			   "%/home/httpd/fcgi-bin\n"
			   "@/x\n"
			   "@ /y , 0 \n"
			   "@/z,1733\n"
			   "@/w,0755\n"
			   "   # indented comment\n"
			   "/with space/dir";
	ok(mp_str(&mp, text) == 0, "BOM, CRLF, blanks, comments, no final newline: %s", err.msg);
	is_int(mp.n, 7, "  7 entries");
	if (mp.n == 7) {
		is_str(mp.e[0].path, "/a/b/c", "  normalized");
		is_int(mp.e[0].line, 4, "  line counts blank and comment lines");
		is_int(mp.e[1].kind, CAGE_MP_SPLIT, "  %% is split by username");
		is_str(mp.e[1].path, "/home/httpd/fcgi-bin", "  split path");
		is_int(mp.e[2].mode, 0700, "  @ without mode: 0700");
		is_str(mp.e[3].path, "/y", "  blanks around '@' path trimmed");
		is_int(mp.e[3].mode, 0, "  blanks around mode trimmed, mode 0");
		is_int(mp.e[4].mode, 01733, "  sticky bit");
		is_int(mp.e[5].mode, 0755, "  leading zero");
		is_str(mp.e[6].path, "/with space/dir", "  inner space kept");
	}
	cage_mp_free(&mp);
	ok(mp_str(&mp, "") == 0 && mp.n == 0, "empty cagefs.mp is fine");
	ok(mp_str(&mp, "# only\n\n") == 0 && mp.n == 0, "comments only is fine");
	ok(cage_mp_parse_buf(&mp, "x", NULL, 0, &err) == 0, "NULL buffer of length 0");
	ok(cage_mp_parse_buf(&mp, NULL, "a", 1, &err) < 0 &&
		   strncmp(err.msg, "<cagefs.mp>:1: ", 15) == 0,
	   "NULL file name: placeholder in message");
	ok(cage_mp_parse_buf(&mp, "x", "a", 1, NULL) < 0, "NULL err is fine");
	cage_mp_free(&mp);
}

static void test_mp_errors(void)
{
	mp_bad("var/lib/mysql\n",
	       "cagefs.mp:1: relative mount point path 'var/lib/mysql' (must start with '/')");
	mp_bad("/a\n@var/run,700\n",
	       "cagefs.mp:2: relative mount point path 'var/run' (must start with '/')");
	mp_bad("%home\n", "cagefs.mp:1: relative mount point path 'home' (must start with '/')");
	mp_bad("@\n", "cagefs.mp:1: missing mount point path");
	mp_bad("@,700\n", "cagefs.mp:1: missing mount point path");
	mp_bad("/\n", "cagefs.mp:1: '/' itself cannot be a mount point");
	mp_bad("//./\n", "cagefs.mp:1: '/' itself cannot be a mount point");
	mp_bad("@/,700\n", "cagefs.mp:1: '/' itself cannot be a mount point");
	mp_bad("/var/../etc\n",
	       "cagefs.mp:1: '..' in mount point path '/var/../etc' (write the real path)");
	mp_bad("/var/..\n", "cagefs.mp:1: '..' in mount point path '/var/..' (write the real path)");
	mp_bad("/a\tb\x01\n", "cagefs.mp:1: control character in mount point path '/a\tb\x01'");
	mp_bad("/var/lib/mysql,755\n",
	       "cagefs.mp:1: unexpected ',' in '/var/lib/mysql,755' (a mode is only allowed on "
	       "'@/path,mode' lines)");
	mp_bad("%/home/x,700\n", "cagefs.mp:1: unexpected ',' in '/home/x,700' (a mode is only "
				 "allowed on '@/path,mode' lines)");
	mp_bad("@/a,\n", "cagefs.mp:1: invalid mode '' (1 to 4 octal digits, e.g. 755)");
	mp_bad("@/a,8\n", "cagefs.mp:1: invalid mode '8' (1 to 4 octal digits, e.g. 755)");
	mp_bad("@/a,77777\n", "cagefs.mp:1: invalid mode '77777' (1 to 4 octal digits, e.g. 755)");
	mp_bad("@/a,-7\n", "cagefs.mp:1: invalid mode '-7' (1 to 4 octal digits, e.g. 755)");
	mp_bad("@/a,0x7\n", "cagefs.mp:1: invalid mode '0x7' (1 to 4 octal digits, e.g. 755)");
	mp_bad("@/a,7 7\n", "cagefs.mp:1: invalid mode '7 7' (1 to 4 octal digits, e.g. 755)");
	mp_bad("@/a,700,700\n",
	       "cagefs.mp:1: invalid mode '700,700' (1 to 4 octal digits, e.g. 755)");
	mp_bad("/a\n/b\n/a/\n",
	       "cagefs.mp:3: duplicate mount point '/a', first defined at cagefs.mp:1");
	mp_bad("/a\n@/a,755\n",
	       "cagefs.mp:2: duplicate mount point '/a', first defined at cagefs.mp:1");
	mp_bad("%/a\n/./a\n",
	       "cagefs.mp:2: duplicate mount point '/a', first defined at cagefs.mp:1");
	mp_bad_n(LIT("/a\n/b\0c\n"), "cagefs.mp:2: NUL byte in line (binary file?)");
	mp_bad_n(LIT("/a\n# \0 in a comment\n"), "cagefs.mp:2: NUL byte in line (binary file?)");
}

static void test_mp_nul_len(void)
{
	struct cage_mp mp = { 0 };
	static const char text[] = "/a\n\0\n/b\n";
	ok(cage_mp_parse_buf(&mp, "f", text, sizeof(text) - 1, &err) < 0,
	   "a lone NUL byte is an error, not the end of the buffer");
	is_str(err.msg, "f:2: NUL byte in line (binary file?)", "  message");
	ok(mp.n == 0, "  nothing kept");
	cage_mp_free(&mp);
}

static void test_mp_long(void)
{
	struct cage_mp mp = { 0 };
	char *big = repeat('a', 1 << 20);
	if (!big)
		return;
	big[0] = '/';
	ok(mp_str(&mp, big) < 0, "1 MiB path is an error");
	ok(strncmp(err.msg, "cagefs.mp:1: mount point path '/aaa", 35) == 0 &&
		   strstr(err.msg, "...' too long (1048576 bytes, at most 4095)"),
	   "  quoted text is cut short: %s", err.msg);
	big[0] = '#';
	ok(mp_str(&mp, big) == 0 && mp.n == 0, "1 MiB comment is fine");
	free(big);
	/* Many distinct lines: duplicate detection must not be quadratic. */
	size_t n = 100000;
	char *many = malloc(n * 16);
	size_t w = 0;
	for (size_t i = 0; many && i < n; i++)
		w += (size_t)sprintf(many + w, "/d/%zu\n", i);
	ok(many && cage_mp_parse_buf(&mp, "f", many, w, &err) == 0 && mp.n == n,
	   "100000 entries parse");
	free(many);
	cage_mp_free(&mp);
}

static void test_mp_append(void)
{
	struct cage_mp mp = { 0 };
	ok(mp_str(&mp, "/a\n/b\n") == 0, "first file");
	ok(mp_str(&mp, "/c\n/d,7\n") < 0 && mp.n == 2, "a failing second file leaves the first");
	ok(mp_str(&mp, "/c\n/b\n") < 0 && mp.n == 2, "duplicate across files");
	is_str(err.msg,
	       "cagefs.mp:2: duplicate mount point '/b', already defined at line 2 of an earlier file",
	       "  message");
	ok(mp_str(&mp, "/c\n") == 0 && mp.n == 3, "a good second file appends");
	cage_mp_free(&mp);
}

static char tmpdir[] = "/tmp/test_mountcfg.XXXXXX";

static char *write_tmp(const char *name, const char *text)
{
	char *path = cage_path_join(tmpdir, name);
	cage_err_t e = { 0 };
	if (!path || cage_write_atomic(path, text, strlen(text), 0644, &e) < 0)
		printf("# cannot write %s: %s\n", name, e.msg);
	return path;
}

static void test_load(void)
{
	struct cage_mp mp = { 0 };
	struct cage_virtmp v = { 0 };
	struct cage_basehome b = { 0 };
	char *missing = cage_path_join(tmpdir, "missing");
	ok(cage_mp_load(&mp, missing, &err) == 0 && mp.n == 0, "missing cagefs.mp: empty list");
	ok(cage_virtmp_load(&v, missing, &err) == 0 && v.n == 0, "missing virt.mp: no virt dirs");
	ok(cage_basehome_load(&b, missing, &err) == 0 && b.n == 0, "missing base.home.dirs");
	ok(cage_mp_load(&mp, tmpdir, &err) < 0 && strstr(err.msg, "not a regular file"),
	   "a directory is an error: %s", err.msg);

	char *p = write_tmp("cagefs.mp", manual_mp);
	ok(cage_mp_load(&mp, p, &err) == 0 && mp.n == 10, "load cagefs.mp");
	free(p);
	p = write_tmp("bad.mp", "/a\nrel\n");
	ok(cage_mp_load(&mp, p, &err) < 0 && mp.n == 10, "bad cagefs.mp");
	char *want = NULL;
	if (asprintf(&want, "%s:2: relative mount point path 'rel' (must start with '/')", p) > 0)
		is_str(err.msg, want, "  message names the file");
	free(want);
	free(p);

	p = write_tmp("virt.mp", plesk_virt1);
	ok(cage_virtmp_load(&v, p, &err) == 0 && v.n == 1, "load virt.mp");
	free(p);
	p = write_tmp("empty.mp", "");
	ok(cage_virtmp_load(&v, p, &err) < 0 && v.n == 1, "existing empty virt.mp is an error");
	if (asprintf(&want, "%s:1: empty file (no virtual directory defined; remove the file if "
			    "the user needs none)", p) > 0)
		is_str(err.msg, want, "  message names the file");
	free(want);
	free(p);

	p = write_tmp("base.home.dirs", manual_bh2);
	ok(cage_basehome_load(&b, p, &err) == 0 && b.n == 1 && b.mount_basedir, "load base.home.dirs");
	free(p);
	free(missing);
	cage_mp_free(&mp);
	cage_virtmp_free(&v);
	cage_basehome_free(&b);
}

/* ---- virt.mp ---- */

static void test_virt_plesk(void)
{
	struct cage_virtmp v = { 0 };
	ok(virt_str(&v, plesk_virt1) == 0, "manual's virt.mp for cltest1 parses");
	if (v.n == 1) {
		const struct cage_virt_dir *d = &v.d[0];
		is_str(d->path, "/var/www/vhosts/system", "  virtual directory");
		ok(d->no_mount, "  '>' means do not mount");
		is_int(d->mode, 0755, "  mask");
		is_int(d->line, 1, "  line");
		is_int(d->nsubs, 3, "  3 sub directories");
		if (d->nsubs == 3) {
			is_str(d->subs[0].name, "cltest1-addon.com", "  first");
			is_str(d->subs[2].name, "sub1.cltest1.com", "  last");
			is_int(d->subs[2].mode, 0755, "  sub mask");
			is_int(d->subs[2].line, 4, "  sub line");
		}
	}
	cage_virtmp_free(&v);
	ok(virt_str(&v, plesk_virt2) == 0, "manual's virt.mp for cltest2 parses");
	if (v.n == 1) {
		is_int(v.d[0].mode, 0755, "  default mask 0755");
		is_int(v.d[0].nsubs, 2, "  2 sub directories");
		if (v.d[0].nsubs == 2) {
			is_str(v.d[0].subs[1].name, "cltest2.com", "  name");
			is_int(v.d[0].subs[1].mode, 0755, "  default sub mask 0755");
		}
	}
	cage_virtmp_free(&v);
}

/* The manual's format description, with absolute directories. */
static void test_virt_format(void)
{
	struct cage_virtmp v = { 0 };
	const char *text = "/virtdir1,0711\n"
			   "@subdir1,700\n"
			   "@subdir2\n"
			   "/virdir2 , 0750\r\n"
			   "@subdir3 , 1777\n"
			   "@subdir1\n"
			   ">/virtdir3\n"
			   "@subdir5,0\n"
			   "@subdir6,7\n"
			   "# comments\n";
	ok(virt_str(&v, text) == 0, "format example parses: %s", err.msg);
	is_int(v.n, 3, "  3 virtual directories");
	if (v.n != 3)
		return;
	ok(!v.d[0].no_mount && !v.d[1].no_mount && v.d[2].no_mount, "  only the third has '>'");
	is_int(v.d[0].mode, 0711, "  mask");
	is_str(v.d[1].path, "/virdir2", "  blanks trimmed");
	is_int(v.d[1].mode, 0750, "  mask after blanks");
	is_int(v.d[1].subs[0].mode, 01777, "  sub mask after blanks");
	is_str(v.d[1].subs[1].name, "subdir1", "  same sub name in another directory is fine");
	is_int(v.d[2].subs[0].mode, 0, "  mask 0");
	is_int(v.d[2].subs[1].mode, 07, "  mask 7");
	is_int(v.d[2].line, 7, "  line");
	cage_virtmp_free(&v);
	ok(virt_str(&v, "/lonely\n") == 0 && v.n == 1 && v.d[0].nsubs == 0,
	   "a virtual directory without sub directories");
	ok(virt_str(&v, "/a\n@x\n") == 0 && v.n == 2, "a second file appends");
	ok(virt_str(&v, "@y\n/b\n") < 0 && v.n == 2,
	   "'@' first in a later file does not attach to an earlier file's directory");
	ok(virt_str(&v, "/b\n/a\n") < 0 && v.n == 2, "duplicate across files");
	is_str(err.msg, "virt.mp:2: duplicate virtual directory '/a', already defined at line 1 of "
			"an earlier file", "  message");
	cage_virtmp_free(&v);
}

static void test_virt_errors(void)
{
	const char *empty = "virt.mp:1: empty file (no virtual directory defined; remove the file "
			    "if the user needs none)";
	virt_bad("", empty);
	virt_bad("\n  \n\t\r\n", empty);
	virt_bad("# nothing\n# here\n", empty);
	virt_bad("\xEF\xBB\xBF", empty);
	virt_bad("@cltest1.com,0755\n>/var/www/vhosts/system\n",
		 "virt.mp:1: '@cltest1.com,0755' before any virtual directory (an '@subdir' line "
		 "must follow a 'virtdir[,mask]' line)");
	virt_bad("# c\n\n@x\n", "virt.mp:3: '@x' before any virtual directory (an '@subdir' line "
				"must follow a 'virtdir[,mask]' line)");
	virt_bad("virtdir1,mask\n@subdir1,mask\n",
		 "virt.mp:1: relative virtual directory path 'virtdir1' (must start with '/')");
	virt_bad(">var/www\n", "virt.mp:1: relative virtual directory path 'var/www' "
			       "(must start with '/')");
	virt_bad(">\n", "virt.mp:1: missing virtual directory path");
	virt_bad("/\n", "virt.mp:1: '/' itself cannot be a virtual directory");
	virt_bad(">/var/www/../../etc\n", "virt.mp:1: '..' in virtual directory path "
					  "'/var/www/../../etc' (write the real path)");
	virt_bad("/a,mask\n", "virt.mp:1: invalid mask 'mask' (1 to 4 octal digits, e.g. 755)");
	virt_bad("/a,999\n", "virt.mp:1: invalid mask '999' (1 to 4 octal digits, e.g. 755)");
	virt_bad("/a\n@s,10000\n",
		 "virt.mp:2: invalid mask '10000' (1 to 4 octal digits, e.g. 755)");
	virt_bad("/a\n@s,\n", "virt.mp:2: invalid mask '' (1 to 4 octal digits, e.g. 755)");
	virt_bad("/a\n@\n", "virt.mp:2: missing sub directory name after '@'");
	virt_bad("/a\n@ ,755\n", "virt.mp:2: missing sub directory name after '@'");
	virt_bad("/a\n@b/c\n",
		 "virt.mp:2: sub directory name 'b/c' contains '/' (one path component only)");
	virt_bad("/a\n@../etc\n",
		 "virt.mp:2: sub directory name '../etc' contains '/' (one path component only)");
	virt_bad("/a\n@.\n", "virt.mp:2: invalid sub directory name '.'");
	virt_bad("/a\n@..,700\n", "virt.mp:2: invalid sub directory name '..'");
	virt_bad("/a\n@x\x7fy\n", "virt.mp:2: control character in sub directory name 'x\x7fy'");
	virt_bad("/a\n@x\n@y\n@x,700\n",
		 "virt.mp:4: duplicate sub directory 'x', first defined at virt.mp:2");
	virt_bad("/a\n@x\n/b\n>/a/\n",
		 "virt.mp:4: duplicate virtual directory '/a', first defined at virt.mp:1");
	virt_bad_n(LIT("/a\n@x\0\n"), "virt.mp:2: NUL byte in line (binary file?)");

	struct cage_virtmp v = { 0 };
	char *name = repeat('n', NAME_MAX + 1);
	char *text = NULL;
	if (name && asprintf(&text, "/a\n@%s\n", name) > 0) {
		ok(virt_str(&v, text) < 0 && strstr(err.msg, "too long (256 bytes, at most 255)"),
		   "256-byte sub directory name: %s", err.msg);
		free(text);
		name[NAME_MAX] = '\0';
		if (asprintf(&text, "/a\n@%s\n", name) > 0)
			ok(virt_str(&v, text) == 0 && v.d[0].nsubs == 1, "255 bytes is fine");
		free(text);
	}
	free(name);
	cage_virtmp_free(&v);
}

/* ---- cagefs.base.home.dirs ---- */

static void test_bh_parse(void)
{
	struct cage_basehome b = { 0 };
	ok(bh_str(&b, manual_bh1) == 0, "manual's first base.home.dirs parses");
	is_int(b.n, 2, "  2 patterns");
	ok(!b.mount_basedir, "  mount_basedir off");
	if (b.n == 2)
		is_str(b.pattern[1], "^/var/www/users/", "  pattern text kept");
	cage_basehome_free(&b);
	ok(bh_str(&b, manual_bh2) == 0, "manual's mount_basedir example parses");
	ok(b.n == 1 && b.mount_basedir, "  mount_basedir on, 1 pattern");
	cage_basehome_free(&b);
	ok(bh_str(&b, "# c\r\n\n  mount_basedir = 0 \r\n ^/home/ \n") == 0 && b.n == 1 &&
		   !b.mount_basedir && !strcmp(b.pattern[0], "^/home/"),
	   "comments, blanks, CRLF, explicit mount_basedir=0");
	cage_basehome_free(&b);
	ok(bh_str(&b, "mount_basedir=1\n") == 0 && b.n == 0 && b.mount_basedir,
	   "mount_basedir without patterns");
	cage_basehome_free(&b);
	ok(bh_str(&b, "") == 0 && b.n == 0, "empty file");
	ok(bh_str(&b, "^/a/\n") == 0 && bh_str(&b, "^/b/\n") == 0 && b.n == 2,
	   "a second file appends");
	ok(bh_str(&b, "^/c/\n(\n") < 0 && b.n == 2, "a failing file leaves the earlier patterns");
	ok(bh_str(&b, "mount_basedir=1\n") < 0 && !b.mount_basedir,
	   "mount_basedir after earlier patterns is refused");
	cage_basehome_free(&b);
	ok(bh_str(&b, "mount_basedir=1\n(\n") < 0 && !b.mount_basedir,
	   "a failing file does not keep its mount_basedir");
	cage_basehome_free(&b);
	ok(bh_str(&b, "^/(a|b)[0-9]{1,3}/[[:alnum:]_.-]+/\n^/x{255}/\n^/a{900}\n(/[^/]+)+/\n"
		      "(^/home/|^/srv/)\n^/h(o|ome)?$\n") == 0,
	   "ordinary patterns with intervals and classes pass");
	cage_basehome_free(&b);
}

static void test_bh_errors(void)
{
	bh_bad("^/home/(\n", "base.home.dirs:1: invalid regular expression '^/home/(': ");
	bh_bad("^/a/\n[z-a]\n", "base.home.dirs:2: invalid regular expression '[z-a]': ");
	bh_bad("mount_basedir=2\n",
	       "base.home.dirs:1: invalid mount_basedir value '2' (expected 0 or 1)");
	bh_bad("mount_basedir=\n",
	       "base.home.dirs:1: invalid mount_basedir value '' (expected 0 or 1)");
	bh_bad("mount_basedir=11\n",
	       "base.home.dirs:1: invalid mount_basedir value '11' (expected 0 or 1)");
	bh_bad("mount_basedir\n", "base.home.dirs:1: expected 'mount_basedir=0' or "
				  "'mount_basedir=1', found 'mount_basedir'");
	bh_bad("mount_basedir: 1\n", "base.home.dirs:1: expected 'mount_basedir=0' or "
				     "'mount_basedir=1', found 'mount_basedir: 1'");
	bh_bad("^/var/www/vhosts/[^/]+\nmount_basedir=1\n",
	       "base.home.dirs:2: mount_basedir= must come before any regular expression "
	       "(at the top of the file)");
	bh_bad("mount_basedir=1\n# c\nmount_basedir=0\n",
	       "base.home.dirs:3: mount_basedir set twice, first at base.home.dirs:1");
	bh_bad_n(LIT("^/home/\n^/a\0\n"), "base.home.dirs:2: NUL byte in line (binary file?)");
	bh_bad("((a{99}){99}){99}\n", "base.home.dirs:1: regular expression '((a{99}){99}){99}' "
				      "refused: too complex (bounded repetitions expand too much)");
	bh_bad("((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)\n",
	       "base.home.dirs:1: regular expression '((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)"
	       "+)+)' refused: too complex");
	bh_bad("a{40000}\n", "base.home.dirs:1: regular expression 'a{40000}' refused: too complex");
	bh_bad("^/(a)\\1/\n", "base.home.dirs:1: regular expression '^/(a)\\1/' refused: "
			      "back-references are not supported");

	char *deep = repeat('(', 40);
	if (deep) {
		bh_bad(deep, "base.home.dirs:1: regular expression '((((((((((((((((((((((((((((("
			     "(((((((((((' refused: parentheses nested too deeply");
		free(deep);
	}
	char *big = repeat('a', 1 << 20);
	if (big) {
		bh_bad(big, "base.home.dirs:1: regular expression 'aaaa");
		ok(strstr(err.msg, "...' too long (1048576 bytes, at most 4096)") != NULL,
		   "  1 MiB regex: cut short");
		big[0] = '#';
		struct cage_basehome b = { 0 };
		ok(bh_str(&b, big) == 0 && b.n == 0, "1 MiB comment is fine");
		cage_basehome_free(&b);
		free(big);
	}
	/* fuzzer find: regcomp ran for over 10 s on this line */
	bh_bad("'b)1^mount_basedir++++++++\x8c++++++++++*+++++\n",
	       "base.home.dirs:1: regular expression ''b)1^mount_basedir++++++++\x8c++++++++++*+++++' "
	       "refused: two repetitions in a row (like 'x**' or 'a{2}{3}'; undefined in POSIX)");
	bh_bad("^/((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)/\n",
	       "base.home.dirs:1: regular expression '^/((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)/' "
	       "refused: too complex");
	/* A repetition of what can match "": glibc's closures blow up (fuzzer
	 * finds; "($x*)+" repeated 14 times took 5 s, "$\r" and 65 '*' 6 s). */
	static const char *const nullable[] = {
		"(a*)*", "($x*)+", "($)*", "(a|)+", "(\\bx*)*", "(a?){2}", "((a*))+", "(a|b*){3}",
		"(()x*)+",
	};
	for (size_t i = 0; i < sizeof(nullable) / sizeof(nullable[0]); i++) {
		char *text = NULL;
		if (asprintf(&text, "%s\n", nullable[i]) < 0)
			continue;
		struct cage_basehome nb = { 0 };
		ok(bh_str(&nb, text) < 0 && strstr(err.msg, "refused: a repetition of something "
							  "that can match the empty string"),
		   "refused: %s", nullable[i]);
		cage_basehome_free(&nb);
		free(text);
	}
	static const char *const twice[] = {
		"x**", "x*?", "x+*", "a{2}{3}", "(a)+{2}", "$\r*****************************************",
	};
	for (size_t i = 0; i < sizeof(twice) / sizeof(twice[0]); i++) {
		char *text = NULL;
		if (asprintf(&text, "%s\n", twice[i]) < 0)
			continue;
		struct cage_basehome nb = { 0 };
		ok(bh_str(&nb, text) < 0 && strstr(err.msg, "refused: two repetitions in a row"),
		   "refused: %s", twice[i]);
		cage_basehome_free(&nb);
		free(text);
	}
	/* glibc's closures grow steeply with anchors inside repetitions: 200
	 * copies of "(x\\b)*" took 2 s to compile. */
	char *anchors = NULL;
	for (int i = 0; i < 40; i++) {
		char *t = NULL;
		if (asprintf(&t, "%s(x\\b)*", anchors ? anchors : "^") < 0)
			break;
		free(anchors);
		anchors = t;
	}
	if (anchors) {
		struct cage_basehome ab = { 0 };
		ok(bh_str(&ab, anchors) < 0 && strstr(err.msg, "refused: too many anchors ('^', '$', "
							       "'\\b', ...) inside repetitions"),
		   "40 anchors in repetitions are refused: %s", err.msg);
		anchors[1 + 32 * 6] = '\0';
		ok(bh_str(&ab, anchors) == 0, "32 are fine: %s", err.msg);
		cage_basehome_free(&ab);
		free(anchors);
	}
	char *many = NULL;
	for (int i = 0; i < 12; i++) {
		char *t = NULL;
		if (asprintf(&t, "%s^/%d/.{900}\n", many ? many : "", i) < 0)
			break;
		free(many);
		many = t;
	}
	if (many)
		bh_bad(many, "base.home.dirs:9: too many or too complex regular expressions (more "
			     "than 8000 automaton nodes in the file)");
	free(many);
	/* Brackets may hold what would otherwise count: not "too complex". */
	struct cage_basehome b = { 0 };
	ok(bh_str(&b, "^/[{}()+]+/[]a]/[^]]/[[:alpha:]]/\n") == 0, "brackets are single atoms: %s",
	   err.msg);
	cage_basehome_free(&b);
}

/* resolve `home` with b, expecting base and mount */
static void resolves(const struct cage_basehome *b, const char *home, const char *want_base,
		     const char *want_mount, const char *why)
{
	char *base = NULL, *mount = NULL;
	cage_err_clear(&err);
	int r = cage_basehome_resolve(b, home, &base, &mount, &err);
	ok(r == 0, "%s: %s resolves %s", why, home, err.msg);
	if (r == 0) {
		is_str(base, want_base, "  base");
		is_str(mount, want_mount, "  mount");
	}
	free(base);
	free(mount);
}

static void refuses(const struct cage_basehome *b, const char *home, const char *want)
{
	char *base = (char *)1, *mount = (char *)1;
	cage_err_clear(&err);
	ok(cage_basehome_resolve(b, home, &base, &mount, &err) < 0 && !base && !mount,
	   "%s is refused", home ? home : "NULL");
	is_str(err.msg, want, "  message");
}

static void test_resolve(void)
{
	struct cage_basehome none = { 0 }, b1 = { 0 }, b2 = { 0 }, b = { 0 };
	/* (a) no file */
	resolves(&none, "/home/alice", "/home", "/home/alice", "no file");
	resolves(&none, "/home2/bob", "/home2", "/home2/bob", "no file");
	resolves(NULL, "/home/alice/data", "/home/alice", "/home/alice/data", "NULL config");
	ok(bh_str(&b1, manual_bh1) == 0 && bh_str(&b2, manual_bh2) == 0, "manual examples");
	/* (b), (c) */
	resolves(&b1, "/home/alice/data", "/home", "/home/alice", "^/home/");
	resolves(&b1, "/home/alice", "/home", "/home/alice", "^/home/");
	resolves(&b1, "/var/www/users/carol", "/var/www/users", "/var/www/users/carol",
		 "^/var/www/users/");
	resolves(&b1, "/var/www/users/carol/public_html", "/var/www/users", "/var/www/users/carol",
		 "^/var/www/users/");
	/* (d) mount_basedir */
	resolves(&b2, "/var/www/vhosts/sitename.com/web_users/user1", "/var/www/vhosts",
		 "/var/www/vhosts/sitename.com", "mount_basedir user1");
	resolves(&b2, "/var/www/vhosts/sitename.com/web_users/user2", "/var/www/vhosts",
		 "/var/www/vhosts/sitename.com", "mount_basedir user2");
	resolves(&b2, "/var/www/vhosts/sitename.com", "/var/www/vhosts",
		 "/var/www/vhosts/sitename.com", "mount_basedir site admin");
	/* (e) no match: the no-file rule */
	resolves(&b1, "/srv/www/dave", "/srv/www", "/srv/www/dave", "no match");
	resolves(&b2, "/home/alice", "/home", "/home/alice", "mount_basedir, no match");
	/* (f) a match that does not start at offset 0 is no match */
	ok(bh_str(&b, "/home/\nhome/\n") == 0, "unanchored patterns");
	resolves(&b, "/srv/home/eve/x", "/srv/home/eve", "/srv/home/eve/x", "match not at 0");
	resolves(&b, "/home/eve/x", "/home", "/home/eve", "unanchored but at 0");
	cage_basehome_free(&b);
	/* a match must end at a component boundary */
	ok(bh_str(&b, "^/home\n") == 0, "^/home");
	resolves(&b, "/home2/bob", "/home2", "/home2/bob", "^/home does not split /home2");
	resolves(&b, "/home/bob/x", "/home", "/home/bob", "^/home without the slash");
	cage_basehome_free(&b);
	/* the first deciding pattern wins; one that would leave no next
	 * component (the home would be its own base) does not decide */
	ok(bh_str(&b, "^/var/www/users/[^/]+\n^/home/a/\n^/home/\n") == 0, "ordered patterns");
	resolves(&b, "/home/a/b/c", "/home/a", "/home/a/b", "first match decides");
	resolves(&b, "/home/b/c", "/home", "/home/b", "second match decides");
	resolves(&b, "/var/www/users/carol", "/var/www/users", "/var/www/users/carol",
		 "match covering the whole home falls back");
	resolves(&b, "/var/www/users/carol/x", "/var/www/users/carol", "/var/www/users/carol/x",
		 "match leaving one component");
	cage_basehome_free(&b);
	/* (g) base "/" */
	ok(bh_str(&b, "^/\n") == 0, "^/");
	refuses(&b, "/alice", "home directory /alice cannot be caged: its base would be /");
	refuses(&b, "/alice/x", "home directory /alice/x cannot be caged: its base would be /");
	cage_basehome_free(&b);
	ok(bh_str(&b, "mount_basedir=1\n^/[^/]+\n") == 0, "mount_basedir with a top directory");
	refuses(&b, "/srv/site/u1", "home directory /srv/site/u1 cannot be caged: its base would be /");
	cage_basehome_free(&b);
	ok(bh_str(&b, "mount_basedir=1\n^/\n") == 0, "mount_basedir with ^/");
	refuses(&b, "/srv/x", "home directory /srv/x cannot be caged: its base would be /");
	cage_basehome_free(&b);
	refuses(&none, "/alice", "home directory /alice cannot be caged: its base would be /");
	refuses(&b1, "/", "home directory / cannot be caged: it is the root directory");
	refuses(&none, "home/alice", "home directory home/alice is not an absolute path");
	refuses(&none, "", "home directory  is not an absolute path");
	refuses(&none, NULL, "home directory (none) is not an absolute path");
	refuses(&none, "/home/alice/",
		"home directory /home/alice/ is not normalized (expected /home/alice)");
	refuses(&none, "/home//alice",
		"home directory /home//alice is not normalized (expected /home/alice)");
	refuses(&none, "/home/../alice",
		"home directory /home/../alice is not normalized (expected /alice)");
	char *long_home = repeat('h', PATH_MAX);
	if (long_home) {
		long_home[0] = '/';
		char *base = NULL, *mount = NULL;
		ok(cage_basehome_resolve(&b1, long_home, &base, &mount, &err) < 0 &&
			   strstr(err.msg, "is too long"),
		   "PATH_MAX home is refused");
		free(long_home);
	}
	cage_basehome_free(&b1);
	cage_basehome_free(&b2);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_mp_manual();
	test_mp_default();
	test_mp_syntax();
	test_mp_errors();
	test_mp_nul_len();
	test_mp_long();
	test_mp_append();
	test_virt_plesk();
	test_virt_format();
	test_virt_errors();
	test_bh_parse();
	test_bh_errors();
	test_resolve();
	test_load();
	cage_err_t e = { 0 };
	if (cage_rm_rf_at(AT_FDCWD, tmpdir, &e) < 0)
		printf("# cleanup: %s\n", e.msg);
	return done_testing();
}
