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
# usage: bench/run.sh [--quick] [--runs N] [--work DIR] [--no-install]
#                     [--only small,tls,medium,latency,memory] [--results FILE]
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$BENCH_DIR/.." && pwd)
BENCH_WORK=${BENCH_WORK:-/tmp/migsh-bench}
runs=3 quick=0 install=1 only="" results="$BENCH_DIR/RESULTS.md"

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--runs) runs=$2; shift ;;
	--work) BENCH_WORK=$2; shift ;;
	--no-install) install=0 ;;
	--only) only=$2; shift ;;
	--results) results=$2; shift ;;
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
	make -j2 tests/lib/mg-freeport tests/lib/mg-waitport || exit 1
	make -j2 tests/corpus/migsh-corpus || echo "bench: the corpus generator does not build"
	make -j2 migsh || echo "bench: migsh does not build"
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
	# the medium corpus, one copy per tool run kept at a time, plus slack
	if [ "$avail_mb" -lt 4000 ]; then
		say "only ${avail_mb} MB free in $BENCH_WORK: medium corpus reduced to 20 x 500"
		corpus_ready medium 20 500 2
	else
		corpus_ready medium 20 2000 2
	fi
fi
if want memory; then
	corpus_big "$BENCH_WORK/corpus/big" 8 3 || die "big-message corpus failed"
	corpus_stats "$BENCH_WORK/corpus/big"
	CORPUS_SOURCE="bench/lib/corpus.sh corpus_big"
fi

# ---- 4. scenarios ----
: >"$TSV"
scenario() { # LABEL CORPUS TOOLS RUNS [scenario options]
	local label=$1 c=$2 t=$3 n=$4
	shift 4
	say "scenario $label: $t, $n run(s)"
	bash "$BENCH_DIR/lib/scenario.sh" --label "$label" --corpus "$BENCH_WORK/corpus/$c" \
		--tools "$t" --runs "$n" --out "$TSV" "$@" || say "scenario $label failed (exit $?)"
}
migsh_maildir_tool=migsh
[ -n "${BENCH_MIGSH_TOOL:-}" ] && migsh_maildir_tool=$BENCH_MIGSH_TOOL
started=$(date -u '+%Y-%m-%d %H:%M UTC')
want small && scenario small-plain small "mbsync $migsh_maildir_tool ${migsh_maildir_tool}_imap mbsync_imap" "$runs"
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

# ---- 5. report ----
bash "$BENCH_DIR/lib/report.sh" "$TSV" "$started" "$results" "$BUILD/config.log" ||
	die "report failed"
