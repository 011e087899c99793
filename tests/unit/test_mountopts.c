/* Mount options through libmount's tables (runtime/oci/mountopts.c): what
 * each kind of option becomes, without root. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "runtime/oci/oci_internal.h"
#include "tap.h"

/* The flags of the comma list OPTS, or -1 with the error in MSG. */
static int flags_of(const char *opts, struct cage_mount_flags *f, char *msg, size_t size)
{
	struct cage_oci_mount m = {.destination = (char *)"/mnt"};
	char *copy = strdup(opts), *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
		cage_strvec_push(&m.options, o);
	cage_err_t err = {0};
	int rc = cage_mount_flags(&m, f, &err);
	snprintf(msg, size, "%s", err.msg);
	cage_strvec_free(&m.options);
	free(copy);
	return rc;
}

int main(void)
{
	struct cage_mount_flags f;
	char msg[1024];
	is_int(flags_of("ro,nosuid,nodev,noexec", &f, msg, sizeof(msg)), 0, "flags parse");
	is_int(f.set, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "ro, nosuid, nodev, noexec are set");
	is_int(f.clear, 0, "... nothing cleared");
	is_str(f.data, "", "... nothing for the filesystem");
	cage_mount_flags_free(&f);

	flags_of("rw,suid,dev,exec,atime,diratime,symfollow", &f, msg, sizeof(msg));
	is_int(f.clear, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_NOSYMFOLLOW,
	       "rw, suid, dev, exec, atime, diratime, symfollow clear their flags");
	is_int(f.set, 0, "... and set none");
	cage_mount_flags_free(&f);

	flags_of("ro,rw", &f, msg, sizeof(msg));
	is_int(f.set, 0, "ro then rw: the later wins, not set");
	is_int(f.clear, MS_RDONLY, "... but cleared");
	cage_mount_flags_free(&f);

	flags_of("noatime,strictatime,relatime,nodiratime,nosymfollow,lazytime,sync,dirsync,mand,silent", &f, msg,
		 sizeof(msg));
	is_int(f.set, MS_NOATIME | MS_STRICTATIME | MS_RELATIME | MS_NODIRATIME | MS_NOSYMFOLLOW | MS_LAZYTIME |
			      MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_SILENT,
	       "every Linux flag libmount knows");
	cage_mount_flags_free(&f);

	flags_of("bind", &f, msg, sizeof(msg));
	ok(!f.recursive && !f.set && !f.clear, "bind: not recursive, no flags");
	cage_mount_flags_free(&f);
	flags_of("rbind", &f, msg, sizeof(msg));
	ok(f.recursive && !f.set, "rbind: recursive");
	cage_mount_flags_free(&f);

	static const struct { const char *name; unsigned long want; } props[] = {
		{"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"slave", MS_SLAVE},
		{"rslave", MS_SLAVE | MS_REC}, {"shared", MS_SHARED}, {"rshared", MS_SHARED | MS_REC},
		{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	for (size_t i = 0; i < sizeof(props) / sizeof(*props); i++) {
		flags_of(props[i].name, &f, msg, sizeof(msg));
		ok(f.propagation == props[i].want && !f.set && !f.clear, "%s: propagation %#lx, no flag",
		   props[i].name, props[i].want);
		cage_mount_flags_free(&f);
		cage_err_t err = {0};
		is_int(cage_mount_propagation(props[i].name, &err), (long)props[i].want,
		       "rootfsPropagation %s", props[i].name);
	}

	flags_of("mode=1777,size=65536k,newinstance,ptmxmode=0666,ro=1", &f, msg, sizeof(msg));
	is_str(f.data, "mode=1777,size=65536k,newinstance,ptmxmode=0666,ro=1",
	       "what no table knows goes to the filesystem, in order ('ro=1' is not 'ro')");
	is_int(f.set, 0, "... and sets no flag");
	cage_mount_flags_free(&f);

	flags_of("defaults,noauto,nofail,_netdev,user,comment=x,x-systemd.automount,X-mount.mkdir,nosuid", &f,
		 msg, sizeof(msg));
	is_str(f.data, "", "mount(8)'s own options are dropped");
	is_int(f.set, MS_NOSUID, "... and the flag beside them stays");
	cage_mount_flags_free(&f);

	static const struct { const char *opt, *msg; } refused[] = {
		{"loop", "mount on /mnt: option 'loop' needs mount(8) itself; it cannot be applied here"},
		{"loop=/dev/loop0", "mount on /mnt: option 'loop=/dev/loop0' needs mount(8) itself; it cannot be applied here"},
		{"encryption=aes", "mount on /mnt: option 'encryption=aes' needs mount(8) itself; it cannot be applied here"},
		{"verity.roothash=ab", "mount on /mnt: option 'verity.roothash=ab' needs mount(8) itself; it cannot be applied here"},
		{"remount", "mount on /mnt: option 'remount' has no meaning in config.json"},
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		is_int(flags_of(refused[i].opt, &f, msg, sizeof(msg)), -1, "%s is refused", refused[i].opt);
		is_str(msg, refused[i].msg, "... saying why");
		cage_mount_flags_free(&f);
	}
	cage_err_t err = {0};
	is_int(cage_mount_propagation("ro", &err), -1, "ro is no propagation");
	is_str(err.msg, "'ro' is not a mount propagation", "... said so");
	err = (cage_err_t){0};
	is_int(cage_mount_propagation("private=1", &err), -1, "private=1 is no propagation");
	return done_testing();
}
