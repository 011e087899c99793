#!/bin/bash
# Mount points of a cage (issue 3; manual: "Mount Points", "Per user virtual
# mount points", "Split by Username", "Mounting user's home directory",
# "Base Home Directory"), checked inside real cages run by crun.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/crun.sh"
world_enter "$@"
SKEL=/usr/share/cagefs-skeleton
cat > /etc/cagefs/conf.d/base.cfg <<'C'
[base]
paths=/bin/bash, /bin/sh, /bin/ls, /bin/cat, /usr/bin/id, /bin/pwd, /usr/bin/readlink, /usr/bin/touch, /usr/bin/stat
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"

mkdir -p /var/lib/shared-sock /var/www/fcgi/alice /var/www/fcgi/bob /var/www/vhosts/system/alice.com \
	/var/www/vhosts/system/bob.com /opt/home2 /opt/home3
echo socket > /var/lib/shared-sock/s
useradd -m -u 1501 alice
useradd -m -b /opt/home2 -u 1502 bob
mkdir -p /opt/home3/carol && ln -s /opt/home3/carol /home/carol
useradd -M -d /home/carol -u 1503 carol && chown carol: /opt/home3/carol
chown alice: /var/www/fcgi/alice; chown bob: /var/www/fcgi/bob
cat > /etc/cagefs/cagefs.mp <<'M'
# shared, per-user, split by username
/var/lib/shared-sock
@/var/spool/cron,700
@/var/run/screen,777
%/var/www/fcgi
M
mkdir -p /var/cagefs/01/alice
printf '/var/www/vhosts/system,0755\n@alice.com,0755\n' > /var/cagefs/01/alice/virt.mp

out=$("$CAGEFSCTL" --enable alice bob carol 2>&1)
ok $? "--enable with cagefs.mp, virt.mp, homes in /home, /opt/home2 and a symlinked home"
[ $? = 0 ] || echo "$out" | sed 's/^/#   /'

is "$(crun_in alice cat /var/lib/shared-sock/s)" socket "cagefs.mp: a shared directory"
is "$(crun_in alice ls /var/www/fcgi)" alice "%: alice sees only her sub-directory"
is "$(crun_in bob ls /var/www/fcgi)" bob "%: bob sees only his"
is "$(crun_in alice sh -c 'touch /var/spool/cron/x && stat -c %a /var/spool/cron')" 700 "@: private, writable, mode 700"
run "@: it lives in ~/.cagefs" test -f /home/alice/.cagefs/var/spool/cron/x
"$CAGEFSCTL" --update >/dev/null 2>&1   # the skeleton learns /var/run -> /run
is "$(crun_in alice sh -c 'touch /var/run/screen/s && stat -c %a /run/screen')" 777 "@ below a symlinked path (/var/run -> /run) is mounted at the real path"
is "$(stat -c %U /home/alice/.cagefs/var/spool/cron)" alice "@: owned by the user"
is "$(crun_in alice ls /var/www/vhosts/system)" alice.com "virt.mp: only the listed sub-directory"
is "$(crun_in bob ls -A /var/www/vhosts/system)" "" "virt.mp: nothing for bob (an empty mount point of the skeleton)"
# --create-virt-mp / --remount-virtmp (manual): a virt.mp changed later
mkdir -p /var/www/vhosts/system/alice-new.com && touch /var/www/vhosts/system/alice-new.com/index
printf '/var/www/vhosts/system,0755\n@alice.com,0755\n@alice-new.com\n' > /var/cagefs/01/alice/virt.mp
"$B/cagefs_enter_user" alice sleep 300 >/dev/null 2>&1 &
VJ=$!
for _ in $(seq 50); do pgrep -u alice -x sleep >/dev/null && break; sleep 0.1; done
out=$("$CAGEFSCTL" --create-virt-mp alice 2>&1)
is "$?:$(echo "$out" | tail -1)" "0:create-virt-mp: 1 user, 1 changed, 0 unchanged, 0 failed, 0 need attention" "--create-virt-mp alice: her bundle made again with the new virt.mp"
is "$(crun_in alice ls /var/www/vhosts/system | tr '\n' ' ')" "alice-new.com alice.com " "... which now holds the new sub-directory"
is "$("$B/cagefs_enter_user" alice ls -A /var/www/vhosts/system/alice-new.com)" "" "... while her live cage keeps its mounts (the new sub-directory is not mounted there)"
out=$("$CAGEFSCTL" --remount-virtmp alice 2>&1)
is "$?" 0 "--remount-virtmp alice: status 0"
wait $VJ 2>/dev/null
is "$(pgrep -u alice -x sleep)" "" "... her live cage's processes are ended (as --remount)"
is "$("$B/cagefs_enter_user" alice ls /var/www/vhosts/system/alice-new.com)" index "... and the next entry has the new mount point"
fails_with "--create-virt-mp needs a user" 1 "^cagefsctl: error: --create-virt-mp needs one or more user names$" "$CAGEFSCTL" --create-virt-mp
like "$("$CAGEFSCTL" --create-virt-mp-all 2>&1 | tail -1)" "^create-virt-mp-all: 3 users, 0 changed, 3 unchanged, 0 failed" "--create-virt-mp-all: every enabled user's bundle"
is "$(crun_in bob pwd)" /opt/home2/bob "a /opt/home2 home keeps its real path"
is "$(crun_in bob ls /opt/home2)" bob "/opt/home2 shows only bob"
is "$(crun_in carol readlink /home/carol)" /opt/home3/carol "a symlinked home is replicated"
is "$(crun_in carol sh -c 'cd /home/carol && pwd -P')" /opt/home3/carol "and leads to the real home"
is "$(crun_in carol ls /opt/home3)" carol "/opt/home3 shows only carol"
is "$(crun_in alice ls /home)" alice "/home shows only alice (not carol's symlink)"

