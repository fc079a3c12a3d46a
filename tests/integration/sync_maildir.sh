#!/bin/sh
# sync_maildir.sh - migrate the corpus of three users into the local
# Maildir++ store, then prove it is real: a second Dovecot serves the migrated
# trees and the verifier compares every message over IMAP (bytes, flags,
# keywords, internal date, folder).  Re-run copies nothing; new mail and flag
# changes at the source are carried by the incremental pass, exactly those;
# excluded folders are reported, not copied.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

mg_dovecot_start SRC --users "user1 user2 user3"
mg_dovecot_start DST --users "user1 user2 user3"
mg_dovecot_load_corpus SRC --seed 11 --messages 60
MAP="--map Junk Email=Junk"

for u in user1 user2; do
	rm -rf "${DST_MAIL:?}/$u"
	sync_run "$MG_TMP/$u.1" --user "$u" --pass-env MG_PW --maildir "$DST_MAIL/$u" \
		--state "$MG_TMP/state/$u" || mg_fail "initial sync of $u failed: $(cat "$MG_TMP/$u.1")"
	expect_stat "$MG_TMP/$u.1" incremental 0
	expect_stat "$MG_TMP/$u.1" items_skipped 0
	n=$(stat_of "$MG_TMP/$u.1" items_in_source)
	expect_stat "$MG_TMP/$u.1" items_copied "$n"
	expect_stat "$MG_TMP/$u.1" dest_mailbox "$DST_MAIL/$u"
	mg__chown "$DST_MAIL/$u"
	compare --a-port "$SRC_IMAP_PORT" --a-user "$u" --a-pass-env MG_PW \
		--b-port "$DST_IMAP_PORT" --b-user "$u" --b-pass-env MG_PW --map "Junk Email=Junk"
	# layout Dovecot expects
	[ -d "$DST_MAIL/$u/.Archive.2019/cur" ] || mg_fail "no .Archive.2019 folder for $u"
	[ -d "$DST_MAIL/$u/.Entw&APw-rfe/cur" ] || mg_fail "non-ASCII folder not in modified UTF-7"
	# subscriptions in Dovecot's own format (what is subscribed: sync_subscriptions.sh)
	[ "$(head -n 1 "$DST_MAIL/$u/subscriptions")" = "$(printf 'V\t2')" ] ||
		mg_fail "subscriptions file not in Dovecot's version 2 format"
done

# re-run: nothing new
sync_run "$MG_TMP/user1.2" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" \
	--state "$MG_TMP/state/user1" || mg_fail "re-run failed"
expect_stat "$MG_TMP/user1.2" incremental 1
expect_stat "$MG_TMP/user1.2" items_copied 0
expect_stat "$MG_TMP/user1.2" flags_updated 0

# incremental: two new messages, one flag change, one keyword added
printf 'From: a@example.com\r\nSubject: new one\r\nMessage-ID: <new1@x>\r\n\r\nhello\r\n' >"$MG_TMP/n1"
printf 'From: b@example.com\r\nSubject: new two\r\n\r\nbody without message id\r\n' >"$MG_TMP/n2"
mg_maildir_add SRC user1 INBOX "$MG_TMP/n1" "S" 202001020304.05 >/dev/null
mg_maildir_add SRC user1 Sent "$MG_TMP/n2" "" >/dev/null
f=$(ls "$SRC_MAIL/user1/cur" | head -n 1)
mg_maildir_setflags "$SRC_MAIL/user1/cur/$f" "FRS" >/dev/null
sync_run "$MG_TMP/user1.3" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" \
	--state "$MG_TMP/state/user1" --trace || mg_fail "incremental failed: $(cat "$MG_TMP/user1.3")"
expect_stat "$MG_TMP/user1.3" items_copied 2
expect_stat "$MG_TMP/user1.3" flags_updated 1
# CONDSTORE: the incremental pass asked only for what changed (and the trace is redacted)
grep -q "CHANGEDSINCE" "$MG_TMP/user1.3.err" || mg_fail "incremental pass did not use CHANGEDSINCE"
! grep -q -e "$MG_TEST_PASSWORD" "$MG_TMP/user1.3.err" || mg_fail "the password appears in the trace"
mg__chown "$DST_MAIL/user1"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk"

# excluded folders: reported with their item counts, not copied
rm -rf "${DST_MAIL:?}/user3"
sync_run "$MG_TMP/user3.1" --user user3 --pass-env MG_PW --maildir "$DST_MAIL/user3" \
	--state "$MG_TMP/state/user3" --exclude Trash --exclude 'archive/*' \
	|| mg_fail "sync with exclusions failed"
grep -q "^skipped: kind=FolderExcluded folder=Trash " "$MG_TMP/user3.1" || mg_fail "Trash not reported"
grep -q "^skipped: kind=FolderExcluded folder=Archive/2019 " "$MG_TMP/user3.1" || mg_fail "Archive/2019 not reported"
[ ! -d "$DST_MAIL/user3/.Trash" ] || mg_fail "excluded Trash was copied"
[ ! -d "$DST_MAIL/user3/.Archive" ] || mg_fail "excluded Archive was copied"
[ "$(stat_of "$MG_TMP/user3.1" items_excluded)" -gt 0 ] || mg_fail "excluded items not counted"
mg__chown "$DST_MAIL/user3"
compare --a-port "$SRC_IMAP_PORT" --a-user user3 --a-pass-env MG_PW \
	--b-port "$DST_IMAP_PORT" --b-user user3 --b-pass-env MG_PW --map "Junk Email=Junk" \
	--skip Trash --skip Archive --skip Archive/2019
mg_log "maildir destination: exact copies, incremental and exclusions verified"
