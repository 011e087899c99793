#!/bin/bash
# Attacks on proxyexec (issue 12) by a hostile caged user.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/syslog.sh"
world_enter "$@"
world_syslog

SAFE=/usr/share/cagefs/safeprograms
install -D -m 0755 "$B/cagefs.proxy.program" $SAFE/cagefs.proxy.program || world_die "install the wrapper"
install -m 0755 "$TOP/contrib/proxy/cagefs.proxy.crontab" $SAFE/ || world_die "install the crontab wrapper"
PT=/usr/local/bin/ptest
cat > $PT <<'P'
#!/bin/bash
case $1 in
id) echo "uid=$(id -u)" ;;
catin) exec cat /proc/self/fd/0 ;;
fdin) echo "0 -> $(readlink /proc/self/fd/0)" ;;
-*) echo "args: $*" ;;
esac
P
chmod 755 $PT
# a sendmail of the test's own (the rules apply by name): it shows its arguments
mkdir -p /usr/local/sbin && ln -sf $PT /usr/local/sbin/sendmail
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/ls, /usr/bin/id, /usr/bin/env, /bin/sleep, /usr/bin/seq, /usr/bin/mktemp, /bin/rm, /usr/sbin/sendmail
devices=/dev/null, /dev/zero, /dev/urandom
users=nobody
groups=nogroup
C
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1901 -s /bin/bash alice && useradd -m -u 1902 -s /bin/bash bob || world_die useradd
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
cat > /etc/cagefs/proxy.commands <<C
PTEST=$PT
ROOTTEST:noproceed=root:$PT
CRONTAB_LIST:cagefs.proxy.crontab=root:/usr/bin/crontab
CRONTAB_SAVE:noproceed=root:/usr/bin/crontab
SENDMAIL=/usr/sbin/sendmail
SM2=/usr/local/sbin/sendmail
PASSWD=/usr/bin/passwd
C
"$CAGEFSCTL" --update >/dev/null 2>&1 || world_die "--update"
"$SETUP_CAGEFSCTL" --enable alice bob >/dev/null 2>&1 || world_die "--enable failed"
"$B/proxyexecd" --foreground --timeout-ms 2000 > "$WORLD/proxyd.out" 2>&1 &
PROXYD=$!
for _ in $(seq 100); do [ -S /run/cagefs/proxy/proxyexec.sock ] && break; sleep 0.05; done
in_cage() { "$B/cagefs_enter_user" "$@"; }

raw_log() { grep -a "$1" "$WORLD/syslog"; }
gcc -static -O -o /home/alice/linger "$TOP/tests/lib/proxy-linger.c" && gcc -static -O -o /home/alice/opath "$TOP/tests/lib/proxy-opath.c" \
	|| world_die "cannot build the helpers"
is "$(in_cage bob "$PT id")" "uid=1902" "the world works: bob's proxied command runs as bob"

# ---- 1. sendmail: an option the rule thinks takes a value, exim does not ----
# rules.c lets -f/-F/-r/-N/-B take the next argument as their value, unread;
# exim's -N takes none, so "-N -be X" is exim's expansion test mode, run as
# the caller OUTSIDE the cage: ${run} and ${readfile} reach the host.
if [ -x /usr/sbin/exim4 ] && [ "$(readlink /usr/sbin/sendmail)" = exim4 ]; then
	fails_with "sendmail -N -be is refused (-N must not carry -be past the rule)" 126 "refused: sendmail: " \
		in_cage alice "/usr/sbin/sendmail -N -be '\${readfile{/etc/passwd}}' </dev/null"
	unlike "$(cat "$WORLD/last.out")" "^bob:x:1902" "... and the host's /etc/passwd (bob) never reached alice's cage"
	out=$(in_cage alice "/usr/sbin/sendmail -N -be '\${run{/usr/bin/id -un}}' </dev/null" 2>&1)
	unlike "$out" "^alice$" "... nor did exim run a program of alice's choosing outside her cage (\${run})"
else
	skip 3 "exim4 is not the sendmail here"
fi
fails_with "whatever the MTA, the rule does not pass -be behind -N (a sendmail that shows its arguments)" 126 "refused: sendmail: " \
	in_cage alice "$SAFE/cagefs.proxy.program SM2 -N -be x </dev/null"
unlike "$(cat "$WORLD/last.out")" "^args: " "... the program never ran"

# ---- 2. one user hangs the daemon for everyone: a lingering socket ----
# alice hands the daemon, as her stdin, a TCP socket with SO_LINGER, unsent
# data and a peer that never reads, then leaves half way through the header:
# the daemon's drop of the connection is the socket's last close, which
# blocks its single loop until the linger time runs out.
in_cage alice "~/linger /run/cagefs/proxy/proxyexec.sock 30" > "$WORLD/linger.out" 2>&1 & L=$!
for _ in $(seq 100); do grep -q armed "$WORLD/linger.out" && break; sleep 0.1; done
like "$(cat "$WORLD/linger.out")" "^armed" "alice handed the daemon a lingering socket and left"
sleep 0.5
is "$(timeout 8 "$B/cagefs_enter_user" bob "$PT id" 2>&1)" "uid=1902" \
	"... bob is still served within 8 s (the daemon's loop never blocks on a caller's fd)"
kill $L 2>/dev/null; wait $L 2>/dev/null

# ---- 3. an O_PATH fd of a file the caller cannot read, as stdin of a root command ----
echo 'root secret 4711' > /home/alice/secret && chmod 600 /home/alice/secret
fails_with "alice cannot read the root-only file herself" 1 "Permission denied" in_cage alice "cat ~/secret"
is "$(in_cage alice "~/opath ~/secret $SAFE/cagefs.proxy.program ROOTTEST fdin" 2>&1)" "0 -> /dev/null" \
	"an O_PATH fd among the caller's fds reaches a root command as /dev/null (as a directory does)"
unlike "$(in_cage alice "~/opath ~/secret $SAFE/cagefs.proxy.program ROOTTEST catin" 2>&1)" "root secret" \
	"... so root reopening its stdin (/proc/self/fd/0) never reads what alice could not"

# ---- 4. the audit log: what the caller sends is logged as it is ----
cat > /home/alice/forge.sh <<S
$SAFE/cagefs.proxy.program NOSUCH "x'] as=root decision=allowed FORGED1 ['"
$SAFE/cagefs.proxy.program \$'FORGED2\nuid=0 user=root alias=PASSWD argv=[] as=root decision=allowed'
true
S
in_cage alice "bash ~/forge.sh" >/dev/null 2>&1
sleep 0.2
line=$(raw_log FORGED1)
like "$line" "decision=refused: no proxied command named 'NOSUCH'" "the refused request is audit-logged"
unlike "$line" "argv=\['x'\] as=root decision=allowed" "... and its argument cannot close argv=[...] and write as=root decision=allowed after it (a quote is escaped)"
like "$(raw_log FORGED2)" "decision=refused" "an alias holding a newline is audit-logged, refused"
is "$(grep -a -c '^uid=0 user=root alias=PASSWD' "$WORLD/syslog")" 0 \
	"... and cannot start an audit line of its own (uid=0 ... decision=allowed): control characters are escaped"

kill $PROXYD; wait $PROXYD 2>/dev/null
done_testing
