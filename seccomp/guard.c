/* Refuse rule combinations that libseccomp cannot build.
 *
 * libseccomp 2.5.4 (Debian 12) can loop forever in seccomp_rule_add when a
 * syscall has two rules with several conditions each and one of them tests
 * with NE/LT/LE/GE/GT — e.g. "a0 != 2 && a1 > 5" next to "a0 != 2 && a3 < 7"
 * (found by fuzzing; whether it hangs depends on the rules' order, shared
 * tests, 32/64-bit argument halves, ...).  A hang there would freeze every
 * login, so such a profile is refused when it is validated, before
 * libseccomp sees any rule.  The refused shape is broader than the loops
 * seen, on purpose: no shipped profile (ours, Docker's, podman's) has two
 * multi-condition rules for one syscall, and a narrower test kept missing
 * variants.  Several equality-only (EQ, MASKED_EQ) rules, and any number of
 * single-condition rules, are fine. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

struct cage_seccomp_guard_rule {
	int nr;
	unsigned n;
	size_t entry;
	const char *name;
	struct scmp_arg_cmp c[6];
};

int cage_seccomp_guard_add(struct cage_seccomp_guard *g, int nr, const char *name, size_t entry,
			   const struct scmp_arg_cmp *conds, size_t n)
{
	if (n < 2 || n > 6)
		return 0; /* one test cannot be followed by different ones */
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		struct cage_seccomp_guard_rule *v = realloc(g->v, cap * sizeof(*v));
		if (!v)
			return -1;
		g->v = v;
		g->cap = cap;
	}
	struct cage_seccomp_guard_rule *r = &g->v[g->n++];
	*r = (struct cage_seccomp_guard_rule){ .nr = nr, .n = (unsigned)n, .entry = entry, .name = name };
	/* Insertion sort by argument index (indexes are distinct here). */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j > 0 && r->c[j - 1].arg > conds[i].arg) {
			r->c[j] = r->c[j - 1];
			j--;
		}
		r->c[j] = conds[i];
	}
	return 0;
}

static bool has_inequality(const struct cage_seccomp_guard_rule *r)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->c[i].op != SCMP_CMP_EQ && r->c[i].op != SCMP_CMP_MASKED_EQ)
			return true;
	return false;
}

static int by_nr(const void *a, const void *b)
{
	const struct cage_seccomp_guard_rule *x = a, *y = b;
	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

int cage_seccomp_guard_check(struct cage_seccomp_guard *g, cage_err_t *err)
{
	if (g->n < 2)
		return 0;
	qsort(g->v, g->n, sizeof(g->v[0]), by_nr);
	for (size_t i = 0, j; i < g->n; i = j) {
		/* v[i..j) are the multi-condition rules for one syscall. */
		size_t bad = SIZE_MAX;
		for (j = i; j < g->n && g->v[j].nr == g->v[i].nr; j++)
			if (bad == SIZE_MAX && has_inequality(&g->v[j]))
				bad = j;
		if (j - i < 2 || bad == SIZE_MAX)
			continue;
		size_t other = bad == i ? i + 1 : i;
		size_t a = g->v[bad].entry, b = g->v[other].entry;
		return cage_err_set(err,
				    "syscalls[%zu] and syscalls[%zu] ('%.64s'): two rules with several "
				    "conditions for one syscall, one of them not an equality: libseccomp "
				    "can loop forever building that; use one multi-condition rule per "
				    "syscall, or only SCMP_CMP_EQ/SCMP_CMP_MASKED_EQ in them",
				    a < b ? a : b, a < b ? b : a, g->v[i].name);
	}
	return 0;
}

void cage_seccomp_guard_free(struct cage_seccomp_guard *g)
{
	free(g->v);
	*g = (struct cage_seccomp_guard){ 0 };
}
