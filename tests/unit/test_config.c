/* Unit tests for the configuration parsers: conf.d .cfg files and black
 * lists (bundles/skeleton/confd.c, blacklist.c) and cagefs.ini
 * (runtime/core/ini.c).  No root needed; the
 * conf.d tests work in a mkdtemp directory. */
#define _GNU_SOURCE
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/config.h"
#include "cagefs/ini.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

/* The two example files of the manual ("File System Templates"), verbatim. */
static const char openssh_cfg[] =
	"[openssh-clients]\n"
	"\n"
	"comment=OpenSSH Clients\n"
	"\n"
	"paths=/etc/ssh/ssh_config, /bin/hostname, /usr/bin/scp, /usr/bin/sftp, /usr/bin/slogin, "
	"/usr/bin/ssh, /usr/bin/ssh-add, /usr/bin/ssh-agent, /usr/bin/ssh-copy-id, /usr/bin/.ssh.hmac, "
	"/usr/bin/ssh-keyscan, /usr/libexec/openssh/sftp-server, /etc/environment, "
	"/etc/security/pam_env.conf\n"
	"\n"
	"devices=/dev/ptmx\n";

static const char mail_cfg[] =
	"[mail]\n"
	"\n"
	"comment=Mail tools\n"
	"\n"
	"paths=/bin/mail, /etc/aliases.db, /etc/mail, /etc/mailcap, /etc/mail.rc, /etc/mime.types, "
	"/etc/pam.d/smtp.sendmail, /etc/rc.d/init.d/sendmail, /etc/smrsh, /etc/sysconfig/sendmail, "
	"/usr/bin/hoststat, /usr/bin/Mail, /usr/bin/mailq.sendmail, /usr/bin/makemap, "
	"/usr/bin/newaliases.sendmail, /usr/bin/purgestat, /usr/bin/rmail.sendmail, "
	"/usr/lib64/sasl2/Sendmail.conf, /usr/lib/mail.help, /usr/lib/mail.tildehelp, "
	"/usr/lib/sendmail.sendmail, /usr/sbin/mailstats, /usr/sbin/makemap, /usr/sbin/praliases, "
	"/usr/sbin/sendmail.sendmail, /usr/sbin/smrsh, /var/log/mail, /var/spool/clientmqueue, "
	"/var/spool/mqueue\n"
	"\n"
	"users=smmsp\n"
	"\n"
	"groups=smmsp\n";

static int cfg_str(struct cage_cfg *cfg, const char *file, const char *text, cage_err_t *err)
{
	return cage_cfg_parse_buf(cfg, file, text, strlen(text), err);
}

__attribute__((format(printf, 1, 2)))
static char *xprintf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = cage_path_join(dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(path);
}

static int warnings;
static void count_warning(int prio, const char *msg, void *data)
{
	(void)data;
	if (prio == LOG_WARNING)
		warnings++;
	printf("# log: %s\n", msg);
}

/* ---- conf.d .cfg ---- */

static void test_cfg_manual_examples(void)
{
	struct cage_cfg cfg = { 0 };
	cage_err_t err = { 0 };
	is_int(cfg_str(&cfg, "openssh-clients.cfg", openssh_cfg, &err), 0, "manual openssh-clients.cfg parses");
	is_int(cfg_str(&cfg, "mail.cfg", mail_cfg, &err), 0, "manual mail.cfg parses: %s", err.msg);
	if (!is_int(cfg.n, 2, "two sections"))
		return;
	const struct cage_cfg_section *o = &cfg.sections[0], *m = &cfg.sections[1];
	is_str(o->name, "openssh-clients", "section name");
	is_str(o->comment, "OpenSSH Clients", "comment");
	is_int(o->paths.n, 14, "14 paths");
	is_str(o->paths.v[0], "/etc/ssh/ssh_config", "first path");
	is_str(o->paths.v[9], "/usr/bin/.ssh.hmac", "hidden file path kept");
	is_str(o->paths.v[13], "/etc/security/pam_env.conf", "last path");
	ok(o->paths.v[14] == NULL, "paths NULL-terminated");
	is_int(o->devices.n, 1, "one device");
	is_str(o->devices.v[0], "/dev/ptmx", "device");
	is_int(o->users.n + o->groups.n, 0, "no users or groups");
	is_str(o->file, "openssh-clients.cfg", "file recorded");
	is_int(o->line, 1, "header line recorded");
	is_str(m->name, "mail", "mail section");
	is_str(m->comment, "Mail tools", "mail comment");
	is_int(m->paths.n, 29, "29 paths");
	is_str(m->paths.v[28], "/var/spool/mqueue", "last mail path");
	is_int(m->devices.n, 0, "no devices");
	ok(m->users.n == 1 && !strcmp(m->users.v[0], "smmsp"), "users=smmsp");
	ok(m->groups.n == 1 && !strcmp(m->groups.v[0], "smmsp"), "groups=smmsp");
	cage_cfg_free(&cfg);
	ok(cfg.n == 0 && cfg.sections == NULL, "cage_cfg_free resets");
	cage_cfg_free(&cfg); /* twice is harmless */
}

