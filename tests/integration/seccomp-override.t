#!/bin/bash
# Per-user seccomp overrides (issue 14; docs/ARCHITECTURE.md §4.24):
# /etc/cagefs/seccomp.d/USER merged into the server's profile by the bundle
# generator, and cagefsctl --seccomp-show, --seccomp-check, --seccomp-apply.
# One server profile (the default); alice gets an override, bob none, and
# the kernel decides: a real keyctl(2), getcwd(2) and uname(2) made in the
# cage by the static probe (tests/probe.c --call).  A live cage keeps the
# filter it started with while a new entry gets the new one; log-denials
# makes the kernel log the calls refused; broken files are refused with
# their line, change nothing, and fail only their user in a batch.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

# ---- the world ----
mkdir -p "$WORLD/bin" /usr/share/cagefs-test
PROBE=/usr/share/cagefs-test/probe
gcc -static -O2 -o "$WORLD/probe" "$TOP/tests/probe.c" || world_die "cannot build the probe"
cp "$WORLD/probe" $PROBE
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/pwd, $PROBE
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
uid=1931
for u in alice bob carol; do
	useradd -m -u $uid -s /bin/bash $u || world_die "useradd $u"
	uid=$((uid + 1))
done
"$SETUP_CAGEFSCTL" --enable alice bob carol >/dev/null 2>&1 || world_die "--enable failed"
cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter"
chown root:root "$WORLD/bin/cagefs_enter" && chmod 4755 "$WORLD/bin/cagefs_enter"
ENTER=$WORLD/bin/cagefs_enter
enter() { su -s /bin/sh "$1" -c 'exec "$0" "$1"' "$ENTER" "$2"; }
call() { enter "$1" "$PROBE --call $2" 2>/dev/null | tr '\n' ' '; } # USER CALLS: "keyctl=ok add_key=EPERM "
CTL=$B/cagefsctl
D=/etc/cagefs/seccomp.d
config() { printf '/var/cagefs/%02d/%s/config.json' $(($(id -u "$1") % 100)) "$1"; }
sum() { sha256sum "$@" 2>&1 | awk '{print $1}' | tr '\n' ' '; }
mkdir -p $D

# ---- one server profile, alice's override, bob without ----
is "$(call alice "keyctl add_key") $(call bob "keyctl add_key")" "keyctl=EPERM add_key=EPERM  keyctl=EPERM add_key=EPERM " \
	"the default profile: keyctl(2) and add_key(2) fail with EPERM for alice and bob"
# alice's process, started before her override is applied, waits in her cage
mkfifo /home/alice/ready /home/alice/go && chown alice: /home/alice/ready /home/alice/go
# (opened read-write, a FIFO opens without waiting: if her entry fails, the
# test reads "ended" and goes on, never waits for ever)
{ enter alice "echo started > ~/ready; read x < ~/go; $PROBE --call keyctl" > "$WORLD/live.out" 2>&1
  echo ended 1<> /home/alice/ready; } &
LIVE=$!
read -r started < /home/alice/ready
printf 'allow keyctl # her PHP extension\nallow add_key\n' > $D/alice
like "$("$CTL" --seccomp-show alice)" "not applied yet: $D/alice changed after config.json was written; run cagefsctl --update-etc alice to apply it" \
	"an override not applied yet: --seccomp-show says so and names the command"
is "$(call alice keyctl)" "keyctl=EPERM " "... and until then her entries keep the filter of config.json"
out=$("$CTL" --update-etc alice 2>&1)
is "$?:$out" "0:update-etc: 1 user, 1 changed, 0 unchanged, 0 failed, 0 need attention" "--update-etc alice writes her bundle"
is "$(call alice "keyctl add_key")" "keyctl=ok add_key=ok " "a new entry of alice's: keyctl(2) and add_key(2) work"
is "$(call bob "keyctl add_key")" "keyctl=EPERM add_key=EPERM " "bob's still fail with EPERM: the override is alice's alone"
echo go 1<> /home/alice/go
wait $LIVE
is "$started:$(cat "$WORLD/live.out")" "started:keyctl=EPERM" \
	"alice's process that was running before keeps the filter it started with: keyctl=EPERM"
