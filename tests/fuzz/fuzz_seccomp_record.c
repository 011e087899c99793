/* libFuzzer harness for learning mode's record (seccomp/learn.c): any
 * input parses or fails naming the file; what parses writes back to JSON
 * that parses to the same record, and makes a proposal whose every line
 * that is not a comment is one of the learned "allow" lines or a line of
 * the current override (the input itself stands for it), one for each
 * rule whose syscall an override can name: nothing in a
 * record (a program's name above all) becomes a line of its own. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_proposal(const struct cage_seccomp_record *r)
{
	char *prop = NULL;
	cage_err_t err = {0};
	/* A record the supervisor did not write may hold rules an override
	 * cannot say: then there is no proposal, and the override parser says
	 * why.  Never a proposal --seccomp-apply would refuse. */
	if (cage_seccomp_proposal(r, "alice", NULL, 0, &prop, &err) < 0) {
		CHECK(!strncmp(err.msg, "the proposal:", 13));
		return;
	}
	size_t allows = 0, rules = 0;
	for (char *line = strtok(prop, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		CHECK(!strncmp(line, "allow ", 6));
		allows++;
	}
	for (size_t i = 0; i < r->n; i++) {
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= !strcmp(r->v[i].syscall, r->v[j].syscall) && !strcmp(r->v[i].rule, r->v[j].rule);
		/* a syscall an override cannot name is proposed as a comment */
		rules += !dup && !strchr(r->v[i].syscall, '\n') && !strchr(r->v[i].rule, '\n') &&
			 seccomp_syscall_resolve_name(r->v[i].syscall) != __NR_SCMP_ERROR;
	}
	CHECK(allows >= rules);
	free(prop);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_seccomp_record r, back;
	cage_err_t err = {0};
	if (cage_seccomp_record_parse((const char *)data, size, "rec.json", &r, &err) < 0) {
		CHECK(!strncmp(err.msg, "rec.json", 8));
		return 0;
	}
	char *json = NULL;
	size_t len;
	CHECK(cage_seccomp_record_json(&r, &json, &len, &err) == 0);
	CHECK(cage_seccomp_record_parse(json, len, "again", &back, &err) == 0);
	CHECK(back.n == r.n && back.dropped == r.dropped && back.until == r.until);
	for (size_t i = 0; i < r.n; i++)
		CHECK(!strcmp(back.v[i].program, r.v[i].program) && back.v[i].count == r.v[i].count);
	check_proposal(&r);
	cage_seccomp_record_free(&back);
	cage_seccomp_record_free(&r);
	free(json);
	return 0;
}
