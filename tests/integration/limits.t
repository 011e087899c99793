#!/bin/bash
# Per-user resource limits (issue 11, item 3; docs/ARCHITECTURE.md §4.17):
# /etc/cagefs/limits.conf, cagefsctl --set-limits / --limits, and the
# user's cgroup that every entry and PAM session moves into.  The limits
# are enforced by the kernel here, for real: a fork bomb stops at pids, an
# allocation past memory is killed, a busy loop is throttled at cpu, a
# direct read from the disk is throttled at io.  The users' cgroups are
# made below L, a cgroup path of this test's own (limits_cgroup=), removed
# at the end.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/syslog.sh"
world_enter "$@"
world_syslog

# ---- the world ----
mkdir -p "$WORLD/bin" /usr/share/cagefs-test
REPORT=/usr/share/cagefs-test/report
printf '#!/bin/sh\ncat /proc/self/cgroup > /tmp/cg-$PAM_USER\n' > $REPORT && chmod 755 $REPORT
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/sleep, /usr/bin/head, /usr/bin/tr, /usr/bin/dd, /usr/bin/timeout, /bin/true, $REPORT
devices=/dev/null, /dev/zero
users=nobody
groups=nogroup
C
# a file on a real disk (the checkout's), read with O_DIRECT from the cage
IO=$TOP/build/limits-io-$WORLD_ID
mkdir -p "$IO" /srv/iodata && head -c 4194304 /dev/urandom > "$IO/blob" && mount --bind "$IO" /srv/iodata
echo /srv/iodata > /etc/cagefs/cagefs.mp
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
uid=1901
for u in alice bob carol; do
	useradd -m -u $uid -s /bin/bash $u || world_die "useradd $u"
	uid=$((uid + 1))
done
"$SETUP_CAGEFSCTL" --enable alice bob carol >/dev/null 2>&1 || world_die "--enable failed"
cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter"
chown root:root "$WORLD/bin/cagefs_enter" && chmod 4755 "$WORLD/bin/cagefs_enter"
ENTER=$WORLD/bin/cagefs_enter
enter() { su -s /bin/sh "$1" -c 'exec "$0" "$1"' "$ENTER" "$2"; }
CTL=$B/cagefsctl
CONF=/etc/cagefs/limits.conf

# L: the users' cgroups, from the root of every hierarchy, this test's own
L=/cagefs-limits-$WORLD_ID
echo "limits_cgroup=$L/users" >> /etc/cagefs/cagefs.ini
cleanup() {
	for u in alice bob carol; do "$CTL" --unmount "$u" >/dev/null 2>&1; done
	pkill -9 -u alice,bob,carol 2>/dev/null
	sleep 0.2
	for m in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
		[ -d "$m$L" ] && find "$m$L" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	umount /srv/iodata 2>/dev/null; rm -rf "$IO"
}
trap cleanup EXIT
V1=/sys/fs/cgroup # this host is hybrid (docs/ARCHITECTURE.md §7): the limits are on v1
ucg() { echo "$V1/$1$L/users/$(id -u "$2")"; } # CONTROLLER USER: the cgroup of USER's account (its uid) there

# ---- limits.conf and the command line ----
is "$("$CTL" --limits)" "USER             CPU      MEMORY   PIDS     IO       IOPS     MEM-USED PROCS" \
	"--limits without limits.conf: the header alone, exit 0"
cat > $CONF <<'F'
# hosting plans
default   pids=300
F
"$CTL" --set-limits alice cpu=50% memory=64M pids=20
is "$?:$(cat $CONF)" "0:# hosting plans
default   pids=300
alice cpu=50% memory=64M pids=20" "--set-limits alice: her line added, the comment and the default line kept as they were"
"$CTL" --set-limits alice io=1M iops=max
is "$(tail -1 $CONF)" "alice cpu=50% memory=64M pids=20 io=1M iops=max" "a second --set-limits adds keys to the same line (iops=max lifts a default)"
is "$("$CTL" --limits alice | tail -1 | awk '{print $1, $2, $3, $4, $5, $6}')" "alice 50% 64M 20 1M -" \
	"--limits alice: her effective limits (the default's pids overridden)"
