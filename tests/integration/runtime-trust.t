#!/bin/bash
# cagefs-runtime believes only a state directory that is root's own
# (docs/ARCHITECTURE.md §4.11), and says what it cannot do (issue 10).
# A hosting user who wrote the state directory root is pointed at (--root,
# or a container's directory or file in it) would choose the process
# `kill` signals, the poststop hooks `delete` runs and the cgroups whose
# processes it kills: each such directory is refused with status 3, naming
# the path and the reason, and nothing of it is acted on.  A recorded
# cgroup is opened beneath its hierarchy's root, so ".." cannot leave it.
# A user who cannot read the runtime's state gets an error, never a
# silent success or "stopped".
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/bundle.sh"
world_enter "$@"
RT=$B/cagefs-runtime
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

useradd -m -u 1801 -s /bin/sh mallory && useradd -m -u 1802 -s /bin/bash alice || world_die "useradd"
M() { su -s /bin/sh mallory -c "$1"; }
# new_victim: a root process ($victim) and a forged state.json naming it
# ($STATE) with its start time (the runtime checks it, so a forger copies
# it from /proc).  Each test has its own: the old code killed them.
new_victim() {
	sleep 1000 & victim=$!
	STATE='{"pid": '$victim', "startTime": '$(awk '{print $22}' /proc/$victim/stat)', "creator": 0, "creatorStartTime": 0, "bundle": "/", "created": ""}'
}
STOPPED='{"pid": 0, "startTime": 0, "creator": 0, "creatorStartTime": 0, "bundle": "/", "created": ""}'
mkbundle "$WORLD/hooked" "$(args true)
c['hooks'] = {'poststop': [{'path': '/bin/sh', 'args': ['sh', '-c', 'touch $WORLD/pwned']}]}"
chmod 755 "$WORLD"
# refused DESC STATUS PATTERN CMD...: fails_with, and $R says whether the
# documented refusal happened (what it left is checked only after it).
refused() { R=no; fails_with "$@" && R=yes; }
lives() { [ "$R" = yes ] && kill -0 "$1"; }

# ---- a state directory the user wrote ----
M "mkdir -p ~/x/containers/c1 && cp $WORLD/hooked/config.json ~/x/containers/c1/ &&
   echo '$STOPPED' > ~/x/containers/c1/state.json"
refused "delete --root DIR of the user's: refused, status 3, naming the directory and why" 3 \
	"^cagefs-runtime: error: untrusted state directory: /home/mallory is owned by uid 1801, not by root$" \
	"$RT" --root /home/mallory/x delete c1
run "... the user's poststop hook did not run as root, and the directory is as it was" \
	test $R = yes -a ! -e "$WORLD/pwned" -a -f /home/mallory/x/containers/c1/config.json
new_victim
M "mkdir -p ~/y/containers/c2 && echo '$STATE' > ~/y/containers/c2/state.json"
refused "kill --root DIR of the user's, its state.json naming a root process: refused" 3 \
	"^cagefs-runtime: error: untrusted state directory: /home/mallory is owned by uid 1801, not by root$" \
	"$RT" --root /home/mallory/y kill c2 KILL
run "... and that process ($victim) lives" lives $victim
refused "delete --force of it: refused the same way" 3 "untrusted state directory: /home/mallory is owned by uid 1801" \
	"$RT" --root /home/mallory/y delete --force c2
run "... and the process lives" lives $victim
refused "state --root DIR of the user's: refused" 3 "untrusted state directory: /home/mallory is owned" \
	"$RT" --root /home/mallory/y state c2
refused "list --root DIR of the user's: refused" 3 "untrusted state directory: /home/mallory is owned" \
	"$RT" --root /home/mallory/y list

# ---- root's state directory with something of the user's in it ----
# mkctr ROOT ID STATE-JSON: a container's directory as create leaves it.
mkctr() {
	mkdir -p "$1/containers/$2" && chmod 700 "$1/containers" "$1/containers/$2" &&
	echo "$3" > "$1/containers/$2/state.json" && cp "$WORLD/hooked/config.json" "$1/containers/$2/"
}
new_victim
mkctr /run/rt3 c3 "$STATE" && chown mallory /run/rt3/containers/c3
refused "a container's directory the user owns: refused, naming it" 3 \
	"^cagefs-runtime: error: untrusted state directory: /run/rt3/containers/c3 is owned by uid 1801, not by root$" \
	"$RT" --root /run/rt3 kill c3 KILL
run "... and the process it names lives" lives $victim
new_victim
mkctr /run/rt4 c4 "$STATE" && chown mallory /run/rt4/containers/c4/state.json
refused "a state.json the user owns: refused, naming it" 3 \
	"^cagefs-runtime: error: untrusted state directory: /run/rt4/containers/c4/state\.json is owned by uid 1801, not by root$" \
	"$RT" --root /run/rt4 kill c4 KILL
run "... and the process it names lives" lives $victim
new_victim
mkctr /run/rt5 c5 "$STATE" && chmod 770 /run/rt5/containers/c5
refused "a container's directory writable by its group: refused" 3 \
	"untrusted state directory: /run/rt5/containers/c5 is writable by its group or others \(mode 0770\)$" \
	"$RT" --root /run/rt5 delete --force c5
