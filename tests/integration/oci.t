#!/bin/bash
# Ordinary OCI bundles (issue 4, item 4): cagefs-runtime driven as generic
# OCI tooling drives runc or crun — the runtime command line's lifecycle
# (create does not block, start, state JSON, kill, delete, exit codes), the
# config.json features (hooks, capabilities, rlimits, namespaces by path,
# user namespaces, sysctl, cgroups, terminal through --console-socket), the
# same bundle run by Debian's crun for comparison, and hostile bundles.
# The bundles are `crun spec` defaults on a busybox rootfs.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/bundle.sh"
world_enter "$@"
RT=$B/cagefs-runtime
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }
SHARE=$WORLD/share; mkdir -p "$SHARE"; chmod 777 "$SHARE"
BIND='c["mounts"].append({"destination": "/data", "type": "bind", "source": "'$SHARE'", "options": ["rbind", "rw"]})'
mounts0=$(grep -c . /proc/self/mountinfo)

# ---- run: stdout, stdin, exit status ----
mkbundle "$WORLD/b1" "$(args 'echo hello; read x; echo "got $x"; exit 42')"
out=$(echo typed | "$RT" run --bundle "$WORLD/b1" c1 2>&1); rc=$?
is "$out" "hello
got typed" "run: the process's stdout and stdin are the runtime's"
is "$rc" 42 "run: the process's exit status is the runtime's"
fails_with "run leaves nothing: state c1 fails afterwards" 1 "^cagefs-runtime: error: no container and no user named c1$" "$RT" state c1

