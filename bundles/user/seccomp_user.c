/* A user's seccomp filter: what config.json gives the user's entries
 * (cagefsctl --seccomp-show) and installing an override
 * (cagefsctl --seccomp-apply); docs/ARCHITECTURE.md §4.24.
 *
 * Every entry loads the filter of config.json (seccomp/load.c), so what
 * the user's cage gets is config.json's, not the files': show says when
 * the files say something else now, and apply writes the bundle at once. */
#define _GNU_SOURCE
#include "bundle_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"
#include "cagefs/seccomp.h"

#define CONFIG_MAX (8u << 20) /* config.json's limit (runtime/oci/config.c) */

static char *compact(const cage_json *v)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
	char *s = NULL;
	cage_jgen_value(g, v);
	return cage_jgen_finish(g, &s, NULL, NULL) < 0 ? NULL : s;
}

static bool newer(const char *path, const struct timespec *than)
{
	struct stat st;
	return path && stat(path, &st) == 0 &&
	       (st.st_mtim.tv_sec > than->tv_sec ||
		(st.st_mtim.tv_sec == than->tv_sec && st.st_mtim.tv_nsec > than->tv_nsec));
}

struct files {
	char *override, *server; /* server: NULL for the built-in default */
	bool has_override;
};

/* Why config.json's filter (HAVE) is not what the files give now, and what
 * applies it; NULL when it is.  The contents are compared, not the
 * times: a touched file changes nothing, a removed override does. */
static char *stale(const struct cage_paths *p, const char *user, const cage_json *have, const char *config,
		   struct files *f)
{
	_cleanup_json_ cage_json *server = NULL, *own = NULL;
	cage_err_t e = {0};
	char *why = NULL;
	struct stat st;
	if (cage_seccomp_server_profile(p, &server, &f->server, &e) < 0 ||
	    cage_seccomp_user_profile(p, server, user, &own, NULL, &e) < 0)
		return asprintf(&why, "%s; until that is fixed, the cage keeps the filter of %s", e.msg, config) < 0
			       ? NULL : why;
	_cleanup_free_ char *want = compact(own ? own : server), *got = compact(have);
	if (!want || !got || !strcmp(want, got) || stat(config, &st) < 0)
		return NULL;
	const char *what = newer(f->override, &st.st_mtim) ? f->override
			 : newer(f->server, &st.st_mtim) ? f->server : NULL;
	if (asprintf(&why, "%s%s; run cagefsctl --update-etc %s to apply it",
		     what ? what : "the profile the files give now differs from config.json's",
		     what ? " changed after config.json was written" : "", user) < 0)
		return NULL;
	return why;
}

/* linux.seccomp of USER's config.json, validated; *CONFIG its path. */
static int read_filter(const struct cage_paths *p, const struct cage_user *u, char **config, cage_json **doc,
		       const cage_json **filter, cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_bundle_dir(p, u->name, u->uid), *text = NULL;
	size_t len = 0;
	cage_err_t e = {0};
	if (!dir || !(*config = cage_path_join(dir, "config.json")))
		return cage_err_sys(err, ENOMEM, "path");
	if (cage_read_file(*config, CONFIG_MAX, &text, &len, &e) < 0 && e.errnum == ENOENT)
		return cage_err_set(err, "%s has no bundle (%s): enable the user with cagefsctl --enable", u->name,
				    *config);
	if (e.msg[0])
		return cage_err_set(err, "%s: %s", *config, e.msg);
	if (cage_json_parse(text, len, *config, CONFIG_MAX, doc, err) < 0)
		return -1;
	*filter = cage_json_get(cage_json_get(*doc, "linux", CAGE_JSON_OBJECT), "seccomp", CAGE_JSON_OBJECT);
	if (*filter && cage_seccomp_validate(*filter, err) < 0)
		return cage_err_prefix(err, "%s: linux.seccomp", *config);
	return 0;
}

static int human(const char *user, const char *config, const cage_json *filter, const struct files *f,
		 const char *why, char **out, cage_err_t *err)
{
	_cleanup_free_ char *rules = NULL;
	if (filter && cage_seccomp_describe(filter, &rules, err) < 0)
		return -1;
	size_t len = 0;
	FILE *m = open_memstream(out, &len);
	if (!m)
		return cage_err_sys(err, errno, "memory");
	fprintf(m, "%s: the seccomp filter of %s\n", user, config);
	if (f->has_override)
		fprintf(m, "override: %s\n", f->override);
	else
		fprintf(m, "override: none (no %s)\n", f->override);
	fprintf(m, "server profile: %s\n", f->server ? f->server : "the built-in default (seccomp/default.json)");
	if (why)
		fprintf(m, "not applied yet: %s\n", why);
	fprintf(m, "%s", rules ? rules : "no seccomp filter\n");
	return fclose(m) == 0 ? 0 : cage_err_sys(err, ENOMEM, "memory");
}

int cage_user_seccomp_show(const struct cage_paths *p, const char *user, bool json, struct cage_seccomp_view *v,
			   cage_err_t *err)
{
	*v = (struct cage_seccomp_view){0};
	struct cage_user u = {0};
	_cleanup_free_ char *config = NULL;
	_cleanup_json_ cage_json *doc = NULL;
	const cage_json *filter = NULL;
	struct files f = {0};
	struct stat st;
	int rc = cage_user_lookup(user, &u, err);
	if (rc == 0)
		rc = read_filter(p, &u, &config, &doc, &filter, err);
	if (rc == 0 && asprintf(&f.override, "%s/%s/%s", p->etc, CAGE_SECCOMP_OVERRIDE_DIR, u.name) < 0)
		rc = cage_err_sys(err, ENOMEM, "path");
	if (rc == 0) {
		f.has_override = lstat(f.override, &st) == 0;
		v->stale = stale(p, u.name, filter, config, &f);
	}
	if (rc == 0 && json)
		v->text = filter ? compact(filter) : strdup("null");
	else if (rc == 0)
		rc = human(u.name, config, filter, &f, v->stale, &v->text, err);
	if (rc == 0 && !v->text)
		rc = cage_err_sys(err, ENOMEM, "memory");
	free(f.override);
	free(f.server);
	cage_user_free(&u);
	if (rc < 0)
		cage_seccomp_view_free(v);
	return rc;
}

