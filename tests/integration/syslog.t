#!/bin/bash
# /dev/log in the cages (issue 13, item 3; manual: "Syslog";
# docs/ARCHITECTURE.md §4.22).  The system logger listens in the skeleton
# (what /etc/rsyslog.d/schroot.conf makes rsyslog do: here a listener of
# the test's own, bound where rsyslog would bind); each cage built while
# the socket is there has it as /dev/log, and a caged user's logger(1)
# line reaches the logger, with the user's uid.  Without the socket, no
# /dev/log and cages are built as ever; --update never removes it.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

SKEL=/usr/share/cagefs-skeleton
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/ls, /usr/bin/logger, /usr/bin/test, /usr/bin/stat
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 2201 -s /bin/bash alice || world_die useradd
"$SETUP_CAGEFSCTL" --enable alice >/dev/null 2>&1 || world_die "--enable failed"
enter() { "$B/cagefs_enter_user" "$@"; }
CTL=$B/cagefsctl

# the logger of this test, listening at SKELETON/dev/log as rsyslog would
cat > "$WORLD/logd.py" <<'P'
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
out = open(sys.argv[2], "a", buffering=1)
print("ready", flush=True)
while True:
    msg, anc, _, _ = s.recvmsg(8192, socket.CMSG_SPACE(12))
    uid = next((struct.unpack("iII", d)[1] for l, t, d in anc if t == socket.SCM_CREDENTIALS), -1)
    out.write("uid=%d %s\n" % (uid, msg.decode(errors="replace").rstrip("\n")))
P
python3 "$WORLD/logd.py" $SKEL/dev/log "$WORLD/log" > "$WORLD/logd.out" 2>&1 &
LOGD=$!
for _ in $(seq 50); do grep -q ready "$WORLD/logd.out" 2>/dev/null && break; sleep 0.1; done

is "$(enter alice 'stat -c %F /dev/log')" socket "alice's cage has /dev/log, a socket"
enter alice 'logger -t caged "hello from the cage"'
for _ in $(seq 50); do grep -q "hello from the cage" "$WORLD/log" && break; sleep 0.1; done
like "$(grep "hello from the cage" "$WORLD/log")" "^uid=2201 .*caged.*hello from the cage$" \
	"her logger(1) line reaches the system logger, sent by her uid"
"$CTL" --update >/dev/null 2>&1
is "$(stat -c %F $SKEL/dev/log 2>&1)" socket "cagefsctl --update leaves the logger's socket in the skeleton"
like "$(enter alice 'ls /dev' | tr '\n' ' ')" "(^| )log( |$)" "... /dev/log is among the cage's devices"

# the manual's removal: the logger stops listening there (schroot.conf
# removed, rsyslog restarted), and the cages are remounted
kill $LOGD; wait $LOGD 2>/dev/null; rm -f $SKEL/dev/log
"$CTL" --remount alice >/dev/null 2>&1
is "$(enter alice 'test -e /dev/log && echo present || echo absent')" absent "without the skeleton's socket, a new cage has no /dev/log..."
is "$(enter alice 'cat /etc/passwd' | cut -d: -f1 | grep -c alice)" 1 "... and is built as ever"
# a file that is not a socket is not mounted as /dev/log
touch $SKEL/dev/log && "$CTL" --remount alice >/dev/null 2>&1
is "$(enter alice 'test -e /dev/log && echo present || echo absent')" absent "a regular file at the skeleton's dev/log is not a logger: no /dev/log"
rm -f $SKEL/dev/log
"$CTL" --unmount alice >/dev/null 2>&1
done_testing
