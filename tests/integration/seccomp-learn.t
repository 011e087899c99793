#!/bin/bash
# Seccomp learning mode (issue 14, item 2; seccomp/README.md "Learning
# mode"; docs/ARCHITECTURE.md §4.25).  A server profile that refuses
# getcwd breaks pwd; while alice learns, her new entries get a filter that
# hands each refused call to a supervisor, which records it and lets the
# kernel carry it out as it would without a filter: pwd works, mount still
# fails with the kernel's own error (EPERM, not the profile's ENOSYS), bob
# is not affected.  The report names getcwd and the program, and proposes
# an override.  The supervisor ends by itself, on --seccomp-learn-stop,
# and when killed a learning process fails its refused calls (ENOSYS), it
# never hangs and is never let through.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

cat > /etc/cagefs/conf.d/base.cfg <<'C'
[base]
paths=/bin/bash, /bin/sh, /bin/pwd, /bin/cat, /bin/sleep, /bin/cp, /bin/echo, /bin/grep
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 2301 -s /bin/bash alice && useradd -m -u 2302 -s /bin/bash bob || world_die useradd
gcc -static -O2 -o "$WORLD/sysc" "$TOP/tests/lib/sysc.c" || world_die "cannot build sysc"
for u in alice bob; do install -o $u -m 755 "$WORLD/sysc" /home/$u/sysc; done
. "$(dirname "$0")/../lib/learn-profile.sh"
learn_server_profile || world_die "profile"
"$SETUP_CAGEFSCTL" --enable alice bob >/dev/null 2>&1 || world_die "--enable failed"
CTL=$B/cagefsctl
enter() { "$B/cagefs_enter_user" "$@" 2>&1; }
# a command's output on one line, and its status
said() { "$@" 2>&1 | tr '\n' ' '; echo "rc=${PIPESTATUS[0]}"; }
# pwd in /usr: coreutils falls back to walking ".." when getcwd fails,
# which cannot cross the cage's mounts
PWD_USR='cd /usr && /bin/pwd -P'
REFUSED="couldn't find directory entry in '..' with matching i-node rc=1"


# ---- enforcing: the profile breaks pwd ----
like "$(said enter alice "$PWD_USR")" "$REFUSED" "the profile refuses getcwd: alice's pwd fails"
is "$(enter alice '~/sysc mount getcwd' | grep =)" "mount=ENOSYS
getcwd=EPERM" "... and mount gets the profile's ENOSYS"

# ---- refusals of --seccomp-learn ----
like "$(said "$CTL" --seccomp-learn root 10)" "^cagefsctl: error: root is not caged: .*rc=1" "root is not caged: no learning (status 1)"
useradd -m -u 2303 -s /bin/bash carol
like "$(said "$CTL" --seccomp-learn carol 10)" "carol is not caged: .*rc=1" "carol, not enabled, cannot learn (status 1)"
like "$(said "$CTL" --seccomp-learn alice 0)" "'0' is not a number of seconds \(1 to 604800\).*rc=1" "zero seconds is refused"
like "$(said "$CTL" --seccomp-learn alice 10x)" "'10x' is not a number of seconds.*rc=1" "a malformed duration is refused"
like "$(said "$CTL" --seccomp-report alice)" "alice has no learning record: start one with cagefsctl --seccomp-learn alice.*rc=1" "no report before any learning"
like "$(said "$CTL" --seccomp-learn-stop alice)" "alice is not in learning mode.*rc=1" "nothing to stop"

# ---- learning ----
out=$("$CTL" --seccomp-learn alice 120 2>&1); rc=$?
is "$rc" 0 "--seccomp-learn alice 120 starts learning (status 0)"
like "$out" "^alice: learning until 20[0-9-]+ [0-9:]+ UTC \(120 s\)" "... and says until when"
like "$(ps -eo comm,args | grep '^cagefs-learn')" "cagefs-learn" "... a supervisor runs in the background"
like "$(said "$CTL" --seccomp-learn alice 60)" "alice is already in learning mode \(cagefsctl --seccomp-learn-stop alice ends it\).*rc=1" "a second start is refused"
is "$(enter alice "$PWD_USR")" "/usr" "while alice learns, pwd works in a new entry"
is "$(enter alice '~/sysc mount getcwd uname')" "mount=EPERM
getcwd=ok
uname=ok" "... mount fails with the kernel's own EPERM, not the profile's ENOSYS: learning grants nothing the kernel refuses"
unlike "$(enter alice 'cat /proc/self/mountinfo')" " /tmp .* tmpfs none " "... and nothing was mounted"
like "$(said enter bob "$PWD_USR")" "$REFUSED" "bob, not learning, is still refused"
like "$(enter alice 'grep -E "^Seccomp:" /proc/self/status' | tr -d '\t')" "Seccomp:2" "alice is still filtered (Seccomp: 2)"

