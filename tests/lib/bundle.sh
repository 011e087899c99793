# Ordinary OCI bundles for tests: crun's default config.json on a busybox
# rootfs.  Source after world.sh.
[ -x /bin/busybox ] || world_die "busybox-static is missing (make deps)"

# mkbundle DIR [PYTHON]: a bundle whose config is crun's default, process
# not on a terminal, changed by the Python statements on `c`.
mkbundle() {
	local d=$1
	rm -rf "$d"; mkdir -p "$d"/rootfs/{bin,data,proc,sys,dev,tmp,etc}
	cp /bin/busybox "$d/rootfs/bin/"
	for a in $(/bin/busybox --list | grep -vx busybox); do ln -s busybox "$d/rootfs/bin/$a"; done
	(cd "$d" && crun spec) || world_die "crun spec"
	/usr/bin/python3 - "$d/config.json" "${2:-pass}" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = False
exec(sys.argv[2])
json.dump(c, open(p, "w"), indent=1)
PY
}
# args LIST: the Python statement that sets process.args to sh -c LIST.
args() { printf 'c["process"]["args"] = ["sh", "-c", %s]\n' "$(/usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1")"; }
