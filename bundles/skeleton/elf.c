/* ELF headers and ld.so-style shared-library closure (cagefs/elf.h).
 *
 * Files are hostile input: every offset and size read from a file is checked
 * against the file size before use, and nothing is mapped (a file truncated
 * under us must give an error, not SIGBUS).  Only the few bytes needed are
 * read: the first page (holding the headers in practice), then PT_INTERP,
 * PT_DYNAMIC and the individual strings, with pread. */
#define _GNU_SOURCE
#include "cagefs/elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <linux/openat2.h>
#include <search.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"

#define HEAD_SIZE 4096u          /* read up front: ELF header + phdrs */
#define MAX_TABLE (1u << 20)     /* phdr table / PT_DYNAMIC: real ones are < 8 KiB */
#define MAX_STR (64u << 10)      /* one NEEDED or RPATH string */
#define NONE ((size_t)-1)

/* ------------------------------------------------------------------------ */
/* Reading: one source type for files (pread) and buffers (fuzzing). */

struct src {
	const unsigned char *mem; /* the first memlen bytes of the file */
	size_t memlen;
	int fd;                   /* -1 when mem holds the whole file */
	uint64_t size;            /* file size: the bound for every read */
	const char *name;
	bool be, is64;
};

static int src_read(const struct src *s, uint64_t off, size_t len, void *dst, cage_err_t *err)
{
	if (off > s->size || len > s->size - off)
		return cage_err_set(err, "%s: truncated ELF (%zu bytes at offset %llu past end of file)",
				    s->name, len, (unsigned long long)off);
	if (off + len <= s->memlen) {
		memcpy(dst, s->mem + off, len);
		return 0;
	}
	for (size_t done = 0; done < len;) {
		ssize_t n = s->fd < 0 ? 0 : pread(s->fd, (char *)dst + done, len - done,
						  (off_t)(off + done));
		if (n < 0 && errno != EINTR)
			return cage_err_sys(err, errno, "%s: read", s->name);
		if (n == 0)
			return cage_err_set(err, "%s: file shrank while reading", s->name);
		done += n > 0 ? (size_t)n : 0;
	}
	return 0;
}

static uint64_t get(const struct src *s, const unsigned char *p, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[s->be ? width - 1 - i : i] << (8 * i);
	return v;
}

/* A string table: file offset and the bytes available from there. */
struct strtab { uint64_t off, size; };

/* Read the NUL-terminated string at idx; small first, since almost all are. */
static int read_str(const struct src *s, const struct strtab *t, uint64_t idx, char **out,
		    cage_err_t *err)
{
	if (idx >= t->size || t->off >= s->size || idx >= s->size - t->off)
		return cage_err_set(err, "%s: string offset %llu outside the string table",
				    s->name, (unsigned long long)idx);
	uint64_t max = t->size - idx;
	if (max > s->size - t->off - idx)
		max = s->size - t->off - idx;
	if (max > MAX_STR)
		max = MAX_STR;
	for (size_t want = 256;; want *= 16) {
		if (want > max)
			want = (size_t)max;
		_cleanup_free_ char *buf = malloc(want);
		if (!buf)
			return cage_err_sys(err, ENOMEM, "%s", s->name);
		if (src_read(s, t->off + idx, want, buf, err) < 0)
			return -1;
		if (memchr(buf, '\0', want))
			return (*out = strdup(buf)) ? 0 : cage_err_sys(err, ENOMEM, "%s", s->name);
		if (want == max)
			return cage_err_set(err, "%s: unterminated dynamic string", s->name);
	}
}

/* ------------------------------------------------------------------------ */
/* Parsing.  Field offsets: ELF32 and ELF64 differ only by word size w. */

struct seg { uint64_t off, vaddr, filesz; };

struct layout {
	struct seg *loads, interp, dyn;
	size_t nloads;
	bool has_interp, has_dyn;
};

static void layout_free(struct layout *l) { free(l->loads); }

