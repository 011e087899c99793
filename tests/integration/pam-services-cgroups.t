#!/bin/bash
# pam_cagefs.so -c CONTROLLERS under the real services (issue 11;
# docs/ARCHITECTURE.md §4.16, session cgroups): Debian's sshd and cron,
# this world's own, with the module last in their own stacks and
# `-c freezer,memory,name=systemd` (pam_cgfs(8)'s example).  The processes
# of an ssh command and of a cron job are in user/USER/N of each hierarchy
# named, which is the user's, and only there; at close it is removed.  The
# daemons run in T, a cgroup of this test's own (tests/lib/cgtest.sh), so
# every session cgroup is made below T, never in the host's tree: the test
# moves itself into T to start them, and out again to remove T.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/sshd.sh"
. "$(dirname "$0")/../lib/syslog.sh"
. "$(dirname "$0")/../lib/cgtest.sh"
world_enter "$@"
world_syslog
[ -x /usr/sbin/cron ] || world_die "cron is not installed (make deps)"

# ---- the skeleton, the users ----
# HOLD prints its cgroups, says "in", and stays a while: the test looks at
# the session from outside meanwhile.
HOLD=/usr/share/cagefs-test/hold
mkdir -p /usr/share/cagefs-test
cat > $HOLD <<'R'
#!/bin/sh
sed 's/^/cg=/' /proc/self/cgroup
echo "mnt=$(readlink /proc/self/ns/mnt)"
echo in
exec sleep "${1:-600}"
R
chmod 755 $HOLD
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/sed, /bin/sleep, /usr/bin/readlink, $HOLD
paths=/etc/security/limits.conf, /etc/security/limits.d, /etc/security/pam_env.conf, /etc/environment, /etc/default/locale
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1901 -s /bin/bash -p '*' alice && useradd -m -u 1902 -s /bin/bash -p '*' bob || world_die useradd
"$SETUP_CAGEFSCTL" --enable alice >/dev/null 2>&1 || world_die "--enable failed"
ns_of() { readlink "/proc/$(cut -d' ' -f1 "/run/cagefs/cages/$1.pid")/ns/mnt"; }
field() { printf '%s\n' "$1" | sed -n "s/^$2=//p" | tr -d '\r' | head -1; }

PAMDIR=$(make -s -C "$TOP" print-pamdir)
install -m 0644 "$B/pam_cagefs.so" "$PAMDIR/pam_cagefs.so" || world_die "install the module"
for s in sshd cron; do
	echo "session required pam_cagefs.so 1000 1 -c freezer,memory,name=systemd" >> /etc/pam.d/$s
done

# alice's cage is built first, from outside T: with the world's empty
# pin_cgroup, a pin stays in the cgroups of the process that built the
# cage (§4.5), and would keep that session's (or T) from being removed.
"$SETUP_CAGEFSCTL" --enter alice -- /bin/sh -c : || world_die "alice's cage"

# ---- T, and the daemons in it ----
T=cagefs-pamsvc-$WORLD_ID
cg_test_make "$T"
fr=$(own_of freezer)/$T; mem=$(own_of memory)/$T; sd=$(own_of name=systemd)/$T; pids=$(own_of pids)/$T
# where PID is, "HIERARCHY PATH" for freezer, memory, name=systemd and pids
cg_of() { awk -F: '$2 ~ /^(freezer|memory|name=systemd|pids)$/ {print $2, $3}' "/proc/$1/cgroup" 2>/dev/null | sort; }
# the session cgroups of USER below T: "PATH OWNER" of each, or nothing
made_for() {
	local d
	for d in "/sys/fs/cgroup/freezer$fr" "/sys/fs/cgroup/memory$mem" "/sys/fs/cgroup/systemd$sd" "/sys/fs/cgroup/pids$pids"; do
		[ -d "$d/user/$1" ] && find "$d/user/$1" -mindepth 1 -maxdepth 1 -type d -printf "%p %u\n" 2>/dev/null
	done
}
gone() { # USER: wait (10 s at most) until no session cgroup of USER is left
	for _ in $(seq 100); do [ -z "$(made_for "$1")" ] && ! [ -e "/sys/fs/cgroup/memory$mem/user" ] && return; sleep 0.1; done
}
sshd_keys alice bob
cat > "$S/sshd_config" <<C
ListenAddress 127.0.0.1
HostKey $S/host
PidFile none
AuthorizedKeysFile /etc/ssh/keys/%u
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
C
cg_test_join "$T" || world_die "cannot move into $T"
start_sshd "$WORLD/sshd.log" /usr/sbin/sshd -D -e -f "$S/sshd_config" || world_die "sshd does not start"
SSH_OPTS=(-i "$S/client" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)

