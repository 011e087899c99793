#!/bin/bash
# The command lines (issue 9): --version and --help of every program, usage
# errors, the man pages (every option of --help documented, installed with
# the programs by make install-files; their lint is tests/unit/man.t), and
# three messages: --init on an existing
# skeleton, --set-min-uid naming the users it enables or disables, and
# --update-list counting the entries it covers.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

VERSION=$(cat "$TOP/VERSION")
MAN="$TOP/contrib/man"
SKEL=/usr/share/cagefs-skeleton

# capture CMD...: OUT (stdout), ERR (stderr), RC (exit status).
capture() { OUT=$("$@" 2>"$WORLD/stderr"); RC=$?; ERR=$(cat "$WORLD/stderr"); }

# ---- --version and --help ----

# (control) the file the --version checks compare with, read from the checkout, no program
like "$VERSION" '^[0-9]+\.[0-9]+\.[0-9]+$' "(control) VERSION holds one version: $VERSION"
for prog in cagefsctl cagefs-runtime cagefs_enter cagefs_enter_user proxyexecd cagefs-hook; do
	capture "$B/$prog" --version
	is "$RC:$OUT:$ERR" "0:$prog $VERSION:" "$prog --version prints '$prog $VERSION' on stdout, exit 0"
	capture "$B/$prog" --help
	is "$RC" 0 "$prog --help exits 0"
	like "$OUT" "^Usage: $prog " "$prog --help prints the usage on stdout"
	is "$RC:$(head -1 <<<"$OUT" | cut -d' ' -f1,2):$ERR" "0:Usage: $prog:" \
		"$prog --help writes nothing on stderr (having printed its usage, status 0)"
done
is "$(readlink "$B/cagefs_enter_user")" cagefs_enter "cagefs_enter_user is cagefs_enter under another name"
capture "$B/cagefsctl" -h
is "$RC:$OUT" "0:$("$B/cagefsctl" --help)" "cagefsctl -h is --help"
capture "$B/cagefs-runtime" -h
is "$RC:$OUT" "0:$("$B/cagefs-runtime" --help)" "cagefs-runtime -h is --help"
capture "$B/cagefsctl" --init --version
is "$RC:$OUT" "0:cagefsctl $VERSION" "cagefsctl --version with an action prints the version and does nothing else"
# (--init alone, even with an empty conf.d, would build one)
ok "$([ "$RC:$OUT" = "0:cagefsctl $VERSION" ] && [ ! -e "$SKEL" ]; echo $?)" \
	"... no skeleton was built (the version printed, status 0)"

# cagefs_enter is setuid root: --version and --help come before anything
# that reads the environment or a file.
capture env -i CAGEFS_ETC=/nonexistent CAGEFS_RUN=/nonexistent LC_ALL=xx_XX "$B/cagefs_enter" --version
is "$RC:$OUT:$ERR" "0:cagefs_enter $VERSION:" "cagefs_enter --version is the same in an empty, odd environment"
capture env -i CAGEFS_ETC=/nonexistent "$B/cagefs_enter_user" --help
is "$RC:$(head -1 <<<"$OUT")" '0:Usage: cagefs_enter_user USER ["command" | program [args...]]' \
	"cagefs_enter_user --help the same"
capture sh -c '"$0" --version >&-' "$B/cagefs_enter"
is "$RC:$ERR" "1:" "cagefs_enter --version with stdout closed exits 1"
capture sh -c '"$0" --version >/dev/full' "$B/cagefsctl"
is "$RC" 1 "cagefsctl --version into a full disk exits 1"

# ---- usage errors ----

capture "$B/cagefsctl" --frobnicate
is "$RC:$OUT" "1:" "cagefsctl --frobnicate: exit 1, nothing on stdout"
is "$ERR" "cagefsctl: unknown option: --frobnicate
Try 'cagefsctl --help' for more information." "... and says which option, on stderr"
capture "$B/cagefsctl"
is "$RC:$OUT:$ERR" "1::cagefsctl: no action given
Try 'cagefsctl --help' for more information." "cagefsctl without an action: exit 1, said on stderr"
capture "$B/cagefsctl" --toggle-plugin
is "$RC:$OUT:$ERR" "2::cagefsctl: --toggle-plugin is not available yet in this version" \
	"an option not available yet: exit 2, said on stderr"
