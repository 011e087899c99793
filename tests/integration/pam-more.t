#!/bin/bash
# pam_cagefs.so under more real services (issue 11; docs/ARCHITECTURE.md
# §4.16; README, PAM): Debian's sudo (its own /etc/pam.d/sudo-i and sudo),
# a real vsftpd of this world's own on 127.0.0.1 (Debian's
# /etc/pam.d/vsftpd), each with the shipped snippet of contrib/pam/pam.d
# appended last (and contrib/pam/vsftpd.conf), and the manual's
# cagefs_enter login shell beside the module ("Running Command Inside
# CageFS").  A caged user's sudo command and FTP login see her cage; a user
# who is not caged is untouched; a cage that cannot be entered refuses the
# session, and which refusal happened is checked.  A syslog listener on
# this world's /dev/log keeps what sudo, vsftpd and the module log.
# Nothing outside the world is touched: vsftpd's configuration, its empty
# directory and its log are the world's own.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/syslog.sh"
world_enter "$@"
world_syslog
[ -x /usr/bin/sudo ] && [ -x /usr/sbin/vsftpd ] || world_die "sudo and vsftpd are needed (make deps)"

# ---- the skeleton, the users ----
REPORT=/usr/share/cagefs-test/report
mkdir -p /usr/share/cagefs-test "$WORLD/bin"
cat > $REPORT <<'R'
#!/bin/sh
echo "users=$(cut -d: -f1 /etc/passwd | sort | tr '\n' ' ')"
echo "home=$(ls /home | tr '\n' ' ')"
echo "id=$(id -un)"
echo "procuids=$(cat /proc/[0-9]*/status 2>/dev/null | sed -n 's/^Uid:\t\([0-9]*\).*/\1/p' | sort -un | tr '\n' ' ')"
grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status | tr -d '\t' | tr '\n' ' '; echo
echo "mnt=$(readlink /proc/self/ns/mnt)"
echo "pidns=$(readlink /proc/self/ns/pid)"
echo "pwd=$(pwd)"
R
chmod 755 $REPORT
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/ls, /bin/grep, /bin/sed, /bin/sleep, /bin/ps, /usr/bin/cut, /usr/bin/sort, /usr/bin/tr, /usr/bin/readlink, /usr/bin/id, /usr/bin/tty, /usr/bin/touch, $REPORT
# as the default base.cfg: what pam_limits and pam_env read, in the cage
paths=/etc/security/limits.conf, /etc/security/limits.d, /etc/security/pam_env.conf, /etc/environment, /etc/default/locale
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1901 -s /bin/bash alice && useradd -m -u 1902 -s /bin/bash bob || world_die useradd
printf 'alice:pw-alice\nbob:pw-bob\n' | chpasswd || world_die chpasswd
"$SETUP_CAGEFSCTL" --enable alice >/dev/null 2>&1 || world_die "--enable failed"
host_users=$(cut -d: -f1 /etc/passwd | sort | tr '\n' ' ')
world_mnt=$(readlink /proc/self/ns/mnt)
pin_of() { cut -d' ' -f1 "/run/cagefs/cages/$1.pid" 2>/dev/null; }
# ns_of USER NS: her pin's namespace NS ("no cage", which no process has, if none)
ns_of() { local p; p=$(pin_of "$1"); if [ -n "$p" ]; then readlink "/proc/$p/ns/$2"; else echo "no cage"; fi; }
field() { printf '%s\n' "$1" | sed -n "s/^$2=//p" | tr -d '\r' | head -1; }
log() { grep -a "$1" "$WORLD/syslog" | tail -1 | sed 's/^<[0-9]*>//'; }
cfg=/var/cagefs/01/alice/config.json
cp $cfg "$WORLD/config.json"
break_cage() { "$SETUP_CAGEFSCTL" --unmount alice >/dev/null 2>&1; echo '{"ociVersion": 1' > $cfg; }
mend_cage() { cp "$WORLD/config.json" $cfg; }

# ---- the module, last in Debian's own stacks: the shipped snippets ----
PAMDIR=$(make -s -C "$TOP" print-pamdir)
install -m 0644 "$B/pam_cagefs.so" "$PAMDIR/pam_cagefs.so" || world_die "install the module"
snippet() { grep -v '^#' "$TOP/contrib/pam/pam.d/$1"; } # contrib/pam/pam.d/SERVICE
for s in sudo sudo-i vsftpd su; do
	cp /etc/pam.d/$s "$WORLD/pam.$s" || world_die "no /etc/pam.d/$s"