# ---- the lifecycle: create, state, start, kill, delete ----
mkbundle "$WORLD/b2" "$(args 'trap "echo term > /data/term; exit 3" TERM; echo started > /data/started; while :; do sleep 1; done')
$BIND"
rm -f "$SHARE"/*
( cd "$WORLD/b2" && timeout 10 "$RT" create --pid-file "$WORLD/c2.pid" c2 ) >"$WORLD/create.out" 2>&1; rc=$?
ok $rc "create (bundle = the current directory) returns at once with status 0"
is "status $rc: $(cat "$WORLD/create.out")" "status 0: " "... and prints nothing"
st=$("$RT" state c2)
is "$(echo "$st" | field status)" created "state: created"
same "$(echo "$st" | field pid)" "$(cat "$WORLD/c2.pid")" "state's pid is the one in --pid-file"
is "$(echo "$st" | field bundle)" "$WORLD/b2" "state's bundle is the bundle's absolute path"
is "$(echo "$st" | field id)" c2 "state's id"
like "$st" '"ociVersion":"1\.[0-9.]+"' "state has ociVersion"
run "state is valid JSON with the spec's required fields" /usr/bin/python3 -c '
import json,sys; s=json.loads(sys.argv[1]); assert set(["ociVersion","id","status","pid","bundle"]) <= set(s)' "$st"
sleep 0.3
is "$("$RT" state c2 | field status): $(ls "$SHARE")" "created: " "the process has not run before start (created, nothing in /data)"
fails_with "create of an id that exists fails" 1 "error: container c2 already exists$" "$RT" create --bundle "$WORLD/b2" c2
like "$(cat "$WORLD/last.out")" "already exists" "... saying it exists"
pid=$(cat "$WORLD/c2.pid")
run "start returns 0" "$RT" start c2
for i in $(seq 50); do [ -e "$SHARE/started" ] && break; sleep 0.1; done
run "the process runs after start" test -e "$SHARE/started"
is "$("$RT" state c2 | field status)" running "state: running"
fails_with "start of a running container fails" 1 "error: container c2 is not in the created state" "$RT" start c2
fails_with "delete of a running container fails (without --force)" 1 \
	"error: container c2 is running, not stopped: kill it first, or delete --force" "$RT" delete c2
is "$("$RT" state c2 | field status)" running "... and leaves it running"
like "$("$RT" exec c2 sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "; hostname' | tr '\n' '|')" "^[0-9]+[|]sh -c trap" \
	"exec joins the container: its pid namespace, its init as pid 1"
run "kill (TERM by default) returns 0" "$RT" kill c2
for i in $(seq 50); do [ "$("$RT" state c2 | field status)" = stopped ] && break; sleep 0.1; done
is "$(cat "$SHARE/term" 2>/dev/null)" term "the process got SIGTERM"
is "$("$RT" state c2 | field status)" stopped "state: stopped once it exited"
lacks "$("$RT" state c2)" '"status":"stopped"' '"pid"' "a stopped container's state has no pid"
fails_with "kill of a stopped container fails" 1 "error: container c2 is not running \(stopped\)" "$RT" kill --signal KILL c2
run "delete of a stopped container" "$RT" delete c2
fails_with "state of a deleted container fails" 1 "^cagefs-runtime: error: no container and no user named c2$" "$RT" state c2
run "... and its process ($pid) is gone" sh -c '[ -n "$1" ] && ! kill -0 "$1" 2>/dev/null' sh "$pid"
"$RT" create --bundle "$WORLD/b2" c3 && "$RT" start c3
run "kill --signal KILL" "$RT" kill --signal KILL c3
for i in $(seq 50); do [ "$("$RT" state c3 | field status)" = stopped ] && break; sleep 0.1; done
run "delete after KILL" "$RT" delete c3
"$RT" create --bundle "$WORLD/b2" c4
fails_with "an unknown command fails, with the usage" 2 "^Usage: cagefs-runtime " "$RT" frobnicate c4
fails_with "... on an id that names nothing too, said as such" 2 "^cagefs-runtime: unknown command 'frobnicate'$" \
	"$RT" frobnicate nosuchid
run "delete --force of a created container" "$RT" delete --force c4
fails_with "... it is gone" 1 "^cagefs-runtime: error: no container and no user named c4$" "$RT" state c4
fails_with "an id with a slash is refused" 1 "error: invalid container id '\.\./x'" "$RT" create --bundle "$WORLD/b2" ../x
fails_with "start of an unknown container fails" 1 "^cagefs-runtime: error: no container and no user named nosuch$" "$RT" start nosuch
like "$(cat "$WORLD/last.out")" "no container and no user named nosuch" "... saying there is no such container (nor user)"
fails_with "an ordinary container may not take a user's name" 1 "^cagefs-runtime: error: root is a user's name " \
	"$RT" create --bundle "$WORLD/b2" root
like "$(cat "$WORLD/last.out")" "is a user's name" "... saying why"

# ---- what the init and the process hold ----
( cd "$WORLD/b2" && "$RT" create --pid-file c5.pid c5 )
pid=$("$RT" state c5 | field pid)
same "$(cat "$WORLD/b2/c5.pid" 2>/dev/null)" "$pid" "a relative --pid-file is taken from the current directory"
lacks "$(ls -l /proc/$pid/fd/ 2>&1)" "containers/c5/exec\.fifo$" "containers/c5$" "the waiting init holds no fd of the state directory (only exec.fifo)"
is "$(awk '/^Uid/ {print $2}' /proc/$pid/status) $(stat -c %U /proc/$pid/fd 2>/dev/null)" "0 root" "... and is not dumpable (its /proc files stay root's)"
like "$(readlink /proc/$pid/exe)" "^/memfd:cagefs-runtime" "... and runs a sealed copy of the runtime, not the host's file (CVE-2019-5736)"
fails_with "... which cannot be written, even by root" 2 "cannot create /proc/[0-9]+/exe: Text file busy" sh -c "echo x >> /proc/$pid/exe"
"$RT" delete --force c5
mkbundle "$WORLD/b2s" "$(args 'read a b c d e sid rest < /proc/self/stat; echo "$sid $$"; ls /data')
c['mounts'].append({'destination': '/data', 'type': 'bind', 'source': 'relsrc', 'options': ['rbind', 'ro']})"
mkdir -p "$WORLD/b2s/relsrc"; touch "$WORLD/b2s/relsrc/in-the-bundle"
out=$("$RT" run --bundle "$WORLD/b2s" s1 2>&1)
is "$(echo "$out" | sed -n 1p | awk '{print ($1 != "" && $1 == $2) ? "leader" : "not: " $0}')" leader "the process has a session of its own (no TIOCSTI into the caller's terminal)"
is "$(echo "$out" | sed -n 2p)" in-the-bundle "a relative bind source is taken from the bundle, not the host's /"

# ---- hooks: order, state on stdin, namespaces ----
HLOG=$SHARE/hooks.log; rm -f "$SHARE"/*
cat > "$WORLD/hook" <<'H'
#!/bin/sh
# $1: the hook's kind; the state JSON arrives on stdin.
state=$(cat)
echo "$1 $(echo "$state" | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["id"], s["status"], "pid" in s)')" >> "$2"
H
chmod 755 "$WORLD/hook"
# startContainer runs in the container (after pivot_root): a rootfs program.
hooks="c['hooks'] = {k: [{'path': '$WORLD/hook', 'args': ['hook', k, '$HLOG']}] for k in
  ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop']}
c['hooks']['startContainer'] = [{'path': '/bin/sh', 'args': ['sh', '-c', 'echo startContainer in-container >> /data/hooks.log']}]"
mkbundle "$WORLD/b3" "$(args 'echo process >> /data/hooks.log')
$BIND
$hooks"
"$RT" run --bundle "$WORLD/b3" h1 >/dev/null 2>&1
is "$(cat "$HLOG")" "prestart h1 creating True
createRuntime h1 creating True
createContainer h1 creating True
startContainer in-container
process
poststart h1 running True
poststop h1 stopped False" "hooks run in the spec's order, each with the state on stdin"
mkbundle "$WORLD/b4" "$(args 'echo ran > /data/ran')
$BIND
c['hooks'] = {'createRuntime': [{'path': '/bin/false'}]}"
rm -f "$SHARE"/*
refused=no; fails_with "a failing createRuntime hook fails create" 1 "error: hook /bin/false failed \(exit status 1\)" \
	"$RT" create --bundle "$WORLD/b4" h2 && refused=yes
like "$(cat "$WORLD/last.out")" "hook /bin/false failed" "... naming the hook"
fails_with "... and leaves no container" 1 "^cagefs-runtime: error: no container and no user named h2$" "$RT" state h2
run "... and the process never ran (create stopped at the hook)" test $refused = yes -a ! -e "$SHARE/ran"
mkbundle "$WORLD/b5" "$(args true)
c['hooks'] = {'prestart': [{'path': '/bin/sleep', 'args': ['sleep', '30'], 'timeout': 1}]}"
fails_with "a hook past its timeout fails create" 1 "error: hook /bin/sleep timed out after 1 s" "$RT" create --bundle "$WORLD/b5" h3
like "$(cat "$WORLD/last.out")" "timed out after 1 s" "... saying it timed out"

# ---- the same bundle under crun: what the process sees ----
# (crun refuses hybrid cgroups: hide the v2 tree in a private namespace.)
SEE='grep -E "^(Cap|NoNewPrivs|Seccomp|Uid|Gid|Groups)" /proc/self/status; hostname; ulimit -n; umask; pwd;
ls /dev | grep -v "^core$" | tr "\n" " "; echo; ps -o pid,user,comm | head -3; ls /proc/self/fd | tr "\n" " "; echo;
cat /proc/kcore 2>&1 | head -c 40; echo; touch /x 2>&1 | head -c 30; echo; cat /proc/self/uid_map'
compare() { # NAME PYTHON: the bundle run by crun and by us, outputs equal
	mkbundle "$WORLD/cmp-$1" "$(args "$SEE")
$2"
	local theirs ours
	theirs=$(cd "$WORLD/cmp-$1" && unshare -m sh -c "umount /sys/fs/cgroup/unified 2>/dev/null; crun --root $WORLD/crun run cmp-$1" 2>&1)
	ours=$("$RT" run --bundle "$WORLD/cmp-$1" cmp-$1 2>&1)
	is "$ours" "$theirs" "as under crun: $1"
}
compare default 'c["root"]["readonly"] = True'
compare user-and-caps 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5, 7], "umask": 23}
c["process"]["capabilities"]["bounding"].append("CAP_CHOWN")
c["process"]["capabilities"]["inheritable"] = ["CAP_KILL"]
c["process"]["capabilities"]["ambient"] = ["CAP_KILL"]
c["process"]["cwd"] = "/data"; c["hostname"] = "box1"
c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}]'
compare nnp-seccomp 'import json as j
c["process"]["noNewPrivileges"] = True
c["linux"]["seccomp"] = j.load(open("'"$TOP"'/seccomp/default.json"))'
compare userns 'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
c["mounts"] = [m for m in c["mounts"] if m["type"] not in ("cgroup",)]'

# ---- namespaces by path, sysctl, devices ----
mkbundle "$WORLD/b6" "$(args 'sleep 1000')"
"$RT" create --bundle "$WORLD/b6" n1 && "$RT" start n1
p1=$("$RT" state n1 | field pid)
mkbundle "$WORLD/b7" "$(args 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts; cat /proc/sys/net/ipv4/ip_forward')
c['linux']['namespaces'] = [n if n['type'] != 'network' else {'type': 'network', 'path': '/proc/$p1/ns/net'} for n in c['linux']['namespaces']]
c['linux']['sysctl'] = {'net.ipv4.ip_forward': '1'}"
host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
out=$("$RT" run --bundle "$WORLD/b7" n2 2>&1)
same "$(echo "$out" | sed -n 1p)" "$(readlink /proc/$p1/ns/net)" "a network namespace given by path is joined"
isnt "$(echo "$out" | sed -n 2p)" "$(readlink /proc/$p1/ns/uts)" "... the others are new"
is "$(echo "$out" | sed -n 3p)" 1 "linux.sysctl is set in the container's network namespace"
is "$(echo "$out" | sed -n 3p) inside, $(cat /proc/sys/net/ipv4/ip_forward) on the host" "1 inside, $host_fwd on the host" "... and not on the host"
"$RT" delete --force n1
mkbundle "$WORLD/b8" "$(args true)
c['linux']['sysctl'] = {'kernel.pid_max': '5000'}"
fails_with "a sysctl of no namespace of the container's is refused" 1 \
	"linux\.sysctl kernel\.pid_max=5000: not a setting of a namespace of the container's own" "$RT" run --bundle "$WORLD/b8" n3
like "$(cat "$WORLD/last.out")" "kernel.pid_max" "... naming it"
mkbundle "$WORLD/b8h" "$(args true)
c['linux']['namespaces'] = [n if n['type'] != 'network' else {'type': 'network', 'path': '/proc/1/ns/net'} for n in c['linux']['namespaces']]
c['linux']['sysctl'] = {'net.ipv4.ip_forward': '1'}"
refused=no; fails_with "a sysctl in the host's network namespace (joined by path) is refused" 1 \
	"error: namespace /proc/1/ns/net is the host's: linux\.sysctl and hostname may not be set in it" \
	"$RT" run --bundle "$WORLD/b8h" n4 && refused=yes
like "$(cat "$WORLD/last.out")" "is the host's" "... saying so"
is "refused: $refused, ip_forward $(cat /proc/sys/net/ipv4/ip_forward)" "refused: yes, ip_forward $host_fwd" "... and the host's setting is unchanged"
mkbundle "$WORLD/b9" "$(args 'ls -ln /dev/mydev; ls -ln /dev/fuse')
c['linux']['devices'] = [{'path': '/dev/mydev', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 0o600, 'uid': 7, 'gid': 8},
                         {'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 0o666}]"
out=$("$RT" run --bundle "$WORLD/b9" d1 2>&1)
like "$(echo "$out" | sed -n 1p)" "^crw------- +1 7 +8 +1, +3 " "linux.devices: node, mode and owner as asked"
like "$(echo "$out" | sed -n 2p)" "^crw-rw-rw- +1 0 +0 +10, +229 " "... a second one"

# ---- cgroups: a relative cgroupsPath is below our own cgroup ----
mem=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
if [ -n "$mem" ] && [ -w "/sys/fs/cgroup/memory$mem" ]; then
	cg=cagefs-test-$WORLD_ID
	mkbundle "$WORLD/b10" "$(args 'sleep 1000')
c['linux']['cgroupsPath'] = '$cg'
c['linux']['resources'] = {'memory': {'limit': 67108864}, 'pids': {'limit': 40}}"
	"$RT" create --bundle "$WORLD/b10" g1
	p=$("$RT" state g1 | field pid)
	is "$(cat "/sys/fs/cgroup/memory$mem/$cg/memory.limit_in_bytes")" 67108864 "memory.limit is the cgroup's limit"
	is "$(cat "/sys/fs/cgroup/pids$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup)/$cg/pids.max" 2>/dev/null)" 40 "pids.limit is the cgroup's pids.max"
	like "$(grep memory /proc/$p/cgroup)" "/$cg\$" "the init is in the container's cgroup"
	like "$("$RT" exec g1 cat /proc/self/cgroup | grep memory)" "/$cg\$" "exec joins the container's cgroup"
	made=$(ls -d "/sys/fs/cgroup/memory$mem/$cg" 2>/dev/null)
	"$RT" delete --force g1
	run "delete removes the container's cgroup (there before)" test -n "$made" -a ! -e "/sys/fs/cgroup/memory$mem/$cg"
	# cpu is mounted apart from cpuacct here: found by controller, not by name.
	cpu=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $3}' /proc/self/cgroup)
	cpudir=/sys/fs/cgroup/$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $2}' /proc/self/cgroup)$cpu
	cpudir=${cpudir%/}
	# No pid namespace: a forked process is not taken along by the init's
	# death; delete empties the cgroup.
	mkbundle "$WORLD/b10b" "$(args 'sleep 2000 & exec sleep 1000')
c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']
c['linux']['cgroupsPath'] = '$cg'
c['linux']['resources'] = {'cpu': {'shares': 512}}"
	"$RT" create --bundle "$WORLD/b10b" g2 && "$RT" start g2; sleep 0.3
	is "$(cat "$cpudir/$cg/cpu.shares" 2>&1)" 512 "cpu.shares in the hierarchy holding cpu ($cpudir)"
	forked=$(pgrep -x -f 'sleep 2000' | tr '\n' ' '); made=$(ls -d "$cpudir/$cg" 2>/dev/null)
	"$RT" delete --force g2
	run "delete --force kills what the container forked, too (${forked:-nothing was forked})" sh -c "[ -n '$forked' ] && ! pgrep -x -f 'sleep 2000'"
	run "... and removes the cgroup from every hierarchy (there before)" test -n "$made" -a ! -e "$cpudir/$cg" -a ! -e "/sys/fs/cgroup/pids$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup | sed 's#/$##')/$cg"
else
	diag "no writable memory cgroup of our own: cgroup limits not tested"
fi

# ---- cgroup v2: on this hybrid host hugetlb is on the v2 tree ----
# (docs/ARCHITECTURE.md §7)
V2=/sys/fs/cgroup/unified
own2=$(awk -F: '$1 == 0 {print $3}' /proc/self/cgroup); own2=${own2%/}
if grep -qw hugetlb "$V2$own2/cgroup.controllers" 2>/dev/null && [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] \
	&& [ -d /sys/kernel/mm/hugepages/hugepages-1048576kB ]; then
	had=$(cat "$V2$own2/cgroup.subtree_control")
	cg=cagefs-v2-$WORLD_ID
	mkbundle "$WORLD/b11" "$(args 'sleep 1000')
c['linux']['cgroupsPath'] = '$cg/ctr'
c['linux']['resources'] = {'hugepageLimits': [{'pageSize': '2MB', 'limit': 4194304}],
                           'unified': {'hugetlb.1GB.max': '1073741824'}}"
	run "hugepageLimits and unified on the v2 tree of a hybrid host" "$RT" create --bundle "$WORLD/b11" h1
	p=$("$RT" state h1 | field pid)
	is "$(cat "$V2$own2/$cg/ctr/hugetlb.2MB.max" 2>&1)" 4194304 "hugepageLimits: hugetlb.2MB.max (v2 spelling)"
	is "$(cat "$V2$own2/$cg/ctr/hugetlb.1GB.max" 2>&1)" 1073741824 "unified: hugetlb.1GB.max written as given"
	like "$(cat "$V2$own2/cgroup.subtree_control") / $(cat "$V2$own2/$cg/cgroup.subtree_control")" \
		"hugetlb.* / hugetlb" "the controller is enabled in every ancestor's cgroup.subtree_control"
	is "$(grep '^0::' /proc/$p/cgroup)" "0::$own2/$cg/ctr" "the init is in the container's v2 cgroup"
	like "$(grep memory /proc/$p/cgroup)" "/$cg/ctr\$" "... and in the v1 ones, with the same path"
	made=$(ls -d "$V2$own2/$cg/ctr" 2>/dev/null)
	"$RT" delete --force h1
	run "delete removes the v2 cgroup (there before)" test -n "$made" -a ! -e "$V2$own2/$cg/ctr"
	mkbundle "$WORLD/b11b" "$(args 'true')
c['linux']['cgroupsPath'] = '$cg/ctr2'
c['linux']['resources'] = {'unified': {'memory.high': '1M'}}"
	refused=no; fails_with "unified: a v1 controller's file is refused" 1 \
		"error: linux\.resources\.unified: memory\.high needs the memory controller on cgroup v2" \
		"$RT" run --bundle "$WORLD/b11b" h2 && refused=yes
	like "$(cat "$WORLD/last.out")" "memory.high needs the memory controller on cgroup v2" "... saying why"
	run "... and leaves no cgroup behind" test $refused = yes -a ! -e "$V2$own2/$cg/ctr2" -a ! -e "/sys/fs/cgroup/memory$mem/$cg/ctr2"
	# v2's rule: a cgroup holding processes hands no controller down. A
	# runtime in a non-root v2 cgroup cannot put a limit below itself.
	mkdir "$V2$own2/$cg-self"
	mkbundle "$WORLD/b11c" "$(args 'true')
c['linux']['resources'] = {'hugepageLimits': [{'pageSize': '2MB', 'limit': 0}]}"
	out=$(sh -c 'echo $$ > "$1/cgroup.procs"; exec "$2" run --bundle "$3" h3' sh "$V2$own2/$cg-self" "$RT" "$WORLD/b11c" 2>&1)
	like "$out" "cannot enable the hugetlb controller below .*cgroup v2 directory holding processes cannot hand controllers down" \
		"a limit below the runtime's own busy v2 cgroup: a clear error"
	rmdir "$V2$own2/$cg-self"
	# A unified host, as far as this kernel lets one be made: cgroup2
	# alone at /sys/fs/cgroup, in a mount namespace of its own.
	mkbundle "$WORLD/b12" "$(args 'sleep 1000')
c['linux']['cgroupsPath'] = '$cg/pure'
c['linux']['resources'] = {'hugepageLimits': [{'pageSize': '1GB', 'limit': 0}]}"
	mkbundle "$WORLD/b12b" "$(args 'true')
c['linux']['resources'] = {'memory': {'limit': 67108864}}"
	out=$(RT=$RT unshare -m --propagation private sh -c "umount -R /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup &&
		\"\$RT\" create --bundle $WORLD/b12 u1 && cat /sys/fs/cgroup$own2/$cg/pure/hugetlb.1GB.max &&
		grep '^0::' /proc/\$(\"\$RT\" state u1 | sed 's/.*\"pid\":\([0-9]*\).*/\1/')/cgroup; \"\$RT\" delete --force u1;
		test -e /sys/fs/cgroup$own2/$cg/pure && echo left; \"\$RT\" run --bundle $WORLD/b12b u2" 2>&1)
	like "$(printf '%s\n' "$out" | tr '\n' '|')" "^0[|]0::$own2/$cg/pure[|]" \
		"unified host: the limit is set in the one v2 tree, and the init is in it"
	lacks "$out" "^0::$own2/$cg/pure$" "^left$" "unified host: delete removes the cgroup (where the init was)"
	like "$out" "no cgroup hierarchy has the memory controller" "unified host: a limit whose controller v2 lacks is refused"
	# delete removes the container's directory; its parent is the test's.
	world_cgroups | while read -r m own; do rmdir "$m$own/$cg" 2>/dev/null; done
	case " $had " in *" hugetlb "*) ;; *) echo -hugetlb > "$V2$own2/cgroup.subtree_control" ;; esac
	run "the test leaves no v2 cgroup behind (h1 was made in it)" test -n "$p" -a ! -e "$V2$own2/$cg"
