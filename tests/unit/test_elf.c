/* ELF header reading and ld.so-style library closure (bundles/skeleton/elf.c).
 * Needs `cc` to build small programs and libraries; no root, no network. */
#define _GNU_SOURCE
#include "cagefs/elf.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cagefs/cleanup.h"
#include "cagefs/log.h"
#include "cagefs/safefs.h"
#include "tap.h"

static char tmp[] = "/tmp/test_elf.XXXXXX";
static cage_strvec_t logged;

static void capture(int prio, const char *msg, void *data)
{
	(void)data;
	if (prio <= LOG_WARNING)
		cage_strvec_push(&logged, msg);
}

static bool logged_has(const char *needle)
{
	for (size_t i = 0; i < logged.n; i++)
		if (strstr(logged.v[i], needle))
			return true;
	return false;
}

static char *tpath(const char *rel)
{
	return cage_path_join(tmp, rel);
}

static void put_file(const char *rel, const void *data, size_t len)
{
	_cleanup_free_ char *p = tpath(rel);
	_cleanup_free_ char *dir = strdup(p);
	*strrchr(dir, '/') = '\0';
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	if (system(cmd) != 0)
		return;
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd >= 0) {
		if (write(fd, data, len) != (ssize_t)len)
			printf("# short write %s\n", p);
		close(fd);
	}
}

static void put_text(const char *rel, const char *text)
{
	put_file(rel, text, strlen(text));
}

/* Run a shell command in the temp dir; returns its exit status. */
__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	int n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", tmp);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static bool has(const cage_strvec_t *sv, const char *s)
{
	return cage_strvec_contains(sv, s);
}

static bool has_suffix(const cage_strvec_t *sv, const char *suffix)
{
	for (size_t i = 0; i < sv->n; i++) {
		size_t a = strlen(sv->v[i]), b = strlen(suffix);
		if (a >= b && !strcmp(sv->v[i] + a - b, suffix))
			return true;
	}
	return false;
}

static bool all_unique(const cage_strvec_t *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		for (size_t j = i + 1; j < sv->n; j++)
			if (!strcmp(sv->v[i], sv->v[j]))
				return false;
	return true;
}

/* The real ld.so agrees: ldd's libraries, canonicalized, are exactly ours. */
static bool same_as_ldd(const char *prog, const cage_strvec_t *out)
{
	char cmd[4200], line[4200], real[PATH_MAX];
	cage_strvec_t ours = {0}, theirs = {0};
	for (size_t i = 0; i < out->n; i++)
		if (realpath(out->v[i], real))
			cage_strvec_push(&ours, real);
	snprintf(cmd, sizeof(cmd), "ldd '%s' 2>/dev/null", prog);
	FILE *f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *arrow = strstr(line, "=> "), *p = arrow ? arrow + 3 : line + strspn(line, " \t");
		p[strcspn(p, " (\n")] = '\0';
		if (*p == '/' && realpath(p, real))
			cage_strvec_push(&theirs, real);
	}
	bool same = f && pclose(f) == 0 && theirs.n > 0;
	cage_strvec_sort_unique(&ours);
	cage_strvec_sort_unique(&theirs);
	for (size_t i = 0; same && i < theirs.n; i++)
		same = i < ours.n && ours.n == theirs.n && !strcmp(ours.v[i], theirs.v[i]);
	if (!same)
		for (size_t i = 0; i < theirs.n; i++)
			printf("#   ldd: %s\n", theirs.v[i]);
	cage_strvec_free(&ours);
	cage_strvec_free(&theirs);
	return same;
}

/* ---- synthetic ELF files: any class, byte order, machine ---------------- */

struct syn {
	int cls;
	bool be;
	int machine;
	const char *interp, *needed[3], *rpath, *runpath;
};

