/* cagefsctl --reconfigure-cagefs (docs/ARCHITECTURE.md §4.21): which
 * socket directories of installed services caged scripts need, and
 * cagefs.mp made to list them.
 *
 * Why each directory is judged before it is added: a cagefs.mp line is a
 * mount in every cage, so a socket configured in /tmp or in someone's home
 * would, added blindly, show every user's files to every other user.  The
 * socket's directory is shared, never the socket file alone: services
 * remove and recreate the socket at each start, and a bind of the old
 * inode would go stale. */
#define _GNU_SOURCE
#include "cagefs/reconfigure.h"
#include "cagefs/cleanup.h"
#include "cagefs/mountcfg.h"
#include "cagefs/safefs.h"
#include "cagefs/users.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX ((size_t)4 << 20) /* far above any real service configuration */

/* Where each service keeps its configuration (Debian's layout). */
static const char *const conf_globs[CAGE_SVC_COUNT][4] = {
	[CAGE_SVC_MYSQL] = { "/etc/mysql/*.cnf", "/etc/mysql/*/*.cnf", "/etc/mysql/*/*/*.cnf" },
	[CAGE_SVC_POSTGRES] = { "/etc/postgresql/*/*/postgresql.conf" },
	[CAGE_SVC_PHPFPM] = { "/etc/php/*/fpm/pool.d/*.conf" },
	[CAGE_SVC_REDIS] = { "/etc/redis/*.conf" },
	[CAGE_SVC_MEMCACHED] = { "/etc/memcached*.conf" },
};

/* The MariaDB/MySQL server programs: /etc/mysql alone is no evidence of a
 * server (client libraries install it too), so the default socket is
 * assumed only where a server program is installed. */
static const char *const mysql_servers[] = { "/usr/sbin/mariadbd", "/usr/sbin/mysqld",
					     "/usr/libexec/mysqld" };

/* Defaults of the services when their configuration names no socket
 * (NULL: the service listens on TCP only unless told otherwise). */
static const char *const defaults[CAGE_SVC_COUNT] = {
	[CAGE_SVC_MYSQL] = "/run/mysqld/mysqld.sock",
	[CAGE_SVC_POSTGRES] = "/var/run/postgresql",
};

/* Directories that hold other users' files, or the whole runtime state of
 * the host: never shared into every cage, whatever asks for it. */
static const char *const refused[] = {
	"/", "/home", "/tmp", "/var/tmp", "/run", "/var/run", "/dev", "/dev/shm", "/run/shm",
	"/proc", "/sys", "/etc", "/usr", "/var", "/var/lib", "/root", "/boot", "/opt", "/srv",
	"/var/www", "/var/spool", "/var/lib/mysql", "/var/lib/postgresql",
};
/* ... nor anything below these (per-user runtime dirs, cagefs itself). */
static const char *const refused_trees[] = { "/run/user", "/etc/cagefs", "/var/cagefs",
					     "/run/cagefs", "/usr/share/cagefs-skeleton",
					     "/proc", "/sys", "/var/lib/mysql", "/var/lib/postgresql" };

/* ---- small path helpers ---- */

/* a == b, or b is below a. */
static bool path_within(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (strcmp(a, "/") == 0)
		return true;
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

static char *parent_dir(const char *path)
{
	char *d = strdup(path);
	char *slash = d ? strrchr(d, '/') : NULL;
	if (slash)
		slash == d ? (void)(d[1] = '\0') : (void)(*slash = '\0');
	return d;
}

/* The path with symlinks of its existing part resolved (/var/run/x ->
 * /run/x on Debian), so that two spellings of one directory compare equal.
 * The part that does not exist yet (a service not started) is appended. */
static char *canonical(const char *path)
{
	char *real = realpath(path, NULL);
	if (real || errno != ENOENT)
		return real ? real : strdup(path);
	_cleanup_free_ char *up = parent_dir(path);
	if (!up || strcmp(up, path) == 0)
		return strdup(path);
	_cleanup_free_ char *cup = canonical(up);
	return cup ? cage_path_join(cup, strrchr(path, '/') + 1) : NULL;
}

/* ---- the report ---- */

static struct cage_reconf_item *item_new(struct cage_reconf *r, const struct cage_svc_sock *s)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct cage_reconf_item *v = reallocarray(r->v, cap, sizeof(*v));
		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	struct cage_reconf_item *it = &r->v[r->n];
	*it = (struct cage_reconf_item){ .sock = { s->svc, strdup(s->path), strdup(s->source) } };
	it->dir = s->svc == CAGE_SVC_POSTGRES ? strdup(s->path) : parent_dir(s->path);
	if (!it->sock.path || !it->sock.source || !it->dir) {
		free(it->sock.path);
		free(it->sock.source);
		free(it->dir);
		return NULL;
	}
	r->n++;
	return it;
}