static int read_phdrs(const struct src *s, const unsigned char *eh, struct layout *l,
		      cage_err_t *err)
{
	unsigned w = s->is64 ? 8 : 4;
	uint64_t phoff = get(s, eh + 24 + w, w);
	uint64_t entsize = get(s, eh + 30 + 3 * w, 2), phnum = get(s, eh + 32 + 3 * w, 2);
	if (phnum == 0)
		return 0; /* a relocatable object: nothing to load */
	if (entsize < (s->is64 ? 56u : 32u) || phnum > MAX_TABLE / entsize)
		return cage_err_set(err, "%s: bad program header table", s->name);
	size_t tlen = (size_t)(phnum * entsize);
	_cleanup_free_ unsigned char *tab = malloc(tlen);
	l->loads = calloc((size_t)phnum, sizeof(*l->loads));
	if (!tab || !l->loads)
		return cage_err_sys(err, ENOMEM, "%s", s->name);
	if (src_read(s, phoff, tlen, tab, err) < 0)
		return -1;
	for (size_t i = 0; i < phnum; i++) {
		const unsigned char *ph = tab + i * entsize;
		struct seg sg = { get(s, ph + w, w), get(s, ph + 2 * w, w), get(s, ph + 4 * w, w) };
		uint32_t type = (uint32_t)get(s, ph, 4);
		if (type == PT_LOAD)
			l->loads[l->nloads++] = sg;
		else if (type == PT_INTERP && !l->has_interp)
			l->has_interp = true, l->interp = sg;
		else if (type == PT_DYNAMIC && !l->has_dyn)
			l->has_dyn = true, l->dyn = sg;
	}
	return 0;
}

static int read_interp(const struct src *s, const struct seg *g, char **out, cage_err_t *err)
{
	char buf[PATH_MAX + 1];
	if (g->filesz == 0 || g->filesz > PATH_MAX)
		return cage_err_set(err, "%s: bad PT_INTERP size", s->name);
	if (src_read(s, g->off, (size_t)g->filesz, buf, err) < 0)
		return -1;
	buf[g->filesz] = '\0';
	if (buf[0] == '\0')
		return cage_err_set(err, "%s: empty PT_INTERP", s->name);
	return (*out = strdup(buf)) ? 0 : cage_err_sys(err, ENOMEM, "%s", s->name);
}

/* DT_STRTAB holds an address: find the PT_LOAD that maps it to file bytes. */
static struct strtab map_strtab(const struct layout *l, uint64_t addr, uint64_t strsz)
{
	for (size_t i = 0; i < l->nloads; i++) {
		const struct seg *g = &l->loads[i];
		uint64_t delta = addr - g->vaddr;
		if (addr < g->vaddr || delta >= g->filesz || g->off > UINT64_MAX - delta)
			continue;
		uint64_t size = g->filesz - delta;
		return (struct strtab){ g->off + delta, strsz < size ? strsz : size };
	}
	return (struct strtab){ 0, 0 }; /* no strings: any use is an error */
}

static int push_pathlist(cage_strvec_t *sv, const char *list, const char *name, cage_err_t *err)
{
	for (const char *p = list; *p; p += *p == ':') {
		size_t n = strcspn(p, ":");
		if (n > 0 && cage_strvec_push_n(sv, p, n) < 0)
			return cage_err_sys(err, ENOMEM, "%s", name);
		p += n;
	}
	return 0;
}

