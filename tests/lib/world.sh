# The throwaway world of the integration tests (DESIGN.md §6).
# Source this first thing in a test script, then call `world_enter "$@"`:
#  - the script re-executes itself in a new private mount namespace and a
#    new PID namespace: when it ends, the kernel kills every process it left
#    (the processes pinning cages, processes inside them): nothing survives;
#  - it refuses to go on if it is still in the host's mount namespace;
#  - /tmp and /home become empty tmpfs; /etc is a bind-mounted copy (so
#    useradd and NSS work for real test users); /var, /usr/share and /run
#    are overlays whose writable layer is on the tmpfs.  So /etc/cagefs,
#    /usr/share/cagefs-skeleton, /var/cagefs and /run/cagefs all live on the
#    tmpfs, and everything vanishes with the namespace when the test ends.
# Nothing on the host changes: no directory is created outside the namespace.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B="$TOP/build"
CAGEFSCTL="$B/cagefsctl"

world_die() { echo "Bail out! $*"; exit 1; }

# The host's namespace is the one world_enter was called in, recorded
# before unsharing.
world_in_host_ns() {
	[ -z "${CAGEFS_HOST_MNTNS:-}" ] || [ "$(readlink /proc/self/ns/mnt)" = "$CAGEFS_HOST_MNTNS" ]
}

world_overlay() { # DIR: writes to DIR go to the tmpfs from now on
	local name; name=$(echo "$1" | tr / _)
	mkdir -p "$WORLD/ovl/$name/up" "$WORLD/ovl/$name/work"
	mount -t overlay "world$name" \
		-o "lowerdir=$1,upperdir=$WORLD/ovl/$name/up,workdir=$WORLD/ovl/$name/work" "$1" \
		|| world_die "cannot overlay $1"
}

# world_cgroups: "MOUNT OWN" for each cgroup hierarchy this shell is in
# (OWN without a trailing /): the one v2 tree on a unified host, the v1
# trees and /sys/fs/cgroup/unified on a hybrid one.
world_cgroups() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo "/sys/fs/cgroup $(awk -F: '$1 == 0 {print $3}' /proc/self/cgroup | sed 's#/$##')"
		return
	fi
	awk -F: '{print $2 ":" $3}' /proc/self/cgroup | while IFS=: read -r c own; do
		case $c in "") m=/sys/fs/cgroup/unified ;; name=*) m=/sys/fs/cgroup/${c#name=} ;; *) m=/sys/fs/cgroup/$c ;; esac
		[ -d "$m" ] && echo "$m ${own%/}"
	done
}

world_setup() {
	[ "$(id -u)" = 0 ] || world_die "integration tests need root"
	mount -t tmpfs -o mode=1777 world-tmp /tmp || world_die "cannot mount tmpfs on /tmp"
	WORLD=/tmp/.world
	mkdir -p "$WORLD/etc"
	cp -a /etc/. "$WORLD/etc/" || world_die "cannot copy /etc"
	mount --bind "$WORLD/etc" /etc || world_die "cannot bind the /etc copy"
	rm -rf /etc/cagefs
	# The world starts with the host's system accounts only: the tests make
	# their own hosting users.
	local keep; keep=$(awk -F: '$3 < 1000 || $3 >= 65534 {print $1}' /etc/passwd | paste -sd'|')
	awk -F: -v k="^($keep)$" '$1 ~ k' /etc/passwd > /etc/passwd.world && mv /etc/passwd.world /etc/passwd
	awk -F: -v k="^($keep)$" '$1 ~ k' /etc/shadow > /etc/shadow.world && mv /etc/shadow.world /etc/shadow
	chmod 640 /etc/shadow
	mount -t tmpfs -o mode=755 world-home /home || world_die "cannot mount /home"
	world_overlay /var
	world_overlay /usr/share
	world_overlay /run
	rm -rf /var/cagefs /usr/share/cagefs-skeleton /run/cagefs
	mkdir -p /etc/cagefs/conf.d
	# Pins stay in the test's cgroup: the default pin_cgroup (/cagefs/pins
	# from the root of every hierarchy) would make directories on the host.
	echo "pin_cgroup=" > /etc/cagefs/cagefs.ini
	# The host's cgroup tree is shared with every other world running now:
	# a test names its cgroups with this, not with $$ (1 in every world).
	WORLD_ID=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	export WORLD WORLD_ID
}

world_enter() {
	if [ -z "${CAGEFS_HOST_MNTNS:-}" ]; then
		CAGEFS_HOST_MNTNS=$(readlink /proc/self/ns/mnt) exec unshare --mount --propagation private \
			--pid --fork --mount-proc -- /bin/bash "$0" "$@"
	fi
	# The guard that matters: never run a test in the host's namespace.
	world_in_host_ns && world_die "refusing to run in the host's mount namespace"
	world_setup
}
