# crun_in USER CMD...: run CMD inside USER's cage by handing USER's real
# bundle (config.json with only process.args replaced) to Debian's crun.
# crun refuses hybrid cgroups, so the v2 tree is hidden in a private mount
# namespace first (docs/ARCHITECTURE.md §7).
bundle_of() { echo /var/cagefs/$(printf %02d $(( $(id -u "$1") % 100 )))/$1; }
# crun_bundle DIR USER CMD...: DIR becomes USER's bundle (its config.json
# and its rootfs link to the skeleton) with process.args CMD.
crun_bundle() {
	mkdir -p "$1"
	cp -P "$(bundle_of "$2")/rootfs" "$1/" || return 1
	/usr/bin/python3 - "$(bundle_of "$2")/config.json" "$1/config.json" "${@:3}" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["process"]["args"] = sys.argv[3:]
json.dump(c, open(sys.argv[2], "w"))
PY
}
crun_in() {
	local b=$WORLD/crun-$1
	crun_bundle "$b" "$@" 2>/dev/null
	unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; crun run --bundle "$0" "$1"' "$b" "cage-$1-$$" 2>&1
}
