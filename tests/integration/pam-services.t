#!/bin/bash
# pam_cagefs.so under real services (issue 11; docs/ARCHITECTURE.md §4.16):
# Debian's sshd (UsePAM yes, Debian's own /etc/pam.d/sshd with the module
# appended last) runs a command, an interactive shell on a pty, sftp and
# scp of a caged user inside her cage, and a user who is not caged
# outside; Debian's cron (its own /etc/pam.d/cron, the module appended)
# runs a caged user's job inside her cage.  Both daemons are this world's
# own (sshd on a free port of 127.0.0.1, cron in the foreground): the
# host's are never touched.  A syslog listener on this world's /dev/log
# (a tmpfs /dev in this mount namespace) keeps what cron and the module log.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/sshd.sh"
. "$(dirname "$0")/../lib/syslog.sh"
world_enter "$@"
SSHD=/usr/sbin/sshd
SFTP_SERVER=/usr/lib/openssh/sftp-server

# ---- a /dev of this world's own, with a syslog listener on /dev/log ----
world_syslog

# ---- the skeleton, the users ----
REPORT=/usr/share/cagefs-test/report
mkdir -p /usr/share/cagefs-test
cat > $REPORT <<'R'
#!/bin/sh
echo "users=$(cut -d: -f1 /etc/passwd | sort | tr '\n' ' ')"
echo "home=$(ls /home | tr '\n' ' ')"
echo "id=$(id -un)"
ls /proc/$$/fd > /tmp/fds.$$; echo "fds=$(sort -n /tmp/fds.$$ | tr '\n' ' ')"; rm -f /tmp/fds.$$
grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status | tr -d '\t' | tr '\n' ' '; echo
echo "mnt=$(readlink /proc/self/ns/mnt)"
R
chmod 755 $REPORT
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/ls, /bin/grep, /bin/sleep, /usr/bin/cut, /usr/bin/sort, /usr/bin/tr, /usr/bin/readlink, /usr/bin/id, /usr/bin/cmp, /usr/bin/tty, /bin/rm, $SFTP_SERVER, $REPORT
# as the default base.cfg: what pam_limits and pam_env read, in the cage
paths=/etc/security/limits.conf, /etc/security/limits.d, /etc/security/pam_env.conf, /etc/environment, /etc/default/locale
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
# '*': no password, but not a locked account, which sshd would refuse.
useradd -m -u 1901 -s /bin/bash -p '*' alice && useradd -m -u 1902 -s /bin/bash -p '*' bob \
	|| world_die useradd
"$SETUP_CAGEFSCTL" --enable alice >/dev/null 2>&1 || world_die "--enable failed"
host_users=$(cut -d: -f1 /etc/passwd | sort | tr '\n' ' ')
ns_of() { readlink "/proc/$(cut -d' ' -f1 "/run/cagefs/cages/$1.pid")/ns/mnt"; }

# ---- the module, last in Debian's own session stacks ----
PAMDIR=$(make -s -C "$TOP" print-pamdir)
install -m 0644 "$B/pam_cagefs.so" "$PAMDIR/pam_cagefs.so" || world_die "install the module"
cp /etc/pam.d/sshd "$WORLD/pam.sshd"
for s in sshd cron; do
	echo "session required pam_cagefs.so 1000 1" >> /etc/pam.d/$s
done

