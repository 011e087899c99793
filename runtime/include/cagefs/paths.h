/* Documented default paths (manual; docs/ARCHITECTURE.md §4.11).  Each can
 * be overridden by an environment variable so tools can run against a
 * prepared tree; the integration tests instead use the real paths inside a
 * private mount namespace. */
#ifndef CAGEFS_PATHS_H
#define CAGEFS_PATHS_H

#define CAGE_DEFAULT_ETC "/etc/cagefs"
#define CAGE_DEFAULT_SKELETON "/usr/share/cagefs-skeleton"
#define CAGE_DEFAULT_VAR "/var/cagefs"
#define CAGE_DEFAULT_RUN "/run/cagefs"

struct cage_paths {
	const char *etc;      /* /etc/cagefs */
	const char *skeleton; /* /usr/share/cagefs-skeleton (may be a symlink) */
	const char *var;      /* /var/cagefs */
	const char *run;      /* /run/cagefs */
};

/* Fill from CAGEFS_ETC, CAGEFS_SKELETON, CAGEFS_VAR, CAGEFS_RUN or defaults. */
void cage_paths_default(struct cage_paths *p);

#endif
