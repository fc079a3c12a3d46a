#!/bin/sh
# sync_deletions.sh - the real-server smoke test of deletion sync (the
# counting, the report lines, deletion sync off, a pass with nothing left to
# do are unit-tested against an in-memory destination in
# tests/unit/test_sync_mem.c and test_sync_mem_moves.c).  Messages deleted or
# moved to another folder at a Dovecot source between passes, deletion sync
# on (--sync-deletions): the copies migsh made are removed, in the local
# store and on a target IMAP server (UID STORE \Deleted + UID EXPUNGE), so
# the destination matches the source message for message; a message put at
# the destination by someone else is never touched.  The moved message is
# moved at the destination (sync_moves.sh has the details).  Then the batch
# parameter: New-MigrationBatch -SyncDeletions.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

sync_setup del "user2 user3"
n=0
add() { # FOLDER: one message; prints its file
	n=$((n + 1))
	mail_add "$1" "d$n" "del-$n@example.com" "2024010${n}0000"
}
add INBOX >/dev/null; add INBOX >/dev/null
add A >"$W/a1"; add A >"$W/a2"; add A >/dev/null; add B >/dev/null
T="--target-port $DST_IMAP_PORT --target-user user3*mailadmin --target-pass-env MG_MPW"
sync_user1 on1 --maildir "$DST_MAIL/user2" --state "$W/s-on" --sync-deletions
sync_user1 tgt1 $T --state "$W/s-tgt" --sync-deletions
# a message someone else put into the destination's folder A: never touched
printf 'From: b@example.com\r\nSubject: not ours\r\n\r\nx\r\n' >"$W/foreign.eml"
mg_maildir_add DST user2 A "$W/foreign.eml" S >/dev/null

# at the source: one message of A deleted, one moved from A to B, one new in B
rm -f "$(cat "$W/a1")"
mv "$(cat "$W/a2")" "$SRC_MAIL/user1/.B/cur/"     # Dovecot gives it a new UID in B
add B >/dev/null
n_src=$(files "$SRC_MAIL/user1")

# on: the local store matches the source, the foreign message stays
sync_user1 on2 --maildir "$DST_MAIL/user2" --state "$W/s-on" --sync-deletions
expect_stat "$W/on2" items_deleted_at_source 1
expect_stat "$W/on2" items_expunged 1
expect_stat "$W/on2" items_moved 1
grep -rqF 'Subject: not ours' "$DST_MAIL/user2" || mg_fail "deletion sync removed a message migsh did not copy"
rm -f "$(grep -rlF 'Subject: not ours' "$DST_MAIL/user2")"
[ "$(files "$DST_MAIL/user2")" -eq "$n_src" ] ||
	mg_fail "deletion sync on: the local store holds $(files "$DST_MAIL/user2"), the source $n_src"
mg__chown "$DST_MAIL/user2"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW --b-port "$DST_IMAP_PORT" --b-user user2 --b-pass-env MG_PW

# on, into a target IMAP server (UID STORE \Deleted + UID EXPUNGE)
sync_user1 tgt2 $T --state "$W/s-tgt" --sync-deletions
expect_stat "$W/tgt2" items_expunged 1
expect_stat "$W/tgt2" items_moved 1
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW --b-port "$DST_IMAP_PORT" --b-user user3 --b-pass-env MG_PW

# the batch parameter: New-MigrationBatch -SyncDeletions, then Set-MigrationUser -SyncNow
. "$top_srcdir/tests/integration/cmdlets_lib.sh"
ms_ok "New-MigrationEndpoint -IMAP -Name Src -RemoteServer localhost -Port $SRC_IMAPS_PORT -Security Ssl" Src
ms_csv "$W/b.csv" 'EmailAddress,UserName,Password' "user1@contoso.edu,user1,$MG_TEST_PASSWORD"
ms_ok "New-MigrationBatch -Name Del -SourceEndpoint Src -CSVFile '$W/b.csv' -SyncDeletions -AutoStart" Del
ms_ok "(Get-MigrationBatch Del).SyncDeletions" '^True$'
ms_wait "(Get-MigrationUserStatistics user1@contoso.edu).SyncCount" 1 180
home_mail=$MIGSH_HOME/mail/user1@contoso.edu
[ "$(files "$home_mail")" -eq "$n_src" ] || mg_fail "the batch copied $(files "$home_mail") of $n_src messages"
victim=$(grep -rlF "Subject: d5" "$SRC_MAIL/user1" || :)
[ -n "$victim" ] || mg_fail "no message d5 at the source"
rm -f "$victim"
ms_ok "Set-MigrationUser -Identity user1@contoso.edu -SyncNow"
ms_wait "(Get-MigrationUserStatistics user1@contoso.edu).SyncCount" 2 180
[ "$(files "$home_mail")" -eq $((n_src - 1)) ] || mg_fail "-SyncDeletions: $(files "$home_mail") messages at the destination, expected $((n_src - 1))"
! grep -rqF 'Subject: d5' "$home_mail" || mg_fail "-SyncDeletions: the deleted message is still at the destination"
ms_ok "Get-MigrationUserStatistics user1@contoso.edu -IncludeReport | Format-List Report" 'deleted at the destination too'
ms_ok "Set-MigrationBatch Del -SyncDeletions \$false; (Get-MigrationBatch Del).SyncDeletions" '^False$'
echo "sync_deletions: ok"
