#!/bin/bash
# proxyexec (issue 12; docs/ARCHITECTURE.md §4.18): commands of the command
# files run outside the cage for a caged caller, through proxyexecd, which
# this test starts in its own throwaway world.  The wrappers are the ones
# cagefsctl --update puts in the skeleton; the refusals are told apart by
# the client's status (126: refused, 125: no daemon) and the daemon's
# message, and the audit log is read from the world's own syslog.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/syslog.sh"
world_enter "$@"
world_syslog

# ---- the world: wrappers installed, a test program, two caged users ----
SAFE=/usr/share/cagefs/safeprograms
install -D -m 0755 "$B/cagefs.proxy.program" $SAFE/cagefs.proxy.program || world_die "install the wrapper"
install -m 0755 "$TOP/contrib/proxy/cagefs.proxy.crontab" $SAFE/ || world_die "install the crontab wrapper"
PT=/usr/local/bin/ptest
cat > $PT <<'P'
#!/bin/bash
case $1 in
id) echo "uid=$(id -u) users=$(cut -d: -f1 /etc/passwd | sort | tr '\n' ' ')pwd=$(pwd) mnt=$(readlink /proc/self/ns/mnt)" ;;
exit) exit "$2" ;;
kill) kill -"$2" $$ ;;
cat) exec cat ;;
env) env | sort ;;
fds) ls /proc/self/fd | sort -n | tr '\n' ' '; echo ;;
fdin) echo "0 -> $(readlink /proc/self/fd/0)" ;;
int) trap 'echo "got INT" >&2; exit 42' INT; trap 'echo "got HUP" > /tmp/hup-$2; exit 43' HUP
     echo ready > "/tmp/ready-$2"; for _ in $(seq 300); do sleep 0.1; done; exit 7 ;;
sleep) sleep "$2" ;;
cg) grep -E '^[0-9]+:pids:' /proc/self/cgroup | cut -d: -f3 ;;
-*) echo "args: $*" ;;
esac
P
chmod 755 $PT
# sendmail's argument rules apply by name: a sendmail of the test's own,
# a symlink as Debian's is (no MTA needed).
SM=/usr/local/sbin/sendmail
mkdir -p /usr/local/sbin && ln -sf $PT $SM
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/ls, /usr/bin/id, /usr/bin/cut, /usr/bin/sort, /usr/bin/tr, /usr/bin/readlink, /usr/bin/head, /usr/bin/env, /bin/sleep, /usr/bin/seq, /usr/bin/mktemp, /bin/rm, /bin/ln, /bin/mv, /usr/bin/cmp, /usr/bin/wc, /usr/bin/dd, /usr/bin/sha256sum, /bin/mkdir, /usr/bin/timeout, $SM
devices=/dev/null, /dev/zero, /dev/urandom
users=nobody
groups=nogroup
C
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1901 -s /bin/bash alice && useradd -m -u 1902 -s /bin/bash bob \
	&& useradd -m -u 1903 -s /bin/bash carol || world_die useradd
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
# The command files after --init: the wrappers are --update's to install.
cat > /etc/cagefs/proxy.commands <<C
PTEST=$PT
ROOTTEST:noproceed=root:$PT
CRONTAB_LIST:cagefs.proxy.crontab=root:/usr/bin/crontab
CRONTAB_SAVE:noproceed=root:/usr/bin/crontab
SENDMAIL=$SM
PASSWD=/usr/bin/passwd
C
out=$("$CAGEFSCTL" --update 2>&1); rc=$?
is "$rc" 0 "cagefsctl --update with proxied commands: status 0"
like "$(cmp /usr/share/cagefs-skeleton$PT $SAFE/cagefs.proxy.program && echo same)" same \
	"the skeleton has the default wrapper at the proxied path $PT"
like "$(cmp /usr/share/cagefs-skeleton/usr/bin/crontab $SAFE/cagefs.proxy.crontab && echo same)" same \
	"... the named wrapper cagefs.proxy.crontab at /usr/bin/crontab (CRONTAB_SAVE is noproceed)"
is "$(stat -c %F /usr/share/cagefs-skeleton$SM)" "regular file" \
	"... a wrapper in place of the symlink $SM that conf.d lists"
