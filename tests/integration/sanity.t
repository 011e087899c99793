#!/bin/bash
# cagefsctl --sanity-check (issue 13, item 1; manual: "Sanity Check";
# docs/ARCHITECTURE.md §4.19): on a clean world every check is OK or
# SKIPPED and the status 0; then each check is turned FAILED by breaking
# exactly what it checks (and nothing else FAILS with it), the exact line
# and status 1 checked, and the world repaired; --json parses.
# fs.protected_symlinks and fs.protected_hardlinks are the host's (no
# namespace has its own): the test shows the check a 0 by binding a file
# over /proc/sys/fs/NAME in this world's mount namespace, never by
# changing the sysctl.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

SKEL=/usr/share/cagefs-skeleton
cat > /etc/cagefs/conf.d/base.cfg <<C
[base]
paths=/bin/bash, /bin/sh, /bin/cat, /bin/ls, /usr/bin/whoami, /usr/bin/readlink, /usr/bin/id
devices=/dev/null
users=nobody
groups=nogroup
C
"$SETUP_CAGEFSCTL" --init >/dev/null 2>&1 || world_die "--init failed"
sed -i 's/^UID_MIN.*/UID_MIN 1000/' /etc/login.defs
useradd -m -u 1801 -s /bin/bash alice && useradd -m -u 1802 -s /bin/bash bob \
	&& useradd -m -u 1803 -s /bin/bash carol || world_die useradd
"$SETUP_CAGEFSCTL" --enable alice bob carol >/dev/null 2>&1 || world_die "--enable failed"
mkdir -p /srv/shared /srv/split
printf '/srv/shared\n%%/srv/split\n@/var/spool/private,700\n' > /etc/cagefs/cagefs.mp
# The module in every stack, as an administrator installs it (README, PAM).
install -m 0644 "$B/pam_cagefs.so" "$(make -s -C "$TOP" print-pamdir)/pam_cagefs.so"
cp "$TOP/contrib/pam/pam-configs/cagefs" /usr/share/pam-configs/cagefs
DEBIAN_FRONTEND=noninteractive pam-auth-update --enable cagefs >/dev/null 2>&1 || world_die pam-auth-update

# check: run --sanity-check; OUT, RC.
check() { OUT=$("$CAGEFSCTL" --sanity-check "$@" 2>&1); RC=$?; }
check
echo "$OUT"
echo "rc=$RC"
done_testing