capture "$B/cagefs-runtime"
is "$RC:$OUT" "2:" "cagefs-runtime without a command: exit 2, nothing on stdout"
same "$ERR" "$("$B/cagefs-runtime" --help)" "... the usage on stderr"
capture "$B/cagefs-runtime" start
is "$RC:$OUT:$ERR" "2::$("$B/cagefs-runtime" --help)" "cagefs-runtime start without an ID: exit 2, the usage on stderr"
capture "$B/cagefs_enter_user"
is "$RC:$OUT" "2:" "cagefs_enter_user without a user: exit 2, nothing on stdout"
is "$ERR" "cagefs_enter_user: missing USER
$("$B/cagefs_enter_user" --help)" "... 'missing USER' and the usage on stderr"

# ---- man pages ----

# options FILE: every option named in a man page's source.
man_options() {
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$1" | grep -oE -- '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z-]*' \
		| sed -E 's/^[^-]*//' | sort -u
}
# help_options TEXT: every option a --help output names.
help_options() {
	grep -oE -- '(^|[][ |,(])--?[A-Za-z][A-Za-z-]*' <<<"$1" | sed -E 's/^[^-]*//' | sort -u
}
# PROG:PAGE:MIN: --help must list at least MIN options (cagefsctl's groups,
# the entering programs' --help and --version, the runtime's OCI options)
# for "every option is in the page" to mean something.
for spec in cagefsctl:cagefsctl:71 cagefs_enter:cagefs_enter:2 cagefs_enter_user:cagefs_enter:2 \
	cagefs-runtime:cagefs-runtime:12 proxyexecd:proxyexecd:7 cagefs-hook:cagefs-hook:4; do
	IFS=: read -r prog page min <<<"$spec"
	page="$MAN/$page.8"
	help=$("$B/$prog" --help)
	missing=$(comm -23 <(help_options "$help") <(man_options "$page"))
	n=$(help_options "$help" | wc -l)
	is "$([ "$n" -ge "$min" ] && echo "at least $min"):$missing" "at least $min:" \
		"all $n options of $prog --help (at least $min) are in $(basename "$page")"
done
# The synopsis names the argument cagefs_enter_user's usage names first.
arg=$("$B/cagefs_enter_user" --help | sed -n '1s/^Usage: cagefs_enter_user \([A-Z]*\) .*/\1/p')
is "$arg:$(grep -A1 '^\.B cagefs_enter_user$' "$MAN/cagefs_enter.8" | sed -n 's/^\.I //p' | head -1)" "USER:USER" \
	"cagefs_enter.8 documents cagefs_enter_user USER, as its --help's usage has it"
# The options --help marks "not available yet" are the man page's section
# of that name, no more, no fewer.
notyet_help=$(help_options "$("$B/cagefsctl" --help | grep 'not available yet')")
awk '/^\.SH /{on = /NOT AVAILABLE YET/; next} on' "$MAN/cagefsctl.8" > "$WORLD/notyet.8"
notyet_man=$(man_options "$WORLD/notyet.8")
like "$notyet_help" "--toggle-plugin" "cagefsctl --help marks options not available yet"
is "$notyet_man" "$notyet_help" "cagefsctl.8 lists exactly those as not available yet"

# make install-files puts the programs under test ($B, built by make install
# before it copies them) and every page under DESTDIR (never the host's /usr).
# usage_name PROG: the name PROG gives itself in its usage.
usage_name() { "$1" --help 2>/dev/null | sed -n '1s/^Usage: \([^ ]*\) .*/\1/p'; }
dest=$(mktemp -d); chmod 755 "$dest"
out=$(make -s -C "$TOP" install-files BIN="$B" DESTDIR="$dest" PREFIX=/usr 2>&1); rc=$?
is "$rc:$("$dest/usr/sbin/cagefsctl" --version 2>&1)" "0:cagefsctl $VERSION" \
	"make install-files DESTDIR=... PREFIX=/usr: status 0, the installed cagefsctl runs"
