#!/bin/sh
# bench/store_scale.sh - the control plane at Exchange's limit (issue 12):
# the cmdlets admins run in loops, against a data directory holding one
# 50,000-user batch B and a second 50,000-user batch Other (so the cost of
# one batch is seen not to grow with the others), for two migsh builds side
# by side (the "before" build, e.g. the YAML store, and the "after" build).
# Not a test: it prints figures and judges nothing.
#
#   bench/store_scale.sh OLD_MIGSH NEW_MIGSH [WORK]
#   USERS=50000 RUNS=5 TIMER="RUNNER" bench/store_scale.sh ...
#   OLD_RUNS=3 READS_ONLY=1 ...   (fewer runs of the slow "before" build;
#                                  reuse WORK's data directories, time the reads only)
#
# Every command is timed as the migsh process itself, with MIGSH_HOME in
# its environment: no shell in between (a /bin/sh wrapper added 2.7 ms to
# each run on the test machine, more than a third of -Identity).  By
# default each run goes through bench/measure (built here with gcc: wall
# time to 0.1 ms, user and system CPU, peak RSS), RUNS times, old and new
# alternately.  TIMER names a benchmark runner to time the read-only
# commands instead: it is called as `TIMER -n RUNS --timeout S -- COMMAND
# ARGS...` (a runner that prints min/median/max of each figure), once per
# build, with that build's MIGSH_HOME.  Everything goes to WORK/*.txt;
# medians are printed at the end.
set -eu

OLD=${1:?usage: store_scale.sh OLD_MIGSH NEW_MIGSH [WORK]}
NEW=${2:?usage: store_scale.sh OLD_MIGSH NEW_MIGSH [WORK]}
WORK=${3:-/tmp/migsh-store-bench}
USERS=${USERS:-50000}
RUNS=${RUNS:-5}
TIMER=${TIMER:-}

OLD_RUNS=${OLD_RUNS:-$RUNS}
READS_ONLY=${READS_ONLY:-0}
if [ "$READS_ONLY" != 1 ]; then
rm -rf "$WORK"
mkdir -p "$WORK"
chmod 700 "$WORK"

gen_csv() { # FILE PREFIX
	awk -v n="$USERS" -v p="$2" 'BEGIN {
		print "EmailAddress,UserName,Password"
		for (i = 1; i <= n; i++) printf "%s%05d@contoso.edu,%s%05d,pw%d\n", p, i, p, i, i
	}' >"$1"
}
gen_csv "$WORK/b.csv" user
gen_csv "$WORK/other.csv" other
fi

# tool name -> binary
bin() { if [ "$1" = old ]; then echo "$OLD"; else echo "$NEW"; fi; }

[ "$READS_ONLY" = 1 ] || for t in old new; do
	h="$WORK/home-$t"
	mkdir -p "$h" && chmod 700 "$h"
	MIGSH_HOME="$h" "$(bin $t)" -c "New-MigrationEndpoint -IMAP -Name Src -RemoteServer 127.0.0.1 -Port 9 -SkipVerification" >/dev/null
	MIGSH_HOME="$h" "$(bin $t)" -c "New-MigrationBatch -Name Other -SourceEndpoint Src -CSVFile '$WORK/other.csv'" >/dev/null
done

# bench/measure: the process itself, without a shell between
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
MEASURE=$WORK/measure
[ -x "$MEASURE" ] && [ "$MEASURE" -nt "$BENCH_DIR/measure.c" ] ||
	gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$MEASURE" "$BENCH_DIR/measure.c"

timed() { # OUTFILE TOOL COMMAND: one timed run, appends "wall user sys maxrss_kb"
	MIGSH_HOME="$WORK/home-$2" "$MEASURE" -o "$WORK/last.m" -- "$(bin "$2")" -c "$3" >/dev/null 2>"$WORK/last.err"
	# shellcheck disable=SC1091
	. "$WORK/last.m"
	[ "$rc" = 0 ] || { echo "failed: $2: $3" >&2; cat "$WORK/last.err" >&2; exit 1; }
	echo "$wall $user $sys $maxrss_kb" >>"$1"
}

# ---- New-MigrationBatch / Remove-MigrationBatch, alternating old and new
[ "$READS_ONLY" = 1 ] || for i in $(seq 1 "$RUNS"); do
	for t in old new; do
		timed "$WORK/new-batch-$t.txt" "$t" "New-MigrationBatch -Name B -SourceEndpoint Src -CSVFile '$WORK/b.csv'"
		timed "$WORK/remove-batch-$t.txt" "$t" "Remove-MigrationBatch B -Confirm:\$false"
	done
done
[ "$READS_ONLY" = 1 ] || for t in old new; do
	MIGSH_HOME="$WORK/home-$t" "$(bin $t)" -c "New-MigrationBatch -Name B -SourceEndpoint Src -CSVFile '$WORK/b.csv'" >/dev/null
done

# ---- read-only commands (figures of an earlier run of them are replaced)
rm -f "$WORK"/get-*-old.txt "$WORK"/get-*-new.txt "$WORK"/statistics-*.txt "$WORK"/one-*.txt "$WORK"/timer-*.txt
set -- \
	"get-batch" "Get-MigrationBatch" \
	"get-user-count" "Get-MigrationUser -BatchId B | Measure-Object" \
	"get-user-unlimited" "Get-MigrationUser -BatchId B -ResultSize Unlimited | Measure-Object" \
	"statistics" "Get-MigrationStatistics" \
	"get-one-user" "Get-MigrationUser -Identity user$(printf %05d $((USERS / 2)))@contoso.edu" \
	"one" "1"
while [ $# -ge 2 ]; do
	name=$1 cmd=$2
	shift 2
	if [ -n "$TIMER" ]; then
		for t in new old; do
			n=$RUNS
			[ "$t" = old ] && n=$OLD_RUNS
			MIGSH_HOME="$WORK/home-$t" $TIMER -n "$n" --timeout 1800 -- "$(bin $t)" -c "$cmd" \
				>"$WORK/timer-$name-$t.txt" 2>&1 || :
		done
	else
		for i in $(seq 1 "$RUNS"); do
			for t in old new; do
				[ "$t" = old ] && [ "$i" -gt "$OLD_RUNS" ] && continue
				timed "$WORK/$name-$t.txt" "$t" "$cmd"
			done
		done
	fi
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
echo "figures: median wall s / median peak RSS MB over $RUNS runs, $USERS users per batch, two batches"
for f in "$WORK"/*-old.txt; do
	name=$(basename "$f" -old.txt)
	for t in old new; do
		g="$WORK/$name-$t.txt"
		[ -s "$g" ] || continue
		wall=$(cut -d' ' -f1 "$g" | median)
		rss=$(cut -d' ' -f4 "$g" | median)
		printf '%-22s %-4s wall %8s s   peak RSS %6s MB\n' "$name" "$t" "$wall" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
	done
done
for f in "$WORK"/timer-*.txt; do
	[ -e "$f" ] || continue
	echo "== $(basename "$f" .txt)"
	cat "$f"
done
uptime
