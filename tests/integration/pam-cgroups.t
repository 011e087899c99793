#!/bin/bash
# pam_cagefs.so -c CONTROLLERS (issue 11, item 2): session cgroups with the
# semantics of pam_cgfs(8).  pamtester opens a session on a test service
# whose next module (pam_exec) prints /proc/self/cgroup and sleeps a
# moment, so the test can look at the session's cgroups from outside while
# it is open; then they must be gone.  Every cgroup is made below T, a
# cgroup of this test's own below its current one in every hierarchy
# (docs/ARCHITECTURE.md §7): the session process starts in T, and T goes at
# the end.  Pure cgroup v2 is a unified layout in a mount namespace of its
# own, as in oci.t.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/syslog.sh"
. "$(dirname "$0")/../lib/cgtest.sh"
world_enter "$@"

# ---- a /dev of this world's own, with a syslog listener on /dev/log ----
world_syslog

# ---- the world: a skeleton, users, the test service ----
REPORT=/usr/share/cagefs-test/report
mkdir -p /usr/share/cagefs-test
cat > $REPORT <<'R'
#!/bin/sh
sed 's/^/cg=/' /proc/self/cgroup > /tmp/cg-$PAM_USER-$$
sleep 1.5
R
chmod 755 $REPORT
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/sed, /bin/sleep, $REPORT
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1801 -s /bin/bash alice && useradd -m -u 1802 -s /bin/bash bob || world_die useradd
"$SETUP_CAGEFSCTL" --enable alice >/dev/null 2>&1 || world_die "--enable failed"
service() { # MODULE-ARGS [REPORT]
	cat > /etc/pam.d/cagefs-test <<S
auth     required pam_permit.so
account  required pam_permit.so
session  required $B/pam_cagefs.so $1
session  required pam_exec.so type=open_session stdout ${2:-$REPORT}
S
}
log() { grep -a "$1" "$WORLD/syslog" | tail -1 | sed 's/^<[0-9]*>//'; }

# ---- T: this test's cgroup, below our own in every hierarchy ----
T=cagefs-pamcg-$WORLD_ID
cg_test_make "$T" # tests/lib/cgtest.sh: also mnt_of, own_of
# start USER's session in T (SUB: a path below T in the name=systemd
# hierarchy instead), its output in FILE; wait until it reported
start() { # USER FILE [SUB]
	local u=$1 f=$2 sub=$3
	rm -f /tmp/cg-$u-* /home/$u/.cagefs/tmp/cg-$u-*
	(
		while read -r m own; do
			d="$m$own/$T"; [ -n "$sub" ] && [ "$m" = /sys/fs/cgroup/systemd ] && d="$d/$sub"
			echo $BASHPID > "$d/cgroup.procs"
		done < "$WORLD/hier"
		pamtester cagefs-test "$u" open_session close_session 2>&1; echo "status $?"
	) > "$f" &
	echo $! > "$f.pid"
	# the report's lines, in the session's /tmp (alice's cage: her ~/.cagefs/tmp)
	for _ in $(seq 400); do
		for r in /tmp/cg-$u-* /home/$u/.cagefs/tmp/cg-$u-*; do
			[ -s "$r" ] && mv "$r" "$f.cg" && return
		done
		sleep 0.05
	done
}
# "CTRLS PATH OWNER" of each cgroup the session reported (OWNER while open)
where() {
	sed -n 's/^cg=//p' "$1.cg" | while IFS=: read -r id c p; do
		d=$(mnt_of "$c")$p; echo "${c:-v2} $p $(stat -c %U "$d" 2>/dev/null)"
	done
}
finish() { wait "$(cat "$1.pid")"; } # not in $(...): the session is this shell's child
st() { tail -1 "$1"; }
gone() { # nothing below T but what was there
	local left=""
	while read -r m own; do [ -e "$m$own/$T/user" ] && left="$left $m$own/$T/user"; done < "$WORLD/hier"
	echo "left:${left:- none}"
}

# alice's cage is built first, by a session without -c: its pin stays in
# the test's own cgroup (the world's pin_cgroup=, §4.5), not in a session's
build_cage() {
	service "100 1"
	pamtester cagefs-test alice open_session close_session >/dev/null 2>&1 || world_die "first session"
	rm -f /home/alice/.cagefs/tmp/cg-* /tmp/cg-*
}
build_cage
own2=$(own_of "")
mem=$(own_of memory); fr=$(own_of freezer); sd=$(own_of name=systemd); pids=$(own_of pids)