is "$("$CTL" --limits carol | tail -1 | awk '{print $1, $2, $3, $4}')" "carol - - 300" "--limits carol: the default line applies to a user without one"
json=$("$CTL" --limits --json)
is "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print([(r["user"], r["cpu"], r["memory"], r["pids"], r["io"], r["iops"]) for r in d])' "$json")" \
	"[('default', None, None, 300, None, None), ('alice', 50, 67108864, 20, 1048576, None)]" \
	"--limits --json: every line, numbers in units (percent, bytes, bytes/s), null for none"

before=$(sha256sum $CONF)
bad() { # WHAT STATUS MESSAGE ARGS...
	local what=$1 st=$2 msg=$3; shift 3
	fails_with "$what" "$st" "$msg" "$CTL" --set-limits "$@"
	is "$(sha256sum $CONF)" "$before" "... and limits.conf is left as it was"
}
bad "an unknown key is refused" 1 "^cagefsctl: error: .*limits.conf left as it was: 'swap=1G' is not KEY=VALUE with KEY one of cpu, memory, pids, io, iops$" alice swap=1G
bad "cpu without % is refused" 1 "cpu: '50' is not max or a percentage of one CPU \(1% to 100000%\)$" alice cpu=50
bad "memory under 1M is refused" 1 "memory: '512K' is not max or bytes \(K, M, G, T; at least 1M\)$" alice memory=512K
bad "an overflowing size is refused" 1 "memory: '99999999999T' is not max" alice memory=99999999999T
bad "pids=0 is refused" 1 "pids: '0' is not max or a number of processes" alice pids=0
bad "a user not in passwd is refused" 1 "^cagefsctl: error: nosuch: no such user$" nosuch pids=5
bad "no KEY=VALUE is refused" 1 "no KEY=VALUE to set" alice
"$CTL" --set-limits alice io= iops=
is "$(tail -1 $CONF)" "alice cpu=50% memory=64M pids=20" "KEY= drops the user's own value"

# ---- a broken limits.conf: every entry of a limited user is refused ----
cp $CONF "$WORLD/limits.good"
echo "alice memory=1G" >> $CONF
fails_with "--limits names the line of a second alice" 1 "^cagefsctl: error: /etc/cagefs/limits.conf:4: alice already has its line \(line 3\)$" "$CTL" --limits
fails_with "alice's entry is refused, never run unlimited" 1 "^cagefs_enter: error: alice: limits not applied: /etc/cagefs/limits.conf:4: alice already has its line \(line 3\)$" enter alice true
fails_with "... and bob's too: the file is the server's" 1 "limits.conf:4: alice already has its line" enter bob true
cp "$WORLD/limits.good" $CONF

# ---- entries move into the user's cgroup ----
cg=$(enter alice 'cat /proc/self/cgroup')
is "$(echo "$cg" | grep -E '^[0-9]+:(pids|memory|cpu|blkio):' | cut -d: -f2- | sort | tr '\n' ' ')" \
	"blkio:/ cpu:$L/users/1901 memory:$L/users/1901 pids:$L/users/1901 " \
	"alice's program runs in her cgroup on each limited controller's hierarchy (blkio not limited: not moved)"
is "$(cat "$(ucg pids alice)/pids.max") $(cat "$(ucg memory alice)/memory.limit_in_bytes") $(cat "$(ucg cpu alice)/cpu.cfs_quota_us") $(cat "$(ucg cpu alice)/cpu.cfs_period_us")" \
	"20 67108864 50000 100000" "her limits are written: pids.max, memory.limit_in_bytes, cpu.cfs_quota_us of a 100 ms period"
is "$(stat -c %U "$(ucg pids alice)")" root "her cgroup is root's: she cannot raise her own limits"
is "$(enter bob 'cat /proc/self/cgroup' | grep -E '^[0-9]+:pids:' | cut -d: -f3)" "$L/users/1902" "bob, limited by the default line only (pids=300), is moved too"
is "$(cat "$(ucg pids bob)/pids.max")" 300 "... with the default's pids.max"

