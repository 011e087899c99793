/* cagefsctl --reconfigure-cagefs (manual: "Command-line Tools", "PostgreSQL
 * support"; docs/ARCHITECTURE.md §4.21): find the unix sockets of services
 * installed on the host that caged scripts connect to, and list their
 * directories in cagefs.mp.  Detection reads each service's own
 * configuration, never package names: a package may be installed with its
 * socket moved, or configured by hand without a package. */
#ifndef CAGEFS_RECONFIGURE_H
#define CAGEFS_RECONFIGURE_H

#include <stdbool.h>
#include <stddef.h>
#include "cagefs/error.h"
#include "cagefs/paths.h"
#include "cagefs/strvec.h"

enum cage_svc {
	CAGE_SVC_MYSQL,     /* MariaDB/MySQL: socket= in /etc/mysql/ (all *.cnf) */
	CAGE_SVC_POSTGRES,  /* unix_socket_directories in /etc/postgresql/V/C/postgresql.conf */
	CAGE_SVC_PHPFPM,    /* listen = PATH of pools in /etc/php/V/fpm/pool.d/ (*.conf) */
	CAGE_SVC_REDIS,     /* unixsocket in /etc/redis/ (*.conf) */
	CAGE_SVC_MEMCACHED, /* -s PATH in /etc/memcached*.conf */
	CAGE_SVC_COUNT
};

/* One socket named by a configuration file (or a service's default). */
struct cage_svc_sock {
	enum cage_svc svc;
	char *path;   /* the socket (PostgreSQL: its directory), as configured */
	char *source; /* "file:line", or "file (default)" when the file sets none */
};
struct cage_svc_socks {
	struct cage_svc_sock *v;
	size_t n, cap;
};

/* Parse one configuration file of SVC (a buffer: fuzzed).  Sockets found are
 * appended to out; each malformed line adds "file:line: what is wrong" to
 * problems and the rest of the file is still read.  TCP listeners, abstract
 * sockets and commented lines name no socket.  -1 only when out of memory.
 * *configured is set when the file names the socket setting at all (even a
 * malformed one), so that a default is not assumed for it. */
int cage_svc_parse(enum cage_svc svc, const char *file, const char *buf, size_t len,
		   struct cage_svc_socks *out, cage_strvec_t *problems, bool *configured);
void cage_svc_socks_free(struct cage_svc_socks *s);
const char *cage_svc_name(enum cage_svc svc);  /* "mysql", "postgresql", ... */
const char *cage_svc_title(enum cage_svc svc); /* "MariaDB/MySQL", ... */

enum cage_reconf_action {
	CAGE_RECONF_ADDED,    /* the directory is now a line of cagefs.mp */
	CAGE_RECONF_COVERED,  /* already shared by a line of cagefs.mp */
	CAGE_RECONF_REFUSED,  /* sharing it would expose other users' files */
	CAGE_RECONF_PERUSER,  /* inside a user's home: the cage shows it already */
	CAGE_RECONF_CONFLICT, /* listed as @ or %: a private copy hides the socket */
};
struct cage_reconf_item {
	struct cage_svc_sock sock;
	char *dir;    /* the directory that would be shared */
	enum cage_reconf_action action;
	char *why;    /* one line for the administrator */
};
struct cage_reconf {
	char *mp_path;
	struct cage_reconf_item *v;
	size_t n, cap;
	cage_strvec_t problems; /* "file:line: ..." of malformed configuration */
	bool created;           /* cagefs.mp did not exist (written from --create-mp's text) */
	bool changed;           /* cagefs.mp was written */
};
const char *cage_reconf_action_word(enum cage_reconf_action a); /* "added", ... */

/* Scan the services' configuration on this host, decide each socket
 * directory, and append the new ones to paths->etc/cagefs.mp (atomically, every other byte kept; nothing
 * written when nothing is new).  A cagefs.mp that does not parse is never
 * changed: -1 with its file:line error.  Live cages are not touched: the
 * caller reminds of --remount-all. */
int cage_reconfigure(const struct cage_paths *paths, struct cage_reconf *r, cage_err_t *err);
void cage_reconf_free(struct cage_reconf *r);

#endif
