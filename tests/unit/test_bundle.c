/* Mount plans and per-user passwd/group, without root (issue 3). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/bundle.h"
#include "cagefs/mountcfg.h"
#include "tap.h"

static const struct cage_mount *find(const struct cage_mountplan *p, const char *dest)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->m[i].destination, dest))
			return &p->m[i];
	return NULL;
}

static int pos(const struct cage_mountplan *p, const char *dest)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->m[i].destination, dest))
			return (int)i;
	return -1;
}

static bool has_opt(const struct cage_mount *m, const char *o)
{
	return m && cage_strvec_contains(&m->options, o);
}

static bool has_prep(const struct cage_mountplan *p, enum cage_prep_kind k, const char *path)
{
	for (size_t i = 0; i < p->nprep; i++)
		if (p->prep[i].kind == k && !strcmp(p->prep[i].path, path))
			return true;
	return false;
}

static void plan_for(struct cage_mountplan *p, const char *user, const char *home, const char *real,
		     const char *mp_text, const char *virt_text, const char *bh_text)
{
	struct cage_mp mp = {0};
	struct cage_virtmp virt = {0};
	struct cage_basehome bh = {0};
	cage_err_t err = {0};
	if (mp_text)
		cage_mp_parse_buf(&mp, "cagefs.mp", mp_text, strlen(mp_text), &err);
	if (virt_text)
		cage_virtmp_parse_buf(&virt, "virt.mp", virt_text, strlen(virt_text), &err);
	if (bh_text)
		cage_basehome_parse_buf(&bh, "base", bh_text, strlen(bh_text), &err);
	struct cage_mountplan_input in = {
		.user = user, .home = home, .home_real = real, .bundle_dir = "/var/cagefs/01/u",
		.skeleton = "/skel", .mp = &mp, .virt = &virt, .bh = &bh,
	};
	int rc = cage_mountplan_build(&in, p, &err);
	if (rc < 0)
		printf("# %s\n", err.msg);
	cage_mp_free(&mp);
	cage_virtmp_free(&virt);
	cage_basehome_free(&bh);
}

static void test_basic(void)
{
	struct cage_mountplan p;
	plan_for(&p, "alice", "/home/alice", "/home/alice", NULL, NULL, NULL);
	is_str(p.m[0].destination, "/proc", "procfs first");
	ok(has_opt(&p.m[0], "hidepid=invisible"), "with hidepid=invisible");
	const struct cage_mount *etc = find(&p, "/etc");
	ok(etc && !strcmp(etc->type, "overlay") &&
	   has_opt(etc, "lowerdir=/var/cagefs/01/u/etc:/skel/etc"), "/etc: the user's etc over the skeleton's");
	const struct cage_mount *base = find(&p, "/home"), *home = find(&p, "/home/alice");
	ok(base && !strcmp(base->source, "/var/cagefs/01/u/home") && has_opt(base, "ro"),
	   "/home is the bundle's empty base directory, read-only");
	ok(home && !strcmp(home->source, "/home/alice") && has_opt(home, "nosuid") && has_opt(home, "nodev"),
	   "the home is bind-mounted nosuid,nodev at its real path");
	ok(pos(&p, "/home") < pos(&p, "/home/alice"), "base before home");
	ok(has_prep(&p, CAGE_PREP_BUNDLE_DIR, "home/alice"), "the mount point is made in the bundle");
	const struct cage_mount *tmp = find(&p, "/tmp");
	ok(tmp && !strcmp(tmp->source, "/home/alice/.cagefs/tmp"), "/tmp is ~/.cagefs/tmp");
	ok(find(&p, "/var/tmp") != NULL, "/var/tmp too");
	ok(has_prep(&p, CAGE_PREP_HOME_DIR, ".cagefs/tmp"), "~/.cagefs/tmp is prepared in the home");
	ok(find(&p, "/dev/pts") && has_opt(find(&p, "/dev/pts"), "newinstance"), "a new devpts instance");
	ok(cage_strvec_contains(&p.skel_dirs, "/home") && !cage_strvec_contains(&p.skel_dirs, "/home/alice"),
	   "skeleton mount points: /home, not /home/alice");
	bool all_nosuid = true;
	for (size_t i = 0; i < p.n; i++)
		all_nosuid &= has_opt(&p.m[i], "nosuid");
	ok(all_nosuid, "every mount is nosuid");
	cage_mountplan_free(&p);

	plan_for(&p, "bob", "/home2/bob", "/home2/bob", NULL, NULL, NULL);
	ok(find(&p, "/home2") && find(&p, "/home2/bob") && !find(&p, "/home"), "home under /home2: same path inside");
	cage_mountplan_free(&p);
}

static void test_symlinked_home(void)
{
	struct cage_mountplan p;
	plan_for(&p, "carol", "/home/carol", "/home2/carol", NULL, NULL, NULL);
	ok(find(&p, "/home2/carol") && find(&p, "/home2"), "the real home is mounted at its real path");
	ok(find(&p, "/home") && has_prep(&p, CAGE_PREP_BUNDLE_SYMLINK, "home/carol"),
	   "/home/carol -> /home2/carol replicated");
	for (size_t i = 0; i < p.nprep; i++)
		if (p.prep[i].kind == CAGE_PREP_BUNDLE_SYMLINK)
			is_str(p.prep[i].target, "/home2/carol", "symlink target");
	cage_mountplan_free(&p);
}

static void test_mp_forms(void)
{
	struct cage_mountplan p;
	plan_for(&p, "alice", "/home/alice", "/home/alice",
		 "/var/lib/mysql\n/proc\n/dev/pts\n@/var/spool/cron,700\n%/home/httpd/fcgi-bin\n", NULL, NULL);
	const struct cage_mount *shared = find(&p, "/var/lib/mysql");
	ok(shared && !strcmp(shared->source, "/var/lib/mysql"), "plain line: shared directory");
	int procs = 0;
	for (size_t i = 0; i < p.n; i++)
		procs += !strcmp(p.m[i].destination, "/proc");
	is_int(procs, 1, "/proc and /dev/pts lines do not double the cage's own");
	const struct cage_mount *cron = find(&p, "/var/spool/cron");
	ok(cron && !strcmp(cron->source, "/home/alice/.cagefs/var/spool/cron"), "@: per-user copy in ~/.cagefs");
	bool mode_ok = false;
	for (size_t i = 0; i < p.nprep; i++)
		if (!strcmp(p.prep[i].path, ".cagefs/var/spool/cron"))
			mode_ok = p.prep[i].mode == 0700;
	ok(mode_ok, "@ directory gets its mode");
	ok(has_prep(&p, CAGE_PREP_HOME_DIR, ".cagefs/var/spool"), "@ parents prepared one by one");
	const struct cage_mount *split = find(&p, "/home/httpd/fcgi-bin/alice");
	ok(find(&p, "/home/httpd/fcgi-bin") && split && !strcmp(split->source, "/home/httpd/fcgi-bin/alice"),
	   "%%: only the user's sub-directory");
	ok(pos(&p, "/home") < pos(&p, "/home/httpd/fcgi-bin"), "sorted: /home before /home/httpd/...");
	cage_mountplan_free(&p);
}

static void test_virt_and_basehome(void)
{
	struct cage_mountplan p;
	plan_for(&p, "cl1", "/var/www/vhosts/cl1.com", "/var/www/vhosts/cl1.com", NULL,
		 ">/var/www/vhosts/system,0755\n@cl1.com,0755\n@sub.cl1.com\n/srv/virt\n@a\n", NULL);
	ok(!find(&p, "/var/www/vhosts/system"), "'>' virtual dir is created, not mounted");
	ok(find(&p, "/var/www/vhosts/system/cl1.com") && find(&p, "/var/www/vhosts/system/sub.cl1.com"),
	   "its sub-directories are mounted");
	ok(find(&p, "/srv/virt") && find(&p, "/srv/virt/a"), "plain virtual dir mounted with its sub-dirs");
	ok(has_prep(&p, CAGE_PREP_BUNDLE_DIR, "var/www/vhosts/system/cl1.com"), "virt dirs made in the bundle");
	cage_mountplan_free(&p);

	plan_for(&p, "u1", "/var/www/users/u1/data", "/var/www/users/u1/data", NULL, NULL, "^/var/www/users/\n");
	ok(find(&p, "/var/www/users") && find(&p, "/var/www/users/u1"), "base home regex: base and user dir");
	cage_mountplan_free(&p);

	plan_for(&p, "w1", "/var/www/vhosts/site.com/web_users/w1", "/var/www/vhosts/site.com/web_users/w1",
		 NULL, NULL, "mount_basedir=1\n^/var/www/vhosts/[^/]+\n");
	const struct cage_mount *m = find(&p, "/var/www/vhosts/site.com");
	ok(m && !strcmp(m->source, "/var/www/vhosts/site.com") && find(&p, "/var/www/vhosts"),
	   "mount_basedir=1: the whole site directory");
	cage_mountplan_free(&p);
}

static char *write_fixture(const char *dir, const char *name, const char *text)
{
	char *f = NULL;
	if (asprintf(&f, "%s/%s", dir, name) < 0)
		return NULL;
	FILE *o = fopen(f, "w");
	fputs(text, o);
	fclose(o);
	return f;
}

static void test_etc(void)
{
	char dir[] = "/tmp/cagefs-unit.XXXXXX";
	if (!mkdtemp(dir))
		return;
	free(write_fixture(dir, "passwd",
			   "root:x:0:0:root:/root:/bin/bash\nsyslog:x:104:110::/home/syslog:/usr/sbin/nologin\n"
			   "alice:x:1501:1501:Alice:/home/alice:/bin/bash\nbob:x:1502:1502::/home/bob:/bin/sh\n"
			   "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"));
	free(write_fixture(dir, "group",
			   "root:x:0:\nadm:x:4:syslog,alice,bob\nalice:x:1501:\nbob:x:1502:\n"
			   "team:x:2500:alice,bob\nother:x:2600:bob\nnogroup:x:65534:\n"));
	setenv("CAGEFS_HOST_ETC", dir, 1);
	setenv("CAGEFS_ETC", dir, 1);
	setenv("CAGEFS_VAR", dir, 1);
	setenv("CAGEFS_SKELETON", dir, 1);
	struct cage_paths paths;
	cage_paths_default(&paths);
	cage_set_min_uid(&paths, 1000, NULL);
	struct cage_bundle_ctx *c = NULL;
	cage_err_t err = {0};
	ok(cage_bundle_ctx_new(&paths, &c, &err) == 0, "bundle context from fixture files %s", err.msg);
	if (!c)
		return;
	char name[] = "alice", gecos[] = "Alice", home[] = "/home/alice", shell[] = "/bin/bash";
	struct cage_user u = {.name = name, .uid = 1501, .gid = 1501, .gecos = gecos,
			      .home = home, .shell = shell};
	char *pw = NULL, *gr = NULL;
	ok(cage_bundle_etc_text(c, &u, &pw, &gr, &err) == 0, "etc text");
	is_str(pw, "root:x:0:0:root:/root:/bin/bash\nsyslog:x:104:110::/home/syslog:/usr/sbin/nologin\n"
		   "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
		   "alice:x:1501:1501:Alice:/home/alice:/bin/bash\n", "passwd: system accounts and alice");
	is_str(gr, "root:x:0:\nadm:x:4:syslog,alice\nalice:x:1501:\nteam:x:2500:alice\nnogroup:x:65534:\n",
	       "group: system groups and alice's, members filtered");
	ok(!strstr(pw, "bob") && !strstr(gr, "bob"), "no trace of bob");
	free(pw);
	free(gr);
	cage_bundle_ctx_free(c);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
}

int main(void)
{
	test_basic();
	test_symlinked_home();
	test_mp_forms();
	test_virt_and_basehome();
	test_etc();
	return done_testing();
}
