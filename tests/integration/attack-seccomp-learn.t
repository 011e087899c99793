#!/bin/bash
# Attacks on seccomp learning mode (docs/ARCHITECTURE.md §4.25) by a
# hostile hosting user, alice, while the admin has her learning: what she
# runs in her cage (tests/lib/learnatk.c), her entries (cagefs_enter_user,
# the setuid cagefs_enter, su through the PAM module), and the admin's
# commands around it.  Every check says which outcome happened (status,
# message, the kernel's errno); waits are bounded by `timeout`, so a hang
# is a failed check (status 124), never a stuck test.  A check that failed
# on the code it was found in says so in its comment.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

cat > /etc/cagefs/conf.d/base.cfg <<'C'
[base]
paths=/bin/bash, /bin/sh, /bin/pwd, /bin/cat, /bin/sleep, /bin/cp, /bin/echo, /bin/grep, /bin/mkdir, /usr/bin/setsid, /usr/bin/unshare, /usr/bin/touch
devices=/dev/null
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 2301 -s /bin/bash alice && useradd -m -u 2302 -s /bin/bash bob || world_die useradd
# a second name of alice's uid, as panels make for FTP and mail
useradd -o -u 2301 -M -d /home/alice -s /bin/bash alice2 || world_die useradd
gcc -static -O2 -o "$WORLD/sysc" "$TOP/tests/lib/sysc.c" || world_die "cannot build sysc"
gcc -static -O2 -pthread -o "$WORLD/learnatk" "$TOP/tests/lib/learnatk.c" || world_die "cannot build learnatk"
for u in alice bob; do
	install -o $u -m 755 "$WORLD/sysc" /home/$u/sysc && install -o $u -m 755 "$WORLD/learnatk" /home/$u/atk || world_die install
done
. "$(dirname "$0")/../lib/learn-profile.sh"
learn_server_profile || world_die "profile"
"$SETUP_CAGEFSCTL" --enable alice bob alice2 >/dev/null 2>&1 || world_die "--enable failed"
install -m 0644 "$B/pam_cagefs.so" "$(make -s -C "$TOP" print-pamdir)/pam_cagefs.so"
cp "$TOP/contrib/pam/pam-configs/cagefs" /usr/share/pam-configs/cagefs
DEBIAN_FRONTEND=noninteractive pam-auth-update --enable cagefs >"$WORLD/pam-auth-update.out" 2>&1
mkdir -p "$WORLD/bin"
cp "$B/cagefs_enter" "$WORLD/bin/cagefs_enter" && chmod 4755 "$WORLD/bin/cagefs_enter" || world_die "setuid cagefs_enter"
CTL=$B/cagefsctl
P=/etc/cagefs/seccomp.proposed/alice
# an entry's output, stdout only, bounded: a hang shows as rc=124
enter() { local u=$1; shift; timeout -k 2 60 "$B/cagefs_enter_user" "$u" "$@" 2>/dev/null; }
said() { "$@" 2>&1 | tr '\n' ' '; echo "rc=${PIPESTATUS[0]}"; }
within() { local s=$1; shift; timeout -k 2 "$s" "$@"; }
report() { within 30 "$CTL" --seccomp-report alice 2>&1; }
supervisors() { pgrep -c -x cagefs-learn; }
# until CMD succeeds, 20 s at most (a bounded wait, not a threshold)
until_ok() { local i; for i in $(seq 100); do "$@" && return 0; sleep 0.2; done; return 1; }
alice_procs() { pgrep -u 2301 | wc -l; }

out=$("$CTL" --seccomp-learn alice 600 2>&1) || world_die "--seccomp-learn: $out"

# ---- 1. nothing of the supervisor or of the entering root reaches a cage --
is "$(enter alice '~/atk fds')" "none" "a learning entry (cagefs_enter_user) holds no seccomp listener and no socket"
is "$(within 60 su - alice -c '~/atk fds' 2>/dev/null)" "none" "... nor does a su session's shell (the PAM module loads the filter in su's root process)"
is "$(within 60 setpriv --reuid=2301 --regid=2301 --clear-groups "$WORLD/bin/cagefs_enter" '~/atk fds' 2>/dev/null)" "none" \
	"... nor an entry by the setuid cagefs_enter"
