#!/bin/bash
# The man pages' source (contrib/man) is lint-clean: groff -man -ww and
# man --warnings find nothing to warn about.  Which options the pages
# document (every one --help lists) and that they are installed beside the
# programs where man finds them is for the programs: tests/integration/cli.t.
# No root needed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

pages=(contrib/man/*.8)
is "$(printf '%s\n' "${pages[@]##*/}" | LC_ALL=C sort | tr '\n' ' ')" "cagefs-hook.8 cagefs-runtime.8 cagefs_enter.8 cagefsctl.8 pam_cagefs.8 proxyexecd.8 " \
	"the six pages (cagefs_enter_user's is cagefs_enter.8)"
for page in "${pages[@]}"; do
	n=$(basename "$page")
	is "$(groff -man -ww -z "$page" 2>&1)" "" "$n: groff -man -ww finds nothing to warn about"
	is "$(LC_ALL=C.UTF-8 man --warnings -l "$page" 2>&1 >/dev/null)" "" "$n: man --warnings -l neither"
done

done_testing
