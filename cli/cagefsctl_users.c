/* cagefsctl's user options (manual: "Managing Users", option tables).
 * Batch commands continue past one user's failure and end with a summary
 * line and an aggregate exit status (docs/ARCHITECTURE.md §5). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cagefs/bundle.h"
#include "cagefs/cage.h"
#include "cagefs/cleanup.h"
#include "cagefs/json.h"
#include "cagefs/log.h"
#include "cagefs/mountcfg.h"
#include "cagefs/safefs.h"
#include "cagefs/users.h"
#include "cagefsctl.h"

static void batch_json(const struct ctl_batch *b)
{
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
	cage_jgen_map_open(g);
	cage_jgen_string(g, "action");
	cage_jgen_string(g, b->what);
	static const char *const keys[] = {"users", "changed", "unchanged", "failed", "files", "directories",
					   "sessions"};
	const size_t v[] = {b->total, b->changed, b->unchanged, b->failed, b->files, b->dirs, b->sessions};
	for (size_t i = 0; i < (b->removals ? 7 : 4); i++) {
		cage_jgen_string(g, keys[i]);
		cage_jgen_int(g, (long long)v[i]);
	}
	cage_jgen_string(g, "attention");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < b->attention.n; i++) {
		const char *t = b->attention.v[i], *colon = strchr(t, ':');
		_cleanup_free_ char *user = strndup(t, (size_t)(colon - t));
		cage_jgen_map_open(g);
		cage_jgen_string(g, "user");
		cage_jgen_string(g, user);
		cage_jgen_string(g, "reason");
		cage_jgen_string(g, colon + 2);
		cage_jgen_map_close(g);
	}
	cage_jgen_array_close(g);
	cage_jgen_map_close(g);
	_cleanup_free_ char *text = NULL;
	if (cage_jgen_finish(g, &text, NULL, NULL) == 0)
		printf("%s\n", text);
}

static const char *plural(size_t n, const char *s) { return n == 1 ? "" : s; }

int ctl_batch_end(struct ctl *c, struct ctl_batch *b)
{
	if (c->json) {
		batch_json(b);
	} else {
		printf("%s: %zu user%s, %zu changed, %zu unchanged, %zu failed, %zu need%s attention", b->what,
		       b->total, plural(b->total, "s"), b->changed, b->unchanged, b->failed, b->attention.n,
		       b->attention.n == 1 ? "s" : "");
		if (b->removals)
			printf("; removed %zu file%s, %zu director%s, %zu PHP session%s", b->files,
			       plural(b->files, "s"), b->dirs, b->dirs == 1 ? "y" : "ies", b->sessions,
			       plural(b->sessions, "s"));
		printf("\n");
	}
	cage_strvec_free(&b->attention);
	if (b->failed)
		return cage_err_set(&c->err, "%s failed for %zu user%s (see above)", b->what, b->failed,
				    plural(b->failed, "s"));
	return 0;
}

void ctl_batch_attention(struct ctl_batch *b, const char *user, const char *msg)
{
	char *line = NULL;
	if (asprintf(&line, "%s: %s", user, msg) >= 0 && cage_strvec_push(&b->attention, line) < 0)
		cage_warn("out of memory");
	free(line);
}

/* One user's failure: the command's, or the user's own (see batch). */
static void batch_failed(struct ctl_batch *b, const char *user, const cage_err_t *e)
{
	if (!e->users_own) {
		cage_error("%s", e->msg);
		b->failed++;
		return;
	}
	cage_warn("%s (in %s's own home: %s's entries are refused until it is fixed)", e->msg, user, user);
	ctl_batch_attention(b, user, e->msg);
}

/* Look the user up and check it can be caged; report and return -1 if not. */
static int cageable_user(struct ctl *c, struct cage_bundle_ctx *ctx, const char *name,
			 struct cage_user *u, uid_t min_uid, const cage_strvec_t *excluded)
{
	cage_err_t e = {0};
	int found = ctx ? cage_bundle_ctx_user(ctx, name, u, &e) : cage_user_lookup(name, u, &e);
	if (found < 0 ||
	    cage_user_cageable(&c->paths, u, min_uid, excluded, &e) < 0) {
		cage_error("%s", e.msg);
		cage_user_free(u);
		return -1;
	}
	return 0;
}

static void generate_one(struct cage_bundle_ctx *ctx, const struct cage_user *u, bool force,
			 struct ctl_batch *b)
{
	cage_err_t e = {0};
	struct cage_bundle_result r;
	b->total++;
	if (cage_bundle_generate(ctx, u, force, &r, &e) < 0) {
		batch_failed(b, u->name, &e);
	} else if (r.changed) {
		b->changed++;
		cage_info("%s: bundle written (%zu files)", u->name, r.files);
	} else {
		b->unchanged++;
	}
}

static int need_users(struct ctl *c, const char *opt)
{
	return c->nargs ? 0 : cage_err_set(&c->err, "--%s needs one or more user names", opt);
}

static int load_limits(struct ctl *c, uid_t *min_uid, cage_strvec_t *excluded)
{
	return cage_min_uid(&c->paths, min_uid, &c->err) < 0 ||
			       cage_exclude_load(&c->paths, excluded, &c->err) < 0 ? -1 : 0;
}

