#!/bin/bash
# bench/run.sh - the migsh benchmark against mbsync, in one command.
#
# Installs what it needs (isync, dovecot-imapd), builds migsh out of tree,
# generates the corpora with the project's seeded generator, serves them from
# throwaway Dovecot instances on 127.0.0.1 (tests/lib/dovecot.sh) and times
# migsh and mbsync doing the same job, verifying every run.  Writes
# bench/RESULTS.md and prints the migsh/mbsync ratios last.  Not part of
# `make check`.  See bench/README.md.
#
# usage: bench/run.sh [--quick] [--runs N] [--work DIR] [--no-install] [--profile]
#                     [--only small,tls,medium,latency,memory] [--results FILE]
#                     [--tools "mbsync migsh ..."]   (run only these tools)
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$BENCH_DIR/.." && pwd)
BENCH_WORK=${BENCH_WORK:-/tmp/migsh-bench}
runs=3 quick=0 install=1 only="" results="$BENCH_DIR/RESULTS.md" tool_filter="" profile=0

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--runs) runs=$2; shift ;;
	--work) BENCH_WORK=$2; shift ;;
	--no-install) install=0 ;;
	--only) only=$2; shift ;;
	--results) results=$2; shift ;;
	--tools) tool_filter=$2; shift ;;
	--profile) profile=1 ;;
	-h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$only" ]; then
	if [ "$quick" = 1 ]; then only=small,tls,latency,memory; else only=small,tls,medium,latency,memory; fi
fi
want() { case ",$only," in *",$1,"*) return 0 ;; esac; return 1; }