"$SETUP_CAGEFSCTL" --enable alice bob >/dev/null 2>&1 || world_die "--enable failed"

# ---- the daemon ----
proxyd_start() {
	"$B/proxyexecd" --foreground "$@" > "$WORLD/proxyd.out" 2>&1 &
	PROXYD=$!
	for _ in $(seq 100); do [ -S /run/cagefs/proxy/proxyexec.sock ] && return 0; sleep 0.05; done
	world_die "proxyexecd did not start: $(cat "$WORLD/proxyd.out")"
}
proxyd_start --timeout-ms 2000
in_cage() { "$B/cagefs_enter_user" "$@"; }
log() { grep -a "$1" "$WORLD/syslog" | tail -1 | sed 's/^<[0-9]*>//'; }

# ---- run outside, as the caller ----
out=$(cd / && in_cage alice "cd ~ && $PT id" 2>&1)
like "$out" "^uid=1901 " "alice's proxied command runs as alice"
like "$out" " alice .*bob .*carol " "... outside the cage: it sees the host's /etc/passwd (bob, carol)"
isnt "$(echo "$out" | sed -n 's/.*mnt=//p')" "$(readlink /proc/$(cut -d' ' -f1 /run/cagefs/cages/alice.pid)/ns/mnt)" \
	"... in a mount namespace that is not her cage's"
like "$out" "pwd=/home/alice " "... in her working directory, mapped to the real path"
for st in 0 1 42; do
	in_cage alice "$PT exit $st"; is "$?" "$st" "exit status $st comes back"
done
in_cage alice "$PT kill TERM"; is "$?" 143 "death by SIGTERM comes back as death by SIGTERM (143 from the relay)"
in_cage alice "$PT kill SEGV" 2>/dev/null; is "$?" 139 "death by SIGSEGV comes back (139)"
head -c 10000000 /dev/urandom > "$WORLD/10m"
sum_in=$(sha256sum < "$WORLD/10m" | cut -d' ' -f1)
sum_out=$(in_cage alice "$PT cat" < "$WORLD/10m" | sha256sum | cut -d' ' -f1)
is "$sum_out" "$sum_in" "10 MB through stdin -> the command -> stdout, intact"
env_out=$(TERM=xterm-test LANG=C.UTF-8 in_cage alice "env FOO=bar LD_PRELOAD=/tmp/x.so $PT env")
like "$env_out" "TERM=xterm-test" "the caller's TERM is kept"
unlike "$env_out" "^(FOO|LD_PRELOAD)=" "... other variables of the caller's (LD_PRELOAD) are not"
like "$env_out" "HOME=/home/alice" "... HOME is the caller's"
is "$(in_cage alice "$PT fds")" "0 1 2 3 " "the command holds its stdio and nothing of the daemon's (3 is ls's own)"
is "$(in_cage alice "$SAFE/cagefs.proxy.program ROOTTEST fdin < /" 2>&1)" "0 -> /dev/null" \
	"a directory as the caller's stdin reaches a root command as /dev/null, never as the cage's /"

# SIGINT: the relay of cagefs_enter_user passes it to the wrapper, the
# wrapper to the daemon, the daemon to the command's group.
rm -f /tmp/ready-1
"$B/cagefs_enter_user" alice "$PT int 1" 2>"$WORLD/int.err" & rel=$!
for _ in $(seq 100); do [ -e /tmp/ready-1 ] && break; sleep 0.05; done
kill -INT $rel; wait $rel; st=$?
is "$st" 42 "SIGINT to the caller reaches the command (its INT trap exits 42)"
like "$(cat "$WORLD/int.err")" "got INT" "... which said so"

# hang-up: the caller is killed outright; the command gets SIGHUP.
rm -f /tmp/ready-2 /tmp/hup-2
"$B/cagefs_enter_user" alice $PT int 2 & rel=$!  # a program, not sh -c: the relay is its parent
for _ in $(seq 100); do [ -e /tmp/ready-2 ] && break; sleep 0.05; done
kill -KILL $rel; wait $rel 2>/dev/null
for _ in $(seq 100); do [ -e /tmp/hup-2 ] && break; sleep 0.05; done
is "$(cat /tmp/hup-2 2>/dev/null)" "got HUP" "a caller that dies: its command gets SIGHUP"