static void test_cfg_syntax(void)
{
	struct cage_cfg cfg = { 0 };
	cage_err_t err = { 0 };
	const char *text = "\xEF\xBB\xBF# leading BOM, CRLF, blanks\r\n"
			   "  ; indented comment\r\n"
			   " [ tools ] \r\n"
			   "\tpaths =  /usr//bin/./x ,/opt/a/../b,, /c/ ,\r\n"
			   "paths=/d\r\n"
			   "comment = first\r\n"
			   "comment=  second one  \r\n"
			   "users = www-data , host$,_a.b\r\n"
			   "groups=G1\r\n"
			   "devices=/dev/null, /dev//pts/\r\n";
	is_int(cfg_str(&cfg, "t.cfg", text, &err), 0, "BOM, CRLF, whitespace tolerated: %s", err.msg);
	if (!is_int(cfg.n, 1, "one section"))
		return;
	const struct cage_cfg_section *s = &cfg.sections[0];
	is_str(s->name, "tools", "section name trimmed");
	is_int(s->line, 3, "header on line 3");
	is_int(s->paths.n, 4, "repeated paths= accumulate, empty items skipped");
	is_str(s->paths.v[0], "/usr/bin/x", "path normalized");
	is_str(s->paths.v[1], "/opt/b", "'..' resolved lexically");
	is_str(s->paths.v[2], "/c", "trailing slash dropped");
	is_str(s->paths.v[3], "/d", "second paths= line");
	is_str(s->comment, "second one", "later comment= replaces, trimmed");
	ok(s->users.n == 3 && !strcmp(s->users.v[0], "www-data") && !strcmp(s->users.v[1], "host$") &&
		   !strcmp(s->users.v[2], "_a.b"),
	   "user names trimmed");
	is_str(s->devices.v[1], "/dev/pts", "device normalized");
	cage_cfg_free(&cfg);

	is_int(cfg_str(&cfg, "t.cfg", "", &err), 0, "empty file is fine");
	is_int(cfg_str(&cfg, "t.cfg", "# only\n\n;comments\n", &err), 0, "comment-only file is fine");
	is_int(cfg.n, 0, "and has no sections");
	is_int(cfg_str(&cfg, "t.cfg", "[u]\nusers=a\n[g]\ngroups=b\n[d]\ndevices=/dev/tty\n", &err), 0,
	       "sections without paths= but with users/groups/devices");
	is_int(cfg.n, 3, "three sections");
	is_int(cfg_str(&cfg, "t.cfg", "[n]\npaths=/a", &err), 0, "no newline at end of file");
	cage_cfg_free(&cfg);
}

struct bad_case {
	const char *what, *text, *want;
};

static const struct bad_case cfg_bad[] = {
	{ "missing ']'", "[x\npaths=/a\n", "t.cfg:1: missing ']' in section header '[x'" },
	{ "text after ']'", "[x] y\npaths=/a\n", "t.cfg:1: unexpected text 'y' after ']'" },
	{ "comment after ']'", "[x] # c\npaths=/a\n", "t.cfg:1: unexpected text '# c' after ']'" },
	{ "empty section name", "[ \t]\npaths=/a\n", "t.cfg:1: empty section name" },
	{ "key before any section", "# c\npaths=/a\n[x]\n", "t.cfg:2: key 'paths' before any [section] header" },
	{ "unknown key", "[x]\npaths=/a\npatsh=/b\n",
	  "t.cfg:3: unknown key 'patsh' (expected comment, paths, devices, users, groups)" },
	{ "keys are case sensitive", "[x]\nPaths=/a\n",
	  "t.cfg:2: unknown key 'Paths' (expected comment, paths, devices, users, groups)" },
	{ "line without '='", "[x]\npaths /a\n", "t.cfg:2: expected key=value or [section], found 'paths /a'" },
	{ "empty key", "[x]\n = /a\n", "t.cfg:2: missing key before '='" },
	{ "empty paths=", "[x]\npaths=\n", "t.cfg:2: empty paths list" },
	{ "paths= only commas", "[x]\r\npaths= , ,, \r\n", "t.cfg:2: empty paths list" },
	{ "empty devices=", "[x]\npaths=/a\ndevices=,\n", "t.cfg:3: empty devices list" },
	{ "empty users=", "[x]\npaths=/a\nusers=\n", "t.cfg:3: empty users list" },
	{ "section with only a comment", "[x]\ncomment=c\n[y]\npaths=/a\n",
	  "t.cfg:1: section [x] has no paths, devices, users or groups" },
	{ "empty last section", "[y]\npaths=/a\n\n[x]\n\n",
	  "t.cfg:4: section [x] has no paths, devices, users or groups" },
	{ "relative path", "[x]\npaths=/a, usr/bin\n",
	  "t.cfg:2: relative path 'usr/bin' (paths must start with '/')" },
	{ "./ path", "[x]\npaths=./a\n", "t.cfg:2: relative path './a' (paths must start with '/')" },
	{ "relative device", "[x]\ndevices=null\n",
	  "t.cfg:2: relative path 'null' (paths must start with '/')" },
	{ "device outside /dev", "[x]\ndevices=/etc/passwd\n", "t.cfg:2: device '/etc/passwd' is not under /dev/" },
	{ "device escaping /dev", "[x]\ndevices=/dev/../etc/shadow\n",
	  "t.cfg:2: device '/dev/../etc/shadow' is not under /dev/" },
	{ "/dev itself", "[x]\ndevices=/dev/\n", "t.cfg:2: device '/dev/' is not under /dev/" },
	{ "/devices", "[x]\ndevices=/devices/x\n", "t.cfg:2: device '/devices/x' is not under /dev/" },
	{ "duplicate section", "[x]\npaths=/a\n\n[x]\npaths=/b\n",
	  "t.cfg:4: duplicate section [x], first defined at t.cfg:1" },
};

