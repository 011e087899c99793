/* Where pam_cagefs.so stands in a service's session stack, read from
 * /etc/pam.d as Linux-PAM reads it (pam.conf(5)): "[-]session CONTROL
 * MODULE ARGS", "session include|substack FILE" and "@include FILE".  A
 * service whose stack lacks the module lets a caged user in uncaged
 * (docs/ARCHITECTURE.md §4.16, §4.19). */
#define _GNU_SOURCE
#include "sanity_internal.h"

#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "cagefs/cleanup.h"
#include "cagefs/safefs.h"

#define MODULE "pam_cagefs.so"
#define MAX_DEPTH 8 /* Linux-PAM's own include limit is about this */

enum { NOT_THERE, WEAK, REQUIRED };

static bool is_module(const char *path)
{
	const char *base = strrchr(path, '/');
	return !strcmp(base ? base + 1 : path, MODULE);
}

/* Controls that refuse the session when the module refuses it: "required",
 * "requisite", or a bracketed one that sends the module's failure to "die"
 * or "bad" by default. */
static bool fails_closed(const char *control)
{
	if (!strcmp(control, "required") || !strcmp(control, "requisite"))
		return true;
	return control[0] == '[' && (strstr(control, "default=die") || strstr(control, "default=bad"));
}

/* The next field of *S (a bracketed control is one field); NULL at the end. */
static char *field(char **s)
{
	char *p = *s + strspn(*s, " \t");
	if (!*p)
		return NULL;
	char *end = *p == '[' ? strchr(p, ']') : NULL;
	end = end ? end + 1 : p + strcspn(p, " \t");
	if (*end)
		*end++ = '\0';
	*s = end;
	return p;
}

static int scan(const char *service, int depth, char *control, size_t size, cage_err_t *err);

static int scan_line(char *line, int depth, char *control, size_t size, cage_err_t *err)
{
	line[strcspn(line, "#\n")] = '\0';
	char *s = line, *type = field(&s), *ctl = field(&s), *mod = field(&s);
	if (type && ctl && !strcmp(type, "@include"))
		return scan(ctl, depth + 1, control, size, err);
	if (!type || !ctl || !mod || strcmp(type[0] == '-' ? type + 1 : type, "session"))
		return NOT_THERE;
	if (!strcmp(ctl, "include") || !strcmp(ctl, "substack"))
		return scan(mod, depth + 1, control, size, err);
	if (!is_module(mod))
		return NOT_THERE;
	snprintf(control, size, "%s", ctl);
	return fails_closed(ctl) ? REQUIRED : WEAK;
}

static int scan(const char *service, int depth, char *control, size_t size, cage_err_t *err)
{
	if (depth > MAX_DEPTH)
		return cage_err_set(err, "%s: includes nested too deep", service);
	_cleanup_free_ char *f = service[0] == '/' ? strdup(service) : cage_path_join(SANITY_PAM_DIR, service);
	if (!f)
		return cage_err_sys(err, ENOMEM, "path");
	_cleanup_fclose_ FILE *in = fopen(f, "re");
	if (!in)
		return errno == ENOENT && depth ? NOT_THERE : cage_err_sys(err, errno, "cannot read %s", f);
	char line[4096];
	int best = NOT_THERE;
	while (fgets(line, sizeof(line), in)) {
		int r = scan_line(line, depth, control, size, err);
		if (r < 0)
			return -1;
		if (r > best)
			best = r;
	}
	return best;
}

int sanity_pam_module(const char *service, bool *missing, char *control, size_t size, cage_err_t *err)
{
	_cleanup_free_ char *f = cage_path_join(SANITY_PAM_DIR, service);
	*missing = f && access(f, F_OK) < 0 && errno == ENOENT;
	control[0] = '\0';
	if (*missing)
		return 0;
	int r = scan(service, 0, control, size, err);
	return r < 0 ? -1 : r == REQUIRED;
}