/* --enable USER... / --disable USER... */
static int set_users(struct ctl *c, bool enable)
{
	const char *what = enable ? "enable" : "disable";
	if (need_users(c, what) < 0)
		return -1;
	uid_t min_uid;
	_cleanup_strvec_ cage_strvec_t excluded = {0};
	if (load_limits(c, &min_uid, &excluded) < 0)
		return -1;
	struct cage_bundle_ctx *ctx = NULL;
	if (enable && cage_bundle_ctx_new(&c->paths, &ctx, &c->err) < 0)
		return -1;
	struct ctl_batch b = {.what = what};
	for (int i = 0; i < c->nargs; i++) {
		struct cage_user u;
		cage_err_t e = {0};
		if (cageable_user(c, ctx, c->args[i], &u, min_uid, &excluded) < 0) {
			b.total++;
			b.failed++;
			continue;
		}
		if (cage_user_set_enabled(&c->paths, u.name, enable, &e) < 0) {
			cage_error("%s: %s", u.name, e.msg);
			b.total++;
			b.failed++;
		} else if (enable) {
			generate_one(ctx, &u, false, &b);
		} else {
			/* The next login is uncaged; processes inside keep running. */
			if (cage_unmount(&c->paths, u.name, false, &e) < 0)
				cage_warn("%s: %s", u.name, e.msg);
			b.total++;
			b.changed++;
		}
		cage_user_free(&u);
	}
	cage_bundle_ctx_free(ctx);
	return ctl_batch_end(c, &b);
}

int ctl_enable(struct ctl *c) { return set_users(c, true); }
int ctl_disable(struct ctl *c) { return set_users(c, false); }

/* Bundles of the given users, or of every enabled user. */
static int regenerate(struct ctl *c, const char *what, bool force)
{
	_cleanup_strvec_ cage_strvec_t all = {0};
	char **names = c->args;
	size_t n = (size_t)c->nargs;
	if (!n) {
		if (cage_users_list(&c->paths, &all, NULL, &c->err) < 0)
			return -1;
		names = all.v;
		n = all.n;
	}
	uid_t min_uid;
	_cleanup_strvec_ cage_strvec_t excluded = {0};
	struct cage_bundle_ctx *ctx = NULL;
	if (load_limits(c, &min_uid, &excluded) < 0 || cage_bundle_ctx_new(&c->paths, &ctx, &c->err) < 0)
		return -1;
	struct ctl_batch b = {.what = what};
	bool progress = isatty(2) && n > 100;
	for (size_t i = 0; i < n; i++) {
		struct cage_user u;
		if (cageable_user(c, ctx, names[i], &u, min_uid, &excluded) < 0) {
			b.total++;
			b.failed++;
			continue;
		}
		cage_err_t e = {0};
		int enabled = cage_user_enabled(&c->paths, u.name, &e);
		if (enabled < 0)
			cage_warn("%s: %s; its bundle is refreshed anyway", u.name, e.msg);
		else if (!enabled)
			cage_warn("%s is not enabled; its bundle is refreshed anyway", u.name);
		generate_one(ctx, &u, force, &b);
		cage_user_free(&u);
		if (progress && i % 100 == 0)
			fprintf(stderr, "\r%zu/%zu users", i, n);
	}
	if (progress)
		fprintf(stderr, "\r%zu/%zu users\n", n, n);
	cage_bundle_ctx_free(ctx);
	return ctl_batch_end(c, &b);
}

int ctl_update_etc(struct ctl *c) { return regenerate(c, "update-etc", false); }

/* Manual: "create virtual mount points for the user".  A user's virt.mp
 * (/var/cagefs/NN/USER/virt.mp) is read when the bundle is made, whose
 * mount plan then holds its directories: creating them is making the
 * bundle again.  A live cage keeps its mounts until --remount-virtmp. */
int ctl_create_virt_mp(struct ctl *c)
{
	return need_users(c, "create-virt-mp") < 0 ? -1 : regenerate(c, "create-virt-mp", false);
}

int ctl_create_virt_mp_all(struct ctl *c)
{
	c->nargs = 0; /* every enabled user's */
	return regenerate(c, "create-virt-mp-all", false);
}
int ctl_force_update_etc(struct ctl *c) { return regenerate(c, "force-update-etc", true); }

static int set_mode(struct ctl *c, bool enable_all)
{
	if (cage_mode_set(&c->paths, enable_all, &c->err) < 0)
		return -1;
	printf("Mode: %s\n", enable_all ? "Enable All" : "Disable All");
	c->nargs = 0; /* every enabled user's bundle */
	return enable_all ? regenerate(c, "enable-all", false) : 0;
}

int ctl_enable_all(struct ctl *c) { return set_mode(c, true); }
int ctl_disable_all(struct ctl *c) { return set_mode(c, false); }

int ctl_toggle_mode(struct ctl *c)
{
	int all = cage_mode_get(&c->paths, &c->err);
	return all < 0 ? -1 : set_mode(c, !all);
}

int ctl_display_user_mode(struct ctl *c)
{
	int all = cage_mode_get(&c->paths, &c->err);
	if (all < 0)
		return -1;
	printf("Mode: %s\n", all ? "Enable All" : "Disable All");
	return 0;
}
