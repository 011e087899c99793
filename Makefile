# cagefs — one non-recursive GNU make for the whole tree (docs/ARCHITECTURE.md).
# make demo | check | all | install | install-files | bench | fuzz | lint | deps | clean

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
# Where Debian keeps PAM modules (pam_unix.so): /usr/lib/<multiarch>/security.
PAMDIR ?= /usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/security
DESTDIR ?=

# The version of every program: the one line of VERSION (--version prints it).
VERSION := $(shell cat "$(CURDIR)/VERSION")

CC ?= cc
# libpam (no .pc file on Debian 12) is linked into the PAM module only.
# libmount is linked into cagefsctl only: the entering programs load it
# when they build a root (docs/ARCHITECTURE.md §4.13).
PKGCONF_PKGS := libseccomp libcap mount yajl

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wcast-align \
	-Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wvla \
	-Wnull-dereference -Wdouble-promotion -Wimplicit-fallthrough
ifeq ($(CI),true)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC \
	-Iruntime/include -I. -DCAGE_SBINDIR='"$(SBINDIR)"' -DCAGE_VERSION='"$(VERSION)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGCONF_PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGCONF_PKGS) 2>/dev/null)
LDFLAGS ?=
LDFLAGS += -Wl,-z,relro,-z,now -Wl,--as-needed

B := build
# V=1 shows the full compiler command lines.
Q := $(if $(V),,@)
LIB := $(B)/libcagefs.a

