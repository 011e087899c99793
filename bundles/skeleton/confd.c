/* Parser for the .cfg files in conf.d (manual: "File System Templates").
 *
 * Why so strict: these files decide what is copied into every user's cage.
 * A typo that silently dropped a path (or a relative path resolved against
 * whatever the cwd happens to be) would change the skeleton without anyone
 * noticing, so every oddity stops `cagefsctl --update` with
 * "file:line: what is wrong" and leaves the caller's cage_cfg untouched. */
#define _GNU_SOURCE
#include "cagefs/config.h"
#include "runtime/core/textparse.h"
#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Far above any real template file; stops a runaway file from eating RAM. */
#define CFG_MAX_FILE_SIZE ((size_t)16 << 20)
/* The name length useradd accepts, a trailing '$' included. */
#define CFG_NAME_MAX 32
static bool slice_is(struct slice s, const char *word)
{
	return s.n == strlen(word) && memcmp(s.p, word, s.n) == 0;
}

/* ---- section name index: duplicate detection without O(n^2) ---- */

struct name_index {
	size_t *slot; /* section index + 1; 0 = empty */
	size_t mask;
};

static size_t *idx_find(const struct name_index *ix, const struct cage_cfg *cfg, const char *name)
{
	size_t h = hash_str(name) & ix->mask;
	while (ix->slot[h] && strcmp(cfg->sections[ix->slot[h] - 1].name, name) != 0)
		h = (h + 1) & ix->mask;
	return &ix->slot[h];
}

/* Make room for `want` names (load factor <= 1/2), rehashing cfg's sections. */
static int idx_reserve(struct name_index *ix, const struct cage_cfg *cfg, size_t want)
{
	if (ix->slot && want <= (ix->mask + 1) / 2)
		return 0;
	size_t cap = 16;
	while (cap / 2 < want) {
		if (cap > SIZE_MAX / 4 / sizeof(size_t))
			return -1;
		cap *= 2;
	}
	size_t *slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return -1;
	free(ix->slot);
	ix->slot = slot;
	ix->mask = cap - 1;
	for (size_t i = 0; i < cfg->n; i++)
		*idx_find(ix, cfg, cfg->sections[i].name) = i + 1;
	return 0;
}

/* ---- sections ---- */

static void section_free(struct cage_cfg_section *s)
{
	free(s->name);
	free(s->comment);
	free(s->file);
	cage_strvec_free(&s->paths);
	cage_strvec_free(&s->devices);
	cage_strvec_free(&s->users);
	cage_strvec_free(&s->groups);
}

/* Drop sections appended after n0: a failed parse leaves cfg as it was. */
static void truncate_sections(struct cage_cfg *cfg, size_t n0)
{
	while (cfg->n > n0)
		section_free(&cfg->sections[--cfg->n]);
}

static struct cage_cfg_section *section_append(struct cage_cfg *cfg)
{
	if (cfg->n == cfg->cap) {
		size_t cap = cfg->cap ? cfg->cap * 2 : 8;
		struct cage_cfg_section *s = reallocarray(cfg->sections, cap, sizeof(*s));
		if (!s)
			return NULL;
		cfg->sections = s;
		cfg->cap = cap;
	}
	struct cage_cfg_section *s = &cfg->sections[cfg->n];
	memset(s, 0, sizeof(*s));
	return s;
}

/* ---- the parser ---- */

struct parser {
	struct cage_cfg *cfg;
	const char *file;
	unsigned line;
	size_t cur; /* index of the open section; SIZE_MAX before the first */
	struct name_index idx;
	cage_err_t *err;
};

#define perr(p, ...) line_err((p)->err, (p)->file, (p)->line, __VA_ARGS__)

static int oom(struct parser *p)
{
	line_err(p->err, p->file, p->line, "out of memory");
	if (p->err)
		p->err->errnum = ENOMEM;
	return -1;
}

enum item_kind { ITEM_PATH, ITEM_DEVICE, ITEM_USER, ITEM_GROUP };

/* [A-Za-z0-9_.][A-Za-z0-9_.-]*, optional trailing '$' (Samba machine
 * accounts), at most CFG_NAME_MAX bytes; "." and ".." are not names. */
