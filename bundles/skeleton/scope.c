/* The scope of --update-list: which of the plan's entries a list of paths
 * covers.  A listed path brings what it brings when a .cfg lists it:
 *   - the entry itself, reached as the plan has it (a symlinked component,
 *     /bin -> usr/bin, is the symlink's entry plus the path below its
 *     target, so /bin/ls covers /bin and /usr/bin/ls);
 *   - a directory, everything below it;
 *   - an ELF program or library, its shared-library closure;
 *   - a symlink the plan followed, its target (and what is below a target
 *     directory deeper than two components, as the planner takes it);
 * and every entry covered brings its own closure and targets in turn.  The
 * directories above a covered entry are covered too (they are checked and
 * created).  Only what is at or below a listed path may be removed. */
#define _GNU_SOURCE
#include "skel_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

#define MAX_LINK_DEPTH 40

struct walk {
	const struct skel_plan *plan;
	struct skel_scope *s;
	bool *queued; /* per entry: what it brings is (to be) brought */
	size_t *todo; /* entries whose closure and target are still to be brought */
	size_t ntodo;
};

static ssize_t find(const struct skel_plan *plan, const char *path)
{
	uintptr_t pos;
	return cage_hash_get(&plan->index, path, &pos) ? (ssize_t)pos : -1;
}

/* Entry i is checked. */
static void cover(struct walk *w, size_t i)
{
	if (w->s->in[i])
		return;
	w->s->in[i] = true;
	w->s->n++;
}

/* Entry i is checked and brings what it brings (not so a directory or a
 * symlinked component met on the way to another entry). */
static void cover_bring(struct walk *w, size_t i)
{
	cover(w, i);
	if (w->queued[i])
		return;
	w->queued[i] = true;
	w->todo[w->ntodo++] = i;
}