say() { printf '[%s] bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || say "not root: installing packages and the service account setup may fail"
mkdir -p "$BENCH_WORK" || die "cannot create $BENCH_WORK"
BENCH_WORK=$(cd "$BENCH_WORK" && pwd)
BENCH_BIN=$BENCH_WORK/bin
BUILD=$BENCH_WORK/build
TSV=$BENCH_WORK/results.tsv
export BENCH_DIR BENCH_WORK BENCH_BIN top_srcdir

# ---- 1. packages ----
if [ "$install" = 1 ]; then
	need=""
	command -v mbsync >/dev/null 2>&1 || need="$need isync"
	[ -x /usr/sbin/dovecot ] || need="$need dovecot-imapd"
	[ -x /usr/bin/time ] || need="$need time"
	command -v gcc >/dev/null 2>&1 || need="$need gcc"
	command -v openssl >/dev/null 2>&1 || need="$need openssl"
	if [ -n "$need" ]; then
		say "installing:$need"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null ||
			die "apt-get install$need failed"
	fi
fi
command -v mbsync >/dev/null 2>&1 || die "mbsync is missing (apt-get install isync)"

# ---- 2. build: bench helpers, then migsh and the test-bed helpers out of tree ----
mkdir -p "$BENCH_BIN"
for h in measure mdstat delayproxy; do
	if [ ! -x "$BENCH_BIN/$h" ] || [ "$BENCH_DIR/$h.c" -nt "$BENCH_BIN/$h" ]; then
		gcc -std=c11 -O2 -Wall -Wextra -Werror -o "$BENCH_BIN/$h" "$BENCH_DIR/$h.c" || die "cannot build bench/$h.c"
	fi
done

mkdir -p "$BUILD"
top_builddir=$BUILD
export top_builddir
say "building migsh in $BUILD (log: $BUILD/bench-build.log)"
(
	cd "$BUILD" || exit 1
	if [ ! -f Makefile ]; then
		[ -x "$top_srcdir/configure" ] || (cd "$top_srcdir" && autoreconf -fi) || exit 1
		"$top_srcdir/configure" CFLAGS="-O2 -g" || exit 1
	fi
	# every helper the Dovecot harness names
	make -j2 $(grep -o 'tests/lib/mg-[a-z0-9-]*' "$top_srcdir/tests/lib/dovecot.sh" | sort -u) || exit 1
	make -j2 tests/corpus/migsh-corpus || echo "bench: the corpus generator does not build"
	make -j2 migsh || echo "bench: migsh does not build"
	make -j2 tests/integration/engine_driver || echo "bench: engine_driver does not build"
) >"$BUILD/bench-build.log" 2>&1 || die "build of the test-bed helpers failed; see $BUILD/bench-build.log"
MIGSH=$BUILD/migsh
MIGSH_CORPUS=$BUILD/tests/corpus/migsh-corpus
[ -x "$MIGSH" ] || say "migsh did not build (see $BUILD/bench-build.log): migsh runs will fail"
export MIGSH MIGSH_CORPUS
# The sync engineer's driver, used when the migsh shell cannot migrate yet.
MIGSH_DRIVER=""
for d in "$BUILD"/tests/integration/sync_driver "$BUILD"/tests/integration/sync_driver*; do
	if [ -x "$d" ] && [ -f "$d" ]; then MIGSH_DRIVER=$d; break; fi
done
export MIGSH_DRIVER

# ---- 3. corpora ----
. "$BENCH_DIR/lib/corpus.sh"
mkdir -p "$BENCH_WORK/corpus"
corpus_ready() { # NAME USERS MSGS SEED
	local dir="$BENCH_WORK/corpus/$1"
	say "corpus $1: $2 users x $3 messages, seed $4"
	corpus_make "$dir" "$2" "$3" "$4" || die "corpus $1 could not be generated"
	corpus_stats "$dir"
	say "corpus $1: $(awk '{ split($2, a, "="); split($3, b, "="); m += a[2]; s += b[2] } END { printf "%d messages, %.1f MB", m, s / 1e6 }' "$dir/.stats") ($CORPUS_SOURCE)"
}
corpus_ready small 10 500 1
if want medium; then
	avail_mb=$(df -Pm "$BENCH_WORK" | awk 'NR == 2 { print $4 }')
	# BENCH_MEDIUM="USERS MESSAGES|SIZE": default 20 users holding 1 GB together
	# (the generator's messages average ~140 KB, so 20 x 2,000 would be ~5.7 GB;
	# BENCH_MEDIUM="20 2000" gives exactly that).  Needs the corpus + one copy.
	set -- ${BENCH_MEDIUM:-20 1G}
	if [ "$avail_mb" -lt 4000 ]; then
		say "only ${avail_mb} MB free in $BENCH_WORK: medium corpus reduced to $1 users, 500 MB"
		corpus_ready medium "$1" 500M 2
	else
		corpus_ready medium "$1" "$2" 2
	fi
	set --
fi
if want memory; then
	corpus_big "$BENCH_WORK/corpus/big" 20 2 || die "big-message corpus failed"
	corpus_stats "$BENCH_WORK/corpus/big"
	CORPUS_SOURCE="bench/lib/corpus.sh corpus_big"
fi

# ---- 4. scenarios ----
: >"$TSV"
rm -rf "$BENCH_WORK/failed"
[ "$profile" = 1 ] && rm -f "$BENCH_WORK"/profile-*.txt "$BENCH_WORK"/perf-*.data
scenario() { # LABEL CORPUS TOOLS RUNS [scenario options]
	local label=$1 c=$2 t=$3 n=$4 x keep=""
	shift 4
	if [ -n "$tool_filter" ]; then
		for x in $t; do case " $tool_filter " in *" $x "*) keep="$keep $x" ;; esac; done
		t=$keep
		[ -n "$t" ] || return 0
	fi
	say "scenario $label: $t, $n run(s)"
	bash "$BENCH_DIR/lib/scenario.sh" --label "$label" --corpus "$BENCH_WORK/corpus/$c" \
		--tools "$t" --runs "$n" --out "$TSV" "$@" || say "scenario $label failed (exit $?)"
}
# migsh runs through its shell; while the shell cannot start the service yet,
# the same service + engine run through the engine's test driver ("service").
migsh_usable() {
	local h="$BENCH_WORK/probe-home" pid ok=1
	rm -rf "$h"; mkdir -p "$h"; chmod 700 "$h"
	[ -x "$MIGSH" ] || return 1
	MIGSH_HOME=$h "$MIGSH" -c "Start-MigrationService" >"$BENCH_WORK/probe.log" 2>&1 || ok=0
	pid=$(cat "$h/service.pid" 2>/dev/null)
	{ [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || ok=0
	MIGSH_HOME=$h "$MIGSH" -c "Stop-MigrationService" >>"$BENCH_WORK/probe.log" 2>&1 ||
		{ [ -n "$pid" ] && kill "$pid" 2>/dev/null; }
	[ "$ok" = 1 ]
}
migsh_maildir_tool=${BENCH_MIGSH_TOOL:-}
if [ -z "$migsh_maildir_tool" ]; then
	if migsh_usable; then
		migsh_maildir_tool=migsh
	elif [ -x "$top_builddir/tests/integration/engine_driver" ]; then
		migsh_maildir_tool=service
		say "the migsh shell cannot start its service yet ($BENCH_WORK/probe.log): timing the same service and engine through tests/integration/engine_driver (tool \"service\")"
	else
		migsh_maildir_tool=migsh
		say "the migsh shell cannot start its service and engine_driver is not built: migsh runs will fail"
	fi
fi
started=$(date -u "+%Y-%m-%d %H:%M UTC")
export BENCH_LOAD_START="$(cut -d" " -f1-3 /proc/loadavg)"
popt=""
[ "$profile" = 1 ] && popt=--profile
want small && scenario small-plain small "mbsync $migsh_maildir_tool ${migsh_maildir_tool}_imap mbsync_imap" "$runs" $popt
want tls && scenario small-tls small "mbsync $migsh_maildir_tool" "$runs" --tls
if want medium; then
	scenario medium-plain medium "mbsync $migsh_maildir_tool" "$runs"
	scenario medium-imap medium "${migsh_maildir_tool}_imap mbsync_imap" 1
	scenario medium-tls medium "mbsync $migsh_maildir_tool" "$runs" --tls
fi
if want latency; then
	scenario latency-0ms small "$migsh_maildir_tool mbsync" "$runs" --delay-ms 0
	scenario latency-20ms small "$migsh_maildir_tool mbsync" "$runs" --delay-ms 10
fi
want memory && scenario memory big "$migsh_maildir_tool mbsync" 1

if [ "$profile" = 1 ]; then
	{
		printf "# Where migsh spends its time\n\nperf record -F 499 -e cpu-clock -g over one untimed run of the small corpus\n"
		printf "(%s), whole process tree; flat profile, samples by command, object, symbol.\n" "$started"
		printf "Raw data: %s/perf-*.data (perf report -i FILE).\n" "$BENCH_WORK"
		for f in "$BENCH_WORK"/profile-*.txt; do
			[ -s "$f" ] || continue
			printf '\n## %s\n\n```\n' "$(basename "$f" .txt)"
			cat "$f"
			printf '```\n'
		done
	} >"$BENCH_DIR/PROFILE.md"
	say "profile written to $BENCH_DIR/PROFILE.md"
fi
# ---- 5. report ----
bash "$BENCH_DIR/lib/report.sh" "$TSV" "$started" "$results" "$BUILD/config.log" ||
	die "report failed"