# ---- as another user: a fixed environment, and the audit log ----
env_root=$(TERM=xterm-test in_cage alice "$SAFE/cagefs.proxy.program ROOTTEST env")
like "$env_root" "USER=root" "ROOTTEST (root:) runs as root"
like "$env_root" "PROXYEXEC_USER=alice" "... told who asked (PROXYEXEC_USER)"
unlike "$env_root" "^(TERM|LANG)=" "... with a fixed environment: not even the caller's TERM"
like "$(log 'alias=ROOTTEST')" "uid=1901 user=alice alias=ROOTTEST argv=\['env'\] as=root decision=allowed" \
	"the audit log names uid, user, alias, argv, who it ran as and the decision"

# ---- the caller is the kernel's word ----
like "$(in_cage alice "USER=bob LOGNAME=bob $PT id")" "^uid=1901 " "USER=bob in alice's environment changes nothing: alice's uid"
raw() { /usr/bin/python3 "$TOP/tests/lib/proxy-raw.py" "$@"; }
like "$(raw /run/cagefs/proxy/proxyexec.sock alias PTEST id)" \
	"^E 126 uid 0 \(root\) is not calling from inside its own cage" "a caller outside every cage (root on the host) is refused"
mkdir -m 755 /tmp/p2
"$B/proxyexecd" --foreground --socket /tmp/p2/s > "$WORLD/p2.out" 2>&1 & P2=$!
for _ in $(seq 100); do [ -S /tmp/p2/s ] && break; sleep 0.05; done
fails_with "alice on the host, outside her cage, is refused" 126 "refused: uid 1901 \(alice\) is not calling from inside its own cage" \
	su -s /bin/sh alice -c "CAGEFS_PROXY_SOCKET=/tmp/p2/s $SAFE/cagefs.proxy.program PTEST id"
fails_with "carol, not caged, is refused" 126 "refused: uid 1903 \(carol\) is not calling from inside its own cage" \
	su -s /bin/sh carol -c "CAGEFS_PROXY_SOCKET=/tmp/p2/s $SAFE/cagefs.proxy.program PTEST id"
kill $P2; wait $P2 2>/dev/null

# Duplicate uids (manual: "Users with duplicate UIDs"): alice2 shares
# alice's uid; from her own cage she is alice2, unless proxy.disable.duid.
useradd -o -m -u 1901 -s /bin/bash alice2 || world_die "useradd alice2"
"$SETUP_CAGEFSCTL" --enable alice2 >/dev/null 2>&1 || world_die "--enable alice2"
like "$(in_cage alice2 "$PT env")" "PROXYEXEC_USER=alice2" "a duplicate uid is told apart by its cage (alice2, not alice)"
touch /etc/cagefs/proxy.disable.duid
fails_with "with proxy.disable.duid the users are not traversed: alice2 is refused" 126 \
	"uid 1901 \(alice\) is not calling from inside its own cage" in_cage alice2 "$PT id"
rm /etc/cagefs/proxy.disable.duid

# ---- refusals, each with its reason; the daemon serves on ----
fails_with "an alias no file lists is refused" 126 "refused: no proxied command named 'NOSUCH'" \
	in_cage alice "$SAFE/cagefs.proxy.program NOSUCH"
install -o alice -m 755 $SAFE/cagefs.proxy.program /home/alice/mine
fails_with "a copy of the wrapper at an unlisted path is refused" 126 "no proxied command at '/home/alice/mine'" \
	in_cage alice "~/mine id"
like "$(raw /run/cagefs/proxy/proxyexec.sock garbage)" "^E 126 malformed request: not the proxyexec protocol" \
	"garbage is refused as not the protocol"
like "$(raw /run/cagefs/proxy/proxyexec.sock nofds)" "^E 126 malformed request: the header must come with exactly 3 descriptors" \
	"a request without the caller's fds is refused"
like "$(raw /run/cagefs/proxy/proxyexec.sock nul)" "^E 126 malformed request: a NUL byte in an argument" \
	"an argument with a NUL byte is refused"