__attribute__((format(printf, 3, 4)))
static void decide(struct cage_reconf_item *it, enum cage_reconf_action a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	it->action = a;
	if (vasprintf(&it->why, fmt, ap) < 0)
		it->why = NULL;
	va_end(ap);
}

/* ---- scanning the services ---- */

static int read_one(enum cage_svc svc, const char *file, struct cage_svc_socks *out,
		    cage_strvec_t *problems, bool *configured)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	cage_err_t e = { 0 };
	if (cage_read_file(file, CONF_MAX, &buf, &len, &e) < 0) {
		char *msg = NULL;
		if (asprintf(&msg, "%s: cannot read: %s", file, e.msg) < 0)
			return -1;
		return cage_strvec_push_owned(problems, msg);
	}
	return cage_svc_parse(svc, file, buf, len, out, problems, configured);
}

/* The files of SVC, each once (Debian's my.cnf is a symlink to one of the
 * others), in a stable order. */
static int svc_files(enum cage_svc svc, cage_strvec_t *files)
{
	_cleanup_strvec_ cage_strvec_t seen = { 0 };
	for (size_t g = 0; conf_globs[svc][g]; g++) {
		glob_t gl = { 0 };
		if (glob(conf_globs[svc][g], 0, NULL, &gl) != 0)
			continue;
		int rc = 0;
		for (size_t i = 0; i < gl.gl_pathc && rc == 0; i++) {
			_cleanup_free_ char *real = realpath(gl.gl_pathv[i], NULL);
			struct stat st;
			if (!real || stat(real, &st) < 0 || !S_ISREG(st.st_mode) ||
			    cage_strvec_contains(&seen, real))
				continue;
			rc = cage_strvec_push(&seen, real) < 0 || cage_strvec_push(files, gl.gl_pathv[i]) < 0;
		}
		globfree(&gl);
		if (rc)
			return -1;
	}
	return 0;
}

static bool mysql_server_installed(void)
{
	for (size_t i = 0; i < sizeof(mysql_servers) / sizeof(*mysql_servers); i++)
		if (access(mysql_servers[i], X_OK) == 0)
			return true;
	return false;
}

/* The default socket of a service that is installed but names none.  A
 * PostgreSQL cluster's postgresql.conf, or a MariaDB/MySQL server program,
 * is the evidence that it is installed. */
static int add_default(enum cage_svc svc, const char *file, struct cage_svc_socks *out)
{
	char *src = NULL;
	if (asprintf(&src, "%s (default)", file) < 0)
		return -1;
	char *path = strdup(defaults[svc]);
	struct cage_svc_sock *v = path ? reallocarray(out->v, out->n + 1, sizeof(*v)) : NULL;
	if (!v) {
		free(src);
		free(path);
		return -1;
	}
	out->v = v;
	out->cap = out->n + 1;
	out->v[out->n++] = (struct cage_svc_sock){ svc, path, src };
	return 0;
}

static int scan_svc(enum cage_svc svc, struct cage_svc_socks *out, cage_strvec_t *problems)
{
	_cleanup_strvec_ cage_strvec_t files = { 0 };
	if (svc_files(svc, &files) < 0)
		return -1;
	bool any_configured = false;
	for (size_t i = 0; i < files.n; i++) {
		bool configured = false;
		size_t n0 = out->n;
		if (read_one(svc, files.v[i], out, problems, &configured) < 0)
			return -1;
		any_configured |= configured;
		/* Each PostgreSQL cluster has its own postgresql.conf and default. */
		if (svc == CAGE_SVC_POSTGRES && !configured && out->n == n0 &&
		    add_default(svc, files.v[i], out) < 0)
			return -1;
	}
	if (svc == CAGE_SVC_MYSQL && !any_configured && mysql_server_installed())
		return add_default(svc, files.n ? files.v[0] : mysql_servers[0], out);
	return 0;
}

/* ---- judging one directory ---- */

struct judge {
	const struct cage_mp *mp;
	char **mp_canon;        /* canonical path of each mp entry */
	cage_strvec_t homes;    /* canonical homes of the hosting accounts */
	cage_strvec_t owners;   /* their names, same order */
	cage_strvec_t added;    /* canonical directories added by this run */
};

static bool judge_refused(struct cage_reconf_item *it, const char *dir, const char *canon)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		if (strcmp(dir, refused[i]) == 0 || strcmp(canon, refused[i]) == 0) {
			decide(it, CAGE_RECONF_REFUSED, "%s holds files of other users or of the whole "
			       "host; configure the socket in a directory of its own (e.g. /run/%s)",
			       refused[i], cage_svc_name(it->sock.svc));
			return true;
		}
	for (size_t i = 0; i < sizeof(refused_trees) / sizeof(*refused_trees); i++)
		if (path_within(refused_trees[i], dir) || path_within(refused_trees[i], canon)) {
			decide(it, CAGE_RECONF_REFUSED, "%s is inside %s, which is never shared into "
			       "cages", dir, refused_trees[i]);
			return true;
		}
	return false;
}

