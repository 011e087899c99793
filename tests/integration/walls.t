#!/bin/bash
# The walls of a cage (issue 10; docs/ARCHITECTURE.md §4.15, §4.7, §4.3):
# from inside, nothing of the host is reached through another process of
# the same user (an uncaged one, the caller), an fd handed in, or another
# cage's abstract socket; networking, shared sockets and limits keep
# working; a caller's resource limits or signals cannot leave a root pin
# behind; an entry's program runs under a relay that passes on its end and
# signals.  tests/walls.c makes each attempt (compiled statically here).
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"
W=/usr/share/cagefs-test/walls

# ---- the world ----
mkdir -p /usr/share/cagefs-test "$WORLD/bin" /run/testdb
gcc -static -O2 -o $W "$TOP/tests/walls.c" || world_die "cannot build tests/walls.c"
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/ls, /bin/cat, /usr/bin/id, /usr/bin/ps, /bin/grep, /bin/sleep, /bin/true, /bin/kill, /usr/bin/prlimit, /usr/bin/sort, /usr/bin/tr, /usr/bin/readlink, $W
devices=/dev/null
users=nobody
groups=nogroup
C
echo /run/testdb > /etc/cagefs/cagefs.mp
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
uid=1601
for u in alice bob; do
	useradd -m -u $uid -s /bin/bash $u || world_die "useradd $u"
	chmod 755 /home/$u    # readable on the host: the cage must still hide it
	uid=$((uid + 1))
done
"$SETUP_CAGEFSCTL" --enable alice bob >/dev/null 2>&1 || world_die "--enable failed"
echo "bob's secret" > /home/bob/secret && chmod 644 /home/bob/secret
cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter"
chown root:root "$WORLD/bin/cagefs_enter" && chmod 4755 "$WORLD/bin/cagefs_enter"
ENTER=$WORLD/bin/cagefs_enter
# as U CMD: CMD as U, uncaged.  enter U CMD: CMD in U's cage, by the
# setuid cagefs_enter U runs.
as() { su -s /bin/sh "$1" -c "$2"; }
enter() { su -s /bin/sh "$1" -c 'exec "$0" "$1"' "$ENTER" "$2"; }
# wait_ready FILE: until a background attempt printed "ready".
wait_ready() { for _ in $(seq 100); do grep -q ready "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
pins() { pgrep -u 0 -f "^cage:$1\$" | sort | tr '\n' ' '; }
CTL=$B/cagefsctl

# ---- 1. no way out through the user's own processes outside the cage ----
as alice 'exec sleep 300' & 
for _ in $(seq 50); do UNC=$(pgrep -u alice -x sleep) && break; sleep 0.1; done
out=$(enter alice 'for d in /proc/[0-9]*; do ls -1 $d/root/home/ $d/cwd/../ 2>/dev/null; done | grep -v -e ":$" -e "^$" | sort -u | tr "\n" " "; echo; cat /proc/[0-9]*/root/etc/passwd /proc/[0-9]*/environ 2>/dev/null | grep -c bob')
is "$out" "alice 
0" "from alice's cage, no /proc/PID/root or cwd shows the host's /home, nor another user's name (alice's uncaged sleep runs meanwhile)"
# only ps and the shell that runs it (a shell not yet exec'd shows as sh)
is "$(enter alice 'ps -e -o comm=; true' | sort -u | tr "\n" " ")" "ps sh " "ps in the cage lists the cage's processes only, not alice's uncaged sleep"
fails_with "... nor can the cage signal that uncaged process" 1 "^/bin/sh: 1: kill: No such process$" enter alice "kill -0 $UNC"
is "$(enter alice 'echo $PPID')" 0 "the program's parent (the caller's shell, outside) is not in the cage: PPID 0"
kill "$UNC" 2>/dev/null

out=$(enter alice "$W fdopen 0 etc/passwd" < /)
is "$out" "inherited_open=ENOTDIR
inherited_list=ENOTDIR" "a directory of the host as stdin gives nothing below it (it is /dev/null in the cage)"
out=$("$B/cagefs_enter_user" alice "$W fdopen 3 etc/passwd" 3< /)
is "$out" "inherited_open=EBADF
inherited_list=EBADF" "... nor as another fd of the caller's (fd 3: never reaches the cage)"
as alice "$W fdserve /home/alice/fd.sock / > /home/alice/fdserve.out" &
wait_ready /home/alice/fdserve.out
is "$(enter alice "$W fdget /home/alice/fd.sock etc/passwd")" "fdget=ok
passed_open=EACCES
passed_list=EACCES" "an fd of the host's / passed in by alice's uncaged process (SCM_RIGHTS): nothing below it can be opened"
echo typed > "$WORLD/in"; : > "$WORLD/err"; chown alice: "$WORLD/in" "$WORLD/err"
out=$(enter alice 'cat /dev/stdin; echo err > /dev/stderr' < "$WORLD/in" 2> "$WORLD/err")
is "$out, $(cat "$WORLD/err")" "typed, err" "... while the caller's own stdin and stderr, files outside the cage, can be opened again (/dev/stdin, /dev/stderr)"