is "$("$CTL" --update-etc alice 2>&1)" "update-etc: 1 user, 0 changed, 1 unchanged, 0 failed, 0 need attention" \
	"--update-etc again changes nothing"
python3 - "$(config alice)" "$(config bob)" "$TOP/seccomp/default.json" > "$WORLD/cmp" <<'P'
import json, sys
a, b, d = (json.load(open(f)) for f in sys.argv[1:])
a, b = a["linux"]["seccomp"], b["linux"]["seccomp"]
names = lambda p: sorted(n for e in p["syscalls"] for n in e["names"])
print(b == d, sorted(set(names(d)) - set(names(a))), sorted(set(names(a)) - set(names(d))), a["architectures"] == d["architectures"])
P
is "$(cat "$WORLD/cmp")" "True ['add_key', 'keyctl'] [] True" \
	"config.json: bob's profile is default.json as it is; alice's lacks only keyctl and add_key"

# ---- --seccomp-show ----
show=$("$CTL" --seccomp-show alice)
like "$(head -3 <<<"$show" | tr '\n' '|')" "^alice: the seccomp filter of $(config alice)\|override: $D/alice\|server profile: the built-in default \(seccomp/default.json\)\|$" \
	"--seccomp-show alice: her config.json, her override, the server's profile"
lacks "$show" "^deny errno=EPERM \(1\):.*" "keyctl|add_key|not applied" "... no keyctl, no add_key, nothing pending"
like "$(tr '\n' '|' <<<"$show")" "\|default action: allow\|architectures: SCMP_ARCH_X86_64 .*\|deny errno=EPERM \(1\):\|  mount umount .*\|  ioctl a1&0xffffffff==0x5412\|.*deny errno=ENOSYS \(38\):\|  clone3 io_uring_setup io_uring_enter io_uring_register\|" \
	"... the rules per action, errno names, conditions in the override syntax"
like "$("$CTL" --seccomp-show bob)" "override: none \(no $D/bob\)" "--seccomp-show bob: no override"
json=$("$CTL" --seccomp-show --json alice)
is "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]) == json.load(open(sys.argv[2]))["linux"]["seccomp"])' "$json" "$(config alice)")" \
	True "--seccomp-show --json: the OCI object of her config.json"
fails_with "--seccomp-show of an unknown user" 1 "^cagefsctl: error: nosuch: no such user$" "$CTL" --seccomp-show nosuch
fails_with "--seccomp-show without a user" 1 "^cagefsctl: error: --seccomp-show needs a user name$" "$CTL" --seccomp-show

# ---- deny, errno=, kill, log-denials ----
echo "deny getcwd" > $D/alice && "$CTL" --update-etc alice >/dev/null
is "$(call alice getcwd)" "getcwd=EPERM " "deny getcwd: getcwd(2) fails with EPERM"
like "$(enter alice 'cd /tmp && /bin/pwd' 2>&1)" "Operation not permitted" "... and pwd says so"
echo "deny getcwd errno=ENOSYS" > $D/alice && "$CTL" --update-etc alice >/dev/null
is "$(call alice getcwd) $(call bob getcwd)" "getcwd=ENOSYS  getcwd=ok " "deny getcwd errno=ENOSYS: ENOSYS for alice; bob's works"
echo "kill uname" > $D/alice && "$CTL" --update-etc alice >/dev/null
is "$(call alice "uname getcwd")" "uname=signal31 getcwd=ok " "kill uname: killed by SIGSYS (31)"
printf 'log-denials\ndeny getcwd\n' > $D/alice && "$CTL" --update-etc alice >/dev/null
flags=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["linux"]["seccomp"].get("flags"))' "$(config alice)")
is "$flags $(call alice getcwd)" "['SECCOMP_FILTER_FLAG_LOG'] getcwd=EPERM " "log-denials: SECCOMP_FILTER_FLAG_LOG in her config.json's profile"
audit=$(dmesg 2>/dev/null | grep "audit: type=1326 .* uid=1931 .* syscall=79 " | tail -1)
if [ "$flags" = "['SECCOMP_FILTER_FLAG_LOG']" ] && [ -n "$audit" ]; then
	like "$audit" "comm=\"probe\" .* code=0x50000$" "the kernel logged her refused getcwd: audit type=1326, uid=1931, code=0x50000 (SECCOMP_RET_ERRNO)"