static int read_dynamic(const struct src *s, const struct seg *g, const struct layout *l,
			struct cage_elf_info *info, cage_err_t *err)
{
	unsigned w = s->is64 ? 8 : 4;
	if (g->filesz > MAX_TABLE)
		return cage_err_set(err, "%s: PT_DYNAMIC too large", s->name);
	size_t n = (size_t)g->filesz / (2 * w);
	_cleanup_free_ unsigned char *dyn = malloc(n * 2 * w + 1);
	if (!dyn)
		return cage_err_sys(err, ENOMEM, "%s", s->name);
	if (n > 0 && src_read(s, g->off, n * 2 * w, dyn, err) < 0)
		return -1;
	/* Pass 1: the string table; pass 2: the strings (any order in the file). */
	uint64_t strtab = 0, strsz = UINT64_MAX;
	bool has_tab = false;
	for (size_t i = 0; i < n && get(s, dyn + i * 2 * w, w) != DT_NULL; i++) {
		uint64_t tag = get(s, dyn + i * 2 * w, w), val = get(s, dyn + i * 2 * w + w, w);
		if (tag == DT_STRTAB && !has_tab)
			strtab = val, has_tab = true;
		else if (tag == DT_STRSZ && strsz == UINT64_MAX)
			strsz = val;
	}
	struct strtab t = has_tab ? map_strtab(l, strtab, strsz) : (struct strtab){ 0, 0 };
	for (size_t i = 0; i < n && get(s, dyn + i * 2 * w, w) != DT_NULL; i++) {
		uint64_t tag = get(s, dyn + i * 2 * w, w), val = get(s, dyn + i * 2 * w + w, w);
		_cleanup_free_ char *str = NULL;
		if (tag != DT_NEEDED && tag != DT_RPATH && tag != DT_RUNPATH)
			continue;
		if (read_str(s, &t, val, &str, err) < 0)
			return -1;
		if (tag != DT_NEEDED) {
			if (push_pathlist(tag == DT_RPATH ? &info->rpath : &info->runpath, str,
					  s->name, err) < 0)
				return -1;
		} else if (cage_strvec_push_owned(&info->needed, CAGE_STEAL_PTR(str)) < 0) {
			return cage_err_sys(err, ENOMEM, "%s", s->name);
		}
	}
	return 0;
}

static int parse_elf(struct src *s, struct cage_elf_info *info, cage_err_t *err)
{
	unsigned char eh[64];
	if (src_read(s, 0, EI_NIDENT, eh, err) < 0)
		return -1;
	if (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64)
		return cage_err_set(err, "%s: unknown ELF class %d", s->name, eh[EI_CLASS]);
	if (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB)
		return cage_err_set(err, "%s: unknown ELF data encoding %d", s->name, eh[EI_DATA]);
	s->is64 = eh[EI_CLASS] == ELFCLASS64;
	s->be = eh[EI_DATA] == ELFDATA2MSB;
	if (src_read(s, 0, s->is64 ? 64 : 52, eh, err) < 0)
		return -1;
	info->elfclass = eh[EI_CLASS];
	info->machine = (int)get(s, eh + 18, 2);
	__attribute__((cleanup(layout_free))) struct layout l = {0};
	if (read_phdrs(s, eh, &l, err) < 0)
		return -1;
	if (l.has_interp && read_interp(s, &l.interp, &info->interp, err) < 0)
		return -1;
	info->is_dynamic = l.has_dyn;
	return l.has_dyn ? read_dynamic(s, &l.dyn, &l, info, err) : 0;
}

static int parse(struct src *s, struct cage_elf_info *info, cage_err_t *err)
{
	memset(info, 0, sizeof(*info));
	if (s->size < SELFMAG || s->memlen < SELFMAG || memcmp(s->mem, ELFMAG, SELFMAG) != 0)
		return 0; /* a script, text, data: not ours to follow */
	info->is_elf = true;
	if (parse_elf(s, info, err) < 0) {
		cage_elf_info_free(info);
		return -1;
	}
	return 0;
}

int cage_elf_parse_mem(const void *data, size_t len, const char *name,
		       struct cage_elf_info *info, cage_err_t *err)
{
	struct src s = { .mem = data, .memlen = len, .fd = -1, .size = len,
			 .name = name ? name : "(buffer)" };
	return parse(&s, info, err);
}