else
	diag "no hugetlb controller on a v2 tree here: cgroup v2 not tested"
fi
mkbundle "$WORLD/b13" "$(args 'true')
c['linux']['resources'] = {'hugepageLimits': [{'pageSize': '../../x', 'limit': 1}]}"
fails_with "a hugepageLimits pageSize that is not a size is refused" 1 \
	"error: $WORLD/b13: config\.json: linux\.resources\.hugepageLimits\[0\] needs a pageSize like" "$RT" run --bundle "$WORLD/b13" h3
like "$(cat "$WORLD/last.out")" "hugepageLimits\[0\] needs a pageSize" "... naming the entry"
mkbundle "$WORLD/b14" "$(args 'true')
c['linux']['resources'] = {'unified': {'cgroup.procs': '1'}}"
fails_with "unified: cgroup.procs (moving a process) is refused" 1 \
	'linux\.resources\.unified: "cgroup\.procs" is not a cgroup v2 file cagefs-runtime may write' "$RT" run --bundle "$WORLD/b14" h4
mkbundle "$WORLD/b15" "$(args 'true')
c['linux']['resources'] = {'unified': {'hugetlb.2MB/../../x': '1'}}"
fails_with "unified: a key with a / is refused" 1 \
	'linux\.resources\.unified: "hugetlb\.2MB/\.\./\.\./x" is not a cgroup v2 file cagefs-runtime may write' "$RT" run --bundle "$WORLD/b15" h5

