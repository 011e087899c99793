/* The cagefs.mp that `cagefsctl --create-mp` writes (manual: "Mount
 * Points"), kept apart from the parser in mountcfg.c.  The unit tests parse
 * it, so it cannot drift out of the accepted syntax. */
#include "cagefs/mountcfg.h"

/* Debian 12 paths.  Only sockets are shared, never data: sharing
 * /var/lib/mysql (the manual's CloudLinux example) would hand every user
 * the raw database files of every other user. */
static const char default_mp[] =
	"# /etc/cagefs/cagefs.mp: host directories mounted into every user's cage.\n"
	"# Written by `cagefsctl --create-mp`; after editing run `cagefsctl --remount-all`.\n"
	"#\n"
	"# One entry per line; lines starting with '#' are comments.\n"
	"#   /path          the host's /path, shared by all cages (read and write as\n"
	"#                  its permissions allow, so never list private data here)\n"
	"#   @/path,mode    a private, initially empty /path for each user, kept in\n"
	"#                  ~/.cagefs/path and created with the octal mode (default 700)\n"
	"#   %/path         split by username: USER sees only /path/USER\n"
	"#\n"
	"# /proc, /dev/pts, /tmp and the user's home are set up by cagefs itself and\n"
	"# need no line here.\n"
	"\n"
	"# MySQL/MariaDB socket (mysqld.sock): lets scripts connect to localhost.\n"
	"# Only the socket directory; the data directory /var/lib/mysql must stay out.\n"
	"/var/run/mysqld\n"
	"\n"
	"# PostgreSQL sockets (.s.PGSQL.5432), for the same reason.\n"
	"/var/run/postgresql\n"
	"\n"
	"# GNU screen keeps its session sockets here; a private copy per user means\n"
	"# nobody sees other users' session names.\n"
	"@/var/run/screen,777\n"
	"\n"
	"# PHP session files (Debian's php packages use /var/lib/php/sessions, mode\n"
	"# 1733): a private copy keeps session ids and contents away from other users.\n"
	"@/var/lib/php/sessions,1733\n"
	"\n"
	"# A private, empty cron spool: the host's spool (other users' crontab\n"
	"# names) is never visible.  crontab(1) runs outside the cage via proxyexec.\n"
	"@/var/spool/cron,700\n";

const char *cage_mp_default_text(void)
{
	return default_mp;
}