static const char *bad_names[] = {
	"-a", "a b", "a$b", "$", ".", "..", "..$", "a:b", "a/b", "caf\xc3\xa9", "a*",
	"abcdefghijklmnopqrstuvwxyz0123456", /* 33 */
	"abcdefghijklmnopqrstuvwxyz012345$", /* 33 with $ */
};
static const char *good_names[] = {
	"a", "A", "0", "_", ".a", "a-", "a.b-c_d", "host$", "abcdefghijklmnopqrstuvwxyz012345",
	"abcdefghijklmnopqrstuvwxyz01234$",
};

static void test_cfg_errors(void)
{
	struct cage_cfg cfg = { 0 };
	cage_err_t err;
	for (size_t i = 0; i < sizeof(cfg_bad) / sizeof(cfg_bad[0]); i++) {
		err.msg[0] = '\0';
		ok(cfg_str(&cfg, "t.cfg", cfg_bad[i].text, &err) < 0 && cfg.n == 0,
		   "error: %s (nothing kept)", cfg_bad[i].what);
		is_str(err.msg, cfg_bad[i].want, "message: %s", cfg_bad[i].what);
	}
	char text[128], want[256];
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		snprintf(text, sizeof(text), "[x]\npaths=/a\n%s=ok, %s\n", i % 2 ? "users" : "groups",
			 bad_names[i]);
		snprintf(want, sizeof(want), "t.cfg:3: invalid %s name '%s' (", i % 2 ? "user" : "group",
			 bad_names[i]);
		ok(cfg_str(&cfg, "t.cfg", text, &err) < 0 && !strncmp(err.msg, want, strlen(want)),
		   "bad name '%s' rejected: %s", bad_names[i], err.msg);
	}
	for (size_t i = 0; i < sizeof(good_names) / sizeof(good_names[0]); i++) {
		snprintf(text, sizeof(text), "[x%zu]\nusers=%s\ngroups=%s\n", i, good_names[i], good_names[i]);
		ok(cfg_str(&cfg, "t.cfg", text, &err) == 0, "good name '%s' accepted", good_names[i]);
	}
	cage_cfg_free(&cfg);
	is_int(cfg_str(&cfg, "t.cfg", "[x\n", NULL), -1, "err may be NULL");
}

static void test_cfg_nul(void)
{
	struct cage_cfg cfg = { 0 };
	cage_err_t err = { 0 };
	static const char text[] = "[x]\npaths=/a\n# c\0mment\n";
	ok(cage_cfg_parse_buf(&cfg, "t.cfg", text, sizeof(text) - 1, &err) < 0, "NUL byte rejected");
	is_str(err.msg, "t.cfg:3: NUL byte in line (binary file?)", "NUL reported on its line");
	static const char text2[] = "\0";
	ok(cage_cfg_parse_buf(&cfg, "t.cfg", text2, 1, &err) < 0 && !strncmp(err.msg, "t.cfg:1: ", 9),
	   "lone NUL: line 1");
	is_int(cage_cfg_parse_buf(&cfg, "t.cfg", NULL, 0, &err), 0, "NULL buffer of length 0");
	ok(cage_cfg_parse_buf(&cfg, "t.cfg", "\xEF\xBB\xBF[x]\n\xEF\xBB\xBFpaths=/a\n", 21, &err) < 0 &&
		   !strncmp(err.msg, "t.cfg:2: unknown key", 20),
	   "a BOM is only skipped at the start of the file");
	cage_cfg_free(&cfg);
}

