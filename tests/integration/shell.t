#!/bin/bash
# make shell (tests/shell.sh), driven through its standard input: the
# banner, cagefs installed into the shell's world (not into this one, nor
# the host), the skeleton and the demo users there, the manual's commands
# working, and nothing of it left once the shell has exited.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

out=$(printf '%s\n' \
	'echo "installed: $(command -v cagefsctl) $(stat -c %a /usr/bin/cagefs_enter)"' \
	'cagefsctl --list-enabled' \
	'cagefs_enter_user alice "id -un; ls -a /home; cat /home/bob/notes.txt"' \
	'su -s /bin/sh alice -c "cagefs_enter id -un"' \
	'man -w cagefsctl' \
	'exit 7' | "$TOP/tests/shell.sh" 2>&1)
rc=$?
is "$rc" 7 "the shell's exit status is its last command's"
like "$out" "^cagefs shell: a throwaway world\." "a banner says where you are"
like "$out" "skeleton   /usr/share/cagefs-skeleton \([1-9][0-9]* entries, from /etc/cagefs/conf.d\)" \
	"... that the skeleton was built, with its size"
like "$out" "users      alice and bob, enabled \(Mode: Disable All\)" "... and who the demo users are"
like "$out" "cagefs_enter_user alice 'id; ls -a /home; ps aux'" "... and what to try"
# (the lines the commands printed, one line: a pattern with newlines would
# be a list of patterns to grep, any of them enough)
like "$(printf '%s\n' "$out" | sed -n '/^installed: /,$p' | tr '\n' '|')" \
	'^installed: /usr/sbin/cagefsctl 4755[|]alice[|]bob[|]alice[|]\.[|]\.\.[|]alice[|]cat: /home/bob/notes\.txt: No such file or directory[|]alice[|]/usr/share/man/man8/cagefsctl\.8(\.gz)?[|]$' \
	"cagefsctl installed, cagefs_enter setuid; both users enabled; alice's cage shows only alice; the setuid cagefs_enter works; the man page is installed"
# Nothing left here proves something only if the shell installed, built
# and added it there: its cagefsctl listed the users it had enabled.
is "$(printf '%s\n' "$out" | grep -x -A2 'installed: /usr/sbin/cagefsctl 4755' | tr '\n' ' ')
$(command -v cagefsctl; ls /usr/bin/cagefs_enter /etc/cagefs/conf.d /var/cagefs 2>&1; getent passwd alice)" \
	"installed: /usr/sbin/cagefsctl 4755 alice bob 
ls: cannot access '/usr/bin/cagefs_enter': No such file or directory
ls: cannot access '/var/cagefs': No such file or directory
/etc/cagefs/conf.d:" "after the shell (which installed cagefsctl and enabled alice and bob): nothing it installed, built or added is in this world"

done_testing
