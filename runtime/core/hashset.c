#include "cagefs/hashset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct cage_hash_slot *find(const struct cage_hash_slot *slots, size_t cap, const char *key)
{
	size_t i = (size_t)fnv1a(key) & (cap - 1);
	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return (struct cage_hash_slot *)&slots[i];
}

static int grow(cage_hashset_t *h)
{
	size_t cap = h->cap ? h->cap * 2 : 1024;
	struct cage_hash_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < h->cap; i++)
		if (h->slots[i].key)
			*find(slots, cap, h->slots[i].key) = h->slots[i];
	free(h->slots);
	h->slots = slots;
	h->cap = cap;
	return 0;
}

int cage_hash_add(cage_hashset_t *h, const char *key, uintptr_t value)
{
	if ((h->n + 1) * 4 > h->cap * 3 && grow(h) < 0) {
		errno = ENOMEM;
		return -1;
	}
	struct cage_hash_slot *s = find(h->slots, h->cap, key);
	if (s->key)
		return 0;
	s->key = strdup(key);
	if (!s->key) {
		errno = ENOMEM;
		return -1;
	}
	s->value = value;
	h->n++;
	return 1;
}

bool cage_hash_get(const cage_hashset_t *h, const char *key, uintptr_t *value)
{
	if (!h->cap)
		return false;
	struct cage_hash_slot *s = find(h->slots, h->cap, key);
	if (!s->key)
		return false;
	if (value)
		*value = s->value;
	return true;
}

void cage_hash_free(cage_hashset_t *h)
{
	for (size_t i = 0; i < h->cap; i++)
		free(h->slots[i].key);
	free(h->slots);
	memset(h, 0, sizeof(*h));
}