static int read_fd(int fd, const char *name, struct cage_elf_info *info, cage_err_t *err)
{
	memset(info, 0, sizeof(*info));
	struct stat st;
	if (fstat(fd, &st) < 0)
		return cage_err_sys(err, errno, "cannot stat %s", name);
	if (!S_ISREG(st.st_mode))
		return 0; /* directories, devices, FIFOs are never ELF objects to load */
	unsigned char head[HEAD_SIZE];
	ssize_t n;
	while ((n = pread(fd, head, sizeof(head), 0)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return cage_err_sys(err, errno, "cannot read %s", name);
	struct src s = { .mem = head, .memlen = (size_t)n, .fd = fd, .size = (uint64_t)st.st_size,
			 .name = name };
	return parse(&s, info, err);
}

int cage_elf_read(const char *path, struct cage_elf_info *info, cage_err_t *err)
{
	memset(info, 0, sizeof(*info));
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return cage_err_sys(err, errno, "cannot open %s", path);
	return read_fd(fd, path, info, err);
}

void cage_elf_info_free(struct cage_elf_info *info)
{
	free(info->interp);
	cage_strvec_free(&info->needed);
	cage_strvec_free(&info->rpath);
	cage_strvec_free(&info->runpath);
	memset(info, 0, sizeof(*info));
}

/* ------------------------------------------------------------------------ */
/* Architectures: Debian multiarch triplet ($LIB, default dirs), $PLATFORM. */

struct arch { int machine, elfclass; const char *uname, *triplet, *platform; };
static const struct arch arches[] = {
	{ EM_X86_64, ELFCLASS64, "x86_64", "x86_64-linux-gnu", "x86_64" },
	{ EM_X86_64, ELFCLASS32, "", "x86_64-linux-gnux32", "x86_64" },
	{ EM_386, ELFCLASS32, "i686", "i386-linux-gnu", "i686" },
	{ EM_AARCH64, ELFCLASS64, "aarch64", "aarch64-linux-gnu", "aarch64" },
	{ EM_ARM, ELFCLASS32, "armv7l", "arm-linux-gnueabihf", "v7l" },
	{ EM_PPC64, ELFCLASS64, "ppc64le", "powerpc64le-linux-gnu", "ppc64le" },
	{ EM_S390, ELFCLASS64, "s390x", "s390x-linux-gnu", "s390x" },
	{ EM_RISCV, ELFCLASS64, "riscv64", "riscv64-linux-gnu", "riscv64" },
};

/* By e_machine and class, or (uname_m set) by uname -m. */
static const struct arch *arch_find(int machine, int elfclass, const char *uname_m)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (uname_m ? !strcmp(arches[i].uname, uname_m)
			    : arches[i].machine == machine && arches[i].elfclass == elfclass)
			return &arches[i];
	return NULL;
}

/* The running architecture (i386..i686 and armv* fold). */
static const struct arch *arch_host(void)
{
	struct utsname u;
	if (uname(&u) < 0)
		return NULL;
	const char *m = u.machine;
	if (m[0] == 'i' && !strcmp(m + 2, "86"))
		m = "i686";
	else if (!strncmp(m, "armv", 4))
		m = "armv7l";
	return arch_find(0, 0, m);
}

/* ------------------------------------------------------------------------ */
/* ld.so.conf and default directories. */

static char *under_root(const char *root, const char *path)
{
	return root[0] ? cage_path_join(root, path) : strdup(path);
}

/* "" for the host, else the real path of root (as /proc/self/fd shows it). */
static char *norm_root(const char *root)
{
	if (!root || !root[strspn(root, "/")])
		return strdup("");
	char *real = realpath(root, NULL);
	return real ? real : strdup(root);
}

static int add_dir(struct cage_ldpath *lp, const char *dir)
{
	return cage_strvec_contains(&lp->dirs, dir) ? 0 : cage_strvec_push(&lp->dirs, dir);
}

struct conf {
	struct cage_ldpath *lp;
	const char *root;
	cage_strvec_t seen;       /* real paths of files read: include loops end */
};

static int conf_parse(struct conf *c, const char *file);

/* "include PATTERN...": relative patterns are relative to the including
 * file's directory, as ldconfig does (so /etc for /etc/ld.so.conf). */
static int conf_include(struct conf *c, const char *file, char *patterns)
{
	for (char *pat; (pat = strsep(&patterns, " \t"));) {
		if (!*pat)
			continue;
		_cleanup_free_ char *dir = strndup(file, (size_t)(strrchr(file, '/') - file));
		_cleanup_free_ char *abs = !dir ? NULL : pat[0] == '/' ? strdup(pat)
								    : cage_path_join(dir, pat);
		_cleanup_free_ char *full = abs ? under_root(c->root, abs) : NULL;
		glob_t g;
		int r = full ? glob(full, 0, NULL, &g) : GLOB_NOSPACE;
		if (r == GLOB_NOSPACE)
			return -1;
		if (r != 0)
			continue; /* no match: fine, like ldconfig */
		for (size_t i = 0; i < g.gl_pathc && r == 0; i++)
			r = conf_parse(c, g.gl_pathv[i] + strlen(c->root));
		globfree(&g);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int conf_line(struct conf *c, const char *file, unsigned lineno, char *line)
{
	line[strcspn(line, "#")] = '\0';
	line += strspn(line, " \t\r");
	size_t n = strlen(line);
	while (n > 0 && strchr(" \t\r/", line[n - 1]))
		line[--n] = '\0';
	if (n == 0)
		return 0;
	if (!strncmp(line, "include", 7) && (line[7] == ' ' || line[7] == '\t'))
		return conf_include(c, file, line + 8);
	if (!strncasecmp(line, "hwcap", 5) && (line[5] == ' ' || line[5] == '\t'))
		return 0; /* obsolete; ldconfig ignores it too */
	if (line[0] != '/') {
		cage_warn("%s:%u: ignoring relative library directory '%s'", file, lineno, line);
		return 0;
	}
	return add_dir(c->lp, line);
}

static int conf_parse(struct conf *c, const char *file)
{
	_cleanup_free_ char *full = under_root(c->root, file);
	_cleanup_free_ char *real = full ? realpath(full, NULL) : NULL;
	_cleanup_free_ char *text = NULL;
	cage_err_t e = {0};
	if (!full)
		return -1;
	if (real && cage_strvec_contains(&c->seen, real))
		return 0;
	if (real && cage_strvec_push(&c->seen, real) < 0)
		return -1;
	if (cage_read_file(full, 1u << 20, &text, NULL, &e) < 0) {
		if (e.errnum == ENOMEM)
			return -1;
		if (e.errnum != ENOENT)
			cage_warn("%s", e.msg);
		return 0; /* no ld.so.conf: only the defaults, like ld.so */
	}
	unsigned lineno = 0;
	for (char *p = text, *line; (line = strsep(&p, "\n"));)
		if (conf_line(c, file, ++lineno, line) < 0)
			return -1;
	return 0;
}

/* ld.so's built-in dirs: multiarch first (Debian), lib64 (RHEL), then lib. */
static int add_defaults(struct cage_ldpath *lp)
{
	const struct arch *a = arch_host();
	char lib[128], usrlib[128];
	snprintf(lib, sizeof(lib), "/lib/%s", a ? a->triplet : "");
	snprintf(usrlib, sizeof(usrlib), "/usr/lib/%s", a ? a->triplet : "");
	if (a && (add_dir(lp, lib) < 0 || add_dir(lp, usrlib) < 0))
		return -1;
	if ((!a || a->elfclass == ELFCLASS64) &&
	    (add_dir(lp, "/lib64") < 0 || add_dir(lp, "/usr/lib64") < 0))
		return -1;
	return add_dir(lp, "/lib") < 0 || add_dir(lp, "/usr/lib") < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Cache of parsed files, by path under root. */

struct cache_ent {
	const char *key;             /* == path; first, so &key works as a search key */
	int status;                  /* 0: parsed (ELF or not); -1: unusable */
	struct cage_elf_info info;
	char path[];
};

struct cage_elf_cache {
	char *root;                  /* from norm_root */
	void *tree;                  /* tsearch tree of struct cache_ent */
};

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ent_free(void *p)
{
	struct cache_ent *e = p;
	cage_elf_info_free(&e->info);
	free(e);
}

static void cache_free(struct cage_elf_cache *c)
{
	if (c) {
		tdestroy(c->tree, ent_free);
		free(c->root);
		free(c);
	}
}

static struct cage_elf_cache *cache_new(const char *root)
{
	struct cage_elf_cache *c = calloc(1, sizeof(*c));
	if (c && !(c->root = norm_root(root))) {
		free(c);
		return NULL;
	}
	return c;
}

int cage_ldpath_load(struct cage_ldpath *lp, const char *root, cage_err_t *err)
{
	memset(lp, 0, sizeof(*lp));
	lp->cache = cache_new(root);
	struct conf c = { lp, lp->cache ? lp->cache->root : "", {0} };
	int r = lp->cache ? conf_parse(&c, "/etc/ld.so.conf") : -1;
	cage_strvec_free(&c.seen);
	if (r < 0 || add_defaults(lp) < 0) {
		cage_ldpath_free(lp);
		return cage_err_sys(err, ENOMEM, "loading ld.so.conf");
	}
	return 0;
}

void cage_ldpath_free(struct cage_ldpath *lp)
{
	cage_strvec_free(&lp->dirs);
	cache_free(lp->cache);
	lp->cache = NULL;
}

/* ------------------------------------------------------------------------ */
/* Closure. */

struct node {
	const struct cage_elf_info *info;
	char *path;                       /* as reported */
	char *origin;                     /* $ORIGIN */
	size_t loader;                    /* the object whose NEEDED found it, or NONE */
};

struct walk {
	const struct cage_ldpath *lp;
	struct cage_elf_cache *cache, *own_cache;
	const char *root;                 /* from norm_root */
	int rootfd;                       /* -1 for the host */
	struct cage_elf_info main;        /* the program: read directly, not cached */
	struct node *nodes;
	size_t n, cap;
	cage_strvec_t names;              /* NEEDED names already handled */
	cage_strvec_t *out;
};

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->nodes[i].path);
		free(w->nodes[i].origin);
	}
	free(w->nodes);
	cage_strvec_free(&w->names);
	cage_elf_info_free(&w->main);
	cache_free(w->own_cache);
	if (w->rootfd >= 0)
		close(w->rootfd);
}

/* Symlinks (absolute ones too) resolve inside root, as in the chroot. */
static int open_rooted(const struct walk *w, const char *path, int flags)
{
	flags |= O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY);
	if (w->rootfd < 0)
		return open(path, flags);
	struct open_how how = { .flags = (uint64_t)flags, .resolve = RESOLVE_IN_ROOT };
	int fd = (int)syscall(SYS_openat2, w->rootfd, path, &how, sizeof(how));
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	_cleanup_free_ char *full = cage_path_join(w->root, path);
	return full ? open(full, flags) : -1;
}

