/* A string-keyed open-addressing hash map (FNV-1a).  Keys are copied; the
 * value is an opaque pointer-sized integer.  Used by the skeleton builder to
 * deduplicate tens of thousands of paths. */
#ifndef CAGEFS_HASHSET_H
#define CAGEFS_HASHSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cage_hash_slot { char *key; uintptr_t value; };
typedef struct cage_hashset {
	struct cage_hash_slot *slots;
	size_t n, cap; /* cap is a power of two */
} cage_hashset_t;

/* Insert key if absent.  Returns 1 if inserted, 0 if present (value left
 * untouched), -1 on ENOMEM. */
int cage_hash_add(cage_hashset_t *h, const char *key, uintptr_t value);
bool cage_hash_get(const cage_hashset_t *h, const char *key, uintptr_t *value);
void cage_hash_free(cage_hashset_t *h);

#endif