# The library's layers, bottom up (docs/ARCHITECTURE.md §2): each includes only
# its own headers and those of the layers below (tests/unit/layers.t).
LIB_DIRS := runtime/core seccomp bundles/skeleton bundles/user runtime/oci runtime/cage runtime/container proxy \
	runtime/sanity hooks
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o) $(B)/gen/pin_blob.o
CLI_SRCS := $(wildcard cli/cagefsctl*.c)
LIB_HDRS := $(wildcard runtime/include/cagefs/*.h) $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.h))
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/%.o)
PROGS := $(B)/cagefsctl $(B)/cagefs-runtime $(B)/cagefs_enter $(B)/cagefs_enter_user $(B)/pam_cagefs.so \
	$(B)/proxyexecd $(B)/cagefs.proxy.program $(B)/cagefs-hook

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)

# Debian packages the build, the tests and the benchmarks need.
DEB_BUILD := build-essential pkg-config libseccomp-dev libcap-dev libmount-dev \
	libpam0g-dev libyajl-dev
DEB_TEST := perl util-linux openssh-server openssh-client pamtester cron sudo vsftpd python3 passwd procps rsync groff-base man-db bsdextrautils clang libclang-rt-14-dev file crun python3-jsonschema busybox-static \
	golang-github-opencontainers-specs-dev golang-go golang-github-opencontainers-runtime-tools-dev
DEB_BENCH := hyperfine rsync bubblewrap

.PHONY: all deps check check-unit check-integration check-selftest demo shell bench fuzz install install-files print-pamdir lint clean

all: $(PROGS)

deps:
	@missing=""; for p in $(DEB_BUILD) $(DEB_TEST) $(DEB_BENCH); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
			|| missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(B)/%.o: %.c $(LIB_HDRS) $(wildcard cli/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The programs' mains print the version: rebuilt when it changes.
$(CLI_OBJS) $(B)/cli/cagefs-runtime.o $(B)/cli/cagefs_enter.o $(B)/cli/proxyexecd.o $(B)/cli/cagefs-hook.o: VERSION

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# The pin (runtime/cage/pins.c) execs this tiny static program from a
# memfd: no libc, one page of code.  Its bytes are compiled into the library.
PIN_GEN := $(B)/gen/pin_blob.c
PIN_CFLAGS := -std=gnu11 $(WARN) -Os -ffreestanding -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-pie -static -nostdlib \
	-Wl,-n -Wl,--build-id=none -Wl,-z,noexecstack -s
$(B)/pin/cagefs-pin: runtime/pin/cagefs-pin.c
	@mkdir -p $(@D)
	@echo "  PIN     $@"
	$(Q)$(CC) $(PIN_CFLAGS) -o $@ $<
$(PIN_GEN): $(B)/pin/cagefs-pin runtime/pin/embed.sh
	@mkdir -p $(@D)
	$(Q)runtime/pin/embed.sh $< $@
$(B)/gen/pin_blob.o: $(PIN_GEN)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/cagefsctl: $(CLI_OBJS) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(PKG_LIBS)

$(B)/cagefs-hook: $(B)/cli/cagefs-hook.o $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(B)/cagefs-runtime: $(B)/cli/cagefs-runtime.o $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(ENTER_LIBS)

# The entering programs run on every login and cron job: their libraries are
# linked in statically, so joining a cage pays for no shared-object loading.
ENTER_LIBS := -Wl,-Bstatic -lseccomp -lcap -lyajl_s -Wl,-Bdynamic
$(B)/cagefs_enter: $(B)/cli/cagefs_enter.o $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(ENTER_LIBS)

# The PAM session module (pam/): the library linked in, none of its symbols
# exported (only pam_sm_*), its shared libraries those of the entry.
$(B)/pam_cagefs.so: $(B)/pam/pam_cagefs.o $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,--exclude-libs,ALL -Wl,-z,defs -o $@ $< $(LIB) \
		-lpam -lseccomp -lcap -lyajl

# The proxy (docs/ARCHITECTURE.md §4.18): the daemon, and the wrapper the
# skeleton gets at each proxied path, static (no library to copy into the
# skeleton with it, nothing to load per call).
$(B)/proxyexecd: $(B)/cli/proxyexecd.o $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)
$(B)/cagefs.proxy.program: $(B)/cli/cagefs_proxy.o $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -static -o $@ $< $(LIB)

$(B)/cagefs_enter_user: $(B)/cagefs_enter
	$(Q)ln -sf cagefs_enter $@

# The opencontainers runtime-tools bundle validator (users.t), built from
# the Go sources Debian ships, offline (GOPATH mode).
$(B)/tests/oci-validate: tests/oci-validate/main.go
	@mkdir -p $(@D)
	@echo "  GO      $@"
	$(Q)GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$(CURDIR)/$(B)/gocache" GOFLAGS= \
		go build -o $@ ./tests/oci-validate

$(B)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIB) $(LIB_HDRS)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -Itests/unit -o $@ $< $(LIB) $(PKG_LIBS)

# libFuzzer harnesses: clang with ASan+UBSan, linked with the library built
# once the same way (build/fuzz/libcagefs.a).
FUZZ_SAN := -g -O1 -std=gnu11 -Iruntime/include -I. -fsanitize=address,undefined
FUZZ_LIB := $(B)/fuzz/libcagefs.a
FUZZ_OBJS := $(LIB_SRCS:%.c=$(B)/fuzz/obj/%.o) $(B)/fuzz/obj/pin_blob.o
$(B)/fuzz/obj/%.o: %.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c -o $@ $<
$(B)/fuzz/obj/pin_blob.o: $(PIN_GEN)
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_SAN) -c -o $@ $<
$(FUZZ_LIB): $(FUZZ_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)clang $(FUZZ_SAN) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $< $(FUZZ_LIB) $(PKG_LIBS)

check: deps all $(UNIT_BINS) $(B)/fuzz-smoke $(B)/tests/oci-validate
	tests/run $(UNIT_BINS) tests/unit/*.t tests/integration/*.t

check-unit: deps $(UNIT_BINS)
	tests/run $(UNIT_BINS) tests/unit/*.t

# The integration tests against stubs of our programs (each prints nothing
# and exits 127; tests/lib/world.sh takes them from CAGEFS_BUILD): every
# test file must fail, and only assertions marked "(control)" may pass
# (tests/selftest).  The real programs are built too: a test's set-up uses
# them (SETUP_CAGEFSCTL in tests/lib/world.sh).  Not part of `make check`.
SELFTEST_STUBS := $(PROGS:$(B)/%=$(B)/selftest/%)
$(SELFTEST_STUBS):
	@mkdir -p $(@D)
	@echo "  STUB    $@"
	$(Q)printf 'int main(void) { return 127; }\n' | $(CC) -x c -o $@ -

check-selftest: deps all $(SELFTEST_STUBS) $(B)/tests/oci-validate
	CAGEFS_BUILD="$(CURDIR)/$(B)/selftest" tests/selftest tests/integration/*.t

# Every fuzz harness is also run briefly by `make check` (regressions in the
# corpus and 2000 fresh inputs); `make fuzz` runs each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
$(B)/fuzz-smoke: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p $(B)/corpus/$$n; \
		$$f -runs=2000 -max_len=4096 $(B)/corpus/$$n tests/fuzz/corpus/$$n >$(B)/fuzz/$$n.log 2>&1 \
			|| { tail -30 $(B)/fuzz/$$n.log; exit 1; }; done
	@touch $@

fuzz: deps $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p $(B)/corpus/$$n; \
		echo "fuzzing $$n for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=1048576 $(B)/corpus/$$n tests/fuzz/corpus/$$n \
			2>&1 | tail -3 || exit 1; done

demo: deps all
	tests/demo.sh

# A root shell in a throwaway world with cagefs installed into it.
shell: deps all
	@tests/shell.sh

bench: deps all
	tests/bench/run
	@if [ -x tests/bench/runtime ]; then tests/bench/runtime; fi
	tests/bench/pam
	tests/bench/proxy
	tests/bench/seccomp

# make install builds, then copies the programs of $(B); make install-files
# copies those of BIN (default $(B)) and builds nothing: the tests install
# the programs under test with it (BIN="$B", tests/lib/world.sh), stubs too.
BIN ?= $(B)
define install_files
	install -d "$(DESTDIR)$(SBINDIR)" "$(DESTDIR)$(SYSCONFDIR)/cagefs/conf.d"
	install -m 0755 "$(BIN)/cagefsctl" "$(DESTDIR)$(SBINDIR)/cagefsctl"
	install -m 0755 "$(BIN)/cagefs-runtime" "$(DESTDIR)$(SBINDIR)/cagefs-runtime"
	install -m 0755 "$(BIN)/cagefs-hook" "$(DESTDIR)$(SBINDIR)/cagefs-hook"
	install -m 0755 "$(BIN)/cagefs_enter" "$(DESTDIR)$(SBINDIR)/cagefs_enter_user"
	install -d "$(DESTDIR)$(PREFIX)/bin"
	# setuid root: a user enters only their own cage, with everything dropped.
	install -m 4755 "$(BIN)/cagefs_enter" "$(DESTDIR)$(PREFIX)/bin/cagefs_enter"
	install -m 0644 contrib/conf.d/*.cfg "$(DESTDIR)$(SYSCONFDIR)/cagefs/conf.d/"
	test -e "$(DESTDIR)$(SYSCONFDIR)/cagefs/black.list" || \
		install -m 0644 contrib/black.list "$(DESTDIR)$(SYSCONFDIR)/cagefs/black.list"
	install -d "$(DESTDIR)$(MANDIR)/man8"
	install -m 0644 contrib/man/*.8 "$(DESTDIR)$(MANDIR)/man8/"
	# cagefs_enter_user is documented in cagefs_enter(8).
	ln -sf cagefs_enter.8 "$(DESTDIR)$(MANDIR)/man8/cagefs_enter_user.8"
	install -d "$(DESTDIR)$(PAMDIR)"
	install -m 0644 "$(BIN)/pam_cagefs.so" "$(DESTDIR)$(PAMDIR)/pam_cagefs.so"
	install -d "$(DESTDIR)$(PREFIX)/share/pam-configs"
	install -m 0644 contrib/pam/pam-configs/cagefs "$(DESTDIR)$(PREFIX)/share/pam-configs/cagefs"
	# the logger listens in the skeleton: every cage's /dev/log (manual: "Syslog")
	install -d "$(DESTDIR)$(SYSCONFDIR)/rsyslog.d"
	install -m 0644 contrib/rsyslog.d/schroot.conf "$(DESTDIR)$(SYSCONFDIR)/rsyslog.d/schroot.conf"
	# The proxy (docs/ARCHITECTURE.md §4.18): the daemon, the wrappers
	# (manual: /usr/share/cagefs/safeprograms), the Debian command set
	# (proxy.commands is cagefs's to replace; custom.proxy.commands the
	# administrator's), the systemd unit.
	install -m 0755 "$(BIN)/proxyexecd" "$(DESTDIR)$(SBINDIR)/proxyexecd"
	install -d "$(DESTDIR)$(PREFIX)/share/cagefs/safeprograms"
	install -m 0755 "$(BIN)/cagefs.proxy.program" "$(DESTDIR)$(PREFIX)/share/cagefs/safeprograms/cagefs.proxy.program"
	install -m 0755 contrib/proxy/cagefs.proxy.crontab "$(DESTDIR)$(PREFIX)/share/cagefs/safeprograms/cagefs.proxy.crontab"
	# An alias whose program this host lacks (no MTA: no sendmail) is
	# installed commented out: a command file naming a missing program
	# is an error that stops --init, --update and proxyexecd.
	awk -F= '/^[A-Za-z]/ { n = split($$2, a, ":"); if (system("test -x " a[n]) != 0) { print "# not on this host at install: " $$0; next } } { print }' \
		contrib/proxy/proxy.commands > "$(DESTDIR)$(SYSCONFDIR)/cagefs/proxy.commands"
	chmod 0644 "$(DESTDIR)$(SYSCONFDIR)/cagefs/proxy.commands"
	install -d "$(DESTDIR)$(PREFIX)/lib/systemd/system"
	install -m 0644 contrib/systemd/proxyexecd.service "$(DESTDIR)$(PREFIX)/lib/systemd/system/proxyexecd.service"
	# tmp cleaning (docs/ARCHITECTURE.md §4.20): systemd timers, and a
	# cron file that runs only where systemd is not PID 1.
	install -m 0644 contrib/systemd/cagefs-tmpwatch.service contrib/systemd/cagefs-tmpwatch.timer \
		contrib/systemd/cagefs-php-sessions.service contrib/systemd/cagefs-php-sessions.timer \
		"$(DESTDIR)$(PREFIX)/lib/systemd/system/"
	install -d "$(DESTDIR)$(SYSCONFDIR)/cron.d"
	install -m 0644 contrib/cron.d/cagefs-tmpwatch "$(DESTDIR)$(SYSCONFDIR)/cron.d/cagefs-tmpwatch"
	# a snippet per PAM service, for the administrator (pam_cagefs(8), FILES)
	install -d "$(DESTDIR)$(PREFIX)/share/doc/cagefs/pam/pam.d"
	install -m 0644 contrib/pam/pam.d/* "$(DESTDIR)$(PREFIX)/share/doc/cagefs/pam/pam.d/"
	install -m 0644 contrib/pam/vsftpd.conf "$(DESTDIR)$(PREFIX)/share/doc/cagefs/pam/vsftpd.conf"
endef
install: all
	$(install_files)
install-files:
	$(install_files)
print-pamdir:
	@echo "$(PAMDIR)"

# cppcheck does not know __attribute__((cleanup)) and takes every scope-bound
# free or close for a leak: leaks are LeakSanitizer's to find, in the fuzzers.
lint:
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 \
		--suppress=memleak --suppress=resourceLeak \
		-Iruntime/include -I. runtime bundles cli pam seccomp proxy hooks
	seccomp/embed.sh --check

clean:
	rm -rf $(B)