# ---- a terminal through --console-socket ----
cat > "$WORLD/console.py" <<'PY'
import os, signal, socket, sys
signal.alarm(20)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[2] + ".ready", "w").close()
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 1024, 1)
out = [msg.decode()]
while True:
    try: d = os.read(fds[0], 4096)
    except OSError: break
    if not d: break
    out.append(d.decode(errors="replace"))
open(sys.argv[2], "w").write("\n".join(out))
PY
/usr/bin/python3 "$WORLD/console.py" "$WORLD/console.sock" "$WORLD/console.out" &
for i in $(seq 50); do [ -e "$WORLD/console.out.ready" ] && break; sleep 0.1; done
mkbundle "$WORLD/b11" "$(args 'tty; test -t 0 && echo stdin-is-a-tty; echo on-the-console > /dev/console')
c['process']['terminal'] = True"
"$RT" create --bundle "$WORLD/b11" --console-socket "$WORLD/console.sock" t1 </dev/null && "$RT" start t1
wait
out=$(cat "$WORLD/console.out")
like "$out" '"type":"terminal","container":"t1"' "--console-socket gets the pty master with the spec's message"
like "$out" "/dev/pts/0" "... the process's terminal is the container's /dev/pts/0"
like "$out" "stdin-is-a-tty" "... on its stdin too"
like "$out" "on-the-console" "... and /dev/console is that terminal"
"$RT" delete --force t1
fails_with "terminal without --console-socket is refused" 1 "error: process\.terminal is true: --console-socket is needed" \
	"$RT" create --bundle "$WORLD/b11" t2

