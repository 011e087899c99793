#!/bin/bash
# make shell: a root shell in a throwaway world (tests/lib/world.sh) with
# cagefs installed into that world by `make install-files PREFIX=/usr` (the
# world's /usr and /etc are its own: the host's are never written), the
# programs of $B (`make shell` built them; CAGEFS_BUILD's stubs under
# `make check-selftest`, so that shell.t fails without our programs), the
# skeleton built from the shipped Debian conf.d and two enabled demo users.
# Leaving the shell ends the world and everything in it.  With standard
# input not a terminal, the shell runs the commands it reads and exits with
# the status of the last one (so it can be driven by tests).
. "$(dirname "$0")/lib/world.sh"
world_enter "$@"
set -e
make -s -C "$TOP" install-files BIN="$B" PREFIX=/usr >"$WORLD/install.log" 2>&1 \
	|| { cat "$WORLD/install.log"; world_die "make install-files into the world failed"; }
cagefsctl --init >"$WORLD/init.log" 2>&1 || { cat "$WORLD/init.log"; world_die "cagefsctl --init failed"; }
useradd -m -s /bin/bash alice && useradd -m -s /bin/bash bob
echo "bob's private notes" > /home/bob/notes.txt && chown bob: /home/bob/notes.txt
cagefsctl --enable alice bob >/dev/null

cat <<EOF
cagefs shell: a throwaway world. /etc, /usr, /var, /run, /home, /tmp, /root and
/opt here are copies or overlays; nothing done here reaches the host, and
'exit' ends the world with every process and cage in it.

  installed  $(command -v cagefsctl) $(command -v cagefs_enter) (setuid) $(command -v cagefs_enter_user)
             $(command -v cagefs-runtime), the man pages (man cagefsctl)
  skeleton   /usr/share/cagefs-skeleton ($(sed -n 's/^init: \([0-9]*\) added.*/\1/p' "$WORLD/init.log") entries, from /etc/cagefs/conf.d)
  users      alice and bob, enabled ($(cagefsctl --display-user-mode))

Try:
  cagefs_enter_user alice 'id; ls -a /home; ps aux'   # alice's cage
  su -s /bin/sh alice -c cagefs_enter                 # a login shell, as alice would get one
  cagefsctl --enter bob                               # root inside bob's cage
  cagefsctl --list; cagefsctl --user-status bob
  cagefsctl --disable bob; cagefs_enter_user bob id   # bob runs uncaged now, and is told so
  man cagefsctl
EOF
if [ -t 0 ]; then
	PS1='(cagefs world) \u@\h:\w\$ ' bash --norc -i
else
	bash -s
fi
