#!/bin/bash
# libmount where it serves (docs/ARCHITECTURE.md §4.13): mount options of
# config.json read with libmount's tables — Linux flags set and cleared,
# atime modes, propagation, mount(8)-only options dropped or refused, the
# rest the filesystem's — seen in the mount table of a running container;
# and cagefsctl --unmount-dir, which reads each live cage's mount table
# with libmount and detaches the directory and what is mounted below it.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/bundle.sh"
world_enter "$@"
RT=$B/cagefs-runtime

# ---- mount options of an ordinary bundle ----
SHARE=$WORLD/share; mkdir -p "$SHARE"
# mountinfo DEST: "MOUNT-OPTIONS SUPER-OPTIONS PROPAGATION" of DEST, as
# the container's own /proc/self/mountinfo shows it.
show='for d in /data /scratch /shared; do awk -v d=$d '"'"'$5 == d { p = "private"; for (i = 7; $i != "-"; i++) if ($i ~ /^shared:/) p = "shared"; print d, $6, $(i + 3), p }'"'"' /proc/self/mountinfo; done'
mkbundle "$WORLD/opts" "$(args "$show")
c['mounts'] += [
 {'destination': '/data', 'type': 'bind', 'source': '$SHARE',
  'options': ['rbind', 'ro', 'nosuid', 'nodev', 'noatime', 'nosymfollow', 'rprivate', 'defaults', 'x-cagefs.note=1', 'nofail']},
 {'destination': '/scratch', 'type': 'tmpfs', 'source': 'tmpfs',
  'options': ['nosuid', 'noexec', 'strictatime', 'mode=1700', 'size=1m']},
 {'destination': '/shared', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['rshared', 'nodiratime']}]"
out=$("$RT" run --bundle "$WORLD/opts" opts 2>&1); rc=$?
is "$rc" 0 "a bundle with libmount's options runs"
is "$(printf '%s\n' "$out" | grep '^/data ')" "/data ro,nosuid,nodev,noatime,nosymfollow rw private" \
	"bind: ro, nosuid, nodev, noatime, nosymfollow applied; rprivate; defaults, x-*, nofail dropped"
is "$(printf '%s\n' "$out" | grep '^/scratch ' | cut -d' ' -f1,2)" "/scratch rw,nosuid,noexec" \
	"tmpfs: nosuid, noexec as flags (strictatime shows as no atime option)"
like "$(printf '%s\n' "$out" | grep '^/scratch ' | cut -d' ' -f3)" "(^|,)size=1024k(,|$)" \
	"tmpfs: size=1m reached the filesystem"
like "$(printf '%s\n' "$out" | grep '^/scratch ' | cut -d' ' -f3)" "(^|,)mode=1700(,|$)" \
	"tmpfs: mode=1700 reached the filesystem"
is "$(printf '%s\n' "$out" | grep '^/shared ')" "/shared rw,nodiratime,relatime rw shared" \
	"tmpfs: rshared propagation and nodiratime applied"

# refused OPTION MESSAGE: a mount with OPTION cannot be made, and says why.
refused() {
	mkbundle "$WORLD/bad" "$(args 'echo ran')
c['mounts'].append({'destination': '/x', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['$1']})"
	is "$("$RT" run --bundle "$WORLD/bad" bad 2>&1; echo "rc=$?")" "cagefs-runtime: error: $2
rc=1" "option $1: refused ($2)"
}
refused loop "mount on /x: option 'loop' needs mount(8) itself; it cannot be applied here"
refused remount "mount on /x: option 'remount' has no meaning in config.json"
mkbundle "$WORLD/prop" "$(args 'echo ran')
c['linux']['rootfsPropagation'] = 'rprivately'"
is "$("$RT" run --bundle "$WORLD/prop" prop 2>&1; echo "rc=$?")" \
	"cagefs-runtime: error: $WORLD/prop: config.json: linux.rootfsPropagation: 'rprivately' is not a mount propagation
rc=1" "rootfsPropagation must be a propagation libmount knows"
mkbundle "$WORLD/prop" "$(args 'awk '"'"'$5 == "/" { for (i = 7; $i != "-"; i++) print $i }'"'"' /proc/self/mountinfo')
c['linux']['rootfsPropagation'] = 'rshared'"
like "$("$RT" run --bundle "$WORLD/prop" prop 2>&1)" "^shared:[0-9]+$" "rootfsPropagation rshared: the root is shared"

# ---- cagefsctl --unmount-dir ----
mkdir -p /srv/shared/inner /srv/other && echo outer > /srv/shared/f && echo inner > /srv/shared/inner/f
cat > /etc/cagefs/conf.d/base.cfg <<'C'
[base]
paths=/bin/sh, /bin/cat, /bin/grep, /usr/bin/awk, /usr/bin/mawk, /bin/sleep, /usr/bin/readlink
C
printf '/srv/shared\n/srv/shared/inner\n/srv/other\n' > /etc/cagefs/cagefs.mp
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
useradd -m -u 1701 alice && useradd -m -u 1702 bob || world_die "useradd"
"$SETUP_CAGEFSCTL" --enable alice bob >/dev/null 2>&1 || world_die "--enable failed"
"$B/cagefs_enter_user" alice 'exec sleep 1000' & SLEEPER=$!
"$B/cagefs_enter_user" bob 'exec sleep 1000' &
for u in alice bob; do
	for i in $(seq 50); do [ -e /run/cagefs/cages/$u.pid ] && break; sleep 0.1; done
done
mounted() { "$B/cagefs_enter_user" "$1" "awk '\$5 ~ \"^/srv/\" { print \$5 }' /proc/self/mountinfo" | sort; }
is "$(mounted alice)" "/srv/other
/srv/shared
/srv/shared/inner" "before: alice's cage has /srv/shared, the mount below it and /srv/other"
ns=$("$B/cagefs_enter_user" alice 'readlink /proc/self/ns/mnt')
out=$("$CAGEFSCTL" --unmount-dir /srv/shared/ 2>&1); rc=$?
is "$rc $out" "0 alice: 2 mounts detached
bob: 2 mounts detached
unmount-dir: 2 cages, 0 failed" "--unmount-dir /srv/shared/: both mounts detached in each live cage"
is "$(mounted alice)" "/srv/other" "after: alice's cage keeps /srv/other only"
is "$(mounted bob)" "/srv/other" "after: so does bob's"
same "$("$B/cagefs_enter_user" alice 'readlink /proc/self/ns/mnt')" "$ns" "the cage stays: the next entry joins the same one"
is "$(kill -0 $SLEEPER 2>&1; echo $?)" 0 "a process in the cage keeps running"
is "$("$CAGEFSCTL" --unmount-dir /srv/shared 2>&1; echo "rc=$?")" "unmount-dir: 2 cages, 0 failed
rc=0" "again: nothing left to detach, nothing said for any cage"
is "$("$CAGEFSCTL" --unmount-dir srv/other 2>&1; echo "rc=$?")" "cagefsctl: error: --unmount-dir needs an absolute directory
rc=1" "a relative directory is refused"
out=$("$CAGEFSCTL" --unmount-dir / 2>"$WORLD/err"); rc=$?
is "$rc $out" "1 unmount-dir: 2 cages, 2 failed" "/ itself is refused for every cage: status 1, the summary"
is "$(cat "$WORLD/err")" "cagefsctl: error: alice: /: not an absolute path below /
cagefsctl: error: bob: /: not an absolute path below /
cagefsctl: error: unmount-dir failed for 2 user(s)" "... each cage's error and the total on stderr"
is "$(mounted alice)" "/srv/other" "... and detached nothing"

done_testing