static void test_cfg_long_lines(void)
{
	struct cage_cfg cfg = { 0 };
	cage_err_t err = { 0 };
	const size_t mib = 1 << 20;
	char *big = repeat('a', mib), *text = NULL;

	text = xprintf("#%s\n[x]\npaths=/a\n", big);
	is_int(cfg_str(&cfg, "t.cfg", text, &err), 0, "1 MiB comment line");
	is_int(cfg.n ? cfg.sections[0].line : 0, 2, "line numbers after it");
	free(text);
	cage_cfg_free(&cfg);

	text = xprintf("[x]\npaths=/%s\n", big);
	ok(cfg_str(&cfg, "t.cfg", text, &err) < 0, "1 MiB path rejected");
	ok(!strncmp(err.msg, "t.cfg:2: path '/aaaa", 19) && strstr(err.msg, "...' too long (1048577 bytes"),
	   "with file:line and a short quote: %s", err.msg);
	free(text);

	text = xprintf("[x]\n%s\n", big);
	ok(cfg_str(&cfg, "t.cfg", text, &err) < 0 && !strncmp(err.msg, "t.cfg:2: expected key=value", 27) &&
		   strlen(err.msg) < 200,
	   "1 MiB line without '=': short message");
	free(text);

	text = xprintf("[%s]\nusers=a\n", big);
	is_int(cfg_str(&cfg, "t.cfg", text, &err), 0, "1 MiB section name is just a name");
	ok(cfg_str(&cfg, "u.cfg", text, &err) < 0 && strstr(err.msg, "...], first defined at t.cfg:1"),
	   "its duplicate still names both places");
	free(text);
	cage_cfg_free(&cfg);

	char *p4095 = repeat('b', PATH_MAX - 1);
	p4095[0] = '/';
	text = xprintf("[x]\npaths=%s\n", p4095);
	is_int(cfg_str(&cfg, "t.cfg", text, &err), 0, "path of PATH_MAX-1 bytes accepted");
	free(text);
	text = xprintf("[y]\npaths=%sb\n", p4095);
	ok(cfg_str(&cfg, "t.cfg", text, &err) < 0 && strstr(err.msg, "too long (4096 bytes, at most 4095)"),
	   "path of PATH_MAX bytes rejected");
	free(text);
	free(p4095);
	cage_cfg_free(&cfg);

	/* 1 MiB of short paths on one line */
	size_t n = mib / 3;
	text = malloc(16 + n * 3);
	char *w = stpcpy(text, "[x]\npaths=");
	for (size_t i = 0; i < n; i++)
		w = stpcpy(w, "/a,");
	*w = '\0';
	is_int(cfg_str(&cfg, "t.cfg", text, &err), 0, "1 MiB list of paths");
	is_int(cfg.n ? cfg.sections[0].paths.n : 0, n, "all of them kept");
	free(text);
	cage_cfg_free(&cfg);
	free(big);
}

static void test_cfg_across_files(void)
{
	struct cage_cfg cfg = { 0 };
	cage_err_t err = { 0 };
	cfg_str(&cfg, "/etc/cagefs/conf.d/a.cfg", "# a\n\n[x]\npaths=/a\n", &err);
	ok(cfg_str(&cfg, "/etc/cagefs/conf.d/b.cfg", "[y]\npaths=/b\n[x]\npaths=/c\n", &err) < 0,
	   "duplicate across files");
	is_str(err.msg,
	       "/etc/cagefs/conf.d/b.cfg:3: duplicate section [x], first defined at "
	       "/etc/cagefs/conf.d/a.cfg:3",
	       "both locations reported");
	ok(cfg.n == 1 && !strcmp(cfg.sections[0].name, "x"), "failed file left nothing behind");
	is_int(cfg_str(&cfg, "c.cfg", "[X]\npaths=/b\n", &err), 0, "section names are case sensitive");
	cage_cfg_free(&cfg);
}