# While a learning entry and a su session are alive, every process of the
# host is looked at: the listener is the supervisor's alone (not su's root
# process, which stays with the filter, nor a relay, nor the cage's pin).
"$B/cagefs_enter_user" alice 'sleep 5' >/dev/null 2>&1 & e1=$!
su - alice -c 'sleep 5' >/dev/null 2>&1 & s1=$!
until_ok pgrep -u 2301 -x sleep >/dev/null
sleep 0.5
holders=$(for p in /proc/[0-9]*; do ls -l "$p/fd" 2>/dev/null | grep -q 'anon_inode:seccomp notify' && cat "$p/comm"; done | sort -u)
is "$holders" "cagefs-learn" "while a learning entry and a learning su session run, only the supervisor holds a seccomp listener"
wait $e1 $s1

# ---- 2. CONTINUE lets the kernel decide, with the caller's credentials ----
is "$(enter alice '~/sysc mount getcwd')" "mount=EPERM
getcwd=ok" "a refused mount reaches the kernel, which refuses it (EPERM): learning grants no privilege"
like "$(enter alice 'unshare -Urm sh -c "echo inside" 2>&1')" "^unshare: cannot change root filesystem propagation: Operation not permitted" \
	"unshare reaches the kernel (a user namespace of her own), and the cage's Landlock wall still refuses her any mount"
like "$(enter bob 'unshare -Urm sh -c "echo inside" 2>&1')" "^unshare: unshare failed: Operation not permitted" \
	"... while bob, enforcing, is refused unshare itself by the profile"

# ---- 3. program names: the user chooses them; the report must not lie ----
# A program run from a path longer than PATH_MAX: the kernel cannot show
# its executable, and the supervisor used the name the program gave
# itself.  Before the fix the report said /usr/bin/php made the call.
is "$(enter alice '~/atk deep /usr/bin/php')" "getcwd=ENAMETOOLONG" "a program deeper than PATH_MAX, calling itself /usr/bin/php, makes a refused call"
# A path that reads as two callers in the proposal's list (a directory
# "x (1), " holding usr/sbin/sshd).  Before the fix: "# learned: 1 call by
# /home/alice/x (1), /usr/sbin/sshd (1); e.g. a1=0x5412".
is "$(enter alice 'mkdir -p "$HOME/x (1), /usr/sbin" && cp ~/sysc "$HOME/x (1), /usr/sbin/sshd" && "$HOME/x (1), /usr/sbin/sshd" tiocsti')" \
	"tiocsti=ENOTTY" "a program at /home/alice/x (1), /usr/sbin/sshd makes a refused ioctl (TIOCSTI; the kernel: ENOTTY)"
until_ok grep -q 'sshd' /var/cagefs/seccomp-learn/alice.json
sleep 1.5   # the record is written once a second while anything is new
out=$(report)
like "$out" "getcwd +\(every call\) +- +\[comm: /usr/bin/php\]" "the deep program is shown by its self-given name as such: [comm: /usr/bin/php]"
lacks "$out" "getcwd +\(every call\)" " /usr/bin/php$" "... never as the executable /usr/bin/php"
is "$(grep -B1 '^allow ioctl a1&0xffffffff==0x5412$' $P | head -1)" \
	'# learned: 1 call by "/home/alice/x (1), /usr/sbin/sshd" (1); e.g. a1=0x5412' \
	"the proposal quotes each caller: a name cannot read as a second caller (sshd)"

# ---- 4. many distinct programs: the record stays readable ----
# 800 hard links named by 240 bytes of non-ASCII each (\xNN in the record):
# before the fix the record passed 1 MiB and --seccomp-report failed with
# "alice.json: File too large" (status 1), while learning and after.
is "$(enter alice '~/atk spray ~/p 800')" "spray=800" "800 programs with long non-ASCII names each make a refused call"
until_ok grep -q 'alice/p/799' /var/cagefs/seccomp-learn/alice.json
sleep 1.5
out=$(report); rc=$?
is "$rc" 0 "--seccomp-report alice succeeds after that (status 0)"
is "$(printf '%s\n' "$out" | grep -c ' /home/alice/p/[0-9]*\\xc3\\xa9')" 800 "... each of the 800 programs is listed"
is "$(within 30 "$CTL" --seccomp-report alice --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["record"]["seen"]) >= 803)')" "True" \
	"--seccomp-report --json is one valid JSON document with every entry"