/* The parsed file at path, from the cache or read now; NULL only on ENOMEM.
 * Unusable files (missing, malformed) are cached too: most probes miss. */
static const struct cache_ent *probe(struct walk *w, const char *path)
{
	void *hit = tfind(&path, &w->cache->tree, ent_cmp);
	if (hit)
		return *(const struct cache_ent **)hit;
	size_t len = strlen(path) + 1;
	struct cache_ent *e = calloc(1, sizeof(*e) + len);
	if (!e)
		return NULL;
	e->key = memcpy(e->path, path, len);
	_cleanup_close_ int fd = open_rooted(w, path, O_RDONLY | O_NONBLOCK);
	cage_err_t perr = {0};
	e->status = fd < 0 ? -1 : read_fd(fd, path, &e->info, &perr);
	if (e->status < 0 && fd >= 0)
		cage_debug("skipping %s", perr.msg);
	if (!tsearch(e, &w->cache->tree, ent_cmp)) {
		ent_free(e);
		return NULL;
	}
	return e;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
}

/* Queue a found object for its own NEEDED; output it unless it is the program. */
static int take(struct walk *w, const struct cage_elf_info *info, const char *path,
		char *origin, size_t loader)
{
	_cleanup_free_ char *o = origin, *p = strdup(path);
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->nodes[i].path, path))
			return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct node *nodes = realloc(w->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return -1;
		w->nodes = nodes;
		w->cap = cap;
	}
	if (!p || !o || (w->n > 0 && cage_strvec_push(w->out, path) < 0))
		return -1;
	w->nodes[w->n++] = (struct node){ info, CAGE_STEAL_PTR(p), CAGE_STEAL_PTR(o), loader };
	return 0;
}

