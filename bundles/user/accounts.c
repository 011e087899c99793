/* Per-user /etc/passwd and /etc/group (issue 3; manual: "Mount Points").
 * A cage's passwd and group show the system accounts (uid or gid below the
 * minimum, and nobody/nogroup) and the user itself; group member lists keep
 * only system accounts and the user, so no other hosting user's name appears
 * in any file of the cage's /etc.  The host's files are read once per
 * command, so enabling 10,000 users stays linear. */
#define _GNU_SOURCE
#include "bundle_internal.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"

#define OVERFLOW_ID 65534 /* nobody / nogroup: a system account everywhere */

bool bundle_is_system_id(const struct cage_bundle_ctx *c, unsigned id)
{
	return id < c->min_uid || id == OVERFLOW_ID;
}

static const char *host_etc(const char *name, char *buf, size_t size)
{
	const char *dir = secure_getenv("CAGEFS_HOST_ETC"); /* unit-test fixtures */
	snprintf(buf, size, "%s/%s", dir && dir[0] == '/' ? dir : "/etc", name);
	return buf;
}

static char *pw_text(const struct passwd *pw)
{
	char *s = NULL;
	if (asprintf(&s, "%s:x:%u:%u:%s:%s:%s\n", pw->pw_name, (unsigned)pw->pw_uid,
		     (unsigned)pw->pw_gid, pw->pw_gecos ? pw->pw_gecos : "", pw->pw_dir ? pw->pw_dir : "",
		     pw->pw_shell ? pw->pw_shell : "") < 0)
		return NULL;
	return s;
}

static int load_passwd(struct cage_bundle_ctx *c, cage_err_t *err)
{
	char path[4096];
	_cleanup_fclose_ FILE *f = fopen(host_etc("passwd", path, sizeof(path)), "re");
	if (!f)
		return cage_err_sys(err, errno, "cannot read %s", path);
	size_t cap = 0, sys_len = 0;
	FILE *sys = open_memstream(&c->system_passwd, &sys_len);
	if (!sys)
		return cage_err_sys(err, errno, "memory");
	int rc = 0;
	for (struct passwd *pw; rc == 0 && (pw = fgetpwent(f));) {
		if (cage_hash_get(&c->pw_by_name, pw->pw_name, NULL))
			continue; /* first entry wins, as for NSS files */
		if (c->npw == cap) {
			cap = cap ? cap * 2 : 1024;
			struct pw_line *v = realloc(c->pw, cap * sizeof(*v));
			if (!v) {
				rc = -1;
				break;
			}
			c->pw = v;
		}
		struct pw_line *l = &c->pw[c->npw];
		l->name = strdup(pw->pw_name);
		l->uid = pw->pw_uid;
		l->gid = pw->pw_gid;
		l->gecos = strdup(pw->pw_gecos ? pw->pw_gecos : "");
		l->home = strdup(pw->pw_dir ? pw->pw_dir : "");
		l->shell = strdup(pw->pw_shell ? pw->pw_shell : "");
		l->text = pw_text(pw);
		if (!l->name || !l->text || !l->gecos || !l->home || !l->shell || cage_hash_add(&c->pw_by_name, l->name, c->npw) < 0) {
			rc = -1;
			break;
		}
		c->npw++;
		if (bundle_is_system_id(c, pw->pw_uid)) {
			fputs(l->text, sys);
			if (cage_hash_add(&c->system_names, l->name, 1) < 0)
				rc = -1;
		}
	}
	fclose(sys);
	return rc < 0 ? cage_err_sys(err, ENOMEM, "%s", path) : 0;
}

static int note_member(struct cage_bundle_ctx *c, const char *user, size_t group)
{
	uintptr_t i;
	if (!cage_hash_get(&c->member_of, user, &i)) {
		struct idx_list *v = realloc(c->groups_of, (c->ngroups_of + 1) * sizeof(*v));
		if (!v)
			return -1;
		c->groups_of = v;
		i = c->ngroups_of++;
		memset(&v[i], 0, sizeof(v[i]));
		if (cage_hash_add(&c->member_of, user, i) < 0)
			return -1;
	}
	struct idx_list *l = &c->groups_of[i];
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		size_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = group;
	return 0;
}

static int add_group(struct cage_bundle_ctx *c, const struct group *g, size_t *cap)
{
	if (c->ngr == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		struct gr_entry *v = realloc(c->gr, *cap * sizeof(*v));
		if (!v)
			return -1;
		c->gr = v;
	}
	struct gr_entry *e = &c->gr[c->ngr];
	memset(e, 0, sizeof(*e));
	e->name = strdup(g->gr_name);
	e->gid = g->gr_gid;
	if (!e->name || asprintf(&e->head, "%s:x:%u:", g->gr_name, (unsigned)g->gr_gid) < 0)
		return -1;
	size_t idx = c->ngr++;
	for (char **m = g->gr_mem; m && *m; m++) {
		if (cage_strvec_push(&e->members, *m) < 0)
			return -1;
		if (!bundle_is_system_id(c, g->gr_gid) && note_member(c, *m, idx) < 0)
			return -1;
	}
	return 0;
}