like "$(raw /run/cagefs/proxy/proxyexec.sock twoalias)" "^E 126 malformed request: a second alias" \
	"a request naming two aliases is refused"
like "$(raw /run/cagefs/proxy/proxyexec.sock bigheader)" "^E 126 request too large: 104857600 bytes, the limit is 262144" \
	"a 100 MB request is refused at its header"
raw /run/cagefs/proxy/proxyexec.sock stall > "$WORLD/stall.out" & stall=$!
is "$(in_cage bob "$PT id" | cut -d' ' -f1)" "uid=1902" "while a request stalls, bob is served"
wait $stall
like "$(cat "$WORLD/stall.out")" "^E 126 truncated request: not complete after 2000 ms" "the stalled request is refused at its deadline"
is "$(raw /run/cagefs/proxy/proxyexec.sock trunc)" left "a client leaves half way through its request"
sleep 0.2
like "$(log 'truncated request: the caller left')" "truncated request: the caller left after [0-9]+ of [0-9]+ bytes" \
	"... the daemon logs it as truncated"
is "$(in_cage bob "$PT exit 3"; echo $?)" 3 "... and serves on"

# 1000 requests at once from alice: at most 16 run, every other one is
# refused with the limit named, and bob is served meanwhile.
cat > /home/alice/many.sh <<S
for i in \$(seq 1000); do ( $PT sleep 2 2>/tmp/many.\$i; echo \$? >> /tmp/many.st ) & done; wait
S
rm -f /home/alice/.cagefs/tmp/many.*
in_cage alice "bash ~/many.sh" &
many=$!
sleep 1
is "$(in_cage bob "$PT id" | cut -d' ' -f1)" "uid=1902" "while alice sends 1000 requests at once, bob is served"
wait $many
st=$(sort /home/alice/.cagefs/tmp/many.st | uniq -c | awk '{print $2}' | tr '\n' ' ')
is "$st" "0 126 " "each of alice's 1000 requests ran (0) or was refused (126), nothing else"
is "$(wc -l < /home/alice/.cagefs/tmp/many.st)" 1000 "... all 1000 answered"
refused=$(grep -l "too many requests at once: 16 of uid 1901 are running (the limit is 16)" /home/alice/.cagefs/tmp/many.[0-9]* | wc -l)
ok "$([ "$refused" -gt 0 ] && [ "$refused" = "$(grep -c 126 /home/alice/.cagefs/tmp/many.st)" ]; echo $?)" \
	"... every refusal names the limit ($refused refused)"

# ---- crontab: the caller's own, in the real spool ----
SPOOL=/var/spool/cron/crontabs
printf '5 4 * * * echo from-alice\n' > /home/alice/ct && chown alice: /home/alice/ct
run "crontab FILE in alice's cage (the crontab wrapper, CRONTAB_SAVE as root)" in_cage alice "cd ~ && crontab ct"
like "$(cat $SPOOL/alice 2>&1)" "^5 4 \* \* \* echo from-alice" "... lands in the host's spool, for alice"
is "$(stat -c %U $SPOOL/alice)" alice "... owned by alice"
is "$(ls $SPOOL)" alice "... and nobody else's crontab changed"
like "$(in_cage alice "crontab -l")" "^5 4 \* \* \* echo from-alice" "crontab -l in the cage shows it (CRONTAB_LIST)"
fails_with "bob, in his cage, has no crontab: crontab -l says so" 1 "no crontab for bob" in_cage bob "crontab -l"
printf '6 6 * * * echo piped\n' | in_cage alice "crontab -" >/dev/null
like "$(cat $SPOOL/alice)" "echo piped" "crontab - replaces it from stdin"
printf '#!/bin/sh\necho "8 8 * * * echo edited" >> "$1"\n' > /home/alice/ed.sh && chmod 755 /home/alice/ed.sh
run "crontab -e in the cage: the wrapper edits a copy with \$EDITOR and saves it" in_cage alice "EDITOR=~/ed.sh crontab -e"
like "$(grep -v '^#' $SPOOL/alice | tr '\n' '|')" "^6 6 \* \* \* echo piped\|8 8 \* \* \* echo edited\|$" \
	"... the spool holds the old line and the edited one"