void cage_seccomp_view_free(struct cage_seccomp_view *v)
{
	free(v->text);
	free(v->stale);
	*v = (struct cage_seccomp_view){0};
}

/* ---- cagefsctl --seccomp-apply ---- */

/* The user as --update-etc takes one: known, and one CageFS may cage. */
static int cageable(const struct cage_paths *p, const char *user, struct cage_user *u, cage_err_t *err)
{
	uid_t min_uid;
	_cleanup_strvec_ cage_strvec_t excluded = {0};
	if (cage_user_lookup(user, u, err) < 0)
		return -1;
	if (cage_min_uid(p, &min_uid, err) < 0 || cage_exclude_load(p, &excluded, err) < 0 ||
	    cage_user_cageable(p, u, min_uid, &excluded, err) < 0)
		return -1;
	return 0;
}

/* FILE parsed, merged and compiled; its bytes in *TEXT. */
static int checked(const struct cage_paths *p, const char *from, char **text, size_t *len,
		   struct cage_seccomp_applied *a, cage_err_t *err)
{
	struct cage_seccomp_override o;
	_cleanup_json_ cage_json *server = NULL, *merged = NULL;
	if (cage_seccomp_override_read(from, &o, text, len, err) < 0)
		return -1;
	a->rules = o.n;
	int rc = cage_seccomp_server_profile(p, &server, NULL, err);
	if (rc == 0)
		rc = cage_seccomp_merge(server, &o, &merged, &a->warnings, err);
	cage_seccomp_override_free(&o);
	return rc;
}

/* ETC/seccomp.d/USER gets TEXT (root's, 0644, atomically), unless it
 * holds it already. */
static int install(const struct cage_paths *p, const char *user, const char *text, size_t len,
		   struct cage_seccomp_applied *a, cage_err_t *err)
{
	_cleanup_free_ char *dir = cage_path_join(p->etc, CAGE_SECCOMP_OVERRIDE_DIR), *old = NULL;
	size_t oldlen = 0;
	struct stat st;
	if (!dir || !(a->to = cage_path_join(dir, user)))
		return cage_err_sys(err, ENOMEM, "path");
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return cage_err_sys(err, errno, "cannot create %s", dir);
	if (lstat(a->to, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 && (st.st_mode & 07777) == 0644 &&
	    cage_read_file(a->to, CAGE_SECCOMP_MAX_FILE, &old, &oldlen, NULL) == 0 && oldlen == len &&
	    !memcmp(old, text, len))
		return 0;
	if (cage_write_atomic(a->to, text, len, 0644, err) < 0)
		return -1;
	a->installed = true;
	return 0;
}

static int regenerate(const struct cage_paths *p, const char *user, struct cage_seccomp_applied *a,
		      cage_err_t *err)
{
	struct cage_bundle_ctx *ctx = NULL;
	struct cage_user u = {0};
	struct cage_bundle_result res = {0};
	int rc = cage_bundle_ctx_new(p, &ctx, err);
	if (rc == 0)
		rc = cage_bundle_ctx_user(ctx, user, &u, err);
	if (rc == 0)
		rc = cage_bundle_generate(ctx, &u, false, &res, err);
	a->bundle_changed = rc == 0 && res.changed;
	cage_user_free(&u);
	cage_bundle_ctx_free(ctx);
	return rc;
}

int cage_user_seccomp_apply(const struct cage_paths *p, const char *user, const char *file,
			    struct cage_seccomp_applied *a, cage_err_t *err)
{
	*a = (struct cage_seccomp_applied){0};
	struct cage_user u = {0};
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	struct stat st;
	int rc = cageable(p, user, &u, err);
	if (rc == 0 && (file ? !(a->from = strdup(file))
			     : asprintf(&a->from, "%s/%s/%s", p->etc, CAGE_SECCOMP_PROPOSED_DIR, u.name) < 0)) {
		a->from = NULL;
		rc = cage_err_sys(err, ENOMEM, "path");
	}
	if (rc == 0 && !file && lstat(a->from, &st) < 0 && errno == ENOENT)
		rc = cage_err_set(err, "no proposal for %s: %s does not exist (learning mode writes it there; or "
				  "name a FILE)", u.name, a->from);
	/* Everything is checked before anything changes. */
	if (rc == 0 && checked(p, a->from, &text, &len, a, err) < 0)
		rc = cage_err_prefix(err, "%s: nothing changed", u.name);
	if (rc == 0 && install(p, u.name, text, len, a, err) < 0)
		rc = -1;
	if (rc == 0 && regenerate(p, u.name, a, err) < 0)
		rc = cage_err_prefix(err, "%s is installed, but %s's bundle was not written (config.json keeps the "
				     "filter it had; fix it and run cagefsctl --update-etc %s)", a->to, u.name, u.name);
	cage_user_free(&u);
	return rc;
}

void cage_seccomp_applied_free(struct cage_seccomp_applied *a)
{
	free(a->from);
	free(a->to);
	cage_strvec_free(&a->warnings);
	*a = (struct cage_seccomp_applied){0};
}