[ -z "$out" ] || printf '%s\n' "$out" | tail -5 | sed 's/^/#   /'
man8=$dest/usr/share/man/man8
# Each page is what man finds for the name its installed program gives itself.
for pp in cagefsctl.8:sbin/cagefsctl cagefs_enter.8:bin/cagefs_enter cagefs-runtime.8:sbin/cagefs-runtime \
	proxyexecd.8:sbin/proxyexecd cagefs-hook.8:sbin/cagefs-hook; do
	page=${pp%%:*} name=$(usage_name "$dest/usr/${pp#*:}")
	run "$page installed as it is in contrib/man: the page man finds for the installed ${name:-(no name)}" \
		sh -c '[ -n "$0" ] && [ "$(MANPATH="$1" man -w "$0")" = "$2" ] && cmp "$3" "$2"' \
		"$name" "$dest/usr/share/man" "$man8/$page" "$MAN/$page"
done
uname=$(usage_name "$dest/usr/sbin/cagefs_enter_user")
is "$uname:$(readlink "$man8/$uname.8")" cagefs_enter_user:cagefs_enter.8 \
	"cagefs_enter_user.8 (the installed cagefs_enter_user's name) is a link to cagefs_enter.8"
is "$(MANPATH="$dest/usr/share/man" man -w "$uname" 2>&1)" "$man8/cagefs_enter.8" \
	"man finds cagefs_enter_user in the installed tree, as cagefs_enter.8"
like "$(MANPATH="$dest/usr/share/man" MANWIDTH=100 man "$uname" 2>&1 | col -b)" \
	"cagefs_enter, cagefs_enter_user - run a command" "... and shows cagefs_enter's page"
names=$( (for p in sbin/cagefsctl sbin/cagefs-runtime sbin/cagefs_enter_user bin/cagefs_enter sbin/proxyexecd sbin/cagefs-hook; do
	usage_name "$dest/usr/$p"; done; echo pam_cagefs) | sed 's/$/.8/' | LC_ALL=C sort | tr '\n' ' ')
is "$(LC_ALL=C ls "$man8" | tr '\n' ' ')|$names" \
	"cagefs-hook.8 cagefs-runtime.8 cagefs_enter.8 cagefs_enter_user.8 cagefsctl.8 pam_cagefs.8 proxyexecd.8 |cagefs-hook.8 cagefs-runtime.8 cagefs_enter.8 cagefs_enter_user.8 cagefsctl.8 pam_cagefs.8 proxyexecd.8 " \
	"the man8 directory holds the seven pages, one for each installed program by the name it gives itself, and the PAM module's"
pamdir=$(make -s -C "$TOP" print-pamdir)
is "$(nm -D --defined-only "$dest$pamdir/pam_cagefs.so" | awk '{print $3}' | grep -v '^_' | tr '\n' ' ')|$(cat "$dest/usr/share/pam-configs/cagefs" | grep -c pam_cagefs.so)" \
	"pam_sm_close_session pam_sm_open_session |1" \
	"the PAM module is installed where PAM finds modules, exporting only pam_sm_*, and its pam-auth-update profile beside"
is "$(stat -c '%a %U' "$dest/usr/bin/cagefs_enter") $("$dest/usr/bin/cagefs_enter" --version 2>&1)" "4755 root cagefs_enter $VERSION" \
	"cagefs_enter installed setuid root"
useradd -m -u 1000 alice
capture su -s /bin/sh alice -c '"$0" --version' "$dest/usr/bin/cagefs_enter"
is "$RC:$OUT:$ERR" "0:cagefs_enter $VERSION:" "the installed setuid cagefs_enter --version run by a user"
capture "$dest/usr/sbin/cagefs_enter_user" --version
is "$RC:$OUT" "0:cagefs_enter_user $VERSION" "the installed cagefs_enter_user --version names itself"
rm -rf "$dest"

# ---- message: --init when the skeleton exists ----

# A small skeleton of our own: data files, a symlink to their directory,
# and a program whose interpreter and library are ours too (built with
# -nostdlib, so its whole library closure is below /opt/clitest).
T=/opt/clitest
mkdir -p "$T/data" "$T/bin" "$T/lib"
echo a > "$T/data/a.txt"; echo b > "$T/data/b.txt"
ln -s data "$T/latest"
cp -L /lib64/ld-linux-x86-64.so.2 "$T/lib/ld.so"
echo 'int clitest(void) { return 1; }' > "$WORLD/lib.c"
echo 'int clinew(void) { return 2; }' > "$WORLD/new.c"
printf '%s\n' 'int clitest(void);' 'void _start(void) { clitest(); for (;;); }' > "$WORLD/prog.c"
printf '%s\n' 'int clitest(void); int clinew(void);' 'void _start(void) { clitest(); clinew(); for (;;); }' > "$WORLD/prog2.c"
cc -shared -fPIC -nostdlib -o "$T/lib/libclitest.so" "$WORLD/lib.c" &&
	cc -nostdlib -o "$T/bin/prog" "$WORLD/prog.c" -L"$T/lib" -lclitest \
		-Wl,-rpath,"$T/lib" -Wl,--dynamic-linker="$T/lib/ld.so"