# The mount points the cages need are part of the skeleton from now on.
run "mount points created in the skeleton" test -d $SKEL/opt/home2 -a -d $SKEL/opt/home3 -a -d $SKEL/var/www/fcgi
"$CAGEFSCTL" --update >/dev/null 2>&1
run "--update keeps them" test -d $SKEL/opt/home2 -a -d $SKEL/var/lib/shared-sock
"$CAGEFSCTL" --force >/dev/null 2>&1
run "--force rebuilds them" test -d $SKEL/opt/home3 -a -d $SKEL/var/www/vhosts/system
run "but never their contents" test -d $SKEL/opt/home2 -a -d $SKEL/var/lib/shared-sock \
	-a -z "$(find $SKEL/opt/home2 $SKEL/var/lib/shared-sock -mindepth 1 2>&1)"

# Base home directory rules.
mkdir -p /var/www/users && useradd -m -b /var/www/users -u 1504 dan
mkdir -p /var/www/users/dan/data && usermod -d /var/www/users/dan/data dan
echo '^/var/www/users/' > /etc/cagefs/cagefs.base.home.dirs
"$CAGEFSCTL" --enable dan >/dev/null 2>&1
is "$(crun_in dan ls /var/www/users)" dan "base home regex: the base shows only dan"
is "$(crun_in dan pwd)" /var/www/users/dan/data "and the home is where passwd says"

# Bad configuration: file:line, nothing changed.
printf '/ok\n@/var/x,99z\n' > /etc/cagefs/cagefs.mp
out=$("$CAGEFSCTL" --update-etc alice 2>&1); rc=$?
is "$rc" 1 "a malformed cagefs.mp fails (status 1)"
like "$out" "error: /etc/cagefs/cagefs\.mp:2: invalid mode '99z'" "naming file and line"
printf '@sub\n' > /var/cagefs/01/alice/virt.mp
printf '/var/lib/shared-sock\n' > /etc/cagefs/cagefs.mp
out=$("$CAGEFSCTL" --update-etc alice 2>&1); rc=$?
like "$rc $out" "^1 cagefsctl: error: alice: /var/cagefs/01/alice/virt\.mp:1: '@sub' before any virtual directory" \
	"a malformed virt.mp fails (status 1), naming file and line"
done_testing