/* ld.so takes $ORIGIN of the program from /proc/self/exe, i.e. with symlinks
 * resolved; of a library, from the path it was found under. */
static char *main_origin(const struct walk *w, int fd, const char *path)
{
	char buf[PATH_MAX], link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	size_t rl = strlen(w->root);
	if (n <= 0 || (size_t)n <= rl || strncmp(buf, w->root, rl) || buf[rl] != '/')
		return dir_of(path); /* no /proc, or root itself is behind a symlink */
	buf[n] = '\0';
	return dir_of(buf + rl);
}

/* The value of a dynamic string token for object `owner`, or NULL. */
static const char *dst_value(const struct walk *w, size_t owner, const char *tok, size_t len,
			     char *buf, size_t bufsz)
{
	const struct cage_elf_info *in = w->nodes[owner].info;
	const struct arch *a = arch_find(in->machine, in->elfclass, NULL);
	if (len == 6 && !strncmp(tok, "ORIGIN", 6))
		return w->nodes[owner].origin;
	if (len == 8 && !strncmp(tok, "PLATFORM", 8))
		return a ? a->platform : NULL;
	if (len != 3 || strncmp(tok, "LIB", 3))
		return NULL;
	/* Debian's ld.so says lib/<triplet>; lib64/lib elsewhere. */
	snprintf(buf, bufsz, "/usr/lib/%s", a ? a->triplet : "-");
	_cleanup_close_ int fd = a ? open_rooted(w, buf, O_PATH | O_DIRECTORY) : -1;
	return fd >= 0 ? buf + 5 : in->elfclass == ELFCLASS64 ? "lib64" : "lib";
}

