/* cagefsctl's read-only and housekeeping options: lists, status, min uid,
 * --create-mp, --clean-var-cagefs, --remove-all. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/bundle.h"
#include "cagefs/cleanup.h"
#include "cagefs/json.h"
#include "cagefs/log.h"
#include "cagefs/mountcfg.h"
#include "cagefs/safefs.h"
#include "cagefs/users.h"
#include "cagefsctl.h"

/* The document G holds, on one line. */
static int print_json(struct ctl *c, cage_jgen *g)
{
	_cleanup_free_ char *text = NULL;
	if (cage_jgen_finish(g, &text, NULL, &c->err) < 0)
		return -1;
	printf("%s\n", text);
	return 0;
}

static int list(struct ctl *c, bool enabled)
{
	_cleanup_strvec_ cage_strvec_t users = {0};
	int all = cage_mode_get(&c->paths, &c->err);
	if (all < 0 || cage_users_list(&c->paths, enabled ? &users : NULL, enabled ? NULL : &users, &c->err) < 0)
		return -1;
	if (!c->json) {
		for (size_t i = 0; i < users.n; i++)
			printf("%s\n", users.v[i]);
		return 0;
	}
	_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
	cage_jgen_map_open(g);
	cage_jgen_string(g, "mode");
	cage_jgen_string(g, all ? "Enable All" : "Disable All");
	cage_jgen_string(g, enabled ? "enabled" : "disabled");
	cage_jgen_array_open(g);
	for (size_t i = 0; i < users.n; i++)
		cage_jgen_string(g, users.v[i]);
	cage_jgen_array_close(g);
	cage_jgen_map_close(g);
	return print_json(c, g);
}

int ctl_list_enabled(struct ctl *c) { return list(c, true); }
int ctl_list_disabled(struct ctl *c) { return list(c, false); }

static const char *arg0(struct ctl *c)
{
	return c->optval ? c->optval : c->nargs ? c->args[0] : NULL;
}

int ctl_user_status(struct ctl *c)
{
	const char *name = ctl_user_arg(c, "user-status", NULL);
	if (!name)
		return -1;
	struct cage_user u;
	struct cage_decision d;
	if (cage_user_lookup(name, &u, &c->err) < 0)
		return -1;
	int rc = cage_user_status(&c->paths, &u, &d, &c->err);
	bool on = rc > 0;
	rc = rc < 0 ? -1 : 0;
	if (rc == 0 && c->json) {
		_cleanup_jgen_ cage_jgen *g = cage_jgen_new(0);
		cage_jgen_map_open(g);
		cage_jgen_string(g, "user");
		cage_jgen_string(g, u.name);
		cage_jgen_string(g, "status");
		cage_jgen_string(g, on ? "enabled" : "disabled");
		cage_jgen_string(g, "reason");
		cage_jgen_string(g, d.why);
		cage_jgen_map_close(g);
		rc = print_json(c, g);
	} else if (rc == 0) {
		printf("%s\n", on ? "Enabled" : "Disabled");
	}
	cage_user_free(&u);
	return rc;
}

int ctl_getprefix(struct ctl *c)
{
	const char *name = ctl_user_arg(c, "getprefix", NULL);
	struct cage_user u;
	if (!name)
		return -1;
	if (cage_user_lookup(name, &u, &c->err) < 0)
		return -1;
	char prefix[3];
	cage_user_prefix(u.uid, prefix);
	printf("%s\n", prefix);
	cage_user_free(&u);
	return 0;
}

/* One line for a user whose status the new minimum uid changed. */
static void print_status_change(const char *name, bool now_enabled, unsigned long min_uid)
{
	struct cage_user u;
	cage_err_t e = {0};
	if (cage_user_lookup(name, &u, &e) < 0) {
		printf("%s: %s\n", name, now_enabled ? "Disabled -> Enabled" : "Enabled -> Disabled");
		return;
	}
	printf("%s (uid %u): %s (%s the minimum uid %lu)\n", u.name, (unsigned)u.uid,
	       now_enabled ? "Disabled -> Enabled" : "Enabled -> Disabled",
	       now_enabled ? "at or above" : "below", min_uid);
	cage_user_free(&u);
}