is "$(stat -c '%U %a' /var/cagefs/seccomp-learn /var/cagefs/seccomp-learn/alice.json /etc/cagefs/seccomp.proposed $P | tr '\n' ' ')" \
	"root 700 root 600 root 755 root 644 " "the record and the proposal are root's, in root's directories"

# ---- 5. her own listener: the kernel allows one per filter chain ----
is "$(enter alice '~/atk notify; ~/sysc getcwd')" "notify=EBUSY
getcwd=ok" "a program of hers that installs a NOTIFY filter gets EBUSY while she learns (a known difference), and her calls are still served"
is "$(enter bob '~/atk notify')" "notify=ok" "... bob, enforcing, can"

# ---- 6. a second name of her uid ----
is "$(enter alice2 '~/sysc getcwd')" "getcwd=EPERM" "alice2 (alice's uid) entered by its own name enforces: learning is alice's"
is "$(within 60 setpriv --reuid=2301 --regid=2301 --clear-groups "$WORLD/bin/cagefs_enter" '~/sysc getcwd' 2>/dev/null)" "getcwd=ok" \
	"... the setuid cagefs_enter of uid 2301 is alice's entry, and learns"

# ---- 7. threads and a flood, while the admin works ----
is "$(enter alice '~/atk threads 16 500')" "threads=ok" "16 threads making 8000 refused calls at once: each is let through, none hangs"
enter alice 'setsid ~/atk wait-getcwd /tmp/after-stop </dev/null >/tmp/late 2>&1 &' >/dev/null
timeout -k 2 120 "$B/cagefs_enter_user" alice '~/atk threads 8 100000000' >"$WORLD/flood" 2>/dev/null & flood=$!
until_ok grep -q '"count": [0-9]\{4,\}' /var/cagefs/seccomp-learn/alice.json
is "$(said within 30 "$CTL" --seccomp-report alice | grep -o 'still learning\|rc=[0-9]*' | tr '\n' ' ')" "still learning rc=0 " \
	"during the flood --seccomp-report works (status 0)"
is "$(enter alice '~/sysc getcwd')" "getcwd=ok" "... a new entry of hers is served"
is "$(enter bob '~/sysc getcwd')" "getcwd=EPERM" "... bob is refused as ever"
out=$(within 30 "$CTL" --seccomp-learn-stop alice 2>&1); rc=$?
is "$rc:$out" "0:alice: learning ended; new entries get the enforcing filter" "during the flood --seccomp-learn-stop ends learning (status 0)"
wait $flood; rc=$?
is "$rc:$(cat "$WORLD/flood")" "0:threads=ENOSYS" "... the flood's calls after the stop fail (ENOSYS), it ends by itself"
is "$(supervisors)" 0 "... the supervisor is gone"
is "$(enter alice 'touch /tmp/after-stop; sleep 1; cat /tmp/late')" "getcwd=ENOSYS" \
	"a process started while learning calls after the stop: refused (ENOSYS), not let through, no hang"

# ---- 8. a killed supervisor, mid-flood ----
"$CTL" --seccomp-learn alice 600 >/dev/null 2>&1
timeout -k 2 120 "$B/cagefs_enter_user" alice '~/atk threads 8 100000000' >"$WORLD/flood" 2>/dev/null & flood=$!
until_ok grep -q '"count": [0-9]\{4,\}' /var/cagefs/seccomp-learn/alice.json
kill -KILL "$(pgrep -x cagefs-learn)"
wait $flood; rc=$?
is "$rc:$(cat "$WORLD/flood")" "0:threads=ENOSYS" "a supervisor killed mid-flood: the refused calls fail (ENOSYS), nothing hangs"
like "$(said within 30 "$CTL" --seccomp-learn-stop alice)" "alice is not in learning mode.*rc=1" "... and --seccomp-learn-stop says nothing learns (status 1)"