/* Expand $ORIGIN, ${ORIGIN}, $LIB, $PLATFORM into a malloc'd path; an
 * unknown '$' stays literal (as in ld.so); NULL if too long or no memory. */
static char *expand_dst(const struct walk *w, size_t owner, const char *s)
{
	char out[PATH_MAX], buf[128];
	size_t n = 0;
	while (*s && n < sizeof(out)) {
		bool curly = s[0] == '$' && s[1] == '{';
		const char *tok = s + 1 + curly, *val = NULL;
		size_t len = *s == '$' ? strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") : 0;
		if (len && (curly ? tok[len] == '}' : tok[len] == '\0' || tok[len] == '/'))
			val = dst_value(w, owner, tok, len, buf, sizeof(buf));
		if (!val) {
			out[n++] = *s++;
			continue;
		}
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", val);
		s = tok + len + curly;
	}
	return n < sizeof(out) ? strndup(out, n) : NULL;
}

enum { FOUND = 1, MISSING = 0, NOMEM = -1 };

/* Accept path for a NEEDED of object `req` if it is ELF of the same kind. */
static int try_path(struct walk *w, size_t req, const char *path, char **found)
{
	const struct cache_ent *e = probe(w, path);
	const struct cage_elf_info *r = w->nodes[req].info;
	if (!e)
		return NOMEM;
	if (e->status < 0 || !e->info.is_elf || e->info.elfclass != r->elfclass ||
	    e->info.machine != r->machine)
		return MISSING;
	return (*found = strdup(path)) ? FOUND : NOMEM;
}

/* Search name in dirs; entries are DST-expanded with owner's values. */
static int try_dirs(struct walk *w, size_t req, size_t owner, const cage_strvec_t *dirs,
		    const char *name, char **found)
{
	for (size_t i = 0; i < dirs->n; i++) {
		_cleanup_free_ char *dir = owner == NONE ? strdup(dirs->v[i])
							 : expand_dst(w, owner, dirs->v[i]);
		if (!dir || dir[0] != '/')
			continue; /* too long, or relative to ld.so's cwd: unknowable here */
		_cleanup_free_ char *path = cage_path_join(dir, name);
		int r = path ? try_path(w, req, path, found) : NOMEM;
		if (r != MISSING)
			return r;
	}
	return MISSING;
}