/* First entry not sorting before key (the plan is sorted by path). */
static size_t lower_bound(const struct skel_plan *plan, const char *key)
{
	size_t lo = 0, hi = plan->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(plan->e[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Everything below the directory entry i: one range of the sorted plan. */
static int cover_below(struct walk *w, size_t i)
{
	const char *dir = w->plan->e[i].path;
	_cleanup_free_ char *prefix = NULL;
	if (asprintf(&prefix, "%s/", dir) < 0)
		return -1;
	size_t len = strlen(prefix);
	for (size_t k = lower_bound(w->plan, prefix); k < w->plan->n; k++) {
		if (strncmp(w->plan->e[k].path, prefix, len))
			break;
		cover_bring(w, k);
	}
	return 0;
}

/* Bring path as the planner brought it (add_path): cover the entries on
 * the way, following symlinked components through the plan's symlink
 * entries; then the entry itself, and with below (a listed path) what is
 * below it or, for a symlink, its target.  Where the plan has no entry, the
 * walk stops. */
static int bring(struct walk *w, const char *path, bool below, int depth)
{
	if (depth > MAX_LINK_DEPTH)
		return 0;
	_cleanup_free_ char *norm = cage_path_normalize(path);
	if (!norm)
		return errno == ENOMEM ? -1 : 0;
	if (!strcmp(norm, "/")) { /* everything */
		for (size_t k = 0; below && k < w->plan->n; k++)
			cover_bring(w, k);
		return 0;
	}
	for (char *s = norm + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char saved = *s;
		*s = '\0';
		ssize_t i = find(w->plan, norm);
		if (i < 0)
			return 0;
		const struct skel_entry *e = &w->plan->e[i];
		if (!saved) {
			cover_bring(w, (size_t)i);
			/* A listed symlink brings its target, as in a .cfg. */
			if (S_ISLNK(e->st.st_mode) && e->link && below) {
				_cleanup_free_ char *t = skel_resolve_link(norm, e->link);
				return t ? bring(w, t, !skel_is_shallow(t), depth + 1) : -1;
			}
			return below && S_ISDIR(e->st.st_mode) ? cover_below(w, (size_t)i) : 0;
		}
		cover(w, (size_t)i); /* a directory on the way, or a symlinked component */
		if (S_ISLNK(e->st.st_mode) && e->link) {
			_cleanup_free_ char *t = skel_resolve_link(norm, e->link);
			*s = saved;
			_cleanup_free_ char *rest = t ? cage_path_join(t, s) : NULL;
			return rest ? bring(w, rest, below, depth + 1) : -1;
		}
		*s = saved;
	}
}

/* What a covered entry brings in its turn: a followed symlink its target,
 * an ELF file its libraries. */
static int bring_from(struct walk *w, size_t i)
{
	const struct skel_entry *e = &w->plan->e[i];
	if (S_ISLNK(e->st.st_mode) && e->link && e->followed) {
		_cleanup_free_ char *t = skel_resolve_link(e->path, e->link);
		return t ? bring(w, t, !skel_is_shallow(t), 1) : -1;
	}
	if (!S_ISREG(e->st.st_mode) || e->content || !skel_maybe_elf(e->path, &e->st))
		return 0;
	cage_err_t err = {0};
	_cleanup_strvec_ cage_strvec_t deps = {0};
	if (cage_elf_closure(&w->plan->ld, "/", e->path, &deps, &err) < 0) {
		cage_info("%s: not following libraries: %s", e->path, err.msg);
		return 0;
	}
	for (size_t k = 0; k < deps.n; k++)
		if (bring(w, deps.v[k], false, 0) < 0)
			return -1;
	return 0;
}

/* The directories above every covered entry. */
static void cover_parents(struct walk *w)
{
	size_t n = w->plan->n;
	for (size_t i = 0; i < n; i++) {
		if (!w->s->in[i])
			continue;
		_cleanup_free_ char *p = strdup(w->plan->e[i].path);
		for (char *s = p ? strrchr(p, '/') : NULL; s && s > p; s = strrchr(p, '/')) {
			*s = '\0';
			ssize_t k = find(w->plan, p);
			if (k < 0 || w->s->in[k])
				break; /* its own parents are covered already */
			w->s->in[k] = true;
			w->s->n++;
		}
	}
}

/* path as the plan has it: its symlinked components (entries that are
 * symlinks) replaced by their targets, as far as the plan has them; the
 * last component is kept as it is.  NULL only without memory. */
static char *canonical(const struct skel_plan *plan, const char *path, int depth)
{
	char *norm = cage_path_normalize(path);
	if (!norm || depth > MAX_LINK_DEPTH)
		return norm;
	for (char *s = norm + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		ssize_t i = find(plan, norm);
		const struct skel_entry *e = i < 0 ? NULL : &plan->e[i];
		if (e && S_ISLNK(e->st.st_mode) && e->link) {
			_cleanup_free_ char *t = skel_resolve_link(norm, e->link);
			_cleanup_free_ char *rest = t ? cage_path_join(t, s + 1) : NULL;
			free(norm);
			return rest ? canonical(plan, rest, depth + 1) : NULL;
		}
		*s = '/';
		if (!e)
			break;
	}
	return norm;
}

static int add_listed(struct skel_scope *s, const char *path)
{
	if (cage_hash_add(&s->listed, path, 0) < 0)
		return -1;
	_cleanup_free_ char *p = strdup(path);
	for (char *sl = p ? strrchr(p, '/') : NULL; sl && sl > p; sl = strrchr(p, '/')) {
		*sl = '\0';
		if (cage_hash_add(&s->above, p, 0) < 0)
			return -1;
	}
	return p ? 0 : -1;
}

int skel_scope_build(const struct skel_plan *plan, const cage_strvec_t *only, struct skel_scope *s,
		     cage_err_t *err)
{
	memset(s, 0, sizeof(*s));
	struct walk w = {.plan = plan, .s = s};
	size_t n = plan->n ? plan->n : 1;
	s->in = calloc(n, sizeof(*s->in));
	w.queued = calloc(n, sizeof(*w.queued));
	w.todo = malloc(n * sizeof(*w.todo));
	int rc = s->in && w.queued && w.todo ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < only->n; i++) {
		rc = add_listed(s, only->v[i]);
		if (rc == 0)
			rc = bring(&w, only->v[i], true, 0);
	}
	/* Removal reaches below the listed path as the plan has it, too:
	 * the canonical path of a listed /bin/x is /usr/bin/x. */
	for (size_t i = 0; rc == 0 && i < only->n; i++) {
		_cleanup_free_ char *real = canonical(plan, only->v[i], 0);
		if (!real)
			rc = -1;
		else if (strcmp(real, only->v[i]))
			rc = add_listed(s, real);
	}
	while (rc == 0 && w.ntodo > 0)
		rc = bring_from(&w, w.todo[--w.ntodo]);
	if (rc == 0)
		cover_parents(&w);
	free(w.todo);
	free(w.queued);
	if (rc < 0) {
		skel_scope_free(s);
		return cage_err_sys(err, ENOMEM, "--update-list");
	}
	return 0;
}

static bool at_or_below(const cage_hashset_t *set, const char *path)
{
	if (cage_hash_get(set, path, NULL))
		return true;
	_cleanup_free_ char *p = strdup(path);
	for (char *s = p ? strrchr(p, '/') : NULL; s && s > p; s = strrchr(p, '/')) {
		*s = '\0';
		if (cage_hash_get(set, p, NULL))
			return true;
	}
	return cage_hash_get(set, "/", NULL);
}

bool skel_scope_removable(const struct skel_scope *s, const char *path)
{
	return at_or_below(&s->listed, path);
}

bool skel_scope_above(const struct skel_scope *s, const char *path)
{
	return cage_hash_get(&s->above, path, NULL);
}

void skel_scope_free(struct skel_scope *s)
{
	free(s->in);
	cage_hash_free(&s->listed);
	cage_hash_free(&s->above);
	memset(s, 0, sizeof(*s));
}
