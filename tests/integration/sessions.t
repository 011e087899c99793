#!/bin/bash
# cagefsctl --list-logged-in (manual: "list users that entered in CageFS via
# SSH"; docs/ARCHITECTURE.md §4.14): a real sshd on 127.0.0.1 logs a user
# in, and her cage is listed; users whose cage processes descend from a
# process merely called sshd (PR_SET_NAME, a copy of a program named sshd,
# root's process renamed), or from the real sshd binary run as themselves,
# are not.  Those blocks failed on the code before (a parent named sshd
# was enough).
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/sshd.sh"
world_enter "$@"
SSHD=/usr/sbin/sshd

cat > /etc/cagefs/conf.d/base.cfg <<'C'
[base]
paths=/bin/bash, /bin/sh, /bin/echo, /bin/sleep, /usr/bin/perl
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
uid=1700
for u in alice bob carol dave erin; do
	uid=$((uid + 1))
	# '*': no password, but not a locked account, which sshd would refuse.
	useradd -m -u $uid -s /bin/bash -p '*' $u || world_die "useradd $u"
done
"$SETUP_CAGEFSCTL" --enable alice bob carol dave erin >/dev/null 2>&1 || world_die "--enable failed"
# What is tested is --list-logged-in; the cages it looks at are set-up,
# entered by the real programs (so tests/selftest's stubs fail only that).
SETUP_ENTER_USER="$TOP/build/cagefs_enter_user"
mkdir -p "$WORLD/bin" && cp "$TOP/build/cagefs_enter" "$WORLD/bin/cagefs_enter" \
	&& chmod 4755 "$WORLD/bin/cagefs_enter" || world_die "setuid copy"
ENTER=$WORLD/bin/cagefs_enter

# ancestry PID: "NAME RUID EXE" of PID's parent, its parent, ... below pid 1,
# leaving out the entry's relay (cagefs_enter waiting outside the cage's PID
# namespace, docs/ARCHITECTURE.md §4.15): the controls describe who started
# the entry.
ancestry() {
	local p=$1 exe
	while p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null) && [ "${p:-0}" -gt 1 ]; do
		exe=$(readlink "/proc/$p/exe")
		case $exe in */cagefs_enter) continue ;; esac
		echo "$(cat "/proc/$p/comm") $(awk '/^Uid:/ {print $2}' "/proc/$p/status") $exe"
	done
}
# wait_in FILE: until a cage process has written "in" to FILE (5 s at most).
wait_in() { for _ in $(seq 50); do grep -qx in "$1" 2>/dev/null && return; sleep 0.1; done; }
# cage_pid USER: the user's process running "sleep 600" (in the cage).
cage_pid() { pgrep -u "$1" -x -f 'sleep 600' | head -1; }
logged_in() { "$CAGEFSCTL" --list-logged-in 2>&1; echo "status $?"; }

is "$(logged_in)" "status 0" "no cage yet: --list-logged-in lists no one"

# ---- a real sshd on 127.0.0.1 ----
sshd_keys alice
# Every login runs the client's command in the user's cage, as the manual
# has sshd do (ForceCommand, through the user's login shell).
cat > "$S/sshd_config" <<C
ListenAddress 127.0.0.1
HostKey $S/host
PidFile none
AuthorizedKeysFile /etc/ssh/keys/%u
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
ForceCommand $ENTER "\$SSH_ORIGINAL_COMMAND"
C
start_sshd "$WORLD/sshd.log" "$SSHD" -D -e -f "$S/sshd_config" || world_die "sshd does not start"
LISTENER=$SSHD_PID
# ssh_in USER PORT OUT: USER logs in and, in the cage, says "in" and sleeps.
ssh_in() {
	ssh -n -i "$S/client" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -p "$2" "$1@127.0.0.1" 'echo in; exec sleep 600' >"$3" 2>&1 &
	wait_in "$3"
}

ssh_in alice "$PORT" "$WORLD/alice.out"
SSH_ALICE=$!
is "$(cat "$WORLD/alice.out"; "$SETUP_CAGEFSCTL" --list)" "in
alice" "(control) alice logged in through sshd, and her command runs in her cage"
is "$(ancestry "$(cage_pid alice)" | cut -d' ' -f1-2 | head -2)" "sshd 1701
sshd 0" "(control) her cage process's parent is sshd as alice, its parent sshd as root ([priv])"
is "$(logged_in)" "alice
status 0" "--list-logged-in lists alice, logged in through the system's sshd"

# ---- a name is not a login ----
# bob's own process names itself sshd (PR_SET_NAME) and starts his cage.
su -s /bin/sh bob -c "perl -e '\$0 = \"sshd\"; system(@ARGV)' $ENTER 'echo in; exec sleep 600'" \
	>"$WORLD/bob.out" 2>&1 &