done
for s in sudo sudo-i vsftpd; do snippet $s >> /etc/pam.d/$s; done

# ---- sudo -i -u alice CMD: Debian's /etc/pam.d/sudo-i ----
# sudo opens the session in its own process, then forks the command
# (docs/ARCHITECTURE.md §4.16, sudo): the command runs in her cage.
"$SETUP_CAGEFSCTL" --unmount alice >/dev/null 2>&1 # the first session builds the cage
out=$(sudo -i -u alice $REPORT 2>&1; echo "status $?")
lacks "$(field "$out" users)" "(^| )_apt .*alice .*root " "(^| )bob " "sudo -i -u alice CMD: her passwd entry and the system's, no other user's"
is "$(printf '%s\n' "$out" | grep -E '^(home|id|procuids|pwd)=|^NoNewPrivs|^status')" "home=alice 
id=alice
procuids=1901 
NoNewPrivs:1 Seccomp:2 
pwd=/home/alice
status 0" "... only her home, only her processes in /proc, as alice in her home, under the filter with no_new_privs, status 0"
same "$(field "$out" mnt) $(field "$out" pidns)" "$(ns_of alice mnt) $(ns_of alice pid)" "... in her cage's mount and PID namespaces (her pin's)"
out=$(sudo -u alice $REPORT 2>&1; echo "status $?")
is "$(printf '%s\n' "$out" | grep -E '^(home|id)=|^NoNewPrivs|^status') $(field "$out" mnt)" "home=alice 
id=alice
NoNewPrivs:1 Seccomp:2 
status 0 $(ns_of alice mnt)" "sudo -u alice CMD (Debian's /etc/pam.d/sudo, no -i): in her cage too"
out=$(sudo -i -u bob $REPORT 2>&1; echo "status $?")
is "$(printf '%s\n' "$out" | grep -E '^(users|home|id)=|^NoNewPrivs|^status') $(field "$out" mnt)" "users=$host_users
home=alice bob 
id=bob
NoNewPrivs:0 Seccomp:0 
status 0 $world_mnt" "sudo -i -u bob CMD (not caged): untouched, every user and home, no filter, the world's namespace"
like "$(field "$out" procuids)" "^0 .*1902 " "... and every process of the host in his /proc"

# On a terminal, Debian's sudo (Defaults use_pty) runs the login shell on a
# pty it opened before the session: the host's, not the cage's devpts.
printf '%s\n' "$REPORT" 'test -t 0 && echo "stdin=a terminal"; echo "tty=$(tty)"' 'exit 3' > "$WORLD/typed"
out=$(timeout 60 python3 "$TOP/tests/lib/on-pty.py" sudo -i -u alice < "$WORLD/typed" 2>&1; echo "status $?")
is "$(printf '%s\n' "$out" | grep -E '^(home|id|stdin|tty)=|^NoNewPrivs|^status')" "home=alice 
id=alice
NoNewPrivs:1 Seccomp:2 
stdin=a terminal
tty=not a tty
status 3" "sudo -i -u alice on a terminal: her login shell in the cage, typed into; its pty is sudo's, which the cage's /dev/pts does not name; exit status 3 comes back"

# A cage that cannot be entered: sudo must stop (PAM_PERM_DENIED).
break_cage
fails_with "a broken config.json: sudo -i -u alice CMD is refused, the command never runs (status 1)" 1 \
	"sudo: pam_open_session: Permission denied" sudo -i -u alice touch /home/alice/ran
refused=$? # 0: that status and that message
is "$refused $(grep -c 'policy plugin failed session initialization' "$WORLD/last.out")
$(ls /home/alice/ran 2>&1 | sed 's/.*: //')
$(log 'pam_cagefs(sudo-i:session)' | grep -o 'alice: refused: .*config.json')" "0 1
No such file or directory
alice: refused: /var/cagefs/01/alice/config.json" "... sudo says the session failed, nothing ran, and syslog says why (the module's refusal)"
mend_cage
# Why not PAM_SESSION_ERR: sudo takes it for a non-fatal error and runs the
# command anyway, as with pam_deny's session, which returns it.
cp "$WORLD/pam.sudo-i" /etc/pam.d/sudo-i && echo "session required pam_deny.so" >> /etc/pam.d/sudo-i
is "$(sudo -i -u bob id -un 2>&1; echo "status $?")" "bob
status 0" "(control) sudo runs the command when the session fails with PAM_SESSION_ERR (pam_deny): why pam_cagefs refuses with PAM_PERM_DENIED"
cp "$WORLD/pam.sudo-i" /etc/pam.d/sudo-i && snippet sudo-i >> /etc/pam.d/sudo-i

# ---- vsftpd: a real one of this world's own on 127.0.0.1 ----
# vsftpd opens a PAM session only with session_support=YES (its default is
# NO), in its per-connection root process, which then forks the user's FTP
# process (docs/ARCHITECTURE.md §4.16, vsftpd; contrib/pam/README).
mkdir -p "$WORLD/ftp/empty"
vsftpd_conf() { # EXTRA-LINE...: the test's own, contrib/pam/vsftpd.conf's, then EXTRA
	cat > "$WORLD/ftp/vsftpd.conf" <<C
listen=YES
listen_address=127.0.0.1
listen_port=$FTP_PORT
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
secure_chroot_dir=$WORLD/ftp/empty
vsftpd_log_file=$WORLD/ftp/vsftpd.log
C
	grep -v '^#' "$TOP/contrib/pam/vsftpd.conf" >> "$WORLD/ftp/vsftpd.conf"
	printf '%s\n' "$@" >> "$WORLD/ftp/vsftpd.conf"
}
# start_vsftpd [EXTRA-LINE...]: on a free port (tried at random: other
# worlds share the network), once it answers; sets FTP_PORT and FTP_PID.
start_vsftpd() {
	for _ in $(seq 10); do
		FTP_PORT=$((20000 + RANDOM % 30000))
		vsftpd_conf "$@"
		/usr/sbin/vsftpd "$WORLD/ftp/vsftpd.conf" > "$WORLD/ftp/out" 2>&1 &
		FTP_PID=$!
		for _ in $(seq 50); do
			(exec 3<>"/dev/tcp/127.0.0.1/$FTP_PORT" && head -c 4 <&3 | grep -q '^220') 2>/dev/null && return 0
			kill -0 "$FTP_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$FTP_PID" 2>/dev/null; wait "$FTP_PID" 2>/dev/null
	done
	sed 's/^/# vsftpd: /' "$WORLD/ftp/out"; return 1
}
stop_vsftpd() { kill "$FTP_PID"; wait "$FTP_PID" 2>/dev/null; }
# ftp USER [hold]: log in (python3's ftplib), fetch /etc/passwd, list /home
# and /proc, upload up.txt; with hold, wait for a line on stdin first.
cat > "$WORLD/ftp.py" <<'P'
import ftplib, io, sys
port, user = int(sys.argv[1]), sys.argv[2]
f = ftplib.FTP()
f.connect("127.0.0.1", port, timeout=20)
try:
    f.login(user, "pw-" + user)
except ftplib.all_errors as e:
    print("login=%s" % e); sys.exit(3)
buf = io.BytesIO(); f.retrbinary("RETR /etc/passwd", buf.write)
print("users=" + " ".join(sorted(l.split(":")[0] for l in buf.getvalue().decode().splitlines())) + " ")
print("home=" + " ".join(f.nlst("/home")))
print("proc=" + " ".join(sorted(p[6:] for p in f.nlst("/proc") if p[6:].isdigit())))
f.storbinary("STOR up.txt", io.BytesIO(("from " + user + "\n").encode()))
if len(sys.argv) > 3:
    print("held", flush=True); sys.stdin.readline()
f.quit()
print("quit")
P
ftp() { timeout 60 python3 "$WORLD/ftp.py" "$FTP_PORT" "$@" 2>&1; echo "status $?"; }
start_vsftpd || world_die "vsftpd does not start"
"$SETUP_CAGEFSCTL" --unmount alice >/dev/null 2>&1 # the first login builds the cage

# alice's login holds its connection while the test looks at its processes
mkfifo "$WORLD/ftp/go"
ftp alice hold < "$WORLD/ftp/go" > "$WORLD/ftp/alice.out" &
FTPC=$!
exec {go}>"$WORLD/ftp/go"
for _ in $(seq 200); do grep -q '^held' "$WORLD/ftp/alice.out" && break; sleep 0.1; done
out=$(cat "$WORLD/ftp/alice.out")
lacks "$(field "$out" users)" "(^| )_apt .*alice .*root " "(^| )bob " "vsftpd, alice's first login (it builds her cage): /etc/passwd downloaded is her cage's, no other user in it"
is "$(field "$out" home)" "/home/alice" "... /home lists her home alone"
# her FTP process: vsftpd's child of the session's process, as alice
fp=$(pgrep -u alice -x vsftpd | head -1)
pp=$(awk '/^PPid:/ {print $2}' "/proc/$fp/status" 2>/dev/null)
inner=$(awk '/^NSpid:/ {print $NF}' "/proc/$fp/status" 2>/dev/null)
same "$(field "$out" proc)" "$inner" "... /proc lists her FTP process alone ($inner in her cage, $fp outside)"
is "$(readlink "/proc/$fp/ns/mnt") $(readlink "/proc/$fp/ns/pid")" "$(ns_of alice mnt) $(ns_of alice pid)" \
	"... which is in her cage's mount and PID namespaces"
is "$(grep -E '^(CapEff|NoNewPrivs|Seccomp):' "/proc/$fp/status" | tr -d '\t' | tr '\n' ' ')" "CapEff:0000000000000000 NoNewPrivs:1 Seccomp:2 " \
	"... with no capability, no_new_privs, the filter"
is "$(stat -c %U "/proc/$pp") $(readlink "/proc/$pp/ns/mnt") $(readlink "/proc/$pp/ns/pid_for_children")
$(readlink "/proc/$FTP_PID/ns/mnt") $(grep -E '^Seccomp:' "/proc/$FTP_PID/status" | tr -d '\t')" "root $(ns_of alice mnt) $(ns_of alice pid)
$world_mnt Seccomp:0" \
	"... forked by vsftpd's session process (root), which moved into the cage (its children start in her PID namespace); the listener did not, unfiltered"
echo >&$go; exec {go}>&-; wait $FTPC
is "$(tail -2 "$WORLD/ftp/alice.out" | tr '\n' ' '; cat /home/alice/up.txt; stat -c %U /home/alice/up.txt)" "quit status 0 from alice
alice" "... her upload landed in her real home, hers; the session ended (status 0)"

out=$(ftp bob)
is "$(printf '%s\n' "$out" | grep -E '^(users|home)=|^status'; cat /home/bob/up.txt)" "users=$host_users
home=/home/alice /home/bob
status 0
from bob" "vsftpd, bob (not caged): the host's /etc/passwd and /home; his upload in his home"
like "$(field "$out" proc)" "^1 " "... and every process of the world in /proc"

# vsftpd writes its wtmp login record before the session (on the host)
# and the logout record from its session's process (in the cage, which
# has no /var/log/wtmp): a caged login's logout is not recorded.
wtmp_of() { # USER: "login logout" records of USER's vsftpd lines
	utmpdump /var/log/wtmp 2>/dev/null | sed -n 's/^\[\([78]\)\] \[[0-9]*\] \[[^]]*\] \[\([^] ]*\) *\] \[\(vsftpd:[0-9]*\) *\].*/\1 \2 \3/p' \
		| awk -v u="$1" '$1 == 7 && $2 == u {l[$3] = 1; n++} $1 == 8 {o[$2] = 1} END {m = 0; for (k in l) if (k in o) m++; print n + 0, m}'
}
is "$(wtmp_of alice) / $(wtmp_of bob)" "1 0 / 1 1" "wtmp: alice's FTP login recorded, its logout not (written in the cage); bob's both"

# A cage that cannot be entered: the login fails, no file is reached.
break_cage
rm -f /home/alice/up.txt
out=$(ftp alice)
is "$(printf '%s\n' "$out" | tr -d '\r'; ls /home/alice/up.txt 2>&1 | sed 's/.*: //'
	log 'pam_cagefs(vsftpd:session)' | grep -o 'alice: refused: .*config.json')" "login=530 Login incorrect.
status 3
No such file or directory
alice: refused: /var/cagefs/01/alice/config.json" "a broken config.json: alice's FTP login is refused (530), nothing downloaded or uploaded; syslog says why (the module's refusal)"
mend_cage
stop_vsftpd