# ---- hostile and broken bundles ----
# Symlinks in a rootfs are normal (resolv.conf -> ../run/...): they are
# followed, but inside the rootfs (RESOLVE_IN_ROOT), as runc and crun do.
mkbundle "$WORLD/bad1" "$(args 'grep -E " /(x|run/resolv.conf) " /proc/self/mounts | cut -d" " -f2,3')
c['mounts'].append({'destination': '/escape/x', 'type': 'tmpfs', 'source': 'tmpfs'})
c['mounts'].append({'destination': '/etc/resolv.conf', 'type': 'bind', 'source': '/etc/hostname', 'options': ['bind', 'ro']})"
ln -s / "$WORLD/bad1/rootfs/escape"
mkdir -p "$WORLD/bad1/rootfs/run" && ln -s ../run/resolv.conf "$WORLD/bad1/rootfs/etc/resolv.conf"
out=$("$RT" run --bundle "$WORLD/bad1" x1 2>&1)
like "$out" "^/x tmpfs" "a mount destination through a symlink to / lands in the rootfs's own /"
like "$out" "/run/resolv.conf " "... a relative link (etc/resolv.conf -> ../run/resolv.conf) is followed inside it"
printf '%s\n' "$out" | grep -q '^/x tmpfs' && [ ! -e /x ]
ok $? "... nothing was created on the host (/x is the rootfs's)"
mkbundle "$WORLD/bad2" "$(args true)
c['linux']['devices'] = [{'path': '/dev/../../pwn', 'type': 'c', 'major': 1, 'minor': 3}]"
"$RT" run --bundle "$WORLD/bad2" x2 >/dev/null 2>&1; rc=$?
run "a device path with .. does not leave the rootfs (run: status $rc, the node is the rootfs's /pwn)" \
	test $rc = 0 -a -c "$WORLD/bad2/rootfs/pwn" -a ! -e "$WORLD/pwn" -a ! -e /pwn