/* Both sorted: a name in one list only changed status. */
static void print_status_changes(const cage_strvec_t *before, const cage_strvec_t *after,
				 unsigned long min_uid)
{
	size_t i = 0, k = 0;
	while (i < before->n || k < after->n) {
		int cmp = i == before->n ? 1 : k == after->n ? -1 : strcmp(before->v[i], after->v[k]);
		if (cmp < 0)
			print_status_change(before->v[i++], false, min_uid);
		else if (cmp > 0)
			print_status_change(after->v[k++], true, min_uid);
		else
			i++, k++;
	}
}

/* The enabled users before and after (cage_users_list decides), and the
 * difference named user by user: a minimum uid enables and disables. */
int ctl_set_min_uid(struct ctl *c)
{
	const char *v = arg0(c);
	char *end = NULL;
	unsigned long n = v ? strtoul(v, &end, 10) : 0;
	if (!v || *end || end == v || n == 0 || n > 0x7fffffff)
		return cage_err_set(&c->err, "--set-min-uid needs a positive number");
	_cleanup_strvec_ cage_strvec_t before = {0}, after = {0};
	cage_err_t e = {0};
	/* A broken min_uid in cagefs.ini is what this command repairs. */
	bool known = cage_users_list(&c->paths, &before, NULL, &e) == 0;
	if (!known)
		cage_warn("%s; the users whose status changes cannot be listed", e.msg);
	if (cage_set_min_uid(&c->paths, (uid_t)n, &c->err) < 0)
		return -1;
	if (known) {
		if (cage_users_list(&c->paths, &after, NULL, &c->err) < 0)
			return -1;
		print_status_changes(&before, &after, n);
	}
	printf("min uid set to %lu\n", n);
	return 0;
}

int ctl_get_min_uid(struct ctl *c)
{
	uid_t uid;
	if (cage_min_uid(&c->paths, &uid, &c->err) < 0)
		return -1;
	printf("%u\n", (unsigned)uid);
	return 0;
}

int ctl_enable_cagefs(struct ctl *c)
{
	if (cage_global_set(&c->paths, true, &c->err) < 0)
		return -1;
	printf("CageFS is enabled\n");
	return 0;
}

int ctl_disable_cagefs(struct ctl *c)
{
	if (cage_global_set(&c->paths, false, &c->err) < 0)
		return -1;
	printf("CageFS is disabled\n");
	return 0;
}

int ctl_cagefs_status(struct ctl *c)
{
	int on = cage_global_get(&c->paths, &c->err);
	if (on < 0)
		return -1;
	printf("%s\n", on ? "Enabled" : "Disabled");
	return 0;
}

int ctl_create_mp(struct ctl *c)
{
	_cleanup_free_ char *f = cage_path_join(c->paths.etc, "cagefs.mp");
	if (!f)
		return cage_err_sys(&c->err, ENOMEM, "path");
	if (access(f, F_OK) == 0) {
		printf("%s already exists; not changed\n", f);
		return 0;
	}
	const char *text = cage_mp_default_text();
	if (mkdir(c->paths.etc, 0755) < 0 && errno != EEXIST)
		return cage_err_sys(&c->err, errno, "cannot create %s", c->paths.etc);
	if (cage_write_atomic(f, text, strlen(text), 0644, &c->err) < 0)
		return -1;
	printf("created %s; run cagefsctl --remount-all to apply it to live cages\n", f);
	return 0;
}

int ctl_clean_var_cagefs(struct ctl *c)
{
	size_t removed;
	if (cage_bundles_clean(&c->paths, &removed, &c->err) < 0)
		return -1;
	printf("clean-var-cagefs: %zu bundle%s of non-existent users removed\n", removed,
	       removed == 1 ? "" : "s");
	return 0;
}

static bool confirmed(struct ctl *c, const char *question)
{
	if (c->do_not_ask)
		return true;
	if (!isatty(0)) {
		cage_err_set(&c->err, "%s: not confirmed (use --do-not-ask when not on a terminal)", question);
		return false;
	}
	fprintf(stderr, "%s [y/N] ", question);
	char answer[16] = "";
	if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
		cage_err_set(&c->err, "cancelled");
		return false;
	}
	return true;
}

int ctl_remove_all(struct ctl *c)
{
	if (!confirmed(c, "Disable CageFS for all users and remove the skeleton and /var/cagefs?"))
		return -1;
	if (cage_remove_all(&c->paths, &c->err) < 0)
		return -1;
	printf("CageFS disabled; skeleton and %s removed (%s kept)\n", c->paths.var, c->paths.etc);
	return 0;
}
