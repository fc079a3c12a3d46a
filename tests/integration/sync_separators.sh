#!/bin/sh
# sync_separators.sh - hierarchy separators and folder names: a Courier-style
# source (separator '.', prefix "INBOX.") migrated into the local store and
# into a '.'-separated target, and a '/' source into the '.' target.  A folder
# whose name contains '/' is not migrated and is reported (FolderNameInvalid);
# so is a name containing the target's separator; everything else arrives
# exactly, with the destination's separator.
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

mg_dovecot_start SRC --users "user1" --separator .
mg_dovecot_start SRC2 --users "user1"
mg_dovecot_start DST --users "user1"
mg_dovecot_start DOT --users "user1 user2" --separator .
mg_dovecot_load_corpus SRC --seed 31 --messages 40
mg_dovecot_load_corpus SRC2 --seed 32 --messages 30
printf 'Subject: in a slash folder\r\n\r\nx\r\n' >"$MG_TMP/m1"
mg_maildir_add SRC user1 'a\2fb' "$MG_TMP/m1" "S" >/dev/null
mg_maildir_add SRC2 user1 'v1.2' "$MG_TMP/m1" "S" >/dev/null

# '.' source -> local store
rm -rf "${DST_MAIL:?}/user1"
sync_run "$MG_TMP/s1" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" --state "$MG_TMP/st1" \
	|| mg_fail "sync from the '.' source failed: $(cat "$MG_TMP/s1")"
grep -q "^skipped: kind=FolderNameInvalid folder=INBOX.a/b .*'/'" "$MG_TMP/s1" \
	|| mg_fail "'/' folder not reported: $(grep skipped "$MG_TMP/s1")"
[ -d "$DST_MAIL/user1/.Archive.2019/cur" ] || mg_fail "INBOX.Archive.2019 did not become .Archive.2019"
mg__chown "$DST_MAIL/user1"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW --b-port "$DST_IMAP_PORT" \
	--b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk" --skip "a/b"

# '.' source -> '.' target (folders created as INBOX.x.y)
sync_run "$MG_TMP/s2" --user user1 --pass-env MG_PW --target-port "$DOT_IMAP_PORT" --target-user user1 \
	--target-pass-env MG_PW --state "$MG_TMP/st2" || mg_fail "'.' -> '.' failed: $(cat "$MG_TMP/s2.err")"
grep -q "^skipped: kind=FolderNameInvalid folder=INBOX.a/b " "$MG_TMP/s2" || mg_fail "'/' folder not reported (target)"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW --b-port "$DOT_IMAP_PORT" \
	--b-user user1 --b-pass-env MG_PW --map "Junk Email=Junk" --skip "a/b" --min-size 1

# '/' source -> '.' target: "v1.2" cannot be a folder name there
sync_run "$MG_TMP/s3" --src-port "$SRC2_IMAP_PORT" --user user1 --pass-env MG_PW \
	--target-port "$DOT_IMAP_PORT" --target-user user2 --target-pass-env MG_PW --state "$MG_TMP/st3" \
	|| mg_fail "'/' -> '.' failed: $(cat "$MG_TMP/s3.err")"
grep -q "^skipped: kind=FolderNameInvalid folder=v1.2 .*separator" "$MG_TMP/s3" \
	|| mg_fail "'v1.2' not reported: $(grep skipped "$MG_TMP/s3")"
compare --a-port "$SRC2_IMAP_PORT" --a-user user1 --a-pass-env MG_PW --b-port "$DOT_IMAP_PORT" \
	--b-user user2 --b-pass-env MG_PW --map "Junk Email=Junk" --skip "v1.2" --min-size 1
mg_log "separators: mapped; folders with the other separator in their names reported"