static void test_cfg_load_dir(void)
{
	char dir[] = "/tmp/test_config.XXXXXX";
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	char *path = NULL;
	write_file(dir, "20-mail.cfg", mail_cfg);
	write_file(dir, "10-openssh.cfg", openssh_cfg);
	write_file(dir, ".hidden.cfg", mail_cfg); /* would be a duplicate */
	write_file(dir, "README", "not a cfg file [");
	write_file(dir, "mail.cfg.rpmsave", "[junk");
	write_file(dir, "target", "[linked]\ngroups=g\n");
	path = xprintf("%s/sub.cfg", dir);
	ok(mkdir(path, 0755) == 0, "mkdir sub.cfg");
	free(path);
	path = xprintf("%s/fifo.cfg", dir);
	ok(mkfifo(path, 0600) == 0, "mkfifo fifo.cfg (must be skipped without blocking)");
	free(path);
	path = xprintf("%s/link.cfg", dir);
	ok(symlink("target", path) == 0, "symlink link.cfg");
	free(path);
	path = xprintf("%s/dangling.cfg", dir);
	ok(symlink("nowhere", path) == 0, "symlink dangling.cfg");
	free(path);

	cage_log_set_callback(count_warning, NULL);
	struct cage_cfg cfg = { 0 };
	cage_err_t err = { 0 };
	is_int(cage_cfg_load_dir(&cfg, dir, &err), 0, "load_dir: %s", err.msg);
	is_int(warnings, 4, "warned about hidden, directory, fifo and dangling symlink");
	if (is_int(cfg.n, 3, "three sections")) {
		is_str(cfg.sections[0].name, "openssh-clients", "10-openssh.cfg first");
		is_str(cfg.sections[1].name, "mail", "20-mail.cfg second");
		is_str(cfg.sections[2].name, "linked", "symlinked file followed");
		path = xprintf("%s/20-mail.cfg", dir);
		is_str(cfg.sections[1].file, path, "file is the full path");
		free(path);
	}
	ok(cage_cfg_load_dir(&cfg, dir, &err) < 0 && cfg.n == 3, "loading twice: duplicates");

	cage_cfg_free(&cfg);
	write_file(dir, "30-bad.cfg", "[bad]\npaths=/a\nusers=-x\n");
	ok(cage_cfg_load_dir(&cfg, dir, &err) < 0, "error in one file fails the load");
	path = xprintf("%s/30-bad.cfg:3: invalid user name '-x'", dir);
	ok(!strncmp(err.msg, path, strlen(path)), "reported with path:line: %s", err.msg);
	free(path);
	is_int(cfg.n, 0, "and nothing is kept");

	path = xprintf("%s/30-bad.cfg", dir);
	write_file(dir, "30-bad.cfg", "[mail]\ngroups=x\n");
	ok(cage_cfg_load_dir(&cfg, dir, &err) < 0 && strstr(err.msg, "30-bad.cfg:1: duplicate section [mail], first defined at ") &&
		   strstr(err.msg, "/20-mail.cfg:1"),
	   "duplicate across conf.d files: %s", err.msg);
	int fd = open(path, O_WRONLY | O_TRUNC);
	ok(fd >= 0 && ftruncate(fd, 17 << 20) == 0, "sparse 17 MiB file");
	close(fd);
	ok(cage_cfg_load_dir(&cfg, dir, &err) < 0 && strstr(err.msg, "30-bad.cfg") &&
		   err.errnum == EFBIG,
	   "file over 16 MiB refused: %s", err.msg);
	ok(cage_cfg_parse_file(&cfg, path, &err) < 0 && err.errnum == EFBIG, "parse_file caps size too");
	unlink(path);
	free(path);

	ok(cage_cfg_parse_file(&cfg, "/nonexistent/x.cfg", &err) < 0 && err.errnum == ENOENT,
	   "parse_file: missing file");
	ok(cage_cfg_load_dir(&cfg, "/nonexistent/conf.d", &err) < 0 &&
		   strstr(err.msg, "cannot open directory /nonexistent/conf.d"),
	   "missing conf.d is an error");
	cage_cfg_free(&cfg);
	cage_log_set_stderr("test_config");

	char *cmd = NULL;
	cmd = xprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
}

/* ---- black lists ---- */

static const char black_list[] = "# comment\n"
				 "\n"
				 "/etc/ssh\n"
				 "  /var/lib/mysql/  \r\n"
				 "/root\n"
				 "/home/*/.ssh\n"
				 "/etc/*.key\n"
				 "/tmp/[ab]?c\n"
				 "/opt//x/./y/../z\n";

static const struct {
	const char *path;
	bool excluded;
} bl_cases[] = {
	{ "/etc/ssh", true },		 { "/etc/ssh/", true },		{ "/etc/ssh/ssh_config", true },
	{ "/etc/ssh/a/b/c", true },	 { "/etc/sshd_config", false }, { "/etc/ss", false },
	{ "/etc", false },		 { "/", false },		{ "/var/lib/mysql", true },
	{ "/var/lib/mysql/db/t.frm", true }, { "/var/lib/mysqld", false }, { "/var/lib", false },
	{ "/root", true },		 { "/rootfs", false },		{ "/root/.bashrc", true },
	{ "/home/u/.ssh", true },	 { "/home/u/.ssh/id_rsa", true }, { "/home/u/x/.ssh", false },
	{ "/home/.ssh", false },	 { "/home/u/.sshx", false },	{ "/etc/a.key", true },
	{ "/etc/a.key/x", true },	 { "/etc/sub/a.key", false },	{ "/etc/a.keys", false },
	{ "/tmp/abc", true },		 { "/tmp/bxc", true },		{ "/tmp/cbc", false },
	{ "/tmp/abcd", false },		 { "/tmp/abc/d", true },	{ "/opt/x/z", true },
	{ "/opt/x/z/w", true },		 { "/opt/x", false },		{ "/opt/x/y/z", false },
	{ "/etc//ssh/./x", true },	 { "/etc/ssh/../passwd", false }, { "/etc/x/../ssh", true },
	{ "etc/ssh", false },		 { "", false },
};