elif [ "$flags" = "['SECCOMP_FILTER_FLAG_LOG']" ]; then
	ok 0 "# SKIP no audit line in dmesg (the kernel's printk rate limit)"
else
	ok 1 "log-denials: no flag, no log"
fi

# ---- --seccomp-check ----
cat > "$WORLD/p.json" <<'J'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    {"names": ["mount"], "action": "SCMP_ACT_ERRNO"},
    {"names": ["uname", "unamee"], "action": "SCMP_ACT_FOO"}
  ]
}
J
check() { "$CTL" --seccomp-check "$@"; }
fails_with "--seccomp-check: a JSON profile's unknown action, with file:line" 1 \
	"^cagefsctl: error: $WORLD/p.json:5: syscalls\[1\].action: unknown action 'SCMP_ACT_FOO'$" check "$WORLD/p.json"
sed -i 's/SCMP_ACT_FOO/SCMP_ACT_KILL_PROCESS/' "$WORLD/p.json"
out=$(check "$WORLD/p.json" 2>&1)
is "$?:$out" "0:cagefsctl: warning: $WORLD/p.json:5: syscalls[1].names[1]: unknown syscall 'unamee' (skipped, as runc and crun skip it)
$WORLD/p.json: ok (a JSON profile)
seccomp-check: 1 file, 0 errors, 1 warning" "an unknown syscall name: a warning with its line, exit 0"
sed -i 's/"action": "SCMP_ACT_ERRNO"}/"action": "SCMP_ACT_ERRNO", "args": [\n      {"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}/' "$WORLD/p.json"
fails_with "a bad argument index, with its line" 1 "^cagefsctl: error: $WORLD/p.json:5: syscalls\[0\].args\[0\].index: 6 is out of range \(0..5\)$" check "$WORLD/p.json"
sed -i 's/"index": 6, "value": 1, "op": "SCMP_CMP_EQ"/"index": 0, "value": 1, "op": "SCMP_CMP_EQUALS"/' "$WORLD/p.json"
fails_with "a bad operator, with its line" 1 "^cagefsctl: error: $WORLD/p.json:5: syscalls\[0\].args\[0\].op: unknown operator 'SCMP_CMP_EQUALS'$" check "$WORLD/p.json"
printf '{"defaultAction": "SCMP_ACT_ALLOW",\n"syscalls": [\n{"names": ["mount"]\n' > "$WORLD/cut"
fails_with "a profile cut short (named without .json: its '{' says JSON)" 1 "^cagefsctl: error: $WORLD/cut:3:20: parse error: premature EOF$" check "$WORLD/cut"
ov() { printf "$2" > "$WORLD/$1"; echo "$WORLD/$1"; } # NAME TEXT: an override file in the world
fails_with "an override's unknown syscall" 1 "^cagefsctl: error: $WORLD/o1:2: unknown syscall 'keyctrl'$" check "$(ov o1 'allow add_key\nallow keyctrl\n')"
fails_with "an override's unknown action" 1 "^cagefsctl: error: $WORLD/o2:1: unknown directive 'permit' \(allow, deny, kill, log or log-denials\)$" check "$(ov o2 'permit keyctl\n')"
fails_with "an override's bad argument index" 1 "^cagefsctl: error: $WORLD/o3:1: 'a6==0': argument a6 does not exist \(a0..a5\)$" check "$(ov o3 'deny ioctl a6==0\n')"
fails_with "an override's bad operator" 1 "^cagefsctl: error: $WORLD/o4:1: 'a1=>3': unknown operator \(aN==V, aN!=V, aN<V, aN<=V, aN>V, aN>=V or aN&MASK==V with N 0..5\)$" check "$(ov o4 'deny ioctl a1=>3\n')"
fails_with "NUL bytes in an override" 1 "^cagefsctl: error: $WORLD/o5:2: a NUL byte: not a text file$" check "$(ov o5 'allow keyctl\nallow \0add_key\n')"
head -c 1000000 /dev/urandom | tr -d '\000{' > "$WORLD/garbage"
fails_with "1 MB of garbage: refused at its first line that is not a rule" 1 "^cagefsctl: error: $WORLD/garbage:[0-9]+: (unknown directive|[a-z-]+: no syscall name|unknown syscall)" check "$WORLD/garbage"
head -c 1100000 /dev/zero | tr '\0' '#' > "$WORLD/big"
fails_with "more than 1 MiB: refused" 1 "^cagefsctl: error: $WORLD/big: larger than 1048576 bytes$" check "$WORLD/big"
out=$(check "$(ov o6 'allow keyctl\nallow getpid\n')" 2>&1)
is "$?:$out" "0:$WORLD/o6: ok (an override: 2 rules)
cagefsctl: warning: $WORLD/o6:2: 'allow getpid' changes nothing: the profile has no rule of getpid, and its default action is already that
seccomp-check: 1 file, 0 errors, 1 warning" "an override that checks: ok, a line that changes nothing is a warning, exit 0"
ln -s alice $D/carol
fails_with "a symlinked override is refused" 1 "^cagefsctl: error: $D/carol: a symlink: refused \(an override decides a user's seccomp filter\)$" check $D/carol
rm $D/carol && cp $D/alice $D/carol && chmod 666 $D/carol
fails_with "a world-writable override is refused" 1 "^cagefsctl: error: $D/carol: writable by others \(mode 0666\): refused" check $D/carol
out=$(check 2>&1)
is "$?:$out" "1:/etc/cagefs/seccomp.json: none: the server's profile is the built-in default
$D/alice: ok (an override: 1 rule, log-denials)
cagefsctl: error: $D/carol: writable by others (mode 0666): refused (an override decides a user's seccomp filter)
seccomp-check: 2 files, 1 error, 0 warnings" "--seccomp-check without FILE: the server's profile and every override; exit 1 for one error"
fails_with "... and carol's bundle is refused with it" 1 "^cagefsctl: error: carol: $D/carol: writable by others \(mode 0666\)" "$CTL" --update-etc carol
rm $D/carol

# ---- --seccomp-apply ----
P=/etc/cagefs/seccomp.proposed
mkdir -p $P
before="$(sum $D/alice "$(config alice)")"
fails_with "--seccomp-apply without a proposal: says where it looked" 1 "^cagefsctl: error: no proposal for alice: $P/alice does not exist \(learning mode writes it there; or name a FILE\)$" "$CTL" --seccomp-apply alice
r=$?; is "$r:$(sum $D/alice "$(config alice)")" "0:$before" "... and changes nothing"
printf 'allow keyctl\ndeny getcwd a0==1 a0==2\n' > $P/alice
fails_with "--seccomp-apply of a broken proposal is refused" 1 "^cagefsctl: error: alice: nothing changed: $P/alice:2: a0 is tested twice" "$CTL" --seccomp-apply alice
r=$?; is "$r:$(sum $D/alice "$(config alice)")" "0:$before" "... and her override and config.json are as they were"
printf 'deny getpriority a0!=2 a1>5\ndeny getpriority a0!=2 a3<7\n' > $P/alice
fails_with "a proposal libseccomp would loop on is refused, naming the line" 1 "^cagefsctl: error: alice: nothing changed: $P/alice:2: the merged profile is refused: syscalls\[[0-9]+\] and syscalls\[[0-9]+\] \('getpriority'\): two rules with several conditions" "$CTL" --seccomp-apply alice
r=$?; is "$r:$(sum $D/alice "$(config alice)")" "0:$before" "... changing nothing"
printf 'allow keyctl\n' > $P/alice && chown bob $P/alice
fails_with "a proposal that is not root's is refused" 1 "^cagefsctl: error: alice: nothing changed: $P/alice: owned by uid 1932, not by root: refused" "$CTL" --seccomp-apply alice
chown root $P/alice
out=$("$CTL" --seccomp-apply alice 2>&1)
is "$?:$out" "0:alice: $D/alice installed from $P/alice (1 rule)
alice: config.json written: every new entry gets the new filter; processes already running keep theirs until they end (cagefsctl --remount alice ends them)" \
	"--seccomp-apply alice: the proposal installed, her bundle written"
is "$(stat -c '%U %a' $D/alice) $(cat $D/alice) $(call alice "keyctl getcwd")" "root 644 allow keyctl keyctl=ok getcwd=ok " \
	"... root's, mode 0644; her next entry has the new filter"
printf 'deny add_key errno=EACCES\n' > "$WORLD/mine"
out=$("$CTL" --seccomp-apply bob "$WORLD/mine" 2>&1)
is "$?:$out:$(call bob add_key)" "0:bob: $D/bob installed from $WORLD/mine (1 rule)
bob: config.json written: every new entry gets the new filter; processes already running keep theirs until they end (cagefsctl --remount bob ends them):add_key=EACCES " \
	"--seccomp-apply bob FILE: any file of root's"
out=$("$CTL" --seccomp-apply bob "$WORLD/mine" 2>&1)
is "$?:$out" "0:bob: $D/bob already holds $WORLD/mine
bob: config.json unchanged: it already has this filter" "--seccomp-apply again: nothing to do"
fails_with "--seccomp-apply of root is refused" 1 "^cagefsctl: error: root" "$CTL" --seccomp-apply root "$WORLD/mine"

# ---- a server profile changed: every user's show says so ----
python3 - "$TOP/seccomp/default.json" > /etc/cagefs/seccomp.json <<'P'
import json, sys
p = json.load(open(sys.argv[1]))
p["syscalls"].append({"names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1})
print(json.dumps(p, indent=2))
P
like "$("$CTL" --seccomp-show carol)" "not applied yet: /etc/cagefs/seccomp.json changed after config.json was written; run cagefsctl --update-etc carol to apply it" \
	"the server's profile changed: --seccomp-show carol says so"
warn=$("$CTL" --seccomp-show --json carol 2>&1 >/dev/null)
is "$warn" "cagefsctl: warning: not applied yet: /etc/cagefs/seccomp.json changed after config.json was written; run cagefsctl --update-etc carol to apply it" \
	"... with --json on stderr, the JSON alone on stdout"

# ---- a broken override fails its user only, in a batch ----
echo "deny nosuch" > $D/bob
before_bob=$(sum "$(config bob)")
fails_with "--update-etc of everyone: bob's broken override fails bob, exit 1" 1 "^cagefsctl: error: bob: $D/bob:1: unknown syscall 'nosuch'$" "$CTL" --update-etc
like "$(tr '\n' '|' < "$WORLD/last.out")" "update-etc: 3 users, 2 changed, 0 unchanged, 1 failed, 0 need attention" "... the others are written (the new server profile), the summary counts bob as failed"
is "$(sum "$(config bob)")$(call bob "add_key uname") $(call carol uname) $(call alice "keyctl uname")" \
	"${before_bob}add_key=EACCES uname=ok  uname=EPERM  keyctl=ok uname=EPERM " \
	"bob's config.json is left as it was: his entries keep his filter; carol and alice have the new server profile"

# ---- an override removed: the filter it gave stays until the bundle is written ----
rm $D/alice
like "$("$CTL" --seccomp-show alice | sed -n 2,4p | tr '\n' '|')" "^override: none \(no $D/alice\)\|server profile: /etc/cagefs/seccomp.json\|not applied yet: the profile the files give now differs from config.json's; run cagefsctl --update-etc alice to apply it\|$" \
	"alice's override removed: --seccomp-show says her config.json still has what it gave"
"$CTL" --update-etc alice >/dev/null 2>&1
is "$(call alice keyctl)$("$CTL" --seccomp-show alice | grep -c 'not applied')" "keyctl=EPERM 0" "--update-etc alice: the server's profile alone again"
done_testing
