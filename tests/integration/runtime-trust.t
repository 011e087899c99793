#!/bin/bash
# cagefs-runtime says what it cannot do (issue 10): a user who cannot read
# the runtime's state gets an error, never a silent success or "stopped".
. "$(dirname "$0")/../lib/world.sh"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/bundle.sh"
world_enter "$@"
RT=$B/cagefs-runtime
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

useradd -m -u 1801 -s /bin/sh mallory && useradd -m -u 1802 -s /bin/bash alice || world_die "useradd"
M() { su -s /bin/sh mallory -c "$1"; }
# refused DESC STATUS PATTERN CMD...: fails_with, and $R says whether the
# documented refusal happened (what it left is checked only after it).
refused() { R=no; fails_with "$@" && R=yes; }
mkbundle "$WORLD/b1" "$(args 'sleep 1000')"

# ---- a user who cannot read the state is told so ----
refused "kill of a user's cage as another user: refused, not a silent success" 1 \
	"^cagefs-runtime: error: the cage of alice is root's: only root can signal the processes in it$" \
	M "$RT kill alice KILL"
refused "state of it: refused, not \"stopped\"" 1 \
	"^cagefs-runtime: error: the cage of alice is root's: only root can tell its state$" M "$RT state alice"
lacks "$(cat "$WORLD/last.out")" "only root can tell its state" stopped "... nothing says stopped"
refused "delete of it: refused" 1 "^cagefs-runtime: error: the cage of alice is root's: only root can delete it$" \
	M "$RT delete alice"
"$RT" create --bundle "$WORLD/b1" c9 && "$RT" start c9
init=$("$RT" state c9 | field pid)
NOREAD="cannot tell whether c9 is a container: cannot open /run/cagefs/containers(/c9)?: Permission denied \(the runtime's state is root's\)$"
refused "kill of root's container as a user: what it cannot read, said" 1 "^cagefs-runtime: error: $NOREAD" M "$RT kill c9 KILL"
refused "state of it: the same, not \"stopped\" nor \"no container\"" 1 "^cagefs-runtime: error: $NOREAD" M "$RT state c9"
refused "delete --force of it: the same" 1 "^cagefs-runtime: error: $NOREAD" M "$RT delete --force c9"
is "$("$RT" state c9 | field status) $(kill -0 "$init" 2>&1 && echo alive)" "running alive" "... and the container runs on"
"$RT" delete --force c9

done_testing
