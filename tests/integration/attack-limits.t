#!/bin/bash
# Attack (issue 11, item 3): a hostile hosting user against the per-user
# limits (docs/ARCHITECTURE.md §4.17) and the PAM session module (§4.16).
# Each block is one finding of the review: it failed on the code before
# the fix (limits keyed by login name, cage processes moved unchecked).  Everything runs in a throwaway
# world; the users' cgroups are made below L (limits_cgroup=, this test's
# own), removed at the end.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/syslog.sh"
world_enter "$@"
world_syslog

# ---- the world ----
mkdir -p "$WORLD/bin" /usr/share/cagefs-test
REPORT=/usr/share/cagefs-test/report
# what a PAM session runs: its cgroups, and a fork bomb of 30
cat > $REPORT <<'R'
#!/bin/sh
cat /proc/self/cgroup > /tmp/cg-$PAM_USER
i=0; while [ $i -lt 30 ]; do sleep 3 & i=$((i+1)); done
echo "started $i" >> /tmp/cg-$PAM_USER
R
chmod 755 $REPORT
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/sleep, /usr/bin/dd, /usr/bin/timeout, /bin/true, /usr/bin/id, $REPORT
devices=/dev/null, /dev/zero
users=nobody
groups=nogroup
C
# a directory of alice's on a real disk (the checkout's), for io
IO=$TOP/build/attack-io-$WORLD_ID
mkdir -p "$IO/alice" /srv/iodata && chown 1901:1901 "$IO/alice" && mount --bind "$IO" /srv/iodata
echo /srv/iodata > /etc/cagefs/cagefs.mp
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1901 -s /bin/bash alice && useradd -m -u 1902 -s /bin/bash bob || world_die useradd
# what a panel creates with useradd on Debian: a second login of alice's
# account (same uid, ISPConfig's shell users, FTP sub-accounts) and an
# account whose name is a cgroupfs file's
useradd -o -u 1901 -g 1901 -M -d /home/alice -s /bin/bash alice2 || world_die "useradd -o alice2"
useradd -m -u 1903 -s /bin/bash tasks || world_die "useradd tasks"
"$SETUP_CAGEFSCTL" --enable alice bob alice2 tasks >/dev/null 2>&1 || world_die "--enable failed"
cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter"
chown root:root "$WORLD/bin/cagefs_enter" && chmod 4755 "$WORLD/bin/cagefs_enter"
ENTER=$WORLD/bin/cagefs_enter
enter() { su -s /bin/sh "$1" -c 'exec "$0" "$1"' "$ENTER" "$2"; }
CTL=$B/cagefsctl
cat > /etc/pam.d/cagefs-test <<S
auth     required pam_permit.so
account  required pam_permit.so
session  required $B/pam_cagefs.so
session  required pam_exec.so type=open_session stdout $REPORT
S

L=/cagefs-attack-$WORLD_ID
echo "limits_cgroup=$L/users" >> /etc/cagefs/cagefs.ini
cleanup() {
	for u in alice bob alice2 tasks; do "$CTL" --unmount "$u" >/dev/null 2>&1; done
	pkill -9 -u alice,bob,tasks 2>/dev/null
	sleep 0.3
	for m in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		[ -d "$m$L" ] && find "$m$L" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	umount /srv/iodata 2>/dev/null; rm -rf "$IO"
}
trap cleanup EXIT
V1=/sys/fs/cgroup # hybrid host: the limits are on v1
ucg() { echo "$V1/$1$L/users/$(id -u "$2")"; } # CONTROLLER USER: the cgroup of USER's account (uid)
cg_of() { grep -E "^[0-9]+:$1:" "/proc/$2/cgroup" | cut -d: -f3; } # CONTROLLER PID

# ---- 1. io= does not hold buffered writes (v1 blkio throttles only I/O
# issued by the task: page-cache writeback runs in the root cgroup); on
# this host the limit is taken, and the administrator is told so ----
out=$("$CTL" --set-limits alice io=1M 2>&1)
is "$?:$out" "0:cagefsctl: warning: io/iops on cgroup v1 (blkio, as on this host) throttle reads and direct I/O only: buffered writes are written back by the kernel outside the user's cgroup" \
	"io=1M on cgroup v1: set, with a warning that buffered writes are not throttled"