/* ld.so's order (glibc _dl_map_object). */
static int search(struct walk *w, size_t req, const char *name, char **found)
{
	const struct cage_elf_info *in = w->nodes[req].info;
	int r = MISSING;
	if (strchr(name, '/')) {
		_cleanup_free_ char *p = expand_dst(w, req, name);
		return p && p[0] == '/' ? try_path(w, req, p, found) : MISSING;
	}
	/* RPATH of the object and its loaders, unless the object has RUNPATH;
	 * an object's own RUNPATH disables its RPATH. */
	for (size_t j = req; in->runpath.n == 0 && j != NONE && r == MISSING; j = w->nodes[j].loader)
		if (w->nodes[j].info->runpath.n == 0)
			r = try_dirs(w, req, j, &w->nodes[j].info->rpath, name, found);
	if (r == MISSING)
		r = try_dirs(w, req, req, &in->runpath, name, found);
	if (r == MISSING)
		r = try_dirs(w, req, NONE, &w->lp->dirs, name, found);
	return r;
}

static int resolve_needed(struct walk *w, size_t req, const char *name)
{
	/* ld.so loads a name once; later NEEDED of it match the loaded one. */
	if (cage_strvec_contains(&w->names, name))
		return 0;
	if (cage_strvec_push(&w->names, name) < 0)
		return -1;
	_cleanup_free_ char *found = NULL;
	int r = search(w, req, name, &found);
	if (r == MISSING)
		cage_warn("%s: cannot find %s (needed by %s)", w->nodes[0].path, name,
			  w->nodes[req].path);
	if (r != FOUND)
		return r;
	return take(w, &probe(w, found)->info, found, dir_of(found), req);
}

/* The interpreter is loaded first and answers to its soname (= basename),
 * so libc's NEEDED ld-linux-x86-64.so.2 is the interpreter, not a search. */
static int add_interp(struct walk *w, const char *interp)
{
	const char *base = strrchr(interp, '/');
	if (cage_strvec_push(&w->names, base ? base + 1 : interp) < 0)
		return -1;
	const struct cache_ent *e = interp[0] == '/' ? probe(w, interp) : NULL;
	if (interp[0] == '/' && !e)
		return -1;
	if (!e || e->status < 0 || !e->info.is_elf) {
		cage_warn("%s: interpreter %s not found", w->nodes[0].path, interp);
		return 0;
	}
	return take(w, &e->info, interp, dir_of(interp), NONE);
}

static int walk_init(struct walk *w, const struct cage_ldpath *lp, const char *root,
		     cage_strvec_t *out, cage_err_t *err)
{
	_cleanup_free_ char *r = norm_root(root);
	w->lp = lp;
	w->out = out;
	if (r && lp->cache && !strcmp(lp->cache->root, r))
		w->cache = lp->cache;
	else if (!r || !(w->cache = w->own_cache = cache_new(r)))
		return cage_err_sys(err, ENOMEM, "closure");
	w->root = w->cache->root;
	if (w->root[0] && (w->rootfd = open(w->root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return cage_err_sys(err, errno, "cannot open root %s", w->root);
	return 0;
}

int cage_elf_closure(const struct cage_ldpath *lp, const char *root, const char *path,
		     cage_strvec_t *out, cage_err_t *err)
{
	__attribute__((cleanup(walk_free))) struct walk w = { .rootfd = -1 };
	if (walk_init(&w, lp, root, out, err) < 0)
		return -1;
	_cleanup_close_ int fd = open_rooted(&w, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return cage_err_sys(err, errno, "cannot open %s", path);
	if (read_fd(fd, path, &w.main, err) < 0)
		return -1;
	if (!w.main.is_elf)
		return 0;
	if (take(&w, &w.main, path, main_origin(&w, fd, path), NONE) < 0 ||
	    (w.main.interp && add_interp(&w, w.main.interp) < 0))
		return cage_err_sys(err, ENOMEM, "%s", path);
	/* Breadth first, like ld.so, so each library's loader is ld.so's. */
	for (size_t i = 0; i < w.n; i++) {
		const cage_strvec_t *needed = &w.nodes[i].info->needed;
		for (size_t k = 0; k < needed->n; k++)
			if (resolve_needed(&w, i, needed->v[k]) < 0)
				return cage_err_sys(err, ENOMEM, "%s", path);
	}
	return 0;
}
