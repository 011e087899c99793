/* The skeleton's /etc/passwd and /etc/group: root plus the accounts the
 * conf.d files name in users= and groups= (manual: "File System Templates").
 * Read straight from the files, not NSS: the skeleton must never pick up a
 * hosting account from LDAP or sssd.  Group member lists keep only the
 * accounts carried over, so no other user's name can leak through them. */
#define _GNU_SOURCE
#include "skel_internal.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"

static const char *host_file(const char *name)
{
	/* CAGEFS_HOST_ETC lets unit tests point at fixture files. */
	static char buf[4096];
	const char *dir = secure_getenv("CAGEFS_HOST_ETC");
	snprintf(buf, sizeof(buf), "%s/%s", dir && dir[0] == '/' ? dir : "/etc", name);
	return buf;
}

static int gen_passwd(struct skel_plan *p, cage_strvec_t *gids, cage_err_t *err)
{
	_cleanup_fclose_ FILE *in = fopen(host_file("passwd"), "re");
	if (!in)
		return cage_err_sys(err, errno, "cannot read %s", host_file("passwd"));
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return cage_err_sys(err, errno, "open_memstream");
	struct passwd *pw;
	cage_strvec_t seen = {0};
	while ((pw = fgetpwent(in))) {
		if (pw->pw_uid != 0 && !cage_strvec_contains(&p->users, pw->pw_name))
			continue;
		if (cage_strvec_contains(&seen, pw->pw_name))
			continue;
		char gid[32];
		snprintf(gid, sizeof(gid), "%u", (unsigned)pw->pw_gid);
		cage_strvec_push(&seen, pw->pw_name);
		cage_strvec_push(gids, gid);
		putpwent(pw, out);
	}
	for (size_t i = 0; i < p->users.n; i++)
		if (!cage_strvec_contains(&seen, p->users.v[i]))
			cage_warn("users=%s: no such account in /etc/passwd, skipped", p->users.v[i]);
	/* Members of carried groups are filtered against this list. */
	for (size_t i = 0; i < seen.n; i++)
		cage_strvec_push(&p->users, seen.v[i]);
	cage_strvec_free(&seen);
	fclose(out);
	return skel_plan_add_generated(p, "/etc/passwd", buf, len) < 0
		       ? cage_err_sys(err, ENOMEM, "/etc/passwd") : 0;
}

static void filter_members(struct group *gr, const cage_strvec_t *users)
{
	size_t w = 0;
	for (size_t r = 0; gr->gr_mem && gr->gr_mem[r]; r++)
		if (cage_strvec_contains(users, gr->gr_mem[r]))
			gr->gr_mem[w++] = gr->gr_mem[r];
	if (gr->gr_mem)
		gr->gr_mem[w] = NULL;
}

static int gen_group(struct skel_plan *p, const cage_strvec_t *gids, cage_err_t *err)
{
	_cleanup_fclose_ FILE *in = fopen(host_file("group"), "re");
	if (!in)
		return cage_err_sys(err, errno, "cannot read %s", host_file("group"));
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return cage_err_sys(err, errno, "open_memstream");
	struct group *gr;
	cage_strvec_t seen = {0};
	while ((gr = fgetgrent(in))) {
		char gid[32];
		snprintf(gid, sizeof(gid), "%u", (unsigned)gr->gr_gid);
		bool wanted = gr->gr_gid == 0 || cage_strvec_contains(&p->groups, gr->gr_name) ||
			      cage_strvec_contains(gids, gid);
		if (!wanted || cage_strvec_contains(&seen, gr->gr_name))
			continue;
		cage_strvec_push(&seen, gr->gr_name);
		filter_members(gr, &p->users);
		putgrent(gr, out);
	}
	for (size_t i = 0; i < p->groups.n; i++)
		if (!cage_strvec_contains(&seen, p->groups.v[i]))
			cage_warn("groups=%s: no such group in /etc/group, skipped", p->groups.v[i]);
	cage_strvec_free(&seen);
	fclose(out);
	return skel_plan_add_generated(p, "/etc/group", buf, len) < 0
		       ? cage_err_sys(err, ENOMEM, "/etc/group") : 0;
}

int skel_users_generate(struct skel_plan *p, cage_err_t *err)
{
	_cleanup_strvec_ cage_strvec_t gids = {0};
	if (gen_passwd(p, &gids, err) < 0)
		return -1;
	return gen_group(p, &gids, err);
}