# ---- ssh: the command's processes in user/USER/0 of each hierarchy named ----
declare -A SSHC
for u in alice bob; do
	ssh -n "${SSH_OPTS[@]}" -p "$PORT" $u@127.0.0.1 "$HOLD" > "$WORLD/ssh.$u" 2>&1 &
	SSHC[$u]=$!
	for _ in $(seq 100); do grep -qx in "$WORLD/ssh.$u" && break; sleep 0.1; done
done
out=$(cat "$WORLD/ssh.alice")
cmd=$(pgrep -u alice -x sleep)
same "$(field "$out" mnt)" "$(ns_of alice)" "ssh alice CMD runs in her cage"
is "$(cg_of "$cmd")" "freezer $fr/user/alice/0
memory $mem/user/alice/0
name=systemd $sd/user/alice/0
pids $pids" "ssh alice CMD (caged): the command is in user/alice/0 below sshd's cgroup of each hierarchy named, and where sshd is in pids"
# sshd's session process for her: the parent of her network process
priv=$(awk '/^PPid:/ {print $2}' "/proc/$(pgrep -f '^sshd: alice@notty' | head -1)/status" 2>/dev/null)
helper=$(pgrep -f '^sshd: alice \[priv\]' | grep -vx "$priv")
same "$(cg_of "$priv")" "$(cg_of "$cmd")" "... so is sshd's session process for her, which opened the session (moved before the cage join)"
is "$(cg_of "$helper" | grep memory) $(cg_of "$SSHD_PID" | grep memory)" "memory $mem memory $mem" \
	"... while the module's helper, forked by it before the move to remove them at close, stays where sshd's listener is"
is "$(made_for alice)" "/sys/fs/cgroup/freezer$fr/user/alice/0 alice
/sys/fs/cgroup/memory$mem/user/alice/0 alice
/sys/fs/cgroup/systemd$sd/user/alice/0 alice" "... each user/alice/0 is hers, none made in pids"
is "$(stat -c %U "/sys/fs/cgroup/memory$mem/user/alice/0/cgroup.procs" "/sys/fs/cgroup/memory$mem/user/alice/0/tasks" | sort -u)" "alice" \
	"... with its cgroup.procs and tasks"
is "$(cg_of "$(pgrep -u bob -x sleep)" | grep memory) $(made_for bob | grep memory)" \
	"memory $mem/user/bob/0 /sys/fs/cgroup/memory$mem/user/bob/0 bob" "ssh bob CMD (not caged): his command in user/bob/0, his"
seen=$( (made_for alice; made_for bob) | wc -l)
pkill -u alice -x sleep; pkill -u bob -x sleep # the commands end, then their sessions
wait "${SSHC[@]}" 2>/dev/null
gone alice; gone bob
is "$seen $(made_for alice; made_for bob; ls "/sys/fs/cgroup/memory$mem/user" 2>&1 | sed 's/.*: //')" "6 No such file or directory" \
	"both sessions closed: their user/USER/0, user/USER and user/ removed, in every hierarchy"

