#!/bin/bash
# tmpwatch (manual: "TMP Directories"; docs/ARCHITECTURE.md §4.20):
# --set-tmpwatch checks and stores the command; --tmpwatch removes what
# was not used for the configured hours from every user's ~/.cagefs/tmp,
# tmpwatch_dirs and the manual's php-eaccelerator cache, and PHP sessions
# older than session.gc_maxlifetime of the host's php.ini files.  It does
# so as the user, by fd: a symlink planted to a root file or to a directory
# anyone can write, a directory swapped for a symlink while it runs (a race
# loop), and a hardlink to a root file never lead to anything outside the
# user's tree being removed or changed.  A user's broken tree is a warning
# naming the user; the others are cleaned; exit 0 (issue 13, item 7).
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

CTL=$B/cagefsctl
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
mkdir -p /etc/cagefs/users.enabled
uid=2201
for u in alice bob carol dave; do
	useradd -m -u $uid -s /bin/bash $u || world_die useradd
	uid=$((uid + 1))
	touch /etc/cagefs/users.enabled/$u
	su -s /bin/sh $u -c 'mkdir -p -m 700 ~/.cagefs/tmp' || world_die "~/.cagefs/tmp of $u"
done
as() { local u=$1; shift; su -s /bin/bash "$u" -c "cd ~/.cagefs && $*"; }
OLD='3 hours ago'

# What must never change: /etc, a root directory anyone may write (a
# walker that followed a symlink there could remove its files even as the
# user), and a root file a hardlink points to.
mkdir -m 0777 /home/open
for f in victim1 victim2; do echo "root's $f" > /home/open/$f; done
touch -a -d "$OLD" /home/open/victim1 /home/open/victim2 /home/open
echo "root's file" > /home/rootfile && chmod 0644 /home/rootfile
sum_outside() { (cd /etc && find . -xdev -path ./cagefs -prune -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); ls -la --time-style=+ /home/open /home/rootfile; }
before=$(sum_outside)

# ---- --set-tmpwatch: the manual's command format, checked before it is stored ----
refused=0
fails_with "--set-tmpwatch refuses a command that is not tmpwatch" 1 \
	"^cagefsctl: error: a tmpwatch command must start with tmpwatch \(e.g. '/usr/sbin/tmpwatch -umclq 720'\): 'rm -rf /'$" \
	"$CTL" --set-tmpwatch='rm -rf /' && refused=$((refused + 1))
fails_with "--set-tmpwatch refuses a command without the time" 1 \
	"^cagefsctl: error: tmpwatch: the time \(hours\) is missing: '/usr/sbin/tmpwatch -umclq'$" \
	"$CTL" --set-tmpwatch='/usr/sbin/tmpwatch -umclq' && refused=$((refused + 1))
fails_with "--set-tmpwatch refuses options it does not carry out" 1 \
	"^cagefsctl: error: tmpwatch option -x is not supported \(only -u -m -c -M -l -d -a -q -v -f\)$" \
	"$CTL" --set-tmpwatch='tmpwatch -x /tmp/keep 720' && refused=$((refused + 1))
fails_with "--set-tmpwatch refuses directories (they are tmpwatch_dirs)" 1 \
	"^cagefsctl: error: tmpwatch: no directory may follow the time .*: '/home'$" \
	"$CTL" --set-tmpwatch='tmpwatch -umc 720 /home' && refused=$((refused + 1))
is "$refused:$(grep -c tmpwatch_cmd /etc/cagefs/cagefs.ini)" "4:0" "... and none of them is stored"
out=$("$CTL" --set-tmpwatch='/usr/sbin/tmpwatch -umclq 720' 2>&1)
is "$?:$out:$(grep tmpwatch_cmd /etc/cagefs/cagefs.ini)" \
	"0:tmpwatch command set to: /usr/sbin/tmpwatch -umclq 720:tmpwatch_cmd=/usr/sbin/tmpwatch -umclq 720" \
	"--set-tmpwatch='/usr/sbin/tmpwatch -umclq 720' stores the manual's command in cagefs.ini"

# ---- the manual's default (-umc 720): a file counts by its latest time ----
as alice 'echo x > tmp/ctime-fresh && touch -a -m -d "40 days ago" tmp/ctime-fresh'
out=$("$CTL" --tmpwatch 2>&1)
is "$?:$out:$(ls ~alice/.cagefs/tmp)" \
	"0:tmpwatch: 4 users, 0 changed, 4 unchanged, 0 failed, 0 need attention; removed 0 files, 0 directories, 0 PHP sessions:ctime-fresh" \
	"-umc 720: a file whose atime and mtime are 40 days old but whose ctime is fresh is kept"
