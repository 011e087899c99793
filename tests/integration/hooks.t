#!/bin/bash
# cagefs-hook (docs/ARCHITECTURE.md §4.23), in a throwaway world with real
# users: a whole account's life as a panel reports it — created, renamed,
# modified, suspended, unsuspended, deleted —, each step twice (the second
# a no-op), leaving nothing of the old names; another user's cage and
# process untouched throughout; a suspended user refused at the entry;
# hooks.d scripts that fail or hang reported while ours is done.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"
HOOK="$B/cagefs-hook"
cat > /etc/cagefs/conf.d/base.cfg <<'C'
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /usr/bin/id, /bin/sleep, /usr/bin/env
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
"$SETUP_CAGEFSCTL" --enable-all >/dev/null 2>&1 || world_die "--enable-all failed"
useradd -m -u 1502 bob && "$HOOK" user-created bob >/dev/null || world_die "bob"
"$B/cagefs_enter_user" bob sleep 1000 & bobpid=$!
step() { # NAME EXPECTED-STATUS EXPECTED-OUTPUT HOOK-ARGS...
	local d=$1 st=$2 want=$3; shift 3
	out=$("$HOOK" "$@" 2>&1); rc=$?
	is "$rc:$out" "$st:$want" "$d"
}
live() { "$CAGEFSCTL" --list 2>/dev/null | tr '\n' ' '; }

useradd -m -u 1501 alice
step "user-created: bundle written" 0 "bundle written (4 files)" user-created alice
step "user-created twice: a no-op" 0 "bundle up to date" user-created alice
run "alice's bundle" test -f /var/cagefs/01/alice/config.json
"$B/cagefs_enter_user" alice sleep 1000 & alicepid=$!
for i in $(seq 50); do [[ $(live) == *alice* ]] && break; sleep 0.1; done
is "$(live)" "alice bob " "alice and bob have live cages"

usermod -l alice2 alice
step "user-renamed: old cage dropped, bundle under the new name" 0 \
	"cage of alice dropped; 1 bundle of alice removed; bundle written (4 files)" user-renamed alice alice2
step "user-renamed twice: a no-op" 0 "bundle up to date" user-renamed alice alice2
wait $alicepid 2>/dev/null
fails "alice's process in her cage was killed" kill -0 $alicepid
run "bob's process is alive" kill -0 $bobpid
is "$(live)" "bob " "bob's cage is still live, alice's gone"

"$B/cagefs_enter_user" alice2 sleep 1000 & a2pid=$!
for i in $(seq 50); do [[ $(live) == *alice2* ]] && break; sleep 0.1; done
usermod -d /home/alice2 -m alice2
step "user-modified: bundle rewritten, cage dropped" 0 \
	"bundle written (2 files); cage dropped (the next entry builds it anew)" user-modified alice2
step "user-modified twice: a no-op" 0 "bundle up to date" user-modified alice2
wait $a2pid 2>/dev/null
is "$("$B/cagefs_enter_user" alice2 sh -c 'echo $HOME; pwd' 2>&1)" "/home/alice2
/home/alice2" "the new cage has the new home"

"$B/cagefs_enter_user" alice2 sleep 1000 & a2pid=$!
for i in $(seq 50); do [[ $(live) == *alice2* ]] && break; sleep 0.1; done
step "user-suspended: marked, cage killed" 0 "alice2 suspended; cage killed" user-suspended alice2
step "user-suspended twice: a no-op" 0 "alice2 was suspended already" user-suspended alice2
wait $a2pid 2>/dev/null
fails "the suspended user's process was killed" kill -0 $a2pid
run "users.suspended/alice2" test -f /etc/cagefs/users.suspended/alice2
fails_with "a suspended user's entry is refused, with the reason" 1 \
	"alice2: refused: alice2 is suspended \\(/etc/cagefs/users.suspended/alice2\\)" \
	"$B/cagefs_enter_user" alice2 id -un
"$CAGEFSCTL" --disable-cagefs >/dev/null 2>&1
fails_with "refused with CageFS switched off too (never run uncaged)" 1 \
	"alice2: refused: alice2 is suspended" "$B/cagefs_enter_user" alice2 id -un
"$CAGEFSCTL" --enable-cagefs >/dev/null 2>&1
is "$(live)" "bob " "no cage came of the refused entries"

step "user-unsuspended" 0 "alice2 unsuspended" user-unsuspended alice2
step "user-unsuspended twice: a no-op" 0 "alice2 was not suspended" user-unsuspended alice2
is "$("$B/cagefs_enter_user" alice2 id -un 2>&1)" alice2 "alice2 enters again"

userdel -r alice2 2>/dev/null
step "user-deleted: cage dropped, bundle removed" 0 "cage of alice2 dropped; 1 bundle of alice2 removed" \
	user-deleted alice2
