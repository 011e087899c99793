#!/bin/bash
# What an entry leaves to the program it starts, attacked as a hostile user
# would (the review of issue 9): root running a command for a user with
# cagefs_enter_user hands it none of root's open files, working directory,
# environment or terminal session, caged or not; and the per-user seccomp
# cache is never taken for a profile it was not compiled from.  Each block
# failed on the code before its fix.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"
PY=/usr/bin/python3

cat > /etc/cagefs/conf.d/base.cfg <<'C'
[base]
paths=/bin/bash, /bin/sh, /usr/bin/id, /usr/bin/readlink, /bin/echo, /bin/cat, /bin/sleep, /usr/bin/uname, /usr/bin/perl, /usr/bin/env, /bin/pwd
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1701 -s /bin/bash alice && useradd -m -u 1702 -s /bin/bash bob || world_die "useradd"
"$SETUP_CAGEFSCTL" --enable alice >/dev/null 2>&1 || world_die "--enable failed"
mkdir -p "$WORLD/bin" && cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter" \
	&& chmod 4755 "$WORLD/bin/cagefs_enter" || world_die "setuid copy"
ENTER=$WORLD/bin/cagefs_enter

# ---- root's fds, cwd and environment ----
echo "root-only-secret" > /root/secret && chmod 600 /root/secret
mkdir -p /root/vault/docs && chmod 700 /root/vault && chmod 755 /root/vault/docs
echo "root-notes-below-a-0700-dir" > /root/vault/docs/notes && chmod 644 /root/vault/docs/notes
# probe USER: what USER's program sees of root's, run by cagefs_enter_user
# from root's 0700 directory with fd 7 open on a root-only file.
probe() {
	(cd /root/vault/docs && exec 7</root/secret && SECRET_TOKEN=root-token \
		"$B/cagefs_enter_user" "$1" 'echo "user=$(id -un) cwd=$(pwd) home=$HOME token=${SECRET_TOKEN:-none}"; cat <&7; cat notes' 2>&1)
}
out=$(probe bob)
is "$out" "CageFS does not apply to bob (CageFS is disabled for bob (cagefsctl --enable bob enables it)): running without a cage
user=bob cwd=/home/bob home=/home/bob token=none
/bin/sh: 1: 7: Bad file descriptor
cat: notes: No such file or directory" \
	"bob, uncaged: no fd of root's, his home as cwd, not root's environment"
out=$(probe alice)
is "$out" "user=alice cwd=/home/alice home=/home/alice token=none
/bin/sh: 1: 7: Bad file descriptor
cat: notes: No such file or directory" "alice, caged: the same"
is "$(su -s /bin/sh bob -c "cd /tmp && FOO=kept '$ENTER' 'pwd; echo \$FOO'" 2>/dev/null)" "/tmp
kept" "cagefs_enter run by bob himself, uncaged, keeps his own cwd and environment"

# ---- root's terminal ----
# A root bash in a pty, typed at: LINE DELAY pairs, then exit; prints what
# the terminal showed.
cat > "$WORLD/admin_terminal.py" <<'P'
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
    os.write(fd, args[i].encode() + b"\n")
    drain(float(args[i + 1]))
try:
    os.write(fd, b"exit\n")
except OSError:
    pass
drain(1)
P
# bob's job (a script of his that root runs for him, uncaged) leaves a
# child that, once the job is over, pushes a line into root's terminal.
cat > /home/bob/job.sh <<J
#!/bin/sh
echo "bob's job"
/usr/bin/perl -e 'exit 0 if fork; sleep 2; open F, ">/home/bob/tiocsti"; print F (ioctl(STDIN, 0x5412, \$_) ? "allowed\n" : "refused: \$!\n") for split //, "id > $WORLD/pwned-by-bob\\n"'
J
chmod 755 /home/bob/job.sh && chown bob: /home/bob/job.sh
out=$("$PY" "$WORLD/admin_terminal.py" "$B/cagefs_enter_user bob /home/bob/job.sh" 4 "true" 1 2>&1)
like "$out" "bob's job" "root's shell ran bob's job (uncaged)"
is "$(sort -u /home/bob/tiocsti 2>&1; cat "$WORLD/pwned-by-bob" 2>&1)" "refused: Operation not permitted
cat: $WORLD/pwned-by-bob: No such file or directory" \
	"... whose leftover process cannot push input into root's terminal (TIOCSTI: not its terminal), so root ran nothing of bob's"
# alice's job, caged: TIOCSTI is refused by the filter; the foreground of
# root's terminal is not hers to take either (TIOCSPGRP).
cat > /home/alice/job.sh <<'J'
#!/bin/sh
echo "alice's job"
perl -e '
exit 0 if fork;
$SIG{TTOU} = $SIG{TTIN} = $SIG{HUP} = "IGNORE";
sleep 2;
$c = "x"; $r = ioctl(STDIN, 0x5412, $c) ? "TIOCSTI allowed" : "TIOCSTI: $!";
setpgrp(0, 0);
$r .= ioctl(STDIN, 0x5410, $pg = pack("i", getpgrp(0))) ? "; foreground taken" : "; TIOCSPGRP: $!";
open F, ">/tmp/terminal"; print F "$r\n";' 2>/dev/null
J
chmod 755 /home/alice/job.sh && chown alice: /home/alice/job.sh
out=$("$PY" "$WORLD/admin_terminal.py" "$B/cagefs_enter_user alice /home/alice/job.sh" 3 "true" 1 2>&1)
like "$out" "alice's job" "root's shell ran alice's job (caged)"
is "$(cat /home/alice/.cagefs/tmp/terminal 2>&1)" "TIOCSTI: Operation not permitted; TIOCSPGRP: Inappropriate ioctl for device" \
	"... whose leftover process can neither push input into root's terminal nor take its foreground"

# ---- a seccomp cache never taken for another profile ----
deny_uname() { "$PY" - "$TOP/seccomp/default.json" > /etc/cagefs/seccomp.json <<'P'
import json, sys
p = json.load(open(sys.argv[1]))
p["syscalls"].append({"names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1})
print(json.dumps(p))
P
}
E() { su -s /bin/sh alice -c "$ENTER 'uname -s 2>&1'" 2>&1; }
"$CAGEFSCTL" --remount alice >/dev/null 2>&1
is "$(E)" "Linux" "uname works in the cage under the default profile"
deny_uname && "$CAGEFSCTL" --update-etc alice >/dev/null 2>&1
is "$(E)" "uname: cannot get system name: Operation not permitted" "a profile denying uname, --update-etc: the next entry has it"
rm -f /etc/cagefs/seccomp.json && "$CAGEFSCTL" --update-etc alice >/dev/null 2>&1
"$CAGEFSCTL" --remount alice >/dev/null 2>&1
# The profile is the default again and no entry has cached it yet.  An
# entry starts (reads config.json) and is slow to get to the filter: here
# it waits for the user's lock, held as another first entry would hold it.
# Meanwhile the admin denies uname again.  That entry may well run with the
# old filter; the ones after it must not.
flock /run/cagefs/locks/alice sleep 2 &
sleep 0.3
E >/dev/null &
sleep 0.5
deny_uname && "$CAGEFSCTL" --update-etc alice >/dev/null 2>&1
wait
is "$(E)" "uname: cannot get system name: Operation not permitted" \
	"an entry after the profile was tightened gets the new filter, not one compiled from the old"
is "$(E)" "uname: cannot get system name: Operation not permitted" "... and so does the one after"

done_testing
