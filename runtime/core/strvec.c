#include "cagefs/strvec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cage_strvec_push_owned(cage_strvec_t *sv, char *s)
{
	if (!s) {
		errno = ENOMEM;
		return -1;
	}
	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));
		if (!v) {
			free(s);
			errno = ENOMEM;
			return -1;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int cage_strvec_push(cage_strvec_t *sv, const char *s)
{
	return cage_strvec_push_owned(sv, strdup(s));
}

int cage_strvec_push_n(cage_strvec_t *sv, const char *s, size_t len)
{
	return cage_strvec_push_owned(sv, strndup(s, len));
}

bool cage_strvec_contains(const cage_strvec_t *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void cage_strvec_sort_unique(cage_strvec_t *sv)
{
	if (sv->n < 2)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	size_t w = 1;
	for (size_t r = 1; r < sv->n; r++) {
		if (strcmp(sv->v[r], sv->v[w - 1]) == 0)
			free(sv->v[r]);
		else
			sv->v[w++] = sv->v[r];
	}
	sv->n = w;
	sv->v[w] = NULL;
}

void cage_strvec_free(cage_strvec_t *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
