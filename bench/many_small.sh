#!/bin/bash
# bench/many_small.sh - many small mailboxes end to end (issue 12): USERS users
# with MESSAGES messages each in one throwaway source Dovecot (a passwd-file
# with USERS users, tests/lib/dovecot.sh), moved by migsh (one batch of every
# user, until Synced, through its shell and background service) and by mbsync
# (one Channel per user, MBSYNC_CHUNK channels per mbsync process), RUNS times each, alternating which goes
# first.  Every run is verified: per user, the messages at the destination
# are counted and compared with the source (count, normalized bytes and an
# order-independent content hash: bench/mdstat).  Not a test: it prints
# figures and judges nothing.
#
#   bench/many_small.sh [WORK]            (default /tmp/migsh-many-small)
#   USERS=5000 RUNS=3 MESSAGES=5 BUILD=/path/to/build bench/many_small.sh
#   POLL=1         seconds between two looks at the batch status (migsh -c)
#   TOOLS="migsh mbsync"   which tools to run
#   MBSYNC_CHUNK=500       channels per mbsync process (see mbsync_run)
#   EP_ARGS="-MaxConcurrentMigrations 1"   more parameters of migsh's endpoint
#
# Figures per run: wall seconds (migsh: batch created -> Synced -> service
# stopped; mbsync: all its processes, one after the other), CPU seconds of the whole process
# tree (bench/measure: user + system of everything the step started,
# including the detached service and the status polls), for migsh the
# service's own CPU seconds (from /proc just before it is stopped) and the
# CPU per user, and the source Dovecot's CPU.  Results: WORK/results.tsv and
# a Markdown table on stdout (WORK/many_small.md).
#
# Needs a configured build tree (BUILD, default <source>/build) where migsh,
# the test-bed helpers (tests/lib/mg-*) and tests/corpus/migsh-corpus can be
# built, gcc for bench/measure.c and bench/mdstat.c, Dovecot and mbsync
# (isync).
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$BENCH_DIR/.." && pwd)
WORK=${1:-/tmp/migsh-many-small}
USERS=${USERS:-5000}
RUNS=${RUNS:-3}
MESSAGES=${MESSAGES:-5}
POLL=${POLL:-1}
TOOLS=${TOOLS:-migsh mbsync}
EP_ARGS=${EP_ARGS:-}
top_builddir=${BUILD:-$top_srcdir/build}
export top_srcdir top_builddir

say() { printf '[%s] many_small: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

command -v mbsync >/dev/null 2>&1 || case " $TOOLS " in *" mbsync "*) die "mbsync is missing (apt-get install -y isync)" ;; esac
[ -f "$top_builddir/Makefile" ] || die "no configured build tree in $top_builddir (set BUILD)"
mkdir -p "$WORK" && chmod 700 "$WORK" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)
BIN=$WORK/bin
mkdir -p "$BIN"

# ---- build: migsh, the Dovecot harness's helpers, the corpus generator, bench helpers
say "building in $top_builddir (log $WORK/build.log)"
make -C "$top_builddir" -j2 migsh tests/corpus/migsh-corpus \
	$(grep -o 'tests/lib/mg-[a-z0-9-]*' "$top_srcdir/tests/lib/dovecot.sh" | sort -u) >"$WORK/build.log" 2>&1 ||
	die "build failed (see $WORK/build.log)"
for h in measure mdstat; do
	if [ ! -x "$BIN/$h" ] || [ "$BENCH_DIR/$h.c" -nt "$BIN/$h" ]; then
		gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$BIN/$h" "$BENCH_DIR/$h.c" || die "cannot build bench/$h.c"
	fi
done
MIGSH=$top_builddir/migsh
CORPUS_GEN=$top_builddir/tests/corpus/migsh-corpus

