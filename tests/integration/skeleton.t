#!/bin/bash
# cagefsctl --init/--update/--force/--reinit/--update-list/--addrpm... in a
# throwaway world (issue 2).
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

SKEL=/usr/share/cagefs-skeleton
SRC=/usr/share/cagefs-test          # source files we own (overlay upper)
CFG=/etc/cagefs/conf.d

# manifest DIR WHEN: everything that defines a skeleton except directory
# mtimes (and the mtime of the generated passwd/group); a DIR without
# etc/passwd is said with WHEN, so two missing skeletons never compare equal.
manifest() {
	[ -f "$1/etc/passwd" ] || { echo "no skeleton at $1 ($2)"; return; }
	( cd "$1" || exit 1
	  find . ! -type d -printf '%p %y %m %U %G %s %T@ %l\n' | sed -E 's#^(./etc/(passwd|group) .*) [0-9.]+ $#\1#'
	  find . -type d -printf '%p %m %U %G\n'
	  find . -type f -exec md5sum {} + ) | sort
}

mkdir -p $SRC/tree/sub $SRC/big
echo one > $SRC/tree/a.txt
echo two > $SRC/tree/sub/b.txt
echo secret > $SRC/tree/sub/secret.key
cp /usr/bin/id $SRC/tree/suid-by-dir && chmod 4755 $SRC/tree/suid-by-dir
cp /usr/bin/id $SRC/suid-explicit && chmod 4755 $SRC/suid-explicit
ln -s tree/a.txt $SRC/link-to-a
useradd -m -u 2001 hostuser1
groupadd -g 3001 webgroup && usermod -a -G webgroup hostuser1 && usermod -a -G webgroup nobody

cat > $CFG/base.cfg <<'C'
# the programs the issue's chroot check needs
[base]
comment=shell and friends
paths=/bin/bash, /bin/ls, /usr/bin/grep, /usr/bin/id, /bin/cat, /etc/hosts
devices=/dev/null, /dev/zero
users=nobody
groups=nogroup, webgroup
C
cat > $CFG/test.cfg <<C
[test]
comment=our own files
paths=$SRC/tree, $SRC/suid-explicit, $SRC/link-to-a
C
printf '# secrets\n%s\n' "$SRC/tree/sub/secret.key" > /etc/cagefs/custom.black.list

out=$("$CAGEFSCTL" --init 2>&1); rc=$?
ok $rc "--init builds the skeleton"
like "$out" "init: [0-9]+ added" "--init reports what it did"
out=$(chroot $SKEL /bin/bash -c 'ls /; grep root /etc/passwd' 2>&1)
like "$out" "^root:x:0:0:" "chroot SKELETON bash: grep root /etc/passwd works (library closure)"
like "$out" "^usr$" "chroot SKELETON bash: ls / works"
run "symlinked path component replicated (/bin -> usr/bin)" test "$(readlink $SKEL/bin)" = usr/bin
run "the interpreter came along" test -e $SKEL/lib64/ld-linux-x86-64.so.2
run "listed directory brings its contents" test -f $SKEL$SRC/tree/sub/b.txt
run "listed symlink copied as a symlink" test "$(readlink $SKEL$SRC/link-to-a)" = tree/a.txt
run "black-listed file never enters (its directory did)" test -f $SKEL$SRC/tree/sub/b.txt -a ! -e $SKEL$SRC/tree/sub/secret.key
run "times kept" test "$(stat -c %Y $SRC/tree/a.txt)" = "$(stat -c %Y $SKEL$SRC/tree/a.txt)"
is "$(stat -c %a $SKEL$SRC/tree/suid-by-dir)" 755 "setuid dropped for a file brought by a directory"
is "$(stat -c %a $SKEL$SRC/suid-explicit)" 4755 "setuid kept for a file listed explicitly"
is "$("$CAGEFSCTL" --print-suids)" "$SRC/suid-explicit" "--print-suids lists what remains"
is "$(stat -c '%F %t:%T' $SKEL/dev/null)" "character special file 1:3" "devices= creates device nodes"
like "$(cat $SKEL/etc/passwd)" "^nobody:" "users= carried into the skeleton's passwd"
lacks "$(cat $SKEL/etc/passwd $SKEL/etc/group 2>&1)" "^root:x:0:0:" "hostuser1|No such file" "no hosting user in the skeleton's passwd or group"
like "$(grep ^webgroup: $SKEL/etc/group)" "^webgroup:x:3001:nobody$" "groups= carried, members filtered"
run "no shadow file (beside the skeleton's passwd)" test -f $SKEL/etc/passwd -a ! -e $SKEL/etc/shadow

out=$("$CAGEFSCTL" --update 2>&1)
like "$out" "nothing to do" "--update right after --init has nothing to do"

