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

/* The proxy's socket directory (docs/ARCHITECTURE.md §4.18): RUN/proxy on
 * the host, bound read-only at CAGE_PROXY_DIR_IN_CAGE in every cage. */
#define CAGE_PROXY_DIR "proxy"
#define CAGE_PROXY_DIR_IN_CAGE "/run/cagefs/proxy"

struct cage_paths {
	const char *etc;      /* /etc/cagefs */
	const char *skeleton; /* /usr/share/cagefs-skeleton (may be a symlink) */
	const char *var;      /* /var/cagefs */
	const char *run;      /* /run/cagefs */
};

/* Fill from CAGEFS_ETC, CAGEFS_SKELETON, CAGEFS_VAR, CAGEFS_RUN or defaults. */
void cage_paths_default(struct cage_paths *p);
/* Make RUN and RUN/proxy (root's, 0755) if missing: a cage binds the
 * latter, so it must exist before any cage is built.  0, or -1 with errno. */
int cage_proxy_dir_make(const struct cage_paths *p);

#endif
