# tests/integration/sync-common.sh - helpers for the sync engine's integration
# tests (sourced, not a test itself).  Needs tests/lib/dovecot.sh sourced first.
#
#   sync_run OUT ARGS...   run the sync driver, stats to OUT (stderr to OUT.err);
#                          returns the driver's exit status
#   stat_of OUT KEY        print one statistic from a driver output
#   expect_stat OUT KEY N  fail unless statistic KEY is N
#   compare ARGS...        run the verifier (source = SRC); fail on differences

SYNC_DRIVER=$top_builddir/tests/integration/sync_driver
MAILCOMPARE=$top_builddir/tests/lib/mailcompare
[ -x "$SYNC_DRIVER" ] || mg_fail "sync driver not built: $SYNC_DRIVER (run make check)"
[ -x "$MAILCOMPARE" ] || mg_fail "verifier not built: $MAILCOMPARE (run make check)"
export MG_PW="$MG_TEST_PASSWORD" MG_MPW="$MG_TEST_MASTER_PASSWORD"

sync_run() {
	sr_out=$1
	shift
	"$SYNC_DRIVER" --src-port "$SRC_IMAP_PORT" --log "$@" >"$sr_out" 2>"$sr_out.err"
}

stat_of() {
	sed -n "s/^$2: //p" "$1" | head -n 1
}

expect_stat() {
	es_v=$(stat_of "$1" "$2")
	[ "$es_v" = "$3" ] || {
		cat "$1" "$1.err" >&2
		mg_fail "$2 is '$es_v', expected $3 ($1)"
	}
}

compare() {
	"$MAILCOMPARE" --quiet "$@" >"$MG_TMP/compare.out" 2>&1 || {
		cat "$MG_TMP/compare.out" >&2
		mg_fail "source and destination differ (mailcompare $*)"
	}
	tail -n 1 "$MG_TMP/compare.out" >&2
}
