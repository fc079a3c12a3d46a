#!/bin/sh
# sync_target.sh - migrate into a target Dovecot over IMAP with admin logins:
# source as `user1*mailadmin` (master user), target as `user1*mailadmin` and
# as mailadmin acting for user2 (PLAIN authorization identity).  Verifies
# every message, that what the target refuses (Dovecot refuses empty
# messages) is reported as TargetRejected and counted against BadItemLimit, that a
# re-run appends nothing, that flag changes reach the target, and that the
# source can be read over implicit TLS.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

mg_dovecot_start SRC --users "user1 user2"
mg_dovecot_start DST --users "user1 user2"
mg_dovecot_load_corpus SRC --seed 5 --messages 50

T="--target-port $DST_IMAP_PORT --target-pass-env MG_MPW"
sync_run "$MG_TMP/t1" --user 'user1*mailadmin' --pass-env MG_MPW $T --target-user 'user1*mailadmin' \
	--state "$MG_TMP/state/user1" --trace || mg_fail "sync into the target failed: $(cat "$MG_TMP/t1" "$MG_TMP/t1.err")"
# the corpus has one empty message per user, which Dovecot refuses on APPEND
expect_stat "$MG_TMP/t1" items_bad 1
grep -q '^skipped: kind=TargetRejected folder=INBOX uid=[0-9]* size=0 .*target refused' "$MG_TMP/t1" \
	|| mg_fail "refused empty message not reported"
n=$(stat_of "$MG_TMP/t1" items_in_source)
expect_stat "$MG_TMP/t1" items_copied $((n - 1))
grep -q "user1\*mailadmin@127.0.0.1:$DST_IMAP_PORT" "$MG_TMP/t1" || mg_fail "dest_mailbox not reported"
# Dovecot offers MULTIAPPEND: messages go out in batches (further messages of
# one APPEND command, one APPENDUID range per batch); the batch holding the
# refused empty message is resent one by one, which the counts above verify
n_more=$(grep -c '^dst C:  .*{[0-9]*+}$' "$MG_TMP/t1.err" || true)
[ "$n_more" -gt 0 ] || mg_fail "no MULTIAPPEND batch was sent"
grep -q '^dst S: [^ ]* OK \[APPENDUID [0-9]* [0-9]*:[0-9]*\]' "$MG_TMP/t1.err" \
	|| mg_fail "no MULTIAPPEND batch was stored in one go"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk" --min-size 1

# re-run: no new APPENDs
sync_run "$MG_TMP/t2" --user 'user1*mailadmin' --pass-env MG_MPW $T --target-user 'user1*mailadmin' \
	--state "$MG_TMP/state/user1" || mg_fail "re-run failed"
expect_stat "$MG_TMP/t2" items_copied 0
expect_stat "$MG_TMP/t2" flags_updated 0

# flag changes at the source reach the target (UID STORE on the target only)
for f in $(ls "$SRC_MAIL/user1/cur" | head -n 3); do
	mg_maildir_setflags "$SRC_MAIL/user1/cur/$f" "DF" >/dev/null
done
printf 'Subject: later\r\n\r\nnew\r\n' >"$MG_TMP/n1"
mg_maildir_add SRC user1 Archive/2019 "$MG_TMP/n1" "S" >/dev/null
sync_run "$MG_TMP/t3" --user 'user1*mailadmin' --pass-env MG_MPW $T --target-user 'user1*mailadmin' \
	--state "$MG_TMP/state/user1" || mg_fail "incremental failed: $(cat "$MG_TMP/t3.err")"
expect_stat "$MG_TMP/t3" items_copied 1
f3=$(stat_of "$MG_TMP/t3" flags_updated)
[ "$f3" -ge 2 ] && [ "$f3" -le 3 ] || mg_fail "flags_updated is $f3, expected 2-3"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk" --min-size 1

# PLAIN authorization identity on the target; BadItemLimit 0 fails the user;
# then the same over implicit TLS from the source
if sync_run "$MG_TMP/t4" --user user2 --pass-env MG_PW --target-port "$DST_IMAP_PORT" \
	--target-user mailadmin --target-authz user2 --target-pass-env MG_MPW \
	--state "$MG_TMP/state/user2" --bad-limit 0; then
	mg_fail "BadItemLimit 0 with a refused message did not fail the user"
fi
grep -q '^error: LimitsExceeded: BadItemLimitExceeded' "$MG_TMP/t4" || mg_fail "wrong error: $(cat "$MG_TMP/t4")"
SSL_CERT_FILE="$MG_TEST_CA" sync_run "$MG_TMP/t5" --src-port "$SRC_IMAPS_PORT" --security Ssl \
	--user user2 --pass-env MG_PW --target-port "$DST_IMAP_PORT" \
	--target-user mailadmin --target-authz user2 --target-pass-env MG_MPW \
	--state "$MG_TMP/state/user2" --bad-limit 5 || mg_fail "authzid sync failed: $(cat "$MG_TMP/t5.err")"
compare --a-port "$SRC_IMAP_PORT" --a-user user2 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user2 --b-pass-env MG_PW --map "Junk Email=Junk" --min-size 1
if grep -q -e "$MG_TEST_PASSWORD" -e "$MG_TEST_MASTER_PASSWORD" "$MG_TMP"/t*; then
	mg_fail "a password appears in the output or log"
fi
mg_log "IMAP target: exact copies, master user, authzid, refusals, flags verified"
