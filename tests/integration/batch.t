#!/bin/bash
# One hostile user never fails everyone's command (issue 13, item 7;
# docs/ARCHITECTURE.md §5): a symlink planted in a user's own home is that
# user's problem.  --update-etc and --remount-all warn naming the user, do
# everyone else's work and succeed; --json lists the user under
# "attention"; the user's own entry fails closed.  A failure of what the
# administrator controls still fails the command.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

mkdir -p "$WORLD/bin"
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/true
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
uid=2101
for u in alice bob carol; do useradd -m -u $uid -s /bin/bash $u || world_die useradd; uid=$((uid + 1)); done
"$SETUP_CAGEFSCTL" --enable alice bob carol >/dev/null 2>&1 || world_die "--enable failed"
cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter"
chown root:root "$WORLD/bin/cagefs_enter" && chmod 4755 "$WORLD/bin/cagefs_enter"
enter() { su -s /bin/sh "$1" -c 'exec "$0" "$1"' "$WORLD/bin/cagefs_enter" "$2"; }
CTL=$B/cagefsctl
echo "carol's" > /home/carol/mark

# ---- bob plants a symlink at ~/.cagefs/tmp (as bob: his own home) ----
su -s /bin/sh bob -c 'rm -rf ~/.cagefs/tmp && ln -s /etc ~/.cagefs/tmp'
mkdir -p /srv/shared && echo /srv/shared >> /etc/cagefs/cagefs.mp # a change every bundle takes
out=$("$CTL" --update-etc 2>&1)
is "$?" 0 "--update-etc succeeds: bob's symlink is bob's problem"
like "$out" "warning: bob: .*\.cagefs/tmp.*in bob's own home: bob's entries are refused until it is fixed" "... a warning names bob and what is wrong"
like "$out" "update-etc: 3 users, 2 changed, 0 unchanged, 0 failed, 1 needs attention" "... alice's and carol's bundles are done, bob needs attention"
json=$("$CTL" --update-etc --json 2>/dev/null)
is "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["action"], d["users"], d["failed"], [a["user"] for a in d["attention"]], "tmp" in d["attention"][0]["reason"])' "$json")" \
	"update-etc 3 0 ['bob'] True" "--update-etc --json: bob under attention, with the reason"
out=$("$CTL" --remount-all 2>&1)
is "$?" 0 "--remount-all succeeds too"
like "$out" "1 needs attention" "... and says bob needs attention"
is "$(enter alice 'cat /etc/passwd' | cut -d: -f1 | grep -c -e alice -e carol)" 1 "alice enters her cage as before"
is "$(enter carol 'cat ~/mark')" "carol's" "carol too"
fails_with "bob's own entry fails closed: his planted symlink is never mounted" 1 "^cagefs_enter: error: .*tmp.*a symlink" enter bob true
is "$(ls -ld /etc | cut -c1)" d "... and /etc is untouched"

# ---- what the administrator controls still fails the command ----
chmod 000 /etc/cagefs/cagefs.mp; mv /etc/cagefs/cagefs.mp /etc/cagefs/cagefs.mp.away; mkdir /etc/cagefs/cagefs.mp
fails_with "a cagefs.mp that is a directory (the administrator's) fails --update-etc" 1 "^cagefsctl: error: /etc/cagefs/cagefs.mp is not a regular file$" "$CTL" --update-etc
rmdir /etc/cagefs/cagefs.mp; mv /etc/cagefs/cagefs.mp.away /etc/cagefs/cagefs.mp; chmod 644 /etc/cagefs/cagefs.mp
"$CTL" --unmount-all >/dev/null 2>&1

done_testing