# ---- 2. sockets: other cages' abstract sockets are out of reach ----
enter bob "$W alisten bobsecret 20" > "$WORLD/alisten.out" 2>&1 &
wait_ready "$WORLD/alisten.out"
is "$(enter alice "$W aconnect bobsecret")" "aconnect=EPERM" "alice's cage cannot connect to bob's abstract socket @bobsecret"
is "$("$W" aconnect bobsecret)" "aconnect=ok secret" "(the socket is there: the host reaches it)"
is "$(enter alice "$W alisten mine 5 & sleep 0.3; $W aconnect mine")" "ready
aconnect=ok secret" "a cage's own abstract socket works within one entry"
"$W" tlisten 47011 20 > "$WORLD/tlisten.out" 2>&1 &
wait_ready "$WORLD/tlisten.out"
is "$(enter alice "$W tconnect 47011")" "tconnect=ok tcp" "localhost TCP from a cage to a host service (a database) works"
enter alice "$W tlisten 47012 20" > "$WORLD/tlisten2.out" 2>&1 &
wait_ready "$WORLD/tlisten2.out"
is "$("$W" tconnect 47012)" "tconnect=ok tcp" "a cage can listen on a high port, reached from the host"
"$W" ulisten /run/testdb/db.sock 20 > "$WORLD/ulisten.out" 2>&1 &
wait_ready "$WORLD/ulisten.out"
is "$(enter alice "$W uconnect /run/testdb/db.sock")" "uconnect=ok unix" "a unix socket shared through cagefs.mp (MySQL's case) works"

# ---- 3. a caller's limits and signals ----
is "$(su -s /bin/sh alice -c "prlimit --nofile=50 --fsize=8 $ENTER 'ulimit -n; ulimit -f'")" "50
0" "the caller's limits are given back to the program"
like "$(su -s /bin/sh alice -c "trap '' HUP; exec $ENTER 'grep SigIgn /proc/self/status'")" "^SigIgn:[[:space:]]+[0-9a-f]*[13579bdf]$" \
	"a signal the caller ignored (nohup) stays ignored in the program"
"$CTL" --unmount alice >/dev/null
# Root raises the caller's hard limit with CAP_SYS_RESOURCE; where the
# machine withholds that capability (this one's bounding set may), the
# write past the limit fails with EFBIG, said, instead of killing us.
if (( 0x$(awk '/^CapBnd/ {print $2}' /proc/self/status) >> 24 & 1 )); then
	want=0 why="all succeed"
else
	want=1 why="each fails, saying so (no CAP_SYS_RESOURCE here)"
fi
st=""
for i in $(seq 40); do
	"$CTL" --unmount alice >/dev/null
	err=$(su -s /bin/sh alice -c "prlimit --fsize=8 $ENTER true" 2>&1); st="$st$?"
done
is "$st" "$(printf "$want%.0s" $(seq 40))" "40 first entries under RLIMIT_FSIZE=8: $why"
[ $want = 0 ] || is "$err" "cagefs_enter: error: /run/cagefs/cages: cannot write alice.pid: File too large" "... the message names the file and EFBIG"
"$CTL" --unmount alice >/dev/null
is "$(pins alice)" "" "... and after --unmount no pin of alice is left (none was ever unrecorded)"
for i in $(seq 30); do
	"$CTL" --unmount alice >/dev/null
	su -s /bin/sh alice -c "exec $ENTER true" & p=$!
	sleep "0.00$((i % 10))"; pkill -KILL -P $p 2>/dev/null; kill -KILL $p 2>/dev/null; wait $p 2>/dev/null
done
# an entry su had started just before it was killed goes on alone: wait for it
for _ in $(seq 100); do pgrep -f "^$ENTER true" >/dev/null || break; sleep 0.1; done
"$CTL" --unmount alice >/dev/null
is "$(pins alice)" "" "30 first entries killed at random moments leave no pin behind --unmount"

# ---- pins without a record are found, adopted, removed ----
enter alice true
pin=$(pins alice)
ns=$(readlink /proc/${pin% }/ns/mnt)
rm /run/cagefs/cages/alice.pid
is "$("$CTL" --list)" "alice
bob" "--list finds a live pin whose record was removed"
same "$(enter alice 'readlink /proc/self/ns/mnt')" "$ns" "the next entry joins that cage (adopted), not a second one"
is "$(pins alice)" "$pin" "... one pin"
rm /run/cagefs/cages/alice.pid
"$CTL" --unmount alice >/dev/null
is "$(pins alice)" "" "--unmount ends a pin that has no record"

