#!/bin/bash
# cagefsctl --sanity-check (issue 13, item 1; manual: "Sanity Check";
# docs/ARCHITECTURE.md §4.19): on a clean world every check is OK or
# SKIPPED and the status 0; then each check is turned FAILED by breaking
# exactly what it checks (and nothing else FAILS with it), the exact line
# and status 1 checked, and the world repaired; --json parses.
# fs.protected_symlinks and fs.protected_hardlinks are the host's (no
# namespace has its own): the test shows the check a 0 by binding a file
# over /proc/sys/fs/NAME in this world's mount namespace, never by
# changing the sysctl.  The set-up (the PAM module, the proxy wrapper,
# alice's cage) takes the real build, so that against the stubs of
# make check-selftest the test still reaches its assertions.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

SKEL=/usr/share/cagefs-skeleton
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/ls, /usr/bin/whoami, /usr/bin/readlink, /usr/bin/id
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1801 -s /bin/bash alice && useradd -m -u 1802 -s /bin/bash bob \
	&& useradd -m -u 1803 -s /bin/bash carol || world_die useradd
"$SETUP_CAGEFSCTL" --enable alice bob carol >/dev/null 2>&1 || world_die "--enable failed"
mkdir -p /srv/shared /srv/split
printf '/srv/shared\n%%/srv/split\n@/var/spool/private,700\n' > /etc/cagefs/cagefs.mp
# The module in every stack, as an administrator installs it (README, PAM).
install -m 0644 "$TOP/build/pam_cagefs.so" "$(make -s -C "$TOP" print-pamdir)/pam_cagefs.so"
cp "$TOP/contrib/pam/pam-configs/cagefs" /usr/share/pam-configs/cagefs
DEBIAN_FRONTEND=noninteractive pam-auth-update --enable cagefs >/dev/null 2>&1 || world_die pam-auth-update

# The sysctls are the host's: a file bound over /proc/sys/fs/NAME in this
# world's mount namespace is what the check reads (show NAME VALUE), and
# unbound it reads the host's value again (real NAME).
show() { echo "$2" > "$WORLD/sysctl.$1"; umount "/proc/sys/fs/$1" 2>/dev/null; mount --bind "$WORLD/sysctl.$1" "/proc/sys/fs/$1"; }
real() { umount "/proc/sys/fs/$1" 2>/dev/null; }
show protected_symlinks 1
show protected_hardlinks 1
# What a clean system has besides: a command file, a virt.mp, a live cage.
echo "TRUECMD=/usr/bin/true" > /etc/cagefs/custom.proxy.commands
mkdir -p /usr/share/cagefs/safeprograms && install -m 0755 "$TOP/build/cagefs.proxy.program" /usr/share/cagefs/safeprograms/
printf '/srv/virt\n@logs\n' > /var/cagefs/01/alice/virt.mp
"$TOP/build/cagefs_enter_user" alice /bin/bash -c : || world_die "alice's cage"
pin_of() { cut -d' ' -f1 "/run/cagefs/cages/$1.pid"; }

# check [ARGS]: --sanity-check; OUT, RC.
check() { OUT=$("$CAGEFSCTL" --sanity-check "$@" 2>&1); RC=$?; }
results() { grep -E ' \.\.\. (OK|FAILED|SKIPPED|INTERNAL_TEST_ERROR)$' <<<"$OUT"; }
failed() { grep -E ' \.\.\. (FAILED|INTERNAL_TEST_ERROR)$' <<<"$OUT"; }
# broken WHAT LINE-PATTERN NAME...: the named checks (and only they) FAILED,
# status 1, and a line of their detail matches LINE-PATTERN.
broken() {
	local what=$1 pat=$2; shift 2
	check
	is "$RC:$(failed)" "1:$(printf '%s ... FAILED\n' "$@")" "$what: $(printf '"%s" ' "$@")FAILED, nothing else, status 1"
	like "$OUT" "$pat" "... and says why"
}
clean() {
	check
	is "$RC:$(failed)" "0:" "$1: every check OK or SKIPPED again, status 0"
}

# ---- a clean system ----
check
is "$RC" 0 "a clean system: status 0"
is "$(results)" "Check cagefs mount points exists ... OK
Check cagefs users.enabled is a directory ... OK
Check cagefs users.disabled is a directory ... OK
Check cagefs disable.etcfs exists ... OK
Check cagefs users can enter cagefs ... OK
Check cagefs proxy commands configs are parsable ... OK
Check cagefs virt.mp files syntax ... OK
Check MultiPHP system default PHP version ... SKIPPED
Check per-mount procfs hidepid works ... OK
Check fs.protected_symlinks is on ... OK
Check fs.protected_hardlinks is on ... OK
Check pam_cagefs.so is in the session stacks ... OK
Check no stale pin or state in the runtime directory ... OK
Check no setuid file in the skeleton that conf.d does not list ... OK" \
	"... the manual's eight checks in its order and words, then ours; all OK, the PHP one SKIPPED"
