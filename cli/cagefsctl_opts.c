/* cagefsctl's option table: the manual's ("Command-line Tools"), in its
 * order and words.  Options this version does not implement yet are listed
 * as such in --help and fail with exit status 2 when used. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/log.h"
#include "cagefsctl.h"

#define NOT_BUILT_EXIT 2

#ifndef CAGE_VERSION
#error "CAGE_VERSION comes from the file VERSION (Makefile)"
#endif

static int run_init(struct ctl *c) { return ctl_skeleton(c, CAGE_SKEL_INIT, "init"); }
static int run_reinit(struct ctl *c) { return ctl_skeleton(c, CAGE_SKEL_REINIT, "reinit"); }
static int run_update(struct ctl *c) { return ctl_skeleton(c, CAGE_SKEL_UPDATE, "update"); }
static int run_force(struct ctl *c) { return ctl_skeleton(c, CAGE_SKEL_FORCE, "force"); }
static int run_update_list(struct ctl *c)
{
	c->update_list = true;
	return ctl_skeleton(c, CAGE_SKEL_UPDATE, "update-list");
}
static int run_addrpm(struct ctl *c) { return ctl_addrpm(c, true); }
static int run_delrpm(struct ctl *c) { return ctl_addrpm(c, false); }

#define SKEL "Skeleton (run as: cagefsctl [OPTIONS])"
#define USERS "Users (run as: cagefsctl [OPTIONS] username [more usernames])"
#define PHP "PHP Selector (CloudLinux only: not provided by this implementation)"
#define COMMON "Common options"
#define LEARN "Seccomp learning (run as: cagefsctl --seccomp-learn USER [SECONDS])"
#define LIMITS "Resource limits (run as: cagefsctl --set-limits USER|default KEY=VALUE ...)"
#define SECCOMP "Seccomp (per-user overrides of the server's profile in /etc/cagefs/seccomp.d/USER)"

static const struct ctl_action actions[] = {
	{"init", 'i', run_init, true, true, SKEL, "initialize CageFS (create CageFS if it does not exist)"},
	{"reinit", 'r', run_reinit, true, true, SKEL, "reinitialize CageFS (make backup and recreate CageFS)"},
	{"update", 'u', run_update, true, true, SKEL,
	 "update files in CageFS (add new and modified files to CageFS, remove unneeded files)"},
	{"force", 'f', run_force, true, true, SKEL,
	 "recreate CageFS (do not make backup, overwrite existing files)"},
	{"create-mp", 0, ctl_create_mp, true, true, SKEL, "Creates /etc/cagefs/cagefs.mp file"},
	{"mount-skel", 0, ctl_mount_skel, true, true, SKEL, "mount CageFS skeleton directory"},
	{"unmount-skel", 0, ctl_mount_skel, true, true, SKEL, "unmount CageFS skeleton directory"},
	{"remove-all", 0, ctl_remove_all, true, true, SKEL,
	 "disable CageFS, remove templates and /var/cagefs directory"},
	{"sanity-check", 0, ctl_sanity_check, true, false, SKEL,
	 "perform basic self-diagnostics of common cagefs-related issues (--json)"},
	{"addrpm", 0, run_addrpm, true, true, SKEL,
	 "add packages to CageFS (dpkg or rpm; run cagefsctl --update to apply)"},
	{"delrpm", 0, run_delrpm, true, true, SKEL,
	 "remove packages from CageFS (run cagefsctl --update to apply)"},
	{"list-rpm", 0, ctl_list_rpm, false, false, SKEL, "list packages that are installed in CageFS"},
	{"enter", 'e', ctl_enter, true, false, SKEL, "enter into user's CageFS as root"},
	{"update-list", 0, run_update_list, true, true, SKEL,
	 "update specified files only (paths are read from stdin)"},
	{"update-etc", 0, ctl_update_etc, true, true, SKEL, "update /etc directory of all or specified users"},
	{"set-update-period", 0, ctl_set_update_period, true, true, SKEL,
	 "set min period of update of CageFS in days (default = 1 day)"},
	{"force-update", 0, run_update, true, true, SKEL, "force update of CageFS (ignore period of update)"},
	{"cron-update", 0, ctl_cron_update, true, true, SKEL,
	 "update CageFS only if the update period has passed (run daily by cron)"},
	{"force-update-etc", 0, ctl_force_update_etc, true, true, SKEL, "force update of /etc directories for users in CageFS"},
	{"reconfigure-cagefs", 0, ctl_reconfigure, true, true, SKEL,
	 "configure CageFS integration with other software (control panels, database servers, etc)"},
	{"remount", 'm', ctl_remount, true, true, USERS, "remount specified user(s)"},
	{"remount-all", 'M', ctl_remount_all, true, true, USERS,
	 "remount CageFS skeleton directory and all users (use this each time you have changed cagefs.mp file)"},
	{"unmount", 'w', ctl_unmount, true, true, USERS, "unmount specified user(s)"},
	{"unmount-dir", 0, ctl_unmount_dir, true, true, USERS, "unmount specified dir for all users"},
	{"unmount-all", 'W', ctl_unmount_all, true, true, USERS, "unmount CageFS skeleton directory and all users"},
	{"list", 'l', ctl_list_cages, true, false, USERS, "list users that entered in CageFS"},
	{"list-logged-in", 0, ctl_list_logged_in, true, false, USERS, "list users that entered in CageFS via SSH"},
	{"enable", 0, ctl_enable, true, true, USERS, "enable CageFS for the user"},
	{"disable", 0, ctl_disable, true, true, USERS, "disable CageFS for the user"},
	{"enable-all", 0, ctl_enable_all, true, true, USERS,
	 "enable all users, except specified in /etc/cagefs/users.disabled"},
	{"disable-all", 0, ctl_disable_all, true, true, USERS,
	 "disable all users, except specified in /etc/cagefs/users.enabled"},
	{"display-user-mode", 0, ctl_display_user_mode, false, false, USERS,
	 "display the current mode (\"Enable All\" or \"Disable All\")"},
	{"toggle-mode", 0, ctl_toggle_mode, true, true, USERS,
	 "toggle mode saving current lists of users (lists of enabled and disabled users remain unchanged)"},
	{"list-enabled", 0, ctl_list_enabled, false, false, USERS, "list enabled users"},
	{"list-disabled", 0, ctl_list_disabled, false, false, USERS, "list disabled users"},
	{"user-status", 0, ctl_user_status, false, false, USERS, "print status of specified user (enabled or disabled)"},
	{"getprefix", 0, ctl_getprefix, false, false, USERS, "display prefix for user"},
	{"create-virt-mp", 0, ctl_create_virt_mp, true, true, USERS, "create virtual mount points for the user"},
	{"create-virt-mp-all", 0, ctl_create_virt_mp_all, true, true, USERS, "create virtual mount points for all users"},
	{"remount-virtmp", 0, ctl_remount_virtmp, true, true, USERS, "create virtual mount points and remount user"},
	{"setup-cl-selector", 0, NULL, true, true, PHP, "setup PHP Selector or register new alt-php versions"},
	{"remove-cls-selector", 0, NULL, true, true, PHP, "unregister alt-php versions"},
	{"rebuild-alt-php-ini", 0, NULL, true, true, PHP, "rebuild alt_php.ini file for specified users"},
	{"validate-alt-php-ini", 0, NULL, true, true, PHP, "same as --rebuild-alt-php-ini but also validates"},
	{"cl-selector-reset-versions", 0, NULL, true, true, PHP, "reset php version for specified users"},
	{"cl-selector-reset-modules", 0, NULL, true, true, PHP, "reset php modules for specified users"},
	{"apply-global-php-ini", 0, NULL, true, true, PHP, "apply global php options"},
	{"set-limits", 0, ctl_set_limits, true, true, LIMITS,
	 "set limits of a user or of default: cpu=50% (of one CPU) memory=1G pids=100 io=10M (bytes/s) "
	 "iops=500; max lifts a default, KEY= drops the user's own value"},
	{"limits", 0, ctl_limits, false, false, LIMITS,
	 "show the limits of every line of /etc/cagefs/limits.conf, or of the named users, with memory "
	 "and processes in use (--json)"},
	{"seccomp-show", 0, ctl_seccomp_show, true, false, SECCOMP,
	 "show the seccomp filter a user's entries get (its config.json), per action, and whether the files "
	 "changed since (--json: the OCI object)"},
	{"seccomp-check", 0, ctl_seccomp_check, false, false, SECCOMP,
	 "check seccomp profiles (.json) and override files with file:line errors; no FILE: "
	 "/etc/cagefs/seccomp.json and every file of /etc/cagefs/seccomp.d"},
	{"seccomp-apply", 0, ctl_seccomp_apply, true, true, SECCOMP,
	 "install FILE (default /etc/cagefs/seccomp.proposed/USER) as USER's override once it checks, and "
	 "write USER's bundle"},
	{"seccomp-learn", 0, ctl_seccomp_learn, true, false, LEARN,
	 "for SECONDS (default 600), new entries of USER record and allow what the seccomp profile refuses"},
	{"seccomp-learn-stop", 0, ctl_seccomp_learn_stop, true, false, LEARN, "end USER's learning now"},
	{"seccomp-report", 0, ctl_seccomp_report, true, false, LEARN,
	 "what USER's learning saw, and a proposed override in /etc/cagefs/seccomp.proposed/USER (--json)"},
	{"seccomp-denials", 0, ctl_seccomp_denials, true, false, LEARN,
	 "the seccomp denials the kernel logged (log-denials), of all or the named users (--json)"},
	{"disable-cagefs", 0, ctl_disable_cagefs, true, true, COMMON, "disable CageFS"},
	{"enable-cagefs", 0, ctl_enable_cagefs, true, true, COMMON, "enable CageFS"},
	{"cagefs-status", 0, ctl_cagefs_status, false, false, COMMON, "print CageFS status: (enabled or disabled)"},
	{"set-min-uid", 0, ctl_set_min_uid, true, true, COMMON, "Set min UID"},
	{"get-min-uid", 0, ctl_get_min_uid, false, false, COMMON, "Display current MIN_UID setting"},
	{"print-suids", 0, ctl_print_suids, false, false, COMMON,
	 "Print list of SUID and SGID programs in skeleton"},
	{"clean-var-cagefs", 0, ctl_clean_var_cagefs, true, true, COMMON,
	 "clean /var/cagefs directory (remove data of non-existent users)"},
	{"set-tmpwatch", 0, ctl_set_tmpwatch, true, true, COMMON,
	 "set tmpwatch command and parameters (save to /etc/cagefs/cagefs.ini file)"},
	{"tmpwatch", 0, ctl_tmpwatch, true, false, COMMON,
	 "execute tmpwatch (remove outdated files in tmp directories in CageFS for all users)"},
	{"toggle-plugin", 0, NULL, true, true, COMMON, "disable/enable CageFS plugin"},
};
#define N_ACTIONS (sizeof(actions) / sizeof(*actions))

/* Modifiers that combine with an action. */
enum { OPT_DONT_CLEAN = 'd', OPT_HARDLINK = 'k', OPT_VERBOSE = 'v', OPT_HELP = 'h',
       OPT_WAIT_LOCK = 1000, OPT_DO_NOT_ASK, OPT_JSON, OPT_VERSION, OPT_ACTION_BASE = 2000 };