# ---- 5. the pin is never a child of a user's process ----
out=$(su -s /bin/sh alice -c "$W subreaper $ENTER /bin/true" 2>&1)
like "$out" "pin would be a child of process [0-9]+ \(uid 1601\), a child subreaper" "a first entry under alice's PR_SET_CHILD_SUBREAPER process is refused, saying why"
like "$out" "status=1 alive_children=$" "... status 1, and no live child is left to the subreaper (the unrecorded pin exited)"
is "$(pins alice)" "" "... and no pin lives"

# ---- the relay: exit status, signals, the cage's end ----
st=""
for c in "exit 0" "exit 1" "exit 42" 'kill -TERM $$' 'kill -KILL $$'; do enter alice "$c"; st="$st $?"; done
is "$st" " 0 1 42 143 137" "the caller sees the program's exit status, or its death by a signal"
"$B/cagefs_enter_user" alice 'trap "echo got TERM; exit 7" TERM; echo started; sleep 30 & wait' > "$WORLD/term.out" 2>&1 & p=$!
wait_ready "$WORLD/term.out" || grep -q started "$WORLD/term.out" || sleep 1
for _ in $(seq 50); do grep -q started "$WORLD/term.out" && break; sleep 0.1; done
kill -TERM $p; wait $p; rc=$?
is "$rc $(cat "$WORLD/term.out" | tr '\n' ' ')" "7 started got TERM " "a signal sent to the entering process reaches the program"
# A terminal, as root's shell on it: the program gets the terminal (an
# interactive shell in the cage runs its own jobs, Ctrl-C interrupts its
# command), and a job-control stop is mirrored so that the outer shell's
# `fg` continues the program.
cat > "$WORLD/terminal.py" <<'P'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
def drain(t):
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        try:
            d = os.read(fd, 4096) if r else b" "
        except OSError:
            return
        if not d:
            return
        if r:
            sys.stdout.write(d.decode(errors="replace"))
drain(0.5)
args = sys.argv[1:]
for i in range(0, len(args), 2):
    os.write(fd, args[i].encode().decode("unicode_escape").encode())
    drain(float(args[i + 1]))
P
out=$(/usr/bin/python3 "$WORLD/terminal.py" "$B/cagefs_enter_user alice\n" 2 "sleep 30\n" 0.5 "\x03" 0.5 \
	"echo after-int:\$((6*7))\n" 0.5 "exit\n" 1 "echo outer-back:\$?\n" 0.5 2>&1)
like "$(echo "$out" | tr -d '\r' | tr '\n' ' ')" "after-int:42 .*outer-back:0" \
	"on root's terminal, alice's login shell in the cage has the terminal: Ctrl-C stops its command, not the shell; exit returns to root's shell"
out=$(/usr/bin/python3 "$WORLD/terminal.py" "$B/cagefs_enter_user alice /bin/cat\n" 1.5 "\x1a" 1 "fg\n" 1 \
	"typed-after-fg\n" 0.5 "\x04" 1 "echo rc:\$?\n" 0.5 2>&1)
out=$(echo "$out" | tr -d '\r' | tr '\n' ' ')
like "$out" "Stopped.*cagefs_enter_user alice /bin/cat.*typed-after-fg typed-after-fg .*rc:0" \
	"Ctrl-Z stops the command and root's shell sees its job stopped; fg continues it; its end is the job's"
# Root runs alice's login shell on its terminal (cagefs_enter_user alice, as
# su -): the shell shares root's session; what it leaves behind there must
# not take the terminal's foreground later and read what root types.
printf '%s\n' "$W steal 2 /home/alice/stolen.out" exit > /home/alice/.bash_profile
chown alice: /home/alice/.bash_profile
(sleep 4; echo root-typed-this) | script -qfc "bash -c '$B/cagefs_enter_user alice; echo entry-ended; sleep 5'" /dev/null > "$WORLD/script.out" 2>&1
like "$(tr -d '\r' < "$WORLD/script.out")" "entry-ended" "(root ran alice's login shell on a terminal, and it ended)"
is "$(cat /home/alice/stolen.out 2>&1)" "cat: /home/alice/stolen.out: No such file or directory" \
	"what alice's login shell left on root's terminal ended with it: it neither took the terminal nor read what root typed"
rm -f /home/alice/.bash_profile
is "$(su -s /bin/sh alice -c "prlimit --core=1000:unlimited $ENTER 'ulimit -c'")" 1 "the caller's core limit reaches the program (1000 bytes: ulimit -c says 1)"
enter alice 'sleep 300' & p=$!
sleep 0.5
"$CTL" --unmount alice >/dev/null
wait $p; rc=$?
is "$rc $(pgrep -u alice -x sleep)" "137 " "--unmount ends every process in the cage (its PID namespace ends with the pin)"

done_testing
