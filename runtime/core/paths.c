#define _GNU_SOURCE
#include "cagefs/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *env_or(const char *name, const char *def)
{
	/* secure_getenv: a setuid-root cagefs_enter must never let its caller
	 * point it at another configuration. */
	const char *v = secure_getenv(name);
	return (v && v[0] == '/') ? v : def;
}

void cage_paths_default(struct cage_paths *p)
{
	p->etc = env_or("CAGEFS_ETC", CAGE_DEFAULT_ETC);
	p->skeleton = env_or("CAGEFS_SKELETON", CAGE_DEFAULT_SKELETON);
	p->var = env_or("CAGEFS_VAR", CAGE_DEFAULT_VAR);
	p->run = env_or("CAGEFS_RUN", CAGE_DEFAULT_RUN);
}

int cage_proxy_dir_make(const struct cage_paths *p)
{
	char dir[4096];
	if (snprintf(dir, sizeof(dir), "%s/%s", p->run, CAGE_PROXY_DIR) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((mkdir(p->run, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0755) < 0 && errno != EEXIST))
		return -1;
	return 0;
}