static void test_blacklist_match(void)
{
	struct cage_blacklist bl = { 0 };
	cage_err_t err = { 0 };
	is_int(cage_blacklist_parse_buf(&bl, "black.list", black_list, strlen(black_list), &err), 0,
	       "black list parses: %s", err.msg);
	is_int(bl.prefixes.n, 4, "four plain entries");
	is_int(bl.globs.n, 3, "three globs");
	is_str(bl.prefixes.v[1], "/var/lib/mysql", "entry trimmed and normalized");
	is_str(bl.prefixes.v[3], "/opt/x/z", "entry normalized");
	for (size_t i = 0; i < sizeof(bl_cases) / sizeof(bl_cases[0]); i++)
		is_int(cage_blacklist_match(&bl, bl_cases[i].path), bl_cases[i].excluded, "%s '%s'",
		       bl_cases[i].excluded ? "excluded" : "not excluded", bl_cases[i].path);
	ok(!cage_blacklist_match(&bl, NULL), "NULL path not excluded");
	char *longp = malloc(3 * PATH_MAX);
	snprintf(longp, 3 * PATH_MAX, "/tmp/abc/%s", "y");
	memset(longp + 10, 'y', 2 * PATH_MAX);
	longp[10 + 2 * PATH_MAX] = '\0';
	ok(cage_blacklist_match(&bl, longp), "path longer than PATH_MAX still matched via ancestor");
	memcpy(longp, "/tmp/zzz/", 9);
	ok(!cage_blacklist_match(&bl, longp), "long unmatched path");
	free(longp);
	cage_blacklist_free(&bl);

	is_int(cage_blacklist_parse_buf(&bl, "b", "/\n", 2, &err), 0, "'/' entry");
	ok(cage_blacklist_match(&bl, "/anything/at/all") && cage_blacklist_match(&bl, "/"),
	   "'/' excludes everything");
	cage_blacklist_free(&bl);
}

static void test_blacklist_errors(void)
{
	struct cage_blacklist bl = { 0 };
	cage_err_t err = { 0 };
	const char *ok_text = "\xEF\xBB\xBF/etc/shadow\r\n";
	is_int(cage_blacklist_parse_buf(&bl, "black.list", ok_text, strlen(ok_text), &err), 0, "BOM + CRLF");
	is_str(bl.prefixes.n ? bl.prefixes.v[0] : "", "/etc/shadow", "entry read");
	const char *rel = "/ok\netc/x\n";
	ok(cage_blacklist_parse_buf(&bl, "custom.black.list", rel, strlen(rel), &err) < 0, "relative entry");
	is_str(err.msg, "custom.black.list:2: relative path 'etc/x' (entries must start with '/')",
	       "relative entry message");
	is_int(bl.prefixes.n, 1, "failed file adds nothing");
	const char *tilde = "~/x\n";
	ok(cage_blacklist_parse_buf(&bl, "l", tilde, 4, &err) < 0 && !strncmp(err.msg, "l:1: relative", 13),
	   "~ is relative too");
	static const char nul[] = "/a\n/b\n/c\0d\n";
	ok(cage_blacklist_parse_buf(&bl, "l", nul, sizeof(nul) - 1, &err) < 0, "NUL rejected");
	is_str(err.msg, "l:3: NUL byte in line (binary file?)", "NUL message");
	char *big = repeat('a', 1 << 20);
	big[0] = '/';
	ok(cage_blacklist_parse_buf(&bl, "l", big, 1 << 20, &err) < 0 && !strncmp(err.msg, "l:1: path '/aaa", 14) &&
		   strstr(err.msg, "too long"),
	   "1 MiB entry rejected: %.60s", err.msg);
	big[0] = '#';
	is_int(cage_blacklist_parse_buf(&bl, "l", big, 1 << 20, &err), 0, "1 MiB comment line");
	free(big);
	is_int(bl.prefixes.n + bl.globs.n, 1, "still one entry");
	cage_blacklist_free(&bl);
}

static void test_blacklist_load(void)
{
	struct cage_blacklist bl = { 0 };
	cage_err_t err = { 0 };
	is_int(cage_blacklist_load(&bl, "/nonexistent/black.list", &err), 0, "missing black list is fine");
	is_int(bl.prefixes.n + bl.globs.n, 0, "and empty");
	char dir[] = "/tmp/test_config_bl.XXXXXX";
	if (!mkdtemp(dir))
		return;
	write_file(dir, "black.list", "/etc/ssh\n");
	write_file(dir, "custom.black.list", "/home/*/secret\n");
	char *a = cage_path_join(dir, "black.list"), *b = cage_path_join(dir, "custom.black.list");
	ok(cage_blacklist_load(&bl, a, &err) == 0 && cage_blacklist_load(&bl, b, &err) == 0,
	   "both lists load");
	ok(cage_blacklist_match(&bl, "/etc/ssh/x") && cage_blacklist_match(&bl, "/home/u/secret"),
	   "entries of both lists apply");
	ok(cage_blacklist_load(&bl, dir, &err) < 0 && err.msg[0], "a directory is an error");
	unlink(a);
	unlink(b);
	rmdir(dir);
	free(a);
	free(b);
	cage_blacklist_free(&bl);
}