sleep 1.5   # the record is written once a second
out=$("$CTL" --seccomp-report alice 2>&1); rc=$?
is "$rc" 0 "--seccomp-report alice (status 0)"
like "$out" "^alice: learning from .* UTC \(still learning\)" "the report says learning goes on"
like "$out" "\n? +[0-9]+  getcwd +\(every call\) +- +[^ ]*/bin/pwd" "... getcwd, refused for every call, by /bin/pwd"
like "$out" "  mount +\(every call\) .*/home/alice/sysc" "... mount, by alice's own program"
unlike "$out" "uname" "... nothing the profile allows"
P=/etc/cagefs/seccomp.proposed/alice
like "$out" "Proposed override: $P" "... and where its proposal is"
like "$(grep -B1 '^allow getcwd$' $P | head -1)" "^# learned: [0-9]+ calls? by .*/bin/pwd\" \([0-9]+\)" "the proposal allows getcwd, saying who called it"
like "$(cat $P)" "allow mount" "... and mount"
json=$("$CTL" --seccomp-report alice --json)
is "$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["user"], d["learning"], sorted({s["syscall"] for s in d["record"]["seen"]}))')" \
	"alice True ['getcwd', 'mount']" "--json: the same record"

# ---- a PAM session (su) gets the learning filter too ----
install -m 0644 "$B/pam_cagefs.so" "$(make -s -C "$TOP" print-pamdir)/pam_cagefs.so"
cp "$TOP/contrib/pam/pam-configs/cagefs" /usr/share/pam-configs/cagefs
DEBIAN_FRONTEND=noninteractive pam-auth-update --enable cagefs >"$WORLD/pam-auth-update.out" 2>&1
is "$(su - alice -c "$PWD_USR" 2>&1)" "/usr" "su - alice, while she learns: pwd works"
like "$(su - bob -c "$PWD_USR" 2>&1 | tr '\n' ' ')" "/bin/pwd: couldn't find directory entry" "su - bob: refused as ever"

# ---- a hostile program name cannot write the proposal ----
enter alice 'cp /bin/pwd "$HOME/x
allow ptrace #" && cd /usr && "$HOME/x
allow ptrace #" -P' >/dev/null
sleep 1.5
"$CTL" --seccomp-report alice >/dev/null 2>&1
unlike "$(grep -v '^#' $P)" "ptrace" "a program named with a newline adds no line to the proposal"
like "$(cat $P)" 'x\\x0aallow ptrace #' "... its name is escaped"

# ---- the end: stop, the deadline, a killed supervisor ----
out=$("$CTL" --seccomp-learn-stop alice 2>&1); rc=$?
is "$rc:$out" "0:alice: learning ended; new entries get the enforcing filter" "--seccomp-learn-stop ends it"
like "$(said enter alice "$PWD_USR")" "$REFUSED" "... new entries enforce again"
is "$(ps -eo comm | grep -c '^cagefs-learn')" 0 "... the supervisor is gone"
like "$("$CTL" --seccomp-report alice 2>&1)" "\(ended\)" "... and the report says learning ended"

"$CTL" --seccomp-learn alice 2 >/dev/null 2>&1
is "$(enter alice "$PWD_USR")" "/usr" "learning for 2 s"
sleep 3
like "$(said enter alice "$PWD_USR")" "$REFUSED" "... ends by itself"
is "$(ps -eo comm | grep -c '^cagefs-learn')" 0 "... the supervisor with it"

"$CTL" --seccomp-learn alice 60 >/dev/null 2>&1
enter alice 'sleep 1.5; ~/sysc getcwd uname' > "$WORLD/late" &
sleep 0.5
pkill -KILL -x cagefs-learn
wait
is "$(cat "$WORLD/late")" "getcwd=ENOSYS
uname=ok" "a learning process whose supervisor was killed: refused calls fail (ENOSYS), no hang, allowed ones work"
like "$(said enter alice "$PWD_USR")" "$REFUSED" "... and new entries enforce"
"$CTL" --seccomp-learn alice 60 >/dev/null 2>&1
is "$?" 0 "learning starts again after a killed supervisor (its socket is no obstacle)"
"$CTL" --seccomp-learn-stop alice >/dev/null 2>&1