# ---- the users and their mail (cached by parameters)
user_list() { awk -v n="$USERS" 'BEGIN { for (i = 1; i <= n; i++) printf "u%05d\n", i }'; }
USER_LIST=$(user_list | tr '\n' ' ')
CORPUS=$WORK/corpus
params="users=$USERS messages=$MESSAGES seed=5 no-traps"
if [ ! -f "$CORPUS/.complete" ] || [ "$(cat "$CORPUS/.params" 2>/dev/null)" != "$params" ]; then
	say "corpus: $USERS users x $MESSAGES messages"
	rm -rf "$CORPUS" && mkdir -p "$CORPUS"
	"$CORPUS_GEN" --out "$CORPUS" --users "$(user_list | paste -sd, -)" --seed 5 \
		--messages "$MESSAGES" --no-traps --quiet || die "corpus generator failed"
	: >"$CORPUS/.stats"
	for u in $USER_LIST; do
		printf '%s %s\n' "$u" "$("$BIN/mdstat" "$CORPUS/$u")" >>"$CORPUS/.stats"
	done
	printf '%s\n' "$params" >"$CORPUS/.params"
	touch "$CORPUS/.complete"
fi
tot_msgs=$(awk '{ split($2, a, "="); n += a[2] } END { print n }' "$CORPUS/.stats")

# ---- the source Dovecot: one passwd-file with every user, hard links of the corpus
# shellcheck source=/dev/null
. "$top_srcdir/tests/lib/dovecot.sh"
say "starting the source Dovecot with $USERS users"
mg_dovecot_start SRC --no-starttls --users "$USER_LIST"
cp -al "$CORPUS/." "$SRC_MAIL/" || die "cannot link the corpus into $SRC_MAIL"
rm -f "$SRC_MAIL/.params" "$SRC_MAIL/.stats" "$SRC_MAIL/.complete"
mg__chown "$SRC_MAIL"
PW=$MG_TEST_PASSWORD

dv_cpu() { # PID: CPU seconds of a Dovecot master and its reaped children
	[ -r "/proc/$1/stat" ] || { echo 0; return; }
	sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13 + $14 + $15) / hz }'
}
proc_cpu() { # PID: CPU seconds of one process (all its threads)
	[ -r "/proc/$1/stat" ] || { echo ""; return; }
	sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }'
}

# ---- the tools: prepare (untimed), run (timed under bench/measure), where the mail lands
migsh_prepare() { # WORK
	mkdir -p "$1/home" && chmod 700 "$1/home"
	{
		echo 'EmailAddress,UserName,Password'
		for u in $USER_LIST; do echo "$u@bench.example,$u,$PW"; done
	} >"$1/users.csv"
	MIGSH_HOME="$1/home" "$MIGSH" -c "New-MigrationEndpoint -IMAP -Name Src -RemoteServer 127.0.0.1 -Port $SRC_IMAP_PORT -Security None -SkipVerification $EP_ARGS" >/dev/null
}
migsh_run() { # WORK
	export MIGSH_HOME="$1/home"
	"$MIGSH" -c "New-MigrationBatch -Name B -SourceEndpoint Src -CSVFile '$1/users.csv' -AutoStart" >/dev/null || return 1
	local st="" i=0
	while :; do
		st=$("$MIGSH" -c '(Get-MigrationBatch B).Status' 2>/dev/null | tr -d '\r ')
		case "$st" in
		Synced) break ;;
		SyncedWithErrors | Failed | Stopped | Corrupted)
			echo "migsh: batch ended $st"
			"$MIGSH" -c 'Get-MigrationUser -BatchId B | Where-Object Status -ne Synced | Select-Object -First 5 | Format-List Identity,Status,ErrorSummary'
			"$MIGSH" -c 'Stop-MigrationService' >/dev/null
			return 1 ;;
		esac
		i=$((i + 1))
		[ "$i" -lt 40000 ] || { echo "migsh: not Synced in time ($st)"; "$MIGSH" -c 'Stop-MigrationService'; return 1; }
		sleep "$POLL"
	done
	local pid
	pid=$(cat "$1/home/service.pid" 2>/dev/null)
	[ -n "$pid" ] && proc_cpu "$pid" >"$1/service.cpu"
	[ -n "$pid" ] && grep -E '^(VmHWM|Threads)' "/proc/$pid/status" 2>/dev/null | tr -s '\t ' ' ' >"$1/service.hwm"
	"$MIGSH" -c 'Stop-MigrationService' >/dev/null
}
migsh_userdir() { echo "$1/home/mail/$2@bench.example"; }