/* ---- cagefs.ini ---- */

static int ini_str(struct cage_ini *ini, const char *text, cage_err_t *err)
{
	return cage_ini_parse_buf(ini, "cagefs.ini", text, strlen(text), err);
}

static void test_ini_parse(void)
{
	struct cage_ini ini = { 0 };
	cage_err_t err = { 0 };
	is_int(ini_str(&ini, "tmpwatch_dirs=/dir1,/dir2\n", &err), 0, "manual example");
	is_str(cage_ini_get(&ini, "tmpwatch_dirs"), "/dir1,/dir2", "tmpwatch_dirs");
	is_str(ini.file, "cagefs.ini", "file recorded");
	ok(cage_ini_get(&ini, "nope") == NULL, "missing key -> NULL");
	cage_ini_free(&ini);

	const char *text = "\xEF\xBB\xBF# c\r\n"
			   "; c2\r\n"
			   " a = b = c \r\n"
			   "x=1\r\n"
			   "[php]\r\n"
			   "session = on\r\n"
			   "x=1\r\n"
			   "  x=2\r\n"
			   "[ other ]\r\n"
			   "k=\r\n";
	is_int(ini_str(&ini, text, &err), 0, "sections, comments, BOM, CRLF: %s", err.msg);
	is_int(ini.n, 5, "five keys");
	is_str(cage_ini_get(&ini, "a"), "b = c", "value keeps inner '=' and blanks, trimmed");
	is_str(cage_ini_get(&ini, "x"), "1", "top-level key");
	is_str(cage_ini_get(&ini, "php.session"), "on", "section.key");
	is_str(cage_ini_get(&ini, "php.x"), "2", "later key overrides");
	is_int(ini.n > 3 ? ini.e[3].line : 0, 8, "override records its line");
	is_str(cage_ini_get(&ini, "other.k"), "", "empty value, trimmed section name");
	is_int(ini_str(&ini, "a=again\nnew=1\n", &err), 0, "second buffer merges");
	ok(ini.n == 6 && !strcmp(ini.e[0].value, "again") && !strcmp(ini.e[5].key, "new"),
	   "override keeps position, new key appended");
	cage_ini_free(&ini);
	ok(ini.n == 0 && !ini.e && !ini.file, "cage_ini_free resets");
}

static const struct bad_case ini_bad[] = {
	{ "line without '='", "a=1\nnovalue\n", "cagefs.ini:2: expected key=value or [section], found 'novalue'" },
	{ "empty key", "=v\n", "cagefs.ini:1: missing key before '='" },
	{ "blank key", "  \t= v\n", "cagefs.ini:1: missing key before '='" },
	{ "missing ']'", "[sec\nk=v\n", "cagefs.ini:1: missing ']' in section header '[sec'" },
	{ "text after ']'", "[s] x\n", "cagefs.ini:1: unexpected text 'x' after ']'" },
	{ "empty section", "\n\n[]\n", "cagefs.ini:3: empty section name" },
};

static void test_ini_errors(void)
{
	struct cage_ini ini = { 0 };
	cage_err_t err = { 0 };
	ini_str(&ini, "a=1\n", &err);
	for (size_t i = 0; i < sizeof(ini_bad) / sizeof(ini_bad[0]); i++) {
		ok(cage_ini_parse_buf(&ini, "cagefs.ini", ini_bad[i].text, strlen(ini_bad[i].text), &err) < 0,
		   "error: %s", ini_bad[i].what);
		is_str(err.msg, ini_bad[i].want, "message: %s", ini_bad[i].what);
	}
	ok(ini_str(&ini, "a=2\nb=3\nbroken\n", &err) < 0, "error after valid keys");
	ok(ini.n == 1 && !strcmp(cage_ini_get(&ini, "a"), "1"), "ini unchanged by a failed parse");
	static const char nul[] = "a=1\nb=\0\n";
	ok(cage_ini_parse_buf(&ini, "i", nul, sizeof(nul) - 1, &err) < 0 &&
		   !strcmp(err.msg, "i:2: NUL byte in line (binary file?)"),
	   "NUL reported with line");
	char *big = repeat('k', 1 << 20);
	ok(ini_str(&ini, big, &err) < 0 && !strncmp(err.msg, "cagefs.ini:1: expected", 22) &&
		   strlen(err.msg) < 200,
	   "1 MiB line without '='");
	big[(1 << 20) - 2] = '=';
	is_int(ini_str(&ini, big, &err), 0, "1 MiB key");
	free(big);
	cage_ini_free(&ini);
}