# A listed file changes, a .cfg is added, a .cfg is removed.
sleep 0.01; echo changed > $SRC/tree/a.txt
out=$("$CAGEFSCTL" --update 2>&1)
like "$out" "0 added, 1 updated, 0 removed" "--update picks up a modified file"
is "$(cat $SKEL$SRC/tree/a.txt)" changed "the new content is in the skeleton"
mkdir -p $SRC/extra && echo x > $SRC/extra/x
printf '[extra]\npaths=%s\n' $SRC/extra > $CFG/extra.cfg
out=$("$CAGEFSCTL" --update 2>&1)
like "$out" "[1-9][0-9]* added" "--update adds the files of a new .cfg"
run "new .cfg's file present" test -f $SKEL$SRC/extra/x
rm $CFG/extra.cfg
out=$("$CAGEFSCTL" --update --dont-clean 2>&1)
run "--dont-clean keeps what is no longer listed" test -f $SKEL$SRC/extra/x
out=$("$CAGEFSCTL" --update 2>&1)
like "$out" "^update: 0 added, 0 updated, [1-9][0-9]* removed" "--update removes the files of a removed .cfg"
run "removed .cfg's files gone (the others stay)" test ! -e $SKEL$SRC/extra -a -f $SKEL$SRC/tree/a.txt
out=$("$CAGEFSCTL" --update 2>&1)
like "$out" "nothing to do" "second --update reports nothing to do"

# --update-list: only the paths on stdin.
echo a2 > $SRC/tree/a.txt; echo b2 > $SRC/tree/sub/b.txt
out=$(echo $SRC/tree/sub/b.txt | "$CAGEFSCTL" --update-list 2>&1)
like "$out" "1 updated" "--update-list updates the listed path"
is "$(cat $SKEL$SRC/tree/a.txt)" changed "--update-list leaves other paths alone"
fails_with "--update-list refuses a relative path" 1 "error: <stdin>:1: not an absolute path: tree/a\.txt$" sh -c 'echo tree/a.txt | "$0" --update-list' "$CAGEFSCTL"
"$CAGEFSCTL" --update >/dev/null 2>&1

# Bad configuration: clear error with file:line, skeleton untouched.
before=$(manifest $SKEL "before the failed --update")
printf '[broken\npaths=/bin/true\n' > $CFG/zz-broken.cfg
out=$("$CAGEFSCTL" --update 2>&1); rc=$?
is "$rc" 1 "--update fails on a malformed .cfg (status 1)"
like "$out" "error: $CFG/zz-broken\.cfg:1: missing '\]' in section header" "the error names file and line"
is "$(manifest $SKEL "after the failed --update")" "$before" "a failed --update changes nothing"
rm $CFG/zz-broken.cfg

# Lock: a second run fails fast; --wait-lock waits.
exec 9>/run/cagefs/cagefsctl.lock; flock 9
out=$("$CAGEFSCTL" --update 2>&1); rc=$?
is "$rc" 1 "a second cagefsctl fails while the lock is held (status 1)"
like "$out" "error: another cagefsctl .* is running; use --wait-lock to wait for it" "and says how to wait"
( sleep 0.5; flock -u 9 ) &
out=$("$CAGEFSCTL" --update --wait-lock 2>&1)
ok $? "--wait-lock waits for the lock"
exec 9>&-
"$CAGEFSCTL" --update --wait-lock >/dev/null 2>&1 & p1=$!
"$CAGEFSCTL" --update --wait-lock >/dev/null 2>&1 & p2=$!
wait $p2; r2=$?; wait $p1; r1=$?
ok $((r1 + r2)) "two concurrent --update --wait-lock runs both succeed"

# kill -9 in the middle of --update, then --update == uninterrupted run.
for i in $(seq 1 1500); do head -c 40000 /dev/urandom > $SRC/big/f$i; done
printf '[big]\npaths=%s\n' $SRC/big > $CFG/big.cfg
"$CAGEFSCTL" --update >/dev/null 2>&1 & pid=$!
for i in $(seq 1 400); do [ "$(ls $SKEL$SRC/big 2>/dev/null | wc -l)" -gt 100 ] && break; sleep 0.01; done
kill -9 $pid; wait $pid 2>/dev/null
n=$(ls $SKEL$SRC/big 2>/dev/null | wc -l)
ok $(( n > 0 && n < 1500 ? 0 : 1 )) "--update killed with -9 half way ($n of 1500 files)"
out=$(chroot $SKEL /bin/bash -c 'grep -c root /etc/passwd' 2>&1)
is "$out" 1 "the skeleton is usable after the kill"
out=$("$CAGEFSCTL" --update 2>&1)
ok $? "the next --update finishes the job"
after=$(manifest $SKEL "resumed by --update")
"$CAGEFSCTL" --force >/dev/null 2>&1
is "$after" "$(manifest $SKEL "rebuilt by --force")" "interrupted+resumed skeleton == one built from scratch"
run "no temporary files left (in the skeleton)" test -f $SKEL/etc/passwd -a -z "$(find $SKEL -name '.cagefs-new.*')"

# kill -9 during --init: nothing half-built at the skeleton path; next --init resumes.
ref=$(manifest $SKEL "the reference build")
rm -rf $SKEL
"$CAGEFSCTL" --init >/dev/null 2>&1 & pid=$!
for i in $(seq 1 400); do [ -d $SKEL.cagefs-new$SRC/big ] && break; sleep 0.01; done
kill -9 $pid; wait $pid 2>/dev/null
run "an interrupted --init leaves no skeleton behind (only $SKEL.cagefs-new)" test ! -e $SKEL -a -d $SKEL.cagefs-new
out=$("$CAGEFSCTL" --init 2>&1)
like "$out" "resuming" "the next --init resumes the interrupted one"
is "$(manifest $SKEL "resumed by --init")" "$ref" "resumed --init == uninterrupted build"