# ---- -c freezer,memory,name=systemd: a caged user's session ----
service "100 1 -c freezer,memory,name=systemd"
start alice "$WORLD/s1"
w=$(where "$WORLD/s1")
is "$(echo "$w" | grep -E '^(freezer|memory|name=systemd) ' | sort)" "freezer $fr/$T/user/alice/0 alice
memory $mem/$T/user/alice/0 alice
name=systemd $sd/$T/user/alice/0 alice" "alice's session is in user/alice/0 below its cgroup in each hierarchy named, each owned by alice"
is "$(echo "$w" | grep '^pids ')" "pids $pids/$T root" "... and where it was in the others (pids)"
is "$(stat -c %U "/sys/fs/cgroup/memory$mem/$T/user/alice/0/cgroup.procs" "/sys/fs/cgroup/memory$mem/$T/user/alice/0/tasks" | sort -u) $(stat -c %U "/sys/fs/cgroup/memory$mem/$T/user/alice" "/sys/fs/cgroup/memory$mem/$T/user" | tr '\n' ' ')" \
	"alice root root " "... its cgroup.procs and tasks hers too, user/ and user/alice root's"
# a second session while the first is open: the next number
start alice "$WORLD/s2"
is "$(where "$WORLD/s2" | grep '^memory ' | cut -d' ' -f2)" "$mem/$T/user/alice/1" "a second session of alice's at the same time: user/alice/1"
is "$(where "$WORLD/s2" | grep '^v2 ' | cut -d' ' -f2)" "$own2/$T" "... and the v2 tree, not named, untouched"
finish "$WORLD/s1"; finish "$WORLD/s2"
is "$(st "$WORLD/s1") $(st "$WORLD/s2")" "status 0 status 0" "both sessions open and close (status 0)"
md=/sys/fs/cgroup/memory$mem/$T/user/alice
is "$(ls -d $md/0 $md/1 2>/dev/null)" "" \
	"at close each session's user/alice/N is removed (user/alice too if its maker closed last; else it stays: the other did not make it)"
while read -r m own; do rmdir "$m$own/$T/user/alice" "$m$own/$T/user" 2>/dev/null; done < "$WORLD/hier"
start alice "$WORLD/s2b"; finish "$WORLD/s2b" >/dev/null
is "$(gone)" "left: none" "a session alone: user/alice/0, user/alice and user/ all removed at close"

# ---- -c all: every hierarchy, the v2 tree of this hybrid host too (bob, not caged) ----
service "100 1 -c all"
start bob "$WORLD/s3"
w=$(where "$WORLD/s3")
is "$(echo "$w" | grep -vc " /.*/user/bob/0 bob$")" 0 "-c all: bob's session is in user/bob/0, his, in every hierarchy"
is "$(echo "$w" | wc -l)" "$(wc -l < "$WORLD/hier")" "... all $(wc -l < "$WORLD/hier") of them, v2 included ($(echo "$w" | grep -c '^v2 ') v2)"
finish "$WORLD/s3"
is "$(st "$WORLD/s3") $(gone)" "status 0 left: none" "... and nothing is left at close"

# ---- never removed what it did not make: a user/alice made beforehand, with a pids limit ----
pd=/sys/fs/cgroup/pids$pids/$T
mkdir -p "$pd/user/alice" && echo 12 > "$pd/user/alice/pids.max"
cat > "$WORLD/bomb" <<'B'
#!/bin/sh
sed 's/^/cg=/' /proc/self/cgroup | tee /tmp/cg-$PAM_USER-$$
setpriv --reuid alice --regid alice --clear-groups python3 -c '
import os, time
n = 0
for i in range(200):
    try:
        if os.fork() == 0:
            time.sleep(1); os._exit(0)
        n += 1
    except OSError:
        break
print("forks=%d" % n)'
B
chmod 755 "$WORLD/bomb"
service "100 1 -c pids" "$WORLD/bomb"
"$SETUP_CAGEFSCTL" --disable alice >/dev/null 2>&1 # uncaged: the host's python and setpriv
out=$(start alice "$WORLD/s4"; finish "$WORLD/s4"; cat "$WORLD/s4")
like "$out" "cg=[0-9]+:pids:$pids/$T/user/alice/0" "a session below a user/alice made beforehand: user/alice/0"
like "$out" "forks=(8|9|10)$" "a pids.max of 12 written into user/alice stops alice's fork bomb ($(echo "$out" | grep -o 'forks=[0-9]*'))"
is "$(ls -d "$pd/user/alice" 2>&1) $(cat "$pd/user/alice/pids.max") $(ls "$pd/user/alice" | grep -c '^[0-9]')" "$pd/user/alice 12 0" \
	"at close its user/alice/0 is removed, user/alice (not made by it) is kept"