like "$OUT" "^    PHP Selector and cPanel's MultiPHP are CloudLinux's, not provided by this implementation$" \
	"... the PHP check SKIPPED with the reason"
like "$OUT" "^    alice: logged in through su -l \(PAM\), in the user's cage$" \
	"the first two enabled users log in through su -l, PAM's way in, and land in their cage"
like "$OUT" "^    bob: logged in through su -l \(PAM\), in the user's cage$" "... bob the second"
is "$("$CAGEFSCTL" --list 2>&1)" "alice" "... and leave nothing behind: bob's cage, built for the check, is gone; alice's stays"
like "$OUT" "^    a new procfs mount takes hidepid=invisible; 1 live cage checked$" "hidepid: the kernel's, and alice's live cage"

# ---- JSON ----
check --json
is "$RC" 0 "--json: status 0 too"
is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["passed"], len(d["checks"]), d["checks"][0]["id"], d["checks"][7]["result"], d["checks"][4]["detail"].splitlines()[0])' <<<"$OUT" 2>&1)" \
	"True 14 mount-points SKIPPED alice: logged in through su -l (PAM), in the user's cage" \
	"--json parses: passed, 14 checks with id, name, result and detail"

# ---- 1. mount points ----
mv /srv/shared "$WORLD/shared"
broken "a directory of cagefs.mp removed" "^    /etc/cagefs/cagefs.mp:1: /srv/shared does not exist$" "Check cagefs mount points exists"
mv "$WORLD/shared" /srv/shared; mv /srv/split "$WORLD/split"; touch /srv/split
broken "a split directory that is a file" "^    /etc/cagefs/cagefs.mp:2: /srv/split is not a directory$" "Check cagefs mount points exists"
rm /srv/split; mv "$WORLD/split" /srv/split
clean "repaired"

# ---- 2, 3. the lists ----
mv /etc/cagefs/users.enabled "$WORLD/enabled" && touch /etc/cagefs/users.enabled
broken "users.enabled a file" "^    /etc/cagefs/users.enabled is not a directory: no decision can be made, every caged login is refused$" \
	"Check cagefs users.enabled is a directory" "Check cagefs users can enter cagefs"
rm /etc/cagefs/users.enabled && mv "$WORLD/enabled" /etc/cagefs/users.enabled
touch /etc/cagefs/users.disabled
broken "users.disabled a file (not read in Disable All mode: the logins go on)" "^    /etc/cagefs/users.disabled is not a directory" \
	"Check cagefs users.disabled is a directory"
rm /etc/cagefs/users.disabled
clean "repaired"

# ---- 4. disable.etcfs ----
mkdir -p /etc/cagefs/etc.safe && touch /etc/cagefs/etc.safe/disable.etcfs
broken "etc.safe/disable.etcfs made" "^    /etc/cagefs/etc.safe/disable.etcfs exists: it would turn off the users' own /etc" \
	"Check cagefs disable.etcfs exists"
rm /etc/cagefs/etc.safe/disable.etcfs

# ---- 5. logins ----
mv /var/cagefs/02/bob/config.json "$WORLD/bob.json"
broken "bob's bundle gone" "^    bob: through su -l \(PAM\): exit status [1-9][0-9]*, no cage of the user's; output: " \
	"Check cagefs users can enter cagefs"
like "$OUT" "^    alice: logged in through su -l" "... alice still logs in"
mv "$WORLD/bob.json" /var/cagefs/02/bob/config.json
clean "repaired"

# ---- 6. proxy commands ----
echo "this is no command line" >> /etc/cagefs/custom.proxy.commands
broken "a command file with a bad line" "^    /etc/cagefs/custom.proxy.commands:2: " "Check cagefs proxy commands configs are parsable"
echo "TRUECMD:nowrapper=/usr/bin/true" > /etc/cagefs/custom.proxy.commands
broken "a wrapper that is not there" "^    /etc/cagefs/custom.proxy.commands:1: the wrapper of TRUECMD, /usr/share/cagefs/safeprograms/nowrapper: No such file or directory" \
	"Check cagefs proxy commands configs are parsable"
echo "TRUECMD=/usr/bin/true" > /etc/cagefs/custom.proxy.commands

# ---- 7. virt.mp ----
printf '@logs\n/srv/virt\n' > /var/cagefs/01/alice/virt.mp
broken "a virt.mp starting with a sub directory" "^    /var/cagefs/01/alice/virt.mp:1: " "Check cagefs virt.mp files syntax"
printf '# nothing\n' > /var/cagefs/01/alice/virt.mp
broken "an empty virt.mp" "^    /var/cagefs/01/alice/virt.mp:1: " "Check cagefs virt.mp files syntax"
printf '/srv/virt\n@logs\n' > /var/cagefs/01/alice/virt.mp
clean "repaired"