# (control) the test's own compiler built what the skeleton checks below need
is "$?" 0 "(control) a program with its own interpreter and library is built"
printf '[clitest]\npaths=%s, %s, %s\n' "$T/bin" "$T/data" "$T/latest" > /etc/cagefs/conf.d/clitest.cfg

capture "$B/cagefsctl" --init
like "$RC:$OUT" "^0:init: [0-9]+ added, 0 updated, 0 removed" "the first --init builds the skeleton"
run "... with the program's interpreter and library" test -f "$SKEL$T/lib/ld.so" -a -f "$SKEL$T/lib/libclitest.so"
capture "$B/cagefsctl" --init
is "$RC:$OUT:$ERR" "0:init: the skeleton already exists at $SKEL; nothing done (use cagefsctl --update to update it):" \
	"a second --init says once that the skeleton exists and --update updates it, exit 0"
# An interrupted --init (its half-built tree beside the skeleton's path) is
# resumed by the next one.
mv "$SKEL" "$SKEL.cagefs-new"; rm -rf "$SKEL.cagefs-new$T/data"
capture "$B/cagefsctl" --init
like "$RC:$OUT" "^0:init: 3 added, 0 updated, 0 removed" "an interrupted --init is resumed: what was missing is added"
is "$ERR" "resuming an interrupted build in $SKEL.cagefs-new" "... saying it resumes"
run "... and the half-built tree became the skeleton" test -f "$SKEL$T/data/b.txt" -a ! -e "$SKEL.cagefs-new"
mkdir "$SKEL.cagefs-new"; touch "$SKEL.cagefs-new/leftover"
capture "$B/cagefsctl" --init
is "$RC:$OUT:$ERR" "0:init: the skeleton already exists at $SKEL; nothing done (use cagefsctl --update to update it):" \
	"--init with a skeleton and a leftover tree: the same one message"
run "... and the leftover tree is gone" test ! -e "$SKEL.cagefs-new"

# ---- message: --update-list counts what it covers ----

capture "$B/cagefsctl" --update
n=$(find "$SKEL" -mindepth 1 | wc -l)
is "$RC:$OUT" "0:update: nothing to do, skeleton is up to date ($n entries checked)" \
	"--update checks every entry of the skeleton ($n)"
ul() { capture sh -c 'printf "%s\n" "$@" | "$0" --update-list' "$B/cagefsctl" "$@"; }
ul "$T/data/a.txt"
is "$RC:$OUT" "0:update-list: nothing to do, skeleton is up to date (4 entries checked)" \
	"--update-list of one file: it and the three directories above it"
ul "$T/data"
is "$RC:$OUT" "0:update-list: nothing to do, skeleton is up to date (5 entries checked)" \
	"--update-list of a directory: what is below it too"
ul "$T/bin/prog"
is "$RC:$OUT" "0:update-list: nothing to do, skeleton is up to date (7 entries checked)" \
	"--update-list of a program: its interpreter and library too"
ul "$T/latest"
is "$RC:$OUT" "0:update-list: nothing to do, skeleton is up to date (6 entries checked)" \
	"--update-list of a symlink: its target directory and what is below it too"
ul "$T/data/a.txt" "$T/data/b.txt" "$T/data"
is "$RC:$OUT" "0:update-list: nothing to do, skeleton is up to date (5 entries checked)" \
	"--update-list counts an entry listed twice once"
echo a2 > "$T/data/a.txt"
ul "$T/latest/a.txt"
is "$RC:$OUT" "0:update-list: 0 added, 1 updated, 0 removed, 0.0 MiB copied (5 entries)" \
	"--update-list through a symlinked directory updates the file it reaches"