rm ~alice/.cagefs/tmp/ctime-fresh

# ---- old removed, fresh kept (-u 1: by atime, one hour) ----
"$CTL" --set-tmpwatch='tmpwatch -uq 1' >/dev/null
echo 'tmpwatch_dirs=/dir1, /var/tmp/sub' >> /etc/cagefs/cagefs.ini
as alice "mkdir -p tmp/olddir/deeper tmp/freshdir dir1 other var/cache/php-eaccelerator &&
	for f in tmp/old tmp/olddir/deeper/old tmp/freshdir/old dir1/old other/old var/cache/php-eaccelerator/old; do echo x > \$f; done &&
	echo x > tmp/fresh && echo x > dir1/fresh &&
	ln -s /etc/passwd tmp/passwd-link && ln -s /home/open tmp/open-link && ln -s /etc tmp/etc-link &&
	touch -a -d '$OLD' tmp/old tmp/olddir/deeper/old tmp/olddir/deeper tmp/olddir tmp/freshdir/old dir1/old other/old var/cache/php-eaccelerator/old &&
	touch -h -a -d '$OLD' tmp/passwd-link tmp/open-link tmp/etc-link"
out=$("$CTL" --tmpwatch -v alice 2>&1)
is "$?" 0 "--tmpwatch alice succeeds"
like "$out" "^alice: removed 8 files, 2 directories, 0 PHP sessions" "... -v says what it removed"
like "$out" "tmpwatch: 1 user, 1 changed, 0 unchanged, 0 failed, 0 need attention; removed 8 files, 2 directories, 0 PHP sessions" "... and sums it up"
is "$(cd ~alice/.cagefs && find . -mindepth 1 | sort | tr '\n' ' ')" \
	"./dir1 ./dir1/fresh ./other ./other/old ./tmp ./tmp/fresh ./tmp/freshdir ./var ./var/cache ./var/cache/php-eaccelerator " \
	"old files, old symlinks and emptied old directories are gone from /tmp, tmpwatch_dirs and php-eaccelerator; fresh ones and other directories stay"
is "$(ls ~alice/.cagefs/tmp | grep -c link):$(ls -d /etc/passwd /etc /home/open/victim1 /home/open/victim2 | wc -l):$(sum_outside)" "0:4:$before" \
	"the symlinks to /etc/passwd, /etc and /home/open were removed as symlinks: nothing they point to changed"

# ---- a hardlink to a root file: only the user's name for it goes ----
if as alice 'ln /home/rootfile tmp/hardlink' 2>/dev/null; then
	diag "fs.protected_hardlinks is off: alice made the hardlink herself"
else
	diag "fs.protected_hardlinks=1 refuses alice a hardlink to a root file; root makes it (as on a kernel without the protection)"
	ln /home/rootfile ~alice/.cagefs/tmp/hardlink
fi
touch -a -d "$OLD" /home/rootfile
before=$(sum_outside)
out=$("$CTL" --tmpwatch alice 2>&1)
is "$?:$(stat -c '%h %U %a' /home/rootfile):$(cat /home/rootfile):$(ls ~alice/.cagefs/tmp | grep -c hardlink)" "0:1 root 644:root's file:0" \
	"an old hardlink to a root file: the name in alice's tmp is gone, the file keeps owner, mode and content"
before=$(sum_outside)

# ---- a directory swapped for a symlink while tmpwatch runs (race loop) ----
# bob's racer: 16 names, each flipped atomically (renameat2
# RENAME_EXCHANGE) between a directory holding an old file called victim1
# and a symlink to /home/open (or /etc): a walker that judged a directory
# and then followed a symlink would remove /home/open/victim1.
cat > "$WORLD/race.py" <<'R'
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
os.chdir(os.path.expanduser("~/.cagefs/tmp"))
old = os.stat(".").st_atime - 3 * 3600
for i in range(16):
    d, l = "race%d" % i, "link%d" % i
    os.mkdir(d)
    os.symlink("/home/open" if i % 2 else "/etc", l)