"$CTL" --set-limits alice io= >/dev/null 2>&1
fails_with "--set-limits alice2 (a second login name of alice's uid) is refused, naming the account" 1 \
	"^cagefsctl: error: alice2 has uid 1901, whose account is alice: limits are the account's, set them for alice$" "$CTL" --set-limits alice2 pids=5

# ---- 2. a second login name of the same account escapes her limits ----
"$CTL" --set-limits alice pids=20 >/dev/null || world_die "--set-limits alice"
rm -f /home/alice/.cagefs/tmp/cg-*
pamtester cagefs-test alice2 open_session close_session >/dev/null 2>&1
is "$(grep -c ':pids:' /home/alice/.cagefs/tmp/cg-alice2 2>&1)" 1 "alice2's PAM session (uid 1901, alice's) ran caged (its report is in the cage's /tmp)"
is "$(grep -E '^[0-9]+:pids:' /home/alice/.cagefs/tmp/cg-alice2 | cut -d: -f3)" "$L/users/1901" \
	"... in alice's cgroup: uid 1901 is held by alice's pids=20 whatever name it logs in with"
unlike "$(cat /home/alice/.cagefs/tmp/cg-alice2)" "started 30" "... so its fork bomb of 30 does not get through"
sleep 3.2

# ---- 3. --set-limits moves root's own entry (--enter) into her cgroup ----
"$CTL" --enter alice sleep 200 >/dev/null 2>&1 &
EJ=$!
for _ in $(seq 50); do R=$(pgrep -u root -x sleep | head -1) && [ -n "$R" ] && break; sleep 0.1; done
before=$(cg_of memory "$R")
"$CTL" --set-limits alice memory=64M >/dev/null
is "$(cg_of pids "$R") $(cg_of memory "$R")" "$(cg_of pids $$) $before" \
	"root's 'cagefsctl --enter alice' program stays out of alice's cgroup after --set-limits alice (§4.17: root's own entry is not limited)"
pkill -u root -x sleep; wait $EJ 2>/dev/null

# ---- 4. the pid scan of --set-limits moves a process that is not hers ----
# The window between cage_pids() and the write to cgroup.procs, widened
# here by strace; a pid that ends in it and is taken by a process of
# bob's (ns_last_pid gives it to him here; a wrap of pid_max, 32768 on
# this host, does it in the wild) is moved into alice's cgroup.
"$CTL" --set-limits alice memory= pids= >/dev/null
su -s /bin/sh alice -c "exec $ENTER sleep 300" >/dev/null 2>&1 &
AJ=$!
for _ in $(seq 50); do S=$(pgrep -u alice -x sleep) && break; sleep 0.1; done
strace -f -qq -o /dev/null -P "$(ucg pids alice)/cgroup.procs" -e trace=openat -e inject=openat:delay_enter=3000000 \
	"$CTL" --set-limits alice pids=20 > "$WORLD/race.out" 2>&1 &
STR=$!
sleep 1 # the scan has seen S; the write waits
kill -9 "$S"; for _ in $(seq 50); do [ -e /proc/$S ] || break; sleep 0.05; done
echo $((S - 1)) > /proc/sys/kernel/ns_last_pid
setpriv --reuid=1902 --regid=1902 --clear-groups sleep 30 &
V=$!
wait $STR
[ "$V" = "$S" ] || diag "bob's sleep got pid $V, not $S: the race was not set up"
is "$(cg_of pids "$V")" "$(cg_of pids $$)" "bob's process, which took the pid alice's had in the scan, is not moved into alice's cgroup (pids.max=20)"
kill $V 2>/dev/null; wait $V $AJ 2>/dev/null

# ---- 5. a user named as a cgroupfs file (tasks) ----
"$CTL" --set-limits default pids=300 >/dev/null 2>&1
out=$(enter tasks 'cat /proc/self/cgroup' 2>&1)
like "$(echo "$out" | grep -E '^[0-9]+:pids:')" ":pids:$L/users/1903$" "a caged user named 'tasks' (useradd allows it) enters, held by the default pids=300 in the cgroup of uid 1903 (got: $(echo "$out" | tail -1))"
done_testing
