#!/bin/bash
# A checkout works wherever it is cloned: the project's files are copied
# (as a clone of this tree would have them) into /tmp, /home, /root, /opt
# and a path with a space, inside this test's world; from each, the build
# and `make demo` — itself a throwaway world that covers /tmp and /home —
# run, and one integration test passes through tests/run.
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
world_enter "$@"

# clone_to DIR: the files a clone of this tree would have (tracked, and
# new ones not ignored), without build/; a copy when TOP is no git tree.
clone_to() {
	mkdir -p "$1"
	if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$TOP" ls-files -z --cached --others --exclude-standard \
			| (cd "$TOP" && tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$1"
	else
		tar -C "$TOP" --exclude=./build -cf - . | tar -xf - -C "$1"
	fi
}

demos=0   # demos whose session ran in demo1's cage
for dir in "/tmp/a b/cagefs" /home/admin/src/cagefs /root/cagefs /opt/cagefs; do
	clone_to "$dir"
	is "$(cd "$dir" && ls Makefile README.md tests/run 2>&1 | tr '\n' ' ')" "Makefile README.md tests/run " \
		"$dir: (control) the clone has the project's files"
	out=$(cd "$dir" && make -j2 all 2>&1)
	is "$?" 0 "$dir: (control) make all builds the clone's sources (CAGEFS_BUILD never stands in for a compiler)"
	[ $? = 0 ] || printf '%s\n' "$out" | tail -15 | sed 's/^/#   /'
	out=$(cd "$dir" && make demo 2>&1)
	is "$?" 0 "$dir: make demo exits 0"
	like "$out" "uid=2001\(demo1\) gid=2001\(demo1\) groups=2001\(demo1\)" "$dir: the demo ran a session in demo1's cage"
	case $out in *"uid=2001(demo1) gid=2001(demo1)"*) demos=$((demos + 1)) ;; esac
	like "$out" "skeleton: [0-9.]+[MG], [0-9]+ entries" "$dir: the demo built the skeleton"
	lacks "$out" "^  cat: /home/demo2/secret\.txt: No such file or directory$" "cannot stat|Bail out|^  demo2's secret$" \
		"$dir: nothing in the demo is missing, demo2's file stays hidden (cat finds no such file)"
	out=$(cd "$dir" && TEST_LOG_DIR="$WORLD/logs" tests/run tests/integration/mounts.t 2>&1)
	like "$out" "^[1-9][0-9]* passed, 0 failed$" "$dir: tests/run passes mounts.t from the clone"
	[ "$dir" = "/tmp/a b/cagefs" ] || rm -rf "$dir"
done
# The world of each nested run went with it: nothing it made is here.
is "$demos demos ran; left here: $(ls -d /var/cagefs /usr/share/cagefs-skeleton 2>/dev/null; getent passwd demo1 demo2)" \
	"4 demos ran; left here: " "the 4 nested worlds made a skeleton, bundles and demo users, and left none of them in this one"

done_testing
