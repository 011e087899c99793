#!/bin/bash
# pam_cagefs.so (issue 11, part 1): a session module puts every session of
# a caged user in the user's cage, and fails closed.  Driven by pamtester on
# a test service whose session stack ends with pam_exec running a report
# (as the shell a service starts next would run: a child of the session
# process), and by su with the module in its stack.  A syslog listener on
# this world's own /dev/log (a tmpfs /dev in this mount namespace) shows
# which refusal happened.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/syslog.sh"
world_enter "$@"

# ---- a /dev of this world's own, with a syslog listener on /dev/log ----
world_syslog

# ---- the world: a skeleton, users, the test service ----
REPORT=/usr/share/cagefs-test/report
mkdir -p /usr/share/cagefs-test
cat > $REPORT <<'R'
#!/bin/sh
echo "users=$(cut -d: -f1 /etc/passwd | sort | tr '\n' ' ')"
grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status | tr -d '\t' | tr '\n' ' '; echo
echo "mnt=$(readlink /proc/self/ns/mnt)"
R
chmod 755 $REPORT
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/ls, /bin/grep, /usr/bin/cut, /usr/bin/sort, /usr/bin/tr, /usr/bin/readlink, /usr/bin/id, $REPORT
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1801 -s /bin/bash alice && useradd -m -u 1802 -s /bin/bash bob \
	&& useradd -m -u 1803 -s /bin/bash carol && useradd -m -u 950 -s /bin/bash sysu || world_die useradd
"$SETUP_CAGEFSCTL" --enable alice carol >/dev/null 2>&1 || world_die "--enable failed"
mkdir -p /etc/cagefs/exclude && echo carol > /etc/cagefs/exclude/panel
service() {
	cat > /etc/pam.d/cagefs-test <<S
auth     required pam_permit.so
account  required pam_permit.so
session  required $B/pam_cagefs.so $1
session  required pam_exec.so type=open_session stdout $REPORT
S
}
session() { pamtester cagefs-test "$1" open_session close_session 2>&1; echo "status $?"; }
ns_of() { readlink "/proc/$(cat /run/cagefs/cages/$1.pid | cut -d' ' -f1)/ns/mnt"; }
log() { grep -a "$1" "$WORLD/syslog" | tail -1 | sed 's/^<[0-9]*>//'; }

# ---- caged: the session's next process is in the cage ----
service "100 1"
out=$(session alice)
lacks "$(echo "$out" | grep '^users=')" "^users=.* alice .*root " " (bob|carol) " "alice's session: its next process sees her passwd entry and the system's, no other user's"
like "$out" "NoNewPrivs:1 Seccomp:2" "... under the seccomp filter, with no_new_privs"
same "$(echo "$out" | sed -n 's/^mnt=//p')" "$(ns_of alice)" "... in the mount namespace of alice's cage, the one every entry joins"
like "$out" "successfully opened a session.*status 0|status 0" "... and the session opened (status 0)"
mnt1=$(echo "$out" | sed -n 's/^mnt=//p')
is "$(session alice | sed -n 's/^mnt=//p')" "$mnt1" "a second session of alice's joins the same cage"

# ---- not caged: untouched ----
host_users=$(cut -d: -f1 /etc/passwd | sort | tr '\n' ' ')
for u in bob carol sysu root; do
	out=$(session $u)
	is "$(echo "$out" | grep -E '^users=|^NoNewPrivs|status' | tr '\n' '|')" "users=$host_users|NoNewPrivs:0 Seccomp:0 |status 0|" \
		"$u's session (not enabled / excluded / below UID_MIN / root) passes untouched"
done
service "2000 1"
is "$(session alice | grep -E '^users=|status' | tr '\n' '|')" "users=$host_users|status 0|" "below the module's own MIN_UID (positional 2000): untouched"
service "min_uid=100 cagefs=0"
is "$(session alice | grep -E '^users=|status' | tr '\n' '|')" "users=$host_users|status 0|" "cagefs=0 (named form): the module does nothing"

# ---- fail closed ----
refused() {
	local what=$1 pat=$2; shift 2
	out=$(session alice)
	is "$(echo "$out" | grep -E '^pamtester|status' | tr '\n' '|')" "pamtester: Permission denied|status 1|" \
		"$what: alice's session is refused (PAM_PERM_DENIED)"
	like "$(log pam_cagefs)" "$pat" "... and the log says why"
}
service "100 1"
"$SETUP_CAGEFSCTL" --unmount alice >/dev/null
cfg=/var/cagefs/01/alice/config.json
cp $cfg "$WORLD/config.json"
echo '{"ociVersion": 1' > $cfg
refused "a broken config.json" "pam_cagefs\(cagefs-test:session\): alice: refused: .*config.json"
cp "$WORLD/config.json" $cfg
printf 'min_uid 1000\n' > /etc/cagefs/cagefs.ini
refused "a malformed cagefs.ini" "alice: refused: cannot tell whether CageFS applies to this user: /etc/cagefs/cagefs.ini:1:"
rm /etc/cagefs/cagefs.ini
mv /usr/share/cagefs-skeleton "$WORLD/skeleton"
refused "a missing skeleton" "alice: refused: .*cannot build the cage of alice"
mv "$WORLD/skeleton" /usr/share/cagefs-skeleton
service "100 1 nonsense"
refused "an unknown option" "alice: refused: unknown option 'nonsense'"
out=$(session root)
is "$(echo "$out" | grep -E 'status')" "status 0" "... while root's session still opens (root is never caged)"
service "100 1"
is "$(session alice | grep -E 'status')" "status 0" "repaired: alice's session opens again"

# ---- su, with the module put in every stack by pam-auth-update ----
install -m 0644 "$B/pam_cagefs.so" "$(make -s -C "$TOP" print-pamdir)/pam_cagefs.so"
cp "$TOP/contrib/pam/pam-configs/cagefs" /usr/share/pam-configs/cagefs
DEBIAN_FRONTEND=noninteractive pam-auth-update --enable cagefs >"$WORLD/pam-auth-update.out" 2>&1
is "$(grep -v '^#' /etc/pam.d/common-session | grep . | tail -1 | tr -s ' \t' ' ' | sed 's/ $//')" "session required pam_cagefs.so" \
	"pam-auth-update --enable cagefs (contrib/pam/pam-configs/cagefs) puts the module last in common-session"
out=$(su - alice -c 'cut -d: -f1 /etc/passwd | sort | tr "\n" " "; echo; ls /home; id -un; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\t" | tr "\n" " "' 2>&1)
lacks "$out" " alice .* root " " (bob|carol) " "su - alice -c …: her passwd entry and the system's, no other user's"
is "$(echo "$out" | tail -n +2)" "alice
alice
NoNewPrivs:1 Seccomp:2 " "... only her home, as alice, under the filter"
is "$(su - bob -c 'id -un; ls /home | tr "\n" " "' 2>&1)" "bob
alice bob carol sysu " "su - bob (not caged) is untouched"

done_testing