exch = lambda a, b: libc.syscall(316, -100, a, -100, b, 2)  # renameat2(AT_FDCWD, .., RENAME_EXCHANGE)
while True:
    for i in range(16):
        d, l = b"race%d" % i, b"link%d" % i
        try:
            if os.path.isdir(d) and not os.path.islink(d) and not os.path.exists(d + b"/victim1"):
                with open(d + b"/victim1", "w") as f:
                    f.write("x")
                os.utime(d + b"/victim1", (old, old))
                os.utime(d, (old, os.stat(d).st_mtime))
        except OSError:
            pass
        exch(d, l)
R
[ "$(uname -m)" = x86_64 ] || diag "the racer's renameat2 number is x86_64's"
su -s /bin/bash bob -c "exec python3 $WORLD/race.py" 2>/dev/null &
racer=$!
sleep 0.5
runs=0 removed=0
for i in $(seq 1 40); do
	out=$("$CTL" --tmpwatch bob 2>&1) && runs=$((runs + 1))
	n=$(printf '%s' "$out" | sed -n 's/.*removed \([0-9]*\) files.*/\1/p')
	removed=$((removed + ${n:-0}))
done
kill "$racer"; wait "$racer" 2>/dev/null
as bob 'rm -rf tmp/race* tmp/link*'
diag "40 runs against the race loop removed $removed entries of bob's"
is "$runs" 40 "each of 40 runs while bob flips 16 directories with symlinks to /home/open and /etc succeeds"
isnt "$removed" 0 "... and removes bob's old files"
is "$runs:$(ls /home/open | tr '\n' ' '):$(sum_outside)" "40:victim1 victim2 :$before" \
	"... and in all of them nothing in /home/open (writable by bob) nor in /etc is removed or changed"

# ---- a configured directory swapped for a symlink: that directory is skipped ----
as bob 'rm -rf dir1 && ln -s /home/open dir1'
out=$("$CTL" --tmpwatch bob 2>&1)
is "$?" 0 "~/.cagefs/dir1 a symlink to /home/open: --tmpwatch still succeeds"
like "$out" "^cagefsctl: warning: bob: ~/.cagefs/dir1: a symlink or not a directory \(never followed\): not cleaned \(in bob's own home; the other users are cleaned\)$" "... with a warning naming bob and the symlink"
is "$(printf '%s' "$out" | grep -c 'warning: bob'):$(ls /home/open | tr '\n' ' ')" "1:victim1 victim2 " "... and /home/open is untouched"

# ---- a user's broken tree: a warning naming the user, the others are cleaned ----
as carol 'cd && rm -rf .cagefs && ln -s /home/open .cagefs'
as dave 'echo x > tmp/old && touch -a -d "'"$OLD"'" tmp/old'
out=$("$CTL" --tmpwatch 2>&1)
is "$?" 0 "carol's ~/.cagefs is a symlink: --tmpwatch for everyone exits 0"
like "$out" "^cagefsctl: warning: carol: ~/.cagefs: a symlink or not a directory \(never followed\): nothing below it was cleaned \(in carol's own home; the other users are cleaned\)$" \
	"... a warning names carol and what is wrong"
like "$out" "tmpwatch: 4 users, 1 changed, 1 unchanged, 0 failed, 2 need attention; removed 1 file, 0 directories, 0 PHP sessions" \
	"... dave's old file is removed; carol and bob need attention"
is "$(ls ~dave/.cagefs/tmp | wc -l):$(ls /home/open | tr '\n' ' ')" "0:victim1 victim2 " "... dave's tmp is clean, what carol's symlink points to is untouched"
json=$("$CTL" --tmpwatch --json 2>/dev/null)
is "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["action"], d["users"], d["failed"], sorted(a["user"] for a in d["attention"]), "files" in d)' "$json")" \
	"tmpwatch 4 0 ['bob', 'carol'] True" "--tmpwatch --json: bob and carol under attention, the counts"
as bob 'rm dir1'
as carol 'cd && rm .cagefs && mkdir -p .cagefs/tmp'

