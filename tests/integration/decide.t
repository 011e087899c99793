#!/bin/bash
# One decision, fail closed (docs/ARCHITECTURE.md §3): every way into a
# cage — the setuid cagefs_enter run by the user, cagefs_enter_user,
# cagefsctl --enter, cagefs-runtime exec/run/create — asks the library
# whether the user is caged.  Caged: the command runs in the cage.
# Definitely not (not enabled, excluded, CageFS off): cagefs_enter and
# cagefs_enter_user run it uncaged and say why (manual: "Running Command
# Inside CageFS"); cagefsctl --enter and cagefs-runtime refuse.  Cannot
# tell (a malformed cagefs.ini, a list that is a file, an unreadable
# exclude directory): every entry refuses, naming the file and line, and
# nothing runs — never uncaged.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"
RT=$B/cagefs-runtime

cat > /etc/cagefs/conf.d/base.cfg <<'C'
[base]
paths=/bin/bash, /bin/sh, /usr/bin/id, /usr/bin/readlink, /bin/echo
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1601 -s /bin/bash alice && useradd -m -u 1602 -s /bin/bash bob \
	&& useradd -m -u 1603 -s /bin/bash carol || world_die "useradd"
"$SETUP_CAGEFSCTL" --enable alice carol >/dev/null 2>&1 || world_die "--enable failed"
mkdir -p /etc/cagefs/exclude && echo carol > /etc/cagefs/exclude/panel
mkdir -p "$WORLD/bin" && cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter" \
	&& chmod 4755 "$WORLD/bin/cagefs_enter" || world_die "setuid copy"
HOSTNS=$(readlink /proc/self/ns/mnt)
CMD='echo ran as $(id -un) in $(readlink /proc/self/ns/mnt)'

# via P USER: CMD through entry path P; prints its output, then "rc=N".
via() {
	local out rc
	case $1 in
	enter) out=$(su -s /bin/sh "$2" -c 'exec "$0" "$1"' "$WORLD/bin/cagefs_enter" "$CMD" 2>&1) ;;
	enter_user) out=$("$B/cagefs_enter_user" "$2" "$CMD" 2>&1) ;;
	ctl) out=$("$CAGEFSCTL" --enter "$2" -- /bin/sh -c "$CMD" 2>&1) ;;
	exec) out=$("$RT" exec "$2" /bin/sh -c "$CMD" 2>&1) ;;
	esac
	rc=$?
	printf '%s\nrc=%s\n' "$out" "$rc"
}
prog() { case $1 in enter) echo cagefs_enter ;; enter_user) echo cagefs_enter_user ;;
	ctl) echo cagefsctl ;; exec) echo cagefs-runtime ;; esac; }

# ---- caged: each path runs the command in the cage ----
ns=""
for P in enter enter_user exec; do
	out=$(via $P alice)
	got=$(printf '%s\n' "$out" | sed -n 's/^ran as alice in \(mnt:\[[0-9]*\]\)$/\1/p')
	is "$(printf '%s\n' "$out" | tail -1)" "rc=0" "$P: alice (enabled) exits 0"
	ok "$([ -n "$got" ] && [ "$got" != "$HOSTNS" ]; echo $?)" "$P: alice runs in a mount namespace not the host's ($got)"
	ns=${ns:-$got}
	same "$got" "$ns" "$P: ... the same one for every path"
done
out=$(via ctl alice)
is "$out" "ran as root in $ns
rc=0" "cagefsctl --enter: root in alice's cage"

# ---- definitely not caged ----
# bob is not enabled (Disable All mode); carol is enabled but excluded.
why_bob="CageFS is disabled for bob (cagefsctl --enable bob enables it)"
why_carol="excluded in /etc/cagefs/exclude/panel"
for u in bob carol; do
	why=$why_bob; [ $u = carol ] && why=$why_carol
	for P in enter enter_user; do
		is "$(via $P $u)" "CageFS does not apply to $u ($why): running without a cage
ran as $u in $HOSTNS
rc=0" "$P: $u is not caged ($why): runs uncaged, and says why"
	done
	for P in ctl exec; do
		is "$(via $P $u)" "$(prog $P): error: $u is not caged: $why