# ---- 8. hidepid, in a live cage ----
# proc_remount PID OPTIONS: remount the /proc of PID's mount namespace (no
# mount(8) in a cage: the host's python joins it and calls mount(2)).
proc_remount() {
	python3 - "$@" <<'PY' || diag "remount failed"
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("/proc/%s/ns/mnt" % sys.argv[1], os.O_RDONLY)
MS_REMOUNT, MS_NOSUID, MS_NODEV, MS_NOEXEC = 32, 2, 4, 8
if libc.setns(fd, 0x20000) or libc.mount(b"proc", b"/proc", b"proc", MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, sys.argv[2].encode()):
    sys.exit(os.strerror(ctypes.get_errno()))
PY
}
proc_remount "$(pin_of alice)" hidepid=0
broken "alice's cage's /proc remounted without hidepid" \
	"^    the cage of alice \(pin $(pin_of alice)\) has /proc mounted without hidepid=invisible" \
	"Check per-mount procfs hidepid works"
proc_remount "$(pin_of alice)" hidepid=invisible
clean "repaired"

# ---- 9, 10. sysctls ----
show protected_symlinks 0
broken "fs.protected_symlinks 0" "^    fs.protected_symlinks is 0: root follows a symlink a user planted" "Check fs.protected_symlinks is on"
show protected_symlinks 1
show protected_hardlinks 0
broken "fs.protected_hardlinks 0" "^    fs.protected_hardlinks is 0: a user can hardlink a file of root's" "Check fs.protected_hardlinks is on"
show protected_hardlinks 1
# The host's own values (not changed by this test): what the check says of them.
real protected_symlinks; real protected_hardlinks
check
for s in protected_symlinks protected_hardlinks; do
	v=$(cat /proc/sys/fs/$s)
	if [ "$v" = 0 ]; then want=FAILED; else want=OK; fi
	like "$OUT" "^Check fs.$s is on \.\.\. $want$" "the host's fs.$s ($v) read as it is: $want"
done
show protected_symlinks 1; show protected_hardlinks 1

# ---- 11. PAM stacks ----
DEBIAN_FRONTEND=noninteractive pam-auth-update --disable cagefs >/dev/null 2>&1
broken "pam-auth-update --disable cagefs" "^    /etc/pam.d/sshd: pam_cagefs.so is not in the session stack: caged users log in uncaged" \
	"Check pam_cagefs.so is in the session stacks"
like "$OUT" "^    /etc/pam.d/cron: pam_cagefs.so is not in the session stack" "... every stack named (cron)"
like "$OUT" "^    alice: logged in through cagefs_enter_user, in the user's cage$" \
	"... and the login check, with no module in su's stack, enters as cagefs_enter_user does"
echo "session optional pam_cagefs.so" >> /etc/pam.d/su
broken "optional in su's stack" "^    /etc/pam.d/su: pam_cagefs.so is 'optional' in the session stack: a session it refuses goes on uncaged" \
	"Check pam_cagefs.so is in the session stacks"
sed -i '$d' /etc/pam.d/su
DEBIAN_FRONTEND=noninteractive pam-auth-update --enable cagefs >/dev/null 2>&1
clean "repaired"

# ---- 12. the runtime directory ----
echo "99999 1" > /run/cagefs/cages/ghost.pid
broken "a record whose pin is gone" "^    /run/cagefs/cages/ghost.pid: its pin is gone \(a stale record\)$" \
	"Check no stale pin or state in the runtime directory"
rm /run/cagefs/cages/ghost.pid
pin=$(pin_of alice); mv /run/cagefs/cages/alice.pid "$WORLD/alice.pid"
broken "alice's record removed" "^    pin $pin of alice: no record names it" "Check no stale pin or state in the runtime directory"
mv "$WORLD/alice.pid" /run/cagefs/cages/alice.pid
mkdir -p /etc/cagefs/exclude && echo alice > /etc/cagefs/exclude/test
broken "alice excluded, her cage alive" "^    pin $pin of alice: the user is not caged \(.*\), the cage lives on$" \
	"Check no stale pin or state in the runtime directory"
rm /etc/cagefs/exclude/test
clean "repaired"

# ---- 13. setuid files ----
echo "paths=/bin/su" >> /etc/cagefs/conf.d/base.cfg
"$SETUP_CAGEFSCTL" --update 2>&1 | sed 's/^/# /' 
ok "$([ -u $SKEL/usr/bin/su ]; echo $?)" "(control) su, listed in conf.d, keeps its setuid bit in the skeleton"
clean "a setuid file conf.d lists"
chmod u+s $SKEL/usr/bin/id
broken "a setuid bit set on id (listed in conf.d, not setuid on the host)" "^    $SKEL/usr/bin/id: setuid or setgid, and not as conf.d lists it from the host" \
	"Check no setuid file in the skeleton that conf.d does not list"
is "$(grep -c ": setuid or setgid" <<<"$OUT")" 1 "... id alone: su, which conf.d lists setuid as the host has it, is not named"
"$SETUP_CAGEFSCTL" --update 2>&1 | sed 's/^/# /'
clean "cagefsctl --update cleared the bit, as the check says"

done_testing
