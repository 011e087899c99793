#!/bin/bash
# Attacks on cagefs-hook and suspension (docs/ARCHITECTURE.md §4.23), as a
# hostile hosting user and as a careless panel, in a throwaway world with
# real users, the setuid cagefs_enter, pamtester and the PAM module.
# Each finding is one assertion that fails on the code it was found in.
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
mkdir -p "$WORLD/bin"
cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter"
chown root:root "$WORLD/bin/cagefs_enter" && chmod 4755 "$WORLD/bin/cagefs_enter"
ENTER=$WORLD/bin/cagefs_enter
useradd -m -u 1701 -s /bin/bash carol && useradd -m -u 1702 -s /bin/bash dave || world_die useradd
"$HOOK" user-created carol >/dev/null && "$HOOK" user-created dave >/dev/null || world_die "user-created"
as() { local uid=$1; shift; setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"; }
procs() { pgrep -u "$1" | tr '\n' ' '; }       # every process of a uid in this world
reap() { local p; for p in $(pgrep -u "$1"); do kill -9 "$p" 2>/dev/null; done; sleep 0.2; }

# ---- 1. an entry in flight while the panel suspends ----------------------
# The hostile user keeps entering (the setuid cagefs_enter, as a cron job or
# a web request would); the panel suspends.  No process of hers may be left.
survivors=""
for try in 1 2 3; do
	"$HOOK" user-unsuspended carol >/dev/null 2>&1
	rm -f /tmp/stop
	( while [ ! -e /tmp/stop ]; do as 1701 "$ENTER" sleep 1000 </dev/null >/dev/null 2>&1 & sleep 0.003; done ) &
	loop=$!
	sleep 0.3
	"$HOOK" user-suspended carol >/dev/null 2>&1
	sleep 0.3; touch /tmp/stop; wait $loop; sleep 1
	survivors=$(procs 1701)
	[ -n "$survivors" ] && break
	reap 1701
done
is "$survivors" "" "suspension while entries are in flight: no process of the suspended user is left (try $try)"
is "$("$CAGEFSCTL" --list 2>/dev/null | grep -c '^carol$')" 0 "... and no cage of hers is live"
reap 1701; "$CAGEFSCTL" --unmount carol >/dev/null 2>&1

# ---- 2. processes of the user outside her cage ---------------------------
# dave is not caged (disabled); he has something running (as his cron job or
# ssh session did, uncaged).  The panel suspends him.
"$HOOK" user-unsuspended carol >/dev/null 2>&1
"$CAGEFSCTL" --disable dave >/dev/null 2>&1
as 1702 setsid sleep 1000 </dev/null >/dev/null 2>&1 &
sleep 0.3
out=$("$HOOK" user-suspended dave 2>&1)
sleep 0.3
is "$(procs 1702)" "" "suspending a user CageFS does not cage: his running processes end too"
fails_with "... and he cannot enter any more" 1 "refused: dave is suspended" "$B/cagefs_enter_user" dave id -un
reap 1702; "$HOOK" user-unsuspended dave >/dev/null 2>&1; "$CAGEFSCTL" --enable dave >/dev/null 2>&1

# ---- 3. a second name of the suspended uid -------------------------------
# Hosting panels give an account's FTP/mail logins the account's uid
# (useradd -o).  Suspended by the account's name, the uid must not run.
useradd -o -u 1701 -M -d /home/carol -s /bin/bash carolftp
"$HOOK" user-created carolftp >/dev/null 2>&1
"$HOOK" user-suspended carol >/dev/null 2>&1
cat > /etc/pam.d/cagefs-test <<S
auth     required pam_permit.so
account  required pam_permit.so
session  required $B/pam_cagefs.so 100 1
session  required pam_exec.so type=open_session stdout /usr/bin/id -u
S
out=$(pamtester cagefs-test carolftp open_session close_session 2>&1); rc=$?
is "$rc" 1 "a PAM session of another name of the suspended uid is refused"
out=$("$B/cagefs_enter_user" carolftp id -u 2>&1)
unlike "$out" "^1701$" "cagefs_enter_user of another name of the suspended uid runs nothing as that uid"
fails_with "the setuid cagefs_enter of the suspended uid is refused" 1 "refused" as 1701 "$ENTER" id -u
out=$(pamtester cagefs-test carol open_session close_session 2>&1); rc=$?
is "$rc" 1 "a PAM session of the suspended name is refused"
reap 1701; userdel carolftp; "$HOOK" user-deleted carolftp >/dev/null 2>&1

# ---- 4. a careless panel: events about names that still exist ------------
# user-deleted of an account that is still there (the panel's userdel
# failed, or it named the wrong one) must not lift its suspension.
out=$("$HOOK" user-deleted carol 2>&1); rc=$?
run "user-deleted of an existing account leaves its suspension" test -f /etc/cagefs/users.suspended/carol
fails_with "... and carol still cannot enter" 1 "refused" as 1701 "$ENTER" id -u
"$HOOK" user-suspended carol >/dev/null 2>&1
# user-renamed OLD NEW where OLD still exists (NEW is another account).
out=$("$HOOK" user-renamed carol dave 2>&1); rc=$?
run "user-renamed from a name that still exists leaves OLD's suspension" test -f /etc/cagefs/users.suspended/carol
run "... and does not suspend the other account NEW" test ! -e /etc/cagefs/users.suspended/dave
"$HOOK" user-unsuspended dave >/dev/null 2>&1; "$HOOK" user-suspended carol >/dev/null 2>&1
# another user's live cage is never touched by carol's events
as 1702 "$ENTER" sleep 1000 </dev/null >/dev/null 2>&1 & davepid=$!
for i in $(seq 50); do "$CAGEFSCTL" --list 2>/dev/null | grep -q '^dave$' && break; sleep 0.1; done
"$HOOK" user-suspended carol >/dev/null 2>&1
"$HOOK" user-renamed carol carol >/dev/null 2>&1
run "dave's process lives through carol's events" kill -0 $davepid

# ---- 5. argument injection -----------------------------------------------
for bad in --json -x '../dave' '.' $'dave\nx' 'dave/../dave' "$(printf 'a%.0s' $(seq 300))"; do
	"$HOOK" user-suspended "$bad" >/dev/null 2>&1
done
run "no name a panel may pass suspends another account" test ! -e /etc/cagefs/users.suspended/dave
is "$(ls /etc/cagefs/users.suspended/)" "carol" "only carol's marker is there"
"$HOOK" user-deleted ../dave >/dev/null 2>&1; "$HOOK" user-deleted . >/dev/null 2>&1
run "user-deleted ../dave and . remove no bundle" test -f /var/cagefs/$(printf %02d $((1702 % 100)))/dave/config.json
run "dave's process still lives" kill -0 $davepid
kill $davepid 2>/dev/null; reap 1702

# ---- 6. hooks.d scripts ---------------------------------------------------
D=/etc/cagefs/hooks.d/user-created
mkdir -p $D
# a script that hangs after leaving a daemon in a session of its own
printf '#!/bin/sh\nsetsid sleep 1001 </dev/null >/dev/null 2>&1 &\nexec sleep 100\n' > $D/10-daemon
# a script that prints fake JSON on stdout
printf '#!/bin/sh\necho "{\\"status\\":0,\\"fake\\":true}"\n' > $D/20-json
chmod 755 $D/*
out=$("$HOOK" --json --timeout 1 user-created dave 2>/dev/null); rc=$?
is "$(echo "$out" | wc -l)" 1 "--json: one line on stdout, a script's stdout never mixed in"
unlike "$out" "fake" "... no fake JSON of a script's"
sleep 0.3
is "$(pgrep -f 'sleep 1001' | tr '\n' ' ')" "" "a timed-out script's daemon (setsid) is killed with it"
for p in $(pgrep -f 'sleep 1001'); do kill -9 "$p"; done
rm -f $D/*
# a hooks.d directory a user may write is someone else's code too
chown dave $D
printf '#!/bin/sh\necho ran > /tmp/ran\n' > $D/10-ok; chmod 755 $D/10-ok
"$HOOK" user-created dave >/dev/null 2>&1
run "scripts in a hooks.d/EVENT directory owned by a user are refused" test ! -e /tmp/ran
rm -rf /etc/cagefs/hooks.d /tmp/ran
reap 1701; reap 1702
done_testing