static int load_group(struct cage_bundle_ctx *c, cage_err_t *err)
{
	char path[4096];
	_cleanup_fclose_ FILE *f = fopen(host_etc("group", path, sizeof(path)), "re");
	if (!f)
		return cage_err_sys(err, errno, "cannot read %s", path);
	size_t cap = 0;
	for (struct group *g; (g = fgetgrent(f));)
		if (add_group(c, g, &cap) < 0)
			return cage_err_sys(err, ENOMEM, "%s", path);
	return 0;
}

int bundle_load_accounts(struct cage_bundle_ctx *c, cage_err_t *err)
{
	if (load_passwd(c, err) < 0)
		return -1;
	return load_group(c, err);
}

void bundle_free_accounts(struct cage_bundle_ctx *c)
{
	for (size_t i = 0; i < c->npw; i++) {
		free(c->pw[i].name);
		free(c->pw[i].gecos);
		free(c->pw[i].home);
		free(c->pw[i].shell);
		free(c->pw[i].text);
	}
	for (size_t i = 0; i < c->ngr; i++) {
		free(c->gr[i].name);
		free(c->gr[i].head);
		cage_strvec_free(&c->gr[i].members);
	}
	for (size_t i = 0; i < c->ngroups_of; i++)
		free(c->groups_of[i].v);
	free(c->groups_of);
	free(c->pw);
	free(c->gr);
	free(c->system_passwd);
	cage_hash_free(&c->pw_by_name);
	cage_hash_free(&c->member_of);
	cage_hash_free(&c->system_names);
}

/* One group line with members filtered to system accounts and the user. */
static void put_group(FILE *out, const struct cage_bundle_ctx *c, const struct gr_entry *g,
		      const char *user)
{
	fputs(g->head, out);
	bool first = true;
	for (size_t i = 0; i < g->members.n; i++) {
		const char *m = g->members.v[i];
		if (strcmp(m, user) && !cage_hash_get(&c->system_names, m, NULL))
			continue;
		fprintf(out, "%s%s", first ? "" : ",", m);
		first = false;
	}
	fputc('\n', out);
}

static bool listed_in(const struct idx_list *l, size_t group)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->v[i] == group)
			return true;
	return false;
}

int cage_bundle_etc_text(struct cage_bundle_ctx *c, const struct cage_user *u, char **passwd,
			 char **group, cage_err_t *err)
{
	size_t len;
	FILE *out = open_memstream(passwd, &len);
	if (!out)
		return cage_err_sys(err, errno, "memory");
	fputs(c->system_passwd ? c->system_passwd : "", out);
	uintptr_t i;
	struct passwd self = {.pw_name = u->name, .pw_uid = u->uid, .pw_gid = u->gid,
			      .pw_gecos = u->gecos, .pw_dir = u->home, .pw_shell = u->shell};
	_cleanup_free_ char *line = cage_hash_get(&c->pw_by_name, u->name, &i) ? NULL : pw_text(&self);
	fputs(line ? line : c->pw[i].text, out);
	fclose(out);
	out = open_memstream(group, &len);
	if (!out) {
		free(*passwd);
		return cage_err_sys(err, errno, "memory");
	}
	const struct idx_list *mine = cage_hash_get(&c->member_of, u->name, &i) ? &c->groups_of[i] : NULL;
	for (size_t g = 0; g < c->ngr; g++)
		if (bundle_is_system_id(c, c->gr[g].gid) || c->gr[g].gid == u->gid || listed_in(mine, g))
			put_group(out, c, &c->gr[g], u->name);
	fclose(out);
	return 0;
}

int cage_bundle_ctx_user(struct cage_bundle_ctx *c, const char *name, struct cage_user *u,
			 cage_err_t *err)
{
	uintptr_t i;
	if (!cage_hash_get(&c->pw_by_name, name, &i))
		return cage_user_lookup(name, u, err); /* NSS-only account (LDAP...) */
	const struct pw_line *l = &c->pw[i];
	*u = (struct cage_user){.name = strdup(l->name), .uid = l->uid, .gid = l->gid,
				.gecos = strdup(l->gecos), .home = strdup(l->home),
				.shell = strdup(l->shell)};
	if (!u->name || !u->gecos || !u->home || !u->shell) {
		cage_user_free(u);
		return cage_err_sys(err, ENOMEM, "user %s", name);
	}
	return 0;
}