# A cage refuses chroot: vsftpd's chroot_local_user cannot serve a caged
# user (contrib/pam/vsftpd.conf).
start_vsftpd chroot_local_user=YES allow_writeable_chroot=YES || world_die "vsftpd does not start"
is "$(ftp alice | tr -d '\r')" "login=500 OOPS: chroot
status 3" "vsftpd with chroot_local_user=YES: alice's login ends in '500 OOPS: chroot' (a cage refuses chroot)"
stop_vsftpd

# vsftpd's default, session_support=NO, never opens the session: the
# module does not run, and alice's FTP login is not caged.
start_vsftpd session_support=NO || world_die "vsftpd does not start"
out=$(ftp alice)
is "$(printf '%s\n' "$out" | grep -E '^(users|home)=|^status')" "users=$host_users
home=/home/alice /home/bob
status 0" "(control) vsftpd with session_support=NO (its default): no PAM session, alice's login is NOT caged (why the snippet sets YES)"
stop_vsftpd

# ---- the manual's cagefs_enter login shell, beside the module ----
# ("Running Command Inside CageFS"): an entry by cagefs_enter(_user) and a
# PAM session of the same user share one cage, whichever made it.
cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter" && chmod 4755 "$WORLD/bin/cagefs_enter" # the setuid one
"$SETUP_CAGEFSCTL" --unmount alice >/dev/null 2>&1
sudo -i -u alice sleep 300 > /dev/null 2>&1 &
SUDO=$!
for _ in $(seq 100); do pgrep -u alice -x sleep >/dev/null && break; sleep 0.1; done
printf '%s\n' "$REPORT" 'exit 4' > "$WORLD/typed"
pin=$(pin_of alice)
for how in "cagefs_enter_user alice" "su -s /bin/sh alice -c $WORLD/bin/cagefs_enter"; do
	# shellcheck disable=SC2086 # the command line, in words
	out=$(timeout 60 python3 "$TOP/tests/lib/on-pty.py" ${how/cagefs_enter_user/$B/cagefs_enter_user} < "$WORLD/typed" 2>&1; echo "status $?")
	is "$(printf '%s\n' "$out" | grep -E '^(home|id)=|^NoNewPrivs|^status' | tr -d '\r')" "home=alice 
