# tests/integration/sync-common.sh - helpers for the sync engine's integration
# tests (sourced, not a test itself).  Needs tests/lib/dovecot.sh sourced first.
#
#   sync_run OUT ARGS...   run the sync driver, stats to OUT (stderr to OUT.err);
#                          returns the driver's exit status
#   stat_of OUT KEY        print one statistic from a driver output
#   expect_stat OUT KEY N  fail unless statistic KEY is N
#   compare ARGS...        run the verifier (source = SRC); fail on differences
#   sync_setup NAME DST-USERS  a source Dovecot (SRC, account user1) and a
#                          destination one (DST, the accounts DST-USERS); W is
#                          the test's work directory $MG_TMP/NAME
#   sync_user1 NAME ARGS...  sync_run "$W/NAME" as user1 (password MG_PW); fail
#                          the test when the sync fails
#   files ROOT             the number of message files under a Maildir++ root
#   imap_session PORT USER COMMAND...  one IMAP session (LOGIN, the commands
#                          tagged c1, c2, ..., LOGOUT); its output without CRs
#   mail_add FOLDER SUBJECT MSGID DATE  one message into user1's FOLDER at
#                          SRC ("" MSGID: no Message-ID); prints its file

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

sync_setup() {
	mg_dovecot_start SRC --users "user1"
	mg_dovecot_start DST --users "$2"
	W=$MG_TMP/$1
	mkdir -p "$W"
}

sync_user1() {
	su_out=$1
	shift
	sync_run "$W/$su_out" --user user1 --pass-env MG_PW "$@" ||
		mg_fail "sync $su_out failed: $(cat "$W/$su_out" "$W/$su_out.err")"
}

files() {
	find "$1" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l | tr -d ' '
}

imap_session() {
	is_port=$1 is_user=$2
	shift 2
	{
		printf 'a LOGIN %s %s\n' "$is_user" "$MG_TEST_PASSWORD"
		is_k=0
		for is_c in "$@"; do is_k=$((is_k + 1)); printf 'c%s %s\n' "$is_k" "$is_c"; done
		printf 'z LOGOUT\n'
	} | mg_imap_starttls "$is_port" | tr -d '\r'
}

mail_add() {
	if [ -n "$3" ]; then
		printf 'From: a@example.com\r\nSubject: %s\r\nMessage-ID: <%s>\r\n\r\nbody %s\r\n' "$2" "$3" "$2"
	else
		printf 'From: a@example.com\r\nSubject: %s\r\n\r\nbody %s\r\n' "$2" "$2"
	fi >"$MG_TMP/mail_add.eml"
	mg_maildir_add SRC user1 "$1" "$MG_TMP/mail_add.eml" S "$4"
}