# ---- sshd on a free port of 127.0.0.1 (tests/lib/sshd.sh) ----
sshd_keys alice bob
cat > "$S/sshd_config" <<C
ListenAddress 127.0.0.1
HostKey $S/host
PidFile none
AuthorizedKeysFile /etc/ssh/keys/%u
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
Subsystem sftp $SFTP_SERVER
C
start_sshd "$WORLD/sshd.log" "$SSHD" -D -e -f "$S/sshd_config" || world_die "sshd does not start"
SSH_OPTS=(-i "$S/client" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
sshc() { local u=$1; shift; ssh -n "${SSH_OPTS[@]}" -p "$PORT" "$u@127.0.0.1" "$@" 2>&1; echo "status $?"; }

world_mnt=$(readlink /proc/self/ns/mnt)
field() { printf '%s\n' "$1" | sed -n "s/^$2=//p" | tr -d '\r' | head -1; }

# ---- a command ----
out=$(sshc alice $REPORT)
lacks "$(field "$out" users)" "(^| )_apt .*alice .*root " "(^| )bob " "ssh alice CMD: her passwd entry and the system's, no other user's"
is "$(printf '%s\n' "$out" | grep -v '^users=\|^mnt=\|^fds=')" "home=alice 
id=alice
NoNewPrivs:1 Seccomp:2 
status 0" "... only her home, as alice, under the seccomp filter with no_new_privs, status 0"
same "$(field "$out" mnt)" "$(ns_of alice)" "... in the mount namespace of her cage's pin (/run/cagefs/cages/alice.pid)"

alice_fds=$(field "$out" fds)

# ---- an interactive shell on a pty (ssh -tt, typed into) ----
printf '%s\n' "$REPORT" 'echo "tty=$(tty)"' 'exit 3' > "$WORLD/typed"
out=$(timeout 60 python3 "$TOP/tests/lib/on-pty.py" ssh -tt "${SSH_OPTS[@]}" -p "$PORT" alice@127.0.0.1 < "$WORLD/typed" 2>&1; echo "status $?")
is "$(printf '%s\n' "$out" | grep -E '^(home|id|tty)=|^NoNewPrivs|^status' | tr -d '\r')" "home=alice 
id=alice
NoNewPrivs:1 Seccomp:2 
tty=/dev/pts/0
status 3" "ssh -tt alice: a login shell on a pty of the cage's own devpts, in the cage, under the filter; its exit status comes back"
same "$(field "$out" mnt)" "$(ns_of alice)" "... in her cage's mount namespace"

# ---- sftp and scp (sftp-server, from the skeleton, in the cage) ----
head -c 100000 /dev/urandom > "$WORLD/blob"
printf 'put %s up\nget up %s\nls -1 /home\n' "$WORLD/blob" "$WORLD/back" > "$WORLD/batch"
out=$(sftp -q -b "$WORLD/batch" "${SSH_OPTS[@]}" -P "$PORT" alice@127.0.0.1 2>&1; echo "status $?")
is "$(printf '%s\n' "$out" | grep -v '^sftp>' ; cmp "$WORLD/blob" "$WORLD/back" && echo same; stat -c '%U %s' /home/alice/up)" "/home/alice
status 0
same
alice 100000" "sftp alice: put a file and get it back (the same bytes, hers); /home lists only hers"
out=$(scp -q "${SSH_OPTS[@]}" -P "$PORT" "$WORLD/blob" alice@127.0.0.1:up2 2>&1; echo "status $?"
	scp -q "${SSH_OPTS[@]}" -P "$PORT" alice@127.0.0.1:up2 "$WORLD/back2" 2>&1; echo "status $?"
	scp -q "${SSH_OPTS[@]}" -P "$PORT" alice@127.0.0.1:/home/bob/.profile "$WORLD/bobs" 2>&1; echo "status $?")
is "$(printf '%s\n' "$out" | tr -d '\r' | sed 's/^scp: //; s/[[:space:]]*$//'; cmp "$WORLD/blob" "$WORLD/back2" && echo same; stat -c '%U %s' /home/alice/up2)" "status 0
status 0
/home/bob/.profile: No such file or directory
status 1
same
alice 100000" "scp alice: put and get back the same bytes; bob's home does not exist for her"

# ---- two sessions at once, both first logins: one cage ----
"$SETUP_CAGEFSCTL" --unmount alice >/dev/null 2>&1
for i in 1 2; do
	ssh -n "${SSH_OPTS[@]}" -p "$PORT" alice@127.0.0.1 'readlink /proc/self/ns/mnt; echo in; exec sleep 600' >"$WORLD/con$i" 2>&1 &
	eval "CON$i=\$!"
done
for _ in $(seq 100); do grep -qx in "$WORLD/con1" && grep -qx in "$WORLD/con2" && break; sleep 0.1; done
is "$(head -1 "$WORLD/con1"):$("$SETUP_CAGEFSCTL" --list)" "$(head -1 "$WORLD/con2"):alice" \
	"two concurrent first logins of alice share one mount namespace, one cage"
same "$(head -1 "$WORLD/con1")" "$(ns_of alice)" "... her pin's"
is "$("$CAGEFSCTL" --list-logged-in 2>&1)" "alice" "--list-logged-in lists her: the session process that moved in is the system's sshd"
kill "$CON1" "$CON2"; wait "$CON1" "$CON2" 2>/dev/null

# ---- not caged, and the listener never moved ----
out=$(sshc bob $REPORT)
same "$(field "$out" fds)" "$alice_fds" "ssh bob CMD (uncaged) has the open fds of alice's caged command: the module leaves none"
is "$(printf '%s\n' "$out" | grep -v '^mnt=\|^fds=')" "users=$host_users
home=alice bob 
id=bob
NoNewPrivs:0 Seccomp:0 
status 0" "ssh bob (not caged): untouched, every user and home, no filter"
is "$(field "$out" mnt)" "$world_mnt" "... in the mount namespace sshd runs in"
is "$(readlink /proc/$SSHD_PID/ns/mnt) $(grep -E '^(Seccomp|NoNewPrivs):' /proc/$SSHD_PID/status | tr -d '\t' | tr '\n' ' ')" \
	"$world_mnt NoNewPrivs:0 Seccomp:0 " "sshd's listener is where it was, unfiltered: only each session's process moved"

# fds_of PATTERN: the open fds of the process whose command line is PATTERN,
# "N -> TYPE" (inode numbers left out).
fds_of() {
	local p; p=$(pgrep -f "^$1" | head -1)
	[ -n "$p" ] && ls -l "/proc/$p/fd" | awk 'NF > 3 {print $(NF-2), $(NF-1), $NF}' | sed 's/:\[[0-9]*\]$//' | sort -n | tr '\n' ' '
}
for u in alice bob; do
	ssh -n "${SSH_OPTS[@]}" -p "$PORT" $u@127.0.0.1 'echo in; exec sleep 600' >"$WORLD/held.$u" 2>&1 &
	eval "HELD_$u=\$!"
done
for _ in $(seq 100); do grep -qx in "$WORLD/held.alice" && grep -qx in "$WORLD/held.bob" && break; sleep 0.1; done
same "$(fds_of 'sshd: alice \[priv\]')" "$(fds_of 'sshd: bob \[priv\]')" "sshd's [priv] process in alice's cage holds the fds bob's holds: the module leaves none"
same "$(fds_of 'sshd: alice@notty')" "$(fds_of 'sshd: bob@notty')" "... and so does her session's network process"
kill "$HELD_alice" "$HELD_bob"; wait "$HELD_alice" "$HELD_bob" 2>/dev/null

# ---- fail closed: no session when the cage cannot be entered ----
cfg=/var/cagefs/01/alice/config.json
"$SETUP_CAGEFSCTL" --unmount alice >/dev/null 2>&1
cp $cfg "$WORLD/config.json" && echo '{"ociVersion": 1' > $cfg
# sshd goes on after a failed pam_open_session, but every command child
# it forks exits 254 before exec (session.c: "PAM session not opened"),
# and the connection is restricted (auth_restrict_session): no forwarding,
# which its process, left outside the cage, would otherwise do.
fails_with "a broken config.json: ssh alice CMD is refused before the command runs (status 254)" 254 "" \
	ssh -n "${SSH_OPTS[@]}" -p "$PORT" alice@127.0.0.1 "touch /home/alice/ran"
fails_with "... nor may the connection forward a socket on the host: ssh -R refused" 255 "remote port forwarding failed for listen path /tmp/alicefwd.sock" \
	timeout 20 ssh -n -N "${SSH_OPTS[@]}" -o LogLevel=INFO -o ExitOnForwardFailure=yes -R "/tmp/alicefwd.sock:127.0.0.1:$PORT" -p "$PORT" alice@127.0.0.1
is "$(ls /home/alice/ran 2>&1 | sed 's/.*: //'; grep -q 'pam_open_session(): Permission denied' "$WORLD/sshd.log" && echo logged)" \
	"No such file or directory
logged" "... nothing ran; sshd: pam_open_session(): Permission denied"
like "$(grep -a 'pam_cagefs' "$WORLD/syslog" | tail -1)" "pam_cagefs\(sshd:session\): alice: refused: .*config.json" "... and syslog says why"
cp "$WORLD/config.json" $cfg
is "$(sshc alice 'id -un')" "alice
status 0" "repaired: alice logs in again"
ssh -n -N "${SSH_OPTS[@]}" -R "/tmp/bobfwd.sock:127.0.0.1:$PORT" -p "$PORT" bob@127.0.0.1 &
FWD=$!
for _ in $(seq 100); do [ -S "/tmp/bobfwd.sock" ] && break; sleep 0.1; done
is "$(stat -c '%F %U' "/tmp/bobfwd.sock" 2>&1)" "socket bob" "(control) the same ssh -R for bob, whose session opened, makes his socket"
kill $FWD; wait $FWD 2>/dev/null

# ---- cron: Debian's cron in the foreground, its own /etc/pam.d/cron ----
[ -x /usr/sbin/cron ] || world_die "cron is not installed (make deps)"
rm -f /etc/cron.d/* /var/spool/cron/crontabs/* /etc/crontab
cat > /etc/cron.d/cagefs-test <<C
* * * * * alice $REPORT > /home/alice/cron.d.out 2>&1
C
echo "* * * * * $REPORT > /home/alice/crontab.out 2>&1" | crontab -u alice - && \
echo "* * * * * $REPORT > /home/bob/crontab.out 2>&1" | crontab -u bob - || world_die crontab
/usr/sbin/cron -f -L 15 > "$WORLD/cron.out" 2>&1 &
CRON=$!
# The jobs run at the next minute boundary (70 s at most).
for _ in $(seq 700); do
	grep -q '^mnt=' /home/alice/cron.d.out /home/alice/crontab.out /home/bob/crontab.out 2>/dev/null \
		&& [ "$(grep -l '^mnt=' /home/alice/cron.d.out /home/alice/crontab.out /home/bob/crontab.out 2>/dev/null | wc -l)" = 3 ] && break
	sleep 0.1
done
for f in crontab cron.d; do
	out=$(cat /home/alice/$f.out 2>&1)
	lacks "$(field "$out" users)" "(^| )_apt .*alice .*root " "(^| )bob " "alice's job ($f): her passwd entry and the system's, no other user's"
	is "$(printf '%s\n' "$out" | grep -v '^users=\|^mnt=\|^fds=')" "home=alice 
id=alice
NoNewPrivs:1 Seccomp:2 " "... only her home, as alice, under the filter with no_new_privs"
	same "$(field "$out" mnt)" "$(ns_of alice)" "... in her cage's mount namespace"
	eval "fds_$(echo $f | tr -d .)=\$(field \"\$out\" fds)"
done
out=$(cat /home/bob/crontab.out 2>&1)
is "$fds_crontab|$fds_crond" "$(field "$out" fds)|$(field "$out" fds)" "alice's jobs have the open fds of bob's: the module leaves none"
is "$(printf '%s\n' "$out" | grep -v '^fds=')" "users=$host_users
home=alice bob 
id=bob
NoNewPrivs:0 Seccomp:0 
mnt=$world_mnt" "bob's job (not caged): untouched"
is "$(grep -a 'CRON\[[0-9]*\]: (alice) END' "$WORLD/syslog" | sed 's/^.*CRON\[[0-9]*\]: //; s/\[[0-9]*\] //' | sort)" \
	"(alice) END ($REPORT > /home/alice/cron.d.out 2>&1)
(alice) END ($REPORT > /home/alice/crontab.out 2>&1)" "cron's session process, in her cage, saw both jobs end (syslog: (alice) END)"
is "$(readlink /proc/$CRON/ns/mnt) $(grep -E '^(Seccomp|NoNewPrivs):' /proc/$CRON/status | tr -d '\t' | tr '\n' ' ')" \
	"$world_mnt NoNewPrivs:0 Seccomp:0 " "the cron daemon is where it was, unfiltered: only each job's session process moved"

# ---- cron fails closed: no job when the cage cannot be entered ----
"$SETUP_CAGEFSCTL" --unmount alice >/dev/null 2>&1
echo '{"ociVersion": 1' > $cfg
rm -f /home/alice/*.out /home/bob/crontab.out
# bob's job, every minute, is the clock: once it ran, alice's had their turn.
for _ in $(seq 700); do grep -q '^mnt=' /home/bob/crontab.out 2>/dev/null && break; sleep 0.1; done
sleep 2
is "$(grep -c '^mnt=' /home/bob/crontab.out; ls /home/alice/*.out 2>&1 | sed 's/.*: //')" "1
No such file or directory" \
	"a broken config.json: alice's jobs do not run (bob's, the same minute, did)"
like "$(grep -a 'pam_cagefs(cron:session)' "$WORLD/syslog" | tail -1)" "pam_cagefs\(cron:session\): alice: refused: .*config.json" "... and syslog says why"
cp "$WORLD/config.json" $cfg
# cron's own line comes from the same process, maybe after another job's
cron_pid=$(grep -a 'pam_cagefs(cron:session)' "$WORLD/syslog" | tail -1 | sed -n 's/.*CRON\[\([0-9]*\)\].*/\1/p')
for _ in $(seq 50); do grep -aq "CRON\[$cron_pid\]: Permission denied" "$WORLD/syslog" && break; sleep 0.1; done
like "$(grep -a "CRON\[$cron_pid\]:" "$WORLD/syslog" | tail -1)" "CRON\[[0-9]+\]: Permission denied" \
	"... and so does cron, for the session it did not open"
kill $CRON; wait $CRON 2>/dev/null

# ---- the module in common-session, as pam-auth-update puts it ----
# Debian's /etc/pam.d/sshd runs pam_motd, pam_mail, pam_limits and pam_env
# after common-session, and /etc/pam.d/cron pam_limits after
# common-session-noninteractive: with the module there they run in the
# cage, which therefore holds what they read (contrib/conf.d/base.cfg;
# README, PAM).  The module must be in a stack once.
cp "$WORLD/pam.sshd" /etc/pam.d/sshd
cp "$TOP/contrib/pam/pam-configs/cagefs" /usr/share/pam-configs/cagefs
DEBIAN_FRONTEND=noninteractive pam-auth-update --enable cagefs >"$WORLD/pam-auth-update.out" 2>&1
is "$(grep -c pam_cagefs /etc/pam.d/sshd /etc/pam.d/common-session | tr '\n' ' ')" "/etc/pam.d/sshd:0 /etc/pam.d/common-session:1 " \
	"(control) the module only in common-session now, for sshd (pam-auth-update --enable cagefs)"
out=$(sshc alice $REPORT)
is "$(printf '%s\n' "$out" | grep -E '^id=|^NoNewPrivs|^status')" "id=alice
NoNewPrivs:1 Seccomp:2 
status 0" "sshd with the module in common-session: alice's command runs in her cage (pam_limits and pam_env after it read their files there)"
same "$(field "$out" mnt)" "$(ns_of alice)" "... her cage's mount namespace"
sed -i '$d' /etc/pam.d/cron
is "$(grep -c pam_cagefs /etc/pam.d/cron /etc/pam.d/common-session-noninteractive | tr '\n' ' ')" "/etc/pam.d/cron:0 /etc/pam.d/common-session-noninteractive:1 " \
	"(control) the module only in common-session-noninteractive now, for cron"
is "$(pamtester cron alice open_session close_session 2>&1; echo "status $?")" "pamtester: successfully opened a session
pamtester: session has successfully been closed.
status 0" "... and cron's stack opens alice's session"
done_testing