static void test_ini_set_serialize(void)
{
	struct cage_ini ini = { 0 };
	cage_err_t err = { 0 };
	ini_str(&ini, "# lost\nb=2\n[s]\nk=v\n[t]\nz=9\n", &err);
	is_int(cage_ini_set(&ini, "s.new", "n"), 0, "set new sectioned key");
	is_int(cage_ini_set(&ini, "top", "t"), 0, "set new top-level key");
	is_int(cage_ini_set(&ini, "b", "3"), 0, "replace");
	is_str(cage_ini_get(&ini, "b"), "3", "replaced value");
	static const char *bad_keys[] = { "", "a=b", "#x", ";x", "[x", " x", "x ", "x\ny", "x\r" };
	for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		errno = 0;
		ok(cage_ini_set(&ini, bad_keys[i], "v") < 0 && errno == EINVAL, "key %zu refused", i);
	}
	errno = 0;
	ok(cage_ini_set(&ini, "k", "a\nb") < 0 && errno == EINVAL, "value with newline refused");
	ok(cage_ini_set(&ini, "k", " v") < 0 && errno == EINVAL, "value with leading blank refused");
	char *text = cage_ini_serialize(&ini);
	is_str(text, "b=3\ntop=t\n\n[s]\nk=v\nnew=n\n\n[t]\nz=9\n", "serialized, grouped by section");
	struct cage_ini again = { 0 };
	is_int(ini_str(&again, text, &err), 0, "serialized text parses");
	ok(again.n == ini.n && !strcmp(cage_ini_get(&again, "s.new"), "n") &&
		   !strcmp(cage_ini_get(&again, "top"), "t"),
	   "round trip");
	free(text);
	cage_ini_free(&again);
	cage_ini_free(&ini);

	ini_str(&ini, "[a.b=c]\nk=v\n[ x ]\ny.z=1\n.dot=2\n[x.]\n.=3\n", &err);
	text = cage_ini_serialize(&ini);
	is_str(text, "[a.b=c]\nk=v\n\n[x]\ny.z=1\n.dot=2\n..=3\n", "odd section names survive");
	ini_str(&again, text, &err);
	ok(again.n == 4 && !strcmp(cage_ini_get(&again, "a.b=c.k"), "v") &&
		   !strcmp(cage_ini_get(&again, "x.y.z"), "1") && !strcmp(cage_ini_get(&again, "x..dot"), "2") &&
		   !strcmp(cage_ini_get(&again, "x..."), "3"),
	   "and read back the same");
	free(text);
	cage_ini_free(&again);
	cage_ini_free(&ini);

	text = cage_ini_serialize(&ini);
	is_str(text, "", "empty ini serializes to nothing");
	free(text);
}

static void test_ini_load(void)
{
	struct cage_ini ini = { 0 };
	cage_err_t err = { 0 };
	is_int(cage_ini_load(&ini, "/nonexistent/cagefs.ini", &err), 0, "missing cagefs.ini is fine");
	ok(ini.n == 0 && ini.file && !strcmp(ini.file, "/nonexistent/cagefs.ini"), "empty, path kept");
	cage_ini_free(&ini);
	char dir[] = "/tmp/test_config_ini.XXXXXX";
	if (!mkdtemp(dir))
		return;
	write_file(dir, "cagefs.ini", "tmpwatch_dirs=/dir1\nbad line\n");
	char *path = cage_path_join(dir, "cagefs.ini");
	ok(cage_ini_load(&ini, path, &err) < 0 && strstr(err.msg, "/cagefs.ini:2: expected key=value"),
	   "load reports path:line: %s", err.msg);
	write_file(dir, "cagefs.ini", "tmpwatch_dirs=/dir1\n");
	ok(cage_ini_load(&ini, path, &err) == 0 && !strcmp(cage_ini_get(&ini, "tmpwatch_dirs"), "/dir1"),
	   "load");
	ok(cage_ini_load(&ini, dir, &err) < 0, "a directory is an error");
	unlink(path);
	rmdir(dir);
	free(path);
	cage_ini_free(&ini);
}

int main(void)
{
	cage_log_set_stderr("test_config");
	test_cfg_manual_examples();
	test_cfg_syntax();
	test_cfg_errors();
	test_cfg_nul();
	test_cfg_long_lines();
	test_cfg_across_files();
	test_cfg_load_dir();
	test_blacklist_match();
	test_blacklist_errors();
	test_blacklist_load();
	test_ini_parse();
	test_ini_errors();
	test_ini_set_serialize();
	test_ini_load();
	return done_testing();
}
