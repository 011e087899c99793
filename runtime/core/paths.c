#define _GNU_SOURCE
#include "cagefs/paths.h"

#include <stdlib.h>

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
