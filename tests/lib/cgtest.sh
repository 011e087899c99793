# Cgroups of a test's own (pam-cgroups.t, pam-services-cgroups.t).  The
# host's cgroup tree is shared with every world running, and a test's
# process already sits in a subtree of its own (docs/ARCHITECTURE.md §7):
# a test makes its cgroups below its current one, named with WORLD_ID.
# Call after world_enter.
#
# cg_test_make NAME: make NAME below this shell's cgroup in every
# hierarchy it is in; "MOUNT OWN" of each hierarchy, a line, in $WORLD/hier.
cg_test_make() {
	world_cgroups > "$WORLD/hier"
	local m own
	while read -r m own; do
		mkdir "$m$own/$1" || world_die "mkdir $m$own/$1"
		if [ -e "$m$own/$1/cpuset.cpus" ]; then # a v1 cpuset takes no process before it has cpus and mems
			cat "$m$own/cpuset.cpus" > "$m$own/$1/cpuset.cpus" && cat "$m$own/cpuset.mems" > "$m$own/$1/cpuset.mems"
		fi
	done < "$WORLD/hier"
}
# cg_test_join NAME: move this (sub)shell into NAME in every hierarchy, so
# that what it starts next (a daemon) starts there.
cg_test_join() {
	local m own
	while read -r m own; do echo "$BASHPID" > "$m$own/$1/cgroup.procs" || return 1; done < "$WORLD/hier"
}
# cg_test_leave: move this (sub)shell back where cg_test_make found it.
cg_test_leave() {
	local m own
	while read -r m own; do echo "$BASHPID" > "$m$own/cgroup.procs" || return 1; done < "$WORLD/hier"
}
# cg_test_remove NAME: remove NAME (empty by now) in every hierarchy;
# prints what could not be removed.
cg_test_remove() {
	local m own
	while read -r m own; do rmdir "$m$own/$1" 2>/dev/null || { [ -e "$m$own/$1" ] && echo "$m$own/$1"; }; done < "$WORLD/hier"
}
# mnt_of CONTROLLERS: the directory of a /proc/PID/cgroup line's hierarchy
# ("" is the v2 tree), on a hybrid host
mnt_of() { case $1 in "") echo /sys/fs/cgroup/unified ;; name=*) echo "/sys/fs/cgroup/${1#name=}" ;; *) echo "/sys/fs/cgroup/$1" ;; esac; }
# own_of CONTROLLERS: this shell's cgroup in that hierarchy
own_of() { awk -F: -v c="$1" '$2 == c {print $3}' /proc/self/cgroup | sed 's#/$##'; }