step "user-deleted twice: a no-op" 0 "nothing of alice2 left: nothing to do" user-deleted alice2
is "$(ls -d /var/cagefs/*/alice* /run/cagefs/cages/alice* /run/cagefs/locks/alice* /run/cagefs/seccomp/alice* \
	/etc/cagefs/users.*/alice* 2>/dev/null)" "" "no bundle, pin, lock, seccomp cache or marker of alice or alice2"
is "$(live)" "bob " "only bob's cage is live"
run "bob's process lived through it all" kill -0 $bobpid
is "$("$B/cagefs_enter_user" bob id -un 2>&1)" bob "bob enters"

# Markers follow a rename and go with a deletion.
useradd -m -u 1603 dave && "$HOOK" user-created dave >/dev/null
"$CAGEFSCTL" --disable dave >/dev/null 2>&1
"$HOOK" user-suspended dave >/dev/null
mkdir -p /etc/cagefs/seccomp.d && echo "allow keyctl" > /etc/cagefs/seccomp.d/dave
usermod -l dave2 dave
step "user-renamed: the disabled and suspended markers and the seccomp override follow" 0 \
	"1 bundle of dave removed; 2 markers renamed to dave2; seccomp override renamed to dave2; no bundle: CageFS is disabled for dave2 (cagefsctl --enable dave2 enables it)" \
	user-renamed dave dave2
run "users.disabled/dave2, users.suspended/dave2 and seccomp.d/dave2" test -f /etc/cagefs/users.disabled/dave2 -a -f /etc/cagefs/users.suspended/dave2 -a -f /etc/cagefs/seccomp.d/dave2
userdel dave2
step "user-deleted: markers and the seccomp override removed (a new dave2 must not inherit it)" 0 \
	"2 markers of dave2 removed; seccomp override of dave2 removed" user-deleted dave2
is "$(ls /etc/cagefs/users.*/ /etc/cagefs/seccomp.d/ 2>/dev/null | grep dave)" "" "no marker or override of dave left"

# Usage errors change nothing and say so (status 2).
step "an unknown event" 2 "cagefs-hook: error: unknown event 'user-exploded' (user-created, user-deleted, user-renamed, user-modified, user-suspended, user-unsuspended, package-installed)" user-exploded bob
step "user-renamed needs OLD NEW" 2 "cagefs-hook: error: user-renamed takes OLD NEW" user-renamed bob
step "an unknown user" 1 "cagefs-hook: error: nosuch: no such user" user-created nosuch

# The skeleton follows the packages.
out=$("$HOOK" package-installed coreutils 2>&1); rc=$?
is "$rc" 0 "package-installed: the skeleton updated"
step "package-installed twice: a no-op" 0 "skeleton up to date" package-installed coreutils

# hooks.d: after ours, in name order, a failing and a hung script reported.
D=/etc/cagefs/hooks.d/user-created
mkdir -p $D
printf '#!/bin/sh\necho "10 $*" >> /tmp/hooks.log\nexit 3\n' > $D/10-fail
printf '#!/bin/sh\necho "20 $*" >> /tmp/hooks.log\nexec sleep 100\n' > $D/20-hang
printf '#!/bin/sh\necho "30 $*" >> /tmp/hooks.log\n' > $D/30-ok
printf '#!/bin/sh\necho "40 $*" >> /tmp/hooks.log\n' > $D/40-writable
printf 'not a script\n' > $D/.hidden
chmod 755 $D/*; chmod 777 $D/40-writable
out=$("$HOOK" --json --timeout 1 user-created bob 2>/dev/null); rc=$?
is "$rc" 3 "a failing hooks.d script: status 3"
is "$out" '{"event":"user-created","user":"bob","status":3,"changed":false,"done":"bundle up to date","error":null,"scripts":[{"name":"10-fail","ok":false,"error":"exit status 3"},{"name":"20-hang","ok":false,"error":"timed out after 1 s: killed"},{"name":"30-ok","ok":true,"error":null},{"name":"40-writable","ok":false,"error":"refused: writable by group or others"}]}' \
	"--json: ours done, each script's outcome"
is "$(cat /tmp/hooks.log)" "10 user-created bob
20 user-created bob
30 user-created bob" "scripts ran in name order with EVENT USER; the world-writable one did not"
err=$("$HOOK" --timeout 1 user-created bob 2>&1 >/dev/null)
like "$err" "hooks.d script 20-hang: timed out after 1 s: killed" "the hung script logged"
like "$err" "3 of 4 hooks.d scripts failed" "and counted"
rm -rf /etc/cagefs/hooks.d
kill $bobpid 2>/dev/null
done_testing
