#!/bin/bash
# The library's layers (docs/ARCHITECTURE.md §2 "Layers"), checked on the
# source: every #include "..." of a library or front-end file names a
# header of its own layer or of one below, never one above; an internal
# header (one outside runtime/include) is included only from its own folder
# or from a folder of a higher layer; the front-ends in cli/ include only
# public headers and never one another's.  No root needed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

# Layer of a folder or of a public header (by name).
declare -A layer=(
	[runtime/core]=0 [seccomp]=1 [bundles/skeleton]=2 [bundles/user]=2
	[runtime/oci]=3 [runtime/cage]=4 [runtime/container]=4 [proxy]=5 [runtime/sanity]=5 [hooks]=6 [cli]=7 [pam]=7
	[error.h]=0 [log.h]=0 [strvec.h]=0 [hashset.h]=0 [safefs.h]=0 [lock.h]=0
	[paths.h]=0 [cleanup.h]=0 [ini.h]=0 [proc.h]=0 [json.h]=0 [inherit.h]=0
	[seccomp.h]=1 [denials.h]=1
	[config.h]=2 [elf.h]=2 [skeleton.h]=2 [mountcfg.h]=2 [bundle.h]=2 [users.h]=2 [limits.h]=2 [reconfigure.h]=2
	[tmpwatch.h]=2
	[oci.h]=3 [cage.h]=4 [container.h]=4 [session_cgroup.h]=4 [learn.h]=4
	[proxy.h]=5 [sanity.h]=5 [hooks.h]=6
)
folders="runtime/core seccomp bundles/skeleton bundles/user runtime/oci runtime/cage runtime/container proxy runtime/sanity hooks cli pam"

# Every public header has a layer.
for h in runtime/include/cagefs/*.h; do
	n=$(basename "$h")
	is "${layer[$n]+set}" set "public header $n has a layer"
done

# layer_of FROM-DIR INCLUDED: the layer of what `#include "INCLUDED"` names.
layer_of() {
	case $2 in
	cagefs/*) echo "${layer[${2#cagefs/}]:-?}" ;;
	*/*) echo "${layer[$(dirname "$2")]:-?}" ;;
	*) echo "${layer[$1]:-?}" ;;          # a header of the same folder
	esac
}

bad=()
check_file() { # FILE OWN-LAYER OWN-DIR
	local inc l
	while read -r inc; do
		l=$(layer_of "$3" "$inc")
		if [ "$l" = "?" ]; then
			bad+=("$1: includes \"$inc\", which belongs to no layer")
		elif [ "$l" -gt "$2" ]; then
			bad+=("$1: includes \"$inc\" of layer $l from layer $2")
		elif [[ $inc == */* && $inc != cagefs/* && $(dirname "$inc") != "$3" && $l = "$2" ]]; then
			bad+=("$1: includes \"$inc\", an internal header of a sibling folder")
		fi
		case $3:$inc in
		cli:cagefsctl.h) [[ $(basename "$1") == cagefsctl* ]] \
			|| bad+=("$1: a front-end includes cagefsctl's header") ;;
		cli:cagefs/* | pam:cagefs/*) ;;
		cli:* | pam:*) bad+=("$1: a front-end includes the internal header \"$inc\"") ;;
		esac
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1")
}

n=0
for d in $folders; do
	for f in "$d"/*.c "$d"/*.h; do
		[ -e "$f" ] || continue
		check_file "$f" "${layer[$d]}" "$d"
		n=$((n + 1))
	done
done
for h in runtime/include/cagefs/*.h; do
	check_file "$h" "${layer[$(basename "$h")]}" runtime/include/cagefs
	n=$((n + 1))
done
is "${#bad[@]}" 0 "no file of $n reaches up a layer or into another folder's internals"
for b in "${bad[@]}"; do diag "$b"; done

# Nothing is left outside the layers.
stray=$(find runtime bundles seccomp proxy hooks -name '*.c' | grep -v -E "^($(echo $folders | tr ' ' '|'))/[^/]+\.c$|^runtime/pin/")
is "$stray" "" "every library source is in a layer's folder"

# One JSON module (docs/ARCHITECTURE.md §4.12): yajl is included by
# runtime/core/json.c alone, and no public header so much as names it.
yajl=$(grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]yajl/' runtime bundles seccomp cli tests \
	--include='*.c' --include='*.h' | grep -vx runtime/core/json.c)
is "$yajl" "" "no file but runtime/core/json.c includes a yajl header"
is "$(grep -li yajl runtime/include/cagefs/*.h)" "" "no public header mentions yajl"

done_testing
