# Timing helpers of the benchmarks (tests/bench/*): each row is a function
# run_NAME (the timed command) and optionally pre_NAME (run before each
# timing, not timed).  sample NAME...: $RUNS rounds, each running every NAME
# once in turn (interleaved, so a change in the machine's load hits every
# row alike); microseconds to $RES/NAME, failures counted in $RES/NAME.fails.
# Needs RES (a directory) and RUNS.
sample() {
	local name i t0 t1
	for name; do : > "$RES/$name"; : > "$RES/$name.err"; echo 0 > "$RES/$name.fails"; done
	for ((i = 0; i < RUNS; i++)); do
		for name; do
			declare -F "pre_$name" >/dev/null && "pre_$name" >/dev/null 2>&1
			t0=${EPOCHREALTIME/./}
			if ! "run_$name" >/dev/null 2>>"$RES/$name.err"; then
				echo $(( $(cat "$RES/$name.fails") + 1 )) > "$RES/$name.fails"
			fi
			t1=${EPOCHREALTIME/./}
			echo $((10#$t1 - 10#$t0)) >> "$RES/$name"
		done
	done
}
# stats NAME: "median p99" in ms.
stats() {
	sort -n "$RES/$1" | awk '{a[NR] = $1} END {
		m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		p = int(NR * 0.99 + 0.999999); if (p > NR) p = NR
		printf "%.2f %.2f", m / 1000, a[p] / 1000 }'
}
med() { stats "$1" | cut -d' ' -f1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
row() { # NAME LABEL
	local s f; s=$(stats "$1"); f=$(cat "$RES/$1.fails")
	printf '  %-56s %8s %8s %6s\n' "$2" "${s% *}" "${s#* }" "$f"
	if [ "$f" != 0 ]; then sort "$RES/$1.err" | uniq -c | sort -rn | head -2 | sed 's/^ */      failed: /'; fi
}

