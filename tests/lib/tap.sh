# TAP helpers for shell tests.
T_N=0 T_FAIL=0
ok()   { T_N=$((T_N+1)); if [ "$1" = 0 ]; then echo "ok $T_N - $2"; else echo "not ok $T_N - $2"; T_FAIL=$((T_FAIL+1)); fi; }
# run DESCRIPTION CMD...: ok if CMD succeeds (its output goes to the log).
run()  { local d=$1; shift; "$@" >"$WORLD/last.out" 2>&1; local rc=$?; ok $rc "$d"; [ $rc = 0 ] || sed 's/^/#   /' "$WORLD/last.out" | tail -20; return $rc; }
# fails DESCRIPTION CMD...: ok if CMD fails.
fails(){ local d=$1; shift; "$@" >"$WORLD/last.out" 2>&1; local rc=$?; [ $rc != 0 ]; ok $? "$d"; [ $rc != 0 ] || sed 's/^/#   /' "$WORLD/last.out" | tail -20; }
is()   { if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | head -20 | sed 's/^/#   /'; fi; }
like() { if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else ok 1 "$3"; printf '%s\n' "$1" | head -20 | sed 's/^/#   got: /'; echo "#   expected to match: $2"; fi; }
unlike() { if printf '%s' "$1" | grep -Eq -- "$2"; then ok 1 "$3"; printf '%s\n' "$1" | grep -E -- "$2" | head -5 | sed 's/^/#   matched: /'; else ok 0 "$3"; fi; }
diag() { echo "# $*"; }
done_testing() { echo "1..$T_N"; [ $T_FAIL = 0 ]; }
