# The server profile of the learning tests (seccomp-learn.t,
# attack-seccomp-learn.t), written to /etc/cagefs/seccomp.json: the
# default, with getcwd refused (EPERM) and mount refused with ENOSYS, so
# that the kernel's own EPERM under learning tells learning apart.
learn_server_profile() {
	python3 - "$TOP/seccomp/default.json" > /etc/cagefs/seccomp.json <<'P'
import json, sys
p = json.load(open(sys.argv[1]))
for e in p["syscalls"]:
    e["names"] = [n for n in e["names"] if n != "mount"]
p["syscalls"] = [e for e in p["syscalls"] if e["names"]]
p["syscalls"] += [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                  {"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]
print(json.dumps(p, indent=1))
P
}
