/* libFuzzer harness for an ordinary bundle's config.json reader
 * (cage_spec_parse, with cage_oci_parse under it): any input must either
 * parse into a spec that satisfies the invariants below, or fail with a
 * message naming the file, and never crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sys/mount.h>

#include "cagefs/container.h"
#include "runtime/oci/oci_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static int dotdot(const char *p)
{
	size_t n = strlen(p);
	return !strcmp(p, "..") || !strncmp(p, "../", 3) || strstr(p, "/../") ||
	       (n >= 3 && !strcmp(p + n - 3, "/.."));
}

static void check_spec(const struct cage_spec *s)
{
	CHECK(s->oci.root && s->oci.root[0] == '/');
	CHECK(s->oci.cwd);
	for (size_t i = 0; i < s->oci.nmounts; i++) {
		CHECK(s->oci.mounts[i].destination[0] == '/');
		/* Its options, read as a root is built: flags that are neither
		 * propagation nor set and cleared at once, or an error. */
		struct cage_mount_flags f;
		cage_err_t err = {0};
		unsigned long prop = MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE;
		if (cage_mount_flags(&s->oci.mounts[i], &f, &err) == 0)
			CHECK(f.data && !(f.set & f.clear) && !((f.set | f.clear) & (prop | MS_BIND | MS_REC)));
		else
			CHECK(!strncmp(err.msg, "mount on /", 10) || strstr(err.msg, "libmount"));
		cage_mount_flags_free(&f);
	}
	for (int k = 0; k < CAGE_HOOK_KINDS; k++)
		for (size_t i = 0; i < s->nhooks[k]; i++)
			CHECK(s->hooks[k][i].path[0] == '/');
	for (size_t i = 0; i < s->ndevices; i++)
		CHECK(s->devices[i].path[0] == '/' && s->devices[i].type &&
		      (s->devices[i].mode & ~07777u) == 0);
	for (size_t i = 0; i < s->nrlimits; i++)
		CHECK(s->rlimits[i].lim.rlim_cur <= s->rlimits[i].lim.rlim_max);
	for (size_t i = 0; i < s->sysctl.n; i++) /* KEY=VALUE, and no '/' in the key */
		CHECK(strchr(s->sysctl.v[i], '=') &&
		      strcspn(s->sysctl.v[i], "/") > strcspn(s->sysctl.v[i], "="));
	CHECK(s->umask >= -1 && s->umask <= 0777);
	if (s->cgroups_path) /* never the root, never a '..' component, one line */
		CHECK(strcmp(s->cgroups_path, "/") && !dotdot(s->cgroups_path) && !strchr(s->cgroups_path, '\n'));
	if (s->ns_listed[CAGE_NS_USER] && !s->ns_path[CAGE_NS_USER])
		CHECK(s->uid_map && s->gid_map);
}

/* The input as it is, with no NUL after it: the parse reads LEN bytes and
 * not one more (ASan would see it). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_spec s;
	cage_err_t err = {0};
	if (cage_spec_parse((const char *)data, size, "/bundle", &s, &err) == 0)
		check_spec(&s);
	else
		CHECK(strstr(err.msg, "config.json") != NULL);
	cage_spec_free(&s);
	return 0;
}
