/* Argument rules of proxied programs (docs/ARCHITECTURE.md §4.18).  A
 * proxied command runs outside the cage, sometimes as root (the manual's
 * crontab example is "root:"), so what the caller may ask of it is
 * narrowed here, per program, to what a hosting user needs: an allow list,
 * never a list of what is forbidden (fail closed).  Pure functions of their
 * arguments: tests/unit/test_proxy.c checks them without root. */
#define _GNU_SOURCE
#include "cagefs/proxy.h"

#include <errno.h>
#include <string.h>

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int push(cage_strvec_t *out, const char *s, cage_err_t *err)
{
	return cage_strvec_push(out, s) < 0 ? cage_err_sys(err, ENOMEM, "arguments") : 0;
}

/* crontab: only the caller's own crontab, listed (-l), removed (-r) or
 * replaced from stdin (-) or from a FILE the daemon opens for the caller
 * (inside the caller's home, no symlink followed); run as another user
 * (the manual's root: pattern) it gets "-u CALLER".  -e would start an
 * editor outside the cage (as root in the manual's pattern): the wrapper
 * edits in the cage instead. */
static int crontab_rules(const char *caller, bool as_other, const cage_strvec_t *args, cage_strvec_t *out,
			 const char **file_arg, cage_err_t *err)
{
	for (size_t i = 0; i < args->n; i++) {
		if (!strncmp(args->v[i], "-u", 2))
			return cage_err_set(err, "crontab -u: a proxied crontab is always your own");
		if (!strcmp(args->v[i], "-e"))
			return cage_err_set(err, "crontab -e: edit with the crontab of your cage, which saves through -");
	}
	if (args->n != 1)
		return cage_err_set(err, "crontab: give exactly one of -l, -r, - or FILE (got %zu arguments)", args->n);
	const char *a = args->v[0];
	if (a[0] == '-' && strcmp(a, "-l") && strcmp(a, "-r") && strcmp(a, "-"))
		return cage_err_set(err, "crontab: option %s is not allowed", a);
	if (as_other && (push(out, "-u", err) < 0 || push(out, caller, err) < 0))
		return -1;
	if (a[0] != '-') {
		*file_arg = a;
		a = "-";
	}
	return push(out, a, err);
}

/* sendmail (and the same interface as exim, exim4): submit a message,
 * nothing else.  -be (expansion test mode), -C (another configuration),
 * -bh, -bt, -d, -X, -O and queue runs would let the caller test or steer
 * the mail system itself. */
static bool sendmail_flag(const char *a)
{
	static const char *const flags[] = {"-t", "-i", "-oi", "-odb", "-odi", "-odq", "-oem", "-oee",
					    "-oep", "-oeq", "-oew", "-bm", "-v", "-U", NULL};
	for (size_t i = 0; flags[i]; i++)
		if (!strcmp(a, flags[i]))
			return true;
	return false;
}

static int sendmail_rules(const cage_strvec_t *args, cage_strvec_t *out, cage_err_t *err)
{
	bool addresses = false;
	for (size_t i = 0; i < args->n; i++) {
		const char *a = args->v[i];
		/* -N is not here: Sendmail's -N takes a value, exim's none, so
		 * what follows it means different things to each. */
		bool with_value = a[0] == '-' && a[1] && strchr("fFrB", a[1]);
		if (addresses || a[0] != '-' || sendmail_flag(a) || !strcmp(a, "--")) {
			addresses |= !strcmp(a, "--");
		} else if (with_value && !a[2]) {
			if (++i >= args->n)
				return cage_err_set(err, "sendmail: option %s needs a value", a);
			/* Exim's -N takes no value: "-N -be" is -be to it.  A
			 * value never starts with '-', whatever the MTA. */
			if (args->v[i][0] == '-')
				return cage_err_set(err, "sendmail: the value of %s may not start with '-' (%s)", a,
						    args->v[i]);
			if (push(out, a, err) < 0)
				return -1;
			a = args->v[i];
		} else if (!with_value) {
			return cage_err_set(err, "sendmail: option %s is not allowed (only message submission%s)", a,
					    !strncmp(a, "-be", 3) ? "; -be is expansion test mode" :
					    !strncmp(a, "-C", 2) ? "; -C names another configuration" : "");
		}
		if (push(out, a, err) < 0)
			return -1;
	}
	return 0;
}

/* passwd: the caller's own password only, as the caller (passwd is setuid
 * root and asks for the current password).  As another user (root) it
 * would change the caller's password without asking: refused. */
static int passwd_rules(const char *caller, bool as_other, const cage_strvec_t *args, cage_strvec_t *out,
			cage_err_t *err)
{
	if (as_other)
		return cage_err_set(err, "passwd runs as the caller only (as another user it would not ask for "
				    "the current password)");
	for (size_t i = 0; i < args->n; i++) {
		const char *a = args->v[i];
		if (strcmp(a, "-S") && strcmp(a, caller))
			return cage_err_set(err, "passwd: %s is not allowed (your own password only; -S shows its "
					    "status)", a);
		if (push(out, a, err) < 0)
			return -1;
	}
	return 0;
}

int cage_proxy_rules(const char *path, const char *caller, bool as_other, const cage_strvec_t *args,
		     cage_strvec_t *out, const char **file_arg, cage_err_t *err)
{
	const char *b = base_name(path);
	*file_arg = NULL;
	if (!strcmp(b, "crontab"))
		return crontab_rules(caller, as_other, args, out, file_arg, err);
	if (!strcmp(b, "sendmail") || !strcmp(b, "exim") || !strcmp(b, "exim4"))
		return sendmail_rules(args, out, err);
	if (!strcmp(b, "passwd"))
		return passwd_rules(caller, as_other, args, out, err);
	for (size_t i = 0; i < args->n; i++)
		if (push(out, args->v[i], err) < 0)
			return -1;
	return 0;
}