mkbundle "$WORLD/bad3"; echo '{"ociVersion": "1.0.0", "process": ' > "$WORLD/bad3/config.json"
fails_with "a truncated config.json fails create" 1 "error: $WORLD/bad3: config\.json:1:[0-9]+: parse error: premature EOF" \
	"$RT" create --bundle "$WORLD/bad3" x3
like "$(cat "$WORLD/last.out")" "config.json" "... naming the file"
fails_with "... leaving no container" 1 "^cagefs-runtime: error: no container and no user named x3$" "$RT" state x3
fails_with "a missing bundle fails" 1 "error: bundle $WORLD/nonesuch: No such file or directory" "$RT" create --bundle "$WORLD/nonesuch" x4
mkbundle "$WORLD/bad4" "$(args true)
c['process']['user']['uid'] = 4294967296"
fails_with "a uid beyond 32 bits is refused, never cut to 0 (root)" 1 \
	"error: $WORLD/bad4: config\.json: process\.user\.uid/gid missing or invalid" "$RT" create --bundle "$WORLD/bad4" x4b
mkbundle "$WORLD/bad5" "$(args true)
c['process']['capabilities']['bounding'].append('CAP_NONSENSE')"
fails_with "an unknown capability is refused" 1 "config\.json: process\.capabilities\.bounding: unknown capability CAP_NONSENSE" \
	"$RT" create --bundle "$WORLD/bad5" x5