static bool valid_name(struct slice s)
{
	if (s.n > CFG_NAME_MAX)
		return false;
	size_t body = s.n - (s.n && s.p[s.n - 1] == '$');
	if (body == 0 || slice_is((struct slice){ s.p, body }, ".") ||
	    slice_is((struct slice){ s.p, body }, ".."))
		return false;
	for (size_t i = 0; i < body; i++) {
		char c = s.p[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '.' || (c == '-' && i > 0);
		if (!ok)
			return false;
	}
	return true;
}

static int add_name(struct parser *p, cage_strvec_t *sv, enum item_kind kind, struct slice item)
{
	const char *what = kind == ITEM_USER ? "user" : "group";
	if (!valid_name(item))
		return perr(p,
			    "invalid %s name '%.*s%s' (letters, digits, '_', '.', '-' not first, "
			    "at most %d characters, optional trailing '$')",
			    what, SHOW(item), CFG_NAME_MAX);
	return cage_strvec_push_n(sv, item.p, item.n) < 0 ? oom(p) : 0;
}

static int add_path(struct parser *p, cage_strvec_t *sv, enum item_kind kind, struct slice item)
{
	if (item.p[0] != '/')
		return perr(p, "relative path '%.*s%s' (paths must start with '/')", SHOW(item));
	if (item.n >= PATH_MAX)
		return perr(p, "path '%.*s%s' too long (%zu bytes, at most %d)", SHOW(item), item.n,
			    PATH_MAX - 1);
	_cleanup_free_ char *raw = strndup(item.p, item.n);
	_cleanup_free_ char *norm = raw ? cage_path_normalize(raw) : NULL;
	if (!norm)
		return oom(p);
	/* Checked after normalizing so "/dev/../etc/shadow" cannot pass as a device. */
	if (kind == ITEM_DEVICE && strncmp(norm, "/dev/", 5) != 0)
		return perr(p, "device '%.*s%s' is not under /dev/", SHOW(item));
	return cage_strvec_push_owned(sv, CAGE_STEAL_PTR(norm)) < 0 ? oom(p) : 0;
}

/* Comma separated; blanks around items and empty items (a trailing comma)
 * are ignored, but the list as a whole must not be empty. */
static int parse_list(struct parser *p, cage_strvec_t *sv, enum item_kind kind, const char *key,
		      struct slice val)
{
	const char *q = val.p, *end = val.p + val.n;
	size_t added = 0;
	for (;;) {
		const char *comma = memchr(q, ',', (size_t)(end - q));
		const char *stop = comma ? comma : end;
		struct slice item = trim((struct slice){ q, (size_t)(stop - q) });
		if (item.n) {
			int r = kind == ITEM_USER || kind == ITEM_GROUP ? add_name(p, sv, kind, item)
									: add_path(p, sv, kind, item);
			if (r < 0)
				return -1;
			added++;
		}
		if (!comma)
			break;
		q = comma + 1;
	}
	return added ? 0 : perr(p, "empty %s list", key);
}

static int set_comment(struct parser *p, struct cage_cfg_section *sec, struct slice val)
{
	char *c = strndup(val.p, val.n);
	if (!c)
		return oom(p);
	free(sec->comment); /* a repeated comment= replaces the earlier one */
	sec->comment = c;
	return 0;
}

static int parse_key(struct parser *p, struct slice s)
{
	const char *eq = memchr(s.p, '=', s.n);
	if (!eq)
		return perr(p, "expected key=value or [section], found '%.*s%s'", SHOW(s));
	struct slice key = trim((struct slice){ s.p, (size_t)(eq - s.p) });
	struct slice val = trim((struct slice){ eq + 1, s.n - (size_t)(eq + 1 - s.p) });
	if (!key.n)
		return perr(p, "missing key before '='");
	if (p->cur == SIZE_MAX)
		return perr(p, "key '%.*s%s' before any [section] header", SHOW(key));
	struct cage_cfg_section *sec = &p->cfg->sections[p->cur];
	if (slice_is(key, "comment"))
		return set_comment(p, sec, val);
	if (slice_is(key, "paths"))
		return parse_list(p, &sec->paths, ITEM_PATH, "paths", val);
	if (slice_is(key, "devices"))
		return parse_list(p, &sec->devices, ITEM_DEVICE, "devices", val);
	if (slice_is(key, "users"))
		return parse_list(p, &sec->users, ITEM_USER, "users", val);
	if (slice_is(key, "groups"))
		return parse_list(p, &sec->groups, ITEM_GROUP, "groups", val);
	return perr(p, "unknown key '%.*s%s' (expected comment, paths, devices, users, groups)",
		    SHOW(key));
}

/* A section must contribute something; reported at its header line. */
static int close_section(struct parser *p)
{
	if (p->cur == SIZE_MAX)
		return 0;
	const struct cage_cfg_section *s = &p->cfg->sections[p->cur];
	if (s->paths.n || s->devices.n || s->users.n || s->groups.n)
		return 0;
	struct slice name = { s->name, strlen(s->name) };
	return line_err(p->err, p->file, s->line, "section [%.*s%s] has no paths, devices, users or groups",
			SHOW(name));
}

static int add_section(struct parser *p, struct slice name)
{
	_cleanup_free_ char *nm = strndup(name.p, name.n);
	if (!nm || idx_reserve(&p->idx, p->cfg, p->cfg->n + 1) < 0)
		return oom(p);
	size_t *slot = idx_find(&p->idx, p->cfg, nm);
	if (*slot) {
		const struct cage_cfg_section *o = &p->cfg->sections[*slot - 1];
		return perr(p, "duplicate section [%.*s%s], first defined at %s:%u", SHOW(name), o->file,
			    o->line);
	}
	struct cage_cfg_section *s = section_append(p->cfg);
	char *file = strdup(p->file);
	if (!s || !file) {
		free(file);
		return oom(p);
	}
	s->name = CAGE_STEAL_PTR(nm);
	s->file = file;
	s->line = p->line;
	p->cur = p->cfg->n++;
	*slot = p->cur + 1;
	return 0;
}

static int parse_header(struct parser *p, struct slice s)
{
	const char *close = memchr(s.p, ']', s.n);
	if (!close)
		return perr(p, "missing ']' in section header '%.*s%s'", SHOW(s));
	struct slice after = trim((struct slice){ close + 1, s.n - (size_t)(close + 1 - s.p) });
	if (after.n)
		return perr(p, "unexpected text '%.*s%s' after ']'", SHOW(after));
	struct slice name = trim((struct slice){ s.p + 1, (size_t)(close - s.p - 1) });
	if (!name.n)
		return perr(p, "empty section name");
	/* The previous section's problem is on an earlier line: report it first. */
	if (close_section(p) < 0)
		return -1;
	return add_section(p, name);
}

static int parse_lines(struct parser *p, const char *buf, size_t len)
{
	if (idx_reserve(&p->idx, p->cfg, p->cfg->n + 1) < 0)
		return oom(p);
	struct lines r;
	struct slice s;
	lines_init(&r, buf, len);
	while (lines_next(&r, &s)) {
		p->line = r.no;
		if (memchr(s.p, '\0', s.n))
			return perr(p, "NUL byte in line (binary file?)");
		s = trim(s);
		if (!s.n || s.p[0] == '#' || s.p[0] == ';')
			continue;
		if ((s.p[0] == '[' ? parse_header(p, s) : parse_key(p, s)) < 0)
			return -1;
	}
	return close_section(p);
}

int cage_cfg_parse_buf(struct cage_cfg *cfg, const char *file, const char *buf, size_t len,
		       cage_err_t *err)
{
	struct parser p = {
		.cfg = cfg, .file = file ? file : "<config>", .cur = SIZE_MAX, .err = err,
	};
	size_t n0 = cfg->n;
	int r = parse_lines(&p, buf, len);
	free(p.idx.slot);
	if (r < 0)
		truncate_sections(cfg, n0);
	return r;
}

int cage_cfg_parse_file(struct cage_cfg *cfg, const char *path, cage_err_t *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (cage_read_file(path, CFG_MAX_FILE_SIZE, &buf, &len, err) < 0)
		return -1;
	return cage_cfg_parse_buf(cfg, path, buf, len, err);
}

/* ---- conf.d ---- */

static bool has_cfg_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".cfg") == 0;
}

