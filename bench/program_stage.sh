#!/bin/sh
# bench/program_stage.sh - programs as pipeline stages on large input: the
# objects piped to a program reach its standard input (a streaming producer
# such as Get-Content, a range that is all there already, two programs in a
# row, a program that reads slowly) and its output comes back, for two migsh
# builds side by side (the "before" build and the "after" build).
# Not a test: it prints figures and judges nothing (it does check that both
# builds print the expected result, so a figure is never of a broken run).
#
#   bench/program_stage.sh OLD_MIGSH NEW_MIGSH [WORK]
#   LINES=200000 RUNS=5 bench/program_stage.sh ...
#
# Each command is timed by bench/measure (built into WORK from
# bench/measure.c), which runs migsh directly with MIGSH_HOME in its
# environment, no shell in between: wall time, and user+system CPU of the
# whole process tree (migsh and its programs).  RUNS runs each, alternating
# old and new; medians are printed at the end, the runs are in WORK/*.txt.
set -eu

OLD=${1:?usage: program_stage.sh OLD_MIGSH NEW_MIGSH [WORK]}
NEW=${2:?usage: program_stage.sh OLD_MIGSH NEW_MIGSH [WORK]}
WORK=${3:-/tmp/migsh-program-bench}
LINES=${LINES:-200000}
RUNS=${RUNS:-5}
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)

rm -rf "$WORK"
mkdir -p "$WORK/home"
chmod 700 "$WORK" "$WORK/home"
cc -std=c11 -O2 -o "$WORK/measure" "$BENCH_DIR/measure.c"
F=$WORK/lines.txt
seq 1 "$LINES" >"$F"
sevens=$(grep -c 7 "$F")
last7=$(grep 7 "$F" | tail -n 1)

bin() { if [ "$1" = old ]; then echo "$OLD"; else echo "$NEW"; fi; }

# NAME COMMAND EXPECTED-LAST-LINE-OF-OUTPUT
set -- \
	"gc-grep" "Get-Content '$F' | grep 7 | Measure-Object | ForEach-Object Count" "$sevens" \
	"gc-grep-console" "Get-Content '$F' | grep 7" "$last7" \
	"gc-wc" "Get-Content '$F' | wc -l" "$LINES" \
	"gc-cat-wc" "Get-Content '$F' | cat | wc -l" "$LINES" \
	"range-sort" "1..$LINES | sort -n | Select-Object -Last 1" "$LINES" \
	"foreach-wc" "1..$LINES | ForEach-Object { \$_ } | wc -l" "$LINES" \
	"slow-reader" "Get-Content '$F' | sh -c 'sleep 0.3; wc -l'" "$LINES" \
	"small" "'b','a' | sort | Select-Object -Last 1" "b"
while [ $# -ge 3 ]; do
	name=$1 cmd=$2 want=$3
	shift 3
	for i in $(seq 1 "$RUNS"); do
		for t in old new; do
			MIGSH_HOME="$WORK/home" "$WORK/measure" -t 600 -g 5 -o "$WORK/m" -- "$(bin $t)" -c "$cmd" \
				>"$WORK/out" 2>"$WORK/err" || :
			got=$(tail -n 1 "$WORK/out")
			if [ "$got" != "$want" ]; then
				echo "$name: $t printed '$got', expected '$want'" >&2
				cat "$WORK/err" >&2
				exit 1
			fi
			# shellcheck disable=SC1090,SC1091
			. "$WORK/m"
			echo "$wall $cpu $maxrss_kb" >>"$WORK/$name-$t.txt"
		done
	done
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
echo "figures: median over $RUNS runs of wall s / CPU s (user+system, migsh and its programs) / peak RSS MB; $LINES lines"
for f in "$WORK"/*-old.txt; do
	name=$(basename "$f" -old.txt)
	for t in old new; do
		g="$WORK/$name-$t.txt"
		wall=$(cut -d' ' -f1 "$g" | median)
		cpu=$(cut -d' ' -f2 "$g" | median)
		rss=$(cut -d' ' -f3 "$g" | median)
		printf '%-16s %-4s wall %7s s   cpu %7s s   peak RSS %6s MB\n' "$name" "$t" "$wall" "$cpu" \
			"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
	done
done
uptime
