#!/bin/bash
# make demo: build a skeleton from the shipped Debian conf.d in a throwaway
# world (private mount namespace, tmpfs; nothing on the host changes) and
# show a session inside it.
. "$(dirname "$0")/lib/world.sh"
world_enter "$@"
set -e
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cp "$TOP"/contrib/conf.d/*.cfg /etc/cagefs/conf.d/
cp "$TOP"/contrib/black.list /etc/cagefs/black.list
useradd -m -u 2001 demo1 && useradd -m -u 2002 demo2

say "cagefsctl --init (default conf.d for Debian 12, $(ls /etc/cagefs/conf.d | wc -l) .cfg files)"
time "$CAGEFSCTL" --init
echo "skeleton: $(du -sh /usr/share/cagefs-skeleton | cut -f1), $(find /usr/share/cagefs-skeleton | wc -l) entries"
say "cagefsctl --update (nothing changed)"
time "$CAGEFSCTL" --update
say "cagefsctl --print-suids (setuid bits are dropped unless a .cfg lists the file)"
"$CAGEFSCTL" --print-suids | sed 's/^/  /'; echo "  (end of list)"

say "a session as user demo1 chrooted into the skeleton"
echo "   (the per-user cage with its own /etc, /tmp, /proc and namespaces comes with the runtime;"
echo "    here the skeleton alone is shown: what a caged user's programs will see)"
run_in() { echo "\$ $1"; chroot --userspec=2001:2001 /usr/share/cagefs-skeleton /bin/bash -c "$1" 2>&1 | sed 's/^/  /' || true; }
run_in 'ls /'
run_in 'cat /etc/passwd    # only system accounts listed in conf.d: no demo2, no demo1 yet'
run_in 'ls /etc | head -20'
run_in 'ls -l /etc/shadow /etc/ssh/ssh_host_* 2>&1   # black-listed: never copied'
run_in 'ls /usr/bin | wc -l; ls /usr/bin | head -30 | tr "\n" " "'
run_in 'perl -e "print qq(perl works: \$^V\n)"; command -v python3 php git | sed "s/^/found: /"'
run_in 'echo hello | gzip | gunzip; printf "b\na\n" | sort | tr a-z A-Z'
run_in 'find / -perm /6000 -type f 2>/dev/null | head; echo "(no setuid programs)"'
say "done: the world is gone when this script exits; the host is unchanged"
