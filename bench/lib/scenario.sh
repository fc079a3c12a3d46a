#!/bin/bash
# bench/lib/scenario.sh - one benchmark scenario: start a throwaway source
# Dovecot (tests/lib/dovecot.sh) serving a prepared corpus, run each tool
# RUNS times (alternating the order), verify every run against the corpus,
# and append one TSV line per run to OUT.  Called by bench/run.sh.
#
# usage: scenario.sh --label L --corpus DIR --tools "mbsync migsh ..." --out FILE
#                    [--runs N] [--tls] [--delay-ms D] [--timeout S]
#   --corpus DIR   DIR/<user>/ Maildir++ trees and DIR/.stats (from mdstat)
#   --tls          the tools use implicit TLS (IMAPS) to the source
#   --delay-ms D   the tools reach the source through bench's delay proxy,
#                  D ms each way (RTT 2*D); D=0 still goes through the proxy
# TSV columns: label tool run wall cpu user sys maxrss_kb msgs bytes verified src_cpu tgt_cpu rc
# Needs: BENCH_DIR (bench/), BENCH_BIN (measure, mdstat, delayproxy), top_srcdir,
# top_builddir (a build tree with the tests/lib helpers), MIGSH, optional MIGSH_DRIVER.
set -u

label="" corpus="" tools="" out="" runs=1 tls=0 delay="" timeout=3600 profile=0
while [ $# -gt 0 ]; do
	case "$1" in
	--label) label=$2; shift ;;
	--corpus) corpus=$2; shift ;;
	--tools) tools=$2; shift ;;
	--out) out=$2; shift ;;
	--runs) runs=$2; shift ;;
	--tls) tls=1 ;;
	--delay-ms) delay=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--profile) profile=1 ;;
	*) echo "scenario.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$label" ] && [ -d "$corpus" ] && [ -n "$tools" ] && [ -n "$out" ] ||
	{ echo "scenario.sh: need --label --corpus --tools --out" >&2; exit 2; }

# shellcheck source=/dev/null
. "$top_srcdir/tests/lib/dovecot.sh"
. "$BENCH_DIR/lib/tools.sh"

say() { printf '[%s] %s: %s\n' "$(date -u +%H:%M:%S)" "$label" "$*" >&2; }

BENCH_USERS=$(ls "$corpus" | grep -v '^\.' | tr '\n' ' ')
export BENCH_USERS
export BENCH_PW=$MG_TEST_PASSWORD BENCH_MASTER_PW=$MG_TEST_MASTER_PASSWORD
nusers=$(echo $BENCH_USERS | wc -w)

# ---- the source server, serving hard links of the corpus ----
mg_dovecot_start SRC --users "$BENCH_USERS"
for u in $BENCH_USERS; do
	rm -rf "${SRC_MAIL:?}/$u"
	cp -al "$corpus/$u" "$SRC_MAIL/$u"
	find "$SRC_MAIL/$u" -type d -exec chown "$MG_MAIL_USER:$MG_MAIL_GROUP" {} +
done
export BENCH_CA=$MG_TEST_CA SRC_TLS=$tls
if [ "$tls" = 1 ]; then SRC_PORT=$SRC_IMAPS_PORT; else SRC_PORT=$SRC_IMAP_PORT; fi
if [ -n "$delay" ]; then
	pport=$(mg_free_ports 1)
	"$BENCH_BIN/delayproxy" -l "$pport" -c "$SRC_PORT" -d "$delay" 2>"$MG_TMP/proxy.log" &
	proxy_pid=$!
	mg_on_exit "kill $proxy_pid 2>/dev/null"
	"$(mg_tool waitport)" "$pport" 10 || { say "delay proxy did not start"; exit 1; }
	SRC_PORT=$pport
fi
export SRC_PORT

# CPU seconds used so far by a Dovecot instance: master + its reaped children
dv_cpu() { # PID
	local f
	[ -r "/proc/$1/stat" ] || { echo 0; return; }
	f=$(sed 's/.*) //' "/proc/$1/stat")
	echo "$f" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13 + $14 + $15) / hz }'
}

# ---- verification: every user's copy against the corpus statistics ----
verify() { # TOOL WORK -> prints "ok" or "FAIL: ..." and returns 0 / 1
	local tool=$1 work=$2 u dir want got bad="" nbad=0
	for u in $BENCH_USERS; do
		dir=$("${tool}_userdir" "$work" "$u")
		want=$(grep "^$u " "$corpus/.stats" | cut -d' ' -f2,4,5)
		if [ -z "$dir" ] || [ ! -d "$dir" ]; then
			got="no mailbox"
		else
			got=$("$BENCH_BIN/mdstat" "$dir" | cut -d' ' -f1,3,4)
		fi
		if [ "$want" != "$got" ]; then
			nbad=$((nbad + 1))
			[ -n "$bad" ] || bad="$u: want $want got $got"
		fi
	done
	if [ "$nbad" -eq 0 ]; then echo ok; return 0; fi
	echo "FAIL: $nbad/$nusers users differ, first $bad"
	return 1
}

tot_msgs=$(awk '{ split($2, a, "="); n += a[2] } END { print n }' "$corpus/.stats")
tot_bytes=$(awk '{ split($3, a, "="); n += a[2] } END { print n }' "$corpus/.stats")