fails_with "crontab -u bob is refused" 126 "crontab -u: a proxied crontab is always your own" \
	in_cage alice "$SAFE/cagefs.proxy.program CRONTAB_LIST -u bob -l"
fails_with "crontab -e through the proxy is refused (it edits in the cage)" 126 "crontab -e: edit with the crontab of your cage" \
	in_cage alice "$SAFE/cagefs.proxy.program CRONTAB_SAVE -e"
printf '7 7 * * * echo OUTSIDE\n' > /etc/cagefs-outside && chmod 644 /etc/cagefs-outside
fails_with "crontab of a file outside the home is refused" 126 "the file /etc/cagefs-outside is outside your home /home/alice" \
	in_cage alice "cd ~ && crontab /etc/cagefs-outside"
ln -s /etc/cagefs-outside /home/alice/evil
fails_with "crontab of a symlink in the home is refused" 126 "the file /home/alice/evil \(no symlink may be on the way\)" \
	in_cage alice "cd ~ && crontab evil"
ln -s /etc /home/alice/etcl
fails_with "... so is a path through a symlinked directory" 126 "the file /home/alice/etcl/cagefs-outside \(no symlink" \
	in_cage alice "cd ~ && crontab etcl/cagefs-outside"
fails_with "... and ../ out of the home" 126 "the file /home/cagefs-outside is outside your home" \
	in_cage alice "cd ~ && crontab ../cagefs-outside"
lacks "$(cat $SPOOL/alice)" "echo piped" "OUTSIDE" "none of them reached the spool (which holds the last good one)"
fails_with "a working directory outside the home (/tmp) is refused" 126 "the working directory /tmp is outside your home /home/alice" \
	in_cage alice "cd /tmp && $PT id"

# Symlink races: alice swaps a directory of her home for a symlink to /etc
# while she asks for it; the daemon never follows it (crontab FILE, cwd).
mkdir -p /home/alice/sw && cp /etc/cagefs-outside /home/alice/sw/ 2>/dev/null
sed -i 's/OUTSIDE/inside/' /home/alice/sw/cagefs-outside; chown -R alice: /home/alice/sw
su -s /bin/bash alice -c 'cd ~; for i in $(seq 4000); do mv sw sw.d; ln -s /etc sw; rm sw; mv sw.d sw; done' & swap=$!
in_cage alice 'cd ~; for i in $(seq 150); do crontab sw/cagefs-outside 2>/dev/null && crontab -l; done' > "$WORLD/race-file" 2>&1
in_cage alice 'for i in $(seq 150); do (cd ~/sw 2>/dev/null && '$PT' id); done' > "$WORLD/race-cwd" 2>&1
wait $swap
lacks "$(cat "$WORLD/race-file")" "echo inside" "OUTSIDE" "crontab FILE under a symlink race: /etc's file never reached the spool, the home's did"
unlike "$(cat "$WORLD/race-cwd")" "pwd=/etc" "cwd under a symlink race: the command never ran in /etc"
like "$(cat "$WORLD/race-cwd")" "pwd=/home/alice/sw(\.d)? " "... while it did run in the real directory between swaps"

# ---- argument rules ----
fails_with "sendmail -be is refused" 126 "sendmail: option -be is not allowed.*-be is expansion test mode" \
	in_cage alice "$SM -be '\$primary_hostname'"
fails_with "sendmail -C FILE is refused" 126 "sendmail: option -C/home/alice/x is not allowed.*-C names another configuration" \
	in_cage alice "$SM -C/home/alice/x -t"
like "$(log "alias=@$SM")" "uid=1901 user=alice alias=@$SM argv=\['-C/home/alice/x' '-t'\] as=alice decision=refused: sendmail: option" \
	"a refusal is audit-logged with its reason"
is "$(in_cage alice "$SM -t -i -f alice@example.org -F Alice bob@example.org" 2>&1)" "args: -t -i -f alice@example.org -F Alice bob@example.org" \
	"sendmail -t -i -f ADDR -F NAME RCPT passes as it is"
