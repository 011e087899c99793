/* libFuzzer harness for /etc/cagefs/limits.conf (cagefs/limits.h): any
 * input parses or fails with "limits.conf:LINE: ..."; for what parses,
 * every line written back in the canonical form cagefsctl --set-limits
 * writes (cage_limit_format) parses to the same limits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cagefs/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_err(const cage_err_t *err)
{
	const char *p = err->msg;
	if (!strncmp(p, "limits.conf: holds a NUL byte", 29))
		return;
	CHECK(!strncmp(p, "limits.conf:", 12));
	p += 12;
	CHECK(*p >= '0' && *p <= '9');
	while (*p >= '0' && *p <= '9')
		p++;
	CHECK(p[0] == ':' && p[1] == ' ' && p[2]);
}

/* Every line again, canonical; the same names and values come back. */
static void round_trip(const struct cage_limits_file *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	CHECK(m);
	for (size_t i = 0; i < f->n; i++) {
		fprintf(m, "%s", f->lines[i].name);
		for (int k = 0; k < CAGE_LIMIT_KEYS; k++) {
			char v[32];
			cage_limit_format(k, f->lines[i].l.v[k], v, sizeof(v));
			if (v[0])
				fprintf(m, " %s=%s", cage_limit_name(k), v);
		}
		fputc('\n', m);
	}
	fclose(m);
	struct cage_limits_file again;
	cage_err_t err = {0};
	CHECK(cage_limits_parse_buf(&again, "out.conf", text, len, &err) == 0);
	CHECK(again.n == f->n);
	for (size_t i = 0; i < f->n; i++) {
		CHECK(!strcmp(again.lines[i].name, f->lines[i].name));
		CHECK(!memcmp(&again.lines[i].l, &f->lines[i].l, sizeof(struct cage_limits)));
		struct cage_limits a, b;
		cage_limits_of(f, f->lines[i].name, &a);
		cage_limits_of(&again, f->lines[i].name, &b);
		CHECK(!memcmp(&a, &b, sizeof(a)));
		for (int k = 0; k < CAGE_LIMIT_KEYS; k++)
			CHECK(a.v[k] >= 0); /* "max" is no limit: never negative */
	}
	cage_limits_file_free(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cage_limits_file f;
	cage_err_t err = {0};
	if (cage_limits_parse_buf(&f, "limits.conf", (const char *)data, size, &err) < 0) {
		check_err(&err);
		CHECK(f.n == 0 && f.lines == NULL); /* all or nothing */
	} else {
		round_trip(&f);
	}
	cage_limits_file_free(&f);
	return 0;
}
