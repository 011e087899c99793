/* Who is caged (manual: "Managing Users", "Excluding Users").
 *
 * State in /etc/cagefs (all plain files, so panels and admins can read it):
 *   enable.all              present: mode "Enable All", else "Disable All"
 *   users.enabled/USER      enabled in "Disable All" mode
 *   users.disabled/USER     disabled in "Enable All" mode
 *   users.suspended/USER    suspended (cagefs-hook user-suspended): every
 *                           entry refused, whatever the mode or switch
 *   exclude/FILE            files listing users never caged, one per line
 *   cagefs.disabled         present: CageFS is off for everyone (--disable-cagefs)
 *   cagefs.ini min_uid=N    the minimum uid (default: UID_MIN of /etc/login.defs)
 * toggle-mode only flips enable.all: both lists are kept. */
#ifndef CAGEFS_USERS_H
#define CAGEFS_USERS_H

#include <stdbool.h>
#include <sys/types.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"

struct cage_user {
	char *name;
	uid_t uid;
	gid_t gid;
	char *gecos, *home, *shell;
};

/* getpwnam_r (NSS: files, LDAP...).  Unknown user -> error "no such user". */
int cage_user_lookup(const char *name, struct cage_user *u, cage_err_t *err);
int cage_user_lookup_uid(uid_t uid, struct cage_user *u, cage_err_t *err);
void cage_user_free(struct cage_user *u);
/* Two-digit prefix of /var/cagefs/NN/USER: the last two digits of the uid. */
void cage_user_prefix(uid_t uid, char out[3]);

int cage_min_uid(const struct cage_paths *p, uid_t *out, cage_err_t *err);
int cage_set_min_uid(const struct cage_paths *p, uid_t uid, cage_err_t *err);

/* 1 in "Enable All" mode, 0 in "Disable All"; -1 if it cannot be told. */
int cage_mode_get(const struct cage_paths *p, cage_err_t *err);
int cage_mode_set(const struct cage_paths *p, bool enable_all, cage_err_t *err);

/* 1 if CageFS is on (no cagefs.disabled), 0 if off; -1 if it cannot be told. */
int cage_global_get(const struct cage_paths *p, cage_err_t *err);
int cage_global_set(const struct cage_paths *p, bool enabled, cage_err_t *err);

/* Users named in /etc/cagefs/exclude/ (loaded once). */
int cage_exclude_load(const struct cage_paths *p, cage_strvec_t *out, cage_err_t *err);

/* Can this account be caged at all?  0 yes; -1 with a message naming why
 * not (system account below the minimum uid, excluded, root). */
int cage_user_cageable(const struct cage_paths *p, const struct cage_user *u, uid_t min_uid,
		       const cage_strvec_t *excluded, cage_err_t *err);
/* Is it enabled under the current mode and lists (ignores cageability)?
 * 1 yes, 0 no, -1 if that cannot be told (a list that is not a directory,
 * a name no list can hold). */
int cage_user_enabled(const struct cage_paths *p, const char *name, cage_err_t *err);
/* Record the user as enabled or disabled under the current mode. */
int cage_user_set_enabled(const struct cage_paths *p, const char *name, bool enabled,
			  cage_err_t *err);

/* Suspension (cagefs-hook user-suspended, docs/ARCHITECTURE.md §4.23):
 * 1 suspended, 0 not, -1 if that cannot be told (the marker is unreadable,
 * or no marker can name NAME). */
int cage_user_suspended(const struct cage_paths *p, const char *name, cage_err_t *err);
/* Create or remove users.suspended/NAME: 1 if it changed, 0 if it already was so. */
int cage_user_set_suspended(const struct cage_paths *p, const char *name, bool suspended, cage_err_t *err);
/* Every marker of NAME (users.enabled, users.disabled, users.suspended)
 * removed (a deleted account), or renamed to NEW_NAME when that is not
 * NULL (a renamed one; a marker NEW_NAME already has is replaced).  The
 * number of markers removed or renamed. */
int cage_user_markers_move(const struct cage_paths *p, const char *name, const char *new_name,
			   cage_err_t *err);

/* THE answer to "is this user caged?", for every way in (cagefs_enter,
 * cagefs_enter_user, cagefsctl --enter, cagefs-runtime; the PAM module and
 * the proxy): 1 caged; 0 definitely not, with the reason in d->why (root,
 * CageFS switched off, a uid below the minimum, an exclude file, the mode
 * and lists); -1 if it cannot be decided (cagefs.ini malformed, a list or
 * exclude file unreadable: err names the file and line), and -1 with
 * d->suspended for a suspended account, whatever the mode or the global
 * switch.  Fail closed: a caller never runs a user uncaged on -1
 * (docs/ARCHITECTURE.md §3), so a suspended user's entry, PAM session and
 * proxy call are refused by every way in at once. */
struct cage_decision {
	bool caged;
	bool suspended; /* -1 because the account is suspended (not an error) */
	char why[CAGE_ERR_MSG_MAX]; /* not caged: why, in words for the user */
};
int cage_user_decide(const struct cage_paths *p, const struct cage_user *u, struct cage_decision *d,
		     cage_err_t *err);
/* The same without the global switch: the user's own status (root, the
 * minimum uid, the exclude files, the mode and lists), which is what
 * cagefsctl --user-status and the lists show. */
int cage_user_status(const struct cage_paths *p, const struct cage_user *u, struct cage_decision *d,
		     cage_err_t *err);

/* Every cageable account (uid >= min, not excluded) from the passwd
 * database, sorted by name, split by status; either list may be NULL. */
int cage_users_list(const struct cage_paths *p, cage_strvec_t *enabled, cage_strvec_t *disabled,
		    cage_err_t *err);

#endif