fails_with "passwd bob is refused" 126 "passwd: bob is not allowed \(your own password only" in_cage alice "passwd bob"
echo 'alice:Old-Pass-4711' | chpasswd
before=$(grep '^alice:' /etc/shadow | cut -d: -f2)
out=$(printf 'Old-Pass-4711\nZq8#vN2!pL7x\nZq8#vN2!pL7x\n' | in_cage alice passwd 2>&1); rc=$?
is "$rc" 0 "passwd in the cage, through the proxy: status 0"
isnt "$(grep '^alice:' /etc/shadow | cut -d: -f2)" "$before" "... alice's hash in the host's /etc/shadow changed"
like "$(grep '^bob:' /etc/shadow | cut -d: -f2)" '^[!*]' "... and bob's did not"

# ---- the command files: errors are file:line, the daemon does not start ----
echo "PTEST=$PT" > /etc/cagefs/custom.proxy.commands
fails_with "an alias defined in two files stops the daemon, naming both" 1 \
	"/etc/cagefs/custom.proxy.commands:1: alias PTEST is already defined at /etc/cagefs/proxy.commands:1" \
	"$B/proxyexecd" --foreground --socket /tmp/p3
printf '# mine\nMINE=/usr/bin/no-such-program\n' > /etc/cagefs/custom.proxy.commands
fails_with "a missing program is file:line" 1 "/etc/cagefs/custom.proxy.commands:2: /usr/bin/no-such-program: No such file" \
	"$B/proxyexecd" --foreground --socket /tmp/p3
install -m 0777 /bin/true /usr/local/bin/writable
echo "W=/usr/local/bin/writable" > /etc/cagefs/custom.proxy.commands
fails_with "a program others can change is refused" 1 "custom.proxy.commands:1: /usr/local/bin/writable can be changed by someone other than root" \
	"$B/proxyexecd" --foreground --socket /tmp/p3
echo "BAD LINE" > /etc/cagefs/custom.proxy.commands
fails_with "bad syntax is file:line" 1 "custom.proxy.commands:1: 'BAD LINE' is not ALIAS\[:wrapper_name\]=\[username:\]path" \
	"$B/proxyexecd" --foreground --socket /tmp/p3
fails_with "cagefsctl --update stops on it too" 1 "custom.proxy.commands:1: 'BAD LINE' is not" "$CAGEFSCTL" --update
kill -HUP $PROXYD; sleep 0.3
like "$(log 'reload refused')" "reload refused, the commands stay as they were: .*custom.proxy.commands:1:" \
	"SIGHUP with a broken file: the reload is refused"
is "$(in_cage bob "$PT exit 5"; echo $?)" 5 "... and the daemon serves with the commands it had"
rm /etc/cagefs/custom.proxy.commands

# ---- the caller's limits hold what runs for her (§4.17) ----
L=/cagefs-proxy-$WORLD_ID
echo "limits_cgroup=$L/users" >> /etc/cagefs/cagefs.ini
"$CAGEFSCTL" --set-limits alice pids=50 >/dev/null
is "$(in_cage alice "$PT cg")" "$L/users/1901" "a proxied command of alice's runs in her account's limits cgroup"
is "$(in_cage bob "$PT cg")" "$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup)" "bob's, with no limits, where the daemon is"
# a process already in her cage calls after limits.conf broke (a new
# entry would be refused itself)
in_cage alice "sleep 1.5; $PT cg" > "$WORLD/lim.out" 2>&1 &
LJ=$!
sleep 0.5
echo "alice pids=x" >> /etc/cagefs/limits.conf
wait $LJ
is "$?" 126 "a broken limits.conf: alice's proxied command is refused (126)..."
like "$(cat "$WORLD/lim.out")" "limits not applied: /etc/cagefs/limits.conf:2: alice already has its line \\(line 1\\)" "... saying why"
like "$(log 'decision=refused: limits')" "uid=1901 user=alice alias=@/usr/local/bin/ptest argv=\\['cg'\\] as=alice decision=refused: limits not applied" "... and the refusal is audited"
rm -f /etc/cagefs/limits.conf
for m in /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/; do
	[ -d "$m$L" ] && find "$m$L" -depth -type d -exec rmdir {} + 2>/dev/null
done

done_testing
