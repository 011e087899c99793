/* Internal to seccomp/: what the generated default_profile.c defines.
 * The public API is runtime/include/cagefs/seccomp.h. */
#ifndef CAGEFS_SECCOMP_PROFILE_H
#define CAGEFS_SECCOMP_PROFILE_H

#include <stddef.h>

/* seccomp/default.json, byte for byte (embed.sh writes default_profile.c). */
extern const char cage_seccomp_default_json[];
extern const size_t cage_seccomp_default_json_len;

#endif