mbsync_prepare() { # WORK: one Channel per user into a Maildir++ tree
	local u
	for u in $USER_LIST; do
		mkdir -p "$1/mail/$u"
		printf 'IMAPAccount src-%s\nHost 127.0.0.1\nPort %s\nUser %s\nPass %s\nTLSType None\n\n' "$u" "$SRC_IMAP_PORT" "$u" "$PW"
		printf 'IMAPStore src-%s\nAccount src-%s\n\n' "$u" "$u"
		printf 'MaildirStore dst-%s\nInbox %s/mail/%s/\nSubFolders Maildir++\n\n' "$u" "$1" "$u"
		printf 'Channel %s\nFar :src-%s:\nNear :dst-%s:\nPatterns *\nCreate Both\nSyncState *\nCopyArrivalDate yes\n\n' "$u" "$u" "$u"
	done >"$1/mbsyncrc"
	case "$(mbsync --version 2>/dev/null)" in "isync 1.4"* | "isync 1.3"*) sed -i 's/^TLSType /SSLType /' "$1/mbsyncrc" ;; esac
	chmod 600 "$1/mbsyncrc"
}
# mbsync keeps every account's connection open until it exits (to reuse it
# for a later Channel of the same account), so one `mbsync -a` over 5,000
# accounts held 5,000 connections: Dovecot's imap service allows 1,024
# processes, and the 3,976 channels after that ended "unexpected EOF".  So
# mbsync runs over MBSYNC_CHUNK channels at a time, one process after the
# other, as an admin would script it.
MBSYNC_CHUNK=${MBSYNC_CHUNK:-500}
mbsync_run() { # WORK (runs in its own bash: the channel names come from the file)
	awk '/^Channel / { print $2 }' "$1/mbsyncrc" | xargs -n "${MBSYNC_CHUNK:-500}" mbsync -q -c "$1/mbsyncrc"
}
mbsync_userdir() { echo "$1/mail/$2"; }

verify() { # TOOL WORK: every user's messages at the destination, counted and compared
	local tool=$1 work=$2 u want got dir bad=0 first=""
	while read -r u want; do
		dir=$("${tool}_userdir" "$work" "$u")
		if [ -d "$dir" ]; then got=$("$BIN/mdstat" "$dir" | cut -d' ' -f1,3,4); else got="no mailbox"; fi
		want=$(echo "$want" | cut -d' ' -f1,3,4)
		if [ "$want" != "$got" ]; then
			bad=$((bad + 1))
			[ -n "$first" ] || first="$u: want $want, got $got"
		fi
	done <"$CORPUS/.stats"
	if [ "$bad" -eq 0 ]; then echo "ok"; else echo "FAIL: $bad of $USERS users differ, first $first"; fi
}