tgt_n=0
run_one() { # TOOL RUN
	local tool=$1 r=$2 work="$MG_TMP/work-$1-$2" tgt_pid="" tgt0=0 tgt1=0 src0 src1 v rc
	mkdir -p "$work"
	unset TGT_PORT TGT_MAIL
	case "$tool" in
	*_imap)
		tgt_n=$((tgt_n + 1))
		mg_dovecot_start "TGT$tgt_n" --users "$(tgt_users)"
		eval "TGT_PORT=\$TGT${tgt_n}_IMAP_PORT TGT_MAIL=\$TGT${tgt_n}_MAIL tgt_pid=\$TGT${tgt_n}_PID"
		export TGT_PORT TGT_MAIL
		;;
	esac
	if ! "${tool}_prepare" "$work" >"$work/prepare.log" 2>&1; then
		say "$tool: prepare failed: $(tail -3 "$work/prepare.log" | tr '\n' ' ')"
		printf '%s\t%s\t%s\t\t\t\t\t\t%s\t%s\tFAIL: prepare failed\t\t\t\n' "$label" "$tool" "$r" "$tot_msgs" "$tot_bytes" >>"$out"
		return
	fi
	sync
	src0=$(dv_cpu "$SRC_PID")
	[ -n "$tgt_pid" ] && tgt0=$(dv_cpu "$tgt_pid")
	say "$tool run $r ..."
	"$BENCH_BIN/measure" -t "$timeout" -g 30 -o "$work/measure" -- \
		bash -c '. "$BENCH_DIR/lib/tools.sh"; '"${tool}"'_run "$1"' run "$work" >"$work/run.log" 2>&1
	rc=$?
	sleep 0.3  # let Dovecot reap its imap processes
	src1=$(dv_cpu "$SRC_PID")
	[ -n "$tgt_pid" ] && tgt1=$(dv_cpu "$tgt_pid")
	# shellcheck source=/dev/null
	. "$work/measure"
	if [ "$rc" -ne 0 ]; then
		v="FAIL: exit $rc: $(grep -v '^$' "$work/run.log" | tail -2 | tr '\n\t' '  ' | cut -c1-200)"
	elif [ "${leftover:-0}" != 0 ]; then
		v="FAIL: left $leftover processes running"
	else
		v=$(verify "$tool" "$work")
	fi
	local hwm=""
	[ -s "$work/service.hwm" ] && hwm=" (service: $(tr "\n" " " <"$work/service.hwm"))"
	say "$tool run $r: wall ${wall}s cpu ${cpu}s rss ${maxrss_kb}KB$hwm: $v"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$tool" "$r" \
		"$wall" "$cpu" "$user" "$sys" "$maxrss_kb" "$tot_msgs" "$tot_bytes" "$v" \
		"$(awk -v a="$src0" -v b="$src1" 'BEGIN { printf "%.2f", b - a }')" \
		"$(awk -v a="$tgt0" -v b="$tgt1" 'BEGIN { printf "%.2f", b - a }')" "$rc" >>"$out"
	[ -n "$tgt_pid" ] && mg_dovecot_stop "TGT$tgt_n"
	# keep the work tree of a failed run for inspection, drop the rest
	case "$v" in
	ok) rm -rf "$work" ;;
	*) mkdir -p "$BENCH_WORK/failed" && rm -rf "$BENCH_WORK/failed/$label-$tool-$r" &&
		mv "$work" "$BENCH_WORK/failed/$label-$tool-$r" 2>/dev/null ;;
	esac
}

say "source Dovecot pid $SRC_PID, port $SRC_PORT (tls=$tls${delay:+, delay ${delay}ms each way}), $nusers users, $tot_msgs messages, $tot_bytes bytes"
for r in $(seq 1 "$runs"); do
	order=$tools
	[ $((r % 2)) -eq 0 ] && order=$(echo $tools | tr ' ' '\n' | tac | tr '\n' ' ')
	for t in $order; do
		run_one "$t" "$r"
	done
done
# ---- profile: one extra, untimed run of each migsh tool under perf ----
if [ "$profile" = 1 ] && command -v perf >/dev/null 2>&1; then
	for t in $tools; do
		case "$t" in mbsync*) continue ;; esac
		work="$MG_TMP/profile-$t"
		mkdir -p "$work"
		unset TGT_PORT TGT_MAIL
		case "$t" in *_imap)
			tgt_n=$((tgt_n + 1))
			mg_dovecot_start "TGT$tgt_n" --users "$(tgt_users)"
			eval "TGT_PORT=\$TGT${tgt_n}_IMAP_PORT TGT_MAIL=\$TGT${tgt_n}_MAIL"
			export TGT_PORT TGT_MAIL ;;
		esac
		"${t}_prepare" "$work" >"$work/prepare.log" 2>&1 || continue
		pdata="$BENCH_WORK/perf-$label-$t.data"
		say "$t: profiling one run with perf (not timed)"
		perf record -q -F 499 -e cpu-clock -g -o "$pdata" -- \
			bash -c '. "$BENCH_DIR/lib/tools.sh"; '"$t"'_run "$1"' run "$work" >"$work/run.log" 2>&1
		say "$t profile: $(verify "$t" "$work")"
		pr() { perf report -i "$pdata" --stdio --no-children -g none "$@" 2>/dev/null | grep "%" | grep -v "^#"; }
		{
			echo "by object (kernel = system calls: socket reads, file writes, page cache):"
			pr --sort dso --percent-limit 1
			echo
			echo "by command:"
			pr --sort comm --percent-limit 1
			echo
			echo "top symbols:"
			pr --sort dso,symbol --percent-limit 1 | head -25
			echo
			echo "top symbols in the migsh binary (user space), share of all samples:"
			pr --dsos migsh --sort symbol --percent-limit 0.1 | head -25
		} | sed 's/ *$//; s/  *- *- *$//' >"$BENCH_WORK/profile-$label-$t.txt"
	done
fi
exit 0
