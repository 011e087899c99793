#!/bin/bash
# The shipped Debian 12 conf.d builds a skeleton where a hosting shell works
# and no secret or daemon configuration is present (issue 2).
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"
SKEL=/usr/share/cagefs-skeleton
cp "$TOP"/contrib/conf.d/*.cfg /etc/cagefs/conf.d/
cp "$TOP"/contrib/black.list /etc/cagefs/black.list
useradd -m -u 2001 alice

run "--init from the default conf.d" "$CAGEFSCTL" --init
# What the runtime will provide, here by hand in this throwaway namespace:
# a /proc for ps and a private /tmp (tests write files there).
mount -t proc proc $SKEL/proc
mount -t tmpfs -o mode=1777 tmp $SKEL/tmp
in_cage() { chroot --userspec=2001:2001 $SKEL /bin/bash -c "cd /tmp; $1"; }
check() { out=$(in_cage "$2" 2>&1); rc=$?; ok $rc "$1"; [ $rc = 0 ] || printf '%s\n' "$out" | head -5 | sed 's/^/#   /'; }

check "bash and coreutils" 'ls / >/dev/null && date >/dev/null && sort --version >/dev/null && id -u'
check "sh (dash)" 'sh -c "echo ok"'
check "find, grep, sed, awk" 'find /etc -maxdepth 1 -name "*.conf" | grep -c conf | sed s/1/one/ | awk "{print}"'
check "tar, gzip, bzip2, xz" 'echo x > f; tar czf f.tgz f && tar tzf f.tgz && bzip2 -k f && xz -k f'
check "less, diff, patch" 'less --version >/dev/null && echo a > 1 && echo b > 2; diff 1 2 > p; patch 1 < p && test "$(cat 1)" = b'
check "an editor" 'nano --version >/dev/null 2>&1 || vi --version >/dev/null 2>&1 || vim.tiny --version >/dev/null'
check "ps sees processes" 'ps ax | grep -q ps'
check "perl with modules" 'perl -MPOSIX -MData::Dumper -MFile::Temp -e "print floor(2.5)"'
for tool in python3 php git curl ssh mysql psql wget rsync; do
	if command -v $tool >/dev/null; then
		case $tool in
		python3) cmd='python3 -c "import json, ssl, sqlite3; print(json.dumps(1))"' ;;
		php) cmd='php -r "echo json_encode([1]);"' ;;
		ssh) # ssh wants its user in passwd: per-user /etc comes with issue 3; root is there.
		     out=$(chroot $SKEL ssh -V 2>&1); like "$out" OpenSSH "ssh (installed on this host) runs inside"
		     continue ;;
		*) cmd="$tool --version" ;;
		esac
		check "$tool (installed on this host) runs inside" "$cmd"
	fi
done
check "https CA bundle present" 'test -s /etc/ssl/certs/ca-certificates.crt'
check "time zone data" 'TZ=Europe/Paris date >/dev/null && test -e /usr/share/zoneinfo/UTC'

# built: nothing if the skeleton holds a shell and a passwd, else why not
# (every check of an absence below says it first).
built() { [ -x $SKEL/bin/bash ] && [ -s $SKEL/etc/passwd ] || echo "no skeleton with bash and passwd at $SKEL"; }
run "no /etc/shadow (beside passwd)" test -s $SKEL/etc/passwd -a ! -e $SKEL/etc/shadow
lacks "$(cat $SKEL/etc/passwd $SKEL/etc/group 2>&1)" "^root:x:0:0:" "alice|No such file" "no hosting user in passwd/group"
is "$(built; awk -F: '$3 >= 1000 && $3 < 65534' $SKEL/etc/passwd 2>&1)" "" "only system accounts in passwd"
is "$(built; find $SKEL -xdev -perm /4000 -type f 2>&1 | sed "s#^$SKEL##")" "" "no setuid program in the default skeleton"
umount $SKEL/proc $SKEL/tmp
# Nothing secret or foreign.
leaks=""
while read -r p; do
	case $p in ''|\#*) continue ;; esac
	for f in $SKEL$p; do
		# The runtime's mount points (/proc, /tmp, /home...) are empty directories;
		# /var/run and /var/lock are the host's symlinks into /run, one of them.
		[ -d "$f" ] && [ ! -L "$f" ] && [ -z "$(ls -A "$f")" ] && continue
		[ -L "$f" ] && case $(readlink "$f") in /run|/run/*) continue ;; esac
		{ [ -e "$f" ] || [ -L "$f" ]; } && leaks="$leaks ${f#$SKEL}"
	done
done < /etc/cagefs/black.list
is "$(built)$leaks" "" "no black-listed path exists in the skeleton"
writable=$(built; find $SKEL -xdev -perm -o+w ! -type l ! -type c ! -perm -1000 2>&1 | sed "s#^$SKEL##")
is "$writable" "" "nothing in the skeleton is writable by others (but sticky dirs and devices)"
out=$("$CAGEFSCTL" --update 2>&1)
like "$out" "nothing to do" "no-op --update on the default skeleton"
done_testing
