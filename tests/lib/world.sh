# The throwaway world of the integration tests, the demo and `make shell`.
# Source this first thing in a test script, then call `world_enter "$@"`:
#  - the script re-executes itself in a new private mount namespace and a
#    new PID namespace: when it ends, the kernel kills every process it left
#    (the processes pinning cages, processes inside them): nothing survives;
#  - it refuses to go on if it is still in the host's mount namespace;
#  - /tmp and /home become empty tmpfs (a checkout below them stays
#    visible at its path); /etc is a bind-mounted copy (so useradd and NSS
#    work for real test users); /var, /usr, /run, /root and /opt are
#    overlays whose writable layer is on the tmpfs.  So /etc/cagefs,
#    /usr/share/cagefs-skeleton, /var/cagefs and /run/cagefs all live on the
#    tmpfs, and everything vanishes with the namespace when the test ends.
# Nothing on the host changes: no directory is created outside the namespace.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
world_die() { echo "Bail out! $*"; exit 1; }

# B: where our programs under test are (cagefsctl, cagefs-runtime,
# cagefs_enter, cagefs_enter_user): $TOP/build, or the absolute directory
# CAGEFS_BUILD names (`make check-selftest` points it at stubs that print
# nothing and exit 127, see tests/selftest).  Always the real build:
# TOOLS, the tests' own helper programs (tests/oci-validate), and
# SETUP_CAGEFSCTL, for the set-up a test starts from and does not examine
# (the skeleton and users of runtime.t, decide.t and mounttab.t; users.t's
# and mounts.t's skeleton, which skeleton.t tests), so that against the
# stubs a test still reaches its assertions.  Without CAGEFS_BUILD both cagefsctl are the same file.
B="${CAGEFS_BUILD:-$TOP/build}"
case $B in /*) ;; *) world_die "CAGEFS_BUILD must be an absolute directory: $B" ;; esac
TOOLS="$TOP/build/tests"
CAGEFSCTL="$B/cagefsctl"
SETUP_CAGEFSCTL="$TOP/build/cagefsctl"

# The host's namespace is the one world_enter was called in, recorded
# before unsharing.
world_in_host_ns() {
	[ -z "${CAGEFS_HOST_MNTNS:-}" ] || [ "$(readlink /proc/self/ns/mnt)" = "$CAGEFS_HOST_MNTNS" ]
}

# A world's overlay of DIR is made of plain directories only, so that
# worlds nest (make check inside `make shell`, or the checkout test's
# `make demo`): the kernel stacks overlays two deep at most, and a cage's
# /etc overlay is one more.  DIR's layers are what it shows now: the
# directory itself, or, where DIR is already a world's overlay, that
# world's upper and lower layers.  Each is held by an fd (the layers of an
# outer world live in its /tmp, which this world covers), bound below
# $WORLD, and stacked under a new upper layer on this world's tmpfs.
world_layers_open() { # DIR: fds of DIR's layers, top first, in WORLD_FDS
	local src type opts layer fd
	WORLD_FDS=()
	read -r type src opts < <(findmnt -n -o FSTYPE,SOURCE,OPTIONS --mountpoint "$1" 2>/dev/null)
	local layers=("$1")
	if [ "$type" = overlay ] && [[ $src == world_* ]]; then
		local up=${opts#*upperdir=} low=${opts#*lowerdir=}
		IFS=: read -r -a layers <<<"${up%%,*}:${low%%,*}"
	fi
	for layer in "${layers[@]}"; do
		exec {fd}<"$layer" || world_die "cannot open the layer $layer of $1"
		WORLD_FDS+=("$fd")
	done
}

world_overlay() { # DIR FD...: writes to DIR go to the tmpfs from now on
	local dir=$1 name low=() k=0 fd; shift
	name=$(echo "$dir" | tr / _)
	mkdir -p "$WORLD/ovl/$name/up" "$WORLD/ovl/$name/work"
	for fd in "$@"; do
		mkdir -p "$WORLD/ovl/$name/low$k"
		mount --no-canonicalize --bind "/proc/self/fd/$fd" "$WORLD/ovl/$name/low$k" \
			|| world_die "cannot bind a layer of $dir"
		low+=("$WORLD/ovl/$name/low$k")
		exec {fd}<&-
		k=$((k + 1))
	done
	mount -t overlay "world$name" -o "lowerdir=$(IFS=:; echo "${low[*]}"),upperdir=$WORLD/ovl/$name/up,workdir=$WORLD/ovl/$name/work" "$dir" \
		|| world_die "cannot overlay $dir"
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

# The checkout may live below a directory the world covers (a clone in
# /tmp/x or /home/me/x): it is held by an open fd before the cover, and
# bound back at its own path on the new tmpfs.  A bind through the fd's
# /proc link (not canonicalized) reaches the covered directory itself.
world_cover() { # FSTYPE-ARGS... DIR: mount over DIR, keeping the checkout visible
	local dir=${*: -1} fd
	case $TOP/ in "$dir"/*) ;; *) mount "$@" || world_die "cannot mount over $dir"; return ;; esac
	exec {fd}<"$TOP" || world_die "cannot open $TOP"
	mount "$@" || world_die "cannot mount over $dir"
	mkdir -p "$TOP" && mount --no-canonicalize --bind "/proc/self/fd/$fd" "$TOP" \
		|| world_die "cannot keep the checkout $TOP visible"
	exec {fd}<&-
}

world_setup() {
	[ "$(id -u)" = 0 ] || world_die "integration tests need root"
	# /root and /opt too: a test may write there (a clone of the checkout).
	local d overlaid=() layers=()
	for d in /var /usr /run /root /opt; do
		[ -d "$d" ] || continue
		world_layers_open "$d"
		overlaid+=("$d")
		layers+=("${WORLD_FDS[*]}")
	done
	world_cover -t tmpfs -o mode=1777 world-tmp /tmp
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
	world_cover -t tmpfs -o mode=755 world-home /home
	local i
	for i in "${!overlaid[@]}"; do
		# shellcheck disable=SC2086 # a list of fd numbers
		world_overlay "${overlaid[$i]}" ${layers[$i]}
	done
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
	# Re-executed, the script is PID 1 of its new PID namespace; a script
	# started from inside a world (a nested one) is not, and makes its own.
	if [ "$$" != 1 ] || [ -z "${CAGEFS_HOST_MNTNS:-}" ]; then
		CAGEFS_HOST_MNTNS=$(readlink /proc/self/ns/mnt) exec unshare --mount --propagation private \
			--pid --fork --mount-proc -- /bin/bash "$0" "$@"
	fi
	# The guard that matters: never run a test in the host's namespace.
	world_in_host_ns && world_die "refusing to run in the host's mount namespace"
	world_setup
}
