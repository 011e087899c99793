#!/bin/bash
# Attacks on tmpwatch (docs/ARCHITECTURE.md §4.20) by a hostile hosting
# user.  Each assertion fails on the code it was written against and
# passes once the finding is fixed.
#  1. Revisit amplification: bob watches a fresh directory X with inotify
#     and, each time his cleaner opens it, renames X into the next sibling
#     directory the cleaner has not read yet (in readdir order, which bob
#     sees too).  The cleaner walks X again and again: K directories and
#     |X| files cost it K*|X| statx calls, so a few hundred thousand inodes
#     keep it busy for the full hour of CAGE_TMPWATCH_TIMEOUT, and the
#     users after bob wait (one hour per such user, every run).
#  2. The cleaner, running as bob, still holds root's stdin, stdout and
#     stderr (fds 0-2; §4.19 says every fd but the report pipe is closed).
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

CTL=$B/cagefsctl
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
mkdir -p /etc/cagefs/users.enabled
uid=2301
for u in bob carol; do
	useradd -m -u $uid -s /bin/bash $u || world_die useradd
	uid=$((uid + 1))
	touch /etc/cagefs/users.enabled/$u
	su -s /bin/sh $u -c 'mkdir -p -m 700 ~/.cagefs/tmp' || world_die "~/.cagefs/tmp of $u"
done

K=300 NX=3000
# bob's tree: tmp/A/C1..CK (empty) and X, a fresh directory of NX files, in the first of them.
su -s /bin/bash bob -c "python3 - $K $NX" <<'P' || world_die "bob's tree"
import os, sys
k, nx = int(sys.argv[1]), int(sys.argv[2])
a = os.path.expanduser("~/.cagefs/tmp/A")
os.mkdir(a)
for i in range(k):
    os.mkdir("%s/C%d" % (a, i))
first = os.listdir(a)[0]
os.mkdir("%s/%s/X" % (a, first))
for i in range(nx):
    open("%s/%s/X/f%d" % (a, first, i), "w").close()
P
cat > "$WORLD/revisit.py" <<'R'
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
a = os.path.expanduser("~/.cagefs/tmp/A")
order = os.listdir(a)            # the cleaner's readdir order, too
cur = next(i for i, n in enumerate(order) if os.path.isdir("%s/%s/X" % (a, n)))
fd = libc.inotify_init()
IN_OPEN = 0x20
if libc.inotify_add_watch(fd, ("%s/%s/X" % (a, order[cur])).encode(), IN_OPEN) < 0:
    sys.exit("inotify")
opens = 0
out = open(sys.argv[1], "w")
while True:
    buf = os.read(fd, 4096)
    off = 0
    while off < len(buf):
        wd, mask, cookie, ln = struct.unpack_from("iIII", buf, off)
        off += 16 + ln
        if mask & IN_OPEN:
            opens += 1
            out.seek(0); out.write("%d\n" % opens); out.truncate(); out.flush()
            if cur + 1 < len(order):
                os.rename("%s/%s/X" % (a, order[cur]), "%s/%s/X" % (a, order[cur + 1]))
                cur += 1
R
echo 0 > "$WORLD/opens"; chmod 666 "$WORLD/opens"
echo 'root only' > /root/rootsecret && chmod 600 /root/rootsecret
su -s /bin/bash bob -c "exec python3 $WORLD/revisit.py $WORLD/opens" &
racer=$!
sleep 0.5
start=$(date +%s%N)
(exec 0</root/rootsecret; "$CTL" --tmpwatch bob >"$WORLD/run.out" 2>&1; echo $? >"$WORLD/run.rc") &
ctl=$!
wait $ctl
ms=$((($(date +%s%N) - start) / 1000000))
kill $racer; wait $racer 2>/dev/null
opens=$(cat "$WORLD/opens")
diag "bob's cleaner opened X $opens times ($K directories, $NX files in X: about $((opens * NX)) statx); the run took $ms ms: $(cat "$WORLD/run.out")"
is "$(cat "$WORLD/run.rc")" 0 "--tmpwatch bob succeeds while bob moves X ahead of his cleaner"
ok $([ "$opens" -le 2 ] && echo 0 || echo 1) \
	"bob's cleaner walks his directory X at most once per run, however bob renames it ahead of the walk (walked $opens times)"

# A second run, long enough to look at bob's cleaner from outside: 60000
# fresh files to look at.  Which fds does it hold?
su -s /bin/sh bob -c 'python3 -c "import os; d = os.path.expanduser(\"~/.cagefs/tmp/many\"); os.makedirs(d, exist_ok=True); [open(\"%s/f%d\" % (d, i), \"w\").close() for i in range(60000)]"'
(exec 0</root/rootsecret; "$CTL" --tmpwatch bob >/dev/null 2>&1) &
ctl=$!
fds=""
for i in $(seq 1 500); do
	p=$(pgrep -u bob -x cagefsctl | head -1)
	if [ -n "$p" ]; then
		fds=$(for f in 0 1 2; do readlink /proc/$p/fd/$f; done 2>/dev/null | tr '\n' ' ')
		[ -n "$fds" ] && break
	fi
	sleep 0.005
done
wait $ctl
diag "fds 0-2 of bob's cleaner: ${fds:-(not seen)}"
ok $([ -n "$fds" ] && echo 0 || echo 1) "bob's cleaner was seen running (by root, through /proc)"
unlike "$fds" "rootsecret|/dev/pts|pipe:|socket:" \
	"bob's cleaner holds none of root's fds 0-2 (only its report pipe, fd 3; 0-2 are /dev/null)"
done_testing