TSV=$WORK/results.tsv
: >"$TSV"
run_one() { # TOOL RUN
	local tool=$1 r=$2 work="$WORK/run-$1-$2" src0 src1 v scpu
	rm -rf "$work" && mkdir -p "$work"
	"${tool}_prepare" "$work" >"$work/prepare.log" 2>&1 || { say "$tool: prepare failed: $(tail -2 "$work/prepare.log")"; return; }
	sync
	src0=$(dv_cpu "$SRC_PID")
	say "$tool run $r ($USERS users) ..."
	"$BIN/measure" -t 36000 -g 60 -o "$work/measure" -- \
		bash -c "$(declare -f "${tool}_run" proc_cpu); MIGSH='$MIGSH' POLL='$POLL' MBSYNC_CHUNK='$MBSYNC_CHUNK' ${tool}_run '$work'" >"$work/run.log" 2>&1
	local rc=$?
	sleep 0.5   # Dovecot reaps its imap processes
	src1=$(dv_cpu "$SRC_PID")
	# shellcheck source=/dev/null
	. "$work/measure"
	scpu=-   # tab-separated fields are never empty: read would merge them
	[ -s "$work/service.cpu" ] && scpu=$(cat "$work/service.cpu")
	if [ "$rc" -ne 0 ]; then
		v="FAIL: exit $rc: $(tail -3 "$work/run.log" | tr '\n\t' '  ' | cut -c1-200)"
	elif [ "${leftover:-0}" != 0 ]; then
		v="FAIL: left $leftover processes running"
	else
		v=$(verify "$tool" "$work")
	fi
	local srcc
	srcc=$(awk -v a="$src0" -v b="$src1" 'BEGIN { printf "%.2f", b - a }')
	say "$tool run $r: wall ${wall}s, tree CPU ${cpu}s, service CPU ${scpu}s, source Dovecot CPU ${srcc}s: $v"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$r" "$wall" "$cpu" "$scpu" "$srcc" "$maxrss_kb" "$v" >>"$TSV"
	case "$v" in ok) rm -rf "$work" ;; esac
}

say "source Dovecot pid $SRC_PID port $SRC_IMAP_PORT: $USERS users, $tot_msgs messages; tools: $TOOLS; $RUNS run(s)"
for r in $(seq 1 "$RUNS"); do
	order=$TOOLS
	[ $((r % 2)) -eq 0 ] && order=$(echo $TOOLS | tr ' ' '\n' | tac | tr '\n' ' ')
	for t in $order; do run_one "$t" "$r"; done
done

# ---- the table: every run, then medians of the verified runs
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
{
	echo "### Many small mailboxes: $USERS users x $MESSAGES messages ($tot_msgs messages), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Command: \`USERS=$USERS RUNS=$RUNS MESSAGES=$MESSAGES bench/many_small.sh\`; $(nproc) CPUs, load before: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo
	echo "| tool | run | wall s | tree CPU s | service CPU s | service CPU ms/user | source Dovecot CPU s | peak RSS MB | verified |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
	while IFS="$(printf '\t')" read -r tool r wall cpu scpu srcc rss v; do
		per=-
		[ "$scpu" = - ] || per=$(awk -v c="$scpu" -v n="$USERS" 'BEGIN { printf "%.1f", c * 1000 / n }')
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$tool" "$r" "$wall" "$cpu" "$scpu" "$per" "$srcc" \
			"$(awk -v k="${rss:-0}" 'BEGIN { printf "%.1f", k / 1024 }')" "$v"
	done <"$TSV"
	echo
	for t in $TOOLS; do
		ok=$(awk -F'\t' -v t="$t" '$1 == t && $8 == "ok"' "$TSV")
		[ -n "$ok" ] || { echo "- $t: no verified run"; continue; }
		w=$(echo "$ok" | cut -f3 | median)
		c=$(echo "$ok" | cut -f4 | median)
		s=$(echo "$ok" | cut -f5 | median)
		per_tree=$(awk -v c="$c" -v n="$USERS" 'BEGIN { printf "%.1f", c * 1000 / n }')
		echo "- $t: median wall ${w} s, tree CPU ${c} s (${per_tree} ms per user)$( [ "$s" != "-" ] && [ -n "$s" ] && echo ", service CPU ${s} s = $(awk -v c="$s" -v n="$USERS" 'BEGIN { printf "%.1f", c * 1000 / n }') ms per user")"
	done
} | tee "$WORK/many_small.md"