static const struct { const char *flags, *help; } modifiers[] = {
	{"-d, --dont-clean", "do not delete any files from skeleton (use with --update option)"},
	{"-k, --hardlink", "use hardlinks if possible"},
	{"    --do-not-ask", "assume \"yes\" in all queries (should be the first option in command)"},
	{"-v, --verbose", "verbose output"},
	{"    --wait-lock", "wait for end of execution of other cagefsctl processes (when needed) "
			    "before execution of the command"},
	{"    --json", "machine-readable output where supported"},
	{"-h, --help", "this message"},
	{"    --version", "print the version and exit"},
};

static void print_help(FILE *out)
{
	fprintf(out, "Usage: cagefsctl [OPTIONS] [username ...]\n");
	const char *group = NULL;
	for (size_t i = 0; i < N_ACTIONS; i++) {
		const struct ctl_action *a = &actions[i];
		if (!group || strcmp(group, a->group)) {
			group = a->group;
			fprintf(out, "\n%s:\n", group);
		}
		char flags[64];
		snprintf(flags, sizeof(flags), "%c%c%c --%s", a->short_opt ? '-' : ' ',
			 a->short_opt ? a->short_opt : ' ', a->short_opt ? ',' : ' ', a->name);
		fprintf(out, "  %-26s %s%s\n", flags, a->help, a->run ? "" : " [not available yet]");
	}
	fprintf(out, "\n%s:\n", COMMON " that modify the above");
	for (size_t i = 0; i < sizeof(modifiers) / sizeof(*modifiers); i++)
		fprintf(out, "  %-26s %s\n", modifiers[i].flags, modifiers[i].help);
}

