/* What cagefsctl --update puts in the skeleton for proxied commands
 * (manual: "Executing By Proxy": "Once program is defined, run cagefsctl
 * --update to populate the skeleton"): the wrappers themselves, under
 * /usr/share/cagefs/safeprograms, and at each proxied path a copy of its
 * wrapper, so running `passwd` in a cage runs the wrapper, which asks
 * proxyexecd to run the real one outside.  Aliases marked noproceed get no
 * copy: they share the program of an alias that has one. */
#define _GNU_SOURCE
#include "cagefs/proxy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"
#include "cagefs/skeleton.h"

void cage_proxy_wrappers_free(struct cage_proxy_wrapper *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(w[i].dest);
		free(w[i].source);
	}
	free(w);
}

struct list {
	struct cage_proxy_wrapper *w;
	size_t n, cap;
};

/* Add DEST <- SOURCE once (a wrapper shared by several paths is listed
 * once under safeprograms). */
static int push(struct list *l, const char *dest, const char *source, cage_err_t *err)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->w[i].dest, dest))
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct cage_proxy_wrapper *v = reallocarray(l->w, cap, sizeof(*v));
		if (!v)
			return cage_err_sys(err, ENOMEM, "wrappers");
		l->w = v;
		l->cap = cap;
	}
	char *d = strdup(dest), *s = strdup(source);
	if (!d || !s) {
		free(d), free(s);
		return cage_err_sys(err, ENOMEM, "wrappers");
	}
	l->w[l->n++] = (struct cage_proxy_wrapper){.dest = d, .source = s};
	return 0;
}

/* The wrapper of C: installed with cagefs, a root-owned file. */
static int wrapper_of(const struct cage_proxy_cmd *c, char **out, cage_err_t *err)
{
	const char *name = c->wrapper ? c->wrapper : CAGE_PROXY_DEFAULT_WRAPPER;
	*out = cage_path_join(CAGE_PROXY_SAFEPROGRAMS, name);
	if (!*out)
		return cage_err_sys(err, ENOMEM, "path");
	struct stat st;
	if (stat(*out, &st) < 0)
		return cage_err_sys(err, errno, "%s:%u: the wrapper of %s, %s", c->file, c->line, c->alias, *out);
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		return cage_err_set(err, "%s:%u: the wrapper %s must be a regular file only root can change", c->file,
				    c->line, *out);
	return 0;
}

static int collect(const struct cage_proxy_cmds *t, struct list *l, cage_err_t *err)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct cage_proxy_cmd *c = &t->c[i];
		if (c->noproceed)
			continue;
		_cleanup_free_ char *w = NULL;
		if (wrapper_of(c, &w, err) < 0 || push(l, w, w, err) < 0 || push(l, c->path, w, err) < 0)
			return -1;
	}
	if (t->n) { /* named wrappers call the default one with an alias */
		_cleanup_free_ char *d = cage_path_join(CAGE_PROXY_SAFEPROGRAMS, CAGE_PROXY_DEFAULT_WRAPPER);
		struct stat st;
		if (!d || stat(d, &st) < 0)
			return cage_err_sys(err, d ? errno : ENOMEM, "the default wrapper %s", d ? d : "");
		return push(l, d, d, err);
	}
	return 0;
}

int cage_proxy_wrappers(const struct cage_paths *p, struct cage_proxy_wrapper **out, size_t *n, cage_err_t *err)
{
	struct cage_proxy_cmds t = {0};
	struct list l = {0};
	*out = NULL;
	*n = 0;
	if (cage_proxy_cmds_load(p, &t, err) < 0)
		return -1;
	int rc = collect(&t, &l, err);
	cage_proxy_cmds_free(&t);
	if (rc < 0) {
		cage_proxy_wrappers_free(l.w, l.n);
		return -1;
	}
	*out = l.w;
	*n = l.n;
	return 0;
}

int cage_proxy_skeleton_build(const struct cage_skel_opts *o, struct cage_skel_stats *st, cage_err_t *err)
{
	struct cage_proxy_wrapper *w;
	size_t n;
	if (cage_proxy_wrappers(o->paths, &w, &n, err) < 0)
		return cage_err_prefix(err, "proxied commands");
	struct cage_skel_extra *x = calloc(n + 1, sizeof(*x));
	if (!x) {
		cage_proxy_wrappers_free(w, n);
		return cage_err_sys(err, ENOMEM, "wrappers");
	}
	for (size_t i = 0; i < n; i++)
		x[i] = (struct cage_skel_extra){.dest = w[i].dest, .source = w[i].source};
	struct cage_skel_opts own = *o;
	own.extra = x;
	own.nextra = n;
	int rc = cage_skeleton_build(&own, st, err);
	free(x);
	cage_proxy_wrappers_free(w, n);
	return rc;
}
