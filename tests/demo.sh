#!/bin/bash
# make demo: a real caged session in a throwaway world (private mount and
# PID namespaces, tmpfs; nothing on the host changes): the skeleton built
# from the shipped Debian conf.d, two users enabled, then a session inside
# the first user's cage.
. "$(dirname "$0")/lib/world.sh"
world_enter "$@"
set -e
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cp "$TOP"/contrib/conf.d/*.cfg /etc/cagefs/conf.d/
cp "$TOP"/contrib/black.list /etc/cagefs/black.list
useradd -m -s /bin/bash -u 2001 demo1 && useradd -m -s /bin/bash -u 2002 demo2
echo "demo2's secret" > /home/demo2/secret.txt

say "cagefsctl --init  (default conf.d for Debian 12: $(ls /etc/cagefs/conf.d | wc -l) .cfg files)"
"$CAGEFSCTL" --init
echo "skeleton: $(du -sh /usr/share/cagefs-skeleton | cut -f1), $(find /usr/share/cagefs-skeleton | wc -l) entries"
say "cagefsctl --update  (nothing changed since)"
"$CAGEFSCTL" --update
say "cagefsctl --enable demo1 demo2"
"$CAGEFSCTL" --enable demo1 demo2
echo "bundle of demo1: $(ls /var/cagefs/01/demo1 | tr '\n' ' ')"
before=$(grep -c . /proc/self/mountinfo)

say "a session inside demo1's cage (cagefs_enter_user demo1 ...)"
step() { # EXPLANATION COMMAND
	printf '\n\033[36m# %s\033[0m\n$ %s\n' "$1" "$2"
	"$B/cagefs_enter_user" demo1 "$2" 2>&1 | sed 's/^/  /' || true
}
step "who am I: the user, with its own groups only" 'id'
step "/etc/passwd: system accounts and demo1, no other customer" 'cat /etc/passwd'
step "/home holds demo1 alone; demo2's home does not exist here" 'ls -la /home; cat /home/demo2/secret.txt'
step "/proc shows only demo1's own processes (private procfs, hidepid=invisible)" 'ps aux'
step "the skeleton's safe programs (no su, sudo, passwd, mount: nothing setuid)" 'ls /usr/bin | wc -l; ls /usr/bin | head -12 | tr "\n" " "; echo; ls /usr/sbin 2>&1 | head -3'
step "PID 1 belongs to root: invisible, so this fails" 'cat /proc/1/status'
step "no capabilities, no_new_privs, a seccomp filter" 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status'
step "making namespaces or mounting is refused by seccomp (raw system calls from perl)" 'perl -e "syscall(272, 0x10000000) == -1 and print qq(unshare(CLONE_NEWUSER): \$!\n); syscall(165, 0, 0, 0, 0, 0) == -1 and print qq(mount: \$!\n)"'
step "a private /tmp that lives in ~/.cagefs/tmp" 'touch /tmp/hello && ls -la /tmp'
step "everything else just works" 'echo "print(6*7)" | python3 2>/dev/null || perl -e "print 6*7, qq(\n)"; git --version 2>/dev/null | head -1'

say "after the session"
echo "the file demo1 made: $(ls /home/demo1/.cagefs/tmp)   (in demo1's home, on the host)"
echo "live cages: $("$CAGEFSCTL" --list | tr '\n' ' ')"
echo "host mount table: $before lines before the session, $(grep -c . /proc/self/mountinfo) after (cages add none)"
say "done: the world and its processes are gone when this script exits; the host is unchanged"