rmdir "$pd/user/alice" "$pd/user"
"$SETUP_CAGEFSCTL" --enable alice >/dev/null 2>&1
build_cage # --disable ended her cage

# ---- a systemd session scope the process is in is kept ----
sc=user.slice/user-1801.slice/session-7.scope
mkdir -p "/sys/fs/cgroup/systemd$sd/$T/$sc"
service "100 1 -c name=systemd,memory"
start alice "$WORLD/s5" "$sc"
w=$(where "$WORLD/s5")
is "$(echo "$w" | grep -E '^(memory|name=systemd) ' | sort)" "memory $mem/$T/user/alice/0 alice
name=systemd $sd/$T/$sc alice" "in alice's own systemd session scope: the scope is kept, chowned to her (pam_cgfs(8)); memory: user/alice/0"
finish "$WORLD/s5" >/dev/null
is "$(stat -c %U "/sys/fs/cgroup/systemd$sd/$T/$sc") $(gone)" "alice left: none" "... and at close the scope stays (not made by the module), user/ goes"
rmdir "/sys/fs/cgroup/systemd$sd/$T/$sc" "/sys/fs/cgroup/systemd$sd/$T/${sc%/*}" "/sys/fs/cgroup/systemd$sd/$T/${sc%%/*}"

# ---- malformed -c: refused, the log names the problem ----
refused() { # WHAT ARGS PATTERN
	service "100 1 $2"
	out=$(pamtester cagefs-test alice open_session close_session 2>&1; echo "status $?")
	is "$(echo "$out" | grep -E '^pamtester|status' | tr '\n' '|')" "pamtester: Permission denied|status 1|" \
		"$1: alice's session is refused (PAM_PERM_DENIED)"
	like "$(log pam_cagefs)" "$3" "... and the log says why"
}
refused "-c all,memory" "-c all,memory" "alice: refused: -c all,memory: 'all' cannot be given with other controllers \(pam_cgfs\(8\)\)"
refused "-c memory,all" "-c memory,all" "'all' cannot be given with other controllers"
refused "-c=memory (one word)" "-c=memory" "alice: refused: -c takes its list as the next word"
refused "-c alone" "-c" "alice: refused: -c needs a list of controllers"
refused "-c memory,,pids" "-c memory,,pids" "alice: refused: -c memory,,pids: an empty controller name"
refused "-c 'mem ory'" "-c Mem/ory" "'Mem/ory' is not a controller name"
refused "-c nosuch" "-c nosuch" "alice: refused: cannot make the session's cgroups: -c: no cgroup hierarchy of this process has the nosuch controller"
is "$(pamtester cagefs-test root open_session close_session >/dev/null 2>&1; echo $?)" 0 "... root's session still opens"
is "$(gone)" "left: none" "a refused session leaves no cgroup"
service "100 1 -c named=systemd"
start alice "$WORLD/s6"
w=$(where "$WORLD/s6"); finish "$WORLD/s6"
is "$(echo "$w" | grep '^name=systemd ' | cut -d' ' -f2) $(st "$WORLD/s6")" "$sd/$T/user/alice/0 status 0" \
	"-c named=systemd (the spelling of pam_cgfs(8)'s example) is name=systemd"

# ---- pure cgroup v2: a unified layout in a mount namespace of its own ----
rm -f /home/alice/.cagefs/tmp/cg-alice-*
out=$(unshare -m --propagation private bash -c "umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || exit 9
	echo \$\$ > /sys/fs/cgroup$own2/$T/cgroup.procs
	$(declare -f service); REPORT=$REPORT B=$B service '100 1 -c all'
	pamtester cagefs-test alice open_session close_session > $WORLD/s7 2>&1 &
	for _ in \$(seq 200); do ls /home/alice/.cagefs/tmp/cg-alice-* >/dev/null 2>&1 && break; sleep 0.05; done; sleep 0.2
	d=\$(sed -n 's/^cg=0:://p' /home/alice/.cagefs/tmp/cg-alice-*); echo \"in \$d \$(stat -c %U /sys/fs/cgroup\$d /sys/fs/cgroup\$d/cgroup.procs /sys/fs/cgroup\$d/cgroup.subtree_control | sort -u)\"
	wait; test -e /sys/fs/cgroup$own2/$T/user && echo left" 2>&1)
is "$out" "in $own2/$T/user/alice/0 alice" "unified host, -c all: alice's session in user/alice/0 of the one v2 tree, it and its cgroup.procs and subtree_control hers; removed at close"

is "$(cg_test_remove "$T")" "" "the test leaves no cgroup behind"

done_testing
