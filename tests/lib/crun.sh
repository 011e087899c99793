# crun_in USER CMD...: run CMD inside USER's cage by handing USER's real
# bundle (config.json with only process.args replaced) to Debian's crun.
# crun refuses hybrid cgroups, so the v2 tree is hidden in a private mount
# namespace first (docs/ARCHITECTURE.md §7).
bundle_of() { echo /var/cagefs/$(printf %02d $(( $(id -u "$1") % 100 )))/$1; }
crun_in() {
	local b=$WORLD/crun-$1
	mkdir -p "$b"
	cp -P "$(bundle_of "$1")/rootfs" "$b/" 2>/dev/null   # the link to the skeleton
	/usr/bin/python3 - "$(bundle_of "$1")/config.json" "$b/config.json" "${@:2}" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["process"]["args"] = sys.argv[3:]
json.dump(c, open(sys.argv[2], "w"))
PY
	unshare -m sh -c "umount /sys/fs/cgroup/unified 2>/dev/null; crun run --bundle $b cage-$1-$$" 2>&1
}