# A command that outlives its session (sshd, without a pty, leaves it
# running when the client goes): not empty at close, its cgroup stays.
ssh -n "${SSH_OPTS[@]}" -p "$PORT" alice@127.0.0.1 "$HOLD" > "$WORLD/ssh.left" 2>&1 &
SSHL=$!
for _ in $(seq 100); do grep -qx in "$WORLD/ssh.left" && break; sleep 0.1; done
kill "$SSHL"; wait "$SSHL" 2>/dev/null
for _ in $(seq 100); do pgrep -f '^sshd: alice' >/dev/null || break; sleep 0.1; done
sleep 3 # the module's helper tries for 2 s
left=$(pgrep -u alice -x sleep)
is "$(pgrep -f '^sshd: alice' | wc -l) $(cg_of "$left" | grep memory) $(made_for alice | grep memory)" \
	"0 memory $mem/user/alice/0 /sys/fs/cgroup/memory$mem/user/alice/0 alice" \
	"ssh alice CMD, client gone, session closed, CMD still running: its user/alice/0 is kept (not empty)"
kill "$left"
for _ in $(seq 50); do kill -0 "$left" 2>/dev/null || break; sleep 0.1; done
sleep 1
is "$(made_for alice | grep memory)" "/sys/fs/cgroup/memory$mem/user/alice/0 alice" \
	"... and stays once CMD ended: nothing removes it after its session (the administrator may)"
for h in "/sys/fs/cgroup/freezer$fr" "/sys/fs/cgroup/memory$mem" "/sys/fs/cgroup/systemd$sd"; do
	rmdir "$h/user/alice/0" "$h/user/alice" "$h/user"
done

# ---- cron: a job's processes in user/USER/N, removed when the job ends ----
rm -f /etc/cron.d/* /var/spool/cron/crontabs/* /etc/crontab
echo "* * * * * $HOLD 8 > /home/alice/cron.out 2>&1" | crontab -u alice - \
	&& echo "* * * * * $HOLD 8 > /home/bob/cron.out 2>&1" | crontab -u bob - || world_die crontab
/usr/sbin/cron -f -L 15 > "$WORLD/cron.out" 2>&1 &
CRON=$!
# The jobs run at the next minute boundary (70 s at most), for 8 s.
for _ in $(seq 700); do grep -qx in /home/alice/cron.out 2>/dev/null && grep -qx in /home/bob/cron.out 2>/dev/null && break; sleep 0.1; done
job=$(pgrep -u alice -x sleep)
same "$(field "$(cat /home/alice/cron.out)" mnt)" "$(ns_of alice)" "alice's cron job runs in her cage"
is "$(cg_of "$job")" "freezer $fr/user/alice/0
memory $mem/user/alice/0
name=systemd $sd/user/alice/0
pids $pids" "alice's cron job (caged): in user/alice/0 below cron's cgroup of each hierarchy named"
is "$(made_for alice)" "/sys/fs/cgroup/freezer$fr/user/alice/0 alice
/sys/fs/cgroup/memory$mem/user/alice/0 alice
/sys/fs/cgroup/systemd$sd/user/alice/0 alice" "... each hers"
is "$(cg_of "$(pgrep -u bob -x sleep)" | grep memory) $(made_for bob | grep memory) $(cg_of "$CRON" | grep memory)" \
	"memory $mem/user/bob/0 /sys/fs/cgroup/memory$mem/user/bob/0 bob memory $mem" "bob's cron job (not caged): in user/bob/0, his; the cron daemon stays where it was started"
seen=$( (made_for alice; made_for bob) | wc -l)
for _ in $(seq 150); do pgrep -x sleep >/dev/null || break; sleep 0.1; done
gone alice; gone bob
is "$seen $(pgrep -x sleep; made_for alice; made_for bob; ls "/sys/fs/cgroup/memory$mem/user" 2>&1 | sed 's/.*: //')" "6 No such file or directory" \
	"both jobs ended: their session cgroups removed, in every hierarchy"
kill "$CRON"; wait "$CRON" 2>/dev/null
kill "$SSHD_PID" 2>/dev/null
for _ in $(seq 50); do kill -0 "$SSHD_PID" 2>/dev/null || break; sleep 0.1; done
cg_test_leave
is "$(cg_test_remove "$T")" "" "(control) the test leaves no cgroup behind"
done_testing