# ---- the kernel enforces them ----
# pids: a fork bomb of alice's stops at 20; bob, meanwhile, starts 60
fb=$(enter alice 'i=0; while [ $i -lt 100 ]; do sleep 3 & i=$((i+1)); done; echo "started $i"' 2>&1)
st=$?
like "$st $fb" "^2 .*Cannot fork" "alice's fork bomb fails at pids=20: sh says Cannot fork (status 2)"
is "$(cat "$(ucg pids alice)/pids.max")" 20 "... her cgroup's pids.max"
is "$(enter bob 'i=0; while [ $i -lt 60 ]; do sleep 2 & i=$((i+1)); done; echo "started $i"')" "started 60" \
	"meanwhile bob starts 60 processes: alice's limit is hers alone"
sleep 3.2
# memory: 150 MB in a shell variable is killed at 64M; bob's is not
out=$(enter alice 'a=$(head -c 150000000 /dev/zero | tr "\0" x); echo ${#a}' 2>&1)
is "$?" 137 "alice's 150 MB allocation is killed at memory=64M (SIGKILL: status 137)"
like "$(cat "$(ucg memory alice)/memory.oom_control")" "oom_kill [1-9]" "... by the OOM killer of her cgroup (memory.oom_control counts it)"
is "$(enter bob 'a=$(head -c 150000000 /dev/zero | tr "\0" x); echo ${#a}')" 150000000 "bob's 150 MB allocation succeeds"
# cpu: a busy second at cpu=50% is throttled
enter alice 'timeout 1 sh -c "while :; do :; done"'
like "$(grep nr_throttled "$(ucg cpu alice)/cpu.stat")" "^nr_throttled [1-9]" "alice's busy loop is throttled at cpu=50% (cpu.stat nr_throttled)"
# io: a direct read from the disk at io=1M
dev=$(stat -c '%Hd:%Ld' "$IO/blob")
disk=$(basename "$(readlink -f "/sys/dev/block/$dev")")
[ -e "/sys/dev/block/$dev/partition" ] && disk=$(basename "$(dirname "$(readlink -f "/sys/dev/block/$dev")")")
if [ "$(stat -f -c %T "$IO")" = tmpfs ] || [ ! -e "/sys/block/$disk/dev" ]; then
	ok 0 "# SKIP the checkout is not on a disk (io throttles are per disk)"; ok 0 "# SKIP"; ok 0 "# SKIP"
else
	"$CTL" --set-limits alice io=1M
	dmm=$(cat "/sys/block/$disk/dev")
	like "$(cat "$(ucg blkio alice)/blkio.throttle.read_bps_device")" "^$dmm 1048576$" "--set-limits alice io=1M: blkio.throttle.read_bps_device of her disk ($disk, $dmm)"
	sync; echo 1 > /proc/sys/vm/drop_caches
	t0=$(date +%s%N)
	enter alice 'dd if=/srv/iodata/blob of=/dev/null bs=64k iflag=direct 2>/dev/null'
	t=$(( ($(date +%s%N) - t0) / 1000000 ))
	read_bytes=$(awk -v d="$dmm" '$1 == d && $2 == "Read" {print $3}' "$(ucg blkio alice)/blkio.throttle.io_service_bytes")
	[ "${read_bytes:-0}" -ge 4194304 ]; ok $? "her direct read of 4 MiB went through her cgroup's throttle (io_service_bytes: ${read_bytes:-none})"
	[ "$t" -ge 2500 ]; ok $? "... and took at least 2.5 s at 1 MiB/s (${t} ms; a lower bound the throttle sets, not a speed)"
	"$CTL" --set-limits alice io=
fi

