# A /dev of the test world's own, with a syslog listener on its /dev/log
# (the host's /dev is never touched: the tmpfs is mounted in the world's
# private mount namespace).  What PAM modules and daemons log with
# syslog(3) is then read from $WORLD/syslog.  Call world_syslog after
# world_enter.
world_syslog() {
	mount -t tmpfs -o mode=755 tmpfs /dev || world_die "tmpfs /dev"
	local n
	for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
		set -- $n; mknod -m 666 /dev/$1 c $2 $3
	done
	ln -s /proc/self/fd /dev/fd; mkdir /dev/pts /dev/shm
	# ptys for the sessions a test drives (ssh -tt, script)
	mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts /dev/pts && ln -s pts/ptmx /dev/ptmx \
		|| world_die "devpts"
	cat > "$WORLD/syslogd.py" <<'P'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
out = open(sys.argv[1], "a", buffering=1)
print("ready", flush=True)
while True:
    out.write(s.recv(8192).decode(errors="replace").rstrip("\n") + "\n")
P
	/usr/bin/python3 "$WORLD/syslogd.py" "$WORLD/syslog" > "$WORLD/syslogd.out" 2>&1 &
	for _ in $(seq 50); do grep -q ready "$WORLD/syslogd.out" 2>/dev/null && return 0; sleep 0.1; done
	world_die "the syslog listener did not start"
}