wait_in "$WORLD/bob.out"
is "$(ancestry "$(cage_pid bob)" | head -1)" "sshd 1702 /usr/bin/perl" \
	"(control) bob's cage process has a parent named sshd (his perl, PR_SET_NAME)"
is "$(logged_in)" "alice
status 0" "bob, below a process of his named sshd, is not listed"

# carol runs a copy of a program, called sshd, that starts her cage.
cp /bin/bash /home/carol/sshd && chown carol: /home/carol/sshd
su -s /bin/sh carol -c "/home/carol/sshd -c \"$ENTER 'echo in; exec sleep 600'; true\"" \
	>"$WORLD/carol.out" 2>&1 &
wait_in "$WORLD/carol.out"
is "$(ancestry "$(cage_pid carol)" | head -1)" "sshd 1703 /home/carol/sshd" \
	"(control) carol's cage process has a parent named sshd (a copy of bash)"
is "$(logged_in)" "alice
status 0" "carol, below a copy of a program named sshd, is not listed"

# dave runs the system's sshd binary himself and logs in through it: the
# executable is the real one, but the process is his (real uid 1704).
mkdir -p /home/dave/ssh && cp "$S/client.pub" /home/dave/ssh/keys && cp "$S/host" /home/dave/ssh/host
sed -e "s#^HostKey .*#HostKey /home/dave/ssh/host#" -e "s#^AuthorizedKeysFile .*#AuthorizedKeysFile /home/dave/ssh/keys#" \
	"$S/sshd_config" > /home/dave/ssh/sshd_config
chown -R dave: /home/dave/ssh
start_sshd "$WORLD/dave-sshd.log" setpriv --reuid dave --regid dave --init-groups -- \
	"$SSHD" -D -e -f /home/dave/ssh/sshd_config || world_die "dave's sshd does not start"
DAVE_PORT=$PORT
ssh_in dave "$DAVE_PORT" "$WORLD/dave.out"
is "$(cat "$WORLD/dave.out"; ancestry "$(cage_pid dave)" | head -2)" "in
sshd 1704 $SSHD
sshd 1704 $SSHD" "(control) dave logged in through the real sshd binary, run as dave"
is "$(logged_in)" "alice
status 0" "dave, below the real sshd run as himself, is not listed"

# root names a process of its own sshd (it is not the sshd binary) and starts
# erin's cage from it with cagefs_enter_user.
perl -e '$0 = "sshd"; system(@ARGV)' "$SETUP_ENTER_USER" erin 'echo in; exec sleep 600' \
	>"$WORLD/erin.out" 2>&1 &
wait_in "$WORLD/erin.out"
is "$(ancestry "$(cage_pid erin)" | head -1)" "sshd 0 /usr/bin/perl" \
	"(control) erin's cage process has a parent named sshd running as root (perl)"
is "$(logged_in)" "alice
status 0" "erin, below a root process named sshd that is not the sshd binary, is not listed"

# A name in /proc/PID/stat may hold ')' and spaces: bob's cage process
# names itself so that a parser reading after the first ')' would take
# the root sshd listener for its parent.
fake=") S $LISTENER 1 1"
su -s /bin/sh bob -c "$ENTER 'echo in; exec perl -e \"\\\$0 = q{$fake}; sleep 600\"'" >"$WORLD/bob2.out" 2>&1 &
wait_in "$WORLD/bob2.out"
is "$(for p in $(pgrep -u bob); do cat "/proc/$p/comm"; done | grep -Fx -- "$fake")" "$fake" \
	"(control) a process in bob's cage is named '$fake'"
is "$(logged_in)" "alice
status 0" "... and bob is still not listed"

# ---- the end of a session, an upgrade of sshd ----
# openssh-server's upgrade replaces the binary while sessions go on: theirs
# run the old, deleted file.
cp "$SSHD" "$SSHD.new" && mv "$SSHD.new" "$SSHD"
is "$(readlink "/proc/$LISTENER/exe")" "$SSHD (deleted)" "(control) sshd replaced under the running sessions"
is "$(logged_in)" "alice
status 0" "alice, in a session begun before sshd was replaced, is still listed"

# The session ends; the process it left in the cage goes on, reparented.
kill "$SSH_ALICE"
for _ in $(seq 50); do [ -z "$(ancestry "$(cage_pid alice)")" ] && break; sleep 0.1; done
p=$(cage_pid alice)
is "$("$SETUP_CAGEFSCTL" --list | grep -x alice):${p:+alive}:$(ancestry "$p")" "alice:alive:" \
	"(control) alice's session is over; her cage and the process it left are alive, below pid 1"
is "$(logged_in)" "status 0" "a process left behind by an SSH login that ended is not one: no one is listed"

done_testing