# --reinit keeps a backup, --force does not.
"$CAGEFSCTL" --reinit >/dev/null 2>&1
run "--reinit keeps the previous skeleton as .bak" test -f $SKEL.bak/etc/passwd
is "$(manifest $SKEL "built by --reinit")" "$ref" "--reinit builds the same skeleton"
rm -rf $SKEL.bak; rm $CFG/big.cfg; "$CAGEFSCTL" --update >/dev/null 2>&1

# Hardlinks (-k): same filesystem, so files share the inode.
"$CAGEFSCTL" --force --hardlink >/dev/null 2>&1
is "$(stat -c %i $SKEL$SRC/tree/sub/b.txt)" "$(stat -c %i $SRC/tree/sub/b.txt)" "-k hardlinks where the filesystem allows"
is "$(stat -c %a $SKEL$SRC/tree/suid-by-dir)" 755 "-k never hardlinks a file whose setuid bit must go"
is "$(stat -c %a $SRC/tree/suid-by-dir) $(stat -c %a $SKEL$SRC/tree/suid-by-dir 2>&1)" "4755 755" "-k leaves the host file's mode alone (the copy's is 755)"
out=$("$CAGEFSCTL" --update --hardlink 2>&1)
like "$out" "nothing to do" "no-op --update with -k"

# Symlinked skeleton (manual: "Moving cagefs-skeleton directory").
rm -rf $SKEL; mkdir /home/cagefs-skeleton; ln -s /home/cagefs-skeleton $SKEL
out=$("$CAGEFSCTL" --init 2>&1)
ok $? "--init through a symlinked skeleton path"
run "the skeleton is built where the symlink points" test -f /home/cagefs-skeleton/etc/passwd
run "the symlink stays (and leads to the skeleton)" test -L $SKEL -a -f $SKEL/etc/passwd
like "$("$CAGEFSCTL" --update 2>&1)" "nothing to do" "--update through the symlink"

# --addrpm: a Debian package's files; --list-rpm; --delrpm.
pkg=hostname; dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -q "ok installed" || pkg=sed
bin=$(dpkg-query -L $pkg | grep -m1 '/bin/')
run "--addrpm $pkg" "$CAGEFSCTL" --addrpm $pkg
like "$(cat $CFG/$pkg.cfg)" "paths=$bin" "the package's file list became $pkg.cfg"
like "$("$CAGEFSCTL" --list-rpm)" "^$pkg$" "--list-rpm lists it"
"$CAGEFSCTL" --update >/dev/null 2>&1
run "after --update, $bin runs inside the skeleton" chroot $SKEL $bin --version
fails_with "--addrpm of a package that is not installed" 1 "error: package no-such-package-cagefs is not installed" "$CAGEFSCTL" --addrpm no-such-package-cagefs
fails_with "--addrpm refuses an option-like name" 1 "error: invalid package name '--version'" "$CAGEFSCTL" --addrpm -- --version
fails_with "--delrpm refuses a hand-written .cfg" 1 "error: $CFG/base\.cfg was not made by --addrpm; not removing it" "$CAGEFSCTL" --delrpm base
had=$(ls $CFG/$pkg.cfg 2>/dev/null)
run "--delrpm $pkg" "$CAGEFSCTL" --delrpm $pkg
run "its .cfg (there before) is gone" test -n "$had" -a ! -e $CFG/$pkg.cfg

# Update period.
run "--set-update-period 7" "$CAGEFSCTL" --set-update-period 7
like "$(cat /etc/cagefs/cagefs.ini)" "update_period=7" "stored in cagefs.ini"
like "$("$CAGEFSCTL" --cron-update 2>&1)" "^skeleton update not due yet" "--cron-update waits for the period"
like "$("$CAGEFSCTL" --force-update 2>&1)" "^update: ([0-9]+ added|nothing to do)" "--force-update ignores it"
fails_with "--set-update-period rejects junk" 1 "error: --set-update-period needs a number of days" "$CAGEFSCTL" --set-update-period soon

# Command line.
like "$("$CAGEFSCTL" -h)" "--update-list" "-h prints the option table"
fails_with "an option not built yet says so and exits 2" 2 "^cagefsctl: --toggle-plugin is not available yet in this version$" "$CAGEFSCTL" --toggle-plugin
fails_with "unknown option" 1 "^cagefsctl: unknown option: --frobnicate$" "$CAGEFSCTL" --frobnicate
fails_with "two actions at once" 1 "^cagefsctl: only one action at a time; also got --update$" "$CAGEFSCTL" --init --update
fails_with "--init as a normal user" 1 "^cagefsctl: error: init must be run as root$" su -s /bin/sh hostuser1 -c 'exec "$0" --init' "$CAGEFSCTL"

done_testing