rc=1" "$P: $u is not caged: refused, nothing runs"
	done
done
is "$("$RT" create bob 2>&1; echo "rc=$?")" "cagefs-runtime: error: bob is not caged: $why_bob
rc=1" "cagefs-runtime create bob: refused, no cage for a user who is not caged"
is "$(ls /run/cagefs/cages/ 2>&1)" "alice.pid" "... only alice has a cage"
is "$(su -s /bin/sh root -c 'exec "$0" id -un' "$WORLD/bin/cagefs_enter" 2>&1)" \
	"CageFS does not apply to root (root is never caged): running without a cage
root" "cagefs_enter run by root: uncaged, root is never caged"
touch /etc/cagefs/cagefs.disabled
is "$(via enter alice)" "CageFS does not apply to alice (CageFS is disabled for every user (/etc/cagefs/cagefs.disabled; cagefsctl --enable-cagefs turns it on)): running without a cage
ran as alice in $HOSTNS
rc=0" "CageFS switched off: alice runs uncaged, and is told why"
rm /etc/cagefs/cagefs.disabled

# ---- cannot tell: every path refuses, nothing runs ----
# refused CASE MESSAGE: alice and bob through every path.
refused() {
	local u P
	for u in alice bob; do
		for P in enter enter_user ctl exec; do
			is "$(via $P $u)" "$(prog $P): error: $u: refused: cannot tell whether CageFS applies to this user: $2
rc=1" "$1: $P $u refused (the file and line named), nothing ran"
		done
	done
	is "$("$RT" create alice 2>&1; echo "rc=$?")" "cagefs-runtime: error: alice: refused: cannot tell whether CageFS applies to this user: $2
rc=1" "$1: cagefs-runtime create alice refused"
}
cp /etc/cagefs/cagefs.ini "$WORLD/ini"
printf 'pin_cgroup=\nmin_uid 1000\n' > /etc/cagefs/cagefs.ini
refused "an admin's typo in cagefs.ini" "/etc/cagefs/cagefs.ini:2: expected key=value or [section], found 'min_uid 1000'"
printf 'pin_cgroup=\n\nmin_uid=1OOO\n' > /etc/cagefs/cagefs.ini
refused "min_uid not a number" "/etc/cagefs/cagefs.ini:3: min_uid must be a positive number, not '1OOO'"
cp "$WORLD/ini" /etc/cagefs/cagefs.ini
mv /etc/cagefs/exclude "$WORLD/exclude" && echo carol > /etc/cagefs/exclude
refused "exclude is a file" "cannot read /etc/cagefs/exclude: Not a directory"
rm /etc/cagefs/exclude && mv "$WORLD/exclude" /etc/cagefs/exclude
mv /etc/cagefs/users.enabled "$WORLD/users.enabled" && printf 'alice\ncarol\n' > /etc/cagefs/users.enabled
for P in enter enter_user ctl exec; do
	is "$(via $P alice)" "$(prog $P): error: alice: refused: cannot tell whether CageFS applies to this user: cannot tell whether /etc/cagefs/users.enabled/alice exists: Not a directory
rc=1" "users.enabled is a file: $P alice refused, nothing ran"
done
rm /etc/cagefs/users.enabled && mv "$WORLD/users.enabled" /etc/cagefs/users.enabled

# /etc/login.defs gives the minimum uid when cagefs.ini does not: missing,
# the default (1000) applies; there but unreadable, nothing can be decided.
mv /etc/login.defs "$WORLD/login.defs"
is "$(via enter alice)" "ran as alice in $ns
rc=0" "no /etc/login.defs: the default minimum uid, alice is caged"
mkdir /etc/login.defs
for P in enter enter_user ctl exec; do
	is "$(via $P bob)" "$(prog $P): error: bob: refused: cannot tell whether CageFS applies to this user: cannot read /etc/login.defs: Is a directory
rc=1" "/etc/login.defs unreadable: $P bob refused, never read as the default"
done
rmdir /etc/login.defs && mv "$WORLD/login.defs" /etc/login.defs

# Repaired, the same entries work again (the refusals were the files').
out=$(via enter alice)
is "$out" "ran as alice in $ns
rc=0" "configuration repaired: alice is caged again, in the same cage"

done_testing