id=alice
NoNewPrivs:1 Seccomp:2 
status 4" "$how (no command: her login shell, on a terminal) beside her sudo -i session: in the cage, status 4"
	same "$(field "$out" mnt) $(field "$out" pidns) $(pin_of alice)" "$(ns_of alice mnt) $(ns_of alice pid) $pin" \
		"... in the mount and PID namespaces of the cage sudo's session made (its pin, $pin, still the one)"
done
is "$("$CAGEFSCTL" --list 2>&1)" "alice" "... one cage for the three"
kill "$SUDO"; wait "$SUDO" 2>/dev/null
"$SETUP_CAGEFSCTL" --unmount alice >/dev/null 2>&1
"$B/cagefs_enter_user" alice 'exec sleep 301' > /dev/null 2>&1 &
ENTRY=$!
for _ in $(seq 100); do pgrep -u alice -x sleep >/dev/null && break; sleep 0.1; done
pin=$(pin_of alice)
out=$(sudo -i -u alice $REPORT 2>&1; echo "status $?")
same "$(field "$out" id) $(field "$out" mnt) $(field "$out" pidns) $(pin_of alice) $(tail -1 <<<"$out")" \
	"alice $(ns_of alice mnt) $(ns_of alice pid) $pin status 0" "the other way: the cage cagefs_enter_user made (pin $pin) is the one sudo -i -u alice joins"
kill "$ENTRY"; wait "$ENTRY" 2>/dev/null
# With the module in su's stack, su already runs the command in the cage,
# where there is no cagefs_enter (README, PAM: su): call the command.
snippet su >> /etc/pam.d/su
fails_with "the module in su's stack: su alice -c 'cagefs_enter CMD' finds no cagefs_enter in her cage (127)" 127 \
	"cagefs_enter: not found" su -s /bin/sh alice -c "$WORLD/bin/cagefs_enter id"
is "$(su -s /bin/sh alice -c "$REPORT" 2>&1 | grep -E '^(id|mnt)=|^NoNewPrivs')" "id=alice
NoNewPrivs:1 Seccomp:2 
mnt=$(ns_of alice mnt)" "... su alice -c CMD alone runs CMD in her cage"
cp "$WORLD/pam.su" /etc/pam.d/su

done_testing