static void put(unsigned char *p, uint64_t v, unsigned width, bool be)
{
	for (unsigned i = 0; i < width; i++)
		p[be ? width - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static size_t add_str(unsigned char *b, size_t *off, const char *s)
{
	size_t at = *off;
	strcpy((char *)b + at, s);
	*off += strlen(s) + 1;
	return at;
}

/* One PT_LOAD covering the file at BASE, PT_DYNAMIC, PT_INTERP. */
static size_t make_elf(unsigned char *b, const struct syn *y)
{
	const uint64_t base = 0x400000;
	unsigned w = y->cls == ELFCLASS64 ? 8 : 4;
	size_t ehsize = w == 8 ? 64 : 52, phsz = w == 8 ? 56 : 32, off = ehsize + 3 * phsz;
	memset(b, 0, 4096);
	size_t interp = y->interp ? add_str(b, &off, y->interp) : 0, ilen = off - interp;
	size_t strtab = off++, names[5], nn = 0;
	uint64_t tags[5];
	for (int i = 0; i < 3 && y->needed[i]; i++)
		tags[nn] = DT_NEEDED, names[nn++] = add_str(b, &off, y->needed[i]) - strtab;
	if (y->rpath)
		tags[nn] = DT_RPATH, names[nn++] = add_str(b, &off, y->rpath) - strtab;
	if (y->runpath)
		tags[nn] = DT_RUNPATH, names[nn++] = add_str(b, &off, y->runpath) - strtab;
	size_t strsz = off - strtab, dyn = (off + 7) & ~(size_t)7, d = dyn;
	uint64_t ents[][2] = { { DT_STRTAB, base + strtab }, { DT_STRSZ, strsz } };
	for (size_t i = 0; i < nn; i++, d += 2 * w)
		put(b + d, tags[i], w, y->be), put(b + d + w, names[i], w, y->be);
	for (size_t i = 0; i < 2; i++, d += 2 * w)
		put(b + d, ents[i][0], w, y->be), put(b + d + w, ents[i][1], w, y->be);
	d += 2 * w; /* DT_NULL */
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = (unsigned char)y->cls, b[EI_DATA] = y->be ? ELFDATA2MSB : ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	put(b + 16, ET_DYN, 2, y->be), put(b + 18, (uint64_t)y->machine, 2, y->be);
	put(b + 20, EV_CURRENT, 4, y->be), put(b + 24 + w, ehsize, w, y->be);
	put(b + 28 + 3 * w, ehsize, 2, y->be), put(b + 30 + 3 * w, phsz, 2, y->be);
	put(b + 32 + 3 * w, 3, 2, y->be);
	uint64_t ph[3][3] = { { PT_LOAD, 0, d }, { PT_DYNAMIC, dyn, d - dyn },
			      { y->interp ? PT_INTERP : PT_NULL, interp, ilen } };
	for (int i = 0; i < 3; i++) {
		unsigned char *p = b + ehsize + (size_t)i * phsz;
		put(p, ph[i][0], 4, y->be), put(p + w, ph[i][1], w, y->be);
		put(p + 2 * w, base + ph[i][1], w, y->be), put(p + 4 * w, ph[i][2], w, y->be);
		put(p + 5 * w, ph[i][2], w, y->be);
	}
	return d;
}

static void put_syn(const char *rel, const struct syn *y)
{
	unsigned char buf[4096];
	put_file(rel, buf, make_elf(buf, y));
}

/* ---- tests --------------------------------------------------------------- */

static int host_machine;

static void test_read_bash(void)
{
	struct cage_elf_info info;
	cage_err_t err = {0};
	is_int(cage_elf_read("/bin/bash", &info, &err), 0, "read /bin/bash %s", err.msg);
	ok(info.is_elf && info.is_dynamic, "bash is a dynamic ELF");
	is_int(info.elfclass, sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32, "class of this machine");
	ok(info.interp && info.interp[0] == '/', "PT_INTERP %s", info.interp ? info.interp : "-");
	ok(has(&info.needed, "libc.so.6"), "NEEDED libc.so.6");
	host_machine = info.machine;
	cage_elf_info_free(&info);

	struct cage_ldpath lp;
	cage_strvec_t out = {0};
	is_int(cage_ldpath_load(&lp, "/", &err), 0, "load host ld.so.conf");
	ok(lp.dirs.n > 0 && has(&lp.dirs, "/usr/lib"), "default dirs present");
	is_int(cage_elf_closure(&lp, "/", "/bin/bash", &out, &err), 0, "closure of bash %s", err.msg);
	cage_elf_read("/bin/bash", &info, &err);
	ok(info.interp && has(&out, info.interp), "closure has the interpreter");
	ok(has_suffix(&out, "/libc.so.6"), "closure has libc.so.6");
	ok(has_suffix(&out, "/libtinfo.so.6"), "closure has libtinfo");
	ok(all_unique(&out), "each library once (%zu)", out.n);
	ok(same_as_ldd("/bin/bash", &out), "same libraries as ldd /bin/bash");
	ok(!has_suffix(&out, "/" "x86_64-linux-gnu/ld-linux-x86-64.so.2"),
	   "libc's NEEDED ld.so is the interpreter, not searched again");
	size_t n1 = out.n;
	is_int(cage_elf_closure(&lp, "", "/bin/bash", &out, &err), 0, "second call (cached)");
	bool same = out.n == 2 * n1;
	for (size_t i = 0; same && i < n1; i++)
		same = !strcmp(out.v[i], out.v[n1 + i]);
	ok(same, "same result from the cache");
	cage_strvec_free(&out);
	ok(cage_elf_closure(&lp, "/", "/nonexistent/prog", &out, &err) < 0 &&
	   strstr(err.msg, "/nonexistent/prog"), "missing program is an error: %s", err.msg);
	cage_elf_info_free(&info);
	cage_ldpath_free(&lp);
}

static void test_not_elf_and_truncated(void)
{
	struct cage_elf_info info;
	cage_err_t err = {0};
	put_text("script.sh", "#!/bin/sh\necho hello\n");
	put_text("empty", "");
	put_text("elfmagic", "\177ELF");
	const char *nonelf[] = { "script.sh", "empty" };
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *p = tpath(nonelf[i]);
		is_int(cage_elf_read(p, &info, &err), 0, "%s: read ok", nonelf[i]);
		ok(!info.is_elf, "%s is not ELF", nonelf[i]);
	}
	is_int(cage_elf_read(tmp, &info, &err), 0, "a directory is not ELF");
	_cleanup_free_ char *magic = tpath("elfmagic");
	ok(cage_elf_read(magic, &info, &err) < 0, "bare magic is an error: %s", err.msg);

	char head[100];
	int fd = open("/bin/true", O_RDONLY);
	ok(fd >= 0 && read(fd, head, sizeof(head)) == (ssize_t)sizeof(head), "read /bin/true");
	if (fd >= 0)
		close(fd);
	put_file("trunc", head, sizeof(head));
	_cleanup_free_ char *trunc = tpath("trunc");
	ok(cage_elf_read(trunc, &info, &err) < 0 && strstr(err.msg, trunc) &&
	   strstr(err.msg, "truncated"), "truncated ELF is an error: %s", err.msg);
	ok(!info.interp && info.needed.n == 0, "nothing left behind");
	is_int(cage_elf_parse_mem(head, sizeof(head), "mem", &info, &err), -1, "same from memory");

	struct cage_ldpath lp;
	cage_strvec_t out = {0};
	cage_ldpath_load(&lp, "/", &err);
	_cleanup_free_ char *script = tpath("script.sh");
	is_int(cage_elf_closure(&lp, "/", script, &out, &err), 0, "closure of a script: ok");
	is_int(out.n, 0, "closure of a script is empty");
	ok(cage_elf_closure(&lp, "/", trunc, &out, &err) < 0, "closure of truncated: error");
	cage_ldpath_free(&lp);
}

static void test_synthetic(void)
{
	unsigned char buf[4096];
	struct cage_elf_info info;
	cage_err_t err = {0};
	struct syn be32 = { ELFCLASS32, true, EM_MIPS, "/lib/ld.so.1", { "liba.so", "libb.so.2" },
			    "/x:$ORIGIN/../y", "/run" };
	size_t len = make_elf(buf, &be32);
	is_int(cage_elf_parse_mem(buf, len, "be32", &info, &err), 0, "ELF32 big-endian %s", err.msg);
	is_int(info.elfclass, ELFCLASS32, "class 32");
	is_int(info.machine, EM_MIPS, "machine MIPS");
	is_str(info.interp, "/lib/ld.so.1", "interp");
	ok(info.needed.n == 2 && !strcmp(info.needed.v[1], "libb.so.2"), "needed in order");
	ok(info.rpath.n == 2 && !strcmp(info.rpath.v[1], "$ORIGIN/../y"), "rpath split, unexpanded");
	ok(info.runpath.n == 1 && !strcmp(info.runpath.v[0], "/run"), "runpath");
	cage_elf_info_free(&info);
	int fails = 0;
	for (size_t cut = 0; cut < len; cut++)
		if (cage_elf_parse_mem(buf, cut, "cut", &info, &err) == 0 && cut >= SELFMAG)
			fails += info.is_elf && info.needed.n == 2; /* cannot have all of it */
	is_int(fails, 0, "every truncation is an error or partial-free");
	struct syn le64 = { ELFCLASS64, false, EM_X86_64, NULL, { "libc.so.6" }, NULL, NULL };
	len = make_elf(buf, &le64);
	is_int(cage_elf_parse_mem(buf, len, "le64", &info, &err), 0, "ELF64 little-endian");
	ok(!info.interp && info.is_dynamic && info.needed.n == 1, "no interp, one NEEDED");
	cage_elf_info_free(&info);
}

/* Build with cc: lib/libfoo.so, lib2/libbar.so (needed by foo), programs. */
static bool build_programs(void)
{
	put_text("src/foo.c", "int bar(void); int foo(void) { return bar() + 1; }\n");
	put_text("src/bar.c", "int bar(void) { return 41; }\n");
	put_text("src/gone.c", "int gone(void) { return 0; }\n");
	put_text("src/main.c", "int foo(void); int main(void) { return foo() != 42; }\n");
	put_text("src/main2.c", "int gone(void); int main(void) { return gone(); }\n");
	const char *cc = "cc -fPIC -O0 -o";
	return sh("mkdir -p lib lib2 gone bin && %s lib2/libbar.so -shared src/bar.c && "
		  "%s lib/libfoo.so -shared src/foo.c -Llib2 -lbar && "
		  "%s bin/rpath src/main.c -Llib -lfoo -Wl,--disable-new-dtags "
		  "-Wl,-rpath,'$ORIGIN/../lib:${ORIGIN}/../lib2' -Wl,-rpath-link,lib2 && "
		  "%s bin/runpath src/main.c -Llib -lfoo -Wl,--enable-new-dtags "
		  "-Wl,-rpath,'$ORIGIN/../lib' -Wl,-rpath-link,lib2 && "
		  "%s gone/libgone.so -shared src/gone.c && "
		  "%s bin/needsgone src/main2.c -Lgone -lgone && rm gone/libgone.so && "
		  "ln -s ../bin/rpath lib2/rpath-link", cc, cc, cc, cc, cc, cc) == 0;
}

static void test_origin(void)
{
	if (!ok(build_programs(), "build test programs with cc"))
		return;
	struct cage_ldpath lp;
	cage_err_t err = {0};
	cage_ldpath_load(&lp, "/", &err);
	_cleanup_free_ char *rpath = tpath("bin/rpath"), *runpath = tpath("bin/runpath");
	_cleanup_free_ char *foo = tpath("bin/../lib/libfoo.so"), *bar = tpath("bin/../lib2/libbar.so");
	struct cage_elf_info info;
	cage_elf_read(rpath, &info, &err);
	ok(info.rpath.n == 2 && info.runpath.n == 0, "DT_RPATH read");
	ok(info.rpath.n && !strcmp(info.rpath.v[0], "$ORIGIN/../lib"), "RPATH unexpanded");
	cage_elf_info_free(&info);
	cage_elf_read(runpath, &info, &err);
	ok(info.runpath.n == 1 && info.rpath.n == 0, "DT_RUNPATH read");
	cage_elf_info_free(&info);

	cage_strvec_t out = {0};
	is_int(cage_elf_closure(&lp, "/", rpath, &out, &err), 0, "closure rpath %s", err.msg);
	ok(has(&out, foo), "$ORIGIN lib found: %s", foo);
	ok(has(&out, bar), "${ORIGIN} lib found: %s", bar);
	ok(has_suffix(&out, "/libc.so.6"), "and libc");
	ok(same_as_ldd(rpath, &out), "same libraries as ldd");
	cage_strvec_free(&out);

	/* The symlink's $ORIGIN is the target's directory, as ld.so sees it. */
	_cleanup_free_ char *link = tpath("lib2/rpath-link");
	is_int(cage_elf_closure(&lp, "/", link, &out, &err), 0, "closure via a symlink");
	ok(has(&out, foo), "$ORIGIN is the real directory");
	cage_strvec_free(&out);

	/* RUNPATH applies to the object's own NEEDED only: libbar stays unfound
	 * (ld.so fails the same way); RPATH was inherited above. */
	cage_strvec_free(&logged);
	is_int(cage_elf_closure(&lp, "/", runpath, &out, &err), 0, "closure runpath");
	ok(has(&out, foo), "RUNPATH lib found");
	ok(!has_suffix(&out, "/libbar.so"), "RUNPATH is not inherited by libfoo");
	ok(logged_has("cannot find libbar.so"), "missing libbar is a warning");
	cage_strvec_free(&out);

	_cleanup_free_ char *needsgone = tpath("bin/needsgone");
	cage_strvec_free(&logged);
	is_int(cage_elf_closure(&lp, "/", needsgone, &out, &err), 0, "missing library: not an error");
	ok(logged_has("libgone.so") && !has_suffix(&out, "libgone.so"), "warned and skipped");
	ok(has_suffix(&out, "/libc.so.6"), "the rest is still there");
	cage_strvec_free(&out);
	cage_ldpath_free(&lp);
}

static void test_cycle(void)
{
	struct cage_ldpath lp;
	cage_err_t err = {0};
	cage_strvec_t out = {0};
	ok(sh("mkdir -p cyc && cd cyc && echo 'int b(void){return 0;}' > b.c && "
	      "echo 'int b(void); int a(void){return b();}' > a.c && "
	      "cc -shared -fPIC -o libcb.so b.c && "
	      "cc -shared -fPIC -o libca.so a.c -L. -lcb -Wl,-rpath,'$ORIGIN' && "
	      "cc -shared -fPIC -o libcb.so b.c -L. -lca -Wl,-rpath,'$ORIGIN' && "
	      "echo 'int a(void); int main(void){return a();}' > m.c && "
	      "cc -o m m.c -L. -lca -Wl,-rpath,'$ORIGIN' -Wl,-rpath-link,.") == 0,
	   "build libca <-> libcb cycle");
	cage_ldpath_load(&lp, "/", &err);
	_cleanup_free_ char *m = tpath("cyc/m"), *ca = tpath("cyc/libca.so"), *cb = tpath("cyc/libcb.so");
	is_int(cage_elf_closure(&lp, "/", m, &out, &err), 0, "cycle terminates");
	ok(has(&out, ca) && has(&out, cb) && all_unique(&out), "both once");
	ok(same_as_ldd(m, &out), "same libraries as ldd");
	cage_strvec_free(&out);
	/* A library needing itself, found through its own RPATH. */
	put_syn("cyc/self/libself.so", &(struct syn){ ELFCLASS64, false, host_machine, NULL,
			{ "libself.so" }, "$ORIGIN", NULL });
	_cleanup_free_ char *self = tpath("cyc/self/libself.so");
	is_int(cage_elf_closure(&lp, "/", self, &out, &err), 0, "self-cycle terminates");
	is_int(out.n, 0, "and adds nothing");
	cage_strvec_free(&out);
	cage_ldpath_free(&lp);
}

static void test_fake_root(void)
{
	char root[4200];
	snprintf(root, sizeof(root), "%s/root", tmp);
	put_text("root/etc/ld.so.conf", "# comment\n\ninclude ld.so.conf.d/*.conf\n"
					"include /etc/more/*.conf /etc/none/*.conf\n/usr/local/lib/\n");
	put_text("root/etc/ld.so.conf.d/10-x.conf", "/opt/x/lib   # trailing comment\nrelative/dir\n");
	put_text("root/etc/ld.so.conf.d/20-loop.conf", "include ../ld.so.conf\n");
	put_text("root/etc/more/a.conf", "/opt/more\n");
	struct syn prog = { ELFCLASS64, false, host_machine, "/lib64/ld-fake.so.2",
			    { "libx.so.1", "libm1.so", "/opt/abs/libabs.so" }, "/a:/b:/$LIB/lb", NULL };
	struct syn x = { ELFCLASS64, false, host_machine, NULL, { "libchain.so", "libm1.so" },
			 NULL, NULL };
	struct syn m1_32 = { ELFCLASS32, false, EM_386, NULL, { "libwrong.so" }, NULL, NULL };
	struct syn plain = { ELFCLASS64, false, host_machine, NULL, { NULL }, NULL, NULL };
	put_syn("root/usr/bin/prog", &prog);
	put_syn("root/opt/x/lib/libx.so.1", &x);
	put_syn("root/a/libm1.so", &m1_32);
	put_syn("root/b/libm1.so", &plain);
	put_syn("root/opt/abs/libabs.so", &plain);
	put_syn("root/usr/lib/x86_64-linux-gnu/lb/libchain.so", &plain);
	put_syn("root/lib64/ld-fake.so.2", &plain);
	/* Merged /usr, and an absolute link that must resolve inside root. */
	ok(sh("ln -s usr/lib root/lib && ln -s /usr/bin/prog root/usr/bin/abs-link") == 0,
	   "symlinks inside the root");

	struct cage_ldpath lp;
	cage_err_t err = {0};
	cage_strvec_t out = {0};
	cage_strvec_free(&logged);
	is_int(cage_ldpath_load(&lp, root, &err), 0, "load fake root ld.so.conf");
	ok(lp.dirs.n >= 3 && !strcmp(lp.dirs.v[0], "/opt/x/lib"), "include glob relative to /etc");
	ok(has(&lp.dirs, "/opt/more") && has(&lp.dirs, "/usr/local/lib"), "absolute include, slash");
	ok(!has(&lp.dirs, "relative/dir") && logged_has("10-x.conf:2"), "relative dir: file:line");
	ok(logged.n == 1, "include loop read each file once (%zu warnings)", logged.n);
	ok(has(&lp.dirs, "/lib") && has(&lp.dirs, "/usr/lib"), "defaults after conf dirs");

	const char *progs[] = { "/usr/bin/prog", "/usr/bin/abs-link" };
	for (int i = 0; i < 2; i++) {
		is_int(cage_elf_closure(&lp, root, progs[i], &out, &err), 0, "closure in root %s",
		       err.msg);
		ok(has(&out, "/opt/x/lib/libx.so.1"), "found via ld.so.conf include, without root");
		ok(has(&out, "/b/libm1.so") && !has(&out, "/a/libm1.so"), "32-bit libm1 skipped");
		ok(!logged_has("libwrong"), "the 32-bit one was never followed");
		ok(has(&out, "/opt/abs/libabs.so"), "NEEDED with a slash is a path");
		ok(has(&out, "/lib64/ld-fake.so.2"), "interpreter under root");
		if (host_machine == EM_X86_64)
			ok(has(&out, "/lib/x86_64-linux-gnu/lb/libchain.so"),
			   "$LIB=lib/x86_64-linux-gnu, RPATH inherited from the program");
		is_int(out.n, host_machine == EM_X86_64 ? 5 : 4, "nothing else");
		cage_strvec_free(&out);
	}
	cage_ldpath_free(&lp);
}

/* DSTs, a non-ELF candidate, a hand-filled lp without cache, no ld.so.conf. */
static void test_dst_and_skip(void)
{
	char root[4200];
	snprintf(root, sizeof(root), "%s/root2", tmp);
	struct syn p = { ELFCLASS64, false, host_machine, NULL, { "libp.so", "libq.so", "libt.so" },
			 "/p/${PLATFORM}:/q/$FOO:/q/$ORIGINX:/t1:/t2", NULL };
	struct syn plain = { ELFCLASS64, false, host_machine, NULL, { NULL }, NULL, NULL };
	put_syn("root2/usr/bin/p", &p);
	put_syn("root2/p/x86_64/libp.so", &plain);
	put_syn("root2/q/$FOO/libq.so", &plain);
	put_text("root2/t1/libt.so", "/* GNU ld script */\nINPUT(-lt)\n");
	put_syn("root2/t2/libt.so", &plain);
	struct cage_ldpath lp;
	cage_err_t err = {0};
	cage_strvec_t out = {0};
	cage_strvec_free(&logged);
	is_int(cage_ldpath_load(&lp, root, &err), 0, "no ld.so.conf: fine");
	ok(logged.n == 0 && has(&lp.dirs, "/usr/lib") && !has(&lp.dirs, "/usr/local/lib"),
	   "only the defaults, no warning");
	cage_ldpath_free(&lp);
	struct cage_ldpath hand = {0};
	cage_strvec_push(&hand.dirs, "/nowhere");
	is_int(cage_elf_closure(&hand, root, "/usr/bin/p", &out, &err), 0, "hand-filled lp %s",
	       err.msg);
	ok(has(&out, "/q/$FOO/libq.so"), "unknown $FOO stays literal");
	ok(has(&out, "/t2/libt.so") && !has(&out, "/t1/libt.so"), "ld script candidate skipped");
	if (host_machine == EM_X86_64)
		ok(has(&out, "/p/x86_64/libp.so"), "${PLATFORM} expanded");
	is_int(out.n, host_machine == EM_X86_64 ? 3 : 2, "nothing else");
	cage_strvec_free(&out);
	cage_strvec_free(&hand.dirs);
}

int main(void)
{
	cage_log_set_callback(capture, NULL);
	if (!mkdtemp(tmp)) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_read_bash();
	test_not_elf_and_truncated();
	test_synthetic();
	test_origin();
	test_cycle();
	test_fake_root();
	test_dst_and_skip();
	cage_err_t err = {0};
	if (!getenv("KEEP_TMP"))
		cage_rm_rf_at(AT_FDCWD, tmp, &err);
	cage_strvec_free(&logged);
	return done_testing();
}
