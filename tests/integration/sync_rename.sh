#!/bin/sh
# sync_rename.sh - a folder renamed at the source (RENAME Parent "Parent
# Renamed", which takes its subfolder along) is renamed at the destination
# on the next pass - in the local store and on a target IMAP server - with
# a report line, and nothing is copied again: the destination then matches
# the source message for message, with no old folder left holding a second
# copy.  (The logic of renames, against an in-memory destination:
# tests/unit/test_sync_mem*.c and test_rename_objectid.c.)
set -eu
. "$top_srcdir/tests/lib/dovecot.sh"
. "$top_srcdir/tests/integration/sync-common.sh"

sync_setup ren "user1 user2"
n=0
add() { # FOLDER COUNT
	_i=0
	while [ "$_i" -lt "$2" ]; do
		_i=$((_i + 1)) n=$((n + 1))
		mail_add "$1" "m$n" "ren-$n@example.com" "20240101$(printf '%02d' $((n % 24)))00" >/dev/null
	done
}
add INBOX 2; add Parent 3; add Parent/Child 2; add Other 1
imap() { # PORT USER COMMAND...
	imap_session "$@"
}
T="--target-port $DST_IMAP_PORT --target-user user2*mailadmin --target-pass-env MG_MPW"

sync_run "$W/a1" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" --state "$W/st1" ||
	mg_fail "initial sync (local store) failed: $(cat "$W/a1" "$W/a1.err")"
sync_run "$W/b1" --user user1 --pass-env MG_PW $T --state "$W/st2" ||
	mg_fail "initial sync (target) failed: $(cat "$W/b1" "$W/b1.err")"
[ -d "$DST_MAIL/user1/.Parent.Child/cur" ] || mg_fail "no .Parent.Child after the initial sync"

imap "$SRC_IMAP_PORT" user1 'RENAME Parent "Parent Renamed"' >"$W/rename.out"
grep -q '^c1 OK' "$W/rename.out" || mg_fail "RENAME at the source failed: $(cat "$W/rename.out")"
n_src=$(files "$SRC_MAIL/user1")

# local store
sync_run "$W/a2" --user user1 --pass-env MG_PW --maildir "$DST_MAIL/user1" --state "$W/st1" ||
	mg_fail "sync after the rename (local store) failed: $(cat "$W/a2" "$W/a2.err")"
expect_stat "$W/a2" items_copied 0
cat "$W/a2" "$W/a2.err" | grep -q "folder 'Parent' was renamed to 'Parent Renamed' at the source.*renamed at the destination" ||
	mg_fail "no report line for the rename: $(grep -i folder "$W/a2" "$W/a2.err")"
[ ! -e "$DST_MAIL/user1/.Parent" ] && [ ! -e "$DST_MAIL/user1/.Parent.Child" ] ||
	mg_fail "the old folders are still in the local store: $(ls -a "$DST_MAIL/user1")"
[ "$(files "$DST_MAIL/user1/.Parent Renamed")" -ge 3 ] && [ "$(files "$DST_MAIL/user1/.Parent Renamed.Child")" -eq 2 ] ||
	mg_fail "the renamed folders lack their messages: $(ls -a "$DST_MAIL/user1")"
[ "$(files "$DST_MAIL/user1")" -eq "$n_src" ] ||
	mg_fail "the local store holds $(files "$DST_MAIL/user1") messages, the source $n_src"
mg__chown "$DST_MAIL/user1"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW --b-port "$DST_IMAP_PORT" --b-user user1 --b-pass-env MG_PW

# target IMAP server
sync_run "$W/b2" --user user1 --pass-env MG_PW $T --state "$W/st2" ||
	mg_fail "sync after the rename (target) failed: $(cat "$W/b2" "$W/b2.err")"
expect_stat "$W/b2" items_copied 0
cat "$W/b2" "$W/b2.err" | grep -q "folder 'Parent' was renamed to 'Parent Renamed' at the source" ||
	mg_fail "no report line for the rename (target): $(grep -i folder "$W/b2")"
imap "$DST_IMAP_PORT" user2 'LIST "" "*"' >"$W/list"
grep -q '"Parent"$\|"/" Parent$' "$W/list" && mg_fail "the old folder is still at the target: $(cat "$W/list")"
[ "$(files "$DST_MAIL/user2")" -eq "$n_src" ] ||
	mg_fail "the target holds $(files "$DST_MAIL/user2") messages, the source $n_src"
compare --a-port "$SRC_IMAP_PORT" --a-user user1 --a-pass-env MG_PW --b-port "$DST_IMAP_PORT" --b-user user2 --b-pass-env MG_PW
echo "sync_rename: ok"