/* Whether dir/name should be read; explains on stderr/syslog when not, so an
 * admin wondering why a file has no effect finds out. */
static bool wanted(DIR *d, const char *dir, const char *name)
{
	if (!has_cfg_suffix(name))
		return false;
	if (name[0] == '.') {
		cage_warn("%s: skipping hidden file %s", dir, name);
		return false;
	}
	/* Stat before opening: opening a FIFO would block.  Symlinks are
	 * followed: conf.d is root's, and linking templates in is common. */
	struct stat st;
	if (fstatat(dirfd(d), name, &st, 0) < 0) {
		cage_warn("%s: skipping %s: %s", dir, name, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		cage_warn("%s: skipping %s: not a regular file", dir, name);
		return false;
	}
	return true;
}

static int list_cfg_files(const char *dir, cage_strvec_t *names, cage_err_t *err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return cage_err_sys(err, errno, "cannot open directory %s", dir);
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de)
			break;
		if (wanted(d, dir, de->d_name) && cage_strvec_push(names, de->d_name) < 0)
			return cage_err_sys(err, ENOMEM, "%s", dir);
	}
	if (errno)
		return cage_err_sys(err, errno, "cannot read directory %s", dir);
	/* strcmp, not strcoll: the order must not depend on the admin's locale. */
	cage_strvec_sort_unique(names);
	return 0;
}

int cage_cfg_load_dir(struct cage_cfg *cfg, const char *dir, cage_err_t *err)
{
	_cleanup_strvec_ cage_strvec_t names = { 0 };
	if (list_cfg_files(dir, &names, err) < 0)
		return -1;
	size_t n0 = cfg->n;
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *path = cage_path_join(dir, names.v[i]);
		int r = path ? cage_cfg_parse_file(cfg, path, err)
			     : cage_err_sys(err, ENOMEM, "%s", dir);
		if (r < 0) {
			truncate_sections(cfg, n0);
			return -1;
		}
	}
	return 0;
}

void cage_cfg_free(struct cage_cfg *cfg)
{
	if (!cfg)
		return;
	truncate_sections(cfg, 0);
	free(cfg->sections);
	cfg->sections = NULL;
	cfg->cap = 0;
}