static struct option *build_longopts(void)
{
	static struct option opts[N_ACTIONS + 9];
	size_t n = 0;
	for (size_t i = 0; i < N_ACTIONS; i++)
		opts[n++] = (struct option){actions[i].name, optional_argument, NULL,
					    OPT_ACTION_BASE + (int)i};
	opts[n++] = (struct option){"dont-clean", no_argument, NULL, OPT_DONT_CLEAN};
	opts[n++] = (struct option){"hardlink", no_argument, NULL, OPT_HARDLINK};
	opts[n++] = (struct option){"verbose", no_argument, NULL, OPT_VERBOSE};
	opts[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	opts[n++] = (struct option){"wait-lock", no_argument, NULL, OPT_WAIT_LOCK};
	opts[n++] = (struct option){"do-not-ask", no_argument, NULL, OPT_DO_NOT_ASK};
	opts[n++] = (struct option){"json", no_argument, NULL, OPT_JSON};
	opts[n++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	opts[n] = (struct option){0};
	return opts;
}

static int action_by_short(int ch)
{
	for (size_t i = 0; i < N_ACTIONS; i++)
		if (actions[i].short_opt == ch)
			return (int)i;
	return -1;
}

static const struct ctl_action *usage_error(struct ctl *c, const char *msg, const char *arg)
{
	fprintf(stderr, "cagefsctl: %s%s\nTry 'cagefsctl --help' for more information.\n", msg,
		arg ? arg : "");
	c->exit_code = 1;
	return NULL;
}

static bool set_modifier(struct ctl *c, int ch)
{
	switch (ch) {
	case OPT_DONT_CLEAN: c->dont_clean = true; return true;
	case OPT_HARDLINK: c->hardlink = true; return true;
	case OPT_VERBOSE: c->verbose = true; return true;
	case OPT_WAIT_LOCK: c->wait_lock = true; return true;
	case OPT_DO_NOT_ASK: c->do_not_ask = true; return true;
	case OPT_JSON: c->json = true; return true;
	default: return false;
	}
}

const char *ctl_user_arg(struct ctl *c, const char *opt, int *rest)
{
	if (rest)
		*rest = c->optval ? 0 : 1;
	const char *user = c->optval ? c->optval : c->nargs ? c->args[0] : NULL;
	if (!user)
		cage_err_set(&c->err, "--%s needs a user name", opt);
	return user;
}

const struct ctl_action *ctl_parse(struct ctl *c, int argc, char **argv)
{
	const struct option *longopts = build_longopts();
	int chosen = -1, ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "irufdkemMwWlvh", longopts, NULL)) != -1) {
		int idx = ch >= OPT_ACTION_BASE ? ch - OPT_ACTION_BASE : action_by_short(ch);
		if (ch == OPT_HELP || ch == OPT_VERSION) {
			if (ch == OPT_HELP)
				print_help(stdout);
			else
				printf("cagefsctl %s\n", CAGE_VERSION);
			/* Exit status 1 if stdout could not take it (a full disk). */
			c->exit_code = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
			return NULL;
		}
		if (set_modifier(c, ch))
			continue;
		if (idx < 0)
			return usage_error(c, "unknown option: ", argv[optind - 1]);
		if (chosen >= 0 && chosen != idx)
			return usage_error(c, "only one action at a time; also got --", actions[idx].name);
		chosen = idx;
		c->optval = optarg;
	}
	c->args = argv + optind;
	c->nargs = argc - optind;
	if (chosen < 0)
		return usage_error(c, "no action given", NULL);
	const struct ctl_action *a = &actions[chosen];
	if (!a->run) {
		fprintf(stderr, "cagefsctl: --%s is not available yet in this version\n", a->name);
		c->exit_code = NOT_BUILT_EXIT;
		return NULL;
	}
	if (c->dont_clean && a->run != run_update && a->run != run_update_list)
		return usage_error(c, "--dont-clean only goes with --update", NULL);
	return a;
}