# ---- PHP sessions: by session.gc_maxlifetime of the host's php.ini files ----
mkdir -p /opt/alt/php81/etc /opt/alt/php82/etc
printf '[Session]\nsession.save_path = "/var/lib/php/sessions" ; comment\nsession.gc_maxlifetime = 3\n' > /opt/alt/php81/etc/php.ini
printf 'session.save_path = "1;/tmp/sessions"\nsession.gc_maxlifetime=3\n' > /opt/alt/php82/etc/php.ini
as alice 'mkdir -p var/lib/php/sessions tmp/sessions/a && for f in var/lib/php/sessions/sess_old var/lib/php/sessions/other_old tmp/sessions/a/sess_old; do echo s > $f; done'
sleep 4
as alice 'echo s > var/lib/php/sessions/sess_fresh'
out=$("$CTL" --tmpwatch=sessions alice 2>&1)
is "$?:$(ls ~alice/.cagefs/var/lib/php/sessions | tr '\n' ' '):$(ls ~alice/.cagefs/tmp/sessions/a)" "0:other_old sess_fresh :" \
	"--tmpwatch=sessions: sess_* older than gc_maxlifetime go (also one level down for \"1;/tmp/sessions\"); fresh ones and other files stay"
like "$out" "removed 0 files, 0 directories, 2 PHP sessions" "... and are counted"
echo 'clean_user_php_sessions=false' >> /etc/cagefs/cagefs.ini
as alice 'echo s > var/lib/php/sessions/sess_off'
sleep 4
out=$("$CTL" --tmpwatch alice 2>&1)
is "$?:$(ls ~alice/.cagefs/var/lib/php/sessions | tr '\n' ' ')" "0:other_old sess_fresh sess_off " "clean_user_php_sessions=false: no session is removed"
like "$out" "tmpwatch: 1 user, 0 changed, 1 unchanged" "... and --tmpwatch still runs"
sed -i '/clean_user_php_sessions/d' /etc/cagefs/cagefs.ini
printf 'session.gc_maxlifetime = 24min\n' > /opt/alt/php82/etc/php.ini
as alice 'echo x > tmp/old && touch -a -d "'"$OLD"'" tmp/old'
fails_with "a malformed session.gc_maxlifetime fails --tmpwatch with file:line" 1 \
	"^cagefsctl: error: /opt/alt/php82/etc/php.ini:1: session.gc_maxlifetime must be a number of seconds from 1 to [0-9]+: '24min' \(the PHP sessions it names are not cleaned\)$" \
	"$CTL" --tmpwatch alice
like "$(cat "$WORLD/last.out")" "removed 1 file, 0 directories, 2 PHP sessions" "... yet tmp and the other php.ini's sessions are cleaned"
printf 'session.gc_maxlifetime = 10\nsession.save_path = "/tmp\n' > /opt/alt/php82/etc/php.ini
fails_with "an unterminated quote in session.save_path: file:line" 1 \
	"^cagefsctl: error: /opt/alt/php82/etc/php.ini:2: unterminated quote in \"/tmp " "$CTL" --tmpwatch alice
rm -rf /opt/alt/php82

# ---- cagefs.ini errors are the administrator's: they fail the command ----
echo 'tmpwatch_dirs=relative/dir' >> /etc/cagefs/cagefs.ini
line=$(grep -n tmpwatch_dirs=relative /etc/cagefs/cagefs.ini | cut -d: -f1)
fails_with "tmpwatch_dirs with a relative path fails --tmpwatch" 1 \
	"^cagefsctl: error: /etc/cagefs/cagefs.ini:$line: tmpwatch_dirs: 'relative/dir' is not an absolute directory of the cage \(nor /\)$" \
	"$CTL" --tmpwatch
sed -i '/tmpwatch_dirs=relative/d' /etc/cagefs/cagefs.ini
echo 'tmpwatch_cmd=tmpwatch -z 5' >> /etc/cagefs/cagefs.ini
line=$(grep -n 'tmpwatch_cmd=tmpwatch -z' /etc/cagefs/cagefs.ini | cut -d: -f1)
fails_with "a tmpwatch_cmd edited by hand is checked too" 1 \
	"^cagefsctl: error: /etc/cagefs/cagefs.ini:$line: tmpwatch_cmd: tmpwatch option -z is not supported" "$CTL" --tmpwatch
fails_with "--tmpwatch=VALUE other than sessions is refused" 1 "^cagefsctl: error: --tmpwatch takes no value but 'sessions': --tmpwatch=all$" \
	"$CTL" --tmpwatch=all

sed -i '/tmpwatch_cmd=tmpwatch -z/d' /etc/cagefs/cagefs.ini
"$CTL" --tmpwatch >/dev/null 2>&1
is "$?:$(sum_outside)" "0:$before" "a last --tmpwatch succeeds, and /etc, /home/open and /home/rootfile are as they were"
done_testing
