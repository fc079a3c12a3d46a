#!/bin/sh
# sync_retry.sh - network faults: the source connection dies in the middle
# of a migration (its Dovecot session process is killed); the sync retries
# with backoff, resumes where it stopped and ends with an exact copy.  A
# source that stays down fails the user with ConnectionError after the
# configured retries.  A stop request ends a pass cleanly; the next one
# finishes the copy.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

mg_dovecot_start SRC --users "user1"
mg_dovecot_start DST --users "user1 user2"
mg_dovecot_load_corpus SRC --seed 9 --messages 1000

# the session processes of this test's source Dovecot only (children of its master)
kill_sessions() {
	for p in $(ps -o pid= --ppid "$SRC_PID"); do
		case "$(ps -o comm= -p "$p" 2>/dev/null)" in
		imap) kill -9 "$p" 2>/dev/null || : ;;
		esac
	done
}

"$SYNC_DRIVER" --src-port "$SRC_IMAP_PORT" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" \
	--state "$MG_TMP/state" --log >"$MG_TMP/r1" 2>"$MG_TMP/r1.err" &
pid=$!
sleep 0.5
kill_sessions
sleep 0.1
kill_sessions
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || mg_fail "sync did not survive dropped connections: $(cat "$MG_TMP/r1" "$MG_TMP/r1.err")"
if grep -q "retry 1 of" "$MG_TMP/r1.err"; then
	mg_log "dropped connection retried: $(grep 'retry' "$MG_TMP/r1.err" | head -n 1)"
else
	mg_log "note: the sync finished before the connection was cut (no retry exercised)"
fi
mg__chown "$DST_MAIL/user1"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk"

# Stop-MigrationBatch: a stop request (SIGTERM to the driver sets job->cancel)
# ends the pass with OperationStopped; the next pass finishes the copy exactly
rm -rf "${DST_MAIL:?}/user2"
"$SYNC_DRIVER" --src-port "$SRC_IMAP_PORT" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user2" \
	--state "$MG_TMP/state2" --log >"$MG_TMP/c1" 2>"$MG_TMP/c1.err" &
pid=$!
# stop it once it is copying: its first log line comes after its signal
# handler is in place (a fixed delay raced with a slow start under load)
i=0
while [ ! -s "$MG_TMP/c1.err" ] && [ $i -lt 200 ] && kill -0 "$pid" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
sleep 0.2
kill -TERM "$pid" 2>/dev/null || :   # it may have finished already
rc=0
wait "$pid" || rc=$?
if [ "$rc" -eq 0 ]; then
	mg_log "note: the sync finished before the stop request"
else
	grep -q "^error: OperationStopped" "$MG_TMP/c1" || mg_fail "stop gave: $(cat "$MG_TMP/c1")"
fi
sync_run "$MG_TMP/c2" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user2" --state "$MG_TMP/state2" \
	|| mg_fail "pass after the stop failed"
mg__chown "$DST_MAIL/user2"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user2 --b-pass-env MG_PW --map "Junk Email=Junk"

# a source that is gone for good: ConnectionError after 2 retries
mg_dovecot_stop SRC
if sync_run "$MG_TMP/r2" --user user1 --pass-env MG_PW --maildir "$MG_TMP/md2" --state "$MG_TMP/s2" \
	--retries 2; then
	mg_fail "sync against a stopped server succeeded"
fi
grep -q "^error: ConnectionError" "$MG_TMP/r2" || mg_fail "wrong error: $(cat "$MG_TMP/r2")"
[ "$(grep -c 'retry [0-9] of 2' "$MG_TMP/r2.err")" -eq 2 ] || mg_fail "expected 2 retries: $(cat "$MG_TMP/r2.err")"
mg_log "network faults: retried and resumed; permanent failure reported"