# ---- nobody but root reaches a supervisor ----
"$CTL" --seccomp-learn alice 60 >/dev/null 2>&1
out=$(setpriv --reuid=2303 --regid=2303 --clear-groups python3 -c 'import socket; s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect("/run/cagefs/seccomp-learn/alice.sock")' 2>&1)
like "$out" "PermissionError: \[Errno 13\]" "carol (uncaged, on the host) cannot connect to alice's supervisor"
is "$(stat -c %a /run/cagefs/seccomp-learn)" 700 "... its directory is root's alone"
"$CTL" --seccomp-learn-stop alice >/dev/null 2>&1

# ---- the proposal applied (--seccomp-apply, issue 14 item 1) ----
"$CTL" --seccomp-learn alice 60 >/dev/null 2>&1
enter alice "$PWD_USR" >/dev/null
sleep 1.5
"$CTL" --seccomp-learn-stop alice >/dev/null 2>&1
out=$("$CTL" --seccomp-report alice 2>&1)
like "$out" "Proposed override: $P" "a fresh proposal after another learning"
like "$(said "$CTL" --seccomp-check $P)" "ok.*rc=0" "... --seccomp-check finds it valid"
out=$("$CTL" --seccomp-apply alice 2>&1); rc=$?
is "$rc" 0 "--seccomp-apply alice installs the proposal (status 0)"
like "$(grep -v '^#' /etc/cagefs/seccomp.d/alice | grep .)" "^allow getcwd" "... as her override"
is "$(enter alice "$PWD_USR")" "/usr" "with the proposal applied, pwd works in a new entry, learning over"
is "$(ps -eo comm | grep -c '^cagefs-learn')" 0 "... (no supervisor runs)"
like "$(said enter bob "$PWD_USR")" "$REFUSED" "... and bob is still refused"

# ---- log-denials, named by --seccomp-denials (issue 14 item 3) ----
mkdir -p /etc/cagefs/seccomp.d && echo log-denials > /etc/cagefs/seccomp.d/bob
"$CTL" --update-etc bob >/dev/null 2>&1
# the kernel's printk limit (10 lines per 5 s, host-wide) may drop a
# line: a few tries, a second apart
for _ in 1 2 3 4 5 6 7 8; do
	enter bob '~/sysc keyctl' >/dev/null
	sleep 1
	out=$("$CTL" --seccomp-denials bob 2>&1)
	echo "$out" | grep -q "keyctl" && break
done
like "$out" "^bob +keyctl +refused \(errno\) +[0-9]+  20[0-9-]+ [0-9:]+ UTC  /home/bob/sysc \(sysc\)" "--seccomp-denials bob: bob's keyctl, refused, by his program"
unlike "$("$CTL" --seccomp-denials alice 2>&1)" "keyctl" "... and none of it under alice"
json=$("$CTL" --seccomp-denials bob --json)
is "$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted({(x["user"], x["uid"], x["syscall"]) for x in d["denials"] if x["syscall"] == "keyctl"}))')" \
	"[('bob', 2302, 'keyctl')]" "--seccomp-denials --json: the same"
like "$(said "$CTL" --seccomp-denials nosuchuser)" "no such user.*rc=1" "--seccomp-denials of an unknown user fails (status 1)"

# ---- a deleted account's learning ends with it (cagefs-hook) ----
useradd -m -u 2304 -s /bin/bash erin && "$SETUP_CAGEFSCTL" --enable erin >/dev/null 2>&1
"$CTL" --seccomp-learn erin 600 >/dev/null 2>&1
enter erin "$PWD_USR" >/dev/null
sleep 1.5
"$CTL" --seccomp-report erin >/dev/null 2>&1
userdel -r erin 2>/dev/null
out=$("$B/cagefs-hook" user-deleted erin 2>&1)
like "$out" "seccomp learning of erin ended and its record removed" "cagefs-hook user-deleted erin: her learning ends, its record goes"
is "$(ls /run/cagefs/seccomp-learn/erin.sock /var/cagefs/seccomp-learn/erin.json /etc/cagefs/seccomp.proposed/erin 2>&1 | grep -c 'No such file')" 3 \
	"... no socket, record or proposal of erin left (a new erin inherits none)"
is "$(ps -eo comm | grep -c '^cagefs-learn')" 0 "... and no supervisor"

done_testing
