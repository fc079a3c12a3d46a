#!/bin/bash
# bench/queued_poll_cost.sh - what the migration service spends just looking
# at a big batch (issue 12): USERS users in one batch whose source accepts
# connections and never answers, so MaxConcurrentMigrations copies hang and
# every other user stays Queued; the service's CPU over SECONDS is then the
# cost of its polls alone (no mail moves).  Not a test: it prints one figure.
#
#   USERS=5000 SECONDS_IDLE=20 BUILD=/path/to/build bench/queued_poll_cost.sh
set -u
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$BENCH_DIR/.." && pwd)
top_builddir=${BUILD:-$top_srcdir/build}
export top_srcdir top_builddir
USERS=${USERS:-5000}
SECONDS_IDLE=${SECONDS_IDLE:-20}
make -C "$top_builddir" -j2 migsh tests/lib/mg-freeport tests/lib/mg-waitport tests/lib/mg-silent-listener \
	>/dev/null 2>&1 || { echo "build failed in $top_builddir" >&2; exit 1; }
# shellcheck source=/dev/null
. "$top_srcdir/tests/lib/dovecot.sh"
mg_silent_listener SIL $((SECONDS_IDLE + 120))
MIGSH=$top_builddir/migsh
export MIGSH_HOME=$MG_TMP/home
mkdir -p "$MIGSH_HOME" && chmod 700 "$MIGSH_HOME"
awk -v n="$USERS" 'BEGIN { print "EmailAddress,UserName,Password"
	for (i = 1; i <= n; i++) printf "u%05d@x.example,u%05d,pw\n", i, i }' >"$MG_TMP/u.csv"
"$MIGSH" -c "New-MigrationEndpoint -IMAP -Name Src -RemoteServer 127.0.0.1 -Port $SIL -Security None -SkipVerification" >/dev/null
"$MIGSH" -c "New-MigrationBatch -Name B -SourceEndpoint Src -CSVFile '$MG_TMP/u.csv' -AutoStart" >/dev/null
sleep 5   # the copies have started and hang
pid=$(cat "$MIGSH_HOME/service.pid")
ticks() { sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'; }
t0=$(ticks)
sleep "$SECONDS_IDLE"
t1=$(ticks)
active=$("$MIGSH" -c '(Get-MigrationService).ActiveInitialSyncs')
echo "$USERS users, $active copies hanging, the rest Queued: the service used" \
	"$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }') CPU seconds in $SECONDS_IDLE s"
"$MIGSH" -c 'Stop-MigrationService' >/dev/null
