# TAP helpers for shell tests.
T_N=0 T_FAIL=0
ok()   { T_N=$((T_N+1)); if [ "$1" = 0 ]; then echo "ok $T_N - $2"; else echo "not ok $T_N - $2"; T_FAIL=$((T_FAIL+1)); fi; }
# run DESCRIPTION CMD...: ok if CMD succeeds (its output goes to the log).
run()  { local d=$1; shift; "$@" >"$WORLD/last.out" 2>&1; local rc=$?; ok $rc "$d"; [ $rc = 0 ] || sed 's/^/#   /' "$WORLD/last.out" | tail -20; return $rc; }
# fails DESCRIPTION CMD...: ok if CMD fails, whatever the failure (a missing
# program fails too: tests use fails_with, which says which failure).
fails(){ local d=$1; shift; "$@" >"$WORLD/last.out" 2>&1; local rc=$?; [ $rc != 0 ]; ok $? "$d"; [ $rc != 0 ] || sed 's/^/#   /' "$WORLD/last.out" | tail -20; }
# fails_with DESCRIPTION STATUS PATTERN CMD...: ok if CMD exits with STATUS
# and its output (stdout and stderr, in $WORLD/last.out) matches the
# extended regex PATTERN, a distinctive part of the documented message.
# Returns 0 if so (a later check of what the refusal left can fold it in).
fails_with() {
	local d=$1 want=$2 pat=$3; shift 3
	one_pattern "$pat" "$d" || return 1
	"$@" >"$WORLD/last.out" 2>&1; local rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$pat" "$WORLD/last.out"; then ok 0 "$d"; return 0; fi
	ok 1 "$d"; echo "#   expected status $want and output matching: $pat"; echo "#   got status $rc:"
	sed 's/^/#   /' "$WORLD/last.out" | tail -20; return 1
}
is()   { if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | head -20 | sed 's/^/#   /'; fi; }
# one_pattern PATTERN DESCRIPTION: not ok if PATTERN has a newline: grep
# takes each of its lines for a pattern of its own, any one enough (an empty
# line matches everything); match such text as one line (tr '\n' '|').
one_pattern() {
	case $1 in *$'\n'*) ok 1 "$2"; printf '%s\n' "$1" | sed 's/^/#   a pattern with a newline, a list of patterns to grep: /'; return 1 ;; esac
}
like() { one_pattern "$2" "$3" || return; if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else ok 1 "$3"; printf '%s\n' "$1" | head -20 | sed 's/^/#   got: /'; echo "#   expected to match: $2"; fi; }
# lacks TEXT PRESENT ABSENT DESCRIPTION: ok if TEXT matches PRESENT (the
# command ran and gave its normal output) and nothing in it matches ABSENT
# (an empty TEXT, a command that never ran, proves no absence).
lacks() {
	one_pattern "$2" "$4" || return
	if printf '%s' "$1" | grep -Eq -- "$2"; then unlike "$1" "$3" "$4"; return; fi
	ok 1 "$4"; printf '%s\n' "$1" | head -20 | sed 's/^/#   got: /'; echo "#   expected to match: $2 (and not: $3)"
}
# same GOT EXPECTED DESCRIPTION: is, but two empty values do not match (two
# measurements that both came out empty prove nothing).
same() { if [ -n "$2" ]; then is "$@"; else ok 1 "$3"; echo "#   expected a value, got '$1' and '$2'"; fi; }
# isnt A B DESCRIPTION: ok if A and B are two values, and different.
isnt() { if [ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1' and '$2'"; fi; }
unlike() { if printf '%s' "$1" | grep -Eq -- "$2"; then ok 1 "$3"; printf '%s\n' "$1" | grep -E -- "$2" | head -5 | sed 's/^/#   matched: /'; else ok 0 "$3"; fi; }
diag() { echo "# $*"; }
done_testing() { echo "1..$T_N"; [ $T_FAIL = 0 ]; }