static bool judge_homes(const struct judge *j, struct cage_reconf_item *it, const char *canon)
{
	for (size_t i = 0; i < j->homes.n; i++) {
		if (path_within(j->homes.v[i], canon)) {
			decide(it, CAGE_RECONF_PERUSER, "inside %s's home %s: a per-user socket, "
			       "which %s's cage shows already; not for cagefs.mp", j->owners.v[i],
			       j->homes.v[i], j->owners.v[i]);
			return true;
		}
		if (path_within(canon, j->homes.v[i])) {
			decide(it, CAGE_RECONF_REFUSED, "%s contains the home of %s (%s); sharing it "
			       "would expose users' files", it->dir, j->owners.v[i], j->homes.v[i]);
			return true;
		}
	}
	return false;
}

static bool judge_listed(const struct judge *j, struct cage_reconf_item *it, const char *canon)
{
	for (size_t i = 0; i < j->mp->n; i++) {
		const struct cage_mp_entry *e = &j->mp->e[i];
		if (!path_within(e->path, it->dir) && !path_within(j->mp_canon[i], canon))
			continue;
		if (e->kind == CAGE_MP_SHARED)
			decide(it, CAGE_RECONF_COVERED, "already shared by line %u (%s)", e->line, e->path);
		else
			decide(it, CAGE_RECONF_CONFLICT, "line %u lists %s%s as a private copy per "
			       "user, which hides the socket; not changed (remove that line to share "
			       "it)", e->line, e->kind == CAGE_MP_PERUSER ? "@" : "%", e->path);
		return true;
	}
	for (size_t i = 0; i < j->added.n; i++)
		if (path_within(j->added.v[i], canon)) {
			decide(it, CAGE_RECONF_COVERED, "added above for another socket (%s)",
			       j->added.v[i]);
			return true;
		}
	return false;
}

static int judge_one(struct judge *j, struct cage_reconf_item *it)
{
	_cleanup_free_ char *canon = canonical(it->dir);
	if (!canon)
		return -1;
	if (judge_refused(it, it->dir, canon) || judge_listed(j, it, canon) ||
	    judge_homes(j, it, canon))
		return it->why ? 0 : -1;
	decide(it, CAGE_RECONF_ADDED, "%s socket %s (%s)", cage_svc_title(it->sock.svc),
	       it->sock.path, it->sock.source);
	if (!it->why)
		return -1;
	return cage_strvec_push(&j->added, canon);
}

/* Homes of the accounts cagefs cages (uid >= min_uid), canonical.  Homes
 * of system accounts (postgres: /var/lib/postgresql) are no user's files. */
static int load_homes(const struct cage_paths *paths, struct judge *j, cage_err_t *err)
{
	uid_t min_uid;
	if (cage_min_uid(paths, &min_uid, err) < 0)
		return -1;
	setpwent();
	struct passwd *pw;
	int rc = 0;
	while (rc == 0 && (pw = getpwent()))
		if (pw->pw_uid >= min_uid && pw->pw_uid != 65534 && pw->pw_dir[0] == '/' &&
		    strcmp(pw->pw_dir, "/") != 0) {
			_cleanup_free_ char *c = canonical(pw->pw_dir);
			rc = !c || cage_strvec_push(&j->homes, c) < 0 ||
			     cage_strvec_push(&j->owners, pw->pw_name) < 0;
		}
	endpwent();
	return rc ? cage_err_sys(err, ENOMEM, "reading the accounts") : 0;
}

/* ---- cagefs.mp ---- */

static int new_text(struct cage_reconf *r, const char *old, size_t len, char **out, size_t *outlen)
{
	FILE *f = open_memstream(out, outlen);
	if (!f)
		return -1;
	fwrite(old, 1, len, f);
	if (len && old[len - 1] != '\n')
		fputc('\n', f);
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].action == CAGE_RECONF_ADDED)
			fprintf(f, "\n# %s socket %s (%s), added by cagefsctl --reconfigure-cagefs\n%s\n",
				cage_svc_title(r->v[i].sock.svc), r->v[i].sock.path,
				r->v[i].sock.source, r->v[i].dir);
	return fclose(f) == 0 ? 0 : -1;
}

/* Write cagefs.mp once, with the additions at its end, if there are any.
 * The result is parsed before it is written: a socket path our parser
 * refuses (a ',' in it) must not turn cagefs.mp into one that no cage can
 * be built from. */