# ---- live: --set-limits reaches a running cage, max lifts ----
su -s /bin/sh carol -c "exec $ENTER sleep 300" &
SU=$!
for _ in $(seq 50); do C=$(pgrep -u carol -x sleep) && break; sleep 0.1; done
is "$(grep -E '^[0-9]+:pids:' /proc/$C/cgroup | cut -d: -f3)" "$L/users/1903" "carol's sleep runs in her cgroup (the default's pids=300)"
"$CTL" --set-limits default pids=max >/dev/null
is "$(cat "$(ucg pids carol)/pids.max")" max "--set-limits default pids=max: carol's live cgroup is lifted at once"
"$CTL" --set-limits carol memory=100M pids=50
is "$(cat "$(ucg pids carol)/pids.max") $(cat "$(ucg memory carol)/memory.limit_in_bytes")" "50 104857600" "--set-limits carol: her live cgroup gets the values"
is "$(grep -E '^[0-9]+:memory:' /proc/$C/cgroup | cut -d: -f3)" "$L/users/1903" "... and her running sleep is moved into it on memory too"
"$CTL" --set-limits carol memory=max
is "$(cat "$(ucg memory carol)/memory.limit_in_bytes")" 9223372036854771712 "memory=max lifts her memory limit (the kernel's no-limit value)"
is "$("$CTL" --limits carol | tail -1 | awk '{print $1, $3, $4, $8}')" "carol - 50 3" \
	"--limits carol: no memory limit, pids 50, 3 processes in her cgroup (her sleep, its relay, and the pin: pin_cgroup= is empty here)"
kill $C 2>/dev/null; wait $SU 2>/dev/null

# ---- a user with no limit is not moved; what cannot be applied refuses ----
"$CTL" --set-limits carol memory= pids=max
is "$(enter carol 'cat /proc/self/cgroup' | grep -E '^[0-9]+:pids:' | cut -d: -f3)" "$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup)" \
	"carol, with nothing limited (pids=max), stays in the cgroup she came from"
sed -i "s|^limits_cgroup=.*|limits_cgroup=|" /etc/cagefs/cagefs.ini
fails_with "limits_cgroup= empty: a limited user's entry is refused" 1 "^cagefs_enter: error: alice: limits not applied: limits_cgroup= is empty in cagefs.ini: users' limits have no cgroup$" enter alice true
sed -i "s|^limits_cgroup=.*|limits_cgroup=$L/bad/../users|" /etc/cagefs/cagefs.ini
fails_with "a malformed limits_cgroup= names its line" 1 "alice: limits not applied: /etc/cagefs/cagefs.ini:2: limits_cgroup must be empty or an absolute cgroup path" enter alice true
sed -i "s|^limits_cgroup=.*|limits_cgroup=$L/users|" /etc/cagefs/cagefs.ini

# ---- PAM: the session's process goes into the user's cgroup, -c below it ----
service() {
	cat > /etc/pam.d/cagefs-test <<S
auth     required pam_permit.so
account  required pam_permit.so
session  required $B/pam_cagefs.so $1
session  required pam_exec.so type=open_session stdout $REPORT
S
}
service ""
pamtester cagefs-test alice open_session close_session >/dev/null 2>&1
is "$(grep -E '^[0-9]+:pids:' /home/alice/.cagefs/tmp/cg-alice | cut -d: -f3)" "$L/users/1901" "a PAM session of alice's runs in her cgroup"
service "-c pids"
pamtester cagefs-test alice open_session close_session >/dev/null 2>&1
is "$(grep -E '^[0-9]+:pids:' /home/alice/.cagefs/tmp/cg-alice | cut -d: -f3)" "$L/users/1901/user/alice/0" "with -c pids, the session's cgroup is made below hers (so her limits hold it)"
echo "bob pids=x" >> $CONF
n=$(wc -l < $CONF)
fails_with "a broken limits.conf: alice's PAM session is refused" 1 "pamtester: Permission denied$" pamtester cagefs-test alice open_session
like "$(grep -a 'pam_cagefs' "$WORLD/syslog" | tail -1)" "alice: refused: limits not applied: /etc/cagefs/limits.conf:$n: pids: 'x' is not max" "... and the log line names the file and line"
cp "$WORLD/limits.good" $CONF

# ---- pure cgroup v2: the v2 files, and a missing controller refuses ----
# A unified layout in a mount namespace of its own: this hybrid host's
# memory controller is on v1, so the v2 tree cannot take a memory limit.
v2=$(unshare --mount --propagation private sh -c "mount -t cgroup2 none /sys/fs/cgroup && exec su -s /bin/sh alice -c 'exec \"\$0\" true' $ENTER" 2>&1)
is "$?:$v2" "1:cagefs_enter: error: alice: limits not applied: limits.conf: no cgroup hierarchy has the memory controller (for memory.max)" \
	"on a unified host without the memory controller, alice's memory limit (memory.max, v2's name) refuses her entry"
done_testing
