#!/bin/sh
# check-conf.sh - lint the cagefs skeleton configuration against this host.
#
# usage: contrib/check-conf.sh [-v] [CONFDIR [BLACKLIST...]]
#   CONFDIR    directory of *.cfg files      (default: conf.d beside this script)
#   BLACKLIST  black list file(s)            (default: black.list beside this script)
#   -v         also list every listed path that is absent on this host
#
# Checks, without root and without touching anything:
#   - syntax: one [section] per file, a comment=, known keys only, absolute
#     paths without * or ?, devices under /dev;
#   - no listed path is excluded by the black list (that is a contradiction);
#   - the essentials of a shell are listed (and present on this host);
#   - symlinks (listed, or inside listed directories) whose target is a
#     directory outside every listed path: the builder would copy that whole
#     tree;
#   - which listed paths exist here, and the approximate skeleton size: the
#     existing listed paths with symlinks followed plus the shared-library
#     closure of the ELF files among them (du counts every inode once).
# Exit status: 0 clean, 1 errors found, 2 usage.

set -u
LC_ALL=C
export LC_ALL

verbose=0
if [ "${1:-}" = "-v" ]; then verbose=1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
confdir=${1:-$here/conf.d}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then blacklists="$*"; else blacklists=$here/black.list; fi
[ -d "$confdir" ] || { echo "check-conf: $confdir: not a directory" >&2; exit 2; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
errors=0

# --- 1. parse: one record per value: FILE<TAB>SECTION<TAB>KEY<TAB>VALUE
# shellcheck disable=SC2086
awk -v OFS='\t' '
function err(msg) { printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"; bad = 1 }
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
FNR == 1 {
    if (prev != "") finish(prev)
    prev = FILENAME; section = ""; nsect = 0; ncomment = 0
}
function finish(f) {
    if (nsect != 1) { printf "%s: expected exactly one [section], found %d\n", f, nsect > "/dev/stderr"; bad = 1 }
    if (ncomment < 1) { printf "%s: no comment=\n", f > "/dev/stderr"; bad = 1 }
}
/^[ \t]*(#.*)?$/ { next }
/^[ \t]*\[/ {
    line = trim($0)
    if (line !~ /^\[[A-Za-z0-9._-]+\]$/) { err("bad section header: " line); next }
    section = substr(line, 2, length(line) - 2); nsect++
    if (section in seen) err("section [" section "] already defined in " seen[section])
    seen[section] = FILENAME
    next
}
{
    eq = index($0, "=")
    if (eq == 0) { err("expected key=value: " trim($0)); next }
    key = trim(substr($0, 1, eq - 1)); val = substr($0, eq + 1)
    if (section == "") { err("key before any [section]"); next }
    if (key == "comment") { ncomment++; print FILENAME, section, key, trim(val); next }
    if (key != "paths" && key != "devices" && key != "users" && key != "groups") {
        err("unknown key \"" key "\""); next
    }
    n = split(val, parts, ",")
    for (i = 1; i <= n; i++) {
        v = trim(parts[i])
        if (v == "") continue
        if (key == "paths" || key == "devices") {
            if (v !~ /^\//) { err(key ": not an absolute path: " v); continue }
            if (v ~ /[*?]/) { err(key ": globs are not supported: " v) }
            if (v ~ /\/\.\.?(\/|$)/ || v ~ /\/\//) { err(key ": path not normalised: " v) }
            if (key == "devices" && v !~ /^\/dev\//) { err("devices: not under /dev: " v) }
        } else if (v !~ /^[a-z_][a-z0-9_.-]*\$?$/) { err(key ": bad name: " v) }
        print FILENAME, section, key, v
    }
}
END { if (prev != "") finish(prev); exit bad }
' "$confdir"/*.cfg > "$tmp/records" || errors=1

awk -F'\t' '$3 == "paths"' "$tmp/records" | cut -f4 | sort -u > "$tmp/paths"
awk -F'\t' '$3 == "devices"' "$tmp/records" | cut -f4 | sort -u > "$tmp/devices"

# --- 2. black list entries (comments and blank lines dropped)
# shellcheck disable=SC2086
cat $blacklists 2>/dev/null | sed -e 's/[ \t\r]*$//' -e '/^[ \t]*#/d' -e '/^$/d' > "$tmp/black"
while IFS= read -r b; do
    case $b in /*) ;; *) echo "black list: not an absolute path: $b" >&2; errors=1 ;; esac
done < "$tmp/black"

# is_black PATH: excluded by a plain prefix (at a component boundary) or by a
# glob matching the path or one of its ancestors.
is_black() {
    while IFS= read -r b; do
        case $b in
        *'*'* | *'?'* | *'['*)
            _ib=$1
            while [ -n "$_ib" ]; do
                # shellcheck disable=SC2254
                case $_ib in $b) return 0 ;; esac
                _ib=${_ib%/*}
            done ;;
        *)
            case $1 in "$b" | "$b"/*) return 0 ;; esac ;;
        esac
    done < "$tmp/black"
    return 1
}

while IFS= read -r p; do
    if is_black "$p"; then
        grep -F "	$p" "$tmp/records" | awk -F'\t' -v p="$p" '$4 == p { printf "%s: [%s] lists black-listed path %s\n", $1, $2, p }' >&2
        errors=1
    fi
done < "$tmp/paths"

# --- 3. essentials of a usable shell
for e in /bin/sh /bin/bash /usr/bin/ls /usr/bin/cat /usr/bin/env /usr/bin/id /usr/bin/perl \
         /etc/nsswitch.conf /etc/ld.so.cache /usr/share/zoneinfo /lib/terminfo /etc/ssl/certs; do
    if ! grep -qxF "$e" "$tmp/paths"; then
        echo "essential path not listed: $e" >&2; errors=1
    elif [ ! -e "$e" ]; then
        echo "warning: essential path missing on this host: $e" >&2
    fi
done
for d in /dev/null /dev/zero /dev/urandom /dev/tty; do
    grep -qxF "$d" "$tmp/devices" || { echo "essential device not listed: $d" >&2; errors=1; }
done

# --- 4. presence on this host, per file
: > "$tmp/present"
printf '%-28s %6s %8s\n' "file [section]" listed present
for f in "$confdir"/*.cfg; do
    sect=$(awk -F'\t' -v f="$f" '$1 == f { print $2; exit }' "$tmp/records")
    awk -F'\t' -v f="$f" '$1 == f && $3 == "paths" { print $4 }' "$tmp/records" | sort -u > "$tmp/this"
    n=0; m=0
    while IFS= read -r p; do
        n=$((n + 1))
        if [ -e "$p" ] || [ -L "$p" ]; then
            m=$((m + 1)); is_black "$p" || echo "$p" >> "$tmp/present"
        elif [ "$verbose" = 1 ]; then
            echo "    absent: $p"
        fi
    done < "$tmp/this"
    printf '%-28s %6d %8d\n' "$(basename "$f") [$sect]" "$n" "$m"
done
sort -u -o "$tmp/present" "$tmp/present"

# --- 5. symlinks that would drag in a whole directory tree
# covered PATH: PATH is a listed path or lies below one.
covered() {
    awk -v p="$1" 'p == $0 || index(p, $0 "/") == 1 { found = 1; exit } END { exit !found }' "$tmp/paths"
}
{
    while IFS= read -r p; do
        if [ -L "$p" ]; then echo "$p"; elif [ -d "$p" ]; then find "$p" -type l; fi
    done < "$tmp/present"
} | sort -u > "$tmp/links"
while IFS= read -r l; do
    t=$(readlink -f "$l" 2>/dev/null) || continue
    [ -d "$t" ] || continue
    covered "$t" && continue
    is_black "$t" && continue
    echo "warning: $l -> $t: whole directory $(du -sh "$t" 2>/dev/null | cut -f1) would be copied" >&2
done < "$tmp/links"

# --- 6. approximate size: listed paths (symlinks followed) + ELF closure
xargs -r -d '\n' sh -c 'find -L "$@" -type f 2>/dev/null' sh < "$tmp/present" > "$tmp/files"
: > "$tmp/elf"
# ELF candidates: executables and shared objects; the magic number decides.
xargs -r -d '\n' sh -c 'find -L "$@" -type f \( -perm /111 -o -name "*.so" -o -name "*.so.*" \) 2>/dev/null' sh \
    < "$tmp/present" | sort -u |
while IFS= read -r f; do
    magic=$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' ')
    [ "$magic" = '177ELF' ] && echo "$f" >> "$tmp/elf"
done
xargs -r -d '\n' -n 50 ldd < "$tmp/elf" 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' |
    sort -u > "$tmp/libs"
cat "$tmp/present" "$tmp/libs" | xargs -r -d '\n' du -scL 2>/dev/null | tail -n 1 | cut -f1 > "$tmp/kib"
total=$(cat "$tmp/kib")
echo
echo "listed paths:   $(wc -l < "$tmp/paths") ($(wc -l < "$tmp/present") present on this host)"
echo "files:          $(wc -l < "$tmp/files") ($(wc -l < "$tmp/elf") ELF, closure adds up to $(wc -l < "$tmp/libs") libraries)"
echo "approx. size:   $((total / 1024)) MiB"
if [ "$total" -gt $((1024 * 1024)) ]; then
    echo "warning: the default skeleton would exceed 1 GiB" >&2
fi
if [ "$verbose" = 1 ]; then
    echo
    echo "largest present paths:"
    xargs -r -d '\n' du -sL 2>/dev/null < "$tmp/present" | sort -rn | head -n 15 |
        awk '{ printf "  %8.1f MiB  %s\n", $1 / 1024, $2 }'
fi

[ "$errors" = 0 ] && echo "check-conf: OK" || echo "check-conf: errors found" >&2
exit "$errors"