static int write_mp(struct cage_reconf *r, const char *old, size_t len, mode_t mode,
		    cage_err_t *err)
{
	bool any = false;
	for (size_t i = 0; i < r->n; i++)
		any |= r->v[i].action == CAGE_RECONF_ADDED;
	if (!any)
		return 0;
	_cleanup_free_ char *text = NULL;
	size_t n = 0;
	if (new_text(r, old, len, &text, &n) < 0)
		return cage_err_sys(err, ENOMEM, "%s", r->mp_path);
	struct cage_mp check = { 0 };
	int rc = cage_mp_parse_buf(&check, r->mp_path, text, n, err);
	cage_mp_free(&check);
	if (rc < 0)
		return cage_err_prefix(err, "not changed, the result would not parse");
	if (cage_write_atomic(r->mp_path, text, n, mode, err) < 0)
		return -1;
	r->changed = true;
	return 0;
}

static void judge_free(struct judge *j)
{
	for (size_t i = 0; j->mp && i < j->mp->n; i++)
		free(j->mp_canon[i]);
	free(j->mp_canon);
	cage_strvec_free(&j->homes);
	cage_strvec_free(&j->owners);
	cage_strvec_free(&j->added);
}

static int judge_all(const struct cage_paths *paths, struct cage_reconf *r,
		     const struct cage_mp *mp, const struct cage_svc_socks *socks, cage_err_t *err)
{
	struct judge j = { .mp = mp, .mp_canon = calloc(mp->n + 1, sizeof(char *)) };
	int rc = j.mp_canon ? load_homes(paths, &j, err) : cage_err_sys(err, ENOMEM, "reconfigure");
	for (size_t i = 0; rc == 0 && i < mp->n; i++)
		if (!(j.mp_canon[i] = canonical(mp->e[i].path)))
			rc = cage_err_sys(err, ENOMEM, "reconfigure");
	for (size_t i = 0; rc == 0 && i < socks->n; i++) {
		struct cage_reconf_item *it = item_new(r, &socks->v[i]);
		if (!it || judge_one(&j, it) < 0)
			rc = cage_err_sys(err, ENOMEM, "reconfigure");
	}
	judge_free(&j);
	return rc;
}

static int load_mp_text(struct cage_reconf *r, char **buf, size_t *len, mode_t *mode,
			cage_err_t *err)
{
	cage_err_t e = { 0 };
	struct stat st;
	if (cage_read_file(r->mp_path, CONF_MAX, buf, len, &e) == 0) {
		*mode = stat(r->mp_path, &st) == 0 ? st.st_mode & 07777 : 0644;
		return 0;
	}
	if (e.errnum != ENOENT)
		return *err = e, -1;
	/* No cagefs.mp yet: start from what --create-mp writes, so the
	 * additions do not silently replace the defaults. */
	r->created = true;
	*mode = 0644;
	*buf = strdup(cage_mp_default_text());
	*len = *buf ? strlen(*buf) : 0;
	return *buf ? 0 : cage_err_sys(err, ENOMEM, "%s", r->mp_path);
}

int cage_reconfigure(const struct cage_paths *paths, struct cage_reconf *r, cage_err_t *err)
{
	*r = (struct cage_reconf){ .mp_path = cage_path_join(paths->etc, "cagefs.mp") };
	_cleanup_free_ char *old = NULL;
	size_t len = 0;
	mode_t mode;
	if (!r->mp_path)
		return cage_err_sys(err, ENOMEM, "path");
	if (load_mp_text(r, &old, &len, &mode, err) < 0)
		return -1;
	struct cage_mp mp = { 0 };
	struct cage_svc_socks socks = { 0 };
	int rc = cage_mp_parse_buf(&mp, r->mp_path, old, len, err);
	for (int s = 0; rc == 0 && s < CAGE_SVC_COUNT; s++)
		if (scan_svc((enum cage_svc)s, &socks, &r->problems) < 0)
			rc = cage_err_sys(err, ENOMEM, "reading the services' configuration");
	if (rc == 0)
		rc = judge_all(paths, r, &mp, &socks, err);
	if (rc == 0 && mkdir(paths->etc, 0755) < 0 && errno != EEXIST)
		rc = cage_err_sys(err, errno, "cannot create %s", paths->etc);
	if (rc == 0)
		rc = write_mp(r, old, len, mode, err);
	cage_mp_free(&mp);
	cage_svc_socks_free(&socks);
	return rc;
}

void cage_reconf_free(struct cage_reconf *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].sock.path);
		free(r->v[i].sock.source);
		free(r->v[i].dir);
		free(r->v[i].why);
	}
	free(r->v);
	free(r->mp_path);
	cage_strvec_free(&r->problems);
	*r = (struct cage_reconf){ 0 };
}

const char *cage_reconf_action_word(enum cage_reconf_action a)
{
	static const char *const w[] = { "added", "covered", "refused", "per-user", "conflict" };
	return (unsigned)a < sizeof(w) / sizeof(*w) ? w[a] : "?";
}