run "... and the process it names lives" lives $victim
mkctr /run/rt6 c6 "$STOPPED" && M "cp $WORLD/hooked/config.json ~/cfg.json" &&
	ln -sf /home/mallory/cfg.json /run/rt6/containers/c6/config.json
refused "a config.json that is a symlink (to the user's hooks): refused" 3 \
	"untrusted state directory: /run/rt6/containers/c6/config\.json is a symlink$" "$RT" --root /run/rt6 delete c6
run "... the hook did not run, the container is still there" test $R = yes -a ! -e "$WORLD/pwned" -a -d /run/rt6/containers/c6
ln -s /run/rt4 /run/rtlink
refused "a --root that is a symlink: refused" 3 "untrusted state directory: /run/rtlink is a symlink$" \
	"$RT" --root /run/rtlink state c4
new_victim
mkdir -m 777 /run/open && mkctr /run/open/rt c7 "$STATE"
refused "a directory on the way writable by others: refused" 3 \
	"untrusted state directory: /run/open is writable by its group or others \(mode 0777\)$" \
	"$RT" --root /run/open/rt kill c7 KILL
run "... and the process lives" lives $victim

# A user's cage: its pin record names the process whose namespaces hold
# the cage, and `delete` kills every process in them.
new_victim
mkdir -p /run/rtp/cages && chmod 700 /run/rtp/cages &&
	echo "$victim $(awk '{print $22}' /proc/$victim/stat)" > /run/rtp/cages/alice.pid && chown mallory /run/rtp/cages/alice.pid
refused "a pin record of a user's cage that the user owns: refused" 3 \
	"^cagefs-runtime: error: untrusted state directory: /run/rtp/cages/alice\.pid is owned by uid 1801, not by root$" \
	"$RT" --root /run/rtp state alice

# ---- a recorded cgroup cannot leave its hierarchy ----
# The record names a directory outside /sys/fs/cgroup holding a
# "cgroup.procs" that lists the root process: delete would kill it.
new_victim
mkdir -p "$WORLD/esc" && echo $victim > "$WORLD/esc/cgroup.procs"
mkctr /run/rt8 c8 "$STOPPED" && echo "/sys/fs/cgroup/../../..$WORLD/esc" > /run/rt8/containers/c8/cgroups
refused "a recorded cgroup with '..' out of the hierarchy: delete refuses" 1 \
	"error: container c8: recorded cgroup /sys/fs/cgroup/\.\./\.\./\.\.$WORLD/esc: refusing to follow a symlink or '\.\.'" \
	"$RT" --root /run/rt8 delete c8
run "... the process listed there lives, the directory is still there" \
	sh -c '[ "$1" = yes ] && kill -0 "$2" && test -d "$3"' sh $R $victim "$WORLD/esc"
run "... and so is the container (nothing was acted on)" test $R = yes -a -d /run/rt8/containers/c8 -a ! -e "$WORLD/pwned"

# ---- root's own state directory below sticky /tmp works ----
mkbundle "$WORLD/b1" "$(args 'sleep 1000')"
run "create --root in a root-owned directory below /tmp (sticky)" "$RT" --root "$WORLD/rt" create --bundle "$WORLD/b1" ok1
is "$("$RT" --root "$WORLD/rt" state ok1 | field status)" created "... state"
run "... delete --force" "$RT" --root "$WORLD/rt" delete --force ok1

# ---- a user who cannot read the state is told so ----
refused "kill of a user's cage as another user: refused, not a silent success" 1 \
	"^cagefs-runtime: error: the cage of alice is root's: only root can signal the processes in it$" \
	M "$RT kill alice KILL"
refused "state of it: refused, not \"stopped\"" 1 \
	"^cagefs-runtime: error: the cage of alice is root's: only root can tell its state$" M "$RT state alice"
lacks "$(cat "$WORLD/last.out")" "only root can tell its state" stopped "... nothing says stopped"
refused "delete of it: refused" 1 "^cagefs-runtime: error: the cage of alice is root's: only root can delete it$" \
	M "$RT delete alice"
"$RT" create --bundle "$WORLD/b1" c9 && "$RT" start c9
init=$("$RT" state c9 | field pid)
NOREAD="cannot tell whether c9 is a container: cannot open /run/cagefs/containers(/c9)?: Permission denied \(the runtime's state is root's\)$"
refused "kill of root's container as a user: what it cannot read, said" 1 "^cagefs-runtime: error: $NOREAD" M "$RT kill c9 KILL"
refused "state of it: the same, not \"stopped\" nor \"no container\"" 1 "^cagefs-runtime: error: $NOREAD" M "$RT state c9"
refused "delete --force of it: the same" 1 "^cagefs-runtime: error: $NOREAD" M "$RT delete --force c9"
is "$("$RT" state c9 | field status) $(kill -0 "$init" 2>&1 && echo alive)" "running alive" "... and the container runs on"
"$RT" delete --force c9

done_testing
