#!/bin/sh
# sync_uidvalidity.sh - a folder recreated at the source (new UIDVALIDITY,
# new UIDs for the same messages) must not be copied twice: the rescan
# matches existing copies by content, for both destinations.  New mail that
# arrived with the recreation is still copied.  (That the state is clean
# afterwards - a third pass has nothing to do - is unit-tested in
# tests/unit/test_sync_mem.c.)
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

mg_dovecot_start SRC --users "user1"
mg_dovecot_start DST --users "user1 user2"
mg_dovecot_load_corpus SRC --seed 8 --messages 60
MD="--user user1 --pass-env MG_PW --maildir $DST_MAIL/user1 --state $MG_TMP/state/md"
IM="--user user1 --pass-env MG_PW --target-port $DST_IMAP_PORT --target-user user2 --target-pass-env MG_PW --state $MG_TMP/state/imap"
sync_run "$MG_TMP/md1" $MD || mg_fail "initial maildir sync failed"
sync_run "$MG_TMP/im1" $IM || mg_fail "initial target sync failed"

# recreate INBOX and Archive/2019: Dovecot forgets their UIDs and assigns a
# new UIDVALIDITY; one more message arrives in Archive/2019
for d in "$SRC_MAIL/user1" "$SRC_MAIL/user1/.Archive.2019"; do
	rm -f "$d"/dovecot-uidlist "$d"/dovecot.index*
done
printf 'Subject: arrived later\r\n\r\nx\r\n' >"$MG_TMP/n1"
mg_maildir_add SRC user1 Archive/2019 "$MG_TMP/n1" "S" >/dev/null

sync_run "$MG_TMP/md2" $MD || mg_fail "maildir re-sync failed: $(cat "$MG_TMP/md2.err")"
grep -q "UIDVALIDITY changed" "$MG_TMP/md2.err" || mg_fail "UIDVALIDITY change not noticed: $(cat "$MG_TMP/md2.err")"
expect_stat "$MG_TMP/md2" items_copied 1
mg__chown "$DST_MAIL/user1"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk"

sync_run "$MG_TMP/im2" $IM || mg_fail "target re-sync failed: $(cat "$MG_TMP/im2.err")"
grep -q "UIDVALIDITY changed" "$MG_TMP/im2.err" || mg_fail "UIDVALIDITY change not noticed (target)"
expect_stat "$MG_TMP/im2" items_copied 1
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user2 --b-pass-env MG_PW --map "Junk Email=Junk" --min-size 1
mg_log "UIDVALIDITY change: no duplicates at either destination"
