/* cagefsctl --set-tmpwatch and --tmpwatch (manual: "TMP Directories";
 * docs/ARCHITECTURE.md §4.20).  The cleaning itself is the library's
 * (cage_tmpwatch_user): here only arguments, the loop over users and the
 * summary. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cagefs/log.h"
#include "cagefs/strvec.h"
#include "cagefs/tmpwatch.h"
#include "cagefs/users.h"
#include "cagefsctl.h"

int ctl_set_tmpwatch(struct ctl *c)
{
	const char *v = c->optval ? c->optval : (c->nargs == 1 ? c->args[0] : NULL);
	if (!v || c->nargs > (c->optval ? 0 : 1))
		return cage_err_set(&c->err, "--set-tmpwatch needs one tmpwatch command in quotes, e.g. "
				    "--set-tmpwatch='%s'", CAGE_TMPWATCH_DEFAULT);
	if (cage_tmpwatch_set(&c->paths, v, &c->err) < 0)
		return -1;
	printf("tmpwatch command set to: %s\n", v);
	return 0;
}

static void clean_one(const struct cage_tmpwatch_conf *conf, const struct cage_user *u, struct ctl_batch *b)
{
	struct cage_tmpwatch_result r;
	cage_err_t e = {0};
	b->total++;
	int rc = cage_tmpwatch_user(conf, u, &r, &e);
	b->files += r.files;
	b->dirs += r.dirs;
	b->sessions += r.sessions;
	if (rc < 0 && !e.users_own) {
		cage_error("%s", e.msg);
		b->failed++;
		return;
	}
	if (rc < 0) {
		/* The user's own doing: a warning, and the others are cleaned. */
		cage_warn("%s (in %s's own home; the other users are cleaned)", e.msg, u->name);
		ctl_batch_attention(b, u->name, e.msg);
	}
	size_t n = r.files + r.dirs + r.sessions;
	if (n)
		b->changed++;
	else if (rc == 0)
		b->unchanged++;
	cage_info("%s: removed %zu files, %zu directories, %zu PHP sessions (%zu entries left alone "
		  "after an error)", u->name, r.files, r.dirs, r.sessions, r.skipped);
}

/* The named users, or every enabled one. */
static int users_to_clean(struct ctl *c, cage_strvec_t *out)
{
	if (!c->nargs)
		return cage_users_list(&c->paths, out, NULL, &c->err);
	for (int i = 0; i < c->nargs; i++)
		if (cage_strvec_push(out, c->args[i]) < 0)
			return cage_err_set(&c->err, "out of memory");
	return 0;
}

static int run(struct ctl *c, struct cage_tmpwatch_conf *conf)
{
	_cleanup_strvec_ cage_strvec_t names = {0};
	if (users_to_clean(c, &names) < 0)
		return -1;
	for (size_t i = 0; i < conf->php_errors.n; i++)
		cage_error("%s (the PHP sessions it names are not cleaned)", conf->php_errors.v[i]);
	struct ctl_batch b = {.what = "tmpwatch", .removals = true};
	for (size_t i = 0; i < names.n; i++) {
		struct cage_user u;
		cage_err_t e = {0};
		if (cage_user_lookup(names.v[i], &u, &e) < 0) {
			cage_error("%s", e.msg);
			b.total++;
			b.failed++;
			continue;
		}
		clean_one(conf, &u, &b);
		cage_user_free(&u);
	}
	if (ctl_batch_end(c, &b) < 0)
		return -1;
	if (conf->php_errors.n)
		return cage_err_set(&c->err, "%zu php.ini file%s could not be used (see above)", conf->php_errors.n,
				    conf->php_errors.n == 1 ? "" : "s");
	return 0;
}

/* --tmpwatch [USER...]: /tmp, tmpwatch_dirs and PHP sessions;
 * --tmpwatch=sessions: PHP sessions only (the frequent timer). */
int ctl_tmpwatch(struct ctl *c)
{
	if (c->optval && strcmp(c->optval, "sessions"))
		return cage_err_set(&c->err, "--tmpwatch takes no value but 'sessions': --tmpwatch=%s", c->optval);
	struct cage_tmpwatch_conf conf;
	if (cage_tmpwatch_conf_load(&c->paths, &conf, &c->err) < 0)
		return -1;
	if (c->optval) {
		cage_strvec_free(&conf.dirs);
		if (!conf.php_sessions)
			printf("tmpwatch: PHP session cleaning is off (clean_user_php_sessions=false)\n");
	}
	int rc = c->optval && !conf.php_sessions ? 0 : run(c, &conf);
	cage_tmpwatch_conf_free(&conf);
	return rc;
}