like "$(cat "$WORLD/last.out")" "CAP_NONSENSE" "... naming it"
mkbundle "$WORLD/bad6" "$(args true)
c['linux']['cgroupsPath'] = '../../../escape'
c['linux']['resources'] = {'pids': {'limit': 10}}"
NOTPLAIN="config\.json: linux\.cgroupsPath is not a plain path below the root"
fails_with "a cgroupsPath with .. is refused" 1 "$NOTPLAIN" "$RT" run --bundle "$WORLD/bad6" x6
mkdir -p "$WORLD/victim"
mkbundle "$WORLD/bad7" "$(args true)
c['linux']['cgroupsPath'] = '/../../../../..$WORLD/victim'"
victim_refused=no; fails_with "an absolute cgroupsPath with .. is refused" 1 "$NOTPLAIN" "$RT" run --bundle "$WORLD/bad7" x7 && victim_refused=yes
# The root, the runtime's own cgroup ("."), or odd spellings of a path:
# delete would kill everything in such a cgroup.
for cgp in / . ./ a/ a//b a/./b "$(printf 'a\nb')"; do
	mkbundle "$WORLD/bad8" "$(args true)
c['linux']['cgroupsPath'] = $(/usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$cgp")"
	fails_with "cgroupsPath $(printf %q "$cgp") is refused" 1 "$NOTPLAIN" "$RT" run --bundle "$WORLD/bad8" x8
done
like "$(cat "$WORLD/last.out")" "linux.cgroupsPath is not a plain path" "... saying why"
mkbundle "$WORLD/bad9" "$(args true)
c['linux']['resources'] = {'memory': {'limit': '1G'}}"
fails_with "a limit of the wrong type is refused, not dropped" 1 "config\.json: linux\.resources\.memory\.limit is not an integer" \
	"$RT" run --bundle "$WORLD/bad9" x9
like "$(cat "$WORLD/last.out")" "memory.limit is not an integer" "... naming it"
# An existing cgroup that holds processes is not taken: delete would kill them.
if [ -n "$mem" ] && [ -w "/sys/fs/cgroup/memory$mem" ]; then
	busy=cagefs-busy-$WORLD_ID
	mkdir "/sys/fs/cgroup/memory$mem/$busy"
	sleep 1000 & bystander=$!
	echo $bystander > "/sys/fs/cgroup/memory$mem/$busy/cgroup.procs"
	mkbundle "$WORLD/bad10" "$(args true)
c['linux']['cgroupsPath'] = '$busy'
c['linux']['resources'] = {'memory': {'limit': 67108864}}"
	refused=no; fails_with "a cgroupsPath that already holds processes is refused" 1 \
		"error: cgroup .*/$busy already holds processes: a container does not share its cgroup" \
		"$RT" run --bundle "$WORLD/bad10" x10 && refused=yes
	like "$(cat "$WORLD/last.out")" "already holds processes" "... saying so"
	[ $refused = yes ] && kill -0 $bystander
	ok $? "... and the process in it lives on"
	kill $bystander; wait $bystander 2>/dev/null
	echo $$ > "/sys/fs/cgroup/memory$mem/cgroup.procs"
	rmdir "/sys/fs/cgroup/memory$mem/$busy"
fi
run "... and the directory it named is still there (its run was refused)" test $victim_refused = yes -a -d "$WORLD/victim"

# ---- a runtime killed in the middle of create ----
mkbundle "$WORLD/b12" "$(args true)
c['hooks'] = {'createRuntime': [{'path': '/bin/sleep', 'args': ['sleep', '30']}]}"
"$RT" create --bundle "$WORLD/b12" k1 >/dev/null 2>&1 &
rtpid=$!
for i in $(seq 50); do [ "$("$RT" state k1 2>/dev/null | field status)" = creating ] && break; sleep 0.1; done
is "$("$RT" state k1 | field status)" creating "state: creating while create runs"
init=$("$RT" state k1 | field pid)
kill -9 $rtpid; wait $rtpid 2>/dev/null; pkill -9 -f 'sleep 30'; sleep 0.3
is "$("$RT" state k1 | field status)" stopped "the runtime killed with -9 mid-create: stopped"
run "... delete cleans it up" "$RT" delete k1
# (the pattern's brackets keep it from matching the shell running pgrep)
run "... and its init (${init:-none}) is gone too" sh -c "[ -n '$init' ] && ! pgrep -f 'create --bundle .*/b1[2] k1'"

# ---- create, start and delete of one id do not interleave ----
mkbundle "$WORLD/b13" "$(args 'sleep 1000')
c['hooks'] = {'createRuntime': [{'path': '/bin/sleep', 'args': ['sleep', '1']}]}"
"$RT" create --bundle "$WORLD/b13" r1 >/dev/null 2>&1 &
crpid=$!
for i in $(seq 50); do [ "$("$RT" state r1 2>/dev/null | field status)" = creating ] && break; sleep 0.05; done
init=$("$RT" state r1 2>/dev/null | field pid)
"$RT" delete --force r1 >/dev/null 2>&1   # waits for the create, then kills what it made
wait $crpid
fails_with "delete --force during create: the container is gone afterwards" 1 "^cagefs-runtime: error: no container and no user named r1$" "$RT" state r1
run "... and so is its init (${init:-none})" sh -c "[ -n '$init' ] && ! pgrep -f 'create --bundle .*/b1[3] r1'"
run "... and the id can be created again" "$RT" create --bundle "$WORLD/b13" r1
r1=$("$RT" state r1 | field status)
is "$r1" created "... and it is a whole container"
"$RT" delete --force r1

# ---- what is left ----
is "$("$RT" list; echo "list: status $?")" "list: status 0" "no container left"
is "$(grep -c . /proc/self/mountinfo) lines (r1 was ${r1:-never made})" "$mounts0 lines (r1 was created)" \
	"the mount table is as it was, after the containers above (the last, r1, was whole)"
done_testing