is "$(cat "$SKEL$T/data/a.txt")" a2 "... the new content is in the skeleton"
# The program now needs a second library: listing the program brings it.
cc -shared -fPIC -nostdlib -o "$T/lib/libnew.so" "$WORLD/new.c" &&
	cc -nostdlib -o "$T/bin/prog" "$WORLD/prog2.c" -L"$T/lib" -lclitest -lnew \
		-Wl,-rpath,"$T/lib" -Wl,--dynamic-linker="$T/lib/ld.so"
ul "$T/bin/prog"
is "$RC:$OUT" "0:update-list: 1 added, 1 updated, 0 removed, 0.0 MiB copied (8 entries)" \
	"--update-list of a program that needs a new library: the program updated, the library added"
run "... the new library is in the skeleton" test -f "$SKEL$T/lib/libnew.so"
# Removal: only at or below a listed path, never the directories above it.
mkdir -p "$SKEL$T/old"; touch "$SKEL$T/old/x" "$SKEL$T/old/y"
ul "$T/old/x"
is "$RC:$OUT" "0:update-list: 0 added, 0 updated, 1 removed, 0.0 MiB copied (2 entries)" \
	"--update-list of a path no longer planned removes it"
run "... and leaves the rest of its unplanned directory alone" test ! -e "$SKEL$T/old/x" -a -e "$SKEL$T/old/y"
rm "$T/data/b.txt"
ul "$T/data/b.txt"
is "$RC:$OUT" "0:update-list: 0 added, 0 updated, 1 removed, 0.0 MiB copied (3 entries)" \
	"--update-list of a file gone from the host removes it"
capture "$B/cagefsctl" --update
is "$RC:$OUT" "0:update: 0 added, 0 updated, 1 removed, 0.0 MiB copied ($(find "$SKEL" -mindepth 1 | wc -l) entries)" \
	"--update afterwards removes the unplanned directory, and checks every entry"

# ---- message: --set-min-uid names the users it enables or disables ----

useradd -m -u 1200 carol
useradd -m -u 1500 bob
"$B/cagefsctl" --enable-all >/dev/null 2>&1
"$B/cagefsctl" --disable carol >/dev/null 2>&1
is "$("$B/cagefsctl" --list-enabled | tr '\n' ' ')" "alice bob " "Enable All: alice and bob enabled, carol disabled"
capture "$B/cagefsctl" --set-min-uid 1001
is "$RC:$OUT:$ERR" "0:alice (uid 1000): Enabled -> Disabled (below the minimum uid 1001)
min uid set to 1001:" "raising the minimum uid names the user it disables"
is "$("$B/cagefsctl" --user-status alice)" Disabled "... and alice is disabled indeed"
capture "$B/cagefsctl" --set-min-uid 1300
is "$RC:$OUT:$ERR" "0:min uid set to 1300:" "a user already disabled (carol) is not named"
capture "$B/cagefsctl" --set-min-uid 1000
is "$RC:$OUT:$ERR" "0:alice (uid 1000): Disabled -> Enabled (at or above the minimum uid 1000)
min uid set to 1000:" "lowering it names the user it enables (Enable All), not carol, who stays disabled"
is "$("$B/cagefsctl" --user-status alice):$("$B/cagefsctl" --user-status carol)" Enabled:Disabled \
	"... alice enabled again, carol still disabled"
capture "$B/cagefsctl" --set-min-uid 1600
is "$RC:$OUT" "0:alice (uid 1000): Enabled -> Disabled (below the minimum uid 1600)
bob (uid 1500): Enabled -> Disabled (below the minimum uid 1600)
min uid set to 1600" "one line per user, by name"
sed -i 's/^min_uid=.*/min_uid=junk/' /etc/cagefs/cagefs.ini
capture "$B/cagefsctl" --set-min-uid 1000
is "$RC:$OUT:$ERR" "0:min uid set to 1000:cagefsctl: warning: /etc/cagefs/cagefs.ini:2: min_uid must be a positive number, not 'junk'; the users whose status changes cannot be listed" \
	"a broken min_uid is still repaired, saying why no user is named"
is "$("$B/cagefsctl" --get-min-uid)" 1000 "... the minimum uid is 1000"
capture "$B/cagefsctl" --set-min-uid 0
is "$RC:$OUT:$ERR" "1::cagefsctl: error: --set-min-uid needs a positive number" "--set-min-uid 0 is refused"

done_testing
