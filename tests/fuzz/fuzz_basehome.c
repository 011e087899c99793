/* libFuzzer harness for cagefs.base.home.dirs: any input must either parse
 * or fail with a "file:line: ..." message leaving the cage_basehome
 * untouched; after a successful parse, resolving a few fixed homes must
 * give a base and mount that are proper prefixes of the home, or an error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/mountcfg.h"
#include "cagefs/safefs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_err(const cage_err_t *err, const char *file)
{
	size_t n = strlen(file);
	CHECK(strncmp(err->msg, file, n) == 0 && err->msg[n] == ':');
	const char *p = err->msg + n + 1;
	CHECK(*p >= '0' && *p <= '9');
	while (*p >= '0' && *p <= '9')
		p++;
	CHECK(p[0] == ':' && p[1] == ' ' && p[2]);
}

/* p is home itself or an ancestor of it, and not "/" */
static void check_prefix(const char *p, const char *home)
{
	size_t n = strlen(p);
	CHECK(n > 1 && p[0] == '/' && p[n - 1] != '/');
	CHECK(strncmp(p, home, n) == 0 && (home[n] == '/' || home[n] == '\0'));
}

static const char *const homes[] = {
	"/home/alice",
	"/home2/bob",
	"/home/alice/data",
	"/var/www/users/carol",
	"/var/www/vhosts/sitename.com/web_users/user1",
	"/var/www/vhosts/sitename.com",
	"/alice",
	"/",
	"relative/home",
	"/home/alice/",
};

static void check_resolve(const struct cage_basehome *b, const char *home)
{
	char *base = NULL, *mount = NULL;
	cage_err_t err = { 0 };
	if (cage_basehome_resolve(b, home, &base, &mount, &err) < 0) {
		CHECK(!base && !mount && err.msg[0]);
		return;
	}
	check_prefix(base, home);
	check_prefix(mount, home);
	/* base is a proper ancestor of mount */
	CHECK(strlen(base) < strlen(mount) && mount[strlen(base)] == '/');
	if (!b->mount_basedir) /* mount is exactly one component below base */
		CHECK(!strchr(mount + strlen(base) + 1, '/'));
	free(base);
	free(mount);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_basehome b = { 0 };
	cage_err_t err = { 0 };
	if (cage_basehome_parse_buf(&b, "bh", (const char *)data, size, &err) < 0) {
		check_err(&err, "bh");
		CHECK(b.n == 0 && !b.mount_basedir);
	} else {
		for (size_t i = 0; i < b.n; i++)
			CHECK(b.pattern[i] && b.pattern[i][0] && b.pattern[i][0] != '#');
		for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++)
			check_resolve(&b, homes[i]);
	}
	cage_basehome_free(&b);
	CHECK(b.n == 0 && !b.re && !b.pattern);
	return 0;
}