# ---- 9. many entries that never exit ----
# Each entry has a filter and a listener of its own; 1100 of them, each
# leaving a process behind.  Before bb3ab19 the supervisor's table (1024)
# filled up and it closed the stopper's connection unread:
# --seccomp-learn-stop failed ("did not end within 10 s", status 1) and
# the supervisor went on.
"$CTL" --seccomp-learn alice 600 >/dev/null 2>&1
for i in $(seq 1100); do
	"$B/cagefs_enter_user" alice 'setsid ~/atk wait-getcwd /tmp/never </dev/null >/dev/null 2>&1 &' >/dev/null 2>&1
done
is "$(alice_procs)" 1100 "1100 entries of alice, each leaving a process"
is "$(enter alice '~/sysc getcwd'; echo rc=$?)" "getcwd=ENOSYS
rc=0" "entry 1101, beyond the supervisor's bound: its refused call fails (ENOSYS), no hang"
is "$(enter bob '~/sysc getcwd')" "getcwd=EPERM" "... bob is not affected"
out=$(within 30 "$CTL" --seccomp-learn-stop alice 2>&1); rc=$?
is "$rc:$out" "0:alice: learning ended; new entries get the enforcing filter" "--seccomp-learn-stop with 1100 listeners held (status 0)"
is "$(supervisors)" 0 "... and the supervisor is really gone"
enter alice 'touch /tmp/never' >/dev/null
until_ok test "$(alice_procs)" = 0
is "$(alice_procs)" 0 "... the 1100 processes' refused calls failed (ENOSYS) and they ended: none hangs"

# ---- 10. a syscall number libseccomp has no name for ----
# Only a profile that refuses by default notifies it: an allow-list
# server profile (enough for a static program; in learning the rest is
# let through anyway).  Before the fix the proposal said "allow
# syscall#1000", which an override refuses as an unknown syscall: one
# such call and the admin could not install the proposal at all.
python3 - > /etc/cagefs/seccomp.json <<'J' || world_die "allow-list profile"
import json
allow = """read write close fstat newfstatat lseek mmap mprotect munmap brk rt_sigaction rt_sigprocmask
rt_sigreturn ioctl pread64 readv writev access pipe pipe2 dup dup2 dup3 getpid getppid exit exit_group wait4
kill uname fcntl getuid getgid geteuid getegid setuid setgid setresuid setresgid setgroups getgroups prctl
arch_prctl set_tid_address set_robust_list rseq prlimit64 getrandom execve openat readlink readlinkat clone
clone3 fork vfork sendmsg recvmsg close_range futex sigaltstack statx getdents64 chdir fchdir poll ppoll
umask getpgrp setpgid setsid getsid landlock_create_ruleset landlock_add_rule landlock_restrict_self seccomp
capget capset""".split()
print(json.dumps({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
                  "syscalls": [{"names": allow, "action": "SCMP_ACT_ALLOW"}]}))
J
"$SETUP_CAGEFSCTL" --enable alice >/dev/null 2>&1 || world_die "--enable with the allow-list"
"$CTL" --seccomp-learn alice 600 >/dev/null 2>&1
is "$(enter alice '~/atk syscall 1000')" "syscall=ENOSYS" "syscall 1000, refused by the allow-list, reaches the kernel (ENOSYS: it has none)"
until_ok grep -q 'syscall#1000' /var/cagefs/seccomp-learn/alice.json
out=$(within 30 "$CTL" --seccomp-learn-stop alice 2>&1 && report)
like "$out" "syscall#1000 +\(every call\) +- +/home/alice/atk" "the report names it syscall#1000, by alice's program"
unlike "$(cat $P)" "^allow syscall#" "the proposal has no 'allow syscall#1000' line (an override cannot name it)"
like "$(cat $P)" "# not proposed: syscall#1000 has no name an override can allow" "... it says so in a comment"

done_testing
